/** Validation of `plan`: the sub-plan and which plan extensions may be on with it. */
import { SubPlan } from "../args";
import { readBoolean, readChoice, readObject, readStringMap, rejectUnknownKeys } from "./fields";
import { ProblemList } from "./problems";

/** Names of the plan extensions the component knows, as the pricing API spells them. */
export type PlanExtensionName = "MdeDesignatedSubscription" | "AgentlessVmScanning" | "FileIntegrityMonitoring";

/** The plan after defaults. Extensions that are `undefined` are not sent to Azure. */
export interface NormalizedPlan {
    subPlan: "P1" | "P2";
    /** Extensions the user set. The others keep what the subscription has now; defaults apply only where it has nothing. */
    explicit: PlanExtensionName[];
    agentlessScanning: boolean | undefined;
    agentlessScanningExclusionTags: Record<string, string>;
    fileIntegrityMonitoring: boolean | undefined;
    mdeDesignatedSubscription: boolean;
    defenderVulnerabilityManagement: boolean;
    /** The pricing's `enforce` flag as the user set it; undefined: kept as the subscription has it. */
    enforce?: boolean;
}

const PLAN_FIELDS = [
    "subPlan",
    "agentlessScanning",
    "agentlessScanningExclusionTags",
    "fileIntegrityMonitoring",
    "mdeDesignatedSubscription",
    "defenderVulnerabilityManagement",
    "enforce",
] as const;

// Azure tag limits: names up to 512 characters without these characters, values up to 256.
const FORBIDDEN_TAG_NAME_CHARACTERS = /[<>%&\\?/]/;

/** Reads `plan`, refusing Plan 2 extensions on Plan 1. */
export function readPlan(problems: ProblemList, value: unknown): NormalizedPlan {
    const fields = readObject(problems, value, "plan") ?? {};
    rejectUnknownKeys(problems, fields, "plan", PLAN_FIELDS);
    const subPlan = readChoice(problems, fields.subPlan, "plan.subPlan", Object.values(SubPlan), "P2");
    const isP2 = subPlan === "P2";

    const requested = {
        agentlessScanning: readBoolean(problems, fields.agentlessScanning, "plan.agentlessScanning"),
        fileIntegrityMonitoring: readBoolean(problems, fields.fileIntegrityMonitoring, "plan.fileIntegrityMonitoring"),
    };
    const exclusionTags = readStringMap(problems, fields.agentlessScanningExclusionTags, "plan.agentlessScanningExclusionTags");
    const hasExclusionTags = Object.keys(exclusionTags).length > 0;

    if (!isP2) {
        for (const [field, on] of Object.entries(requested)) {
            if (on === true && field !== "fileIntegrityMonitoring") {
                problems.error(`plan.${field}`, `needs Plan 2; set plan.subPlan to "P2" or remove plan.${field}`);
            }
        }
        if (hasExclusionTags) {
            problems.error(
                "plan.agentlessScanningExclusionTags",
                'agentless scanning needs Plan 2; set plan.subPlan to "P2" or remove the exclusion tags',
            );
        }
    }
    if (requested.fileIntegrityMonitoring === true) {
        // FIM now runs on MDE: the pricing extension needs a workspace and collection rules in
        // `additionalExtensionProperties` (defender-docs `file-integrity-monitoring-enable-defender-endpoint.md`),
        // and no Microsoft source of 2025-2026 documents those keys or the rules' shape. Refuse rather than guess.
        problems.error(
            "plan.fileIntegrityMonitoring",
            "cannot be switched on by this component: File Integrity Monitoring now runs on MDE and needs a workspace and rules whose API shape Microsoft does not document; switch it on in Defender for Cloud (Environment settings > your subscription > Defender plans > Servers > Settings) and leave this field unset: the component keeps the subscription's current setting",
        );
    }
    if (isP2 && requested.agentlessScanning === false && hasExclusionTags) {
        problems.error(
            "plan.agentlessScanningExclusionTags",
            "is set while plan.agentlessScanning is false; remove the tags or turn scanning on",
        );
    }
    for (const [name, tagValue] of Object.entries(exclusionTags)) {
        checkTag(problems, `plan.agentlessScanningExclusionTags.${name}`, name, tagValue);
    }

    const mdeDesignatedSubscription = readBoolean(problems, fields.mdeDesignatedSubscription, "plan.mdeDesignatedSubscription");
    const explicit: PlanExtensionName[] = [];
    if (mdeDesignatedSubscription !== undefined) explicit.push("MdeDesignatedSubscription");
    if (isP2 && (requested.agentlessScanning !== undefined || fields.agentlessScanningExclusionTags !== undefined)) {
        explicit.push("AgentlessVmScanning");
    }
    if (isP2 && requested.fileIntegrityMonitoring !== undefined) explicit.push("FileIntegrityMonitoring");

    const enforce = readBoolean(problems, fields.enforce, "plan.enforce");
    return {
        subPlan,
        ...(enforce === undefined ? {} : { enforce }),
        explicit,
        // Plan 2 scans agentlessly unless told not to; Plan 1 has no such extension to send.
        agentlessScanning: isP2 ? (requested.agentlessScanning ?? true) : undefined,
        agentlessScanningExclusionTags: exclusionTags,
        fileIntegrityMonitoring: isP2 ? (requested.fileIntegrityMonitoring ?? false) : undefined,
        mdeDesignatedSubscription: mdeDesignatedSubscription ?? false,
        defenderVulnerabilityManagement: readBoolean(
            problems,
            fields.defenderVulnerabilityManagement,
            "plan.defenderVulnerabilityManagement",
            false,
        ),
    };
}

function checkTag(problems: ProblemList, path: string, name: string, tagValue: string): void {
    if (name.trim() === "") {
        problems.error(path, "has an empty tag name; give the tag's name");
    } else if (name.length > 512 || FORBIDDEN_TAG_NAME_CHARACTERS.test(name)) {
        problems.error(path, "is not a valid Azure tag name (at most 512 characters, none of < > % & \\ ? /)");
    }
    if (tagValue.length > 256) {
        problems.error(path, "tag value is longer than Azure's 256-character limit");
    }
}
