/**
 * The egress audit: the contract against what the proxy or firewall logged. Pure.
 *
 * - denied required: a `proxy`-route entry that some logged request matched and was refused; the agents
 *   named on the entry are the ones failing because of it. This is what fails the audit.
 * - never used: a `proxy`-route entry no allowed request matched (harmless, or an agent that never ran;
 *   `install` and `connect` hosts are only used while agents install or Arc connects).
 * - outside the contract: hosts (with port) that match no entry, allowed or denied.
 * - sent to the proxy, should bypass it: `privateLink` and `platform` entries seen in the proxy's log.
 */
import { ContractEntry, hostPattern } from "./contract";
import { LoggedRequest } from "./logs";

/** One contract entry the proxy refused. */
export interface DeniedEntry {
    entry: ContractEntry;
    /** The host names actually refused (a wildcard entry can cover several). */
    hosts: string[];
    /** How many requests were refused. */
    denied: number;
    /** How many matching requests were let through (a rule that allows some names under a wildcard and not others). */
    allowed: number;
}

/** One host:port outside the contract. */
export interface UnknownHost {
    host: string;
    port: number;
    allowed: number;
    denied: number;
    /** Set when the host is in the contract on another port. */
    note?: string;
}

/** The audit's result. */
export interface EgressAuditReport {
    /** `squid` or `azureFirewall`. */
    logKind: string;
    requests: number;
    /** Lines or rows that were not requests. */
    skipped: number;
    deniedRequired: DeniedEntry[];
    neverUsed: ContractEntry[];
    outsideContract: UnknownHost[];
    /** Private Link and platform entries the proxy saw: they should bypass it. */
    shouldBypass: Array<{ entry: ContractEntry; hosts: string[]; requests: number }>;
}

/** Audits `requests` against `contract`. */
export function auditEgress(contract: ContractEntry[], requests: LoggedRequest[], logKind: string, skipped: number): EgressAuditReport {
    const compiled = contract.map((entry) => ({ entry, pattern: hostPattern(entry.host) }));
    const stats = new Map<ContractEntry, { allowed: number; denied: number; deniedHosts: Set<string>; hosts: Set<string> }>();
    const unknown = new Map<string, UnknownHost>();
    for (const r of requests) {
        const byHost = compiled.filter((c) => c.pattern.test(r.host));
        const matches = byHost.filter((c) => c.entry.port === r.port);
        if (matches.length === 0) {
            const key = `${r.host}:${r.port}`;
            const u = unknown.get(key) ?? { host: r.host, port: r.port, allowed: 0, denied: 0 };
            if (byHost.length > 0) u.note = `in the contract on port ${[...new Set(byHost.map((c) => c.entry.port))].join(", ")} only`;
            if (r.allowed) u.allowed++;
            else u.denied++;
            unknown.set(key, u);
            continue;
        }
        for (const { entry } of matches) {
            const s = stats.get(entry) ?? { allowed: 0, denied: 0, deniedHosts: new Set<string>(), hosts: new Set<string>() };
            s.hosts.add(r.host);
            if (r.allowed) s.allowed++;
            else {
                s.denied++;
                s.deniedHosts.add(r.host);
            }
            stats.set(entry, s);
        }
    }
    const proxied = contract.filter((e) => e.route === "proxy");
    return {
        logKind,
        requests: requests.length,
        skipped,
        deniedRequired: proxied
            .filter((e) => (stats.get(e)?.denied ?? 0) > 0)
            .map((e) => {
                const s = stats.get(e)!;
                return { entry: e, hosts: [...s.deniedHosts].sort(), denied: s.denied, allowed: s.allowed };
            }),
        neverUsed: proxied.filter((e) => (stats.get(e)?.allowed ?? 0) === 0 && (stats.get(e)?.denied ?? 0) === 0),
        outsideContract: [...unknown.values()].sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port),
        shouldBypass: contract
            .filter((e) => e.route !== "proxy" && stats.has(e))
            .map((e) => {
                const s = stats.get(e)!;
                return { entry: e, hosts: [...s.hosts].sort(), requests: s.allowed + s.denied };
            }),
    };
}

/** 1 when a required host was denied, else 0. */
export function egressAuditExitCode(report: EgressAuditReport): number {
    return report.deniedRequired.length > 0 ? 1 : 0;
}
