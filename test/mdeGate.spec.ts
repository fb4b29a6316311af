/**
 * The seed's core promise: nothing that can switch MDE on (the MDE settings, the plan, which
 * integrates MDE by default, a machine-level P1 plan) happens before every proxy is in place.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, ValidationError } from "../sdk";
import { GATE_TIMING } from "../sdk/resources/policyRollout";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { mixedFleet } from "./fleet";
import { construct, inputs, MINIMAL, MODES, named, SUBSCRIPTION, waitsFor, waitsTransitivelyFor } from "./harness";

const PROXY_COMMANDS = [
    "d-arc-agent-proxy-lnx-arc",
    "d-arc-agent-proxy-win-arc",
    "d-os-proxy-lnx-arc",
    "d-os-proxy-lnx-vm",
    "d-os-proxy-verify-lnx-vm",
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
            for (const kind of [
                "azure-native:authorization:PolicyAssignment",
                "azure-native:authorization:RoleAssignment",
                "azure-native:policyinsights:Remediation",
            ]) {
                assert.ok(
                    kinds.some((k) => k.startsWith(kind)),
                    `the MDE settings do not wait for any ${kind}`,
                );
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
            assert.deepEqual(waitsFor(run, p1), ["d-mde-integration", "d-os-proxy-lnx-vm", "d-os-proxy-verify-lnx-vm"]);
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
        for (const command of [
            "east-os-proxy-m-east",
            "east-arc-agent-proxy-m-east",
            "west-os-proxy-m-west",
            "west-arc-agent-proxy-m-west",
        ]) {
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

// ---------------------------------------------------------------------------------------------
// Policy mode's MDE gate, against the Azure it reads: what it asks, what it decides, what it says.
// ---------------------------------------------------------------------------------------------

const GET = "azure-native:policyinsights:getRemediationAtResource";
const LIST = "azure-native:policyinsights:listRemediationDeploymentsAtResource";
const VM = (n: number) => `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm-${n}`;
const ARC = (n: number) => `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg/providers/microsoft.hybridcompute/machines/arc-${n}`;

function policyArgs(rollout: Record<string, unknown> = {}): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        proxy: { address: "http://proxy.corp.example:3128" },
        machines: [
            { key: "vm", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "vm-1" },
            { key: "arc", kind: "arc", os: "windows", resourceGroupName: "rg", name: "arc-1" },
        ],
        rollout: { mode: "policy", ...rollout },
    };
}

interface AzureRun {
    /** Every resource as registered: type, logical name, inputs. */
    resources: Array<{ type: string; name: string; inputs: Record<string, any> }>;
    /** Every read of Azure, in order. */
    calls: Array<{ token: string; inputs: Record<string, any> }>;
    errors: string[];
    warnings: string[];
    /** `pulumi.log.info` calls: message and whether they were ephemeral. */
    infos: Array<{ message: string; ephemeral: boolean | undefined }>;
    /** The component's `remediationGate` output. */
    gate: unknown;
}

/**
 * Runs the component under Pulumi's own mocks as a stack that already exists: every resource has
 * its id, in `pulumi preview` (dryRun) or in `pulumi up`, and `azure` answers each read.
 */
async function againstAzure(
    args: DefenderForServersNetworkRestrictedArgs,
    azure: (token: string, inputs: Record<string, any>) => Record<string, unknown>,
    dryRun: boolean,
): Promise<AzureRun> {
    const run: AzureRun = { resources: [], calls: [], errors: [], warnings: [], infos: [], gate: undefined };
    await pulumi.runtime.setMocks(
        {
            newResource: (a: pulumi.runtime.MockResourceArgs) => {
                run.resources.push({ type: a.type, name: a.name, inputs: a.inputs });
                return { id: `/existing/${a.name}`, state: a.inputs };
            },
            call: (a: pulumi.runtime.MockCallArgs) => {
                run.calls.push({ token: a.token, inputs: a.inputs });
                return azure(a.token, a.inputs);
            },
        },
        "project",
        "stack",
        dryRun,
    );
    const log = pulumi.log as { info: typeof pulumi.log.info; warn: typeof pulumi.log.warn };
    const { info, warn } = log;
    log.info = async (message: string, _resource?: pulumi.Resource, _stream?: number, ephemeral?: boolean) => {
        run.infos.push({ message, ephemeral });
    };
    log.warn = async (message: string) => {
        run.warnings.push(message);
    };
    const onRejection = (reason: unknown) => {
        const message = reason instanceof Error ? reason.message : String(reason);
        if (!run.errors.includes(message)) run.errors.push(message);
    };
    process.on("unhandledRejection", onRejection);
    try {
        const component = new DefenderForServersNetworkRestricted("d", args);
        // Not awaited: in a preview the verdict is unknown and the callback never runs.
        component.remediationGate.apply((value) => {
            run.gate = value;
        });
        await pulumi.runtime.disconnect().catch(onRejection);
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        log.info = info;
        log.warn = warn;
        process.off("unhandledRejection", onRejection);
    }
    return run;
}

/** An Azure whose tasks all answer `state`, and whose deployment lists hold `failed` machines. */
const azureWith =
    (state: Record<string, unknown>, failed: string[] = []) =>
    (token: string): Record<string, unknown> => {
        if (token === GET) return state;
        if (token === LIST)
            return { value: failed.map((id) => ({ remediatedResourceId: id, status: "Failed", error: { code: "VMNotRunning" } })) };
        return {};
    };

const finished = (total: number, failed: number) => ({
    provisioningState: "Succeeded",
    deploymentStatus: { totalDeployments: total, successfulDeployments: total - failed, failedDeployments: failed },
});

/** Resolves when the gate's registration has settled; the gate waits on the task ids, so give it time. */
const timing = { ...GATE_TIMING };

describe("policy mode's MDE gate: a preview reads nothing from Azure", () => {
    it("with every id known (a stack that exists), pulumi preview makes no Azure read and the gate's verdict stays unknown", async () => {
        const run = await againstAzure(policyArgs(), azureWith(finished(10, 10)), true);
        assert.deepEqual(run.errors, []);
        const reads = run.calls.filter((c) => c.token.startsWith("azure-native:policyinsights:"));
        assert.deepEqual(reads, [], "the gate polled Azure during a preview");
        const gate = run.resources.find((r) => r.name === "d-policy-remediation-gate");
        assert.ok(gate !== undefined, "the gate is still declared in a preview");
        // Pulumi's mocks hand unknown inputs over as `pulumi.unknown`: the preview computed no verdict.
        assert.ok(pulumi.isUnknown(gate.inputs.keepers.verdict), `a preview computed a verdict: ${JSON.stringify(gate.inputs)}`);
        assert.ok(pulumi.isUnknown(gate.inputs.keepers.failedMachines));
        assert.equal(run.gate, undefined);
    });

    it("the same stack in pulumi up reads each OS-proxy task and records the verdict in the gate's keepers", async () => {
        const run = await againstAzure(policyArgs(), azureWith(finished(10, 0)), false);
        assert.deepEqual(run.errors, []);
        const reads = run.calls.filter((c) => c.token === GET);
        assert.deepEqual(reads.map((c) => c.inputs.remediationName.replace(/-[0-9a-f]{8}-[0-9a-f]{8}$/, "")).sort(), [
            "dfs-os-proxy-arc-linux",
            "dfs-os-proxy-arc-windows",
            "dfs-os-proxy-vm-linux",
            "dfs-os-proxy-vm-windows",
        ]);
        for (const read of reads) assert.equal(read.inputs.resourceId, `/subscriptions/${SUBSCRIPTION}`);
        const gate = run.resources.find((r) => r.name === "d-policy-remediation-gate")!;
        assert.equal(gate.inputs.keepers.verdict, "passed: 40 of 40 deployments succeeded, 0 failed (budget 0: 1 % of deployments)");
        assert.deepEqual(run.gate, {
            status: "passed",
            summary: "40 of 40 deployments succeeded, 0 failed (budget 0: 1 % of deployments)",
            failedMachines: [],
        });
    });
});

describe("policy mode's MDE gate: a failure budget for fleets", () => {
    afterEach(() => Object.assign(GATE_TIMING, timing));

    it("10,000 deployments per task with 80 failed (0.8 %) pass, and the failed machines are in the output", async () => {
        const failed = Array.from({ length: 80 }, (_, i) => VM(i));
        const run = await againstAzure(policyArgs(), azureWith(finished(10_000, 80), failed), false);
        assert.deepEqual(run.errors, []);
        const gate = run.gate as { status: string; summary: string; failedMachines: string[] };
        assert.equal(gate.status, "passed");
        // 4 tasks of 10,000: 320 failed, within 1 % of 40,000 = 400.
        assert.equal(gate.summary, "39680 of 40000 deployments succeeded, 320 failed (budget 400: 1 % of deployments)");
        assert.deepEqual(gate.failedMachines, [...failed].sort());
        // The list is read only for tasks that had failures, with the task's own name and scope.
        const lists = run.calls.filter((c) => c.token === LIST);
        assert.equal(lists.length, 4);
        assert.equal(lists[0].inputs.top, 10_000);
    });

    it("150 failed of 10,000 per task (1.5 %) fail the gate, naming the machines and the ways on", async () => {
        const failed = Array.from({ length: 150 }, (_, i) => ARC(i));
        const run = await againstAzure(policyArgs(), azureWith(finished(10_000, 150), failed), false);
        assert.equal(run.errors.length, 1, run.errors.join("\n"));
        const error = run.errors[0];
        assert.match(error, /not switching on MDE: .*39400 of 40000 deployments succeeded, 600 failed \(budget 400: 1 % of deployments\)/);
        const sorted = [...failed].sort();
        assert.ok(error.includes(`Machines whose OS-proxy deployment failed: ${sorted.slice(0, 20).join(", ")} and 130 more`), error);
        assert.match(error, /rollout\.retryMachineIds.*rollout\.excludedMachineIds.*rollout\.failureBudget.*docs\/policy-mode\.md/);
    });

    it("a small fleet has no slack by default: one failed deployment of 4 fails the gate", async () => {
        const run = await againstAzure(policyArgs(), azureWith(finished(1, 1), [VM(1)]), false);
        assert.match(
            run.errors.join("\n"),
            /3 of 4 deployments succeeded, 4 failed \(budget 0: 1 % of deployments\)|0 of 4 deployments succeeded, 4 failed/,
        );
    });

    it("a count budget lets that many through whatever the fleet's size", async () => {
        const run = await againstAzure(policyArgs({ failureBudget: { count: 4 } }), azureWith(finished(1, 1), [VM(1)]), false);
        assert.deepEqual(run.errors, []);
        assert.equal((run.gate as { summary: string }).summary, "0 of 4 deployments succeeded, 4 failed (budget 4: 4 deployments)");
    });

    it("a task Azure stopped fails the gate whatever the budget", async () => {
        const run = await againstAzure(
            policyArgs({ failureBudget: { count: 100 } }),
            azureWith({
                provisioningState: "Failed",
                deploymentStatus: { totalDeployments: 3, successfulDeployments: 3, failedDeployments: 0 },
            }),
            false,
        );
        assert.match(run.errors.join("\n"), /ended Failed/);
    });

    it("each task carries Azure's own failure threshold from the budget's share (a count-only budget sets none)", async () => {
        const share = await againstAzure(policyArgs(), azureWith(finished(1, 0)), false);
        const tasks = share.resources.filter((r) => r.type === "azure-native:policyinsights:RemediationAtSubscription");
        assert.ok(tasks.length >= 4);
        for (const task of tasks) assert.deepEqual(task.inputs.failureThreshold, { percentage: 0.01 });
        const count = await againstAzure(policyArgs({ failureBudget: { count: 3 } }), azureWith(finished(1, 0)), false);
        for (const task of count.resources.filter((r) => r.type === "azure-native:policyinsights:RemediationAtSubscription")) {
            assert.equal(task.inputs.failureThreshold, undefined);
        }
    });
});

describe("policy mode's MDE gate: retrying and excluding the failed machines", () => {
    it("retryMachineIds: one ExistingNonCompliant task per OS-proxy policy of the machine's type, filtered to those machines", async () => {
        const retry = [VM(1), ARC(1)];
        const run = await againstAzure(policyArgs({ retryMachineIds: retry }), azureWith(finished(1, 0)), false);
        assert.deepEqual(run.errors, []);
        const retries = run.resources.filter((r) => r.inputs.resourceDiscoveryMode === "ExistingNonCompliant");
        const byPolicy = Object.fromEntries(retries.map((r) => [r.inputs.policyDefinitionReferenceId, r.inputs.filters.resourceIds]));
        assert.deepEqual(byPolicy, {
            "os-proxy-vm-windows": [VM(1)],
            "os-proxy-vm-linux": [VM(1)],
            "os-proxy-arc-windows": [ARC(1)],
            "os-proxy-arc-linux": [ARC(1)],
        });
        // The gate reads the retry tasks too.
        const read = new Set(run.calls.filter((c) => c.token === GET).map((c) => c.inputs.remediationName));
        for (const task of retries) assert.ok(read.has(task.inputs.remediationName), `${task.inputs.remediationName} is not polled`);
    });

    it("a failure in the first task on a retried machine no longer counts; the retry task's own result does", async () => {
        const retry = [VM(1)];
        // First tasks: 1 of 1 failed on vm-1; retry tasks (ExistingNonCompliant) succeed.
        const azure = (token: string, inputs: Record<string, any>) => {
            const isRetry = /-retry0-/.test(inputs.remediationName ?? "");
            if (token === GET) return isRetry ? finished(1, 0) : finished(1, 1);
            if (token === LIST) return { value: [{ remediatedResourceId: VM(1), status: "Failed" }] };
            return {};
        };
        const passed = await againstAzure(policyArgs({ retryMachineIds: retry }), azure, false);
        assert.deepEqual(passed.errors, []);
        assert.equal((passed.gate as { status: string }).status, "passed");
        // Without the retry the same Azure fails the gate.
        const failed = await againstAzure(policyArgs(), azure, false);
        assert.match(failed.errors.join("\n"), /not switching on MDE/);
    });

    it("a retry that fails again still counts", async () => {
        const azure = (token: string) =>
            token === GET ? finished(1, 1) : token === LIST ? { value: [{ remediatedResourceId: VM(1), status: "Failed" }] } : {};
        const run = await againstAzure(policyArgs({ retryMachineIds: [VM(1)] }), azure, false);
        assert.match(run.errors.join("\n"), /not switching on MDE: .*failed.*Machines whose OS-proxy deployment failed: .*vm-1/);
    });

    it("more than 100 retried machines go in tasks of 100 (Azure's limit on filters.resourceIds)", async () => {
        const retry = Array.from({ length: 250 }, (_, i) => VM(i));
        const run = await againstAzure(policyArgs({ retryMachineIds: retry }), azureWith(finished(1, 0)), false);
        const sizes = run.resources
            .filter((r) => r.inputs.policyDefinitionReferenceId === "os-proxy-vm-linux" && r.inputs.filters !== undefined)
            .map((r) => r.inputs.filters.resourceIds.length);
        assert.deepEqual(sizes.sort(), [100, 100, 50].sort());
    });

    it("excludedMachineIds: the assignment's notScopes, and their failures do not count", async () => {
        const azure = azureWith(finished(1, 1), [ARC(7)]);
        const run = await againstAzure(policyArgs({ excludedMachineIds: [ARC(7)] }), azure, false);
        assert.deepEqual(run.errors, []);
        const assignment = run.resources.find((r) => r.type === "azure-native:authorization:PolicyAssignment")!;
        assert.deepEqual(assignment.inputs.notScopes, [ARC(7)]);
    });

    it("refuses retried machines outside the scope, in both lists, without remediation, or not machine ids", () => {
        const problems = (rollout: Record<string, unknown>) => {
            try {
                new DefenderForServersNetworkRestricted("v", policyArgs(rollout));
                return [];
            } catch (err) {
                return (err as ValidationError).problems.map((p) => `${p.path}: ${p.message}`);
            }
        };
        const elsewhere = VM(1).replace(SUBSCRIPTION, "99999999-2222-3333-4444-555555555555");
        assert.deepEqual(problems({ retryMachineIds: [elsewhere] }), [
            `rollout.retryMachineIds[0]: ${elsewhere} is outside rollout.scope /subscriptions/${SUBSCRIPTION}, where the retry tasks run`,
        ]);
        assert.deepEqual(problems({ retryMachineIds: [VM(1)], excludedMachineIds: [VM(1)] }), [
            `rollout.retryMachineIds: ${VM(1)} also in rollout.excludedMachineIds: an excluded machine is not remediated; keep it in one list`,
        ]);
        assert.deepEqual(problems({ retryMachineIds: [VM(1)], remediate: false, waitForRemediationMinutes: 0 }), [
            "rollout.retryMachineIds: needs rollout.remediate: true; a retry is a remediation task",
        ]);
        assert.match(
            problems({ retryMachineIds: ["vm-1"] }).join("\n"),
            /rollout\.retryMachineIds\[0\]: "vm-1" is not a machine resource id/,
        );
    });
});

describe("policy mode's MDE gate: waiting as long as the fleet needs, over several runs", () => {
    afterEach(() => Object.assign(GATE_TIMING, timing));

    it("shows progress while it waits: one ephemeral line per task with succeeded, failed and running counts", async () => {
        GATE_TIMING.pollMs = 5;
        let reads = 0;
        const azure = (token: string) => {
            if (token !== GET) return {};
            reads++;
            return reads <= 4
                ? {
                      provisioningState: "Evaluating",
                      deploymentStatus: { totalDeployments: 100, successfulDeployments: 40, failedDeployments: 0 },
                  }
                : finished(100, 0);
        };
        const run = await againstAzure(policyArgs(), azure, false);
        assert.deepEqual(run.errors, []);
        const progress = run.infos.filter((i) => i.message.startsWith("remediation "));
        assert.equal(progress.length, 4, run.infos.map((i) => i.message).join("\n"));
        for (const line of progress) {
            assert.equal(line.ephemeral, true);
            assert.match(
                line.message,
                /^remediation dfs-os-proxy-[a-z-]+-[0-9a-f]{8}-[0-9a-f]{8} at \/subscriptions\/[0-9a-f-]+: Evaluating, 40 succeeded, 0 failed, 60 running of 100; waited 0 of \d+ min$/,
            );
        }
    });

    it("two runs of pulumi up: the first stops at its wait saying to run again, the second resumes the same tasks and passes", async () => {
        GATE_TIMING.pollMs = 5;
        GATE_TIMING.minuteMs = 10;
        const args = policyArgs({ waitForRemediationMinutes: 1 });
        const first = await againstAzure(
            args,
            azureWith({
                provisioningState: "Evaluating",
                deploymentStatus: { totalDeployments: 10_000, successfulDeployments: 3_000, failedDeployments: 0 },
            }),
            false,
        );
        assert.equal(first.errors.length, 1);
        assert.match(
            first.errors[0],
            /not switching on MDE yet: after 1 minutes the OS-proxy remediation is still running \(12000 of 40000 deployments succeeded, 0 failed.*Run pulumi up again: it resumes waiting for the same tasks/,
        );
        const second = await againstAzure(args, azureWith(finished(10_000, 0)), false);
        assert.deepEqual(second.errors, []);
        const tasks = (run: AzureRun) =>
            run.resources
                .filter((r) => r.type.startsWith("azure-native:policyinsights:Remediation"))
                .map((r) => `${r.name}=${r.inputs.remediationName}`);
        assert.deepEqual(tasks(second), tasks(first), "the second run must not create new tasks");
    });

    it("the default wait is measured against the fleet: 10,000 machines at 30 parallel deployments wait 24 h per run, two runs", async () => {
        // 10,000 / 30 = 333.3, so 334 waves of 5 min after 30 min of evaluation: 1,700 min; 1.5 times that is past the 24 h cap.
        const run = await againstAzure(policyArgs({ fleetSize: 10_000 }), azureWith(finished(1, 0)), false);
        assert.deepEqual(run.errors, []);
        assert.deepEqual(
            run.warnings.filter((w) => w.startsWith("rollout: remediation arithmetic")),
            [
                "rollout: remediation arithmetic: 10000 machines, 4 OS-proxy remediation task(s) at 30 parallel deployments: 334 waves of 5 min after 30 min of evaluation, about 1700 min (28.3 h); one pulumi up waits 1440 min, so it takes about 2 runs of pulumi up, each resuming the same tasks",
            ],
        );
        // A small fleet's wait: 2 machines, 1 wave: (30 + 5) * 1.5 = 52.5, so 53 min, in one run and no warning.
        const small = await againstAzure(policyArgs(), azureWith(finished(1, 0)), false);
        assert.deepEqual(
            small.warnings.filter((w) => w.startsWith("rollout: remediation arithmetic")),
            [],
        );
        assert.ok(
            small.infos.some(
                (i) =>
                    i.message.includes("2 machines, 4 OS-proxy remediation task(s) at 30 parallel deployments: 1 waves") &&
                    i.message.includes("one pulumi up waits for it"),
            ),
        );
    });
});

describe("policy mode without remediation", () => {
    it("remediate: false warns that MDE is switched on right after the assignment, unless waitForRemediationMinutes is 0", async () => {
        const warned = await runProgram(() => void new DefenderForServersNetworkRestricted("d", policyArgs({ remediate: false })));
        assert.ok(
            warned.warnings.some(
                (w) => w.startsWith("rollout.remediate: is false: no remediation task runs") && w.includes("waitForRemediationMinutes: 0"),
            ),
            warned.warnings.join("\n"),
        );
        const acknowledged = await runProgram(
            () => void new DefenderForServersNetworkRestricted("d", policyArgs({ remediate: false, waitForRemediationMinutes: 0 })),
        );
        assert.ok(!acknowledged.warnings.some((w) => w.startsWith("rollout.remediate")));
    });
});
