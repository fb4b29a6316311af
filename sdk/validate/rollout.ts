/** Validation of `rollout`: per-machine or policy mode, and what policy mode cannot carry. */
import { describe, readBoolean, readChoice, readObject, rejectUnknownKeys } from "./fields";
import { NormalizedLogs } from "./logs";
import { NormalizedPrivateLink } from "./privateLink";
import { ProblemList } from "./problems";
import { NormalizedProxy } from "./proxy";

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
}

const SUBSCRIPTION = /^\/subscriptions\/([0-9a-fA-F-]{36})$/;
const RESOURCE_GROUP = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w.()]{1,90})$/;
const MANAGEMENT_GROUP = /^\/providers\/Microsoft\.Management\/managementGroups\/([-\w.()]{1,90})$/;

function parseScope(problems: ProblemList, value: unknown, subscriptionId: string | undefined): RolloutScope {
    const fallback: RolloutScope = { kind: "subscription", id: `/subscriptions/${subscriptionId}`, subscriptionId: subscriptionId ?? "" };
    if (value === undefined) return fallback;
    const text = typeof value === "string" ? value : "";
    let match = SUBSCRIPTION.exec(text);
    if (match) return { kind: "subscription", id: text, subscriptionId: match[1].toLowerCase() };
    match = RESOURCE_GROUP.exec(text);
    if (match) return { kind: "resourceGroup", id: text, subscriptionId: match[1].toLowerCase(), resourceGroupName: match[2] };
    match = MANAGEMENT_GROUP.exec(text);
    if (match) return { kind: "managementGroup", id: text, managementGroupId: match[1] };
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
    qualys: boolean;
}

/** Reads `rollout`; in policy mode, refuses anything that would put a secret into a policy. */
export function readRollout(problems: ProblemList, value: unknown, context: RolloutContext): NormalizedRollout {
    const fields = readObject(problems, value, "rollout") ?? {};
    rejectUnknownKeys(problems, fields, "rollout", ["mode", "scope", "remediate"]);
    const mode = readChoice(problems, fields.mode, "rollout.mode", ["machines", "policy"] as const, "machines");
    const scope = parseScope(problems, fields.scope, context.subscriptionId);
    if (scope.kind !== "managementGroup" && context.subscriptionId !== undefined && scope.subscriptionId !== context.subscriptionId) {
        // The definitions are created in the component's subscription; an assignment elsewhere could not see them.
        problems.error(
            "rollout.scope",
            `is in subscription ${scope.subscriptionId}, not ${context.subscriptionId}; assign within subscriptionId, or use a management group above both`,
        );
    }
    const remediate = readBoolean(problems, fields.remediate, "rollout.remediate", true);
    if (mode === "machines") {
        if (fields.scope !== undefined || fields.remediate !== undefined) {
            problems.error("rollout.scope", 'scope and remediate apply to policy mode only; set rollout.mode to "policy" or remove them');
        }
        return { mode, scope, remediate };
    }
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
    if (context.qualys) {
        problems.error(
            "qualys.enabled",
            'is per-machine only; use rollout.mode "machines" (or, better, Defender Vulnerability Management)',
        );
    }
    if (context.privateLink?.azureMonitor !== undefined) {
        problems.error(
            "privateLink.azureMonitor",
            'is not rolled out by policy yet (each machine also needs its configurationAccessEndpoint association); use rollout.mode "machines"',
        );
    }
    return { mode, scope, remediate };
}
