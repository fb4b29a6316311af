// The egress contract against a real Squid (Debian package `squid`, 5.7 on bookworm).
//
// Squid listens on 127.0.0.1 only, with the generated snippet followed by `http_access deny all`.
// Nothing leaves the machine: every allowed name is mapped to 127.0.0.1 in Squid's own hosts file
// (the CONNECT then fails with a 5xx on the closed local port 443), any other lookup goes to a DNS
// server on 127.0.0.1, and denied names are refused before any lookup. An allowed HTTPS name must never
// get 403 for CONNECT to 443, nor an allowed plain-HTTP name (certificate revocation lists) for GET on 80;
// a name outside the list, an HTTPS name on port 80, an HTTP-only name on 443, a plain GET to an HTTPS
// name and a POST to an HTTP name must get 403 and a TCP_DENIED/403 line in the access log.
// A missing Squid fails the suite: it is never skipped.
import { strict as assert } from "node:assert";
import * as net from "node:net";
import { EgressEndpoint, EgressInput, egressEndpoints, privateLinkHosts, squidAllowlistSnippet } from "../sdk/plan/egress";
import { parseSquidConfig, SquidServer, startSquid } from "./squidServer";

const WORKSPACE = "0f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e";

/** Arc through its private link scope, everything else through the proxy: both routes at once. */
const MIXED: EgressInput = {
    cloud: "AzureCloud",
    regions: ["westeurope", "northeurope"],
    agents: { mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true, arcAgent: true },
    workspaceIds: [WORKSPACE],
    privateLink: { arc: true, azureMonitor: false },
};

const REQUEST_TIMEOUT_MS = 10_000;

/** A concrete name the allowlist entry must let through: `*.x.y` -> `probe.x.y`, `azgn*.x.y` -> `azgnprobe.x.y`. */
function probeName(host: string): string {
    return host.replace("*", "probe");
}

/** Sends one raw request through the proxy and resolves with the status code of the answer's first line. */
function statusThroughProxy(port: number, request: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        let received = "";
        let settled = false;
        const finish = (error: Error | undefined, status?: number): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            socket.destroy();
            if (error !== undefined) reject(error);
            else resolve(status as number);
        };
        const firstLine = request.split("\r\n")[0];
        const timer = setTimeout(
            () => finish(new Error(`no answer from Squid within ${REQUEST_TIMEOUT_MS} ms to "${firstLine}"`)),
            REQUEST_TIMEOUT_MS,
        );
        socket.once("connect", () => socket.write(request));
        socket.on("data", (chunk: Buffer) => {
            received += chunk.toString("latin1");
            const end = received.indexOf("\r\n");
            if (end < 0) return;
            const match = /^HTTP\/1\.[01] (\d{3})/.exec(received.slice(0, end));
            finish(
                match === null ? new Error(`unexpected answer to "${firstLine}": ${received.slice(0, end)}`) : undefined,
                match ? Number(match[1]) : undefined,
            );
        });
        socket.once("error", (err) => finish(err));
        socket.once("close", () => finish(new Error(`Squid closed the connection without a status line for "${firstLine}"`)));
    });
}

/** The proxy-route host names on one port, sorted and unique. */
function hostsOn(endpoints: EgressEndpoint[], port: number): string[] {
    return [...new Set(endpoints.filter((e) => e.route === "proxy" && e.port === port).map((e) => e.host))].sort();
}

function getRequest(url: string, method = "GET"): string {
    const host = new URL(url).host;
    return `${method} ${url} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
}

function connectRequest(target: string): string {
    return `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`;
}

/** The access rules of both Squids below: the generated snippet, then everything else refused. */
function rules(snippet: string): string {
    return `${snippet.trimEnd()}\nhttp_access deny all\n`;
}

describe("egress allowlist against a real Squid", function () {
    this.timeout(60_000);

    const endpoints = egressEndpoints(MIXED);
    const allowed = hostsOn(endpoints, 443);
    const plainHttp = hostsOn(endpoints, 80);
    const snippet = squidAllowlistSnippet(endpoints);
    let squid: SquidServer | undefined;
    let port: number;

    before(async function () {
        const probes = [...new Set([...allowed, ...plainHttp].map(probeName))];
        squid = await startSquid({ prefix: "egress-squid-", visibleHostname: "egress-test.invalid", hosts: probes, rules: rules(snippet) });
        port = squid.port;
    });

    after(async function () {
        await squid?.stop();
    });

    function accessLog(): string {
        return squid?.accessLog() ?? "";
    }

    /** Waits (bounded) until every expected fragment shows up in the access log. */
    async function accessLogWith(fragments: string[]): Promise<string> {
        const deadline = Date.now() + 5_000;
        let log = accessLog();
        while (!fragments.every((f) => log.includes(f)) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
            log = accessLog();
        }
        return log;
    }

    it("the mixed input really has both routes, both ports and a partial-label wildcard to prove", function () {
        assert.ok(allowed.length > 10);
        assert.ok(allowed.includes("azgn*.servicebus.windows.net"));
        assert.deepEqual(plainHttp, ["crl.microsoft.com", "ctldl.windowsupdate.com", "www.microsoft.com"]);
        assert.deepEqual(privateLinkHosts(endpoints), ["*.guestconfiguration.azure.com", "*.his.arc.azure.com"]);
    });

    it("lets CONNECT through to port 443 of every allowed name (never 403)", async function () {
        const probes = allowed.map(probeName);
        const statuses = await Promise.all(probes.map((p) => statusThroughProxy(port, connectRequest(`${p}:443`))));
        const refused = probes.filter((_, i) => statuses[i] === 403);
        assert.deepEqual(refused, [], `Squid refused names on the allowlist:\n${refused.join("\n")}\n${snippet}`);
        // Each one was really attempted: a 5xx from the closed local port 443 (or a failed lookup),
        // or 200 should something happen to listen on 127.0.0.1:443.
        statuses.forEach((s, i) => assert.ok(s === 200 || (s >= 500 && s < 600), `${probes[i]}: expected 200 or a 5xx, got ${s}`));
        const log = accessLog();
        for (const p of probes) assert.ok(!denied(log, `CONNECT ${p}:443`), `${p} logged as denied`);
    });

    it("lets GET through to port 80 of every plain-HTTP name (never 403)", async function () {
        const statuses = await Promise.all(plainHttp.map((h) => statusThroughProxy(port, getRequest(`http://${h}/pki/crl/`))));
        const refused = plainHttp.filter((_, i) => statuses[i] === 403);
        assert.deepEqual(refused, [], `Squid refused plain-HTTP names on the allowlist:\n${refused.join("\n")}\n${snippet}`);
        statuses.forEach((s, i) =>
            assert.ok(s === 200 || s === 404 || (s >= 500 && s < 600), `${plainHttp[i]}: expected 200, 404 or a 5xx, got ${s}`),
        );
    });

    const DENIED: Array<{ why: string; request: string; logged: string }> = [
        { why: "a name on no list", request: connectRequest("example.com:443"), logged: "CONNECT example.com:443" },
        {
            why: "an allowed suffix inside an attacker's domain",
            request: connectRequest("evil.endpoint.security.microsoft.com.attacker.net:443"),
            logged: "CONNECT evil.endpoint.security.microsoft.com.attacker.net:443",
        },
        {
            why: "a private-link-only Arc host",
            request: connectRequest("x.his.arc.azure.com:443"),
            logged: "CONNECT x.his.arc.azure.com:443",
        },
        {
            why: "a private-link-only guest configuration host",
            request: connectRequest("x.guestconfiguration.azure.com:443"),
            logged: "CONNECT x.guestconfiguration.azure.com:443",
        },
        {
            why: "a service bus namespace that is not azgn*",
            request: connectRequest("contoso.servicebus.windows.net:443"),
            logged: "CONNECT contoso.servicebus.windows.net:443",
        },
        {
            why: "azgn not at the start of the name",
            request: connectRequest("xazgnprobe.servicebus.windows.net:443"),
            logged: "CONNECT xazgnprobe.servicebus.windows.net:443",
        },
        {
            why: "an allowed name on port 80",
            request: connectRequest("management.azure.com:80"),
            logged: "CONNECT management.azure.com:80",
        },
        {
            why: "an allowed wildcard name on port 80",
            request: connectRequest("x.endpoint.security.microsoft.com:80"),
            logged: "CONNECT x.endpoint.security.microsoft.com:80",
        },
        {
            why: "CONNECT to 443 of a name allowed only for plain HTTP on 80",
            request: connectRequest("crl.microsoft.com:443"),
            logged: "CONNECT crl.microsoft.com:443",
        },
        {
            why: "a POST to a plain-HTTP name (only GET and HEAD)",
            request: getRequest("http://crl.microsoft.com/pki/crl/", "POST"),
            logged: "POST http://crl.microsoft.com/pki/crl/",
        },
        {
            why: "a plain GET to a plain-HTTP name on another port",
            request: getRequest("http://crl.microsoft.com:8080/"),
            logged: "GET http://crl.microsoft.com:8080/",
        },
        {
            why: "a plain GET to an allowed name",
            request: "GET http://packages.microsoft.com/ HTTP/1.1\r\nHost: packages.microsoft.com\r\n\r\n",
            logged: "GET http://packages.microsoft.com/",
        },
    ];

    it("refuses with 403 everything else, and logs TCP_DENIED/403 for each", async function () {
        const statuses = await Promise.all(DENIED.map((d) => statusThroughProxy(port, d.request)));
        DENIED.forEach((d, i) => assert.equal(statuses[i], 403, `${d.why}: expected 403, got ${statuses[i]}`));
        const log = await accessLogWith(DENIED.map((d) => d.logged));
        for (const d of DENIED) {
            assert.ok(denied(log, d.logged), `${d.why}: no TCP_DENIED/403 line for "${d.logged}" in access.log:\n${log}`);
        }
    });
});

/** True when a line of Squid's native access log records `request` as TCP_DENIED/403. */
function denied(log: string, request: string): boolean {
    return log.split("\n").some((line) => line.includes(" TCP_DENIED/403 ") && line.includes(` ${request} `));
}

describe("Squid accepts every generated snippet", function () {
    this.timeout(60_000);

    it("squid -k parse passes without warnings for each cloud and route combination", function () {
        for (const cloud of ["AzureCloud", "AzureUSGovernment"] as const) {
            for (const connectivity of ["standard", "streamlined"] as const) {
                for (const arc of [false, true]) {
                    for (const azureMonitor of [false, true]) {
                        for (const workspaceIds of [[], [WORKSPACE]]) {
                            const input: EgressInput = {
                                ...MIXED,
                                cloud,
                                regions: ["eastus", "westus2"],
                                workspaceIds,
                                privateLink: { arc, azureMonitor },
                                mde: { connectivity, windows: true, linux: true },
                            };
                            const run = parseSquidConfig({
                                visibleHostname: "egress-test.invalid",
                                rules: rules(squidAllowlistSnippet(egressEndpoints(input))),
                            });
                            const said = run.output;
                            const label = `${cloud}, ${connectivity}, arc private link ${arc}, monitor private link ${azureMonitor}, ${workspaceIds.length} workspace(s)`;
                            assert.equal(run.status, 0, `${label}: squid -k parse failed:\n${said}`);
                            assert.doesNotMatch(said, /WARNING|ERROR|FATAL/, `${label}: squid -k parse complained:\n${said}`);
                        }
                    }
                }
            }
        }
    });
});
