/** Validation of `proxy`: the address every agent will use, and the credentials only some can. */
import * as pulumi from "@pulumi/pulumi";
import { describe, isInput, isObject, readBoolean, readObject, readRequiredString, rejectUnknownKeys } from "./fields";
import { ProblemList } from "./problems";

/** The proxy after validation. */
export interface NormalizedProxy {
    /** `http://host:port`, with nothing else. */
    url: string;
    /** Host name or IP address. */
    host: string;
    /** TCP port. */
    port: number;
    /** The user's extra bypass entries. */
    bypass: string[];
    /** Credentials for agents that can authenticate; secret. */
    credentials?: { username: pulumi.Input<string>; password: pulumi.Input<string> };
    /** The user said the agent hosts pass without credentials. */
    unauthenticatedForAgentHosts: boolean;
    /** Prove the route from each machine after setting its proxy, before MDE is switched on. */
    routeCheck: boolean;
}

const PROXY_FIELDS = ["address", "bypass", "username", "password", "unauthenticatedForAgentHosts", "routeCheck"] as const;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const BYPASS_ENTRY = /^[A-Za-z0-9.*:/_-]+$/;

/** Parses and checks `proxy.address`; returns undefined (with a problem) when unusable. */
export function parseProxyAddress(
    problems: ProblemList,
    value: unknown,
    path: string,
): { url: string; host: string; port: number } | undefined {
    const text = readRequiredString(problems, value, path, "give the proxy as http://host:port");
    if (text === undefined) return undefined;
    // Credentials first, whatever else is wrong: every later message quotes the address, and this one must not.
    // An "@" is refused wherever it is: a proxy address has no path or query that could need one.
    if (text.includes("@")) {
        problems.error(
            path,
            "contains credentials; give only http://host:port and put them in proxy.username and proxy.password, which stay secret",
        );
        return undefined;
    }
    if (/\.pac$/i.test(text) || /(^|[/.])wpad([./:]|$)/i.test(text)) {
        problems.error(path, `"${text}" is a PAC or WPAD address; MDE on Linux and the agents need a static proxy: give http://host:port`);
        return undefined;
    }
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1].toLowerCase();
    if (scheme === undefined) {
        problems.error(path, `"${text}" has no scheme; use http://${text}`);
        return undefined;
    }
    if (scheme !== "http") {
        const rest = text.slice(scheme.length + 3);
        problems.error(
            path,
            `"${text}" uses ${scheme}://; the agents talk to the proxy in plain HTTP and open TLS through it with CONNECT: use http://${rest}`,
        );
        return undefined;
    }
    // The authority ends where a path, a query or a fragment begins.
    const authority = text.slice("http://".length).split(/[/?#]/)[0];
    if (!/:\d+$/.test(authority)) {
        problems.error(path, `"${text}" has no port; agents do not assume one: use http://${authority}:3128 (or your proxy's port)`);
        return undefined;
    }
    // Before the URL parser, which refuses a port above 65535 without saying why.
    const port = Number(authority.slice(authority.lastIndexOf(":") + 1));
    if (!(port >= 1 && port <= 65535)) {
        problems.error(path, `port ${port} is out of range; use 1-65535`);
        return undefined;
    }
    let parsed: URL;
    try {
        parsed = new URL(text);
    } catch {
        problems.error(path, `"${text}" is not a valid URL; use http://host:port`);
        return undefined;
    }
    // An http URL's path is "/" at least: the parser adds it.
    if (parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "") {
        problems.error(path, `"${text}" has a path or query; give only http://host:port`);
        return undefined;
    }
    if (parsed.hostname.startsWith("[")) {
        problems.error(path, "is an IPv6 address; the agents' proxy settings take a host name or an IPv4 address");
        return undefined;
    }
    const host = parsed.hostname;
    if (!HOST.test(host)) {
        problems.error(path, `"${host}" is not a valid host name`);
        return undefined;
    }
    return { url: `http://${parsed.hostname}:${port}`, host, port };
}

/**
 * Bounds of `proxy.bypass`: a DNS name is at most 253 characters; 200 entries and 3584 characters
 * are more than any real list and keep each systemd `Environment=` line and run-command parameter
 * small. The Linux scripts (sdk/scripts/linux/common.sh) accept this list plus everything the
 * component adds (wire server, IMDS, loopback, Private Link hosts: 1000 entries, 16384 characters
 * besides the fixed ones); test/bypassValidation.linux.spec.ts runs the longest accepted list
 * through them.
 */
export const BYPASS_LIMITS = { entryChars: 253, entries: 200, totalChars: 3584 } as const;

/**
 * Reads `proxy.bypass`. No message quotes an entry: one given by mistake with `user:password@`
 * would carry its credential into CI logs. Entries are named by their index instead.
 */
function readBypass(problems: ProblemList, value: unknown): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        problems.error("proxy.bypass", "expected a list of host names, domains or IP addresses");
        return [];
    }
    if (value.length > BYPASS_LIMITS.entries) {
        problems.error(
            "proxy.bypass",
            `has ${value.length} entries; at most ${BYPASS_LIMITS.entries} are accepted - use .domain suffixes or CIDR ranges`,
        );
        return [];
    }
    const entries: string[] = [];
    value.forEach((entry, i) => {
        const path = `proxy.bypass[${i}]`;
        if (typeof entry !== "string") {
            problems.error(path, `expected a string, got ${entry === null ? "null" : Array.isArray(entry) ? "a list" : typeof entry}`);
            return;
        }
        if (entry.includes("@")) {
            problems.error(
                path,
                "carries credentials (user:password@); a bypass entry is only a host name, .domain or IP range - remove them",
            );
            return;
        }
        if (!/[A-Za-z0-9]/.test(entry)) {
            problems.error(path, "would send everything around the proxy; list the hosts, .domains or ranges that must skip it");
            return;
        }
        if (entry.length > BYPASS_LIMITS.entryChars) {
            problems.error(path, `is ${entry.length} characters long; a host name has at most ${BYPASS_LIMITS.entryChars}`);
            return;
        }
        if (!BYPASS_ENTRY.test(entry) || entry.includes("://")) {
            problems.error(
                path,
                'is not a host name, .domain or IP address (letters, digits and . _ * : / - only, no scheme); give e.g. ".corp.example" or "10.0.0.0/8"',
            );
            return;
        }
        entries.push(entry);
    });
    const total = entries.join(",").length;
    if (total > BYPASS_LIMITS.totalChars) {
        problems.error(
            "proxy.bypass",
            `is ${total} characters long in all; at most ${BYPASS_LIMITS.totalChars} - use .domain suffixes or CIDR ranges`,
        );
        return [];
    }
    return entries;
}

/** Reads `proxy`, or undefined when there is none. */
export function readProxy(problems: ProblemList, value: unknown): NormalizedProxy | undefined {
    const fields = readObject(problems, value, "proxy");
    if (fields === undefined) return undefined;
    rejectUnknownKeys(problems, fields, "proxy", PROXY_FIELDS);
    const address = parseProxyAddress(problems, fields.address, "proxy.address");
    const bypass = readBypass(problems, fields.bypass);
    const unauthenticatedForAgentHosts = readBoolean(
        problems,
        fields.unauthenticatedForAgentHosts,
        "proxy.unauthenticatedForAgentHosts",
        false,
    );

    for (const field of ["username", "password"] as const) {
        const credential = fields[field];
        // Strings (a blank one too) are Inputs, so a credential is never echoed here.
        if (credential !== undefined && credential !== null && !isInput(credential)) {
            problems.error(`proxy.${field}`, `expected a string or an Output of one (a secret), got ${describe(credential)}`);
        }
    }
    const hasUser = isGiven(fields.username);
    const hasPassword = isGiven(fields.password);
    if (hasUser !== hasPassword) {
        problems.error(
            hasUser ? "proxy.password" : "proxy.username",
            "is missing; give both proxy.username and proxy.password, or neither",
        );
    }
    if (!hasUser && fields.unauthenticatedForAgentHosts !== undefined) {
        problems.error("proxy.unauthenticatedForAgentHosts", "only matters with proxy.username and proxy.password; remove it");
    }
    if (address === undefined) return undefined;
    return {
        ...address,
        bypass,
        credentials:
            hasUser && hasPassword
                ? { username: fields.username as pulumi.Input<string>, password: fields.password as pulumi.Input<string> }
                : undefined,
        unauthenticatedForAgentHosts,
        routeCheck: readRouteCheck(problems, fields.routeCheck),
    };
}

function readRouteCheck(problems: ProblemList, value: unknown): boolean {
    const on = readBoolean(problems, value, "proxy.routeCheck", true);
    if (!on) {
        problems.warn(
            "proxy.routeCheck",
            "is false: no machine proves its route through the proxy before MDE is switched on, so a proxy that blocks one host leaves MDE deployed and not onboarded, with nothing failing",
        );
    }
    return on;
}

/** A credential counts as given when it is a non-empty string or an object (an Output, a promise, or a wrong value reported on its own). */
function isGiven(value: unknown): boolean {
    // Outputs and promises are objects; any other object counts as given too, so that its type error is the only one.
    return typeof value === "string" ? value !== "" : isObject(value);
}
