/**
 * Which hosts one machine's proxy scripts prove before MDE is switched on: the agents that
 * machine runs decide it, and the egress list says where each agent goes.
 */
import { routeCheckTargets } from "./egress/routeCheck";
import { EGRESS_AGENTS, EgressDestination } from "./egress/types";
import { RouteCheck } from "./runCommands";
import { MachinePlan } from "../validate/fleet";

/** Seconds each probe may take; the scripts bound all probes together as well. */
export const ROUTE_CHECK_PROBE_SECONDS = 10;

/** What the fleet-wide settings say about the agents a machine runs. */
export interface RouteCheckContext {
    /** MDE integration is on (this instance or its owner). */
    mde: boolean;
    /** MDE is deployed to Linux too. */
    mdeOnLinux: boolean;
}

/** The agents (names as in the egress list) one machine runs. */
export function machineAgents(machine: MachinePlan, context: RouteCheckContext): string[] {
    const agents: string[] = [];
    if (context.mde && (machine.os === "windows" || context.mdeOnLinux)) agents.push(EGRESS_AGENTS.mde);
    if (machine.parts.azureMonitorAgent) agents.push(EGRESS_AGENTS.azureMonitorAgent);
    if (machine.parts.legacyAgent) agents.push(EGRESS_AGENTS.legacyAgent);
    if (machine.parts.guestConfiguration) agents.push(EGRESS_AGENTS.guestConfiguration);
    if (machine.kind === "arc") agents.push(EGRESS_AGENTS.arcAgent);
    return agents;
}

/**
 * Agents of the machine that are not installed yet when its proxy scripts run: Defender for
 * Endpoint, because the plan switches it on only after the proxies are in place (azure-facts
 * section 0, "what switches MDE on"). Its install goes through the proxy: Defender for Endpoint on
 * Linux installs `mdatp` from packages.microsoft.com (defender-docs
 * `defender-endpoint/linux-install-manually.md`, 04/17/2025; the standard URL list's row for that
 * host). The Arc agent is installed already (its run command runs through it); the other agents'
 * extensions are delivered by the VM or Arc agent, not by a host on the egress list.
 */
export function agentsNotYetInstalled(agents: string[]): string[] {
    return agents.filter((a) => a === EGRESS_AGENTS.mde);
}

/**
 * The OS-proxy script's check (every agent of the machine, and the install-time hosts of those
 * not installed yet), and the Arc-agent script's (the Arc agent's hosts through the proxy, proven
 * before it commits the new proxy). Undefined where there is nothing to probe.
 */
export function machineRouteChecks(
    egress: EgressDestination[],
    machine: MachinePlan,
    context: RouteCheckContext,
): { os?: RouteCheck; arc?: RouteCheck } {
    const agents = machineAgents(machine, context);
    const os = routeCheckTargets(egress, agents, { os: machine.os, notYetInstalled: agentsNotYetInstalled(agents) });
    const arc = machine.kind === "arc" ? routeCheckTargets(egress, [EGRESS_AGENTS.arcAgent], machine.os) : undefined;
    const check = (hosts: string[], privateHosts: string[]): RouteCheck | undefined =>
        hosts.length + privateHosts.length === 0 ? undefined : { hosts, privateHosts, timeoutSeconds: ROUTE_CHECK_PROBE_SECONDS };
    return { os: check(os.hosts, os.privateHosts), arc: arc === undefined ? undefined : check(arc.hosts, []) };
}
