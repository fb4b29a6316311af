#!/usr/bin/env node
/**
 * `defender-servers-preview [project-dir] [--stack NAME] [--json | --markdown] [--full]
 *  [--compare base.json] [--save-json FILE]`
 *
 * Runs a Pulumi nodejs program under the embedded mock engine, with the stack's config, and
 * prints what `pulumi preview` would create. No Pulumi CLI and no Azure credentials needed,
 * which is what a pull-request check from a fork has. Exits 1 when the program fails, with
 * the component's validation message.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compareReports, readReport, renderCompareMarkdown, renderCompareText } from "./compare";
import { runProgram } from "./engine";
import { renderMarkdown } from "./markdown";
import { loadProject, ProjectError } from "./project";
import { buildReport, PreviewReport, renderText } from "./render";

interface CliOptions {
    dir: string;
    stack?: string;
    format: "text" | "json" | "markdown";
    full: boolean;
    compare?: string;
    saveJson?: string;
}

const USAGE = [
    "usage: defender-servers-preview [project-dir] [--stack NAME] [--json | --markdown] [--full] [--compare base.json] [--save-json FILE]",
    "  --json            the report as versioned JSON (formatVersion), for machines and --compare",
    "  --markdown        a pull-request comment: counts, kinds, the grouped tree, warnings, the egress list",
    "  --full            every value in full (no summarized scripts or folded lines)",
    "  --compare FILE    what changes against FILE, the base branch's --json report",
    "  --save-json FILE  also write the JSON report to FILE",
].join("\n");

function valueOf(argv: string[], i: number, option: string, what: string): string {
    const value = argv[i];
    if (value === undefined || value.startsWith("-")) throw new ProjectError(`${option} needs ${what}\n${USAGE}`);
    return value;
}

function parseArgs(argv: string[]): CliOptions {
    const options: CliOptions = { dir: ".", format: "text", full: false };
    const setFormat = (format: CliOptions["format"]) => {
        if (options.format !== "text" && options.format !== format) throw new ProjectError(`choose one of --json and --markdown\n${USAGE}`);
        options.format = format;
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") setFormat("json");
        else if (arg === "--markdown") setFormat("markdown");
        else if (arg === "--full") options.full = true;
        else if (arg === "--compare") options.compare = valueOf(argv, ++i, arg, "the base preview's JSON file");
        else if (arg === "--save-json") options.saveJson = valueOf(argv, ++i, arg, "a file name");
        else if (arg === "--stack" || arg === "-s") options.stack = valueOf(argv, ++i, "--stack", "a name");
        else if (arg === "--help" || arg === "-h") {
            process.stdout.write(`${USAGE}\n`);
            process.exit(0);
        } else if (arg.startsWith("-")) throw new ProjectError(`unknown option ${arg}\n${USAGE}`);
        else options.dir = arg;
    }
    return options;
}

/** Whether the program needs ts-node: its entry is TypeScript, or is not loadable as JavaScript. */
function isTypeScript(entry: string): boolean {
    if (require.extensions[".ts"] !== undefined) return false;
    try {
        return require.resolve(entry).endsWith(".ts");
    } catch {
        return true;
    }
}

/**
 * Lets `require` load a TypeScript program, as the Pulumi CLI does for nodejs projects. A
 * JavaScript program does not pay for loading the compiler (about a second of CPU).
 */
function enableTypeScript(projectDir: string, entry: string): void {
    if (!isTypeScript(entry)) return;
    let tsNode: string;
    try {
        tsNode = require.resolve("ts-node", { paths: [projectDir, __dirname] });
    } catch {
        throw new ProjectError("the program is TypeScript and ts-node is not installed; run `npm install --save-dev ts-node typescript`");
    }
    // Type errors are `tsc`'s job; the preview only needs the program to run.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(tsNode).register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
}

async function runEntry(entry: string): Promise<unknown> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(entry);
    // A program may export a function (async or not) whose result is the stack outputs.
    const main = typeof loaded === "function" ? loaded : typeof loaded?.default === "function" ? loaded.default : undefined;
    return main !== undefined ? await main() : loaded;
}

function render(report: PreviewReport, options: CliOptions, base: PreviewReport | undefined): string {
    if (base !== undefined) {
        const comparison = compareReports(base, report);
        if (options.format === "json") return JSON.stringify(comparison, null, 2);
        if (options.format === "markdown") return renderCompareMarkdown(comparison, report, options.full);
        return `${renderText(report, { full: options.full })}\n\n${renderCompareText(comparison, options.full)}`;
    }
    if (options.format === "json") return JSON.stringify(report, null, 2);
    if (options.format === "markdown") return renderMarkdown(report);
    return renderText(report, { full: options.full });
}

/**
 * With DEFENDER_PREVIEW_TIMINGS=1, CPU time by phase on stderr (one JSON line): what the
 * benchmark uses to tell the preview's own time from the mock engine's.
 */
const phases = (() => {
    const enabled = process.env.DEFENDER_PREVIEW_TIMINGS === "1";
    const cpu = () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
    };
    let last = cpu();
    const seconds: Record<string, number> = {};
    return {
        mark(phase: string): void {
            if (!enabled) return;
            const now = cpu();
            seconds[phase] = now - last;
            last = now;
        },
        report(): void {
            if (enabled) process.stderr.write(`${JSON.stringify({ cpuSecondsByPhase: seconds })}\n`);
        },
    };
})();

async function main(): Promise<number> {
    let options: CliOptions;
    try {
        options = parseArgs(process.argv.slice(2));
        const project = loadProject(options.dir, options.stack);
        // Read the base first: a bad base file should fail before the program runs.
        const base = options.compare === undefined ? undefined : readReport(options.compare);
        enableTypeScript(path.resolve(options.dir), project.entry);
        phases.mark("load");
        const run = await runProgram(() => runEntry(project.entry), {
            preview: true,
            project: project.name,
            stack: project.stack,
            config: project.config,
            secretConfigKeys: project.secretKeys,
        });
        phases.mark("run");
        const report = buildReport(project.name, project.stack, run, project.notes, { config: project.config });
        phases.mark("report");
        if (options.saveJson !== undefined) fs.writeFileSync(options.saveJson, `${JSON.stringify(report, null, 2)}\n`);
        const text = render(report, options, base);
        phases.mark("render");
        process.stdout.write(`${text}\n`);
        phases.mark("write");
        phases.report();
        return report.errors.length > 0 ? 1 : 0;
    } catch (err) {
        const message =
            err instanceof Error
                ? err.name === "ValidationError" || err instanceof ProjectError
                    ? err.message
                    : (err.stack ?? err.message)
                : String(err);
        process.stderr.write(`error: ${message}\n`);
        return 1;
    }
}

// Exit only once stdout and stderr are flushed: process.exit() right after a large write to a
// pipe cut the JSON of a 300-resource preview at 219,264 bytes (seen in test/agents.spec.ts).
main().then((code) => {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
});
