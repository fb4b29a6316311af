/**
 * Policy mode: the custom definitions as one initiative, assigned to the chosen scope with a
 * system-assigned identity, the few built-in roles that identity needs to remediate, and a
 * remediation task per definition for the machines that already exist. The number of
 * resources does not depend on the number of machines.
 *
 * Every Azure name is explicit and deterministic (plan/policyNames.ts): azure-native's made-up
 * names (`<logical>-<random>`) pass the 24-character limit of management-group assignments.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as policyinsights from "@pulumi/azure-native/policyinsights";
import * as random from "@pulumi/random";
import { PolicyDefinitionSpec, rolesFor } from "../plan/policy";
import { policyNames, PolicyNames, shortHash } from "../plan/policyNames";
import {
    describeArithmetic,
    GateDecision,
    gateDecision,
    listMachines,
    progressLine,
    remediationArithmetic,
    RemediationState,
    TaskReading,
} from "../plan/remediationGate";
import { NormalizedArgs } from "../validate";
import { associateArcScopesByPolicy } from "./builtInPolicies";
import { REMEDIATION_LIMITS, RETRY_IDS_PER_TASK, RolloutScope } from "../validate/rollout";

/** The resource ids the assignment passes to its definitions as parameters. */
export interface PolicyRolloutResources {
    /** The data collection rule every AMA machine is associated with. */
    dataCollectionRuleId?: pulumi.Input<string>;
    /** The private data collection endpoint (Azure Monitor Private Link). */
    dataCollectionEndpointId?: pulumi.Input<string>;
}

type ParameterName = keyof PolicyRolloutResources;
const PARAMETERS: ParameterName[] = ["dataCollectionRuleId", "dataCollectionEndpointId"];

/** How the gate paces itself: a read of each pending task every 30 s; a minute is 60 s (tests shorten both). */
export const GATE_TIMING = { pollMs: 30_000, minuteMs: 60_000 };

function definition(parent: pulumi.Resource, name: string, names: PolicyNames, scope: RolloutScope, spec: PolicyDefinitionSpec) {
    const args = {
        policyDefinitionName: names.definition(spec.key),
        policyType: "Custom",
        mode: spec.mode,
        displayName: spec.displayName,
        description: spec.description,
        metadata: { category: "Security Center", createdBy: "defender-servers" },
        parameters: spec.parameters,
        policyRule: spec.policyRule,
    };
    // A definition must live at or above the scope it is assigned to.
    return scope.kind === "managementGroup"
        ? new authorization.PolicyDefinitionAtManagementGroup(
              `${name}-policy-${spec.key}`,
              { ...args, managementGroupId: scope.managementGroupId },
              { parent },
          ).id
        : new authorization.PolicyDefinition(`${name}-policy-${spec.key}`, args, { parent }).id;
}

/** A built-in role's id as seen from `at` (the management group, or the subscription of a subscription or resource group scope). */
function roleDefinitionId(at: string, role: string): string {
    return `${at}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
}

const subscriptionOf = (id: string) => /^\/subscriptions\/[^/]+/i.exec(id)?.[0] ?? "";

/**
 * Policy parameters are readable by anyone with Reader on the scope. A value the caller marked
 * secret goes there in clear all the same, so say so loudly; it is unwrapped so that Pulumi's
 * state does not pretend it is still secret.
 */
function publicParameter(parent: pulumi.Resource, field: string, value: pulumi.Input<string>, scope: RolloutScope): pulumi.Output<string> {
    const output = pulumi.output(value);
    void pulumi.isSecret(output).then((secret) => {
        if (secret) {
            void pulumi.log.warn(
                `${field}: is marked secret, but policy mode passes it to the policy assignment at ${scope.id} as a parameter, which anyone with Reader on that scope can read in clear text; it is unwrapped there. Use rollout.mode "machines" if this id must stay secret`,
                parent,
            );
        }
    });
    return pulumi.unsecret(output);
}

interface RemediationTask {
    resource: pulumi.CustomResource;
    /** Where the task lives (a subscription or resource group id), for reading it back. */
    at: string;
    remediationName: pulumi.Input<string>;
    gatesMde: boolean;
    /** A task filtered to `rollout.retryMachineIds`. */
    retry: boolean;
}

/** The machine resource type a definition's key targets (`os-proxy-vm-linux`: VMs), for filtering retried ids. */
function machineTypeOf(key: string): string | undefined {
    if (/-vm(-|$)/.test(key)) return "/providers/microsoft.compute/virtualmachines/";
    if (/-arc(-|$)/.test(key)) return "/providers/microsoft.hybridcompute/machines/";
    return undefined;
}

/** `ids` in groups of `size`. */
function chunks<T>(ids: T[], size: number): T[][] {
    const groups: T[][] = [];
    for (let i = 0; i < ids.length; i += size) groups.push(ids.slice(i, i + size));
    return groups;
}

/**
 * Azure's own stop for a task that fails at scale: `failureThreshold.percentage` (0.0 to 1.0)
 * fails the task once the share of failed deployments exceeds it (remediations.json 2024-10-01,
 * `RemediationProperties.failureThreshold`), so a broken script stops after a few waves instead
 * of running on 10,000 machines. Set from the share of the failure budget; a count-only budget
 * sets none, as a count has no fixed share.
 */
function failureThreshold(args: NormalizedArgs): { percentage: number } | undefined {
    const budget = args.rollout.failureBudget;
    return budget.count > 0 ? undefined : { percentage: budget.percent / 100 };
}

function remediationsFor(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    names: PolicyNames,
    assignmentId: pulumi.Input<string>,
    spec: PolicyDefinitionSpec,
    parameterValues: Partial<Record<ParameterName, pulumi.Output<string>>>,
    dependsOn: pulumi.Resource[],
): RemediationTask[] {
    const scope = args.rollout.scope;
    // A new name when the definition or its parameter value changes: Azure's tasks are one-shot, so
    // only a new task brings machines that were compliant with the old version in line.
    const parameter = spec.rolesAlsoOn !== undefined ? parameterValues[spec.rolesAlsoOn] : undefined;
    const content = [spec.policyRule, spec.parameters];
    const nameFor = (key: string, extra: unknown): pulumi.Input<string> =>
        parameter === undefined
            ? names.remediation(key, [content, extra])
            : parameter.apply((value) => names.remediation(key, [content, extra, value]));
    const threshold = failureThreshold(args);
    const common = {
        policyAssignmentId: assignmentId,
        policyDefinitionReferenceId: spec.key,
        resourceCount: REMEDIATION_LIMITS.resourceCount,
        parallelDeployments: args.rollout.parallelDeployments,
        ...(threshold !== undefined ? { failureThreshold: threshold } : {}),
    };
    // A task cannot be changed once started; a replacement must delete it before making its namesake.
    const opts = { parent, dependsOn, deleteBeforeReplace: true };
    const logical = `${name}-policy-remediation-${spec.key}`;
    // Where tasks run: each listed subscription below a management group (ReEvaluateCompliance is
    // offered at subscription scope and below only, remediate-resources.md), else the scope itself.
    const places =
        scope.kind === "managementGroup"
            ? args.rollout.remediationSubscriptionIds.map((id) => ({ at: `/subscriptions/${id}`, suffix: `-${id}` }))
            : [{ at: scope.id, suffix: "" }];
    const task = (logicalName: string, at: string, properties: Record<string, unknown>, retry: boolean): RemediationTask => {
        const remediationName = properties.remediationName as pulumi.Input<string>;
        const inputs = { ...common, ...properties };
        const resource =
            scope.kind === "managementGroup"
                ? new policyinsights.RemediationAtResource(logicalName, { ...inputs, resourceId: at }, opts)
                : scope.kind === "resourceGroup"
                  ? new policyinsights.RemediationAtResourceGroup(
                        logicalName,
                        { ...inputs, resourceGroupName: scope.resourceGroupName },
                        opts,
                    )
                  : new policyinsights.RemediationAtSubscription(logicalName, inputs, opts);
        return { resource, at, remediationName, gatesMde: spec.gatesMde, retry };
    };
    const tasks = places.map((place) =>
        task(
            `${logical}${place.suffix}`,
            place.at,
            { remediationName: nameFor(spec.key, []), resourceDiscoveryMode: "ReEvaluateCompliance" },
            false,
        ),
    );
    // Retries: only the listed machines of this definition's machine type that lie where the task
    // runs. `filters.resourceIds` works with ExistingNonCompliant only, 100 ids a task (remediations
    // 2024-10-01, `RemediationFilters`; bicep-types-az generated/policyinsights/.../2024-10-01/types.md).
    const type = machineTypeOf(spec.key);
    if (!spec.gatesMde || type === undefined) return tasks;
    for (const place of places) {
        const ids = args.rollout.retryMachineIds.filter((id) => id.includes(type) && id.startsWith(`${place.at.toLowerCase()}/`));
        chunks(ids, RETRY_IDS_PER_TASK).forEach((group, i) => {
            tasks.push(
                task(
                    `${logical}${place.suffix}-retry-${shortHash([group], 8)}`,
                    place.at,
                    {
                        remediationName: nameFor(`${spec.key}-retry${i}`, group),
                        resourceDiscoveryMode: "ExistingNonCompliant",
                        filters: { resourceIds: group },
                    },
                    true,
                ),
            );
        });
    }
    return tasks;
}

/** What the gate tells the stack once it has passed: the verdict and the machines left behind within the budget. */
export interface RemediationGateOutput {
    /** `passed`, or `not checked in a preview` (a preview reads nothing from Azure). */
    status: string;
    /** Counts and budget, as the gate read them. */
    summary: string;
    /** Machines (resource ids) whose OS-proxy deployment failed within the budget: retry or exclude them (docs/policy-mode.md). */
    failedMachines: string[];
}

/**
 * A resource that exists only once every OS-proxy remediation task has finished within the
 * failure budget: its input is the verdict of polling the tasks. In a preview nothing is read
 * from Azure (even when the tasks' ids are known, as in a stack that exists): the verdict stays
 * unknown, so the preview shows the gate's last recorded verdict (`keepers`) as the old value.
 * A failed, stopped or overdue task fails its registration, and with it everything that waits.
 */
function remediationGate(
    parent: pulumi.Resource,
    name: string,
    tasks: RemediationTask[],
    args: NormalizedArgs,
): { resource: pulumi.Resource; output: pulumi.Output<RemediationGateOutput> } {
    const decision: pulumi.Output<GateDecision> = pulumi
        .all(tasks.map((task) => pulumi.all([task.resource.id, task.at, task.remediationName])))
        .apply(async (known): Promise<GateDecision> => {
            // `pulumi.unknown` from an apply makes the value unknown, as a preview shows computed values.
            if (pulumi.runtime.isDryRun()) return pulumi.unknown as unknown as GateDecision;
            return waitForRemediations(
                parent,
                known.map(([, at, remediationName], i) => ({ at, remediationName, retry: tasks[i].retry })),
                args,
            );
        });
    const resource = new random.RandomString(
        `${name}-policy-remediation-gate`,
        {
            length: 8,
            special: false,
            keepers: {
                verdict: decision.apply((d) => `${d.kind}: ${d.summary}`),
                failedMachines: decision.apply((d) => d.failedMachines.join(",")),
            },
        },
        { parent },
    );
    const output = decision.apply((d) => ({ status: d.kind, summary: d.summary, failedMachines: d.failedMachines }));
    return { resource, output };
}

/** Reads a task; a task Azure no longer has (it deletes them 60 days after their last change, remediation-structure.md) reads as undefined. */
async function readTask(parent: pulumi.Resource, task: { at: string; remediationName: string }): Promise<RemediationState | undefined> {
    try {
        return await policyinsights.getRemediationAtResource({ resourceId: task.at, remediationName: task.remediationName }, { parent });
    } catch (err) {
        if (/not ?found|404/i.test(String(err))) return undefined;
        throw err;
    }
}

/** The machines whose deployment of this task failed, as far as one page of Azure's list holds them. */
async function failedMachinesOf(parent: pulumi.Resource, task: { at: string; remediationName: string }, total: number): Promise<string[]> {
    const list = await policyinsights.listRemediationDeploymentsAtResource(
        { resourceId: task.at, remediationName: task.remediationName, top: Math.max(1, Math.min(total, REMEDIATION_LIMITS.resourceCount)) },
        { parent },
    );
    return (list.value ?? [])
        .filter((d) => d.status === "Failed" && typeof d.remediatedResourceId === "string")
        .map((d) => d.remediatedResourceId.toLowerCase());
}

async function waitForRemediations(
    parent: pulumi.Resource,
    tasks: Array<{ at: string; remediationName: string; retry: boolean }>,
    args: NormalizedArgs,
): Promise<GateDecision> {
    const minutes = args.rollout.waitForRemediationMinutes;
    const started = Date.now();
    const deadline = started + minutes * GATE_TIMING.minuteMs;
    const failedLists = new Map<number, string[]>();
    const excused = { retried: args.rollout.retryMachineIds, excluded: args.rollout.excludedMachineIds };
    for (;;) {
        const readings: TaskReading[] = [];
        for (const [i, task] of tasks.entries()) {
            const label = `${task.remediationName} at ${task.at}`;
            const state = await readTask(parent, task);
            if (state === undefined) {
                void pulumi.log.warn(
                    `remediation ${label} no longer exists (Azure deletes tasks 60 days after their last change); it is not checked again`,
                    parent,
                );
                continue;
            }
            const status = state.deploymentStatus ?? {};
            const finished = !["Evaluating", undefined, ""].includes(state.provisioningState);
            // The failed machines are listed once the task has stopped changing, not on every poll.
            if (finished && (status.failedDeployments ?? 0) > 0 && !failedLists.has(i)) {
                failedLists.set(i, await failedMachinesOf(parent, task, status.totalDeployments ?? 0));
            }
            readings.push({ label, state, failedMachines: failedLists.get(i) ?? [], retry: task.retry });
        }
        const decision = gateDecision(readings, args.rollout.failureBudget, excused);
        if (decision.kind === "passed") return decision;
        if (decision.kind === "failed") throw new Error(gateFailure(decision));
        const waited = Math.floor((Date.now() - started) / GATE_TIMING.minuteMs);
        for (const reading of readings) void pulumi.log.info(progressLine(reading, waited, minutes), parent, undefined, true);
        if (Date.now() >= deadline) {
            throw new Error(
                `not switching on MDE yet: after ${minutes} minutes the OS-proxy remediation is still running (${decision.summary}; ${readings.map((r) => r.label).join("; ")}). Run pulumi up again: it resumes waiting for the same tasks, which keep their names while the policies do not change (docs/policy-mode.md, "Large fleets"); or raise rollout.waitForRemediationMinutes`,
            );
        }
        await new Promise((resolve) => setTimeout(resolve, GATE_TIMING.pollMs));
    }
}

/** The gate's error: why, which machines, and the ways on. */
function gateFailure(decision: GateDecision): string {
    const machines =
        decision.failedMachines.length > 0
            ? ` Machines whose OS-proxy deployment failed: ${listMachines(decision.failedMachines)}.`
            : decision.failed > 0
              ? " Azure listed none of the failed deployments' machines; see them with az policy remediation deployment list --name <task> --scope <scope>."
              : "";
    return `not switching on MDE: the OS-proxy remediation did not put the proxy on enough machines: ${decision.summary}.${machines} Fix what the deployments' errors say, then either remediate only these machines again with rollout.retryMachineIds, leave them out with rollout.excludedMachineIds, or allow more failures with rollout.failureBudget (docs/policy-mode.md, "When machines fail")`;
}

/**
 * Declares the initiative, its assignment, roles and remediations; nothing when there is no
 * definition. Returns what must exist before anything may switch MDE on: the assignment, every
 * role assignment of its identity, the OS-proxy remediation tasks and, unless
 * `rollout.waitForRemediationMinutes` is 0, the gate that exists only once those tasks have
 * finished without a failed deployment. What that does not cover: machines created later (policy
 * deploys the proxy to them while Defender deploys MDE), and a failed script on an Arc machine
 * (Arc run commands do not fail their deployment; see plan/policy.ts).
 */
export function rollOutByPolicy(...args: Parameters<typeof rollOutByPolicyWithGate>): pulumi.Resource[] {
    return rollOutByPolicyWithGate(...args).waitFor;
}

/** What policy mode gives the component: what MDE waits for, and the gate's verdict for an output. */
export interface PolicyRollout {
    /** Everything that must exist before anything may switch MDE on. */
    waitFor: pulumi.Resource[];
    /** The MDE gate's verdict (undefined without a gate). */
    gate: pulumi.Output<RemediationGateOutput | undefined>;
}

/** {@link rollOutByPolicy}, with the gate's verdict for the component's `remediationGate` output. */
export function rollOutByPolicyWithGate(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    specs: PolicyDefinitionSpec[],
    dataCollectionRuleId: pulumi.Input<string> | undefined,
    dataCollectionEndpointId?: pulumi.Input<string>,
    arcScopeId?: pulumi.Input<string>,
): PolicyRollout {
    // Arc scope association, one assignment per listed scope (not per machine).
    if (arcScopeId !== undefined && args.rollout.associateArcMachinesAt.length > 0) {
        associateArcScopesByPolicy(parent, name, args, args.rollout.associateArcMachinesAt, arcScopeId);
    }
    const none = { waitFor: [], gate: pulumi.output(undefined) };
    if (specs.length === 0) return none;
    const scope = args.rollout.scope;
    const names = policyNames(name, scope.id);
    const given: PolicyRolloutResources = { dataCollectionRuleId, dataCollectionEndpointId };
    const used = PARAMETERS.filter((p) => specs.some((spec) => spec.parameters[p] !== undefined));
    const parameterValues: Partial<Record<ParameterName, pulumi.Output<string>>> = {};
    for (const p of used) {
        const value = given[p];
        if (value === undefined)
            throw new Error(`policy mode: ${p} is needed by the policies but was not given (a bug in defender-servers)`);
        parameterValues[p] = publicParameter(
            parent,
            p === "dataCollectionRuleId" ? "logs.dataCollectionRuleId" : "dataCollectionEndpointId",
            value,
            scope,
        );
    }
    const references = specs.map((spec) => ({
        policyDefinitionId: definition(parent, name, names, scope, spec),
        policyDefinitionReferenceId: spec.key,
        ...(spec.rolesAlsoOn !== undefined ? { parameters: { [spec.rolesAlsoOn]: { value: `[parameters('${spec.rolesAlsoOn}')]` } } } : {}),
    }));
    const setArgs = {
        policySetDefinitionName: names.initiative,
        policyType: "Custom",
        displayName: "Defender for Servers in a network-restricted environment (defender-servers)",
        description:
            "Agents with proxy settings, the operating-system proxy that MDE needs, and the Guest Configuration private-network tag.",
        metadata: { category: "Security Center", createdBy: "defender-servers" },
        parameters: used.length > 0 ? Object.fromEntries(used.map((p) => [p, { type: "String" }])) : undefined,
        policyDefinitions: references,
    };
    const initiative =
        scope.kind === "managementGroup"
            ? new authorization.PolicySetDefinitionAtManagementGroup(
                  `${name}-policy-initiative`,
                  { ...setArgs, managementGroupId: scope.managementGroupId },
                  { parent },
              )
            : new authorization.PolicySetDefinition(`${name}-policy-initiative`, setArgs, { parent });
    const assignment = new authorization.PolicyAssignment(
        `${name}-policy-assignment`,
        {
            policyAssignmentName: names.assignment,
            scope: scope.id,
            policyDefinitionId: initiative.id,
            displayName: "Defender for Servers, network-restricted (defender-servers)",
            identity: { type: "SystemAssigned" },
            location: args.location,
            parameters: used.length > 0 ? Object.fromEntries(used.map((p) => [p, { value: parameterValues[p] }])) : undefined,
            // Excluded machines (decommissioned, unreachable) are not evaluated or remediated: an assignment's
            // notScopes may name individual resources (azure-docs governance/policy/concepts/scope.md).
            ...(args.rollout.excludedMachineIds.length > 0 ? { notScopes: args.rollout.excludedMachineIds } : {}),
        },
        { parent },
    );
    const principalId = assignment.identity.apply((identity) => identity?.principalId ?? "");
    const roleAt = scope.kind === "managementGroup" ? scope.id : `/subscriptions/${scope.subscriptionId}`;
    const roles: pulumi.Resource[] = rolesFor(specs).map(
        (role) =>
            new authorization.RoleAssignment(
                `${name}-policy-role-${role}`,
                {
                    roleAssignmentName: names.roleAssignment(role, scope.id),
                    scope: scope.id,
                    roleDefinitionId: roleDefinitionId(roleAt, role),
                    principalId,
                    principalType: "ServicePrincipal",
                },
                { parent },
            ),
    );
    // The rule and the endpoint may live outside the scope (a resource group scope, a central
    // monitoring subscription): grant the definitions' roles on them too, as the portal does for
    // Microsoft's built-ins whose parameter says `assignPermissions`.
    for (const p of used) {
        const resourceId = parameterValues[p]!;
        const needed = [...new Set(specs.filter((spec) => spec.rolesAlsoOn === p).flatMap((spec) => spec.roles))];
        for (const role of needed) {
            roles.push(
                new authorization.RoleAssignment(
                    `${name}-policy-role-${role}-on-${p === "dataCollectionRuleId" ? "dcr" : "dce"}`,
                    {
                        // Named after the rule or endpoint it acts on, so that another rule never takes this one over.
                        roleAssignmentName: resourceId.apply((id) => names.roleAssignment(role, id)),
                        scope: resourceId,
                        roleDefinitionId: resourceId.apply((id) => roleDefinitionId(subscriptionOf(id), role)),
                        principalId,
                        principalType: "ServicePrincipal",
                    },
                    { parent },
                ),
            );
        }
    }
    const waitFor: pulumi.Resource[] = [assignment, ...roles];
    if (!args.rollout.remediate) return { waitFor, gate: pulumi.output(undefined) };
    // An audit has nothing to remediate.
    const tasks = specs
        .filter((spec) => spec.auditOnly !== true)
        .flatMap((spec) => remediationsFor(parent, name, args, names, assignment.id, spec, parameterValues, [initiative, ...roles]));
    const gating = tasks.filter((task) => task.gatesMde);
    waitFor.push(...gating.map((task) => task.resource));
    if (gating.length === 0 || args.rollout.waitForRemediationMinutes === 0) return { waitFor, gate: pulumi.output(undefined) };
    noteArithmetic(parent, args, gating.filter((task) => !task.retry).length);
    const gate = remediationGate(parent, name, gating, args);
    waitFor.push(gate.resource);
    return { waitFor, gate: gate.output };
}

/**
 * The remediation arithmetic, told where a person reads it: a warning when one `pulumi up` cannot
 * wait for the whole fleet (so the multi-run procedure applies), a note otherwise.
 */
function noteArithmetic(parent: pulumi.Resource, args: NormalizedArgs, tasks: number): void {
    const rollout = args.rollout;
    const arithmetic = remediationArithmetic(rollout.fleetSize, rollout.parallelDeployments, tasks, rollout.waitForRemediationMinutes);
    const text = `rollout: remediation arithmetic: ${describeArithmetic(arithmetic)}${rollout.fleetSizeGiven ? "" : " (fleet size counted from the listed machines; set rollout.fleetSize for the scope's real count)"}`;
    if (arithmetic.runs > 1) void pulumi.log.warn(text, parent);
    else void pulumi.log.info(text, parent);
}
