/**
 * The offline preview CLI as `npm start` runs it, for specs that check what a user sees:
 * - `sharedPreview` runs the CLI's own `main` in this process, once per mocha run for each
 *   project folder and arguments, and hands every spec that asks the same result (examples are
 *   read by several specs; each preview under the mock engine costs seconds);
 * - `previewInProcess` runs it in this process, not shared (for runs with side effects or inputs
 *   that change between calls);
 * - `runPreviewCli` spawns it (`sdk/preview/cli.ts` under ts-node, transpile-only, with the
 *   repository's tsconfig), for what only a separate process shows: exit codes and flushed output.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { main } from "../sdk/preview/cli";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "sdk", "preview", "cli.ts");

/** What one preview printed, and its exit code. */
export interface PreviewCliResult {
    /** Exit code (`null` when the process was killed, e.g. by `timeoutMs`). */
    code: number | null;
    /** Standard output: the preview (text, `--markdown` or `--json`). */
    stdout: string;
    /** Standard error: warnings and errors. */
    stderr: string;
}

/** Runs the preview in the project folder `cwd` with `args`; `timeoutMs` kills it after that long. */
export function runPreviewCli(cwd: string, args: string[] = [], timeoutMs?: number): PreviewCliResult {
    const result = spawnSync(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), CLI, ...args], {
        cwd,
        // The JSON of a large fleet runs to tens of MiB.
        maxBuffer: 256 * 1024 * 1024,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
        ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI's `main` in this process, in the folder `cwd`, with `args`. */
export async function previewInProcess(cwd: string, args: string[] = []): Promise<PreviewCliResult> {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { cwd, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { code, stdout, stderr };
}

const shared = new Map<string, Promise<PreviewCliResult>>();
// One preview at a time: each run installs the mock engine for the whole process.
let queue: Promise<unknown> = Promise.resolve();

/**
 * The preview of the project in `cwd` with `args`, computed once per mocha run and shared by
 * every spec that asks for it. Only for arguments that write nothing (no `--save-json`).
 */
export function sharedPreview(cwd: string, args: string[] = []): Promise<PreviewCliResult> {
    if (args.includes("--save-json")) throw new Error("sharedPreview: --save-json writes a file; use previewInProcess");
    const key = JSON.stringify([path.resolve(cwd), ...args]);
    let result = shared.get(key);
    if (result === undefined) {
        result = queue.then(() => previewInProcess(cwd, args));
        queue = result.catch(() => undefined);
        shared.set(key, result);
    }
    return result;
}
