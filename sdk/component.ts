/**
 * `DefenderForServersNetworkRestricted`: the component. It reads like the seed article's
 * table of contents; the knowledge of what Azure needs lives in `plan/`, and the resources
 * are declared in `resources/`.
 */
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestrictedArgs } from "./args";
import { enableDefenderPlan, selectVulnerabilityManagement, switchOnMdeIntegration } from "./resources/subscription";
import { validate } from "./validate";

/** Defender for Servers, wired up for machines whose only way out is an HTTP proxy or Private Link. */
export class DefenderForServersNetworkRestricted extends pulumi.ComponentResource {
    /** The Pulumi type token of this component. */
    public static readonly TYPE = "defender-servers:index:DefenderForServersNetworkRestricted";

    /** Resource id of the subscription's Defender for Servers pricing. */
    public readonly pricingId: pulumi.Output<string>;
    /** The sub-plan in force: `P1` or `P2`. */
    public readonly subPlan: pulumi.Output<string>;
    /** Whether this component switched on MDE integration (false when `mdeIntegration.enabled` is false). */
    public readonly mdeIntegrationEnabled: pulumi.Output<boolean>;

    constructor(name: string, args: DefenderForServersNetworkRestrictedArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered: bad args fail the preview and leave no trace.
        const { args: settings, warnings } = validate(args);
        super(DefenderForServersNetworkRestricted.TYPE, name, {}, opts);
        for (const warning of warnings) {
            pulumi.log.warn(`${warning.path}: ${warning.message}`, this);
        }

        // 1. The plan, which everything else needs.
        const plan = enableDefenderPlan(this, name, settings);
        selectVulnerabilityManagement(this, name, settings, plan);

        // 2. Whatever must be in place before MDE arrives on a machine.
        const mdePrerequisites: pulumi.Resource[] = [plan];

        // 3. MDE integration, last: Defender starts deploying MDE the moment it is on.
        const mdeIntegration = switchOnMdeIntegration(this, name, settings, mdePrerequisites);

        this.pricingId = plan.id;
        this.subPlan = pulumi.output(settings.plan.subPlan);
        this.mdeIntegrationEnabled = pulumi.output(mdeIntegration !== undefined);
        this.registerOutputs({
            pricingId: this.pricingId,
            subPlan: this.subPlan,
            mdeIntegrationEnabled: this.mdeIntegrationEnabled,
        });
    }
}
