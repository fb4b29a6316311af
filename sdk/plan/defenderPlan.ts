/**
 * What Azure receives for the Defender for Servers plan (`Microsoft.Security/pricings`,
 * name `VirtualMachines`, API 2024-01-01), at subscription and at machine scope, and the
 * vulnerability assessment setting.
 */
import { NormalizedPlan, PlanExtensionName } from "../validate/plan";

/** One entry of the pricing's `extensions`; `isEnabled` is the strings "True"/"False", as the API wants. */
export interface PlanExtension {
    name: string;
    isEnabled: "True" | "False";
    additionalExtensionProperties?: Record<string, unknown>;
}

/** The inputs of `security.Pricing` for the subscription's Defender for Servers plan. */
export interface PricingInputs {
    scopeId: string;
    pricingName: "VirtualMachines";
    pricingTier: "Standard";
    subPlan: "P1" | "P2";
    extensions: PlanExtension[];
    /** `"True"` forbids per-machine plans below the subscription, `"False"` allows them; absent: not sent (Azure keeps what it has). */
    enforce?: "True" | "False";
}

/** What `security.getPricing` says the subscription has now: the fields the merge reads. */
export interface CurrentPricing {
    pricingTier?: string;
    subPlan?: string;
    /** `"True"` when the subscription's pricing forbids overrides below it. */
    enforce?: string;
    extensions?: Array<{ name: string; isEnabled: string; additionalExtensionProperties?: Record<string, unknown> }>;
}

/** The extensions to send, and the ones that will go from on to off. */
export interface PlannedExtensions {
    extensions: PlanExtension[];
    /** Extensions on in the subscription now that this PUT switches off. */
    switchedOff: string[];
}

const flag = (on: boolean): "True" | "False" => (on ? "True" : "False");
const isOn = (value: string | undefined): boolean => String(value).toLowerCase() === "true";

/** The extensions each sub-plan has (bicep-types-az `security/2024-01-01/types.md`; P2 only for the last two). */
const PLAN_EXTENSIONS: Record<"P1" | "P2", PlanExtensionName[]> = {
    P1: ["MdeDesignatedSubscription"],
    P2: ["MdeDesignatedSubscription", "AgentlessVmScanning", "FileIntegrityMonitoring"],
};
const KNOWN = new Set<string>(PLAN_EXTENSIONS.P2);

/** The extension as the user asked for it (or as the default has it). */
function requested(plan: NormalizedPlan, name: PlanExtensionName): PlanExtension {
    switch (name) {
        case "MdeDesignatedSubscription":
            return { name, isEnabled: flag(plan.mdeDesignatedSubscription) };
        case "AgentlessVmScanning": {
            const scanning: PlanExtension = { name, isEnabled: flag(plan.agentlessScanning === true) };
            const tags = Object.entries(plan.agentlessScanningExclusionTags);
            if (plan.agentlessScanning === true && tags.length > 0) {
                // The API takes the exclusion list as a JSON *string* of {key, value} pairs.
                scanning.additionalExtensionProperties = {
                    ExclusionTags: JSON.stringify(tags.map(([key, value]) => ({ key, value }))),
                };
            }
            return scanning;
        }
        case "FileIntegrityMonitoring":
            return { name, isEnabled: flag(plan.fileIntegrityMonitoring === true) };
    }
}

/**
 * The pricing PUT replaces the whole extension list, so an extension the user did not set must
 * be sent as the subscription has it now (a portal-enabled FIM keeps its workspace and rules),
 * and the defaults fill in only what the subscription does not have yet. Extensions the
 * component does not know are kept as they are while the sub-plan stays the same; a change of
 * sub-plan drops what the new one does not have.
 */
export function planExtensions(plan: NormalizedPlan, current?: CurrentPricing): PlannedExtensions {
    const samePlan = current?.pricingTier === "Standard" && current.subPlan === plan.subPlan;
    // A subscription not on Standard has no extensions to keep, whatever it lists.
    const listed = current?.pricingTier === "Standard" ? current.extensions : undefined;
    const now = new Map((listed ?? []).map((e) => [e.name, e]));
    const extensions: PlanExtension[] = PLAN_EXTENSIONS[plan.subPlan].map((name) => {
        const existing = now.get(name);
        if (plan.explicit.includes(name) || existing === undefined) return requested(plan, name);
        const kept: PlanExtension = { name, isEnabled: flag(isOn(existing.isEnabled)) };
        if (existing.additionalExtensionProperties !== undefined && existing.additionalExtensionProperties !== null) {
            kept.additionalExtensionProperties = existing.additionalExtensionProperties;
        }
        return kept;
    });
    if (samePlan) {
        const unknown = [...now.values()].filter((e) => !KNOWN.has(e.name)).sort((a, b) => a.name.localeCompare(b.name));
        for (const e of unknown) {
            const kept: PlanExtension = { name: e.name, isEnabled: flag(isOn(e.isEnabled)) };
            if (e.additionalExtensionProperties) kept.additionalExtensionProperties = e.additionalExtensionProperties;
            extensions.push(kept);
        }
    }
    const sent = new Map(extensions.map((e) => [e.name, e.isEnabled]));
    const switchedOff = [...now.values()].filter((e) => isOn(e.isEnabled) && sent.get(e.name) !== "True").map((e) => e.name);
    return { extensions, switchedOff };
}

/** The pricing inputs for a subscription, given what it has now (unknown: `undefined`). */
export function pricingInputs(subscriptionId: string, plan: NormalizedPlan, current?: CurrentPricing): PricingInputs {
    return {
        scopeId: `/subscriptions/${subscriptionId}`,
        pricingName: "VirtualMachines",
        pricingTier: "Standard",
        subPlan: plan.subPlan,
        extensions: planExtensions(plan, current).extensions,
        ...(plan.enforce === undefined ? {} : { enforce: flag(plan.enforce) }),
    };
}

/**
 * Why the machines' own plans cannot be written under the subscription's pricing as it is now,
 * or undefined when they can: `enforce: "True"` "prevents overrides and forces this pricing
 * configuration on all the descendants of this scope" (azure-rest-api-specs `Microsoft.Security`
 * pricings 2024-01-01). A `plan.enforce: false` this instance writes lands only with the
 * subscription's plan, after the `Free` machines' pricings, so it does not help them: refused too.
 */
export function enforcementConflict(current: CurrentPricing | undefined, machineKeys: string[]): string | undefined {
    if (machineKeys.length === 0 || !isOn(current?.enforce)) return undefined;
    return `machines[].defenderPlan: the subscription's Defender for Servers pricing has enforce: True, which forces its plan on every machine, so Azure refuses a machine's own plan (${machineKeys.join(", ")}). Set plan.enforce: false and remove defenderPlan for one pulumi up (or switch enforcement off in Defender for Cloud), then add defenderPlan back`;
}

/** A warning for each extension the PUT switches off, or none. */
export function switchOffWarning(switchedOff: string[]): string | undefined {
    if (switchedOff.length === 0) return undefined;
    return `plan: switches off ${switchedOff.join(", ")}, on in the subscription now (set in the portal or by another tool); leave the matching plan field unset to keep it as it is`;
}

/** Defender for Servers on one machine: `P1`, or `Free` to leave it out of the subscription's plan. */
export type MachinePlanTier = "P1" | "Free";

/**
 * Inputs of `security.Pricing` at a machine's scope. Microsoft's built-ins write exactly these
 * shapes for Azure VMs and Arc machines (Azure/azure-policy `built-in-policies/policyDefinitions/
 * Security Center - Granular Pricing/ASC_Azure_Defender_Servers_EnableP1_ResourceLevel_DINE.json`
 * and `..._Disable_ResourceLevel_DINE.json`, API 2024-01-01).
 */
export function machinePricingInputs<Id>(machineId: Id, tier: MachinePlanTier) {
    return tier === "P1"
        ? { scopeId: machineId, pricingName: "VirtualMachines", pricingTier: "Standard", subPlan: "P1" }
        : { scopeId: machineId, pricingName: "VirtualMachines", pricingTier: "Free" };
}

/** Inputs of `security.AzureServersSetting` that select Defender Vulnerability Management. */
export const MDE_VULNERABILITY_MANAGEMENT = {
    settingKind: "AzureServersSetting",
    kind: "AzureServersSetting",
    selectedProvider: "MdeTvm",
} as const;
