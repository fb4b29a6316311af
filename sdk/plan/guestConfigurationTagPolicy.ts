/**
 * A safe way to put the Guest Configuration private-network tag on VMs this program does not
 * declare. `Microsoft.Resources/tags` (azure-native `TagAtScope`) replaces *every* tag on a
 * resource, wiping tags other teams own; an Azure Policy `modify` with `addOrReplace` touches
 * that one tag only, and keeps it there if someone removes it later.
 */
import { guestConfigurationTagDefinition, ROLES } from "./policy";

/** Built-in role "Tag Contributor": manage tags without access to the resources themselves. */
export const TAG_CONTRIBUTOR_ROLE = ROLES.tagContributor;

/** The fleet-wide modify definition, narrowed to the VM ids given in parameter `vmIds`. */
export function guestConfigurationTagPolicy() {
    const { displayName, description, mode, policyRule } = guestConfigurationTagDefinition();
    const rule = policyRule as { if: { allOf: unknown[] }; then: unknown };
    return {
        policyType: "Custom",
        mode,
        displayName: displayName.replace("to virtual machines", "to listed virtual machines"),
        description,
        metadata: { category: "Guest Configuration", createdBy: "defender-servers" },
        parameters: {
            vmIds: { type: "Array", metadata: { displayName: "Virtual machine resource ids", description: "The VMs that get the tag." } },
        },
        policyRule: {
            if: { allOf: [rule.if.allOf[0], { field: "id", in: "[parameters('vmIds')]" }, ...rule.if.allOf.slice(1)] },
            then: rule.then,
        },
    };
}
