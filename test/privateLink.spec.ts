import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { RunResult } from "../sdk/preview/engine";
import { construct, inputs, MINIMAL, MODES, named, ofType, waitsFor } from "./harness";
import { PASSWORD, WORKSPACE } from "./fleet";

const SUBNET =
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints";
const VNET = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub";
const ARC_ZONES = [
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
];
const MONITOR_ZONES = [
    "privatelink.monitor.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.blob.core.windows.net",
];
const GOV_MONITOR_ZONES = [
    "privatelink.monitor.azure.us",
    "privatelink.adx.monitor.azure.us",
    "privatelink.oms.opinsights.azure.us",
    "privatelink.ods.opinsights.azure.us",
    "privatelink.agentsvc.azure-automation.us",
    "privatelink.blob.core.usgovcloudapi.net",
];

/** A proxy and Private Link together: a Linux VM, a Linux and a Windows Arc machine, both scopes. */
function privateFleet(overrides: Partial<DefenderForServersNetworkRestrictedArgs> = {}): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        proxy: { address: "http://proxy.corp.example:3128", username: "svc", password: PASSWORD, unauthenticatedForAgentHosts: true },
        machines: [
            { key: "lnx-vm", kind: "azureVm", os: "linux", resourceGroupName: "rg-app", name: "lnx-vm", systemAssignedIdentity: true },
            { key: "lnx-arc", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "lnx-arc", arcPrivateLinkScope: "associated" },
            { key: "win-arc", kind: "arc", os: "windows", resourceGroupName: "rg-arc", name: "win-arc", arcPrivateLinkScope: "associated" },
        ],
        logs: { workspaceResourceId: WORKSPACE },
        guestConfiguration: { tagExistingVms: true },
        privateLink: {
            resourceGroupName: "rg-pl",
            subnetId: SUBNET,
            virtualNetworkIds: [VNET],
            arc: { tenantId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" },
            azureMonitor: {},
        },
        ...overrides,
    };
}

/** The zone names a zone group points at, read back through the zones' ids (update mode) or logical names. */
function zoneGroupTargets(run: RunResult, groupName: string): string[] {
    const configs = inputs(named(run, groupName)).privateDnsZoneConfigs as Array<{ name: string; privateDnsZoneId: string }>;
    return configs.map((config) => {
        const zone = ofType(run, "azure-native:privatedns:PrivateZone").find((z) => config.privateDnsZoneId.endsWith(`/${z.name}`));
        assert.ok(zone !== undefined, `zone group ${groupName} points at ${config.privateDnsZoneId}, which is no created zone`);
        assert.equal(config.name, inputs(zone).privateZoneName.replace(/\./g, "-"));
        return inputs(zone).privateZoneName as string;
    });
}

describe("Private Link, AzureCloud, zones created (update mode: ids known)", () => {
    it("Arc scope: public access off, endpoint hybridcompute in the subnet, three zones linked to the virtual network", async () => {
        const run = await construct(privateFleet());
        const scope = named(run, "d-arc-scope");
        assert.deepEqual(inputs(scope), {
            resourceGroupName: "rg-pl",
            location: "westeurope",
            properties: { publicNetworkAccess: "Disabled" },
        });
        const endpoint = inputs(named(run, "d-arc-endpoint"));
        assert.equal(endpoint.subnet.id, SUBNET);
        assert.equal(endpoint.location, "westeurope");
        const [connection] = endpoint.privateLinkServiceConnections;
        assert.deepEqual([connection.name, connection.groupIds], ["hybridcompute", ["hybridcompute"]]);
        assert.match(connection.privateLinkServiceId, /\/d-arc-scope$/);
        assert.deepEqual(zoneGroupTargets(run, "d-arc-endpoint-dns"), ARC_ZONES);
        assert.equal(inputs(named(run, "d-arc-endpoint-dns")).privateDnsZoneGroupName, "default");
        const link = inputs(named(run, "d-dns-privatelink-his-arc-azure-com-link-0"));
        assert.deepEqual([link.virtualNetwork, link.registrationEnabled, link.location], [{ id: VNET }, false, "global"]);
    });

    it("Azure Monitor scope: access modes, workspace and DCE scoped, endpoint azuremonitor, five zones", async () => {
        const run = await construct(privateFleet());
        assert.deepEqual(inputs(named(run, "d-monitor-scope")), {
            resourceGroupName: "rg-pl",
            location: "global",
            accessModeSettings: { ingestionAccessMode: "PrivateOnly", queryAccessMode: "Open" },
        });
        assert.equal(inputs(named(run, "d-monitor-scope-workspace")).linkedResourceId, WORKSPACE);
        assert.match(inputs(named(run, "d-monitor-scope-dce")).linkedResourceId, /\/d-dce$/);
        assert.deepEqual(inputs(named(run, "d-dce")).networkAcls, { publicNetworkAccess: "Disabled" });
        assert.equal(inputs(named(run, "d-dce")).resourceGroupName, "rg-mon");
        assert.deepEqual(inputs(named(run, "d-monitor-endpoint")).privateLinkServiceConnections[0].groupIds, ["azuremonitor"]);
        assert.deepEqual(zoneGroupTargets(run, "d-monitor-endpoint-dns"), MONITOR_ZONES);
        assert.equal(ofType(run, "azure-native:privatedns:PrivateZone").length, 8);
    });

    it("AMA: tied to the endpoint by configurationAccessEndpoint, the rule uses the DCE, and no proxy for log agents", async () => {
        const run = await construct(privateFleet());
        for (const key of ["lnx-vm", "lnx-arc", "win-arc"]) {
            const association = inputs(named(run, `d-ama-dce-${key}`));
            assert.equal(association.associationName, "configurationAccessEndpoint");
            assert.match(association.dataCollectionEndpointId, /\/d-dce$/);
        }
        assert.match(inputs(named(run, "d-dcr")).dataCollectionEndpointId, /\/d-dce$/);
        assert.deepEqual(inputs(named(run, "d-ama-lnx-vm")).settings, { proxy: { mode: "none" } });
        assert.equal(inputs(named(run, "d-ama-lnx-vm")).protectedSettings, undefined);
    });

    it("bypass lists agree with the scopes: OS lists carry the Private Link hosts, azcmagent bypasses Arc and AMA", async () => {
        const run = await construct(privateFleet());
        const linux = inputs(named(run, "d-os-proxy-lnx-vm"))
            .parameters.find((p: any) => p.name === "PROXY_BYPASS")
            .value.split(",");
        for (const host of [".his.arc.azure.com", ".guestconfiguration.azure.com", ".handler.control.monitor.azure.com"]) {
            assert.ok(linux.includes(host), `${host} missing from ${linux.join(",")}`);
        }
        const windows = inputs(named(run, "d-os-proxy-win-arc"))
            .parameters.find((p: any) => p.name === "BypassList")
            .value.split(",");
        assert.ok(windows.includes("*.his.arc.azure.com"));
        const arc = inputs(named(run, "d-arc-agent-proxy-lnx-arc")).parameters;
        assert.deepEqual(arc[1], { name: "ARC_PROXY_BYPASS", value: "Arc,AMA" });
        const allowlist = run.resources[0].outputs!.proxyAllowlist as string[];
        assert.ok(!allowlist.includes("*.his.arc.azure.com"), "a Private Link host must not be on the proxy allowlist");
        assert.ok(allowlist.includes("*.endpoint.security.microsoft.com"));
    });

    it("onboarding commands: the right flags and values, the proxy and bypass first, no secret", async () => {
        const run = await construct(privateFleet());
        const commands = run.resources[0].outputs!.arcOnboardingCommands as { linux: string; windows: string };
        for (const [text, prefix] of [
            [commands.linux, "azcmagent "],
            [commands.windows, "& $azcmagent "],
        ] as const) {
            assert.ok(!text.includes(PASSWORD));
            const lines = text.split("\n").filter((l) => l.startsWith(prefix));
            assert.deepEqual(
                lines.slice(0, 2).map((l) => l.slice(prefix.length)),
                ['config set proxy.url "http://proxy.corp.example:3128"', 'config set proxy.bypass "Arc,AMA"'],
            );
            const connect = lines[2].slice(prefix.length);
            assert.ok(connect.startsWith("connect "));
            const flags = Object.fromEntries([...connect.matchAll(/--([a-z-]+) "([^"]*)"/g)].map((m) => [m[1], m[2]]));
            assert.deepEqual(Object.keys(flags).sort(), [
                "cloud",
                "location",
                "private-link-scope",
                "resource-group",
                "subscription-id",
                "tenant-id",
            ]);
            assert.equal(flags.cloud, "AzureCloud");
            assert.equal(flags["subscription-id"], "11111111-2222-3333-4444-555555555555");
            assert.equal(flags["tenant-id"], "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
            assert.equal(flags["resource-group"], "rg-pl");
            assert.equal(flags.location, "westeurope");
            assert.match(flags["private-link-scope"], /\/d-arc-scope$/);
        }
    });
});

for (const mode of MODES) {
    describe(`Private Link with existing central zones, ${mode.label}`, () => {
        it("creates no zone and no link, and each zone group points at the given ids", async () => {
            const existing = Object.fromEntries(
                [...ARC_ZONES, ...MONITOR_ZONES].map((zone) => [
                    zone,
                    `/subscriptions/hub/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/${zone}`,
                ]),
            );
            const args = privateFleet();
            args.privateLink = { ...args.privateLink!, virtualNetworkIds: undefined, existingDnsZoneIds: existing };
            const run = await construct(args, mode.preview);
            assert.equal(ofType(run, "azure-native:privatedns:PrivateZone").length, 0);
            assert.equal(ofType(run, "azure-native:privatedns:VirtualNetworkLink").length, 0);
            const arcConfigs = inputs(named(run, "d-arc-endpoint-dns")).privateDnsZoneConfigs;
            assert.deepEqual(
                arcConfigs.map((c: any) => c.privateDnsZoneId),
                ARC_ZONES.map((zone) => existing[zone]),
            );
            const monitorConfigs = inputs(named(run, "d-monitor-endpoint-dns")).privateDnsZoneConfigs;
            assert.deepEqual(
                monitorConfigs.map((c: any) => [c.name, c.privateDnsZoneId]),
                MONITOR_ZONES.map((zone) => [zone.replace(/\./g, "-"), existing[zone]]),
            );
            assert.deepEqual(waitsFor(run, named(run, "d-arc-endpoint-dns")), ["d-arc-endpoint"]);
        });
    });

    describe(`Private Link in AzureUSGovernment, ${mode.label}`, () => {
        it("Azure Monitor gets the six Government zones; the Arc scope is made without an endpoint", async () => {
            // Streamlined: the US Government domain is .us; the standard Government list (the default) names the
            // commercial *.endpoint.security.microsoft.com for future services, which test/egress.spec.ts covers.
            const args = privateFleet({
                cloud: "AzureUSGovernment",
                location: "usgovvirginia",
                mdeIntegration: { connectivity: "streamlined" },
            });
            args.privateLink = { ...args.privateLink!, arc: { privateEndpoint: false } };
            const run = await construct(args, mode.preview);
            const zones = ofType(run, "azure-native:privatedns:PrivateZone").map((z) => inputs(z).privateZoneName);
            assert.deepEqual(zones, GOV_MONITOR_ZONES);
            assert.ok(!run.resources.some((r) => r.name === "d-arc-endpoint"));
            assert.equal(inputs(named(run, "d-arc-scope")).location, "usgovvirginia");
            const allowlist = run.resources[0].outputs!.proxyAllowlist as string[];
            assert.ok(allowlist.includes("*.endpoint.security.microsoft.us"));
            assert.ok(
                allowlist.every((host) => !host.endsWith(".azure.com") && !host.endsWith("security.microsoft.com")),
                allowlist.join(" "),
            );
            if (!mode.preview) {
                const commands = run.resources[0].outputs!.arcOnboardingCommands as { linux: string };
                assert.match(commands.linux, /--cloud "AzureUSGovernment"/);
            }
        });
    });
}
