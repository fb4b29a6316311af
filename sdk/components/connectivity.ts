/**
 * `DefenderConnectivity`: the road out that needs no proxy. The Azure Arc and Azure Monitor
 * Private Link scopes, their private endpoints and the DNS records of those endpoints. It goes
 * wherever its azure-native provider signs in, so a hub (connectivity) subscription is one
 * `providers` option away; with the hub's existing private DNS zones it creates and links no
 * zone unless `createDnsZones` asks for it.
 */
import * as pulumi from "@pulumi/pulumi";
import { declarePrivateLink } from "../resources/privateLink";
import { zonesNeeded } from "../validate/privateLink";
import { Problem } from "../validate";
import { DefenderConnectivityArgs } from "./args";
import { tagProblems, withTags } from "./tags";
import { refuse, validateFor } from "./validateFor";

const TYPE_NAME = "DefenderConnectivity";

/** Private Link scopes, endpoints and DNS for the machines of one or more subscriptions. */
export class DefenderConnectivity extends pulumi.ComponentResource {
    /** The Pulumi type token of this component. */
    public static readonly TYPE = `defender-servers:index:${TYPE_NAME}`;

    /** Id of the Arc Private Link Scope (when `arc` is set): pass it to `DefenderMachines.privateLink.arcPrivateLinkScopeId`. */
    public readonly arcPrivateLinkScopeId: pulumi.Output<string | undefined>;
    /** Id of the data collection endpoint in the Azure Monitor scope (when `azureMonitor` is set): pass it to `DefenderMachines.privateLink.dataCollectionEndpointId`. */
    public readonly dataCollectionEndpointId: pulumi.Output<string | undefined>;

    constructor(name: string, args: DefenderConnectivityArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered.
        const { args: settings, warnings } = validateFor(
            TYPE_NAME,
            {
                subscriptionId: args?.subscriptionId,
                location: args?.location,
                cloud: args?.cloud,
                privateLink: {
                    resourceGroupName: args?.resourceGroupName,
                    subnetId: args?.subnetId,
                    virtualNetworkIds: args?.linkZonesToVirtualNetworkIds,
                    existingDnsZoneIds: args?.existingDnsZoneIds,
                    arc: args?.arc,
                    azureMonitor:
                        args?.azureMonitor === undefined
                            ? undefined
                            : {
                                  ingestionAccessMode: args.azureMonitor.ingestionAccessMode,
                                  queryAccessMode: args.azureMonitor.queryAccessMode,
                                  privateEndpoint: args.azureMonitor.privateEndpoint,
                              },
                },
                logs:
                    args?.azureMonitor === undefined
                        ? undefined
                        : {
                              workspaceResourceId: args.azureMonitor.workspaceResourceId,
                              dataCollectionResourceGroupId: args.azureMonitor.dataCollectionResourceGroupId,
                              dataCollectionRuleLocation: args.azureMonitor.dataCollectionEndpointLocation,
                          },
            },
            {
                "privateLink.virtualNetworkIds": "linkZonesToVirtualNetworkIds",
                "privateLink.existingDnsZoneIds": "existingDnsZoneIds",
                "privateLink.resourceGroupName": "resourceGroupName",
                "privateLink.subnetId": "subnetId",
                "privateLink.arc": "arc",
                "privateLink.azureMonitor": "azureMonitor",
                "logs.workspaceResourceId": "azureMonitor.workspaceResourceId",
                "logs.dataCollectionResourceGroupId": "azureMonitor.dataCollectionResourceGroupId",
                "logs.dataCollectionRuleLocation": "azureMonitor.dataCollectionEndpointLocation",
            },
        );
        refuse(TYPE_NAME, [
            ...tagProblems(args.tags, "tags", args.createDnsZones === true),
            ...dnsZoneProblems(args, zonesNeeded(settings.cloud, settings.privateLink!)),
        ]);
        super(DefenderConnectivity.TYPE, name, {}, withTags(opts, args.tags));
        for (const warning of warnings) pulumi.log.warn(`${warning.path}: ${warning.message}`, this);

        const links = declarePrivateLink(this, name, settings);
        this.arcPrivateLinkScopeId = pulumi.output(links.arcScopeId);
        this.dataCollectionEndpointId = pulumi.output(links.dataCollectionEndpointId);
        this.registerOutputs({
            arcPrivateLinkScopeId: this.arcPrivateLinkScopeId,
            dataCollectionEndpointId: this.dataCollectionEndpointId,
        });
    }
}

/**
 * A hub's DNS is shared: a zone created there, or linked to one of its virtual networks, changes
 * name resolution for every workload on that network. So nothing is created or linked unless
 * `createDnsZones` says so; otherwise every zone the endpoints need must be given.
 */
export function dnsZoneProblems(args: DefenderConnectivityArgs, needed: readonly string[]): Problem[] {
    const problems: Problem[] = [];
    const given = Object.keys(args.existingDnsZoneIds ?? {});
    const missing = needed.filter((zone) => !given.includes(zone));
    if (args.createDnsZones !== true && missing.length > 0) {
        problems.push({
            path: "existingDnsZoneIds",
            message: `lacks ${missing.join(", ")}, which the private endpoints register in; give their ids (e.g. the hub's zones), or set createDnsZones: true to create them here`,
        });
    }
    if (args.createDnsZones !== true && (args.linkZonesToVirtualNetworkIds ?? []).length > 0) {
        problems.push({
            path: "linkZonesToVirtualNetworkIds",
            message:
                "links zones this component creates, and createDnsZones is not true: link existing zones where they are managed, or set createDnsZones: true",
        });
    }
    return problems;
}
