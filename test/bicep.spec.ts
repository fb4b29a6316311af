/**
 * Every ARM template the component emits (each DeployIfNotExists deployment in the policy
 * definitions and the MDE integration deployment), decompiled and linted by Microsoft's Bicep
 * CLI: any error or warning (unknown property, wrong type, unknown API version, unused
 * parameter) fails. A broken fixture proves the check can fail; a missing CLI fails, never skips.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { bindStringScopes, bicepPath, checkWithBicep, EmittedTemplate, everyEmittedTemplate } from "./bicepCheck";

describe("Bicep, Microsoft's compiler, on every emitted ARM template", function () {
    // One decompile per template on a shared 2-core machine: allow for a slow, busy host.
    this.timeout(600_000);

    let templates: EmittedTemplate[];
    before(async () => {
        templates = await everyEmittedTemplate();
    });

    it("collects every template: twelve policy deployments and the MDE integration", () => {
        const labels = templates.map((t) => t.label).sort();
        assert.deepEqual(labels, [
            "d-mde-integration",
            "d-policy-ama-arc-linux",
            "d-policy-ama-arc-windows",
            "d-policy-ama-vm-linux",
            "d-policy-ama-vm-windows",
            "d-policy-dce-association-arc",
            "d-policy-dce-association-vm",
            "d-policy-dcr-association-arc",
            "d-policy-dcr-association-vm",
            "d-policy-os-proxy-arc-linux",
            "d-policy-os-proxy-arc-windows",
            "d-policy-os-proxy-vm-linux",
            "d-policy-os-proxy-vm-windows",
        ]);
    });

    it("finds no error and no warning in any of them", async () => {
        const findings = await checkWithBicep(templates);
        assert.deepEqual(
            findings.map((f) => `${f.label}: ${f.level} ${f.code}: ${f.message} [${f.line}]`),
            [],
        );
    });

    it("fails on a broken template: unknown property, wrong type, unknown API version", async () => {
        const broken = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "bicep", "broken-template.json"), "utf8"));
        const findings = await checkWithBicep([{ label: "broken", template: broken }]);
        const codes = findings.map((f) => f.code);
        // BCP037: not allowed; BCP089: not allowed, with a "did you mean" for a near miss.
        assert.ok(codes.includes("BCP037") || codes.includes("BCP089"), `unknown property not reported: ${codes.join(", ")}`);
        assert.ok(codes.includes("BCP036"), `wrong type not reported: ${codes.join(", ")}`);
        assert.ok(codes.includes("BCP081"), `unknown API version not reported: ${codes.join(", ")}`);
        assert.ok(findings.some((f) => f.line.includes("treatFailureAsDeploymentFailur")));
    });

    it("fails, never skips, when the Bicep CLI is missing, and says how to install it", () => {
        const saved = process.env.BICEP;
        process.env.BICEP = "/nonexistent/bicep";
        try {
            assert.throws(() => bicepPath(), /Bicep CLI is not installed .*bash tools\/install-test-tools\.sh/);
        } finally {
            if (saved === undefined) delete process.env.BICEP;
            else process.env.BICEP = saved;
        }
    });

    it("binds a string scope of a known parent to an existing resource, and leaves anything else alone", () => {
        const bicep = "resource a 'Microsoft.Insights/dataCollectionRuleAssociations@2022-06-01' = {\n  scope: 'Microsoft.HybridCompute/machines/${machineName}'\n  name: 'x'\n}\n";
        const bound = bindStringScopes(bicep);
        assert.match(bound, /^ {2}scope: scopeParent0$/m);
        assert.match(bound, /resource scopeParent0 'Microsoft\.HybridCompute\/machines@2025-06-01' existing = \{\n {2}name: machineName\n\}/);
        const other = "  scope: 'Microsoft.Storage/storageAccounts/${name}'\n";
        assert.equal(bindStringScopes(other), other);
    });
});
