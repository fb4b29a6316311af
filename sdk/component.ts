/**
 * `DefenderForServersNetworkRestricted`: the component. It reads like the seed article's
 * table of contents; the knowledge of what Azure needs lives in `plan/`, and the resources
 * are declared in `resources/`.
 */
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestrictedArgs } from "./args";
import { GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG } from "./plan/agents";
import { bypassList } from "./plan/bypass";
import { EgressDestination, egressNotes, privateLinkHosts, proxyAllowlist, squidAllowlistSnippet } from "./plan/egress";
import { egressInputFor } from "./plan/fleetEgress";
import { arcAgentBypass, arcOnboardingCommands, OnboardingCommands } from "./plan/privateLink";
import { arcAgentBypassWithGateway, arcGatewayEgressNotes, egressWithGateway } from "./plan/arcGateway";
import { PolicyRolloutInput, rolloutPolicies } from "./plan/policy";
import { tagVmsForPrivateGuestConfiguration } from "./resources/guestConfigurationTag";
import { dataCollectionRuleFor } from "./resources/logs";
import { machineResourceId, prepareMachine } from "./resources/machines";
import { rollOutByPolicy } from "./resources/policyRollout";
import { declarePrivateLink } from "./resources/privateLink";
import { declareArcGateway } from "./resources/arcGateway";
import {
    checkProviderSubscription,
    enableDefenderPlan,
    selectVulnerabilityManagement,
    switchOnMdeIntegration,
} from "./resources/subscription";
import { NormalizedArgs, validate } from "./validate";

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
    /** Id of the Azure Arc gateway the listed Arc machines are associated with, when `arcGateway` is set. */
    public readonly arcGatewayId: pulumi.Output<string | undefined>;
    /** The gateway's host (`<prefix>.gw.arc.azure.com`) once it exists: narrow the proxy's `*.gw.arc.azure.com` entry to it. */
    public readonly arcGatewayEndpoint: pulumi.Output<string | undefined>;
    /** Onboarding commands for new Arc machines through the gateway (`linux`, `windows`): proxy, then `azcmagent connect --gateway-id`. */
    public readonly arcGatewayOnboardingCommands: pulumi.Output<OnboardingCommands | undefined>;

    constructor(name: string, args: DefenderForServersNetworkRestrictedArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered: bad args fail the preview and leave no trace.
        const { args: settings, warnings } = validate(args);
        super(DefenderForServersNetworkRestricted.TYPE, name, {}, opts);
        for (const warning of warnings) {
            pulumi.log.warn(`${warning.path}: ${warning.message}`, this);
        }

        // 1. The plan, which everything else needs, in the subscription the provider signs in to.
        checkProviderSubscription(this, settings);
        const plan = enableDefenderPlan(this, name, settings);
        selectVulnerabilityManagement(this, name, settings, plan);

        // 2. What the machines may reach, and by which road: Private Link scopes, and the egress list for the proxy.
        const privateLink = declarePrivateLink(this, name, settings);
        const arcGateway = declareArcGateway(this, name, settings);
        const egressInput = egressInputFor(settings);
        const egress = egressWithGateway(settings, egressInput);
        const linkFlags = egressInput.privateLink;
        const bypass = settings.proxy === undefined ? [] : bypassList(settings.proxy.bypass, privateLinkHosts(egress));

        // 3. Each machine: its proxies first (MDE waits for them), then the agents with their own proxy settings.
        const fleet = {
            dataCollectionRuleId: dataCollectionRuleFor(this, name, settings, privateLink.dataCollectionEndpointId),
            dataCollectionEndpointId: privateLink.dataCollectionEndpointId,
            bypass,
            arcBypass: arcAgentBypassWithGateway(settings, arcAgentBypass(linkFlags)),
        };
        const mdePrerequisites: pulumi.Resource[] = [plan];
        if (settings.rollout.mode === "policy") {
            // At fleet scale: policies for every current and future machine in the scope.
            const specs = rolloutPolicies(policyRolloutInputFor(settings, fleet));
            mdePrerequisites.push(...rollOutByPolicy(this, name, settings, specs, fleet.dataCollectionRuleId));
        } else {
            for (const machine of settings.machines) {
                mdePrerequisites.push(...prepareMachine(this, name, settings, machine, fleet).mdePrerequisites);
            }
        }

        // 4. Guest Configuration's private-network tag on existing VMs, when asked, without touching their other tags.
        if (settings.rollout.mode === "machines" && settings.guestConfiguration.tagExistingVms) {
            const vms = settings.machines.filter((m) => m.parts.guestConfiguration);
            tagVmsForPrivateGuestConfiguration(
                this,
                name,
                settings,
                vms.map((machine) => machineResourceId(settings.subscriptionId, machine)),
            );
        }

        // 5. MDE integration, last: Defender starts deploying MDE the moment it is on.
        const mdeIntegration = switchOnMdeIntegration(this, name, settings, mdePrerequisites);

        this.pricingId = plan.id;
        this.subPlan = pulumi.output(settings.plan.subPlan);
        this.mdeIntegrationEnabled = pulumi.output(mdeIntegration !== undefined);
        this.guestConfigurationTags = pulumi.output<{ [key: string]: string }>({ ...GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG });
        this.proxyBypass = pulumi.output(bypass);
        this.egress = pulumi.output(egress);
        this.proxyAllowlist = pulumi.output(proxyAllowlist(egress));
        this.squidAllowlist = pulumi.output(squidAllowlistSnippet(egress));
        this.egressNotes = pulumi.output([...egressNotes(egressInput), ...arcGatewayEgressNotes(settings)]);
        this.arcPrivateLinkScopeId = pulumi.output(privateLink.arcScopeId);
        this.dataCollectionEndpointId = pulumi.output(privateLink.dataCollectionEndpointId);
        this.arcOnboardingCommands = onboardingFor(settings, privateLink.arcScopeId, fleet.arcBypass);
        this.arcGatewayId = arcGateway.gatewayId;
        this.arcGatewayEndpoint = arcGateway.gatewayEndpoint;
        this.arcGatewayOnboardingCommands = arcGateway.onboardingCommands;
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
            arcGatewayId: this.arcGatewayId,
            arcGatewayEndpoint: this.arcGatewayEndpoint,
            arcGatewayOnboardingCommands: this.arcGatewayOnboardingCommands,
        });
    }
}

/** The rollout's inputs: the same proxy, bypass lists and agent choices as per-machine mode. */
function policyRolloutInputFor(settings: NormalizedArgs, fleet: { bypass: string[]; arcBypass: string[] }): PolicyRolloutInput {
    return {
        proxy: settings.proxy,
        bypass: fleet.bypass,
        arcBypass: fleet.arcBypass,
        azureMonitorAgent: settings.logs?.azureMonitorAgent === true,
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
