/**
 * The egress contract as the preview states it (`defender-servers-preview --json`: `egress[].endpoints[]`),
 * and how a logged host name matches one of its entries. Pure.
 *
 * Matching: an exact entry matches that name only; `*.x.y` matches any name under `x.y` at any depth but not
 * `x.y` itself (how Microsoft writes its wildcard rows, and how Azure Firewall matches a `*.x.y` target FQDN);
 * a partial-label wildcard such as `azgn*.servicebus.windows.net` matches one label that starts with `azgn`.
 * The port must match too: a CONNECT to port 80 of an HTTPS host is not the contract's request.
 */
import type { EgressRow } from "../preview/report";

/** One destination of the contract: the preview report's egress row (host, port, route, when, agents, why). */
export type ContractEntry = EgressRow;

/** Reads the contract out of a preview's JSON report. Throws when there is none. */
export function contractFromPreview(text: string, file: string): ContractEntry[] {
    let json: { egress?: Array<{ endpoints?: unknown }> };
    try {
        json = JSON.parse(text) as typeof json;
    } catch (error) {
        throw new Error(
            `--preview ${file}: not JSON (${(error as Error).message}); write it with \`defender-servers-preview --json > ${file}\``,
        );
    }
    if (!Array.isArray(json.egress))
        throw new Error(`--preview ${file}: no "egress" list; is it the output of \`defender-servers-preview --json\`?`);
    const merged = new Map<string, ContractEntry>();
    for (const component of json.egress) {
        if (!Array.isArray(component.endpoints)) continue;
        for (const raw of component.endpoints as Array<Record<string, unknown>>) {
            if (typeof raw.host !== "string" || typeof raw.port !== "number")
                throw new Error(`--preview ${file}: an egress endpoint has no host or port`);
            const key = `${raw.host.toLowerCase()}:${raw.port}`;
            const agents = Array.isArray(raw.agents) ? raw.agents.map(String) : [];
            const seen = merged.get(key);
            if (seen !== undefined) {
                seen.agents = [...new Set([...seen.agents, ...agents])].sort();
                continue;
            }
            merged.set(key, {
                host: raw.host.toLowerCase(),
                port: raw.port,
                route: String(raw.route ?? "proxy"),
                when: String(raw.when ?? "always"),
                agents,
                why: String(raw.why ?? ""),
            });
        }
    }
    if (merged.size === 0)
        throw new Error(
            `--preview ${file}: the egress list is empty; the program declares no DefenderForServersNetworkRestricted component`,
        );
    return [...merged.values()];
}

function escape(text: string): string {
    return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** A regular expression for one contract host (see the module comment for the rules). */
export function hostPattern(host: string): RegExp {
    const h = host.toLowerCase();
    if (h.startsWith("*.")) return new RegExp(`^(?:[a-z0-9_-]+\\.)+${escape(h.slice(2))}$`);
    if (h.includes("*")) {
        const dot = h.indexOf(".");
        const label = h.slice(0, dot).split("*").map(escape).join("[a-z0-9_-]*");
        return new RegExp(`^${label}${escape(h.slice(dot))}$`);
    }
    return new RegExp(`^${escape(h)}$`);
}

/** The contract entries a logged host and port match. */
export function matchingEntries(contract: ContractEntry[], host: string, port: number): ContractEntry[] {
    return contract.filter((e) => e.port === port && hostPattern(e.host).test(host));
}
