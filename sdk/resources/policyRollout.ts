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
import { policyNames, PolicyNames } from "../plan/policyNames";
import { remediationVerdict } from "../plan/remediationGate";
import { NormalizedArgs } from "../validate";
import { REMEDIATION_LIMITS, RolloutScope } from "../validate/rollout";

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
    const remediationName =
        parameter === undefined ? names.remediation(spec.key, content) : parameter.apply((value) => names.remediation(spec.key, [content, value]));
    const common = {
        remediationName,
        policyAssignmentId: assignmentId,
        policyDefinitionReferenceId: spec.key,
        resourceCount: REMEDIATION_LIMITS.resourceCount,
        parallelDeployments: args.rollout.parallelDeployments,
    };
    // A task cannot be changed once started; a replacement must delete it before making its namesake.
    const opts = { parent, dependsOn, deleteBeforeReplace: true };
    const logical = `${name}-policy-remediation-${spec.key}`;
    if (scope.kind === "managementGroup") {
        // Per subscription below the group: ReEvaluateCompliance is offered at subscription scope
        // and below only (remediate-resources.md), and a task created with a brand-new assignment
        // at the group would find no compliance results yet.
        return args.rollout.remediationSubscriptionIds.map((subscriptionId) => ({
            resource: new policyinsights.RemediationAtResource(
                `${logical}-${subscriptionId}`,
                { ...common, resourceId: `/subscriptions/${subscriptionId}`, resourceDiscoveryMode: "ReEvaluateCompliance" },
                opts,
            ),
            at: `/subscriptions/${subscriptionId}`,
            remediationName,
            gatesMde: spec.gatesMde,
        }));
    }
    const resource =
        scope.kind === "resourceGroup"
            ? new policyinsights.RemediationAtResourceGroup(
                  logical,
                  { ...common, resourceGroupName: scope.resourceGroupName, resourceDiscoveryMode: "ReEvaluateCompliance" },
                  opts,
              )
            : new policyinsights.RemediationAtSubscription(logical, { ...common, resourceDiscoveryMode: "ReEvaluateCompliance" }, opts);
    return [{ resource, at: scope.id, remediationName, gatesMde: spec.gatesMde }];
}

/**
 * A resource that exists only once every OS-proxy remediation task has finished with no failed
 * deployment: its input is the verdict of polling the tasks (`pulumi up` only; in a preview the
 * tasks' ids are unknown and nothing is read). A failed, stopped or overdue task fails its
 * registration, and with it everything that waits for it.
 */
function remediationGate(parent: pulumi.Resource, name: string, tasks: RemediationTask[], minutes: number): pulumi.Resource {
    const verdict = pulumi
        .all(tasks.map((task) => pulumi.all([task.resource.id, task.at, task.remediationName])))
        .apply((known) => waitForRemediations(parent, known.map(([, at, remediationName]) => ({ at, remediationName })), minutes));
    return new random.RandomString(`${name}-policy-remediation-gate`, { length: 8, special: false, keepers: { verdict } }, { parent });
}

async function waitForRemediations(
    parent: pulumi.Resource,
    tasks: Array<{ at: string; remediationName: string }>,
    minutes: number,
): Promise<string> {
    const deadline = Date.now() + minutes * GATE_TIMING.minuteMs;
    let pending = tasks;
    for (;;) {
        const states = await Promise.all(
            pending.map(async (task) => {
                try {
                    const state = await policyinsights.getRemediationAtResource({ resourceId: task.at, remediationName: task.remediationName }, { parent });
                    return { task, verdict: remediationVerdict(state) };
                } catch (err) {
                    // Azure deletes a task 60 days after its last change (remediation-structure.md).
                    if (/not ?found|404/i.test(String(err))) return { task, verdict: { kind: "gone" as const } };
                    throw err;
                }
            }),
        );
        const failed = states.filter((s) => s.verdict.kind === "failed");
        if (failed.length > 0) {
            const reasons = failed.map((s) => `${s.task.remediationName} at ${s.task.at}: ${(s.verdict as { reason: string }).reason}`);
            throw new Error(
                `not switching on MDE: the OS-proxy remediation did not put the proxy on every machine (${reasons.join("; ")}). See which machines failed with az policy remediation deployment list --name <task> --scope <scope>, fix them, then replace the task (pulumi up --replace <its urn>)`,
            );
        }
        for (const gone of states.filter((s) => s.verdict.kind === "gone")) {
            void pulumi.log.warn(
                `remediation ${gone.task.remediationName} at ${gone.task.at} no longer exists (Azure deletes tasks 60 days after their last change); it is not checked again`,
                parent,
            );
        }
        pending = states.filter((s) => s.verdict.kind === "running").map((s) => s.task);
        if (pending.length === 0) return "verified";
        if (Date.now() >= deadline) {
            throw new Error(
                `not switching on MDE yet: after ${minutes} minutes the OS-proxy remediation is still running (${pending.map((t) => `${t.remediationName} at ${t.at}`).join("; ")}). Run pulumi up again to keep waiting, or raise rollout.waitForRemediationMinutes`,
            );
        }
        await new Promise((resolve) => setTimeout(resolve, GATE_TIMING.pollMs));
    }
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
export function rollOutByPolicy(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    specs: PolicyDefinitionSpec[],
    dataCollectionRuleId: pulumi.Input<string> | undefined,
    dataCollectionEndpointId?: pulumi.Input<string>,
): pulumi.Resource[] {
    if (specs.length === 0) return [];
    const scope = args.rollout.scope;
    const names = policyNames(name, scope.id);
    const given: PolicyRolloutResources = { dataCollectionRuleId, dataCollectionEndpointId };
    const used = PARAMETERS.filter((p) => specs.some((spec) => spec.parameters[p] !== undefined));
    const parameterValues: Partial<Record<ParameterName, pulumi.Output<string>>> = {};
    for (const p of used) {
        const value = given[p];
        if (value === undefined) throw new Error(`policy mode: ${p} is needed by the policies but was not given (a bug in defender-servers)`);
        parameterValues[p] = publicParameter(parent, p === "dataCollectionRuleId" ? "logs.dataCollectionRuleId" : "dataCollectionEndpointId", value, scope);
    }
    const references = specs.map((spec) => ({
        policyDefinitionId: definition(parent, name, names, scope, spec),
        policyDefinitionReferenceId: spec.key,
        ...(spec.rolesAlsoOn !== undefined
            ? { parameters: { [spec.rolesAlsoOn]: { value: `[parameters('${spec.rolesAlsoOn}')]` } } }
            : {}),
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
                        roleAssignmentName: names.roleAssignment(role, p),
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
    if (!args.rollout.remediate) return waitFor;
    const tasks = specs.flatMap((spec) => remediationsFor(parent, name, args, names, assignment.id, spec, parameterValues, [initiative, ...roles]));
    const gating = tasks.filter((task) => task.gatesMde);
    waitFor.push(...gating.map((task) => task.resource));
    if (gating.length > 0 && args.rollout.waitForRemediationMinutes > 0) {
        waitFor.push(remediationGate(parent, name, gating, args.rollout.waitForRemediationMinutes));
    }
    return waitFor;
}
