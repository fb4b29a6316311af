/**
 * `privateLink` validation (sdk/validate/privateLink.ts) on plain data: the two scopes, their
 * endpoints and DNS zones, and how they fit the machines and the logs. Expectations come from:
 * - docs/arguments.md "privateLink": arc.publicNetworkAccess defaults to false, every
 *   privateEndpoint to true, azureMonitor.ingestionAccessMode to PrivateOnly and queryAccessMode to Open.
 * - The private DNS zones per cloud, azure-docs articles/private-link/private-endpoint-dns.md as
 *   /work/shared/azure-facts.md records it: Arc (`hybridcompute`) in AzureCloud
 *   privatelink.his.arc.azure.com, privatelink.guestconfiguration.azure.com,
 *   privatelink.dp.kubernetesconfiguration.azure.com; Azure Monitor (`azuremonitor`)
 *   privatelink.monitor.azure.com, privatelink.oms.opinsights.azure.com,
 *   privatelink.ods.opinsights.azure.com, privatelink.agentsvc.azure-automation.net,
 *   privatelink.blob.core.windows.net; AzureUSGovernment names no Arc zone.
 * - An Arc-enabled server and its Arc Private Link Scope must be in the same region; AMA reads its
 *   configuration from a data collection endpoint in its own region (/work/shared/design.md).
 */
import { strict as assert } from "node:assert";
import { NormalizedLogs } from "../../sdk/validate/logs";
import { NormalizedMachine } from "../../sdk/validate/machines";
import {
    NormalizedArcScope,
    NormalizedMonitorScope,
    NormalizedPrivateLink,
    PrivateLinkContext,
    readPrivateLink,
    zonesNeeded,
} from "../../sdk/validate/privateLink";
import { Case, itReads } from "./validateRead";

// The zone columns of private-endpoint-dns.md (see above), one cloud and group a line.
const ARC_ZONES =
    "privatelink.his.arc.azure.com privatelink.guestconfiguration.azure.com privatelink.dp.kubernetesconfiguration.azure.com".split(" ");
const MONITOR_ZONES = [
    "privatelink.monitor.azure.com privatelink.oms.opinsights.azure.com privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net privatelink.blob.core.windows.net",
].flatMap((line) => line.split(" "));
const GOV_MONITOR_ZONES = [
    "privatelink.monitor.azure.us privatelink.adx.monitor.azure.us privatelink.oms.opinsights.azure.us",
    "privatelink.ods.opinsights.azure.us privatelink.agentsvc.azure-automation.us privatelink.blob.core.usgovcloudapi.net",
].flatMap((line) => line.split(" "));

const SUBNET = "/subscriptions/s1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints";
const VNET = "/subscriptions/s1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const WS = "/subscriptions/s1/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-1";
const LOGS: NormalizedLogs = {
    workspaceResourceId: WS,
    dataCollectionRuleLocation: "westeurope",
    streams: ["authSyslog"],
    azureMonitorAgent: true,
};
const BASE = { resourceGroupName: "rg-pl", subnetId: SUBNET, virtualNetworkIds: [VNET] };

/** A machine as readMachines leaves it, in `location`. */
function machine(kind: "azureVm" | "arc", location: string, excluded: NormalizedMachine["excluded"] = []): NormalizedMachine {
    return {
        key: "m-1",
        kind,
        os: "linux",
        resourceGroupName: "rg",
        name: "m-1",
        location,
        arcPrivateLinkScope: "none",
        excluded,
        path: "machines[0]",
    };
}

type Link = NormalizedPrivateLink | undefined;
interface Input {
    link: unknown;
    context?: Partial<PrivateLinkContext>;
}
const arcOf = (v: Link) => v?.arc;
const monitorOf = (v: Link) => v?.azureMonitor;
/** docs/arguments.md's defaults of `arc: {}` in `westeurope`. */
const ARC_READ: NormalizedArcScope = {
    location: "westeurope",
    publicNetworkAccess: false,
    privateEndpoint: true,
    tenantId: undefined,
    machinesResourceGroupName: undefined,
};
const MONITOR_READ: NormalizedMonitorScope = { ingestionAccessMode: "PrivateOnly", queryAccessMode: "Open", privateEndpoint: true };

const READING: Case<Input, Link>[] = [
    { why: "no privateLink", input: { link: undefined }, value: (v) => assert.equal(v, undefined) },
    { why: "not an object", input: { link: "rg-pl" }, errors: [["privateLink", /^expected an object, got "rg-pl"$/]] },
    {
        why: "an unknown field",
        input: { link: { ...BASE, arc: {}, Subnetid: SUBNET } },
        errors: [["privateLink.Subnetid", /did you mean "subnetId"\?/]],
    },
    {
        why: "both scopes: the defaults",
        input: { link: { ...BASE, arc: {}, azureMonitor: {} } },
        value: (v) => assert.deepStrictEqual(v, { ...BASE, existingDnsZoneIds: {}, arc: ARC_READ, azureMonitor: MONITOR_READ }),
    },
    ...[undefined, null, ""].map((resourceGroupName) => ({
        why: `a resource group of ${JSON.stringify(resourceGroupName)}: required, once`,
        input: { link: { ...BASE, resourceGroupName, arc: {} } },
        errors: [["privateLink.resourceGroupName", /^is required: where the scopes, endpoints and DNS zones go$/]] as [string, RegExp][],
    })),
    {
        why: "a number as resource group",
        input: { link: { ...BASE, resourceGroupName: 5, arc: {} } },
        errors: [["privateLink.resourceGroupName", /^expected a string or an Output of one \(a resource group name\), got a number$/]],
    },
    {
        why: "a number as subnet: its type, and the endpoint has none",
        input: { link: { ...BASE, subnetId: 5, arc: {} } },
        errors: [
            ["privateLink.subnetId", /^expected a string or an Output of one \(the endpoints' subnet resource id\), got a number$/],
            ["privateLink.subnetId", /^is required for the private endpoint of privateLink\.arc;/],
        ],
    },
    {
        why: "no scope",
        input: { link: BASE },
        errors: [["privateLink", /^names no scope; add privateLink\.arc, privateLink\.azureMonitor or both$/]],
    },
    {
        why: "virtual networks not a list",
        input: { link: { ...BASE, virtualNetworkIds: VNET, arc: {} } },
        errors: [["privateLink.virtualNetworkIds", /^expected a list of resource ids$/]],
        warnings: [["privateLink.virtualNetworkIds", /^the component creates/]],
        value: (v) => assert.deepStrictEqual(v?.virtualNetworkIds, []),
    },
    {
        why: "virtual networks blank or of the wrong type, by index",
        input: { link: { ...BASE, virtualNetworkIds: [VNET, "", 5], arc: {} } },
        errors: [
            ["privateLink.virtualNetworkIds[1]", /^expected a virtual network resource id \(a string or an Output of one\), got ""$/],
            ["privateLink.virtualNetworkIds[2]", /got a number$/],
        ],
    },
    {
        why: "existing zones not a map",
        input: { link: { ...BASE, existingDnsZoneIds: [ARC_ZONES[0]], arc: {} } },
        errors: [["privateLink.existingDnsZoneIds", /^expected a map of zone name to zone resource id$/]],
        value: (v) => assert.deepStrictEqual(v?.existingDnsZoneIds, {}),
    },
    {
        why: "an existing zone with a blank id",
        input: { link: { ...BASE, existingDnsZoneIds: { [ARC_ZONES[0]]: "" }, arc: {} } },
        errors: [
            [
                `privateLink.existingDnsZoneIds.${ARC_ZONES[0]}`,
                /^expected the zone's resource id \(a string or an Output of one\), got ""$/,
            ],
        ],
    },
    {
        why: "arc not an object",
        input: { link: { ...BASE, arc: true } },
        errors: [
            ["privateLink.arc", /^expected an object, got a boolean$/],
            ["privateLink", /^names no scope/],
        ],
    },
    {
        why: "arc: an unknown field",
        input: { link: { ...BASE, arc: { Location: "westeurope" } } },
        errors: [["privateLink.arc.Location", /did you mean "location"\?/]],
    },
    {
        why: "arc: its own region",
        input: { link: { ...BASE, arc: { location: "northeurope" } } },
        value: (v) => assert.equal(arcOf(v)?.location, "northeurope"),
    },
    {
        why: "arc: a misspelt region",
        input: { link: { ...BASE, arc: { location: "North Europe" } } },
        errors: [["privateLink.arc.location", /use "northeurope"/]],
        value: (v) => assert.equal(arcOf(v)?.location, ""),
    },
    {
        why: "arc: everything given",
        input: { link: { ...BASE, arc: { publicNetworkAccess: true, tenantId: TENANT, machinesResourceGroupName: "rg-arc" } } },
        value: (v) =>
            assert.deepStrictEqual(arcOf(v), {
                ...ARC_READ,
                publicNetworkAccess: true,
                tenantId: TENANT,
                machinesResourceGroupName: "rg-arc",
            }),
    },
    // A list's text would be the GUID itself: only a string is read, and only a string is kept.
    ...["contoso.onmicrosoft.com", 5, [TENANT]].map((tenantId) => ({
        why: `arc: a tenant id of ${JSON.stringify(tenantId)}`,
        input: { link: { ...BASE, arc: { tenantId } } },
        errors: [["privateLink.arc.tenantId", /^is not a GUID; give the Entra tenant id$/]] as [string, RegExp][],
        value: (v: Link) => assert.equal(arcOf(v)?.tenantId, typeof tenantId === "string" ? tenantId : undefined),
    })),
    ...["", 5].map((machinesResourceGroupName) => ({
        why: `arc: a machines resource group of ${JSON.stringify(machinesResourceGroupName)}`,
        input: { link: { ...BASE, arc: { machinesResourceGroupName } } },
        errors: [["privateLink.arc.machinesResourceGroupName", /^expected a resource group name$/]] as [string, RegExp][],
        value: (v: Link) =>
            assert.equal(arcOf(v)?.machinesResourceGroupName, typeof machinesResourceGroupName === "string" ? "" : undefined),
    })),
    {
        why: "arc: booleans of the wrong type",
        input: { link: { ...BASE, arc: { publicNetworkAccess: "no", privateEndpoint: "yes" } } },
        errors: [
            ["privateLink.arc.publicNetworkAccess", /^expected true or false/],
            ["privateLink.arc.privateEndpoint", /^expected true or false/],
        ],
    },
    {
        why: "azureMonitor not an object",
        input: { link: { ...BASE, arc: {}, azureMonitor: "PrivateOnly" } },
        errors: [["privateLink.azureMonitor", /^expected an object, got "PrivateOnly"$/]],
    },
    {
        why: "azureMonitor: an unknown field and wrong values",
        input: { link: { ...BASE, azureMonitor: { IngestionAccessMode: "Open", queryAccessMode: "open", privateEndpoint: 1 } } },
        errors: [
            ["privateLink.azureMonitor.IngestionAccessMode", /did you mean "ingestionAccessMode"\?/],
            ["privateLink.azureMonitor.queryAccessMode", /did you mean "Open"\?/],
            ["privateLink.azureMonitor.privateEndpoint", /^expected true or false/],
        ],
    },
    {
        why: "azureMonitor: an unknown ingestion mode",
        input: { link: { ...BASE, azureMonitor: { ingestionAccessMode: "Private" } } },
        errors: [["privateLink.azureMonitor.ingestionAccessMode", /^"Private" is not allowed; use one of "PrivateOnly", "Open"$/]],
        value: (v) => assert.deepStrictEqual(monitorOf(v), MONITOR_READ),
    },
];

const SUBNET_REQUIRED = (scopes: string) =>
    new RegExp(`^is required for the private endpoint of ${scopes}; give the subnet's resource id, or set privateEndpoint: false there$`);
const NO_ENDPOINT = { privateEndpoint: false };
const ENDPOINTS: Case<Input, Link>[] = [
    {
        why: "an Arc endpoint without a subnet",
        input: { link: { ...BASE, subnetId: "", arc: {} } },
        errors: [["privateLink.subnetId", SUBNET_REQUIRED("privateLink\\.arc")]],
    },
    {
        why: "an Azure Monitor endpoint without a subnet",
        input: { link: { ...BASE, subnetId: undefined, azureMonitor: {} } },
        errors: [["privateLink.subnetId", SUBNET_REQUIRED("privateLink\\.azureMonitor")]],
    },
    {
        why: "both endpoints without a subnet",
        input: { link: { ...BASE, subnetId: undefined, arc: {}, azureMonitor: {} } },
        errors: [["privateLink.subnetId", SUBNET_REQUIRED("privateLink\\.arc and privateLink\\.azureMonitor")]],
    },
    {
        why: "no endpoint, no public access, private ingestion: no subnet needed, two warnings",
        input: { link: { resourceGroupName: "rg-pl", arc: NO_ENDPOINT, azureMonitor: NO_ENDPOINT } },
        warnings: [
            [
                "privateLink.arc",
                /^the scope has no public access and no endpoint from this component: Arc machines reach it only through an endpoint made elsewhere$/,
            ],
            [
                "privateLink.azureMonitor",
                /^ingestion is PrivateOnly and this component makes no endpoint: agents can send logs only through an endpoint made elsewhere$/,
            ],
        ],
    },
    {
        why: "no endpoint, public access, open ingestion: nothing to say",
        input: {
            link: {
                resourceGroupName: "rg-pl",
                arc: { ...NO_ENDPOINT, publicNetworkAccess: true },
                azureMonitor: { ...NO_ENDPOINT, ingestionAccessMode: "Open" },
            },
        },
    },
    {
        why: "an existing zone no endpoint uses, with the ones they do",
        input: { link: { ...BASE, arc: {}, existingDnsZoneIds: { "privatelink.his.arc.azure.us": "/zone" } } },
        errors: [
            [
                "privateLink.existingDnsZoneIds.privatelink.his.arc.azure.us",
                new RegExp(
                    `^is not a zone these endpoints use \\(the endpoints use ${ARC_ZONES.join(", ").replace(/\./g, "\\.")}\\); remove it or fix its name$`,
                ),
            ],
        ],
    },
    {
        why: "an existing zone and no endpoint",
        input: {
            link: {
                resourceGroupName: "rg-pl",
                arc: { ...NO_ENDPOINT, publicNetworkAccess: true },
                existingDnsZoneIds: { [ARC_ZONES[0]]: "/zone" },
            },
        },
        errors: [[`privateLink.existingDnsZoneIds.${ARC_ZONES[0]}`, /\(no endpoint is created, so no zone is used\)/]],
    },
    {
        why: "every zone existing, and virtual networks to link: nothing to link",
        input: { link: { ...BASE, arc: {}, existingDnsZoneIds: Object.fromEntries(ARC_ZONES.map((z) => [z, `/zones/${z}`])) } },
        errors: [["privateLink.virtualNetworkIds", /^links the zones the component creates, and it creates none \(all are existing\)/]],
    },
    {
        why: "every zone existing, no virtual network",
        input: {
            link: {
                ...BASE,
                virtualNetworkIds: [],
                arc: {},
                existingDnsZoneIds: Object.fromEntries(ARC_ZONES.map((z) => [z, `/zones/${z}`])),
            },
        },
    },
    {
        why: "zones created and linked to no virtual network: the ones created, named",
        input: { link: { ...BASE, virtualNetworkIds: undefined, arc: {}, existingDnsZoneIds: { [ARC_ZONES[0]]: "/zone" } } },
        warnings: [
            [
                "privateLink.virtualNetworkIds",
                /^the component creates privatelink\.guestconfiguration\.azure\.com, privatelink\.dp\.kubernetesconfiguration\.azure\.com but links them to no virtual network/,
            ],
        ],
    },
];

const NORTH_ARC = machine("arc", "northeurope");
const FIT: Case<Input, Link>[] = [
    {
        why: "an Arc machine in another region than its scope",
        input: { link: { ...BASE, arc: {} }, context: { machines: [NORTH_ARC] } },
        errors: [
            [
                "machines[0].location",
                /^is northeurope, but the Arc Private Link Scope is in westeurope; a machine and its scope must be in the same region$/,
            ],
        ],
    },
    {
        why: "a VM in another region than the Arc scope",
        input: { link: { ...BASE, arc: {} }, context: { machines: [machine("azureVm", "northeurope")] } },
    },
    {
        why: "an Arc machine in its scope's region",
        input: { link: { ...BASE, arc: {} }, context: { machines: [machine("arc", "westeurope")] } },
    },
    {
        why: "Azure Monitor only: an Arc machine elsewhere, without AMA, is not held to an Arc scope",
        input: { link: { ...BASE, azureMonitor: {} }, context: { machines: [machine("arc", "northeurope", ["azureMonitorAgent"])] } },
    },
    {
        why: "Azure Monitor without a workspace",
        input: { link: { ...BASE, azureMonitor: {} }, context: { logs: undefined } },
        errors: [["privateLink.azureMonitor", /^needs logs\.workspaceResourceId: the workspace is what the scope makes private$/]],
    },
    {
        why: "Azure Monitor with the user's own rule",
        input: { link: { ...BASE, azureMonitor: {} }, context: { logs: { ...LOGS, dataCollectionRuleId: "/rule" } } },
        warnings: [
            [
                "logs.dataCollectionRuleId",
                /^with Azure Monitor Private Link your own rule must use the data collection endpoint .*\(output dataCollectionEndpointId\)$/,
            ],
        ],
    },
    {
        why: "an AMA machine in another region than the data collection endpoint",
        input: { link: { ...BASE, azureMonitor: {} }, context: { machines: [machine("azureVm", "northeurope")] } },
        errors: [
            [
                "machines[0].location",
                /^is northeurope, but the data collection endpoint in the Azure Monitor Private Link Scope is in westeurope, .*exclude azureMonitorAgent here$/,
            ],
        ],
    },
    {
        why: "an AMA machine in the endpoint's region",
        input: { link: { ...BASE, azureMonitor: {} }, context: { machines: [machine("azureVm", "westeurope")] } },
    },
    {
        why: "a machine without AMA elsewhere",
        input: { link: { ...BASE, azureMonitor: {} }, context: { machines: [machine("azureVm", "northeurope", ["azureMonitorAgent"])] } },
    },
    {
        why: "no AMA at all: no endpoint region to match",
        input: {
            link: { ...BASE, azureMonitor: {} },
            context: { machines: [machine("azureVm", "northeurope")], logs: { ...LOGS, azureMonitorAgent: false } },
        },
    },
    {
        why: "an Arc scope only: AMA's region is not checked",
        input: { link: { ...BASE, arc: {} }, context: { machines: [machine("azureVm", "northeurope")] } },
    },
];

describe("privateLink validation (sdk/validate/privateLink.ts)", () => {
    const reader = (problems: Parameters<typeof readPrivateLink>[0], input: Input) =>
        readPrivateLink(problems, input.link, { cloud: "AzureCloud", location: "westeurope", machines: [], logs: LOGS, ...input.context });
    describe("reading", () => itReads(READING, reader));
    describe("endpoints and zones", () => itReads(ENDPOINTS, reader));
    describe("machines and logs", () => itReads(FIT, reader));

    it("the zones the endpoints need, per cloud (none where no source names them)", () => {
        const both = { arc: ARC_READ, azureMonitor: MONITOR_READ };
        const cases: Array<[Parameters<typeof zonesNeeded>, string[]]> = [
            [["AzureCloud", { arc: both.arc }], ARC_ZONES],
            [["AzureCloud", { azureMonitor: both.azureMonitor }], MONITOR_ZONES],
            [
                ["AzureCloud", both],
                [...ARC_ZONES, ...MONITOR_ZONES],
            ],
            [
                [
                    "AzureCloud",
                    { arc: { ...both.arc, privateEndpoint: false }, azureMonitor: { ...both.azureMonitor, privateEndpoint: false } },
                ],
                [],
            ],
            [["AzureUSGovernment", both], GOV_MONITOR_ZONES],
            [["AzureChinaCloud", both], []],
        ];
        assert.deepStrictEqual(
            cases.map(([args]) => zonesNeeded(...args)),
            cases.map(([, zones]) => zones),
        );
    });
});
