/** The data collection rule that AMA machines are associated with. */
import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import { defenderDataCollectionRule } from "../plan/dataCollection";
import { NormalizedArgs } from "../validate";

/**
 * The user's rule, or one the component makes in `logs.dataCollectionResourceGroupId` (default:
 * the workspace's resource group, which validation checks is in the component's subscription);
 * undefined when AMA is not deployed.
 */
export function dataCollectionRuleFor(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    dataCollectionEndpointId: pulumi.Input<string> | undefined,
): pulumi.Input<string> | undefined {
    const logs = args.logs;
    // Policy mode covers machines nobody listed, so it needs the rule whenever AMA is on.
    const amaMachines = args.rollout.mode === "policy" || args.machines.some((m) => m.parts.azureMonitorAgent);
    if (logs === undefined || !logs.azureMonitorAgent || !amaMachines) return undefined;
    if (logs.dataCollectionRuleId !== undefined) return logs.dataCollectionRuleId;
    const rule = new monitor.DataCollectionRule(
        `${name}-dcr`,
        {
            ...defenderDataCollectionRule("workspace", logs.streams),
            resourceGroupName: logs.dataCollectionResourceGroup!.resourceGroupName,
            location: logs.dataCollectionRuleLocation,
            destinations: { logAnalytics: [{ name: "workspace", workspaceResourceId: logs.workspaceResourceId! }] },
            // Under Azure Monitor Private Link every rule must use an endpoint in the scope.
            dataCollectionEndpointId,
        },
        { parent },
    );
    return rule.id;
}
