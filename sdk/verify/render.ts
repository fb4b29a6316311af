/**
 * The three outputs of `verify`: a table for people, JSON for machines, Markdown for an issue or a
 * job summary. Pure.
 */
import { Finding, MachineVerdict, VerdictState } from "./types";

/** Version of the JSON report; bump it when a field changes meaning. */
export const VERIFY_FORMAT_VERSION = 1;

/** The JSON report. */
export interface VerifyReport {
    formatVersion: number;
    /** What was checked: `subscriptions` or `managementGroups`. */
    scope: { subscriptions?: string[]; managementGroups?: string[] };
    /** When the check ran (ISO 8601). */
    checkedAt: string;
    summary: Record<VerdictState, number> & { machines: number };
    machines: Array<{
        id: string;
        name: string;
        kind: string;
        os: string;
        verdict: VerdictState;
        reason: string;
        nextStep?: string;
        findings: Finding[];
        facts: MachineVerdict["facts"];
    }>;
}

/** Counts by verdict. */
export function summarize(verdicts: MachineVerdict[]): VerifyReport["summary"] {
    const count = (v: VerdictState) => verdicts.filter((x) => x.verdict === v).length;
    return { machines: verdicts.length, protected: count("protected"), "not yet": count("not yet"), broken: count("broken") };
}

/** The JSON report's object. */
export function buildReport(verdicts: MachineVerdict[], scope: VerifyReport["scope"], checkedAt: Date): VerifyReport {
    return {
        formatVersion: VERIFY_FORMAT_VERSION,
        scope,
        checkedAt: checkedAt.toISOString(),
        summary: summarize(verdicts),
        machines: verdicts.map((v) => ({
            id: v.facts.machine.id,
            name: v.facts.machine.name,
            kind: v.facts.machine.kind,
            os: v.facts.machine.os,
            verdict: v.verdict,
            reason: v.reason,
            ...(v.nextStep !== undefined ? { nextStep: v.nextStep } : {}),
            findings: v.findings,
            facts: v.facts,
        })),
    };
}

function cell(verdict: MachineVerdict, check: string): string {
    const f = verdict.findings.find((x) => x.check === check);
    if (f === undefined) return "-";
    return f.state === "info" ? "" : f.state;
}

const COLUMNS: Array<[string, (v: MachineVerdict) => string]> = [
    ["MACHINE", (v) => v.facts.machine.name],
    ["KIND", (v) => `${v.facts.machine.kind}/${v.facts.machine.os || "?"}`],
    [
        "PLAN",
        (v) =>
            v.facts.pricing === undefined
                ? "?"
                : v.facts.pricing.pricingTier === "Standard"
                  ? v.facts.pricing.subPlan || "Standard"
                  : "Free",
    ],
    ["MDE", (v) => v.facts.mde?.provisioningState ?? "none"],
    ["EDR", (v) => v.facts.edr?.status ?? "none"],
    [
        "ARC",
        (v) => (v.facts.machine.kind === "arc" ? `${v.facts.machine.arcStatus || "?"} ${v.facts.machine.arcAgentVersion}`.trim() : "-"),
    ],
    ["AMA", (v) => cell(v, "ama")],
    ["PROBE", (v) => cell(v, "probe")],
    ["VERDICT", (v) => v.verdict],
    ["REASON / NEXT STEP", (v) => (v.nextStep === undefined ? v.reason : `${v.reason} -> ${v.nextStep}`)],
];

/** A fixed-width table, one line per machine, then the counts. */
export function renderTable(verdicts: MachineVerdict[]): string {
    const rows = verdicts.map((v) => COLUMNS.map(([, get]) => get(v)));
    // A fold, not Math.max(...rows): spreading a management group's 150,000 rows as arguments overflows the stack.
    const widths = COLUMNS.slice(0, -1).map(([title], i) => rows.reduce((width, r) => Math.max(width, r[i].length), title.length));
    const line = (cells: string[]) =>
        cells
            .map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c))
            .join("  ")
            .trimEnd();
    const s = summarize(verdicts);
    return [
        line(COLUMNS.map(([title]) => title)),
        ...rows.map(line),
        "",
        `${s.machines} machines: ${s.protected} protected, ${s["not yet"]} not yet, ${s.broken} broken`,
    ].join("\n");
}

function md(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** A Markdown report: counts, then one table row per machine that is not protected first. */
export function renderMarkdown(verdicts: MachineVerdict[]): string {
    const s = summarize(verdicts);
    const order: Record<VerdictState, number> = { broken: 0, "not yet": 1, protected: 2 };
    const sorted = [...verdicts].sort(
        (a, b) => order[a.verdict] - order[b.verdict] || a.facts.machine.name.localeCompare(b.facts.machine.name),
    );
    return [
        "## Defender for Servers: is it working?",
        "",
        `**${s.protected}** protected, **${s["not yet"]}** not yet, **${s.broken}** broken, of ${s.machines} machines.`,
        "",
        "| machine | kind | verdict | reason | next step |",
        "|---|---|---|---|---|",
        ...sorted.map(
            (v) =>
                `| ${md(v.facts.machine.name)} | ${v.facts.machine.kind}/${v.facts.machine.os || "?"} | ${v.verdict} | ${md(v.reason)} | ${md(v.nextStep ?? "")} |`,
        ),
        "",
    ].join("\n");
}
