/**
 * `validate()`: the pure gate in front of the component. It reads the raw args (from any
 * language), applies defaults, and either returns normalized args plus soft warnings or
 * throws one `ValidationError` listing every problem with its path and fix.
 */
import { NormalizedArcGateway, readArcGateway } from "./arcGateway";
import { CLOUD_NAMES, CLOUD_RETIREMENTS, CloudName } from "../clouds";
import { GUID, readBoolean, readChoice, readObject, readRequiredString, rejectUnknownKeys } from "./fields";
import { MachinePlan, planFleet } from "./fleet";
import { readLocation } from "./location";
import { NormalizedLogs, readLogs } from "./logs";
import { readMachines } from "./machines";
import { NormalizedPrivateLink, readPrivateLink } from "./privateLink";
import { NormalizedProxy, readProxy } from "./proxy";
import { NormalizedRollout, readRollout } from "./rollout";
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
    proxy?: NormalizedProxy;
    airGapped: boolean;
    machines: MachinePlan[];
    logs?: NormalizedLogs;
    guestConfiguration: NormalizedGuestConfiguration;
    privateLink?: NormalizedPrivateLink;
    rollout: NormalizedRollout;
    arcGateway?: NormalizedArcGateway;
}

/** Guest Configuration after defaults. */
export interface NormalizedGuestConfiguration {
    /** Deploy the extension to Azure VMs. */
    enabled: boolean;
    /** Tag the listed VMs through a policy modify assignment. */
    tagExistingVms: boolean;
}

/** What `validate()` returns when the args are usable. */
export interface ValidationResult {
    /** The normalized args. */
    args: NormalizedArgs;
    /** Soft problems: the args work, but the user should know. */
    warnings: Problem[];
}

/** Every top-level field of the args. */
export const TOP_LEVEL_FIELDS = [
    "subscriptionId",
    "location",
    "cloud",
    "plan",
    "mdeIntegration",
    "retainProtectionOnDelete",
    "proxy",
    "airGapped",
    "machines",
    "logs",
    "guestConfiguration",
    "qualys",
    "privateLink",
    "rollout",
    "arcGateway",
] as const;

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
            "is false: deleting this component lets Pulumi try to delete the Defender for Servers plan and MDE integration; Azure refuses to delete a subscription pricing (set it to Free to turn protection off), so a destroy may fail",
        );
    }

    const proxy = readProxy(problems, top.proxy);
    const logs = readLogs(problems, top.logs, location);
    const airGapped = readBoolean(problems, top.airGapped, "airGapped", false);
    const guestConfiguration = readGuestConfiguration(problems, top.guestConfiguration);
    const qualys = readSwitch(problems, top.qualys, "qualys", false);
    const listed = readMachines(problems, top.machines, location);
    const privateLink = readPrivateLink(problems, top.privateLink, { cloud, location, machines: listed, logs });
    const machines = planFleet(problems, listed, {
        proxy,
        logs,
        guestConfiguration: guestConfiguration.enabled,
        tagExistingVms: guestConfiguration.tagExistingVms,
        qualys,
        mdeEnabled: mdeIntegration.enabled,
        mdeIncludesLinux: mdeIntegration.includeLinux,
        airGapped,
        plan,
    });

    const rollout = readRollout(problems, top.rollout, { subscriptionId, proxy, logs, privateLink, qualys });
    const arcGateway = readArcGateway(problems, top.arcGateway, { cloud, location, machines, privateLink, logs, rolloutMode: rollout.mode });

    problems.throwIfAny();
    return {
        args: {
            subscriptionId: subscriptionId!,
            location: location!,
            cloud,
            plan,
            mdeIntegration,
            retainProtectionOnDelete,
            proxy,
            airGapped,
            machines,
            logs,
            guestConfiguration,
            privateLink,
            rollout,
            arcGateway,
        },
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

function readGuestConfiguration(problems: ProblemList, value: unknown): NormalizedGuestConfiguration {
    const fields = readObject(problems, value, "guestConfiguration") ?? {};
    rejectUnknownKeys(problems, fields, "guestConfiguration", ["enabled", "tagExistingVms"]);
    const enabled = readBoolean(problems, fields.enabled, "guestConfiguration.enabled", true);
    const tagExistingVms = readBoolean(problems, fields.tagExistingVms, "guestConfiguration.tagExistingVms", false);
    if (!enabled && tagExistingVms) {
        problems.error("guestConfiguration.tagExistingVms", "only matters while guestConfiguration.enabled is true; remove it");
    }
    return { enabled, tagExistingVms };
}

/** Reads a `{ enabled }` settings object. */
function readSwitch(problems: ProblemList, value: unknown, path: string, fallback: boolean): boolean {
    const fields = readObject(problems, value, path) ?? {};
    rejectUnknownKeys(problems, fields, path, ["enabled"]);
    return readBoolean(problems, fields.enabled, `${path}.enabled`, fallback);
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
