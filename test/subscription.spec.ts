import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted } from "../sdk";
import { runProgram } from "../sdk/preview/engine";
import { construct, inputs, MINIMAL, MODES, named, SUBSCRIPTION, waitsFor } from "./harness";

const P2_ALL_DEFAULTS = [
    { name: "MdeDesignatedSubscription", isEnabled: "False" },
    { name: "AgentlessVmScanning", isEnabled: "True" },
    { name: "FileIntegrityMonitoring", isEnabled: "False" },
];

for (const mode of MODES) {
    describe(`subscription protection, ${mode.label}`, () => {
        it("P2 by default: Standard pricing with agentless scanning on and FIM off", async () => {
            const run = await construct(MINIMAL, mode.preview);
            assert.deepEqual(inputs(named(run, "d-plan")), {
                scopeId: `/subscriptions/${SUBSCRIPTION}`,
                pricingName: "VirtualMachines",
                pricingTier: "Standard",
                subPlan: "P2",
                extensions: P2_ALL_DEFAULTS,
            });
        });

        it("P1 sends only the extension P1 has", async () => {
            const run = await construct({ ...MINIMAL, plan: { subPlan: "P1", mdeDesignatedSubscription: true } }, mode.preview);
            const plan = inputs(named(run, "d-plan"));
            assert.equal(plan.subPlan, "P1");
            assert.deepEqual(plan.extensions, [{ name: "MdeDesignatedSubscription", isEnabled: "True" }]);
        });

        it("P2 with every extension on, exclusion tags as the JSON string the API wants", async () => {
            const run = await construct(
                {
                    ...MINIMAL,
                    plan: {
                        subPlan: "P2",
                        agentlessScanning: true,
                        agentlessScanningExclusionTags: { scan: "no", tier: "sandbox" },
                        fileIntegrityMonitoring: true,
                        mdeDesignatedSubscription: true,
                    },
                },
                mode.preview,
            );
            assert.deepEqual(inputs(named(run, "d-plan")).extensions, [
                { name: "MdeDesignatedSubscription", isEnabled: "True" },
                {
                    name: "AgentlessVmScanning",
                    isEnabled: "True",
                    additionalExtensionProperties: { ExclusionTags: '[{"key":"scan","value":"no"},{"key":"tier","value":"sandbox"}]' },
                },
                { name: "FileIntegrityMonitoring", isEnabled: "True" },
            ]);
        });

        it("P2 with agentless scanning switched off says so explicitly", async () => {
            const run = await construct({ ...MINIMAL, plan: { agentlessScanning: false } }, mode.preview);
            assert.deepEqual(inputs(named(run, "d-plan")).extensions[1], { name: "AgentlessVmScanning", isEnabled: "False" });
        });

        it("MDE integration: unified solution and Linux first, then WDATP, after the plan", async () => {
            const run = await construct(MINIMAL, mode.preview);
            const deployment = named(run, "d-mde-integration");
            assert.equal(deployment.type, "azure-native:resources:DeploymentAtSubscriptionScope");
            const { location, properties } = inputs(deployment);
            assert.equal(location, "westeurope");
            assert.equal(properties.mode, "Incremental");
            const settings = properties.template.resources.map((r: any) => [r.type, r.apiVersion, r.kind, r.name, r.properties.enabled]);
            assert.deepEqual(settings, [
                ["Microsoft.Security/settings", "2022-05-01", "DataExportSettings", "WDATP_UNIFIED_SOLUTION", true],
                ["Microsoft.Security/settings", "2022-05-01", "DataExportSettings", "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", false],
                ["Microsoft.Security/settings", "2022-05-01", "DataExportSettings", "WDATP", true],
            ]);
            assert.equal(properties.template.resources[2].dependsOn.length, 2);
            assert.deepEqual(waitsFor(run, deployment), ["d-plan"]);
        });

        it("MDE integration can leave Linux out, or be left unmanaged", async () => {
            const noLinux = await construct({ ...MINIMAL, mdeIntegration: { includeLinux: false } }, mode.preview);
            const exclusion = inputs(named(noLinux, "d-mde-integration")).properties.template.resources[1];
            assert.deepEqual([exclusion.name, exclusion.properties.enabled], ["WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", true]);
            const unmanaged = await construct({ ...MINIMAL, mdeIntegration: { enabled: false } }, mode.preview);
            assert.ok(!unmanaged.resources.some((r) => r.name === "d-mde-integration"));
        });

        it("vulnerability assessment: MdeTvm only when asked", async () => {
            const without = await construct(MINIMAL, mode.preview);
            assert.ok(!without.resources.some((r) => r.type === "azure-native:security:AzureServersSetting"));
            const run = await construct({ ...MINIMAL, plan: { defenderVulnerabilityManagement: true } }, mode.preview);
            const setting = named(run, "d-vulnerability-assessment");
            assert.deepEqual(inputs(setting), {
                settingKind: "AzureServersSetting",
                kind: "AzureServersSetting",
                selectedProvider: "MdeTvm",
            });
            assert.deepEqual(waitsFor(run, setting), ["d-plan"]);
        });

        it("keeps protection on delete by default, and warns when told not to", async () => {
            const kept = await construct({ ...MINIMAL, plan: { defenderVulnerabilityManagement: true } }, mode.preview);
            for (const name of ["d-plan", "d-mde-integration", "d-vulnerability-assessment"]) {
                assert.equal(named(kept, name).retainOnDelete, true, name);
            }
            assert.deepEqual(kept.warnings, []);
            const dropped = await construct({ ...MINIMAL, retainProtectionOnDelete: false }, mode.preview);
            assert.equal(named(dropped, "d-plan").retainOnDelete, false);
            assert.equal(dropped.warnings.length, 1);
            assert.match(dropped.warnings[0], /^retainProtectionOnDelete: is false: .*Azure refuses to delete a subscription pricing/);
        });
    });
}

describe("the provider's subscription", () => {
    const program = () => {
        new DefenderForServersNetworkRestricted("d", MINIMAL);
    };
    const signedInTo = (subscriptionId: string) => ({ "azure-native:authorization:getClientConfig": { subscriptionId } });

    it("warns when the azure-native provider signs in to another subscription than subscriptionId", async () => {
        const run = await runProgram(program, { invokeResults: signedInTo("99999999-9999-9999-9999-999999999999") });
        assert.equal(run.warnings.length, 1);
        assert.match(
            run.warnings[0],
            /^subscriptionId: is 11111111-2222-3333-4444-555555555555, but the azure-native provider signs in to 99999999-/,
        );
    });

    it("says nothing when they agree (in any letter case)", async () => {
        const run = await runProgram(program, { invokeResults: signedInTo(SUBSCRIPTION.toUpperCase()) });
        assert.deepEqual(run.warnings, []);
    });
});
