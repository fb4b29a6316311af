/**
 * The operating-system proxy bypass list, one list for every machine, rendered for each
 * consumer: Linux `no_proxy`, Windows WinHTTP, and `azcmagent proxy.bypass`.
 */

/**
 * Destinations that never go through a proxy: the Azure wire server (extensions, Guest
 * Configuration with its private-network tag) and instance metadata, then the machine itself.
 */
export const ALWAYS_BYPASS = ["168.63.129.16", "169.254.169.254", "localhost", "127.0.0.1"] as const;

/** The full bypass list: the fixed entries first, then the given ones, without duplicates. */
export function bypassList(...groups: readonly string[][]): string[] {
    return [...new Set([...ALWAYS_BYPASS, ...groups.flat()])];
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * A CIDR range as WinHTTP can say it (it only knows `*` wildcards per octet), or undefined
 * when the prefix is not a whole number of octets.
 */
export function cidrAsWildcard(entry: string): string | undefined {
    const match = CIDR.exec(entry);
    if (match === null) return undefined;
    const prefix = Number(match[5]);
    if (prefix % 8 !== 0 || prefix > 32) return undefined;
    const kept = match.slice(1, 1 + prefix / 8);
    return [...kept, ...Array(4 - kept.length).fill("*")].join(".");
}

/** True for an entry WinHTTP cannot express (a CIDR range not on an octet boundary). */
export function unsupportedOnWindows(entry: string): boolean {
    return CIDR.test(entry) && cidrAsWildcard(entry) === undefined;
}

/** `no_proxy` for Linux: comma-separated; `*.domain` is written `.domain`, which curl, apt and Python all read. */
export function linuxNoProxy(entries: readonly string[]): string {
    return entries.map((e) => (e.startsWith("*.") ? e.slice(1) : e)).join(",");
}

/** WinHTTP bypass entries, comma-separated (the script turns them into WinHTTP's `;` list): `.domain` becomes `*.domain`, CIDR becomes octet wildcards. */
export function windowsBypass(entries: readonly string[]): string {
    return entries
        .map((e) => (e.startsWith(".") ? `*${e}` : (cidrAsWildcard(e) ?? e)))
        .filter((e, i, all) => all.indexOf(e) === i)
        .join(",");
}
