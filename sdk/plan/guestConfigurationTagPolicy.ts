/**
 * A safe way to put the Guest Configuration private-network tag on VMs this program does not
 * declare. `Microsoft.Resources/tags` (azure-native `TagAtScope`) replaces *every* tag on a
 * resource, wiping tags other teams own; an Azure Policy `modify` with `addOrReplace` touches
 * that one tag only, and keeps it there if someone removes it later.
 */
import { GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG } from "./agents";

/** Built-in role "Tag Contributor": manage tags without access to the resources themselves. */
export const TAG_CONTRIBUTOR_ROLE = "4a9ae827-6dc8-4573-8ac7-8239d42aa03f";

const [TAG_NAME, TAG_VALUE] = Object.entries(GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG)[0];

/** The custom policy definition: modify, for the listed VM ids only. */
export function guestConfigurationTagPolicy() {
    return {
        policyType: "Custom",
        mode: "Indexed",
        displayName: `Add the ${TAG_NAME} tag to listed VMs (defender-servers)`,
        description: `Adds ${TAG_NAME}=${TAG_VALUE} to the listed virtual machines so that Guest Configuration reaches Azure through 168.63.129.16 instead of a proxy. Only this tag is written; every other tag is left as it is.`,
        metadata: { category: "Guest Configuration", createdBy: "defender-servers" },
        parameters: {
            vmIds: { type: "Array", metadata: { displayName: "Virtual machine resource ids", description: "The VMs that get the tag." } },
        },
        policyRule: {
            if: {
                allOf: [
                    { field: "type", equals: "Microsoft.Compute/virtualMachines" },
                    { field: "id", in: "[parameters('vmIds')]" },
                    { field: `tags['${TAG_NAME}']`, notEquals: TAG_VALUE },
                ],
            },
            then: {
                effect: "modify",
                details: {
                    roleDefinitionIds: [`/providers/Microsoft.Authorization/roleDefinitions/${TAG_CONTRIBUTOR_ROLE}`],
                    operations: [{ operation: "addOrReplace", field: `tags['${TAG_NAME}']`, value: TAG_VALUE }],
                },
            },
        },
    };
}
