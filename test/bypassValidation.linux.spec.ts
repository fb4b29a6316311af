// proxy.bypass validation: the bounds the Linux scripts enforce too, and no entry quoted in a
// message (an entry given by mistake with user:password@ would carry its credential into CI logs).
import { strict as assert } from "node:assert";
import { validate, ValidationError } from "../sdk/validate";
import { BYPASS_LIMITS, NormalizedProxy } from "../sdk/validate/proxy";
import { bypassList } from "../sdk/plan/bypass";
import { egressEndpoints, privateLinkHosts } from "../sdk/plan/egress";
import { osProxyRunCommand } from "../sdk/plan/runCommands";
import { ARC_PROXY, makeSandbox, OS_PROXY, put, removeSandboxes, run } from "./scratchRoot.linux";
import { MINIMAL } from "./harness";

const SECRET = "Pa55-w0rd-in-a-bypass";
const NORMALIZED: NormalizedProxy = {
    url: "",
    host: "proxy.corp.example",
    port: 3128,
    bypass: [],
    unauthenticatedForAgentHosts: false,
    routeCheck: false,
};
const VM = { key: "vm-1", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "vm-1" };

function problemsFor(bypass: unknown): { path: string; message: string }[] {
    try {
        validate({ ...MINIMAL, proxy: { address: "http://proxy.corp.example:3128", bypass }, machines: [VM] });
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        assert.ok(!err.message.includes(SECRET), `the error quotes a credential:\n${err.message}`);
        return err.problems.filter((p) => p.path.startsWith("proxy.bypass"));
    }
    return [];
}

describe("proxy.bypass validation", () => {
    const CASES: Array<[string, unknown, string, RegExp]> = [
        ["user:password@host", [`svc:${SECRET}@proxy.corp.example`], "proxy.bypass[0]", /carries credentials/],
        ["a URL with credentials", [".ok.example", `http://svc:${SECRET}@host`], "proxy.bypass[1]", /carries credentials/],
        ["a lone *", ["*"], "proxy.bypass[0]", /would send everything around the proxy/],
        ["*.*", ["*.*"], "proxy.bypass[0]", /would send everything around the proxy/],
        ["an entry over 253 characters", [`${"a".repeat(250)}.example`], "proxy.bypass[0]", /at most 253/],
        ["more than 200 entries", Array.from({ length: 201 }, (_, i) => `h${i}.example`), "proxy.bypass", /at most 200/],
        [
            "more than 3584 characters in all",
            Array.from({ length: 180 }, (_, i) => `host-number-${i}.corp.example`),
            "proxy.bypass",
            /at most 3584/,
        ],
        ["a scheme", [`https://${SECRET}.example`], "proxy.bypass[0]", /not a host name/],
        ["a space", [`${SECRET} x`], "proxy.bypass[0]", /not a host name/],
    ];
    for (const [label, bypass, path, says] of CASES) {
        it(`refuses ${label} at ${path}, without quoting the entry`, () => {
            const problems = problemsFor(bypass);
            assert.equal(problems.length, 1, JSON.stringify(problems));
            assert.equal(problems[0].path, path);
            assert.match(problems[0].message, says);
        });
    }

    it("accepts a list at the bounds", () => {
        const entries = Array.from({ length: BYPASS_LIMITS.entries }, (_, i) => `h${i}.corp.example`);
        assert.ok(entries.join(",").length <= BYPASS_LIMITS.totalChars);
        assert.deepEqual(problemsFor(entries), []);
        assert.deepEqual(problemsFor([`${"a".repeat(245)}.example`]), []);
    });
});

// From validation to the machine: the longest list validation accepts, with everything the
// component adds itself (the fixed entries and every Private Link host of a fleet with both
// scopes in several regions, sdk/component.ts: bypassList(proxy.bypass, privateLinkHosts(egress))),
// rendered by the component's own run-command builder, must pass the Linux scripts' own bounds.
describe("proxy.bypass bounds agree from validation to the Linux scripts", function () {
    this.timeout(60_000);
    after(() => removeSandboxes());

    const PROXY = "http://proxy.corp.example:3128";
    const egress = egressEndpoints({
        cloud: "AzureCloud",
        regions: ["westeurope", "northeurope", "eastus", "westus2", "southeastasia"],
        agents: { mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true, arcAgent: true },
        // ten workspaces: each adds three Private Link host names of about 60 characters
        workspaceIds: Array.from({ length: 10 }, (_, i) => `${i}f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e`),
        privateLink: { arc: true, azureMonitor: true },
    });
    /** The most entries, and the most characters, validation lets through. */
    const longest = (): string[] => {
        const entries = Array.from({ length: BYPASS_LIMITS.entries }, (_, i) => `h${i}.corp.example`);
        let i = 0;
        while (entries.join(",").length < BYPASS_LIMITS.totalChars) entries[i++ % entries.length] += "x";
        while (entries.join(",").length > BYPASS_LIMITS.totalChars)
            entries[--i % entries.length] = entries[i % entries.length].slice(0, -1);
        return entries;
    };

    for (const [label, script] of [
        ["linux-os-proxy.sh", OS_PROXY],
        ["linux-arc-agent-proxy.sh (extension service's no_proxy)", ARC_PROXY],
    ] as const) {
        it(`${label} accepts what validation accepts, plus every entry the component adds`, () => {
            const user = longest();
            assert.deepEqual(problemsFor(user), [], "validation must accept the list");
            assert.equal(user.length, BYPASS_LIMITS.entries);
            const bypass = bypassList(user, privateLinkHosts(egress));
            assert.ok(privateLinkHosts(egress).length > 0, "the fleet has Private Link hosts to add");
            const value = Object.fromEntries(
                osProxyRunCommand("linux", { ...NORMALIZED, url: PROXY }, bypass).parameters.map((p) => [p.name, p.value]),
            ).PROXY_BYPASS;
            const sb = makeSandbox();
            put(sb, "etc/apt/apt.conf.d/50other", "// other\n");
            const res = run(sb, script, { PROXY_URL: PROXY, PROXY_BYPASS: value, ARC_MODE: "verify" });
            // the OS script applies; the Arc script (verify mode, its stub agent holding no settings)
            // gets past its input checks to the agent's settings
            if (script === OS_PROXY) assert.equal(res.status, 0, res.stderr);
            else assert.match(res.stderr, /azcmagent proxy\.url is not this proxy/);
            assert.doesNotMatch(res.stderr, /PROXY_BYPASS/);
        });
    }
});
