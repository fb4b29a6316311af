// linux-arc-agent-proxy.sh run for real in a scratch root (see scratchRoot.linux.ts), with a
// stub azcmagent that keeps its settings as JSON and answers `config list --json` with the
// {"LocalSettings": [{"Key", "Value"}]} shape, and a small CONNECT proxy on 127.0.0.1 (its own
// process) that answers 200 to CONNECT, or 403 for names that start with "denied".
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    ALWAYS,
    ARC_PROXY,
    calls,
    exists,
    expectFailure,
    makeSandbox,
    pathWithout,
    put,
    read,
    removeSandboxes,
    run,
    Sandbox,
    withSystemd,
} from "./scratchRoot.linux";
import { freePort, waitForPort } from "./squidServer";

const DROPIN = "etc/systemd/system/extd.service.d/13-Proxy.conf";

const CONNECT_PROXY = (port: number) => `
require("net").createServer((s) => {
    s.on("error", () => {});
    s.once("data", (d) => {
        const m = /^CONNECT ([^ :]+):\\d+ /.exec(d.toString("latin1"));
        if (m && !m[1].startsWith("denied")) s.end("HTTP/1.1 200 Connection established\\r\\n\\r\\n");
        else s.end("HTTP/1.1 403 Forbidden\\r\\nContent-Length: 0\\r\\n\\r\\n");
    });
}).listen(${port}, "127.0.0.1");`;

function arcMachine(): Sandbox {
    const sb = makeSandbox();
    withSystemd(sb);
    put(
        sb,
        "lib/systemd/system/extd.service",
        "[Unit]\nDescription=Azure Connected Machine Agent Extension Service\n[Service]\nExecStart=/opt/azcmagent/bin/extd\n",
    );
    return sb;
}

function store(sb: Sandbox): Record<string, unknown> {
    const file = path.join(sb.state, "config.json");
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
}

describe("linux-arc-agent-proxy.sh in a scratch root", function () {
    this.timeout(60_000);
    let proxyPort: number;
    let closedPort: number;
    let proxy: ChildProcess | undefined;
    const helpers: ChildProcess[] = [];

    before(async () => {
        assert.equal(process.getuid?.(), 0, "these tests run the script in a mount namespace and need root; they never skip");
        [proxyPort, closedPort] = [await freePort(), await freePort()];
        proxy = spawn(process.execPath, ["-e", CONNECT_PROXY(proxyPort)], { stdio: "ignore" });
        await waitForPort(proxyPort, { what: "the CONNECT proxy stand-in", child: proxy, timeoutMs: 10_000 });
    });

    after(() => {
        proxy?.kill("SIGKILL");
        for (const h of helpers) h.kill("SIGKILL");
        removeSandboxes();
    });

    const url = () => `http://127.0.0.1:${proxyPort}`;
    const urls = () => [url(), `${url()}/`];
    const env = (extra: Record<string, string | undefined> = {}) => ({ PROXY_URL: url(), ARC_PROXY_BYPASS: " Arc, ARM,Arc ", ...extra });
    const READS = [
        ["azcmagent", "config", "list", "--json"],
        ["systemctl", "show", "-p", "NeedDaemonReload", "extd.service"],
        ["systemctl", "show", "-p", "Environment", "extd.service"],
        ["systemctl", "show", "-p", "Environment", "extd.service"],
        ["systemctl", "show", "-p", "MainPID", "extd.service"],
    ];

    function expectedDropin(bypass: string): string {
        const u = url();
        return [
            "# Written by defender-servers (linux-arc-agent-proxy.sh): proxy for the Arc extension",
            "# service and the extensions it installs, such as MDE.Linux. Changes here are overwritten.",
            "[Service]",
            `Environment=http_proxy=${u}`,
            `Environment=https_proxy=${u}`,
            `Environment=no_proxy=${bypass}`,
            `Environment=HTTP_PROXY=${u}`,
            `Environment=HTTPS_PROXY=${u}`,
            `Environment=NO_PROXY=${bypass}`,
            "",
        ].join("\n");
    }

    /** runTwice with the proxy URL allowed in the output. */
    function twice(sb: Sandbox, e: Record<string, string | undefined>, second?: string[][], pathDirs?: string[]) {
        const first = run(sb, ARC_PROXY, e, pathDirs ? { pathDirs } : {});
        assert.equal(first.status, 0, `first run failed:\n${first.stdout}\n${first.stderr}`);
        const n = calls(sb).length;
        const again = run(sb, ARC_PROXY, e, pathDirs ? { pathDirs } : {});
        assert.equal(again.status, 0, `second run failed:\n${again.stdout}\n${again.stderr}`);
        assert.doesNotMatch(again.stdout, /^changed:/m);
        if (second !== undefined) assert.deepEqual(calls(sb).slice(n), second);
        return { first, again, firstCalls: calls(sb).slice(0, n) };
    }

    // The route check itself (a TLS handshake through a real Squid) is proven in routeCheck.linux.spec.ts.
    it("apply: checks the proxy, writes extd's drop-in (read back), sets proxy.url and proxy.bypass synchronously and reads them back as JSON; a second run only reads", () => {
        const sb = arcMachine();
        const { first, firstCalls } = twice(sb, env(), READS);
        assert.deepEqual(store(sb), { "proxy.url": url(), "proxy.bypass": ["Arc", "ARM"] });
        assert.equal(read(sb, DROPIN), expectedDropin(ALWAYS));
        const names = firstCalls.map((c) => c.slice(0, 4).join(" "));
        assert.deepEqual(names, [
            "azcmagent config list --json",
            "systemctl show -p NeedDaemonReload",
            "systemctl daemon-reload",
            "systemctl show -p Environment",
            "systemd-run --scope --description=defender-servers: azcmagent config set proxy.url /stub-bin/azcmagent",
            "azcmagent config set proxy.url",
            "systemd-run --scope --description=defender-servers: azcmagent config set proxy.bypass /stub-bin/azcmagent",
            "azcmagent config set proxy.bypass",
            "azcmagent config list --json",
            "systemctl show -p MainPID",
            "systemctl show -p ActiveState",
            "systemd-run --on-active=10s --description=defender-servers: restart extd.service to apply its proxy /stub-bin/systemctl",
            "systemctl restart extd.service",
        ]);
        assert.match(first.stdout, /^checked: the proxy accepts connections/m);
        assert.match(first.stdout, /^verified: azcmagent config list --json has proxy.url and proxy.bypass as set$/m);
    });

    it("an empty ARC_PROXY_BYPASS clears the bypass; the same set in another order changes nothing", () => {
        const sb = arcMachine();
        fs.writeFileSync(
            path.join(sb.state, "config.json"),
            JSON.stringify({ "proxy.url": `${url()}/`, "proxy.bypass": ["ArcData", "ARM"] }),
        );
        const same = run(sb, ARC_PROXY, env({ ARC_PROXY_BYPASS: "ARM,ArcData" }));
        assert.equal(same.status, 0, same.stderr);
        assert.ok(!calls(sb).some((c) => c[1] === "config" && c[2] !== "list"), "a setting was changed");
        twice(sb, env({ ARC_PROXY_BYPASS: undefined }));
        assert.deepEqual(store(sb), { "proxy.url": `${url()}/` });
    });

    it("a proxy that accepts no connection: nothing committed", () => {
        const sb = arcMachine();
        const res = run(sb, ARC_PROXY, { PROXY_URL: `http://127.0.0.1:${closedPort}` });
        expectFailure(res, 1, /the proxy in PROXY_URL does not accept connections; nothing was changed/, [
            `http://127.0.0.1:${closedPort}`,
        ]);
        assert.deepEqual(store(sb), {});
        assert.ok(!exists(sb, DROPIN));
    });

    for (const [label, extra, message] of [
        [
            "azcmagent config set fails",
            { STUB_AZCM_SET_FAILS: "1" },
            /azcmagent config set proxy\.url failed \(the previous proxy settings were put back\)/,
        ],
        [
            "the agent reports other values than were set (read back)",
            { STUB_AZCM_IGNORE_SET: "1" },
            /reports another proxy\.url than was set \(the previous proxy settings were put back\)/,
        ],
    ] as const) {
        it(`${label}: exit 1, the previous settings and drop-in put back`, () => {
            const sb = arcMachine();
            const before = { "proxy.url": "http://old-proxy:8080", "proxy.bypass": ["AAD"] };
            fs.writeFileSync(path.join(sb.state, "config.json"), JSON.stringify(before));
            const res = run(sb, ARC_PROXY, env(extra));
            assert.equal(res.status, 1, res.stdout + res.stderr);
            assert.match(res.stderr, message);
            if (!("STUB_AZCM_SET_FAILS" in extra)) assert.deepEqual(store(sb), before);
            assert.ok(!exists(sb, DROPIN), "the drop-in stayed");
            assert.ok(!calls(sb).some((c) => c.includes("restart")), "a restart was scheduled");
        });
    }

    it("output that is not the JSON it reads: refused, nothing changed", () => {
        const sb = arcMachine();
        fs.writeFileSync(
            path.join(sb.bin, "azcmagent"),
            `#!/bin/bash\nprintf '%s' "\${0##*/}" >>/stub-log/calls.log; printf '\\t%s' "$@" >>/stub-log/calls.log; printf '\\n' >>/stub-log/calls.log\necho "proxy.url: ${url()}"\n`,
            { mode: 0o755 },
        );
        expectFailure(run(sb, ARC_PROXY, env()), 1, /did not print the LocalSettings list this script reads/, urls());
        assert.ok(!exists(sb, DROPIN));
    });

    it("without python3 it reads the JSON with RHEL's /usr/libexec/platform-python; with neither (jq alone) it refuses clearly", () => {
        const platformPython = arcMachine();
        fs.mkdirSync(path.join(platformPython.root, "usr/libexec"), { recursive: true });
        fs.symlinkSync("/usr/bin/python3", path.join(platformPython.root, "usr/libexec/platform-python"));
        twice(platformPython, env(), undefined, pathWithout(platformPython, /^python/));
        assert.deepEqual(store(platformPython), { "proxy.url": url(), "proxy.bypass": ["Arc", "ARM"] });
        const jqOnly = arcMachine();
        expectFailure(
            run(jqOnly, ARC_PROXY, env(), { pathDirs: pathWithout(jqOnly, /^python/) }),
            1,
            /needs python3 \(or \/usr\/libexec\/platform-python\); neither was found/,
        );
        assert.deepEqual(store(jqOnly), {}, "nothing was changed");
    });

    it("verify: passes once the running extension service has the proxy, fails (bounded) while it does not", async () => {
        const sb = arcMachine();
        assert.equal(run(sb, ARC_PROXY, env()).status, 0);
        const proxyEnv = {
            http_proxy: url(),
            https_proxy: url(),
            no_proxy: ALWAYS,
            HTTP_PROXY: url(),
            HTTPS_PROXY: url(),
            NO_PROXY: ALWAYS,
        };
        const withProxy = spawn("/bin/sleep", ["60"], { env: proxyEnv });
        const without = spawn("/bin/sleep", ["60"], { env: {} });
        helpers.push(withProxy, without);
        await new Promise((r) => setTimeout(r, 200));
        const ok = run(sb, ARC_PROXY, env({ ARC_MODE: "verify", STUB_MAINPID: String(withProxy.pid) }));
        assert.equal(ok.status, 0, ok.stderr);
        assert.match(ok.stdout, /^verified: the running extd\.service has the proxy in its environment$/m);

        const stale = run(sb, ARC_PROXY, env({ ARC_MODE: "verify", STUB_MAINPID: String(without.pid), ARC_VERIFY_WAIT_SECONDS: "10" }));
        expectFailure(stale, 1, /the running extd\.service still has no proxy environment after 10s/, urls());
        assert.equal(calls(sb).filter((c) => c[0] === "sleep").length, 2, "it waited in 5 s steps");

        fs.writeFileSync(path.join(sb.state, "config.json"), JSON.stringify({ "proxy.url": "http://other:1" }));
        expectFailure(
            run(sb, ARC_PROXY, env({ ARC_MODE: "verify", STUB_MAINPID: String(withProxy.pid) })),
            1,
            /azcmagent proxy\.url is not this proxy/,
            urls(),
        );
    });

    it("no extd.service: refused before anything changes", () => {
        const sb = makeSandbox();
        withSystemd(sb);
        expectFailure(run(sb, ARC_PROXY, env()), 1, /extd\.service was not found/, urls());
        assert.deepEqual(store(sb), {});
    });

    for (const value of ["ARM,Foo", "arm", "Arc;ARM"]) {
        it(`rejects ARC_PROXY_BYPASS=${JSON.stringify(value)} (exit 2, names it, runs nothing)`, () => {
            const sb = arcMachine();
            expectFailure(run(sb, ARC_PROXY, env({ ARC_PROXY_BYPASS: value })), 2, "ARC_PROXY_BYPASS", urls());
            assert.deepEqual(calls(sb), []);
        });
    }

    it("fails clearly when azcmagent is not installed", () => {
        const sb = arcMachine();
        fs.rmSync(path.join(sb.bin, "azcmagent"));
        expectFailure(run(sb, ARC_PROXY, env()), 1, "azcmagent was not found", urls());
        assert.deepEqual(calls(sb), []);
    });
});
