/** Validation of `logs`: where the log agents report, and whether the retired one is wanted. */
import * as pulumi from "@pulumi/pulumi";
import * as choices from "../args";
import { describe, GUID, isInput, readBoolean, readChoice, readObject, rejectUnknownKeys } from "./fields";
import { CloudName } from "../clouds";
import { readLocation } from "./location";
import { ProblemList } from "./problems";

/**
 * The streams the component's own data collection rule can collect, each with what it needs.
 * `securityEvents`: the Windows Security channel as `Microsoft-SecurityEvent`, which lands in the
 * `SecurityEvent` table only where Microsoft Sentinel or Defender for Servers Plan 2 is on for the
 * workspace; elsewhere Azure refuses the rule (`InvalidOutputTable`) (defender-docs
 * defender-for-cloud/data-ingestion-benefit.md; azure-docs azure-monitor/agents/data-collection-windows-events.md).
 * `authSyslog`: Linux `auth`/`authpriv` syslog as `Microsoft-Syslog`, into the `Syslog` table every workspace has.
 */
export const LOG_STREAMS = Object.values(choices.LogStream);

/** One of `LOG_STREAMS`. */
export type LogStream = (typeof LOG_STREAMS)[number];

/** What is on for the workspace that gives it the `SecurityEvent` table. */
export const WORKSPACE_SECURITY_SOLUTIONS = Object.values(choices.WorkspaceSecuritySolution);

/** Where the data collection rule and endpoint the component makes go. */
export interface DataCollectionResourceGroup {
    /** Its subscription, when known before deployment (a plain id). */
    subscriptionId?: string;
    /** Its name. */
    resourceGroupName: pulumi.Input<string>;
    /** Where the value came from, for messages. */
    from: "logs.dataCollectionResourceGroupId" | "logs.workspaceResourceId";
}

/** Log collection after validation. */
export interface NormalizedLogs {
    workspaceResourceId?: pulumi.Input<string>;
    dataCollectionRuleId?: pulumi.Input<string>;
    dataCollectionRuleLocation: string;
    /** Where the rule and the endpoint the component makes go; undefined when there is no workspace to follow and none was given. */
    dataCollectionResourceGroup?: DataCollectionResourceGroup;
    /** The streams of the component's rule. */
    streams: LogStream[];
    /** What gives the workspace its `SecurityEvent` table, as the user states it. */
    workspaceSecuritySolution?: (typeof WORKSPACE_SECURITY_SOLUTIONS)[number];
    azureMonitorAgent: boolean;
    legacyAgent?: { workspaceId: pulumi.Input<string>; workspaceKey: pulumi.Input<string> };
}

const LOG_FIELDS = [
    "workspaceResourceId",
    "dataCollectionRuleId",
    "dataCollectionRuleLocation",
    "dataCollectionResourceGroupId",
    "streams",
    "workspaceSecuritySolution",
    "enableDefenderForServersOnWorkspace",
    "azureMonitorAgent",
    "legacyAgent",
] as const;
const RESOURCE_GROUP_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i;
const IN_RESOURCE_GROUP = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i;
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

function readStreams(problems: ProblemList, value: unknown): LogStream[] {
    if (value === undefined) return ["authSyslog"];
    if (!Array.isArray(value) || value.length === 0) {
        problems.error("logs.streams", `expected a non-empty list of ${LOG_STREAMS.map((s) => `"${s}"`).join(", ")}`);
        return ["authSyslog"];
    }
    const streams: LogStream[] = [];
    value.forEach((entry, i) => {
        const before = problems.errors.length;
        const stream = readChoice(problems, entry, `logs.streams[${i}]`, LOG_STREAMS, "authSyslog");
        if (problems.errors.length === before && !streams.includes(stream)) streams.push(stream);
    });
    return streams;
}

/**
 * Where the rule and endpoint go: the given resource group, else the workspace's (its
 * subscription and resource group, parsed from its id). A different subscription from
 * `subscriptionId` is refused: azure-native creates a resource in the subscription its provider
 * signs in to, which the component checks is `subscriptionId`.
 */
function readDataCollectionResourceGroup(
    problems: ProblemList,
    given: unknown,
    workspace: pulumi.Input<string> | undefined,
    subscriptionId: string | undefined,
): DataCollectionResourceGroup | undefined {
    let group: DataCollectionResourceGroup | undefined;
    if (given !== undefined) {
        const match = typeof given === "string" ? RESOURCE_GROUP_ID.exec(given) : null;
        if (match === null) {
            problems.error(
                "logs.dataCollectionResourceGroupId",
                `${describe(given)} is not a resource group id; expected /subscriptions/<id>/resourceGroups/<name>`,
            );
            return undefined;
        }
        group = { subscriptionId: match[1].toLowerCase(), resourceGroupName: match[2], from: "logs.dataCollectionResourceGroupId" };
    } else if (typeof workspace === "string") {
        const match = IN_RESOURCE_GROUP.exec(workspace)!;
        group = { subscriptionId: match[1].toLowerCase(), resourceGroupName: match[2], from: "logs.workspaceResourceId" };
    } else if (workspace !== undefined) {
        // Known only at deployment: the resource group is read from the id then, and its subscription checked there.
        group = {
            resourceGroupName: pulumi.output(workspace).apply((id) => workspaceResourceGroup(id, subscriptionId)),
            from: "logs.workspaceResourceId",
        };
    }
    if (group?.subscriptionId !== undefined && subscriptionId !== undefined && group.subscriptionId !== subscriptionId) {
        problems.error(
            "logs.dataCollectionResourceGroupId",
            group.from === "logs.workspaceResourceId"
                ? `is unset, so the data collection rule and endpoint would follow the workspace into subscription ${group.subscriptionId}, but this component deploys into ${subscriptionId} (its provider's subscription). Give a resource group there, e.g. /subscriptions/${subscriptionId}/resourceGroups/<name> (the rule may send to a workspace in another subscription of the tenant), or make the rule yourself and pass logs.dataCollectionRuleId`
                : `is in subscription ${group.subscriptionId}, but this component deploys into ${subscriptionId} (its provider's subscription); give a resource group in ${subscriptionId}, or make the rule yourself and pass logs.dataCollectionRuleId`,
        );
        return undefined;
    }
    return group;
}

/** The workspace's resource group, once its id is known; refuses one in another subscription (see readDataCollectionResourceGroup). */
export function workspaceResourceGroup(workspaceId: string, subscriptionId: string | undefined): string {
    const match = IN_RESOURCE_GROUP.exec(workspaceId);
    if (match === null) throw new Error(`logs.workspaceResourceId: "${workspaceId}" is not a Log Analytics workspace id`);
    if (subscriptionId !== undefined && match[1].toLowerCase() !== subscriptionId) {
        throw new Error(
            `logs.dataCollectionResourceGroupId: is unset, so the data collection rule and endpoint would follow the workspace into subscription ${match[1]}, but this component deploys into ${subscriptionId}; set logs.dataCollectionResourceGroupId to a resource group in ${subscriptionId}`,
        );
    }
    return match[2];
}

/** Reads `logs`, or undefined when no log agent is wanted. */
export function readLogs(
    problems: ProblemList,
    value: unknown,
    defaultLocation: string | undefined,
    subscriptionId?: string,
    azureMonitorPrivateLink = false,
    cloud: CloudName = "AzureCloud",
): NormalizedLogs | undefined {
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
    const absent = (v: unknown) => v === undefined || v === "";
    if (azureMonitorAgent && absent(fields.workspaceResourceId) && absent(fields.dataCollectionRuleId)) {
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
    const ownRule = fields.dataCollectionRuleId === undefined;
    for (const field of ["streams", "workspaceSecuritySolution"] as const) {
        if (!ownRule && fields[field] !== undefined) {
            problems.error(
                `logs.${field}`,
                "only applies to the rule the component makes; remove it when you give logs.dataCollectionRuleId",
            );
        }
    }
    const streams = readStreams(problems, fields.streams);
    const workspaceSecuritySolution =
        fields.workspaceSecuritySolution === undefined
            ? undefined
            : readChoice(
                  problems,
                  fields.workspaceSecuritySolution,
                  "logs.workspaceSecuritySolution",
                  WORKSPACE_SECURITY_SOLUTIONS,
                  // Stryker disable next-line StringLiteral: returned only with an error already reported (the field is set), and any value keeps the securityEvents error from repeating it
                  "sentinel",
              );
    if (ownRule && azureMonitorAgent && streams.includes("securityEvents") && workspaceSecuritySolution === undefined) {
        problems.error(
            "logs.workspaceSecuritySolution",
            'is required with the securityEvents stream: Azure writes Microsoft-SecurityEvent only into a workspace where Microsoft Sentinel or Defender for Servers Plan 2 is on, and refuses the rule elsewhere (InvalidOutputTable). Say which is on ("sentinel" or "defenderForServersP2"; the component cannot read it during a preview), or leave securityEvents out of logs.streams',
        );
    }
    if (fields.enableDefenderForServersOnWorkspace !== undefined) {
        // Unconfirmed: defender-docs defender-for-cloud/data-ingestion-benefit.md (2026-05) shows the portal only, and the
        // Pricings REST API (2024-01-01) takes subscriptions and machines as scopes, not workspaces. No guess is encoded.
        problems.error(
            "logs.enableDefenderForServersOnWorkspace",
            'is not supported: no Microsoft source documents a Resource Manager resource that turns on Defender for Servers Plan 2 for a Log Analytics workspace (the 500 MB/day ingestion benefit), and the component does not guess one. Turn it on in Defender for Cloud > Environment settings > <workspace> > Servers, then set logs.workspaceSecuritySolution: "defenderForServersP2" and remove this field',
        );
    }
    // Only where the component makes a rule or an endpoint does their subscription matter.
    const makesSomething = azureMonitorAgent && (ownRule || azureMonitorPrivateLink);
    const dataCollectionResourceGroup = readDataCollectionResourceGroup(
        problems,
        fields.dataCollectionResourceGroupId,
        workspaceResourceId,
        makesSomething ? subscriptionId : undefined,
    );
    const ruleLocation =
        fields.dataCollectionRuleLocation === undefined
            ? defaultLocation
            : readLocation(problems, fields.dataCollectionRuleLocation, "logs.dataCollectionRuleLocation", cloud);
    return {
        workspaceResourceId,
        dataCollectionRuleId,
        dataCollectionRuleLocation: ruleLocation ?? "",
        dataCollectionResourceGroup,
        streams,
        workspaceSecuritySolution,
        azureMonitorAgent,
        legacyAgent: readLegacyAgent(problems, fields.legacyAgent),
    };
}
