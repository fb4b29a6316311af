/**
 * What Pulumi's Node.js language host does with this package, for the release-tier specs that
 * talk to it over gRPC (test/schema.spec.ts, test/scopesProvider.spec.ts, test/policyPackGrpc.spec.ts):
 * the checkout it gets, and the process it starts (`run-plugin`, `run-policy-pack`), which
 * type-checks the sources under its own ts-node and prints the port it listens on.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** A scratch directory holding `repo` (the package's checkout) and `program` (an empty program directory). */
export interface PluginCheckout {
    scratch: string;
    repo: string;
    program: string;
}

/**
 * A checkout as `pulumi package add <git url>` gets it: sources, no dist/ (so package.json `main`
 * is missing and Node falls back to index.ts), dependencies installed (linked from here); and
 * beside it the directory of a Python or YAML program, which has no tsconfig.
 */
export function pluginCheckout(prefix: string): PluginCheckout {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const repo = path.join(scratch, "repo");
    for (const entry of ["package.json", "tsconfig.json", "index.ts", "PulumiPlugin.yaml", "sdk"]) {
        fs.cpSync(path.join(ROOT, entry), path.join(repo, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"));
    const program = path.join(scratch, "program");
    fs.mkdirSync(program);
    return { scratch, repo, program };
}

/** A started host process: the port it printed, and what it wrote to stderr so far. */
export interface HostedProcess {
    child: ChildProcess;
    port: string;
    stderr(): string;
}

/**
 * Runs `node <script> ...args` in `cwd`, as the language host runs `run-plugin` or
 * `run-policy-pack`, and resolves once it prints its port; rejects, with its stderr, when it
 * exits first. `what` names it in that message.
 */
export function startHosted(script: string, args: string[], cwd: string, what: string): Promise<HostedProcess> {
    const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    return new Promise((resolve, reject) => {
        child.stdout!.once("data", (d) => resolve({ child, port: String(d).trim(), stderr: () => stderr }));
        child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before listening:\n${stderr}`)));
    });
}
