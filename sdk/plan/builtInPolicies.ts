/**
 * Microsoft's built-in policies the component assigns rather than rewrites, as plain data:
 * each definition id, the parameters of each assignment, and the role its identity needs to
 * remediate (the role the definition's `roleDefinitionIds` names). Ids and roles are read from
 * Azure/azure-policy (built-in-policies/policyDefinitions, snapshot of April 2026).
 */

/** Built-in roles the assignments' identities need. */
export const BUILT_IN_POLICY_ROLES = {
    /** Contributor: what the identity and the VM update-assessment modify policies name. */
    contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    /** Azure Connected Machine Resource Administrator: what the Arc modify policies name. */
    connectedMachineResourceAdministrator: "cd570a14-e51a-42ad-bac8-bafd67325302",
} as const;

/** One assignment of a built-in definition. */
export interface BuiltInAssignmentSpec {
    /** Logical-name suffix, stable. */
    key: string;
    /** `/providers/Microsoft.Authorization/policyDefinitions/<guid>`. */
    policyDefinitionId: string;
    displayName: string;
    /** Assignment parameters, `{ name: { value } }`. */
    parameters?: Record<string, { value: unknown }>;
    /** The role its managed identity needs at the assignment's scope. */
    role: string;
}

const definition = (guid: string) => `/providers/Microsoft.Authorization/policyDefinitions/${guid}`;

/**
 * "Add system-assigned managed identity to enable Guest Configuration assignments on virtual
 * machines with no identities" (3cf2ab00-..., `Guest Configuration/AddSystemIdentityWhenNone_Prerequisite.json`)
 * and "... on VMs with a user-assigned identity" (497dff13-..., `AddSystemIdentityWhenUser_Prerequisite.json`).
 * Both modify `identity.type`, need Contributor, and take no parameters: they cover every
 * supported VM in the scope.
 */
export function systemAssignedIdentityAssignments(): BuiltInAssignmentSpec[] {
    return [
        {
            key: "identity-none",
            policyDefinitionId: definition("3cf2ab00-13f1-4d0c-8971-2ac904541a7e"),
            displayName: "Add a system-assigned identity to VMs with no identity (built-in, defender-servers)",
            role: BUILT_IN_POLICY_ROLES.contributor,
        },
        {
            key: "identity-user",
            policyDefinitionId: definition("497dff13-db2a-4c0f-8603-28fa3b331ab6"),
            displayName: "Add a system-assigned identity to VMs with a user-assigned identity (built-in, defender-servers)",
            role: BUILT_IN_POLICY_ROLES.contributor,
        },
    ];
}

/**
 * Azure Update Manager periodic assessment, which Defender for Servers' system-updates
 * recommendations read: "Configure periodic checking for missing system updates on azure virtual
 * machines" (59efceea-..., `Azure Update Manager/AzUpdateMgmtCenter_CRP_AutoAssessmentMode_Modify.json`,
 * role Contributor) and "... on azure Arc-enabled servers" (bfea026e-..., `AzUpdateMgmtCenter_HCRP_AutoAssessmentMode_Modify.json`,
 * role Azure Connected Machine Resource Administrator). Each takes one `osType`, so there is one
 * assignment per kind and OS, with `assessmentMode: AutomaticByPlatform`.
 */
export function periodicAssessmentAssignments(): BuiltInAssignmentSpec[] {
    const kinds = [
        { kind: "vm", guid: "59efceea-0c96-497e-a4a1-4eb2290dac15", label: "Azure VMs", role: BUILT_IN_POLICY_ROLES.contributor },
        {
            kind: "arc",
            guid: "bfea026e-043f-4ff4-9d1b-bf301ca7ff46",
            label: "Arc-enabled servers",
            role: BUILT_IN_POLICY_ROLES.connectedMachineResourceAdministrator,
        },
    ];
    return kinds.flatMap(({ kind, guid, label, role }) =>
        (["Windows", "Linux"] as const).map((osType) => ({
            key: `updates-${kind}-${osType.toLowerCase()}`,
            policyDefinitionId: definition(guid),
            displayName: `Periodic update assessment, ${osType} ${label} (built-in, defender-servers)`,
            parameters: { osType: { value: osType }, assessmentMode: { value: "AutomaticByPlatform" } },
            role,
        })),
    );
}

/**
 * "Configure Azure Arc-enabled servers to use an Azure Arc Private Link Scope"
 * (a3461c8c-6c9d-4e42-a644-40ba8a1abf49, `Azure Arc/Arc_Server_PrivateLinkEnabled_Modify.json`):
 * sets `privateLinkScopeResourceId` on the machine. Assigned at one machine's own scope, so it
 * associates that machine and no other.
 */
export const ARC_SCOPE_ASSOCIATION_POLICY = {
    policyDefinitionId: definition("a3461c8c-6c9d-4e42-a644-40ba8a1abf49"),
    role: BUILT_IN_POLICY_ROLES.connectedMachineResourceAdministrator,
    parameters: (scopeId: unknown) => ({ privateLinkScopeId: { value: scopeId } }),
} as const;
