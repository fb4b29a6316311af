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
import { NormalizedArgs } from "../validate";

/** An assignment at `scope`, its role there, and a remediation task that waits for the role. */
function assign(
    parent: pulumi.Resource,
    resourceName: (what: "assignment" | "role" | "remediation") => MachineResourceName,
    args: NormalizedArgs,
    scope: pulumi.Input<string>,
    spec: BuiltInAssignmentSpec,
    remediateAt: { subscription: true } | { resourceId: pulumi.Input<string> },
): pulumi.Resource {
    const names = { assignment: resourceName("assignment"), role: resourceName("role"), remediation: resourceName("remediation") };
    const assignment = new authorization.PolicyAssignment(
        names.assignment.name,
        {
            scope,
            policyDefinitionId: spec.policyDefinitionId,
            displayName: spec.displayName,
            parameters: spec.parameters,
            identity: { type: "SystemAssigned" },
            location: args.location,
        },
        withAliases({ parent }, names.assignment),
    );
    const role = new authorization.RoleAssignment(
        names.role.name,
        {
            scope,
            roleDefinitionId: `/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${spec.role}`,
            principalId: assignment.identity.apply((identity) => identity?.principalId ?? ""),
            principalType: "ServicePrincipal",
        },
        withAliases({ parent }, names.role),
    );
    const common = { policyAssignmentId: assignment.id, resourceDiscoveryMode: "ReEvaluateCompliance" };
    return "subscription" in remediateAt
        ? new policyinsights.RemediationAtSubscription(names.remediation.name, common, withAliases({ parent, dependsOn: [role] }, names.remediation))
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
    const subscription = `/subscriptions/${args.subscriptionId}`;
    const identity: pulumi.Resource[] = [];
    if (args.builtInPolicies.addSystemAssignedIdentity) {
        for (const spec of systemAssignedIdentityAssignments()) {
            identity.push(
                assign(parent, (what) => ({ name: `${name}-builtin-${spec.key}-${what}` }), args, subscription, spec, { subscription: true }),
            );
        }
    }
    if (args.builtInPolicies.periodicUpdateAssessment) {
        for (const spec of periodicAssessmentAssignments()) {
            assign(parent, (what) => ({ name: `${name}-builtin-${spec.key}-${what}` }), args, subscription, spec, { subscription: true });
        }
    }
    return identity;
}

/** Associates one Arc machine with the scope through the built-in modify policy, assigned at that machine only. */
export function associateArcMachineByPolicy(
    parent: pulumi.Resource,
    name: string,
    machine: { key: string; previousKey?: string },
    args: NormalizedArgs,
    machineId: pulumi.Input<string>,
    scopeId: pulumi.Input<string>,
): void {
    const spec: BuiltInAssignmentSpec = {
        key: "arc-scope",
        policyDefinitionId: ARC_SCOPE_ASSOCIATION_POLICY.policyDefinitionId,
        displayName: "Associate this Arc machine with the Arc Private Link Scope (built-in, defender-servers)",
        parameters: ARC_SCOPE_ASSOCIATION_POLICY.parameters(scopeId),
        role: ARC_SCOPE_ASSOCIATION_POLICY.role,
    };
    assign(parent, (what) => machineResourceName(name, `arc-scope-${what}`, machine), args, machineId, spec, { resourceId: machineId });
}
