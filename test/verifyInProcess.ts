/**
 * Runs `defender-servers <args>` in this process (the CLI's own `main`), given the environment a spawned
 * CLI would get (test/verifyCli.ts), so most verify specs skip the ts-node start of a child (about 0.85 s
 * of CPU each). What the child reads from its environment reaches `main` the same way, for one run only
 * and restored after it, even when it throws:
 * - the environment variables: `process.env` becomes exactly `env` (the stand-in's AZURE_* sign-in, no
 *   proxy), as the child's would be;
 * - NODE_EXTRA_CA_CERTS, which Node reads only at start: Node's default CA list becomes the bundled roots
 *   plus that file's certificates, what a child started with it trusts (`tls.setDefaultCACertificates`,
 *   Node 22.19+ and 24);
 * - the process's own stdout and stderr: anything else printed during the run (a Node warning, an SDK
 *   log line) is captured with what `main` writes, as the child's pipes would have caught it.
 * Not equal to a child: what a library read from the environment once per process stays as first read.
 * The Azure SDK's NO_PROXY list is read at the first client's creation (@typespec/ts-http-runtime's
 * proxyPolicy) and AZURE_LOG_LEVEL when @azure/logger loads. Neither matters here: the stand-in's `env`
 * sets no proxy, so NO_PROXY is never consulted, and no log level; but a mocha process started with
 * AZURE_LOG_LEVEL would see the SDK's log lines in stderr that a child (whose AZURE_* variables `env`
 * replaces) would not print. Exit codes as a process reports them need a real child: runDefenderServers.
 */
import * as fs from "node:fs";
import * as tls from "node:tls";
import { main } from "../sdk/verify/cli";
import { CliRun } from "./verifyCli";

/** The certificates of a PEM file (NODE_EXTRA_CA_CERTS may hold several). */
function certificatesIn(file: string): string[] {
    return fs.readFileSync(file, "utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Makes `process.env` exactly `env`; returns how to undo it. */
function useEnvironment(env: NodeJS.ProcessEnv): () => void {
    const saved = { ...process.env };
    const replace = (next: NodeJS.ProcessEnv) => {
        for (const key of Object.keys(process.env)) if (!(key in next)) delete process.env[key];
        for (const [key, value] of Object.entries(next)) if (value !== undefined) process.env[key] = value;
    };
    replace(env);
    return () => replace(saved);
}

/** Trusts what a child started with `env` would trust; returns how to undo it. */
function useCertificates(env: NodeJS.ProcessEnv): () => void {
    // package.json allows any Node 22; the Nodes the test runs use (tools/env.sh) have it.
    if (typeof tls.setDefaultCACertificates !== "function")
        throw new Error(`an in-process verify run needs tls.setDefaultCACertificates (Node 22.19+ or 24), not Node ${process.version}`);
    const saved = tls.getCACertificates("default");
    const extra = env.NODE_EXTRA_CA_CERTS === undefined ? [] : certificatesIn(env.NODE_EXTRA_CA_CERTS);
    tls.setDefaultCACertificates([...tls.getCACertificates("bundled"), ...extra]);
    return () => tls.setDefaultCACertificates(saved);
}

/** Sends what the process itself writes to stdout and stderr into `run`; returns how to undo it. */
function captureProcessOutput(run: CliRun): () => void {
    const streams = { stdout: process.stdout, stderr: process.stderr } as const;
    const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
    for (const name of ["stdout", "stderr"] as const) {
        streams[name].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
            run[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
            const done = rest.find((r): r is () => void => typeof r === "function");
            if (done !== undefined) process.nextTick(done);
            return true;
        }) as typeof process.stdout.write;
    }
    return () => {
        streams.stdout.write = writes.stdout;
        streams.stderr.write = writes.stderr;
    };
}

/** Runs the CLI's `main` with `args` in this process, as a child started with `env` would run. */
export async function runDefenderServersInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
    const run: CliRun = { code: null, stdout: "", stderr: "" };
    const restores: Array<() => void> = [];
    try {
        // One at a time: if one throws, those already made are still undone.
        for (const use of [useEnvironment, useCertificates]) restores.push(use(env));
        restores.push(captureProcessOutput(run));
        run.code = await main(args, { stdout: (text) => (run.stdout += text), stderr: (text) => (run.stderr += text) });
        return run;
    } finally {
        for (const restore of restores.reverse()) restore();
    }
}
