/**
 * `DefenderForServersNetworkRestricted`: the component. It reads like the seed article's
 * table of contents; the knowledge of what Azure needs lives in `plan/`, and the resources
 * are declared in `resources/`.
 */
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestrictedArgs } from "./args";
import { GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG } from "./plan/agents";
import { bypassList } from "./plan/bypass";
import {
    EgressDestination,
    egressNotes,
    privateLinkHosts,
    proxyAllowlist,
    serviceTagDestinations,
    squidAllowlistSnippet,
} from "./plan/egress";
import { AzureFirewallRuleCollection, azureFirewallRuleCollections } from "./plan/firewallRules";
import { arcAgentBypassWithGateway, arcGatewayEgressNotes, egressWithGateway } from "./plan/arcGateway";
import { egressInputFor } from "./plan/fleetEgress";
import { OnboardingVerification, onboardingVerification } from "./plan/onboardingVerification";
import { enforceOnAzureFirewall } from "./resources/firewall";
import { arcAgentBypass, arcOnboardingCommands, OnboardingCommands } from "./plan/privateLink";
import { policyRouteChecks, PolicyRolloutInput, rolloutPolicies } from "./plan/policy";
import { assignBuiltInPolicies } from "./resources/builtInPolicies";
import { tagVmsForPrivateGuestConfiguration } from "./resources/guestConfigurationTag";
import { dataCollectionRuleFor } from "./resources/logs";
import { machineResourceId, prepareMachine } from "./resources/machines";
import { RemediationGateOutput, rollOutByPolicyWithGate } from "./resources/policyRollout";
import { enableMachinePlans } from "./resources/machinePlans";
import { declarePrivateLink } from "./resources/privateLink";
import { checkProviderSubscription, protectSubscription } from "./resources/subscription";
import { declareArcGateway } from "./resources/arcGateway";
import {
    checkSubscriptionRole,
    mdePrerequisitesOf,
    recordSubscriptionRole,
    rememberMdePrerequisites,
} from "./resources/subscriptionOwnership";
import { NormalizedArgs, validate } from "./validate";
import { MachinePlan } from "./validate/fleet";
import { machineRouteChecks } from "./plan/machineRouteCheck";

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
        const { args: settings, warnings } = validate(args);
        const { subscriptionId, ownsSubscriptionSettings: owner } = settings;
        const preparers = checkSubscriptionRole(name, subscriptionId, owner, opts);
        super(DefenderForServersNetworkRestricted.TYPE, name, {}, opts);
        recordSubscriptionRole(name, subscriptionId, owner, this);
        for (const warning of warnings) {
            pulumi.log.warn(`${warning.path}: ${warning.message}`, this);
        }
        checkProviderSubscription(this, settings);

        // 1. What the machines may reach, and by which road: Private Link scopes, and the egress list for the proxy.
        const privateLink = declarePrivateLink(this, name, settings);
        const arcGateway = declareArcGateway(this, name, settings);
        const egressInput = egressInputFor(settings);
        const egress = egressWithGateway(settings, egressInput);
        const linkFlags = egressInput.privateLink;
        const bypass = settings.proxy === undefined ? [] : bypassList(settings.proxy.bypass, privateLinkHosts(egress));
        // A machine proves only its own region's hosts, so adding a machine elsewhere changes no other machine's check.
        const regional = new Map<string, EgressDestination[]>();
        const egressInRegion = (region: string): EgressDestination[] => {
            if (!regional.has(region)) regional.set(region, egressWithGateway(settings, { ...egressInput, regions: [region] }));
            return regional.get(region)!;
        };

        // 2. Each machine: its proxies first (MDE waits for them), then the agents with their own proxy settings.
        const fleet = {
            dataCollectionRuleId: dataCollectionRuleFor(this, name, settings, privateLink.dataCollectionEndpointId),
            dataCollectionEndpointId: privateLink.dataCollectionEndpointId,
            bypass,
            arcScopeId: privateLink.arcScopeId,
            identityPrerequisites: assignBuiltInPolicies(this, name, settings),
            // Policy mode cannot know which machines are associated with the Arc scope: never `Arc` there.
            arcBypass: arcAgentBypassWithGateway(
                settings,
                arcAgentBypass({ arcScopeAssociated: false, azureMonitorPrivateLink: linkFlags.azureMonitor, amaOwnAuthenticatedProxy: false }),
            ),
            routeChecks: settings.proxy?.routeCheck
                ? (machine: MachinePlan) =>
                      machineRouteChecks(egressInRegion(machine.location), machine, {
                          mde: settings.mdeIntegration.enabled,
                          mdeOnLinux: settings.mdeIntegration.includeLinux,
                      })
                : undefined,
        };
        // Machines onboarded with the commands join the scope at `connect`, so they bypass the proxy for Arc from the start.
        const onboardingBypass = arcAgentBypass({
            arcScopeAssociated: linkFlags.arc,
            azureMonitorPrivateLink: linkFlags.azureMonitor,
            amaOwnAuthenticatedProxy: false,
        });
        const mdePrerequisites: pulumi.Resource[] = [];
        const prerequisitesByMachine = new Map<string, pulumi.Resource[]>();
        let remediationGate: pulumi.Output<RemediationGateOutput | undefined> = pulumi.output(undefined);
        if (settings.rollout.mode === "policy") {
            // At fleet scale: policies for every current and future machine in the scope.
            const specs = rolloutPolicies(policyRolloutInputFor(settings, fleet, egress));
            const rollout = rollOutByPolicyWithGate(
                this,
                name,
                settings,
                specs,
                fleet.dataCollectionRuleId,
                fleet.dataCollectionEndpointId,
                fleet.arcScopeId,
            );
            mdePrerequisites.push(...rollout.waitFor);
            remediationGate = rollout.gate;
        } else {
            for (const machine of settings.machines) {
                const prepared = prepareMachine(this, name, settings, machine, fleet).mdePrerequisites;
                prerequisitesByMachine.set(machine.key, prepared);
                mdePrerequisites.push(...prepared);
            }
        }
        rememberMdePrerequisites(this, mdePrerequisites);

        // 3. Guest Configuration's private-network tag on existing VMs, when asked, without touching their other tags.
        if (settings.rollout.mode === "machines" && settings.guestConfiguration.tagExistingVms) {
            const vms = settings.machines.filter((m) => m.parts.guestConfiguration);
            tagVmsForPrivateGuestConfiguration(
                this,
                name,
                settings,
                vms.map((machine) => machineResourceId(subscriptionId, machine)),
            );
        }

        // 4b. The egress list as firewall rules; enforced in the named Azure Firewall policy when asked, before MDE starts.
        const firewallRules = azureFirewallRuleCollections(egress, serviceTagDestinations(egressInput), {
            sourceAddresses: settings.azureFirewall?.sourceAddresses,
        });
        const firewallGroup = enforceOnAzureFirewall(this, name, settings, firewallRules);
        if (firewallGroup !== undefined) mdePrerequisites.push(firewallGroup);

        // 4. MDE, last: the settings after every proxy (this instance's and the preparers'), the plan
        //    (which integrates MDE by default) after the settings, machine-level plans after their proxies.
        const protection = owner
            ? protectSubscription(this, name, settings, [...mdePrerequisites, ...mdePrerequisitesOf(preparers)])
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
        this.remediationGate = remediationGate;
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

/** The rollout's inputs: the same proxy, bypass lists and agent choices as per-machine mode. */
function policyRolloutInputFor(
    settings: NormalizedArgs,
    fleet: { bypass: string[]; arcBypass: string[] },
    egress: EgressDestination[],
): PolicyRolloutInput {
    const agents = {
        mde: settings.mdeIntegration.enabled,
        mdeOnLinux: settings.mdeIntegration.includeLinux,
        azureMonitorAgent: settings.logs?.azureMonitorAgent === true,
        guestConfiguration: settings.guestConfiguration.enabled,
    };
    return {
        routeChecks: settings.proxy?.routeCheck ? (kind, os) => policyRouteChecks(egress, kind, os, agents) : undefined,
        proxy: settings.proxy,
        bypass: fleet.bypass,
        arcBypass: fleet.arcBypass,
        azureMonitorAgent: settings.logs?.azureMonitorAgent === true,
        dataCollectionEndpoint: settings.privateLink?.azureMonitor !== undefined,
        guestConfigurationTag: settings.guestConfiguration.enabled,
    };
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
