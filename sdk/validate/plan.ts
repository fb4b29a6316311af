/** Validation of `plan`: the sub-plan and which plan extensions may be on with it. */
import { readBoolean, readChoice, readObject, readStringMap, rejectUnknownKeys } from "./fields";
import { ProblemList } from "./problems";

/** The plan after defaults. Extensions that are `undefined` are not sent to Azure. */
export interface NormalizedPlan {
    subPlan: "P1" | "P2";
    agentlessScanning: boolean | undefined;
    agentlessScanningExclusionTags: Record<string, string>;
    fileIntegrityMonitoring: boolean | undefined;
    mdeDesignatedSubscription: boolean;
    defenderVulnerabilityManagement: boolean;
}

const PLAN_FIELDS = [
    "subPlan",
    "agentlessScanning",
    "agentlessScanningExclusionTags",
    "fileIntegrityMonitoring",
    "mdeDesignatedSubscription",
    "defenderVulnerabilityManagement",
] as const;

// Azure tag limits: names up to 512 characters without these characters, values up to 256.
const FORBIDDEN_TAG_NAME_CHARACTERS = /[<>%&\\?/]/;

/** Reads `plan`, refusing Plan 2 extensions on Plan 1. */
export function readPlan(problems: ProblemList, value: unknown): NormalizedPlan {
    const fields = readObject(problems, value, "plan") ?? {};
    rejectUnknownKeys(problems, fields, "plan", PLAN_FIELDS);
    const subPlan = readChoice(problems, fields.subPlan, "plan.subPlan", ["P1", "P2"] as const, "P2");
    const isP2 = subPlan === "P2";

    const requested = {
        agentlessScanning: readBoolean(problems, fields.agentlessScanning, "plan.agentlessScanning"),
        fileIntegrityMonitoring: readBoolean(problems, fields.fileIntegrityMonitoring, "plan.fileIntegrityMonitoring"),
    };
    const exclusionTags = readStringMap(problems, fields.agentlessScanningExclusionTags, "plan.agentlessScanningExclusionTags");
    const hasExclusionTags = Object.keys(exclusionTags).length > 0;

    if (!isP2) {
        for (const [field, on] of Object.entries(requested)) {
            if (on === true) {
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
    if (isP2 && requested.agentlessScanning === false && hasExclusionTags) {
        problems.error(
            "plan.agentlessScanningExclusionTags",
            "is set while plan.agentlessScanning is false; remove the tags or turn scanning on",
        );
    }
    for (const [name, tagValue] of Object.entries(exclusionTags)) {
        checkTag(problems, `plan.agentlessScanningExclusionTags.${name}`, name, tagValue);
    }

    return {
        subPlan,
        // Plan 2 scans agentlessly unless told not to; Plan 1 has no such extension to send.
        agentlessScanning: isP2 ? (requested.agentlessScanning ?? true) : undefined,
        agentlessScanningExclusionTags: exclusionTags,
        fileIntegrityMonitoring: isP2 ? (requested.fileIntegrityMonitoring ?? false) : undefined,
        mdeDesignatedSubscription: readBoolean(problems, fields.mdeDesignatedSubscription, "plan.mdeDesignatedSubscription", false),
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
