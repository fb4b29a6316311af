/**
 * `--compare base.json`: what a change adds, removes, renames and modifies, against the preview
 * JSON of the base branch. Resources are matched by URN without its stack and project (parent
 * types, type and name: what Pulumi itself matches on), so a renamed stack still compares, and
 * then through the head's aliases exactly as the engine would match them (aliases.ts), so a
 * safe rename (`previousKey`) shows as a rename, not as adds and removes.
 */
import * as fs from "node:fs";
import { AliasMatcher } from "./aliases";
import { cell, details, egressTables, kindsTable, namesList, byType } from "./markdown";
import { ProjectError } from "./project";
import { EgressRow, FORMAT_VERSION, PreviewReport, ReportResource } from "./report";
import { PriorResource } from "./state";
import { createUrn, ROOT_STACK_TYPE } from "./urn";
import { diffValues, FieldChange } from "./valueDiff";

/** One changed field of a modified resource (see valueDiff.ts). */
export type { FieldChange } from "./valueDiff";

/** A warning whose text changed only in a list (machines, keys): reported as changed, not as new and gone. */
export interface ChangedWarning {
    before: string;
    after: string;
    /** Entries of the list only the head's warning has. */
    added: string[];
    /** Entries only the base's warning had. */
    removed: string[];
}

/** A resource renamed through an alias: its state moves, nothing is created or deleted. */
export interface RenamedResource {
    /** The base's resource. */
    from: ReportResource;
    /** The head's resource that continues it. */
    to: ReportResource;
    /** What changed besides the name. */
    changes: FieldChange[];
}

/** One kind of change: the same field changed the same way, on every resource of one type it names. */
export interface ChangeGroup {
    type: string;
    change: FieldChange;
    names: string[];
}

/** The difference between two previews. */
export interface Comparison {
    /** Version of the format (the report's). */
    formatVersion: number;
    base: { project: string; stack: string; resources: number };
    head: { project: string; stack: string; resources: number };
    added: ReportResource[];
    removed: ReportResource[];
    /** Resources the head continues through an alias (previousKey, a moved parent): not in added or removed. */
    renamed: RenamedResource[];
    modified: Array<{ type: string; name: string; changes: FieldChange[] }>;
    /** The field changes of `modified` and `renamed`, each kind of change once. */
    groups: ChangeGroup[];
    unchanged: number;
    warnings: { added: string[]; removed: string[]; changed: ChangedWarning[] };
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

/** The base's resources as the deployed state the head's aliases are matched against, under the head's stack and project. */
function baseAsState(base: PreviewReport, head: PreviewReport): Map<string, PriorResource> {
    const olds = new Map<string, PriorResource>();
    for (const r of base.resources) {
        const urn = `urn:pulumi:${head.stack}::${head.project}::${resourceKey(r)}`;
        olds.set(urn, { urn, type: r.type, custom: true, inputs: {}, outputs: {}, protect: r.protect, retainOnDelete: r.retainOnDelete });
    }
    return olds;
}

/** For each head resource, the base resource it continues through an alias (by the engine's rules), if any. */
function renames(base: PreviewReport, head: PreviewReport): Map<ReportResource, ReportResource> {
    const olds = baseAsState(base, head);
    const baseByUrn = new Map(base.resources.map((r) => [`urn:pulumi:${head.stack}::${head.project}::${resourceKey(r)}`, r]));
    const matcher = new AliasMatcher(head.stack, head.project, olds);
    const headUrnByName = new Map(head.resources.map((r) => [r.name, r.urn]));
    const stackUrn = createUrn(head.stack, head.project, ROOT_STACK_TYPE, `${head.project}-${head.stack}`);
    const result = new Map<ReportResource, ReportResource>();
    for (const r of head.resources) {
        try {
            const parent = r.parent === undefined ? stackUrn : (headUrnByName.get(r.parent) ?? stackUrn);
            const match = matcher.register({ urn: r.urn, name: r.name, type: r.type, parent, aliases: r.aliases ?? [] });
            const from = match.via === undefined ? undefined : baseByUrn.get(match.via);
            if (from !== undefined) result.set(r, from);
        } catch {
            // Duplicate URNs or aliases are the engine's errors, reported by the head's own preview.
        }
    }
    return result;
}

/** Tokens of a warning: its words and list entries. */
const tokensOf = (text: string) =>
    text
        .split(/[\s,;]+/)
        .map((t) => t.replace(/[:.]+$/, ""))
        .filter((t) => t !== "");

/** A warning and its tokens, split once. */
interface Tokenized {
    text: string;
    tokens: string[];
}

/** Whether two warnings are one warning whose list changed: same words before and after the part that differs. */
function changedWarning(before: Tokenized, after: Tokenized): ChangedWarning | undefined {
    const [a, b] = [before.tokens, after.tokens];
    let prefix = 0;
    while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
    let suffix = 0;
    while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
    if (prefix < 2 || prefix + suffix < 0.5 * Math.max(a.length, b.length)) return undefined;
    const [middleA, middleB] = [a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix)];
    return {
        before: before.text,
        after: after.text,
        added: middleB.filter((t) => !middleA.includes(t)),
        removed: middleA.filter((t) => !middleB.includes(t)),
    };
}

/**
 * The warnings only one side has, and the pairs that are one warning reworded. Each added warning
 * (in the head's order) pairs with the first removed one it matches. A match shares at least its
 * first two tokens, so only removed warnings with the same first two are tried: with a warning per
 * machine, comparing every added with every removed one grew with the square of the fleet.
 */
function compareWarnings(base: string[], head: string[]): Comparison["warnings"] {
    const [inBase, inHead] = [new Set(base), new Set(head)];
    const added = head.filter((w) => !inBase.has(w)).map((text) => ({ text, tokens: tokensOf(text) }));
    const removed = base.filter((w) => !inHead.has(w)).map((text) => ({ text, tokens: tokensOf(text) }));
    const leading = (w: Tokenized) => JSON.stringify(w.tokens.slice(0, 2));
    const removedByLeading = new Map<string, Tokenized[]>();
    for (const before of removed) {
        if (before.tokens.length < 2) continue;
        const group = removedByLeading.get(leading(before));
        if (group === undefined) removedByLeading.set(leading(before), [before]);
        else group.push(before);
    }
    const paired = new Set<Tokenized>();
    const changed: ChangedWarning[] = [];
    for (const after of added) {
        for (const before of removedByLeading.get(leading(after)) ?? []) {
            if (paired.has(before)) continue;
            const change = changedWarning(before, after);
            if (change === undefined) continue;
            changed.push(change);
            paired.add(before).add(after);
            break;
        }
    }
    const unpaired = (list: Tokenized[]) => list.filter((w) => !paired.has(w)).map((w) => w.text);
    return { added: unpaired(added), removed: unpaired(removed), changed };
}

/** Each kind of change once: type, path and the change itself, with the resources it applies to. */
function groupChanges(entries: Array<{ type: string; name: string; changes: FieldChange[] }>): ChangeGroup[] {
    const groups = new Map<string, ChangeGroup>();
    for (const entry of entries) {
        for (const change of entry.changes) {
            // The path without the resource's own parts (a machine key inside a path is still one kind of change).
            const id = JSON.stringify([entry.type, change]);
            const group = groups.get(id);
            if (group === undefined) groups.set(id, { type: entry.type, change, names: [entry.name] });
            else group.names.push(entry.name);
        }
    }
    return [...groups.values()];
}

/** Compares the head's preview with the base's. */
export function compareReports(base: PreviewReport, head: PreviewReport): Comparison {
    const baseByKey = new Map(base.resources.map((r) => [resourceKey(r), r]));
    const renamedFrom = renames(base, head);
    const continued = new Set<ReportResource>();
    const added: ReportResource[] = [];
    const modified: Comparison["modified"] = [];
    const renamed: RenamedResource[] = [];
    let unchanged = 0;
    for (const r of head.resources) {
        const direct = baseByKey.get(resourceKey(r));
        const before = direct ?? renamedFrom.get(r);
        if (before === undefined) {
            added.push(r);
            continue;
        }
        continued.add(before);
        const changes: FieldChange[] = [];
        const [a, b] = [comparable(before), comparable(r)];
        for (const key of Object.keys(b)) diffValues(key, a[key], b[key], changes);
        if (direct === undefined) renamed.push({ from: before, to: r, changes });
        else if (changes.length > 0) modified.push({ type: r.type, name: r.name, changes });
        else unchanged++;
    }
    const removed = base.resources.filter((r) => !continued.has(r));
    const baseEgress = new Map(base.egress.flatMap((c) => c.endpoints).map((e) => [egressKey(e), e]));
    const headEgress = new Map(head.egress.flatMap((c) => c.endpoints).map((e) => [egressKey(e), e]));
    return {
        formatVersion: FORMAT_VERSION,
        base: { project: base.project, stack: base.stack, resources: base.resources.length },
        head: { project: head.project, stack: head.stack, resources: head.resources.length },
        added,
        removed,
        renamed,
        modified,
        groups: groupChanges([...modified, ...renamed.map((r) => ({ type: r.to.type, name: r.to.name, changes: r.changes }))]),
        unchanged,
        warnings: compareWarnings(base.warnings, head.warnings),
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

/** A change as lines: entries added and removed, a unified diff, or before → after. */
export function changeLines(c: FieldChange, full: boolean): string[] {
    if (c.diff !== undefined) return [`${c.path}: (unified diff of its lines)`, ...c.diff.map((l) => `    ${l}`)];
    if (c.added !== undefined || c.removed !== undefined) {
        return [
            `${c.path}: ${c.added?.length ?? 0} added, ${c.removed?.length ?? 0} removed`,
            ...(c.added ?? []).map((v) => `    + ${valueText(v, full)}`),
            ...(c.removed ?? []).map((v) => `    - ${valueText(v, full)}`),
        ];
    }
    if (!("before" in c)) return [`${c.path}: added ${valueText(c.after, full)}`];
    if (!("after" in c)) return [`${c.path}: removed (was ${valueText(c.before, full)})`];
    return [`${c.path}: ${valueText(c.before, full)} → ${valueText(c.after, full)}`];
}

/** Counts in one line. */
function countsLine(c: Comparison): string {
    return `+${c.added.length} to add, -${c.removed.length} to remove, >${c.renamed.length} renamed, ~${c.modified.length} to modify, ${c.unchanged} unchanged`;
}

const renameText = (r: RenamedResource) =>
    `${r.to.type} ${r.from.name} → ${r.to.name} (through an alias: state moves, nothing is replaced)`;

function warningChangeLines(w: ChangedWarning): string[] {
    return [
        w.after,
        ...(w.added.length > 0 ? [`now also: ${w.added.join(", ")}`] : []),
        ...(w.removed.length > 0 ? [`no longer: ${w.removed.join(", ")}`] : []),
    ];
}

/** The comparison as text: each kind of change once, with the resources it applies to. */
export function renderCompareText(c: Comparison, full = false): string {
    const out = [`Changes against the base (${c.base.project}-${c.base.stack}): ${countsLine(c)}`];
    for (const r of c.added) out.push(`  + ${r.type} ${r.name}`);
    for (const r of c.removed) out.push(`  - ${r.type} ${r.name}`);
    for (const r of c.renamed) out.push(`  > ${renameText(r)}`);
    for (const g of c.groups) {
        out.push(`  ~ ${g.type} × ${g.names.length}: ${g.names.join(", ")}`);
        for (const line of changeLines(g.change, full)) out.push(`      ${line}`);
    }
    for (const e of c.egress.added) out.push(`  + egress ${e.route} ${e.host}:${e.port} (${e.when})`);
    for (const e of c.egress.removed) out.push(`  - egress ${e.route} ${e.host}:${e.port} (${e.when})`);
    for (const w of c.warnings.added) out.push(`  + warning: ${w}`);
    for (const w of c.warnings.removed) out.push(`  - warning: ${w}`);
    for (const w of c.warnings.changed) out.push(`  ~ warning: ${warningChangeLines(w).join("\n      ")}`);
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

/** Kinds of change shown before the rest are only counted. */
const GROUPS_SHOWN = 50;

/** The comparison as a PR comment; the head's full preview follows, folded. */
export function renderCompareMarkdown(c: Comparison, head: PreviewReport, full = false): string {
    const out: string[] = [];
    out.push(`## Offline preview: what this change does to \`${cell(head.project)}\`, stack \`${cell(head.stack)}\``);
    out.push("");
    out.push(
        `**${countsLine(c)}** · ${c.errors.length} errors · ${head.warnings.length} warnings (${c.warnings.added.length} new, ${c.warnings.changed.length} changed)`,
    );
    out.push("");
    out.push(
        "_Against the base branch's offline preview; mock engine, no cloud calls. Values only Azure would know are `[unknown]`, secrets `[secret]`._",
    );
    out.push("");
    if (c.errors.length > 0) out.push(`### Errors (the update would fail)`, "", ...c.errors.map((e) => `- ${cell(e)}`), "");
    if (c.warnings.added.length > 0) out.push("### New warnings", "", ...c.warnings.added.map((w) => `- ${cell(w)}`), "");
    if (c.warnings.changed.length > 0) {
        out.push("### Changed warnings", "", ...c.warnings.changed.map((w) => `- ${warningChangeLines(w).map(cell).join("<br>")}`), "");
    }
    out.push(...groupSection("Added", "+", c.added));
    out.push(...groupSection("Removed", "-", c.removed));
    if (c.renamed.length > 0) {
        out.push(
            `### Renamed through aliases (${c.renamed.length}): state moves, nothing is created or deleted`,
            "",
            "| Kind | From | To |",
            "|---|---|---|",
        );
        for (const r of c.renamed) out.push(`| \`${r.to.type}\` | \`${cell(r.from.name)}\` | \`${cell(r.to.name)}\` |`);
        out.push("");
    }
    if (c.groups.length > 0) {
        out.push(`### Modified (${c.modified.length} resources, ${c.groups.length} kinds of change)`, "");
        for (const g of c.groups.slice(0, GROUPS_SHOWN)) {
            out.push(
                ...details(`~ <code>${g.type}</code> × ${g.names.length}: <code>${cell(g.change.path)}</code>`, [
                    "```diff",
                    ...changeLines(g.change, full),
                    "```",
                    "",
                    namesList(g.names),
                ]),
            );
        }
        if (c.groups.length > GROUPS_SHOWN)
            out.push("", `… and ${c.groups.length - GROUPS_SHOWN} more kinds of change (all in the JSON comparison).`);
        out.push("");
    }
    if (c.egress.added.length + c.egress.removed.length > 0) {
        out.push("### Egress changes", "", "| | Route | Host | Port | When |", "|---|---|---|---:|---|");
        for (const e of c.egress.added) out.push(`| + | ${e.route} | \`${cell(e.host)}\` | ${e.port} | ${e.when} |`);
        for (const e of c.egress.removed) out.push(`| - | ${e.route} | \`${cell(e.host)}\` | ${e.port} | ${e.when} |`);
        out.push("");
    }
    if (c.warnings.removed.length > 0) out.push("### Warnings gone", "", ...c.warnings.removed.map((w) => `- ${cell(w)}`), "");
    out.push(
        ...details(`The head's preview: ${head.resources.length} resources in ${Object.keys(head.summary.byType).length} kinds`, [
            ...kindsTable(head.resources),
            "",
            ...egressTables(head),
        ]),
    );
    return out.join("\n");
}
