/** Validation of `rollout`: per-machine or policy mode, and what policy mode cannot carry. */
import { RolloutMode } from "../args";
import { DEFAULT_FAILURE_BUDGET, FailureBudget, MAX_WAIT_MINUTES, remediationArithmetic } from "../plan/remediationGate";
import { describe, GUID, readBoolean, readChoice, readObject, rejectUnknownKeys } from "./fields";
import { NormalizedLogs } from "./logs";
import { NormalizedPrivateLink } from "./privateLink";
import { ProblemList } from "./problems";
import { NormalizedProxy } from "./proxy";
import { readWholeNumber } from "./wholeNumber";

/** Where a policy initiative is assigned. */
export type RolloutScope =
    | { kind: "subscription"; id: string; subscriptionId: string }
    | { kind: "resourceGroup"; id: string; subscriptionId: string; resourceGroupName: string }
    | { kind: "managementGroup"; id: string; managementGroupId: string };

/** `rollout` after validation. */
export interface NormalizedRollout {
    mode: "machines" | "policy";
    scope: RolloutScope;
    remediate: boolean;
    /** At management-group scope: the subscriptions whose machines are remediated (lower-case GUIDs). */
    remediationSubscriptionIds: string[];
    /** Deployments a remediation task runs at once. */
    parallelDeployments: number;
    /** How long `pulumi up` waits for the OS-proxy remediations before MDE may be switched on; 0: it does not wait. */
    waitForRemediationMinutes: number;
    /** Machines in scope, for the default wait and the arithmetic the preview prints (given, or the listed machines). */
    fleetSize: number;
    /** Whether `fleetSize` was given rather than counted from the listed machines. */
    fleetSizeGiven: boolean;
    /** Failed OS-proxy deployments the gate accepts. */
    failureBudget: FailureBudget;
    /** Machines (resource ids, lower case) whose failed remediation is run again by a task filtered to them. */
    retryMachineIds: string[];
    /** Machines (resource ids, lower case) left out of the assignment (`notScopes`) and of the gate's count. */
    excludedMachineIds: string[];
    /** Subscriptions or resource groups whose Arc machines the built-in policy associates with the Arc Private Link Scope. */
    associateArcMachinesAt: string[];
}

/**
 * Remediation limits (azure-docs governance/policy/how-to/remediate-resources.md): a task
 * remediates 1 to 50,000 resources (default 500) and runs 1 to 30 deployments at once (default 10).
 */
export const REMEDIATION_LIMITS = { resourceCount: 50_000, parallelDeployments: 30 } as const;

/** A machine's resource id: an Azure VM or an Arc-enabled server. */
const MACHINE_ID =
    /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/[-\w.()]{1,90}\/providers\/(Microsoft\.Compute\/virtualMachines|Microsoft\.HybridCompute\/machines)\/[^/]{1,80}$/i;

/** A remediation's `filters.resourceIds` holds at most 100 ids (bicep-types-az generated/policyinsights/microsoft.policyinsights/2024-10-01/types.md, `RemediationFilters`). */
export const RETRY_IDS_PER_TASK = 100;

const SUBSCRIPTION = /^\/subscriptions\/([0-9a-fA-F-]{36})$/;
const RESOURCE_GROUP = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w.()]{1,90})$/;
const MANAGEMENT_GROUP = /^\/providers\/Microsoft\.Management\/managementGroups\/([-\w.()]{1,90})$/;

function parseScope(problems: ProblemList, value: unknown, subscriptionId: string | undefined): RolloutScope {
    const fallback: RolloutScope = { kind: "subscription", id: `/subscriptions/${subscriptionId}`, subscriptionId: subscriptionId ?? "" };
    if (value === undefined) return fallback;
    if (typeof value === "string") {
        let match = SUBSCRIPTION.exec(value);
        if (match) return { kind: "subscription", id: value, subscriptionId: match[1].toLowerCase() };
        match = RESOURCE_GROUP.exec(value);
        if (match) return { kind: "resourceGroup", id: value, subscriptionId: match[1].toLowerCase(), resourceGroupName: match[2] };
        match = MANAGEMENT_GROUP.exec(value);
        if (match) return { kind: "managementGroup", id: value, managementGroupId: match[1] };
    }
    problems.error(
        "rollout.scope",
        `${describe(value)} is not a scope; use /subscriptions/<id>, /subscriptions/<id>/resourceGroups/<name> or /providers/Microsoft.Management/managementGroups/<id>`,
    );
    return fallback;
}

/** What policy mode must refuse, read from the rest of the args. */
export interface RolloutContext {
    subscriptionId?: string;
    proxy?: NormalizedProxy;
    logs?: NormalizedLogs;
    privateLink?: NormalizedPrivateLink;
    /** How many machines are listed (policy mode's default fleet size). */
    machineCount?: number;
}

/** The `rollout` fields that only policy mode reads. */
const POLICY_ONLY = [
    "scope",
    "remediate",
    "remediationSubscriptionIds",
    "parallelDeployments",
    "waitForRemediationMinutes",
    "fleetSize",
    "failureBudget",
    "retryMachineIds",
    "excludedMachineIds",
    "associateArcMachinesAt",
];

/** Reads `rollout`; in policy mode, refuses anything that would put a secret into a policy. */
export function readRollout(problems: ProblemList, value: unknown, context: RolloutContext): NormalizedRollout {
    const fields = readObject(problems, value, "rollout") ?? {};
    rejectUnknownKeys(problems, fields, "rollout", ["mode", ...POLICY_ONLY]);
    const mode = readChoice(problems, fields.mode, "rollout.mode", Object.values(RolloutMode), "machines");
    const scope = parseScope(problems, fields.scope, context.subscriptionId);
    if (scope.kind !== "managementGroup" && context.subscriptionId !== undefined && scope.subscriptionId !== context.subscriptionId) {
        // The definitions are created in the component's subscription; an assignment elsewhere could not see them.
        problems.error(
            "rollout.scope",
            `is in subscription ${scope.subscriptionId}, not ${context.subscriptionId}; assign within subscriptionId, or use a management group above both`,
        );
    }
    const remediate = readBoolean(problems, fields.remediate, "rollout.remediate", true);
    const remediationSubscriptionIds = readSubscriptionIds(problems, fields.remediationSubscriptionIds);
    const parallelDeployments = readWholeNumber(
        problems,
        fields.parallelDeployments,
        "rollout.parallelDeployments",
        1,
        REMEDIATION_LIMITS.parallelDeployments,
        REMEDIATION_LIMITS.parallelDeployments,
    );
    const fleetSizeGiven = fields.fleetSize !== undefined;
    const fleetSize = readWholeNumber(
        problems,
        fields.fleetSize,
        "rollout.fleetSize",
        1,
        1_000_000,
        Math.max(1, context.machineCount ?? 0),
    );
    // The default wait is measured against the fleet: the remediation arithmetic's wait, not a flat hour.
    const waitForRemediationMinutes = readWholeNumber(
        problems,
        fields.waitForRemediationMinutes,
        "rollout.waitForRemediationMinutes",
        0,
        MAX_WAIT_MINUTES,
        remediationArithmetic(fleetSize, parallelDeployments, 1).waitMinutes,
    );
    const failureBudget = readFailureBudget(problems, fields.failureBudget);
    const retryMachineIds = readMachineIds(problems, fields.retryMachineIds, "rollout.retryMachineIds");
    const excludedMachineIds = readMachineIds(problems, fields.excludedMachineIds, "rollout.excludedMachineIds");
    const associateArcMachinesAt = readAssociationScopes(problems, fields.associateArcMachinesAt, context);
    const result: NormalizedRollout = {
        mode,
        scope,
        remediate,
        remediationSubscriptionIds,
        parallelDeployments,
        waitForRemediationMinutes,
        fleetSize,
        fleetSizeGiven,
        failureBudget,
        retryMachineIds,
        excludedMachineIds,
        associateArcMachinesAt,
    };
    if (mode === "machines") {
        const policyOnly = POLICY_ONLY;
        if (policyOnly.some((key) => fields[key] !== undefined)) {
            problems.error(
                "rollout.scope",
                `${policyOnly.join(", ")} apply to policy mode only; set rollout.mode to "policy" or remove them`,
            );
        }
        return result;
    }
    if (scope.kind !== "managementGroup" && fields.remediationSubscriptionIds !== undefined) {
        problems.error(
            "rollout.remediationSubscriptionIds",
            "applies to a management-group scope only; below it the remediation tasks run at the scope itself",
        );
    }
    if (scope.kind === "managementGroup" && remediate && remediationSubscriptionIds.length === 0) {
        // ReEvaluateCompliance is not offered at management-group scope, and a task created with a new
        // assignment there finds no compliance data yet (remediate-resources.md), so it would remediate nothing.
        problems.warn(
            "rollout.remediationSubscriptionIds",
            "is empty at a management-group scope: no remediation task is created, because one created with the assignment finds no compliance results yet and Azure cannot re-evaluate at that scope. Existing machines stay unremediated (and MDE integration does not wait for them) until you list their subscriptions here or start remediation after the first compliance scan",
        );
    }
    if (!remediate && fields.waitForRemediationMinutes !== 0) {
        problems.warn(
            "rollout.remediate",
            "is false: no remediation task runs, so machines that already exist get no OS proxy from this component, and MDE is switched on right after the assignment is created (only machines created or changed later are deployed by policy first). Set rollout.waitForRemediationMinutes: 0 to say that is intended, or remove remediate: false",
        );
    }
    checkRetries(problems, scope, remediate, remediationSubscriptionIds, retryMachineIds, excludedMachineIds);
    if (remediate && waitForRemediationMinutes === 0) {
        problems.warn(
            "rollout.waitForRemediationMinutes",
            "is 0: MDE integration waits only until the OS-proxy remediation tasks are created, not until they have put the proxy on the machines",
        );
    }
    notProvenInPolicyMode(problems, context.proxy);
    // Policy definitions, assignments and their parameters are readable by anyone with Reader on the scope.
    if (context.proxy?.credentials !== undefined) {
        problems.error(
            "proxy.username",
            'cannot go into Azure Policy: definitions and assignments are readable by anyone with Reader on the scope. Let the agent hosts through without credentials and remove proxy.username/password, or use rollout.mode "machines", whose credentials travel only in encrypted protected settings',
        );
    }
    if (context.logs?.legacyAgent !== undefined) {
        problems.error(
            "logs.legacyAgent",
            'is not deployed by policy: its workspace key would sit in the policy in clear text; use rollout.mode "machines" or the Azure Monitor Agent',
        );
    }
    return result;
}

function readFailureBudget(problems: ProblemList, value: unknown): FailureBudget {
    // Absent reads as {}: the default count and share.
    const fields = readObject(problems, value, "rollout.failureBudget") ?? {};
    rejectUnknownKeys(problems, fields, "rollout.failureBudget", ["count", "percent"]);
    const count = readWholeNumber(problems, fields.count, "rollout.failureBudget.count", 0, 50_000, DEFAULT_FAILURE_BUDGET.count);
    // Percent given alone replaces the default share; count given alone means "this many, no share".
    const percent = readWholeNumber(
        problems,
        fields.percent,
        "rollout.failureBudget.percent",
        0,
        100,
        fields.count === undefined ? DEFAULT_FAILURE_BUDGET.percent : 0,
    );
    if (percent > 10) {
        problems.warn(
            "rollout.failureBudget.percent",
            `is ${percent}: MDE is switched on although up to ${percent} % of the machines may lack the proxy MDE needs; a broken proxy or script fails nearly all of them, so a budget this large may let a real defect through`,
        );
    }
    return { count, percent };
}

/** `rollout.associateArcMachinesAt`: subscription or resource-group ids within `subscriptionId`, with an Arc scope that takes public traffic. */
function readAssociationScopes(problems: ProblemList, value: unknown, context: RolloutContext): string[] {
    if (value === undefined) return [];
    const path = "rollout.associateArcMachinesAt";
    if (!Array.isArray(value)) {
        problems.error(path, `expected a list of subscription or resource-group ids, got ${describe(value)}`);
        return [];
    }
    if (context.privateLink?.arc === undefined) {
        problems.error(path, "needs privateLink.arc: there is no Arc Private Link Scope to associate machines with");
        return [];
    }
    if (!context.privateLink.arc.publicNetworkAccess) {
        problems.error(
            path,
            "needs privateLink.arc.publicNetworkAccess: true: between the association and its proxy bypass a machine could reach Arc neither way and be cut off. Turn public access off once the machines are associated",
        );
    }
    const scopes: string[] = [];
    value.forEach((scope, i) => {
        const match = typeof scope === "string" ? (SUBSCRIPTION.exec(scope) ?? RESOURCE_GROUP.exec(scope)) : null;
        if (match === null)
            problems.error(`${path}[${i}]`, `${describe(scope)} is not /subscriptions/<id> or /subscriptions/<id>/resourceGroups/<name>`);
        else if (context.subscriptionId !== undefined && match[1].toLowerCase() !== context.subscriptionId.toLowerCase()) {
            problems.error(
                `${path}[${i}]`,
                `is in subscription ${match[1]}, not ${context.subscriptionId}; the role the association needs is granted within subscriptionId`,
            );
        } else scopes.push(scope as string);
    });
    // Stryker disable next-line MethodExpression: upper- and lower-casing find the same duplicates in these ASCII-only ids
    if (new Set(scopes.map((s) => s.toLowerCase())).size !== scopes.length) problems.error(path, "lists a scope twice");
    return scopes;
}

/** What policy mode's run commands do not prove, said once where a person reads it. */
function notProvenInPolicyMode(problems: ProblemList, proxy: NormalizedProxy | undefined): void {
    if (proxy === undefined) return;
    const gaps = [
        proxy.routeCheck
            ? 'the route check proves the hosts of the regions in the egress list (location and the listed machines\' regions), so a machine in another region is not proven for its own regional MDE and Azure Monitor hosts; list a machine of each region, or use rollout.mode "machines"'
            : "with proxy.routeCheck false the OS-proxy run commands set the proxy but prove no route: MDE may be switched on on machines whose proxy does not let MDE's hosts through",
        "Linux Arc machines get no read-back step (per-machine mode's defender-arc-agent-proxy-verify), so that the Arc extension service restarted with the proxy is not proven",
        "on Arc, a failed script does not fail its remediation deployment, so the MDE gate does not count it; compliance shows it (the os-proxy and arc-agent-proxy policies read each script's exit code)",
    ];
    problems.warn("rollout.mode", `policy: what the policy-mode run commands do not prove: ${gaps.join("; ")}`);
}

/** Retried and excluded machines must lie where the tasks run, and a machine cannot be both. */
function checkRetries(
    problems: ProblemList,
    scope: RolloutScope,
    remediate: boolean,
    remediationSubscriptionIds: string[],
    retry: string[],
    excluded: string[],
): void {
    if (retry.length > 0 && !remediate) {
        problems.error("rollout.retryMachineIds", "needs rollout.remediate: true; a retry is a remediation task");
    }
    // A set, not a scan of the excluded list per retried machine: both lists can hold thousands of ids.
    const excludedSet = new Set(excluded);
    const both = retry.filter((id) => excludedSet.has(id));
    if (both.length > 0) {
        problems.error(
            "rollout.retryMachineIds",
            `${both.join(", ")} also in rollout.excludedMachineIds: an excluded machine is not remediated; keep it in one list`,
        );
    }
    // The ids are checked machine ids in lower case, /subscriptions/<id>/resourceGroups/...: below a subscription or
    // group scope they start with its id, and at a management group their subscription must be listed.
    const inScope = (id: string): boolean =>
        scope.kind === "managementGroup"
            ? remediationSubscriptionIds.includes(id.split("/")[2])
            : id.startsWith(`${scope.id.toLowerCase()}/`);
    retry.forEach((id, i) => {
        if (!inScope(id)) {
            problems.error(
                `rollout.retryMachineIds[${i}]`,
                scope.kind === "managementGroup"
                    ? `${id} is in no subscription of rollout.remediationSubscriptionIds, where the retry tasks run; add its subscription there`
                    : `${id} is outside rollout.scope ${scope.id}, where the retry tasks run`,
            );
        }
    });
}

/** Machine resource ids, lower-cased, each checked and listed once. */
function readMachineIds(problems: ProblemList, value: unknown, path: string): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        problems.error(path, `expected a list of machine resource ids, got ${describe(value)}`);
        return [];
    }
    const ids: string[] = [];
    value.forEach((id, i) => {
        if (typeof id === "string" && MACHINE_ID.test(id)) ids.push(id.toLowerCase());
        else
            problems.error(
                `${path}[${i}]`,
                `${describe(id)} is not a machine resource id; give /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name> or .../Microsoft.HybridCompute/machines/<name>, as the gate lists them`,
            );
    });
    if (new Set(ids).size !== ids.length) problems.error(path, "lists a machine twice");
    return ids;
}

function readSubscriptionIds(problems: ProblemList, value: unknown): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        problems.error("rollout.remediationSubscriptionIds", `expected a list of subscription GUIDs, got ${describe(value)}`);
        return [];
    }
    const ids: string[] = [];
    value.forEach((id, i) => {
        if (typeof id === "string" && GUID.test(id)) ids.push(id.toLowerCase());
        else
            problems.error(
                `rollout.remediationSubscriptionIds[${i}]`,
                `${describe(id)} is not a subscription GUID (give the GUID, not /subscriptions/<id>)`,
            );
    });
    if (new Set(ids).size !== ids.length) problems.error("rollout.remediationSubscriptionIds", "lists a subscription twice");
    return ids;
}
