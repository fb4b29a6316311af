/**
 * The seed's core promise: nothing that can switch MDE on (the MDE settings, the plan, which
 * integrates MDE by default, a machine-level P1 plan) happens before every proxy is in place.
 */
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { mixedFleet } from "./fleet";
import { construct, inputs, MINIMAL, MODES, named, SUBSCRIPTION, waitsFor, waitsTransitivelyFor } from "./harness";

const PROXY_COMMANDS = [
    "d-arc-agent-proxy-lnx-arc",
    "d-arc-agent-proxy-win-arc",
    "d-os-proxy-lnx-arc",
    "d-os-proxy-lnx-vm",
    "d-os-proxy-win-arc",
    "d-os-proxy-win-vm",
];

function assertWaitsForAll(run: RunResult, switchName: string, prerequisites: string[]): void {
    const waited = waitsTransitivelyFor(run, named(run, switchName));
    const missing = prerequisites.filter((p) => !waited.has(p));
    assert.deepEqual(missing, [], `${switchName} does not wait for ${missing.join(", ")}`);
}

for (const mode of MODES) {
    describe(`MDE waits for every proxy, ${mode.label}`, () => {
        it("per-machine mode: the MDE settings and the plan wait for every Windows VM, Linux VM and Arc proxy run command", async () => {
            const run = await construct(mixedFleet(), mode.preview);
            assertWaitsForAll(run, "d-mde-integration", PROXY_COMMANDS);
            assertWaitsForAll(run, "d-plan", [...PROXY_COMMANDS, "d-mde-integration"]);
        });

        it("policy mode: the plan waits for the assignment, its roles and the remediations that set the proxies", async () => {
            const run = await construct(
                { ...mixedFleet({ logs: undefined }), proxy: { address: "http://proxy.corp.example:3128" }, rollout: { mode: "policy" } },
                mode.preview,
            );
            const gate = waitsTransitivelyFor(run, named(run, "d-mde-integration"));
            const kinds = [...gate].map((n) => named(run, n).type);
            for (const kind of ["azure-native:authorization:PolicyAssignment", "azure-native:authorization:RoleAssignment", "azure-native:policyinsights:Remediation"]) {
                assert.ok(kinds.some((k) => k.startsWith(kind)), `the MDE settings do not wait for any ${kind}`);
            }
            assertWaitsForAll(run, "d-plan", ["d-mde-integration", ...gate]);
        });

        it("a machine-level P1 plan waits for that machine's proxies and the MDE settings; a Free one comes before the subscription's plan", async () => {
            const args = mixedFleet({ plan: { subPlan: "P1" } });
            args.machines![1] = { ...args.machines![1], defenderPlan: "P1" };
            args.machines![3] = { ...args.machines![3], defenderPlan: "Free" };
            const run = await construct(args, mode.preview);
            const p1 = named(run, "d-plan-lnx-vm");
            assert.deepEqual(inputs(p1), {
                scopeId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/lnx-vm`,
                pricingName: "VirtualMachines",
                pricingTier: "Standard",
                subPlan: "P1",
            });
            assert.deepEqual(waitsFor(run, p1), ["d-mde-integration", "d-os-proxy-lnx-vm"]);
            assert.equal(p1.retainOnDelete, true);
            const free = named(run, "d-plan-lnx-arc");
            assert.deepEqual(inputs(free), {
                scopeId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/lnx-arc`,
                pricingName: "VirtualMachines",
                pricingTier: "Free",
            });
            assert.deepEqual(waitsFor(run, named(run, "d-plan")), ["d-mde-integration", "d-plan-lnx-arc"]);
            assert.equal(free.retainOnDelete, false, "deleting the component gives the machine back to the subscription's plan");
        });
    });
}

describe("an Arc proxy script that failed", () => {
    it("fails the MDE settings' registration, and the plan is never created", async () => {
        const failed = { instanceView: { executionState: "Failed", exitCode: 3 } };
        const run = await runProgram(() => new DefenderForServersNetworkRestricted("d", mixedFleet()), {
            resourceOutputs: { "d-arc-agent-proxy-lnx-arc": failed },
        });
        assert.match(run.errors.join("\n"), /not switching on MDE integration: d-arc-agent-proxy-lnx-arc ended Failed \(exit code 3\)/);
        assert.ok(!run.resources.some((r) => r.name === "d-plan"), "the plan was registered over a broken Arc proxy");
    });
});

describe("several instances on one subscription", () => {
    const regional = (key: string): DefenderForServersNetworkRestrictedArgs => ({
        ...MINIMAL,
        ownsSubscriptionSettings: false,
        proxy: { address: "http://proxy.corp.example:3128" },
        machines: [{ key, kind: "arc", os: "linux", resourceGroupName: "rg", name: key }],
    });

    it("the owner, declared last with the others in dependsOn, makes MDE wait for their proxies too", async () => {
        const run = await runProgram(() => {
            const east = new DefenderForServersNetworkRestricted("east", regional("m-east"));
            const west = new DefenderForServersNetworkRestricted("west", regional("m-west"));
            new DefenderForServersNetworkRestricted("owner", MINIMAL, { dependsOn: [east, west] });
        });
        assert.deepEqual(run.errors, []);
        const plans = run.resources.filter((r) => r.type === "azure-native:security:Pricing").map((r) => r.name);
        assert.deepEqual(plans, ["owner-plan"], "only the owner writes the plan");
        const settings = run.resources.filter((r) => r.type === "azure-native:resources:DeploymentAtSubscriptionScope").map((r) => r.name);
        assert.deepEqual(settings, ["owner-mde-integration"]);
        const names = new Map(run.resources.map((r) => [r.urn, r.name]));
        const gate = named(run, "owner-mde-integration").dependencies.map((u) => names.get(u));
        for (const command of ["east-os-proxy-m-east", "east-arc-agent-proxy-m-east", "west-os-proxy-m-west", "west-arc-agent-proxy-m-west"]) {
            assert.ok(gate.includes(command), `owner-mde-integration does not wait for ${command}`);
        }
    });

    it("refuses a second owner, naming the first and the fix", async () => {
        await assert.rejects(
            runProgram(() => {
                new DefenderForServersNetworkRestricted("a", MINIMAL);
                new DefenderForServersNetworkRestricted("b", MINIMAL);
            }),
            /ownsSubscriptionSettings: "a" already owns the plan and MDE settings of subscription .*set ownsSubscriptionSettings: false on "b"/,
        );
    });

    it("refuses an owner that does not wait for an instance that prepares machines there", async () => {
        await assert.rejects(
            runProgram(() => {
                new DefenderForServersNetworkRestricted("east", regional("m-east"));
                new DefenderForServersNetworkRestricted("owner", MINIMAL);
            }),
            /dependsOn: "owner" owns subscription .* but does not wait for "east"/,
        );
    });

    it("refuses an instance that prepares machines declared after the owner", async () => {
        await assert.rejects(
            runProgram(() => {
                new DefenderForServersNetworkRestricted("owner", MINIMAL);
                new DefenderForServersNetworkRestricted("late", regional("m-late"));
            }),
            /"late" only prepares machines, but "owner" already owns subscription .*declare "late" before "owner"/,
        );
    });

    it("an instance on another subscription is independent", async () => {
        const other = "99999999-2222-3333-4444-555555555555";
        const run = await runProgram(() => {
            new DefenderForServersNetworkRestricted("a", MINIMAL);
            new DefenderForServersNetworkRestricted("b", { ...MINIMAL, subscriptionId: other });
        });
        assert.deepEqual(run.errors, []);
        assert.deepEqual(
            run.resources.filter((r) => r.type === "azure-native:security:Pricing").map((r) => inputs(r).scopeId),
            [`/subscriptions/${SUBSCRIPTION}`, `/subscriptions/${other}`],
        );
    });

    it("a preparer alone writes nothing at subscription level and says so in its outputs", async () => {
        const run = await runProgram(() => {
            const c = new DefenderForServersNetworkRestricted("east", regional("m-east"));
            return { pricingId: c.pricingId, mde: c.mdeIntegrationEnabled };
        });
        assert.ok(!run.resources.some((r) => r.type === "azure-native:security:Pricing"));
        assert.equal(run.outputs.mde, false);
        assert.ok(!("pricingId" in run.outputs), `a preparer has no pricing id, got ${JSON.stringify(run.outputs)}`);
    });
});
