// egress-audit's pure parts: wildcard matching, Squid and Azure Firewall log parsing, and the audit over an
// exported AZFWApplicationRule table (columns as Microsoft documents them; fixture in test/fixtures/verify).
// The Squid path runs against a real Squid in squidEgressAudit.spec.ts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { auditEgress, egressAuditExitCode } from "../sdk/egressAudit/audit";
import { contractFromPreview, hostPattern } from "../sdk/egressAudit/contract";
import { parseEgressLog, parseSquidAccessLog } from "../sdk/egressAudit/logs";

const FIXTURES = path.join(__dirname, "fixtures", "verify");
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

describe("egress-audit: matching a host to the contract", () => {
    it("*.x.y matches names under x.y at any depth, never x.y itself nor a look-alike suffix", () => {
        const p = hostPattern("*.his.arc.azure.com");
        for (const yes of ["gbl.his.arc.azure.com", "a.b.his.arc.azure.com"]) assert.ok(p.test(yes), yes);
        for (const no of ["his.arc.azure.com", "evilhis.arc.azure.com", "gbl.his.arc.azure.com.evil.net"]) assert.ok(!p.test(no), no);
    });

    it("a partial-label wildcard stays inside one label", () => {
        const p = hostPattern("azgn*.servicebus.windows.net");
        assert.ok(p.test("azgn.servicebus.windows.net"));
        assert.ok(p.test("azgnweu01.servicebus.windows.net"));
        assert.ok(!p.test("azgn.x.servicebus.windows.net"));
        assert.ok(!p.test("xazgn1.servicebus.windows.net"));
    });

    it("dots in exact names are literal", () => {
        assert.ok(!hostPattern("www.microsoft.com").test("wwwxmicrosoft.com"));
    });
});

describe("egress-audit: reading logs", () => {
    it("reads Squid's native format: CONNECT host:port, absolute URLs, TCP_DENIED; skips other lines", () => {
        const log = [
            "1765012345.123      0 10.0.0.4 TCP_DENIED/403 3912 CONNECT winatp-gw-weu.microsoft.com:443 - HIER_NONE/- text/html",
            "1765012345.456     12 10.0.0.4 TCP_TUNNEL/200 5230 CONNECT global.handler.control.monitor.azure.com:443 - HIER_DIRECT/20.50.1.2 -",
            "1765012346.001      5 10.0.0.5 TCP_MISS/200 1043 GET http://crl.microsoft.com/pki/crl/x.crl - HIER_DIRECT/23.1.2.3 application/pkix-crl",
            "2026/12/06 10:00:00 kid1| not an access record",
        ].join("\n");
        const { requests, skipped } = parseSquidAccessLog(log);
        assert.equal(skipped, 1);
        assert.deepEqual(
            requests.map((r) => [r.host, r.port, r.allowed]),
            [
                ["winatp-gw-weu.microsoft.com", 443, false],
                ["global.handler.control.monitor.azure.com", 443, true],
                ["crl.microsoft.com", 80, true],
            ],
        );
    });

    it("reads an AZFWApplicationRule export as rows, and as the Logs API's tables", () => {
        const rows = parseEgressLog(read("azfw-application-rule.json"));
        assert.equal(rows.kind, "azureFirewall");
        assert.deepEqual(
            rows.requests.map((r) => [r.host, r.port, r.allowed]),
            [
                ["winatp-gw-weu.microsoft.com", 443, false],
                ["westeurope.handler.control.monitor.azure.com", 443, true],
                ["weu.his.arc.azure.com", 443, false],
                ["his.arc.azure.com", 443, false],
            ],
        );
        const asRows = JSON.parse(read("azfw-application-rule.json")) as Array<Record<string, unknown>>;
        const columns = Object.keys(asRows[0]);
        const tables = JSON.stringify({
            tables: [
                {
                    name: "PrimaryResult",
                    columns: columns.map((name) => ({ name, type: "string" })),
                    rows: asRows.map((r) => columns.map((c) => r[c])),
                },
            ],
        });
        assert.deepEqual(parseEgressLog(tables).requests, rows.requests);
    });

    it("refuses an AzureDiagnostics export (no Fqdn/Action columns), naming the table to export", () => {
        assert.throws(
            () => parseEgressLog('[{"msg_s": "HTTPS request from 10.0.0.4:5000 to x:443. Action: Deny"}]'),
            /export the AZFWApplicationRule table/,
        );
    });
});

describe("egress-audit: the audit", () => {
    const contract = contractFromPreview(read("contract-preview.json"), "contract-preview.json");

    it("an Azure Firewall that denies required hosts fails the audit and names the agents", () => {
        const parsed = parseEgressLog(read("azfw-application-rule.json"));
        const report = auditEgress(contract, parsed.requests, parsed.kind, parsed.skipped);
        assert.equal(egressAuditExitCode(report), 1);
        assert.deepEqual(
            report.deniedRequired.map((d) => [d.entry.host, d.entry.agents, d.hosts]),
            [
                ["winatp-gw-weu.microsoft.com", ["Defender for Endpoint"], ["winatp-gw-weu.microsoft.com"]],
                ["*.his.arc.azure.com", ["Arc agent"], ["weu.his.arc.azure.com"]],
            ],
        );
        // his.arc.azure.com itself is not under *.his.arc.azure.com: outside the contract.
        assert.deepEqual(report.outsideContract, [{ host: "his.arc.azure.com", port: 443, allowed: 0, denied: 1 }]);
        assert.deepEqual(
            report.neverUsed.map((e) => e.host),
            ["azgn*.servicebus.windows.net", "packages.microsoft.com"],
        );
    });

    it("a private-link host seen at the proxy is reported as 'should bypass', and does not fail the audit", () => {
        const report = auditEgress(
            contract,
            [{ host: "agentserviceapi.guestconfiguration.azure.com", port: 443, allowed: false, outcome: "TCP_DENIED/403", client: "" }],
            "squid",
            0,
        );
        assert.equal(egressAuditExitCode(report), 0);
        assert.deepEqual(
            report.shouldBypass.map((b) => [b.entry.host, b.hosts]),
            [["*.guestconfiguration.azure.com", ["agentserviceapi.guestconfiguration.azure.com"]]],
        );
    });

    it("a preview without an egress list is refused with the command that writes one", () => {
        assert.throws(
            () => contractFromPreview('{"resources": []}', "p.json"),
            /no "egress" list; is it the output of `defender-servers-preview --json`/,
        );
        assert.throws(() => contractFromPreview('{"egress": []}', "p.json"), /the egress list is empty/);
    });
});
