/**
 * Stability: what the engine receives does not depend on what is not known yet, and changes only
 * where the args changed.
 *
 * (a) A preview whose machine names, resource groups, subnet and virtual network ids and
 *     workspace ids are outputs of a resource created in the same program (so unknown) registers
 *     the same resources, under the same names, all under the component: nothing is declared
 *     inside an apply, where an unknown value would make it vanish from the preview.
 * (b) Destroy keeps the protection (retainOnDelete) unless opted out, and adding or removing a
 *     machine adds or removes only that machine's resources: every other resource keeps its
 *     name, inputs, parent and dependencies, the few fleet-wide ones changing only as stated.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, MachineSettings } from "../sdk";
import { RecordedResource, runProgram, RunResult } from "../sdk/preview/engine";
import { Unknown } from "../sdk/preview/values";
import { construct, MINIMAL, MODES, named, waitsFor } from "./harness";
import { MIXED_MACHINES } from "./fleet";

const SUB = "11111111-2222-3333-4444-555555555555";
const WORKSPACE = `/subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law`;
const WORKSPACE_GUID = "99999999-8888-7777-6666-555555555555";
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints`;
const VNETS = [
    `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub`,
    `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/spoke`,
];
const COMPONENT_TYPE = DefenderForServersNetworkRestricted.TYPE;

const MACHINES = MIXED_MACHINES;

/** Every kind and OS behind an authenticated proxy, with AMA, the legacy agent and the Guest Configuration tag policy. */
function fleet(overrides: Partial<DefenderForServersNetworkRestrictedArgs> = {}): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        plan: { subPlan: "P2", defenderVulnerabilityManagement: false },
        proxy: {
            address: "http://proxy.corp.example:3128",
            bypass: [".corp.example"],
            username: "svc-defender",
            password: pulumi.secret("Pr0xy-Pa55word!"),
            unauthenticatedForAgentHosts: true,
        },
        machines: MACHINES.map((m) => ({ ...m })),
        logs: { workspaceResourceId: WORKSPACE, legacyAgent: { workspaceId: WORKSPACE_GUID, workspaceKey: pulumi.secret("a2V5") } },
        guestConfiguration: { tagExistingVms: true },
        ...overrides,
    };
}

/** The fleet with both Private Link scopes, endpoints and created zones linked to two networks. */
function privateFleet(value: (text: string) => pulumi.Input<string>): DefenderForServersNetworkRestrictedArgs {
    const args = fleet({
        privateLink: {
            resourceGroupName: value("rg-pl"),
            subnetId: value(SUBNET),
            virtualNetworkIds: VNETS.map(value),
            arc: { tenantId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" },
            azureMonitor: {},
        },
    });
    // Azure Monitor Private Link needs AMA machines in the data collection endpoint's region.
    args.machines = args.machines!.map((m) => ({
        ...m,
        location: "westeurope",
        name: value(m.key),
        resourceGroupName: value(String(m.resourceGroupName)),
    }));
    args.logs = {
        workspaceResourceId: value(WORKSPACE),
        legacyAgent: { workspaceId: value(WORKSPACE_GUID), workspaceKey: pulumi.secret("a2V5") },
    };
    return args;
}

/** Whether the value at `at`, or an object on the way to it, is unknown. */
function isUnknownAt(value: unknown, at: Array<string | number>): boolean {
    let node = value;
    for (const step of at) {
        if (node instanceof Unknown) return true;
        assert.ok(node !== null && typeof node === "object", `no ${at.join(".")} in the inputs`);
        node = (node as Record<string | number, unknown>)[step];
    }
    return node instanceof Unknown;
}

function names(run: RunResult): string[] {
    return run.resources.map((r) => r.name);
}

/** The component's URN, and a check that every other resource's parent chain reaches it. */
function assertAllUnderComponent(run: RunResult, outside: string[] = []): void {
    const components = run.resources.filter((r) => r.type === COMPONENT_TYPE);
    assert.equal(components.length, 1);
    const component = components[0];
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    for (const resource of run.resources) {
        if (resource === component || outside.includes(resource.name)) continue;
        const chain: string[] = [resource.name];
        let parent = resource.parent;
        while (parent !== undefined && parent !== component.urn) {
            const up = byUrn.get(parent);
            assert.ok(up !== undefined, `${chain.join(" < ")}: parent ${parent} was never registered`);
            chain.push(up.name);
            parent = up.parent;
        }
        assert.equal(parent, component.urn, `${chain.join(" < ")} does not lead to the component (created inside an apply?)`);
    }
}

describe("stability", function () {
    this.timeout(120_000);

    describe("(a) a preview with unknown machine names, resource groups, subnet, network and workspace ids", () => {
        it("registers the same resources under the same names as with known values, all under the component", async () => {
            const known = await construct(
                privateFleet((text) => text),
                true,
            );
            const run = await runProgram(
                () => {
                    // In a preview a resource created in the same program has no id yet: everything derived from it is unknown.
                    const group = new resources.ResourceGroup("rg", { location: "westeurope" });
                    const later = (text: string): pulumi.Output<string> => group.id.apply(() => text);
                    new DefenderForServersNetworkRestricted("d", privateFleet(later));
                },
                { preview: true },
            );
            const withoutGroup = run.resources.filter((r) => r.name !== "rg");
            assert.equal(withoutGroup.length, known.resources.length, "resource count");
            assert.deepEqual(
                withoutGroup.map((r) => `${r.type} ${r.name}`).sort(),
                known.resources.map((r) => `${r.type} ${r.name}`).sort(),
            );
            assertAllUnderComponent(run, ["rg"]);
            assertAllUnderComponent(known);

            // The values really were unknown where they were used (an object holding an unknown may be unknown as a whole).
            const unknownAt: Array<[string, Array<string | number>]> = [
                ["d-os-proxy-lnx-vm", ["vmName"]],
                ["d-os-proxy-lnx-arc", ["resourceGroupName"]],
                ["d-arc-endpoint", ["subnet", "id"]],
                ["d-arc-scope", ["resourceGroupName"]],
                ["d-dns-privatelink-his-arc-azure-com-link-1", ["virtualNetwork", "id"]],
                ["d-dcr", ["destinations", "logAnalytics", 0, "workspaceResourceId"]],
                ["d-legacy-agent-win-vm", ["settings", "workspaceId"]],
                ["d-ama-dcr-win-arc", ["resourceUri"]],
                ["d-monitor-scope-workspace", ["linkedResourceId"]],
            ];
            for (const [name, at] of unknownAt) {
                assert.ok(isUnknownAt(named(run, name).inputs, at), `${name}.${at.join(".")}: expected an unknown value`);
                assert.ok(!isUnknownAt(named(known, name).inputs, at), `${name}.${at.join(".")}: expected a known value in the known case`);
            }
        });
    });

    describe("(b) destroy keeps the protection unless told otherwise", () => {
        const RETAINED = ["d-plan", "d-vulnerability-assessment", "d-mde-integration"];
        for (const mode of MODES) {
            it(`plan, vulnerability setting and MDE integration are retained on delete by default, and nothing else (${mode.label})`, async () => {
                const run = await construct(fleet({ plan: { defenderVulnerabilityManagement: true } }), mode.preview);
                for (const name of RETAINED) assert.equal(named(run, name).retainOnDelete, true, `${name} must be retained`);
                const others = run.resources.filter((r) => !RETAINED.includes(r.name) && r.retainOnDelete);
                assert.deepEqual(
                    others.map((r) => r.name),
                    [],
                    "only the subscription's protection is retained",
                );
                assert.ok(!run.warnings.some((w) => w.startsWith("retainProtectionOnDelete")));
            });

            it(`retainProtectionOnDelete: false lets destroy try to remove them, and warns (${mode.label})`, async () => {
                const run = await construct(
                    fleet({ plan: { defenderVulnerabilityManagement: true }, retainProtectionOnDelete: false }),
                    mode.preview,
                );
                for (const name of RETAINED) assert.equal(named(run, name).retainOnDelete, false, `${name} must not be retained`);
                assert.ok(run.resources.every((r) => !r.retainOnDelete));
                assert.ok(
                    run.warnings.some((w) =>
                        /^retainProtectionOnDelete: is false: deleting this component lets Pulumi try to delete/.test(w),
                    ),
                );
            });
        }
    });

    describe("(b) adding or removing a machine changes only that machine's resources (update mode)", () => {
        /** The logical names a machine's resources get in `fleet()`: proxies, AMA and its association, MMA, Guest Configuration. */
        function resourcesOf(machine: MachineSettings): string[] {
            const key = machine.key;
            return [
                `d-os-proxy-${key}`,
                ...(machine.kind === "azureVm" && machine.os === "linux" ? [`d-os-proxy-verify-${key}`] : []),
                ...(machine.kind === "arc" ? [`d-arc-agent-proxy-${key}`] : []),
                ...(machine.kind === "arc" && machine.os === "linux" ? [`d-arc-agent-proxy-verify-${key}`] : []),
                `d-ama-${key}`,
                `d-ama-dcr-${key}`,
                `d-legacy-agent-${key}`,
                ...(machine.kind === "azureVm" ? [`d-guest-configuration-${key}`] : []),
            ].sort();
        }

        const vmIds = (run: RunResult): string[] => (named(run, "d-gc-tag-assignment").inputs as any).parameters.vmIds.value;
        const withoutVmIds = (resource: RecordedResource) => {
            const { parameters, ...rest } = resource.inputs as any;
            return { ...rest, parameters: { ...parameters, vmIds: "(compared apart)" } };
        };

        /**
         * Compares two runs that differ by one machine (`changed`, present only in `larger`):
         * its resources are the whole difference, and every other resource is registered the same.
         */
        function assertOnlyMachineChanged(smaller: RunResult, larger: RunResult, changed: MachineSettings): void {
            const extra = names(larger).filter((n) => !names(smaller).includes(n));
            const missing = names(smaller).filter((n) => !names(larger).includes(n));
            assert.deepEqual(missing, [], "resources of other machines disappeared");
            assert.deepEqual(extra.sort(), resourcesOf(changed), `the difference is exactly ${changed.key}'s resources`);

            for (const before of smaller.resources) {
                const after = named(larger, before.name);
                const label = `${before.type} ${before.name}`;
                assert.equal(after.type, before.type, label);
                assert.equal(after.urn, before.urn, label);
                assert.equal(after.parent, before.parent, label);
                assert.equal(after.retainOnDelete, before.retainOnDelete, label);
                if (before.name === "d-gc-tag-assignment") {
                    // Fleet-wide by nature: the VM list of the tag policy. Everything else in it stays.
                    assert.deepEqual(withoutVmIds(after), withoutVmIds(before), label);
                    continue;
                }
                assert.deepEqual(after.inputs, before.inputs, `${label}: inputs changed`);
                if (before.name === "d-mde-integration") {
                    // It waits for every machine's proxies: the changed machine's join, nothing else moves.
                    const proxies = resourcesOf(changed).filter((n) => n.startsWith("d-os-proxy-") || n.startsWith("d-arc-agent-proxy-"));
                    assert.deepEqual(waitsFor(larger, after), [...waitsFor(smaller, before), ...proxies].sort(), label);
                    continue;
                }
                assert.deepEqual(waitsFor(larger, after), waitsFor(smaller, before), `${label}: dependencies changed`);
            }
            const component = (run: RunResult) => run.resources.find((r) => r.type === COMPONENT_TYPE)!.inputs;
            assert.deepEqual(component(larger), component(smaller));
        }

        it("adding an Azure VM in a new region: only its resources appear; the data collection rule does not change at all", async () => {
            const added: MachineSettings = {
                key: "lnx-vm-2",
                kind: "azureVm",
                os: "linux",
                resourceGroupName: "rg-new",
                name: "lnx-vm-2",
                location: "uksouth",
                systemAssignedIdentity: true,
            };
            const before = await construct(fleet());
            const after = await construct(fleet({ machines: [...MACHINES, added] }));
            assertOnlyMachineChanged(before, after, added);
            assert.deepEqual(named(after, "d-dcr").inputs, named(before, "d-dcr").inputs, "the fleet's data collection rule");
            assert.deepEqual(named(after, "d-plan").inputs, named(before, "d-plan").inputs, "the plan");
            assert.deepEqual(vmIds(after), [
                ...vmIds(before),
                `/subscriptions/${SUB}/resourceGroups/rg-new/providers/Microsoft.Compute/virtualMachines/lnx-vm-2`,
            ]);
        });

        it("removing an Arc machine from the middle: only its resources go; the tag policy's VM list stays", async () => {
            const removed = MACHINES[2];
            const before = await construct(fleet());
            const after = await construct(fleet({ machines: MACHINES.filter((m) => m !== removed) }));
            assertOnlyMachineChanged(after, before, removed);
            assert.deepEqual(vmIds(after), vmIds(before));
        });

        it("removing the first machine, an Azure VM: only its resources go, and it leaves the tag policy's VM list", async () => {
            const removed = MACHINES[0];
            const before = await construct(fleet());
            const after = await construct(fleet({ machines: MACHINES.slice(1) }));
            assertOnlyMachineChanged(after, before, removed);
            assert.deepEqual(
                vmIds(after),
                vmIds(before).filter((id) => !id.endsWith("/virtualMachines/win-vm")),
            );
        });

        it("with Private Link too: adding an Arc machine in the scope's region adds only its resources", async () => {
            const added: MachineSettings = { key: "lnx-arc-2", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "lnx-arc-2" };
            const base = privateFleet((text) => text);
            const before = await construct(base);
            const after = await construct({ ...base, machines: [...base.machines!, added] });
            const extra = names(after).filter((n) => !names(before).includes(n));
            // Through Azure Monitor Private Link each AMA machine also gets its endpoint association.
            assert.deepEqual(extra.sort(), [...resourcesOf(added), `d-ama-dce-${added.key}`].sort());
            for (const resource of before.resources) {
                assert.deepEqual(named(after, resource.name).inputs, resource.inputs, `${resource.name}: inputs changed`);
            }
        });
    });
});
