/**
 * `DefenderSubscription`: the subscription scope. The plan (merged with what the subscription
 * has), the MDE integration settings, the vulnerability management provider, the machine-level
 * plans and, when asked, the subscription's built-in policies. It owns the subscription: a
 * second owner in the same deployment (this or the all-in-one) is refused. What MDE waits for is
 * its `readiness` input, data that holds in every language.
 */
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as security from "@pulumi/azure-native/security";
import { assignBuiltInPolicies } from "../resources/builtInPolicies";
import { enableMachinePlans } from "../resources/machinePlans";
import { checkProviderSubscription, protectSubscription } from "../resources/subscription";
import { checkSubscriptionRole, mdePrerequisitesOf, recordSubscriptionRole } from "../resources/subscriptionOwnership";
import { DefenderSubscriptionArgs } from "./args";
import { afterReadiness } from "./readiness";
import { tagProblems, withTags } from "./tags";
import { refuse, validateFor } from "./validateFor";

const TYPE_NAME = "DefenderSubscription";
/** Every machine part, left out: a machine plan entry only names the machine. */
const NO_PARTS = ["osProxy", "azureMonitorAgent", "legacyAgent", "guestConfiguration"];

/** The plan, MDE settings and machine-level plans of one subscription, after what it waits for. */
export class DefenderSubscription extends pulumi.ComponentResource {
    /** The Pulumi type token of this component. */
    public static readonly TYPE = `defender-servers:index:${TYPE_NAME}`;

    /** Resource id of the subscription's Defender for Servers pricing. */
    public readonly pricingId: pulumi.Output<string>;
    /** The sub-plan set: `P1` or `P2`. */
    public readonly subPlan: pulumi.Output<string>;
    /** Whether MDE integration is switched on (after the readiness inputs). */
    public readonly mdeIntegrationEnabled: pulumi.Output<boolean>;
    /** The Defender for Servers plan (the `VirtualMachines` pricing), to depend on or read. */
    public readonly plan: security.Pricing;
    /** The MDE integration settings deployment, created after every readiness input. */
    public readonly mdeSettings: resources.DeploymentAtSubscriptionScope;

    constructor(name: string, args: DefenderSubscriptionArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered.
        refuse(TYPE_NAME, tagProblems(args?.tags));
        const machinePlans = args?.machinePlans ?? [];
        const { args: settings, warnings } = validateFor(
            TYPE_NAME,
            {
                subscriptionId: args?.subscriptionId,
                location: args?.location,
                cloud: args?.cloud,
                plan: args?.plan,
                mdeIntegration: args?.mdeIntegration,
                retainProtectionOnDelete: args?.retainProtectionOnDelete,
                builtInPolicies: args?.builtInPolicies,
                // The machine plans as machines with no parts: only their identity and plan are read.
                machines: machinePlans.map((m) => ({
                    key: m.key,
                    kind: m.kind,
                    os: "linux",
                    resourceGroupName: m.resourceGroupName,
                    name: m.name,
                    defenderPlan: m.defenderPlan,
                    exclude: NO_PARTS,
                })),
            },
            { machines: "machinePlans" },
        );
        const role = checkSubscriptionRole(name, settings.subscriptionId, true, opts);
        super(DefenderSubscription.TYPE, name, {}, withTags(opts, args.tags));
        recordSubscriptionRole(name, settings.subscriptionId, true, this);
        for (const warning of warnings) pulumi.log.warn(`${warning.path}: ${warning.message}`, this);
        if (settings.mdeIntegration.enabled && args.readiness === undefined && role.preparers.length === 0) {
            pulumi.log.warn(
                "readiness: is unset, so MDE integration is switched on at once; pass every DefenderMachines' readiness (or the rollout's) for this subscription, or ignore this if no machine here needs a proxy",
                this,
            );
        }
        checkProviderSubscription(this, settings);

        assignBuiltInPolicies(this, name, settings);
        const waitFor = [
            afterReadiness(args.readiness ?? []),
            ...mdePrerequisitesOf(role.preparers),
            ...(role.listedCheck ? [afterReadiness([role.listedCheck])] : []),
        ];
        const protection = protectSubscription(this, name, settings, waitFor);
        const byMachine = new Map(
            machinePlans.filter((m) => m.readiness !== undefined).map((m) => [m.key, [afterReadiness([m.readiness!])]]),
        );
        enableMachinePlans(this, name, settings, byMachine, protection.mdeSettings);

        this.plan = protection.plan;
        this.mdeSettings = protection.mdeSettings;
        this.pricingId = protection.plan.id;
        this.subPlan = pulumi.output(settings.plan.subPlan);
        this.mdeIntegrationEnabled = pulumi.output(settings.mdeIntegration.enabled);
        this.registerOutputs({ pricingId: this.pricingId, subPlan: this.subPlan, mdeIntegrationEnabled: this.mdeIntegrationEnabled });
    }
}
