/**
 * Microsoft's built-in policies the component assigns (sdk/plan/builtInPolicies.ts) and the
 * Guest Configuration tag policy for listed VMs (sdk/plan/guestConfigurationTagPolicy.ts).
 * Definition ids and roles as Azure/azure-policy names them (snapshot of 29 April 2026,
 * built-in-policies/policyDefinitions): Guest Configuration/AddSystemIdentityWhenNone_Prerequisite.json
 * (3cf2ab00-13f1-4d0c-8971-2ac904541a7e) and AddSystemIdentityWhenUser_Prerequisite.json
 * (497dff13-db2a-4c0f-8603-28fa3b331ab6), both Contributor b24988ac-...; Azure Update Manager/
 * AzUpdateMgmtCenter_CRP_AutoAssessmentMode_Modify.json (59efceea-0c96-497e-a4a1-4eb2290dac15,
 * Contributor in version 4.10.0) and AzUpdateMgmtCenter_HCRP_AutoAssessmentMode_Modify.json
 * (bfea026e-043f-4ff4-9d1b-bf301ca7ff46, Azure Connected Machine Resource Administrator cd570a14-...),
 * each with parameters `osType` (Windows, Linux) and `assessmentMode` (AutomaticByPlatform);
 * Azure Arc/Arc_Server_PrivateLinkEnabled_Modify.json (a3461c8c-6c9d-4e42-a644-40ba8a1abf49,
 * parameter `privateLinkScopeId`, cd570a14-...). A policy request body is at most 1 MiB
 * (azure-facts.md section 0).
 */
import { strict as assert } from "node:assert";
import {
    ARC_SCOPE_ASSOCIATION_POLICY,
    BUILT_IN_POLICY_ROLES,
    periodicAssessmentAssignments,
    systemAssignedIdentityAssignments,
} from "../../sdk/plan/builtInPolicies";
import {
    chunkVmIds,
    guestConfigurationTagPolicy,
    TAG_CONTRIBUTOR_ROLE,
    VM_IDS_PER_ASSIGNMENT,
} from "../../sdk/plan/guestConfigurationTagPolicy";

const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const ARC_ADMIN = "cd570a14-e51a-42ad-bac8-bafd67325302";
const definition = (guid: string) => `/providers/Microsoft.Authorization/policyDefinitions/${guid}`;

describe("plan: built-in policy assignments (sdk/plan/builtInPolicies.ts)", () => {
    it("the roles are Contributor and Azure Connected Machine Resource Administrator", () => {
        assert.deepEqual(BUILT_IN_POLICY_ROLES, { contributor: CONTRIBUTOR, connectedMachineResourceAdministrator: ARC_ADMIN });
    });

    it("a system-assigned identity for VMs with none and for VMs with only a user-assigned one, no parameters", () => {
        const assignments = systemAssignedIdentityAssignments();
        assert.deepEqual(
            assignments.map(({ key, policyDefinitionId, role, parameters }) => ({ key, policyDefinitionId, role, parameters })),
            [
                {
                    key: "identity-none",
                    policyDefinitionId: definition("3cf2ab00-13f1-4d0c-8971-2ac904541a7e"),
                    role: CONTRIBUTOR,
                    parameters: undefined,
                },
                {
                    key: "identity-user",
                    policyDefinitionId: definition("497dff13-db2a-4c0f-8603-28fa3b331ab6"),
                    role: CONTRIBUTOR,
                    parameters: undefined,
                },
            ],
        );
        assert.match(assignments[0].displayName, /^Add a system-assigned identity to VMs with no identity \(built-in, defender-servers\)$/);
        assert.match(
            assignments[1].displayName,
            /^Add a system-assigned identity to VMs with a user-assigned identity \(built-in, defender-servers\)$/,
        );
    });

    it("periodic update assessment: one assignment per kind and OS, AutomaticByPlatform", () => {
        const vm = definition("59efceea-0c96-497e-a4a1-4eb2290dac15");
        const arc = definition("bfea026e-043f-4ff4-9d1b-bf301ca7ff46");
        const parameters = (osType: string) => ({ osType: { value: osType }, assessmentMode: { value: "AutomaticByPlatform" } });
        assert.deepEqual(periodicAssessmentAssignments(), [
            {
                key: "updates-vm-windows",
                policyDefinitionId: vm,
                displayName: "Periodic update assessment, Windows Azure VMs (built-in, defender-servers)",
                parameters: parameters("Windows"),
                role: CONTRIBUTOR,
            },
            {
                key: "updates-vm-linux",
                policyDefinitionId: vm,
                displayName: "Periodic update assessment, Linux Azure VMs (built-in, defender-servers)",
                parameters: parameters("Linux"),
                role: CONTRIBUTOR,
            },
            {
                key: "updates-arc-windows",
                policyDefinitionId: arc,
                displayName: "Periodic update assessment, Windows Arc-enabled servers (built-in, defender-servers)",
                parameters: parameters("Windows"),
                role: ARC_ADMIN,
            },
            {
                key: "updates-arc-linux",
                policyDefinitionId: arc,
                displayName: "Periodic update assessment, Linux Arc-enabled servers (built-in, defender-servers)",
                parameters: parameters("Linux"),
                role: ARC_ADMIN,
            },
        ]);
    });

    it("the Arc Private Link Scope association takes the scope's id as privateLinkScopeId", () => {
        assert.equal(ARC_SCOPE_ASSOCIATION_POLICY.policyDefinitionId, definition("a3461c8c-6c9d-4e42-a644-40ba8a1abf49"));
        assert.equal(ARC_SCOPE_ASSOCIATION_POLICY.role, ARC_ADMIN);
        assert.deepEqual(ARC_SCOPE_ASSOCIATION_POLICY.parameters("/scope/id"), { privateLinkScopeId: { value: "/scope/id" } });
    });
});

describe("plan: Guest Configuration tag policy for listed VMs (sdk/plan/guestConfigurationTagPolicy.ts)", () => {
    it("the modify definition narrowed to the VM ids of parameter vmIds: one tag, added or replaced, conflicts audited", () => {
        const effect = {
            type: "String",
            metadata: { displayName: "Effect", description: "Enable or disable the execution of the policy." },
            allowedValues: ["Modify", "Disabled"],
            defaultValue: "Modify",
        };
        assert.equal(TAG_CONTRIBUTOR_ROLE, "4a9ae827-6dc8-4573-8ac7-8239d42aa03f");
        assert.deepEqual(guestConfigurationTagPolicy(), {
            policyType: "Custom",
            mode: "Indexed",
            displayName: "Add the EnablePrivateNetworkGC tag to listed virtual machines (defender-servers)",
            description:
                "Adds EnablePrivateNetworkGC=TRUE so that Guest Configuration reaches Azure through 168.63.129.16 instead of a proxy; no other tag is touched.",
            metadata: { category: "Guest Configuration", createdBy: "defender-servers" },
            parameters: {
                effect,
                vmIds: {
                    type: "Array",
                    metadata: { displayName: "Virtual machine resource ids", description: "The VMs that get the tag." },
                },
            },
            policyRule: {
                if: {
                    allOf: [
                        { field: "type", equals: "Microsoft.Compute/virtualMachines" },
                        { field: "id", in: "[parameters('vmIds')]" },
                        { field: "tags['EnablePrivateNetworkGC']", notEquals: "TRUE" },
                    ],
                },
                then: {
                    effect: "[parameters('effect')]",
                    details: {
                        roleDefinitionIds: [`/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR_ROLE}`],
                        conflictEffect: "audit",
                        operations: [{ operation: "addOrReplace", field: "tags['EnablePrivateNetworkGC']", value: "TRUE" }],
                    },
                },
            },
        });
    });

    it("chunkVmIds: in order, at most 2,000 ids a chunk by default (about half of the 1 MiB request limit); adding an id touches only the last chunk", () => {
        assert.equal(VM_IDS_PER_ASSIGNMENT, 2000);
        assert.deepEqual(chunkVmIds([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
        assert.deepEqual(chunkVmIds([1, 2, 3, 4], 2), [
            [1, 2],
            [3, 4],
        ]);
        assert.deepEqual(chunkVmIds([], 2), []);
        const ids = Array.from({ length: 4001 }, (_, i) => i);
        assert.deepEqual(
            chunkVmIds(ids).map((c) => c.length),
            [2000, 2000, 1],
        );
        assert.deepEqual(chunkVmIds(ids)[2], [4000]);
    });
});
