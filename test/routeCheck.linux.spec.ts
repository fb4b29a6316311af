// The route check of linux-os-proxy.sh against a real Squid on loopback.
//
// Nothing leaves the machine: Squid (127.0.0.1 only) maps the probe names to 127.0.0.1 in its
// own hosts file, and a local TCP listener on 127.0.0.1 stands for the far end, so an allowed
// CONNECT really completes (HTTP 200) before the listener hangs up. One name is denied by the
// Squid configuration: the script must fail naming that host and the 403, and only that host.
// The same runs without curl (bash's /dev/tcp). A silent listener stands for a proxy that never
// answers (timeout), and the scratch root's /etc/hosts gives private and public DNS answers.
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { assertNoCredentialLike, expectFailure, makeSandbox, OS_PROXY, pathWithout, put, removeSandboxes, run, Sandbox } from "./scratchRoot.linux";
import { freePort, SquidServer, startSquid, stopProcess, waitForPort } from "./squidServer";

/** A listener in its own process (the tests block node's event loop while a script runs). */
function listener(port: number, mode: "hang-up" | "silent"): ChildProcess {
    const code =
        mode === "hang-up"
            ? `require("net").createServer((s) => { s.on("data", () => s.destroy()); s.on("error", () => {}); setTimeout(() => s.destroy(), 2000); }).listen(${port}, "127.0.0.1");`
            : `require("net").createServer((s) => { s.on("error", () => {}); }).listen(${port}, "127.0.0.1");`;
    return spawn(process.execPath, ["-e", code], { stdio: "ignore" });
}

/** A machine with apt and no Azure Linux Agent unit: the route check is all that is left to see. */
function machine(): Sandbox {
    const sb = makeSandbox();
    put(sb, "etc/apt/apt.conf.d/50unattended-upgrades", "// other\n");
    put(sb, "etc/nsswitch.conf", "hosts: files\n");
    put(
        sb,
        "etc/hosts",
        [
            "127.0.0.1 localhost",
            "10.1.2.3 arc.privatelink.probe.test",
            "172.20.0.9 monitor.privatelink.probe.test",
            "fd12:3456::7 v6.privatelink.probe.test",
            "52.174.0.1 public.privatelink.probe.test",
            "",
        ].join("\n"),
    );
    return sb;
}

describe("linux-os-proxy.sh route check through a real Squid on 127.0.0.1", function () {
    this.timeout(120_000);

    let squid: SquidServer | undefined;
    let far: ChildProcess | undefined;
    let silent: ChildProcess | undefined;
    let squidPort: number;
    let farPort: number;
    let silentPort: number;

    before(async function () {
        assert.equal(process.getuid?.(), 0, "these tests run the script in a mount namespace and need root; they never skip");
        [farPort, silentPort] = [await freePort(), await freePort()];
        far = listener(farPort, "hang-up");
        silent = listener(silentPort, "silent");
        squid = await startSquid({
            prefix: "route-squid-",
            visibleHostname: "route-test.invalid",
            hosts: ["allowed.probe.test", "other.probe.test", "denied.probe.test"],
            rules: ["acl denied_host dstdomain denied.probe.test", "http_access deny denied_host", "http_access allow all"].join("\n"),
        });
        squidPort = squid.port;
        await waitForPort(farPort, { what: "the far-end listener", child: far });
        await waitForPort(silentPort, { what: "the silent listener", child: silent });
    });

    after(async function () {
        await squid?.stop();
        await stopProcess(far);
        await stopProcess(silent);
        removeSandboxes();
    });

    const proxyUrl = () => `http://127.0.0.1:${squidPort}`;
    const env = (hosts: string[], extra: Record<string, string> = {}) => ({
        PROXY_URL: proxyUrl(),
        ROUTE_CHECK_HOSTS: hosts.map((h) => `${h}:${farPort}`).join(","),
        ROUTE_CHECK_TIMEOUT_SECONDS: "5",
        ...extra,
    });

    for (const [label, withCurl] of [
        ["curl --proxy --proxytunnel", true],
        ["bash /dev/tcp (no curl)", false],
    ] as const) {
        describe(label, () => {
            const opts = (sb: Sandbox) => (withCurl ? {} : { pathDirs: pathWithout(sb, /^curl$/) });

            it("passes when the proxy lets every listed host through, twice (idempotent)", () => {
                const sb = machine();
                for (let i = 0; i < 2; i++) {
                    const res = run(sb, OS_PROXY, env(["allowed.probe.test", "other.probe.test"]), opts(sb));
                    assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
                    assert.match(res.stdout, /^verified: route check passed for 2 host\(s\) through the proxy and 0 private name\(s\)$/m);
                    assertNoCredentialLike(res, [proxyUrl(), `${proxyUrl()}/`]);
                }
                if (!withCurl) assert.match(run(sb, OS_PROXY, env(["allowed.probe.test"]), opts(sb)).stdout, /curl not found/);
                const log = squid?.accessLog() ?? "";
                assert.match(log, new RegExp(`TCP_TUNNEL/200 .* CONNECT allowed\\.probe\\.test:${farPort} `), "Squid did not complete the CONNECT");
            });

            it("fails naming the denied host and Squid's 403, and only that host; every file put back", () => {
                const sb = machine();
                const res = run(sb, OS_PROXY, env(["allowed.probe.test", "denied.probe.test", "other.probe.test"]), opts(sb));
                const line = res.stderr.trim();
                assert.equal(res.status, 1, `${res.stdout}\n${res.stderr}`);
                assert.match(line, new RegExp(`route check failed for 1 host\\(s\\): denied\\.probe\\.test:${farPort} \\(the proxy answered HTTP 403\\)`));
                assert.doesNotMatch(line, /allowed\.probe\.test|other\.probe\.test/);
                assert.match(line, /put back/);
                assert.ok(!fs.existsSync(path.join(sb.root, "etc/apt/apt.conf.d/95defender-servers-proxy")), "the apt file stayed");
            });
        });
    }

    it("a proxy that never answers: each probe ends at ROUTE_CHECK_TIMEOUT_SECONDS, and every host is named", () => {
        const sb = machine();
        const started = Date.now();
        const res = run(sb, OS_PROXY, {
            PROXY_URL: `http://127.0.0.1:${silentPort}`,
            ROUTE_CHECK_HOSTS: "allowed.probe.test:443,other.probe.test:443",
            ROUTE_CHECK_TIMEOUT_SECONDS: "2",
        });
        const seconds = (Date.now() - started) / 1000;
        assert.equal(res.status, 1);
        assert.match(res.stderr, /route check failed for 2 host\(s\): allowed\.probe\.test:443 \(timeout after 2s\); other\.probe\.test:443 \(timeout after 2s\)/);
        assert.ok(seconds < 15, `took ${seconds}s`);
    });

    it("private names: passes for RFC 1918 and fc00::/7 answers, fails naming a public answer and a missing one", () => {
        const ok = machine();
        const pass = run(ok, OS_PROXY, {
            PROXY_URL: proxyUrl(),
            ROUTE_CHECK_PRIVATE_HOSTS: "arc.privatelink.probe.test,monitor.privatelink.probe.test,v6.privatelink.probe.test",
        });
        assert.equal(pass.status, 0, pass.stderr);
        assert.match(pass.stdout, /route check passed for 0 host\(s\) through the proxy and 3 private name\(s\)/);

        const bad = machine();
        const res = run(bad, OS_PROXY, {
            PROXY_URL: proxyUrl(),
            ROUTE_CHECK_PRIVATE_HOSTS: "arc.privatelink.probe.test,public.privatelink.probe.test,missing.privatelink.probe.test",
        });
        expectFailure(res, 1, /route check failed for 2 host\(s\): public\.privatelink\.probe\.test \(DNS answer not in private address space: 52\.174\.0\.1\); missing\.privatelink\.probe\.test \(no DNS answer\)/, [
            proxyUrl(),
            `${proxyUrl()}/`,
        ]);
    });

    it("empty or absent ROUTE_CHECK_* skip the check; bad values are refused before anything changes", () => {
        const sb = machine();
        const skipped = run(sb, OS_PROXY, { PROXY_URL: proxyUrl(), ROUTE_CHECK_HOSTS: "", ROUTE_CHECK_PRIVATE_HOSTS: undefined });
        assert.equal(skipped.status, 0, skipped.stderr);
        assert.doesNotMatch(skipped.stdout, /route check/);
        for (const [extra, message] of [
            [{ ROUTE_CHECK_HOSTS: "allowed.probe.test" }, /ROUTE_CHECK_HOSTS entry 1 is not host:port/],
            [{ ROUTE_CHECK_HOSTS: "a.test:443,b.test:99999" }, /ROUTE_CHECK_HOSTS entry 2 is not host:port/],
            [{ ROUTE_CHECK_PRIVATE_HOSTS: "ok.test,bad host" }, /ROUTE_CHECK_PRIVATE_HOSTS entry 2 is not a DNS name/],
            [{ ROUTE_CHECK_TIMEOUT_SECONDS: "0" }, /ROUTE_CHECK_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 60/],
            [{ ROUTE_CHECK_TIMEOUT_SECONDS: "10m" }, /ROUTE_CHECK_TIMEOUT_SECONDS must be/],
        ] as const) {
            const fresh = machine();
            expectFailure(run(fresh, OS_PROXY, { PROXY_URL: proxyUrl(), ...extra }), 2, message, [proxyUrl()]);
            assert.ok(!fs.existsSync(path.join(fresh.root, "etc/apt/apt.conf.d/95defender-servers-proxy")));
        }
    });
});
