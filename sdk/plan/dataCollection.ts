/**
 * The data collection rule the component makes when the user brings none: the security
 * events and authentication logs that Defender for Servers' log-based features read.
 */

/** Name of the association that ties a machine to the data collection rule (per-machine and policy mode alike). */
export const RULE_ASSOCIATION_NAME = "defender-servers";

/** The association name Azure Monitor requires for the data collection endpoint AMA reads its configuration from. */
export const ENDPOINT_ASSOCIATION_NAME = "configurationAccessEndpoint";

/** Plain inputs of `monitor.DataCollectionRule`, less resource group, location and workspace. */
export function defenderDataCollectionRule(workspaceDestination: string) {
    return {
        description: "Security events and authentication logs for Defender for Servers (made by defender-servers)",
        dataSources: {
            windowsEventLogs: [
                {
                    name: "security-events",
                    streams: ["Microsoft-SecurityEvent"],
                    xPathQueries: ["Security!*", "Microsoft-Windows-AppLocker/EXE and DLL!*"],
                },
            ],
            syslog: [
                {
                    name: "auth-syslog",
                    streams: ["Microsoft-Syslog"],
                    facilityNames: ["auth", "authpriv"],
                    logLevels: ["Info", "Notice", "Warning", "Error", "Critical", "Alert", "Emergency"],
                },
            ],
        },
        destinations: { logAnalytics: [{ name: workspaceDestination }] },
        dataFlows: [
            { streams: ["Microsoft-SecurityEvent"], destinations: [workspaceDestination] },
            { streams: ["Microsoft-Syslog"], destinations: [workspaceDestination] },
        ],
    };
}

/** Resource group of an ARM resource id, or undefined if the id has none. */
export function resourceGroupOf(resourceId: string): string | undefined {
    return /\/resourceGroups\/([^/]+)/i.exec(resourceId)?.[1];
}
