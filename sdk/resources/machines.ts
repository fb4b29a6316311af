/**
 * Per-machine resources: the proxies inside the machine (run commands) and the agent
 * extensions with their proxy settings. Azure VMs and Arc machines take the same data
 * through different resource types; this file is the only place that knows the difference.
 */
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as hybridcompute from "@pulumi/azure-native/hybridcompute";
import * as monitor from "@pulumi/azure-native/monitor";
import { azureMonitorAgent, ExtensionSpec, guestConfigurationExtension, legacyLogAnalyticsAgent } from "../plan/agents";
import { ENDPOINT_ASSOCIATION_NAME, ruleAssociationName } from "../plan/dataCollection";
import { machineResourceName, MachineResourcePart, withAliases } from "../plan/machineNames";
import { arcAgentBypass } from "../plan/privateLink";
import {
    arcAgentProxyRunCommand,
    arcAgentProxyVerifyRunCommand,
    osProxyRunCommand,
    osProxyVerifyRunCommand,
    RouteCheck,
    RunCommandSpec,
} from "../plan/runCommands";
import { afterArcPreflight } from "./arcPreflight";
import { associateArcMachinesByPolicy } from "./builtInPolicies";
import { NormalizedArgs } from "../validate";
import { MachinePlan } from "../validate/fleet";

/** What the rest of the component needs from one prepared machine. */
export interface PreparedMachine {
    /** Resources that must be done before MDE integration is switched on. */
    mdePrerequisites: pulumi.Resource[];
    /**
     * What this machine's extension installs (AMA, Guest Configuration, the legacy agent) must
     * wait for: the proxy run commands, whose agent restarts would otherwise race the installs.
     */
    agentPrerequisites: pulumi.Resource[];
}

/** Fleet-wide values every machine shares. */
export interface FleetContext {
    /** The data collection rule AMA machines are associated with, when AMA is deployed. */
    dataCollectionRuleId?: pulumi.Input<string>;
    /** The association name of that rule ({@link ruleAssociationNameOf}), computed once for the fleet. */
    ruleAssociationName?: pulumi.Input<string>;
    /** The data collection endpoint in the Azure Monitor Private Link Scope, when there is one. */
    dataCollectionEndpointId?: pulumi.Input<string>;
    /** The operating-system bypass list. */
    bypass: string[];
    /** Values for `azcmagent config set proxy.bypass`. */
    arcBypass: string[];
    /** Each machine's route checks: what its OS-proxy script proves after setting the proxy, and the Arc hosts its Arc-agent script proves before it commits; none when absent. */
    routeChecks?: (machine: MachinePlan) => { os?: RouteCheck; arc?: RouteCheck };
    /** The Arc Private Link Scope's id, when there is one (for machines associated by policy). */
    arcScopeId?: pulumi.Input<string>;
    /** What VM extensions that sign in with a managed identity wait for: the built-in identity policies' remediation tasks. */
    identityPrerequisites?: pulumi.Resource[];
}

/** {@link ruleAssociationName} of a rule id that may be an Output (the component's own rule). */
export function ruleAssociationNameOf(ruleId: pulumi.Input<string>): pulumi.Input<string> {
    return typeof ruleId === "string" ? ruleAssociationName(ruleId) : pulumi.output(ruleId).apply(ruleAssociationName);
}

/** Values for `azcmagent config set proxy.bypass` on one Arc machine (see `arcAgentBypass`). */
export function arcBypassFor(args: NormalizedArgs, machine: MachinePlan): string[] {
    const azureMonitorPrivateLink = args.privateLink?.azureMonitor !== undefined;
    // "Proxy bypass isn't supported" with an Arc gateway: none in gateway mode.
    if (args.arcGateway !== undefined) return [];
    return arcAgentBypass({
        arcScopeAssociated: args.privateLink?.arc !== undefined && machine.arcPrivateLinkScope === "associated",
        azureMonitorPrivateLink,
        amaOwnAuthenticatedProxy:
            machine.kind === "arc" &&
            machine.os === "linux" &&
            machine.parts.azureMonitorAgent &&
            !azureMonitorPrivateLink &&
            args.proxy?.credentials !== undefined,
    });
}

/** The ARM id of a machine, from its resource group and name. */
export function machineResourceId(subscriptionId: string, machine: MachinePlan): pulumi.Input<string> {
    const provider = machine.kind === "azureVm" ? "Microsoft.Compute/virtualMachines" : "Microsoft.HybridCompute/machines";
    const { resourceGroupName: group, name } = machine;
    // Plain names give a plain id: no Output to allocate and resolve for each of thousands of machines.
    return typeof group === "string" && typeof name === "string"
        ? `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${provider}/${name}`
        : pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${provider}/${name}`;
}

function runCommand(
    name: string,
    part: MachineResourcePart,
    machine: MachinePlan,
    command: RunCommandSpec,
    options: pulumi.CustomResourceOptions,
): pulumi.Resource {
    const named = machineResourceName(name, part, machine);
    const opts = withAliases(options, named);
    const common = {
        resourceGroupName: machine.resourceGroupName,
        location: machine.location,
        runCommandName: command.runCommandName,
        source: { script: command.script },
        parameters: command.parameters,
        timeoutInSeconds: command.timeoutInSeconds,
        asyncExecution: false,
    };
    return machine.kind === "azureVm"
        ? new compute.VirtualMachineRunCommandByVirtualMachine(
              named.name,
              // A failed script fails the deployment, so MDE integration is never switched on over a broken proxy.
              { ...common, vmName: machine.name, treatFailureAsDeploymentFailure: true },
              opts,
          )
        : new hybridcompute.MachineRunCommand(named.name, { ...common, machineName: machine.name }, opts);
}

function extension(
    name: string,
    part: MachineResourcePart,
    machine: MachinePlan,
    spec: ExtensionSpec,
    options: pulumi.CustomResourceOptions,
): pulumi.Resource {
    const named = machineResourceName(name, part, machine);
    const opts = withAliases(options, named);
    // azure-native does not mark protectedSettings secret by itself.
    const protectedSettings = spec.protectedSettings === undefined ? undefined : pulumi.secret(spec.protectedSettings);
    const properties = {
        publisher: spec.publisher,
        type: spec.type,
        typeHandlerVersion: spec.typeHandlerVersion,
        autoUpgradeMinorVersion: spec.autoUpgradeMinorVersion,
        enableAutomaticUpgrade: spec.enableAutomaticUpgrade,
        settings: spec.settings,
        protectedSettings,
    };
    return machine.kind === "azureVm"
        ? new compute.VirtualMachineExtension(
              named.name,
              {
                  ...properties,
                  resourceGroupName: machine.resourceGroupName,
                  vmName: machine.name,
                  vmExtensionName: spec.name,
                  location: machine.location,
              },
              opts,
          )
        : new hybridcompute.MachineExtension(
              named.name,
              {
                  resourceGroupName: machine.resourceGroupName,
                  machineName: machine.name,
                  extensionName: spec.name,
                  location: machine.location,
                  properties,
              },
              opts,
          );
}

/** Declares everything one machine gets; returns what MDE integration must wait for. */
export function prepareMachine(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    listed: MachinePlan,
    fleet: FleetContext,
): PreparedMachine {
    // In `pulumi up`, an Arc machine's steps wait for the read of what it is (agent, OS, hardening) and fail with the reason.
    const machine = afterArcPreflight(parent, args, listed);
    const opts: pulumi.CustomResourceOptions = { parent };
    const mdePrerequisites: pulumi.Resource[] = [];
    const { proxy } = args;

    // One machine's proxy steps run one after the other: each may restart an agent (the Azure
    // Linux Agent, the Arc agent's services) that the next step, or an extension install, runs under.
    const proxySteps: pulumi.Resource[] = [];
    if (machine.parts.osProxy && proxy !== undefined) {
        const checks = fleet.routeChecks?.(machine) ?? {};
        const osCommand = osProxyRunCommand(machine.os, proxy, fleet.bypass, checks.os);
        proxySteps.push(runCommand(name, "os-proxy", machine, osCommand, opts));
        const osVerify = osProxyVerifyRunCommand(machine.os, machine.kind, proxy, fleet.bypass);
        if (osVerify !== undefined) {
            // The read-back of the proxy the restarted Azure Linux Agent runs with; a mismatch fails the deployment.
            proxySteps.push(runCommand(name, "os-proxy-verify", machine, osVerify, { parent, dependsOn: [proxySteps[0]] }));
        }
        if (machine.kind === "arc") {
            const arcCommand = arcAgentProxyRunCommand(machine.os, proxy, arcBypassFor(args, machine), fleet.bypass, checks.arc);
            proxySteps.push(runCommand(name, "arc-agent-proxy", machine, arcCommand, { parent, dependsOn: [...proxySteps] }));
            const verify = arcAgentProxyVerifyRunCommand(machine.os, proxy, arcBypassFor(args, machine), fleet.bypass);
            if (verify !== undefined) {
                proxySteps.push(
                    runCommand(name, "arc-agent-proxy-verify", machine, verify, { parent, dependsOn: [proxySteps[proxySteps.length - 1]] }),
                );
            }
        }
    }
    mdePrerequisites.push(...proxySteps);

    // Extension installs wait for the proxy steps: a restart scheduled by one must not cut an install short.
    const agentOpts: pulumi.CustomResourceOptions = { parent, dependsOn: proxySteps };

    // Through Azure Monitor Private Link the log agents go straight to the private endpoint: a
    // proxy would resolve the public address, and AMA's proxy setting has no bypass list.
    const logProxy = args.privateLink?.azureMonitor !== undefined ? undefined : proxy;

    if (machine.kind === "arc" && machine.arcPrivateLinkScope === "associateByPolicy" && fleet.arcScopeId !== undefined) {
        // Once per component, per resource group (the first such machine triggers it for all).
        associateArcMachinesByPolicy(parent, name, args, fleet.arcScopeId);
    }

    // VM extensions that sign in with the system-assigned identity also wait for the policy that adds it, when there is one.
    const identityOpts: pulumi.CustomResourceOptions =
        machine.kind === "azureVm" && fleet.identityPrerequisites !== undefined && fleet.identityPrerequisites.length > 0
            ? { parent, dependsOn: [...proxySteps, ...fleet.identityPrerequisites] }
            : agentOpts;

    if (machine.parts.azureMonitorAgent) {
        const identity = { userAssignedIdentityId: machine.userAssignedIdentityId };
        const agent = extension(name, "ama", machine, azureMonitorAgent(machine.os, logProxy, identity), identityOpts);
        // Without an association AMA installs and collects nothing.
        const associate = (
            part: "ama-dcr" | "ama-dce",
            association: {
                associationName: pulumi.Input<string>;
                dataCollectionRuleId?: pulumi.Input<string>;
                dataCollectionEndpointId?: pulumi.Input<string>;
            },
        ) => {
            const named = machineResourceName(name, part, machine);
            return new monitor.DataCollectionRuleAssociation(
                named.name,
                { resourceUri: machineResourceId(args.subscriptionId, machine), ...association },
                withAliases({ parent, dependsOn: [agent] }, named),
            );
        };
        // Named after the rule: a second component's rule on this machine gets its own association.
        associate("ama-dcr", {
            associationName: fleet.ruleAssociationName ?? ruleAssociationNameOf(fleet.dataCollectionRuleId ?? ""),
            dataCollectionRuleId: fleet.dataCollectionRuleId,
        });
        if (fleet.dataCollectionEndpointId !== undefined) {
            // With Private Link, AMA reads its configuration only from the endpoint this association names.
            associate("ama-dce", { associationName: ENDPOINT_ASSOCIATION_NAME, dataCollectionEndpointId: fleet.dataCollectionEndpointId });
        }
    }

    if (machine.parts.legacyAgent && args.logs?.legacyAgent !== undefined) {
        extension(name, "legacy-agent", machine, legacyLogAnalyticsAgent(machine.os, logProxy, args.logs.legacyAgent), agentOpts);
    }

    if (machine.parts.guestConfiguration) {
        extension(name, "guest-configuration", machine, guestConfigurationExtension(machine.os), identityOpts);
    }

    return { mdePrerequisites, agentPrerequisites: [...proxySteps] };
}
