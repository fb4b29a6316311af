// The scratch root the Linux run-command scripts run in (shared by the *.linux.spec.ts files).
//
// The scripts have no test hook: they always touch the real paths (/etc/apt, /etc/systemd, ...).
// Each run happens in a private mount namespace (`unshare -m`) whose root is a scratch tree,
// entered with chroot: the sandbox's own etc/, run/, opt/, var/ and tmp/, the host's /usr under
// an overlay whose upper layer is the sandbox's usr/ (so a test can add unit files to
// /usr/lib/systemd/system, which /lib points to as on merged-/usr distributions), /dev and
// /proc bound from the host. Stub systemctl, systemd-run and azcmagent come first on PATH and
// log their argv, tab-separated, to a file outside the chroot. Real tools do the rest: apt-config
// reads the scratch /etc/apt, python3 and jq merge JSON, curl and Squid prove the route.
// Extra mounts model failures: a tiny full tmpfs, a read-only bind mount.
//
// This needs root (mount namespaces, overlay, chroot); the suite fails, never skips, without it.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assembleScript } from "../sdk/plan/scripts";

function findRepoRoot(): string {
    let dir = __dirname;
    for (;;) {
        if (fs.existsSync(path.join(dir, "sdk", "scripts", "linux-os-proxy.sh"))) return dir;
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`sdk/scripts/linux-os-proxy.sh not found above ${__dirname}`);
        dir = parent;
    }
}

// DS_SCRIPTS_DIR lets the same specs run against another copy of the scripts (e.g. an older
// commit's, to show which tests fail before a fix). It changes the tests, never the scripts.
export const SCRIPTS_SOURCE = process.env.DS_SCRIPTS_DIR ?? path.join(findRepoRoot(), "sdk", "scripts");

/**
 * The Linux scripts as a machine receives them: assembled from their parts by the SDK's own
 * {@link assembleScript}, into a directory of their own (removed when the process exits).
 */
function assembledScripts(source: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ds-assembled-"));
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    fs.chmodSync(dir, 0o755);
    for (const name of fs.readdirSync(source).filter((f) => /^linux-.*\.sh$/.test(f))) {
        fs.writeFileSync(path.join(dir, name), assembleScript(fs.readFileSync(path.join(source, name), "utf8"), source), { mode: 0o755 });
    }
    return dir;
}

/** The directory the specs run and lint the Linux scripts from: assembled, as shipped. */
export const SCRIPTS = assembledScripts(SCRIPTS_SOURCE);
export const OS_PROXY = "linux-os-proxy.sh";
export const ARC_PROXY = "linux-arc-agent-proxy.sh";

export const PROXY = "http://proxy.contoso.internal:3128";
export const BYPASS = "localhost,127.0.0.1,168.63.129.16,169.254.169.254,.contoso.internal,10.0.0.0/8";
export const ALWAYS = "168.63.129.16,169.254.169.254,localhost,127.0.0.1";
export const FULL_BYPASS = `${ALWAYS},.contoso.internal,10.0.0.0/8`;
export const PASSWORD = "Sup3r-S3cret-Pa55";
export const MDATP = "etc/opt/microsoft/mdatp/managed/mdatp_managed.json";
export const APT_FILE = "etc/apt/apt.conf.d/95defender-servers-proxy";

// ---------------------------------------------------------------------------------------------
// sandbox: scratch root, stub commands, logs

export interface Sandbox {
    dir: string;
    root: string;
    bin: string;
    tmp: string;
    log: string;
    state: string;
    farm: string;
}

const LOG_ARGV = `printf '%s' "\${0##*/}" >>/stub-log/calls.log; printf '\\t%s' "$@" >>/stub-log/calls.log; printf '\\n' >>/stub-log/calls.log`;

// A crude systemd 219 for the scripts' `systemctl` calls. It refuses what systemd 219 lacks
// (`--value`, `-P`), and prints `show -p NAME` as `NAME=value`, as every systemd does:
//   Environment     the Environment= lines of the unit's drop-ins under /etc and /usr/lib, by file
//                   name (/etc winning a name), last value of each variable kept; STUB_EXTRA_ENV
//                   stands for what only systemd knows (e.g. a runtime `systemctl set-property`)
//   NeedDaemonReload yes when the drop-in files differ from what the last daemon-reload saw (no
//                   reload yet: yes when there is any drop-in in /etc)
//   ActiveState     STUB_ACTIVE_STATE, default active
//   MainPID         STUB_MAINPID, else the process `systemctl restart UNIT` started: a sleep
//                   whose environment is what Environment shows, as systemd would give it
const SYSTEMCTL = `${LOG_ARGV}
for a in "$@"; do
    if [[ $a == --value || $a == -P ]]; then echo "systemctl: unrecognized option '$a' (this stub is systemd 219)" >&2; exit 1; fi
done
if [[ " \${STUB_FAIL:-} " == *" $1 "* ]]; then echo "systemctl stub: $1 fails" >&2; exit 1; fi
unit=\${!#}
environment() {
    declare -A file=() val=()
    local order=() names n line kv k out=""
    for d in /usr/lib/systemd/system/$unit.d /etc/systemd/system/$unit.d; do
        for f in "$d"/*.conf; do [[ -f $f ]] && file[\${f##*/}]=$f; done
    done
    names=$(printf '%s\\n' "\${!file[@]}" | LC_ALL=C sort)
    for n in $names; do
        while IFS= read -r line; do
            [[ $line == Environment=* ]] || continue
            kv=\${line#Environment=}; k=\${kv%%=*}
            [[ -n \${val[$k]+x} ]] || order+=("$k")
            val[$k]=\${kv#*=}
        done <"\${file[$n]}"
    done
    for k in "\${order[@]}"; do out+="\${out:+ }$k=\${val[$k]}"; done
    printf '%s' "$out\${STUB_EXTRA_ENV:+ $STUB_EXTRA_ENV}"
}
fingerprint() { cat /usr/lib/systemd/system/$unit.d/*.conf /etc/systemd/system/$unit.d/*.conf 2>/dev/null | cksum; }
case $1 in
daemon-reload)
    for d in /etc/systemd/system/*.d; do u=\${d##*/}; u=\${u%.d}; unit=$u; fingerprint >"/stub-state/loaded-$u"; done
    : >/stub-state/reloaded ;;
restart)
    read -r -a words <<<"$(environment)"
    setsid env -i "\${words[@]}" /usr/bin/sleep 120 </dev/null >/dev/null 2>&1 &
    echo $! >"/stub-state/mainpid-$unit" ;;
show)
    case $3 in
    Environment) echo "Environment=$(environment)" ;;
    MainPID) echo "MainPID=\${STUB_MAINPID:-$(cat "/stub-state/mainpid-$unit" 2>/dev/null || echo 0)}" ;;
    ActiveState) echo "ActiveState=\${STUB_ACTIVE_STATE:-active}" ;;
    NeedDaemonReload)
        if [[ -f /stub-state/loaded-$unit ]]; then
            [[ $(fingerprint) == "$(cat "/stub-state/loaded-$unit")" ]] && echo NeedDaemonReload=no || echo NeedDaemonReload=yes
        elif compgen -G "/etc/systemd/system/$unit.d/*.conf" >/dev/null; then echo NeedDaemonReload=yes
        else echo NeedDaemonReload=no; fi ;;
    *) echo "$3=" ;;
    esac ;;
*) ;;
esac
`;

const STUBS: Record<string, string> = {
    systemctl: SYSTEMCTL,
    // Runs the command it was given right away (the real one would run it later).
    // Runs the command it was given right away (the real one would run it later); refuses the
    // options systemd 219 lacks.
    "systemd-run": `${LOG_ARGV}
for a in "$@"; do
    case $a in --wait | --pipe | --collect | -P | -G) echo "systemd-run: unrecognized option '$a' (this stub is systemd 219)" >&2; exit 1 ;; esac
done
while [[ $# -gt 0 && $1 == --* ]]; do shift; done
exec "$@"
`,
    // azcmagent with a JSON store under /stub-state/config.json: `config list --json` prints
    // {"LocalSettings":[{"Key":..,"Value":..}]}; STUB_AZCM_SET_FAILS makes `set` fail;
    // STUB_AZCM_IGNORE_SET makes `set` succeed without storing (a lying agent).
    azcmagent: `${LOG_ARGV}
store=/stub-state/config.json
[[ -f $store ]] || echo '{}' >"$store"
case "$1 $2" in
"config list")
    jq -c '{LocalSettings: [to_entries[] | {Key: .key, Value: .value}]}' "$store" ;;
"config set")
    [[ -z \${STUB_AZCM_SET_FAILS:-} ]] || { echo "azcmagent stub: set fails" >&2; exit 1; }
    [[ -n \${STUB_AZCM_IGNORE_SET:-} ]] && exit 0
    if [[ $3 == proxy.bypass ]]; then
        jq --arg k "$3" --arg v "$4" '.[$k] = ($v | split(","))' "$store" >"$store.new"
    else
        jq --arg k "$3" --arg v "$4" '.[$k] = $v' "$store" >"$store.new"
    fi
    mv "$store.new" "$store" ;;
"config clear")
    jq --arg k "$3" 'del(.[$k])' "$store" >"$store.new" && mv "$store.new" "$store" ;;
*) echo "azcmagent stub: unsupported: $*" >&2; exit 64 ;;
esac
`,
    // Returns at once; makes the Qualys agent "appear" at its STUB_QUALYS_AFTER-th call.
    sleep: `${LOG_ARGV}
if [[ -n \${STUB_QUALYS_AFTER:-} ]] && (( $(grep -c '^sleep' /stub-log/calls.log) >= STUB_QUALYS_AFTER )); then
    mkdir -p /usr/local/qualys/cloud-agent
fi
`,
};

// Runs as root in a new mount namespace: assembles the scratch root and chroots into it.
// $1 sandbox dir, $2 scripts dir, $3 script name; TEST_MOUNTS: one "tmpfs-full PATH",
// "ro PATH" per line (PATH inside the scratch root); SCRIPT_PATH: PATH for the script.
const RUNNER = String.raw`set -euo pipefail
sb=$1 scripts=$2 script=$3
R=$sb/chroot
mount --make-rprivate /
mkdir -p "$R" "$sb/usr-work" "$sb/root/usr" "$sb/root/etc" "$sb/root/run" "$sb/root/opt" "$sb/root/var"
mount -t tmpfs -o mode=755,size=16m tmpfs "$R"
for d in etc run opt var; do mkdir -p "$R/$d"; mount --bind "$sb/root/$d" "$R/$d"; done
# Debian's /usr/bin/awk is a link through /etc/alternatives: lend the host's, read-only.
mount --bind -o ro /etc/alternatives "$R/etc/alternatives"
mkdir -p "$R/usr" "$R/tmp" "$R/dev" "$R/proc" "$R/scripts" "$R/stub-bin" "$R/stub-log" "$R/stub-state" "$R/farm"
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$sb/root/usr,workdir=$sb/usr-work" "$R/usr"
for l in bin sbin lib lib64; do ln -s "usr/$l" "$R/$l"; done
mount --bind "$sb/tmp" "$R/tmp"
mount --rbind /dev "$R/dev"
mount --rbind /proc "$R/proc"
mount --bind "$scripts" "$R/scripts"
mount --bind "$sb/bin" "$R/stub-bin"
mount --bind "$sb" "$R/stub-log"
mount --bind "$sb/state" "$R/stub-state"
mount --bind "$sb/farm" "$R/farm"
while read -r kind target; do
    [[ -n $kind ]] || continue
    t=$R$target
    case $kind in
    tmpfs-full)
        keep=$(mktemp -d)
        cp -a "$t/." "$keep/"
        mount -t tmpfs -o size=64k tmpfs "$t"
        cp -a "$keep/." "$t/"
        dd if=/dev/zero of="$t/.filler" bs=4096 2>/dev/null || true ;;
    ro)
        mount --bind "$t" "$t"
        mount -o remount,bind,ro "$t" ;;
    *) echo "runner: unknown mount kind $kind" >&2; exit 90 ;;
    esac
done <<<"${"${"}TEST_MOUNTS:-}"
shell=/bin/bash
if [[ -n ${"${"}SCRIPT_BASH:-} ]]; then
    # Another bash (an old release from the tools cache) runs the script: lent into the root.
    : >"$R/script-bash"
    mount --bind "$SCRIPT_BASH" "$R/script-bash"
    shell=/script-bash
fi
export PATH=$SCRIPT_PATH
unset SCRIPT_PATH TEST_MOUNTS SCRIPT_BASH
exec /usr/sbin/chroot "$R" "$shell" "/scripts/$script"
`;

const sandboxes: string[] = [];

export function makeSandbox(): Sandbox {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ds-scripts-"));
    sandboxes.push(dir);
    const sb: Sandbox = {
        dir,
        root: path.join(dir, "root"),
        bin: path.join(dir, "bin"),
        tmp: path.join(dir, "tmp"),
        log: path.join(dir, "calls.log"),
        state: path.join(dir, "state"),
        farm: path.join(dir, "farm"),
    };
    for (const d of [
        sb.root,
        sb.bin,
        sb.tmp,
        sb.state,
        sb.farm,
        ...["etc/alternatives", "run", "opt", "var", "usr"].map((d) => path.join(sb.root, d)),
    ]) {
        fs.mkdirSync(d, { recursive: true });
    }
    for (const [name, body] of Object.entries(STUBS)) {
        fs.writeFileSync(path.join(sb.bin, name), `#!/bin/bash\n${body}`, { mode: 0o755 });
    }
    return sb;
}

/** lib/... is usr/lib/... inside the scratch root (merged /usr). */
export function rootPath(sb: Sandbox, rel: string): string {
    return path.join(sb.root, rel.startsWith("lib/") ? `usr/${rel}` : rel);
}

export function put(sb: Sandbox, rel: string, content: string, mode = 0o644): void {
    const file = rootPath(sb, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
}

export function read(sb: Sandbox, rel: string): string {
    return fs.readFileSync(rootPath(sb, rel), "utf8");
}

export function exists(sb: Sandbox, rel: string): boolean {
    return fs.existsSync(rootPath(sb, rel));
}

export function calls(sb: Sandbox): string[][] {
    if (!fs.existsSync(sb.log)) return [];
    return fs
        .readFileSync(sb.log, "utf8")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => l.split("\t"));
}

/** Marks the scratch machine as one where systemd runs (the scripts look for /run/systemd/system). */
export function withSystemd(sb: Sandbox): void {
    fs.mkdirSync(path.join(sb.root, "run/systemd/system"), { recursive: true });
}

/** Every path under the root with its type, mode and content (or link target). */
export function snapshot(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string): void => {
        for (const name of fs.readdirSync(dir).sort()) {
            const full = path.join(dir, name);
            const rel = path.relative(root, full);
            const st = fs.lstatSync(full);
            const mode = (st.mode & 0o7777).toString(8);
            if (st.isSymbolicLink()) out[rel] = `link -> ${fs.readlinkSync(full)}`;
            else if (st.isDirectory()) {
                out[rel] = `dir ${mode}`;
                walk(full);
            } else out[rel] = `file ${mode}\n${fs.readFileSync(full, "utf8")}`;
        }
    };
    walk(root);
    return out;
}

export function modeOf(tree: Record<string, string>, rel: string): string {
    return (tree[rel] ?? "(missing)").split("\n")[0] ?? "";
}

export interface Result {
    status: number | null;
    stdout: string;
    stderr: string;
}

export interface RunOptions {
    /** PATH inside the scratch root. */
    pathDirs?: string[];
    /** Extra mounts, "tmpfs-full /etc/x" or "ro /etc/x". */
    mounts?: string[];
    timeoutMs?: number;
    /** A bash binary on this host to run the script with instead of the system's /bin/bash. */
    bash?: string;
}

export function run(sb: Sandbox, script: string, env: Record<string, string | undefined>, options: RunOptions = {}): Result {
    const fullEnv: Record<string, string> = {
        PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
        SCRIPT_PATH: (options.pathDirs ?? ["/stub-bin", "/usr/bin", "/bin", "/usr/sbin"]).join(":"),
        TEST_MOUNTS: (options.mounts ?? []).join("\n"),
        ...(options.bash === undefined ? {} : { SCRIPT_BASH: options.bash }),
        HOME: "/root",
        LC_ALL: "C",
        TMPDIR: "/tmp",
    };
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete fullEnv[k];
        else fullEnv[k] = v;
    }
    const r = spawnSync("unshare", ["-m", "--", "/bin/bash", "-c", RUNNER, "runner", sb.dir, SCRIPTS, script], {
        env: fullEnv,
        encoding: "utf8",
        timeout: options.timeoutMs ?? 20000,
    });
    if (r.error) throw r.error;
    if (r.status === 90 || /^runner:|^unshare:|^mount:|^chroot:/m.test(r.stderr)) {
        throw new Error(`the scratch-root runner failed (is this root?):\n${r.stderr}`);
    }
    // The scripts keep their scratch files under TMPDIR and must remove them, always.
    assert.deepEqual(fs.readdirSync(sb.tmp), [], `${script} left files in TMPDIR`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Output may name the proxy URL, never anything that looks like a credential or another URL. */
export function assertNoCredentialLike(res: Result, allowedUrls: string[] = []): void {
    const text = res.stdout + res.stderr;
    assert.ok(!text.includes(PASSWORD), "the password literal was printed");
    for (const url of text.match(/[a-z][a-z0-9+.-]*:\/\/[^\s"'`,;)]+/gi) ?? []) {
        assert.ok([PROXY, `${PROXY}/`, "http://host:port", ...allowedUrls].includes(url), `unexpected URL in output: ${url}`);
    }
    assert.ok(!/:\/\/[^\s\/@]*@/.test(text), "output has a URL with user information (user:password@)");
}

/** Runs the script twice: the second run must change no byte and issue only `allowedSecond` calls. */
export function runTwice(
    sb: Sandbox,
    script: string,
    env: Record<string, string | undefined>,
    allowedSecond?: string[][],
    options: RunOptions = {},
) {
    const first = run(sb, script, env, options);
    assert.equal(first.status, 0, `first run failed:\n${first.stdout}\n${first.stderr}`);
    assertNoCredentialLike(first);
    const tree = snapshot(sb.root);
    const firstCalls = calls(sb);

    const second = run(sb, script, env, options);
    assert.equal(second.status, 0, `second run failed:\n${second.stdout}\n${second.stderr}`);
    assertNoCredentialLike(second);
    assert.deepEqual(snapshot(sb.root), tree, "the second run changed the scratch tree");
    if (allowedSecond !== undefined) {
        assert.deepEqual(calls(sb).slice(firstCalls.length), allowedSecond, "unexpected commands on the second run");
    }
    assert.ok(!/^changed:/m.test(second.stdout), `second run reports a change:\n${second.stdout}`);
    return { first, second, tree, firstCalls };
}

export function expectFailure(res: Result, code: number, mention: string | RegExp, allowedUrls: string[] = []): void {
    assert.equal(res.status, code, `expected exit ${code}, got ${res.status}:\n${res.stdout}\n${res.stderr}`);
    const lines = res.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `expected a one-line message on stderr, got:\n${res.stderr}`);
    const line = lines[0] ?? "";
    if (typeof mention === "string") assert.ok(line.includes(mention), `stderr does not mention ${mention}: ${line}`);
    else assert.match(line, mention);
    assert.ok(!/^changed:/m.test(res.stdout) || /put back/.test(line), `a failed run reports a change it did not undo:\n${res.stdout}`);
    assertNoCredentialLike(res, allowedUrls);
}

/** A PATH directory (inside the scratch root: /farm) with every /usr/bin tool except those named. */
export function pathWithout(sb: Sandbox, ...missing: RegExp[]): string[] {
    for (const name of fs.readdirSync("/usr/bin")) {
        if (missing.some((m) => m.test(name))) continue;
        const link = path.join(sb.farm, name);
        if (!fs.existsSync(link)) fs.symlinkSync(path.join("/usr/bin", name), link);
    }
    return ["/stub-bin", "/farm"];
}

/** Removes every sandbox made so far. */
export function removeSandboxes(): void {
    for (const dir of sandboxes.splice(0)) {
        // The "main processes" the stub systemctl started on restart.
        const state = path.join(dir, "state");
        for (const f of fs.existsSync(state) ? fs.readdirSync(state).filter((n) => n.startsWith("mainpid-")) : []) {
            const pid = Number(fs.readFileSync(path.join(state, f), "utf8").trim());
            try {
                if (pid > 1) process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
