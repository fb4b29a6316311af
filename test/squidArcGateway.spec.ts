// The Arc gateway's egress (sdk/plan/arcGateway.ts gatewayModeEgress) as the component's Squid
// snippet, against a real Squid: `squid -k parse` accepts every variant without a warning, and a
// running Squid lets CONNECT through to the gateway and Microsoft's Arc hosts and refuses the
// hosts the gateway carries.
import { strict as assert } from "node:assert";
import { EgressInput, squidAllowlistSnippet } from "../sdk/plan/egress";
import { gatewayModeEgress } from "../sdk/plan/arcGateway";
import { connectStatus, parseSquidConfig, startSquid } from "./squidServer";

describe("Arc gateway: the gateway-mode Squid snippet against a real Squid", function () {
    this.timeout(60_000);

    it("squid -k parse passes without warnings, with and without workspace ids and Azure Monitor Private Link", () => {
        for (const workspaceIds of [[], ["0f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e"]]) {
            for (const azureMonitor of [false, true]) {
                for (const gatewayHost of [undefined, "abc123.gw.arc.azure.com"]) {
                    const input: EgressInput = {
                        cloud: "AzureCloud",
                        regions: ["westeurope", "northeurope"],
                        agents: { mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true, arcAgent: true },
                        workspaceIds,
                        privateLink: { arc: false, azureMonitor },
                    };
                    const snippet = squidAllowlistSnippet(gatewayModeEgress(input, { arcRegions: ["westeurope"], gatewayHost }));
                    assert.match(
                        snippet,
                        gatewayHost === undefined ? /dstdomain \.gw\.arc\.azure\.com$/m : /dstdomain abc123\.gw\.arc\.azure\.com$/m,
                    );
                    const run = parseSquidConfig({
                        visibleHostname: "arc-gateway-test.invalid",
                        rules: `${snippet.trimEnd()}\nhttp_access deny all\n`,
                    });
                    const said = run.output;
                    const label = `${workspaceIds.length} workspace(s), monitor private link ${azureMonitor}, host ${gatewayHost ?? "wildcard"}`;
                    assert.equal(run.status, 0, `${label}: squid -k parse failed:\n${said}`);
                    assert.doesNotMatch(said, /WARNING|ERROR|FATAL/, `${label}: squid -k parse complained:\n${said}`);
                }
            }
        }
    });
});

describe("Arc gateway: the gateway-mode allowlist in a running Squid (127.0.0.1 only)", function () {
    this.timeout(90_000);

    it("lets CONNECT through to the gateway and Microsoft's Arc hosts, and refuses the Arc hosts the gateway carries", async () => {
        const input: EgressInput = {
            cloud: "AzureCloud",
            regions: ["westeurope"],
            agents: { mde: true, azureMonitorAgent: true, legacyAgent: false, guestConfiguration: false, arcAgent: true },
            workspaceIds: [],
            privateLink: { arc: false, azureMonitor: false },
        };
        const snippet = squidAllowlistSnippet(gatewayModeEgress(input, { arcRegions: ["westeurope"] }));
        const allowed = ["probe.gw.arc.azure.com", "gbl.his.arc.azure.com", "westeurope.his.arc.azure.com", "management.azure.com"];
        const refused = [
            "x.guestconfiguration.azure.com",
            "azgnprobe.servicebus.windows.net",
            "x.blob.core.windows.net",
            "northeurope.his.arc.azure.com",
            "aka.ms",
        ];
        // Allowed names resolve to 127.0.0.1 (the CONNECT then fails on the closed port 443: a 5xx, never a 403); other lookups go nowhere.
        const squid = await startSquid({
            prefix: "arc-gateway-squid-live-",
            visibleHostname: "arc-gateway-test.invalid",
            hosts: allowed,
            rules: `${snippet.trimEnd()}\nhttp_access deny all\n`,
            timeoutMs: 30_000,
        });
        const port = squid.port;
        try {
            for (const host of allowed) {
                const status = await connectStatus(port, `${host}:443`);
                assert.ok(status !== 403 && (status === 200 || status >= 500), `${host}: expected it through the ACL, got ${status}`);
            }
            for (const host of refused) assert.equal(await connectStatus(port, `${host}:443`), 403, `${host} is not refused`);
        } finally {
            await squid.stop();
        }
    });
});
