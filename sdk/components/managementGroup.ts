/**
 * `DefenderManagementGroupRollout`: Defender for Servers for a management group of many
 * subscriptions. The policy initiative is assigned once, at the group, with a remediation task
 * per listed subscription; then every listed subscription gets its own `DefenderSubscription`
 * (plan, MDE settings, the built-in identity policies the Azure Monitor Agent policy needs),
 * through its own azure-native provider, waiting for that subscription's remediation.
 */
import * as pulumi from "@pulumi/pulumi";
import * as azureNative from "@pulumi/azure-native";
import { GUID } from "../validate/fields";
import { Problem } from "../validate";
import { DefenderManagementGroupRolloutArgs } from "./args";
import { prepareFleet } from "./fleet";
import { readinessOf } from "./readiness";
import { DefenderSubscription } from "./subscription";
import { tagProblems, withTags } from "./tags";
import { refuse, validateFor } from "./validateFor";

const TYPE_NAME = "DefenderManagementGroupRollout";

/** The short label of a subscription in resource names: its first GUID group (names stay under Azure's 64 characters). */
export function subscriptionLabel(subscriptionId: string): string {
    return subscriptionId.slice(0, 8).toLowerCase();
}

/** Problems with the listed subscriptions. */
export function subscriptionListProblems(ids: unknown): Problem[] {
    if (!Array.isArray(ids) || ids.length === 0)
        return [
            { path: "subscriptionIds", message: "is required: list every subscription under the group that gets Defender for Servers" },
        ];
    const problems: Problem[] = [];
    ids.forEach((id, i) => {
        if (typeof id !== "string" || !GUID.test(id))
            problems.push({ path: `subscriptionIds[${i}]`, message: "is not a subscription GUID" });
    });
    const labels = ids.filter((id): id is string => typeof id === "string").map((id) => subscriptionLabel(id));
    const repeated = labels.filter((label, i) => labels.indexOf(label) !== i);
    if (repeated.length > 0) {
        problems.push({
            path: "subscriptionIds",
            message: `list a subscription once; these start alike (${[...new Set(repeated)].join(", ")}), which would give their resources one name`,
        });
    }
    return problems;
}

/** The resource names that belong to one subscription end with its id (policyRollout names a task `<...>-<subscriptionId>`). */
function belongsTo(resource: pulumi.Resource, subscriptionId: string, all: string[]): boolean {
    // `__name` is the logical name the SDK keeps on every resource it constructed.
    const name = (resource as unknown as { __name?: string }).__name ?? "";
    const owner = all.find((id) => name.toLowerCase().endsWith(`-${id.toLowerCase()}`));
    return owner === undefined || owner === subscriptionId;
}

// Kept beside the instance, not on it: the schema analyzer reads every property, and cannot type one holding this package's own components.
const subscriptionsOf = new WeakMap<object, { [subscriptionId: string]: DefenderSubscription }>();

/** Defender for Servers for every listed subscription of a management group. */
export class DefenderManagementGroupRollout extends pulumi.ComponentResource {
    /** The Pulumi type token of this component. */
    public static readonly TYPE = `defender-servers:index:${TYPE_NAME}`;

    /** Per subscription: resolves once the group's assignment, its roles and that subscription's remediation are done. */
    public readonly readinessBySubscription: pulumi.Output<{ [subscriptionId: string]: string }>;
    /** Per subscription: the resource id of its Defender for Servers pricing. */
    public readonly pricingIds: pulumi.Output<{ [subscriptionId: string]: string }>;

    /** The `DefenderSubscription` of one listed subscription (TypeScript only), e.g. to depend on its plan. */
    public subscription(subscriptionId: string): DefenderSubscription {
        const found = subscriptionsOf.get(this)?.[subscriptionId.toLowerCase()];
        if (found === undefined) throw new Error(`subscription: ${subscriptionId} is not one of this rollout's subscriptionIds`);
        return found;
    }

    constructor(name: string, args: DefenderManagementGroupRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered.
        refuse(TYPE_NAME, [...tagProblems(args?.tags), ...subscriptionListProblems(args?.subscriptionIds)]);
        const subscriptionIds = args.subscriptionIds.map((id) => id.toLowerCase());
        const { args: settings, warnings } = validateFor(
            TYPE_NAME,
            {
                subscriptionId: subscriptionIds[0],
                location: args.location,
                cloud: args.cloud,
                plan: args.plan,
                mdeIntegration: args.mdeIntegration,
                retainProtectionOnDelete: args.retainProtectionOnDelete,
                proxy: args.proxy,
                logs: args.logs,
                guestConfiguration: args.guestConfiguration,
                rollout: {
                    mode: "policy",
                    scope: `/providers/Microsoft.Management/managementGroups/${args.managementGroupId}`,
                    remediationSubscriptionIds: subscriptionIds,
                    parallelDeployments: args.parallelDeployments,
                    waitForRemediationMinutes: args.waitForRemediationMinutes,
                },
            },
            { "rollout.scope": "managementGroupId", "rollout.remediationSubscriptionIds": "subscriptionIds" },
        );
        super(DefenderManagementGroupRollout.TYPE, name, {}, withTags(opts, args.tags));
        for (const warning of warnings) pulumi.log.warn(`${warning.path}: ${warning.message}`, this);

        // Once, at the group: the initiative, its assignment, roles and a remediation task per subscription.
        const fleet = prepareFleet(this, name, settings, {});
        // The Azure Monitor Agent policy signs in with the VM's system-assigned identity: add it wherever the policy applies.
        const identity = args.addSystemAssignedIdentity ?? settings.logs?.azureMonitorAgent === true;
        const bySubscription: { [subscriptionId: string]: DefenderSubscription } = {};
        subscriptionsOf.set(this, bySubscription);
        const readiness: Array<pulumi.Output<readonly [string, string]>> = [];
        for (const subscriptionId of subscriptionIds) {
            const label = `${name}-${subscriptionLabel(subscriptionId)}`;
            // The MDE settings deployment and the identity remediation have no subscription input: they go where the provider signs in.
            const provider = new azureNative.Provider(`${label}-provider`, { subscriptionId }, { parent: this });
            const ready = readinessOf(fleet.mdePrerequisites.filter((r) => belongsTo(r, subscriptionId, subscriptionIds)));
            readiness.push(ready.apply((value) => [subscriptionId, value] as const));
            bySubscription[subscriptionId] = new DefenderSubscription(
                label,
                {
                    subscriptionId,
                    location: args.location,
                    cloud: args.cloud,
                    plan: args.plan,
                    mdeIntegration: args.mdeIntegration,
                    retainProtectionOnDelete: args.retainProtectionOnDelete,
                    readiness: [ready],
                    builtInPolicies: identity ? { addSystemAssignedIdentity: true } : undefined,
                },
                { parent: this, providers: [provider] },
            );
        }
        this.readinessBySubscription = pulumi.all(readiness).apply((entries) => Object.fromEntries(entries));
        this.pricingIds = pulumi
            .all(subscriptionIds.map((id) => bySubscription[id].pricingId.apply((pricing) => [id, pricing] as const)))
            .apply((entries) => Object.fromEntries(entries));
        this.registerOutputs({ readinessBySubscription: this.readinessBySubscription, pricingIds: this.pricingIds });
    }
}
