/** The opt-in Azure Firewall rule collection group that enforces the egress list. */
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import type { network as inputs } from "@pulumi/azure-native/types/input";
import { AzureFirewallRule, AzureFirewallRuleCollection } from "../plan/firewallRules";
import { NormalizedArgs } from "../validate";

/**
 * Adds the rule collections to the firewall policy `azureFirewall.firewallPolicyId` names, as one rule
 * collection group. Undefined when the args ask for none.
 */
export function enforceOnAzureFirewall(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    collections: AzureFirewallRuleCollection[],
): network.FirewallPolicyRuleCollectionGroup | undefined {
    const firewall = args.azureFirewall;
    if (firewall === undefined || collections.length === 0) return undefined;
    return new network.FirewallPolicyRuleCollectionGroup(
        `${name}-firewall-rules`,
        {
            resourceGroupName: firewall.resourceGroupName,
            firewallPolicyName: firewall.firewallPolicyName,
            ruleCollectionGroupName: firewall.ruleCollectionGroupName,
            priority: firewall.priority,
            ruleCollections: collections.map((c) => ({
                ruleCollectionType: "FirewallPolicyFilterRuleCollection" as const,
                name: c.name,
                priority: c.priority,
                action: { type: c.action.type },
                rules: c.rules.map(toRuleArgs),
            })),
        },
        { parent },
    );
}

/** One plain rule as azure-native's typed rule input. */
function toRuleArgs(rule: AzureFirewallRule): inputs.ApplicationRuleArgs | inputs.NetworkRuleArgs {
    if (rule.ruleType === "ApplicationRule") {
        return {
            ruleType: "ApplicationRule",
            name: rule.name,
            description: rule.description,
            sourceAddresses: rule.sourceAddresses,
            protocols: rule.protocols,
            targetFqdns: rule.targetFqdns,
            ...(rule.terminateTLS === undefined ? {} : { terminateTLS: rule.terminateTLS }),
        };
    }
    return {
        ruleType: "NetworkRule",
        name: rule.name,
        description: rule.description,
        sourceAddresses: rule.sourceAddresses,
        ipProtocols: rule.ipProtocols,
        destinationAddresses: rule.destinationAddresses,
        destinationPorts: rule.destinationPorts,
    };
}
