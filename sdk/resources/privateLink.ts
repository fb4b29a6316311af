/**
 * Private Link: the Arc and Azure Monitor scopes, their private endpoints, and the private DNS
 * zones those endpoints register in (created here, or the user's central ones by id).
 */
import * as pulumi from "@pulumi/pulumi";
import * as hybridcompute from "@pulumi/azure-native/hybridcompute";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import { PRIVATE_LINK_ZONES } from "../clouds";
import { PRIVATE_ENDPOINT_GROUP, zoneSlug } from "../plan/privateLink";
import { NormalizedArgs } from "../validate";
import { NormalizedPrivateLink, zonesNeeded } from "../validate/privateLink";

/** What the rest of the component needs from the Private Link resources. */
export interface PrivateLinkResources {
    /** Id of the Arc Private Link Scope, when there is one. */
    arcScopeId?: pulumi.Output<string>;
    /** Id of the data collection endpoint in the Azure Monitor scope, when there is one. */
    dataCollectionEndpointId?: pulumi.Output<string>;
}

/** Creates the zones nobody brought, links them to the virtual networks, and returns every zone's id by name. */
function dnsZones(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    link: NormalizedPrivateLink,
): Map<string, pulumi.Input<string>> {
    const ids = new Map<string, pulumi.Input<string>>();
    for (const zone of zonesNeeded(args.cloud, link)) {
        const existing = link.existingDnsZoneIds[zone];
        if (existing !== undefined) {
            ids.set(zone, existing);
            continue;
        }
        const slug = zoneSlug(zone);
        const created = new privatedns.PrivateZone(
            `${name}-dns-${slug}`,
            { resourceGroupName: link.resourceGroupName, privateZoneName: zone, location: "global" },
            { parent },
        );
        link.virtualNetworkIds.forEach((virtualNetworkId, i) => {
            // The zone's own name, and a wait on the zone: the link can only be made once the zone exists.
            new privatedns.VirtualNetworkLink(
                `${name}-dns-${slug}-link-${i}`,
                {
                    resourceGroupName: link.resourceGroupName,
                    privateZoneName: zone,
                    location: "global",
                    virtualNetwork: { id: virtualNetworkId },
                    registrationEnabled: false,
                },
                { parent, dependsOn: [created] },
            );
        });
        ids.set(zone, created.id);
    }
    return ids;
}

/** A private endpoint to a scope, and the zone group that registers it in the scope's zones. */
function privateEndpoint(
    parent: pulumi.Resource,
    resourceName: string,
    args: NormalizedArgs,
    link: NormalizedPrivateLink,
    target: { id: pulumi.Input<string>; group: string; zones: readonly string[] },
    zoneIds: Map<string, pulumi.Input<string>>,
): void {
    const endpoint = new network.PrivateEndpoint(
        resourceName,
        {
            resourceGroupName: link.resourceGroupName,
            location: args.location,
            subnet: { id: link.subnetId },
            privateLinkServiceConnections: [{ name: target.group, privateLinkServiceId: target.id, groupIds: [target.group] }],
        },
        { parent },
    );
    new network.PrivateDnsZoneGroup(
        `${resourceName}-dns`,
        {
            resourceGroupName: link.resourceGroupName,
            privateEndpointName: endpoint.name,
            privateDnsZoneGroupName: "default",
            privateDnsZoneConfigs: target.zones.map((zone) => ({ name: zoneSlug(zone), privateDnsZoneId: zoneIds.get(zone) })),
        },
        { parent },
    );
}

/** Declares the scopes, endpoints and zones that `privateLink` asks for. */
export function declarePrivateLink(parent: pulumi.Resource, name: string, args: NormalizedArgs): PrivateLinkResources {
    const link = args.privateLink;
    if (link === undefined) return {};
    const zoneIds = dnsZones(parent, name, args, link);
    const zones = PRIVATE_LINK_ZONES[args.cloud];
    const result: PrivateLinkResources = {};

    if (link.arc !== undefined) {
        const scope = new hybridcompute.PrivateLinkScope(
            `${name}-arc-scope`,
            {
                resourceGroupName: link.resourceGroupName,
                location: link.arc.location,
                properties: { publicNetworkAccess: link.arc.publicNetworkAccess ? "Enabled" : "Disabled" },
            },
            { parent },
        );
        if (link.arc.privateEndpoint) {
            const target = { id: scope.id, group: PRIVATE_ENDPOINT_GROUP.arc, zones: zones.arcZones ?? [] };
            privateEndpoint(parent, `${name}-arc-endpoint`, args, link, target, zoneIds);
        }
        result.arcScopeId = scope.id;
    }

    if (link.azureMonitor !== undefined && args.logs?.workspaceResourceId !== undefined) {
        const workspace = pulumi.output(args.logs.workspaceResourceId);
        const scope = new monitor.PrivateLinkScope(
            `${name}-monitor-scope`,
            {
                resourceGroupName: link.resourceGroupName,
                location: "global",
                accessModeSettings: {
                    ingestionAccessMode: link.azureMonitor.ingestionAccessMode,
                    queryAccessMode: link.azureMonitor.queryAccessMode,
                },
            },
            { parent },
        );
        // With Private Link, AMA fetches its configuration only from a data collection endpoint in the scope.
        const endpoint = new monitor.DataCollectionEndpoint(
            `${name}-dce`,
            {
                // Beside the rule: logs.dataCollectionResourceGroupId, or the workspace's resource group.
                resourceGroupName: args.logs.dataCollectionResourceGroup!.resourceGroupName,
                location: args.logs.dataCollectionRuleLocation,
                networkAcls: { publicNetworkAccess: "Disabled" },
            },
            { parent },
        );
        for (const [suffix, linkedResourceId] of [
            ["workspace", workspace],
            ["dce", endpoint.id],
        ] as const) {
            new monitor.PrivateLinkScopedResource(
                `${name}-monitor-scope-${suffix}`,
                { resourceGroupName: link.resourceGroupName, scopeName: scope.name, linkedResourceId },
                { parent },
            );
        }
        if (link.azureMonitor.privateEndpoint) {
            const target = { id: scope.id, group: PRIVATE_ENDPOINT_GROUP.azureMonitor, zones: zones.azureMonitorZones ?? [] };
            privateEndpoint(parent, `${name}-monitor-endpoint`, args, link, target, zoneIds);
        }
        result.dataCollectionEndpointId = endpoint.id;
    }
    return result;
}
