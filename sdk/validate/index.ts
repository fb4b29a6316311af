/**
 * `validate()`: the pure gate in front of the component. It reads the raw args (from any
 * language), applies defaults, and either returns normalized args plus soft warnings or
 * throws one `ValidationError` listing every problem with its path and fix.
 */
import { NormalizedArcGateway, readArcGateway } from "./arcGateway";
import { CLOUD_NAMES, CLOUD_RETIREMENTS, CloudName } from "../clouds";
import { NormalizedBuiltInPolicies, readBuiltInPolicies } from "./builtInPolicies";
import { GUID, readBoolean, readChoice, readObject, readRequiredString, rejectUnknownKeys } from "./fields";
import { MachinePlan, planFleet } from "./fleet";
import { checkSubscriptionWideEffects, checkSwitchOffConfirmed } from "./subscriptionWide";
import { readLocation } from "./location";
import { NormalizedLogs, readLogs } from "./logs";
import { checkMachinePlans } from "./machinePlans";
import { readMachines } from "./machines";
import { NormalizedPrivateLink, readPrivateLink } from "./privateLink";
import { NormalizedProxy, readProxy } from "./proxy";
import { NormalizedRollout, readRollout } from "./rollout";
import { Problem, ProblemList } from "./problems";
import { NormalizedPlan, readPlan } from "./plan";
import {
    MDE_CONNECTIVITY_FIELDS,
    NormalizedAzureFirewall,
    NormalizedMdeConnectivity,
    readAzureFirewall,
    readMdeConnectivity,
} from "./egress";

export { Problem, ValidationError } from "./problems";

/** MDE integration after defaults. */
export interface NormalizedMdeIntegration extends NormalizedMdeConnectivity {
    /** Whether MDE integration is on (`WDATP` written `true`) or kept off (written `false`). */
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
    /** Whether this instance writes the subscription's plan and MDE settings, or only prepares its machines. */
    ownsSubscriptionSettings: boolean;
    proxy?: NormalizedProxy;
    airGapped: boolean;
    machines: MachinePlan[];
    logs?: NormalizedLogs;
    guestConfiguration: NormalizedGuestConfiguration;
    privateLink?: NormalizedPrivateLink;
    rollout: NormalizedRollout;
    /** The Azure Firewall policy to add the egress rules to, when asked. */
    azureFirewall?: NormalizedAzureFirewall;
    builtInPolicies: NormalizedBuiltInPolicies;
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
    "ownsSubscriptionSettings",
    "proxy",
    "airGapped",
    "machines",
    "logs",
    "guestConfiguration",
    "qualys",
    "privateLink",
    "rollout",
    "azureFirewall",
    "builtInPolicies",
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
    const cloud = readChoice(problems, top.cloud, "cloud", CLOUD_NAMES, "AzureCloud");
    const location = readLocation(problems, top.location, "location", cloud);
    const retirement = CLOUD_RETIREMENTS[cloud];
    if (retirement !== undefined) problems.error("cloud", retirement);
    const plan = readPlan(problems, top.plan);
    const airGapped = readBoolean(problems, top.airGapped, "airGapped", false);
    const mdeIntegration = readMdeIntegration(problems, top.mdeIntegration, airGapped, cloud);
    const ownsSubscriptionSettings = readBoolean(problems, top.ownsSubscriptionSettings, "ownsSubscriptionSettings", true);
    if (!ownsSubscriptionSettings) checkPreparerOnly(problems, top);
    const retainProtectionOnDelete = readBoolean(problems, top.retainProtectionOnDelete, "retainProtectionOnDelete", true);
    if (!retainProtectionOnDelete) {
        problems.warn(
            "retainProtectionOnDelete",
            "is false: deleting this component lets Pulumi try to delete the Defender for Servers plan and MDE integration; Azure refuses to delete a subscription pricing (set it to Free to turn protection off), so a destroy may fail",
        );
    }

    const proxy = readProxy(problems, top.proxy);
    const azureMonitorPrivateLink = (top.privateLink as { azureMonitor?: unknown } | undefined)?.azureMonitor !== undefined;
    const logs = readLogs(problems, top.logs, location, subscriptionId, azureMonitorPrivateLink, cloud);
    const guestConfiguration = readGuestConfiguration(problems, top.guestConfiguration);
    checkRetiredQualys(problems, top.qualys);
    const builtInPolicies = readBuiltInPolicies(problems, top.builtInPolicies);
    const listed = readMachines(problems, top.machines, location, cloud);
    const privateLink = readPrivateLink(problems, top.privateLink, { cloud, location, machines: listed, logs });
    const machines = planFleet(problems, listed, {
        proxy,
        logs,
        guestConfiguration: guestConfiguration.enabled,
        tagExistingVms: guestConfiguration.tagExistingVms,
        mdeEnabled: mdeIntegration.enabled,
        mdeIncludesLinux: mdeIntegration.includeLinux,
        airGapped,
        plan,
        addSystemAssignedIdentity: builtInPolicies.addSystemAssignedIdentity,
        // In policy mode the listed machines only inform the egress list: nothing is deployed to them one by one.
        perMachine: (top.rollout as { mode?: unknown } | undefined)?.mode !== "policy",
        arcScope: privateLink?.arc,
    });

    const rollout = readRollout(problems, top.rollout, { subscriptionId, proxy, logs, privateLink, machineCount: listed.length });
    checkMachinePlans(problems, listed, {
        ownsSubscriptionSettings,
        subPlan: plan.subPlan,
        rolloutMode: rollout.mode,
        enforce: plan.enforce,
    });
    checkSubscriptionWideEffects(problems, {
        proxy,
        machines,
        rolloutMode: rollout.mode,
        ownsSubscriptionSettings,
        mdeIntegration,
        subscriptionId,
    });
    const azureFirewall = readAzureFirewall(problems, top.azureFirewall, { subscriptionId, airGapped });
    const arcGateway = readArcGateway(problems, top.arcGateway, {
        cloud,
        location,
        machines,
        privateLink,
        logs,
        rolloutMode: rollout.mode,
    });

    problems.throwIfAny();
    return {
        args: {
            subscriptionId: subscriptionId!,
            location: location!,
            cloud,
            plan,
            mdeIntegration,
            retainProtectionOnDelete,
            ownsSubscriptionSettings,
            proxy,
            airGapped,
            machines,
            logs,
            guestConfiguration,
            privateLink,
            rollout,
            azureFirewall,
            builtInPolicies,
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

/**
 * The built-in Qualys assessment was retired on 1 May 2024 (defender-docs release notes archive,
 * `how-to-transition-to-built-in.md`): nothing would install the agent the proxy script waited
 * for, so the feature is gone. `enabled: true` is refused with the replacement; anything else is warned about.
 */
function checkRetiredQualys(problems: ProblemList, value: unknown): void {
    if (value === undefined) return;
    const fields = readObject(problems, value, "qualys") ?? {};
    rejectUnknownKeys(problems, fields, "qualys", ["enabled"]);
    if (readBoolean(problems, fields.enabled, "qualys.enabled", false)) {
        problems.error(
            "qualys.enabled",
            "the built-in Qualys vulnerability assessment was retired on 1 May 2024 and Defender no longer installs its agent; remove qualys and set plan.defenderVulnerabilityManagement: true (Defender Vulnerability Management, MdeTvm)",
        );
    } else {
        problems.warn("qualys", "the Qualys feature was removed (the built-in assessment was retired on 1 May 2024); remove this field");
    }
}

/** The fields an instance that only prepares machines must leave to the instance that owns the subscription settings. */
const OWNER_ONLY_FIELDS = ["plan", "mdeIntegration", "airGapped", "retainProtectionOnDelete"] as const;

function checkPreparerOnly(problems: ProblemList, top: Record<string, unknown>): void {
    for (const field of OWNER_ONLY_FIELDS) {
        if (top[field] !== undefined) {
            problems.error(
                field,
                "is set on an instance with ownsSubscriptionSettings: false; set it on the one instance that owns the subscription's plan and MDE settings",
            );
        }
    }
}

function readMdeIntegration(problems: ProblemList, value: unknown, airGapped: boolean, cloud: CloudName): NormalizedMdeIntegration {
    const fields = readObject(problems, value, "mdeIntegration") ?? {};
    rejectUnknownKeys(problems, fields, "mdeIntegration", ["enabled", "includeLinux", "confirmSwitchOff", ...MDE_CONNECTIVITY_FIELDS]);
    const asked = readBoolean(problems, fields.enabled, "mdeIntegration.enabled");
    if (airGapped && asked === true) {
        problems.error(
            "mdeIntegration.enabled",
            "is true on an air-gapped subscription: MDE cannot reach its cloud; remove it (air-gapped keeps MDE off)",
        );
    }
    // Air-gapped machines cannot onboard: the plan would deploy an MDE extension that only fails.
    const enabled = asked ?? !airGapped;
    checkSwitchOffConfirmed(problems, asked, readBoolean(problems, fields.confirmSwitchOff, "mdeIntegration.confirmSwitchOff"));
    const includeLinux = readBoolean(problems, fields.includeLinux, "mdeIntegration.includeLinux", true);
    if (!enabled && fields.includeLinux !== undefined) {
        problems.error(
            "mdeIntegration.includeLinux",
            "has no effect while mdeIntegration.enabled is false; remove it or turn the integration on",
        );
    }
    return { enabled, includeLinux, ...readMdeConnectivity(problems, fields, enabled, cloud) };
}
