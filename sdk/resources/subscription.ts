/**
 * Subscription-level resources: the Defender for Servers plan, the vulnerability assessment
 * provider, and the MDE integration switch. Each is kept in Azure when the component is
 * deleted, unless the user opted out, so that a refactor never silently drops protection.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as hybridcompute from "@pulumi/azure-native/hybridcompute";
import * as resources from "@pulumi/azure-native/resources";
import * as security from "@pulumi/azure-native/security";
import { MDE_VULNERABILITY_MANAGEMENT, pricingInputs } from "../plan/defenderPlan";
import { mdeIntegrationTemplate } from "../plan/mdeIntegration";
import { runCommandFailure } from "../plan/runCommands";
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
            tags: { "defender-servers-os-proxy": arcProxyGate(prerequisites) },
        },
        // Deleting a deployment record never deletes what it deployed; retaining it keeps the history too.
        { parent, dependsOn: prerequisites, retainOnDelete: args.retainProtectionOnDelete },
    );
}

/**
 * VM run commands fail their deployment when the script fails; Arc run commands have no such
 * switch and report the failure only in their instance view. This value, read from those views,
 * fails the MDE integration's registration when an Arc proxy script failed, so MDE is not
 * switched on over a broken proxy there either.
 */
function arcProxyGate(prerequisites: pulumi.Resource[]): pulumi.Output<string> {
    const arcCommands = prerequisites.filter((r): r is hybridcompute.MachineRunCommand => r instanceof hybridcompute.MachineRunCommand);
    // Two combined outputs rather than one per machine: thousands of Arc machines stay cheap.
    const views = pulumi.all(arcCommands.map((command) => command.instanceView));
    const urns = pulumi.all(arcCommands.map((command) => command.urn));
    return pulumi.all([views, urns]).apply(([results, names]) => {
        const failed = results
            .map((view, i) => ({ name: names[i].split("::").pop(), failure: runCommandFailure(view) }))
            .filter((r) => r.failure !== undefined);
        if (failed.length > 0) {
            throw new Error(
                `not switching on MDE integration: ${failed.map((f) => `${f.name} ${f.failure}`).join("; ")}. Read the run command's output (az connectedmachine run-command show), fix the machine, and run again`,
            );
        }
        return "verified";
    });
}

/**
 * Most of the component's resources (MDE settings, extensions, endpoints) have no subscription
 * input: they go wherever the azure-native provider signs in. Say so when that is not
 * `subscriptionId`, or the plan and the MDE integration would land in different subscriptions.
 */
export function checkProviderSubscription(parent: pulumi.Resource, args: NormalizedArgs): void {
    authorization.getClientConfigOutput({ parent }).apply((config) => {
        const signedIn = config.subscriptionId?.toLowerCase();
        if (signedIn !== undefined && signedIn !== args.subscriptionId) {
            void pulumi.log.warn(
                `subscriptionId: is ${args.subscriptionId}, but the azure-native provider signs in to ${signedIn}, where the MDE integration, extensions and endpoints would go; point the provider at ${args.subscriptionId} (ARM_SUBSCRIPTION_ID, azure-native:subscriptionId, or a provider in the component's providers option)`,
                parent,
            );
        }
    });
}
