/**
 * `defender-servers verify`: reads the fleet from Azure, judges each machine, prints the report and
 * returns the exit code. Errors become one clear line on stderr and an exit code, never a stack trace.
 */
import * as fs from "node:fs";
import { assembleFacts, extensionsNeedingMessage, selectMachines } from "./assemble";
import { AzureEndpoints, createCredential, GraphReader, probeMachine, readHeartbeats, readVmExtensionMessage } from "./azure";
import { machinesFromList, machinesFromStackOutputs, parseVerifyArgs, UsageError, VERIFY_USAGE, VerifyOptions } from "./options";
import { assessmentFromRow, extensionFromRow, guestConfigurationFromRow, machineFromRow, pricingFromRow, QueryName } from "./queries";
import { buildReport, renderMarkdown, renderTable } from "./render";
import { MachineRow, ProbeResult } from "./types";
import { exitCodeFor, verdictFor } from "./verdict";

/** Where the command writes; the specs and the bin pass the process's streams. */
export interface Io {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

/** Exit codes, as the usage text states them. */
export const EXIT = { ok: 0, notProtected: 1, usage: 2, signIn: 3, azure: 4 } as const;

const SIGN_IN_ERRORS = new Set([
    "AuthenticationError",
    "CredentialUnavailableError",
    "AggregateAuthenticationError",
    "AuthenticationRequiredError",
]);

/** How many machines are probed at once: run commands are slow, and each holds a connection. */
const PROBE_CONCURRENCY = 8;

function readFile(file: string, option: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new UsageError(
            `${option} ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
        );
    }
}

/** The machines the options name, or undefined for the whole scope. */
function selection(options: VerifyOptions): string[] | undefined {
    const named = [
        ...options.machines,
        ...options.machineFiles.flatMap((f) => machinesFromList(readFile(f, "--machines"))),
        ...options.stackOutputs.flatMap((f) => machinesFromStackOutputs(readFile(f, "--stack-outputs"), f)),
    ];
    return named.length === 0 && options.machineFiles.length === 0 ? undefined : named;
}

/** The first line of an SDK error that says what went wrong, without the stack. */
function summary(error: unknown): string {
    const e = error as {
        message?: string;
        statusCode?: number;
        code?: string;
        errors?: Array<{ message?: string; errorResponse?: { error?: string; errorDescription?: string } }>;
        errorResponse?: { error?: string; errorDescription?: string };
    };
    // Entra's own words (`invalid_client: AADSTS7000215 ...`) say more than the library's wrapper.
    const entra = e.errorResponse ?? e.errors?.find((x) => x.errorResponse?.errorDescription)?.errorResponse;
    const inner = e.errors?.map((x) => x.message ?? "").find((m) => m !== "" && !/unavailable/i.test(m));
    const described = entra?.errorDescription ? `${entra.error ?? "error"}: ${entra.errorDescription}` : undefined;
    const text = (described ?? inner ?? e.message ?? String(error)).split("\n").find((l) => l.trim() !== "") ?? "";
    const status = e.statusCode !== undefined ? `HTTP ${e.statusCode}${e.code ? ` ${e.code}` : ""}: ` : "";
    return `${status}${text.trim()}`;
}

async function probeAll(
    machines: MachineRow[],
    run: (m: MachineRow) => Promise<ProbeResult>,
    progress: (done: number) => void,
): Promise<Map<string, ProbeResult>> {
    const results = new Map<string, ProbeResult>();
    let next = 0;
    const worker = async () => {
        while (next < machines.length) {
            const machine = machines[next++];
            results.set(machine.id, await run(machine));
            progress(results.size);
        }
    };
    await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, machines.length) }, worker));
    return results;
}

/** Runs `verify` with `argv` (the words after `verify`) and resolves with the exit code. */
export async function runVerify(argv: string[], io: Io, now: () => Date = () => new Date()): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        io.stdout(`${VERIFY_USAGE}\n`);
        return EXIT.ok;
    }
    let options: VerifyOptions;
    let wanted: string[] | undefined;
    try {
        options = parseVerifyArgs(argv);
        wanted = selection(options);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr(`verify: ${error.message}\n`);
            return EXIT.usage;
        }
        throw error;
    }
    const endpoints: AzureEndpoints = {
        resourceManager: options.armEndpoint,
        logs: options.logsEndpoint,
        authorityHost: options.authorityHost,
        disableInstanceDiscovery: options.disableInstanceDiscovery,
    };
    const scope =
        options.subscriptions.length > 0 ? { subscriptions: options.subscriptions } : { managementGroups: options.managementGroups };
    const progress = (query: QueryName, rows: number, total: number, page: number) => {
        // A progress line only where the wait is long enough to wonder: a query of more than one page.
        if (page > 1 || rows < total) io.stderr(`verify: ${query}: ${rows}/${total} rows (page ${page})\n`);
    };
    // An incomplete read cannot prove every machine protected.
    let incomplete = false;
    try {
        const credential = createCredential(endpoints);
        const graph = new GraphReader(credential, endpoints, {
            pageSize: options.pageSize,
            maxThrottleRetries: 5,
            onPage: progress,
            onIncomplete: (query, why) => {
                incomplete = true;
                io.stderr(`verify: ${query}: ${why}\n`);
            },
            onThrottle: (query, ms) =>
                io.stderr(`verify: ${query}: Resource Graph asked to slow down, waiting ${Math.ceil(ms / 1000)} s\n`),
        });
        const machines = selectMachines((await graph.readAll("machines", scope)).map(machineFromRow), wanted);
        const extensions = (await graph.readAll("extensions", scope)).map(extensionFromRow);
        const pricings = (await graph.readAll("pricings", scope)).map(pricingFromRow);
        const assessments = (await graph.readAll("edrAssessments", scope)).map(assessmentFromRow);
        const guestConfiguration = (await graph.readAll("guestConfiguration", scope)).map(guestConfigurationFromRow);
        for (const { machine, extension } of extensionsNeedingMessage(machines, extensions, assessments)) {
            // One call per VM in trouble, not per machine: a failure to read it leaves the message empty, the verdict unchanged.
            extension.message = await readVmExtensionMessage(credential, endpoints, machine, extension.name).catch(() => "");
        }
        const heartbeats = options.workspaces.length > 0 ? await readHeartbeats(credential, endpoints, options.workspaces) : undefined;
        const probes = options.probe
            ? await probeAll(
                  machines,
                  (m) => probeMachine(credential, endpoints, m),
                  (done) => io.stderr(`verify: probe: ${done}/${machines.length} machines\n`),
              )
            : undefined;
        const facts = assembleFacts({ machines, extensions, pricings, assessments, guestConfiguration, heartbeats, probes });
        const verdicts = facts.map((f) => verdictFor(f, { now: now(), heartbeatMaxAgeMinutes: options.heartbeatMaxAgeMinutes }));
        if (options.format === "json") io.stdout(`${JSON.stringify(buildReport(verdicts, scope, now()), null, 2)}\n`);
        else if (options.format === "markdown") io.stdout(renderMarkdown(verdicts));
        else io.stdout(`${renderTable(verdicts)}\n`);
        if (verdicts.length === 0) io.stderr("verify: no VM or Arc machine in scope: nothing is proven protected\n");
        if (incomplete) {
            io.stderr("verify: Resource Graph's answer was incomplete, so not every machine in scope was judged: exit 1\n");
            return EXIT.notProtected;
        }
        return exitCodeFor(verdicts, options.allowPending);
    } catch (error) {
        if (error instanceof UsageError) {
            io.stderr(`verify: ${error.message}\n`);
            return EXIT.usage;
        }
        const name = (error as Error).name;
        if (SIGN_IN_ERRORS.has(name)) {
            io.stderr(
                `verify: could not sign in to Azure: ${summary(error)}\n` +
                    "  DefaultAzureCredential tried the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or a federated token),\n" +
                    "  workload identity, managed identity and the Azure CLI. Sign in with `az login`, or set those variables.\n",
            );
            return EXIT.signIn;
        }
        io.stderr(
            `verify: Azure request failed: ${summary(error)}\n  the identity needs Reader on the scope (and Log Analytics Reader on each workspace)\n`,
        );
        return EXIT.azure;
    }
}
