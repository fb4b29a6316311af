/**
 * The preview as Markdown for a pull-request comment. It must stay readable, and under
 * GitHub's comment limit (65,536 characters), for a thousand machines: resources are counted
 * and grouped by kind, each group's names folded in `<details>` and capped; the full list is
 * in the JSON report.
 */
import { PreviewReport, ReportResource } from "./report";
import { changeText, childrenByParent, mockedReadLines, OP_SYMBOL, stepCountLines } from "./render";
import { StepOp } from "./steps";

/** GitHub refuses comments longer than this. */
export const COMMENT_LIMIT = 65536;
/** Names listed per group before "and N more". */
const NAMES_PER_GROUP = 30;
/** Warnings or errors listed before the rest are folded. */
const MESSAGES_SHOWN = 20;

/** Makes text safe inside a Markdown table cell or inline code. */
export function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** `<details>` with a summary; the blank line lets Markdown inside render. */
export function details(summary: string, body: string[], open = false): string[] {
    return [`<details${open ? " open" : ""}><summary>${summary}</summary>`, "", ...body, "", "</details>"];
}

/** A capped, comma-separated list of names in code spans. */
export function namesList(names: string[]): string {
    const shown = names.slice(0, NAMES_PER_GROUP).map((n) => `\`${cell(n)}\``);
    const more = names.length - shown.length;
    return shown.join(", ") + (more > 0 ? `, … and ${more} more (all in the JSON report)` : "");
}

/** Resources grouped by type, in first-seen order. */
export function byType(resources: ReportResource[]): Map<string, ReportResource[]> {
    const groups = new Map<string, ReportResource[]>();
    for (const r of resources) {
        const list = groups.get(r.type);
        if (list === undefined) groups.set(r.type, [r]);
        else list.push(r);
    }
    return groups;
}

function messages(title: string, list: string[]): string[] {
    if (list.length === 0) return [];
    const shown = list.slice(0, MESSAGES_SHOWN).map((m) => `- ${cell(m)}`);
    const rest = list.slice(MESSAGES_SHOWN).map((m) => `- ${cell(m)}`);
    return [`### ${title} (${list.length})`, "", ...shown, ...(rest.length > 0 ? ["", ...details(`${rest.length} more`, rest)] : []), ""];
}

/** The tree with siblings of one type collapsed into one line: its size follows the kinds, not the fleet. */
function groupedTree(report: PreviewReport): string[] {
    const children = childrenByParent(report);
    const lines = [`+ pulumi:pulumi:Stack  ${report.project}-${report.stack}`];
    const walk = (parent: string | undefined, prefix: string): void => {
        const groups = [...byType(children.get(parent) ?? []).entries()];
        groups.forEach(([type, list], i) => {
            const last = i === groups.length - 1;
            const branch = `${prefix}${last ? "└─ " : "├─ "}`;
            const below = `${prefix}${last ? "   " : "│  "}`;
            if (list.length === 1) {
                lines.push(`${branch}${type}  ${list[0].name}`);
                walk(list[0].name, below);
            } else {
                lines.push(`${branch}${type}  × ${list.length}`);
                // Children of grouped resources are grouped again across the whole group.
                const grandchildren = list.flatMap((r) => children.get(r.name) ?? []);
                if (grandchildren.length > 0) {
                    const sub = [...byType(grandchildren).entries()];
                    sub.forEach(([t, l], j) => lines.push(`${below}${j === sub.length - 1 ? "└─ " : "├─ "}${t}  × ${l.length}`));
                }
            }
        });
    };
    walk(undefined, "");
    return lines;
}

/** Where the resources of one type go: provider and subscription, each distinct pair once. */
function targets(list: ReportResource[]): string {
    const seen = new Set(
        list.map((r) => (r.subscriptionId === undefined ? r.provider : `${r.provider} / ${r.subscriptionId ?? "from the environment"}`)),
    );
    const all = [...seen];
    return all.slice(0, 3).map(cell).join("; ") + (all.length > 3 ? `; and ${all.length - 3} more` : "");
}

/** The kinds table: type, count, provider and subscription, names folded. */
export function kindsTable(resources: ReportResource[]): string[] {
    const rows = [...byType(resources).entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    return [
        "| Kind | Count | Provider / subscription | Names |",
        "|---|---:|---|---|",
        ...rows.map(
            ([type, list]) =>
                `| \`${type}\` | ${list.length} | ${targets(list)} | ${list.length === 1 ? `\`${cell(list[0].name)}\`` : `<details><summary>${list.length} names</summary>${namesList(list.map((r) => r.name))}</details>`} |`,
        ),
    ];
}

/** The egress list of each component as a table. */
export function egressTables(report: PreviewReport): string[] {
    return report.egress.flatMap(({ component, endpoints }) => [
        `### Egress of \`${cell(component)}\` (${endpoints.length} endpoints)`,
        "",
        "Route `proxy`: your proxy or firewall must allow it (HTTPS unless noted); `privateLink`: through a private endpoint, never the proxy.",
        "",
        "| Route | Host | Port | When | Agents | Why |",
        "|---|---|---:|---|---|---|",
        ...endpoints.map(
            (e) => `| ${e.route} | \`${cell(e.host)}\` | ${e.port} | ${e.when} | ${cell(e.agents.join(", "))} | ${cell(e.why)} |`,
        ),
        "",
    ]);
}

const OP_ORDER: StepOp[] = ["replace", "delete", "update", "create"];
const OP_TITLE: Record<StepOp, string> = {
    replace: "To replace",
    delete: "To delete",
    update: "To update",
    create: "To create",
    same: "Unchanged",
};

/**
 * With `--state`: what changes against the deployed stack, replacements first; each distinct
 * change (type, input, old → new) once, with the resources it applies to.
 */
export function stateSections(report: PreviewReport, full = false): string[] {
    if (report.summary.steps === undefined) return [];
    const out: string[] = [`_Against the deployed stack in \`${cell(report.stateFile ?? "")}\` (pulumi stack export)._`, ""];
    for (const op of OP_ORDER) {
        const list: Array<{ type: string; name: string }> =
            op === "delete" ? (report.deletes ?? []) : report.resources.filter((r) => r.op === op);
        if (list.length === 0) continue;
        out.push(`### ${OP_TITLE[op]} (${list.length})`, "", "| | Kind | Count | Names |", "|---|---|---:|---|");
        for (const [type, group] of byType(list as ReportResource[]).entries())
            out.push(`| \`${OP_SYMBOL[op].trim()}\` | \`${type}\` | ${group.length} | ${namesList(group.map((r) => r.name))} |`);
        out.push("");
    }
    const renamed = report.resources.filter((r) => r.aliasOf !== undefined);
    if (renamed.length > 0) {
        out.push(`### Renamed through aliases (${renamed.length}): state moves, nothing is created or deleted`, "");
        out.push(
            ...details(
                `${renamed.length} renames`,
                renamed.map((r) => `- \`${cell(r.aliasOf!.split("::").pop()!)}\` → \`${cell(r.name)}\` (${r.type})`),
            ),
        );
        out.push("");
    }
    const changes = new Map<string, string[]>();
    for (const r of report.resources) {
        for (const c of r.changes ?? []) {
            const key = `${r.type}\n${changeText(c, full)}`;
            changes.set(key, [...(changes.get(key) ?? []), r.name]);
        }
    }
    if (changes.size > 0) {
        out.push(`### Changed inputs (${changes.size} distinct)`, "");
        for (const [key, names] of changes) {
            const [type, text] = key.split("\n");
            out.push(
                ...details(`<code>${type}</code> × ${names.length}: ${cell(text.split(":")[0])}`, [
                    "```",
                    text,
                    "```",
                    "",
                    namesList(names),
                ]),
            );
        }
        out.push("");
    }
    return out;
}

/** The whole preview as a PR comment. */
export function renderMarkdown(report: PreviewReport, full = false): string {
    const out: string[] = [];
    out.push(`## Offline preview: \`${cell(report.project)}\`, stack \`${cell(report.stack)}\``);
    out.push("");
    const counts =
        report.summary.steps === undefined
            ? `**+ ${report.summary.create + 1} to create** (${report.summary.create} resources and the stack)`
            : `**${stepCountLines(report).join(" · ")}**`;
    out.push(
        `${counts} · ${report.errors.length} errors · ${report.warnings.length} warnings · ${Object.keys(report.summary.byType).length} kinds`,
    );
    out.push("");
    out.push("_Mock engine: no cloud calls, no credentials. Values only Azure would know are `[unknown]`, secrets `[secret]`._");
    out.push("");
    out.push(...messages("Errors (the update would fail)", report.errors));
    out.push(...messages("Warnings", report.warnings));
    out.push(...stateSections(report, full));
    if (report.mockedReads.length > 0) {
        out.push("### Mocked reads (no cloud was read)", "", ...mockedReadLines(report).map((l) => `- ${cell(l)}`), "");
    }
    out.push("### Resources by kind", "", ...kindsTable(report.resources), "");
    out.push(...details("Resource tree (siblings of one kind grouped)", ["```", ...groupedTree(report), "```"]), "");
    out.push(...egressTables(report));
    if (report.notes.length > 0) out.push("### Notes", "", ...report.notes.map((n) => `- ${cell(n)}`), "");
    return out.join("\n");
}
