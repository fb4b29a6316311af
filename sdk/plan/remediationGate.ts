/**
 * What the remediation tasks' states mean for the MDE gate, and how long a fleet takes.
 *
 * Creating a remediation does not wait for its deployments: `Remediations - Create Or Update`
 * answers 200/201 with the task accepted and is no long-running operation
 * (learn.microsoft.com/rest/api/policy/remediations/create-or-update-at-subscription, REST
 * 2024-10-01; the generated SDKs call it synchronously, Azure/azure-rest-api-specs-examples
 * policyinsights Remediations_CreateSubscriptionScope.*). So a `dependsOn` on the task waits
 * only for the task to exist. The gate polls the task instead and reads `provisioningState`
 * (Evaluating, Canceled, Cancelling, Failed, Complete or Succeeded) and `deploymentStatus`
 * (total, successful and failed deployments), then lists the failed deployments' machines
 * (`RemediationDeployment.remediatedResourceId`, `status`, `error`): Azure/azure-rest-api-specs
 * specification/policyinsights/resource-manager/Microsoft.PolicyInsights/stable/2024-10-01/remediations.json.
 */

/** The parts of a remediation the gate reads (REST `Remediation.properties`). */
export interface RemediationState {
    provisioningState?: string;
    deploymentStatus?: { totalDeployments?: number; successfulDeployments?: number; failedDeployments?: number };
}

/** The gate's reading of one task: finished cleanly, still going, or failed (with why). */
export type RemediationVerdict = { kind: "done" } | { kind: "running"; state: string } | { kind: "failed"; reason: string };

const FINISHED = ["Succeeded", "Complete"];
const STOPPED = ["Failed", "Canceled", "Cancelling"];

/** Reads a task's state with no failure allowed (kept for callers that want the strict reading). */
export function remediationVerdict(state: RemediationState | undefined): RemediationVerdict {
    const provisioning = state?.provisioningState;
    if (provisioning === undefined || provisioning === "") {
        return { kind: "failed", reason: "Azure reported no provisioningState for it" };
    }
    // Stryker disable next-line OptionalChaining: state is defined here (an undefined state has no provisioningState and returned above)
    const status = state?.deploymentStatus ?? {};
    const failed = status.failedDeployments ?? 0;
    const counts = `${status.successfulDeployments ?? 0} of ${status.totalDeployments ?? 0} deployments succeeded, ${failed} failed`;
    if (failed > 0) return { kind: "failed", reason: `${counts} (state ${provisioning})` };
    if (STOPPED.includes(provisioning)) return { kind: "failed", reason: `ended ${provisioning}: ${counts}` };
    if (FINISHED.includes(provisioning)) return { kind: "done" };
    return { kind: "running", state: `${provisioning}: ${counts}` };
}

/**
 * How many failed deployments the gate accepts before it refuses to switch MDE on.
 *
 * Default: 1 % of the deployments, rounded down, and no fixed count. Why: a defect that matters
 * (a wrong proxy address, a broken script, a missing role) fails nearly every deployment, far
 * above 1 %, so the gate still stops it; what fails on its own at fleet scale (a deallocated VM,
 * a disconnected Arc server) is a small share that would otherwise block every `pulumi up`
 * forever. Below 100 deployments 1 % rounds to 0: in a small fleet every failure counts, since
 * one machine there is not noise. The machines that failed are listed in the error and in the
 * gate's output whatever the budget, so none is silently left behind.
 */
export interface FailureBudget {
    /** Failed deployments accepted whatever the fleet's size. */
    count: number;
    /** Share of all deployments (0-100) that may fail, rounded down. */
    percent: number;
}

/** The budget when `rollout.failureBudget` says nothing. */
export const DEFAULT_FAILURE_BUDGET: FailureBudget = { count: 0, percent: 1 };

/** Failed deployments `budget` accepts out of `total`: the larger of its count and its share. */
export function allowedFailures(total: number, budget: FailureBudget): number {
    return Math.max(budget.count, Math.floor((total * budget.percent) / 100));
}

/** One task as the gate read it. */
export interface TaskReading {
    /** `<task name> at <scope>`. */
    label: string;
    state: RemediationState;
    /** Resource ids of the machines whose deployment failed, as far as Azure listed them. */
    failedMachines: string[];
    /** A retry task (filtered to `rollout.retryMachineIds`): its failures always count. */
    retry?: boolean;
}

/** What the gate decided about all its tasks together. */
export interface GateDecision {
    kind: "passed" | "running" | "failed";
    /** One line a person reads: counts and budget. */
    summary: string;
    /** Machines whose deployment failed and that are neither excluded nor being retried (lower-case ids). */
    failedMachines: string[];
    /** Deployments counted across the tasks. */
    total: number;
    succeeded: number;
    failed: number;
}

/** Machines whose earlier failure does not count: retried ones (in the first tasks only), excluded ones (everywhere). */
export interface Excused {
    retried: string[];
    excluded: string[];
}

/**
 * Decides the gate from every task's reading: running while any task is; failed when a task
 * was stopped, or when more deployments failed than the budget allows. A failure on an
 * excluded machine does not count, nor one in a first task on a machine handed to a retry
 * task, whose own outcome counts instead.
 */
export function gateDecision(readings: TaskReading[], budget: FailureBudget, excused: Excused): GateDecision {
    const excluded = new Set(excused.excluded.map((id) => id.toLowerCase()));
    const retried = new Set(excused.retried.map((id) => id.toLowerCase()));
    let total = 0;
    let succeeded = 0;
    let failed = 0;
    const failedMachines: string[] = [];
    const stopped: string[] = [];
    const missing: string[] = [];
    let running = false;
    for (const reading of readings) {
        const status = reading.state.deploymentStatus ?? {};
        const isExcused = (id: string) => excluded.has(id) || (reading.retry !== true && retried.has(id));
        const machines = reading.failedMachines.map((id) => id.toLowerCase());
        const excusedHere = machines.filter(isExcused).length;
        total += Math.max(0, (status.totalDeployments ?? 0) - excusedHere);
        succeeded += status.successfulDeployments ?? 0;
        failed += Math.max(0, (status.failedDeployments ?? 0) - excusedHere);
        failedMachines.push(...machines.filter((id) => !isExcused(id)));
        const provisioning = reading.state.provisioningState;
        if (provisioning === undefined || provisioning === "") missing.push(reading.label);
        else if (STOPPED.includes(provisioning)) stopped.push(`${reading.label} ended ${provisioning}`);
        else if (!FINISHED.includes(provisioning)) running = true;
    }
    const allowed = allowedFailures(total, budget);
    const counts = `${succeeded} of ${total} deployments succeeded, ${failed} failed (budget ${allowed}: ${describeBudget(budget)})`;
    const base = { failedMachines: [...new Set(failedMachines)].sort(), total, succeeded, failed };
    if (missing.length > 0) return { ...base, kind: "failed", summary: `Azure reported no provisioningState for ${missing.join(", ")}` };
    if (stopped.length > 0) return { ...base, kind: "failed", summary: `${stopped.join("; ")}: ${counts}` };
    if (failed > allowed) return { ...base, kind: "failed", summary: counts };
    if (running) return { ...base, kind: "running", summary: counts };
    return { ...base, kind: "passed", summary: counts };
}

/** `1 % of deployments`, `5 deployments`, or the larger of both. */
export function describeBudget(budget: FailureBudget): string {
    const parts = [];
    if (budget.count > 0) parts.push(`${budget.count} deployments`);
    if (budget.percent > 0) parts.push(`${budget.percent} % of deployments`);
    if (parts.length === 0) return "none may fail";
    return parts.length === 1 ? parts[0] : `the larger of ${parts.join(" and ")}`;
}

/** A progress line for one task while the gate waits: what a person watching `pulumi up` reads. */
export function progressLine(reading: TaskReading, waitedMinutes: number, limitMinutes: number): string {
    const status = reading.state.deploymentStatus ?? {};
    const total = status.totalDeployments ?? 0;
    const ok = status.successfulDeployments ?? 0;
    const bad = status.failedDeployments ?? 0;
    const running = Math.max(0, total - ok - bad);
    return `remediation ${reading.label}: ${reading.state.provisioningState ?? "unknown"}, ${ok} succeeded, ${bad} failed, ${running} running of ${total}; waited ${waitedMinutes} of ${limitMinutes} min`;
}

/** The failed machines for a message: all of them up to `max`, then how many more. */
export function listMachines(ids: string[], max = 20): string {
    if (ids.length <= max) return ids.join(", ");
    return `${ids.slice(0, max).join(", ")} and ${ids.length - max} more (all in the output remediationGate.failedMachines)`;
}

/**
 * Minutes one remediation deployment of a run command takes, as an assumption: no Microsoft
 * source states a duration. The run command waits for the script (asyncExecution false), whose
 * own bound is 600 s with the route check (plan/runCommands.ts), and ARM adds the deployment's
 * own minutes; 5 is the planning figure, the script's timeout the worst case.
 */
export const MINUTES_PER_DEPLOYMENT = 5;

/** Minutes the first compliance evaluation of a new assignment may take before a task finds machines (ReEvaluateCompliance). */
export const EVALUATION_MINUTES = 30;

/** What remediating a fleet costs. */
export interface RemediationArithmetic {
    /** Machines in scope (as given, or the listed machines). */
    machines: number;
    /** OS-proxy remediation tasks the gate waits for. */
    tasks: number;
    /** Deployments each task runs at once. */
    parallelDeployments: number;
    /** Waves of deployments in the slowest task (all machines in one task, the worst case). */
    waves: number;
    /** Expected minutes until the slowest task finishes: evaluation, then waves of deployments. */
    expectedMinutes: number;
    /** Minutes one `pulumi up` waits (the default: expected plus half again, within 24 h). */
    waitMinutes: number;
    /** `pulumi up` runs the wait needs, each resuming the same tasks. */
    runs: number;
}

/** The longest one `pulumi up` may wait (rollout.waitForRemediationMinutes' maximum). */
export const MAX_WAIT_MINUTES = 24 * 60;

/**
 * The fleet's remediation arithmetic. Every machine of one kind and OS falls to one task (one per
 * OS-proxy definition), so the slowest task may hold the whole fleet: that is the estimate.
 */
export function remediationArithmetic(
    machines: number,
    parallelDeployments: number,
    tasks: number,
    waitMinutes?: number,
): RemediationArithmetic {
    const fleet = Math.max(1, machines);
    const waves = Math.ceil(fleet / parallelDeployments);
    const expectedMinutes = EVALUATION_MINUTES + waves * MINUTES_PER_DEPLOYMENT;
    const wait = waitMinutes ?? Math.min(MAX_WAIT_MINUTES, Math.ceil(expectedMinutes * 1.5));
    const runs = wait === 0 ? 0 : Math.ceil(expectedMinutes / wait);
    return { machines: fleet, tasks, parallelDeployments, waves, expectedMinutes, waitMinutes: wait, runs };
}

/** The arithmetic as one sentence (the preview's note and the benchmark's row say the same). */
export function describeArithmetic(a: RemediationArithmetic): string {
    const hours = (minutes: number) => `${minutes} min (${(minutes / 60).toFixed(1)} h)`;
    const runs =
        a.runs <= 1
            ? "one pulumi up waits for it"
            : `one pulumi up waits ${a.waitMinutes} min, so it takes about ${a.runs} runs of pulumi up, each resuming the same tasks`;
    return `${a.machines} machines, ${a.tasks} OS-proxy remediation task(s) at ${a.parallelDeployments} parallel deployments: ${a.waves} waves of ${MINUTES_PER_DEPLOYMENT} min after ${EVALUATION_MINUTES} min of evaluation, about ${hours(a.expectedMinutes)}; ${runs}`;
}
