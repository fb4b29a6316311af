/**
 * Secrets audit: no credential ever shows outside a secret.
 *
 * 1. Every example program, through the offline preview CLI (text and --json): the placeholder
 *    that stands in for encrypted config never appears, although (checked in process) it does
 *    reach the resources, inside secrets. The CLI's own `main` runs in this process (no ts-node
 *    start per preview), with everything the process prints meanwhile searched as well: what
 *    the program logs without an engine (Pulumi's log.info) reaches the console, not `main`'s
 *    output. test/preview.spec.ts checks that the spawned CLI prints the same JSON.
 * 2. In-process scenarios (an authenticated proxy, every machine kind and OS, the legacy agent
 *    with its workspace key, Private Link; update and preview): each credential literal
 *    is searched for in everything the engine received and everything a person or a machine
 *    reads: resource inputs, component outputs, stack outputs, warnings, the rendered preview
 *    (text and JSON). A hit outside a `Secret` marker fails, naming where. Refused args are
 *    searched too: the validation message must not echo a credential.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, ValidationError } from "../sdk";
import { RecordedResource, runProgram, RunResult } from "../sdk/preview/engine";
import { loadProject } from "../sdk/preview/project";
import { buildReport, renderText } from "../sdk/preview/render";
import { plainOccurrences, PropertyValue, reveal, Secret, Unknown } from "../sdk/preview/values";
import { MINIMAL, MODES } from "./harness";
import { previewInProcess, PreviewCliResult } from "./previewCli";
import { MIXED_MACHINES } from "./fleet";

/** Azure Monitor Private Link needs AMA machines in the data collection endpoint's region. */
function withMachinesIn(location: string, args: DefenderForServersNetworkRestrictedArgs): DefenderForServersNetworkRestrictedArgs {
    return { ...args, machines: args.machines?.map((m) => ({ ...m, location })) };
}

const ROOT = path.resolve(__dirname, "..");
/** What the offline preview stands in for encrypted config (sdk/preview/project.ts). */
const PLACEHOLDER = "offline-preview-placeholder";

// Distinctive literals, so that a hit can only be a leak of the credential itself.
const PASSWORD = "Audit-Pr0xy-Pa55word!";
const USERNAME = "audit-proxy-user-7f3a";
const WORKSPACE_KEY = "YXVkaXQtd29ya3NwYWNlLWtleQ==";
const LITERALS = { "proxy password": PASSWORD, "proxy username": USERNAME, "workspace key": WORKSPACE_KEY };
type LiteralName = keyof typeof LITERALS;

const WORKSPACE =
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law";
const SUBNET =
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints";
const VNET = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub";

const totals = {
    projects: 0,
    cliRuns: 0,
    scenarios: 0,
    runs: 0,
    literals: Object.keys(LITERALS).length,
    places: 0,
    reachedInSecrets: 0,
    leaks: 0,
};

// ---------------------------------------------------------------------------------------------
// Where a literal is: outside secrets (a leak) and inside them (where it belongs).

/** Paths at which `literal` appears inside a secret. */
function secretOccurrences(value: PropertyValue, literal: string, at = ""): string[] {
    if (value instanceof Secret) return JSON.stringify(reveal(value.value)).includes(literal) ? [at] : [];
    if (value instanceof Unknown || value === null || typeof value !== "object") return [];
    if (Array.isArray(value)) return value.flatMap((entry, i) => secretOccurrences(entry, literal, `${at}[${i}]`));
    return Object.entries(value).flatMap(([key, entry]) => secretOccurrences(entry, literal, at === "" ? key : `${at}.${key}`));
}

/** One place a person or a machine can read, with the text or decoded value to search. */
interface Place {
    where: string;
    value?: PropertyValue;
    text?: string;
}

/** Every place a run exposes: each resource's identity, inputs and outputs, the stack outputs, warnings, the rendered preview. */
function placesOf(run: RunResult): Place[] {
    const places: Place[] = [];
    for (const r of run.resources) {
        places.push({
            where: `${r.name} (type, name, URN, parent, dependencies)`,
            text: [r.type, r.name, r.urn, r.parent ?? "", ...r.dependencies].join("\n"),
        });
        places.push({ where: `${r.name} inputs`, value: r.inputs });
        if (r.outputs !== undefined) places.push({ where: `${r.name} registered outputs`, value: r.outputs });
    }
    places.push({ where: "stack outputs", value: run.outputs });
    run.warnings.forEach((w, i) => places.push({ where: `warning ${i + 1}`, text: w }));
    const report = buildReport("audit", "dev", run, []);
    places.push({ where: "rendered preview (text)", text: renderText(report) });
    places.push({ where: "rendered preview (JSON)", text: JSON.stringify(report) });
    return places;
}

/** Where `literal` shows outside a secret. */
function leaksIn(places: Place[], literal: string): string[] {
    return places.flatMap((place) => {
        if (place.text !== undefined) return place.text.includes(literal) ? [place.where] : [];
        return plainOccurrences(place.value!, literal).map((p) => `${place.where}: ${p || "(the value itself)"}`);
    });
}

/** Where `literal` travels inside secrets, across the run's resources. */
function reachedIn(resources: RecordedResource[], literal: string): string[] {
    return resources.flatMap((r) => secretOccurrences(r.inputs, literal).map((p) => `${r.name}.${p}`));
}

// ---------------------------------------------------------------------------------------------
// The example programs, through the CLI.

interface Project {
    label: string;
    dir: string;
    runtime: unknown;
}

/** The repository's Pulumi projects: the root one (examples/default) and every examples/* folder with a Pulumi.yaml. */
function discoverProjects(): Project[] {
    const dirs = [ROOT, ...fs.readdirSync(path.join(ROOT, "examples")).map((d) => path.join(ROOT, "examples", d))];
    return dirs
        .filter((dir) => fs.existsSync(path.join(dir, "Pulumi.yaml")))
        .map((dir) => {
            const text = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
            const runtime = /^runtime:\s*(?:\n\s+name:\s*)?(\S+)/m.exec(text)?.[1];
            return { label: path.relative(ROOT, dir) || "(root: examples/default)", dir, runtime };
        });
}

/** The CLI's preview in this process; its stderr gets whatever the process printed meanwhile. */
async function previewCli(cwd: string, ...args: string[]): Promise<PreviewCliResult> {
    totals.cliRuns += 1;
    let printed = "";
    const streams = [process.stdout, process.stderr].map((stream) => ({ stream, write: stream.write }));
    for (const { stream } of streams) {
        stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
            printed += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
            const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
            done?.();
            return true;
        }) as typeof stream.write;
    }
    try {
        const result = await previewInProcess(cwd, args);
        return { ...result, stderr: result.stderr + printed };
    } finally {
        for (const { stream, write } of streams) stream.write = write;
    }
}

/** Runs a project's program in process with its stack config, as the CLI does. */
async function runProjectInProcess(dir: string): Promise<{ run: RunResult; secretKeys: string[] }> {
    const project = loadProject(dir);
    const entry = require.resolve(project.entry);
    delete require.cache[entry];
    try {
        const run = await runProgram(
            () => {
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                const loaded = require(entry);
                return typeof loaded === "function" ? loaded() : loaded;
            },
            { preview: true, project: project.name, stack: project.stack, config: project.config, secretConfigKeys: project.secretKeys },
        );
        return { run, secretKeys: project.secretKeys };
    } finally {
        delete require.cache[entry];
    }
}

// ---------------------------------------------------------------------------------------------
// In-process scenarios.

type Make = (value: string) => pulumi.Input<string>;
const asText: Make = (value) => value;
const asSecret: Make = (value) => pulumi.secret(value);
const asOutput: Make = (value) => pulumi.output(value);

const FLEET = MIXED_MACHINES;

/** Every kind and OS behind an authenticated proxy, with AMA, the legacy agent (workspace key). */
function fleet(make: Make, overrides: Partial<DefenderForServersNetworkRestrictedArgs> = {}): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        plan: { subPlan: "P2", fileIntegrityMonitoring: false },
        proxy: {
            address: "http://proxy.corp.example:3128",
            bypass: [".corp.example", "10.0.0.0/8"],
            username: make(USERNAME),
            password: make(PASSWORD),
            unauthenticatedForAgentHosts: true,
        },
        machines: FLEET.map((m) => ({ ...m })),
        logs: {
            workspaceResourceId: WORKSPACE,
            legacyAgent: { workspaceId: "99999999-8888-7777-6666-555555555555", workspaceKey: make(WORKSPACE_KEY) },
        },
        ...overrides,
    };
}

interface Scenario {
    why: string;
    args: () => DefenderForServersNetworkRestrictedArgs;
    /** The literals that must reach Azure (inside secrets) in this scenario. */
    reaches: LiteralName[];
}

const ALL: LiteralName[] = ["proxy password", "proxy username", "workspace key"];

const SCENARIOS: Scenario[] = [
    { why: "credentials as plain strings", args: () => fleet(asText), reaches: ALL },
    { why: "credentials as secret Outputs", args: () => fleet(asSecret), reaches: ALL },
    { why: "credentials as Outputs not marked secret (the component must mark them)", args: () => fleet(asOutput), reaches: ALL },
    {
        why: "with Arc Private Link and the Guest Configuration tag policy",
        args: () =>
            fleet(asText, {
                guestConfiguration: { tagExistingVms: true },
                privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, virtualNetworkIds: [VNET], arc: {} },
            }),
        reaches: ALL,
    },
    {
        // Through Azure Monitor Private Link the log agents take no proxy: the proxy credentials go nowhere.
        why: "with Arc and Azure Monitor Private Link",
        args: () =>
            withMachinesIn(
                "westeurope",
                fleet(asSecret, {
                    privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, virtualNetworkIds: [VNET], arc: {}, azureMonitor: {} },
                }),
            ),
        reaches: ["workspace key"],
    },
];

/** Runs the component and returns the run with every component output exported as a stack output. */
async function runScenario(args: DefenderForServersNetworkRestrictedArgs, preview: boolean): Promise<RunResult> {
    return runProgram(
        () => {
            const component = new DefenderForServersNetworkRestricted("d", args);
            // Every Output the component exposes becomes a stack output, as a program exporting them all would.
            return Object.fromEntries(Object.entries(component).filter(([, value]) => pulumi.Output.isInstance(value)));
        },
        { preview },
    );
}

// Args the component refuses: the message must not echo a credential.
const REFUSED: Array<{ why: string; args: () => unknown; literals: LiteralName[] }> = [
    {
        why: "credentials written into the proxy address",
        args: () => ({ ...MINIMAL, proxy: { address: `http://${USERNAME}:${PASSWORD}@proxy.corp.example:3128` } }),
        literals: ["proxy password", "proxy username"],
    },
    {
        why: "a password without a user name",
        args: () => ({ ...MINIMAL, proxy: { address: "http://proxy.corp.example:3128", password: PASSWORD } }),
        literals: ["proxy password"],
    },
    {
        why: "credentials with a Linux machine and no unauthenticatedForAgentHosts",
        args: () => ({ ...fleet(asText), proxy: { address: "http://proxy.corp.example:3128", username: USERNAME, password: PASSWORD } }),
        literals: ["proxy password", "proxy username", "workspace key"],
    },
    {
        why: "a workspace key with a malformed workspace id",
        args: () => ({
            ...MINIMAL,
            logs: { workspaceResourceId: WORKSPACE, legacyAgent: { workspaceId: "not-a-guid", workspaceKey: WORKSPACE_KEY } },
        }),
        literals: ["workspace key"],
    },
    {
        why: "credentials in unknown fields and of the wrong type",
        args: () => ({
            ...MINIMAL,
            proxy: { address: "http://proxy.corp.example:3128", username: [USERNAME], password: { value: PASSWORD }, pasword: PASSWORD },
        }),
        literals: ["proxy password", "proxy username"],
    },
];

// ---------------------------------------------------------------------------------------------

describe("secrets audit", function () {
    this.timeout(120_000);

    after(() => {
        console.log(
            `      secrets audit: ${totals.projects} example projects (${totals.cliRuns} CLI previews), ${totals.scenarios} in-process scenarios ` +
                `(${totals.runs} runs), ${totals.literals} credential literals, ${totals.places} places searched, ` +
                `${totals.reachedInSecrets} secret occurrences found where they belong, ${totals.leaks} leaks`,
        );
    });

    describe("the example programs through the offline preview CLI", () => {
        const projects = discoverProjects();

        it("finds the example projects: the root one (examples/default) and examples/private-link at least", () => {
            const labels = projects.map((p) => p.label);
            assert.ok(
                labels.includes("(root: examples/default)") && labels.includes(path.join("examples", "private-link")),
                labels.join(", "),
            );
        });

        for (const project of projects) {
            it(`${project.label}: the secret placeholder appears in neither the text nor the JSON preview`, async () => {
                totals.projects += 1;
                for (const args of [[], ["--json"]]) {
                    const { code, stdout, stderr } = await previewCli(project.dir, ...args);
                    totals.places += 2;
                    const leaks = [stdout.includes(PLACEHOLDER) ? "stdout" : "", stderr.includes(PLACEHOLDER) ? "stderr" : ""].filter(
                        Boolean,
                    );
                    totals.leaks += leaks.length;
                    assert.deepEqual(leaks, [], `${project.label} ${args.join(" ")}: the placeholder shows in ${leaks.join(", ")}`);
                    if (project.runtime !== "nodejs") continue; // The offline preview runs nodejs programs only; it refuses the others.
                    assert.equal(code, 0, stderr);
                    if (args.length > 0) JSON.parse(stdout);
                }
            });
        }

        it("the placeholder does reach the resources, inside secrets (so the CLI check above can fail)", async () => {
            let checked = 0;
            for (const project of projects.filter((p) => p.runtime === "nodejs")) {
                const { run, secretKeys } = await runProjectInProcess(project.dir);
                totals.places += placesOf(run).length;
                const leaks = leaksIn(placesOf(run), PLACEHOLDER);
                totals.leaks += leaks.length;
                assert.deepEqual(leaks, [], `${project.label}: the placeholder shows outside secrets in ${leaks.join("; ")}`);
                if (secretKeys.length === 0) continue;
                const reached = reachedIn(run.resources, PLACEHOLDER);
                totals.reachedInSecrets += reached.length;
                assert.ok(reached.length > 0, `${project.label} has secret config (${secretKeys.join(", ")}) that reaches no resource`);
                checked += 1;
            }
            assert.ok(checked > 0, "no example has encrypted config: nothing proves the placeholder check can fail");
        });
    });

    for (const mode of MODES) {
        describe(`in-process scenarios, ${mode.label}`, () => {
            for (const scenario of SCENARIOS) {
                it(`${scenario.why}: no credential outside a secret anywhere, and each one reaches Azure inside secrets`, async () => {
                    totals.scenarios += mode.preview ? 0 : 1;
                    totals.runs += 1;
                    const run = await runScenario(scenario.args(), mode.preview);
                    assert.ok(run.resources.length > 10, `only ${run.resources.length} resources registered`);
                    const places = placesOf(run);
                    totals.places += places.length;
                    const literals = Object.entries(LITERALS) as Array<[LiteralName, string]>;
                    const found = literals.flatMap(([name, literal]) => leaksIn(places, literal).map((where) => `${name} in ${where}`));
                    totals.leaks += found.length;
                    assert.deepEqual(found, [], `credentials outside secrets:\n  ${found.join("\n  ")}`);
                    for (const [name, literal] of literals) {
                        const reached = reachedIn(run.resources, literal);
                        totals.reachedInSecrets += reached.length;
                        if (scenario.reaches.includes(name)) {
                            assert.ok(reached.length > 0, `the ${name} reached no resource inside a secret: the audit would prove nothing`);
                        } else {
                            assert.deepEqual(reached, [], `the ${name} reached resources it has no business in`);
                        }
                    }
                });
            }
        });
    }

    describe("refused args", () => {
        for (const refused of REFUSED) {
            it(`${refused.why}: the validation message echoes no credential, and nothing is registered`, async () => {
                let error: unknown;
                const run = await runProgram(() => {
                    try {
                        new DefenderForServersNetworkRestricted("d", refused.args() as DefenderForServersNetworkRestrictedArgs);
                    } catch (err) {
                        error = err;
                    }
                });
                assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
                assert.deepEqual(run.resources, []);
                const texts = [error.message, ...error.problems.map((p) => `${p.path} ${p.message}`), ...run.warnings];
                totals.places += texts.length;
                for (const name of refused.literals) {
                    const hits = texts.filter((t) => t.includes(LITERALS[name]));
                    totals.leaks += hits.length;
                    assert.deepEqual(hits, [], `the ${name} is echoed`);
                }
            });
        }
    });
});
