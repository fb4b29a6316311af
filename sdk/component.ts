/**
 * `DefenderForServersNetworkRestricted`: the component. It reads like the seed article's
 * table of contents; the knowledge of what Azure needs lives in `plan/`, and the resources
 * are declared in `resources/`.
 */
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestrictedArgs } from "./args";
import { prepareFleet } from "./components/fleet";
import { afterReadiness } from "./components/readiness";
import { splitTags, tagProblems, withTags } from "./components/tags";
import { refuse } from "./components/validateFor";
import { GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG } from "./plan/agents";
import { EgressDestination, egressNotes, proxyAllowlist, squidAllowlistSnippet } from "./plan/egress";
import { AzureFirewallRuleCollection } from "./plan/firewallRules";
import { arcGatewayEgressNotes } from "./plan/arcGateway";
import { OnboardingVerification, onboardingVerification } from "./plan/onboardingVerification";
import { arcAgentBypass, arcOnboardingCommands, OnboardingCommands } from "./plan/privateLink";
import { enableMachinePlans } from "./resources/machinePlans";
import { declarePrivateLink } from "./resources/privateLink";
import { checkProviderSubscription, protectSubscription } from "./resources/subscription";
import { declareArcGateway } from "./resources/arcGateway";
import { RemediationGateOutput } from "./resources/policyRollout";
import { claimMachinesInThisDeployment } from "./resources/machineRegistry";
import {
    checkSubscriptionRole,
    mdePrerequisitesOf,
    recordSubscriptionRole,
    rememberMdePrerequisites,
} from "./resources/subscriptionOwnership";
import { NormalizedArgs, validate } from "./validate";

/** Defender for Servers, wired up for machines whose only way out is an HTTP proxy or Private Link. */
export class DefenderForServersNetworkRestricted extends pulumi.ComponentResource {
    /** The Pulumi type token of this component. */
    public static readonly TYPE = "defender-servers:index:DefenderForServersNetworkRestricted";

    /** Resource id of the subscription's Defender for Servers pricing (unset on an instance with `ownsSubscriptionSettings: false`). */
    public readonly pricingId: pulumi.Output<string | undefined>;
    /** The sub-plan this instance sets: `P1` or `P2` (unset on an instance with `ownsSubscriptionSettings: false`). */
    public readonly subPlan: pulumi.Output<string | undefined>;
    /** Whether this instance switched MDE integration on (false: it wrote it off, or it does not own the subscription settings). */
    public readonly mdeIntegrationEnabled: pulumi.Output<boolean>;
    /** Tags to merge into the Azure VMs you declare, so Guest Configuration goes through the Azure virtual IP instead of the proxy. */
    public readonly guestConfigurationTags: pulumi.Output<{ [key: string]: string }>;
    /** The operating-system proxy bypass list the run commands set: platform addresses, your entries and the Private Link hosts (empty without a proxy). */
    public readonly proxyBypass: pulumi.Output<string[]>;
    /** Every endpoint the machines reach: host, port, agents, why, when, and route (`proxy`, `privateLink` or `platform`). */
    public readonly egress: pulumi.Output<EgressDestination[]>;
    /** The host names the proxy must allow (HTTPS, port 443), sorted. */
    public readonly proxyAllowlist: pulumi.Output<string[]>;
    /** The same allowlist as a Squid configuration snippet, to paste before `http_access deny all`. */
    public readonly squidAllowlist: pulumi.Output<string>;
    /** Caveats about the egress list (hosts Microsoft does not document, optional features). */
    public readonly egressNotes: pulumi.Output<string[]>;
    /** Id of the Arc Private Link Scope, when `privateLink.arc` is set. */
    public readonly arcPrivateLinkScopeId: pulumi.Output<string | undefined>;
    /** Id of the data collection endpoint in the Azure Monitor Private Link Scope, when `privateLink.azureMonitor` is set. */
    public readonly dataCollectionEndpointId: pulumi.Output<string | undefined>;
    /** Onboarding commands for new Arc machines (`linux`, `windows`): proxy, bypass, `azcmagent connect --private-link-scope`. */
    public readonly arcOnboardingCommands: pulumi.Output<OnboardingCommands | undefined>;
    /** The egress list as Azure Firewall policy rule collections: application rules by protocol and port (`terminateTLS: false` where Microsoft forbids TLS inspection), network rules for service tags. */
    public readonly azureFirewallRules: pulumi.Output<AzureFirewallRuleCollection[]>;
    /** Id of the rule collection group added to `azureFirewall.firewallPolicyId`, when asked. */
    public readonly azureFirewallRuleCollectionGroupId: pulumi.Output<string | undefined>;
    /** Proof after deploy: Resource Graph queries for each machine's MDE extension and Defender's EDR assessment, and the on-machine commands that confirm onboarding. */
    public readonly onboardingVerification: pulumi.Output<OnboardingVerification>;
    /** Id of the Azure Arc gateway the listed Arc machines are associated with, when `arcGateway` is set. */
    public readonly arcGatewayId: pulumi.Output<string | undefined>;
    /** The gateway's host (`<prefix>.gw.arc.azure.com`) once it exists: narrow the proxy's `*.gw.arc.azure.com` entry to it. */
    public readonly arcGatewayEndpoint: pulumi.Output<string | undefined>;
    /** Onboarding commands for new Arc machines through the gateway (`linux`, `windows`): proxy, then `azcmagent connect --gateway-id`. */
    public readonly arcGatewayOnboardingCommands: pulumi.Output<OnboardingCommands | undefined>;
    /** Policy mode: the MDE gate's verdict once it passed, with the machines whose OS-proxy remediation failed within the failure budget (unknown in a preview, unset without a gate). */
    public readonly remediationGate: pulumi.Output<RemediationGateOutput | undefined>;

    constructor(name: string, args: DefenderForServersNetworkRestrictedArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered: bad args fail the preview and leave no trace.
        // `tags` is read here, not by validate(): the scope components share it (components/tags.ts).
        const { tags, rest, hasTags } = splitTags(args);
        refuse("DefenderForServersNetworkRestricted", tagProblems(tags, "tags", hasTags && rest.privateLink !== undefined));
        const { args: settings, warnings } = validate(rest);
        const { subscriptionId, ownsSubscriptionSettings: owner } = settings;
        const role = checkSubscriptionRole(name, subscriptionId, owner, opts);
        // In policy mode listed machines only inform the egress list: nothing is declared on them.
        if (settings.rollout.mode === "machines") claimMachinesInThisDeployment(name, subscriptionId, settings.machines);
        super(DefenderForServersNetworkRestricted.TYPE, name, {}, withTags(opts, tags));
        recordSubscriptionRole(name, subscriptionId, owner, this);
        for (const warning of warnings) {
            pulumi.log.warn(`${warning.path}: ${warning.message}`, this);
        }
        checkProviderSubscription(this, settings);

        // 1. What the machines may reach, and by which road: Private Link scopes, and the egress list for the proxy.
        const privateLink = declarePrivateLink(this, name, settings);
        const arcGateway = declareArcGateway(this, name, settings);
        // 2. The machines part (shared with DefenderMachines, with this component as the parent, so nothing moves):
        //    each machine's proxies first (MDE waits for them), then the agents; or the policy rollout.
        const fleet = prepareFleet(this, name, settings, {
            arcScopeId: privateLink.arcScopeId,
            dataCollectionEndpointId: privateLink.dataCollectionEndpointId,
        });
        const { egressInput, egress, bypass, mdePrerequisites, prerequisitesByMachine, firewallRules, firewallGroup } = fleet;
        rememberMdePrerequisites(this, mdePrerequisites);
        // Machines onboarded with the commands join the scope at `connect`, so they bypass the proxy for Arc from the start.
        const onboardingBypass = arcAgentBypass({
            arcScopeAssociated: egressInput.privateLink.arc,
            azureMonitorPrivateLink: egressInput.privateLink.azureMonitor,
            amaOwnAuthenticatedProxy: false,
        });

        // 4. MDE, last: the settings after every proxy (this instance's and the preparers'), the plan
        //    (which integrates MDE by default) after the settings, machine-level plans after their proxies.
        const protection = owner
            ? protectSubscription(this, name, settings, [
                  ...mdePrerequisites,
                  ...mdePrerequisitesOf(role.preparers),
                  ...(role.listedCheck ? [afterReadiness([role.listedCheck])] : []),
              ])
            : undefined;
        enableMachinePlans(this, name, settings, prerequisitesByMachine, protection?.mdeSettings);

        this.pricingId = protection === undefined ? pulumi.output(undefined) : protection.plan.id;
        this.subPlan = pulumi.output(owner ? settings.plan.subPlan : undefined);
        this.mdeIntegrationEnabled = pulumi.output(owner && settings.mdeIntegration.enabled);
        this.guestConfigurationTags = pulumi.output<{ [key: string]: string }>({ ...GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG });
        this.proxyBypass = pulumi.output(bypass);
        this.egress = pulumi.output(egress);
        this.proxyAllowlist = pulumi.output(proxyAllowlist(egress));
        this.squidAllowlist = pulumi.output(squidAllowlistSnippet(egress));
        this.egressNotes = pulumi.output([...egressNotes(egressInput), ...arcGatewayEgressNotes(settings)]);
        this.arcPrivateLinkScopeId = pulumi.output(privateLink.arcScopeId);
        this.dataCollectionEndpointId = pulumi.output(privateLink.dataCollectionEndpointId);
        this.arcOnboardingCommands = onboardingFor(settings, privateLink.arcScopeId, onboardingBypass);
        this.azureFirewallRules = pulumi.output(firewallRules);
        this.azureFirewallRuleCollectionGroupId = firewallGroup === undefined ? pulumi.output(undefined) : firewallGroup.id;
        this.onboardingVerification = pulumi.output(onboardingVerification(settings.subscriptionId));
        this.arcGatewayId = arcGateway.gatewayId;
        this.arcGatewayEndpoint = arcGateway.gatewayEndpoint;
        this.arcGatewayOnboardingCommands = arcGateway.onboardingCommands;
        this.remediationGate = fleet.remediationGate;
        this.registerOutputs({
            pricingId: this.pricingId,
            subPlan: this.subPlan,
            mdeIntegrationEnabled: this.mdeIntegrationEnabled,
            guestConfigurationTags: this.guestConfigurationTags,
            proxyBypass: this.proxyBypass,
            egress: this.egress,
            proxyAllowlist: this.proxyAllowlist,
            squidAllowlist: this.squidAllowlist,
            egressNotes: this.egressNotes,
            arcPrivateLinkScopeId: this.arcPrivateLinkScopeId,
            dataCollectionEndpointId: this.dataCollectionEndpointId,
            arcOnboardingCommands: this.arcOnboardingCommands,
            azureFirewallRules: this.azureFirewallRules,
            azureFirewallRuleCollectionGroupId: this.azureFirewallRuleCollectionGroupId,
            onboardingVerification: this.onboardingVerification,
            arcGatewayId: this.arcGatewayId,
            arcGatewayEndpoint: this.arcGatewayEndpoint,
            arcGatewayOnboardingCommands: this.arcGatewayOnboardingCommands,
            remediationGate: this.remediationGate,
        });
    }
}

/** The onboarding commands, once the scope's id is known. */
function onboardingFor(
    settings: NormalizedArgs,
    scopeId: pulumi.Output<string> | undefined,
    arcBypass: string[],
): pulumi.Output<OnboardingCommands | undefined> {
    const arc = settings.privateLink?.arc;
    if (scopeId === undefined || arc === undefined) return pulumi.output(undefined);
    return pulumi.all([scopeId, settings.privateLink!.resourceGroupName]).apply(([id, group]) =>
        arcOnboardingCommands({
            cloud: settings.cloud,
            subscriptionId: settings.subscriptionId,
            resourceGroupName: arc.machinesResourceGroupName ?? group,
            location: arc.location,
            scopeId: id,
            tenantId: arc.tenantId,
            proxyUrl: settings.proxy?.url,
            arcBypass,
        }),
    );
}
