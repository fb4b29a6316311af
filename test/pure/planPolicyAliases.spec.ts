/**
 * The guard on policy aliases (sdk/plan/policyAliases.ts): a confirmed alias passes as it is, any
 * other is refused with a message naming it. The aliases used here are in Azure's published alias
 * list (Get-AzPolicyAlias output; /work/shared/azure-facts.md section 0, "policy aliases on run commands").
 */
import { strict as assert } from "node:assert";
import { CONFIRMED_ALIASES, alias } from "../../sdk/plan/policyAliases";

describe("policy aliases (sdk/plan/policyAliases.ts)", () => {
    it("returns a confirmed alias unchanged", () => {
        for (const name of [
            "Microsoft.HybridCompute/machines/runCommands/instanceView.executionState",
            "Microsoft.Compute/virtualMachines/extensions/type",
        ]) {
            assert.ok(CONFIRMED_ALIASES.includes(name), name);
            assert.equal(alias(name), name);
        }
    });

    it("refuses an alias that is not confirmed, naming it, and one that differs only in case", () => {
        for (const name of [
            "Microsoft.Compute/virtualMachines/runCommands/instanceView.executionState",
            "microsoft.compute/virtualmachines/extensions/type",
            "",
        ]) {
            assert.throws(
                () => alias(name),
                (e: Error) =>
                    e.message ===
                    `policy alias ${name} is not in Azure's published alias list as checked for defender-servers; no policy is built on it`,
                name,
            );
        }
    });
});
