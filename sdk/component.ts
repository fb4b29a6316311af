/**
 * `DefenderForServersNetworkRestricted`: the component. It reads like the seed article's
 * table of contents; the knowledge of what Azure needs lives in `plan/`, and the resources
 * are declared in `resources/`.
 */
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestrictedArgs } from "./args";
import { GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG } from "./plan/agents";
import { bypassList } from "./plan/bypass";
import { dataCollectionRuleFor } from "./resources/logs";
import { tagVmsForPrivateGuestConfiguration } from "./resources/guestConfigurationTag";
import { machineResourceId, prepareMachine } from "./resources/machines";
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
    /** Tags to merge into the Azure VMs you declare, so Guest Configuration goes through the Azure virtual IP instead of the proxy. */
    public readonly guestConfigurationTags: pulumi.Output<{ [key: string]: string }>;
    /** The operating-system proxy bypass list the run commands set (empty without a proxy). */
    public readonly proxyBypass: pulumi.Output<string[]>;

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

        // 2. Each machine: its proxies first (MDE waits for them), then the agents with their own proxy settings.
        const bypass = settings.proxy === undefined ? [] : bypassList(settings.proxy.bypass);
        const fleet = { dataCollectionRuleId: dataCollectionRuleFor(this, name, settings), bypass, arcBypass: [] };
        const mdePrerequisites: pulumi.Resource[] = [plan];
        for (const machine of settings.machines) {
            mdePrerequisites.push(...prepareMachine(this, name, settings, machine, fleet).mdePrerequisites);
        }

        // 3. Guest Configuration's private-network tag on existing VMs, when asked, without touching their other tags.
        if (settings.guestConfiguration.tagExistingVms) {
            const vms = settings.machines.filter((m) => m.parts.guestConfiguration);
            tagVmsForPrivateGuestConfiguration(
                this,
                name,
                settings,
                vms.map((machine) => machineResourceId(settings.subscriptionId, machine)),
            );
        }

        // 4. MDE integration, last: Defender starts deploying MDE the moment it is on.
        const mdeIntegration = switchOnMdeIntegration(this, name, settings, mdePrerequisites);

        this.pricingId = plan.id;
        this.subPlan = pulumi.output(settings.plan.subPlan);
        this.mdeIntegrationEnabled = pulumi.output(mdeIntegration !== undefined);
        this.guestConfigurationTags = pulumi.output<{ [key: string]: string }>({ ...GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG });
        this.proxyBypass = pulumi.output(bypass);
        this.registerOutputs({
            pricingId: this.pricingId,
            subPlan: this.subPlan,
            mdeIntegrationEnabled: this.mdeIntegrationEnabled,
            guestConfigurationTags: this.guestConfigurationTags,
            proxyBypass: this.proxyBypass,
        });
    }
}
