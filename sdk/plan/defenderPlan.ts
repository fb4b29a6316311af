/**
 * What Azure receives for the Defender for Servers plan (`Microsoft.Security/pricings`,
 * name `VirtualMachines`, API 2024-01-01) and the vulnerability assessment setting.
 */
import { NormalizedPlan } from "../validate/plan";

/** One entry of the pricing's `extensions`; `isEnabled` is the strings "True"/"False", as the API wants. */
export interface PlanExtension {
    name: "MdeDesignatedSubscription" | "AgentlessVmScanning" | "FileIntegrityMonitoring";
    isEnabled: "True" | "False";
    additionalExtensionProperties?: Record<string, string>;
}

/** The inputs of `security.Pricing` for the subscription's Defender for Servers plan. */
export interface PricingInputs {
    scopeId: string;
    pricingName: "VirtualMachines";
    pricingTier: "Standard";
    subPlan: "P1" | "P2";
    extensions: PlanExtension[];
}

const flag = (on: boolean): "True" | "False" => (on ? "True" : "False");

/** The plan's extensions: only those the sub-plan has, each stated explicitly so that drift shows in a preview. */
export function planExtensions(plan: NormalizedPlan): PlanExtension[] {
    const extensions: PlanExtension[] = [{ name: "MdeDesignatedSubscription", isEnabled: flag(plan.mdeDesignatedSubscription) }];
    if (plan.agentlessScanning !== undefined) {
        const scanning: PlanExtension = { name: "AgentlessVmScanning", isEnabled: flag(plan.agentlessScanning) };
        const tags = Object.entries(plan.agentlessScanningExclusionTags);
        if (plan.agentlessScanning && tags.length > 0) {
            // The API takes the exclusion list as a JSON *string* of {key, value} pairs.
            scanning.additionalExtensionProperties = {
                ExclusionTags: JSON.stringify(tags.map(([key, value]) => ({ key, value }))),
            };
        }
        extensions.push(scanning);
    }
    if (plan.fileIntegrityMonitoring !== undefined) {
        extensions.push({ name: "FileIntegrityMonitoring", isEnabled: flag(plan.fileIntegrityMonitoring) });
    }
    return extensions;
}

/** The full pricing inputs for a subscription. */
export function pricingInputs(subscriptionId: string, plan: NormalizedPlan): PricingInputs {
    return {
        scopeId: `/subscriptions/${subscriptionId}`,
        pricingName: "VirtualMachines",
        pricingTier: "Standard",
        subPlan: plan.subPlan,
        extensions: planExtensions(plan),
    };
}

/** Inputs of `security.AzureServersSetting` that select Defender Vulnerability Management. */
export const MDE_VULNERABILITY_MANAGEMENT = {
    settingKind: "AzureServersSetting",
    kind: "AzureServersSetting",
    selectedProvider: "MdeTvm",
} as const;
