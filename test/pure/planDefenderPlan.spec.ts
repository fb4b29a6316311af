/**
 * What Azure receives for the Defender for Servers plan (sdk/plan/defenderPlan.ts) and the MDE
 * integration settings (sdk/plan/mdeIntegration.ts), on plain data.
 * - Pricing: `Microsoft.Security/pricings` named `VirtualMachines`, tier `Standard`, sub-plan P1 or
 *   P2, `extensions[]` with `isEnabled` as the strings "True"/"False"; MdeDesignatedSubscription in
 *   both sub-plans, AgentlessVmScanning and FileIntegrityMonitoring in P2 only; the agentless
 *   exclusion tags as a JSON *string* of `{key, value}` pairs (bicep-types-az
 *   security/2024-01-01/types.md, via /work/shared/azure-facts.md section 1). `enforce: "True"`
 *   "prevents overrides" below the subscription (azure-rest-api-specs Microsoft.Security
 *   pricings.json 2024-01-01, azure-facts.md section 0).
 * - Per-machine pricing: Azure/azure-policy "Security Center - Granular Pricing"/
 *   ASC_Azure_Defender_Servers_EnableP1_ResourceLevel_DINE.json (Standard, P1) and
 *   ..._Disable_ResourceLevel_DINE.json (Free), API 2024-01-01.
 * - MDE integration: `Microsoft.Security/settings` API 2022-05-01, kind DataExportSettings, `WDATP`,
 *   `WDATP_UNIFIED_SOLUTION` and `WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW` (false = Linux included); the
 *   sub-settings need WDATP on (Security Center/MDC_MDE_WDATP_UNIFIED_DINE.json,
 *   MDC_MDE_WDATP_EXCLUDE_LINUX_DINE.json; azure-facts.md sections 0 and 1).
 * - The PUT replaces the whole extension list, so what the user did not set is sent as the
 *   subscription has it (the design in defenderPlan.ts's planExtensions).
 */
import { strict as assert } from "node:assert";
import {
    CurrentPricing,
    enforcementConflict,
    machinePricingInputs,
    MDE_VULNERABILITY_MANAGEMENT,
    planExtensions,
    pricingInputs,
    switchOffWarning,
} from "../../sdk/plan/defenderPlan";
import { mdeIntegrationTemplate } from "../../sdk/plan/mdeIntegration";
import { NormalizedPlan } from "../../sdk/validate/plan";
import { NormalizedMdeIntegration } from "../../sdk/validate";

const plan = (over: Partial<NormalizedPlan> = {}): NormalizedPlan => ({
    subPlan: "P2",
    explicit: [],
    agentlessScanning: undefined,
    agentlessScanningExclusionTags: {},
    fileIntegrityMonitoring: undefined,
    mdeDesignatedSubscription: false,
    defenderVulnerabilityManagement: true,
    ...over,
});
const standard = (subPlan: string, extensions: CurrentPricing["extensions"], enforce?: string): CurrentPricing => ({
    pricingTier: "Standard",
    subPlan,
    extensions,
    ...(enforce === undefined ? {} : { enforce }),
});

describe("plan: Defender for Servers pricing (sdk/plan/defenderPlan.ts)", () => {
    describe("planExtensions: the whole list the PUT sends, and what it switches off", () => {
        it("P1 on a new subscription: MdeDesignatedSubscription only, as asked", () => {
            assert.deepEqual(planExtensions(plan({ subPlan: "P1" })), {
                extensions: [{ name: "MdeDesignatedSubscription", isEnabled: "False" }],
                switchedOff: [],
            });
            assert.deepEqual(planExtensions(plan({ subPlan: "P1", mdeDesignatedSubscription: true })).extensions, [
                { name: "MdeDesignatedSubscription", isEnabled: "True" },
            ]);
        });

        it("P2 on a new subscription: the three extensions; agentless scanning carries its exclusion tags as a JSON string of key/value pairs", () => {
            assert.deepEqual(
                planExtensions(
                    plan({
                        agentlessScanning: true,
                        mdeDesignatedSubscription: true,
                        agentlessScanningExclusionTags: { env: "dev", team: "x" },
                    }),
                ),
                {
                    extensions: [
                        { name: "MdeDesignatedSubscription", isEnabled: "True" },
                        {
                            name: "AgentlessVmScanning",
                            isEnabled: "True",
                            additionalExtensionProperties: { ExclusionTags: '[{"key":"env","value":"dev"},{"key":"team","value":"x"}]' },
                        },
                        { name: "FileIntegrityMonitoring", isEnabled: "False" },
                    ],
                    switchedOff: [],
                },
            );
        });

        it("exclusion tags only go with agentless scanning on; unset extensions default to off, FIM to on only when asked", () => {
            const tags = { agentlessScanningExclusionTags: { env: "dev" } };
            assert.deepEqual(planExtensions(plan({ ...tags, agentlessScanning: false })).extensions[1], {
                name: "AgentlessVmScanning",
                isEnabled: "False",
            });
            assert.deepEqual(planExtensions(plan({ ...tags })).extensions[1], { name: "AgentlessVmScanning", isEnabled: "False" });
            assert.deepEqual(planExtensions(plan({ agentlessScanning: true })).extensions[1], {
                name: "AgentlessVmScanning",
                isEnabled: "True",
            });
            assert.deepEqual(planExtensions(plan({ fileIntegrityMonitoring: true })).extensions[2], {
                name: "FileIntegrityMonitoring",
                isEnabled: "True",
            });
        });

        it("same sub-plan: keeps what the user did not set as the subscription has it (with its properties), and the extensions it does not know, sorted", () => {
            const current = standard("P2", [
                { name: "ZzzPreview", isEnabled: "TRUE", additionalExtensionProperties: { a: 1 } },
                { name: "MdeDesignatedSubscription", isEnabled: "true" },
                { name: "AgentlessVmScanning", isEnabled: "False" },
                { name: "FileIntegrityMonitoring", isEnabled: "True", additionalExtensionProperties: { DefinedWorkspaceId: "/ws" } },
                { name: "AaaOther", isEnabled: "false" },
            ]);
            assert.deepEqual(planExtensions(plan({ explicit: ["AgentlessVmScanning"], agentlessScanning: true }), current), {
                extensions: [
                    { name: "MdeDesignatedSubscription", isEnabled: "True" },
                    { name: "AgentlessVmScanning", isEnabled: "True" },
                    { name: "FileIntegrityMonitoring", isEnabled: "True", additionalExtensionProperties: { DefinedWorkspaceId: "/ws" } },
                    { name: "AaaOther", isEnabled: "False" },
                    { name: "ZzzPreview", isEnabled: "True", additionalExtensionProperties: { a: 1 } },
                ],
                switchedOff: [],
            });
        });

        it("a setting the user made wins over the subscription's, and switching an extension off is reported", () => {
            const current = standard("P2", [
                { name: "MdeDesignatedSubscription", isEnabled: "False" },
                { name: "FileIntegrityMonitoring", isEnabled: "True", additionalExtensionProperties: { DefinedWorkspaceId: "/ws" } },
            ]);
            const planned = planExtensions(
                plan({
                    explicit: ["FileIntegrityMonitoring", "MdeDesignatedSubscription"],
                    fileIntegrityMonitoring: false,
                    mdeDesignatedSubscription: true,
                }),
                current,
            );
            assert.deepEqual(planned, {
                extensions: [
                    { name: "MdeDesignatedSubscription", isEnabled: "True" },
                    { name: "AgentlessVmScanning", isEnabled: "False" },
                    { name: "FileIntegrityMonitoring", isEnabled: "False" },
                ],
                switchedOff: ["FileIntegrityMonitoring"],
            });
        });

        it("properties Azure returns as null are not sent back", () => {
            const current = standard("P2", [
                {
                    name: "FileIntegrityMonitoring",
                    isEnabled: "False",
                    additionalExtensionProperties: null as unknown as Record<string, unknown>,
                },
                { name: "Preview", isEnabled: "False", additionalExtensionProperties: null as unknown as Record<string, unknown> },
            ]);
            const { extensions } = planExtensions(plan(), current);
            assert.deepEqual(extensions.slice(2), [
                { name: "FileIntegrityMonitoring", isEnabled: "False" },
                { name: "Preview", isEnabled: "False" },
            ]);
        });

        it("a change of sub-plan drops the extensions the component does not know and says which were on", () => {
            const current = standard("P1", [
                { name: "MdeDesignatedSubscription", isEnabled: "True" },
                { name: "ZzzPreview", isEnabled: "True" },
                { name: "OffPreview", isEnabled: "False" },
            ]);
            assert.deepEqual(planExtensions(plan(), current), {
                extensions: [
                    { name: "MdeDesignatedSubscription", isEnabled: "True" },
                    { name: "AgentlessVmScanning", isEnabled: "False" },
                    { name: "FileIntegrityMonitoring", isEnabled: "False" },
                ],
                switchedOff: ["ZzzPreview"],
            });
            // P2 down to P1: the P2-only extensions go, and the ones that were on are reported.
            const p2 = standard("P2", [
                { name: "AgentlessVmScanning", isEnabled: "True" },
                { name: "FileIntegrityMonitoring", isEnabled: "False" },
            ]);
            assert.deepEqual(planExtensions(plan({ subPlan: "P1" }), p2).switchedOff, ["AgentlessVmScanning"]);
        });

        it("a subscription on Free, or with no extensions listed, has nothing to keep: the defaults apply", () => {
            const free: CurrentPricing = {
                pricingTier: "Free",
                subPlan: "P2",
                extensions: [{ name: "AgentlessVmScanning", isEnabled: "True" }],
            };
            assert.deepEqual(planExtensions(plan(), free), planExtensions(plan()));
            assert.deepEqual(planExtensions(plan(), free).extensions[1], { name: "AgentlessVmScanning", isEnabled: "False" });
            // Standard with no extensions listed: the defaults, and nothing else.
            assert.deepEqual(planExtensions(plan(), { pricingTier: "Standard", subPlan: "P2" }), planExtensions(plan()));
            assert.equal(planExtensions(plan(), { pricingTier: "Standard", subPlan: "P2" }).extensions.length, 3);
        });
    });

    it("pricingInputs: the subscription's VirtualMachines pricing at Standard, enforce only when the user set it", () => {
        const extensions = [
            { name: "MdeDesignatedSubscription", isEnabled: "False" },
            { name: "AgentlessVmScanning", isEnabled: "False" },
            { name: "FileIntegrityMonitoring", isEnabled: "False" },
        ];
        const sub = "11111111-2222-3333-4444-555555555555";
        const inputs = pricingInputs(sub, plan());
        assert.deepEqual(inputs, {
            scopeId: `/subscriptions/${sub}`,
            pricingName: "VirtualMachines",
            pricingTier: "Standard",
            subPlan: "P2",
            extensions,
        });
        assert.ok(!("enforce" in inputs));
        assert.equal(pricingInputs(sub, plan({ enforce: true })).enforce, "True");
        assert.equal(pricingInputs(sub, plan({ enforce: false })).enforce, "False");
        // What the subscription has now is read.
        assert.deepEqual(pricingInputs(sub, plan(), standard("P2", [{ name: "AgentlessVmScanning", isEnabled: "True" }])).extensions[1], {
            name: "AgentlessVmScanning",
            isEnabled: "True",
        });
    });

    it("enforcementConflict: refuses machines' own plans under an enforced subscription pricing, naming the field, the machines and the fix", () => {
        assert.equal(enforcementConflict(undefined, ["vm-a"]), undefined);
        assert.equal(enforcementConflict({ enforce: "True" }, []), undefined);
        assert.equal(enforcementConflict({ enforce: "False" }, ["vm-a"]), undefined);
        assert.equal(enforcementConflict({}, ["vm-a"]), undefined);
        const message = enforcementConflict({ enforce: "true" }, ["vm-a", "arc-b"]);
        assert.ok(message !== undefined);
        assert.match(message, /^machines\[\]\.defenderPlan: /);
        assert.match(message, /enforce: True/);
        assert.match(message, /\(vm-a, arc-b\)/);
        assert.match(message, /Set plan\.enforce: false and remove defenderPlan for one pulumi up/);
    });

    it("switchOffWarning: names each extension switched off and how to keep it", () => {
        assert.equal(switchOffWarning([]), undefined);
        assert.equal(
            switchOffWarning(["FileIntegrityMonitoring", "AgentlessVmScanning"]),
            "plan: switches off FileIntegrityMonitoring, AgentlessVmScanning, on in the subscription now (set in the portal or by another tool); leave the matching plan field unset to keep it as it is",
        );
    });

    it("machinePricingInputs: P1 or Free at a machine's scope, as Microsoft's resource-level built-ins write them", () => {
        const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
        assert.deepEqual(machinePricingInputs(id, "P1"), {
            scopeId: id,
            pricingName: "VirtualMachines",
            pricingTier: "Standard",
            subPlan: "P1",
        });
        assert.deepEqual(machinePricingInputs(id, "Free"), { scopeId: id, pricingName: "VirtualMachines", pricingTier: "Free" });
    });

    it("Defender Vulnerability Management: the AzureServersSetting with provider MdeTvm (ASC_VulnerabilityAssessmentsSettings_DINE.json)", () => {
        assert.deepEqual(MDE_VULNERABILITY_MANAGEMENT, {
            settingKind: "AzureServersSetting",
            kind: "AzureServersSetting",
            selectedProvider: "MdeTvm",
        });
    });
});

describe("plan: MDE integration settings (sdk/plan/mdeIntegration.ts)", () => {
    const integration = (enabled: boolean, includeLinux: boolean) => ({ enabled, includeLinux }) as NormalizedMdeIntegration;
    const SCHEMA = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";
    const setting = (name: string, enabled: boolean, dependsOn?: string[]) => ({
        type: "Microsoft.Security/settings",
        apiVersion: "2022-05-01",
        name,
        kind: "DataExportSettings",
        properties: { enabled },
        ...(dependsOn === undefined ? {} : { dependsOn }),
    });
    const afterWdatp = ["[resourceId('Microsoft.Security/settings', 'WDATP')]"];

    it("on, Linux included: WDATP, then the unified solution and the Linux exclusion written false, both after WDATP", () => {
        assert.deepEqual(mdeIntegrationTemplate(integration(true, true)), {
            $schema: SCHEMA,
            contentVersion: "1.0.0.0",
            resources: [
                setting("WDATP", true),
                setting("WDATP_UNIFIED_SOLUTION", true, afterWdatp),
                setting("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", false, afterWdatp),
            ],
        });
    });

    it("on, Linux left out: the exclusion written true", () => {
        assert.deepEqual(
            mdeIntegrationTemplate(integration(true, false)).resources[2],
            setting("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", true, afterWdatp),
        );
    });

    it("off: WDATP alone, written false (the plan would otherwise switch MDE on)", () => {
        for (const includeLinux of [true, false]) {
            assert.deepEqual(mdeIntegrationTemplate(integration(false, includeLinux)), {
                $schema: SCHEMA,
                contentVersion: "1.0.0.0",
                resources: [setting("WDATP", false)],
            });
        }
    });
});
