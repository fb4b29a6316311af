#!/usr/bin/env node
/**
 * `defender-servers-preview [project-dir] [--stack NAME] [--json]`
 *
 * Runs a Pulumi nodejs program under the embedded mock engine, with the stack's config, and
 * prints what `pulumi preview` would create. No Pulumi CLI and no Azure credentials needed,
 * which is what a pull-request check from a fork has. Exits 1 when the program fails, with
 * the component's validation message.
 */
import * as path from "node:path";
import { runProgram } from "./engine";
import { loadProject, ProjectError } from "./project";
import { buildReport, renderText } from "./render";

interface CliOptions {
    dir: string;
    stack?: string;
    json: boolean;
}

const USAGE = "usage: defender-servers-preview [project-dir] [--stack NAME] [--json]";

function parseArgs(argv: string[]): CliOptions {
    const options: CliOptions = { dir: ".", json: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") options.json = true;
        else if (arg === "--stack" || arg === "-s") {
            const value = argv[++i];
            if (value === undefined) throw new ProjectError(`--stack needs a name\n${USAGE}`);
            options.stack = value;
        } else if (arg === "--help" || arg === "-h") {
            process.stdout.write(`${USAGE}\n`);
            process.exit(0);
        } else if (arg.startsWith("-")) throw new ProjectError(`unknown option ${arg}\n${USAGE}`);
        else options.dir = arg;
    }
    return options;
}

/** Lets `require` load a TypeScript program, as the Pulumi CLI does for nodejs projects. */
function enableTypeScript(projectDir: string): void {
    if (require.extensions[".ts"] !== undefined) return;
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

async function main(): Promise<number> {
    let options: CliOptions;
    try {
        options = parseArgs(process.argv.slice(2));
        const project = loadProject(options.dir, options.stack);
        enableTypeScript(path.resolve(options.dir));
        const run = await runProgram(() => runEntry(project.entry), {
            preview: true,
            project: project.name,
            stack: project.stack,
            config: project.config,
            secretConfigKeys: project.secretKeys,
        });
        const report = buildReport(project.name, project.stack, run, project.notes);
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderText(report)}\n`);
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

main().then((code) => process.exit(code));
