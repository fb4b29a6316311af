/**
 * The machines part, shared by `DefenderMachines`, `DefenderManagementGroupRollout` and the
 * all-in-one `DefenderForServersNetworkRestricted` (which passes itself as `parent`, so its
 * resources keep their URNs): the egress list, each machine's proxies and agents or the policy
 * rollout, the Guest Configuration tag and the firewall rules. It composes the builders in
 * `resources/` and `plan/`; it decides nothing they do not.
 */
import * as pulumi from "@pulumi/pulumi";
import { arcAgentBypassWithGateway, egressWithGateway } from "../plan/arcGateway";
import { EgressDestination, EgressEndpoint, EgressInput } from "../plan/egress";
import { AzureFirewallRuleCollection } from "../plan/firewallRules";
import { egressInputForMachine } from "../plan/fleetEgress";
import { machineRouteChecks } from "../plan/machineRouteCheck";
import { policyRouteChecks, PolicyRolloutInput, rolloutPolicies } from "../plan/policy";
import { arcAgentBypass } from "../plan/privateLink";
import { assignBuiltInPolicies } from "../resources/builtInPolicies";
import { enforceOnAzureFirewall } from "../resources/firewall";
import { tagVmsForPrivateGuestConfiguration } from "../resources/guestConfigurationTag";
import { dataCollectionRuleFor } from "../resources/logs";
import { machineResourceId, prepareMachine, ruleAssociationNameOf } from "../resources/machines";
import { RemediationGateOutput, rollOutByPolicyWithGate } from "../resources/policyRollout";
import { NormalizedArgs } from "../validate";
import { MachinePlan } from "../validate/fleet";
import { egressPlan } from "./egress";

/** The Private Link resources the machines use, made by the all-in-one or by a `DefenderConnectivity`. */
export interface FleetLinks {
    /** Id of the Arc Private Link Scope, when there is one. */
    arcScopeId?: pulumi.Input<string>;
    /** Id of the data collection endpoint in the Azure Monitor Private Link Scope, when there is one. */
    dataCollectionEndpointId?: pulumi.Input<string>;
}

/** What the machines part declared, and what the subscription part must wait for. */
export interface PreparedFleet {
    /** The egress input the lists are computed from. */
    egressInput: EgressInput;
    /** Every endpoint the machines reach. */
    egress: EgressEndpoint[];
    /** The operating-system proxy bypass list (empty without a proxy). */
    bypass: string[];
    /** What MDE must wait for: every proxy step, or the policy rollout, and the firewall rules. */
    mdePrerequisites: pulumi.Resource[];
    /** Each listed machine's own proxy steps (per-machine mode), for its machine-level plan. */
    prerequisitesByMachine: Map<string, pulumi.Resource[]>;
    /** The egress list as Azure Firewall rule collections. */
    firewallRules: AzureFirewallRuleCollection[];
    /** The rule collection group added to the user's firewall policy, when asked. */
    firewallGroup?: pulumi.CustomResource;
    /** Policy mode: the MDE gate's verdict (unset without a gate). */
    remediationGate: pulumi.Output<RemediationGateOutput | undefined>;
}

/** Declares the machines part under `parent`, in the order the all-in-one always has. */
export function prepareFleet(parent: pulumi.Resource, name: string, settings: NormalizedArgs, links: FleetLinks): PreparedFleet {
    const { input: egressInput, egress, bypass, firewallRules } = egressPlan(settings);
    const linkFlags = egressInput.privateLink;
    // A machine proves only its own region's hosts, so adding a machine elsewhere changes no other machine's check.
    // Keyed by region and road to the Arc scope: an associated Arc machine proves the private endpoint, an unassociated one the proxy.
    const regional = new Map<string, EgressDestination[]>();
    const egressFor = (machine: MachinePlan): EgressDestination[] => {
        const input = egressInputForMachine(settings, machine, egressInput);
        const key = `${machine.location}/${input.privateLink.arcMachinesOutsideScope === true}`;
        if (!regional.has(key)) regional.set(key, egressWithGateway(settings, input));
        return regional.get(key)!;
    };

    // Each machine: its proxies first (MDE waits for them), then the agents with their own proxy settings.
    const dataCollectionRuleId = dataCollectionRuleFor(parent, name, settings, links.dataCollectionEndpointId);
    const fleet = {
        dataCollectionRuleId,
        // Once for the fleet, not once per machine: one name per rule.
        ruleAssociationName: dataCollectionRuleId === undefined ? undefined : ruleAssociationNameOf(dataCollectionRuleId),
        dataCollectionEndpointId: links.dataCollectionEndpointId,
        bypass,
        arcScopeId: links.arcScopeId,
        identityPrerequisites: assignBuiltInPolicies(parent, name, settings),
        // Policy mode cannot know which machines are associated with the Arc scope: never `Arc` there.
        arcBypass: arcAgentBypassWithGateway(
            settings,
            arcAgentBypass({ arcScopeAssociated: false, azureMonitorPrivateLink: linkFlags.azureMonitor, amaOwnAuthenticatedProxy: false }),
        ),
        routeChecks: settings.proxy?.routeCheck
            ? (machine: MachinePlan) =>
                  machineRouteChecks(egressFor(machine), machine, {
                      mde: settings.mdeIntegration.enabled,
                      mdeOnLinux: settings.mdeIntegration.includeLinux,
                  })
            : undefined,
    };
    const mdePrerequisites: pulumi.Resource[] = [];
    const prerequisitesByMachine = new Map<string, pulumi.Resource[]>();
    let remediationGate: pulumi.Output<RemediationGateOutput | undefined> = pulumi.output(undefined);
    if (settings.rollout.mode === "policy") {
        // At fleet scale: policies for every current and future machine in the scope.
        const specs = rolloutPolicies(policyRolloutInputFor(settings, fleet, egress));
        const rollout = rollOutByPolicyWithGate(
            parent,
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
            const prepared = prepareMachine(parent, name, settings, machine, fleet).mdePrerequisites;
            prerequisitesByMachine.set(machine.key, prepared);
            mdePrerequisites.push(...prepared);
        }
    }

    // Guest Configuration's private-network tag on existing VMs, when asked, without touching their other tags.
    if (settings.rollout.mode === "machines" && settings.guestConfiguration.tagExistingVms) {
        const vms = settings.machines.filter((m) => m.parts.guestConfiguration);
        tagVmsForPrivateGuestConfiguration(
            parent,
            name,
            settings,
            vms.map((machine) => machineResourceId(settings.subscriptionId, machine)),
        );
    }

    // The egress list as firewall rules; enforced in the named Azure Firewall policy when asked, before MDE starts.
    const firewallGroup = enforceOnAzureFirewall(parent, name, settings, firewallRules);
    if (firewallGroup !== undefined) mdePrerequisites.push(firewallGroup);
    return { egressInput, egress, bypass, mdePrerequisites, prerequisitesByMachine, firewallRules, firewallGroup, remediationGate };
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
