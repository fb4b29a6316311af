/**
 * Microsoft's built-in policies, assigned with a system-assigned identity, the one role that
 * identity needs, and a remediation task for the machines that exist already (policy acts on
 * create and update only). The data comes from plan/builtInPolicies.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as policyinsights from "@pulumi/azure-native/policyinsights";
import {
    ARC_SCOPE_ASSOCIATION_POLICY,
    BuiltInAssignmentSpec,
    periodicAssessmentAssignments,
    systemAssignedIdentityAssignments,
} from "../plan/builtInPolicies";
import { machineResourceName, MachineResourceName, withAliases } from "../plan/machineNames";
import { autoNameFits, builtInNames, checkName, NAME_LIMITS, shortHash } from "../plan/policyNames";
import { machineResourceId } from "./machines";
import { NormalizedArgs } from "../validate";

/** Where an assignment's remediation runs: the subscription, or a resource (group or machine) by id. */
type RemediateAt = { subscription: true } | { resourceId: pulumi.Input<string> };

/**
 * An assignment at `scope`, its role there, and a remediation task that waits for the role. Every
 * Azure name is explicit (plan/policyNames.ts `builtInNames`): azure-native would otherwise make up
 * `<logical name>-<random>`, which a long component name or machine key pushes past 64 characters
 * (24 at a management group), and a role assignment's GUID is derived from the scope it acts on.
 */
function assign(
    parent: pulumi.Resource,
    resourceName: (what: "assignment" | "role" | "remediation") => MachineResourceName,
    componentName: string,
    args: NormalizedArgs,
    scope: { id: pulumi.Input<string> },
    spec: BuiltInAssignmentSpec,
    remediateAt: RemediateAt,
    notScopes: string[] = [],
): pulumi.Resource {
    const names = { assignment: resourceName("assignment"), role: resourceName("role"), remediation: resourceName("remediation") };
    // Named after the scope they act on (an Output only for a machine whose group is known at deployment).
    const azure = pulumi.output(scope.id).apply((id) => builtInNames(componentName, spec.key, id));
    // azure-native's own names are kept where they fit (a deployed stack then replaces nothing); a
    // logical name that would push them past 64 characters gets the explicit ones (such a stack never deployed).
    const explicit = !autoNameFits(names.assignment.name, NAME_LIMITS.definition);
    const assignment = new authorization.PolicyAssignment(
        names.assignment.name,
        {
            ...(explicit
                ? {
                      policyAssignmentName: azure.apply((n) =>
                          checkName(`builtInPolicies (${spec.key})`, n.assignment, NAME_LIMITS.assignment),
                      ),
                  }
                : {}),
            scope: scope.id,
            policyDefinitionId: spec.policyDefinitionId,
            displayName: spec.displayName,
            parameters: spec.parameters,
            identity: { type: "SystemAssigned" },
            location: args.location,
            ...(notScopes.length > 0 ? { notScopes } : {}),
        },
        withAliases({ parent }, names.assignment),
    );
    const role = new authorization.RoleAssignment(
        names.role.name,
        {
            ...(explicit ? { roleAssignmentName: azure.apply((n) => n.role(spec.role)) } : {}),
            scope: scope.id,
            roleDefinitionId: `/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${spec.role}`,
            principalId: assignment.identity.apply((identity) => identity?.principalId ?? ""),
            principalType: "ServicePrincipal",
        },
        withAliases({ parent }, names.role),
    );
    const common = {
        ...(explicit ? { remediationName: azure.apply((n) => n.remediation) } : {}),
        policyAssignmentId: assignment.id,
        resourceDiscoveryMode: "ReEvaluateCompliance",
    };
    return "subscription" in remediateAt
        ? new policyinsights.RemediationAtSubscription(
              names.remediation.name,
              common,
              withAliases({ parent, dependsOn: [role] }, names.remediation),
          )
        : new policyinsights.RemediationAtResource(
              names.remediation.name,
              { ...common, resourceId: remediateAt.resourceId },
              withAliases({ parent, dependsOn: [role] }, names.remediation),
          );
}

/**
 * The subscription-wide built-ins `builtInPolicies` asks for. Returns the identity remediation
 * tasks, which the VM extensions wait for: created, not finished (a remediation works VM by VM),
 * so a VM's AMA may start before its identity exists and sign in once it does.
 */
export function assignBuiltInPolicies(parent: pulumi.Resource, name: string, args: NormalizedArgs): pulumi.Resource[] {
    const id = `/subscriptions/${args.subscriptionId}`;
    const subscription = { id };
    const identity: pulumi.Resource[] = [];
    const logical = (key: string) => (what: string) => ({ name: `${name}-builtin-${key}-${what}` });
    if (args.builtInPolicies.addSystemAssignedIdentity) {
        for (const spec of systemAssignedIdentityAssignments()) {
            identity.push(assign(parent, logical(spec.key), name, args, subscription, spec, { subscription: true }));
        }
    }
    if (args.builtInPolicies.periodicUpdateAssessment) {
        for (const spec of periodicAssessmentAssignments()) {
            assign(parent, logical(spec.key), name, args, subscription, spec, { subscription: true });
        }
    }
    return identity;
}

function arcScopeSpec(scopeId: pulumi.Input<string>): BuiltInAssignmentSpec {
    return {
        key: "arc-scope",
        policyDefinitionId: ARC_SCOPE_ASSOCIATION_POLICY.policyDefinitionId,
        displayName: "Associate Arc machines with the Arc Private Link Scope (built-in, defender-servers)",
        parameters: ARC_SCOPE_ASSOCIATION_POLICY.parameters(scopeId),
        role: ARC_SCOPE_ASSOCIATION_POLICY.role,
    };
}

/** The components that already associated their Arc machines (once per component, whichever machine asks first). */
const associated = new WeakSet<pulumi.Resource>();

/**
 * Associates the listed `associateByPolicy` Arc machines with the scope through the built-in
 * modify policy, once per resource group rather than once per machine: each assignment brings a
 * role assignment, and a subscription holds at most 4,000 of them (azure-docs
 * role-based-access-control/troubleshoot-limits.md), which per-machine assignments used up near
 * 4,000 machines. The other listed Arc machines of the group are left out (`notScopes`), so a
 * machine listed `none` or `associated` is not touched; an unlisted Arc machine in the group is
 * associated too (docs/policy-mode.md). A machine whose group is known only at deployment keeps an
 * assignment of its own. Runs once per component; later calls do nothing.
 */
export function associateArcMachinesByPolicy(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    scopeId: pulumi.Input<string>,
): void {
    if (associated.has(parent)) return;
    associated.add(parent);
    const arc = args.machines.filter((m) => m.kind === "arc");
    const wanted = arc.filter((m) => m.arcPrivateLinkScope === "associateByPolicy");
    const groups = new Map<string, string>();
    for (const machine of wanted) {
        const id = machineResourceId(args.subscriptionId, machine);
        if (typeof machine.resourceGroupName === "string") {
            groups.set(
                machine.resourceGroupName.toLowerCase(),
                `/subscriptions/${args.subscriptionId}/resourceGroups/${machine.resourceGroupName}`,
            );
        } else {
            // The group is unknown until deployment: this machine alone, at its own scope.
            const named = (what: "assignment" | "role" | "remediation") => machineResourceName(name, `arc-scope-${what}`, machine);
            assign(parent, named, name, args, { id }, arcScopeSpec(scopeId), { resourceId: id });
        }
    }
    // The Arc machines each group's assignment leaves out, by lower-cased group, gathered in one pass
    // (a filter of the whole fleet per group grew with groups times machines).
    const leftOut = new Map<string, string[]>();
    for (const m of arc) {
        if (m.arcPrivateLinkScope === "associateByPolicy" || typeof m.resourceGroupName !== "string") continue;
        const key = m.resourceGroupName.toLowerCase();
        let ids = leftOut.get(key);
        if (ids === undefined) leftOut.set(key, (ids = []));
        ids.push(machineResourceId(args.subscriptionId, m) as string);
    }
    for (const [key, groupId] of groups) {
        const left = leftOut.get(key) ?? [];
        const scope = { id: groupId };
        assign(
            parent,
            (what) => ({ name: `${name}-arc-scope-${what}-rg-${key}` }),
            name,
            args,
            scope,
            arcScopeSpec(scopeId),
            { resourceId: groupId },
            left,
        );
    }
}

/**
 * Policy mode: associates every Arc machine under each of `scopes` (subscriptions or resource
 * groups, `rollout.associateArcMachinesAt`) with the Arc Private Link Scope, one assignment and one
 * role assignment per scope whatever the number of machines.
 */
export function associateArcScopesByPolicy(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    scopes: string[],
    scopeId: pulumi.Input<string>,
): pulumi.Resource[] {
    return scopes.map((scope) =>
        assign(
            parent,
            (what) => ({ name: `${name}-arc-scope-${what}-${shortHash([scope.toLowerCase()], 8)}` }),
            name,
            args,
            { id: scope },
            arcScopeSpec(scopeId),
            /^\/subscriptions\/[^/]+$/.test(scope) ? { subscription: true } : { resourceId: scope },
        ),
    );
}
