// The Windows route check end to end: the route-check functions of windows-os-proxy.ps1 and
// windows-arc-agent-proxy.ps1, run under pwsh, against a real Squid configured with the
// component's own snippet (squidAllowlistSnippet) for the egress of each agent mix.
//
// Nothing leaves loopback. Squid (127.0.0.1 only) resolves every Microsoft name to one random
// 127.x.y.z address from its own hosts file; there a TLS server stands for the HTTPS hosts (on
// 443, with a certificate for every probe name from a test CA) and an HTTP server for the
// plain-HTTP certificate hosts (on 80). pwsh gets the test CA as its whole trust store
// (SSL_CERT_FILE, SSL_CERT_DIR: .NET on Linux reads the system store through them), so the
// scripts' own validation against "the system trust store" decides, with no test callback.
// Squid's OpenSSL build (Debian squid-openssl) with ssl_bump stands for a TLS-inspecting proxy.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { egressEndpoints, routeCheckTargets, squidAllowlistSnippet } from "../sdk/plan/egress";
import { CA_EXTENSIONS, openssl, selfSigned } from "./pki";
import { EGRESS_AGENTS, EgressEndpoint, EgressInput } from "../sdk/plan/egress/types";
import { windowsTestTools } from "./windowsTools";
import { findSquid, freePort, SquidServer, startSquid } from "./squidServer";

const ROOT = path.join(__dirname, "..");
const RUNNER = path.join(ROOT, "test", "powershell", "Invoke-RouteCheckOnly.ps1");
const OS_SCRIPT = path.join(ROOT, "sdk", "scripts", "windows-os-proxy.ps1");
const ARC_SCRIPT = path.join(ROOT, "sdk", "scripts", "windows-arc-agent-proxy.ps1");
const { mde: MDE, azureMonitorAgent: AMA, legacyAgent: MMA, guestConfiguration: GC, arcAgent: ARC } = EGRESS_AGENTS;
const ROOT_CA_NAME = "Route Check Test Root CA";
const BUMP_CA_NAME = "Route Check Interception CA";

/** One agent mix of a Windows machine, as the component derives it. */
interface Mix {
    name: string;
    input: Partial<EgressInput>;
    agents: string[];
}

const NO_AGENTS = { mde: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false, arcAgent: false };
const WS = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const MIXES: Mix[] = [
    { name: "Windows VM, MDE (standard connectivity, every data location)", input: { agents: { ...NO_AGENTS, mde: true } }, agents: [MDE] },
    {
        name: "Windows VM, MDE (streamlined), AMA, the Log Analytics agent and Guest Configuration",
        input: {
            agents: { ...NO_AGENTS, mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true },
            mde: { connectivity: "streamlined", windows: true, linux: false },
        },
        agents: [MDE, AMA, MMA, GC],
    },
    {
        name: "Windows Arc machine, MDE (standard, EU), AMA and the Arc agent",
        input: {
            agents: { ...NO_AGENTS, mde: true, azureMonitorAgent: true, arcAgent: true },
            mde: { connectivity: "standard", dataLocation: "EU", windows: true, linux: false },
        },
        agents: [MDE, AMA, ARC],
    },
];

function egressFor(mix: Mix): EgressEndpoint[] {
    return egressEndpoints({
        cloud: "AzureCloud",
        regions: ["westeurope"],
        agents: { ...NO_AGENTS },
        workspaceIds: [WS],
        privateLink: { arc: false, azureMonitor: false },
        ...mix.input,
    });
}

/** The OS-proxy script's targets for the mix, as the component computes them (MDE not installed yet). */
function targetsFor(mix: Mix): string[] {
    return routeCheckTargets(egressFor(mix), mix.agents, { os: "windows", notYetInstalled: [MDE] }).hosts;
}

/** A test root CA, a server certificate it signs for `names`, and a self-signed "interception" CA. */
function makePki(dir: string, names: string[]): void {
    // The root CA that signs the stand-ins, and the interceptor's own CA (what a TLS-bumping proxy presents).
    selfSigned(dir, "ca", `/CN=${ROOT_CA_NAME}`, CA_EXTENSIONS);
    selfSigned(dir, "bump", `/CN=${BUMP_CA_NAME}`, CA_EXTENSIONS);
    openssl(
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=microsoft-stand-in"],
        dir,
    );
    const ext = `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`;
    fs.writeFileSync(path.join(dir, "server.ext"), ext);
    openssl(
        [
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
        dir,
    );
    fs.mkdirSync(path.join(dir, "no-certs"));
    fs.chmodSync(dir, 0o755);
    for (const f of ["bump.pem", "bump.key"]) fs.chmodSync(path.join(dir, f), 0o644);
}

/** What Invoke-RouteCheckOnly.ps1 printed. */
interface RouteResult {
    ok: string[];
    failures: string[];
    seconds: number;
    output: string;
}

/** Runs the route check of `script` under pwsh without blocking the event loop (the servers here answer it). */
function routeCheck(
    script: string,
    proxyUrl: string,
    hosts: string[],
    pki: string,
    extra: Record<string, string> = {},
): Promise<RouteResult> {
    const { pwsh } = windowsTestTools();
    const args = [
        "-NoProfile",
        "-NonInteractive",
        "-File",
        RUNNER,
        "-Script",
        script,
        "-ProxyUrl",
        proxyUrl,
        "-RouteCheckHosts",
        hosts.join(","),
    ];
    for (const [k, v] of Object.entries(extra)) args.push(`-${k}`, v);
    const env = { ...process.env, SSL_CERT_FILE: path.join(pki, "ca.pem"), SSL_CERT_DIR: path.join(pki, "no-certs"), NO_COLOR: "1" };
    return new Promise((resolve, reject) => {
        const child = spawn(pwsh, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
        child.on("error", reject);
        child.on("close", () => {
            clearTimeout(timer);
            const line = output.split("\n").find((l) => l.startsWith("ROUTE-CHECK "));
            if (line === undefined) return reject(new Error(`the route check printed no result:\n${output}`));
            resolve({ ...(JSON.parse(line.slice("ROUTE-CHECK ".length)) as Omit<RouteResult, "output">), output });
        });
    });
}

/** The system squid, which must be an OpenSSL build (ssl_bump): Debian's squid-openssl, as tools/install-test-tools.sh installs it. */
function assertOpenSslSquid(): void {
    const squid = findSquid();
    const version = spawnSync(squid, ["-v"], { encoding: "utf8" });
    if (version.status !== 0 || !version.stdout.includes("--with-openssl")) {
        assert.fail(
            `${squid} is not built with OpenSSL (no ssl_bump): install the Debian package squid-openssl (tools/install-test-tools.sh does); this test never skips`,
        );
    }
}

/** Open connections per server, so that closing one does not wait for a client that keeps its socket. */
const connections = new WeakMap<net.Server, Set<net.Socket>>();
function tracked<T extends net.Server>(server: T): T {
    const sockets = new Set<net.Socket>();
    connections.set(server, sockets);
    server.on("connection", (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    return server;
}
function close(server: net.Server): Promise<void> {
    for (const s of connections.get(server) ?? []) s.destroy();
    return new Promise((r) => server.close(() => r()));
}

describe("Windows route check against the component's own Squid snippet (pwsh, real Squid, loopback TLS)", function () {
    this.timeout(600_000);
    const allTargets = [...new Set(MIXES.flatMap(targetsFor))].sort();
    const names = [...new Set(allTargets.map((t) => t.slice(0, t.lastIndexOf(":"))))].sort();
    // One random loopback address for every Microsoft name: ports 80 and 443 there are ours alone.
    const address = `127.${2 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${2 + Math.floor(Math.random() * 250)}`;
    let pki = "";
    let tlsServer: tls.Server | undefined;
    let httpServer: http.Server | undefined;
    const squids: SquidServer[] = [];

    before(async function () {
        const { pwsh } = windowsTestTools();
        if (!fs.existsSync(pwsh))
            assert.fail(`PowerShell (pwsh) is not installed at ${pwsh}: run bash tools/install-test-tools.sh; this test never skips`);
        pki = fs.mkdtempSync(path.join(os.tmpdir(), "win-route-pki-"));
        makePki(pki, names);
        const started = (server: net.Server, port: number): Promise<void> =>
            new Promise((resolve, reject) => {
                server.once("error", (e: NodeJS.ErrnoException) =>
                    reject(
                        e.code === "EACCES"
                            ? new Error(
                                  `binding ${address}:${port} needs root or CAP_NET_BIND_SERVICE (the probes use the real ports 80 and 443); this test never skips`,
                              )
                            : e,
                    ),
                );
                server.listen(port, address, () => resolve());
            });
        tlsServer = tracked(
            tls.createServer(
                { key: fs.readFileSync(path.join(pki, "server.key")), cert: fs.readFileSync(path.join(pki, "server.pem")) },
                (s) => {
                    s.on("error", () => {});
                    s.end();
                },
            ),
        );
        tlsServer.on("tlsClientError", () => {});
        await started(tlsServer, 443);
        httpServer = tracked(http.createServer((req, res) => res.end(`stand-in for ${req.headers.host}`)));
        await started(httpServer, 80);
    });

    after(async function () {
        for (const squid of squids) await squid.stop();
        if (tlsServer !== undefined) await close(tlsServer);
        if (httpServer !== undefined) await close(httpServer);
        if (pki !== "") fs.rmSync(pki, { recursive: true, force: true });
    });

    async function squidFor(
        egress: EgressEndpoint[],
        options: { httpPortOptions?: string; extraRules?: string } = {},
    ): Promise<SquidServer> {
        const rules = `${options.extraRules ?? ""}${squidAllowlistSnippet(egress)}http_access deny all\n`;
        const squid = await startSquid({ rules, hosts: names, hostsAddress: address, prefix: "win-route-squid-", ...options });
        squids.push(squid);
        return squid;
    }

    for (const mix of MIXES) {
        it(`passes for ${mix.name}: GET on port 80, CONNECT and a trusted TLS handshake on 443`, async function () {
            const targets = targetsFor(mix);
            const squid = await squidFor(egressFor(mix));
            const result = await routeCheck(OS_SCRIPT, squid.url, targets, pki);
            assert.deepEqual(result.failures, [], result.output);
            assert.equal(result.ok.length, targets.length, result.output);
            for (const t of targets) {
                const line = result.ok.find((l) => l.startsWith(`route: ok ${t} `));
                assert.ok(line, `no ok line for ${t}`);
                if (t.endsWith(":80")) assert.match(line, /\(GET answered 200\)$/);
                else assert.ok(line.includes(`issued by 'CN=${ROOT_CA_NAME}'`), line);
            }
            const log = squid.accessLog();
            assert.ok(!/CONNECT [^ ]+:80 /.test(log), "no CONNECT to a port-80 host");
            if (targets.includes("crl.microsoft.com:80")) assert.match(log, /GET http:\/\/crl\.microsoft\.com\//);
            console.log(
                `      ${targets.length} targets (${targets.filter((t) => t.endsWith(":80")).length} on port 80) in ${result.seconds} s`,
            );
        });
    }

    it("the Arc-agent script's copy of the route check passes the Arc machine's Arc hosts", async function () {
        const mix = MIXES[2];
        const egress = egressFor(mix);
        const arcTargets = routeCheckTargets(egress, [ARC], { os: "windows" }).hosts;
        assert.ok(arcTargets.includes("login.microsoftonline.com:443"));
        const squid = await squidFor(egress);
        const result = await routeCheck(ARC_SCRIPT, squid.url, arcTargets, pki, { RouteCheckTotalSeconds: "180" });
        assert.deepEqual(result.failures, [], result.output);
        assert.equal(result.ok.length, arcTargets.length);
    });

    it("fails naming the one host the proxy administrator left out, and only that host", async function () {
        const mix = MIXES[0];
        const targets = targetsFor(mix);
        const missing = targets.find((t) => t.startsWith("winatp-gw-"))!;
        const missingHost = missing.slice(0, missing.lastIndexOf(":"));
        const squid = await squidFor(egressFor(mix).filter((e) => e.host !== missingHost));
        const result = await routeCheck(OS_SCRIPT, squid.url, targets, pki);
        assert.deepEqual(result.failures, [`${missing}: the proxy answered 403 Forbidden`], result.output);
        assert.equal(result.ok.length, targets.length - 1);
    });

    it("a TLS-inspecting Squid (ssl_bump) fails every HTTPS host, naming the interception certificate's issuer; GET on 80 still passes", async function () {
        assertOpenSslSquid();
        const mix = MIXES[0];
        const targets = targetsFor(mix);
        const squid = await squidFor(egressFor(mix), {
            httpPortOptions: `ssl-bump tls-cert=${path.join(pki, "bump.pem")} tls-key=${path.join(pki, "bump.key")} generate-host-certificates=off`,
            extraRules: "ssl_bump bump all\n",
        });
        const result = await routeCheck(OS_SCRIPT, squid.url, targets, pki);
        const https = targets.filter((t) => !t.endsWith(":80"));
        assert.equal(result.failures.length, https.length, result.output);
        for (const t of https) {
            const failure = result.failures.find((f) => f.startsWith(`${t}: `));
            assert.ok(failure, `no failure for ${t}`);
            assert.ok(failure.includes(`issued by 'CN=${BUMP_CA_NAME}'`) && failure.includes("intercepts TLS"), failure);
        }
        assert.deepEqual(
            result.ok.map((l) => l.split(" ")[2]),
            targets.filter((t) => t.endsWith(":80")),
        );
    });

    it("a target the WinHTTP bypass list sends past the proxy fails naming the entry, and is not probed", async function () {
        const mix = MIXES[0];
        const targets = targetsFor(mix);
        const squid = await squidFor(egressFor(mix));
        const result = await routeCheck(OS_SCRIPT, squid.url, targets, pki, { BypassList: "<local>;*.events.data.microsoft.com;10.*" });
        const bypassed = targets.filter((t) => /\.events\.data\.microsoft\.com:/.test(t));
        assert.ok(bypassed.length > 0, "the mix probes hosts under events.data.microsoft.com");
        assert.deepEqual(
            result.failures,
            bypassed.map(
                (t) =>
                    `${t}: the bypass list entry '*.events.data.microsoft.com' sends it past the proxy, so the agents would not use this route; remove the entry or send this host through the proxy`,
            ),
        );
        for (const t of bypassed) assert.ok(!squid.accessLog().includes(t), `${t} was probed through the proxy`);
    });

    it("one total bound: every target of the largest mix against a proxy that never answers ends within it", async function () {
        const targets = allTargets;
        assert.ok(
            targets.length * 10 > 600,
            `${targets.length} targets x 10 s must exceed the run command's 600 s for this case to mean anything`,
        );
        const silent = tracked(net.createServer((s) => s.on("error", () => {})));
        const port = await freePort();
        await new Promise<void>((r) => silent.listen(port, "127.0.0.1", () => r()));
        try {
            const result = await routeCheck(OS_SCRIPT, `http://127.0.0.1:${port}`, targets, pki, {
                RouteCheckTimeoutSeconds: "2",
                RouteCheckTotalSeconds: "5",
            });
            assert.equal(result.failures.length, targets.length);
            assert.ok(result.seconds < 8, `took ${result.seconds} s with a 5 s bound`);
            assert.ok(result.failures.filter((f) => f.endsWith("(timeout)")).length >= 2, result.output);
            const notProbed = result.failures.filter((f) => f.endsWith("not probed, the route check's total bound of 5s ran out"));
            assert.ok(notProbed.length >= targets.length - 4, result.output);
            console.log(`      ${targets.length} targets, bound 5 s: ended after ${result.seconds} s, ${notProbed.length} not probed`);
        } finally {
            await close(silent);
        }
    });
});
