/**
 * Subscription-level resources: the Defender for Servers plan, the vulnerability assessment
 * provider, and the MDE integration switch. Each is kept in Azure when the component is
 * deleted, unless the user opted out, so that a refactor never silently drops protection.
 */
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as security from "@pulumi/azure-native/security";
import { MDE_VULNERABILITY_MANAGEMENT, pricingInputs } from "../plan/defenderPlan";
import { mdeIntegrationTemplate } from "../plan/mdeIntegration";
import { NormalizedArgs } from "../validate";

/** Turns on the Defender for Servers plan for the subscription. */
export function enableDefenderPlan(parent: pulumi.Resource, name: string, args: NormalizedArgs): security.Pricing {
    return new security.Pricing(`${name}-plan`, pricingInputs(args.subscriptionId, args.plan), {
        parent,
        retainOnDelete: args.retainProtectionOnDelete,
    });
}

/** Selects Defender Vulnerability Management when asked; otherwise leaves the current provider alone. */
export function selectVulnerabilityManagement(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    plan: security.Pricing,
): security.AzureServersSetting | undefined {
    if (!args.plan.defenderVulnerabilityManagement) return undefined;
    return new security.AzureServersSetting(
        `${name}-vulnerability-assessment`,
        { ...MDE_VULNERABILITY_MANAGEMENT },
        {
            parent,
            dependsOn: [plan],
            retainOnDelete: args.retainProtectionOnDelete,
        },
    );
}

/**
 * Switches on MDE integration. It waits for the plan and for every resource in `prerequisites`
 * (the operating-system proxy on each machine): once it is on, Defender deploys MDE at once,
 * and MDE only onboards a machine whose proxy is already in place.
 */
export function switchOnMdeIntegration(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    prerequisites: pulumi.Resource[],
): resources.DeploymentAtSubscriptionScope | undefined {
    if (!args.mdeIntegration.enabled) return undefined;
    return new resources.DeploymentAtSubscriptionScope(
        `${name}-mde-integration`,
        {
            location: args.location,
            properties: { mode: "Incremental", template: mdeIntegrationTemplate(args.mdeIntegration) },
        },
        // Deleting a deployment record never deletes what it deployed; retaining it keeps the history too.
        { parent, dependsOn: prerequisites, retainOnDelete: args.retainProtectionOnDelete },
    );
}
