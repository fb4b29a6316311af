// A real Squid for the specs: find the binary, write a configuration, start it on loopback and
// wait until it listens, stop it, or only `squid -k parse` a configuration. Shared by
// squid*.spec.ts and routeCheck.linux.spec.ts; arcAgentProxy.linux.spec.ts
// uses only the port helpers (its proxy is a stand-in, not Squid).
//
// The mechanics live here; what Squid allows or denies does not: each caller hands over its own
// ACL and http_access lines, verbatim, and keeps its own assertions.
//
// Twin: test/powershell/TestHelpers.ps1 (Start-TestSquid, Stop-TestSquid) starts the same Squid
// for the Pester specs, which cannot load this module. Keep the two configurations alike in
// substance: a change to baseDirectives() below belongs there too.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** How long {@link startSquid} waits for Squid to listen, unless told otherwise. */
export const SQUID_STARTUP_TIMEOUT_MS = 20_000;

/**
 * The path of the squid binary: PATH first, then the sbin directories Debian and a source build
 * use (sbin is often not on a non-root PATH).
 *
 * Throws when there is none: the Squid specs fail without Squid, they never skip, so a machine
 * (or CI image) without it cannot pass them by accident.
 */
export function findSquid(): string {
    const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
    for (const dir of dirs) {
        const candidate = path.join(dir, "squid");
        if (dir !== "" && fs.existsSync(candidate)) return candidate;
    }
    throw new Error(
        "squid is not installed: apt-get install squid-openssl (Debian; tools/install-test-tools.sh does it); this test never skips",
    );
}

/**
 * uid and gid of the `proxy` user. Debian's Squid, started as root, drops to it, so its pid file
 * and logs must be writable by that user.
 */
export function proxyUser(): { uid: number; gid: number } {
    const line = fs
        .readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .find((l) => l.startsWith("proxy:"));
    if (line === undefined) throw new Error("no `proxy` user in /etc/passwd: apt-get install squid creates it");
    const fields = line.split(":");
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it; the caller binds it next). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/** True when something accepts a TCP connection on 127.0.0.1:`port` within half a second. */
export function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.setTimeout(500);
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("timeout", () => {
            socket.destroy();
            resolve(false);
        });
        socket.once("error", () => resolve(false));
    });
}

/** What {@link waitForPort} waits for, and what it says when that does not come. */
export interface WaitForPortOptions {
    /** Names what should listen, for the error: "Squid", "the far-end listener". */
    what: string;
    /** The process that should listen: when it exits, waiting stops at once. */
    child?: ChildProcess;
    /** Extra text for the error (the process's output, a log file), read only on failure. */
    log?: () => string;
    /** Defaults to {@link SQUID_STARTUP_TIMEOUT_MS}. */
    timeoutMs?: number;
    /** Connect from the network namespace of this process instead of this host's. */
    networkOf?: number;
}

/**
 * Resolves once 127.0.0.1:`port` accepts a connection. Rejects, naming `what`, the port and the
 * time waited, when `child` exits first or the time runs out: a start-up failure is reported as
 * that, not as a confusing failure of the first request.
 */
export async function waitForPort(port: number, options: WaitForPortOptions): Promise<void> {
    const timeoutMs = options.timeoutMs ?? SQUID_STARTUP_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const connects = (): Promise<boolean> =>
        options.networkOf === undefined
            ? canConnect(port)
            : Promise.resolve(
                  spawnSync("nsenter", ["-t", String(options.networkOf), "-n", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`], {
                      timeout: 2_000,
                  }).status === 0,
              );
    while (!(await connects())) {
        const child = options.child;
        const exited = child !== undefined && (child.exitCode !== null || child.signalCode !== null);
        if (exited || Date.now() > deadline) {
            const why = exited ? `it exited (${child?.exitCode ?? child?.signalCode})` : `waited ${timeoutMs} ms`;
            throw new Error(`${options.what} did not start listening on 127.0.0.1:${port} (${why}):\n${options.log?.() ?? ""}`.trim());
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** Ends `child`: SIGTERM, then SIGKILL if it has not exited within 5 s. Does nothing if it already exited. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
    if (!done) {
        child.kill("SIGKILL");
        await exited;
    }
}

/** What a test Squid is made of, besides the mechanics. */
export interface SquidConfigOptions {
    /**
     * The caller's access rules (acl and http_access lines, or a generated snippet), written
     * verbatim after the fixed directives. Nothing is added after them: a caller that wants
     * everything else refused ends with its own `http_access deny all`.
     */
    rules: string;
    /** Names Squid resolves to 127.0.0.1 (or {@link hostsAddress}) through its own hosts file (besides localhost). */
    hosts?: string[];
    /**
     * The loopback address `hosts` resolve to; defaults to 127.0.0.1. A spec that serves the far
     * ends on the real ports 80 and 443 picks an address of its own in 127.0.0.0/8, so that it
     * collides with nothing else on the machine.
     */
    hostsAddress?: string;
    /** Options appended to the `http_port` line, e.g. `ssl-bump tls-cert=...` for a TLS-intercepting Squid. */
    httpPortOptions?: string;
    /** Squid's visible_hostname: names the spec in error pages. Defaults to squid-test.invalid. */
    visibleHostname?: string;
}

/**
 * The fixed part of every test Squid's configuration, in `dir`, listening on 127.0.0.1:`port`.
 * Kept alike with the list in Start-TestSquid (test/powershell/TestHelpers.ps1).
 */
function baseDirectives(dir: string, port: number, visibleHostname: string, httpPortOptions?: string): string[] {
    return [
        // 127.0.0.1 only: the callers' rules may allow all (routeCheck does), and a test proxy
        // must not be an open proxy for the network the machine sits on.
        `http_port 127.0.0.1:${port}${httpPortOptions === undefined ? "" : ` ${httpPortOptions}`}`,
        `visible_hostname ${visibleHostname}`,
        // Everything Squid writes stays in the temporary directory: nothing in /var, /run or the
        // Debian package's own cache and log directories, so several Squids can run side by side.
        `pid_filename ${path.join(dir, "squid.pid")}`,
        `cache_log ${path.join(dir, "cache.log")}`,
        `access_log stdio:${path.join(dir, "access.log")} squid`,
        "cache_store_log none",
        "netdb_filename none",
        "pinger_enable off",
        `coredump_dir ${dir}`,
        "cache deny all",
        // Names resolve from this file; any other lookup goes to 127.0.0.1, where no DNS server
        // answers: nothing leaves the machine, and a name outside the file fails fast.
        `hosts_file ${path.join(dir, "hosts")}`,
        "dns_nameservers 127.0.0.1",
        "dns_timeout 2 seconds",
        "connect_timeout 2 seconds",
        "forward_max_tries 1",
        // SIGTERM stops it at once instead of waiting 30 s for clients to finish.
        "shutdown_lifetime 0 seconds",
    ];
}

/**
 * Writes `squid.conf` and its `hosts` file into `dir` (which must exist) and returns the
 * configuration's path. The text is the fixed directives of {@link baseDirectives} followed by
 * `options.rules`.
 */
export function writeSquidConfig(dir: string, port: number, options: SquidConfigOptions): string {
    const address = options.hostsAddress ?? "127.0.0.1";
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address))
        throw new Error(`squidServer: hostsAddress ${address} is not a loopback address (127.0.0.0/8)`);
    const hosts = ["127.0.0.1 localhost", ...(options.hosts ?? []).map((h) => `${address} ${h}`)];
    fs.writeFileSync(path.join(dir, "hosts"), `${hosts.join("\n")}\n`, { mode: 0o644 });
    const conf = [
        ...baseDirectives(dir, port, options.visibleHostname ?? "squid-test.invalid", options.httpPortOptions),
        options.rules.trimEnd(),
        "",
    ].join("\n");
    const file = path.join(dir, "squid.conf");
    fs.writeFileSync(file, conf, { mode: 0o644 });
    return file;
}

/** A running test Squid from {@link startSquid}. */
export interface SquidServer {
    /** The port it listens on, on 127.0.0.1 only. */
    readonly port: number;
    /** Its temporary directory: squid.conf, hosts, access.log, cache.log, squid.pid. */
    readonly dir: string;
    /** `http://127.0.0.1:<port>`. */
    readonly url: string;
    readonly process: ChildProcess;
    /** What Squid printed on stdout and stderr so far. */
    output(): string;
    /** The access log in Squid's native format so far ("" before the first request). */
    accessLog(): string;
    /** cache.log so far, where Squid explains why it did not start. */
    cacheLog(): string;
    /** Stops Squid (see {@link stopProcess}) and removes its directory. Safe to call twice. */
    stop(): Promise<void>;
}

/** {@link SquidConfigOptions}, and how to start. */
export interface StartSquidOptions extends SquidConfigOptions {
    /** The temporary directory's name prefix, to tell the specs' directories apart: "egress-squid-". */
    prefix?: string;
    /** How long to wait for Squid to listen; defaults to {@link SQUID_STARTUP_TIMEOUT_MS}. */
    timeoutMs?: number;
    /**
     * Run Squid in the network namespace of this process (a booted test machine's PID 1), through
     * `nsenter -n`: it then listens on that machine's loopback, not this host's.
     */
    networkOf?: number;
}

function readIfThere(file: string): string {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/**
 * Starts a real Squid on a free port of 127.0.0.1 with `options.rules`, in a fresh temporary
 * directory, and resolves once it accepts connections. Fails (see {@link findSquid}) when Squid
 * is not installed; when it does not listen in time, stops it, removes the directory and throws
 * with its output and cache.log.
 */
export async function startSquid(options: StartSquidOptions): Promise<SquidServer> {
    const squidPath = findSquid();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), options.prefix ?? "squid-test-"));
    let child: ChildProcess | undefined;
    const stop = async (): Promise<void> => {
        await stopProcess(child);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        const port = await freePort();
        const conf = writeSquidConfig(dir, port, options);
        fs.chmodSync(dir, 0o755);
        if (process.getuid?.() === 0) {
            // Run as root, Squid drops to `proxy`; its logs and pid file must be writable by that user.
            const { uid, gid } = proxyUser();
            fs.chownSync(dir, uid, gid);
        }
        // -N: no daemon, no kid processes. The child is Squid itself, so its exit is seen while
        // waiting and a signal to it stops it; nothing is left behind to find by pid file.
        const started =
            options.networkOf === undefined
                ? spawn(squidPath, ["-N", "-f", conf], { stdio: ["ignore", "pipe", "pipe"] })
                : spawn("nsenter", ["-t", String(options.networkOf), "-n", squidPath, "-N", "-f", conf], {
                      stdio: ["ignore", "pipe", "pipe"],
                  });
        child = started;
        let output = "";
        started.stdout?.on("data", (d: Buffer) => (output += d.toString()));
        started.stderr?.on("data", (d: Buffer) => (output += d.toString()));
        const cacheLog = () => readIfThere(path.join(dir, "cache.log"));
        await waitForPort(port, {
            what: "Squid",
            child: started,
            log: () => `${output}\n${cacheLog()}`,
            timeoutMs: options.timeoutMs,
            networkOf: options.networkOf,
        });
        return {
            port,
            dir,
            url: `http://127.0.0.1:${port}`,
            process: started,
            output: () => output,
            accessLog: () => readIfThere(path.join(dir, "access.log")),
            cacheLog,
            stop,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}

/** What `squid -k parse` made of a configuration. */
export interface SquidParseResult {
    /** Its exit status; null when it was killed (the 15 s timeout). */
    status: number | null;
    /** stdout and stderr together, and the spawn error if there was one. */
    output: string;
    /** The lines of `output` that say WARNING, ERROR or FATAL. */
    warnings: string[];
}

/**
 * Runs `squid -k parse` on the configuration {@link startSquid} would run with `options.rules`,
 * in a temporary directory it removes afterwards. Squid is not started and nothing binds the
 * port, so a fixed one will do. Fails (see {@link findSquid}) when Squid is not installed.
 */
export function parseSquidConfig(options: SquidConfigOptions): SquidParseResult {
    const squidPath = findSquid();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "squid-parse-"));
    try {
        const conf = writeSquidConfig(dir, 3128, options);
        const run = spawnSync(squidPath, ["-k", "parse", "-f", conf], { maxBuffer: 256 * 1024 * 1024, encoding: "utf8", timeout: 15_000 });
        const output = `${run.stdout ?? ""}${run.stderr ?? ""}${run.error !== undefined ? `\n${run.error.message}` : ""}`;
        return { status: run.status, output, warnings: output.split("\n").filter((l) => /WARNING|ERROR|FATAL/.test(l)) };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The status a Squid on 127.0.0.1:`port` answers a CONNECT to `target` with (a 2xx on the `connect` event, anything else as a response). */
export function connectStatus(port: number, target: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const request = http.request({
            host: "127.0.0.1",
            port,
            method: "CONNECT",
            path: target,
            headers: { host: target },
            timeout: 10_000,
        });
        request.on("connect", (response, socket) => {
            socket.destroy();
            resolve(response.statusCode ?? 0);
        });
        request.on("response", (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
        });
        request.on("timeout", () => request.destroy(new Error(`no answer to CONNECT ${target}`)));
        request.on("error", reject);
        request.end();
    });
}
