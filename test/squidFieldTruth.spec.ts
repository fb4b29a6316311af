// A mixed Arc fleet behind an Arc Private Link Scope (issue 26), against a real Squid running the
// component's own `squidAllowlist` output: the unassociated machine's Arc agent must get through to
// the public Arc hosts; with every machine associated those hosts are not the proxy's business.
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { runProgram } from "../sdk/preview/engine";
import { PropertyValue, reveal } from "../sdk/preview/values";
import { MINIMAL, SUBSCRIPTION } from "./harness";
import { connectStatus, SquidServer, startSquid } from "./squidServer";

// Concrete names under Microsoft's Arc wildcards (azure-management-docs private-link-security.md: gbl.his.arc.azure.com;
// azure-docs machine-configuration 03-network-requirements.md: agentserviceapi.guestconfiguration.azure.com).
const ARC_NAMES = ["gbl.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com"];

/** The component's Squid snippet for a fleet of Linux Arc machines with the given associations. */
async function snippetFor(associations: Array<"none" | "associated">): Promise<string> {
    const args: DefenderForServersNetworkRestrictedArgs = {
        ...MINIMAL,
        proxy: { address: "http://proxy.corp.example:3128" },
        machines: associations.map((arcPrivateLinkScope, i) => ({
            key: `arc-${i}`,
            kind: "arc",
            os: "linux",
            resourceGroupName: "rg-arc",
            name: `arc-${i}`,
            arcPrivateLinkScope,
        })),
        privateLink: {
            resourceGroupName: "rg-pl",
            subnetId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe`,
            arc: { tenantId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" },
        },
    };
    const run = await runProgram(() => ({ squid: new DefenderForServersNetworkRestricted("d", args).squidAllowlist }));
    assert.deepEqual(run.errors, []);
    return (reveal(run.outputs as PropertyValue) as { squid: string }).squid;
}

describe("a mixed Arc fleet's allowlist against a real Squid", function () {
    this.timeout(90_000);
    const servers: SquidServer[] = [];
    const serve = async (snippet: string) => {
        const squid = await startSquid({
            prefix: "field-truth-squid-",
            hosts: ARC_NAMES,
            rules: `${snippet.trimEnd()}\nhttp_access deny all\n`,
        });
        servers.push(squid);
        return squid.port;
    };

    after(async () => {
        for (const squid of servers) await squid.stop();
    });

    it("lets the unassociated machine's Arc agent through to the public Arc hosts (never 403)", async () => {
        const port = await serve(await snippetFor(["associated", "none"]));
        for (const name of ARC_NAMES) {
            const status = await connectStatus(port, `${name}:443`);
            assert.notEqual(status, 403, `${name} refused by the component's own snippet`);
        }
    });

    it("with every Arc machine associated, the proxy refuses them: they go to the private endpoint", async () => {
        const port = await serve(await snippetFor(["associated"]));
        for (const name of ARC_NAMES) assert.equal(await connectStatus(port, `${name}:443`), 403, name);
    });
});
