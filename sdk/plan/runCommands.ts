/**
 * The run commands that configure proxies inside the machines: which script, with which
 * parameters. Linux run commands receive named parameters as environment variables, Windows
 * ones as PowerShell parameters. No credential is ever a parameter: the agents these scripts
 * configure (MDE, the Azure Linux Agent, the Arc agent) cannot authenticate anyway.
 */
import { NormalizedProxy } from "../validate/proxy";
import { linuxNoProxy, windowsBypass } from "./bypass";
import { ScriptName, scriptText } from "./scripts";

/** A run command as both `compute.VirtualMachineRunCommandByVirtualMachine` and `hybridcompute.MachineRunCommand` take it. */
export interface RunCommandSpec {
    /** The run command's name on the machine. */
    runCommandName: string;
    /** Which file under `sdk/scripts/` it runs. */
    scriptName: ScriptName;
    /** The script body. */
    script: string;
    /** Named, non-secret parameters. */
    parameters: Array<{ name: string; value: string }>;
    /** Seconds before Azure gives up on it. */
    timeoutInSeconds: number;
}

type Os = "windows" | "linux";

/**
 * What the OS-proxy script proves once the proxy is in place (and, for the Arc agent's proxy,
 * before it commits): through the proxy to each `host:port` (443: CONNECT and a TLS handshake;
 * 80: a plain HTTP GET), and a DNS answer in
 * private address space (RFC 1918, fc00::/7) for each Private Link name.
 */
export interface RouteCheck {
    /** `host:port` entries, each proven through the proxy (443: CONNECT and TLS; 80: GET). */
    hosts: string[];
    /** Host names that must resolve to private addresses only. */
    privateHosts: string[];
    /** Seconds per probe (1-60); the scripts also bound all probes together. */
    timeoutSeconds: number;
}

/**
 * Builds a spec from named parameters. A parameter whose value is empty is left out: on Windows
 * the run-command handler's binding of an empty parameter is not something to depend on, and on
 * Linux an empty parameter arrives as an unset variable anyway, which the scripts read as empty.
 */
function spec(
    runCommandName: string,
    scriptName: ScriptName,
    parameters: Record<string, string | undefined>,
    timeoutInSeconds: number,
): RunCommandSpec {
    return {
        runCommandName,
        scriptName,
        script: scriptText(scriptName),
        parameters: Object.entries(parameters)
            .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "")
            .map(([name, value]) => ({ name, value })),
        timeoutInSeconds,
    };
}

/** Route-check parameters in each script's naming; every one left out when there is nothing to check. */
function routeCheckParameters(os: Os, check: RouteCheck | undefined): Record<string, string | undefined> {
    if (check === undefined || check.hosts.length + check.privateHosts.length === 0) return {};
    const timeout = String(check.timeoutSeconds);
    return os === "windows"
        ? {
              RouteCheckHosts: check.hosts.join(","),
              RouteCheckPrivateHosts: check.privateHosts.join(","),
              RouteCheckTimeoutSeconds: timeout,
          }
        : {
              ROUTE_CHECK_HOSTS: check.hosts.join(","),
              ROUTE_CHECK_PRIVATE_HOSTS: check.privateHosts.join(","),
              ROUTE_CHECK_TIMEOUT_SECONDS: timeout,
          };
}

/** Seconds the Linux OS-proxy run command may take: the script's own work, plus its route check's bound (300 s). */
const OS_PROXY_TIMEOUT_SECONDS = 600;

/**
 * The operating-system proxy MDE needs: WinHTTP and MDE's registry on Windows; on Linux the
 * Azure Linux Agent drop-in, the package manager and MDE's managed configuration. With
 * `routeCheck`, the script then proves the route and fails (naming each host) when it is broken.
 */
export function osProxyRunCommand(
    os: Os,
    proxy: NormalizedProxy,
    bypass: string[],
    routeCheck?: RouteCheck,
    /** Windows only: replace a machine-wide WinHTTP proxy someone else set (the script refuses it, exit 3, without this). */
    replaceExistingWinHttpProxy = false,
): RunCommandSpec {
    const route = routeCheckParameters(os, routeCheck);
    const replace = replaceExistingWinHttpProxy ? { ReplaceExistingWinHttpProxy: "true" } : {};
    return os === "windows"
        ? spec(
              "defender-os-proxy",
              "windows-os-proxy.ps1",
              { ProxyUrl: proxy.url, BypassList: windowsBypass(bypass), ...route, ...replace },
              OS_PROXY_TIMEOUT_SECONDS,
          )
        : spec(
              "defender-os-proxy",
              "linux-os-proxy.sh",
              { PROXY_URL: proxy.url, PROXY_BYPASS: linuxNoProxy(bypass), ...route },
              OS_PROXY_TIMEOUT_SECONDS,
          );
}

/**
 * Linux Azure VMs only: the read-back after {@link osProxyRunCommand}, as a run command of its own
 * that waits for it (`OS_PROXY_MODE=verify`, which changes nothing). The apply step writes the
 * Azure Linux Agent's proxy drop-in and schedules the agent's restart, which it cannot wait for
 * (it runs inside the agent); this step waits (up to 180 s) until the RUNNING agent holds this
 * proxy in its environment, and exits non-zero when it does not, so a proxy the machine does not
 * actually use fails the deployment before MDE is switched on. Windows applies WinHTTP at once
 * and has no such step; Arc machines have no Azure Linux Agent (the script's verify would fail
 * with "no walinuxagent.service or waagent.service unit found"): undefined for both.
 */
export function osProxyVerifyRunCommand(
    os: Os,
    kind: "azureVm" | "arc",
    proxy: NormalizedProxy,
    bypass: string[],
): RunCommandSpec | undefined {
    if (os === "windows" || kind === "arc") return undefined;
    return spec(
        "defender-os-proxy-verify",
        "linux-os-proxy.sh",
        { PROXY_URL: proxy.url, PROXY_BYPASS: linuxNoProxy(bypass), OS_PROXY_MODE: "verify", OS_PROXY_VERIFY_WAIT_SECONDS: "180" },
        300,
    );
}

/**
 * The Arc agent's own proxy (`azcmagent config set proxy.url` / `proxy.bypass`). On Linux the
 * script also gives the Arc extension service (extd) the proxy environment (`bypass` is its
 * no_proxy), and proves `arcRoute.hosts` through the new proxy before committing anything.
 */
export function arcAgentProxyRunCommand(
    os: Os,
    proxy: NormalizedProxy,
    arcBypass: string[],
    bypass: string[] = [],
    arcRoute?: RouteCheck,
): RunCommandSpec {
    const joined = arcBypass.join(",");
    if (os === "windows") {
        // An empty ArcProxyBypass is left out (spec() never passes an empty parameter): the script reads absent as "clear it".
        return spec(
            "defender-arc-agent-proxy",
            "windows-arc-agent-proxy.ps1",
            { ProxyUrl: proxy.url, ArcProxyBypass: joined, ...routeCheckParameters(os, arcRoute) },
            300,
        );
    }
    return spec(
        "defender-arc-agent-proxy",
        "linux-arc-agent-proxy.sh",
        {
            PROXY_URL: proxy.url,
            ARC_PROXY_BYPASS: joined,
            PROXY_BYPASS: linuxNoProxy(bypass),
            ARC_MODE: "apply",
            ROUTE_CHECK_HOSTS: arcRoute?.hosts.join(","),
            ROUTE_CHECK_TIMEOUT_SECONDS:
                arcRoute === undefined || arcRoute.hosts.length === 0 ? undefined : String(arcRoute.timeoutSeconds),
        },
        300,
    );
}

/**
 * Linux Arc only: the read-back step after {@link arcAgentProxyRunCommand}, as a run command of
 * its own that waits for it. It checks the agent's settings again and waits (up to 180 s) until
 * the running extension service holds the proxy, which proves its restart took place. Windows
 * has no such step here (undefined).
 */
export function arcAgentProxyVerifyRunCommand(
    os: Os,
    proxy: NormalizedProxy,
    arcBypass: string[],
    bypass: string[] = [],
): RunCommandSpec | undefined {
    if (os === "windows") return undefined;
    return spec(
        "defender-arc-agent-proxy-verify",
        "linux-arc-agent-proxy.sh",
        {
            PROXY_URL: proxy.url,
            ARC_PROXY_BYPASS: arcBypass.join(","),
            PROXY_BYPASS: linuxNoProxy(bypass),
            ARC_MODE: "verify",
            ARC_VERIFY_WAIT_SECONDS: "180",
        },
        300,
    );
}

/** What a run command's instance view says went wrong, or undefined when it succeeded or is not known yet. */
export function runCommandFailure(view: { exitCode?: number; executionState?: string } | undefined): string | undefined {
    if (view === undefined || view === null) return undefined;
    if ((["Failed", "TimedOut", "Canceled"] as Array<string | undefined>).includes(view.executionState)) {
        return `ended ${view.executionState}${view.exitCode !== undefined ? ` (exit code ${view.exitCode})` : ""}`;
    }
    if (view.exitCode !== undefined && view.exitCode !== 0) return `exited with code ${view.exitCode}`;
    return undefined;
}
