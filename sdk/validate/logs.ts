/** Validation of `logs`: where the log agents report, and whether the retired one is wanted. */
import * as pulumi from "@pulumi/pulumi";
import { describe, GUID, isInput, readBoolean, readObject, rejectUnknownKeys } from "./fields";
import { readLocation } from "./location";
import { ProblemList } from "./problems";

/** Log collection after validation. */
export interface NormalizedLogs {
    workspaceResourceId?: pulumi.Input<string>;
    dataCollectionRuleId?: pulumi.Input<string>;
    dataCollectionRuleLocation: string;
    azureMonitorAgent: boolean;
    legacyAgent?: { workspaceId: pulumi.Input<string>; workspaceKey: pulumi.Input<string> };
}

const LOG_FIELDS = [
    "workspaceResourceId",
    "dataCollectionRuleId",
    "dataCollectionRuleLocation",
    "azureMonitorAgent",
    "legacyAgent",
] as const;
const WORKSPACE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;
const RULE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Insights\/dataCollectionRules\/[^/]+$/i;

/** Checks a resource id when it is a plain string; an Output is taken as it comes. */
function readResourceId(
    problems: ProblemList,
    value: unknown,
    path: string,
    shape: RegExp,
    example: string,
): pulumi.Input<string> | undefined {
    if (value === undefined || value === "") return undefined;
    if (typeof value === "string") {
        if (!shape.test(value)) {
            problems.error(path, `"${value}" is not a resource id of the right type; expected ${example}`);
            return undefined;
        }
        return value;
    }
    if (!isInput(value)) {
        problems.error(path, `expected a resource id like ${example} (a string or an Output of one), got ${describe(value)}`);
        return undefined;
    }
    return value as pulumi.Input<string>;
}

function readLegacyAgent(problems: ProblemList, value: unknown): NormalizedLogs["legacyAgent"] {
    const fields = readObject(problems, value, "logs.legacyAgent");
    if (fields === undefined) return undefined;
    rejectUnknownKeys(problems, fields, "logs.legacyAgent", ["workspaceId", "workspaceKey"]);
    const { workspaceId, workspaceKey } = fields;
    let ok = true;
    if (workspaceId === undefined || workspaceId === "") {
        problems.error("logs.legacyAgent.workspaceId", "is required: the workspace's customerId GUID");
        ok = false;
    } else if (typeof workspaceId === "string" && !GUID.test(workspaceId)) {
        problems.error(
            "logs.legacyAgent.workspaceId",
            `"${workspaceId}" is not a GUID; give the workspace's customerId, not its resource id`,
        );
        ok = false;
    } else if (!isInput(workspaceId)) {
        problems.error(
            "logs.legacyAgent.workspaceId",
            `expected a string or an Output of one (the workspace's customerId GUID), got ${describe(workspaceId)}`,
        );
        ok = false;
    }
    if (workspaceKey === undefined || workspaceKey === "") {
        problems.error("logs.legacyAgent.workspaceKey", "is required: the workspace's primary or secondary key (kept secret)");
        ok = false;
    } else if (!isInput(workspaceKey)) {
        problems.error(
            "logs.legacyAgent.workspaceKey",
            `expected a string or an Output of one (the workspace key, kept secret), got ${describe(workspaceKey)}`,
        );
        ok = false;
    }
    problems.warn(
        "logs.legacyAgent",
        "the Log Analytics agent (MMA/OMS) was retired on 31 August 2024 and gets no fixes; Defender for Servers no longer needs it. Move log collection to the Azure Monitor Agent",
    );
    return ok ? { workspaceId: workspaceId as pulumi.Input<string>, workspaceKey: workspaceKey as pulumi.Input<string> } : undefined;
}

/** Reads `logs`, or undefined when no log agent is wanted. */
export function readLogs(problems: ProblemList, value: unknown, defaultLocation: string | undefined): NormalizedLogs | undefined {
    const fields = readObject(problems, value, "logs");
    if (fields === undefined) return undefined;
    rejectUnknownKeys(problems, fields, "logs", LOG_FIELDS);
    const azureMonitorAgent = readBoolean(problems, fields.azureMonitorAgent, "logs.azureMonitorAgent", true);
    const workspaceResourceId = readResourceId(
        problems,
        fields.workspaceResourceId,
        "logs.workspaceResourceId",
        WORKSPACE_ID,
        "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>",
    );
    const dataCollectionRuleId = readResourceId(
        problems,
        fields.dataCollectionRuleId,
        "logs.dataCollectionRuleId",
        RULE_ID,
        "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Insights/dataCollectionRules/<name>",
    );
    if (azureMonitorAgent && fields.workspaceResourceId === undefined && fields.dataCollectionRuleId === undefined) {
        problems.error(
            "logs.workspaceResourceId",
            "is required for the Azure Monitor Agent unless logs.dataCollectionRuleId names an existing rule",
        );
    }
    if (!azureMonitorAgent && fields.legacyAgent === undefined) {
        problems.error(
            "logs.azureMonitorAgent",
            "is false and no legacyAgent is given, so logs deploys nothing; remove logs, or turn an agent on",
        );
    }
    if (fields.dataCollectionRuleId !== undefined && fields.dataCollectionRuleLocation !== undefined) {
        problems.error(
            "logs.dataCollectionRuleLocation",
            "only applies to the rule the component makes; remove it when you give logs.dataCollectionRuleId",
        );
    }
    const ruleLocation =
        fields.dataCollectionRuleLocation === undefined
            ? defaultLocation
            : readLocation(problems, fields.dataCollectionRuleLocation, "logs.dataCollectionRuleLocation");
    return {
        workspaceResourceId,
        dataCollectionRuleId,
        dataCollectionRuleLocation: ruleLocation ?? "",
        azureMonitorAgent,
        legacyAgent: readLegacyAgent(problems, fields.legacyAgent),
    };
}
