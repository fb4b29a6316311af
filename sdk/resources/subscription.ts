/**
 * Subscription-level resources, in the order that keeps MDE off until every machine can reach
 * it: the MDE integration settings (after every proxy prerequisite), then the Defender for
 * Servers plan (after the settings), then the vulnerability assessment provider. Since 2024 the
 * plan itself integrates MDE by default (defender-docs `configure-servers-coverage.md`), so the
 * plan is the switch that must wait; the settings go first so the plan's first provisioning
 * pass already sees them. Each is kept in Azure when the component is deleted, unless the user
 * opted out, so that a refactor never silently drops protection.
 */
import { autoNameFits, deploymentName } from "../plan/policyNames";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as compute from "@pulumi/azure-native/compute";
import * as hybridcompute from "@pulumi/azure-native/hybridcompute";
import * as resources from "@pulumi/azure-native/resources";
import * as security from "@pulumi/azure-native/security";
import { CurrentPricing, MDE_VULNERABILITY_MANAGEMENT, planExtensions, pricingInputs, switchOffWarning } from "../plan/defenderPlan";
import { mdeIntegrationTemplate } from "../plan/mdeIntegration";
import { runCommandFailure } from "../plan/runCommands";
import { NormalizedArgs } from "../validate";
import { excludeMachinesFromPlan } from "./machinePlans";

/**
 * Writes the MDE integration settings: on, after every resource in `prerequisites` (the
 * operating-system and Arc-agent proxies, or the policy rollout that sets them); off, at once,
 * so that the plan created after it cannot switch MDE on.
 */
export function writeMdeSettings(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    prerequisites: pulumi.Resource[],
): resources.DeploymentAtSubscriptionScope {
    const on = args.mdeIntegration.enabled;
    return new resources.DeploymentAtSubscriptionScope(
        `${name}-mde-integration`,
        {
            // Explicit only where azure-native's `<logical name>-<random>` would pass ARM's 64 characters
            // (such a stack never deployed); a name that fits keeps the auto-name, so nothing is replaced.
            ...(autoNameFits(`${name}-mde-integration`) ? {} : { deploymentName: deploymentName(name, "mde-integration") }),
            location: args.location,
            properties: { mode: "Incremental", template: mdeIntegrationTemplate(args.mdeIntegration) },
            tags: on ? { "defender-servers-os-proxy": arcProxyGate(prerequisites) } : undefined,
        },
        // Deleting a deployment record never deletes what it deployed; retaining it keeps the history too.
        { parent, dependsOn: on ? prerequisites : [], retainOnDelete: args.retainProtectionOnDelete },
    );
}

/**
 * Turns on the Defender for Servers plan once `after` is done (the MDE settings, and the
 * machines left out of it). The pricing PUT replaces the whole extension list, so it reads what
 * the subscription has now and keeps every extension the user did not set.
 */
export function enableDefenderPlan(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    after: pulumi.Resource[],
): security.Pricing {
    const scopeId = `/subscriptions/${args.subscriptionId}`;
    const current = security.getPricingOutput({ scopeId, pricingName: "VirtualMachines" }, { parent });
    const extensions = current.apply((now) => {
        const planned = planExtensions(args.plan, now as CurrentPricing);
        const warning = switchOffWarning(planned.switchedOff);
        if (warning !== undefined) void pulumi.log.warn(warning, parent);
        return planned.extensions;
    });
    return new security.Pricing(
        `${name}-plan`,
        { ...pricingInputs(args.subscriptionId, args.plan), extensions },
        { parent, dependsOn: after, retainOnDelete: args.retainProtectionOnDelete },
    );
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
 * VM run commands fail their deployment when the script fails (`treatFailureAsDeploymentFailure`);
 * Arc run commands have no such switch and report the failure only in their instance view. This
 * value, read from the instance views of both (a VM's too: the Linux OS-proxy read-back reports
 * there as well), fails the MDE settings' registration when a proxy script failed, and with it
 * the plan that waits for them, so MDE is not switched on over a broken proxy.
 */
function arcProxyGate(prerequisites: pulumi.Resource[]): pulumi.Output<string> {
    const arcCommands = prerequisites.filter(
        (r): r is hybridcompute.MachineRunCommand | compute.VirtualMachineRunCommandByVirtualMachine =>
            r instanceof hybridcompute.MachineRunCommand || r instanceof compute.VirtualMachineRunCommandByVirtualMachine,
    );
    // One combined output rather than one per machine, so thousands of Arc machines stay cheap;
    // the URNs that name the failed ones are read only when one failed.
    return pulumi.all(arcCommands.map((command) => command.instanceView)).apply((results): pulumi.Output<string> => {
        const failed = results
            .map((view, i) => ({ command: arcCommands[i], failure: runCommandFailure(view) }))
            .filter((r) => r.failure !== undefined);
        if (failed.length === 0) return pulumi.output("verified");
        return pulumi.all(failed.map((f) => f.command.urn)).apply((urns): string => {
            const named = failed.map((f, i) => `${urns[i].split("::").pop()} ${f.failure}`);
            throw new Error(
                `not switching on MDE integration: ${named.join("; ")}. Read the run command's output (az connectedmachine run-command show, or az vm run-command show --instance-view for a VM), fix the machine, and run again`,
            );
        });
    });
}

/**
 * The subscription the default azure-native provider is configured for, where the provider
 * itself cannot say (the offline preview's mock engine answers `getClientConfig` with nothing):
 * stack config `azure-native:subscriptionId`, else `ARM_SUBSCRIPTION_ID`, the provider's own
 * order of precedence for it.
 */
export function configuredProviderSubscription(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const configured = new pulumi.Config("azure-native").get("subscriptionId") ?? env.ARM_SUBSCRIPTION_ID;
    return configured === undefined || configured === "" ? undefined : configured;
}

/**
 * Most of the component's resources (MDE settings, extensions, endpoints) have no subscription
 * input: they go wherever the azure-native provider signs in. Say so when that is not
 * `subscriptionId`, or the plan and the MDE integration would land in different subscriptions.
 * In `pulumi up` the provider's answer (`getClientConfig`) wins; in a preview, and wherever the
 * answer has none, the default provider's configuration is compared, so the offline preview warns too.
 */
export function checkProviderSubscription(parent: pulumi.Resource, args: NormalizedArgs): void {
    // The default provider's configuration says nothing about a provider passed in the component's options.
    const explicitProvider = parent.getProvider("azure-native:authorization:getClientConfig") !== undefined;
    const configured = explicitProvider ? undefined : configuredProviderSubscription();
    // A preview may leave the provider's answer unknown (the offline engine does), and then the
    // check below never runs: where the subscription is configured, that settles it now.
    if (pulumi.runtime.isDryRun() && configured !== undefined) {
        warnOnOtherSubscription(parent, args, configured);
        return;
    }
    authorization.getClientConfigOutput({ parent }).apply((config) => {
        const answered = typeof config.subscriptionId === "string" && config.subscriptionId !== "" ? config.subscriptionId : undefined;
        warnOnOtherSubscription(parent, args, answered ?? configured);
    });
}

/** The warning, when the provider's subscription is known and is not `subscriptionId`. */
function warnOnOtherSubscription(parent: pulumi.Resource, args: NormalizedArgs, providerSubscription: string | undefined): void {
    const signedIn = providerSubscription?.toLowerCase();
    if (signedIn !== undefined && signedIn !== args.subscriptionId) {
        void pulumi.log.warn(
            `subscriptionId: is ${args.subscriptionId}, but the azure-native provider signs in to ${signedIn}, where the MDE integration, extensions and endpoints would go; point the provider at ${args.subscriptionId} (ARM_SUBSCRIPTION_ID, azure-native:subscriptionId, or a provider in the component's providers option)`,
            parent,
        );
    }
}

/** The subscription-level resources, created by the one instance that owns them. */
export interface SubscriptionProtection {
    /** The MDE integration settings deployment (on after every prerequisite, or off). */
    mdeSettings: resources.DeploymentAtSubscriptionScope;
    /** The Defender for Servers plan, created after the settings and the machines left out of it. */
    plan: security.Pricing;
}

/**
 * The chain that keeps MDE off until every machine can reach it: the MDE settings wait for
 * `prerequisites`, the `Free` machine exclusions go in, and only then the plan (which
 * integrates MDE by default) is created, followed by the vulnerability assessment provider.
 */
export function protectSubscription(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    prerequisites: pulumi.Resource[],
): SubscriptionProtection {
    const mdeSettings = writeMdeSettings(parent, name, args, prerequisites);
    const exclusions = excludeMachinesFromPlan(parent, name, args);
    const plan = enableDefenderPlan(parent, name, args, [mdeSettings, ...exclusions]);
    selectVulnerabilityManagement(parent, name, args, plan);
    return { mdeSettings, plan };
}
