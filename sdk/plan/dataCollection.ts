/**
 * The data collection rule the component makes when the user brings none: the streams the
 * user asked for, for their SOC or Microsoft Sentinel. Defender for Servers itself needs none
 * of them: its features come from MDE and agentless scanning "without any dependency on Log
 * Analytics agent or AMA" (defender-docs defender-for-cloud/plan-defender-for-servers-agents.md).
 */
import { createHash } from "node:crypto";
import type { LogStream } from "../validate/logs";

/**
 * The name release 0.1.0 gave every rule association, whatever the rule: two components (two
 * teams, two rules) on one machine wrote the same association and the last one won. Now only
 * the prefix of {@link ruleAssociationName}.
 */
export const RULE_ASSOCIATION_PREFIX = "defender-servers";

/**
 * The association tying a machine to `ruleId`, named after the rule: another rule on the same
 * machine (another component, another team) gets another name and so its own association. ARM
 * ids are case-insensitive, so the id is lower-cased first: one rule, one name. 13 hex digits
 * of its sha256 keep the name at 30 characters of `[a-z0-9-]` (no published limit for
 * association names was found; the portal's own examples are longer).
 */
export function ruleAssociationName(ruleId: string): string {
    const digest = createHash("sha256").update(ruleId.toLowerCase()).digest("hex");
    return `${RULE_ASSOCIATION_PREFIX}-${digest.slice(0, 13)}`;
}

/**
 * The same name in a DeployIfNotExists rule, where the rule id is the policy parameter
 * `parameter`: ARM's uniqueString (13 characters) of the lower-cased id, which Azure Policy
 * evaluates in `details.name` as Microsoft's built-ins do (Azure/azure-policy, April 2026:
 * Custom Provider/AssociationForCustomProvider_DINE.json names its association
 * `concat(parameters('associationNamePrefix'), '-', uniqueString(parameters('targetCustomProviderId')))`;
 * 23 built-ins use uniqueString in `details.name`).
 * Not the same characters as {@link ruleAssociationName}: a component in policy mode and one in
 * per-machine mode on the same rule make two associations to that one rule.
 */
export function ruleAssociationNameExpression(parameter: string): string {
    return `[concat('${RULE_ASSOCIATION_PREFIX}-', uniqueString(toLower(parameters('${parameter}'))))]`;
}

/** The association name Azure Monitor requires for the data collection endpoint AMA reads its configuration from. */
export const ENDPOINT_ASSOCIATION_NAME = "configurationAccessEndpoint";

/** Syslog levels from Info up: authentication successes and failures, without debug noise. */
const AUTH_SYSLOG_LEVELS = ["Info", "Notice", "Warning", "Error", "Critical", "Alert", "Emergency"];

/**
 * Plain inputs of `monitor.DataCollectionRule`, less resource group, location and workspace.
 *
 * `securityEvents`: the whole Windows Security channel as `Microsoft-SecurityEvent`, into the
 * `SecurityEvent` table, which exists only where Microsoft Sentinel or Defender for Servers Plan 2
 * is on for the workspace (validation makes the user say which). The AppLocker channel is not
 * collected: its consumer, adaptive application controls, was retired in August 2024.
 * `authSyslog`: Linux `auth` and `authpriv` as `Microsoft-Syslog`, into `Syslog`.
 */
export function defenderDataCollectionRule(workspaceDestination: string, streams: readonly LogStream[] = ["authSyslog"]) {
    const securityEvents = streams.includes("securityEvents");
    const authSyslog = streams.includes("authSyslog");
    return {
        description: `${[securityEvents ? "Windows Security events" : "", authSyslog ? "Linux authentication syslog" : ""]
            .filter((s) => s !== "")
            .join(" and ")} (made by defender-servers)`,
        dataSources: {
            ...(securityEvents
                ? { windowsEventLogs: [{ name: "security-events", streams: ["Microsoft-SecurityEvent"], xPathQueries: ["Security!*"] }] }
                : {}),
            ...(authSyslog
                ? {
                      syslog: [
                          {
                              name: "auth-syslog",
                              streams: ["Microsoft-Syslog"],
                              facilityNames: ["auth", "authpriv"],
                              logLevels: AUTH_SYSLOG_LEVELS,
                          },
                      ],
                  }
                : {}),
        },
        destinations: { logAnalytics: [{ name: workspaceDestination }] },
        dataFlows: [
            ...(securityEvents ? [{ streams: ["Microsoft-SecurityEvent"], destinations: [workspaceDestination] }] : []),
            ...(authSyslog ? [{ streams: ["Microsoft-Syslog"], destinations: [workspaceDestination] }] : []),
        ],
    };
}

/** Resource group of an ARM resource id, or undefined if the id has none. */
export function resourceGroupOf(resourceId: string): string | undefined {
    return /\/resourceGroups\/([^/]+)/i.exec(resourceId)?.[1];
}
