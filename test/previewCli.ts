/**
 * The offline preview CLI as `npm start` runs it (`sdk/preview/cli.ts` under ts-node,
 * transpile-only, with the repository's tsconfig), for specs that check what a user sees.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

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
