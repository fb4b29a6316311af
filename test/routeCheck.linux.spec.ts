// The route check of the Linux scripts against a real Squid configured with the component's own
// allowlist (squidAllowlistSnippet), end to end: the component's egress for each agent mix, its
// route-check targets (routeCheckTargets), Squid's hosts_file sending every name to loopback
// servers that stand for Microsoft's hosts (TLS on 443 with a test CA in the scratch machine's
// trust store, plain HTTP on 80), and the script in a scratch root. Nothing leaves loopback.
// What must fail: a host the allowlist denies (named, only it), a TLS-intercepting Squid
// (squid-openssl's ssl_bump; named by the issuer of its certificate), a host the bypass list
// sends around the proxy, a proxy that never answers (within one total time bound).
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EGRESS_AGENTS, EgressInput, egressEndpoints, routeCheckTargets, squidAllowlistSnippet } from "../sdk/plan/egress";
import { ARC_PROXY, expectFailure, makeSandbox, OS_PROXY, put, removeSandboxes, run, Sandbox, withSystemd } from "./scratchRoot.linux";
import { freePort, proxyUser, SquidServer, startSquid, stopProcess, waitForPort } from "./squidServer";
import { bumpDirectives, startTlsWorld, TlsWorld } from "./tlsWorld.linux";

const WORKSPACE = "0f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e";
const ALL_AGENTS = { mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true, arcAgent: true };
const INPUT: EgressInput = {
    cloud: "AzureCloud",
    regions: ["westeurope"],
    agents: ALL_AGENTS,
    workspaceIds: [WORKSPACE],
    privateLink: { arc: false, azureMonitor: false },
};
const ENDPOINTS = egressEndpoints(INPUT);
const A = EGRESS_AGENTS;
/** The agent mixes a Linux machine can run. */
const MIXES: string[][] = [
    [A.mde],
    [A.mde, A.azureMonitorAgent],
    [A.mde, A.azureMonitorAgent, A.guestConfiguration],
    [A.legacyAgent],
    [A.arcAgent, A.mde, A.azureMonitorAgent],
];
const DENIED = "denied.contoso-not-allowed.test";

function targets(agents: string[]): string[] {
    return routeCheckTargets(ENDPOINTS, agents, "linux").hosts;
}

/** A machine with apt, no Azure Linux Agent unit, and the test CA as its whole trust store. */
function machine(world: TlsWorld): Sandbox {
    const sb = makeSandbox();
    put(sb, "etc/apt/apt.conf.d/50unattended-upgrades", "// other\n");
    put(sb, "etc/ssl/certs/ca-certificates.crt", world.caPem);
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

describe("Linux route check against a real Squid with the component's own allowlist", function () {
    this.timeout(180_000);

    const every = [...new Set(MIXES.flatMap(targets))];
    const names = [...new Set([...every.map((t) => t.replace(/:\d+$/, "")), DENIED])];
    let world: TlsWorld;
    let squid: SquidServer | undefined;
    let bumping: SquidServer | undefined;
    let silent: ChildProcess | undefined;
    let silentPort: number;
    let bumpDb: string;

    before(async function () {
        assert.equal(
            process.getuid?.(),
            0,
            "these tests run the script in a mount namespace and bind ports 80 and 443 on loopback; they need root and never skip",
        );
        assert.ok(
            every.some((t) => t.endsWith(":80")),
            "the egress list has plain-HTTP targets (the GET path is exercised)",
        );
        world = await startTlsWorld(names);
        const rules = `${squidAllowlistSnippet(ENDPOINTS)}http_access deny all\n`;
        squid = await startSquid({ prefix: "route-squid-", hosts: names, hostsAddress: world.address, rules });
        bumpDb = fs.mkdtempSync(path.join(os.tmpdir(), "ds-bump-"));
        fs.rmdirSync(bumpDb);
        const bump = bumpDirectives(world, bumpDb, proxyUser());
        bumping = await startSquid({
            prefix: "bump-squid-",
            hosts: names,
            hostsAddress: world.address,
            httpPortOptions: bump.portOptions,
            rules: `${bump.rules}\n${rules}`,
        });
        silentPort = await freePort();
        silent = spawn(
            process.execPath,
            ["-e", `require("net").createServer((s) => s.on("error", () => {})).listen(${silentPort}, "127.0.0.1")`],
            { stdio: "ignore" },
        );
        await waitForPort(silentPort, { what: "the silent listener", child: silent });
    });

    after(async function () {
        await squid?.stop();
        await bumping?.stop();
        await stopProcess(silent);
        await world?.stop();
        if (bumpDb !== undefined) fs.rmSync(bumpDb, { recursive: true, force: true });
        removeSandboxes();
    });

    const url = (s: SquidServer | undefined) => `http://127.0.0.1:${s?.port ?? 0}`;
    /** The proxy URL may be printed (with MDE's trailing slash); nothing else that looks like a URL. */
    const urls = (s: SquidServer | undefined) => [url(s), `${url(s)}/`];
    const env = (proxy: string, hosts: string[], extra: Record<string, string> = {}) => ({
        PROXY_URL: proxy,
        ROUTE_CHECK_HOSTS: hosts.join(","),
        ROUTE_CHECK_TIMEOUT_SECONDS: "5",
        ...extra,
    });

    for (const mix of MIXES) {
        it(`passes for ${mix.join(" + ")}: every target of routeCheckTargets through the allowlist (GET on 80, verified TLS on 443)`, () => {
            const hosts = targets(mix);
            const res = run(machine(world), OS_PROXY, env(url(squid), hosts), { timeoutMs: 120_000 });
            assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
            assert.match(res.stdout, new RegExp(`^verified: route check passed for ${hosts.length} host\\(s\\) through the proxy`, "m"));
        });
    }

    it("sends GET, never CONNECT, to the port-80 hosts, and CONNECT then TLS to the 443 ones (Squid's access log)", () => {
        const log = squid?.accessLog() ?? "";
        for (const t of every.filter((h) => h.endsWith(":80"))) {
            const host = t.replace(/:80$/, "");
            assert.match(log, new RegExp(`TCP_MISS/200 \\d+ GET http://${host.replace(/\./g, "\\.")}/ `), `no GET of ${host}`);
            assert.doesNotMatch(log, new RegExp(`CONNECT ${host.replace(/\./g, "\\.")}:80 `), `a CONNECT to ${host}:80`);
        }
        assert.match(log, /TCP_TUNNEL\/200 \d+ CONNECT global\.handler\.control\.monitor\.azure\.com:443 /);
    });

    it("fails naming the one host the allowlist denies, and only it; every file put back", () => {
        const sb = machine(world);
        const hosts = [...targets([A.azureMonitorAgent]), `${DENIED}:443`];
        const res = run(sb, OS_PROXY, env(url(squid), hosts), { timeoutMs: 60_000 });
        expectFailure(
            res,
            1,
            new RegExp(
                `route check failed for 1 host\\(s\\): ${DENIED.replace(/\./g, "\\.")}:443 \\(the proxy answered HTTP 403 to CONNECT\\) \\(every file this run changed was put back\\)$`,
            ),
            urls(squid),
        );
        assert.ok(!fs.existsSync(path.join(sb.root, "etc/apt/apt.conf.d/95defender-servers-proxy")), "the apt file stayed");
    });

    it("a denied plain-HTTP GET fails too (a host on port 80 that the allowlist does not name)", () => {
        const res = run(machine(world), OS_PROXY, env(url(squid), [`${DENIED}:80`]), { timeoutMs: 60_000 });
        expectFailure(res, 1, new RegExp(`${DENIED.replace(/\./g, "\\.")}:80 \\(the proxy answered HTTP 403 to GET\\)`), urls(squid));
    });

    it("fails against a TLS-intercepting Squid (ssl_bump), naming the interception CA as the issuer", () => {
        const hosts = targets([A.azureMonitorAgent]);
        const res = run(machine(world), OS_PROXY, env(url(bumping), hosts), { timeoutMs: 60_000 });
        expectFailure(
            res,
            1,
            /route check failed for 4 host\(s\): .*global\.handler\.control\.monitor\.azure\.com:443 \(its TLS certificate is not trusted by this machine's trust store \(issuer: [^)]*Contoso TLS Inspection CA\); a TLS-intercepting proxy\?/,
            urls(bumping),
        );
        assert.match(
            bumping?.accessLog() ?? "",
            /CONNECT global\.handler\.control\.monitor\.azure\.com:443/,
            "the bumping Squid was really asked",
        );
    });

    it("the same hosts pass through that Squid's allowlist when the machine trusts nothing but the far end: only interception fails", () => {
        const res = run(machine(world), OS_PROXY, env(url(squid), targets([A.azureMonitorAgent])), { timeoutMs: 60_000 });
        assert.equal(res.status, 0, res.stderr);
    });

    it("fails for a target the bypass list sends around the proxy, naming the host and the entry", () => {
        const hosts = targets([A.azureMonitorAgent]);
        const res = run(
            machine(world),
            OS_PROXY,
            { ...env(url(squid), hosts), PROXY_BYPASS: "10.0.0.0/8,.monitor.azure.com" },
            { timeoutMs: 60_000 },
        );
        expectFailure(
            res,
            1,
            /route check failed for 2 host\(s\): global\.handler\.control\.monitor\.azure\.com:443 \(the bypass list entry \.monitor\.azure\.com sends it around the proxy, so the agents would not use the proxy for it\); westeurope\.handler/,
            urls(squid),
        );
        assert.doesNotMatch(res.stderr, /opinsights|microsoftmetrics/);
    });

    it("the Arc script proves its hosts the same way before it changes anything (a denied one fails, naming it)", () => {
        const sb = machine(world);
        put(sb, "lib/systemd/system/extd.service", "[Service]\nExecStart=/opt/azcmagent/bin/extd\n");
        withSystemd(sb);
        const res = run(
            sb,
            ARC_PROXY,
            {
                PROXY_URL: url(squid),
                ROUTE_CHECK_HOSTS: [...targets([A.arcAgent]), `${DENIED}:443`].join(","),
                ROUTE_CHECK_TIMEOUT_SECONDS: "5",
            },
            { timeoutMs: 60_000 },
        );
        expectFailure(
            res,
            1,
            new RegExp(
                `route check failed for 1 host\\(s\\): ${DENIED.replace(/\./g, "\\.")}:443 \\(the proxy answered HTTP 403 to CONNECT\\)$`,
            ),
            urls(squid),
        );
        // The stub agent keeps its settings there; `config list` creates it empty.
        assert.deepEqual(
            JSON.parse(fs.readFileSync(path.join(sb.state, "config.json"), "utf8")),
            {},
            "azcmagent was told to change something",
        );
        assert.ok(!fs.existsSync(path.join(sb.root, "etc/systemd/system/extd.service.d/13-Proxy.conf")), "extd's drop-in was written");
    });

    it("one total time bound: a proxy that never answers stops after ROUTE_CHECK_TOTAL_SECONDS and names every host", () => {
        const started = Date.now();
        const res = run(machine(world), OS_PROXY, {
            PROXY_URL: `http://127.0.0.1:${silentPort}`,
            ROUTE_CHECK_HOSTS: "a.example.test:443,b.example.test:80,c.example.test:443,d.example.test:443",
            ROUTE_CHECK_TIMEOUT_SECONDS: "2",
            ROUTE_CHECK_TOTAL_SECONDS: "3",
        });
        const seconds = (Date.now() - started) / 1000;
        expectFailure(
            res,
            1,
            // b gets what is left of the 3 s: 1 s, or nothing when the first probe's end crossed a second
            // boundary late (bash's SECONDS counts whole seconds; under load that happens).
            /route check failed for 4 host\(s\): a\.example\.test:443 \(timeout after 2s\); b\.example\.test:80 \((timeout after 1s|not probed: the route check's 3 s were used up)\); c\.example\.test:443 \(not probed: the route check's 3 s were used up\); d\.example\.test:443 \(not probed/,
            [`http://127.0.0.1:${silentPort}`, `http://127.0.0.1:${silentPort}/`],
        );
        assert.ok(seconds < 10, `took ${seconds}s`);
    });

    it("private names: passes for RFC 1918 and fc00::/7 answers, fails naming a public answer and a missing one", () => {
        const pass = run(machine(world), OS_PROXY, {
            PROXY_URL: url(squid),
            ROUTE_CHECK_PRIVATE_HOSTS: "arc.privatelink.probe.test,monitor.privatelink.probe.test,v6.privatelink.probe.test",
        });
        assert.equal(pass.status, 0, pass.stderr);
        assert.match(pass.stdout, /route check passed for 0 host\(s\) through the proxy .* and 3 private name\(s\)/);
        const res = run(machine(world), OS_PROXY, {
            PROXY_URL: url(squid),
            ROUTE_CHECK_PRIVATE_HOSTS: "arc.privatelink.probe.test,public.privatelink.probe.test,missing.privatelink.probe.test",
        });
        expectFailure(
            res,
            1,
            /route check failed for 2 host\(s\): public\.privatelink\.probe\.test \(DNS answer not in private address space: 52\.174\.0\.1\); missing\.privatelink\.probe\.test \(no DNS answer\)/,
            urls(squid),
        );
    });

    it("empty or absent ROUTE_CHECK_* skip the check; bad values are refused before anything changes", () => {
        const skipped = run(machine(world), OS_PROXY, {
            PROXY_URL: url(squid),
            ROUTE_CHECK_HOSTS: "",
            ROUTE_CHECK_PRIVATE_HOSTS: undefined,
        });
        assert.equal(skipped.status, 0, skipped.stderr);
        assert.doesNotMatch(skipped.stdout, /route check/);
        for (const [extra, message] of [
            [{ ROUTE_CHECK_HOSTS: "allowed.probe.test" }, /ROUTE_CHECK_HOSTS entry 1 is not host:port/],
            [{ ROUTE_CHECK_HOSTS: "a.test:443,b.test:99999" }, /ROUTE_CHECK_HOSTS entry 2 is not host:port/],
            [{ ROUTE_CHECK_PRIVATE_HOSTS: "ok.test,bad host" }, /ROUTE_CHECK_PRIVATE_HOSTS entry 2 is not a DNS name/],
            [{ ROUTE_CHECK_TIMEOUT_SECONDS: "0" }, /ROUTE_CHECK_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 60/],
            [{ ROUTE_CHECK_TOTAL_SECONDS: "541" }, /ROUTE_CHECK_TOTAL_SECONDS must be a whole number of seconds from 1 to 540/],
        ] as const) {
            const fresh = machine(world);
            expectFailure(run(fresh, OS_PROXY, { PROXY_URL: url(squid), ...extra }), 2, message, urls(squid));
            assert.ok(!fs.existsSync(path.join(fresh.root, "etc/apt/apt.conf.d/95defender-servers-proxy")));
        }
    });
});
