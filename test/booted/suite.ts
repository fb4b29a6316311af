// The Linux scripts on real machines: Debian 11, 12 and 13 root file systems (Debian's own
// packages, tools/build-test-machines.sh) booted with systemd as PID 1 under systemd-nspawn, one
// boot per release for the whole suite. Debian's real Azure Linux Agent (package waagent, unit
// walinuxagent.service) runs in each as `waagent -daemon`; what the scripts did is read back from
// the running agent itself (/proc/<MainPID>/environ) and from systemd. systemctl and systemd-run
// are put behind stand-ins that refuse every option systemd 219 lacks (an emulation of systemd
// 219's command line; the systemd that runs is the release's own: 247, 252, 257).
//
// Skipped, with the reason, only where the kernel or the user forbids booting a machine.
//
// One spec file per release (test/booted/<codename>.booted.spec.ts) calls describeBootedDebian:
// the scripts tier runs mocha with --parallel, so the three machines boot and run at the same
// time, each in its own worker, instead of one after another (most of their time is waiting on
// systemd: the scheduled restarts, the verify loops).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { bootForbidden, bootMachine, DEBIAN_RELEASES, Machine } from "./machine";
import { installArcStandIns, prepare, REFUSED_LOG, SCRIPT_DIR_IN_MACHINE } from "./fixtures";
import { EGRESS_AGENTS, egressEndpoints, routeCheckTargets, squidAllowlistSnippet } from "../../sdk/plan/egress";
import { SquidServer, startSquid } from "../squidServer";
import { startTlsWorld } from "../tlsWorld.linux";

const AGENT = "walinuxagent.service";
const DROPIN = "etc/systemd/system/walinuxagent.service.d/13-Proxy.conf";
const FIXED = "168.63.129.16,169.254.169.254,localhost,127.0.0.1";
const PROXY_A = "http://proxy.contoso.internal:3128";
const PROXY_B = "http://proxy-b.contoso.internal:8080";
const PROXY_C = "http://proxy-c.contoso.internal:8080";
const DENIED = "denied.contoso-not-allowed.test";
const ENDPOINTS = egressEndpoints({
    cloud: "AzureCloud",
    regions: ["westeurope"],
    agents: { mde: true, azureMonitorAgent: true, legacyAgent: false, guestConfiguration: false, arcAgent: false },
    workspaceIds: [],
    privateLink: { arc: false, azureMonitor: false },
});

/** Seconds the suite spent booting, per release (reported by the last test of each). */
const bootTimes: Record<string, number> = {};

/** The booted suite on one Debian release (each release's spec file calls it once). */
export function describeBootedDebian(codename: (typeof DEBIAN_RELEASES)[number]["codename"]): void {
    const release = DEBIAN_RELEASES.find((r) => r.codename === codename);
    if (release === undefined) throw new Error(`no Debian release ${codename} in DEBIAN_RELEASES`);
    describe("Linux scripts on booted Debian machines (systemd-nspawn, systemd as PID 1, Debian's walinuxagent)", function () {
        this.timeout(600_000);
        const forbidden = bootForbidden();

        describe(`Debian ${release.version} (${release.codename})`, function () {
            let machine: Machine;

            before(async function () {
                if (forbidden !== undefined) {
                    console.log(`      skipped: ${forbidden}`);
                    this.skip();
                }
                machine = await bootMachine(release.codename);
                bootTimes[release.codename] = machine.bootSeconds;
                prepare(machine);
            });

            after(async function () {
                await machine?.stop();
            });

            const script = (name: string, env: Record<string, string>, timeoutMs?: number) =>
                machine.exec(["bash", `${SCRIPT_DIR_IN_MACHINE}/${name}`], { TMPDIR: "/tmp", ...env }, timeoutMs);
            const osProxy = (env: Record<string, string>) => script("linux-os-proxy.sh", env);
            const verifyOs = (proxy: string) => osProxy({ PROXY_URL: proxy, OS_PROXY_MODE: "verify", OS_PROXY_VERIFY_WAIT_SECONDS: "60" });
            const agentEnv = () => machine.mainProcessEnvironment(AGENT);
            const agentHas = (proxy: string): boolean => {
                const env = agentEnv();
                return env?.https_proxy === proxy && env?.http_proxy === proxy && env?.no_proxy === FIXED && env?.NO_PROXY === FIXED;
            };

            it("boots with systemd as PID 1; the real agent (waagent -daemon) runs as walinuxagent.service's MainPID; the systemd 219 stand-ins refuse --value", () => {
                assert.equal(machine.exec(["cat", "/proc/1/comm"]).stdout.trim(), "systemd");
                assert.equal(machine.property(AGENT, "ActiveState"), "active");
                const main = machine.property(AGENT, "MainPID");
                assert.match(main, /^[1-9]\d*$/);
                assert.match(machine.exec(["cat", `/proc/${main}/cmdline`]).stdout.replace(/\0/g, " "), /python3 .*waagent -daemon/);
                assert.equal(machine.exec(["sh", "-c", "command -v systemctl"]).stdout.trim(), "/usr/local/bin/systemctl");
                const refused = machine.exec(["systemctl", "show", "-p", "MainPID", "--value", AGENT]);
                assert.notEqual(refused.status, 0, "the stand-in must refuse --value");
                fs.rmSync(path.join(machine.root, REFUSED_LOG), { force: true });
            });

            it("linux-os-proxy.sh: writes the drop-in, schedules the restart; OS_PROXY_MODE=verify reads the proxy back from the restarted agent's /proc/<MainPID>/environ", () => {
                const before = machine.property(AGENT, "MainPID");
                const apply = osProxy({ PROXY_URL: PROXY_A });
                assert.equal(apply.status, 0, `${apply.stdout}\n${apply.stderr}`);
                assert.match(apply.stdout, /^changed: \/etc\/systemd\/system\/walinuxagent\.service\.d\/13-Proxy\.conf$/m);
                assert.match(apply.stdout, /^verified: apt-config dump sends packages\.microsoft\.com through the proxy$/m);
                assert.match(apply.stdout, /^scheduled: restart of walinuxagent\.service in 10s/m);
                assert.ok(!agentHas(PROXY_A), "the agent had the proxy before its restart");
                const verified = verifyOs(PROXY_A);
                assert.equal(verified.status, 0, `${verified.stdout}\n${verified.stderr}`);
                assert.ok(agentHas(PROXY_A), JSON.stringify(agentEnv()));
                assert.notEqual(machine.property(AGENT, "MainPID"), before, "the agent was not restarted");
                assert.deepEqual(
                    JSON.parse(fs.readFileSync(path.join(machine.root, "etc/opt/microsoft/mdatp/managed/mdatp_managed.json"), "utf8")),
                    {
                        cloudService: { proxy: `${PROXY_A}/` },
                    },
                );
            });

            it("a second run finds everything in place: changes nothing, restarts nothing", () => {
                const main = machine.property(AGENT, "MainPID");
                const again = osProxy({ PROXY_URL: PROXY_A });
                assert.equal(again.status, 0, again.stderr);
                assert.doesNotMatch(again.stdout, /^changed:|^scheduled:|^reloaded:/m);
                assert.match(again.stdout, /^verified: the running walinuxagent\.service has the proxy in its environment/m);
                assert.equal(machine.property(AGENT, "MainPID"), main);
            });

            for (const [step, interruptAt, proxy] of [
                ["before systemd reloads the new drop-in", "systemctl daemon-reload", PROXY_B],
                ["before the agent's restart is scheduled", "systemd-run", PROXY_C],
            ] as const) {
                it(`a run killed ${step} is healed by the next run (decided from NeedDaemonReload and the running agent)`, () => {
                    const killed = osProxy({ PROXY_URL: proxy, DS_INTERRUPT_AT: interruptAt });
                    assert.equal(killed.signal, "SIGKILL", `the run was not killed at ${interruptAt}:\n${killed.stdout}\n${killed.stderr}`);
                    assert.ok(
                        fs.readFileSync(path.join(machine.root, DROPIN), "utf8").includes(`https_proxy=${proxy}`),
                        "the killed run had written the drop-in",
                    );
                    assert.ok(!agentHas(proxy), "the agent had the new proxy although the run was killed");
                    const healed = osProxy({ PROXY_URL: proxy });
                    assert.equal(healed.status, 0, `${healed.stdout}\n${healed.stderr}`);
                    assert.match(healed.stdout, /^unchanged: \/etc\/systemd\/system\/walinuxagent\.service\.d\/13-Proxy\.conf$/m);
                    if (interruptAt === "systemctl daemon-reload")
                        assert.match(healed.stdout, /^reloaded: systemd had not loaded the current files of walinuxagent\.service/m);
                    assert.match(healed.stdout, /^scheduled: restart of walinuxagent\.service/m);
                    const verified = verifyOs(proxy);
                    assert.equal(verified.status, 0, `${verified.stdout}\n${verified.stderr}`);
                    assert.ok(agentHas(proxy), JSON.stringify(agentEnv()));
                });
            }

            for (const locale of ["tr_TR.UTF-8", "az_AZ.UTF-8"]) {
                it(`runs the same under ${locale} (generated in this machine; I and i map differently there)`, () => {
                    assert.match(machine.exec(["locale", "-a"]).stdout, new RegExp(`^${locale.replace(".UTF-8", "\\.utf8")}$`, "m"));
                    const res = osProxy({ PROXY_URL: PROXY_C, PROXY_BYPASS: "", LANG: locale, LC_ALL: locale });
                    assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
                    assert.doesNotMatch(res.stdout, /^changed:|^scheduled:/m);
                    const withBypass = osProxy({
                        PROXY_URL: PROXY_C,
                        PROXY_BYPASS: ".INTERNAL.contoso.com,Idp.contoso.com",
                        LANG: locale,
                        LC_ALL: locale,
                    });
                    assert.equal(withBypass.status, 0, `${withBypass.stdout}\n${withBypass.stderr}`);
                    // put the machine back on the plain bypass list for the tests after this one
                    const back = osProxy({ PROXY_URL: PROXY_C });
                    assert.equal(back.status, 0, back.stderr);
                    assert.equal(verifyOs(PROXY_C).status, 0);
                });
            }

            it("a drop-in masked as systemd documents (13-Proxy.conf -> /dev/null) is refused: /dev/null and the link stay, nothing is written", () => {
                const link = path.join(machine.root, DROPIN);
                const saved = fs.readFileSync(link, "utf8");
                fs.rmSync(link);
                fs.symlinkSync("/dev/null", link);
                machine.exec(["systemctl", "daemon-reload"]);
                const res = osProxy({ PROXY_URL: PROXY_A });
                assert.equal(res.status, 1, `${res.stdout}\n${res.stderr}`);
                assert.match(
                    res.stderr,
                    /13-Proxy\.conf is masked \(a symbolic link to \/dev\/null, which switches it off on purpose\); nothing was written to it\. Remove the link/,
                );
                assert.doesNotMatch(res.stderr, /put back/, "refused before anything was changed");
                assert.match(machine.exec(["stat", "-c", "%F", "/dev/null"]).stdout, /character special file/);
                assert.equal(fs.readlinkSync(link), "/dev/null");
                assert.equal(
                    fs.existsSync(path.join(machine.root, "etc/apt/apt.conf.d/95defender-servers-proxy"))
                        ? fs.readFileSync(path.join(machine.root, "etc/apt/apt.conf.d/95defender-servers-proxy"), "utf8").includes(PROXY_A)
                        : false,
                    false,
                    "the apt file was left on the new proxy",
                );
                fs.rmSync(link);
                fs.writeFileSync(link, saved);
                machine.exec(["systemctl", "daemon-reload"]);
            });

            it("route check in the machine's own network: the component's allowlist in a real Squid passes (GET on 80, verified TLS on 443); a denied host fails, naming it", async () => {
                const hosts = routeCheckTargets(ENDPOINTS, [EGRESS_AGENTS.mde, EGRESS_AGENTS.azureMonitorAgent], "linux").hosts;
                const names = [...new Set([...hosts.map((h) => h.replace(/:\d+$/, "")), DENIED])];
                const world = await startTlsWorld(names, machine.leader);
                let squid: SquidServer | undefined;
                try {
                    squid = await startSquid({
                        prefix: "booted-squid-",
                        hosts: names,
                        hostsAddress: world.address,
                        rules: `${squidAllowlistSnippet(ENDPOINTS)}http_access deny all\n`,
                        networkOf: machine.leader,
                    });
                    // The test CA joins the machine's own trust store (Debian's ca-certificates bundle).
                    fs.appendFileSync(path.join(machine.root, "etc/ssl/certs/ca-certificates.crt"), world.caPem);
                    const env = { PROXY_URL: squid.url, ROUTE_CHECK_TIMEOUT_SECONDS: "10" };
                    const ok = osProxy({ ...env, ROUTE_CHECK_HOSTS: hosts.join(",") });
                    assert.equal(ok.status, 0, `${ok.stdout}\n${ok.stderr}`);
                    assert.match(
                        ok.stdout,
                        new RegExp(`^verified: route check passed for ${hosts.length} host\\(s\\) through the proxy`, "m"),
                    );
                    assert.match(squid.accessLog(), /GET http:\/\/crl\.microsoft\.com\//);
                    const few = routeCheckTargets(ENDPOINTS, [EGRESS_AGENTS.azureMonitorAgent], "linux").hosts;
                    const bad = osProxy({ ...env, ROUTE_CHECK_HOSTS: [...few, `${DENIED}:443`].join(",") });
                    assert.equal(bad.status, 1, bad.stdout);
                    assert.match(
                        bad.stderr,
                        new RegExp(
                            `route check failed for 1 host\\(s\\): ${DENIED.replace(/\./g, "\\.")}:443 \\(the proxy answered HTTP 403 to CONNECT\\)`,
                        ),
                    );
                } finally {
                    await squid?.stop();
                    await world.stop();
                }
            });

            it("linux-arc-agent-proxy.sh: apply under real systemd (systemd-run --scope, a timer restart), verify reads the running extension service's environment", () => {
                installArcStandIns(machine);
                assert.equal(machine.exec(["systemctl", "daemon-reload"]).status, 0);
                assert.equal(machine.exec(["systemctl", "start", "extd.service"]).status, 0);
                const env = {
                    PROXY_URL: PROXY_A,
                    ARC_PROXY_BYPASS: "Arc,ARM",
                    PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:/opt/azcmagent/bin",
                };
                const apply = script("linux-arc-agent-proxy.sh", env);
                // no proxy listens in this machine: the check of the proxy's port fails before anything changes
                assert.equal(apply.status, 1, apply.stdout);
                assert.match(apply.stderr, /the proxy in PROXY_URL does not accept connections; nothing was changed/);
                const listener = machine.sh(
                    "nohup python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", 3128)); s.listen(5); time.sleep(300)' >/dev/null 2>&1 & echo started",
                );
                assert.equal(listener.status, 0);
                const local = { ...env, PROXY_URL: "http://127.0.0.1:3128" };
                let ok = script("linux-arc-agent-proxy.sh", local);
                for (let i = 0; i < 10 && ok.status !== 0 && /does not accept connections/.test(ok.stderr); i++)
                    ok = script("linux-arc-agent-proxy.sh", local);
                assert.equal(ok.status, 0, `${ok.stdout}\n${ok.stderr}`);
                assert.match(ok.stdout, /^changed: azcmagent proxy\.url -> http:\/\/127\.0\.0\.1:3128$/m);
                assert.match(ok.stdout, /^scheduled: restart of extd\.service/m);
                const verify = script("linux-arc-agent-proxy.sh", { ...local, ARC_MODE: "verify", ARC_VERIFY_WAIT_SECONDS: "60" });
                assert.equal(verify.status, 0, `${verify.stdout}\n${verify.stderr}`);
                assert.equal(machine.mainProcessEnvironment("extd.service")?.https_proxy, "http://127.0.0.1:3128");
            });

            it("no script tried an option systemd 219 lacks; boot time recorded", () => {
                const log = path.join(machine.root, REFUSED_LOG);
                assert.equal(
                    fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "",
                    "",
                    "a script used an option systemd 219 does not have",
                );
                console.log(`      Debian ${release.version} booted in ${bootTimes[release.codename]?.toFixed(1)} s`);
            });
        });
    });
}
