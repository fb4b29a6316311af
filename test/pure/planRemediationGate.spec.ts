/**
 * The MDE gate's reading of remediation tasks (sdk/plan/remediationGate.ts), on plain data.
 * States: a remediation's `provisioningState` is Evaluating, Canceled, Cancelling, Failed,
 * Complete or Succeeded, with `deploymentStatus` counting total, successful and failed
 * deployments (Azure/azure-rest-api-specs specification/policyinsights/resource-manager/
 * Microsoft.PolicyInsights/stable/2024-10-01/remediations.json). The failure budget (1 % of the
 * deployments, rounded down, unless the user sets a count) and the planning figures (30 minutes
 * of evaluation, 5 per wave of deployments, at most 24 h per `pulumi up`) are the design's,
 * stated in that file; every count below is worked out by hand.
 */
import { strict as assert } from "node:assert";
import {
    allowedFailures,
    DEFAULT_FAILURE_BUDGET,
    describeArithmetic,
    describeBudget,
    Excused,
    FailureBudget,
    gateDecision,
    listMachines,
    MAX_WAIT_MINUTES,
    progressLine,
    remediationArithmetic,
    remediationVerdict,
    TaskReading,
} from "../../sdk/plan/remediationGate";

const NOTHING_EXCUSED = { retried: [], excluded: [] };
const decide = (readings: TaskReading[], budget: FailureBudget, excused: Excused = NOTHING_EXCUSED) =>
    gateDecision(readings, budget, excused);

const task = (
    label: string,
    provisioningState: string | undefined,
    counts: [number, number, number] | undefined,
    failedMachines: string[] = [],
    retry?: boolean,
): TaskReading => ({
    label,
    state: {
        provisioningState,
        ...(counts === undefined
            ? {}
            : { deploymentStatus: { totalDeployments: counts[0], successfulDeployments: counts[1], failedDeployments: counts[2] } }),
    },
    failedMachines,
    ...(retry === undefined ? {} : { retry }),
});

describe("plan: remediation gate (sdk/plan/remediationGate.ts)", () => {
    describe("remediationVerdict: one task, no failure allowed", () => {
        const cases: Array<[string, Parameters<typeof remediationVerdict>[0], ReturnType<typeof remediationVerdict>]> = [
            ["no state at all", undefined, { kind: "failed", reason: "Azure reported no provisioningState for it" }],
            [
                "an empty provisioningState",
                { provisioningState: "" },
                { kind: "failed", reason: "Azure reported no provisioningState for it" },
            ],
            ["Succeeded with no counts", { provisioningState: "Succeeded" }, { kind: "done" }],
            [
                "Complete with every deployment succeeded",
                {
                    provisioningState: "Complete",
                    deploymentStatus: { totalDeployments: 3, successfulDeployments: 3, failedDeployments: 0 },
                },
                { kind: "done" },
            ],
            [
                "Succeeded with one failed deployment",
                {
                    provisioningState: "Succeeded",
                    deploymentStatus: { totalDeployments: 10, successfulDeployments: 9, failedDeployments: 1 },
                },
                { kind: "failed", reason: "9 of 10 deployments succeeded, 1 failed (state Succeeded)" },
            ],
            [
                "Failed although no deployment failed",
                { provisioningState: "Failed", deploymentStatus: { totalDeployments: 2, successfulDeployments: 2, failedDeployments: 0 } },
                { kind: "failed", reason: "ended Failed: 2 of 2 deployments succeeded, 0 failed" },
            ],
            [
                "Canceled",
                { provisioningState: "Canceled", deploymentStatus: {} },
                { kind: "failed", reason: "ended Canceled: 0 of 0 deployments succeeded, 0 failed" },
            ],
            [
                "Cancelling",
                { provisioningState: "Cancelling" },
                { kind: "failed", reason: "ended Cancelling: 0 of 0 deployments succeeded, 0 failed" },
            ],
            [
                "Evaluating, part done",
                { provisioningState: "Evaluating", deploymentStatus: { totalDeployments: 3, successfulDeployments: 1 } },
                { kind: "running", state: "Evaluating: 1 of 3 deployments succeeded, 0 failed" },
            ],
        ];
        for (const [name, state, expected] of cases) {
            it(name, () => assert.deepEqual(remediationVerdict(state), expected));
        }
    });

    it("allowedFailures: the larger of the count and the share, the share rounded down", () => {
        assert.deepEqual(DEFAULT_FAILURE_BUDGET, { count: 0, percent: 1 });
        const cases: Array<[number, { count: number; percent: number }, number]> = [
            [250, { count: 0, percent: 1 }, 2], // 2.5 rounded down
            [250, { count: 0, percent: 2 }, 5],
            [99, { count: 0, percent: 1 }, 0], // below 100 deployments every failure counts
            [1000, { count: 3, percent: 0 }, 3],
            [1000, { count: 3, percent: 1 }, 10],
            [100, { count: 20, percent: 1 }, 20],
        ];
        assert.deepEqual(
            cases.map(([total, budget]) => allowedFailures(total, budget)),
            cases.map(([, , allowed]) => allowed),
        );
    });

    it("describeBudget: what a person reads about the budget", () => {
        assert.equal(describeBudget({ count: 0, percent: 1 }), "1 % of deployments");
        assert.equal(describeBudget({ count: 5, percent: 0 }), "5 deployments");
        assert.equal(describeBudget({ count: 0, percent: 0 }), "none may fail");
        assert.equal(describeBudget({ count: 5, percent: 2 }), "the larger of 5 deployments and 2 % of deployments");
    });

    describe("gateDecision: every task together", () => {
        it("passes when every task finished and the failures stay within the budget; lists the failed machine in lower case", () => {
            const decision = decide(
                [
                    task("os-proxy-vm at /subscriptions/s", "Succeeded", [100, 99, 1], ["/SUBSCRIPTIONS/S/VM1"]),
                    task("os-proxy-arc at /subscriptions/s", "Complete", [100, 100, 0]),
                ],
                DEFAULT_FAILURE_BUDGET,
            );
            assert.deepEqual(decision, {
                kind: "passed",
                // 200 deployments: 1 % is 2.
                summary: "199 of 200 deployments succeeded, 1 failed (budget 2: 1 % of deployments)",
                failedMachines: ["/subscriptions/s/vm1"],
                total: 200,
                succeeded: 199,
                failed: 1,
            });
        });

        it("fails when more deployments failed than the budget allows, even while another task still runs", () => {
            const decision = decide(
                [task("a", "Succeeded", [50, 49, 1], ["m1"]), task("b", "Evaluating", [10, 2, 0])],
                DEFAULT_FAILURE_BUDGET,
            );
            assert.equal(decision.kind, "failed");
            assert.equal(decision.summary, "51 of 60 deployments succeeded, 1 failed (budget 0: 1 % of deployments)");
        });

        it("runs while any task is neither finished nor stopped, within budget", () => {
            const decision = decide([task("a", "Succeeded", [5, 5, 0]), task("b", "Evaluating", [5, 1, 0])], {
                count: 0,
                percent: 0,
            });
            assert.deepEqual(decision, {
                kind: "running",
                summary: "6 of 10 deployments succeeded, 0 failed (budget 0: none may fail)",
                failedMachines: [],
                total: 10,
                succeeded: 6,
                failed: 0,
            });
        });

        it("fails on a task with no provisioningState, naming every such task first", () => {
            const decision = decide(
                [task("a", undefined, undefined), task("b", "", [1, 0, 1], ["m"]), task("c", "Failed", [1, 1, 0])],
                DEFAULT_FAILURE_BUDGET,
            );
            assert.equal(decision.kind, "failed");
            assert.equal(decision.summary, "Azure reported no provisioningState for a, b");
        });

        it("fails on a stopped task, naming each with its state", () => {
            const decision = decide(
                [task("a", "Canceled", [2, 1, 0]), task("b", "Succeeded", [2, 2, 0]), task("c", "Cancelling", [0, 0, 0])],
                { count: 5, percent: 0 },
            );
            assert.equal(decision.kind, "failed");
            assert.equal(
                decision.summary,
                "a ended Canceled; c ended Cancelling: 3 of 4 deployments succeeded, 0 failed (budget 5: 5 deployments)",
            );
        });

        it("does not count an excluded machine's failure anywhere, nor a retried machine's in the first task, but does in its retry task (ids compared ignoring case)", () => {
            const first = task("first", "Succeeded", [10, 7, 3], ["/Sub/VM-Excluded", "/Sub/VM-Retried", "/Sub/VM-Other"]);
            const retry = task("retry", "Succeeded", [1, 0, 1], ["/sub/vm-retried"], true);
            const decision = decide(
                [first, retry],
                { count: 1, percent: 0 },
                { retried: ["/SUB/VM-RETRIED"], excluded: ["/SUB/VM-EXCLUDED"] },
            );
            assert.deepEqual(decision, {
                kind: "failed",
                // first: 10 - 2 excused = 8 deployments, 3 - 2 = 1 failed; retry: 1 deployment, 1 failed.
                summary: "7 of 9 deployments succeeded, 2 failed (budget 1: 1 deployments)",
                failedMachines: ["/sub/vm-other", "/sub/vm-retried"],
                total: 9,
                succeeded: 7,
                failed: 2,
            });
        });

        it("a machine that succeeds on retry no longer counts; the others are listed sorted", () => {
            const first = task("first", "Succeeded", [3, 0, 3], ["/sub/vm-z", "/sub/vm-retried", "/sub/vm-a"]);
            const retry = task("retry", "Succeeded", [1, 1, 0], [], true);
            const decision = decide([first, retry], { count: 5, percent: 0 }, { retried: ["/sub/vm-retried"], excluded: [] });
            assert.deepEqual([decision.total, decision.failed, decision.failedMachines], [3, 2, ["/sub/vm-a", "/sub/vm-z"]]);
        });

        it("an excluded machine is excused in a retry task too", () => {
            const decision = decide(
                [task("retry", "Succeeded", [1, 0, 1], ["/sub/vm-x"], true)],
                { count: 0, percent: 0 },
                { retried: [], excluded: ["/sub/vm-x"] },
            );
            assert.deepEqual([decision.kind, decision.failed, decision.total, decision.failedMachines], ["passed", 0, 0, []]);
        });

        it("never counts below zero when Azure lists more failed machines than it counts, and lists a machine once, sorted", () => {
            const decision = decide(
                [task("a", "Succeeded", [0, 0, 0], ["/sub/z", "/sub/x"]), task("b", "Complete", undefined, ["/sub/x"])],
                { count: 9, percent: 0 },
                { retried: [], excluded: ["/sub/z"] },
            );
            assert.deepEqual(decision, {
                kind: "passed",
                summary: "0 of 0 deployments succeeded, 0 failed (budget 9: 9 deployments)",
                failedMachines: ["/sub/x"],
                total: 0,
                succeeded: 0,
                failed: 0,
            });
        });

        it("with nothing excused, a failure on any machine counts", () => {
            const decision = decide([task("a", "Succeeded", [4, 3, 1], ["/sub/m"])], { count: 1, percent: 0 });
            assert.deepEqual([decision.kind, decision.total, decision.failed, decision.failedMachines], ["passed", 4, 1, ["/sub/m"]]);
            assert.equal(decide([task("a", "Succeeded", [4, 2, 2], ["/sub/m", "/sub/n"])], { count: 1, percent: 0 }).kind, "failed");
        });
    });

    it("progressLine: state, counts, what is still running, and the wait so far", () => {
        assert.equal(
            progressLine(task("os-proxy at /subscriptions/s", "Evaluating", [10, 4, 1]), 12, 90),
            "remediation os-proxy at /subscriptions/s: Evaluating, 4 succeeded, 1 failed, 5 running of 10; waited 12 of 90 min",
        );
        assert.equal(
            progressLine(task("t", undefined, undefined), 0, 60),
            "remediation t: unknown, 0 succeeded, 0 failed, 0 running of 0; waited 0 of 60 min",
        );
        // Counts that overshoot the total never show a negative number running.
        assert.equal(
            progressLine(task("t", "Succeeded", [1, 2, 0]), 1, 2),
            "remediation t: Succeeded, 2 succeeded, 0 failed, 0 running of 1; waited 1 of 2 min",
        );
    });

    it("listMachines: all up to the maximum (20 by default), then how many more and where the rest are", () => {
        const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i + 1}`);
        assert.equal(listMachines(ids(2), 2), "m1, m2");
        assert.equal(listMachines(ids(3), 2), "m1, m2 and 1 more (all in the output remediationGate.failedMachines)");
        assert.equal(listMachines(ids(20)), ids(20).join(", "));
        assert.equal(listMachines(ids(22)), `${ids(20).join(", ")} and 2 more (all in the output remediationGate.failedMachines)`);
    });

    describe("remediationArithmetic and describeArithmetic: what a fleet costs", () => {
        it("1,000 machines at 30 at a time: 34 waves, 200 minutes, one pulumi up", () => {
            const a = remediationArithmetic(1000, 30, 4);
            // ceil(1000 / 30) = 34 waves; 30 + 34 * 5 = 200 min; wait 1.5 * 200 = 300 min; 200 / 300 -> 1 run.
            assert.deepEqual(a, {
                machines: 1000,
                tasks: 4,
                parallelDeployments: 30,
                waves: 34,
                expectedMinutes: 200,
                waitMinutes: 300,
                runs: 1,
            });
            assert.equal(
                describeArithmetic(a),
                "1000 machines, 4 OS-proxy remediation task(s) at 30 parallel deployments: 34 waves of 5 min after 30 min of evaluation, about 200 min (3.3 h); one pulumi up waits for it",
            );
        });

        it("50,000 machines: the wait is capped at 24 h and takes several runs of pulumi up", () => {
            const a = remediationArithmetic(50000, 30, 2);
            // ceil(50000 / 30) = 1667 waves; 30 + 1667 * 5 = 8365 min; capped wait 1440; ceil(8365 / 1440) = 6 runs.
            assert.equal(MAX_WAIT_MINUTES, 1440);
            assert.deepEqual(a, {
                machines: 50000,
                tasks: 2,
                parallelDeployments: 30,
                waves: 1667,
                expectedMinutes: 8365,
                waitMinutes: 1440,
                runs: 6,
            });
            assert.equal(
                describeArithmetic(a),
                "50000 machines, 2 OS-proxy remediation task(s) at 30 parallel deployments: 1667 waves of 5 min after 30 min of evaluation, about 8365 min (139.4 h); one pulumi up waits 1440 min, so it takes about 6 runs of pulumi up, each resuming the same tasks",
            );
        });

        it("no machines counts as one; a wait the user sets is used as is, and 0 means no run waits", () => {
            // 1 machine: 1 wave, 35 min; default wait ceil(52.5) = 53.
            assert.deepEqual(remediationArithmetic(0, 30, 1), {
                machines: 1,
                tasks: 1,
                parallelDeployments: 30,
                waves: 1,
                expectedMinutes: 35,
                waitMinutes: 53,
                runs: 1,
            });
            // 200 min expected, 60 min a run: ceil(200 / 60) = 4 runs.
            assert.equal(remediationArithmetic(1000, 30, 4, 60).runs, 4);
            assert.equal(remediationArithmetic(1000, 30, 4, 0).runs, 0);
            assert.match(describeArithmetic(remediationArithmetic(1000, 30, 4, 0)), /; one pulumi up waits for it$/);
        });
    });
});
