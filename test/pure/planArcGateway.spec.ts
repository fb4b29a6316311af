/**
 * The Azure Arc gateway as plain data (sdk/plan/arcGateway.ts), on its own. Sources:
 * - MicrosoftDocs/azure-management-docs `articles/azure-arc/servers/arc-gateway.md` (ms.date 11/12/2025):
 *   "Confirm access to required URLs" (`<prefix>.gw.arc.azure.com`, `management.azure.com`,
 *   `login.microsoftonline.com`, `<region>.login.microsoft.com`, `gbl.his.arc.azure.com`,
 *   `<region>.his.arc.azure.com`, `packages.microsoft.com` "to connect Linux servers",
 *   `download.microsoft.com` "the Windows installation package"); "Current limitations": "Proxy bypass
 *   isn't supported", public cloud only, skip TLS inspection for the gateway endpoint; the
 *   association through `az arcgateway settings update --gateway-resource-id`; onboarding with `--gateway-id`.
 * - Azure/bicep-types-az `generated/hybridcompute/microsoft.hybridcompute/2025-06-01/types.md`:
 *   `Microsoft.HybridCompute/settings`, name `default`, `properties.gatewayProperties.gatewayResourceId`.
 * - azcmagent connect's flags (`azcmagent-connect.md`): `--subscription-id`, `--resource-group`,
 *   `--location`, `--tenant-id`, `--cloud`, `--gateway-id`; `azcmagent config set proxy.url`.
 */
import { strict as assert } from "node:assert";
import {
    GATEWAY_HOST_WILDCARD,
    GATEWAY_SETTINGS_API_VERSION,
    arcAgentBypassWithGateway,
    arcGatewayEgressNotes,
    arcRegionsOf,
    egressWithGateway,
    gatewayAssociationTemplate,
    gatewayModeEgress,
    gatewayOnboardingCommands,
} from "../../sdk/plan/arcGateway";
import { EgressEndpoint, EgressInput, egressEndpoints } from "../../sdk/plan/egress";
import { NormalizedArgs } from "../../sdk/validate";

const NO_AGENTS = { mde: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false, arcAgent: false };
const INPUT: EgressInput = {
    cloud: "AzureCloud",
    regions: ["westeurope"],
    workspaceIds: [],
    privateLink: { arc: false, azureMonitor: false },
    agents: { ...NO_AGENTS, arcAgent: true },
};
const ARC = "Arc agent";
const BOTH = ["linux", "windows"];

/** Only the fields the gateway functions read; the rest of NormalizedArgs does not matter to them. */
const args = (fields: Partial<NormalizedArgs>): NormalizedArgs =>
    ({ location: "westeurope", machines: [], ...fields }) as unknown as NormalizedArgs;
const GATEWAY = { arcGateway: { existingGatewayId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.HybridCompute/gateways/gw" } };
const machine = (kind: "arc" | "azureVm", location: string) => ({ kind, location }) as NormalizedArgs["machines"][number];

/** One row of Microsoft's gateway list, as the egress list must state it: an exact host is probed as itself. */
const row = (host: string, when: EgressEndpoint["when"], platforms = BOTH): Partial<EgressEndpoint> => ({
    host,
    port: 443,
    protocol: "https",
    agents: [ARC],
    platforms,
    when,
    route: "proxy",
    serviceTag: "",
    probeHost: host,
    tlsInspection: true,
});
/** A wildcard names no host to probe. */
const wildcard = (host: string): Partial<EgressEndpoint> => ({ ...row(host, "always"), probeHost: "" });
const shape = (e: EgressEndpoint): Partial<EgressEndpoint> => {
    const { why: _why, ...rest } = e;
    return rest;
};
const byHost = <T extends { host?: string }>(rows: T[]): T[] => [...rows].sort((a, b) => (a.host! < b.host! ? -1 : 1));

describe("Azure Arc gateway (sdk/plan/arcGateway.ts)", () => {
    it("gateway mode: Microsoft's seven-host list in place of the Arc agent's direct hosts, one control channel per region", () => {
        const list = gatewayModeEgress(INPUT, { arcRegions: ["westeurope", "eastus"] });
        assert.deepEqual(
            byHost(list.map(shape)),
            byHost([
                // "skip TLS inspection for your Azure Arc gateway endpoint"
                { ...wildcard("*.gw.arc.azure.com"), tlsInspection: false },
                row("management.azure.com", "always"),
                row("login.microsoftonline.com", "always"),
                wildcard("*.login.microsoft.com"),
                row("gbl.his.arc.azure.com", "always"),
                row("eastus.his.arc.azure.com", "always"),
                row("westeurope.his.arc.azure.com", "always"),
                row("packages.microsoft.com", "install", ["linux"]),
                row("download.microsoft.com", "install", ["windows"]),
            ]),
        );
        // Every row says why, in words a firewall team reads.
        const why = Object.fromEntries(list.map((e) => [e.host, e.why]));
        assert.match(why["*.gw.arc.azure.com"], /gateway/i);
        assert.match(why["*.gw.arc.azure.com"], /TLS inspection/);
        assert.match(why["management.azure.com"], /Resource Manager/);
        assert.match(why["login.microsoftonline.com"], /Entra ID/);
        assert.match(why["*.login.microsoft.com"], /<region>\.login\.microsoft\.com/);
        assert.match(why["gbl.his.arc.azure.com"], /Arc/);
        assert.match(why["westeurope.his.arc.azure.com"], /control channel/);
        assert.match(why["packages.microsoft.com"], /Linux/);
        assert.match(why["download.microsoft.com"], /Windows/);
        // The hosts the gateway carries leave the list (arc-gateway-endpoints.md).
        for (const carried of [
            "*.guestconfiguration.azure.com",
            "guestnotificationservice.azure.com",
            "azgn*.servicebus.windows.net",
            "aka.ms",
            "*.his.arc.azure.com",
        ]) {
            assert.ok(!list.some((e) => e.host === carried), carried);
        }
    });

    it("keeps every other agent's hosts: Defender for Endpoint and the Azure Monitor Agent do not use the Arc agent's gateway", () => {
        const input: EgressInput = { ...INPUT, agents: { ...NO_AGENTS, arcAgent: true, mde: true, azureMonitorAgent: true } };
        const withGateway = new Set(gatewayModeEgress(input, { arcRegions: ["westeurope"] }).map((e) => `${e.host}:${e.port}`));
        const others = egressEndpoints({ ...input, agents: { ...input.agents, arcAgent: false } });
        assert.ok(others.length > 0);
        for (const e of others) assert.ok(withGateway.has(`${e.host}:${e.port}`), `${e.host}:${e.port} left the list`);
    });

    it("region names are trimmed, lower-cased, deduplicated; an exact gateway host replaces the wildcard and is probed", () => {
        const list = gatewayModeEgress(INPUT, { arcRegions: [" WestEurope ", "westeurope"], gatewayHost: "abc-123.gw.arc.azure.com" });
        const hosts = list.map((e) => e.host);
        assert.deepEqual(
            hosts.filter((h) => h.endsWith(".his.arc.azure.com")),
            ["gbl.his.arc.azure.com", "westeurope.his.arc.azure.com"].sort(),
        );
        const gateway = list.find((e) => e.host === "abc-123.gw.arc.azure.com")!;
        assert.equal(gateway.probeHost, "abc-123.gw.arc.azure.com");
        assert.equal(gateway.tlsInspection, false);
        assert.ok(!hosts.includes(GATEWAY_HOST_WILDCARD));
        assert.equal(GATEWAY_HOST_WILDCARD, "*.gw.arc.azure.com");
    });

    it("refuses another cloud (public cloud only) and a host that is not <prefix>.gw.arc.azure.com", () => {
        assert.throws(
            () => gatewayModeEgress({ ...INPUT, cloud: "AzureUSGovernment" }, { arcRegions: [] }),
            /AzureCloud only, not AzureUSGovernment/,
        );
        for (const bad of [
            "gw.arc.azure.com",
            "x.gw.arc.azure.com.evil.com",
            "evil.com/x.gw.arc.azure.com",
            "a.b.gw.arc.azure.com",
            "X_Y.gw.arc.azure.com",
            ".gw.arc.azure.com",
        ]) {
            assert.throws(
                () => gatewayModeEgress(INPUT, { arcRegions: [], gatewayHost: bad }),
                (e: Error) => e.message.includes(`"${bad}" is not an Arc gateway host (<prefix>.gw.arc.azure.com)`),
                bad,
            );
        }
    });

    it("the Arc regions: the Arc machines' locations, deduplicated and sorted, or the component's location when there is none", () => {
        const machines = [
            machine("arc", "westeurope"),
            machine("azureVm", "northeurope"),
            machine("arc", "eastus"),
            machine("arc", "westeurope"),
        ];
        assert.deepEqual(arcRegionsOf(args({ machines })), ["eastus", "westeurope"]);
        assert.deepEqual(arcRegionsOf(args({ location: "uksouth", machines: [machine("azureVm", "northeurope")] })), ["uksouth"]);
    });

    it("gateway mode only when arcGateway is set; the Arc bypass list is emptied then, and the notes explain what the list cannot", () => {
        const without = args({});
        const withGw = args({ ...GATEWAY, machines: [machine("arc", "eastus")] });
        assert.deepEqual(egressWithGateway(without, INPUT), egressEndpoints(INPUT));
        assert.deepEqual(egressWithGateway(withGw, INPUT), gatewayModeEgress(INPUT, { arcRegions: ["eastus"] }));
        assert.deepEqual(arcAgentBypassWithGateway(without, ["Arc", "AMA"]), ["Arc", "AMA"]);
        assert.deepEqual(arcAgentBypassWithGateway(withGw, ["Arc", "AMA"]), []);
        assert.deepEqual(arcGatewayEgressNotes(without), []);
        const notes = arcGatewayEgressNotes(withGw);
        assert.equal(notes.length, 3);
        // What a user must read: narrow the wildcard once the gateway exists, no TLS inspection to it;
        // what else the agents still need; where to download the agent without aka.ms.
        assert.match(notes[0], /\*\.gw\.arc\.azure\.com.*arcGatewayEndpoint.*TLS/);
        assert.match(notes[1], /Defender for Endpoint.*Azure Monitor Agent/);
        assert.match(notes[2], /aka\.ms.*gbl\.his\.arc\.azure\.com.*packages\.microsoft\.com/);
    });

    it("the association template: Microsoft.HybridCompute/settings 'default' on the machine, with the gateway's resource id", () => {
        assert.equal(GATEWAY_SETTINGS_API_VERSION, "2025-06-01");
        assert.deepEqual(gatewayAssociationTemplate(), {
            $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            contentVersion: "1.0.0.0",
            parameters: { machineName: { type: "string" }, gatewayResourceId: { type: "string" } },
            resources: [
                {
                    type: "Microsoft.HybridCompute/settings",
                    apiVersion: "2025-06-01",
                    name: "default",
                    scope: "[format('Microsoft.HybridCompute/machines/{0}', parameters('machineName'))]",
                    properties: { gatewayProperties: { gatewayResourceId: "[parameters('gatewayResourceId')]" } },
                },
            ],
        });
    });

    it("onboarding commands: the proxy first, never a proxy.bypass, then connect --gateway-id; every Windows call checks its exit code", () => {
        const input = {
            subscriptionId: "11111111-2222-3333-4444-555555555555",
            resourceGroupName: "arc-rg",
            location: "westeurope",
            gatewayId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.HybridCompute/gateways/gw",
            tenantId: "66666666-7777-8888-9999-000000000000",
            proxyUrl: "http://proxy.contoso.com:3128",
        };
        const connect = (tenant: string) =>
            `connect --subscription-id "${input.subscriptionId}" --resource-group "arc-rg" --location "westeurope" --tenant-id "${tenant}" --cloud "AzureCloud" --gateway-id "${input.gatewayId}"`;
        const check = "if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }";
        const windowsHead = [
            "$ErrorActionPreference = 'Stop'",
            '$azcmagent = "$env:ProgramW6432\\AzureConnectedMachineAgent\\azcmagent.exe"',
        ];
        assert.deepEqual(gatewayOnboardingCommands(input), {
            linux: [
                "set -euo pipefail",
                'azcmagent config set proxy.url "http://proxy.contoso.com:3128"',
                `azcmagent ${connect(input.tenantId)}`,
            ].join("\n"),
            windows: [
                ...windowsHead,
                '& $azcmagent config set proxy.url "http://proxy.contoso.com:3128"',
                check,
                `& $azcmagent ${connect(input.tenantId)}`,
                check,
            ].join("\n"),
        });
        // No proxy, no tenant: no proxy line, and the tenant comes from TENANT_ID (bash refuses to run without it).
        const { tenantId: _t, proxyUrl: _p, ...bare } = input;
        assert.deepEqual(gatewayOnboardingCommands(bare), {
            linux: ["set -euo pipefail", `azcmagent ${connect("${TENANT_ID:?set TENANT_ID to your Entra tenant id}")}`].join("\n"),
            windows: [...windowsHead, `& $azcmagent ${connect("$env:TENANT_ID")}`, check].join("\n"),
        });
    });
});
