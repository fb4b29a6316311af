/**
 * The Azure Policy aliases policy mode relies on, each confirmed in Azure's published alias list
 * (Get-AzPolicyAlias output, dumped daily at github.com/maciejporebski/azure-policy-aliases;
 * checked at commit 92a03715147cba9f2cb77d69ac913e84cc7c47d1, 2026-08-22; the Arc run-command
 * instance-view aliases appear there from 2025-02-21). A rule may use no other alias:
 * {@link alias} refuses one that is not listed here, and test/policyAliases.spec.ts checks every
 * field of every definition against the published list (test/fixtures/policy-aliases.txt).
 */

/** Confirmed aliases, by the resource type they read. */
const CONFIRMED = [
    // aliases/Microsoft.Compute/virtualMachines.md
    "Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType",
    // aliases/Microsoft.Compute/virtualMachines-extensions.md
    "Microsoft.Compute/virtualMachines/extensions/type",
    "Microsoft.Compute/virtualMachines/extensions/publisher",
    "Microsoft.Compute/virtualMachines/extensions/provisioningState",
    // aliases/Microsoft.Compute/virtualMachines-runCommands.md: no instanceView alias exists for VM run
    // commands, so a VM's script result is read through provisioningState, which is Failed when the
    // script fails if treatFailureAsDeploymentFailure is true (Compute REST model
    // VirtualMachineRunCommandProperties.provisioningState; learn.microsoft.com .NET/JS reference).
    "Microsoft.Compute/virtualMachines/runCommands/provisioningState",
    "Microsoft.Compute/virtualMachines/runCommands/treatFailureAsDeploymentFailure",
    // aliases/Microsoft.HybridCompute/machines.md
    "Microsoft.HybridCompute/machines/osName",
    // aliases/Microsoft.HybridCompute/machines-extensions.md
    "Microsoft.HybridCompute/machines/extensions/type",
    "Microsoft.HybridCompute/machines/extensions/publisher",
    "Microsoft.HybridCompute/machines/extensions/provisioningState",
    // aliases/Microsoft.HybridCompute/machines-runcommands.md: an Arc run command's provisioningState is
    // Succeeded whatever the script did; the instance view carries the script's outcome
    // (MachineRunCommandInstanceView.executionState: Canceled, Failed, Pending, Running, Succeeded,
    // TimedOut, Unknown; exitCode: bicep-types-az generated/hybridcompute/microsoft.hybridcompute/2025-06-01/types.md).
    "Microsoft.HybridCompute/machines/runCommands/provisioningState",
    "Microsoft.HybridCompute/machines/runCommands/instanceView.executionState",
    "Microsoft.HybridCompute/machines/runCommands/instanceView.exitCode",
    // aliases/microsoft.insights/dataCollectionRuleAssociations.md
    "Microsoft.Insights/dataCollectionRuleAssociations/dataCollectionRuleId",
    "Microsoft.Insights/dataCollectionRuleAssociations/dataCollectionEndpointId",
] as const;

/** An alias policy mode may use. */
export type ConfirmedAlias = (typeof CONFIRMED)[number];

/** Every confirmed alias (for checks). */
export const CONFIRMED_ALIASES: readonly string[] = CONFIRMED;

/** `name`, if it is a confirmed alias; otherwise an error that says so (no rule is built on an unconfirmed alias). */
export function alias(name: string): ConfirmedAlias {
    if (!(CONFIRMED as readonly string[]).includes(name)) {
        throw new Error(
            `policy alias ${name} is not in Azure's published alias list as checked for defender-servers; no policy is built on it`,
        );
    }
    return name as ConfirmedAlias;
}
