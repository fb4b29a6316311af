/** The data collection rule that AMA machines are associated with. */
import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import { defenderDataCollectionRule, resourceGroupOf } from "../plan/dataCollection";
import { NormalizedArgs } from "../validate";

/** The user's rule, or one the component makes in the workspace's resource group; undefined when AMA is not deployed. */
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
    const workspace = pulumi.output(logs.workspaceResourceId!);
    const rule = new monitor.DataCollectionRule(
        `${name}-dcr`,
        {
            ...defenderDataCollectionRule("workspace"),
            resourceGroupName: workspace.apply((id) => resourceGroupOf(id) ?? ""),
            location: logs.dataCollectionRuleLocation,
            destinations: { logAnalytics: [{ name: "workspace", workspaceResourceId: workspace }] },
            // Under Azure Monitor Private Link every rule must use an endpoint in the scope.
            dataCollectionEndpointId,
        },
        { parent },
    );
    return rule.id;
}
