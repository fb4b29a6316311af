/**
 * The private-network tag on existing VMs, through a policy `modify` assignment: the definition,
 * its assignment with a managed identity, the one role that identity needs, and a remediation
 * task that tags the VMs that already exist.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as policyinsights from "@pulumi/azure-native/policyinsights";
import { guestConfigurationTagPolicy, TAG_CONTRIBUTOR_ROLE } from "../plan/guestConfigurationTagPolicy";
import { NormalizedArgs } from "../validate";

/** Declares the tag policy for the Azure VMs that get Guest Configuration; nothing when there are none. */
export function tagVmsForPrivateGuestConfiguration(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    vmIds: pulumi.Input<string>[],
): void {
    if (vmIds.length === 0) return;
    const subscription = `/subscriptions/${args.subscriptionId}`;
    const definition = new authorization.PolicyDefinition(`${name}-gc-tag-policy`, guestConfigurationTagPolicy(), { parent });
    const assignment = new authorization.PolicyAssignment(
        `${name}-gc-tag-assignment`,
        {
            scope: subscription,
            policyDefinitionId: definition.id,
            displayName: "Guest Configuration private-network tag (defender-servers)",
            parameters: { vmIds: { value: vmIds } },
            identity: { type: "SystemAssigned" },
            location: args.location,
        },
        { parent },
    );
    const role = new authorization.RoleAssignment(
        `${name}-gc-tag-role`,
        {
            scope: subscription,
            roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR_ROLE}`,
            principalId: assignment.identity.apply((identity) => identity?.principalId ?? ""),
            principalType: "ServicePrincipal",
        },
        { parent },
    );
    // Policy only acts on create and update; the remediation task tags the VMs that already exist.
    new policyinsights.RemediationAtSubscription(
        `${name}-gc-tag-remediation`,
        { policyAssignmentId: assignment.id, resourceDiscoveryMode: "ReEvaluateCompliance" },
        { parent, dependsOn: [role] },
    );
}
