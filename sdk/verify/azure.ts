/**
 * The thin layer that talks to Azure, only through Microsoft's SDK for JavaScript:
 * `@azure/identity` (DefaultAzureCredential), `@azure/arm-resourcegraph` (every ARM fact),
 * `@azure/monitor-query-logs` (AMA heartbeats), `@azure/arm-compute` (the VM probe, an action run command
 * that creates no resource) and `@azure/arm-resources` (the Arc probe: a `Microsoft.HybridCompute/machines/runCommands`
 * resource, which no published JavaScript client covers, created, read and deleted through the generic ARM client).
 * What the answers mean is decided elsewhere, in pure functions.
 */
import { ComputeManagementClient } from "@azure/arm-compute";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { ResourceManagementClient } from "@azure/arm-resources";
import { DefaultAzureCredential, TokenCredential } from "@azure/identity";
import { LogsQueryClient } from "@azure/monitor-query-logs";
import { HEARTBEAT_QUERY, HEARTBEAT_TIMESPAN, heartbeatsFromTable } from "./heartbeat";
import { linuxProbeScript, parseProbeOutput, windowsProbeScript } from "./probe";
import { QUERIES, QueryName } from "./queries";
import { QuotaHeaders, waitBeforeNext } from "./throttle";
import { HeartbeatRow, MachineRow, ProbeResult } from "./types";

/** Where Azure is, for sovereign or private clouds (and the specs' loopback stand-in). */
export interface AzureEndpoints {
    /** Resource Manager, e.g. `https://management.usgovcloudapi.net`. Default: the public cloud's. */
    resourceManager?: string;
    /** The Logs query API including its version path, e.g. `https://api.loganalytics.us/v1`. */
    logs?: string;
    /** Microsoft Entra ID, e.g. `https://login.microsoftonline.us`; also read from AZURE_AUTHORITY_HOST by the library. */
    authorityHost?: string;
    /** Skip Entra instance discovery (Azure Stack, private clouds). */
    disableInstanceDiscovery?: boolean;
}

/** DefaultAzureCredential with the authority options given. */
export function createCredential(endpoints: AzureEndpoints): TokenCredential {
    return new DefaultAzureCredential({
        ...(endpoints.authorityHost !== undefined ? { authorityHost: endpoints.authorityHost } : {}),
        ...(endpoints.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
    });
}

/** Which subscriptions or management groups to ask Resource Graph about. */
export interface GraphScope {
    subscriptions?: string[];
    managementGroups?: string[];
}

/** Told after each page: rows so far, Resource Graph's total, the page number. */
export type PageListener = (query: QueryName, rowsSoFar: number, totalRecords: number, page: number) => void;

/** How Resource Graph queries are run. */
export interface GraphOptions {
    /** Rows per page (`$top`); Resource Graph allows at most 1000. */
    pageSize: number;
    /** How often one page may be refused with 429 before giving up. */
    maxThrottleRetries: number;
    onPage?: PageListener;
    /** Told before each wait forced by throttling. */
    onThrottle?: (query: QueryName, waitMs: number) => void;
    /** Told when Resource Graph says the answer is incomplete. */
    onIncomplete?: (query: QueryName, why: string) => void;
    sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function headersOf(headers: { get(name: string): string | undefined } | undefined): QuotaHeaders {
    return {
        "x-ms-user-quota-remaining": headers?.get("x-ms-user-quota-remaining"),
        "x-ms-user-quota-resets-after": headers?.get("x-ms-user-quota-resets-after"),
        "retry-after": headers?.get("retry-after"),
        "x-ms-tenant-subscription-limit-hit": headers?.get("x-ms-tenant-subscription-limit-hit"),
    };
}

/** A Resource Graph runner that pages through every query and waits as Resource Graph asks. */
export class GraphReader {
    private readonly client: ResourceGraphClient;
    /** The wait the previous answer asked for, paid before the next request. */
    private pendingWaitMs = 0;

    constructor(
        credential: TokenCredential,
        endpoints: AzureEndpoints,
        private readonly options: GraphOptions,
    ) {
        this.client = new ResourceGraphClient(
            credential,
            endpoints.resourceManager !== undefined ? { endpoint: endpoints.resourceManager } : {},
        );
    }

    /** Every row of query `name` in `scope`, following `$skipToken` to the last page. */
    async readAll(name: QueryName, scope: GraphScope): Promise<Record<string, unknown>[]> {
        const sleep = this.options.sleep ?? defaultSleep;
        const rows: Record<string, unknown>[] = [];
        let skipToken: string | undefined;
        let page = 0;
        do {
            let refused = 0;
            for (;;) {
                if (this.pendingWaitMs > 0) {
                    this.options.onThrottle?.(name, this.pendingWaitMs);
                    await sleep(this.pendingWaitMs);
                    this.pendingWaitMs = 0;
                }
                let headers: QuotaHeaders = {};
                try {
                    const response = await this.client.resources(
                        {
                            ...scope,
                            query: QUERIES[name],
                            options: {
                                top: this.options.pageSize,
                                resultFormat: "objectArray",
                                ...(skipToken !== undefined ? { skipToken } : {}),
                            },
                        },
                        { onResponse: (raw) => (headers = headersOf(raw.headers)) },
                    );
                    this.pendingWaitMs = waitBeforeNext(200, headers, new Date());
                    // Over 10,000 subscriptions in scope, Resource Graph answers for the first 10,000 only and says so in this
                    // header (azure-docs `governance/resource-graph/concepts/guidance-for-throttled-requests.md`).
                    if (page === 0 && headers["x-ms-tenant-subscription-limit-hit"] === "true") {
                        this.options.onIncomplete?.(
                            name,
                            "Resource Graph answered for the first 10,000 subscriptions of the scope only; split the scope",
                        );
                    }
                    if (String(response.resultTruncated) === "true")
                        this.options.onIncomplete?.(name, "Resource Graph truncated the result");
                    page++;
                    rows.push(...(response.data as Record<string, unknown>[]));
                    this.options.onPage?.(name, rows.length, response.totalRecords, page);
                    skipToken = response.skipToken;
                    break;
                } catch (error) {
                    const status = (error as { statusCode?: number }).statusCode;
                    if (status !== 429 || refused >= this.options.maxThrottleRetries) throw error;
                    refused++;
                    const response = (error as { response?: { headers?: { get(name: string): string | undefined } } }).response;
                    this.pendingWaitMs = waitBeforeNext(429, { ...headers, ...headersOf(response?.headers) }, new Date());
                }
            }
        } while (skipToken !== undefined && skipToken !== "");
        return rows;
    }
}

/** The newest AMA heartbeat per machine in each workspace (by its workspace id, the GUID). */
export async function readHeartbeats(
    credential: TokenCredential,
    endpoints: AzureEndpoints,
    workspaceIds: string[],
): Promise<HeartbeatRow[]> {
    const client = new LogsQueryClient(credential, endpoints.logs !== undefined ? { endpoint: endpoints.logs } : {});
    const rows: HeartbeatRow[] = [];
    for (const workspace of workspaceIds) {
        const result = await client.queryWorkspace(workspace, HEARTBEAT_QUERY, { duration: HEARTBEAT_TIMESPAN });
        if (result.status !== "Success") {
            const reason = "partialError" in result ? String((result.partialError as { message?: string } | undefined)?.message ?? "") : "";
            throw new Error(`the heartbeat query on workspace ${workspace} did not complete (${result.status}) ${reason}`.trim());
        }
        for (const table of result.tables) {
            rows.push(
                ...heartbeatsFromTable(
                    table.columnDescriptors.map((c) => c.name ?? ""),
                    table.rows as unknown[][],
                ),
            );
        }
    }
    return rows;
}

/** A VM extension's status messages from its instance view (`$expand=instanceView`), joined; `""` when it has none. */
export async function readVmExtensionMessage(
    credential: TokenCredential,
    endpoints: AzureEndpoints,
    machine: MachineRow,
    extensionName: string,
): Promise<string> {
    const compute = new ComputeManagementClient(
        credential,
        machine.subscriptionId,
        endpoints.resourceManager !== undefined ? { endpoint: endpoints.resourceManager } : {},
    );
    const extension = await compute.virtualMachineExtensions.get(resourceGroupOf(machine.id), machine.name, extensionName, {
        expand: "instanceView",
    });
    const statuses = [...(extension.instanceView?.statuses ?? []), ...(extension.instanceView?.substatuses ?? [])];
    return statuses
        .map((s) => s.message ?? "")
        .filter((m) => m.trim() !== "")
        .join(" / ");
}

/** The Arc run command API version (azure-rest-api-specs `Microsoft.HybridCompute/stable/2025-01-13`, `runCommand` examples). */
export const ARC_RUN_COMMAND_API_VERSION = "2025-01-13";

function resourceGroupOf(id: string): string {
    const parts = id.split("/");
    const i = parts.findIndex((p) => p.toLowerCase() === "resourcegroups");
    return parts[i + 1];
}

/**
 * Runs the read-only probe on one machine and reads what it printed.
 * - Azure VM: the action run command (`RunShellScript` / `RunPowerShellScript`), which leaves no resource behind.
 * - Arc: a run command resource (agent 1.33+, azure-management-docs `articles/azure-arc/servers/run-command.md`),
 *   deleted once read.
 */
export async function probeMachine(credential: TokenCredential, endpoints: AzureEndpoints, machine: MachineRow): Promise<ProbeResult> {
    const arc = machine.kind === "arc";
    const windows = machine.os === "windows";
    const script = windows ? windowsProbeScript(arc) : linuxProbeScript(arc);
    const clientOptions = endpoints.resourceManager !== undefined ? { endpoint: endpoints.resourceManager } : {};
    try {
        if (!arc) {
            const compute = new ComputeManagementClient(credential, machine.subscriptionId, clientOptions);
            const result = await compute.virtualMachines.runCommand(resourceGroupOf(machine.id), machine.name, {
                commandId: windows ? "RunPowerShellScript" : "RunShellScript",
                script: script.split("\n"),
            });
            const output = (result.value ?? []).map((s) => s.message ?? "").join("\n");
            return parseProbeOutput(output, machine.os, false);
        }
        const arm = new ResourceManagementClient(credential, machine.subscriptionId, clientOptions);
        // The generic client's path template is `/{+resourceId}`: the id goes in without its leading slash.
        const id = `${machine.id}/runCommands/defender-servers-verify`.replace(/^\//, "");
        await arm.resources.createOrUpdateById(id, ARC_RUN_COMMAND_API_VERSION, {
            location: machine.location,
            properties: { source: { script }, asyncExecution: false, timeoutInSeconds: 300 },
        });
        const read = await arm.resources.getById(id, ARC_RUN_COMMAND_API_VERSION);
        await arm.resources.deleteById(id, ARC_RUN_COMMAND_API_VERSION);
        const view = (read.properties as { instanceView?: { output?: string; error?: string; executionState?: string } } | undefined)
            ?.instanceView;
        if (view === undefined) return { ran: false, error: "the run command has no instance view" };
        if (view.executionState !== "Succeeded")
            return {
                ran: false,
                error: `the run command ended ${view.executionState ?? "in an unknown state"}: ${view.error ?? ""}`.trim(),
            };
        return parseProbeOutput(view.output ?? "", machine.os, true);
    } catch (error) {
        return { ran: false, error: (error as Error).message.split("\n")[0] };
    }
}
