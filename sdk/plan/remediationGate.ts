/**
 * What a remediation task's state means for the MDE gate.
 *
 * Creating a remediation does not wait for its deployments: `Remediations - Create Or Update`
 * answers 200/201 with the task accepted and is no long-running operation
 * (learn.microsoft.com/rest/api/policy/remediations/create-or-update-at-subscription, REST
 * 2024-10-01; the generated SDKs call it synchronously, Azure/azure-rest-api-specs-examples
 * policyinsights Remediations_CreateSubscriptionScope.*). So a `dependsOn` on the task waits
 * only for the task to exist. The gate polls the task instead and reads `provisioningState`
 * (Evaluating, Canceled, Cancelling, Failed, Complete or Succeeded, per the REST model) and
 * `deploymentStatus` (total, successful and failed deployments).
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

/** Reads a task's state. A task counts as done only when it finished and no deployment failed. */
export function remediationVerdict(state: RemediationState | undefined): RemediationVerdict {
    const provisioning = state?.provisioningState;
    if (provisioning === undefined || provisioning === "") {
        return { kind: "failed", reason: "Azure reported no provisioningState for it" };
    }
    const status = state?.deploymentStatus ?? {};
    const failed = status.failedDeployments ?? 0;
    const counts = `${status.successfulDeployments ?? 0} of ${status.totalDeployments ?? 0} deployments succeeded, ${failed} failed`;
    if (failed > 0) return { kind: "failed", reason: `${counts} (state ${provisioning})` };
    if (STOPPED.includes(provisioning)) return { kind: "failed", reason: `ended ${provisioning}: ${counts}` };
    if (FINISHED.includes(provisioning)) return { kind: "done" };
    return { kind: "running", state: `${provisioning}: ${counts}` };
}
