/**
 * `validate()`: the pure gate in front of the component. It reads the raw args (from any
 * language), applies defaults, and either returns normalized args plus soft warnings or
 * throws one `ValidationError` listing every problem with its path and fix.
 */
import { CLOUD_NAMES, CLOUD_RETIREMENTS, CloudName } from "../clouds";
import { readBoolean, readChoice, readObject, readRequiredString, rejectUnknownKeys } from "./fields";
import { Problem, ProblemList } from "./problems";
import { NormalizedPlan, readPlan } from "./plan";

export { Problem, ValidationError } from "./problems";

/** MDE integration after defaults. */
export interface NormalizedMdeIntegration {
    /** Whether the component manages the MDE integration settings at all. */
    enabled: boolean;
    /** Whether Linux machines get MDE too. */
    includeLinux: boolean;
}

/** The args after validation: every default applied, every choice narrowed. */
export interface NormalizedArgs {
    subscriptionId: string;
    location: string;
    cloud: CloudName;
    plan: NormalizedPlan;
    mdeIntegration: NormalizedMdeIntegration;
    retainProtectionOnDelete: boolean;
}

/** What `validate()` returns when the args are usable. */
export interface ValidationResult {
    /** The normalized args. */
    args: NormalizedArgs;
    /** Soft problems: the args work, but the user should know. */
    warnings: Problem[];
}

const TOP_LEVEL_FIELDS = ["subscriptionId", "location", "cloud", "plan", "mdeIntegration", "retainProtectionOnDelete"] as const;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Region names as ARM spells them: lower case, no spaces ("westeurope", "usgovvirginia", "chinanorth3").
const REGION = /^[a-z][a-z0-9]*$/;

/** Validates raw args and returns them normalized, or throws a `ValidationError` naming every bad field. */
export function validate(raw: unknown): ValidationResult {
    const problems = new ProblemList();
    if (raw === undefined || raw === null) {
        problems.error("args", "are required; pass at least subscriptionId and location");
        problems.throwIfAny();
    }
    const top = readObject(problems, raw, "args") ?? {};
    rejectUnknownKeys(problems, top, "", TOP_LEVEL_FIELDS);

    const subscriptionId = readSubscriptionId(problems, top.subscriptionId);
    const location = readLocation(problems, top.location, "location");
    const cloud = readChoice(problems, top.cloud, "cloud", CLOUD_NAMES, "AzureCloud");
    const retirement = CLOUD_RETIREMENTS[cloud];
    if (retirement !== undefined) problems.error("cloud", retirement);
    const plan = readPlan(problems, top.plan);
    const mdeIntegration = readMdeIntegration(problems, top.mdeIntegration);
    const retainProtectionOnDelete = readBoolean(problems, top.retainProtectionOnDelete, "retainProtectionOnDelete", true);
    if (!retainProtectionOnDelete) {
        problems.warn(
            "retainProtectionOnDelete",
            "is false: deleting this component resets Defender for Servers to the Free tier, which removes MDE, agentless scanning and every Plan 2 protection from the subscription",
        );
    }

    problems.throwIfAny();
    return {
        args: { subscriptionId: subscriptionId!, location: location!, cloud, plan, mdeIntegration, retainProtectionOnDelete },
        warnings: problems.warnings,
    };
}

function readSubscriptionId(problems: ProblemList, value: unknown): string | undefined {
    const hint = "give the subscription's GUID, e.g. 00000000-0000-0000-0000-000000000000";
    const text = readRequiredString(problems, value, "subscriptionId", hint);
    if (text === undefined) return undefined;
    if (text.startsWith("/subscriptions/")) {
        problems.error("subscriptionId", `"${text}" is a resource id; give only the GUID after /subscriptions/`);
        return undefined;
    }
    if (!GUID.test(text)) {
        problems.error("subscriptionId", `"${text}" is not a GUID; ${hint}`);
        return undefined;
    }
    return text.toLowerCase();
}

/** Reads an ARM region name; exported for the machine validators. */
export function readLocation(problems: ProblemList, value: unknown, path: string): string | undefined {
    const hint = 'give the region as ARM spells it, e.g. "westeurope"';
    const text = readRequiredString(problems, value, path, hint);
    if (text === undefined) return undefined;
    if (!REGION.test(text)) {
        const squashed = text.toLowerCase().replace(/[\s_-]+/g, "");
        const suggestion = REGION.test(squashed) ? `use "${squashed}"` : hint;
        problems.error(path, `"${text}" is not a region name; ${suggestion}`);
        return undefined;
    }
    return text;
}

function readMdeIntegration(problems: ProblemList, value: unknown): NormalizedMdeIntegration {
    const fields = readObject(problems, value, "mdeIntegration") ?? {};
    rejectUnknownKeys(problems, fields, "mdeIntegration", ["enabled", "includeLinux"]);
    const enabled = readBoolean(problems, fields.enabled, "mdeIntegration.enabled", true);
    const includeLinux = readBoolean(problems, fields.includeLinux, "mdeIntegration.includeLinux", true);
    if (!enabled && fields.includeLinux !== undefined) {
        problems.error(
            "mdeIntegration.includeLinux",
            "has no effect while mdeIntegration.enabled is false; remove it or turn the integration on",
        );
    }
    return { enabled, includeLinux };
}
