// sdk/plan/egress/notes.ts: what the egress list cannot carry, told to the user as notes. Each note is
// recognised by the facts it must state (the field to set, the date, the host), taken from:
// - defender-docs `defender-endpoint/migrate-devices-streamlined.md` (the "Apply streamlined connectivity
//   settings to devices managed by Intune and Defender for Cloud" advanced feature), and
//   `streamlined-device-connectivity-urls-gov.md` (titled "(Preview)", /work/shared/azure-facts.md section 0);
// - defender-docs `defender-endpoint/standard-device-connectivity-urls-commercial.md`: the optional rows
//   (*.wns.windows.com and login.live.com for live response, login.windows.net and *.security.microsoft.com for
//   the network scanner, enterpriseregistration.windows.net and *.dm.microsoft.com for security management);
// - azure-monitor-docs `azure-monitor-agent-network-configuration.md` ("For all endpoints, HTTPS inspection must
//   be disabled"; the metrics host global.prod.microsoftmetrics.com, azure-facts section 0);
// - azure-docs `azure-monitor/logs/private-link-security.md` (solution packs through the scope only for scopes
//   created on or after 19 April 2021);
// - azure-management-docs `articles/azure-arc/servers/includes/network-requirements.md` (04/01/2026: no
//   notification-service host in the Government table; *.blob.core.windows.net removed on 13 February 2026;
//   AzureFrontDoor.Frontend required as of April 2026) and `onboard-portal.md` (https://aka.ms/azcmagent).
import { strict as assert } from "node:assert";
import { EgressInput, egressNotes } from "../../sdk/plan/egress";

const WS = "0f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e";
const NONE = { mde: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false, arcAgent: false };

function input(agents: Partial<EgressInput["agents"]>, over: Partial<EgressInput> = {}): EgressInput {
    return {
        cloud: "AzureCloud",
        regions: ["westeurope"],
        agents: { ...NONE, ...agents },
        workspaceIds: [WS],
        privateLink: { arc: false, azureMonitor: false },
        ...over,
    };
}

/** Each kind of note, by what it must say. */
const KINDS: Record<string, RegExp> = {
    streamlined:
        /^Defender for Endpoint streamlined connectivity: .*"Apply streamlined connectivity settings to devices managed by Intune and Defender for Cloud".*Defender for Endpoint on Linux 101\.24022/,
    governmentPreview: /^Defender for Endpoint streamlined connectivity in US Government: .*"\(Preview\)"/,
    everyLocation:
        /^Defender for Endpoint standard connectivity: .*data location is not known \(mdeIntegration\.dataLocation\), so the hosts of every documented data location/,
    euLocation: /^Defender for Endpoint standard connectivity: hosts for the EU data location and the worldwide \(WW\) rows/,
    mdeOptionalRows:
        /^Defender for Endpoint: its connections use certificate pinning; .*TLS inspection.*\*\.wns\.windows\.com, login\.live\.com.*\*\.security\.microsoft\.com, login\.windows\.net.*enterpriseregistration\.windows\.net, \*\.dm\.microsoft\.com/,
    amaInspection: /^Azure Monitor Agent: Microsoft requires HTTPS inspection to be off for all its endpoints\. .*<dce>/,
    amaGovernmentMetrics: /^Azure Monitor Agent in Azure Government: .*global\.prod\.microsoftmetrics\.com/,
    solutionPacks: /^Log Analytics agent: the solution-pack storage account .*19 April 2021/,
    arcGovernmentNotification:
        /^Arc agent in Azure Government: Microsoft lists no notification-service \(guestnotificationservice, servicebus\) host/,
    arcScriptHost: /^Arc agent: aka\.ms is no longer in Microsoft's 2026 Arc network table; .*https:\/\/aka\.ms\/azcmagent/,
    arcMixedScope: /^Arc Private Link Scope with Arc machines not associated with it .*through the proxy/,
    arcFrontDoor: /^Arc agent: since 13 February 2026 Microsoft no longer lists \*\.blob\.core\.windows\.net; .*AzureFrontDoor\.Frontend/,
    routeCheck: /^Route check: Microsoft names no concrete host under /,
};

function kinds(notes: string[]): string[] {
    return notes.map((note) => Object.keys(KINDS).find((kind) => KINDS[kind].test(note)) ?? `unrecognised: ${note}`);
}

describe("egress notes: which notes a fleet gets", function () {
    const cases: [string, EgressInput, string[]][] = [
        ["no agent", input({}), []],
        ["Guest Configuration only (platform address, never the proxy)", input({ guestConfiguration: true }), []],
        ["MDE, options unset: standard, every location", input({ mde: true }), ["everyLocation", "mdeOptionalRows", "routeCheck"]],
        [
            "MDE standard, EU",
            input({ mde: true }, { mde: { connectivity: "standard", dataLocation: "EU", windows: true, linux: true } }),
            ["euLocation", "mdeOptionalRows", "routeCheck"],
        ],
        [
            "MDE streamlined, AzureCloud",
            input({ mde: true }, { mde: { connectivity: "streamlined", windows: true, linux: true } }),
            ["streamlined", "mdeOptionalRows", "routeCheck"],
        ],
        [
            "MDE streamlined, US Government",
            input({ mde: true }, { cloud: "AzureUSGovernment", mde: { connectivity: "streamlined", windows: true, linux: true } }),
            ["streamlined", "governmentPreview", "mdeOptionalRows", "routeCheck"],
        ],
        ["AMA, public endpoints", input({ azureMonitorAgent: true }), ["amaInspection", "routeCheck"]],
        [
            "AMA, US Government",
            input({ azureMonitorAgent: true }, { cloud: "AzureUSGovernment" }),
            ["amaInspection", "amaGovernmentMetrics", "routeCheck"],
        ],
        // Through Azure Monitor private link every AMA host is private: nothing for the proxy, nothing to note.
        ["AMA, Azure Monitor private link", input({ azureMonitorAgent: true }, { privateLink: { arc: false, azureMonitor: true } }), []],
        [
            "AMA, Azure Monitor private link, US Government",
            input({ azureMonitorAgent: true }, { cloud: "AzureUSGovernment", privateLink: { arc: false, azureMonitor: true } }),
            [],
        ],
        ["Log Analytics agent, public (the Storage wildcard has no probe)", input({ legacyAgent: true }), ["routeCheck"]],
        [
            "Log Analytics agent, Azure Monitor private link",
            input({ legacyAgent: true }, { privateLink: { arc: false, azureMonitor: true } }),
            ["solutionPacks"],
        ],
        ["Arc, AzureCloud", input({ arcAgent: true }), ["arcScriptHost", "arcFrontDoor", "routeCheck"]],
        [
            "Arc, US Government",
            input({ arcAgent: true }, { cloud: "AzureUSGovernment" }),
            ["arcGovernmentNotification", "arcScriptHost", "routeCheck"],
        ],
        [
            "Arc, every machine in the Arc scope",
            input({ arcAgent: true }, { privateLink: { arc: true, azureMonitor: false } }),
            ["arcScriptHost", "arcFrontDoor", "routeCheck"],
        ],
        [
            "Arc, some machines outside the Arc scope",
            input({ arcAgent: true }, { privateLink: { arc: true, azureMonitor: false, arcMachinesOutsideScope: true } }),
            ["arcScriptHost", "arcMixedScope", "arcFrontDoor", "routeCheck"],
        ],
        [
            "Arc, outside-scope flag without an Arc scope",
            input({ arcAgent: true }, { privateLink: { arc: false, azureMonitor: false, arcMachinesOutsideScope: true } }),
            ["arcScriptHost", "arcFrontDoor", "routeCheck"],
        ],
        [
            "Arc scope and outside-scope flag but no Arc agent",
            input({}, { privateLink: { arc: true, azureMonitor: false, arcMachinesOutsideScope: true } }),
            [],
        ],
    ];
    for (const [name, given, expected] of cases) {
        it(name, function () {
            assert.deepEqual(kinds(egressNotes(given)), expected);
        });
    }
});

describe("egress notes: the route-check note names what it cannot probe", function () {
    it("Arc in the Azure cloud: the three wildcards under which Microsoft names no host", function () {
        // *.his.arc.azure.com and *.guestconfiguration.azure.com have documented hosts (gbl.his.arc.azure.com in
        // private-link-security.md, agentserviceapi.guestconfiguration.azure.com in the Guest Configuration network page).
        const notes = egressNotes(input({ arcAgent: true }));
        assert.equal(
            notes[notes.length - 1],
            "Route check: Microsoft names no concrete host under *.guestnotificationservice.azure.com, *.login.microsoft.com, azgn*.servicebus.windows.net, so the check before Defender for Endpoint is switched on cannot probe them.",
        );
    });

    it("AMA with a known workspace: only the data collection endpoint wildcard, as one host", function () {
        const notes = egressNotes(input({ azureMonitorAgent: true }));
        assert.equal(
            notes[notes.length - 1],
            "Route check: Microsoft names no concrete host under *.ingest.monitor.azure.com, so the check before Defender for Endpoint is switched on cannot probe it.",
        );
        // Without a workspace id its ingestion host is a wildcard too.
        assert.match(
            egressNotes(input({ azureMonitorAgent: true }, { workspaceIds: [] })).at(-1) ?? "",
            /under \*\.ingest\.monitor\.azure\.com, \*\.ods\.opinsights\.azure\.com, so .* cannot probe them\.$/,
        );
    });
});
