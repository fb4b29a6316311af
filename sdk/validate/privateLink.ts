/** Validation of `privateLink`: scopes, endpoints, DNS zones, and how they fit the machines. */
import * as pulumi from "@pulumi/pulumi";
import { PrivateLinkAccessMode } from "../args";
import { CloudName, PRIVATE_LINK_ZONES } from "../clouds";
import { describe, GUID, isInput, isObject, readBoolean, readChoice, readInput, readObject, rejectUnknownKeys } from "./fields";
import { readLocation } from "./location";
import { NormalizedLogs } from "./logs";
import { NormalizedMachine } from "./machines";
import { ProblemList } from "./problems";

/** The Arc scope after validation. */
export interface NormalizedArcScope {
    location: string;
    publicNetworkAccess: boolean;
    privateEndpoint: boolean;
    tenantId?: string;
    machinesResourceGroupName?: string;
}

/** The Azure Monitor scope after validation. */
export interface NormalizedMonitorScope {
    ingestionAccessMode: "PrivateOnly" | "Open";
    queryAccessMode: "PrivateOnly" | "Open";
    privateEndpoint: boolean;
}

/** `privateLink` after validation. */
export interface NormalizedPrivateLink {
    resourceGroupName: pulumi.Input<string>;
    subnetId?: pulumi.Input<string>;
    virtualNetworkIds: pulumi.Input<string>[];
    existingDnsZoneIds: Record<string, pulumi.Input<string>>;
    arc?: NormalizedArcScope;
    azureMonitor?: NormalizedMonitorScope;
}

const FIELDS = ["resourceGroupName", "subnetId", "virtualNetworkIds", "existingDnsZoneIds", "arc", "azureMonitor"] as const;
const ARC_FIELDS = ["location", "publicNetworkAccess", "privateEndpoint", "tenantId", "machinesResourceGroupName"] as const;
const MONITOR_FIELDS = ["ingestionAccessMode", "queryAccessMode", "privateEndpoint"] as const;
const MODES = Object.values(PrivateLinkAccessMode);

/** The context the rules need from the rest of the args. */
export interface PrivateLinkContext {
    cloud: CloudName;
    location: string | undefined;
    machines: NormalizedMachine[];
    logs?: NormalizedLogs;
}

function readArc(
    problems: ProblemList,
    value: unknown,
    defaultLocation: string | undefined,
    cloud: CloudName,
): NormalizedArcScope | undefined {
    const fields = readObject(problems, value, "privateLink.arc");
    if (fields === undefined) return undefined;
    rejectUnknownKeys(problems, fields, "privateLink.arc", ARC_FIELDS);
    const location =
        fields.location === undefined ? defaultLocation : readLocation(problems, fields.location, "privateLink.arc.location", cloud);
    const tenantId = fields.tenantId;
    if (tenantId !== undefined && (typeof tenantId !== "string" || !GUID.test(tenantId))) {
        problems.error("privateLink.arc.tenantId", "is not a GUID; give the Entra tenant id");
    }
    const rg = fields.machinesResourceGroupName;
    if (rg !== undefined && (typeof rg !== "string" || rg === ""))
        problems.error("privateLink.arc.machinesResourceGroupName", "expected a resource group name");
    return {
        location: location ?? "",
        publicNetworkAccess: readBoolean(problems, fields.publicNetworkAccess, "privateLink.arc.publicNetworkAccess", false),
        privateEndpoint: readBoolean(problems, fields.privateEndpoint, "privateLink.arc.privateEndpoint", true),
        tenantId: typeof tenantId === "string" ? tenantId : undefined,
        machinesResourceGroupName: typeof rg === "string" ? rg : undefined,
    };
}

function readMonitor(problems: ProblemList, value: unknown): NormalizedMonitorScope | undefined {
    const fields = readObject(problems, value, "privateLink.azureMonitor");
    if (fields === undefined) return undefined;
    rejectUnknownKeys(problems, fields, "privateLink.azureMonitor", MONITOR_FIELDS);
    return {
        ingestionAccessMode: readChoice(
            problems,
            fields.ingestionAccessMode,
            "privateLink.azureMonitor.ingestionAccessMode",
            MODES,
            "PrivateOnly",
        ),
        queryAccessMode: readChoice(problems, fields.queryAccessMode, "privateLink.azureMonitor.queryAccessMode", MODES, "Open"),
        privateEndpoint: readBoolean(problems, fields.privateEndpoint, "privateLink.azureMonitor.privateEndpoint", true),
    };
}

/** The DNS zones the endpoints the component creates need, per cloud. */
export function zonesNeeded(cloud: CloudName, link: Pick<NormalizedPrivateLink, "arc" | "azureMonitor">): string[] {
    const zones = PRIVATE_LINK_ZONES[cloud];
    return [
        ...(link.arc?.privateEndpoint ? (zones.arcZones ?? []) : []),
        ...(link.azureMonitor?.privateEndpoint ? (zones.azureMonitorZones ?? []) : []),
    ];
}

/** Reads `privateLink`, or undefined when there is none. */
export function readPrivateLink(problems: ProblemList, value: unknown, context: PrivateLinkContext): NormalizedPrivateLink | undefined {
    const fields = readObject(problems, value, "privateLink");
    if (fields === undefined) return undefined;
    rejectUnknownKeys(problems, fields, "privateLink", FIELDS);
    if (fields.resourceGroupName === undefined || fields.resourceGroupName === null || fields.resourceGroupName === "") {
        problems.error("privateLink.resourceGroupName", "is required: where the scopes, endpoints and DNS zones go");
    }
    const resourceGroupName = readInput(
        problems,
        fields.resourceGroupName ?? undefined,
        "privateLink.resourceGroupName",
        "a resource group name",
    );
    const subnetId = readInput(problems, fields.subnetId, "privateLink.subnetId", "the endpoints' subnet resource id");
    const arc = readArc(problems, fields.arc, context.location, context.cloud);
    const azureMonitor = readMonitor(problems, fields.azureMonitor);
    if (arc === undefined && azureMonitor === undefined) {
        problems.error("privateLink", "names no scope; add privateLink.arc, privateLink.azureMonitor or both");
    }
    const virtualNetworkIds = readInputList(problems, fields.virtualNetworkIds, "privateLink.virtualNetworkIds");
    const existingDnsZoneIds = readZoneMap(problems, fields.existingDnsZoneIds);
    const link: NormalizedPrivateLink = {
        resourceGroupName: resourceGroupName as pulumi.Input<string>,
        subnetId,
        virtualNetworkIds,
        existingDnsZoneIds,
        arc,
        azureMonitor,
    };
    checkEndpoints(problems, link, context);
    checkZones(problems, link, context.cloud);
    checkArcMachines(problems, link, context.machines);
    checkMonitor(problems, link, context.logs);
    checkMonitorRegions(problems, link, context);
    return link;
}

function readInputList(problems: ProblemList, value: unknown, path: string): pulumi.Input<string>[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        problems.error(path, "expected a list of resource ids");
        return [];
    }
    value.forEach((entry, i) => {
        if (entry === "" || !isInput(entry)) {
            problems.error(
                `${path}[${i}]`,
                `expected a virtual network resource id (a string or an Output of one), got ${describe(entry)}`,
            );
        }
    });
    return value as pulumi.Input<string>[];
}

function readZoneMap(problems: ProblemList, value: unknown): Record<string, pulumi.Input<string>> {
    if (value === undefined) return {};
    if (!isObject(value)) {
        problems.error("privateLink.existingDnsZoneIds", "expected a map of zone name to zone resource id");
        return {};
    }
    for (const [zone, id] of Object.entries(value)) {
        if (id === "" || !isInput(id)) {
            problems.error(
                `privateLink.existingDnsZoneIds.${zone}`,
                `expected the zone's resource id (a string or an Output of one), got ${describe(id)}`,
            );
        }
    }
    return value as Record<string, pulumi.Input<string>>;
}

function checkEndpoints(problems: ProblemList, link: NormalizedPrivateLink, context: PrivateLinkContext): void {
    const wanted = [link.arc?.privateEndpoint ? "arc" : undefined, link.azureMonitor?.privateEndpoint ? "azureMonitor" : undefined].filter(
        (x): x is string => x !== undefined,
    );
    // readInput leaves a blank subnetId undefined.
    if (wanted.length > 0 && link.subnetId === undefined) {
        problems.error(
            "privateLink.subnetId",
            `is required for the private endpoint of ${wanted.map((w) => `privateLink.${w}`).join(" and ")}; give the subnet's resource id, or set privateEndpoint: false there`,
        );
    }
    if (link.arc?.privateEndpoint && PRIVATE_LINK_ZONES[context.cloud].arcZones === undefined) {
        problems.error(
            "privateLink.arc.privateEndpoint",
            `no official source names the Arc private DNS zones for ${context.cloud}, and the component does not guess them: create the endpoint and its DNS yourself and set privateLink.arc.privateEndpoint: false (the scope is still made)`,
        );
    }
    if (link.arc !== undefined && !link.arc.privateEndpoint && !link.arc.publicNetworkAccess) {
        problems.warn(
            "privateLink.arc",
            "the scope has no public access and no endpoint from this component: Arc machines reach it only through an endpoint made elsewhere",
        );
    }
    if (link.azureMonitor !== undefined && !link.azureMonitor.privateEndpoint && link.azureMonitor.ingestionAccessMode === "PrivateOnly") {
        problems.warn(
            "privateLink.azureMonitor",
            "ingestion is PrivateOnly and this component makes no endpoint: agents can send logs only through an endpoint made elsewhere",
        );
    }
}

function checkZones(problems: ProblemList, link: NormalizedPrivateLink, cloud: CloudName): void {
    const needed = zonesNeeded(cloud, link);
    for (const zone of Object.keys(link.existingDnsZoneIds)) {
        if (!needed.includes(zone)) {
            const hint = needed.length === 0 ? "no endpoint is created, so no zone is used" : `the endpoints use ${needed.join(", ")}`;
            problems.error(
                `privateLink.existingDnsZoneIds.${zone}`,
                `is not a zone these endpoints use (${hint}); remove it or fix its name`,
            );
        }
    }
    const created = needed.filter((zone) => link.existingDnsZoneIds[zone] === undefined);
    if (needed.length > 0 && created.length === 0 && link.virtualNetworkIds.length > 0) {
        problems.error(
            "privateLink.virtualNetworkIds",
            "links the zones the component creates, and it creates none (all are existing): remove it and link your zones where they live",
        );
    }
    if (created.length > 0 && link.virtualNetworkIds.length === 0) {
        problems.warn(
            "privateLink.virtualNetworkIds",
            `the component creates ${created.join(", ")} but links them to no virtual network: nothing resolves through them until you link one`,
        );
    }
}

function checkArcMachines(problems: ProblemList, link: NormalizedPrivateLink, machines: NormalizedMachine[]): void {
    if (link.arc === undefined) return;
    for (const machine of machines) {
        if (machine.kind === "arc" && machine.location !== link.arc.location) {
            problems.error(
                `${machine.path}.location`,
                `is ${machine.location}, but the Arc Private Link Scope is in ${link.arc.location}; a machine and its scope must be in the same region`,
            );
        }
    }
}

function checkMonitor(problems: ProblemList, link: NormalizedPrivateLink, logs: NormalizedLogs | undefined): void {
    if (link.azureMonitor === undefined) return;
    if (logs?.workspaceResourceId === undefined) {
        problems.error("privateLink.azureMonitor", "needs logs.workspaceResourceId: the workspace is what the scope makes private");
    }
    if (logs?.dataCollectionRuleId !== undefined) {
        problems.warn(
            "logs.dataCollectionRuleId",
            "with Azure Monitor Private Link your own rule must use the data collection endpoint this component adds to the scope (output dataCollectionEndpointId)",
        );
    }
}

/** With Azure Monitor Private Link, AMA reads its configuration from a data collection endpoint in its own region. */
function checkMonitorRegions(problems: ProblemList, link: NormalizedPrivateLink, context: PrivateLinkContext): void {
    const logs = context.logs;
    if (link.azureMonitor === undefined || logs === undefined || !logs.azureMonitorAgent) return;
    for (const machine of context.machines) {
        if (machine.excluded.includes("azureMonitorAgent") || machine.location === logs.dataCollectionRuleLocation) continue;
        problems.error(
            `${machine.path}.location`,
            `is ${machine.location}, but the data collection endpoint in the Azure Monitor Private Link Scope is in ${logs.dataCollectionRuleLocation}, and AMA only reads its configuration from an endpoint in its own region: use one component per region (logs.dataCollectionRuleLocation) or exclude azureMonitorAgent here`,
        );
    }
}
