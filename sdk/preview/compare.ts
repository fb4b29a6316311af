/**
 * `--compare base.json`: what a change adds, removes and modifies, against the preview JSON of
 * the base branch. Resources are matched by URN without its stack and project (parent types,
 * type and name: what Pulumi itself matches on), so a renamed stack still compares.
 */
import * as fs from "node:fs";
import { cell, details, egressTables, kindsTable, namesList, byType } from "./markdown";
import { ProjectError } from "./project";
import { EgressRow, FORMAT_VERSION, PreviewReport, ReportResource } from "./report";

/** One changed field of a modified resource. */
export interface FieldChange {
    /** Dotted path (`inputs.settings.proxy.address`, `dependsOn`). */
    path: string;
    /** Value in the base (absent when added). */
    before?: unknown;
    /** Value in the head (absent when removed). */
    after?: unknown;
}

/** The difference between two previews. */
export interface Comparison {
    /** Version of the format (the report's). */
    formatVersion: number;
    base: { project: string; stack: string; resources: number };
    head: { project: string; stack: string; resources: number };
    added: ReportResource[];
    removed: ReportResource[];
    modified: Array<{ type: string; name: string; changes: FieldChange[] }>;
    unchanged: number;
    warnings: { added: string[]; removed: string[] };
    egress: { added: EgressRow[]; removed: EgressRow[] };
    /** The head's errors: the update would fail with them. */
    errors: string[];
}

/** Reads a preview JSON written by `--json` or `--save-json`, refusing other formats with the fix. */
export function readReport(file: string): PreviewReport {
    let parsed: any;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ProjectError(`--compare ${file}: cannot read it as JSON (${(err as Error).message})`);
    }
    if (parsed === null || typeof parsed !== "object" || !Array.isArray(parsed.resources))
        throw new ProjectError(`--compare ${file}: not a preview report; write one with defender-servers-preview --json`);
    if (parsed.formatVersion !== FORMAT_VERSION)
        throw new ProjectError(
            `--compare ${file}: formatVersion ${JSON.stringify(parsed.formatVersion)}, this preview reads ${FORMAT_VERSION}; regenerate the base with the same version of defender-servers-preview`,
        );
    return parsed as PreviewReport;
}

/** The part of a URN that identifies a resource across stacks: `<parent types>$<type>::<name>`. */
export function resourceKey(r: ReportResource): string {
    const parts = r.urn.split("::");
    return parts.length >= 4 ? parts.slice(2).join("::") : `${r.type}::${r.name}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Field-level differences; objects are walked, arrays and scalars compared whole. */
function diffValues(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
    if (isPlainObject(before) && isPlainObject(after)) {
        for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
            const sub = `${path}.${key}`;
            if (!(key in after)) out.push({ path: sub, before: before[key] });
            else if (!(key in before)) out.push({ path: sub, after: after[key] });
            else diffValues(sub, before[key], after[key], out);
        }
        return;
    }
    if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before, after });
}

function comparable(r: ReportResource): Record<string, unknown> {
    return {
        parent: r.parent ?? null,
        dependsOn: [...r.dependsOn].sort(),
        retainOnDelete: r.retainOnDelete,
        protect: r.protect ?? false,
        provider: r.provider ?? "default",
        subscriptionId: r.subscriptionId,
        inputs: r.inputs,
    };
}

const egressKey = (e: EgressRow) => `${e.route} ${e.host}:${e.port} ${e.when}`;

/** Compares the head's preview with the base's. */
export function compareReports(base: PreviewReport, head: PreviewReport): Comparison {
    const baseByKey = new Map(base.resources.map((r) => [resourceKey(r), r]));
    const headKeys = new Set(head.resources.map(resourceKey));
    const added: ReportResource[] = [];
    const modified: Comparison["modified"] = [];
    let unchanged = 0;
    for (const r of head.resources) {
        const before = baseByKey.get(resourceKey(r));
        if (before === undefined) {
            added.push(r);
            continue;
        }
        const changes: FieldChange[] = [];
        const [a, b] = [comparable(before), comparable(r)];
        for (const key of Object.keys(b)) diffValues(key, a[key], b[key], changes);
        if (changes.length > 0) modified.push({ type: r.type, name: r.name, changes });
        else unchanged++;
    }
    const removed = base.resources.filter((r) => !headKeys.has(resourceKey(r)));
    const baseWarnings = new Set(base.warnings);
    const headWarnings = new Set(head.warnings);
    const baseEgress = new Map(base.egress.flatMap((c) => c.endpoints).map((e) => [egressKey(e), e]));
    const headEgress = new Map(head.egress.flatMap((c) => c.endpoints).map((e) => [egressKey(e), e]));
    return {
        formatVersion: FORMAT_VERSION,
        base: { project: base.project, stack: base.stack, resources: base.resources.length },
        head: { project: head.project, stack: head.stack, resources: head.resources.length },
        added,
        removed,
        modified,
        unchanged,
        warnings: { added: head.warnings.filter((w) => !baseWarnings.has(w)), removed: base.warnings.filter((w) => !headWarnings.has(w)) },
        egress: {
            added: [...headEgress].filter(([k]) => !baseEgress.has(k)).map(([, e]) => e),
            removed: [...baseEgress].filter(([k]) => !headEgress.has(k)).map(([, e]) => e),
        },
        errors: head.errors,
    };
}

const VALUE_TEXT = 120;

function valueText(value: unknown, full: boolean): string {
    if (value === undefined) return "(none)";
    const text = JSON.stringify(value);
    return full || text.length <= VALUE_TEXT ? text : `${text.slice(0, VALUE_TEXT)}… (${text.length} characters; --full shows it all)`;
}

function changeLine(c: FieldChange, full: boolean): string {
    if (!("before" in c)) return `${c.path}: added ${valueText(c.after, full)}`;
    if (!("after" in c)) return `${c.path}: removed (was ${valueText(c.before, full)})`;
    return `${c.path}: ${valueText(c.before, full)} → ${valueText(c.after, full)}`;
}

/** Counts in one line. */
function countsLine(c: Comparison): string {
    return `+${c.added.length} to add, -${c.removed.length} to remove, ~${c.modified.length} to modify, ${c.unchanged} unchanged`;
}

/** The comparison as text. */
export function renderCompareText(c: Comparison, full = false): string {
    const out = [`Changes against the base (${c.base.project}-${c.base.stack}): ${countsLine(c)}`];
    for (const r of c.added) out.push(`  + ${r.type} ${r.name}`);
    for (const r of c.removed) out.push(`  - ${r.type} ${r.name}`);
    for (const m of c.modified) {
        out.push(`  ~ ${m.type} ${m.name}`);
        for (const change of m.changes) out.push(`      ${changeLine(change, full)}`);
    }
    for (const e of c.egress.added) out.push(`  + egress ${e.route} ${e.host}:${e.port} (${e.when})`);
    for (const e of c.egress.removed) out.push(`  - egress ${e.route} ${e.host}:${e.port} (${e.when})`);
    for (const w of c.warnings.added) out.push(`  + warning: ${w}`);
    for (const w of c.warnings.removed) out.push(`  - warning: ${w}`);
    for (const e of c.errors) out.push(`  error: ${e}`);
    return out.join("\n");
}

function groupSection(title: string, sign: string, resources: ReportResource[]): string[] {
    if (resources.length === 0) return [];
    const rows = [...byType(resources).entries()].map(
        ([type, list]) => `| ${sign} | \`${type}\` | ${list.length} | ${namesList(list.map((r) => r.name))} |`,
    );
    return [`### ${title} (${resources.length})`, "", "| | Kind | Count | Names |", "|---|---|---:|---|", ...rows, ""];
}

/** Field changes shown per resource before the rest are only counted. */
const MODIFIED_SHOWN = 50;

/** The comparison as a PR comment; the head's full preview follows, folded. */
export function renderCompareMarkdown(c: Comparison, head: PreviewReport, full = false): string {
    const out: string[] = [];
    out.push(`## Offline preview: what this change does to \`${cell(head.project)}\`, stack \`${cell(head.stack)}\``);
    out.push("");
    out.push(`**${countsLine(c)}** · ${c.errors.length} errors · ${head.warnings.length} warnings (${c.warnings.added.length} new)`);
    out.push("");
    out.push("_Against the base branch's offline preview; mock engine, no cloud calls. Values only Azure would know are `[unknown]`, secrets `[secret]`._");
    out.push("");
    if (c.errors.length > 0) out.push(`### Errors (the update would fail)`, "", ...c.errors.map((e) => `- ${cell(e)}`), "");
    if (c.warnings.added.length > 0) out.push("### New warnings", "", ...c.warnings.added.map((w) => `- ${cell(w)}`), "");
    out.push(...groupSection("Added", "+", c.added));
    out.push(...groupSection("Removed", "-", c.removed));
    if (c.modified.length > 0) {
        out.push(`### Modified (${c.modified.length})`, "");
        for (const m of c.modified.slice(0, MODIFIED_SHOWN)) {
            out.push(
                ...details(`~ <code>${m.type}</code> <code>${cell(m.name)}</code>: ${m.changes.length} field${m.changes.length === 1 ? "" : "s"}`, [
                    "```",
                    ...m.changes.map((ch) => changeLine(ch, full)),
                    "```",
                ]),
            );
        }
        if (c.modified.length > MODIFIED_SHOWN) out.push("", `… and ${c.modified.length - MODIFIED_SHOWN} more modified resources (all in the JSON comparison).`);
        out.push("");
    }
    if (c.egress.added.length + c.egress.removed.length > 0) {
        out.push("### Egress changes", "", "| | Route | Host | Port | When |", "|---|---|---|---:|---|");
        for (const e of c.egress.added) out.push(`| + | ${e.route} | \`${cell(e.host)}\` | ${e.port} | ${e.when} |`);
        for (const e of c.egress.removed) out.push(`| - | ${e.route} | \`${cell(e.host)}\` | ${e.port} | ${e.when} |`);
        out.push("");
    }
    if (c.warnings.removed.length > 0) out.push("### Warnings gone", "", ...c.warnings.removed.map((w) => `- ${cell(w)}`), "");
    out.push(...details(`The head's preview: ${head.resources.length} resources in ${Object.keys(head.summary.byType).length} kinds`, [
        ...kindsTable(head.resources),
        "",
        ...egressTables(head),
    ]));
    return out.join("\n");
}
