/**
 * The optional on-machine probe (`verify --probe`): the read-only script each machine runs, and how
 * its output becomes a `ProbeResult`. Pure: `azure.ts` sends the script and hands back the text.
 *
 * What it reads, and where Microsoft documents it:
 * - Linux: `mdatp health --output json` (`healthy`), `mdatp health --field org_id`, `mdatp health --field
 *   health_issues`, and `mdatp connectivity test`, which prints one line per URL ending in `[OK]` or an error
 *   (defender-docs `defender-endpoint/linux-install-manually.md`, `linux-support-connectivity.md`).
 * - Windows: `OnboardingState` (1 = onboarded) under `HKLM\SOFTWARE\Microsoft\Windows Advanced Threat
 *   Protection\Status` and the `Sense` service (defender-docs `defender-endpoint/configure-endpoints-sccm.md`).
 * - Arc: `azcmagent check`, "a table showing connectivity test results for each required endpoint"
 *   (azure-management-docs `articles/azure-arc/servers/azcmagent-check.md`, 07/29/2025). Microsoft does not
 *   document the table's columns: a row counts as failed when a column headed `reachable` says `false`, and a
 *   table without such a column is reported as unreadable (its text kept in the JSON report), never guessed at.
 * The scripts only read: no `mdatp config`, no service start, no registry write.
 */
import { ProbeResult } from "./types";

const MARK = (name: string) => `=====defender-servers:${name}=====`;
const SECTIONS = ["health-json", "org-id", "health-issues", "connectivity", "onboarding-state", "sense", "azcmagent-check", "end"] as const;
type Section = (typeof SECTIONS)[number];

/** The read-only shell script for a Linux machine; `arc` adds `azcmagent check`. */
export function linuxProbeScript(arc: boolean): string {
    return [
        "#!/bin/sh",
        "# defender-servers verify --probe: reads Defender for Endpoint's state, changes nothing.",
        `echo '${MARK("health-json")}'`,
        "mdatp health --output json 2>&1",
        `echo '${MARK("org-id")}'`,
        "mdatp health --field org_id 2>&1",
        `echo '${MARK("health-issues")}'`,
        "mdatp health --field health_issues 2>&1",
        `echo '${MARK("connectivity")}'`,
        "mdatp connectivity test 2>&1",
        ...(arc ? [`echo '${MARK("azcmagent-check")}'`, "azcmagent check 2>&1"] : []),
        `echo '${MARK("end")}'`,
        "exit 0",
    ].join("\n");
}

/** The read-only PowerShell script for a Windows machine; `arc` adds `azcmagent check`. */
export function windowsProbeScript(arc: boolean): string {
    return [
        "# defender-servers verify --probe: reads Defender for Endpoint's state, changes nothing.",
        `Write-Output '${MARK("onboarding-state")}'`,
        "(Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection\\Status' -Name OnboardingState -ErrorAction SilentlyContinue).OnboardingState",
        `Write-Output '${MARK("sense")}'`,
        "(Get-Service -Name Sense -ErrorAction SilentlyContinue).Status",
        ...(arc ? [`Write-Output '${MARK("azcmagent-check")}'`, "& azcmagent check 2>&1"] : []),
        `Write-Output '${MARK("end")}'`,
        "exit 0",
    ].join("\n");
}

/** Splits the output at the markers; sections that did not print are absent. */
function sections(output: string): Map<Section, string> {
    const found = new Map<Section, string>();
    let current: Section | undefined;
    let lines: string[] = [];
    for (const line of output.split(/\r?\n/)) {
        const m = /^=====defender-servers:([a-z-]+)=====\s*$/.exec(line.trim());
        if (m !== null && (SECTIONS as readonly string[]).includes(m[1])) {
            if (current !== undefined) found.set(current, lines.join("\n").trim());
            current = m[1] as Section;
            lines = [];
        } else if (current !== undefined) lines.push(line);
    }
    if (current !== undefined) found.set(current, lines.join("\n").trim());
    return found;
}

function parseLinuxHealth(text: string): { healthy?: boolean } {
    const start = text.indexOf("{");
    if (start < 0) return {};
    try {
        const json = JSON.parse(text.slice(start)) as { healthy?: unknown };
        return typeof json.healthy === "boolean" ? { healthy: json.healthy } : {};
    } catch {
        return {};
    }
}

/** `mdatp health --field` prints the value, quoted when it is a string; an array prints as `[...]`. */
function unquote(text: string): string {
    return text.trim().replace(/^"(.*)"$/, "$1");
}

function parseHealthIssues(text: string): string[] {
    const t = text.trim();
    if (t === "" || t === "[]") return [];
    try {
        const parsed = JSON.parse(t) as unknown;
        if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
        // not JSON: one issue per line
    }
    return t
        .split(/\r?\n/)
        .map(unquote)
        .filter((s) => s !== "");
}

/** The URLs `mdatp connectivity test` did not report `[OK]` for. */
export function connectivityFailures(text: string): string[] {
    const failures: string[] = [];
    for (const line of text.split(/\r?\n/)) {
        const url = /(https?:\/\/[^\s\]]+)/.exec(line);
        if (url === null) continue;
        if (!/\[OK\]\s*$/i.test(line.trim())) failures.push(url[1]);
    }
    return failures;
}

/**
 * The endpoints `azcmagent check` reports unreachable: rows whose `reachable` column says `false`.
 * Undefined when no header row names a `reachable` column: Microsoft does not document the table's
 * columns, so an unknown layout is reported as unreadable rather than guessed at.
 */
export function azcmagentCheckFailures(text: string): string[] | undefined {
    const rows = text
        .split(/\r?\n/)
        .map((line) => line.split(/[|│]/).map((c) => c.trim()))
        .filter((cells) => cells.filter((c) => c !== "").length >= 2);
    const headerAt = rows.findIndex((cells) => cells.some((c) => c.toLowerCase() === "reachable"));
    if (headerAt < 0) return undefined;
    const column = rows[headerAt].findIndex((c) => c.toLowerCase() === "reachable");
    const failures: string[] = [];
    for (const cells of rows.slice(headerAt + 1)) {
        if ((cells[column] ?? "").toLowerCase() !== "false") continue;
        failures.push(cells.find((c) => /[a-z0-9-]+\.[a-z]/i.test(c)) ?? cells.filter((c) => c !== "")[0]);
    }
    return failures;
}

/** Reads a probe's output. `os` is the machine's (`windows` or `linux`); `arc` whether `azcmagent check` ran. */
export function parseProbeOutput(output: string, os: string, arc: boolean): ProbeResult {
    const parts = sections(output);
    if (!parts.has("end")) return { ran: false, error: `the probe's output was cut short: ${output.slice(0, 300)}` };
    const arcFailures = arc ? azcmagentCheckFailures(parts.get("azcmagent-check") ?? "") : undefined;
    const arcCheck = !arc
        ? {}
        : arcFailures === undefined
          ? { arcCheckUnreadable: (parts.get("azcmagent-check") ?? "").slice(0, 2000) }
          : { arcCheckFailures: arcFailures };
    if (os === "windows") {
        const state = (parts.get("onboarding-state") ?? "").trim();
        const sense = (parts.get("sense") ?? "").trim();
        const issues: string[] = [];
        if (state !== "1") issues.push(`OnboardingState is ${state === "" ? "missing" : state}, not 1`);
        if (sense !== "Running") issues.push(`the Sense service is ${sense === "" ? "missing" : sense}`);
        return { ran: true, mdeOnboarded: issues.length === 0, mdeIssues: issues, ...arcCheck };
    }
    const { healthy } = parseLinuxHealth(parts.get("health-json") ?? "");
    const orgId = unquote(parts.get("org-id") ?? "");
    const issues = parseHealthIssues(parts.get("health-issues") ?? "");
    if (healthy === undefined)
        issues.unshift(
            `mdatp health printed no JSON with "healthy" (is MDE installed?): ${(parts.get("health-json") ?? "").slice(0, 200)}`,
        );
    const validOrg = /^[0-9a-f-]{36}$/i.test(orgId);
    if (healthy === true && !validOrg) issues.push("no organization id: the sensor is not onboarded");
    return {
        ran: true,
        mdeOnboarded: healthy === true && validOrg,
        ...(validOrg ? { orgId } : {}),
        mdeIssues: issues,
        connectivityFailures: connectivityFailures(parts.get("connectivity") ?? ""),
        ...arcCheck,
    };
}
