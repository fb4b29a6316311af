/**
 * A loopback stand-in for the Azure endpoints `defender-servers verify` calls, over real HTTPS with a
 * self-signed certificate (a spawned CLI trusts it through NODE_EXTRA_CA_CERTS, one run in the mocha process
 * through test/verifyInProcess.ts, which reads the same variable), so the CLI runs
 * unchanged with Microsoft's SDK: DefaultAzureCredential's environment credential signs in against the
 * stand-in's Entra token endpoint, and every client is pointed at it with its documented endpoint option.
 *
 * Answers are shaped as Microsoft's REST specs and examples give them:
 * - Entra ID v2.0: the OpenID configuration (`token_endpoint`, `authorization_endpoint`, `issuer`, `jwks_uri`)
 *   and the token response (`token_type`, `expires_in`, `access_token`), or an `invalid_client` AADSTS error.
 * - Resource Graph `POST /providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`:
 *   `{ totalRecords, count, resultTruncated, $skipToken, data, facets }` (azure-rest-api-specs
 *   `Microsoft.ResourceGraph/stable/2024-04-01/examples/ResourcesNextPageQuery.json`), with the
 *   `x-ms-user-quota-remaining` / `x-ms-user-quota-resets-after` headers and 429s on request.
 * - Logs `POST /v1/workspaces/{id}/query`: `{ tables: [{ name, columns: [{ name, type }], rows }] }`.
 * - Compute `POST .../virtualMachines/{vm}/runCommand`: `{ value: [{ code, level, displayStatus, message }] }`.
 * - HybridCompute `PUT|GET|DELETE .../machines/{m}/runCommands/{name}?api-version=2025-01-13`, the GET with
 *   `properties.instanceView` (`RunCommands_Get.json`).
 *
 * It does not evaluate KQL: it knows which of verify's queries it was sent and answers with the rows that
 * query projects for the fleet it was given (`FleetData`). Those rows are the test's input, never computed by
 * the code under test.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { QUERIES, QueryName } from "../sdk/verify/queries";
import { selfSigned } from "./pki";

/** The rows each Resource Graph query returns, the heartbeat rows, and each machine's probe output. */
export interface FleetData {
    graph: Record<QueryName, Array<Record<string, unknown>>>;
    /** Rows of the heartbeat query per workspace id: [machineId, lastHeartbeat ISO]. */
    heartbeats: Record<string, Array<[string, string]>>;
    /** What the probe script prints on each machine, by lower-case machine id. */
    probeOutput: Record<string, string>;
    /** A VM extension's instance view status messages, by lower-case extension id (Resource Graph does not hold them). */
    extensionMessages: Record<string, string>;
}

/** One throttling answer to give instead of (or along with) the n-th Resource Graph request. */
export interface ThrottleRule {
    /** 1-based index among all Resource Graph requests. */
    request: number;
    /** `429-retry-after`: 429 with Retry-After; `429-quota`: 429 with only the quota headers; `quota-zero`: a normal answer whose quota is spent. */
    kind: "429-retry-after" | "429-quota" | "quota-zero";
    /** Seconds (Retry-After) or the quota reset in `hh:mm:ss[.f]`. */
    wait: string;
}

/** How the stand-in behaves. */
export interface FakeAzureOptions {
    fleet: FleetData;
    throttle?: ThrottleRule[];
    /** 429 with the quota headers on every Resource Graph request. */
    alwaysThrottle?: boolean;
    /** The token endpoint refuses the client secret. */
    rejectSignIn?: boolean;
    /** Answer as for a scope of more than 10,000 subscriptions (`x-ms-tenant-subscription-limit-hit: true`). */
    subscriptionLimitHit?: boolean;
}

/** A request the stand-in received. */
export interface RecordedRequest {
    method: string;
    path: string;
    /** ms since the server started. */
    at: number;
    status: number;
    /** Which Resource Graph query, when it was one. */
    query?: QueryName;
    skipToken?: string;
    top?: number;
    /** The Resource Graph request's scope. */
    subscriptions?: string[];
    managementGroups?: string[];
    bearer: boolean;
}

/** A running stand-in. */
export interface FakeAzure {
    /** `https://127.0.0.1:<port>` */
    url: string;
    /** The CA certificate the CLI must trust (NODE_EXTRA_CA_CERTS in `env()`). */
    caFile: string;
    requests: RecordedRequest[];
    /** The environment (the whole of a child's, or of one in-process run) and flags that point `verify` at the stand-in. */
    env(): NodeJS.ProcessEnv;
    flags(): string[];
    close(): Promise<void>;
}

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

function makeCertificate(dir: string): { key: string; cert: string; caFile: string } {
    const { keyFile, certFile } = selfSigned(dir, "server", "/CN=127.0.0.1", ["subjectAltName=IP:127.0.0.1"]);
    return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8"), caFile: certFile };
}

function queryName(query: string): QueryName | undefined {
    return (Object.keys(QUERIES) as QueryName[]).find((name) => QUERIES[name] === query);
}

/** Starts the stand-in on a free port of 127.0.0.1. */
export async function startFakeAzure(options: FakeAzureOptions): Promise<FakeAzure> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-fake-azure-"));
    const { key, cert, caFile } = makeCertificate(dir);
    const started = Date.now();
    const requests: RecordedRequest[] = [];
    let graphRequests = 0;
    let base = "";
    const arcRunCommands = new Map<string, string>();

    const server = https.createServer({ key, cert }, (req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", base);
            const record: RecordedRequest = {
                method: req.method ?? "",
                path: url.pathname,
                at: Date.now() - started,
                status: 200,
                bearer: /^Bearer /.test(req.headers.authorization ?? ""),
            };
            requests.push(record);
            const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
                record.status = status;
                res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
                res.end(json === undefined ? "" : JSON.stringify(json));
            };
            const p = url.pathname;
            // Entra ID v2.0
            if (req.method === "GET" && p === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
                return send(200, {
                    token_endpoint: `${base}/${TENANT}/oauth2/v2.0/token`,
                    authorization_endpoint: `${base}/${TENANT}/oauth2/v2.0/authorize`,
                    issuer: `${base}/${TENANT}/v2.0`,
                    jwks_uri: `${base}/${TENANT}/discovery/v2.0/keys`,
                    end_session_endpoint: `${base}/${TENANT}/oauth2/v2.0/logout`,
                });
            }
            if (req.method === "POST" && p === `/${TENANT}/oauth2/v2.0/token`) {
                if (options.rejectSignIn) {
                    return send(401, {
                        error: "invalid_client",
                        error_description:
                            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
                        error_codes: [7000215],
                        timestamp: new Date().toISOString(),
                        trace_id: "00000000-0000-0000-0000-000000000001",
                        correlation_id: "00000000-0000-0000-0000-000000000002",
                    });
                }
                return send(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: "loopback-access-token" });
            }
            if (!record.bearer) return send(401, { error: { code: "AuthenticationFailed", message: "no bearer token" } });
            // Resource Graph
            if (req.method === "POST" && p === "/providers/Microsoft.ResourceGraph/resources") {
                graphRequests++;
                const request = JSON.parse(body) as {
                    query: string;
                    subscriptions?: string[];
                    managementGroups?: string[];
                    options?: { $top?: number; $skipToken?: string };
                };
                record.subscriptions = request.subscriptions;
                record.managementGroups = request.managementGroups;
                const name = queryName(request.query);
                record.query = name;
                record.skipToken = request.options?.$skipToken;
                record.top = request.options?.$top;
                if (name === undefined) return send(400, { error: { code: "BadRequest", message: "unknown query" } });
                const quota: Record<string, string> = { "x-ms-user-quota-remaining": "14", "x-ms-user-quota-resets-after": "00:00:05" };
                if (options.subscriptionLimitHit) quota["x-ms-tenant-subscription-limit-hit"] = "true";
                const rule = options.throttle?.find((t) => t.request === graphRequests);
                if (options.alwaysThrottle) {
                    return send(
                        429,
                        { error: { code: "RateLimiting", message: "Please provide below info when asking for support: quota exceeded" } },
                        { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:00.100" },
                    );
                }
                if (rule?.kind === "429-retry-after")
                    return send(429, { error: { code: "RateLimiting", message: "throttled" } }, { "retry-after": rule.wait });
                if (rule?.kind === "429-quota")
                    return send(
                        429,
                        { error: { code: "RateLimiting", message: "throttled" } },
                        { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": rule.wait },
                    );
                if (rule?.kind === "quota-zero")
                    Object.assign(quota, { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": rule.wait });
                // As Resource Graph does, only rows in the subscriptions asked for (a management group: all of them).
                const inScope = (row: Record<string, unknown>) =>
                    request.subscriptions === undefined || request.subscriptions.includes(String(row.id).split("/")[2]);
                const all = options.fleet.graph[name].filter(inScope);
                const top = request.options?.$top ?? 1000;
                const offset =
                    request.options?.$skipToken === undefined
                        ? 0
                        : Number(Buffer.from(request.options.$skipToken, "base64").toString("utf8").replace("offset:", ""));
                const data = all.slice(offset, offset + top);
                const next = offset + top < all.length ? Buffer.from(`offset:${offset + top}`).toString("base64") : undefined;
                return send(
                    200,
                    {
                        totalRecords: all.length,
                        count: data.length,
                        resultTruncated: "false",
                        ...(next !== undefined ? { $skipToken: next } : {}),
                        facets: [],
                        data,
                    },
                    quota,
                );
            }
            // Logs
            const logs = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(p);
            if (req.method === "POST" && logs !== null) {
                const rows = options.fleet.heartbeats[logs[1]] ?? [];
                return send(200, {
                    tables: [
                        {
                            name: "PrimaryResult",
                            columns: [
                                { name: "machineId", type: "string" },
                                { name: "lastHeartbeat", type: "datetime" },
                            ],
                            rows,
                        },
                    ],
                });
            }
            // Compute: a VM extension with its instance view (VirtualMachineExtensions_Get with $expand=instanceView)
            const vmExt =
                /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+\/extensions\/([^/]+)$/i.exec(
                    p,
                );
            if (req.method === "GET" && vmExt !== null) {
                const message = options.fleet.extensionMessages[p.toLowerCase()];
                if (message === undefined) return send(404, { error: { code: "NotFound", message: "no such extension" } });
                return send(200, {
                    name: vmExt[1],
                    type: "Microsoft.Compute/virtualMachines/extensions",
                    location: "westeurope",
                    properties: {
                        publisher: "Microsoft.Azure.AzureDefenderForServers",
                        type: vmExt[1],
                        typeHandlerVersion: "1.0",
                        provisioningState: "Succeeded",
                        ...(url.searchParams.get("$expand") === "instanceView"
                            ? {
                                  instanceView: {
                                      name: vmExt[1],
                                      type: vmExt[1],
                                      typeHandlerVersion: "1.0",
                                      statuses: [
                                          {
                                              code: "ProvisioningState/succeeded",
                                              level: "Info",
                                              displayStatus: "Provisioning succeeded",
                                              message,
                                          },
                                      ],
                                  },
                              }
                            : {}),
                    },
                });
            }
            // Compute action run command (no resource is created)
            const vmRun =
                /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+)\/runCommand$/i.exec(
                    p,
                );
            if (req.method === "POST" && vmRun !== null) {
                const output = options.fleet.probeOutput[vmRun[1].toLowerCase()];
                if (output === undefined) return send(409, { error: { code: "OperationNotAllowed", message: "VM agent not ready" } });
                return send(200, {
                    value: [
                        { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", message: output },
                    ],
                });
            }
            // HybridCompute run command resource
            const arcRun =
                /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.HybridCompute\/machines\/[^/]+)\/runCommands\/([^/]+)$/i.exec(
                    p,
                );
            if (arcRun !== null) {
                const machineId = arcRun[1].toLowerCase();
                const id = `${arcRun[1]}/runcommands/${arcRun[2]}`;
                const resource = (instanceView?: unknown) => ({
                    id,
                    name: arcRun[2],
                    type: "Microsoft.HybridCompute/machines/runcommands",
                    location: "westeurope",
                    properties: {
                        provisioningState: "Succeeded",
                        asyncExecution: false,
                        timeoutInSeconds: 300,
                        ...(instanceView !== undefined ? { instanceView } : {}),
                    },
                });
                if (req.method === "PUT") {
                    arcRunCommands.set(machineId, JSON.parse(body).properties?.source?.script ?? "");
                    return send(200, resource());
                }
                if (req.method === "GET") {
                    const output = options.fleet.probeOutput[machineId];
                    if (!arcRunCommands.has(machineId))
                        return send(404, { error: { code: "ResourceNotFound", message: "no run command" } });
                    return send(
                        200,
                        resource({
                            executionState: "Succeeded",
                            executionMessage: "",
                            exitCode: 0,
                            output: output ?? "",
                            error: "",
                            startTime: new Date().toISOString(),
                            endTime: new Date().toISOString(),
                        }),
                    );
                }
                if (req.method === "DELETE") {
                    arcRunCommands.delete(machineId);
                    return send(200, undefined);
                }
            }
            return send(404, { error: { code: "NotFound", message: `the stand-in does not serve ${req.method} ${p}` } });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    base = `https://127.0.0.1:${address.port}`;
    return {
        url: base,
        caFile,
        requests,
        env: () => {
            const env: NodeJS.ProcessEnv = {};
            for (const [k, v] of Object.entries(process.env)) if (!/^(AZURE_|MSI_|IDENTITY_|HTTPS?_PROXY|NO_PROXY)/i.test(k)) env[k] = v;
            return {
                ...env,
                NODE_EXTRA_CA_CERTS: caFile,
                NO_PROXY: "127.0.0.1,localhost",
                AZURE_TENANT_ID: TENANT,
                AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
                AZURE_CLIENT_SECRET: "loopback-secret",
                // DefaultAzureCredential's documented switch: only the environment credential, no managed identity probe.
                AZURE_TOKEN_CREDENTIALS: "EnvironmentCredential",
            };
        },
        flags: () => ["--arm-endpoint", base, "--logs-endpoint", `${base}/v1`, "--authority-host", base, "--disable-instance-discovery"],
        close: async () => {
            await new Promise<void>((r) => server.close(() => r()));
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
