/**
 * Policy mode against a deployed stack: the OS-proxy remediation tasks exist, so their ids are
 * known in a preview with `--state`, and nothing may then read Azure while `pulumi preview`
 * runs (`pulumi.runtime.isDryRun()`): a real preview would otherwise poll the tasks for up to
 * `rollout.waitForRemediationMinutes` and fail on a task that failed weeks ago (issue 24).
 *
 * The gate itself (sdk/plan/remediationGate.ts, sdk/resources/policyRollout.ts) belongs to the
 * policy-scale branch; this spec is the preview's hook for it.
 */
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { runProgram } from "../sdk/preview/engine";
import { buildReport } from "../sdk/preview/render";
import { parseState, PriorState } from "../sdk/preview/state";
import { GATE_TIMING } from "../sdk/resources/policyRollout";
import { exportOf } from "./fixtures/state/deploy";
import { WORKSPACE } from "./fleet";
import { MINIMAL } from "./harness";

const READ = "azure-native:policyinsights:getRemediationAtResource";
const PROJECT = "policy";
const STACK = "prod";

/** A policy-mode fleet: OS-proxy remediation tasks and the gate that waits for them. */
const ARGS: DefenderForServersNetworkRestrictedArgs = {
    ...MINIMAL,
    proxy: { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] },
    machines: [
        { key: "vm-1", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "vm-1", systemAssignedIdentity: true },
        { key: "arc-1", kind: "arc", os: "windows", resourceGroupName: "rg", name: "arc-1" },
    ],
    logs: { workspaceResourceId: WORKSPACE },
    rollout: { mode: "policy" },
};

const program = () => void new DefenderForServersNetworkRestricted("d", ARGS);

/** The stack after a `pulumi up` in which every task finished. */
async function deployedPolicyStack(): Promise<PriorState> {
    const run = await runProgram(program, {
        project: PROJECT,
        stack: STACK,
        invokeResults: {
            [READ]: {
                provisioningState: "Succeeded",
                deploymentStatus: { totalDeployments: 2, successfulDeployments: 2, failedDeployments: 0 },
            },
        },
    });
    assert.deepEqual(run.errors, []);
    return parseState(JSON.parse(JSON.stringify(exportOf(PROJECT, STACK, run))), "policy-state.json");
}

/** `pulumi preview` of that stack, offline as the CLI runs it. */
async function previewWithState(state: PriorState) {
    const started = Date.now();
    const run = await runProgram(program, { project: PROJECT, stack: STACK, preview: true, readsInPreview: "unknown", priorState: state });
    return { run, seconds: (Date.now() - started) / 1000 };
}

describe("policy mode previewed against its deployed stack (--state)", function () {
    this.timeout(120000);
    const saved = { ...GATE_TIMING };
    // Should the gate poll, let it give up in moments rather than an hour.
    beforeEach(() => Object.assign(GATE_TIMING, { minuteMs: 50, pollMs: 10 }));
    afterEach(() => Object.assign(GATE_TIMING, saved));

    it("knows the remediation tasks' ids from the state (what makes the gate's apply run in a preview)", async () => {
        const state = await deployedPolicyStack();
        const { run } = await previewWithState(state);
        const tasks = run.resources.filter(
            (r) =>
                r.type === "azure-native:policyinsights:RemediationAtResource" ||
                r.type.startsWith("azure-native:policyinsights:Remediation"),
        );
        assert.ok(tasks.length > 0, "policy mode made no remediation task");
        for (const task of tasks) assert.ok(run.prior!.matched.get(task.urn)?.old?.id, `${task.name} has no deployed id`);
        const report = buildReport(PROJECT, STACK, run, []);
        assert.deepEqual(
            report.resources.filter((r) => r.type.startsWith("azure-native:policyinsights:")).map((r) => r.op),
            tasks.map(() => "same"),
        );
    });

    // Failed before the gate checked isDryRun(): it polled getRemediationAtResource whenever the
    // tasks' ids were known, so a preview of a deployed policy-mode stack blocked on Azure.
    it("reads nothing from Azure while isDryRun(), in seconds", async () => {
        const state = await deployedPolicyStack();
        const { run, seconds } = await previewWithState(state);
        assert.deepEqual(
            run.invokes.filter((i) => i.token === READ),
            [],
            "the gate read the remediation tasks during a preview",
        );
        assert.deepEqual(run.errors, []);
        assert.ok(seconds < 10, `${seconds} s`);
    });
});
