/**
 * A safe way to put the Guest Configuration private-network tag on VMs this program does not
 * declare. `Microsoft.Resources/tags` (azure-native `TagAtScope`) replaces *every* tag on a
 * resource, wiping tags other teams own; an Azure Policy `modify` with `addOrReplace` touches
 * that one tag only, and keeps it there if someone removes it later.
 *
 * The listed VMs' ids travel in an assignment parameter. Azure refuses a request body over
 * 1 MiB (azure-facts.md section 0, policy limits), which one assignment of every id reaches
 * at about 7,000 VMs; so the ids are split over assignments of at most `VM_IDS_PER_ASSIGNMENT`.
 */
import { guestConfigurationTagDefinition, ROLES } from "./policy";

/** Built-in role "Tag Contributor": manage tags without access to the resources themselves. */
export const TAG_CONTRIBUTOR_ROLE = ROLES.tagContributor;

/**
 * At most this many VM ids per assignment. A VM id is at most about 270 characters (resource
 * group names up to 90, VM names up to 64), so 2,000 ids stay near 0.55 MB, about half the
 * 1 MiB limit (test/policyRollout.spec.ts measures 10,000 VMs with the longest names).
 */
export const VM_IDS_PER_ASSIGNMENT = 2000;

/** The fleet-wide modify definition, narrowed to the VM ids given in parameter `vmIds`. */
export function guestConfigurationTagPolicy() {
    const { displayName, description, mode, policyRule, parameters } = guestConfigurationTagDefinition();
    const rule = policyRule as { if: { allOf: unknown[] }; then: unknown };
    return {
        policyType: "Custom",
        mode,
        displayName: displayName.replace("to virtual machines", "to listed virtual machines"),
        description,
        metadata: { category: "Guest Configuration", createdBy: "defender-servers" },
        parameters: {
            ...parameters,
            vmIds: { type: "Array", metadata: { displayName: "Virtual machine resource ids", description: "The VMs that get the tag." } },
        },
        policyRule: {
            if: { allOf: [rule.if.allOf[0], { field: "id", in: "[parameters('vmIds')]" }, ...rule.if.allOf.slice(1)] },
            then: rule.then,
        },
    };
}

/** The ids in machine order, cut into chunks of at most `size`; adding a machine at the end touches only the last chunk. */
export function chunkVmIds<T>(ids: T[], size = VM_IDS_PER_ASSIGNMENT): T[][] {
    const chunks: T[][] = [];
    for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
    return chunks;
}
