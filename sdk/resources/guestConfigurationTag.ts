/**
 * The private-network tag on existing VMs, through a policy `modify` assignment: the definition,
 * one assignment per chunk of VM ids (each request body stays far below Azure's 1 MiB), each with
 * a managed identity, the one role that identity needs, and a remediation task that tags the VMs
 * that already exist.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as policyinsights from "@pulumi/azure-native/policyinsights";
import { chunkVmIds, guestConfigurationTagPolicy, TAG_CONTRIBUTOR_ROLE, VM_IDS_PER_ASSIGNMENT } from "../plan/guestConfigurationTagPolicy";
import { policyNames } from "../plan/policyNames";
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
    const names = policyNames(`${name}-gc-tag`, subscription);
    const spec = guestConfigurationTagPolicy();
    const definition = new authorization.PolicyDefinition(
        `${name}-gc-tag-policy`,
        { ...spec, policyDefinitionName: names.definition("gc-tag") },
        { parent },
    );
    chunkVmIds(vmIds).forEach((chunk, i) => {
        // The first chunk keeps the names a single assignment had, so small fleets see no change.
        const suffix = i === 0 ? "" : `-${i}`;
        const assignment = new authorization.PolicyAssignment(
            `${name}-gc-tag-assignment${suffix}`,
            {
                policyAssignmentName: `${names.assignment}${suffix}`,
                scope: subscription,
                policyDefinitionId: definition.id,
                displayName: `Guest Configuration private-network tag${suffix === "" ? "" : ` (part ${i + 1})`} (defender-servers)`,
                parameters: { vmIds: { value: chunk } },
                identity: { type: "SystemAssigned" },
                location: args.location,
            },
            { parent },
        );
        const role = new authorization.RoleAssignment(
            `${name}-gc-tag-role${suffix}`,
            {
                roleAssignmentName: names.roleAssignment(`${TAG_CONTRIBUTOR_ROLE}${suffix}`, subscription),
                scope: subscription,
                roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR_ROLE}`,
                principalId: assignment.identity.apply((identity) => identity?.principalId ?? ""),
                principalType: "ServicePrincipal",
            },
            { parent },
        );
        // Policy only acts on create and update; the remediation task tags the VMs that already exist.
        new policyinsights.RemediationAtSubscription(
            `${name}-gc-tag-remediation${suffix}`,
            {
                remediationName: names.remediation(`gc-tag${suffix}`, spec),
                policyAssignmentId: assignment.id,
                resourceDiscoveryMode: "ReEvaluateCompliance",
                // The chunk's capacity, not its length: a task cannot change, and adding a VM must not replace it.
                resourceCount: VM_IDS_PER_ASSIGNMENT,
            },
            { parent, dependsOn: [role] },
        );
    });
}
