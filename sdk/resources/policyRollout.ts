/**
 * Policy mode: the custom definitions as one initiative, assigned to the chosen scope with a
 * system-assigned identity, the few built-in roles that identity needs to remediate, and a
 * remediation task per definition for the machines that already exist. The number of
 * resources does not depend on the number of machines.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as policyinsights from "@pulumi/azure-native/policyinsights";
import { PolicyDefinitionSpec, rolesFor } from "../plan/policy";
import { NormalizedArgs } from "../validate";
import { RolloutScope } from "../validate/rollout";

function definition(parent: pulumi.Resource, name: string, scope: RolloutScope, spec: PolicyDefinitionSpec): pulumi.Output<string> {
    const args = {
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

/** A built-in role's id as seen from the scope (subscription for subscription and resource-group scopes). */
function roleDefinitionId(scope: RolloutScope, role: string): string {
    const at = scope.kind === "managementGroup" ? scope.id : `/subscriptions/${scope.subscriptionId}`;
    return `${at}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
}

function remediation(
    parent: pulumi.Resource,
    resourceName: string,
    scope: RolloutScope,
    assignmentId: pulumi.Input<string>,
    key: string,
    dependsOn: pulumi.Resource[],
): pulumi.Resource {
    const common = { policyAssignmentId: assignmentId, policyDefinitionReferenceId: key, resourceDiscoveryMode: "ReEvaluateCompliance" };
    const opts = { parent, dependsOn };
    if (scope.kind === "managementGroup") {
        return new policyinsights.RemediationAtManagementGroup(
            resourceName,
            // Discovery by re-evaluation is not offered at management-group scope.
            {
                ...common,
                resourceDiscoveryMode: "ExistingNonCompliant",
                managementGroupId: scope.managementGroupId,
                managementGroupsNamespace: "Microsoft.Management",
            },
            opts,
        );
    }
    if (scope.kind === "resourceGroup") {
        return new policyinsights.RemediationAtResourceGroup(resourceName, { ...common, resourceGroupName: scope.resourceGroupName }, opts);
    }
    return new policyinsights.RemediationAtSubscription(resourceName, common, opts);
}

/**
 * Declares the initiative, its assignment, roles and remediations; nothing when there is no
 * definition. Returns what MDE integration should wait for: the assignment, its roles and the
 * OS-proxy remediation tasks (created, not finished: policy works machine by machine).
 */
export function rollOutByPolicy(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    specs: PolicyDefinitionSpec[],
    dataCollectionRuleId: pulumi.Input<string> | undefined,
): pulumi.Resource[] {
    if (specs.length === 0) return [];
    const scope = args.rollout.scope;
    const usesRule = specs.some((spec) => spec.parameters?.dataCollectionRuleId !== undefined);
    const references = specs.map((spec) => ({
        policyDefinitionId: definition(parent, name, scope, spec),
        policyDefinitionReferenceId: spec.key,
        ...(spec.parameters?.dataCollectionRuleId !== undefined
            ? { parameters: { dataCollectionRuleId: { value: "[parameters('dataCollectionRuleId')]" } } }
            : {}),
    }));
    const setArgs = {
        policyType: "Custom",
        displayName: "Defender for Servers in a network-restricted environment (defender-servers)",
        description:
            "Agents with proxy settings, the operating-system proxy that MDE needs, and the Guest Configuration private-network tag.",
        metadata: { category: "Security Center", createdBy: "defender-servers" },
        parameters: usesRule ? { dataCollectionRuleId: { type: "String" } } : undefined,
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
            scope: scope.id,
            policyDefinitionId: initiative.id,
            displayName: "Defender for Servers, network-restricted (defender-servers)",
            identity: { type: "SystemAssigned" },
            location: args.location,
            parameters: usesRule ? { dataCollectionRuleId: { value: dataCollectionRuleId } } : undefined,
        },
        { parent },
    );
    const principalId = assignment.identity.apply((identity) => identity?.principalId ?? "");
    const roles = rolesFor(specs).map(
        (role) =>
            new authorization.RoleAssignment(
                `${name}-policy-role-${role}`,
                {
                    scope: scope.id,
                    roleDefinitionId: roleDefinitionId(scope, role),
                    principalId,
                    principalType: "ServicePrincipal",
                },
                { parent },
            ),
    );
    const waitFor: pulumi.Resource[] = [assignment, ...roles];
    if (!args.rollout.remediate) return waitFor;
    for (const spec of specs) {
        const task = remediation(parent, `${name}-policy-remediation-${spec.key}`, scope, assignment.id, spec.key, roles);
        if (spec.key.startsWith("os-proxy-")) waitFor.push(task);
    }
    return waitFor;
}
