/**
 * What the route check before Defender for Endpoint probes on one machine: a concrete
 * `host:port` for each proxy-routed entry the machine's agents need while they run, and the
 * Private Link host names that must resolve to private addresses. The run-command scripts take
 * them as `ROUTE_CHECK_HOSTS` / `ROUTE_CHECK_PRIVATE_HOSTS` (Linux) and `RouteCheckHosts` /
 * `RouteCheckPrivateHosts` (Windows), comma-joined.
 */
import { byString, unique } from "./endpoints";
import { EGRESS_AGENTS, EgressDestination } from "./types";

/** The targets of one machine's route check. */
export interface RouteCheckTargets {
    /** `probeHost:port`, sorted: port 443 is an HTTPS CONNECT through the proxy, port 80 a plain HTTP GET through it. */
    hosts: string[];
    /** Host names that must resolve to private (RFC 1918) addresses: the machine reaches them through a private endpoint. */
    privateHosts: string[];
}

const KNOWN_AGENTS: readonly string[] = Object.values(EGRESS_AGENTS);

/**
 * The route-check targets for a machine that runs `agents` (names as in `EGRESS_AGENTS`), optionally on one
 * operating system (`linux` or `windows`; rows for the other one are left out). Only `always` entries are
 * probed: install-time and connect-time hosts are not needed once the agents run. Entries without a concrete
 * host (`probeHost` empty: Microsoft documents none) are skipped; `egressNotes` names them.
 */
export function routeCheckTargets(egress: EgressDestination[], agents: string[], os?: string): RouteCheckTargets {
    for (const agent of agents) {
        if (!KNOWN_AGENTS.includes(agent)) {
            throw new Error(`routeCheckTargets: unknown agent "${agent}"; use one of ${KNOWN_AGENTS.map((a) => `"${a}"`).join(", ")}`);
        }
    }
    if (os !== undefined && os !== "linux" && os !== "windows") {
        throw new Error(`routeCheckTargets: os "${os}" must be "linux" or "windows"`);
    }
    const mine = egress.filter(
        (e) =>
            e.when === "always" &&
            e.probeHost !== "" &&
            e.agents.some((a) => agents.includes(a)) &&
            (os === undefined || e.platforms.includes(os)),
    );
    return {
        hosts: unique(mine.filter((e) => e.route === "proxy").map((e) => `${e.probeHost}:${e.port}`)).sort(byString),
        privateHosts: unique(mine.filter((e) => e.route === "privateLink").map((e) => e.probeHost)).sort(byString),
    };
}

/** The targets as the scripts read them: comma-joined, keyed by the Linux variable names. */
export function routeCheckVariables(targets: RouteCheckTargets): { ROUTE_CHECK_HOSTS: string; ROUTE_CHECK_PRIVATE_HOSTS: string } {
    return { ROUTE_CHECK_HOSTS: targets.hosts.join(","), ROUTE_CHECK_PRIVATE_HOSTS: targets.privateHosts.join(",") };
}
