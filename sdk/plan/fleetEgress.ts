/** What the egress contract needs, read off the validated args. */
import { NormalizedArgs } from "../validate";
import { EgressInput, MdeEgressOptions } from "./egress";
import { GUID } from "../validate/fields";
import { MachinePlan } from "../validate/fleet";

/** The egress input for a fleet: its regions, the agents it runs and the services that go through Private Link. */
export function egressInputFor(args: NormalizedArgs): EgressInput {
    const machines = args.machines;
    const legacyWorkspace = args.logs?.legacyAgent?.workspaceId;
    return {
        // China is refused by validation; everything else is covered.
        cloud: args.cloud === "AzureUSGovernment" ? "AzureUSGovernment" : "AzureCloud",
        regions: [...new Set(machines.length > 0 ? machines.map((m) => m.location) : [args.location])].sort(),
        agents: args.rollout.mode === "policy" ? policyAgents(args) : listedAgents(args),
        // Only a workspace id known now can name its host; otherwise the wildcard form is listed.
        workspaceIds: typeof legacyWorkspace === "string" && GUID.test(legacyWorkspace) ? [legacyWorkspace.toLowerCase()] : [],
        privateLink: {
            arc: args.privateLink?.arc !== undefined,
            azureMonitor: args.privateLink?.azureMonitor !== undefined,
            arcMachinesOutsideScope: arcMachinesOutsideScope(args, args.machines),
        },
        mde: mdeOptions(args),
    };
}

/**
 * One machine's egress input, for its route check: its own region, and the Arc scope's hosts by
 * the road this machine takes (private endpoint once associated, the proxy otherwise).
 */
export function egressInputForMachine(args: NormalizedArgs, machine: MachinePlan, fleet: EgressInput = egressInputFor(args)): EgressInput {
    return {
        ...fleet,
        regions: [machine.location],
        privateLink: { ...fleet.privateLink, arcMachinesOutsideScope: arcMachinesOutsideScope(args, [machine]) },
    };
}

/**
 * Whether some Arc machine reaches the Arc Private Link Scope's hosts through the proxy: in
 * policy mode any machine may be unassociated (the component cannot see which, and never gives
 * them the `Arc` bypass); in per-machine mode, every Arc machine not listed `associated`.
 */
function arcMachinesOutsideScope(args: NormalizedArgs, machines: MachinePlan[]): boolean {
    if (args.privateLink?.arc === undefined) return false;
    if (args.rollout.mode === "policy") return true;
    return machines.some((m) => m.kind === "arc" && m.arcPrivateLinkScope !== "associated");
}

/** MDE's connectivity and data location, and which operating systems run it (policy mode: any machine in the scope). */
function mdeOptions(args: NormalizedArgs): MdeEgressOptions {
    const { connectivity, dataLocation, includeLinux } = args.mdeIntegration;
    const policy = args.rollout.mode === "policy";
    const windows = policy || args.machines.some((m) => m.os === "windows");
    const linux = includeLinux && (policy || args.machines.some((m) => m.os === "linux"));
    return { connectivity, ...(dataLocation === undefined ? {} : { dataLocation }), windows, linux };
}

/** Per-machine mode: the agents the listed machines get. */
function listedAgents(args: NormalizedArgs): EgressInput["agents"] {
    const machines = args.machines;
    return {
        mde: args.mdeIntegration.enabled && machines.some((m) => m.os === "windows" || args.mdeIntegration.includeLinux),
        azureMonitorAgent: machines.some((m) => m.parts.azureMonitorAgent),
        legacyAgent: machines.some((m) => m.parts.legacyAgent),
        guestConfiguration: machines.some((m) => m.parts.guestConfiguration),
        // A scope is there for Arc machines onboarded later too.
        arcAgent: machines.some((m) => m.kind === "arc") || args.privateLink?.arc !== undefined,
    };
}

/** Policy mode: every machine in the scope, of any kind, may get what the policies deploy. */
function policyAgents(args: NormalizedArgs): EgressInput["agents"] {
    return {
        mde: args.mdeIntegration.enabled,
        azureMonitorAgent: args.logs?.azureMonitorAgent === true,
        // Validation refuses the legacy agent in policy mode.
        legacyAgent: false,
        guestConfiguration: args.guestConfiguration.enabled,
        arcAgent: true,
    };
}
