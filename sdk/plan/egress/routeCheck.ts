/**
 * What the route check before Defender for Endpoint probes on one machine: a concrete
 * `host:port` for each proxy-routed entry the machine's agents need, and the Private Link host
 * names that must resolve to private addresses. The run-command scripts take them as
 * `ROUTE_CHECK_HOSTS` / `ROUTE_CHECK_PRIVATE_HOSTS` (Linux) and `RouteCheckHosts` /
 * `RouteCheckPrivateHosts` (Windows), comma-joined.
 *
 * The scripts read the port as the protocol: 443 is an HTTPS CONNECT through the proxy followed by
 * a TLS handshake with the target (the system trust store must accept the certificate: Defender for
 * Endpoint does not support TLS inspection, defender-docs `defender-endpoint/configure-environment.md`);
 * 80 is a plain HTTP GET through the proxy, which is how the certificate revocation and trust list
 * hosts are fetched (defender-docs standard connectivity URL lists, 12/25/2025), and the only method
 * (with HEAD) the component's Squid snippet allows on port 80 (`squid.ts`).
 */
import { byString, unique } from "./endpoints";
import { EGRESS_AGENTS, EgressDestination } from "./types";

/** The targets of one machine's route check. */
export interface RouteCheckTargets {
    /** `probeHost:port`, sorted: port 443 is an HTTPS CONNECT plus TLS handshake through the proxy, port 80 a plain HTTP GET through it. */
    hosts: string[];
    /** Host names that must resolve to private (RFC 1918) addresses: the machine reaches them through a private endpoint. */
    privateHosts: string[];
}

/** Which entries besides the `always` ones a machine's route check covers. */
export interface RouteCheckScope {
    /** `linux` or `windows`: rows for the other one are left out. Both when unset. */
    os?: string;
    /**
     * Agents (names as in `EGRESS_AGENTS`) that are not installed yet when the check runs: their
     * install-time entries are probed too, because the install itself goes through the proxy
     * (Defender for Endpoint on Linux installs `mdatp` from packages.microsoft.com). Each must be
     * one of `agents`.
     */
    notYetInstalled?: string[];
}

const KNOWN_AGENTS: readonly string[] = Object.values(EGRESS_AGENTS);

function checkAgents(field: string, agents: string[]): void {
    for (const agent of agents) {
        if (!KNOWN_AGENTS.includes(agent)) {
            throw new Error(
                `routeCheckTargets: ${field}: unknown agent "${agent}"; use one of ${KNOWN_AGENTS.map((a) => `"${a}"`).join(", ")}`,
            );
        }
    }
}

/**
 * The route-check targets for a machine that runs `agents` (names as in `EGRESS_AGENTS`). Probed:
 * every `always` entry of those agents, and the `install` entries of the agents in
 * `scope.notYetInstalled`. Connect-time entries (Resource Manager, needed only while an Arc
 * machine connects) are not: the machine is connected when its run command runs. Entries without a
 * concrete host (`probeHost` empty: Microsoft documents none) are skipped; `egressNotes` names them.
 * A string `scope` is the operating system (the earlier signature).
 */
export function routeCheckTargets(egress: EgressDestination[], agents: string[], scope: string | RouteCheckScope = {}): RouteCheckTargets {
    const { os, notYetInstalled = [] } = typeof scope === "string" ? { os: scope } : scope;
    checkAgents("agents", agents);
    checkAgents("notYetInstalled", notYetInstalled);
    for (const agent of notYetInstalled) {
        if (!agents.includes(agent)) {
            throw new Error(`routeCheckTargets: notYetInstalled: "${agent}" is not one of the machine's agents; list it in agents too`);
        }
    }
    if (os !== undefined && os !== "linux" && os !== "windows") {
        throw new Error(`routeCheckTargets: os "${os}" must be "linux" or "windows"`);
    }
    const needed = (e: EgressDestination): boolean =>
        (e.when === "always" && e.agents.some((a) => agents.includes(a))) ||
        (e.when === "install" && e.agents.some((a) => notYetInstalled.includes(a)));
    const mine = egress.filter((e) => e.probeHost !== "" && needed(e) && (os === undefined || e.platforms.includes(os)));
    return {
        hosts: unique(mine.filter((e) => e.route === "proxy").map((e) => `${e.probeHost}:${e.port}`)).sort(byString),
        privateHosts: unique(mine.filter((e) => e.route === "privateLink").map((e) => e.probeHost)).sort(byString),
    };
}

/** The targets as the scripts read them: comma-joined, keyed by the Linux variable names. */
export function routeCheckVariables(targets: RouteCheckTargets): { ROUTE_CHECK_HOSTS: string; ROUTE_CHECK_PRIVATE_HOSTS: string } {
    return { ROUTE_CHECK_HOSTS: targets.hosts.join(","), ROUTE_CHECK_PRIVATE_HOSTS: targets.privateHosts.join(",") };
}
