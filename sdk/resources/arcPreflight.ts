/**
 * The preflight read of each listed Arc machine, in per-machine mode, during `pulumi up` only:
 * `hybridcompute.getMachine` reports the agent's version, the OS and the agent's local hardening,
 * and `arcPreflightProblems` says what cannot work. In a preview nothing is read (a preview
 * must not fail on values it would have to make up), so the first `pulumi up` is where it fails.
 * The machine's steps take their resource group through the read, so none of them is created
 * on a machine the read refused.
 */
import * as pulumi from "@pulumi/pulumi";
import * as hybridcompute from "@pulumi/azure-native/hybridcompute";
import { AMA_EXTENSION_TYPES, LEGACY_AGENT_EXTENSION_TYPES } from "../plan/agents";
import { ArcMachineNeeds, ArcMachineView, ExtensionName, arcPreflightProblems } from "../plan/arcPreflight";
import { NormalizedArgs } from "../validate";
import { MachinePlan } from "../validate/fleet";

/** What the component will run and install on an Arc machine. */
export function arcMachineNeeds(args: NormalizedArgs, machine: MachinePlan): ArcMachineNeeds {
    const extensions: ExtensionName[] = [];
    if (machine.parts.azureMonitorAgent) extensions.push(AMA_EXTENSION_TYPES[machine.os]);
    if (machine.parts.legacyAgent) extensions.push(LEGACY_AGENT_EXTENSION_TYPES[machine.os]);
    // Defender deploys MDE itself once the plan runs; a machine that refuses it is left unprotected.
    if (args.mdeIntegration.enabled && (machine.os === "windows" || args.mdeIntegration.includeLinux)) {
        extensions.push({
            publisher: "Microsoft.Azure.AzureDefenderForServers",
            type: machine.os === "windows" ? "MDE.Windows" : "MDE.Linux",
        });
    }
    return { key: machine.key, os: machine.os, runCommands: machine.parts.osProxy && args.proxy !== undefined, extensions };
}

/**
 * The machine with its resource group read through the preflight: in `pulumi up`, an Arc machine
 * whose read shows a problem fails every resource declared on it, with the problems as the error.
 * Azure VMs, a preview, and machines whose group or name is not plain text are returned as they are.
 */
export function afterArcPreflight(
    parent: pulumi.Resource,
    args: NormalizedArgs,
    machine: MachinePlan,
    now: () => Date = () => new Date(),
): MachinePlan {
    if (machine.kind !== "arc" || pulumi.runtime.isDryRun() || args.rollout.mode !== "machines") return machine;
    const group = machine.resourceGroupName;
    const view = hybridcompute.getMachineOutput({ resourceGroupName: group, machineName: machine.name }, { parent });
    const needs = arcMachineNeeds(args, machine);
    const checked = pulumi.all([view, group]).apply(([seen, resourceGroupName]) => {
        const problems = arcPreflightProblems(seen as ArcMachineView, needs, now());
        if (problems.length > 0) throw new Error(`Arc machine preflight (${machine.path}): ${problems.join("; ")}`);
        return resourceGroupName;
    });
    return { ...machine, resourceGroupName: checked };
}
