// The egress contract (sdk/plan/egress.ts): exact host lists per cloud and per route, the merge
// rules, and the Squid snippet text. test/squid.spec.ts proves the snippet against a real Squid.
import { strict as assert } from "node:assert";
import {
    EGRESS_AGENTS,
    EgressEndpoint,
    EgressInput,
    QUALYS_EGRESS_NOTE,
    egressEndpoints,
    egressNotes,
    mergeEgressEndpoints,
    privateLinkHosts,
    proxyAllowlist,
    squidAllowlistSnippet,
} from "../sdk/plan/egress";

const WS = "0f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e";
const WS2 = "9a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9";
const ALL_AGENTS = { mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true, arcAgent: true, qualys: false };
const NO_AGENTS = { mde: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false, arcAgent: false, qualys: false };

function input(overrides: Partial<EgressInput> = {}): EgressInput {
    return {
        cloud: "AzureCloud",
        regions: ["westeurope", "northeurope"],
        agents: ALL_AGENTS,
        workspaceIds: [WS],
        privateLink: { arc: false, azureMonitor: false },
        ...overrides,
    };
}

/** host, when, route, agents: the shape most assertions compare. */
function rows(endpoints: EgressEndpoint[]): string[] {
    return endpoints.map((e) => `${e.host} ${e.when} ${e.route} ${e.agents.join("+")}`);
}

/** Whether a proxy-list entry (exact, `*.x.y` or `azgn*.x.y`) would let `name` through. */
function covers(entry: string, name: string): boolean {
    if (entry.startsWith("*.")) return name === entry.slice(2) || name.endsWith(entry.slice(1));
    if (entry.includes("*")) {
        const [before, after] = entry.split("*");
        return name.startsWith(before) && name.endsWith(after) && !name.slice(before.length, name.length - after.length).includes(".");
    }
    return name === entry;
}

describe("egress: AzureCloud, everything through the proxy", function () {
    const endpoints = egressEndpoints(input());

    it("lists every endpoint with its agents, lifetime and route", function () {
        assert.deepEqual(rows(endpoints), [
            "*.blob.core.windows.net always proxy Arc agent+Log Analytics agent",
            "*.endpoint.security.microsoft.com always proxy Defender for Endpoint",
            "*.guestconfiguration.azure.com always proxy Arc agent",
            "*.guestnotificationservice.azure.com always proxy Arc agent",
            "*.his.arc.azure.com always proxy Arc agent",
            "*.login.microsoft.com always proxy Arc agent",
            `${WS}.agentsvc.azure-automation.net always proxy Log Analytics agent`,
            `${WS}.ods.opinsights.azure.com always proxy Azure Monitor Agent+Log Analytics agent`,
            `${WS}.oms.opinsights.azure.com always proxy Log Analytics agent`,
            "aka.ms install proxy Arc agent",
            "azgn*.servicebus.windows.net always proxy Arc agent",
            "download.microsoft.com install proxy Arc agent",
            "global.handler.control.monitor.azure.com always proxy Azure Monitor Agent",
            "guestnotificationservice.azure.com always proxy Arc agent",
            "login.microsoftonline.com always proxy Arc agent",
            "login.windows.net always proxy Arc agent",
            "management.azure.com always proxy Arc agent",
            "northeurope.handler.control.monitor.azure.com always proxy Azure Monitor Agent",
            "packages.microsoft.com install proxy Arc agent+Defender for Endpoint",
            "pas.windows.net always proxy Arc agent",
            "westeurope.handler.control.monitor.azure.com always proxy Azure Monitor Agent",
            "168.63.129.16 always platform Guest Configuration",
        ]);
        assert.ok(endpoints.every((e) => e.port === 443));
    });

    it("has no private-link host, and Guest Configuration adds nothing to either list", function () {
        assert.deepEqual(privateLinkHosts(endpoints), []);
        assert.ok(!proxyAllowlist(endpoints).includes("168.63.129.16"));
        const gcOnly = egressEndpoints(input({ agents: { ...NO_AGENTS, guestConfiguration: true } }));
        assert.deepEqual(proxyAllowlist(gcOnly), []);
        assert.deepEqual(privateLinkHosts(gcOnly), []);
        assert.deepEqual(rows(gcOnly), ["168.63.129.16 always platform Guest Configuration"]);
    });

    it("merges the reasons of a host two agents need", function () {
        const packages = endpoints.find((e) => e.host === "packages.microsoft.com");
        assert.equal(
            packages?.why,
            "Defender for Endpoint on Linux installs and upgrades mdatp from this repository; Linux agent package (install and automatic upgrades)",
        );
    });

    it("leaves out the custom-metrics hosts and the DCE ingestion host on the proxy route", function () {
        const hosts = proxyAllowlist(endpoints);
        assert.ok(!hosts.some((h) => h.includes("monitoring.azure.com") || h.includes("ingest.monitor")));
    });
});

describe("egress: AzureUSGovernment", function () {
    const endpoints = egressEndpoints(input({ cloud: "AzureUSGovernment", regions: ["usgovvirginia", "usgovarizona"], workspaceIds: [] }));

    it("uses the Government hosts, and wildcards when no workspace id is known", function () {
        assert.deepEqual(proxyAllowlist(endpoints), [
            "*.agentsvc.azure-automation.us",
            "*.blob.core.usgovcloudapi.net",
            "*.endpoint.security.microsoft.us",
            "*.guestconfiguration.azure.us",
            "*.his.arc.azure.us",
            "*.ods.opinsights.azure.us",
            "*.oms.opinsights.azure.us",
            "aka.ms",
            "download.microsoft.com",
            "global.handler.control.monitor.azure.us",
            "login.microsoftonline.us",
            "management.usgovcloudapi.net",
            "packages.microsoft.com",
            "pasff.usgovcloudapi.net",
            "usgovarizona.handler.control.monitor.azure.us",
            "usgovvirginia.handler.control.monitor.azure.us",
        ]);
    });

    it("lists no notification-service host Microsoft does not document for Government, and says so", function () {
        assert.ok(!endpoints.some((e) => e.host.includes("servicebus") || e.host.includes("guestnotificationservice")));
        assert.ok(egressNotes(input({ cloud: "AzureUSGovernment" })).some((n) => n.includes("no notification-service")));
    });

    it("sends the Government Arc and Azure Monitor hosts through private link, Entra and ARM through the proxy", function () {
        const pl = egressEndpoints(
            input({ cloud: "AzureUSGovernment", regions: ["usgovvirginia"], privateLink: { arc: true, azureMonitor: true } }),
        );
        assert.deepEqual(privateLinkHosts(pl), [
            "*.guestconfiguration.azure.us",
            "*.handler.control.monitor.azure.us",
            "*.his.arc.azure.us",
            "*.ingest.monitor.azure.us",
            `${WS}.agentsvc.azure-automation.us`,
            `${WS}.ods.opinsights.azure.us`,
            `${WS}.oms.opinsights.azure.us`,
            "usbn1oicore.blob.core.usgovcloudapi.net",
        ]);
        assert.deepEqual(proxyAllowlist(pl), [
            "*.endpoint.security.microsoft.us",
            "aka.ms",
            "download.microsoft.com",
            "login.microsoftonline.us",
            "management.usgovcloudapi.net",
            "packages.microsoft.com",
            "pasff.usgovcloudapi.net",
        ]);
    });
});

describe("egress: private link for Arc and Azure Monitor", function () {
    const endpoints = egressEndpoints(input({ regions: ["westeurope"], privateLink: { arc: true, azureMonitor: true } }));

    it("routes the scoped hosts to private link and keeps Entra ID, ARM and the rest on the proxy", function () {
        assert.deepEqual(rows(endpoints), [
            "*.endpoint.security.microsoft.com always proxy Defender for Endpoint",
            "*.guestnotificationservice.azure.com always proxy Arc agent",
            "*.login.microsoft.com always proxy Arc agent",
            "aka.ms install proxy Arc agent",
            "azgn*.servicebus.windows.net always proxy Arc agent",
            "download.microsoft.com install proxy Arc agent",
            "guestnotificationservice.azure.com always proxy Arc agent",
            "login.microsoftonline.com always proxy Arc agent",
            "login.windows.net always proxy Arc agent",
            "management.azure.com always proxy Arc agent",
            "packages.microsoft.com install proxy Arc agent+Defender for Endpoint",
            "pas.windows.net always proxy Arc agent",
            "*.guestconfiguration.azure.com always privateLink Arc agent",
            "*.handler.control.monitor.azure.com always privateLink Azure Monitor Agent",
            "*.his.arc.azure.com always privateLink Arc agent",
            "*.ingest.monitor.azure.com always privateLink Azure Monitor Agent",
            `${WS}.agentsvc.azure-automation.net always privateLink Log Analytics agent`,
            `${WS}.ods.opinsights.azure.com always privateLink Azure Monitor Agent+Log Analytics agent`,
            `${WS}.oms.opinsights.azure.com always privateLink Log Analytics agent`,
            "scadvisorcontent.blob.core.windows.net always privateLink Log Analytics agent",
            "168.63.129.16 always platform Guest Configuration",
        ]);
    });

    it("drops the Storage wildcard: Arc does not use it with private link", function () {
        assert.ok(!endpoints.some((e) => e.host === "*.blob.core.windows.net"));
    });
});

describe("egress: mixed routes", function () {
    it("Arc private link, Azure Monitor through the proxy", function () {
        const endpoints = egressEndpoints(
            input({ regions: ["westeurope"], agents: { ...NO_AGENTS, azureMonitorAgent: true, arcAgent: true } }),
        );
        const mixed = egressEndpoints(
            input({
                regions: ["westeurope"],
                agents: { ...NO_AGENTS, azureMonitorAgent: true, arcAgent: true },
                privateLink: { arc: true, azureMonitor: false },
            }),
        );
        assert.deepEqual(privateLinkHosts(mixed), ["*.guestconfiguration.azure.com", "*.his.arc.azure.com"]);
        assert.deepEqual(
            proxyAllowlist(endpoints).filter((h) => !proxyAllowlist(mixed).includes(h)),
            ["*.blob.core.windows.net", "*.guestconfiguration.azure.com", "*.his.arc.azure.com"],
        );
        assert.ok(proxyAllowlist(mixed).includes("westeurope.handler.control.monitor.azure.com"));
        assert.ok(proxyAllowlist(mixed).includes(`${WS}.ods.opinsights.azure.com`));
    });

    it("Azure Monitor private link, Arc through the proxy: Storage stays public for Arc, the solution packs go private", function () {
        const endpoints = egressEndpoints(input({ regions: ["westeurope"], privateLink: { arc: false, azureMonitor: true } }));
        assert.deepEqual(privateLinkHosts(endpoints), [
            "*.handler.control.monitor.azure.com",
            "*.ingest.monitor.azure.com",
            `${WS}.agentsvc.azure-automation.net`,
            `${WS}.ods.opinsights.azure.com`,
            `${WS}.oms.opinsights.azure.com`,
            "scadvisorcontent.blob.core.windows.net",
        ]);
        const blob = endpoints.find((e) => e.host === "*.blob.core.windows.net");
        assert.deepEqual(blob && [blob.route, blob.agents], ["proxy", [EGRESS_AGENTS.arcAgent]]);
        assert.ok(proxyAllowlist(endpoints).includes("*.his.arc.azure.com"));
        assert.ok(!proxyAllowlist(endpoints).some((h) => h.includes("handler.control") || h.includes("opinsights")));
    });

    it("never puts a private-link host in the proxy allowlist, in any combination", function () {
        for (const cloud of ["AzureCloud", "AzureUSGovernment"] as const) {
            for (const arc of [false, true]) {
                for (const azureMonitor of [false, true]) {
                    for (const workspaceIds of [[], [WS, WS2]]) {
                        const endpoints = egressEndpoints(input({ cloud, workspaceIds, privateLink: { arc, azureMonitor } }));
                        const proxy = proxyAllowlist(endpoints);
                        const label = `${cloud} arc=${arc} monitor=${azureMonitor} workspaces=${workspaceIds.length}`;
                        for (const host of privateLinkHosts(endpoints)) {
                            assert.ok(!proxy.includes(host), `${label}: ${host} is on both lists`);
                            // Nor may a proxy wildcard open it, except the solution-pack account under the
                            // Storage wildcard that Arc itself needs when it is not on private link.
                            const name = host.replace("*", "probe");
                            const opening = proxy.filter((p) => covers(p, name));
                            const allowedOverlap = !arc && /\.blob\.core\./.test(host);
                            assert.ok(opening.length === 0 || allowedOverlap, `${label}: ${host} is opened by ${opening.join(", ")}`);
                        }
                    }
                }
            }
        }
    });
});

describe("egress: workspaces and regions", function () {
    it("names each known workspace's hosts, lower-cased and once", function () {
        const endpoints = egressEndpoints(
            input({ agents: { ...NO_AGENTS, legacyAgent: true }, workspaceIds: [WS2, WS.toUpperCase(), ` ${WS} `] }),
        );
        assert.deepEqual(proxyAllowlist(endpoints), [
            "*.blob.core.windows.net",
            `${WS}.agentsvc.azure-automation.net`,
            `${WS}.ods.opinsights.azure.com`,
            `${WS}.oms.opinsights.azure.com`,
            `${WS2}.agentsvc.azure-automation.net`,
            `${WS2}.ods.opinsights.azure.com`,
            `${WS2}.oms.opinsights.azure.com`,
        ]);
    });

    it("falls back to the wildcard forms when no workspace id is known", function () {
        const endpoints = egressEndpoints(
            input({ agents: { ...NO_AGENTS, azureMonitorAgent: true, legacyAgent: true }, workspaceIds: [] }),
        );
        const hosts = proxyAllowlist(endpoints);
        for (const wildcard of ["*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "*.agentsvc.azure-automation.net"]) {
            assert.ok(hosts.includes(wildcard), wildcard);
        }
        assert.ok(!hosts.some((h) => /^[0-9a-f]{8}-/.test(h)));
    });

    it("gives each machine region its own control host, once", function () {
        const endpoints = egressEndpoints(
            input({ agents: { ...NO_AGENTS, azureMonitorAgent: true }, regions: ["swedencentral", "EastUS2", "swedencentral"] }),
        );
        assert.deepEqual(proxyAllowlist(endpoints), [
            `${WS}.ods.opinsights.azure.com`,
            "eastus2.handler.control.monitor.azure.com",
            "global.handler.control.monitor.azure.com",
            "swedencentral.handler.control.monitor.azure.com",
        ]);
    });

    it("refuses inputs that are not what they claim to be", function () {
        assert.throws(() => egressEndpoints(input({ workspaceIds: ["my-workspace"] })), /"my-workspace" is not a GUID/);
        assert.throws(() => egressEndpoints(input({ regions: ["West Europe"] })), /"west europe" is not an ARM region name/);
        assert.throws(() => egressEndpoints(input({ cloud: "AzureChinaCloud" as never })), /"AzureChinaCloud" is not covered/);
    });
});

describe("egress: dedup and order", function () {
    it("is stable: same input in any order, duplicated or not, gives the same list", function () {
        const a = egressEndpoints(input({ regions: ["westeurope", "northeurope"], workspaceIds: [WS, WS2] }));
        const b = egressEndpoints(input({ regions: ["northeurope", "westeurope", "northeurope"], workspaceIds: [WS2, WS, WS2] }));
        assert.deepEqual(b, a);
        assert.deepEqual(egressEndpoints(input()), egressEndpoints(input()));
    });

    it("holds each host once, sorted by route then host", function () {
        for (const privateLink of [
            { arc: false, azureMonitor: false },
            { arc: true, azureMonitor: false },
            { arc: false, azureMonitor: true },
            { arc: true, azureMonitor: true },
        ]) {
            const endpoints = egressEndpoints(input({ privateLink }));
            const hosts = endpoints.map((e) => e.host);
            assert.equal(new Set(hosts).size, hosts.length);
            const order = { proxy: 0, privateLink: 1, platform: 2 };
            const keys = endpoints.map((e) => `${order[e.route]} ${e.host}`);
            assert.deepEqual(keys, [...keys].sort());
            for (const e of endpoints) assert.deepEqual(e.agents, [...new Set(e.agents)].sort());
        }
    });

    it("merges by host: agents united, always over install, proxy over private link over platform", function () {
        const base = { port: 443, why: "x" };
        const merged = mergeEgressEndpoints([
            { ...base, host: "b.example", agents: ["Z"], when: "install", route: "privateLink" },
            { ...base, host: "a.example", agents: ["Y"], when: "install", route: "platform" },
            { ...base, host: "b.example", agents: ["A", "Z"], when: "always", route: "proxy", why: "y" },
            { ...base, host: "a.example", agents: ["X"], when: "install", route: "privateLink" },
        ]);
        assert.deepEqual(merged, [
            { ...base, host: "b.example", agents: ["A", "Z"], when: "always", route: "proxy", why: "x; y" },
            { ...base, host: "a.example", agents: ["X", "Y"], when: "install", route: "privateLink" },
        ]);
    });

    it("proxyAllowlist and privateLinkHosts are sorted and unique whatever they are given", function () {
        const e = (host: string, route: EgressEndpoint["route"]): EgressEndpoint => ({
            host,
            port: 443,
            agents: ["A"],
            why: "x",
            when: "always",
            route,
        });
        const list = [e("b", "proxy"), e("a", "proxy"), e("b", "proxy"), e("d", "privateLink"), e("c", "privateLink"), e("p", "platform")];
        assert.deepEqual(proxyAllowlist(list), ["a", "b"]);
        assert.deepEqual(privateLinkHosts(list), ["c", "d"]);
    });
});

describe("egress: notes for what the list cannot say", function () {
    it("lists no Qualys host and explains why", function () {
        const qualysOnly = input({ agents: { ...NO_AGENTS, qualys: true } });
        assert.deepEqual(egressEndpoints(qualysOnly), []);
        assert.deepEqual(egressNotes(qualysOnly), [QUALYS_EGRESS_NOTE]);
        assert.match(QUALYS_EGRESS_NOTE, /does not document/);
    });

    it("says when the DCE ingestion host or the old solution-pack route may still be needed", function () {
        assert.ok(egressNotes(input()).some((n) => n.includes("data collection endpoint")));
        assert.ok(
            !egressNotes(input({ privateLink: { arc: false, azureMonitor: true } })).some((n) => n.includes("data collection endpoint")),
        );
        assert.ok(egressNotes(input({ privateLink: { arc: false, azureMonitor: true } })).some((n) => n.includes("19 April 2021")));
    });

    it("has nothing to say with no agent", function () {
        assert.deepEqual(egressNotes(input({ agents: NO_AGENTS })), []);
    });
});

describe("egress: Squid snippet", function () {
    it("renders the mixed case exactly: wildcards as .domain, covered names dropped, azgn* as a regex", function () {
        const endpoints = egressEndpoints(input({ privateLink: { arc: true, azureMonitor: false } }));
        assert.equal(
            squidAllowlistSnippet(endpoints),
            [
                "# defender-servers egress allowlist: CONNECT to port 443 of these hosts only.",
                '# Paste it above your final "http_access deny all"; every other destination stays denied.',
                "acl defender_servers_port port 443",
                "acl defender_servers dstdomain .blob.core.windows.net",
                "acl defender_servers dstdomain .endpoint.security.microsoft.com",
                "acl defender_servers dstdomain .guestnotificationservice.azure.com",
                "acl defender_servers dstdomain .login.microsoft.com",
                `acl defender_servers dstdomain ${WS}.agentsvc.azure-automation.net`,
                `acl defender_servers dstdomain ${WS}.ods.opinsights.azure.com`,
                `acl defender_servers dstdomain ${WS}.oms.opinsights.azure.com`,
                "acl defender_servers dstdomain aka.ms",
                "acl defender_servers dstdomain download.microsoft.com",
                "acl defender_servers dstdomain global.handler.control.monitor.azure.com",
                "acl defender_servers dstdomain login.microsoftonline.com",
                "acl defender_servers dstdomain login.windows.net",
                "acl defender_servers dstdomain management.azure.com",
                "acl defender_servers dstdomain northeurope.handler.control.monitor.azure.com",
                "acl defender_servers dstdomain packages.microsoft.com",
                "acl defender_servers dstdomain pas.windows.net",
                "acl defender_servers dstdomain westeurope.handler.control.monitor.azure.com",
                "# azgn*.servicebus.windows.net: dstdomain has no wildcard inside a label, so this one is a regular expression.",
                "acl defender_servers_regex dstdom_regex -i ^azgn[a-z0-9-]*\\.servicebus\\.windows\\.net$",
                "http_access allow CONNECT defender_servers_port defender_servers",
                "http_access allow CONNECT defender_servers_port defender_servers_regex",
                "",
            ].join("\n"),
        );
    });

    it("renders the Government case with a chosen ACL name and no regex", function () {
        const endpoints = egressEndpoints(
            input({
                cloud: "AzureUSGovernment",
                regions: ["usgovvirginia"],
                agents: { ...NO_AGENTS, mde: true, azureMonitorAgent: true },
                workspaceIds: [],
            }),
        );
        assert.equal(
            squidAllowlistSnippet(endpoints, "azure_agents"),
            [
                "# defender-servers egress allowlist: CONNECT to port 443 of these hosts only.",
                '# Paste it above your final "http_access deny all"; every other destination stays denied.',
                "acl azure_agents_port port 443",
                "acl azure_agents dstdomain .endpoint.security.microsoft.us",
                "acl azure_agents dstdomain .ods.opinsights.azure.us",
                "acl azure_agents dstdomain global.handler.control.monitor.azure.us",
                "acl azure_agents dstdomain packages.microsoft.com",
                "acl azure_agents dstdomain usgovvirginia.handler.control.monitor.azure.us",
                "http_access allow CONNECT azure_agents_port azure_agents",
                "",
            ].join("\n"),
        );
    });

    it("drops every name a wildcard covers, apex included (Squid 5 refuses .x.y next to x.y)", function () {
        const e = (host: string): EgressEndpoint => ({ host, port: 443, agents: ["A"], why: "x", when: "always", route: "proxy" });
        const snippet = squidAllowlistSnippet(
            ["*.x.example", "x.example", "a.x.example", "*.b.x.example", "azgn*.x.example", "y.example"].map(e),
            "t",
        );
        assert.deepEqual(
            snippet.split("\n").filter((l) => l.startsWith("acl t ") || l.startsWith("acl t_regex")),
            ["acl t dstdomain .x.example", "acl t dstdomain y.example"],
        );
        assert.ok(!snippet.includes("t_regex"));
    });

    it("leaves private-link and platform hosts out", function () {
        const snippet = squidAllowlistSnippet(egressEndpoints(input({ privateLink: { arc: true, azureMonitor: true } })));
        for (const absent of [
            "his.arc",
            "guestconfiguration",
            "handler.control",
            "ingest.monitor",
            "opinsights",
            "scadvisorcontent",
            "168.63.129.16",
        ]) {
            assert.ok(!snippet.includes(absent), absent);
        }
    });

    it("says so when nothing needs the proxy, and refuses an ACL name Squid would misread", function () {
        assert.equal(
            squidAllowlistSnippet(egressEndpoints(input({ agents: { ...NO_AGENTS, guestConfiguration: true } }))),
            "# defender-servers egress allowlist: CONNECT to port 443 of these hosts only.\n# No host needs the proxy.\n",
        );
        assert.throws(() => squidAllowlistSnippet([], "bad name"), /ACL name "bad name"/);
    });
});
