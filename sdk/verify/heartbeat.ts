/**
 * The Log Analytics query for Azure Monitor Agent heartbeats, and how its table becomes rows. Pure.
 *
 * AMA writes a row to the workspace's `Heartbeat` table about once a minute ("Normally, agents on VMs generate
 * Heartbeat event every minute": MicrosoftDocs/azure-reference-other `azure-monitor-ref/queries/heartbeat.md`,
 * 07/30/2024), with `Category == "Azure Monitor Agent"` and the machine's ARM id in `_ResourceId` (azure-docs
 * `azure-monitor/agents/azure-monitor-agent-troubleshoot-windows-vm.md`, 01/23/2024, "Verify that the agent is
 * running"). No 2025-2026 Microsoft page restating the Category value was found; these are the newest.
 * The Logs query API answers with `tables[].columns[]` and `tables[].rows[][]` (azure-rest-api-specs
 * `operationalinsights/data-plane/Microsoft.OperationalInsights/stable/v1/OperationalInsights.json`).
 */
import { HeartbeatRow } from "./types";

/** The newest AMA heartbeat per machine in the query's time span. */
export const HEARTBEAT_QUERY = [
    "Heartbeat",
    '| where Category == "Azure Monitor Agent"',
    "| summarize lastHeartbeat = max(TimeGenerated) by machineId = tolower(_ResourceId)",
].join("\n");

/** How far back the query looks (ISO 8601 duration): a machine silent for a day is silent. */
export const HEARTBEAT_TIMESPAN = "P1D";

/** The rows of the heartbeat query's first table, given its column names in order. */
export function heartbeatsFromTable(columns: string[], rows: unknown[][]): HeartbeatRow[] {
    const machine = columns.indexOf("machineId");
    const last = columns.indexOf("lastHeartbeat");
    if (machine < 0 || last < 0)
        throw new Error(`the heartbeat query returned columns [${columns.join(", ")}], not machineId and lastHeartbeat`);
    return rows.map((row) => {
        const value = row[last];
        return {
            machineId: String(row[machine] ?? "").toLowerCase(),
            lastHeartbeat: value instanceof Date ? value.toISOString() : String(value ?? ""),
        };
    });
}
