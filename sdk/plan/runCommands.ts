/**
 * The run commands that configure proxies inside the machines: which script, with which
 * parameters. Linux run commands receive named parameters as environment variables, Windows
 * ones as PowerShell parameters. No credential is ever a parameter: the agents these scripts
 * configure (MDE, the Azure Linux Agent, the Arc agent, Qualys) cannot authenticate anyway.
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

function spec(
    runCommandName: string,
    scriptName: ScriptName,
    parameters: Record<string, string>,
    timeoutInSeconds: number,
): RunCommandSpec {
    return {
        runCommandName,
        scriptName,
        script: scriptText(scriptName),
        parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })),
        timeoutInSeconds,
    };
}

/**
 * The operating-system proxy MDE needs: WinHTTP and MDE's registry on Windows; on Linux the
 * Azure Linux Agent drop-in, the package manager and MDE's managed configuration.
 */
export function osProxyRunCommand(os: Os, proxy: NormalizedProxy, bypass: string[]): RunCommandSpec {
    return os === "windows"
        ? spec("defender-os-proxy", "windows-os-proxy.ps1", { ProxyUrl: proxy.url, BypassList: windowsBypass(bypass) }, 600)
        : spec("defender-os-proxy", "linux-os-proxy.sh", { PROXY_URL: proxy.url, PROXY_BYPASS: linuxNoProxy(bypass) }, 600);
}

/** The Arc agent's own proxy (`azcmagent config set proxy.url` / `proxy.bypass`). */
export function arcAgentProxyRunCommand(os: Os, proxy: NormalizedProxy, arcBypass: string[]): RunCommandSpec {
    const bypass = arcBypass.join(",");
    // Never an empty parameter on Windows (how the handler binds one is not documented); the
    // script's default for an absent ArcProxyBypass is "clear the bypass".
    const windowsParameters: Record<string, string> =
        bypass === "" ? { ProxyUrl: proxy.url } : { ProxyUrl: proxy.url, ArcProxyBypass: bypass };
    return os === "windows"
        ? spec("defender-arc-agent-proxy", "windows-arc-agent-proxy.ps1", windowsParameters, 300)
        : spec("defender-arc-agent-proxy", "linux-arc-agent-proxy.sh", { PROXY_URL: proxy.url, ARC_PROXY_BYPASS: bypass }, 300);
}

/** Qualys takes no proxy at install: this waits for the agent, then sets it (up to 30 minutes). */
export function qualysProxyRunCommand(os: Os, proxy: NormalizedProxy): RunCommandSpec {
    const waitSeconds = "1800";
    return os === "windows"
        ? spec("defender-qualys-proxy", "windows-qualys-proxy.ps1", { ProxyUrl: proxy.url, WaitSeconds: waitSeconds }, 2100)
        : spec("defender-qualys-proxy", "linux-qualys-proxy.sh", { PROXY_URL: proxy.url, WAIT_SECONDS: waitSeconds }, 2100);
}

/** What a run command's instance view says went wrong, or undefined when it succeeded or is not known yet. */
export function runCommandFailure(view: { exitCode?: number; executionState?: string } | undefined): string | undefined {
    if (view === undefined || view === null) return undefined;
    if (view.executionState !== undefined && ["Failed", "TimedOut", "Canceled"].includes(view.executionState)) {
        return `ended ${view.executionState}${view.exitCode !== undefined ? ` (exit code ${view.exitCode})` : ""}`;
    }
    if (view.exitCode !== undefined && view.exitCode !== 0) return `exited with code ${view.exitCode}`;
    return undefined;
}
