#!/usr/bin/env node
/**
 * `defender-servers-preview [project-dir] [--stack NAME] [--json | --markdown] [--full]
 *  [--compare base.json] [--save-json FILE] [--state export.json]`
 *
 * Runs a Pulumi nodejs program under the embedded mock engine, with the stack's config, and
 * prints what `pulumi preview` would create, or with `--state` (a `pulumi stack export`) what
 * it would create, update, replace and delete in that stack. No Pulumi CLI and no Azure
 * credentials needed, which is what a pull-request check from a fork has. Exits 1 when the
 * program fails, with the component's validation message. `main` runs it in-process (the specs do).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compareReports, readReport, renderCompareMarkdown, renderCompareText } from "./compare";
import { runProgram } from "./engine";
import { renderMarkdown } from "./markdown";
import { loadProject, ProjectError } from "./project";
import { buildReport, PreviewReport, renderText } from "./render";
import { PriorState, readState } from "./state";

interface CliOptions {
    dir: string;
    stack?: string;
    format: "text" | "json" | "markdown";
    full: boolean;
    compare?: string;
    saveJson?: string;
    state?: string;
    help: boolean;
}

/** Where `main` reads paths from and writes to: the process's own by default. */
export interface CliIo {
    /** Folder that relative paths (project, --compare, --save-json, --state) start from. */
    cwd: string;
    /** Receives standard output. */
    stdout(text: string): void;
    /** Receives standard error. */
    stderr(text: string): void;
}

const PROCESS_IO: CliIo = {
    get cwd() {
        return process.cwd();
    },
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

const USAGE = [
    "usage: defender-servers-preview [project-dir] [--stack NAME] [--json | --markdown] [--full] [--compare base.json] [--save-json FILE] [--state export.json]",
    "  --json            the report as versioned JSON (formatVersion), for machines and --compare",
    "  --markdown        a pull-request comment: counts, kinds, the grouped tree, warnings, the egress list",
    "  --full            every value in full (no summarized scripts or folded lines)",
    "  --compare FILE    what changes against FILE, the base branch's --json report",
    "  --save-json FILE  also write the JSON report to FILE",
    "  --state FILE      preview against the deployed stack: FILE is `pulumi stack export` output (same/update/replace/create/delete)",
].join("\n");

function valueOf(argv: string[], i: number, option: string, what: string): string {
    const value = argv[i];
    if (value === undefined || value.startsWith("-")) throw new ProjectError(`${option} needs ${what}\n${USAGE}`);
    return value;
}

function parseArgs(argv: string[]): CliOptions {
    const options: CliOptions = { dir: ".", format: "text", full: false, help: false };
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
        else if (arg === "--state") options.state = valueOf(argv, ++i, arg, "the output of pulumi stack export");
        else if (arg === "--stack" || arg === "-s") options.stack = valueOf(argv, ++i, "--stack", "a name");
        else if (arg === "--help" || arg === "-h") options.help = true;
        else if (arg.startsWith("-")) throw new ProjectError(`unknown option ${arg}\n${USAGE}`);
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

/** The program's own modules (not its packages), so that running it again in one process registers its resources again. */
export function forgetProgram(entry: string): void {
    const resolved = require.resolve(entry);
    const root = path.dirname(resolved) + path.sep;
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(root) && !file.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[file];
    }
}

async function runEntry(entry: string): Promise<unknown> {
    forgetProgram(entry);
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
    if (options.format === "markdown") return renderMarkdown(report, options.full);
    return renderText(report, { full: options.full });
}

/** A state for another project or stack would match nothing and plan every resource as new: refuse it. */
function checkStateTarget(state: PriorState, project: string, stack: string): void {
    if (state.project !== undefined && (state.project !== project || state.stack !== stack))
        throw new ProjectError(
            `--state ${state.file}: it is the export of stack ${state.stack} of project ${state.project}, not of stack ${stack} of project ${project}; pass --stack ${state.stack ?? "NAME"} or the export of this stack`,
        );
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

/**
 * Runs the preview with `argv` (the arguments after the command), writing to `io`; returns the
 * exit code. The CLI calls it with the process's arguments; specs call it in-process.
 */
export async function main(argv: string[], io: CliIo = PROCESS_IO): Promise<number> {
    let options: CliOptions;
    try {
        options = parseArgs(argv);
        if (options.help) {
            io.stdout(`${USAGE}\n`);
            return 0;
        }
        const at = (file: string) => path.resolve(io.cwd, file);
        const project = loadProject(at(options.dir), options.stack);
        // Read the base and the state first: a bad file should fail before the program runs.
        const base = options.compare === undefined ? undefined : readReport(at(options.compare));
        // Named as given (a PR comment should not show the runner's folders).
        const priorState = options.state === undefined ? undefined : { ...readState(at(options.state)), file: options.state };
        if (priorState !== undefined) checkStateTarget(priorState, project.name, project.stack);
        enableTypeScript(at(options.dir), project.entry);
        phases.mark("load");
        const run = await runProgram(() => runEntry(project.entry), {
            preview: true,
            project: project.name,
            stack: project.stack,
            config: project.config,
            secretConfigKeys: project.secretKeys,
            // Offline, a cloud read has no answer: what depends on one stays unknown.
            readsInPreview: "unknown",
            ...(priorState !== undefined ? { priorState } : {}),
        });
        phases.mark("run");
        const report = buildReport(project.name, project.stack, run, project.notes, { config: project.config });
        phases.mark("report");
        if (options.saveJson !== undefined) fs.writeFileSync(at(options.saveJson), `${JSON.stringify(report, null, 2)}\n`);
        const text = render(report, options, base);
        phases.mark("render");
        io.stdout(`${text}\n`);
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
        io.stderr(`error: ${message}\n`);
        return 1;
    }
}

// Exit only once stdout and stderr are flushed: process.exit() right after a large write to a
// pipe cut the JSON of a 300-resource preview at 219,264 bytes (seen in test/agents.spec.ts).
if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
    });
}
