/**
 * The data collection rule the component makes when the user brings none: the streams the
 * user asked for, for their SOC or Microsoft Sentinel. Defender for Servers itself needs none
 * of them: its features come from MDE and agentless scanning "without any dependency on Log
 * Analytics agent or AMA" (defender-docs defender-for-cloud/plan-defender-for-servers-agents.md).
 */
import type { LogStream } from "../validate/logs";

/** Name of the association that ties a machine to the data collection rule (per-machine and policy mode alike). */
export const RULE_ASSOCIATION_NAME = "defender-servers";

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
