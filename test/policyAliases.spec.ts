/**
 * Every field policy mode's rules read is either a field every resource has or an alias in
 * Azure's published alias list (test/fixtures/policy-aliases.txt: Get-AzPolicyAlias output as
 * published at github.com/maciejporebski/azure-policy-aliases, 2026-08-22), for every option that
 * changes the rules. An alias outside the list is refused before any rule is built.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { alias, CONFIRMED_ALIASES } from "../sdk/plan/policyAliases";
import { PolicyRolloutInput, rolloutPolicies } from "../sdk/plan/policy";
import { CORP_PROXY } from "./fleet";

const PUBLISHED = new Set(
    fs
        .readFileSync(path.join(__dirname, "fixtures", "policy-aliases.txt"), "utf8")
        .split("\n")
        .filter((line) => line !== "" && !line.startsWith("#")),
);

/** Fields of the policy language itself (definition-structure-policy-rule.md): not aliases. */
const LANGUAGE_FIELDS = /^(type|name|location|kind|identity\.type|tags\['[^']+'\])$/;

function fieldsOf(value: unknown, found: string[] = []): string[] {
    if (Array.isArray(value)) value.forEach((v) => fieldsOf(v, found));
    else if (value !== null && typeof value === "object") {
        for (const [key, v] of Object.entries(value)) {
            if (key === "field" && typeof v === "string") found.push(v);
            // The deployment's template is ARM, not policy language.
            else if (key !== "deployment") fieldsOf(v, found);
        }
    }
    return found;
}

const PROXY = CORP_PROXY;
const VARIANTS: PolicyRolloutInput[] = [false, true].flatMap((dataCollectionEndpoint) => [
    {
        proxy: PROXY,
        bypass: [".corp.example"],
        arcBypass: [],
        azureMonitorAgent: true,
        dataCollectionEndpoint,
        guestConfigurationTag: true,
    },
    { proxy: undefined, bypass: [], arcBypass: [], azureMonitorAgent: true, dataCollectionEndpoint, guestConfigurationTag: false },
]);

describe("policy aliases: only those Azure publishes", () => {
    it("the published list holds the aliases it should (the fixture is the real dump, not a subset we chose)", () => {
        assert.ok(PUBLISHED.size > 600, `only ${PUBLISHED.size} aliases in the fixture`);
        // Known absent: Azure publishes no instance-view alias for VM run commands.
        assert.ok(!PUBLISHED.has("Microsoft.Compute/virtualMachines/runCommands/instanceView.exitCode"));
        assert.ok(PUBLISHED.has("Microsoft.HybridCompute/machines/runCommands/instanceView.exitCode"));
    });

    it("every alias the code confirms is in the published list", () => {
        const missing = CONFIRMED_ALIASES.filter((a) => !PUBLISHED.has(a));
        assert.deepEqual(missing, []);
    });

    it("every field of every rule, in every variant, is a language field or a published alias", () => {
        let checked = 0;
        for (const input of VARIANTS) {
            for (const definition of rolloutPolicies(input)) {
                for (const field of fieldsOf(definition.policyRule)) {
                    checked++;
                    assert.ok(
                        LANGUAGE_FIELDS.test(field) || PUBLISHED.has(field),
                        `${definition.key} reads ${field}, which Azure does not publish`,
                    );
                }
            }
        }
        assert.ok(checked > 50, `only ${checked} fields checked`);
    });

    it("refuses an alias Azure does not publish, saying so", () => {
        assert.throws(
            () => alias("Microsoft.Compute/virtualMachines/runCommands/instanceView.exitCode"),
            /policy alias Microsoft\.Compute\/virtualMachines\/runCommands\/instanceView\.exitCode is not in Azure's published alias list/,
        );
        assert.equal(
            alias("Microsoft.HybridCompute/machines/runCommands/instanceView.exitCode"),
            "Microsoft.HybridCompute/machines/runCommands/instanceView.exitCode",
        );
    });
});
