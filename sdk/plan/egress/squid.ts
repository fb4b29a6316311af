/** The egress list as a Squid configuration snippet. */
import { byString, unique } from "./endpoints";
import { EgressEndpoint } from "./types";

const HEADER = "# defender-servers egress allowlist: CONNECT to port 443, and GET/HEAD to port 80, of these hosts only.";

/**
 * A Squid configuration snippet that allows CONNECT to port 443 of every proxy-route HTTPS host,
 * plain GET/HEAD to port 80 of every proxy-route HTTP host (certificate revocation lists), and
 * nothing else. Paste it above your final `http_access deny all`.
 *
 * Rendering: `*.x.y` becomes `.x.y`, which in Squid also matches `x.y` itself. Squid 5 refuses a
 * `dstdomain` list that holds both `.x.y` and `x.y` (and warns for `a.x.y`), so names a wildcard
 * already covers are left out of that ACL. `dstdomain` has no wildcard inside a label, so a documented
 * form such as `azgn*.servicebus.windows.net` becomes an anchored `dstdom_regex` on a second ACL,
 * rather than the much wider `.servicebus.windows.net`. `CONNECT` is one of Squid 5's predefined ACLs.
 */
export function squidAllowlistSnippet(endpoints: EgressEndpoint[], aclName = "defender_servers"): string {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(aclName)) {
        throw new Error(`egress: Squid ACL name "${aclName}" must be letters, digits and underscores, starting with a letter`);
    }
    const proxied = endpoints.filter((e) => e.route === "proxy");
    for (const e of proxied) {
        if (!(e.port === 443 && e.protocol === "https") && !(e.port === 80 && e.protocol === "http")) {
            throw new Error(
                `egress: ${e.host} on port ${e.port} (${e.protocol}) has no Squid rule; only HTTPS 443 and HTTP 80 are rendered`,
            );
        }
    }
    const https = renderAcls(hostsOn(proxied, 443), aclName);
    const http = renderAcls(hostsOn(proxied, 80), `${aclName}_http`);
    if (https.acls.length === 0 && http.acls.length === 0) return `${HEADER}\n# No host needs the proxy.\n`;

    const lines = [HEADER, `# Paste it above your final "http_access deny all"; every other destination stays denied.`];
    if (https.acls.length > 0) {
        lines.push(`acl ${aclName}_port port 443`, ...https.acls);
        for (const name of https.names) lines.push(`http_access allow CONNECT ${aclName}_port ${name}`);
    }
    if (http.acls.length > 0) {
        lines.push(
            "# Certificate revocation and trust lists travel as plain HTTP: GET and HEAD to port 80, no CONNECT.",
            `acl ${aclName}_http_port port 80`,
            `acl ${aclName}_http_methods method GET HEAD`,
            ...http.acls,
        );
        for (const name of http.names) lines.push(`http_access allow ${aclName}_http_methods ${aclName}_http_port ${name}`);
    }
    return `${lines.join("\n")}\n`;
}

function hostsOn(endpoints: EgressEndpoint[], port: number): string[] {
    return unique(endpoints.filter((e) => e.port === port).map((e) => e.host)).sort(byString);
}

/** The `dstdomain` and `dstdom_regex` ACL lines for one host list, and the ACL names they define. */
function renderAcls(hosts: string[], aclName: string): { acls: string[]; names: string[] } {
    const wildcards = hosts.filter((h) => h.startsWith("*.")).map((h) => h.slice(2));
    /** Under another wildcard's domain: `.w` matches every name that ends in `.w`. */
    const under = (domain: string): boolean => wildcards.some((w) => domain.endsWith(`.${w}`));
    /** What `.w` matches: `w` itself too. */
    const covered = (domain: string): boolean => wildcards.includes(domain) || under(domain);
    const domains: string[] = [];
    const patterns: string[] = [];
    for (const host of hosts) {
        if (!/^[a-z0-9*][a-z0-9.*-]*$/.test(host)) throw new Error(`egress: "${host}" cannot be written into a Squid ACL`);
        if (host.startsWith("*.")) {
            const domain = host.slice(2);
            if (!under(domain)) domains.push(`.${domain}`);
        } else if (host.includes("*")) {
            // One wildcard, in the first label, and a domain after it.
            if (!/^[^.*]*\*[^.*]*\.[^*]+$/.test(host)) {
                throw new Error(`egress: "${host}" has a wildcard Squid cannot match: one, in the first label, before the domain`);
            }
            // `label*.x.y` is under `.w` exactly when `x.y` is `w` or under it.
            if (!under(host)) patterns.push(host);
        } else if (!covered(host)) {
            domains.push(host);
        }
    }
    const regex = `${aclName}_regex`;
    const acls = domains.map((d) => `acl ${aclName} dstdomain ${d}`);
    for (const pattern of patterns) {
        acls.push(`# ${pattern}: dstdomain has no wildcard inside a label, so this one is a regular expression.`);
        acls.push(`acl ${regex} dstdom_regex -i ${labelWildcardRegex(pattern)}`);
    }
    const names = [...(domains.length > 0 ? [aclName] : []), ...(patterns.length > 0 ? [regex] : [])];
    return { acls, names };
}

/** `azgn*.servicebus.windows.net` as an anchored, case-insensitive regular expression for `dstdom_regex`. */
function labelWildcardRegex(pattern: string): string {
    const escape = (s: string): string => s.replace(/\./g, "\\.");
    const [before, after] = pattern.split("*");
    return `^${escape(before)}[a-z0-9-]*${escape(after)}$`;
}
