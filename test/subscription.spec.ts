import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
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

        it("P2 with every extension it can set, exclusion tags as the JSON string the API wants, FIM switched off", async () => {
            const run = await construct(
                {
                    ...MINIMAL,
                    plan: {
                        subPlan: "P2",
                        agentlessScanning: true,
                        agentlessScanningExclusionTags: { scan: "no", tier: "sandbox" },
                        fileIntegrityMonitoring: false,
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
                { name: "FileIntegrityMonitoring", isEnabled: "False" },
            ]);
        });

        it("P2 with agentless scanning switched off says so explicitly", async () => {
            const run = await construct({ ...MINIMAL, plan: { agentlessScanning: false } }, mode.preview);
            assert.deepEqual(inputs(named(run, "d-plan")).extensions[1], { name: "AgentlessVmScanning", isEnabled: "False" });
        });

        it("MDE integration: WDATP first, its two sub-settings after it, and the plan after all of them", async () => {
            const run = await construct(MINIMAL, mode.preview);
            const deployment = named(run, "d-mde-integration");
            assert.equal(deployment.type, "azure-native:resources:DeploymentAtSubscriptionScope");
            const { location, properties } = inputs(deployment);
            assert.equal(location, "westeurope");
            assert.equal(properties.mode, "Incremental");
            const settings = properties.template.resources.map((r: any) => [r.type, r.apiVersion, r.kind, r.name, r.properties.enabled]);
            assert.deepEqual(settings, [
                ["Microsoft.Security/settings", "2022-05-01", "DataExportSettings", "WDATP", true],
                ["Microsoft.Security/settings", "2022-05-01", "DataExportSettings", "WDATP_UNIFIED_SOLUTION", true],
                ["Microsoft.Security/settings", "2022-05-01", "DataExportSettings", "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", false],
            ]);
            const wdatp = "[resourceId('Microsoft.Security/settings', 'WDATP')]";
            assert.equal(properties.template.resources[0].dependsOn, undefined);
            assert.deepEqual(properties.template.resources[1].dependsOn, [wdatp]);
            assert.deepEqual(properties.template.resources[2].dependsOn, [wdatp]);
            assert.deepEqual(waitsFor(run, named(run, "d-plan")), ["d-mde-integration"]);
            assert.deepEqual(waitsFor(run, deployment), []);
        });

        it("MDE integration can leave Linux out", async () => {
            const noLinux = await construct({ ...MINIMAL, mdeIntegration: { includeLinux: false } }, mode.preview);
            const exclusion = inputs(named(noLinux, "d-mde-integration")).properties.template.resources[2];
            assert.deepEqual([exclusion.name, exclusion.properties.enabled], ["WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", true]);
        });

        it("enabled: false writes WDATP off before the plan, which would otherwise integrate MDE by default", async () => {
            const off = await construct({ ...MINIMAL, mdeIntegration: { enabled: false, confirmSwitchOff: true } }, mode.preview);
            const deployment = named(off, "d-mde-integration");
            const written = inputs(deployment).properties.template.resources.map((r: any) => [r.name, r.properties.enabled]);
            assert.deepEqual(written, [["WDATP", false]]);
            assert.deepEqual(waitsFor(off, named(off, "d-plan")), ["d-mde-integration"]);
            assert.equal(inputs(deployment).tags, undefined, "no proxy gate: nothing is switched on");
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

describe("brownfield: the pricing PUT replaces the extension list", () => {
    const GET_PRICING = "azure-native:security:getPricing";
    const FIM_FROM_PORTAL = {
        name: "FileIntegrityMonitoring",
        isEnabled: "True",
        additionalExtensionProperties: {
            DefinedWorkspaceId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
        },
    };
    const current = (extensions: object[], subPlan = "P2") => ({ [GET_PRICING]: { pricingTier: "Standard", subPlan, extensions } });
    const planOf = async (args: DefenderForServersNetworkRestrictedArgs, invokeResults: Record<string, Record<string, unknown>>) => {
        const run = await runProgram(() => new DefenderForServersNetworkRestricted("d", args), { invokeResults });
        assert.deepEqual(run.errors, []);
        return { run, extensions: inputs(named(run, "d-plan")).extensions as any[] };
    };

    it("keeps what the portal switched on when the user left the field unset, with its workspace properties", async () => {
        const { run, extensions } = await planOf(
            MINIMAL,
            current([
                { name: "MdeDesignatedSubscription", isEnabled: "True" },
                { name: "AgentlessVmScanning", isEnabled: "False" },
                FIM_FROM_PORTAL,
            ]),
        );
        assert.deepEqual(extensions, [
            { name: "MdeDesignatedSubscription", isEnabled: "True" },
            { name: "AgentlessVmScanning", isEnabled: "False" },
            FIM_FROM_PORTAL,
        ]);
        assert.deepEqual(run.warnings, []);
    });

    it("switches off what the user set false, and warns, naming the extension", async () => {
        const { run, extensions } = await planOf(
            { ...MINIMAL, plan: { fileIntegrityMonitoring: false } },
            current([{ name: "AgentlessVmScanning", isEnabled: "True" }, FIM_FROM_PORTAL]),
        );
        assert.deepEqual(
            extensions.find((e) => e.name === "FileIntegrityMonitoring"),
            { name: "FileIntegrityMonitoring", isEnabled: "False" },
        );
        assert.equal(run.warnings.length, 1);
        assert.match(run.warnings[0], /^plan: switches off FileIntegrityMonitoring, on in the subscription now/);
    });

    it("keeps extensions it does not know on the same sub-plan, and drops Plan 2's when moving to Plan 1, with a warning", async () => {
        const future = { name: "SomeFutureExtension", isEnabled: "True" };
        const same = await planOf(MINIMAL, current([future]));
        assert.deepEqual(same.extensions.at(-1), future);
        const down = await planOf(
            { ...MINIMAL, plan: { subPlan: "P1" } },
            current([{ name: "AgentlessVmScanning", isEnabled: "True" }, future]),
        );
        assert.deepEqual(down.extensions, [{ name: "MdeDesignatedSubscription", isEnabled: "False" }]);
        assert.match(down.run.warnings.join("\n"), /switches off AgentlessVmScanning, SomeFutureExtension/);
    });

    it("a subscription still on the Free tier gets the defaults", async () => {
        const { extensions } = await planOf(MINIMAL, { [GET_PRICING]: { pricingTier: "Free", extensions: [FIM_FROM_PORTAL] } });
        assert.deepEqual(extensions, P2_ALL_DEFAULTS);
    });
});
