/**
 * Runs `defender-servers <args>` as a user would (sdk/verify/cli.ts under ts-node, in its own process)
 * without blocking this one: the loopback Azure stand-in answers from the test's own event loop.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "sdk", "verify", "cli.ts");

/** What one run printed, and its exit code. */
export interface CliRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs the CLI with `args` and `env`, killing it after `timeoutMs`. */
export function runDefenderServers(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), CLI, ...args], {
            cwd: ROOT,
            env: { ...env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.once("error", reject);
        child.once("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}
