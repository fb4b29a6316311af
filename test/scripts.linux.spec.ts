// Tests for the Linux run-command scripts in sdk/scripts/, run for real in a scratch root
// (see scratchRoot.linux.ts: a mount namespace and chroot, so the scripts need no test hook).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    ALWAYS,
    APT_FILE,
    ARC_PROXY,
    BYPASS,
    calls,
    exists,
    expectFailure,
    FULL_BYPASS,
    makeSandbox,
    MDATP,
    modeOf,
    OS_PROXY,
    PASSWORD,
    pathWithout,
    PROXY,
    put,
    read,
    rootPath,
    removeSandboxes,
    run,
    runTwice,
    Sandbox,
    SCRIPTS,
    snapshot,
    SCRIPTS_SOURCE,
    withSystemd,
} from "./scratchRoot.linux";

// ---------------------------------------------------------------------------------------------
// realistic machines

const DROPIN_SEED = "[Service]\nEnvironment=http_proxy=http://old-proxy:8080\n";

function debianRoot(sb: Sandbox): void {
    put(
        sb,
        "lib/systemd/system/walinuxagent.service",
        "[Unit]\nDescription=Azure Linux Agent\n\n[Service]\nExecStart=/usr/bin/python3 -u /usr/sbin/waagent -daemon\n",
    );
    // A copy of the seed article's drop-in, made by hand: ours (same name, /etc) replaces it.
    put(sb, "lib/systemd/system/walinuxagent.service.d/13-Proxy.conf", DROPIN_SEED);
    put(
        sb,
        "etc/apt/apt.conf.d/50unattended-upgrades",
        'Unattended-Upgrade::Allowed-Origins {\n\t"${distro_id}:${distro_codename}-security";\n};\n',
    );
    put(sb, "etc/apt/sources.list", "deb http://azure.archive.ubuntu.com/ubuntu/ jammy main\n");
    put(sb, "etc/waagent.conf", "Extensions.Enabled=y\nHttpProxy.Host=None\nHttpProxy.Port=None\n");
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
    "// Written by defender-servers (linux-os-proxy.sh): proxy for Microsoft's packages only,",
    "// so that the operating system's own mirrors keep their route.",
    `Acquire::http::Proxy::packages.microsoft.com "${PROXY}";`,
    `Acquire::https::Proxy::packages.microsoft.com "${PROXY}";`,
    "",
].join("\n");

const SHOW = (unit: string) => ["systemctl", "show", "-p", "Environment", unit];
const PROPERTY = (name: string, unit: string) => ["systemctl", "show", "-p", name, unit];

/** A first run on a machine whose agent runs without the proxy: reload, read back, restart. */
function restartCalls(unit: string): string[][] {
    return [
        PROPERTY("NeedDaemonReload", unit),
        ["systemctl", "daemon-reload"],
        SHOW(unit),
        PROPERTY("MainPID", unit),
        PROPERTY("ActiveState", unit),
        [
            "systemd-run",
            "--on-active=10s",
            `--description=defender-servers: restart ${unit} to apply its proxy`,
            "/stub-bin/systemctl",
            "restart",
            unit,
        ],
        // what the systemd-run stub ran at once
        ["systemctl", "restart", unit],
    ];
}

/** A run that finds everything in place: systemd has loaded the drop-in and the running agent has the proxy. */
function convergedCalls(unit: string): string[][] {
    return [PROPERTY("NeedDaemonReload", unit), SHOW(unit), SHOW(unit), PROPERTY("MainPID", unit)];
}

const DNF_BEFORE = `# see \`man dnf.conf\` for defaults and possible options

[main]
gpgcheck=1
installonly_limit=3
clean_requirements_on_remove=True
best=True
skip_if_unavailable=False
`;

const MS_REPO = `[packages-microsoft-com-prod]
name=packages-microsoft-com-prod
baseurl=https://packages.microsoft.com/rhel/9/prod/
enabled=1
gpgcheck=1
gpgkey=https://packages.microsoft.com/keys/microsoft.asc
`;

const RHUI_REPO = `[rhel-9-baseos-rhui-rpms]
name=Red Hat Enterprise Linux 9 BaseOS from RHUI
mirrorlist=https://rhui4-1.microsoft.com/pulp/mirror/content/dist/rhel9/rhui/9/x86_64/baseos/os
enabled=1
`;

// ---------------------------------------------------------------------------------------------

describe("Linux run-command scripts (sdk/scripts/*.sh), run in a scratch root", function () {
    this.timeout(60000);

    before(function () {
        assert.equal(process.getuid?.(), 0, "these tests run the scripts in a mount namespace and need root; they never skip");
    });

    after(removeSandboxes);

    describe("static checks", () => {
        it("shellcheck --enable=all reports nothing, and each disabled check says why on its line", () => {
            const files = fs.readdirSync(SCRIPTS).filter((f) => f.endsWith(".sh"));
            const r = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
            if (r.error || r.status !== 0)
                assert.fail("shellcheck is not installed: run `apt-get install shellcheck` (these tests never skip it)");
            const mine = [OS_PROXY, ARC_PROXY].filter((f) => files.includes(f));
            const lint = spawnSync("shellcheck", ["--enable=all", "--shell=bash", ...mine.map((f) => path.join(SCRIPTS, f))], {
                encoding: "utf8",
            });
            assert.equal(lint.status, 0, `shellcheck findings:\n${lint.stdout}${lint.stderr}`);
            for (const f of mine) {
                for (const line of fs.readFileSync(path.join(SCRIPTS, f), "utf8").split("\n")) {
                    if (/shellcheck disable=/.test(line))
                        assert.match(line, /disable=SC\d+(,SC\d+)* # \S/, `${f}: a disable without a reason: ${line}`);
                }
            }
        });

        it("one implementation per step: no function is defined twice in a shipped body, and none in both entry scripts (shared steps live in sdk/scripts/linux/)", () => {
            const functions = (text: string): string[] => [...text.matchAll(/^([a-z_][a-z0-9_]*)\(\) \{$/gm)].map((m) => m[1]);
            for (const f of [OS_PROXY, ARC_PROXY]) {
                const names = functions(fs.readFileSync(path.join(SCRIPTS, f), "utf8"));
                assert.deepEqual(
                    names.filter((n, i) => names.indexOf(n) !== i),
                    [],
                    `${f} defines a function twice`,
                );
                assert.doesNotMatch(
                    fs.readFileSync(path.join(SCRIPTS, f), "utf8"),
                    /^# @include /m,
                    `${f} was shipped with an include line left`,
                );
            }
            const entries = [OS_PROXY, ARC_PROXY].map((f) => new Set(functions(fs.readFileSync(path.join(SCRIPTS_SOURCE, f), "utf8"))));
            // Each job's own entry points: main, die (what that job rolls back) and verify (what it reads back).
            const ownPerJob = ["main", "die", "verify"];
            assert.deepEqual(
                [...entries[0]].filter((n) => entries[1].has(n) && !ownPerJob.includes(n)),
                [],
                "both entry scripts define these: move them into a shared part",
            );
        });

        it("every script is ASCII bash with set -euo pipefail and no ROOT-style path prefix", () => {
            for (const f of [OS_PROXY, ARC_PROXY]) {
                const text = fs.readFileSync(path.join(SCRIPTS, f), "utf8");
                assert.ok(/^[\x09\x0a\x20-\x7e]*$/.test(text), `${f} has non-ASCII or control characters`);
                assert.ok(text.startsWith("#!/bin/bash\n"), `${f} must start with #!/bin/bash`);
                assert.match(text, /^set -euo pipefail$/m, `${f} must set -euo pipefail`);
                // No variable may prefix an absolute path: production must never honour a test root.
                assert.doesNotMatch(text, /\$\{?ROOT\b/, `${f} honours a ROOT prefix`);
            }
        });
    });

    describe(OS_PROXY, () => {
        it("Debian-like: walinuxagent drop-in in /etc, apt scoped to packages.microsoft.com, merged mdatp JSON; read back; a second run changes nothing", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            withSystemd(sb);
            put(sb, MDATP, JSON.stringify(MDATP_BEFORE, null, 4));
            const before = snapshot(sb.root);

            const { first, second, tree, firstCalls } = runTwice(
                sb,
                OS_PROXY,
                { PROXY_URL: PROXY, PROXY_BYPASS: BYPASS },
                convergedCalls("walinuxagent.service"),
            );

            assert.equal(read(sb, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf"), expectedDropin(FULL_BYPASS));
            assert.equal(read(sb, APT_FILE), EXPECTED_APT);
            const merged = { ...MDATP_BEFORE, cloudService: { ...MDATP_BEFORE.cloudService, proxy: `${PROXY}/` } };
            assert.equal(read(sb, MDATP), `${JSON.stringify(merged, null, 2)}\n`);
            assert.deepEqual(firstCalls, restartCalls("walinuxagent.service"));
            for (const [rel, entry] of Object.entries(before)) {
                if (rel.endsWith("mdatp_managed.json")) continue;
                assert.equal(tree[rel], entry, `${rel} changed`);
            }
            assert.match(first.stdout, /^verified: apt-config dump sends packages\.microsoft\.com through the proxy$/m);
            assert.match(first.stdout, /^verified: systemctl show -p Environment walinuxagent\.service has the proxy$/m);
            assert.match(first.stdout, /^scheduled: restart of walinuxagent\.service in 10s/m);
            assert.match(second.stdout, /^unchanged: .*13-Proxy\.conf$/m);
        });

        it("apt: the OS mirrors get no proxy (apt-config dump has no global Acquire::http(s)::Proxy), and the old global lines are replaced", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            // what an earlier version of this script wrote: a global proxy for every mirror
            put(
                sb,
                APT_FILE,
                `Acquire::http::Proxy "${PROXY}";\nAcquire::https::Proxy "${PROXY}";\nAcquire::http::Proxy::localhost "DIRECT";\n`,
            );
            runTwice(sb, OS_PROXY, { PROXY_URL: PROXY });
            assert.equal(read(sb, APT_FILE), EXPECTED_APT);
        });

        it("RHEL-like: waagent drop-in, proxy= only in the packages.microsoft.com repository, no global proxy, yum.conf symlink kept, mdatp JSON created without python3", () => {
            const sb = makeSandbox();
            withSystemd(sb);
            put(sb, "usr/lib/systemd/system/waagent.service", "[Unit]\nDescription=Azure Linux Agent\n");
            put(sb, "etc/dnf/dnf.conf", DNF_BEFORE, 0o600);
            fs.symlinkSync("dnf/dnf.conf", path.join(sb.root, "etc/yum.conf"));
            put(sb, "etc/yum.repos.d/microsoft-prod.repo", MS_REPO);
            put(sb, "etc/yum.repos.d/rh-cloud.repo", RHUI_REPO);

            const noPython = pathWithout(sb, /^python/, /^jq$/);
            const { tree, firstCalls } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: undefined }, undefined, {
                pathDirs: noPython,
            });

            assert.equal(read(sb, "etc/systemd/system/waagent.service.d/13-Proxy.conf"), expectedDropin(ALWAYS));
            assert.equal(read(sb, "etc/dnf/dnf.conf"), DNF_BEFORE, "dnf.conf must get no global proxy");
            assert.equal(modeOf(tree, "etc/dnf/dnf.conf"), "file 600");
            assert.equal(tree["etc/yum.conf"], "link -> dnf/dnf.conf");
            assert.equal(read(sb, "etc/yum.repos.d/microsoft-prod.repo"), `${MS_REPO}proxy=${PROXY}\n`);
            assert.equal(read(sb, "etc/yum.repos.d/rh-cloud.repo"), RHUI_REPO, "the OS mirror must keep its route");
            assert.ok(!exists(sb, "etc/apt"));
            assert.deepEqual(JSON.parse(read(sb, MDATP)), { cloudService: { proxy: `${PROXY}/` } });
            assert.deepEqual(firstCalls, restartCalls("waagent.service"));
        });

        it("dnf.conf: the global proxy= an earlier run wrote is removed, an old repository proxy is replaced; another global proxy is refused", () => {
            const sb = makeSandbox();
            put(sb, "etc/systemd/system/waagent.service", "[Unit]\n");
            put(sb, "etc/dnf/dnf.conf", `[main]\ngpgcheck=1\nproxy=${PROXY}\nbest=True\n`);
            put(
                sb,
                "etc/yum.repos.d/microsoft-prod.repo",
                MS_REPO.replace("enabled=1\n", "enabled=1\nproxy=http://old-proxy.contoso.internal:8080\n"),
            );
            const { first } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY });
            assert.equal(read(sb, "etc/dnf/dnf.conf"), "[main]\ngpgcheck=1\nbest=True\n");
            assert.match(first.stdout, /global proxy= an earlier run wrote was removed/);
            assert.equal(read(sb, "etc/yum.repos.d/microsoft-prod.repo"), MS_REPO.replace("enabled=1\n", `enabled=1\nproxy=${PROXY}\n`));

            const other = makeSandbox();
            put(
                other,
                "etc/dnf/dnf.conf",
                "[main]\nproxy=http://other-proxy.contoso.internal:8080\nproxy_username=svc\nproxy_password=" + PASSWORD + "\n",
            );
            const before = snapshot(other.root);
            expectFailure(
                run(other, OS_PROXY, { PROXY_URL: PROXY }),
                1,
                /\/etc\/dnf\/dnf\.conf sets a global proxy= in \[main\] to another proxy/,
            );
            assert.deepEqual(snapshot(other.root), before);
        });

        it("Azure Linux (tdnf): handled - agent drop-in, no repository or global proxy (tdnf's per-repository proxy= is unconfirmed)", () => {
            const sb = makeSandbox();
            put(sb, "usr/lib/systemd/system/waagent.service", "[Unit]\n");
            put(sb, "etc/tdnf/tdnf.conf", "[main]\ngpgcheck=1\ninstallonly_limit=3\nrepodir=/etc/yum.repos.d\n");
            put(
                sb,
                "etc/yum.repos.d/mariner-official-base.repo",
                "[mariner-official-base]\nbaseurl=https://packages.microsoft.com/cbl-mariner/2.0/prod/base/$basearch\nenabled=1\n",
            );
            const { first } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY });
            assert.equal(read(sb, "etc/tdnf/tdnf.conf"), "[main]\ngpgcheck=1\ninstallonly_limit=3\nrepodir=/etc/yum.repos.d\n");
            assert.match(read(sb, "etc/yum.repos.d/mariner-official-base.repo"), /\nenabled=1\n$/);
            assert.match(first.stdout, /^note: tdnf gets the proxy from the Azure Linux Agent's environment/m);
            assert.equal(read(sb, "etc/systemd/system/waagent.service.d/13-Proxy.conf"), expectedDropin(ALWAYS));
        });

        it("SUSE-like: /etc/sysconfig/proxy is left alone (system-wide); another enabled proxy there is refused", () => {
            const sb = makeSandbox();
            put(sb, "usr/lib/systemd/system/waagent.service", "[Unit]\n");
            put(sb, "etc/zypp/zypp.conf", "[main]\n");
            const disabled = 'PROXY_ENABLED="no"\nHTTPS_PROXY=""\n';
            put(sb, "etc/sysconfig/proxy", disabled, 0o600);
            runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: " localhost , 127.0.0.1,, .contoso.internal " });
            assert.equal(read(sb, "etc/sysconfig/proxy"), disabled);
            assert.equal(read(sb, "etc/systemd/system/waagent.service.d/13-Proxy.conf"), expectedDropin(`${ALWAYS},.contoso.internal`));

            const other = makeSandbox();
            put(other, "etc/zypp/zypp.conf", "[main]\n");
            put(other, "etc/sysconfig/proxy", 'PROXY_ENABLED="yes"\nHTTPS_PROXY="http://other-proxy:8080"\n');
            expectFailure(run(other, OS_PROXY, { PROXY_URL: PROXY }), 1, /sysconfig\/proxy enables another system-wide HTTPS_PROXY/);
        });

        it("Arc machine (no Azure Linux Agent unit): notes it, configures the rest, calls no systemctl", () => {
            const sb = makeSandbox();
            put(sb, "etc/apt/apt.conf.d/50unattended-upgrades", "// other\n");
            const { first, firstCalls } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: BYPASS }, []);
            assert.match(first.stdout, /^note: no walinuxagent\.service or waagent\.service unit found/m);
            assert.deepEqual(firstCalls, []);
            assert.ok(!exists(sb, "etc/systemd"));
            assert.equal(read(sb, APT_FILE), EXPECTED_APT);
        });

        it("changing the proxy rewrites the files and restarts the agent once more", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            withSystemd(sb);
            const old = run(sb, OS_PROXY, { PROXY_URL: "http://old-proxy.contoso.internal:8080" });
            assert.equal(old.status, 0, old.stderr);
            const n = calls(sb).length;
            runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: BYPASS }, convergedCalls("walinuxagent.service"));
            assert.deepEqual(calls(sb).slice(n, n + 7), restartCalls("walinuxagent.service"));
            assert.equal(read(sb, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf"), expectedDropin(FULL_BYPASS));
            assert.equal(JSON.parse(read(sb, MDATP)).cloudService.proxy, `${PROXY}/`);
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
            put(sb, MDATP, '{"cloudService": {"diagnosticLevel": "optional",}');
            const before = snapshot(sb.root);
            expectFailure(run(sb, OS_PROXY, { PROXY_URL: PROXY }), 1, /mdatp_managed\.json is not valid JSON/);
            assert.deepEqual(snapshot(sb.root), before);
            assert.deepEqual(calls(sb), []);
        });

        it("python3 missing: nothing to merge needs no JSON tool; an existing file is merged with RHEL's /usr/libexec/platform-python; jq alone is a clear failure", () => {
            const noPython = makeSandbox();
            debianRoot(noPython);
            runTwice(noPython, OS_PROXY, { PROXY_URL: PROXY }, undefined, { pathDirs: pathWithout(noPython, /^python/, /^jq$/) });
            assert.deepEqual(JSON.parse(read(noPython, MDATP)), { cloudService: { proxy: `${PROXY}/` } });

            const platformPython = makeSandbox();
            debianRoot(platformPython);
            put(platformPython, MDATP, JSON.stringify(MDATP_BEFORE));
            fs.mkdirSync(rootPath(platformPython, "usr/libexec"), { recursive: true });
            fs.symlinkSync("/usr/bin/python3", rootPath(platformPython, "usr/libexec/platform-python"));
            runTwice(platformPython, OS_PROXY, { PROXY_URL: PROXY }, undefined, {
                pathDirs: pathWithout(platformPython, /^python/, /^jq$/),
            });
            assert.deepEqual(JSON.parse(read(platformPython, MDATP)), {
                ...MDATP_BEFORE,
                cloudService: { ...MDATP_BEFORE.cloudService, proxy: `${PROXY}/` },
            });

            const jqOnly = makeSandbox();
            debianRoot(jqOnly);
            put(jqOnly, MDATP, JSON.stringify(MDATP_BEFORE));
            const before = snapshot(jqOnly.root);
            expectFailure(
                run(jqOnly, OS_PROXY, { PROXY_URL: PROXY }, { pathDirs: pathWithout(jqOnly, /^python/) }),
                1,
                /must be merged, which needs python3 \(or \/usr\/libexec\/platform-python\); neither was found/,
            );
            assert.deepEqual(snapshot(jqOnly.root), before);
        });

        describe("a write that fails exits non-zero, never says changed:, and leaves every file as it was", () => {
            it("full disk under mdatp's managed directory: the JSON is not cut short", () => {
                const sb = makeSandbox();
                debianRoot(sb);
                const original = JSON.stringify(MDATP_BEFORE, null, 4);
                put(sb, MDATP, original);
                const res = run(sb, OS_PROXY, { PROXY_URL: PROXY }, { mounts: ["tmpfs-full /etc/opt/microsoft/mdatp/managed"] });
                expectFailure(res, 1, /cannot write \/etc\/opt\/microsoft\/mdatp\/managed\/mdatp_managed\.json \(full disk\?\)/);
                assert.match(res.stderr, /put back/, "the apt file written before must be rolled back");
                assert.equal(read(sb, MDATP), original, "mdatp_managed.json changed");
                assert.ok(!exists(sb, APT_FILE), "the apt file stayed after the failure");
                assert.ok(!exists(sb, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf"));
            });

            it("read-only /etc/apt/apt.conf.d", () => {
                const sb = makeSandbox();
                debianRoot(sb);
                const before = snapshot(sb.root);
                const res = run(sb, OS_PROXY, { PROXY_URL: PROXY }, { mounts: ["ro /etc/apt/apt.conf.d"] });
                expectFailure(res, 1, /cannot create a file in \/etc\/apt\/apt\.conf\.d \(read-only file system or full disk\?\)/);
                assert.deepEqual(snapshot(sb.root), before);
            });

            it("a directory where the drop-in should be", () => {
                const sb = makeSandbox();
                debianRoot(sb);
                withSystemd(sb);
                fs.mkdirSync(path.join(sb.root, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf"), { recursive: true });
                const res = run(sb, OS_PROXY, { PROXY_URL: PROXY });
                expectFailure(
                    res,
                    1,
                    /cannot write \/etc\/systemd\/system\/walinuxagent\.service\.d\/13-Proxy\.conf: a directory is in its place/,
                );
                assert.ok(!exists(sb, APT_FILE), "the apt file stayed after the failure");
                assert.ok(!exists(sb, MDATP), "mdatp_managed.json stayed after the failure");
                assert.ok(!calls(sb).some((c) => c[0] === "systemd-run"), "a restart was scheduled after a failed write");
            });
        });

        describe("settings that win over the script's files are refused, nothing changed", () => {
            const cases: Array<[string, (sb: Sandbox) => void, RegExp]> = [
                [
                    "a drop-in that sorts after 13-Proxy.conf (override.conf) with another https_proxy",
                    (sb) =>
                        put(
                            sb,
                            "etc/systemd/system/walinuxagent.service.d/override.conf",
                            "[Service]\nEnvironment=https_proxy=http://other-proxy:8080\n",
                        ),
                    /override\.conf sets https_proxy for walinuxagent\.service after/,
                ],
                [
                    "a drop-in that resets the environment",
                    (sb) => put(sb, "etc/systemd/system/walinuxagent.service.d/zz-reset.conf", "[Service]\nEnvironment=\n"),
                    /zz-reset\.conf resets the environment/,
                ],
                [
                    "an EnvironmentFile= with a proxy (it wins over Environment=)",
                    (sb) => {
                        put(sb, "etc/default/walinuxagent", `https_proxy=http://u:${PASSWORD}@other:8080\n`);
                        put(
                            sb,
                            "etc/systemd/system/walinuxagent.service.d/05-env.conf",
                            "[Service]\nEnvironmentFile=-/etc/default/walinuxagent\n",
                        );
                    },
                    /\/etc\/default\/walinuxagent \(EnvironmentFile= of walinuxagent\.service, which wins over Environment=\) sets https_proxy/,
                ],
                [
                    "HttpProxy.Host in /etc/waagent.conf naming another proxy",
                    (sb) => put(sb, "etc/waagent.conf", "HttpProxy.Host=other-proxy.contoso.internal\nHttpProxy.Port=8080\n"),
                    /\/etc\/waagent\.conf sets HttpProxy\.Host\/HttpProxy\.Port to another proxy/,
                ],
                [
                    "a service.d drop-in for every service with another http_proxy",
                    (sb) => put(sb, "etc/systemd/system/service.d/50-proxy.conf", "[Service]\nEnvironment=http_proxy=http://other:1\n"),
                    /service\.d\/50-proxy\.conf sets http_proxy/,
                ],
            ];
            for (const [label, setup, message] of cases) {
                it(label, () => {
                    const sb = makeSandbox();
                    debianRoot(sb);
                    withSystemd(sb);
                    setup(sb);
                    const before = snapshot(sb.root);
                    expectFailure(run(sb, OS_PROXY, { PROXY_URL: PROXY }), 1, message);
                    assert.deepEqual(snapshot(sb.root), before);
                    assert.deepEqual(calls(sb), []);
                });
            }

            it("an apt file that overrides the packages.microsoft.com proxy (read back with apt-config dump): every file put back", () => {
                const sb = makeSandbox();
                debianRoot(sb);
                put(sb, "etc/apt/apt.conf.d/99zz-direct", 'Acquire::https::Proxy::packages.microsoft.com "DIRECT";\n');
                const before = snapshot(sb.root);
                expectFailure(
                    run(sb, OS_PROXY, { PROXY_URL: PROXY }),
                    1,
                    /apt's effective Acquire::https::Proxy::packages\.microsoft\.com is not this proxy/,
                );
                assert.deepEqual(snapshot(sb.root), before);
            });

            it("systemd reporting another value than the files say (read back with systemctl show): rolled back and reloaded", () => {
                const sb = makeSandbox();
                debianRoot(sb);
                withSystemd(sb);
                const before = snapshot(sb.root);
                const res = run(sb, OS_PROXY, { PROXY_URL: PROXY, STUB_EXTRA_ENV: "https_proxy=http://runtime-override:1" });
                expectFailure(res, 1, /systemd reports another proxy environment for walinuxagent\.service/);
                assert.deepEqual(snapshot(sb.root), before);
                assert.deepEqual(
                    calls(sb).map((c) => c.slice(0, 2)),
                    [
                        ["systemctl", "show"],
                        ["systemctl", "daemon-reload"],
                        ["systemctl", "show"],
                        ["systemctl", "daemon-reload"],
                    ],
                );
            });

            it("the same proxy in those places is accepted", () => {
                const sb = makeSandbox();
                debianRoot(sb);
                withSystemd(sb);
                put(sb, "etc/waagent.conf", "HttpProxy.Host=proxy.contoso.internal\nHttpProxy.Port=3128\n");
                put(sb, "etc/systemd/system/walinuxagent.service.d/override.conf", `[Service]\nEnvironment=https_proxy=${PROXY}\n`);
                runTwice(sb, OS_PROXY, { PROXY_URL: PROXY });
            });
        });

        it("a failing daemon-reload puts the drop-in back, so the next run tries again", () => {
            const sb = makeSandbox();
            debianRoot(sb);
            withSystemd(sb);
            const before = snapshot(sb.root);
            const failed = run(sb, OS_PROXY, { PROXY_URL: PROXY, STUB_FAIL: "daemon-reload" });
            assert.equal(failed.status, 1);
            // the roll-back's own daemon-reload fails too under this stub, and says so
            assert.match(
                failed.stderr,
                /^linux-os-proxy\.sh: error: systemctl daemon-reload failed \(every file this run changed was put back\)$/m,
            );
            assert.deepEqual(snapshot(sb.root), before);
            const n = calls(sb).length;
            runTwice(sb, OS_PROXY, { PROXY_URL: PROXY });
            assert.deepEqual(calls(sb).slice(n, n + 7), restartCalls("walinuxagent.service"));
        });

        describe("PROXY_BYPASS", () => {
            const bad: Array<[string, string, RegExp]> = [
                ["a space", "localhost,bad host", /entry 2 has characters/],
                ["a quote", 'localhost,"x', /entry 2 has characters/],
                ["a newline", "localhost\n[Service]", /must be one line/],
                ["a lone *", "localhost,*", /entry 2 would send every destination around the proxy/],
                ["*.*", "*.*", /entry 1 would send every destination/],
                ["credentials", `svc:${PASSWORD}@proxy.contoso.internal`, /entry 1 carries credentials/],
                ["a URL with credentials", `http://svc:${PASSWORD}@host`, /entry 1 carries credentials/],
                [
                    "more than 16384 characters",
                    Array.from({ length: 700 }, (_, i) => `host-${i}.contoso.internal`).join(","),
                    /longer than 16384 characters/,
                ],
                [
                    "more than 1000 entries besides the fixed ones",
                    Array.from({ length: 1001 }, (_, i) => `h${i}`).join(","),
                    /more than 1000 entries besides/,
                ],
                ["an entry over 253 characters", `${"a".repeat(254)}`, /entry 1 is longer than 253 characters/],
            ];
            for (const [label, value, message] of bad) {
                it(`refuses ${label} (exit 2, never quotes the entry, changes nothing)`, () => {
                    const sb = makeSandbox();
                    debianRoot(sb);
                    const before = snapshot(sb.root);
                    const res = run(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: value });
                    expectFailure(res, 2, message);
                    assert.ok(!res.stderr.includes("bad host") && !res.stderr.includes("svc:"), "the entry was echoed");
                    assert.deepEqual(snapshot(sb.root), before);
                    assert.deepEqual(calls(sb), []);
                });
            }

            it("wire server and IMDS are always bypassed, whatever the caller sends", () => {
                const sb = makeSandbox();
                debianRoot(sb);
                runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: ".contoso.internal" });
                assert.match(
                    read(sb, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf"),
                    /^Environment=no_proxy=168\.63\.129\.16,169\.254\.169\.254,localhost,127\.0\.0\.1,\.contoso\.internal$/m,
                );
            });
        });
    });

    describe("PROXY_URL validation (both scripts)", () => {
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
        for (const script of [OS_PROXY, ARC_PROXY]) {
            for (const [label, value] of BAD) {
                it(`${script} rejects ${label}: exit 2, stderr names PROXY_URL, no password echoed, nothing changed`, () => {
                    const sb = makeSandbox();
                    debianRoot(sb);
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
