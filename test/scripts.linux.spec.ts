// Tests for the run-command scripts in sdk/scripts/.
//
// The Linux scripts run for real, with bash, against a scratch root directory (their ROOT
// variable prefixes every path they touch) and with stub systemctl, systemd-run, azcmagent and
// sleep commands first on PATH. Each stub appends its argv, tab-separated, to a log file, so the
// tests can assert the exact commands the scripts issued. The Windows scripts cannot run here
// (no PowerShell in Debian's repositories); they get a static check.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

function findRepoRoot(): string {
    let dir = __dirname;
    for (;;) {
        if (fs.existsSync(path.join(dir, "sdk", "scripts", "linux-os-proxy.sh"))) {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`sdk/scripts/linux-os-proxy.sh not found above ${__dirname}`);
        }
        dir = parent;
    }
}

const SCRIPTS = path.join(findRepoRoot(), "sdk", "scripts");
const OS_PROXY = "linux-os-proxy.sh";
const ARC_PROXY = "linux-arc-agent-proxy.sh";
const QUALYS_PROXY = "linux-qualys-proxy.sh";
const LINUX_SCRIPTS = [OS_PROXY, ARC_PROXY, QUALYS_PROXY];

const PROXY = "http://proxy.contoso.internal:3128";
const BYPASS = "localhost,127.0.0.1,168.63.129.16,169.254.169.254,.contoso.internal,10.0.0.0/8";
const PASSWORD = "Sup3r-S3cret-Pa55";

// ---------------------------------------------------------------------------------------------
// sandbox: scratch root, stub commands, logs

interface Sandbox {
    dir: string;
    root: string;
    bin: string;
    tmp: string;
    log: string;
    state: string;
}

const LOG_ARGV = `printf '%s' "\${0##*/}" >>"$STUB_LOG"; printf '\\t%s' "$@" >>"$STUB_LOG"; printf '\\n' >>"$STUB_LOG"`;

const STUBS: Record<string, string> = {
    // Fails when its first argument is listed in STUB_FAIL (e.g. STUB_FAIL=daemon-reload).
    systemctl: `${LOG_ARGV}
if [[ " \${STUB_FAIL:-} " == *" $1 "* ]]; then echo "systemctl stub: $1 fails" >&2; exit 1; fi
`,
    // Runs the command it was given right away (the real one would run it later).
    "systemd-run": `${LOG_ARGV}
while [[ $# -gt 0 && $1 == --* ]]; do shift; done
exec "$@"
`,
    // Keeps each config property in a file under $STUB_STATE; "get" prints the file as it is.
    azcmagent: `${LOG_ARGV}
case "$1 $2" in
"config get") if [[ -f $STUB_STATE/$3 ]]; then cat "$STUB_STATE/$3"; fi ;;
"config set") printf '%s' "$4" >"$STUB_STATE/$3" ;;
"config clear") rm -f "$STUB_STATE/$3" ;;
*) echo "azcmagent stub: unsupported: $*" >&2; exit 64 ;;
esac
`,
    // Returns at once; makes the Qualys agent "appear" at its STUB_QUALYS_AFTER-th call.
    sleep: `${LOG_ARGV}
if [[ -n \${STUB_QUALYS_AFTER:-} ]] && (( $(grep -c '^sleep' "$STUB_LOG") >= STUB_QUALYS_AFTER )); then
    mkdir -p "$ROOT/usr/local/qualys/cloud-agent"
fi
`,
};

const sandboxes: string[] = [];

function makeSandbox(): Sandbox {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ds-scripts-"));
    sandboxes.push(dir);
    const sb: Sandbox = {
        dir,
        root: path.join(dir, "root"),
        bin: path.join(dir, "bin"),
        tmp: path.join(dir, "tmp"),
        log: path.join(dir, "calls.log"),
        state: path.join(dir, "azcmagent-state"),
    };
    for (const d of [sb.root, sb.bin, sb.tmp, sb.state]) {
        fs.mkdirSync(d, { recursive: true });
    }
    for (const [name, body] of Object.entries(STUBS)) {
        fs.writeFileSync(path.join(sb.bin, name), `#!/bin/bash\n${body}`, { mode: 0o755 });
    }
    return sb;
}

function put(sb: Sandbox, rel: string, content: string, mode = 0o644): void {
    const file = path.join(sb.root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
}

function read(sb: Sandbox, rel: string): string {
    return fs.readFileSync(path.join(sb.root, rel), "utf8");
}

function calls(sb: Sandbox): string[][] {
    if (!fs.existsSync(sb.log)) {
        return [];
    }
    return fs
        .readFileSync(sb.log, "utf8")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => l.split("\t"));
}

/** Every path under the root with its type, mode and content (or link target). */
function snapshot(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string): void => {
        for (const name of fs.readdirSync(dir).sort()) {
            const full = path.join(dir, name);
            const rel = path.relative(root, full);
            const st = fs.lstatSync(full);
            const mode = (st.mode & 0o7777).toString(8);
            if (st.isSymbolicLink()) {
                out[rel] = `link -> ${fs.readlinkSync(full)}`;
            } else if (st.isDirectory()) {
                out[rel] = `dir ${mode}`;
                walk(full);
            } else {
                out[rel] = `file ${mode}\n${fs.readFileSync(full, "utf8")}`;
            }
        }
    };
    walk(root);
    return out;
}

function modeOf(tree: Record<string, string>, rel: string): string {
    return (tree[rel] ?? "(missing)").split("\n")[0] ?? "";
}

interface Result {
    status: number | null;
    stdout: string;
    stderr: string;
}

function run(sb: Sandbox, script: string, env: Record<string, string | undefined>, pathDirs?: string[]): Result {
    const fullEnv: Record<string, string> = {
        PATH: (pathDirs ?? [sb.bin, "/usr/bin", "/bin"]).join(":"),
        HOME: sb.dir,
        LC_ALL: "C",
        TMPDIR: sb.tmp,
        STUB_LOG: sb.log,
        STUB_STATE: sb.state,
        ROOT: sb.root,
    };
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) {
            delete fullEnv[k];
        } else {
            fullEnv[k] = v;
        }
    }
    const r = spawnSync("/bin/bash", [path.join(SCRIPTS, script)], { env: fullEnv, encoding: "utf8", timeout: 10000 });
    if (r.error) {
        throw r.error;
    }
    // The scripts keep their scratch files under TMPDIR and must remove them, always.
    assert.deepEqual(fs.readdirSync(sb.tmp), [], `${script} left files in TMPDIR`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Output may name the proxy URL, never anything that looks like a credential or another URL. */
function assertNoCredentialLike(res: Result): void {
    const text = res.stdout + res.stderr;
    assert.ok(!text.includes(PASSWORD), "the password literal was printed");
    for (const url of text.match(/[a-z][a-z0-9+.-]*:\/\/[^\s"'`,;)]+/gi) ?? []) {
        // http://host:port is the format named in error messages
        assert.ok([PROXY, `${PROXY}/`, "http://host:port"].includes(url), `unexpected URL in output: ${url}`);
    }
    assert.ok(!/:\/\/[^\s\/@]*@/.test(text), "output has a URL with user information (user:password@)");
}

/** Runs the script twice: the second run must change no byte and issue only `allowedSecond` calls. */
function runTwice(sb: Sandbox, script: string, env: Record<string, string | undefined>, allowedSecond: string[][] = []) {
    const first = run(sb, script, env);
    assert.equal(first.status, 0, `first run failed:\n${first.stdout}\n${first.stderr}`);
    assertNoCredentialLike(first);
    const tree = snapshot(sb.root);
    const firstCalls = calls(sb);

    const second = run(sb, script, env);
    assert.equal(second.status, 0, `second run failed:\n${second.stdout}\n${second.stderr}`);
    assertNoCredentialLike(second);
    assert.deepEqual(snapshot(sb.root), tree, "the second run changed the scratch tree");
    assert.deepEqual(calls(sb).slice(firstCalls.length), allowedSecond, "unexpected commands on the second run");
    assert.ok(!/^changed:/m.test(second.stdout), `second run reports a change:\n${second.stdout}`);
    return { first, second, tree, firstCalls };
}

function expectFailure(res: Result, code: number, mention: string | RegExp): void {
    assert.equal(res.status, code, `expected exit ${code}, got ${res.status}:\n${res.stdout}\n${res.stderr}`);
    const lines = res.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `expected a one-line message on stderr, got:\n${res.stderr}`);
    const line = lines[0] ?? "";
    if (typeof mention === "string") {
        assert.ok(line.includes(mention), `stderr does not mention ${mention}: ${line}`);
    } else {
        assert.match(line, mention);
    }
    assertNoCredentialLike(res);
}

// ---------------------------------------------------------------------------------------------
// realistic machines

const DROPIN_SEED = "[Service]\nEnvironment=http_proxy=http://old-proxy:8080\n";

function debianRoot(sb: Sandbox): void {
    put(
        sb,
        "lib/systemd/system/walinuxagent.service",
        "[Unit]\nDescription=Azure Linux Agent\n\n[Service]\nExecStart=/usr/bin/python3 -u /usr/sbin/waagent -daemon\n",
    );
    // A copy of the seed article's drop-in, made by hand: it must be left alone.
    put(sb, "lib/systemd/system/walinuxagent.service.d/13-Proxy.conf", DROPIN_SEED);
    put(
        sb,
        "etc/apt/apt.conf.d/50unattended-upgrades",
        'Unattended-Upgrade::Allowed-Origins {\n\t"${distro_id}:${distro_codename}-security";\n};\n',
    );
    put(sb, "etc/apt/sources.list", "deb http://azure.archive.ubuntu.com/ubuntu/ jammy main\n");
}

const MDATP_BEFORE = {
    antivirusEngine: {
        enforcementLevel: "real_time",
        exclusions: [{ $type: "excludedPath", isDirectory: true, path: "/var/log/" }],
    },
    cloudService: { automaticDefinitionUpdateEnabled: true, diagnosticLevel: "optional" },
    edr: { tags: [{ key: "GROUP", value: "Z\u00fcrich servers" }] },
};

function expectedDropin(bypass: string): string {
    return [
        "# Written by defender-servers (linux-os-proxy.sh): proxy for the Azure Linux Agent",
        "# and the extensions it runs, such as MDE.Linux. Changes here are overwritten.",
        "[Service]",
        `Environment=http_proxy=${PROXY}`,
        `Environment=https_proxy=${PROXY}`,
        `Environment=no_proxy=${bypass}`,
        `Environment=HTTP_PROXY=${PROXY}`,
        `Environment=HTTPS_PROXY=${PROXY}`,
        `Environment=NO_PROXY=${bypass}`,
        "",
    ].join("\n");
}

const EXPECTED_APT = [
    "// Written by defender-servers (linux-os-proxy.sh): proxy for package downloads.",
    `Acquire::http::Proxy "${PROXY}";`,
    `Acquire::https::Proxy "${PROXY}";`,
    ...["localhost", "127.0.0.1", "168.63.129.16", "169.254.169.254"].flatMap((h) => [
        `Acquire::http::Proxy::${h} "DIRECT";`,
        `Acquire::https::Proxy::${h} "DIRECT";`,
    ]),
    "",
].join("\n");

function restartCalls(sb: Sandbox, unit: string): string[][] {
    return [
        ["systemctl", "daemon-reload"],
        [
            "systemd-run",
            "--on-active=30s",
            `--description=defender-servers: restart ${unit} to apply its proxy`,
            path.join(sb.bin, "systemctl"),
            "restart",
            unit,
        ],
        // what the systemd-run stub ran at once
        ["systemctl", "restart", unit],
    ];
}

const DNF_BEFORE = `# see \`man dnf.conf\` for defaults and possible options

[main]
gpgcheck=1
installonly_limit=3
proxy = http://old-proxy.contoso.internal:8080
clean_requirements_on_remove=True
best=True
skip_if_unavailable=False

[internal-mirror]
name=Internal mirror
baseurl=http://mirror.contoso.internal/rhel9/
proxy=_none_
`;

const SUSE_PROXY_BEFORE = `## Path:        Network/Proxy
## Description:
## Type:        yesno
## Default:     no
#
# Enable a generation of the proxy settings to the profile.
#
PROXY_ENABLED="no"

## Type:        string
## Default:     ""
#
# Some programs (e.g. lynx, arena and wget) support proxies, if set in
# the environment.
#
HTTP_PROXY=""
HTTPS_PROXY=""
FTP_PROXY=""
GOPHER_PROXY=""
SOCKS_PROXY=""
SOCKS5_SERVER=""
NO_PROXY="localhost, 127.0.0.1"
`;

// ---------------------------------------------------------------------------------------------

describe("run-command scripts (sdk/scripts)", function () {
    this.timeout(20000);

    after(() => {
        for (const dir of sandboxes) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("static checks", () => {
        it("shellcheck reports nothing on any sdk/scripts/*.sh", () => {
            const files = fs.readdirSync(SCRIPTS).filter((f) => f.endsWith(".sh"));
            assert.deepEqual(files.sort(), [...LINUX_SCRIPTS].sort());
            const r = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
            if (r.error || r.status !== 0) {
                assert.fail("shellcheck is not installed: run `apt-get install shellcheck` (these tests never skip it)");
            }
            const lint = spawnSync("shellcheck", ["--severity=style", "--shell=bash", ...files.map((f) => path.join(SCRIPTS, f))], {
                encoding: "utf8",
            });
            assert.equal(lint.status, 0, `shellcheck findings:\n${lint.stdout}${lint.stderr}`);
        });

        it("every script is ASCII; the Linux ones are bash with set -euo pipefail", () => {
            for (const f of fs.readdirSync(SCRIPTS)) {
                const text = fs.readFileSync(path.join(SCRIPTS, f), "utf8");
                // Windows PowerShell 5.1 reads a BOM-less script as ANSI: keep every byte ASCII.
                assert.ok(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(text), `${f} has non-ASCII or control characters`);
                assert.ok(!text.includes("\r"), `${f} has CR line endings`);
                if (f.endsWith(".sh")) {
                    assert.ok(text.startsWith("#!/bin/bash\n"), `${f} must start with #!/bin/bash`);
                    assert.match(text, /^set -euo pipefail$/m, `${f} must set -euo pipefail`);
                }
            }
        });

        const PS1_PARAMS: Record<string, string[]> = {
            "windows-os-proxy.ps1": ["ProxyUrl", "BypassList"],
            "windows-arc-agent-proxy.ps1": ["ProxyUrl", "ArcProxyBypass"],
            "windows-qualys-proxy.ps1": ["ProxyUrl", "WaitSeconds"],
        };
        for (const [file, params] of Object.entries(PS1_PARAMS)) {
            it(`${file} declares param(${params.join(", ")}) and sets $ErrorActionPreference = 'Stop'`, () => {
                const text = fs.readFileSync(path.join(SCRIPTS, file), "utf8");
                // Only comments (and [CmdletBinding()]) may come before param(...).
                const code = text.replace(/<#[\s\S]*?#>/g, "").replace(/^\s*#.*$/gm, "");
                const block = /^\s*(?:\[CmdletBinding\(\)\]\s*)?param\s*\(([\s\S]*?)\)\s*\n\s*\$ErrorActionPreference/i.exec(code);
                assert.ok(block, `${file}: param(...) must be the first statement, followed by $ErrorActionPreference`);
                const body = block[1] ?? "";
                const declared = (body.match(/\$[A-Za-z]+/g) ?? [])
                    .map((v) => v.slice(1))
                    .filter((v) => !["true", "false", "null"].includes(v));
                assert.deepEqual(declared, params);
                assert.match(body, /\[Parameter\(Mandatory\s*=\s*\$true\)\]\s*\[string\]\$ProxyUrl/);
                assert.match(text, /^\$ErrorActionPreference = 'Stop'$/m);
                assert.ok(!/password|credential/i.test(body), `${file} must take no credential`);
            });
        }
    });

    describe(OS_PROXY, () => {
        it("Debian-like: walinuxagent drop-in in /etc, apt file, merged mdatp JSON; a second run changes nothing", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            put(sb, "etc/opt/microsoft/mdatp/managed/mdatp_managed.json", JSON.stringify(MDATP_BEFORE, null, 4));
            const before = snapshot(sb.root);

            const { first, second, tree, firstCalls } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: BYPASS });

            assert.equal(read(sb, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf"), expectedDropin(BYPASS));
            assert.equal(read(sb, "etc/apt/apt.conf.d/95defender-servers-proxy"), EXPECTED_APT);
            const merged = {
                ...MDATP_BEFORE,
                cloudService: { ...MDATP_BEFORE.cloudService, proxy: `${PROXY}/` },
            };
            assert.equal(read(sb, "etc/opt/microsoft/mdatp/managed/mdatp_managed.json"), `${JSON.stringify(merged, null, 2)}\n`);
            assert.deepEqual(firstCalls, restartCalls(sb, "walinuxagent.service"));

            // everything that was there before is still there, byte for byte
            for (const [rel, entry] of Object.entries(before)) {
                if (rel.endsWith("mdatp_managed.json")) continue;
                assert.equal(tree[rel], entry, `${rel} changed`);
            }
            assert.match(first.stdout, /^scheduled: restart of walinuxagent\.service in 30s/m);
            assert.match(second.stdout, /^unchanged: .*13-Proxy\.conf$/m);
        });

        it("RHEL-like: waagent drop-in, proxy= replaced in [main] of dnf.conf only, yum.conf symlink kept, mdatp JSON created", () => {
            const sb = makeSandbox();
            put(sb, "usr/lib/systemd/system/waagent.service", "[Unit]\nDescription=Azure Linux Agent\n");
            put(sb, "etc/dnf/dnf.conf", DNF_BEFORE, 0o600);
            fs.symlinkSync("dnf/dnf.conf", path.join(sb.root, "etc/yum.conf"));
            put(sb, "etc/sysconfig/network", "NETWORKING=yes\n");

            const { first, tree, firstCalls } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: undefined });

            assert.equal(read(sb, "etc/systemd/system/waagent.service.d/13-Proxy.conf"), expectedDropin(""));
            assert.equal(
                read(sb, "etc/dnf/dnf.conf"),
                DNF_BEFORE.replace("proxy = http://old-proxy.contoso.internal:8080", `proxy=${PROXY}`),
            );
            assert.equal(modeOf(tree, "etc/dnf/dnf.conf"), "file 600", "dnf.conf mode changed");
            assert.equal(tree["etc/yum.conf"], "link -> dnf/dnf.conf");
            assert.match(first.stdout, /^unchanged: .*\/etc\/yum\.conf \(same file as .*\/etc\/dnf\/dnf\.conf\)$/m);
            assert.ok(!fs.existsSync(path.join(sb.root, "etc/apt")), "apt configured on a machine without apt");
            assert.ok(!fs.existsSync(path.join(sb.root, "etc/sysconfig/proxy")), "zypper configured on a machine without zypper");
            assert.deepEqual(JSON.parse(read(sb, "etc/opt/microsoft/mdatp/managed/mdatp_managed.json")), {
                cloudService: { proxy: `${PROXY}/` },
            });
            assert.deepEqual(firstCalls, restartCalls(sb, "waagent.service"));
        });

        it("CentOS 7-like: yum.conf without proxy= gets one after the last setting of [main]", () => {
            const sb = makeSandbox();
            put(sb, "etc/systemd/system/waagent.service", "[Unit]\nDescription=Azure Linux Agent\n");
            const yumBefore =
                "[main]\ncachedir=/var/cache/yum/$basearch/$releasever\nkeepcache=0\n# proxy=http://commented-out:1\ndebuglevel=2\n# end of main\n\n[local]\nname=local\nproxy=http://keep-me:1\n";
            put(sb, "etc/yum.conf", yumBefore);

            runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: "localhost" });

            assert.equal(read(sb, "etc/yum.conf"), yumBefore.replace("debuglevel=2\n", `debuglevel=2\nproxy=${PROXY}\n`));
            assert.equal(read(sb, "etc/systemd/system/waagent.service.d/13-Proxy.conf"), expectedDropin("localhost"));
        });

        it("SUSE-like: PROXY_ENABLED, HTTP(S)_PROXY and NO_PROXY set in /etc/sysconfig/proxy, all else kept", () => {
            const sb = makeSandbox();
            put(sb, "usr/lib/systemd/system/waagent.service", "[Unit]\nDescription=Azure Linux Agent\n");
            put(sb, "etc/zypp/zypp.conf", "[main]\n");
            put(sb, "etc/sysconfig/proxy", SUSE_PROXY_BEFORE, 0o600);

            const { tree } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: " localhost , 127.0.0.1,, .contoso.internal " });

            const expected = SUSE_PROXY_BEFORE.replace('PROXY_ENABLED="no"', 'PROXY_ENABLED="yes"')
                .replace('HTTP_PROXY=""', `HTTP_PROXY="${PROXY}"`)
                .replace('HTTPS_PROXY=""', `HTTPS_PROXY="${PROXY}"`)
                .replace('NO_PROXY="localhost, 127.0.0.1"', 'NO_PROXY="localhost,127.0.0.1,.contoso.internal"');
            assert.equal(read(sb, "etc/sysconfig/proxy"), expected);
            assert.equal(modeOf(tree, "etc/sysconfig/proxy"), "file 600", "sysconfig/proxy mode changed");
            assert.equal(read(sb, "etc/zypp/zypp.conf"), "[main]\n");
            assert.equal(
                read(sb, "etc/systemd/system/waagent.service.d/13-Proxy.conf"),
                expectedDropin("localhost,127.0.0.1,.contoso.internal"),
            );
        });

        it("Arc machine (no Azure Linux Agent unit): notes it, configures the rest, calls no systemctl", () => {
            const sb = makeSandbox();
            put(sb, "etc/apt/apt.conf.d/50unattended-upgrades", "// other\n");

            const { first, firstCalls } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: BYPASS });

            assert.match(first.stdout, /^note: no walinuxagent\.service or waagent\.service unit found/m);
            assert.deepEqual(firstCalls, []);
            assert.ok(!fs.existsSync(path.join(sb.root, "etc/systemd")));
            assert.equal(read(sb, "etc/apt/apt.conf.d/95defender-servers-proxy"), EXPECTED_APT);
        });

        it("changing the proxy rewrites the files and restarts the agent once more", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            assert.equal(run(sb, OS_PROXY, { PROXY_URL: "http://old-proxy.contoso.internal:8080" }).status, 0);
            const n = calls(sb).length;

            runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: BYPASS });

            assert.deepEqual(calls(sb).slice(n), restartCalls(sb, "walinuxagent.service"));
            assert.equal(read(sb, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf"), expectedDropin(BYPASS));
            assert.equal(JSON.parse(read(sb, "etc/opt/microsoft/mdatp/managed/mdatp_managed.json")).cloudService.proxy, `${PROXY}/`);
        });

        it("no package manager: fails with a clear message before changing anything", () => {
            const sb = makeSandbox();
            put(sb, "lib/systemd/system/walinuxagent.service", "[Unit]\n");
            const before = snapshot(sb.root);
            expectFailure(run(sb, OS_PROXY, { PROXY_URL: PROXY }), 1, "no supported package manager");
            assert.deepEqual(snapshot(sb.root), before);
            assert.deepEqual(calls(sb), []);
        });

        it("mdatp_managed.json that is not JSON: fails, overwrites nothing, changes nothing", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            put(sb, "etc/opt/microsoft/mdatp/managed/mdatp_managed.json", '{"cloudService": {"diagnosticLevel": "optional",}');
            const before = snapshot(sb.root);
            const res = run(sb, OS_PROXY, { PROXY_URL: PROXY });
            assert.equal(res.status, 1);
            assert.match(res.stderr, /mdatp_managed\.json is not valid JSON/);
            assertNoCredentialLike(res);
            assert.deepEqual(snapshot(sb.root), before);
            assert.deepEqual(calls(sb), []);
        });

        it("python3 missing: fails with a clear message, changes nothing", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            // a PATH with everything from /usr/bin and /bin except python*
            const noPython = path.join(sb.dir, "no-python-bin");
            fs.mkdirSync(noPython);
            for (const dir of ["/usr/bin", "/bin"]) {
                for (const name of fs.readdirSync(dir)) {
                    const link = path.join(noPython, name);
                    if (!name.startsWith("python") && !fs.existsSync(link)) {
                        fs.symlinkSync(path.join(dir, name), link);
                    }
                }
            }
            const before = snapshot(sb.root);
            expectFailure(run(sb, OS_PROXY, { PROXY_URL: PROXY }, [sb.bin, noPython]), 1, "python3 is required");
            assert.deepEqual(snapshot(sb.root), before);
            assert.deepEqual(calls(sb), []);
        });

        it("a failing daemon-reload puts the drop-in back, so the next run tries again", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            const failed = run(sb, OS_PROXY, { PROXY_URL: PROXY, STUB_FAIL: "daemon-reload" });
            assert.equal(failed.status, 1);
            assert.match(failed.stderr, /daemon-reload failed/);
            assert.ok(!fs.existsSync(path.join(sb.root, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf")));
            const n = calls(sb).length;

            runTwice(sb, OS_PROXY, { PROXY_URL: PROXY });
            assert.deepEqual(calls(sb).slice(n), restartCalls(sb, "walinuxagent.service"));
        });

        const badNoProxy: [string, string][] = [
            ["a space", "localhost,bad host"],
            ["a quote", 'localhost,"x'],
            ["a newline", "localhost\n[Service]"],
        ];
        for (const [label, value] of badNoProxy) {
            it(`rejects PROXY_BYPASS with ${label} (exit 2, names PROXY_BYPASS, changes nothing)`, () => {
                const sb = makeSandbox();
                debianRoot(sb);
                const before = snapshot(sb.root);
                expectFailure(run(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: value }), 2, "PROXY_BYPASS");
                assert.deepEqual(snapshot(sb.root), before);
                assert.deepEqual(calls(sb), []);
            });
        }
    });

    describe(ARC_PROXY, () => {
        const agentCall = (sb: Sandbox, ...args: string[]) => `'${path.join(sb.bin, "azcmagent")}' ${args.join(" ")}`;
        const reads = [
            ["azcmagent", "config", "get", "proxy.url"],
            ["azcmagent", "config", "get", "proxy.bypass"],
        ];

        it("sets proxy.url and proxy.bypass in one detached systemd-run; a second run only reads", () => {
            const sb = makeSandbox();
            const { first, firstCalls } = runTwice(sb, ARC_PROXY, { PROXY_URL: PROXY, ARC_PROXY_BYPASS: " Arc, ARM,Arc " }, reads);
            assert.deepEqual(firstCalls, [
                ...reads,
                [
                    "systemd-run",
                    "--on-active=30s",
                    "--description=defender-servers: azcmagent proxy settings",
                    "/bin/sh",
                    "-c",
                    `${agentCall(sb, "config set proxy.url", `'${PROXY}'`)} && ${agentCall(sb, "config set proxy.bypass", "'Arc,ARM'")}`,
                ],
                ["azcmagent", "config", "set", "proxy.url", PROXY],
                ["azcmagent", "config", "set", "proxy.bypass", "Arc,ARM"],
            ]);
            assert.match(first.stdout, /^scheduled: /m);
            assert.equal(fs.readFileSync(path.join(sb.state, "proxy.url"), "utf8"), PROXY);
        });

        it("understands decorated `config get` output and clears the bypass when ARC_PROXY_BYPASS is empty", () => {
            const sb = makeSandbox();
            fs.writeFileSync(path.join(sb.state, "proxy.url"), `proxy.url: ${PROXY}/\n`);
            fs.writeFileSync(path.join(sb.state, "proxy.bypass"), 'proxy.bypass: ["ARM", "ArcData"]\n');

            // same set in another order and format: nothing to do
            let res = run(sb, ARC_PROXY, { PROXY_URL: PROXY, ARC_PROXY_BYPASS: "ArcData,ARM" });
            assert.equal(res.status, 0, res.stderr);
            assert.deepEqual(calls(sb), reads);

            // empty bypass: only a clear, detached
            const { firstCalls } = runTwice(sb, ARC_PROXY, { PROXY_URL: PROXY, ARC_PROXY_BYPASS: undefined }, reads);
            assert.deepEqual(firstCalls.slice(reads.length), [
                ...reads,
                [
                    "systemd-run",
                    "--on-active=30s",
                    "--description=defender-servers: azcmagent proxy settings",
                    "/bin/sh",
                    "-c",
                    agentCall(sb, "config clear proxy.bypass"),
                ],
                ["azcmagent", "config", "clear", "proxy.bypass"],
            ]);
            res = run(sb, ARC_PROXY, { PROXY_URL: PROXY, ARC_PROXY_BYPASS: "" });
            assert.equal(res.status, 0, res.stderr);
        });

        for (const value of ["ARM,Foo", "arm", "Arc;ARM"]) {
            it(`rejects ARC_PROXY_BYPASS=${JSON.stringify(value)} (exit 2, names it, runs nothing)`, () => {
                const sb = makeSandbox();
                expectFailure(run(sb, ARC_PROXY, { PROXY_URL: PROXY, ARC_PROXY_BYPASS: value }), 2, "ARC_PROXY_BYPASS");
                assert.deepEqual(calls(sb), []);
            });
        }

        it("fails clearly when azcmagent is not installed", () => {
            assert.ok(!fs.existsSync("/opt/azcmagent/bin/azcmagent"), "this test needs a machine without the Arc agent");
            const sb = makeSandbox();
            fs.rmSync(path.join(sb.bin, "azcmagent"));
            expectFailure(run(sb, ARC_PROXY, { PROXY_URL: PROXY }), 1, "azcmagent was not found");
            assert.deepEqual(calls(sb), []);
        });
    });

    describe(QUALYS_PROXY, () => {
        it("RHEL-like: sets qualys_https_proxy in /etc/sysconfig, keeps other lines, restarts once", () => {
            const sb = makeSandbox();
            put(sb, "usr/local/qualys/cloud-agent/bin/qualys-cloud-agent", "", 0o755);
            put(sb, "etc/sysconfig/qualys-cloud-agent", "# agent options\nqualys_https_proxy=http://old-proxy:8080\nLOG_LEVEL=3\n", 0o640);

            const { tree, firstCalls } = runTwice(sb, QUALYS_PROXY, { PROXY_URL: PROXY });

            assert.equal(read(sb, "etc/sysconfig/qualys-cloud-agent"), `# agent options\nqualys_https_proxy=${PROXY}\nLOG_LEVEL=3\n`);
            assert.equal(modeOf(tree, "etc/sysconfig/qualys-cloud-agent"), "file 640");
            assert.deepEqual(firstCalls, [["systemctl", "restart", "qualys-cloud-agent.service"]]);
        });

        it("Debian-like: appends to /etc/default/qualys-cloud-agent once the unit exists", () => {
            const sb = makeSandbox();
            put(sb, "lib/systemd/system/qualys-cloud-agent.service", "[Unit]\n");
            put(sb, "etc/default/qualys-cloud-agent", "OTHER_SETTING=1");

            const { firstCalls } = runTwice(sb, QUALYS_PROXY, { PROXY_URL: PROXY });

            assert.equal(read(sb, "etc/default/qualys-cloud-agent"), `OTHER_SETTING=1\nqualys_https_proxy=${PROXY}\n`);
            assert.ok(!fs.existsSync(path.join(sb.root, "etc/sysconfig")));
            assert.deepEqual(firstCalls, [["systemctl", "restart", "qualys-cloud-agent.service"]]);
        });

        it("waits, polling every 10 s, until the agent is installed", () => {
            const sb = makeSandbox();
            const res = run(sb, QUALYS_PROXY, { PROXY_URL: PROXY, WAIT_SECONDS: "60", STUB_QUALYS_AFTER: "3" });
            assert.equal(res.status, 0, res.stderr);
            assert.match(res.stdout, /^found: the Qualys Cloud Agent after 30s$/m);
            assert.equal(read(sb, "etc/default/qualys-cloud-agent"), `qualys_https_proxy=${PROXY}\n`);
            assert.deepEqual(calls(sb), [
                ["sleep", "10"],
                ["sleep", "10"],
                ["sleep", "10"],
                ["systemctl", "restart", "qualys-cloud-agent.service"],
            ]);
        });

        it("times out after WAIT_SECONDS with a clear message, changing nothing", () => {
            const sb = makeSandbox();
            put(sb, "etc/sysconfig/network", "NETWORKING=yes\n");
            const before = snapshot(sb.root);
            expectFailure(run(sb, QUALYS_PROXY, { PROXY_URL: PROXY, WAIT_SECONDS: "25" }), 1, /not installed after 25s/);
            assert.deepEqual(calls(sb), [
                ["sleep", "10"],
                ["sleep", "10"],
                ["sleep", "5"],
            ]);
            assert.deepEqual(snapshot(sb.root), before);
        });

        it("rejects a WAIT_SECONDS that is not a number", () => {
            const sb = makeSandbox();
            expectFailure(run(sb, QUALYS_PROXY, { PROXY_URL: PROXY, WAIT_SECONDS: "30m" }), 2, "WAIT_SECONDS");
        });
    });

    describe("PROXY_URL validation (every Linux script)", () => {
        const BAD: [string, string | undefined][] = [
            ["https:// scheme", "https://proxy.contoso.internal:3128"],
            ["credentials", `http://svc-proxy:${PASSWORD}@proxy.contoso.internal:3128`],
            ["credentials without a port", `http://svc-proxy:${PASSWORD}@proxy.contoso.internal`],
            ["no port", "http://proxy.contoso.internal"],
            ["a path", "http://proxy.contoso.internal:3128/"],
            ["no scheme", "proxy.contoso.internal:3128"],
            ["port out of range", "http://proxy.contoso.internal:65536"],
            ["a newline (file injection)", "http://proxy.contoso.internal:3128\nEnvironment=LD_PRELOAD=/tmp/x"],
            ["an empty value", ""],
            ["no value at all", undefined],
        ];
        for (const script of LINUX_SCRIPTS) {
            for (const [label, value] of BAD) {
                it(`${script} rejects ${label}: exit 2, stderr names PROXY_URL, no password echoed, nothing changed`, () => {
                    const sb = makeSandbox();
                    debianRoot(sb);
                    put(sb, "usr/local/qualys/cloud-agent/bin/qualys-cloud-agent", "", 0o755);
                    const before = snapshot(sb.root);
                    const res = run(sb, script, { PROXY_URL: value, PROXY_BYPASS: BYPASS, ARC_PROXY_BYPASS: "Arc" });
                    expectFailure(res, 2, "PROXY_URL");
                    assert.equal(res.stdout, "");
                    assert.deepEqual(snapshot(sb.root), before);
                    assert.deepEqual(calls(sb), []);
                });
            }
        }
    });
});
