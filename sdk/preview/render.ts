/**
 * Renders a preview report the way `pulumi preview` shows a plan: a resource tree, then each
 * resource's inputs, provider and what it waits for, the warnings, the outputs and a count.
 */
import * as yaml from "js-yaml";
import { PreviewReport, ReportChange, ReportResource } from "./report";
import { StepOp } from "./steps";

export { buildReport, FORMAT_VERSION, PreviewReport, EgressRow, ReportResource } from "./report";

/** How to render. */
export interface RenderOptions {
    /** Every value in full: no summarized scripts, no folded lines (`--full`). */
    full?: boolean;
}

// Long strings (scripts, templates as text) are summarized unless `--full`: the preview is for reading.
const LONG_TEXT = 160;

function summarizeLongText(value: unknown): unknown {
    if (typeof value === "string" && value.length > LONG_TEXT) {
        const lines = value.split("\n").length;
        return `<${value.length} characters, ${lines} lines, starts: ${JSON.stringify(value.slice(0, 60))}; --full shows it all>`;
    }
    if (Array.isArray(value)) return value.map(summarizeLongText);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarizeLongText(v)]));
    }
    return value;
}

/** Resources by parent name, in registration order. */
export function childrenByParent(report: PreviewReport): Map<string | undefined, ReportResource[]> {
    const children = new Map<string | undefined, ReportResource[]>();
    for (const r of report.resources) {
        const list = children.get(r.parent);
        if (list === undefined) children.set(r.parent, [r]);
        else list.push(r);
    }
    return children;
}

/** Depth of every resource in the tree (the stack is 0), computed once: O(resources). */
function depths(report: PreviewReport): Map<ReportResource, number> {
    const byName = new Map(report.resources.map((r) => [r.name, r]));
    const depth = new Map<ReportResource, number>();
    const depthOf = (r: ReportResource): number => {
        const known = depth.get(r);
        if (known !== undefined) return known;
        const parent = r.parent === undefined ? undefined : byName.get(r.parent);
        const d = parent === undefined || parent === r ? 1 : depthOf(parent) + 1;
        depth.set(r, d);
        return d;
    };
    for (const r of report.resources) depthOf(r);
    return depth;
}

function treeWidth(report: PreviewReport): number {
    let width = 30;
    for (const [r, d] of depths(report)) width = Math.max(width, r.type.length + 3 * d);
    return width + 4;
}

/** The column `pulumi preview` prints before a resource for each operation. */
export const OP_SYMBOL: Record<StepOp, string> = { same: "  ", update: " ~", replace: "+-", create: " +", delete: " -" };

function symbolOf(r: ReportResource): string {
    return OP_SYMBOL[r.op ?? "create"];
}

/** Whether the stack resource is already deployed (with `--state`): then it is unchanged, not created. */
function stackExists(report: PreviewReport): boolean {
    return report.summary.steps !== undefined && report.stateHasStack === true;
}

function treeLines(report: PreviewReport, width: number): string[] {
    const children = childrenByParent(report);
    const lines = [`${stackExists(report) ? "  " : " +"}   ${"pulumi:pulumi:Stack".padEnd(width)}${report.project}-${report.stack}`];
    const walk = (parent: string | undefined, prefix: string): void => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const label = `${prefix}${last ? "└─ " : "├─ "}${r.type}`;
            lines.push(`${symbolOf(r)}   ${label.padEnd(width)}${r.name}${r.aliasOf !== undefined ? `  (renamed from ${r.aliasOf})` : ""}`);
            walk(r.name, `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk(undefined, "");
    for (const d of report.deletes ?? []) lines.push(`${OP_SYMBOL.delete}   ${`└─ ${d.type}`.padEnd(width)}${d.name}`);
    return lines;
}

const VALUE_TEXT = 120;

function shortValue(value: unknown, full: boolean): string {
    if (value === undefined) return "(none)";
    const text = JSON.stringify(value);
    return full || text.length <= VALUE_TEXT ? text : `${text.slice(0, VALUE_TEXT)}… (${text.length} characters; --full shows it all)`;
}

/** One changed input as `pulumi preview --diff` would name it. */
export function changeText(c: ReportChange, full = false): string {
    const tag = c.replaces ? "  [forces replacement]" : "";
    if (!("before" in c)) return `${c.key}: added ${shortValue(c.after, full)}${tag}`;
    if (!("after" in c)) return `${c.key}: removed (was ${shortValue(c.before, full)})${tag}`;
    return `${c.key}: ${shortValue(c.before, full)} → ${shortValue(c.after, full)}${tag}`;
}

/** The counts in `pulumi preview`'s words; the stack counts as a resource, as there. */
export function stepCountLines(report: PreviewReport): string[] {
    const steps = report.summary.steps;
    if (steps === undefined) return [`+ ${report.summary.create + 1} to create (${report.summary.create} and the stack)`];
    const stackNew = !stackExists(report);
    const create = steps.create + (stackNew ? 1 : 0);
    const unchanged = steps.same + (stackNew ? 0 : 1);
    const lines: string[] = [];
    if (create > 0) lines.push(`+ ${create} to create`);
    if (steps.update > 0) lines.push(`~ ${steps.update} to update`);
    if (steps.replace > 0) lines.push(`+-${steps.replace} to replace`);
    if (steps.delete > 0) lines.push(`- ${steps.delete} to delete`);
    const changes = create + steps.update + steps.replace + steps.delete;
    lines.push(changes > 0 ? `${changes} change${changes === 1 ? "" : "s"}. ${unchanged} unchanged` : `${unchanged} unchanged`);
    return lines;
}

/** The mocked cloud reads, for people: what the offline preview could not read. */
export function mockedReadLines(report: PreviewReport): string[] {
    return report.mockedReads.map(
        (m) =>
            `${m.token} ×${m.count}: ${m.answer === "unknown" ? "answered [unknown] (pulumi preview reads Azure here)" : m.answer === "given" ? "answered by the caller" : "answered with the mock's stand-in"}`,
    );
}

function indent(text: string, by: string): string {
    return text
        .trimEnd()
        .split("\n")
        .map((line) => by + line)
        .join("\n");
}

function providerText(r: ReportResource): string | undefined {
    if (r.subscriptionId === undefined && r.provider === "default") return undefined;
    const subscription =
        r.subscriptionId === undefined ? "" : `, subscription ${r.subscriptionId ?? "from ARM_SUBSCRIPTION_ID or the Azure CLI login"}`;
    return `provider: ${r.provider}${subscription}`;
}

/** The human-readable preview. */
export function renderText(report: PreviewReport, options: RenderOptions = {}): string {
    const dump = (value: unknown) => yaml.dump(value, { lineWidth: options.full === true ? -1 : 140, noRefs: true });
    const width = treeWidth(report);
    const out: string[] = [];
    out.push(`Previewing update (${report.stack}) of project ${report.project} — offline, mock engine: no cloud calls, no credentials`);
    out.push("");
    out.push(`     ${"Type".padEnd(width)}Name`);
    out.push(...treeLines(report, width));
    out.push("");
    out.push("Details:");
    for (const r of report.resources) {
        // Against a deployed stack, like `pulumi preview`: only what changes.
        if (r.op === "same") continue;
        out.push(
            `${symbolOf(r)} ${r.type} ${r.name}${r.retainOnDelete ? "  (retained on delete)" : ""}${r.protect ? "  (protected)" : ""}`,
        );
        if (r.aliasOf !== undefined) out.push(`      renamed: continues ${r.aliasOf} through an alias`);
        for (const c of r.changes ?? []) out.push(`      ${changeText(c, options.full === true)}`);
        if (r.op === "update" || r.op === "replace") continue;
        const provider = providerText(r);
        if (provider !== undefined) out.push(`      ${provider}`);
        if (r.dependsOn.length > 0) out.push(`      waits for: ${r.dependsOn.join(", ")}`);
        const inputs = options.full === true ? r.inputs : (summarizeLongText(r.inputs) as Record<string, unknown>);
        if (Object.keys(inputs).length > 0) out.push(indent(dump(inputs), "      "));
    }
    for (const d of report.deletes ?? []) {
        out.push(
            `${OP_SYMBOL.delete} ${d.type} ${d.name}${d.protect ? "  (protected: the update fails)" : ""}${d.retainOnDelete ? "  (retained: left in Azure)" : ""}`,
        );
    }
    for (const { component, endpoints } of report.egress) {
        out.push("");
        out.push(
            `Egress of ${component} (HTTPS unless noted; route proxy = your proxy or firewall must allow it, privateLink = through a private endpoint, never the proxy):`,
        );
        const hostWidth = Math.max(...endpoints.map((e) => e.host.length), 4) + 2;
        out.push(`    ${"ROUTE".padEnd(12)}${"HOST".padEnd(hostWidth)}${"PORT".padEnd(6)}${"WHEN".padEnd(9)}AGENTS: WHY`);
        for (const e of endpoints) {
            out.push(
                `    ${e.route.padEnd(12)}${e.host.padEnd(hostWidth)}${String(e.port).padEnd(6)}${e.when.padEnd(9)}${e.agents.join(", ")}: ${e.why}`,
            );
        }
    }
    if (report.errors.length > 0) {
        out.push("");
        out.push("Errors (the update would fail):");
        for (const e of report.errors) out.push(`  error: ${e}`);
    }
    if (report.warnings.length > 0) {
        out.push("");
        out.push("Warnings:");
        for (const w of report.warnings) out.push(`  warning: ${w}`);
    }
    if (report.mockedReads.length > 0) {
        out.push("");
        out.push("Mocked reads (no cloud was read; values that depend on them are not Azure's):");
        for (const line of mockedReadLines(report)) out.push(`  ${line}`);
    }
    if (report.notes.length > 0) {
        out.push("");
        out.push("Notes:");
        for (const n of report.notes) out.push(`  ${n}`);
    }
    const outputs = report.outputs as Record<string, unknown>;
    if (Object.keys(outputs).length > 0) {
        out.push("");
        out.push("Outputs:");
        out.push(indent(dump(outputs), "    "));
    }
    out.push("");
    out.push("Resources:");
    for (const line of stepCountLines(report)) out.push(`    ${line}`);
    return out.join("\n");
}
