/**
 * Renders a mock-engine run the way `pulumi preview` shows a plan: a resource tree, then each
 * resource's inputs and what it waits for, the warnings, the outputs and a count.
 */
import * as yaml from "js-yaml";
import { RecordedResource, RunResult } from "./engine";
import { PropertyValue, toDisplay } from "./values";

/** A run, reshaped for people and machines. */
export interface PreviewReport {
    project: string;
    stack: string;
    resources: Array<{
        type: string;
        name: string;
        parent?: string;
        dependsOn: string[];
        retainOnDelete: boolean;
        inputs: unknown;
    }>;
    warnings: string[];
    /** Errors that would fail the update. */
    errors: string[];
    outputs: unknown;
    notes: string[];
    /** The egress list of each component that states one (output `egress`). */
    egress: Array<{ component: string; endpoints: EgressRow[] }>;
    summary: { create: number };
}

/** One endpoint as the preview shows it. */
export interface EgressRow {
    host: string;
    port: number;
    route: string;
    when: string;
    agents: string[];
    why: string;
}

function egressOf(resource: RecordedResource): EgressRow[] | undefined {
    const list = resource.outputs === undefined ? undefined : toDisplay(resource.outputs.egress as PropertyValue);
    return Array.isArray(list) ? (list as EgressRow[]) : undefined;
}

// Long strings (scripts, templates as text) are summarized: the preview is for reading.
const LONG_TEXT = 160;

function summarizeLongText(value: unknown): unknown {
    if (typeof value === "string" && value.length > LONG_TEXT) {
        const lines = value.split("\n").length;
        return `<${value.length} characters, ${lines} lines, starts: ${JSON.stringify(value.slice(0, 60))}>`;
    }
    if (Array.isArray(value)) return value.map(summarizeLongText);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarizeLongText(v)]));
    }
    return value;
}

function nameOf(byUrn: Map<string, RecordedResource>, urn: string): string {
    return byUrn.get(urn)?.name ?? urn;
}

/** Builds the report: logical names instead of URNs, secrets as `[secret]`, unknowns as `[unknown]`. */
export function buildReport(project: string, stack: string, run: RunResult, notes: string[]): PreviewReport {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    return {
        project,
        stack,
        resources: run.resources.map((r) => ({
            type: r.type,
            name: r.name,
            ...(r.parent !== undefined ? { parent: nameOf(byUrn, r.parent) } : {}),
            dependsOn: [...new Set(r.dependencies)].map((urn) => nameOf(byUrn, urn)),
            retainOnDelete: r.retainOnDelete,
            inputs: toDisplay(r.inputs as PropertyValue),
        })),
        warnings: run.warnings,
        errors: run.errors,
        outputs: toDisplay(run.outputs),
        notes,
        egress: run.resources.flatMap((r) => {
            const endpoints = egressOf(r);
            return endpoints === undefined ? [] : [{ component: r.name, endpoints }];
        }),
        summary: { create: run.resources.length },
    };
}

function treeWidth(report: PreviewReport): number {
    return Math.max(...report.resources.map((r) => r.type.length + 3 * depthOf(report, r)), 30) + 4;
}

function treeLines(report: PreviewReport): string[] {
    const children = new Map<string | undefined, PreviewReport["resources"]>();
    for (const r of report.resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const width = treeWidth(report);
    const lines = [` +   ${"pulumi:pulumi:Stack".padEnd(width)}${report.project}-${report.stack}`];
    const walk = (parent: string | undefined, prefix: string): void => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const label = `${prefix}${last ? "└─ " : "├─ "}${r.type}`;
            lines.push(` +   ${label.padEnd(width)}${r.name}`);
            walk(r.name, `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk(undefined, "");
    return lines;
}

function depthOf(report: PreviewReport, resource: PreviewReport["resources"][number]): number {
    let depth = 1;
    let parent = resource.parent;
    while (parent !== undefined) {
        depth += 1;
        parent = report.resources.find((r) => r.name === parent)?.parent;
    }
    return depth;
}

function indent(text: string, by: string): string {
    return text
        .trimEnd()
        .split("\n")
        .map((line) => by + line)
        .join("\n");
}

/** The human-readable preview. */
export function renderText(report: PreviewReport): string {
    const out: string[] = [];
    out.push(`Previewing update (${report.stack}) of project ${report.project} — offline, mock engine: no cloud calls, no credentials`);
    out.push("");
    out.push(`     ${"Type".padEnd(treeWidth(report))}Name`);
    out.push(...treeLines(report));
    out.push("");
    out.push("Details:");
    for (const r of report.resources) {
        out.push(`  + ${r.type} ${r.name}${r.retainOnDelete ? "  (retained on delete)" : ""}`);
        if (r.dependsOn.length > 0) out.push(`      waits for: ${r.dependsOn.join(", ")}`);
        const inputs = summarizeLongText(r.inputs) as Record<string, unknown>;
        if (Object.keys(inputs).length > 0) out.push(indent(yaml.dump(inputs, { lineWidth: 140, noRefs: true }), "      "));
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
    if (report.notes.length > 0) {
        out.push("");
        out.push("Notes:");
        for (const n of report.notes) out.push(`  ${n}`);
    }
    const outputs = report.outputs as Record<string, unknown>;
    if (Object.keys(outputs).length > 0) {
        out.push("");
        out.push("Outputs:");
        out.push(indent(yaml.dump(outputs, { lineWidth: 140, noRefs: true }), "    "));
    }
    out.push("");
    out.push("Resources:");
    out.push(`    + ${report.summary.create + 1} to create (${report.summary.create} and the stack)`);
    return out.join("\n");
}
