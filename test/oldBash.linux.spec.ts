// The Linux scripts under the oldest bash that Defender for Endpoint's supported distributions
// ship: 4.2 (RHEL/CentOS/Oracle Linux 7, Amazon Linux 2) and 4.3 (SLES 12, Ubuntu 16.04). Before
// 4.4, `set -u` treats "${empty[@]}" as an unbound variable, so every empty list (no bypass
// entries, no route-check hosts, no created directories) must be written to survive it.
//
// The bash binaries are GNU bash built from its release tags into the tools cache
// ($DEFENDER_TOOLS/bash/<version>/bin/bash; docs/linux-platforms.md says how). Nothing downloads
// them here: a bash missing from the cache skips its suite, naming the missing binary.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    ALWAYS,
    ARC_PROXY,
    expectFailure,
    makeSandbox,
    OS_PROXY,
    put,
    read,
    removeSandboxes,
    run,
    runTwice,
    Sandbox,
    withSystemd,
} from "./scratchRoot.linux";
import { freePort, stopProcess, waitForPort } from "./squidServer";

const PROXY = "http://proxy.contoso.internal:3128";
const tools = process.env.DEFENDER_TOOLS ?? path.join(os.homedir(), ".cache", "defender-servers-tools");

/** A machine with systemd running, the Azure Linux Agent's unit under `unit` and one package manager file. */
function machine(unit: string, file: string, content: string): Sandbox {
    const sb = makeSandbox();
    withSystemd(sb);
    put(sb, `lib/systemd/system/${unit}`, "[Service]\nExecStart=/usr/sbin/waagent -daemon\n");
    put(sb, file, content);
    return sb;
}
const debianLike = (): Sandbox => machine("walinuxagent.service", "etc/apt/apt.conf.d/50unattended-upgrades", "// other\n");
const rhelLike = (): Sandbox => machine("waagent.service", "etc/yum.conf", "[main]\ngpgcheck=1\n");

for (const version of ["4.2", "4.3"]) {
    describe(`Linux scripts under GNU bash ${version} (RHEL 7 / Amazon Linux 2 / SLES 12 era)`, function () {
        this.timeout(120_000);
        const bash = path.join(tools, "bash", version, "bin", "bash");

        before(function () {
            if (!fs.existsSync(bash)) {
                console.log(
                    `      skipped: bash ${version} is not in the tools cache (${bash} is missing; docs/linux-platforms.md says how it is built)`,
                );
                this.skip();
            }
        });
        after(() => removeSandboxes());

        it(`is bash ${version}`, () => {
            const v = spawnSync(bash, ["-c", "echo ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"], { encoding: "utf8" });
            assert.equal(v.stdout.trim(), version);
        });

        it("linux-os-proxy.sh, Debian-like, with every list empty (no bypass entries, no route check): applies, and a second run changes nothing", () => {
            const sb = debianLike();
            const { first } = runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: undefined }, undefined, { bash });
            assert.match(first.stdout, /^scheduled: restart of walinuxagent\.service/m);
            assert.match(
                read(sb, "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf"),
                new RegExp(`Environment=no_proxy=${ALWAYS.replace(/\./g, "\\.")}\n`),
            );
        });

        it("linux-os-proxy.sh, RHEL-like, with a bypass list", () => {
            const sb = rhelLike();
            runTwice(sb, OS_PROXY, { PROXY_URL: PROXY, PROXY_BYPASS: ".contoso.internal, 10.0.0.0/8" }, undefined, { bash });
            assert.match(
                read(sb, "etc/systemd/system/waagent.service.d/13-Proxy.conf"),
                /no_proxy=.*,\.contoso\.internal,10\.0\.0\.0\/8\n/,
            );
        });

        it("linux-os-proxy.sh: a failing route check (the failure list) and bad input (exit 2) report as under a new bash", () => {
            const res = run(
                debianLike(),
                OS_PROXY,
                { PROXY_URL: "http://127.0.0.1:9", ROUTE_CHECK_HOSTS: "a.example.test:443", ROUTE_CHECK_TIMEOUT_SECONDS: "2" },
                { bash },
            );
            expectFailure(res, 1, /route check failed for 1 host\(s\): a\.example\.test:443 \(could not connect to the proxy\)/, [
                "http://127.0.0.1:9",
                "http://127.0.0.1:9/",
            ]);
            expectFailure(run(debianLike(), OS_PROXY, { PROXY_URL: "ftp://x:1" }, { bash }), 2, /PROXY_URL must use the http:\/\/ scheme/);
        });

        it("linux-arc-agent-proxy.sh with an empty ARC_PROXY_BYPASS and no route-check hosts: applies, a second run changes nothing", async () => {
            const port = await freePort();
            const listener = spawn(process.execPath, ["-e", `require("net").createServer((s) => s.end()).listen(${port}, "127.0.0.1")`], {
                stdio: "ignore",
            });
            try {
                await waitForPort(port, { what: "the stand-in proxy port", child: listener });
                const sb = makeSandbox();
                withSystemd(sb);
                put(sb, "lib/systemd/system/extd.service", "[Service]\nExecStart=/opt/azcmagent/bin/extd\n");
                const url = `http://127.0.0.1:${port}`;
                const first = run(sb, ARC_PROXY, { PROXY_URL: url, ARC_PROXY_BYPASS: undefined }, { bash });
                assert.equal(first.status, 0, `${first.stdout}\n${first.stderr}`);
                assert.match(first.stdout, /^changed: azcmagent proxy\.url/m);
                const second = run(sb, ARC_PROXY, { PROXY_URL: url, ARC_PROXY_BYPASS: undefined }, { bash });
                assert.equal(second.status, 0, second.stderr);
                assert.doesNotMatch(second.stdout, /^changed:/m);
            } finally {
                await stopProcess(listener);
            }
        });
    });
}
