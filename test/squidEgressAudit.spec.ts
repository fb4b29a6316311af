// `defender-servers egress-audit` against the access log of a REAL Squid (Debian package `squid`).
//
// The contract is the egress list of a real preview report (`defender-servers-preview --json` on the
// repository's default program). Squid runs with the component's own allowlist snippet
// (`squidAllowlistSnippet` over that same list), preceded by a network team's denial list that refuses two
// hosts the agents need (one exact, one under a wildcard entry), and followed by `http_access deny all`.
// Requests go through Squid on loopback; nothing leaves the machine (allowed names resolve to 127.0.0.1 in
// Squid's own hosts file, where nothing listens on 443). The audit must name exactly the two denied required
// hosts with the agents that need them, exit 1, list hosts outside the contract, and exit 0 on the log of a
// Squid without the denial list.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { EgressEndpoint, squidAllowlistSnippet } from "../sdk/plan/egress";
import { runPreviewCli } from "./previewCli";
import { connectStatus, SquidServer, startSquid } from "./squidServer";
import { runDefenderServers } from "./verifyCli";

const ROOT = path.resolve(__dirname, "..");

/** A plain-HTTP GET of `url` through the proxy; resolves with the status code. */
function getThrough(proxyPort: number, url: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: "127.0.0.1", port: proxyPort, method: "GET", path: url, headers: { host: new URL(url).host }, timeout: 10_000 },
            (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
            },
        );
        req.once("timeout", () => req.destroy(new Error(`no answer to GET ${url}`)));
        req.once("error", reject);
        req.end();
    });
}

interface AuditJson {
    logKind: string;
    requests: number;
    deniedRequired: Array<{ entry: { host: string; port: number; agents: string[] }; hosts: string[]; denied: number }>;
    neverUsed: Array<{ host: string; port: number }>;
    outsideContract: Array<{ host: string; port: number; allowed: number; denied: number; note?: string }>;
}

describe("egress-audit on a real Squid's access log", function () {
    this.timeout(120_000);
    let dir: string;
    let previewFile: string;
    let endpoints: EgressEndpoint[];
    const squids: SquidServer[] = [];

    before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "egress-audit-"));
        const preview = runPreviewCli(ROOT, ["--json"], 90_000);
        assert.equal(preview.code, 0, preview.stderr);
        previewFile = path.join(dir, "preview.json");
        fs.writeFileSync(previewFile, preview.stdout);
        const report = JSON.parse(preview.stdout) as { egress: Array<{ endpoints: EgressEndpoint[] }> };
        endpoints = report.egress.flatMap((c) => c.endpoints);
        // What the requests below lean on must be in the contract the preview states.
        for (const host of [
            "winatp-gw-weu.microsoft.com",
            "*.his.arc.azure.com",
            "global.handler.control.monitor.azure.com",
            "azgn*.servicebus.windows.net",
            "packages.microsoft.com",
        ]) {
            assert.ok(
                endpoints.some((e) => e.host === host && e.port === 443 && e.route === "proxy"),
                `${host}:443 is not a proxy-route entry of the preview`,
            );
        }
        assert.ok(endpoints.some((e) => e.host === "crl.microsoft.com" && e.port === 80));
    });

    after(async function () {
        for (const s of squids) await s.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Starts Squid with `denial` lines before the component's snippet, sends the requests, returns the log file. */
    async function squidLog(name: string, denial: string[], send: (port: number) => Promise<void>, expectLines: number): Promise<string> {
        const hosts = [
            "winatp-gw-weu.microsoft.com",
            "gbl.his.arc.azure.com",
            "global.handler.control.monitor.azure.com",
            "azgnprobe.servicebus.windows.net",
            "crl.microsoft.com",
        ];
        const squid = await startSquid({
            prefix: "egress-audit-squid-",
            hosts,
            rules: [...denial, squidAllowlistSnippet(endpoints).trimEnd(), "http_access deny all", ""].join("\n"),
        });
        squids.push(squid);
        await send(squid.port);
        // Squid writes a CONNECT's line when the tunnel closes, which on a loaded machine took over
        // 10 s once (CI dry run: 1 of 2 lines); the loop ends as soon as the lines are there.
        const deadline = Date.now() + 60_000;
        while (
            squid
                .accessLog()
                .trim()
                .split("\n")
                .filter((l) => l !== "").length < expectLines &&
            Date.now() < deadline
        ) {
            await new Promise((r) => setTimeout(r, 100));
        }
        const file = path.join(dir, `${name}.access.log`);
        fs.writeFileSync(file, squid.accessLog());
        return file;
    }

    it("names the required hosts Squid denied, with the agents that need them, and exits 1", async () => {
        const denial = [
            "# The network team's denial list, above the allowlist: one exact host and one under a wildcard entry.",
            "acl network_team_denies dstdomain winatp-gw-weu.microsoft.com gbl.his.arc.azure.com",
            "http_access deny network_team_denies",
        ];
        const statuses: Record<string, number> = {};
        const log = await squidLog(
            "denied",
            denial,
            async (port) => {
                for (const target of [
                    "winatp-gw-weu.microsoft.com:443",
                    "gbl.his.arc.azure.com:443",
                    "global.handler.control.monitor.azure.com:443",
                    "azgnprobe.servicebus.windows.net:443",
                    "example.org:443",
                    "crl.microsoft.com:443",
                ]) {
                    statuses[target] = await connectStatus(port, target);
                }
                statuses["GET crl"] = await getThrough(port, "http://crl.microsoft.com/pki/crl/products/MicRooCerAut2011_2011_03_22.crl");
            },
            7,
        );
        // Squid itself: the denied and the unknown get 403, the allowed do not.
        assert.equal(statuses["winatp-gw-weu.microsoft.com:443"], 403);
        assert.equal(statuses["gbl.his.arc.azure.com:443"], 403);
        assert.equal(statuses["example.org:443"], 403);
        assert.equal(statuses["crl.microsoft.com:443"], 403);
        assert.notEqual(statuses["global.handler.control.monitor.azure.com:443"], 403);
        assert.notEqual(statuses["azgnprobe.servicebus.windows.net:443"], 403);
        assert.notEqual(statuses["GET crl"], 403);

        const run = await runDefenderServers(["egress-audit", log, "--preview", previewFile, "--json"]);
        assert.equal(run.code, 1, run.stderr);
        const audit = JSON.parse(run.stdout) as AuditJson;
        assert.equal(audit.logKind, "squid");
        assert.equal(audit.requests, 7);
        const denied = audit.deniedRequired.map((d) => ({
            host: d.entry.host,
            port: d.entry.port,
            agents: d.entry.agents,
            hosts: d.hosts,
            denied: d.denied,
        }));
        assert.deepEqual(
            denied.sort((a, b) => a.host.localeCompare(b.host)),
            [
                { host: "*.his.arc.azure.com", port: 443, agents: ["Arc agent"], hosts: ["gbl.his.arc.azure.com"], denied: 1 },
                {
                    host: "winatp-gw-weu.microsoft.com",
                    port: 443,
                    agents: ["Defender for Endpoint"],
                    hosts: ["winatp-gw-weu.microsoft.com"],
                    denied: 1,
                },
            ],
        );
        const outside = new Map(audit.outsideContract.map((u) => [`${u.host}:${u.port}`, u]));
        assert.deepEqual([...outside.keys()].sort(), ["crl.microsoft.com:443", "example.org:443"]);
        assert.equal(outside.get("example.org:443")!.denied, 1);
        assert.equal(outside.get("crl.microsoft.com:443")!.note, "in the contract on port 80 only");
        const unused = new Set(audit.neverUsed.map((e) => `${e.host}:${e.port}`));
        assert.ok(unused.has("packages.microsoft.com:443"));
        for (const used of [
            "global.handler.control.monitor.azure.com:443",
            "azgn*.servicebus.windows.net:443",
            "crl.microsoft.com:80",
            "winatp-gw-weu.microsoft.com:443",
        ]) {
            assert.ok(!unused.has(used), `${used} was requested, so it is not 'never used'`);
        }

        const text = await runDefenderServers(["egress-audit", log, "--preview", previewFile]);
        assert.equal(text.code, 1);
        assert.match(
            text.stdout,
            /Required hosts DENIED: 2\n  \*\.his\.arc\.azure\.com:443  needed by Arc agent \(always\)  denied 1x as gbl\.his\.arc\.azure\.com/,
        );
    });

    it("exits 0 on the log of a Squid that lets the same required hosts through", async () => {
        const log = await squidLog(
            "allowed",
            [],
            async (port) => {
                for (const target of ["winatp-gw-weu.microsoft.com:443", "gbl.his.arc.azure.com:443"])
                    assert.notEqual(await connectStatus(port, target), 403);
            },
            2,
        );
        const run = await runDefenderServers(["egress-audit", log, "--preview", previewFile, "--json"]);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        const audit = JSON.parse(run.stdout) as AuditJson;
        assert.equal(audit.requests, 2);
        assert.deepEqual(audit.deniedRequired, []);
    });
});
