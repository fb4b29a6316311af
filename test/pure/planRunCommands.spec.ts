/**
 * The run commands that set the proxies (sdk/plan/runCommands.ts), on their own: what Azure receives
 * as `runCommandName`, script, named parameters and timeout. Sources:
 * - docs/windows-scripts.md: the Windows run command names and timeouts (`defender-os-proxy` 600 s,
 *   `defender-arc-agent-proxy` 300 s) and the route check's parameters;
 * - the scripts' own parameter declarations: the `param(...)` blocks of sdk/scripts/windows-*.ps1
 *   and the header comments of sdk/scripts/linux-*.sh (Linux run commands pass named parameters as
 *   environment variables);
 * - docs/concepts.md and docs/policy-mode.md: the Linux Arc read-back step `defender-arc-agent-proxy-verify`;
 * - azure-management-docs `articles/azure-arc/servers/run-command.md` (02/23/2026): "On Linux, Run command
 *   doesn't accept names longer than 36 characters";
 * - the instance view's `executionState` values (Canceled, Failed, Pending, Running, Succeeded,
 *   TimedOut, Unknown) and `exitCode`: bicep-types-az
 *   `generated/hybridcompute/microsoft.hybridcompute/2025-06-01/types.md` (MachineRunCommandInstanceView).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    RouteCheck,
    RunCommandSpec,
    arcAgentProxyRunCommand,
    arcAgentProxyVerifyRunCommand,
    osProxyRunCommand,
    osProxyVerifyRunCommand,
    runCommandFailure,
} from "../../sdk/plan/runCommands";
import { NormalizedProxy } from "../../sdk/validate/proxy";
import { PLAIN_PROXY } from "./planFixtures";

const PROXY: NormalizedProxy = { ...PLAIN_PROXY, routeCheck: true };
// One entry of each kind the renderings treat differently: a `*.` domain, a `.` domain, an
// octet-aligned CIDR, a plain host. Windows: `*.domain`, CIDR as octet wildcards; Linux: `.domain`.
const BYPASS = ["*.contoso.com", ".fabrikam.com", "10.0.0.0/8", "intranet"];
const WINDOWS_BYPASS = "*.contoso.com,*.fabrikam.com,10.*.*.*,intranet";
const LINUX_BYPASS = ".contoso.com,.fabrikam.com,10.0.0.0/8,intranet";
const ROUTE: RouteCheck = {
    hosts: ["a.example.com:443", "crl.microsoft.com:80"],
    privateHosts: ["x.privatelink.monitor.azure.com", "y.privatelink.his.arc.azure.com"],
    timeoutSeconds: 10,
};

const params = (spec: RunCommandSpec): Record<string, string> => Object.fromEntries(spec.parameters.map((p) => [p.name, p.value]));
const scriptFile = (name: string): string => fs.readFileSync(path.join(__dirname, "..", "..", "sdk", "scripts", name), "utf8");

describe("run commands (sdk/plan/runCommands.ts)", () => {
    it("OS proxy on Windows: defender-os-proxy, windows-os-proxy.ps1, 600 s, WinHTTP's bypass rendering and the route check's parameters", () => {
        const spec = osProxyRunCommand("windows", PROXY, BYPASS, ROUTE);
        assert.equal(spec.runCommandName, "defender-os-proxy");
        assert.equal(spec.scriptName, "windows-os-proxy.ps1");
        assert.equal(spec.timeoutInSeconds, 600);
        assert.deepEqual(spec.parameters, [
            { name: "ProxyUrl", value: "http://proxy.contoso.com:3128" },
            { name: "BypassList", value: WINDOWS_BYPASS },
            { name: "RouteCheckHosts", value: "a.example.com:443,crl.microsoft.com:80" },
            { name: "RouteCheckPrivateHosts", value: "x.privatelink.monitor.azure.com,y.privatelink.his.arc.azure.com" },
            { name: "RouteCheckTimeoutSeconds", value: "10" },
        ]);
        // The body Azure runs is the script file itself (it includes nothing on Windows).
        assert.equal(spec.script, scriptFile("windows-os-proxy.ps1"));
    });

    it("OS proxy on Linux: the same name and timeout, linux-os-proxy.sh, no_proxy's rendering, the route check as environment variables", () => {
        const spec = osProxyRunCommand("linux", PROXY, BYPASS, ROUTE);
        assert.equal(spec.runCommandName, "defender-os-proxy");
        assert.equal(spec.scriptName, "linux-os-proxy.sh");
        assert.equal(spec.timeoutInSeconds, 600);
        assert.deepEqual(params(spec), {
            PROXY_URL: "http://proxy.contoso.com:3128",
            PROXY_BYPASS: LINUX_BYPASS,
            ROUTE_CHECK_HOSTS: "a.example.com:443,crl.microsoft.com:80",
            ROUTE_CHECK_PRIVATE_HOSTS: "x.privatelink.monitor.azure.com,y.privatelink.his.arc.azure.com",
            ROUTE_CHECK_TIMEOUT_SECONDS: "10",
        });
        // The Linux body is assembled: no include line is left for the machine to resolve.
        assert.doesNotMatch(spec.script, /^# @include /m);
        assert.match(spec.script, /^#!\/usr\/bin\/env bash|^#!\/bin\/bash/);
    });

    it("leaves out every route-check parameter when there is nothing to check, and an empty parameter", () => {
        const nothing: RouteCheck = { hosts: [], privateHosts: [], timeoutSeconds: 10 };
        for (const os of ["windows", "linux"] as const) {
            for (const check of [undefined, nothing]) {
                // An empty bypass list renders as "", which is left out too.
                assert.deepEqual(
                    osProxyRunCommand(os, PROXY, [], check).parameters.map((p) => p.name),
                    [os === "windows" ? "ProxyUrl" : "PROXY_URL"],
                    `${os} ${JSON.stringify(check)}`,
                );
            }
        }
        // Hosts only: the private-host list is empty and left out; the timeout stays.
        assert.deepEqual(params(osProxyRunCommand("linux", PROXY, [], { ...ROUTE, privateHosts: [] })), {
            PROXY_URL: PROXY.url,
            ROUTE_CHECK_HOSTS: "a.example.com:443,crl.microsoft.com:80",
            ROUTE_CHECK_TIMEOUT_SECONDS: "10",
        });
        // Private hosts only: still a check.
        assert.deepEqual(params(osProxyRunCommand("windows", PROXY, [], { ...ROUTE, hosts: [] })), {
            ProxyUrl: PROXY.url,
            RouteCheckPrivateHosts: "x.privatelink.monitor.azure.com,y.privatelink.his.arc.azure.com",
            RouteCheckTimeoutSeconds: "10",
        });
    });

    it("passes ReplaceExistingWinHttpProxy=true on Windows only when asked, and never on Linux", () => {
        assert.equal(params(osProxyRunCommand("windows", PROXY, [], undefined, true)).ReplaceExistingWinHttpProxy, "true");
        assert.equal(params(osProxyRunCommand("windows", PROXY, [], undefined, false)).ReplaceExistingWinHttpProxy, undefined);
        assert.equal(params(osProxyRunCommand("windows", PROXY, [])).ReplaceExistingWinHttpProxy, undefined);
        assert.deepEqual(Object.keys(params(osProxyRunCommand("linux", PROXY, [], undefined, true))), ["PROXY_URL"]);
    });

    it("Arc agent proxy on Windows: defender-arc-agent-proxy, 300 s, the Arc bypass values and the route check", () => {
        const spec = arcAgentProxyRunCommand("windows", PROXY, ["Arc", "AMA"], BYPASS, ROUTE);
        assert.equal(spec.runCommandName, "defender-arc-agent-proxy");
        assert.equal(spec.scriptName, "windows-arc-agent-proxy.ps1");
        assert.equal(spec.timeoutInSeconds, 300);
        assert.equal(spec.script, scriptFile("windows-arc-agent-proxy.ps1"));
        assert.deepEqual(params(spec), {
            ProxyUrl: PROXY.url,
            ArcProxyBypass: "Arc,AMA",
            RouteCheckHosts: "a.example.com:443,crl.microsoft.com:80",
            RouteCheckPrivateHosts: "x.privatelink.monitor.azure.com,y.privatelink.his.arc.azure.com",
            RouteCheckTimeoutSeconds: "10",
        });
        // No Arc bypass: the parameter is absent, which the script reads as "clear it".
        assert.deepEqual(params(arcAgentProxyRunCommand("windows", PROXY, [])), { ProxyUrl: PROXY.url });
    });

    it("Arc agent proxy on Linux: apply mode, extd's no_proxy, the Arc hosts (never private ones) and their timeout", () => {
        const spec = arcAgentProxyRunCommand("linux", PROXY, ["Arc", "ARM"], BYPASS, ROUTE);
        assert.equal(spec.runCommandName, "defender-arc-agent-proxy");
        assert.equal(spec.scriptName, "linux-arc-agent-proxy.sh");
        assert.equal(spec.timeoutInSeconds, 300);
        assert.deepEqual(params(spec), {
            PROXY_URL: PROXY.url,
            ARC_PROXY_BYPASS: "Arc,ARM",
            PROXY_BYPASS: LINUX_BYPASS,
            ARC_MODE: "apply",
            ROUTE_CHECK_HOSTS: "a.example.com:443,crl.microsoft.com:80",
            ROUTE_CHECK_TIMEOUT_SECONDS: "10",
        });
        // No operating-system bypass given: extd gets no no_proxy.
        assert.deepEqual(params(arcAgentProxyRunCommand("linux", PROXY, ["Arc"])), {
            PROXY_URL: PROXY.url,
            ARC_PROXY_BYPASS: "Arc",
            ARC_MODE: "apply",
        });
        // Without a route, or with no host to prove, neither route parameter is passed.
        for (const route of [undefined, { ...ROUTE, hosts: [] }]) {
            assert.deepEqual(params(arcAgentProxyRunCommand("linux", PROXY, [], [], route)), { PROXY_URL: PROXY.url, ARC_MODE: "apply" });
        }
    });

    it("the Linux Arc read-back step: defender-arc-agent-proxy-verify, the same script in verify mode, a wait that fits its timeout", () => {
        assert.equal(arcAgentProxyVerifyRunCommand("windows", PROXY, ["Arc"], BYPASS), undefined);
        const spec = arcAgentProxyVerifyRunCommand("linux", PROXY, ["Arc", "AMA"], BYPASS)!;
        assert.equal(spec.runCommandName, "defender-arc-agent-proxy-verify");
        assert.equal(spec.scriptName, "linux-arc-agent-proxy.sh");
        const { ARC_VERIFY_WAIT_SECONDS: wait, ...rest } = params(spec);
        assert.deepEqual(rest, { PROXY_URL: PROXY.url, ARC_PROXY_BYPASS: "Arc,AMA", PROXY_BYPASS: LINUX_BYPASS, ARC_MODE: "verify" });
        // The script accepts 1-600 seconds (its own check); the run command must outlast the wait.
        assert.match(wait, /^[1-9][0-9]*$/);
        assert.ok(Number(wait) < spec.timeoutInSeconds, `${wait} s wait in a ${spec.timeoutInSeconds} s run command`);
        assert.deepEqual(params(arcAgentProxyVerifyRunCommand("linux", PROXY, [])!), {
            PROXY_URL: PROXY.url,
            ARC_MODE: "verify",
            ARC_VERIFY_WAIT_SECONDS: wait,
        });
    });

    it("the Linux VM OS-proxy read-back: defender-os-proxy-verify, linux-os-proxy.sh in verify mode, on Azure VMs only", () => {
        // Windows has its own read-back inside the script; Arc machines have no Azure Linux Agent to read.
        assert.equal(osProxyVerifyRunCommand("windows", "azureVm", PROXY, BYPASS), undefined);
        assert.equal(osProxyVerifyRunCommand("linux", "arc", PROXY, BYPASS), undefined);
        const spec = osProxyVerifyRunCommand("linux", "azureVm", PROXY, BYPASS)!;
        assert.equal(spec.runCommandName, "defender-os-proxy-verify");
        assert.equal(spec.scriptName, "linux-os-proxy.sh");
        const { OS_PROXY_VERIFY_WAIT_SECONDS: wait, ...rest } = params(spec);
        assert.deepEqual(rest, { PROXY_URL: PROXY.url, PROXY_BYPASS: LINUX_BYPASS, OS_PROXY_MODE: "verify" });
        assert.match(wait, /^[1-9][0-9]*$/);
        assert.ok(Number(wait) < spec.timeoutInSeconds, `${wait} s wait in a ${spec.timeoutInSeconds} s run command`);
        assert.deepEqual(params(osProxyVerifyRunCommand("linux", "azureVm", PROXY, [])!), {
            PROXY_URL: PROXY.url,
            OS_PROXY_MODE: "verify",
            OS_PROXY_VERIFY_WAIT_SECONDS: wait,
        });
    });

    it("every parameter it passes is one the script declares, and every name fits Arc Linux's 36 characters", () => {
        const specs = [
            osProxyRunCommand("windows", PROXY, BYPASS, ROUTE, true),
            osProxyRunCommand("linux", PROXY, BYPASS, ROUTE),
            arcAgentProxyRunCommand("windows", PROXY, ["Arc"], BYPASS, ROUTE),
            arcAgentProxyRunCommand("linux", PROXY, ["Arc"], BYPASS, ROUTE),
            arcAgentProxyVerifyRunCommand("linux", PROXY, ["Arc"], BYPASS)!,
            osProxyVerifyRunCommand("linux", "azureVm", PROXY, BYPASS)!,
        ];
        for (const spec of specs) {
            assert.ok(spec.runCommandName.length <= 36, spec.runCommandName);
            const text = scriptFile(spec.scriptName);
            for (const { name } of spec.parameters) {
                const declared = spec.scriptName.endsWith(".ps1")
                    ? new RegExp(`^\\s*\\[string\\]\\$${name}\\b`, "m")
                    : new RegExp(`^#\\s+${name}\\s`, "m");
                assert.match(text, declared, `${spec.scriptName} does not declare ${name}`);
            }
        }
    });

    it("reads a run command's instance view: failed, timed out or canceled, a non-zero exit code, or nothing to say", () => {
        const cases: Array<[Parameters<typeof runCommandFailure>[0], string | undefined]> = [
            [undefined, undefined],
            [null as unknown as undefined, undefined],
            [{}, undefined],
            [{ executionState: "Succeeded", exitCode: 0 }, undefined],
            [{ executionState: "Running" }, undefined],
            [{ executionState: "Pending" }, undefined],
            [{ executionState: "Unknown" }, undefined],
            [{ executionState: "Failed", exitCode: 2 }, "ended Failed (exit code 2)"],
            [{ executionState: "Failed" }, "ended Failed"],
            [{ executionState: "TimedOut" }, "ended TimedOut"],
            [{ executionState: "Canceled", exitCode: 0 }, "ended Canceled (exit code 0)"],
            [{ executionState: "Succeeded", exitCode: 1 }, "exited with code 1"],
            [{ exitCode: 3 }, "exited with code 3"],
            [{ exitCode: 0 }, undefined],
        ];
        for (const [view, expected] of cases) assert.equal(runCommandFailure(view), expected, JSON.stringify(view));
    });
});
