// The run-command wiring of the Linux (and, for parameter names, Windows) proxy scripts: the
// parameters each script receives, and the order of one machine's proxy steps.
import { strict as assert } from "node:assert";
import { arcAgentProxyRunCommand, arcAgentProxyVerifyRunCommand, osProxyRunCommand } from "../sdk/plan/runCommands";
import { construct, inputs, MODES, named, waitsFor } from "./harness";
import { CORP_PROXY, mixedFleet } from "./fleet";

const PROXY = CORP_PROXY;
const BYPASS = ["168.63.129.16", "169.254.169.254", "localhost", "127.0.0.1", "*.corp.example"];
const ROUTE = {
    hosts: ["global.handler.control.monitor.azure.com:443", "packages.microsoft.com:443"],
    privateHosts: ["x.privatelink.monitor.azure.com"],
    timeoutSeconds: 7,
};
const params = (spec: { parameters: Array<{ name: string; value: string }> }) =>
    Object.fromEntries(spec.parameters.map((p) => [p.name, p.value]));

describe("run-command parameters", () => {
    it("Linux OS proxy: PROXY_URL, PROXY_BYPASS and, with a route check, ROUTE_CHECK_*", () => {
        assert.deepEqual(params(osProxyRunCommand("linux", PROXY, BYPASS, ROUTE)), {
            PROXY_URL: PROXY.url,
            PROXY_BYPASS: "168.63.129.16,169.254.169.254,localhost,127.0.0.1,.corp.example",
            ROUTE_CHECK_HOSTS: "global.handler.control.monitor.azure.com:443,packages.microsoft.com:443",
            ROUTE_CHECK_PRIVATE_HOSTS: "x.privatelink.monitor.azure.com",
            ROUTE_CHECK_TIMEOUT_SECONDS: "7",
        });
        assert.deepEqual(Object.keys(params(osProxyRunCommand("linux", PROXY, BYPASS))), ["PROXY_URL", "PROXY_BYPASS"]);
    });

    it("Windows OS proxy: RouteCheckHosts, RouteCheckPrivateHosts, RouteCheckTimeoutSeconds, and never an empty parameter", () => {
        assert.deepEqual(params(osProxyRunCommand("windows", PROXY, BYPASS, ROUTE)), {
            ProxyUrl: PROXY.url,
            BypassList: "168.63.129.16,169.254.169.254,localhost,127.0.0.1,*.corp.example",
            RouteCheckHosts: "global.handler.control.monitor.azure.com:443,packages.microsoft.com:443",
            RouteCheckPrivateHosts: "x.privatelink.monitor.azure.com",
            RouteCheckTimeoutSeconds: "7",
        });
        const noPrivate = osProxyRunCommand("windows", PROXY, BYPASS, { ...ROUTE, privateHosts: [] });
        assert.deepEqual(Object.keys(params(noPrivate)), ["ProxyUrl", "BypassList", "RouteCheckHosts", "RouteCheckTimeoutSeconds"]);
        const nothing = osProxyRunCommand("windows", PROXY, [], { hosts: [], privateHosts: [], timeoutSeconds: 10 });
        assert.deepEqual(nothing.parameters, [{ name: "ProxyUrl", value: PROXY.url }]);
        for (const spec of [noPrivate, nothing, arcAgentProxyRunCommand("windows", PROXY, [])]) {
            for (const p of spec.parameters) assert.notEqual(p.value, "", `${p.name} is empty`);
        }
    });

    it("Linux Arc agent: apply with the extension service's no_proxy and the Arc hosts to prove; verify as its own step", () => {
        assert.deepEqual(
            params(
                arcAgentProxyRunCommand("linux", PROXY, ["Arc", "ARM"], BYPASS, {
                    hosts: ["gbl.his.arc.azure.com:443"],
                    privateHosts: [],
                    timeoutSeconds: 5,
                }),
            ),
            {
                PROXY_URL: PROXY.url,
                ARC_PROXY_BYPASS: "Arc,ARM",
                PROXY_BYPASS: "168.63.129.16,169.254.169.254,localhost,127.0.0.1,.corp.example",
                ARC_MODE: "apply",
                ROUTE_CHECK_HOSTS: "gbl.his.arc.azure.com:443",
                ROUTE_CHECK_TIMEOUT_SECONDS: "5",
            },
        );
        const verify = arcAgentProxyVerifyRunCommand("linux", PROXY, [], BYPASS);
        assert.ok(verify !== undefined);
        assert.equal(verify.runCommandName, "defender-arc-agent-proxy-verify");
        assert.equal(verify.scriptName, "linux-arc-agent-proxy.sh");
        assert.equal(params(verify).ARC_MODE, "verify");
        assert.equal(params(verify).ARC_PROXY_BYPASS, undefined, "an empty bypass is left out (read as empty)");
        assert.equal(arcAgentProxyVerifyRunCommand("windows", PROXY, [], BYPASS), undefined);
    });
});

for (const mode of MODES) {
    describe(`one machine's proxy steps run in order (${mode.label})`, () => {
        it("Linux Arc: OS proxy, then the Arc agent's proxy, then its read-back; MDE waits for all three", async () => {
            const run = await construct(mixedFleet(), mode.preview);
            assert.deepEqual(waitsFor(run, named(run, "d-arc-agent-proxy-lnx-arc")), ["d-os-proxy-lnx-arc"]);
            assert.deepEqual(waitsFor(run, named(run, "d-arc-agent-proxy-verify-lnx-arc")), ["d-arc-agent-proxy-lnx-arc"]);
            const verify = inputs(named(run, "d-arc-agent-proxy-verify-lnx-arc"));
            assert.equal(verify.runCommandName, "defender-arc-agent-proxy-verify");
            assert.deepEqual(
                verify.parameters.find((p: { name: string }) => p.name === "ARC_MODE"),
                { name: "ARC_MODE", value: "verify" },
            );
            const mde = waitsFor(run, named(run, "d-mde-integration"));
            for (const step of ["d-os-proxy-lnx-arc", "d-arc-agent-proxy-lnx-arc", "d-arc-agent-proxy-verify-lnx-arc"])
                assert.ok(mde.includes(step), step);
        });

        it("Windows Arc: the Arc agent's proxy waits for the OS proxy (no read-back step)", async () => {
            const run = await construct(mixedFleet(), mode.preview);
            assert.deepEqual(waitsFor(run, named(run, "d-arc-agent-proxy-win-arc")), ["d-os-proxy-win-arc"]);
            assert.ok(!run.resources.some((r) => r.name === "d-arc-agent-proxy-verify-win-arc"));
        });
    });
}
