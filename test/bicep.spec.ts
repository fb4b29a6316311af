/**
 * Every distinct ARM template the component can emit (each DeployIfNotExists deployment in the
 * policy definitions in every option that changes one, the MDE integration deployment, the Arc
 * gateway link), decompiled and linted by Microsoft's Bicep CLI with every linter rule on: any
 * error or warning (unknown property, wrong type, unknown or old API version, unused parameter),
 * and any decompile that exits non-zero for another reason than a string scope, fails. Planted
 * mistakes prove each part can fail; a missing CLI fails, never skips.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    bicepConfig,
    bindStringScopes,
    bicepPath,
    checkWithBicep,
    EmittedTemplate,
    everyEmittedTemplate,
    LINTER_RULES,
    onlyStringScopeErrors,
    RULES_OFF,
} from "./bicepCheck";

describe("Bicep, Microsoft's compiler, on every emitted ARM template", function () {
    // One decompile per template on a shared 2-core machine: allow for a slow, busy host.
    this.timeout(600_000);

    let templates: EmittedTemplate[];
    before(async () => {
        templates = await everyEmittedTemplate();
    });

    it("collects every distinct template: policy deployments in each option, both MDE integrations, the Arc gateway link", () => {
        const labels = templates.map((t) => t.label).sort();
        const policy = (key: string) => `d-policy-${key}`;
        const kinds = ["arc-linux", "arc-windows", "vm-linux", "vm-windows"];
        assert.deepEqual(
            labels,
            [
                "d-arc-gateway-link-arc-1",
                "d-mde-integration",
                "d-mde-integration@machines-arc-gateway",
                // AMA without the proxy (Azure Monitor Private Link) and the four proxy-bearing ones.
                ...kinds.flatMap((k) => [policy(`ama-${k}`), `${policy(`ama-${k}`)}@policy-proxy`]),
                policy("dce-association-arc"),
                policy("dce-association-vm"),
                policy("dcr-association-arc"),
                policy("dcr-association-vm"),
                // The OS proxy with the route check for two egress lists, and without it.
                ...kinds.flatMap((k) => [
                    policy(`os-proxy-${k}`),
                    `${policy(`os-proxy-${k}`)}@policy-no-route-check`,
                    `${policy(`os-proxy-${k}`)}@policy-proxy`,
                ]),
            ].sort(),
        );
        // The four proxy-bearing AMA templates carry the proxy; the Private Link ones do not.
        for (const k of kinds) {
            const settings = (label: string) =>
                JSON.stringify((templates.find((t) => t.label === label)!.template as any).resources[0].properties.settings);
            assert.match(settings(`${policy(`ama-${k}`)}@policy-proxy`), /proxy\.corp\.example:3128/);
            assert.doesNotMatch(settings(policy(`ama-${k}`)), /proxy\.corp\.example/);
        }
    });

    it("turns every linter rule on, leaving off only those it says why", () => {
        const config = JSON.parse(bicepConfig()).analyzers.core.rules as Record<string, { level: string }>;
        const off = Object.entries(config)
            .filter(([, v]) => v.level === "off")
            .map(([k]) => k)
            .sort();
        assert.deepEqual(off, Object.keys(RULES_OFF).sort());
        for (const rule of LINTER_RULES) assert.equal(config[rule].level, "warning", rule);
        assert.equal(config["use-recent-api-versions"].level, "warning", "off by default in Bicep, so it must be turned on");
    });

    it("fails a template whose API version use-recent-api-versions flags (a rule Bicep leaves off by default)", async () => {
        const old = {
            $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            contentVersion: "1.0.0.0",
            parameters: { machineName: { type: "string" } },
            resources: [
                {
                    type: "Microsoft.Insights/dataCollectionRuleAssociations",
                    apiVersion: "2022-06-01",
                    name: "defender-servers",
                    scope: "[concat('Microsoft.Compute/virtualMachines/', parameters('machineName'))]",
                    properties: {
                        dataCollectionRuleId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Insights/dataCollectionRules/d",
                    },
                },
            ],
        };
        const findings = await checkWithBicep([{ label: "old-api", template: old }]);
        assert.ok(
            findings.some((f) => f.code === "use-recent-api-versions"),
            findings.map((f) => f.code).join(", "),
        );
    });

    it("fails a decompile that exits non-zero for anything but a string scope, and accepts that one", async () => {
        const findings = await checkWithBicep([{ label: "not-a-template", template: { resources: "no" } as any }]);
        assert.ok(
            findings.some((f) => f.code.startsWith("decompile exit ")),
            findings.map((f) => `${f.code}: ${f.message}`).join("\n"),
        );
        const scopeLine = "  scope: 'Microsoft.Compute/virtualMachines/${machineName}'";
        const stderr =
            '/tmp/x.bicep(2,10) : Error BCP036: The property "scope" expected a value of type "resource | tenant" but the provided value is of type "string".';
        assert.equal(onlyStringScopeErrors(`resource a 'x@1' = {\n${scopeLine}\n}`, stderr), true);
        assert.equal(onlyStringScopeErrors(`resource a 'x@1' = {\n  name: 'x'\n}`, stderr), false);
        assert.equal(onlyStringScopeErrors(`resource a 'x@1' = {\n${scopeLine}\n}`, stderr.replace("BCP036", "BCP037")), false);
        assert.equal(onlyStringScopeErrors("", "no diagnostic at all"), false);
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
        const bicep =
            "resource a 'Microsoft.Insights/dataCollectionRuleAssociations@2022-06-01' = {\n  scope: 'Microsoft.HybridCompute/machines/${machineName}'\n  name: 'x'\n}\n";
        const bound = bindStringScopes(bicep);
        assert.match(bound, /^ {2}scope: scopeParent0$/m);
        assert.match(
            bound,
            /resource scopeParent0 'Microsoft\.HybridCompute\/machines@2025-06-01' existing = \{\n {2}name: machineName\n\}/,
        );
        const other = "  scope: 'Microsoft.Storage/storageAccounts/${name}'\n";
        assert.equal(bindStringScopes(other), other);
    });
});
