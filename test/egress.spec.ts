// The egress contract (sdk/plan/egress/): the lists per cloud, MDE connectivity and data location, and
// route; merge rules; the new per-row fields; route-check targets; the Azure Firewall form; the onboarding
// proof; and what the component registers and outputs. test/squid.spec.ts proves the snippet against a real Squid.
import { strict as assert } from "node:assert";
import {
    EGRESS_AGENTS,
    EgressEndpoint,
    EgressInput,
    STREAMLINED_PREREQUISITES_NOTE,
    egressEndpoints,
    egressNotes,
    mergeEgressEndpoints,
    privateLinkHosts,
    proxyAllowlist,
    routeCheckTargets,
    routeCheckVariables,
    serviceTagDestinations,
    squidAllowlistSnippet,
} from "../sdk/plan/egress";
import { azureFirewallRuleCollections, firewallFqdn } from "../sdk/plan/firewallRules";
import { EDR_ASSESSMENT_KEY, onboardingVerification } from "../sdk/plan/onboardingVerification";
import { DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { ValidationError, validate } from "../sdk/validate";
import { MINIMAL, SUBSCRIPTION, construct, inputs, named, ofType, waitsFor } from "./harness";

const WS = "0f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e";
const WS2 = "9a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9";
const ALL_AGENTS = { mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true, arcAgent: true };
const NO_AGENTS = { mde: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false, arcAgent: false };
const MDE = EGRESS_AGENTS.mde;

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

const mdeOnly = (mde: EgressInput["mde"], cloud: EgressInput["cloud"] = "AzureCloud"): EgressEndpoint[] =>
    egressEndpoints(input({ cloud, agents: { ...NO_AGENTS, mde: true }, mde }));

/** host:port protocol platforms, the shape the MDE assertions compare. */
function hostPorts(endpoints: EgressEndpoint[]): string[] {
    return endpoints.map((e) => `${e.host}:${e.port} ${e.protocol} ${e.platforms.join("+")}`);
}

/** host when route agents, the shape the Arc/AMA assertions compare. */
function rows(endpoints: EgressEndpoint[]): string[] {
    return endpoints.map((e) => `${e.host} ${e.when} ${e.route} ${e.agents.join("+")}`);
}

/** Whether a list entry (exact, `*.x.y` or `azgn*.x.y`) covers the concrete name `name`. */
function covers(entry: string, name: string): boolean {
    if (entry.startsWith("*.")) return name.endsWith(entry.slice(1));
    if (entry.includes("*")) {
        const [before, after] = entry.split("*");
        return name.startsWith(before) && name.endsWith(after) && !name.slice(before.length, name.length - after.length).includes(".");
    }
    return name === entry;
}

describe("egress: Defender for Endpoint standard connectivity (commercial)", function () {
    it("lists exactly the EU rows and the worldwide rows of Microsoft's standard list, with ports and operating systems", function () {
        const endpoints = mdeOnly({ connectivity: "standard", dataLocation: "EU", windows: true, linux: true });
        assert.deepEqual(hostPorts(endpoints), [
            "*.delivery.mp.microsoft.com:443 https windows",
            "*.download.microsoft.com:443 https windows",
            "*.download.windowsupdate.com:443 https windows",
            "*.ecs.office.com:443 https windows",
            "*.endpoint.security.microsoft.com:443 https linux+windows",
            "*.events.data.microsoft.com:443 https windows",
            "*.smartscreen-prod.microsoft.com:443 https linux+windows",
            "*.smartscreen.microsoft.com:443 https linux+windows",
            "*.update.microsoft.com:443 https windows",
            "*.wd.microsoft.com:443 https linux+windows",
            "*.wdcp.microsoft.com:443 https linux+windows",
            "*.windowsupdate.com:443 https windows",
            "automatedirstrprdneu.blob.core.windows.net:443 https linux+windows",
            "automatedirstrprdneu3.blob.core.windows.net:443 https linux+windows",
            "automatedirstrprdweu.blob.core.windows.net:443 https linux+windows",
            "automatedirstrprdweu3.blob.core.windows.net:443 https linux+windows",
            "cdn.x.cp.wd.microsoft.com:443 https linux",
            "crl.microsoft.com:80 http linux+windows",
            "ctldl.windowsupdate.com:80 http windows",
            "definitionupdates.microsoft.com:443 https linux+windows",
            "eu-v20.events.data.microsoft.com:443 https linux+windows",
            "eu.vortex-win.data.microsoft.com:443 https windows",
            "europe.x.cp.wd.microsoft.com:443 https linux",
            "events.data.microsoft.com:443 https linux+windows",
            "go.microsoft.com:443 https linux+windows",
            "packages.microsoft.com:443 https linux",
            "usseu1northprod.blob.core.windows.net:443 https linux+windows",
            "usseu1westprod.blob.core.windows.net:443 https linux+windows",
            "winatp-gw-neu.microsoft.com:443 https linux+windows",
            "winatp-gw-neu3.microsoft.com:443 https linux+windows",
            "winatp-gw-weu.microsoft.com:443 https linux+windows",
            "winatp-gw-weu3.microsoft.com:443 https linux+windows",
            "wseu1northprod.blob.core.windows.net:443 https windows",
            "wseu1westprod.blob.core.windows.net:443 https windows",
            "www.microsoft.com:80 http linux+windows",
            "www.microsoft.com:443 https linux+windows",
            "x.cp.wd.microsoft.com:443 https linux",
        ]);
        assert.ok(endpoints.every((e) => e.agents.join() === MDE && e.route === "proxy" && e.tlsInspection === false));
        assert.equal(endpoints.find((e) => e.host === "packages.microsoft.com")?.when, "install");
    });

    it("keeps to one data location: no US, UK or AU host for an EU tenant", function () {
        const hosts = proxyAllowlist(mdeOnly({ connectivity: "standard", dataLocation: "EU", windows: true, linux: true }));
        for (const other of [
            "winatp-gw-cus",
            "winatp-gw-uks",
            "winatp-gw-aue",
            "us-v20",
            "uk-v20",
            "au-v20",
            "ussus1eastprod",
            "unitedstates.x.cp",
        ]) {
            assert.ok(!hosts.some((h) => h.includes(other)), other);
        }
    });

    it("lists every documented data location when the tenant's is unknown, and says so", function () {
        const mde = { connectivity: "standard" as const, windows: true, linux: true };
        const hosts = proxyAllowlist(mdeOnly(mde));
        for (const gateway of ["cus", "eus", "cus3", "eus3", "neu", "weu", "neu3", "weu3", "uks", "ukw", "aue", "aus"]) {
            assert.ok(hosts.includes(`winatp-gw-${gateway}.microsoft.com`), gateway);
        }
        for (const cyber of ["us", "eu", "uk", "au"]) assert.ok(hosts.includes(`${cyber}-v20.events.data.microsoft.com`), cyber);
        // The UAE rows of the 2026 list are not Australia's, whatever their geography column says.
        assert.ok(!hosts.some((h) => h.includes("aen0a") || h.includes("aec0a")));
        const notes = egressNotes(input({ agents: { ...NO_AGENTS, mde: true }, mde }));
        assert.ok(notes.some((n) => n.includes("data location is not known (mdeIntegration.dataLocation)")));
    });

    it("gives Linux-only fleets no Windows-only host and Windows-only fleets no Linux-only host", function () {
        const linux = mdeOnly({ connectivity: "standard", dataLocation: "US", windows: false, linux: true });
        const windows = mdeOnly({ connectivity: "standard", dataLocation: "US", windows: true, linux: false });
        assert.ok(linux.every((e) => e.platforms.join() === "linux"));
        assert.ok(windows.every((e) => e.platforms.join() === "windows"));
        assert.ok(!proxyAllowlist(linux).includes("wsus1eastprod.blob.core.windows.net"));
        assert.ok(!proxyAllowlist(linux).includes("ctldl.windowsupdate.com"));
        assert.ok(!proxyAllowlist(windows).includes("packages.microsoft.com"));
        assert.ok(!proxyAllowlist(windows).includes("unitedstates.x.cp.wd.microsoft.com"));
        assert.ok(proxyAllowlist(linux).includes("unitedstates.x.cp.wd.microsoft.com"));
    });

    it("refuses a data location whose hosts Microsoft's standard list does not give", function () {
        assert.throws(() => mdeOnly({ connectivity: "standard", dataLocation: "CH", windows: true, linux: true }), /Switzerland/);
        assert.throws(
            () => mdeOnly({ connectivity: "standard", dataLocation: "Mars", windows: true, linux: true }),
            /"Mars" is not a Defender/,
        );
    });
});

describe("egress: Defender for Endpoint streamlined connectivity", function () {
    it("commercial: the consolidated domain plus what Microsoft keeps outside it, and no region-specific host", function () {
        const endpoints = mdeOnly({ connectivity: "streamlined", windows: true, linux: true });
        assert.deepEqual(hostPorts(endpoints), [
            "*.delivery.mp.microsoft.com:443 https windows",
            "*.download.microsoft.com:443 https windows",
            "*.download.windowsupdate.com:443 https windows",
            "*.endpoint.security.microsoft.com:443 https linux+windows",
            "*.smartscreen-prod.microsoft.com:443 https linux+windows",
            "*.smartscreen.microsoft.com:443 https linux+windows",
            "*.update.microsoft.com:443 https windows",
            "*.windowsupdate.com:443 https windows",
            "crl.microsoft.com:80 http windows",
            "ctldl.windowsupdate.com:80 http windows",
            "definitionupdates.microsoft.com:443 https linux+windows",
            "go.microsoft.com:443 https linux+windows",
            "packages.microsoft.com:443 https linux",
            "www.microsoft.com:80 http windows",
            "www.microsoft.com:443 https linux+windows",
        ]);
        const domain = endpoints.find((e) => e.host === "*.endpoint.security.microsoft.com")!;
        assert.equal(domain.serviceTag, "MicrosoftDefenderForEndpoint");
        assert.equal(domain.probeHost, "mdav.us.endpoint.security.microsoft.com");
    });

    it("says what streamlined needs: the tenant setting, the minimum versions and the unified agent", function () {
        const notes = egressNotes(
            input({ agents: { ...NO_AGENTS, mde: true }, mde: { connectivity: "streamlined", windows: true, linux: true } }),
        );
        assert.ok(notes.includes(STREAMLINED_PREREQUISITES_NOTE));
        for (const fact of [
            "Apply streamlined connectivity settings to devices managed by Intune and Defender for Cloud",
            "101.24022",
            "4.18.2211.5",
            "1.1.19900.2",
            "1.391.345.0",
            "10.8040",
            "Windows Server 2012 R2 and 2016 only with the modern unified solution",
        ]) {
            assert.ok(STREAMLINED_PREREQUISITES_NOTE.includes(fact), fact);
        }
        assert.ok(!egressNotes(input()).includes(STREAMLINED_PREREQUISITES_NOTE), "standard is the default and needs no tenant setting");
    });

    it("US Government: the .us domain and the environment's SmartScreen host", function () {
        const endpoints = mdeOnly(
            { connectivity: "streamlined", dataLocation: "GCCHigh", windows: true, linux: true },
            "AzureUSGovernment",
        );
        const hosts = proxyAllowlist(endpoints);
        assert.ok(hosts.includes("*.endpoint.security.microsoft.us"));
        assert.ok(hosts.includes("unitedstates1.ss.wd.microsoft.us"));
        assert.ok(!hosts.includes("*.endpoint.security.microsoft.com"));
        assert.ok(!hosts.includes("unitedstates4.ss.wd.microsoft.us"));
        assert.equal(
            endpoints.find((e) => e.host === "*.endpoint.security.microsoft.us")?.probeHost,
            "",
            "Microsoft names no host under the .us domain",
        );
    });
});

describe("egress: Defender for Endpoint standard connectivity (US Government)", function () {
    it("GCC High: its gateway, storage and cyber-data hosts, none of GCC's or DoD's", function () {
        const hosts = proxyAllowlist(
            mdeOnly({ connectivity: "standard", dataLocation: "GCCHigh", windows: true, linux: true }, "AzureUSGovernment"),
        );
        for (const h of [
            "winatp-gw-usgt.microsoft.com",
            "automatedirstrffusgv.blob.core.usgovcloudapi.net",
            "us4-v20.events.data.microsoft.com",
            "unitedstates1.x.cp.wd.microsoft.us",
            "unitedstates1.cp.wd.microsoft.us",
            "ussusg1virginiaff0.blob.core.usgovcloudapi.net",
            "crl.microsoft.com",
        ]) {
            assert.ok(hosts.includes(h), h);
        }
        for (const h of [
            "winatp-gw-usmt.microsoft.com",
            "winatp-gw-usgv.microsoft.com",
            "ussusd1centralff5.blob.core.usgovcloudapi.net",
            "winatp-gw-cus.microsoft.com",
        ]) {
            assert.ok(!hosts.includes(h), h);
        }
    });

    it("lists GCC, GCC High and DoD together when the Government tenant's location is unknown", function () {
        const hosts = proxyAllowlist(mdeOnly({ connectivity: "standard", windows: true, linux: true }, "AzureUSGovernment"));
        for (const h of ["winatp-gw-usmt.microsoft.com", "winatp-gw-usgt.microsoft.com", "winatp-gw-usgv.microsoft.com"])
            assert.ok(hosts.includes(h), h);
        assert.ok(!hosts.includes("winatp-gw-weu.microsoft.com"));
    });
});

describe("egress: Arc and Azure Monitor Agent rows as of 2026", function () {
    const arcAma = { ...NO_AGENTS, arcAgent: true, azureMonitorAgent: true };

    it("AzureCloud: no Storage wildcard for Arc, ARM only at connect time, the Front Door tag for extension packages", function () {
        const endpoints = egressEndpoints(input({ regions: ["westeurope"], agents: arcAma }));
        assert.deepEqual(rows(endpoints), [
            "*.guestconfiguration.azure.com always proxy Arc agent",
            "*.guestnotificationservice.azure.com always proxy Arc agent",
            "*.his.arc.azure.com always proxy Arc agent",
            "*.ingest.monitor.azure.com always proxy Azure Monitor Agent",
            "*.login.microsoft.com always proxy Arc agent",
            `${WS}.ods.opinsights.azure.com always proxy Azure Monitor Agent`,
            "aka.ms install proxy Arc agent",
            "azgn*.servicebus.windows.net always proxy Arc agent",
            "download.microsoft.com install proxy Arc agent",
            "global.handler.control.monitor.azure.com always proxy Azure Monitor Agent",
            "global.prod.microsoftmetrics.com always proxy Azure Monitor Agent",
            "guestnotificationservice.azure.com always proxy Arc agent",
            "login.microsoftonline.com always proxy Arc agent",
            "management.azure.com connect proxy Arc agent",
            "packages.microsoft.com install proxy Arc agent",
            "pas.windows.net always proxy Arc agent",
            "westeurope.handler.control.monitor.azure.com always proxy Azure Monitor Agent",
        ]);
        assert.deepEqual(
            serviceTagDestinations(input({ agents: arcAma })).map((t) => `${t.serviceTag}:${t.port}`),
            ["AzureFrontDoor.Frontend:443"],
        );
        const tag = (host: string): string | undefined => endpoints.find((e) => e.host === host)?.serviceTag;
        assert.equal(tag("login.microsoftonline.com"), "AzureActiveDirectory");
        assert.equal(tag("management.azure.com"), "AzureResourceManager");
        assert.equal(tag("*.his.arc.azure.com"), "AzureArcInfrastructure");
        assert.equal(tag("global.handler.control.monitor.azure.com"), "AzureMonitor");
        assert.equal(tag("*.ingest.monitor.azure.com"), "", "Microsoft: DCE addresses are not in the service tags");
    });

    it("Azure Monitor Agent hosts must not be TLS-inspected; Arc hosts may be", function () {
        const endpoints = egressEndpoints(input({ agents: arcAma }));
        for (const e of endpoints) {
            assert.equal(e.tlsInspection, e.agents.includes(EGRESS_AGENTS.arcAgent), `${e.host}: tlsInspection ${e.tlsInspection}`);
        }
    });

    it("AzureUSGovernment: Arc keeps its Storage host (not with private link), no metrics host, and both are explained", function () {
        const gov = input({ cloud: "AzureUSGovernment", regions: ["usgovvirginia"], agents: arcAma, workspaceIds: [] });
        const hosts = proxyAllowlist(egressEndpoints(gov));
        assert.ok(hosts.includes("*.blob.core.usgovcloudapi.net"));
        assert.ok(!hosts.some((h) => h.includes("microsoftmetrics")));
        assert.ok(hosts.includes("*.ingest.monitor.azure.us"));
        assert.deepEqual(serviceTagDestinations(gov), []);
        assert.ok(egressNotes(gov).some((n) => n.includes("global.prod.microsoftmetrics.com")));
        const pl = egressEndpoints({ ...gov, privateLink: { arc: true, azureMonitor: false } });
        assert.ok(!proxyAllowlist(pl).includes("*.blob.core.usgovcloudapi.net"));
    });

    it("Azure Monitor private link: only private endpoints, none of the public AMA hosts", function () {
        const endpoints = egressEndpoints(
            input({ regions: ["westeurope"], agents: arcAma, privateLink: { arc: true, azureMonitor: true } }),
        );
        assert.deepEqual(privateLinkHosts(endpoints), [
            "*.guestconfiguration.azure.com",
            "*.handler.control.monitor.azure.com",
            "*.his.arc.azure.com",
            "*.ingest.monitor.azure.com",
            `${WS}.ods.opinsights.azure.com`,
        ]);
        assert.ok(
            !proxyAllowlist(endpoints).some((h) => h.includes("monitor") || h.includes("microsoftmetrics") || h.includes("opinsights")),
        );
    });
});

describe("egress: every row is firewall-ready", function () {
    const cases: Array<[string, EgressInput]> = [];
    for (const cloud of ["AzureCloud", "AzureUSGovernment"] as const) {
        for (const connectivity of ["standard", "streamlined"] as const) {
            for (const arc of [false, true]) {
                for (const azureMonitor of [false, true]) {
                    cases.push([
                        `${cloud} ${connectivity} arc=${arc} monitor=${azureMonitor}`,
                        input({ cloud, privateLink: { arc, azureMonitor }, mde: { connectivity, windows: true, linux: true } }),
                    ]);
                }
            }
        }
    }

    it("protocol matches port, exact hosts probe themselves, and a wildcard's probe host is one it covers", function () {
        for (const [label, given] of cases) {
            for (const e of egressEndpoints(given)) {
                assert.equal(e.protocol, e.port === 80 ? "http" : "https", `${label}: ${e.host}:${e.port}`);
                assert.ok(e.platforms.length > 0, `${label}: ${e.host} has no platform`);
                if (!e.host.includes("*")) assert.equal(e.probeHost, e.host, `${label}: ${e.host}`);
                else if (e.probeHost !== "")
                    assert.ok(covers(e.host, e.probeHost) && !e.probeHost.includes("*"), `${label}: ${e.host} -> ${e.probeHost}`);
            }
        }
    });

    it("holds each host:port once, sorted by route, host and port, and never puts a private-link host on the proxy list", function () {
        for (const [label, given] of cases) {
            const endpoints = egressEndpoints(given);
            const keys = endpoints.map((e) => `${e.host}:${e.port}`);
            assert.equal(new Set(keys).size, keys.length, label);
            const order = { proxy: 0, privateLink: 1, platform: 2 };
            const sorted = [...endpoints].sort(
                (a, b) => order[a.route] - order[b.route] || (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port),
            );
            assert.deepEqual(endpoints, sorted, label);
            const proxy = proxyAllowlist(endpoints);
            for (const host of privateLinkHosts(endpoints)) assert.ok(!proxy.includes(host), `${label}: ${host} on both lists`);
        }
    });
});

describe("egress: route-check targets", function () {
    const endpoints = egressEndpoints(
        input({
            regions: ["westeurope"],
            privateLink: { arc: true, azureMonitor: false },
            mde: { connectivity: "streamlined", windows: true, linux: true },
        }),
    );

    it("a Linux machine running MDE: one probe per always-needed proxy entry that has a concrete host", function () {
        assert.deepEqual(routeCheckTargets(endpoints, [MDE], "linux"), {
            hosts: [
                "definitionupdates.microsoft.com:443",
                "go.microsoft.com:443",
                "mdav.us.endpoint.security.microsoft.com:443",
                "www.microsoft.com:443",
            ],
            privateHosts: [],
        });
    });

    it("a Windows machine gets the plain-HTTP revocation hosts on port 80 and its Windows-only probes", function () {
        const { hosts } = routeCheckTargets(endpoints, [MDE], "windows");
        assert.ok(hosts.includes("crl.microsoft.com:80"));
        assert.ok(hosts.includes("fe3cr.delivery.mp.microsoft.com:443"));
        assert.ok(!hosts.includes("packages.microsoft.com:443"), "install-time hosts are not probed");
    });

    it("an Arc machine on private link: the scoped hosts must resolve privately; ARM (connect time) is not probed", function () {
        const targets = routeCheckTargets(endpoints, [EGRESS_AGENTS.arcAgent, EGRESS_AGENTS.azureMonitorAgent]);
        assert.deepEqual(targets.privateHosts, ["agentserviceapi.guestconfiguration.azure.com", "gbl.his.arc.azure.com"]);
        assert.ok(targets.hosts.includes("login.microsoftonline.com:443"));
        assert.ok(targets.hosts.includes("westeurope.handler.control.monitor.azure.com:443"));
        assert.ok(!targets.hosts.some((h) => h.startsWith("management.azure.com")));
        assert.ok(!targets.hosts.some((h) => h.includes("*")), "no wildcard is ever probed");
        assert.deepEqual(routeCheckVariables(targets), {
            ROUTE_CHECK_HOSTS: targets.hosts.join(","),
            ROUTE_CHECK_PRIVATE_HOSTS: "agentserviceapi.guestconfiguration.azure.com,gbl.his.arc.azure.com",
        });
    });

    it("names the entries it cannot probe, and refuses an agent or OS it does not know", function () {
        const notes = egressNotes(input({ mde: { connectivity: "streamlined", windows: true, linux: true } }));
        assert.ok(notes.some((n) => n.startsWith("Route check:") && n.includes("azgn*.servicebus.windows.net")));
        assert.throws(() => routeCheckTargets(endpoints, ["MDE"]), /unknown agent "MDE"/);
        assert.throws(() => routeCheckTargets(endpoints, [MDE], "macos"), /os "macos"/);
        assert.deepEqual(routeCheckTargets(endpoints, []), { hosts: [], privateHosts: [] });
    });
});

describe("egress: Azure Firewall rule collections", function () {
    const given = input({ regions: ["westeurope"], mde: { connectivity: "standard", dataLocation: "UK", windows: true, linux: true } });
    const endpoints = egressEndpoints(given);
    const collections = azureFirewallRuleCollections(endpoints, serviceTagDestinations(given), { sourceAddresses: ["10.1.0.0/24"] });

    it("groups FQDNs by protocol, port and inspection, and service tags as network rules, with distinct priorities", function () {
        assert.deepEqual(
            collections.map((c) => `${c.name} ${c.priority} ${c.rules.map((r) => r.name).join(",")}`),
            [
                // packages.microsoft.com is shared by Arc and MDE, and MDE forbids inspecting it, so Arc has a rule here too.
                "defender-servers-https-no-tls-inspection 100 arc-agent,azure-monitor-agent,defender-for-endpoint,log-analytics-agent",
                "defender-servers-https 110 arc-agent",
                "defender-servers-http 120 defender-for-endpoint",
                "defender-servers-service-tags 130 azurefrontdoor.frontend",
            ],
        );
        for (const c of collections) {
            assert.equal(c.ruleCollectionType, "FirewallPolicyFilterRuleCollection");
            assert.deepEqual(c.action, { type: "Allow" });
            for (const r of c.rules) assert.deepEqual(r.sourceAddresses, ["10.1.0.0/24"]);
        }
    });

    it("sets terminateTLS false exactly where Microsoft forbids inspection, and covers every proxy entry once", function () {
        const app = collections.flatMap((c) => c.rules).filter((r) => r.ruleType === "ApplicationRule");
        for (const r of app) {
            const port = r.protocols![0].port;
            const hosts = endpoints.filter((e) => e.route === "proxy" && e.port === port && r.targetFqdns!.includes(firewallFqdn(e.host)));
            const inspectable = hosts.every((e) => e.tlsInspection);
            if (port === 443) assert.equal(r.terminateTLS, inspectable ? undefined : false, r.name);
        }
        const fqdns = app.flatMap((r) => r.targetFqdns!.map((f) => `${f}:${r.protocols![0].port}`));
        assert.equal(new Set(fqdns).size, fqdns.length, "an FQDN is in two rules");
        const expected = endpoints.filter((e) => e.route === "proxy").map((e) => `${firewallFqdn(e.host)}:${e.port}`);
        assert.deepEqual([...new Set(expected)].sort(), [...fqdns].sort());
        assert.ok(fqdns.includes("*.servicebus.windows.net:443") && !fqdns.some((f) => f.startsWith("azgn")));
        assert.ok(fqdns.includes("crl.microsoft.com:80"));
        assert.ok(!fqdns.some((f) => f.startsWith("168.63.129.16")));
    });

    it("keeps private-link hosts out of the firewall and refuses a wildcard it cannot write", function () {
        const pl = egressEndpoints(input({ privateLink: { arc: true, azureMonitor: true } }));
        const fqdns = azureFirewallRuleCollections(pl, []).flatMap((c) => c.rules.flatMap((r) => r.targetFqdns ?? []));
        for (const host of privateLinkHosts(pl)) assert.ok(!fqdns.includes(host), host);
        assert.throws(() => firewallFqdn("a*b.example.com"), /cannot express/);
    });
});

describe("egress: onboarding verification", function () {
    it("queries the MDE extensions and Defender's EDR assessment of this subscription, and lists the on-machine checks", function () {
        const v = onboardingVerification(SUBSCRIPTION.toUpperCase());
        assert.match(
            v.mdeExtensionsQuery,
            /type in~ \('microsoft\.compute\/virtualmachines\/extensions', 'microsoft\.hybridcompute\/machines\/extensions'\)/,
        );
        assert.match(v.mdeExtensionsQuery, /name in~ \('MDE\.Windows', 'MDE\.Linux'\)/);
        assert.match(v.mdeExtensionsQuery, new RegExp(`subscriptionId =~ '${SUBSCRIPTION}'`));
        assert.match(v.edrAssessmentQuery, /^securityresources\n\| where type == 'microsoft\.security\/assessments'/);
        assert.ok(v.edrAssessmentQuery.includes(`name == '${EDR_ASSESSMENT_KEY}'`));
        assert.equal(EDR_ASSESSMENT_KEY, "06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c");
        assert.ok(v.linuxCommands.some((c) => c.startsWith("mdatp health --field healthy")));
        assert.ok(v.linuxCommands.some((c) => c.startsWith("mdatp health --field org_id")));
        assert.ok(v.windowsCommands.some((c) => c.includes("Get-MpComputerStatus")));
        assert.ok(v.windowsCommands.some((c) => c.includes("OnboardingState")));
        assert.ok(v.arcCommands.some((c) => c.startsWith("azcmagent check")));
        assert.throws(() => onboardingVerification("' or 1==1 //"), /not a subscription GUID/);
    });
});

describe("egress: merge, order and notes", function () {
    const row = (over: Partial<EgressEndpoint>): EgressEndpoint => ({
        host: "x.example",
        port: 443,
        protocol: "https",
        agents: ["A"],
        platforms: ["linux"],
        why: "x",
        when: "install",
        route: "proxy",
        serviceTag: "",
        probeHost: "x.example",
        tlsInspection: true,
        ...over,
    });

    it("merges by host and port: agents and platforms united, always over connect over install, proxy over private link, no inspection wins", function () {
        const merged = mergeEgressEndpoints([
            row({ host: "b.example", when: "install", route: "privateLink", agents: ["Z"] }),
            row({
                host: "b.example",
                when: "connect",
                route: "proxy",
                agents: ["A"],
                platforms: ["windows"],
                why: "y",
                tlsInspection: false,
                serviceTag: "T",
            }),
            row({ host: "b.example", port: 80, protocol: "http" }),
            row({ host: "a.example", when: "always", route: "platform" }),
        ]);
        assert.deepEqual(
            merged.map(
                (e) =>
                    `${e.host}:${e.port} ${e.when} ${e.route} ${e.agents.join("+")} ${e.platforms.join("+")} ${e.why} ${e.tlsInspection} ${e.serviceTag}`,
            ),
            [
                "b.example:80 install proxy A linux x true ",
                "b.example:443 connect proxy A+Z linux+windows x; y false T",
                "a.example:443 always platform A linux x true ",
            ],
        );
    });

    it("is stable: the same input in any order gives the same list", function () {
        const a = egressEndpoints(input({ regions: ["westeurope", "northeurope"], workspaceIds: [WS, WS2] }));
        const b = egressEndpoints(input({ regions: ["northeurope", "westeurope", "northeurope"], workspaceIds: [WS2, WS, WS2] }));
        assert.deepEqual(b, a);
    });

    it("refuses inputs that are not what they claim to be", function () {
        assert.throws(() => egressEndpoints(input({ workspaceIds: ["my-workspace"] })), /"my-workspace" is not a GUID/);
        assert.throws(() => egressEndpoints(input({ regions: ["West Europe"] })), /"west europe" is not an ARM region name/);
        assert.throws(() => egressEndpoints(input({ cloud: "AzureChinaCloud" as never })), /"AzureChinaCloud" is not covered/);
    });

    it("no agent lists nothing; Guest Configuration adds nothing to the proxy", function () {
        assert.deepEqual(egressEndpoints(input({ agents: { ...NO_AGENTS } })), []);
        assert.deepEqual(proxyAllowlist(egressEndpoints(input({ agents: { ...NO_AGENTS, guestConfiguration: true } }))), []);
        assert.deepEqual(egressNotes(input({ agents: NO_AGENTS })), []);
    });
});

describe("egress: Squid snippet text", function () {
    it("renders HTTPS hosts as CONNECT 443 and revocation hosts as GET/HEAD 80, each ACL on its own", function () {
        const e = (host: string, port = 443): EgressEndpoint => ({
            host,
            port,
            protocol: port === 80 ? "http" : "https",
            agents: ["A"],
            platforms: ["linux"],
            why: "x",
            when: "always",
            route: "proxy",
            serviceTag: "",
            probeHost: host,
            tlsInspection: false,
        });
        assert.equal(
            squidAllowlistSnippet(
                [
                    e("*.x.example"),
                    e("a.x.example"),
                    e("azgn*.y.example"),
                    e("www.microsoft.com"),
                    e("www.microsoft.com", 80),
                    e("crl.microsoft.com", 80),
                ],
                "t",
            ),
            [
                "# defender-servers egress allowlist: CONNECT to port 443, and GET/HEAD to port 80, of these hosts only.",
                '# Paste it above your final "http_access deny all"; every other destination stays denied.',
                "acl t_port port 443",
                "acl t dstdomain .x.example",
                "acl t dstdomain www.microsoft.com",
                "# azgn*.y.example: dstdomain has no wildcard inside a label, so this one is a regular expression.",
                "acl t_regex dstdom_regex -i ^azgn[a-z0-9-]*\\.y\\.example$",
                "http_access allow CONNECT t_port t",
                "http_access allow CONNECT t_port t_regex",
                "# Certificate revocation and trust lists travel as plain HTTP: GET and HEAD to port 80, no CONNECT.",
                "acl t_http_port port 80",
                "acl t_http_methods method GET HEAD",
                "acl t_http dstdomain crl.microsoft.com",
                "acl t_http dstdomain www.microsoft.com",
                "http_access allow t_http_methods t_http_port t_http",
                "",
            ].join("\n"),
        );
        assert.throws(() => squidAllowlistSnippet([e("x.example", 8080)]), /port 8080/);
        assert.throws(() => squidAllowlistSnippet([], "bad name"), /ACL name "bad name"/);
        assert.equal(squidAllowlistSnippet([]).split("\n")[1], "# No host needs the proxy.");
    });
});

describe("egress: validation of the new fields", function () {
    const problems = (args: unknown): string[] => {
        try {
            validate(args);
            return [];
        } catch (err) {
            assert.ok(err instanceof ValidationError);
            return err.problems.map((p) => `${p.path}: ${p.message}`);
        }
    };
    const POLICY = `/subscriptions/${SUBSCRIPTION}/resourceGroups/hub/providers/Microsoft.Network/firewallPolicies/egress`;

    it("defaults to standard connectivity with no data location", function () {
        const { args } = validate(MINIMAL);
        assert.equal(args.mdeIntegration.connectivity, "standard");
        assert.equal(args.mdeIntegration.dataLocation, undefined);
        assert.equal(args.azureFirewall, undefined);
    });

    it("normalizes a data location's case and refuses the ones the standard list does not cover", function () {
        assert.equal(validate({ ...MINIMAL, mdeIntegration: { dataLocation: "eu" } }).args.mdeIntegration.dataLocation, "EU");
        const [ch] = problems({ ...MINIMAL, mdeIntegration: { dataLocation: "CH" } });
        assert.match(
            ch,
            /^mdeIntegration\.dataLocation: "CH": Microsoft's standard URL list names no .* Switzerland .*use mdeIntegration\.connectivity "streamlined"/,
        );
        assert.deepEqual(problems({ ...MINIMAL, mdeIntegration: { dataLocation: "CH", connectivity: "streamlined" } }), []);
        assert.match(
            problems({ ...MINIMAL, mdeIntegration: { dataLocation: "Mars" } })[0],
            /"Mars" is not a Defender for Endpoint data location.*"EU".*or with connectivity "streamlined" also "CH", "IN", "UAE"/,
        );
        assert.match(problems({ ...MINIMAL, mdeIntegration: { connectivity: "Streamlined" } })[0], /did you mean "streamlined"/);
        assert.match(
            problems({ ...MINIMAL, mdeIntegration: { enabled: false, confirmSwitchOff: true, connectivity: "streamlined" } })[0],
            /^mdeIntegration\.connectivity: has no effect/,
        );
    });

    it("reads azureFirewall: the policy id's parts, defaults, and every bad field at once", function () {
        const { args } = validate({ ...MINIMAL, azureFirewall: { firewallPolicyId: POLICY } });
        assert.deepEqual(args.azureFirewall, {
            firewallPolicyId: POLICY,
            resourceGroupName: "hub",
            firewallPolicyName: "egress",
            priority: 500,
            ruleCollectionGroupName: "defender-servers-egress",
            sourceAddresses: ["*"],
        });
        const found = problems({
            ...MINIMAL,
            azureFirewall: {
                firewallPolicyId: POLICY.replace(SUBSCRIPTION, "99999999-2222-3333-4444-555555555555"),
                priority: 70000,
                ruleCollectionGroupName: "bad name",
                sourceAddresses: ["10.0.0.0/8", "everywhere"],
            },
        });
        assert.equal(found.length, 4, found.join("\n"));
        assert.match(found[0], /^azureFirewall\.firewallPolicyId: is in subscription 99999999/);
        assert.match(found[1], /^azureFirewall\.priority: expected a whole number from 100 to 65000, got 70000/);
        assert.match(found[2], /^azureFirewall\.ruleCollectionGroupName: "bad name" is not a valid name/);
        assert.match(found[3], /^azureFirewall\.sourceAddresses\[1\]: "everywhere" is not an IPv4 address/);
        assert.match(problems({ ...MINIMAL, azureFirewall: { firewallPolicyId: "egress-policy" } })[0], /is not a firewall policy id/);
        assert.match(
            problems({ ...MINIMAL, airGapped: true, azureFirewall: { firewallPolicyId: POLICY } })[0],
            /^azureFirewall: cannot be combined with airGapped/,
        );
    });
});

describe("egress: what the component registers and outputs", function () {
    this.timeout(30_000);
    const POLICY = `/subscriptions/${SUBSCRIPTION}/resourceGroups/hub/providers/Microsoft.Network/firewallPolicies/egress`;
    const FLEET: DefenderForServersNetworkRestrictedArgs = {
        ...MINIMAL,
        proxy: { address: "http://proxy.corp.example:3128" },
        machines: [{ key: "web1", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "web1", systemAssignedIdentity: true }],
    };

    it("without azureFirewall: standard MDE hosts on the egress output, firewall rules printed, no rule collection group", async function () {
        const run = await construct(FLEET);
        assert.equal(ofType(run, "azure-native:network:FirewallPolicyRuleCollectionGroup").length, 0);
        const outputs = run.resources[0].outputs as Record<string, any>;
        const egress = outputs.egress as EgressEndpoint[];
        assert.ok(egress.some((e) => e.host === "winatp-gw-weu.microsoft.com" && e.tlsInspection === false && e.probeHost === e.host));
        assert.ok(egress.some((e) => e.host === "crl.microsoft.com" && e.port === 80 && e.protocol === "http"));
        assert.ok(Array.isArray(outputs.azureFirewallRules) && outputs.azureFirewallRules.length > 0);
        assert.ok(outputs.onboardingVerification.edrAssessmentQuery.includes(EDR_ASSESSMENT_KEY));
    });

    it("with azureFirewall: one rule collection group in the named policy, and MDE integration waits for it", async function () {
        const run = await construct({
            ...FLEET,
            azureFirewall: { firewallPolicyId: POLICY, priority: 300, sourceAddresses: ["10.1.0.0/24"] },
        });
        const group = named(run, "d-firewall-rules");
        const given = inputs(group);
        assert.equal(group.type, "azure-native:network:FirewallPolicyRuleCollectionGroup");
        assert.equal(given.resourceGroupName, "hub");
        assert.equal(given.firewallPolicyName, "egress");
        assert.equal(given.ruleCollectionGroupName, "defender-servers-egress");
        assert.equal(given.priority, 300);
        const first = given.ruleCollections[0];
        assert.equal(first.name, "defender-servers-https-no-tls-inspection");
        assert.ok(
            first.rules.every(
                (r: any) => r.terminateTLS === false && r.ruleType === "ApplicationRule" && r.sourceAddresses[0] === "10.1.0.0/24",
            ),
        );
        const outputs = run.resources[0].outputs as Record<string, any>;
        assert.deepEqual(
            given.ruleCollections.map((c: any) => c.name),
            outputs.azureFirewallRules.map((c: any) => c.name),
        );
        const waiting = run.resources.filter((r) => waitsFor(run, r).includes("d-firewall-rules")).map((r) => r.name);
        assert.ok(
            waiting.some((n) => /wdatp|mde/i.test(n)),
            `nothing MDE-related waits for the firewall rules: ${waiting.join(", ")}`,
        );
    });
});
