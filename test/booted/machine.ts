// A real Debian machine for the booted specs: a cached root file system (built from Debian's
// packages by tools/build-test-machines.sh) booted with systemd as PID 1 under systemd-nspawn,
// on a copy-on-write overlay so every suite starts from the pristine tree and leaves it so.
// Commands run inside with nsenter (all of the machine's namespaces). The machine has its own
// network namespace with nothing but loopback (--private-network): the Azure Linux Agent that
// runs in it cannot reach anything.
//
// Only here does the test change the machine for the test's sake: the Azure Linux Agent's unit
// starts only on Hyper-V/Azure (ConditionVirtualization=microsoft), so a drop-in in /etc resets
// that one condition and the real agent (waagent -daemon) runs as the unit's MainPID.
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The Debian releases the booted specs run on: codename and version. */
export const DEBIAN_RELEASES = [
    { codename: "bullseye", version: 11 },
    { codename: "bookworm", version: 12 },
    { codename: "trixie", version: 13 },
] as const;

/** Where tools/build-test-machines.sh keeps the trees. */
export function machineCache(): string {
    return path.join(process.env.DEFENDER_TOOLS ?? path.join(os.homedir(), ".cache", "defender-servers-tools"), "debian");
}

/** Why machines cannot boot here (the kernel or the user forbids it), or undefined when they can. */
export function bootForbidden(): string | undefined {
    if (process.getuid?.() !== 0) return "booting a machine with systemd-nspawn needs root";
    if (spawnSync("systemd-nspawn", ["--version"]).status !== 0) return undefined; // a missing tool is a failure, not a skip
    if (!fs.existsSync("/proc/self/ns/pid") || !fs.existsSync("/proc/self/ns/mnt")) return "this kernel has no PID or mount namespaces";
    return undefined;
}

/** What a command run in the machine returned. */
export interface Exec {
    status: number | null;
    /** The signal that ended the command (nsenter passes its child's death by signal on). */
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** A booted machine until {@link Machine.stop}. */
export interface Machine {
    readonly codename: string;
    /** The merged root as the host sees it (write test files here; the machine sees them at once). */
    readonly root: string;
    /** The machine's PID 1 as the host numbers it. */
    readonly leader: number;
    /** Seconds from spawning systemd-nspawn to `systemctl is-system-running` answering running or degraded. */
    readonly bootSeconds: number;
    /** Runs `command` (an argv) in the machine, with exactly `env` (plus a PATH) as its environment. */
    exec(command: string[], env?: Record<string, string>, timeoutMs?: number): Exec;
    /** `bash -c script` in the machine. */
    sh(script: string, env?: Record<string, string>, timeoutMs?: number): Exec;
    /** A unit's property as systemd reports it (`systemctl show -p NAME`), without the `NAME=`. */
    property(unit: string, name: string): string;
    /** The environment of a unit's running main process, read from /proc/<MainPID>/environ. */
    mainProcessEnvironment(unit: string): Record<string, string> | undefined;
    stop(): Promise<void>;
}

const PATH_IN_MACHINE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function ensureNspawnRuntimeDir(): void {
    // systemd-nspawn keeps per-machine state there; on a host whose /run/systemd is not systemd's
    // own (a container, a sandbox), a tmpfs of our own makes it writable.
    const dir = "/run/systemd/nspawn";
    fs.mkdirSync(dir, { recursive: true });
    if (spawnSync("mountpoint", ["-q", dir]).status !== 0) {
        const r = spawnSync("mount", ["-t", "tmpfs", "-o", "mode=755,size=16m", "tmpfs", dir], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`cannot mount a tmpfs on ${dir}: ${r.stderr}`);
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

function childPid(parent: number): number | undefined {
    const r = spawnSync("pgrep", ["-P", String(parent)], { encoding: "utf8" });
    const first = r.stdout.trim().split("\n")[0];
    return first !== undefined && /^\d+$/.test(first) ? Number(first) : undefined;
}

function readComm(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
        return "";
    }
}

function result(r: SpawnSyncReturns<string>): Exec {
    if (r.error) throw r.error;
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Boots the cached tree of `codename`. Throws (naming the fix) when the tree was not built or the
 * machine does not come up within `timeoutMs`.
 */
export async function bootMachine(codename: string, timeoutMs = 60_000): Promise<Machine> {
    const lower = path.join(machineCache(), codename);
    if (!fs.existsSync(path.join(lower, ".complete"))) {
        throw new Error(`no Debian ${codename} tree in ${lower}: run tools/install-test-tools.sh (it calls tools/build-test-machines.sh)`);
    }
    ensureNspawnRuntimeDir();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ds-booted-${codename}-`));
    const root = path.join(dir, "merged");
    for (const d of ["upper", "work", "merged"]) fs.mkdirSync(path.join(dir, d));
    const mount = spawnSync(
        "mount",
        ["-t", "overlay", "overlay", "-o", `lowerdir=${lower},upperdir=${dir}/upper,workdir=${dir}/work`, root],
        { encoding: "utf8" },
    );
    if (mount.status !== 0) throw new Error(`cannot mount the overlay for ${codename}: ${mount.stderr}`);
    // A machine id of its own: with an empty one systemd treats the boot as the first, and
    // Debian 11's systemd-firstboot.service then waits on the console for answers.
    fs.writeFileSync(path.join(root, "etc/machine-id"), `${randomBytes(16).toString("hex")}\n`);
    const agentOverride = path.join(root, "etc/systemd/system/walinuxagent.service.d");
    fs.mkdirSync(agentOverride, { recursive: true });
    fs.writeFileSync(
        path.join(agentOverride, "00-booted-test.conf"),
        "# The booted specs only: the agent's unit starts on Hyper-V/Azure alone; this resets that one condition.\n[Unit]\nConditionVirtualization=\n",
    );

    const started = Date.now();
    let output = "";
    const name = `ds-${codename}-${process.pid}`.slice(0, 60);
    const nspawn: ChildProcess = spawn(
        "systemd-nspawn",
        ["--boot", "--register=no", "--keep-unit", "--private-network", "--console=pipe", `--machine=${name}`, `--directory=${root}`],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    nspawn.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    nspawn.stderr?.on("data", (d: Buffer) => (output += d.toString()));

    const unmount = (): void => {
        spawnSync("umount", ["-l", root]);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const kill = async (): Promise<void> => {
        if (nspawn.exitCode === null && nspawn.signalCode === null) {
            const exited = new Promise<void>((r) => nspawn.once("exit", () => r()));
            nspawn.kill("SIGTERM"); // nspawn asks the machine's systemd to power off
            const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
            if (!done) {
                const leader = nspawn.pid === undefined ? undefined : childPid(nspawn.pid);
                if (leader !== undefined) process.kill(leader, "SIGKILL"); // ends every process of the machine
                nspawn.kill("SIGKILL");
                await exited;
            }
        }
        unmount();
    };

    let leader: number | undefined;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (nspawn.exitCode !== null || nspawn.signalCode !== null || Date.now() > deadline) {
            await kill();
            throw new Error(
                `Debian ${codename} did not boot (${nspawn.exitCode !== null ? `systemd-nspawn exited ${nspawn.exitCode}` : `waited ${timeoutMs} ms`}):\n${output}`,
            );
        }
        // systemd-nspawn's first child is a helper that forks the machine's PID 1 and exits: look
        // again on every round, and take only a child that is systemd itself.
        leader = nspawn.pid === undefined ? undefined : childPid(nspawn.pid);
        if (leader !== undefined && readComm(leader) !== "systemd") leader = undefined;
        if (leader !== undefined) {
            const state = spawnSync("nsenter", ["-t", String(leader), "-a", "systemctl", "is-system-running"], {
                encoding: "utf8",
            }).stdout.trim();
            if (state === "running" || state === "degraded") break;
        }
        await sleep(200);
    }
    const bootSeconds = (Date.now() - started) / 1000;
    const pid = leader as number;

    const exec = (command: string[], env: Record<string, string> = {}, execTimeoutMs = 120_000): Exec => {
        const pairs = Object.entries({ PATH: PATH_IN_MACHINE, ...env }).map(([k, v]) => `${k}=${v}`);
        return result(
            spawnSync("nsenter", ["-t", String(pid), "-a", "env", "-i", ...pairs, ...command], {
                encoding: "utf8",
                timeout: execTimeoutMs,
            }),
        );
    };
    const property = (unit: string, prop: string): string => {
        const r = exec(["systemctl", "show", "-p", prop, unit]);
        return r.stdout.trim().replace(new RegExp(`^${prop}=`), "");
    };
    return {
        codename,
        root,
        leader: pid,
        bootSeconds,
        exec,
        sh: (script, env, t) => exec(["bash", "-c", script], env, t),
        property,
        mainProcessEnvironment: (unit) => {
            const main = property(unit, "MainPID");
            if (!/^[1-9]\d*$/.test(main)) return undefined;
            const r = exec(["cat", `/proc/${main}/environ`]);
            if (r.status !== 0) return undefined;
            const env: Record<string, string> = {};
            for (const kv of r.stdout.split("\0").filter((s) => s.includes("=")))
                env[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
            return env;
        },
        stop: kill,
    };
}

/** Waits until `check` is true, polling every 500 ms, for at most `seconds`; returns whether it came. */
export async function waitFor(check: () => boolean, seconds: number): Promise<boolean> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        if (check()) return true;
        if (Date.now() > deadline) return false;
        await sleep(500);
    }
}
