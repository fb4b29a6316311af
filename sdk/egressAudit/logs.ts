/**
 * Proxy and firewall logs as plain requests: which host and port a machine asked for, and whether
 * it was let through. Pure parsers.
 *
 * - Squid's native `access.log` format: `time elapsed client action/status bytes method URL ident
 *   hierarchy/peer type`; a CONNECT's URL is `host:port`, a plain request's is the absolute URL; a request
 *   refused by `http_access` is logged `TCP_DENIED/403` (Squid's `logformat squid`, squid-cache.org
 *   "SquidFaq/SquidLogs" and "Features/LogFormat").
 * - Azure Firewall's application rule log, the `AZFWApplicationRule` table: columns `Fqdn`, `DestinationPort`,
 *   `Action` (`Allow` / `Deny`), `Protocol`, `SourceIp`, `TargetUrl`, `ActionReason`, `TimeGenerated`
 *   (MicrosoftDocs/azure-reference-other `azure-monitor-ref/tables/includes/azfwapplicationrule-include.md`;
 *   a request no rule matched is `Deny` with ActionReason `Default Action`). Exported either as an
 *   array of row objects (the portal's and `az monitor log-analytics query`'s JSON) or as the Logs API's
 *   `{ tables: [{ columns, rows }] }`.
 */

/** One request a proxy or firewall logged. */
export interface LoggedRequest {
    /** The host asked for, lower case, without a trailing dot. */
    host: string;
    /** The destination port. */
    port: number;
    /** True when the proxy or firewall let it through (whatever the far end then answered). */
    allowed: boolean;
    /** How the log said it: `TCP_DENIED/403`, `Deny`, ... */
    outcome: string;
    /** The requesting machine's address, when logged. */
    client: string;
}

function normalizeHost(host: string): string {
    return host
        .trim()
        .toLowerCase()
        .replace(/\.$/, "")
        .replace(/^\[(.*)\]$/, "$1");
}

/** Host and port of a Squid URL field: `host:443` for CONNECT, `http://host[:port]/path` otherwise. */
function squidTarget(method: string, url: string): { host: string; port: number } | undefined {
    if (method === "CONNECT") {
        const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(url);
        return m === null ? undefined : { host: normalizeHost(m[1]), port: Number(m[2]) };
    }
    try {
        const u = new URL(url);
        const port = u.port !== "" ? Number(u.port) : u.protocol === "https:" ? 443 : u.protocol === "http:" ? 80 : NaN;
        return Number.isNaN(port) ? undefined : { host: normalizeHost(u.hostname), port };
    } catch {
        return undefined;
    }
}

/** The requests in a Squid access.log (native format). Lines that are not access records are skipped and counted. */
export function parseSquidAccessLog(text: string): { requests: LoggedRequest[]; skipped: number } {
    const requests: LoggedRequest[] = [];
    let skipped = 0;
    for (const line of text.split(/\r?\n/)) {
        if (line.trim() === "") continue;
        const f = line.trim().split(/\s+/);
        // time elapsed client action/status bytes method URL ...
        const target = f.length >= 7 && /^\d+(\.\d+)?$/.test(f[0]) && f[3].includes("/") ? squidTarget(f[5], f[6]) : undefined;
        if (target === undefined) {
            skipped++;
            continue;
        }
        const action = f[3].split("/")[0];
        requests.push({ ...target, allowed: !action.includes("DENIED"), outcome: f[3], client: f[2] });
    }
    return { requests, skipped };
}

type FirewallRow = Record<string, unknown>;

function rowsOfExport(json: unknown): FirewallRow[] {
    if (Array.isArray(json)) return json as FirewallRow[];
    const tables = (json as { tables?: Array<{ columns?: Array<{ name?: string }>; rows?: unknown[][] }> } | null)?.tables;
    if (Array.isArray(tables)) {
        return tables.flatMap((t) => {
            const names = (t.columns ?? []).map((c) => c.name ?? "");
            return (t.rows ?? []).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
        });
    }
    throw new Error("not an AZFWApplicationRule export: expected a JSON array of rows, or the Logs API's { tables: [...] }");
}

/** The requests in an exported `AZFWApplicationRule` table. Throws, naming the column, when rows lack `Fqdn` or `Action`. */
export function parseFirewallApplicationRuleLog(text: string): { requests: LoggedRequest[]; skipped: number } {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (error) {
        throw new Error(`not JSON: ${(error as Error).message}`);
    }
    const rows = rowsOfExport(json);
    const requests: LoggedRequest[] = [];
    let skipped = 0;
    for (const row of rows) {
        const fqdn = row.Fqdn;
        const action = row.Action;
        if (typeof fqdn !== "string" || typeof action !== "string") {
            throw new Error(
                "a row has no Fqdn or Action column: export the AZFWApplicationRule table (resource-specific mode), not AzureDiagnostics",
            );
        }
        const port = Number(row.DestinationPort);
        if (fqdn.trim() === "" || !Number.isInteger(port)) {
            skipped++;
            continue;
        }
        requests.push({
            host: normalizeHost(fqdn),
            port,
            allowed: action.toLowerCase() === "allow",
            outcome: action,
            client: String(row.SourceIp ?? ""),
        });
    }
    return { requests, skipped };
}

/** Which parser a log needs: JSON means an Azure Firewall export, anything else a Squid access.log. */
export function parseEgressLog(text: string): { kind: "squid" | "azureFirewall"; requests: LoggedRequest[]; skipped: number } {
    const start = text.trimStart()[0];
    if (start === "[" || start === "{") return { kind: "azureFirewall", ...parseFirewallApplicationRuleLog(text) };
    return { kind: "squid", ...parseSquidAccessLog(text) };
}
