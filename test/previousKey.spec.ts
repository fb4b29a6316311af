/**
 * Renaming a machine's key with `previousKey`: the component runs once with the machine under
 * its old key and once under the new key with `previousKey`, and the engine must be able to
 * match every new per-machine resource to exactly one old one through its alias, so the update
 * moves state instead of planning a create and a delete.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestrictedArgs, MachineSettings } from "../sdk";
import { MACHINE_RESOURCE_PARTS } from "../sdk/plan/machineNames";
import { RecordedResource, RunResult } from "../sdk/preview/engine";
import { construct, MINIMAL, MODES } from "./harness";
import { mixedFleet, PASSWORD, WORKSPACE } from "./fleet";

const SUBNET = `/subscriptions/${MINIMAL.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints`;

/** Fleets that, between them, give a machine every per-machine resource the component has. */
const FLEETS: Array<{ label: string; args: DefenderForServersNetworkRestrictedArgs }> = [
    {
        // Proxies, AMA with both associations, the legacy agent, Guest Configuration, association by policy, machine-scope plans.
        label: "proxy, Private Link for Azure Monitor and Arc, machine-scope plans",
        args: (() => {
            const args = mixedFleet({
                plan: { subPlan: "P1" },
                privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, azureMonitor: {}, arc: { publicNetworkAccess: true } },
            });
            const [winVm, lnxVm, winArc, lnxArc] = args.machines!;
            args.machines = [
                { ...winVm, defenderPlan: "Free" },
                // One region: AMA through Private Link reads its configuration from an endpoint in its own.
                { ...lnxVm, location: undefined, defenderPlan: "P1" },
                // A group known only at deployment: this machine keeps its own association assignment (others share their group's).
                { ...winArc, arcPrivateLinkScope: "associateByPolicy", resourceGroupName: pulumi.output("rg-arc") },
                { ...lnxArc, arcPrivateLinkScope: "associateByPolicy", defenderPlan: "P1" },
            ];
            return args;
        })(),
    },
    {
        label: "Arc gateway",
        args: {
            ...MINIMAL,
            proxy: { address: "http://proxy.corp.example:3128", username: "svc", password: PASSWORD, unauthenticatedForAgentHosts: true },
            machines: [
                { key: "lnx-arc", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "lnx-arc" },
                { key: "win-arc", kind: "arc", os: "windows", resourceGroupName: "rg-arc", name: "win-arc" },
            ],
            logs: { workspaceResourceId: WORKSPACE },
            arcGateway: { resourceGroupName: "rg-gw", gatewayName: "gw-defender", tenantId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" },
        },
    },
];

/** `args` with machine `index` under `key`, and `previousKey` when given. */
function withKey(
    args: DefenderForServersNetworkRestrictedArgs,
    index: number,
    key: string,
    previousKey?: string,
): DefenderForServersNetworkRestrictedArgs {
    const machines = args.machines!.map((m, i): MachineSettings =>
        i === index ? { ...m, key, ...(previousKey ? { previousKey } : {}) } : m,
    );
    return { ...args, machines };
}

/** The renamed machine's resources: the component names a machine's resources `<name>-<part>-<key>`. */
const ownedBy = (run: RunResult, key: string) => run.resources.filter((r) => r.name.endsWith(`-${key}`));

/** What the update would see as one resource: type, logical name, parent. */
const identity = (r: { type: string; name: string; parent?: string }) => `${r.type}::${r.name}::${r.parent ?? ""}`;

/**
 * Inputs as the update would compare them: without the one Azure name that follows the key (the
 * gateway link deployment's, checked apart), and with the ids the mock engine invents from a
 * renamed resource's new logical name read as the old one's (a real aliased resource keeps its id).
 */
function comparableInputs(r: RecordedResource): unknown {
    const { deploymentName, ...rest } = r.inputs as Record<string, unknown>;
    const kept = r.type === "azure-native:resources:Deployment" ? rest : { deploymentName, ...rest };
    return JSON.parse(JSON.stringify(kept ?? null).replace(/(\/providers\/mock\.[a-z]+\/d-[a-z-]+)-new\b/g, "$1-old"));
}

for (const mode of MODES) {
    describe(`previousKey: a renamed machine keeps its resources, ${mode.label}`, () => {
        const partsSeen = new Set<string>();

        for (const fleet of FLEETS) {
            fleet.args.machines!.forEach((machine, index) => {
                it(`${fleet.label}: ${machine.key} renamed from "old" to "new", every resource aliases its old name`, async () => {
                    const before = await construct(withKey(fleet.args, index, "old"), mode.preview);
                    const after = await construct(withKey(fleet.args, index, "new", "old"), mode.preview);

                    assert.deepEqual(
                        before.resources.filter((r) => r.aliases !== undefined).map((r) => r.name),
                        [],
                        "aliases without a previousKey",
                    );
                    const old = ownedBy(before, "old");
                    const renamed = ownedBy(after, "new");
                    assert.ok(old.length > 0, "the machine registered no resources under its old key");

                    const oldByIdentity = new Map(old.map((r) => [identity(r), r]));
                    const aliased = new Set<string>();
                    for (const r of renamed) {
                        // The rule: the same part under the previous key; the alias names neither
                        // parent nor type, so the SDK sends the resource's own parent and the engine keeps its type.
                        const oldName = `${r.name.slice(0, -"new".length)}old`;
                        assert.deepEqual(r.aliases, [{ name: oldName, parent: r.parent }], `${r.name}'s aliases`);
                        const target = oldByIdentity.get(identity({ type: r.type, name: oldName, parent: r.parent }));
                        assert.ok(
                            target !== undefined,
                            `${r.name} aliases ${oldName}, which the old key did not register (as ${r.type} under the same parent)`,
                        );
                        assert.ok(!aliased.has(oldName), `two resources alias ${oldName}`);
                        aliased.add(oldName);
                        if (r.type === "azure-native:resources:Deployment") {
                            // The exception the README names: the gateway link's ARM deployment is named after the key.
                            assert.deepEqual(
                                [target.inputs.deploymentName, r.inputs.deploymentName],
                                ["defender-arc-gateway-old", "defender-arc-gateway-new"],
                            );
                        }
                        // What Azure is sent stays the same, so the update has nothing to change there.
                        assert.deepEqual(comparableInputs(r), comparableInputs(target), `${r.name}'s inputs differ from ${oldName}'s`);
                        partsSeen.add(r.name.slice("d-".length, -"-new".length));
                    }
                    assert.deepEqual(
                        old.map((r) => r.name).filter((n) => !aliased.has(n)),
                        [],
                        "old resources no new resource aliases (the update would delete them and create their replacements)",
                    );

                    // Everything else is registered as before, and without aliases.
                    const others = (run: RunResult, key: string) =>
                        run.resources
                            .filter((r) => !r.name.endsWith(`-${key}`))
                            .map(identity)
                            .sort();
                    assert.deepEqual(others(after, "new"), others(before, "old"));
                    assert.deepEqual(
                        after.resources.filter((r) => r.aliases !== undefined && !r.name.endsWith("-new")).map((r) => r.name),
                        [],
                        "aliases on resources of machines that kept their key",
                    );
                });
            });
        }

        it("the fleets above give a renamed machine every per-machine resource the component names", () => {
            assert.deepEqual([...partsSeen].sort(), [...MACHINE_RESOURCE_PARTS].sort());
        });
    });
}
