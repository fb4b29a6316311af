// sdk/plan/egress/endpoints.ts: the rows each agent adds, per cloud and Private Link choice, written out
// by hand from Microsoft's network-requirement pages (never from the code's tables):
// - Azure Monitor Agent: azure-monitor-docs `articles/azure-monitor/agents/azure-monitor-agent-network-configuration.md`
//   ("Azure Firewall endpoints": global.handler.control.monitor.azure.com, <region>.handler.control.monitor.azure.com,
//   <workspace-id>.ods.opinsights.azure.com, <dce>.<region>.ingest.monitor.azure.com; "For all endpoints, HTTPS inspection
//   must be disabled"; the suffix .com becomes .us in Azure Government; "Both AzureMonitor and AzureResourceManager
//   tags are required"; "DCE public IP addresses aren't in the network service tags"; with private links the agent uses
//   only the private DCEs). The 2026 revision adds global.prod.microsoftmetrics.com (/work/shared/azure-facts.md section 0).
// - Log Analytics agent: azure-docs `azure-monitor/agents/log-analytics-agent.md` firewall requirements
//   (*.ods.opinsights.azure.com, *.oms.opinsights.azure.com, *.blob.core.windows.net, *.azure-automation.net) and
//   `azure-monitor/logs/private-link-security.md` (solution packs from scadvisorcontent.blob.core.windows.net, and in
//   Government usbn1oicore.blob.core.usgovcloudapi.net); defender-docs standard list marks these MMA rows with no
//   HTTPS inspection.
// - Arc agent: azure-management-docs `articles/azure-arc/servers/includes/network-requirements.md` (04/01/2026): the
//   URL table per cloud (When required: installation, always, only when you connect or disconnect; Private link
//   capable: *.his.arc and *.guestconfiguration only), the service tags (AzureActiveDirectory, AzureResourceManager,
//   AzureArcInfrastructure, Storage, AzureFrontDoor.Frontend "required as of April 2026"), and "Don't disable security
//   monitoring or inspection of these URLs". Probe hosts: gbl.his.arc.azure.com (`private-link-security.md`),
//   agentserviceapi.guestconfiguration.azure.com (azure-docs machine-configuration `03-network-requirements.md`);
//   https://aka.ms/azcmagent (`onboard-portal.md`).
// - Guest Configuration with EnablePrivateNetworkGC: the Azure virtual public IP 168.63.129.16 (same GC page).
import { strict as assert } from "node:assert";
import {
    DEFAULT_MDE_EGRESS,
    EGRESS_AGENTS,
    EgressEndpoint,
    EgressInput,
    egressEndpoints,
    mergeEgressEndpoints,
    privateLinkHosts,
    proxyAllowlist,
    serviceTagDestinations,
} from "../../sdk/plan/egress";

const WS = "0f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e";
const NONE = { mde: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false, arcAgent: false };
const { azureMonitorAgent: AMA, legacyAgent: MMA, arcAgent: ARC, guestConfiguration: GC, mde: MDE } = EGRESS_AGENTS;

function input(agents: Partial<EgressInput["agents"]>, over: Partial<EgressInput> = {}): EgressInput {
    return {
        cloud: "AzureCloud",
        regions: ["westeurope", "northeurope"],
        agents: { ...NONE, ...agents },
        workspaceIds: [WS],
        privateLink: { arc: false, azureMonitor: false },
        ...over,
    };
}

/**
 * One row in one line: `host:port protocol when route tag=<tag> probe=<probe> inspect=<yes|no> <platforms> <agents>`.
 * The `why` is checked apart (WHY below), by the words a reader needs.
 */
function line(e: EgressEndpoint): string {
    return `${e.host}:${e.port} ${e.protocol} ${e.when} ${e.route} tag=${e.serviceTag} probe=${e.probeHost} inspect=${e.tlsInspection ? "yes" : "no"} ${e.platforms.join("+")} ${e.agents.join("+")}`;
}
const lines = (i: EgressInput): string[] => egressEndpoints(i).map(line);

const BOTH = "linux+windows";

describe("egress endpoints: Azure Monitor Agent", function () {
    it("public endpoints in the Azure cloud: control, per-region rules, metrics, workspace and DCE ingestion, none inspected", function () {
        assert.deepEqual(lines(input({ azureMonitorAgent: true })), [
            `*.ingest.monitor.azure.com:443 https always proxy tag= probe= inspect=no ${BOTH} ${AMA}`,
            `${WS}.ods.opinsights.azure.com:443 https always proxy tag=AzureMonitor probe=${WS}.ods.opinsights.azure.com inspect=no ${BOTH} ${AMA}`,
            `global.handler.control.monitor.azure.com:443 https always proxy tag=AzureMonitor probe=global.handler.control.monitor.azure.com inspect=no ${BOTH} ${AMA}`,
            `global.prod.microsoftmetrics.com:443 https always proxy tag= probe=global.prod.microsoftmetrics.com inspect=no ${BOTH} ${AMA}`,
            `northeurope.handler.control.monitor.azure.com:443 https always proxy tag=AzureMonitor probe=northeurope.handler.control.monitor.azure.com inspect=no ${BOTH} ${AMA}`,
            `westeurope.handler.control.monitor.azure.com:443 https always proxy tag=AzureMonitor probe=westeurope.handler.control.monitor.azure.com inspect=no ${BOTH} ${AMA}`,
        ]);
    });

    it("US Government: the .us suffixes, and no metrics host", function () {
        assert.deepEqual(
            egressEndpoints(
                input({ azureMonitorAgent: true }, { cloud: "AzureUSGovernment", regions: ["usgovvirginia"], workspaceIds: [] }),
            ).map((e) => e.host),
            [
                "*.ingest.monitor.azure.us",
                "*.ods.opinsights.azure.us",
                "global.handler.control.monitor.azure.us",
                "usgovvirginia.handler.control.monitor.azure.us",
            ],
        );
    });

    it("Azure Monitor private link: only the private data collection endpoints and the workspace, through the scope", function () {
        assert.deepEqual(lines(input({ azureMonitorAgent: true }, { privateLink: { arc: false, azureMonitor: true } })), [
            `*.handler.control.monitor.azure.com:443 https always privateLink tag= probe= inspect=no ${BOTH} ${AMA}`,
            `*.ingest.monitor.azure.com:443 https always privateLink tag= probe= inspect=no ${BOTH} ${AMA}`,
            `${WS}.ods.opinsights.azure.com:443 https always privateLink tag= probe=${WS}.ods.opinsights.azure.com inspect=no ${BOTH} ${AMA}`,
        ]);
    });
});

describe("egress endpoints: Log Analytics agent", function () {
    it("public: the workspace's ods, oms and agentsvc hosts and the Storage wildcard, none inspected", function () {
        assert.deepEqual(lines(input({ legacyAgent: true })), [
            `*.blob.core.windows.net:443 https always proxy tag= probe= inspect=no ${BOTH} ${MMA}`,
            `${WS}.agentsvc.azure-automation.net:443 https always proxy tag= probe=${WS}.agentsvc.azure-automation.net inspect=no ${BOTH} ${MMA}`,
            `${WS}.ods.opinsights.azure.com:443 https always proxy tag= probe=${WS}.ods.opinsights.azure.com inspect=no ${BOTH} ${MMA}`,
            `${WS}.oms.opinsights.azure.com:443 https always proxy tag= probe=${WS}.oms.opinsights.azure.com inspect=no ${BOTH} ${MMA}`,
        ]);
    });

    it("through Azure Monitor private link: the same hosts and the solution-pack account, all private", function () {
        assert.deepEqual(
            egressEndpoints(input({ legacyAgent: true }, { privateLink: { arc: false, azureMonitor: true } })).map(
                (e) => `${e.host} ${e.when} ${e.route}`,
            ),
            [
                `${WS}.agentsvc.azure-automation.net always privateLink`,
                `${WS}.ods.opinsights.azure.com always privateLink`,
                `${WS}.oms.opinsights.azure.com always privateLink`,
                "scadvisorcontent.blob.core.windows.net always privateLink",
            ],
        );
    });

    it("US Government, without a known workspace: wildcards under the .us suffixes; private link: its solution-pack account", function () {
        const gov = { cloud: "AzureUSGovernment" as const, workspaceIds: [] };
        assert.deepEqual(proxyAllowlist(egressEndpoints(input({ legacyAgent: true }, gov))), [
            "*.agentsvc.azure-automation.us",
            "*.blob.core.usgovcloudapi.net",
            "*.ods.opinsights.azure.us",
            "*.oms.opinsights.azure.us",
        ]);
        assert.deepEqual(
            privateLinkHosts(egressEndpoints(input({ legacyAgent: true }, { ...gov, privateLink: { arc: false, azureMonitor: true } }))),
            [
                "*.agentsvc.azure-automation.us",
                "*.ods.opinsights.azure.us",
                "*.oms.opinsights.azure.us",
                "usbn1oicore.blob.core.usgovcloudapi.net",
            ],
        );
    });
});

describe("egress endpoints: Guest Configuration and Arc", function () {
    it("Guest Configuration: the platform address only, never the proxy", function () {
        assert.deepEqual(
            egressEndpoints(input({ guestConfiguration: true })).map(
                (e) => `${e.host} ${e.when} ${e.route} ${e.agents.join("+")} ${e.platforms.join("+")}`,
            ),
            [`168.63.129.16 always platform ${GC} ${BOTH}`],
        );
        assert.deepEqual(proxyAllowlist(egressEndpoints(input({ guestConfiguration: true }))), []);
    });

    const arcCloud = (over: Partial<EgressInput> = {}) => lines(input({ arcAgent: true }, over));
    const ARC_COMMON = [
        `*.login.microsoft.com:443 https always proxy tag=AzureActiveDirectory probe= inspect=yes ${BOTH} ${ARC}`,
        `aka.ms:443 https install proxy tag= probe=aka.ms inspect=yes ${BOTH} ${ARC}`,
        `azgn*.servicebus.windows.net:443 https always proxy tag= probe= inspect=yes ${BOTH} ${ARC}`,
        `download.microsoft.com:443 https install proxy tag= probe=download.microsoft.com inspect=yes windows ${ARC}`,
    ];
    const ARC_TAIL = [
        `login.microsoftonline.com:443 https always proxy tag=AzureActiveDirectory probe=login.microsoftonline.com inspect=yes ${BOTH} ${ARC}`,
        `management.azure.com:443 https connect proxy tag=AzureResourceManager probe=management.azure.com inspect=yes ${BOTH} ${ARC}`,
        `packages.microsoft.com:443 https install proxy tag= probe=packages.microsoft.com inspect=yes linux ${ARC}`,
        `pas.windows.net:443 https always proxy tag=AzureActiveDirectory probe=pas.windows.net inspect=yes ${BOTH} ${ARC}`,
    ];
    const NOTIFICATION = [
        `*.guestnotificationservice.azure.com:443 https always proxy tag=AzureArcInfrastructure probe= inspect=yes ${BOTH} ${ARC}`,
        `guestnotificationservice.azure.com:443 https always proxy tag=AzureArcInfrastructure probe=guestnotificationservice.azure.com inspect=yes ${BOTH} ${ARC}`,
    ];

    it("Arc in the Azure cloud: the 2026 table, Entra ID and ARM by tag, no Storage wildcard, all inspectable", function () {
        const guestConfig = `*.guestconfiguration.azure.com:443 https always proxy tag=AzureArcInfrastructure probe=agentserviceapi.guestconfiguration.azure.com inspect=yes ${BOTH} ${ARC}`;
        const hisArc = `*.his.arc.azure.com:443 https always proxy tag=AzureArcInfrastructure probe=gbl.his.arc.azure.com inspect=yes ${BOTH} ${ARC}`;
        assert.deepEqual(arcCloud(), [guestConfig, NOTIFICATION[0], hisArc, ...ARC_COMMON, NOTIFICATION[1], ...ARC_TAIL]);
    });

    it("Arc Private Link Scope, every machine associated: the two scoped wildcards go private, without a service tag", function () {
        const rows = arcCloud({ privateLink: { arc: true, azureMonitor: false } });
        assert.deepEqual(rows.slice(-2), [
            `*.guestconfiguration.azure.com:443 https always privateLink tag= probe=agentserviceapi.guestconfiguration.azure.com inspect=yes ${BOTH} ${ARC}`,
            `*.his.arc.azure.com:443 https always privateLink tag= probe=gbl.his.arc.azure.com inspect=yes ${BOTH} ${ARC}`,
        ]);
        // Entra ID and Resource Manager are never behind the scope.
        assert.deepEqual(rows.slice(0, -2), [NOTIFICATION[0], ...ARC_COMMON, NOTIFICATION[1], ...ARC_TAIL]);
    });

    it("Arc Private Link Scope with machines outside it: the scoped wildcards stay on the proxy, and say why", function () {
        const rows = egressEndpoints(
            input({ arcAgent: true }, { privateLink: { arc: true, azureMonitor: false, arcMachinesOutsideScope: true } }),
        );
        const scoped = rows.filter((e) => e.host === "*.his.arc.azure.com" || e.host === "*.guestconfiguration.azure.com");
        assert.deepEqual(
            scoped.map((e) => `${e.host} ${e.route} ${e.serviceTag}`),
            ["*.guestconfiguration.azure.com proxy AzureArcInfrastructure", "*.his.arc.azure.com proxy AzureArcInfrastructure"],
        );
        for (const e of scoped) assert.match(e.why, /\(Arc machines not associated with the Arc Private Link Scope, through the proxy\)$/);
        // Without the scope the same flag changes nothing.
        const noScope = egressEndpoints(
            input({ arcAgent: true }, { privateLink: { arc: false, azureMonitor: false, arcMachinesOutsideScope: true } }),
        );
        for (const e of noScope) assert.doesNotMatch(e.why, /not associated/, e.host);
    });

    it("Arc in US Government: its own Entra ID, ARM and Arc suffixes, the Storage wildcard, no notification host", function () {
        const gov = (privateLink: EgressInput["privateLink"]) =>
            egressEndpoints(input({ arcAgent: true }, { cloud: "AzureUSGovernment", privateLink })).map(
                (e) => `${e.host} ${e.when} ${e.route} tag=${e.serviceTag} probe=${e.probeHost}`,
            );
        const open = gov({ arc: false, azureMonitor: false });
        assert.deepEqual(open, [
            "*.blob.core.usgovcloudapi.net always proxy tag=Storage probe=",
            "*.guestconfiguration.azure.us always proxy tag=AzureArcInfrastructure probe=",
            "*.his.arc.azure.us always proxy tag=AzureArcInfrastructure probe=",
            "aka.ms install proxy tag= probe=aka.ms",
            "download.microsoft.com install proxy tag= probe=download.microsoft.com",
            "login.microsoftonline.us always proxy tag=AzureActiveDirectory probe=login.microsoftonline.us",
            "management.usgovcloudapi.net connect proxy tag=AzureResourceManager probe=management.usgovcloudapi.net",
            "packages.microsoft.com install proxy tag= probe=packages.microsoft.com",
            "pasff.usgovcloudapi.net always proxy tag=AzureActiveDirectory probe=pasff.usgovcloudapi.net",
        ]);
        // "Always, except when you use private endpoints": gone with the scope...
        assert.ok(!gov({ arc: true, azureMonitor: false }).some((r) => r.startsWith("*.blob.core.usgovcloudapi.net")));
        // ...but kept for the machines outside it.
        assert.equal(
            gov({ arc: true, azureMonitor: false, arcMachinesOutsideScope: true })[0],
            "*.blob.core.usgovcloudapi.net always proxy tag=Storage probe=",
        );
    });

    it("says in each row why it is there, in the words of Microsoft's tables", function () {
        const why = new Map(
            egressEndpoints(
                input({ arcAgent: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true }, { workspaceIds: [] }),
            ).map((e) => [e.host, e.why]),
        );
        const expected: [string, RegExp][] = [
            ["aka.ms", /download script/],
            ["download.microsoft.com", /^Windows agent package/],
            ["packages.microsoft.com", /^Linux agent package/],
            ["login.microsoftonline.com", /^Microsoft Entra ID$/],
            ["management.azure.com", /^Resource Manager.*only when connecting or disconnecting/],
            ["*.his.arc.azure.com", /^Hybrid identity and metadata service$/],
            ["*.guestconfiguration.azure.com", /^Extension management and guest configuration$/],
            ["guestnotificationservice.azure.com", /^Notification service for extensions and connectivity$/],
            ["168.63.129.16", /EnablePrivateNetworkGC.*never the proxy/],
            ["global.handler.control.monitor.azure.com", /control service/],
            ["westeurope.handler.control.monitor.azure.com", /^Data collection rules for machines in this region$/],
            ["global.prod.microsoftmetrics.com", /metrics service/],
            // Shared by AMA and the Log Analytics agent, with the same reason: said once.
            ["*.ods.opinsights.azure.com", /^Log ingestion into the workspace$/],
            ["*.ingest.monitor.azure.com", /data collection endpoint/],
            ["*.oms.opinsights.azure.com", /^Workspace configuration and management$/],
            ["*.agentsvc.azure-automation.net", /^Agent service/],
            ["*.blob.core.windows.net", /^Solution \(management\) packs/],
        ];
        for (const [host, pattern] of expected) assert.match(why.get(host) ?? "(missing)", pattern, host);
        const pl = new Map(
            egressEndpoints(input({ azureMonitorAgent: true, legacyAgent: true }, { privateLink: { arc: false, azureMonitor: true } })).map(
                (e) => [e.host, e.why],
            ),
        );
        assert.match(
            pl.get("*.handler.control.monitor.azure.com") ?? "",
            /^Data collection rules, from the private data collection endpoint$/,
        );
        assert.match(pl.get("*.ingest.monitor.azure.com") ?? "", /^Log ingestion through the private data collection endpoint$/);
        assert.match(
            pl.get("scadvisorcontent.blob.core.windows.net") ?? "",
            /^Solution \(management\) packs, through the Azure Monitor private link scope$/,
        );
        const amaOnly = egressEndpoints(input({ azureMonitorAgent: true }, { privateLink: { arc: false, azureMonitor: true } }));
        assert.equal(amaOnly.find((e) => e.host === `${WS}.ods.opinsights.azure.com`)?.why, "Log ingestion into the workspace");
        const govArc = egressEndpoints(input({ arcAgent: true }, { cloud: "AzureUSGovernment" }));
        // The Government table: "Download source for Azure Arc-enabled servers extensions".
        assert.match(govArc.find((e) => e.host === "*.blob.core.usgovcloudapi.net")?.why ?? "", /^Extension packages/);
    });

    it("serviceTagDestinations: the Front Door tag for Arc in the Azure cloud only", function () {
        assert.deepEqual(
            serviceTagDestinations(input({ arcAgent: true })).map((t) => [t.serviceTag, t.port, t.agents.join("+")]),
            [["AzureFrontDoor.Frontend", 443, ARC]],
        );
        assert.match(serviceTagDestinations(input({ arcAgent: true }))[0].why, /April 2026/);
        assert.deepEqual(serviceTagDestinations(input({ arcAgent: true }, { cloud: "AzureUSGovernment" })), []);
        assert.deepEqual(serviceTagDestinations(input({ mde: true, azureMonitorAgent: true })), []);
    });
});

describe("egress endpoints: Defender for Endpoint options", function () {
    const mde = (options: EgressInput["mde"], cloud: EgressInput["cloud"] = "AzureCloud") =>
        egressEndpoints(input({ mde: true }, { cloud, mde: options }));

    it("unset options are standard connectivity, every location, both systems", function () {
        assert.deepEqual(DEFAULT_MDE_EGRESS, { connectivity: "standard", windows: true, linux: true });
        assert.deepEqual(mde(undefined), mde({ connectivity: "standard", windows: true, linux: true }));
    });

    it("a system MDE does not run on gets no row and appears on no row; neither system means no MDE row", function () {
        const linuxOnly = mde({ connectivity: "standard", dataLocation: "EU", windows: false, linux: true });
        assert.ok(linuxOnly.length > 0);
        for (const e of linuxOnly) assert.deepEqual(e.platforms, ["linux"], e.host);
        // ctldl.windowsupdate.com is Windows-only in the standard list; x.cp.wd.microsoft.com is Mac/Linux only.
        assert.ok(!linuxOnly.some((e) => e.host === "ctldl.windowsupdate.com"));
        assert.ok(linuxOnly.some((e) => e.host === "x.cp.wd.microsoft.com"));
        const windowsOnly = mde({ connectivity: "standard", dataLocation: "EU", windows: true, linux: false });
        assert.ok(!windowsOnly.some((e) => e.host === "x.cp.wd.microsoft.com"));
        assert.ok(windowsOnly.some((e) => e.host === "ctldl.windowsupdate.com"));
        assert.deepEqual(mde({ connectivity: "standard", windows: false, linux: false }), []);
    });

    it("every MDE row is on the proxy and not to be inspected; port 80 rows are plain HTTP", function () {
        const rows = mde({ connectivity: "standard", dataLocation: "US", windows: true, linux: true });
        for (const e of rows) {
            assert.equal(e.route, "proxy", e.host);
            assert.equal(e.tlsInspection, false, e.host);
            assert.deepEqual(e.agents, [MDE], e.host);
            assert.equal(e.protocol, e.port === 80 ? "http" : "https", e.host);
        }
        // The standard list's CRL rows are port 80; packages.microsoft.com is needed to install mdatp.
        assert.equal(rows.find((e) => e.host === "crl.microsoft.com")?.port, 80);
        assert.equal(rows.find((e) => e.host === "packages.microsoft.com")?.when, "install");
        assert.equal(rows.find((e) => e.host === "winatp-gw-cus.microsoft.com")?.when, "always");
    });

    it("the data location picks the environment: a Government location in the Azure cloud, a commercial one in Government", function () {
        const gcc = mde({ connectivity: "standard", dataLocation: "GCC", windows: true, linux: true }).map((e) => e.host);
        assert.ok(gcc.includes("winatp-gw-usmt.microsoft.com"));
        assert.ok(!gcc.includes("winatp-gw-cus.microsoft.com"));
        const eu = mde({ connectivity: "standard", dataLocation: "EU", windows: true, linux: true }, "AzureUSGovernment").map(
            (e) => e.host,
        );
        assert.ok(eu.includes("winatp-gw-weu.microsoft.com"));
        assert.ok(!eu.includes("winatp-gw-usmt.microsoft.com"));
    });

    // One command-and-control gateway per location, from the standard lists: commercial US winatp-gw-cus, EU
    // winatp-gw-neu, UK winatp-gw-uks, AU winatp-gw-aue; Government GCC winatp-gw-usmt, GCC High winatp-gw-usgt,
    // DoD winatp-gw-usgv (defender-docs `standard-device-connectivity-urls-commercial.md`, `...-gov.md`).
    const COMMERCIAL_GATEWAYS = [
        "winatp-gw-aue.microsoft.com",
        "winatp-gw-cus.microsoft.com",
        "winatp-gw-neu.microsoft.com",
        "winatp-gw-uks.microsoft.com",
    ];
    const GOVERNMENT_GATEWAYS = ["winatp-gw-usgt.microsoft.com", "winatp-gw-usgv.microsoft.com", "winatp-gw-usmt.microsoft.com"];
    const gateways = (rows: EgressEndpoint[]) =>
        [...COMMERCIAL_GATEWAYS, ...GOVERNMENT_GATEWAYS].filter((g) => rows.some((e) => e.host === g)).sort();

    it("an unknown data location lists every location of the cloud's environment", function () {
        const all = { connectivity: "standard" as const, windows: true, linux: true };
        assert.deepEqual(gateways(mde(all)), COMMERCIAL_GATEWAYS);
        assert.deepEqual(gateways(mde(all, "AzureUSGovernment")), GOVERNMENT_GATEWAYS);
    });

    it("streamlined: the consolidated domain instead of the per-location hosts; in Government, every environment's SmartScreen host", function () {
        const commercial = mde({ connectivity: "streamlined", windows: true, linux: true });
        assert.ok(commercial.some((e) => e.host === "*.endpoint.security.microsoft.com"));
        assert.deepEqual(gateways(commercial), []);
        const government = mde({ connectivity: "streamlined", windows: true, linux: true }, "AzureUSGovernment");
        const governmentHosts = government.map((e) => e.host);
        assert.ok(governmentHosts.includes("*.endpoint.security.microsoft.us"));
        for (const smartScreen of [
            "unitedstates1.ss.wd.microsoft.us",
            "unitedstates2.ss.wd.microsoft.us",
            "unitedstates4.ss.wd.microsoft.us",
        ]) {
            assert.ok(governmentHosts.includes(smartScreen), smartScreen);
        }
        assert.deepEqual(gateways(government), []);
        // The commercial streamlined list is the same for every location, so a location without standard hosts is no error there.
        assert.deepEqual(mde({ connectivity: "streamlined", dataLocation: "CH", windows: true, linux: true }), commercial);
    });

    it("refuses a data location the lists do not cover, naming it", function () {
        assert.throws(
            () => mde({ connectivity: "standard", dataLocation: "Mars", windows: true, linux: true }),
            (err: Error) => err.message === 'egress: "Mars" is not a Defender for Endpoint data location the URL lists cover',
        );
        assert.throws(
            () => mde({ connectivity: "standard", dataLocation: "IN", windows: true, linux: true }),
            /^Error: egress: .*India data location/,
        );
    });
});

describe("egress endpoints: input checks and normalisation", function () {
    it("regions and workspace ids are trimmed, lower-cased and listed once", function () {
        const hosts = egressEndpoints(
            input({ azureMonitorAgent: true }, { regions: [" WestEurope ", "westeurope"], workspaceIds: [` ${WS.toUpperCase()} `, WS] }),
        ).map((e) => e.host);
        assert.deepEqual(hosts, [
            "*.ingest.monitor.azure.com",
            `${WS}.ods.opinsights.azure.com`,
            "global.handler.control.monitor.azure.com",
            "global.prod.microsoftmetrics.com",
            "westeurope.handler.control.monitor.azure.com",
        ]);
    });

    const refuses = (over: Partial<EgressInput>, message: string) =>
        assert.throws(
            () => egressEndpoints(input({ azureMonitorAgent: true }, over)),
            (err: Error) => err.message === message,
        );

    it("refuses a cloud it does not cover, a region that is not an ARM name, and a workspace id that is not a GUID", function () {
        refuses(
            { cloud: "AzureChinaCloud" as never },
            'egress: cloud "AzureChinaCloud" is not covered; use "AzureCloud" or "AzureUSGovernment"',
        );
        for (const region of ["west europe", "west-europe", "1westeurope", "westeurope!"]) {
            refuses({ regions: [region] }, `egress: "${region}" is not an ARM region name such as "westeurope"`);
        }
        for (const workspace of ["law-prod", `x${WS}`, `${WS}0`]) {
            refuses({ workspaceIds: [workspace] }, `egress: workspace id "${workspace}" is not a GUID (the workspace's customerId)`);
        }
    });
});

describe("egress endpoints: merging rows by host and port", function () {
    const base: EgressEndpoint = {
        host: "h.example",
        port: 443,
        protocol: "https",
        agents: ["B"],
        platforms: ["windows"],
        why: "first",
        when: "install",
        route: "privateLink",
        serviceTag: "",
        probeHost: "",
        tlsInspection: true,
    };
    const merge = (...rows: Partial<EgressEndpoint>[]) => mergeEgressEndpoints(rows.map((r) => ({ ...base, ...r })));

    it("unites agents and platforms (sorted), joins distinct reasons, keeps the first tag and probe host given", function () {
        assert.deepEqual(
            merge(
                {},
                { agents: ["A", "B"], platforms: ["linux"], why: "second", serviceTag: "TagOne", probeHost: "p1.h.example" },
                { why: "first", serviceTag: "TagTwo", probeHost: "p2.h.example" },
            ),
            [
                {
                    ...base,
                    agents: ["A", "B"],
                    platforms: ["linux", "windows"],
                    why: "first; second",
                    serviceTag: "TagOne",
                    probeHost: "p1.h.example",
                },
            ],
        );
    });

    it("the longest need wins: always over connect over install, in any order", function () {
        for (const order of [
            ["install", "connect", "always"],
            ["always", "connect", "install"],
            ["connect", "install"],
        ] as EgressEndpoint["when"][][]) {
            const expected = order.includes("always") ? "always" : "connect";
            assert.equal(merge(...order.map((when) => ({ when })))[0].when, expected, order.join(","));
        }
    });

    it("the public route wins: proxy over Private Link over platform, in any order", function () {
        for (const order of [
            ["platform", "privateLink", "proxy"],
            ["proxy", "privateLink"],
            ["privateLink", "platform"],
        ] as EgressEndpoint["route"][][]) {
            const expected = order.includes("proxy") ? "proxy" : "privateLink";
            assert.equal(merge(...order.map((route) => ({ route })))[0].route, expected, order.join(","));
        }
    });

    it("inspection only when every agent allows it", function () {
        assert.equal(merge({ tlsInspection: true }, { tlsInspection: false })[0].tlsInspection, false);
        assert.equal(merge({ tlsInspection: false }, { tlsInspection: true })[0].tlsInspection, false);
        assert.equal(merge({ tlsInspection: true }, { tlsInspection: true })[0].tlsInspection, true);
    });

    it("keeps ports apart, sorts by route, host and port, and leaves its input untouched", function () {
        const rows: EgressEndpoint[] = [
            { ...base, host: "b.example", port: 443, route: "proxy" },
            { ...base, host: "b.example", port: 80, protocol: "http", route: "proxy" },
            { ...base, host: "a.example", route: "platform" },
            { ...base, host: "c.example", route: "privateLink" },
            { ...base, host: "a.example", route: "proxy", agents: ["C"], platforms: ["linux"] },
        ];
        const copy = JSON.parse(JSON.stringify(rows));
        const merged = mergeEgressEndpoints(rows);
        assert.deepEqual(
            merged.map((e) => `${e.route} ${e.host}:${e.port} ${e.agents.join("+")} ${e.platforms.join("+")}`),
            [
                "proxy a.example:443 B+C linux+windows",
                "proxy b.example:80 B windows",
                "proxy b.example:443 B windows",
                "privateLink c.example:443 B windows",
            ],
        );
        assert.deepEqual(rows, copy);
    });

    it("sorts whatever order the rows come in: agents, platforms, hosts, and ports of one host", function () {
        for (const ports of [
            [80, 443],
            [443, 80],
        ]) {
            const merged = mergeEgressEndpoints([
                { ...base, host: "z.example", route: "proxy", agents: ["C", "B", "A"], platforms: ["windows", "linux"] },
                ...ports.map((port) => ({ ...base, host: "m.example", port, route: "proxy" as const })),
                { ...base, host: "a.example", route: "proxy" },
            ]);
            assert.deepEqual(
                merged.map((e) => `${e.host}:${e.port}`),
                ["a.example:443", "m.example:80", "m.example:443", "z.example:443"],
                ports.join(","),
            );
            assert.deepEqual(merged[3].agents, ["A", "B", "C"]);
            assert.deepEqual(merged[3].platforms, ["linux", "windows"]);
        }
        // Host before port: a.example:443 comes before b.example:80.
        const twoHosts = mergeEgressEndpoints([
            { ...base, host: "a.example", port: 443, route: "proxy" },
            { ...base, host: "b.example", port: 80, route: "proxy" },
        ]);
        assert.deepEqual(
            twoHosts.map((e) => `${e.host}:${e.port}`),
            ["a.example:443", "b.example:80"],
        );
        const hosts = ["z.example", "b.example", "a.example"].map((host) => ({ ...base, host, route: "proxy" as const }));
        assert.deepEqual(proxyAllowlist(hosts), ["a.example", "b.example", "z.example"]);
    });

    it("the host lists: the proxy's allowlist and the Private Link bypass list, each sorted and once", function () {
        const rows: EgressEndpoint[] = [
            { ...base, host: "z.example", route: "proxy" },
            { ...base, host: "a.example", port: 80, route: "proxy" },
            { ...base, host: "a.example", route: "proxy" },
            { ...base, host: "p.example", route: "privateLink" },
            { ...base, host: "o.example", route: "privateLink" },
            { ...base, host: "168.63.129.16", route: "platform" },
        ];
        assert.deepEqual(proxyAllowlist(rows), ["a.example", "z.example"]);
        assert.deepEqual(privateLinkHosts(rows), ["o.example", "p.example"]);
    });
});
