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
import { NormalizedArgs } from "../validate";

/** An assignment at `scope`, its role there, and a remediation task that waits for the role. */
function assign(
    parent: pulumi.Resource,
    resourceName: (what: string) => string,
    args: NormalizedArgs,
    scope: pulumi.Input<string>,
    spec: BuiltInAssignmentSpec,
    remediateAt: { subscription: true } | { resourceId: pulumi.Input<string> },
): pulumi.Resource {
    const assignment = new authorization.PolicyAssignment(
        resourceName("assignment"),
        {
            scope,
            policyDefinitionId: spec.policyDefinitionId,
            displayName: spec.displayName,
            parameters: spec.parameters,
            identity: { type: "SystemAssigned" },
            location: args.location,
        },
        { parent },
    );
    const role = new authorization.RoleAssignment(
        resourceName("role"),
        {
            scope,
            roleDefinitionId: `/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${spec.role}`,
            principalId: assignment.identity.apply((identity) => identity?.principalId ?? ""),
            principalType: "ServicePrincipal",
        },
        { parent },
    );
    const common = { policyAssignmentId: assignment.id, resourceDiscoveryMode: "ReEvaluateCompliance" };
    return "subscription" in remediateAt
        ? new policyinsights.RemediationAtSubscription(resourceName("remediation"), common, { parent, dependsOn: [role] })
        : new policyinsights.RemediationAtResource(
              resourceName("remediation"),
              { ...common, resourceId: remediateAt.resourceId },
              { parent, dependsOn: [role] },
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
                assign(parent, (what) => `${name}-builtin-${spec.key}-${what}`, args, subscription, spec, { subscription: true }),
            );
        }
    }
    if (args.builtInPolicies.periodicUpdateAssessment) {
        for (const spec of periodicAssessmentAssignments()) {
            assign(parent, (what) => `${name}-builtin-${spec.key}-${what}`, args, subscription, spec, { subscription: true });
        }
    }
    return identity;
}

/** Associates one Arc machine with the scope through the built-in modify policy, assigned at that machine only. */
export function associateArcMachineByPolicy(
    parent: pulumi.Resource,
    name: string,
    key: string,
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
    assign(parent, (what) => `${name}-arc-scope-${what}-${key}`, args, machineId, spec, { resourceId: machineId });
}
