/**
 * The embedded mock engine behind the offline preview and the test suite.
 *
 * It runs a Pulumi program under `pulumi.runtime.setMocks` and records, for every resource
 * the program registers, what a real engine would receive: type, logical name, parent,
 * the resources it waits for, and its inputs with secrets and unknowns still marked. No
 * Pulumi CLI, no cloud credentials and no provider plugins are involved.
 */
import * as pulumi from "@pulumi/pulumi";
import { AliasMatcher, DuplicateUrnError, Match } from "./aliases";
import { resultFieldsOf } from "./azureNativeSdk";
import { PriorResource, PriorState, SECRET_SIG, SECRET_SIG_KEY } from "./state";
import { inputChanges, opFor } from "./steps";
import { applyTransforms, ResourceTransform } from "./transforms";
import { createUrn, ROOT_STACK_TYPE } from "./urn";
import { decodeProperties, PropertyMap } from "./values";

/** One resource as the engine received it. */
export interface RecordedResource {
    /** The URN the engine gave it. */
    urn: string;
    /** Type token, e.g. `azure-native:security:Pricing`. */
    type: string;
    /** Logical name. */
    name: string;
    /** URN of the parent resource, when there is one. */
    parent?: string;
    /** URNs of the resources it waits for (explicit `dependsOn` and those its inputs came from). */
    dependencies: string[];
    /** Inputs, with `Secret` and `Unknown` markers where the program had them. */
    inputs: PropertyMap;
    /** True for provider resources, false for components. */
    custom: boolean;
    /** Whether `pulumi destroy` would leave it in the cloud. */
    retainOnDelete: boolean;
    /** Whether the resource is protected from deletion. */
    protect: boolean;
    /** Inputs whose changes the engine ignores (`ignoreChanges`), when set. */
    ignoreChanges?: string[];
    /** Inputs whose changes make the engine replace it (`replaceOnChanges`), when set. */
    replaceOnChanges?: string[];
    /** URN of the explicit provider resource it goes to; absent for the package's default provider. */
    provider?: string;
    /** Outputs a component registered with `registerOutputs`, secrets and unknowns marked. */
    outputs?: PropertyMap;
    /** The id the (mock) provider answered with; absent in a preview for a resource it creates. */
    id?: string;
    /** The state the (mock) provider answered with: what a deployment would record as the resource's outputs. */
    state?: PropertyMap;
    /**
     * The aliases that give it an old name (or an old URN), as the engine received them; absent when
     * there are none. Type-only aliases are left out: azure-native adds one per API version of every type.
     */
    aliases?: RecordedAlias[];
}

/** One alias: an old URN, or the parts of the old URN that differ (unset parts keep the resource's own). */
export interface RecordedAlias {
    /** The old stack, when the alias names another. */
    stack?: string;
    /** The old project, when the alias names another. */
    project?: string;
    /** The old URN, for an alias given as one. */
    urn?: string;
    /** The old logical name. */
    name?: string;
    /** The old type token. */
    type?: string;
    /** URN of the old parent; the SDK sends the resource's own parent when the alias names none. */
    parent?: string;
    /** The old resource had no parent. */
    noParent?: boolean;
}

/** Decodes the request's `Alias` messages (proto/alias_pb.js), leaving out the parts that are unset. */
function decodeAliases(list: any[]): RecordedAlias[] {
    const decoded: RecordedAlias[] = [];
    for (const alias of list) {
        if (alias.hasUrn()) {
            decoded.push({ urn: alias.getUrn() });
            continue;
        }
        const spec = alias.getSpec();
        if (spec === undefined) continue;
        const entry: RecordedAlias = {};
        if (spec.getName() !== "") entry.name = spec.getName();
        if (spec.getType() !== "") entry.type = spec.getType();
        if (spec.getParenturn() !== "") entry.parent = spec.getParenturn();
        if (spec.getNoparent() === true) entry.noParent = true;
        if (spec.getStack() !== "") entry.stack = spec.getStack();
        if (spec.getProject() !== "") entry.project = spec.getProject();
        decoded.push(entry);
    }
    return decoded;
}

/** An alias that only names an older type under the same parent (azure-native adds one per API version): not a rename. */
function isTypeOnly(alias: RecordedAlias, parent: string | undefined): boolean {
    const keys = Object.keys(alias).filter((k) => k !== "type" && k !== "parent");
    return keys.length === 0 && alias.type !== undefined && (alias.parent === undefined || alias.parent === parent);
}

/** Everything one run of a program produced. */
export interface RunResult {
    /** Resources in registration order. */
    resources: RecordedResource[];
    /** Warnings the program logged through `pulumi.log.warn`. */
    warnings: string[];
    /** The program's exports (stack outputs), resolved; secrets and unknowns marked. */
    outputs: PropertyMap;
    /** Errors raised while resources were being registered (a real engine fails the update with them), each once. */
    errors: string[];
    /** The stack resource (`pulumi:pulumi:Stack`): the parent of every top-level resource, as in a real deployment. */
    stack: { urn: string };
    /** Provider function calls (invokes) the program made: the mock answered each, nothing was read from a cloud. */
    invokes: InvokeRecord[];
    /** With `priorState`: the deployed stack, and the old resource each new URN continues (by URN or alias). */
    prior?: { state: PriorState; matched: Map<string, Match> };
}

/** One provider function call the program made. */
export interface InvokeRecord {
    /** Function token, e.g. `azure-native:security:getPricing`. */
    token: string;
    /**
     * How the mock answered: `unknown` (in a preview: only the cloud knows), `given` (the
     * caller's `invokeResults`), `stand-in` (the mock engine's plausible value, update mode only).
     */
    answer: "unknown" | "given" | "stand-in";
}

/** How to run a program under the mock engine. */
export interface RunOptions {
    /** Run as `pulumi preview` would: ids of new resources and values derived from them are unknown. */
    preview?: boolean;
    /** Pulumi project name (default `project`). */
    project?: string;
    /** Stack name (default `stack`). */
    stack?: string;
    /** Stack configuration, keys as `project:key`, values as the CLI would pass them. */
    config?: Record<string, string>;
    /** Keys of `config` that are secrets. */
    secretConfigKeys?: string[];
    /** What provider functions return, by token (e.g. `azure-native:authorization:getClientConfig`); others echo their inputs. */
    invokeResults?: Record<string, Record<string, unknown>>;
    /** Extra outputs a resource reports once created, by logical name (e.g. a run command's `instanceView`). */
    resourceOutputs?: Record<string, Record<string, unknown>>;
    /**
     * The stack as deployed (`pulumi stack export`): a resource that continues an old one (by URN
     * or alias) and is not replaced keeps its id and outputs, as in `pulumi preview` of an existing stack.
     */
    priorState?: PriorState;
    /**
     * How a preview answers a provider function (a cloud read) the caller gave no result for:
     * `unknown`, as offline nothing can be known (the CLI), or `stand-in`, the mock's plausible
     * value (default, what the component specs assert against). Either way it is recorded in `invokes`.
     */
    readsInPreview?: "unknown" | "stand-in";
}

/** A deployment's output value as the SDK takes it: an unopened secret is unknown offline. */
function runtimeValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(runtimeValue);
    if (value !== null && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (object[SECRET_SIG_KEY] === SECRET_SIG) {
            if (typeof object.plaintext !== "string") return pulumi.runtime.unknownValue;
            return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: runtimeValue(JSON.parse(object.plaintext)) };
        }
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, runtimeValue(v)]));
    }
    return value;
}

/** What a preview answers for a resource that continues `old` without replacement: its id, its outputs under the new inputs. */
function continuedState(old: PriorResource, args: pulumi.runtime.MockResourceArgs) {
    return { id: old.id, state: { ...(runtimeValue(old.outputs) as Record<string, unknown>), ...args.inputs } };
}

const WARNING_PREFIX = "warning: [runtime] ";
/** Without an engine, `pulumi.log.info` and `.debug` print to stdout with these prefixes. */
const NOTE_PREFIXES = ["info: [runtime] ", "debug: [runtime] "];

/** Outputs that Azure computes when it creates a resource: never known in a preview. */
const COMPUTED_IDENTITY_FIELDS = ["principalId", "tenantId"];

/**
 * The state a provider reports for a new resource. In a preview the engine knows only the
 * inputs: every other output (the id, the Azure `name`, an identity's `principalId`) is
 * unknown, and the SDK resolves an output missing from the state as unknown during a preview.
 * In an update the mock stands in plausible values, as a created resource would have.
 */
function newResourceState(preview: boolean, args: pulumi.runtime.MockResourceArgs, extra: Record<string, unknown> | undefined) {
    if (!preview) return { name: args.name, ...args.inputs, ...extra };
    const state: Record<string, unknown> = { ...args.inputs, ...extra };
    const identity = args.inputs.identity;
    if (identity !== null && typeof identity === "object" && !Array.isArray(identity)) {
        const computed = Object.fromEntries(COMPUTED_IDENTITY_FIELDS.map((f) => [f, pulumi.runtime.unknownValue]));
        state.identity = { ...identity, ...computed };
    }
    return state;
}

/**
 * Makes the mock monitor that `setMocks` installed keep what each registration request
 * carried, after the resource transforms a real engine would run on it. (Installing a monitor subclass with `setMockOptions` would skip the feature flags
 * `setMocks` turns on, secrets among them, and secrets would then arrive unmarked.)
 */
function recordRegistrations(
    monitor: any,
    stackTransforms: ResourceTransform[],
    matcher: AliasMatcher,
    onMatch: (entry: RecordedResource, match: Match) => void,
): RecordedResource[] {
    const recorded: RecordedResource[] = [];
    const register = monitor.registerResource.bind(monitor);
    // Each resource's own transforms and its parent, by URN, for the children's chains.
    const ownTransforms = new Map<string, ResourceTransform[]>();
    const parents = new Map<string, string>();
    const transformsOf = (req: any): ResourceTransform[] =>
        (req.getTransformsList() as any[])
            .map((cb) => monitor.transformCallbacks.get(cb.getToken()) as ResourceTransform | undefined)
            .filter((t): t is ResourceTransform => t !== undefined);
    // The engine runs a resource's transforms, then its parent's, up to the stack's (registered
    // with `pulumi.runtime.registerResourceTransform`): https://www.pulumi.com/docs/iac/concepts/resources/options/transforms/
    const chainOf = (req: any): ResourceTransform[] => {
        const chain = [...transformsOf(req)];
        for (let parent: string | undefined = req.getParent() || undefined; parent !== undefined; parent = parents.get(parent)) {
            chain.push(...(ownTransforms.get(parent) ?? []));
        }
        return [...chain, ...stackTransforms];
    };
    // The monitor's requests are the generated protobuf messages of the resource monitor.
    monitor.registerResource = (req: any, callback: (err: any, response: any) => void) => {
        const own = transformsOf(req);
        const chain = chainOf(req);
        if (chain.length === 0) return recordAndRegister(req, own, callback);
        applyTransforms(req, chain).then(
            () => recordAndRegister(req, own, callback),
            (err: unknown) => callback(err, undefined),
        );
    };
    const recordAndRegister = (req: any, own: ResourceTransform[], callback: (err: any, response: any) => void) => {
        const parent: string = req.getParent();
        const provider: string = req.getProvider();
        // The engine matches on every alias; the record keeps the renaming ones.
        const allAliases = decodeAliases(req.getAliasesList());
        const aliases = allAliases.filter((a) => !isTypeOnly(a, parent === "" ? undefined : parent));
        const entry: RecordedResource = {
            urn: "",
            type: req.getType(),
            name: req.getName(),
            parent: parent === "" ? undefined : parent,
            dependencies: req.getDependenciesList(),
            inputs: decodeProperties(req.getObject()?.toJavaScript() ?? {}),
            custom: req.getCustom(),
            retainOnDelete: req.getRetainondelete() === true,
            protect: req.getProtect() === true,
            ...(req.getIgnorechangesList().length > 0 ? { ignoreChanges: req.getIgnorechangesList() } : {}),
            ...(req.getReplaceonchangesList().length > 0 ? { replaceOnChanges: req.getReplaceonchangesList() } : {}),
            // A provider reference is `<urn>::<id>`; the URN names it.
            ...(provider !== "" ? { provider: provider.slice(0, provider.lastIndexOf("::")) } : {}),
            ...(aliases.length > 0 ? { aliases } : {}),
        };
        // The engine's URN, and its refusal of a second resource with it (the mock would overwrite the first).
        const urn = createUrn(pulumi.runtime.getStack(), pulumi.runtime.getProject(), entry.type, entry.name, entry.parent);
        let match: Match;
        try {
            match = matcher.register({ urn, name: entry.name, type: entry.type, parent: entry.parent, aliases: allAliases });
        } catch (err) {
            if (err instanceof DuplicateUrnError) return callback(err, undefined);
            throw err;
        }
        recorded.push(entry);
        onMatch(entry, match);
        // The URN is whatever the monitor answers with: take it from the response.
        return register(req, (err: any, response: any) => {
            if (response) {
                entry.urn = response.getUrn();
                if (response.getId() !== "") entry.id = response.getId();
                if (entry.custom) entry.state = decodeProperties(response.getObject()?.toJavaScript() ?? {});
                if (own.length > 0) ownTransforms.set(entry.urn, own);
                if (entry.parent !== undefined) parents.set(entry.urn, entry.parent);
            }
            callback(err, response);
        });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: any, response: any) => void) => {
        const entry = byUrn(recorded, req.getUrn());
        if (entry !== undefined) entry.outputs = decodeProperties(req.getOutputs()?.toJavaScript() ?? {});
        return registerOutputs(req, callback);
    };
    return recorded;
}

/**
 * What the mock engine's Azure answers for reads whose echo would mean nothing: a remediation
 * task read back reports it finished with no failed deployment (policy mode's MDE gate polls it).
 */
const DEFAULT_INVOKE_RESULTS: Record<string, Record<string, unknown>> = {
    "azure-native:policyinsights:getRemediationAtResource": {
        provisioningState: "Succeeded",
        deploymentStatus: { totalDeployments: 0, successfulDeployments: 0, failedDeployments: 0 },
    },
};

/**
 * An invoke's answer with every field unknown: the fields the function's own result type
 * declares, so that reading one (`getPricingOutput(...).extensions`) is unknown too.
 */
function unknownResult(token: string): Record<string, unknown> {
    const fields = resultFieldsOf(token) ?? ["value"];
    return Object.fromEntries(fields.map((f) => [f, pulumi.runtime.unknownValue]));
}

/** The recorded resource with this URN; components register outputs last, so search from the end. */
function byUrn(recorded: RecordedResource[], urn: string): RecordedResource | undefined {
    for (let i = recorded.length - 1; i >= 0; i--) if (recorded[i].urn === urn) return recorded[i];
    return undefined;
}

/** Ids the mock engine invents for created resources, shaped like ARM ids where it matters (the benchmark replays them). */
export function fakeId(type: string, name: string, inputs: Record<string, unknown>): string {
    const rg = typeof inputs.resourceGroupName === "string" ? inputs.resourceGroupName : "rg";
    const provider = type.split(":")[1] ?? "unknown";
    return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${rg}/providers/mock.${provider}/${name}`;
}

/**
 * Runs `program` under the mock engine and returns what it registered. The program may
 * return its stack outputs (or a promise of them).
 */
export async function runProgram(program: () => unknown, options: RunOptions = {}): Promise<RunResult> {
    const preview = options.preview === true;
    const project = options.project ?? "project";
    const stack = options.stack ?? "stack";
    const stackTransforms: ResourceTransform[] = [];
    const invokes: InvokeRecord[] = [];
    const prior = options.priorState;
    const matcher = new AliasMatcher(stack, project, prior?.byUrn);
    const matched = new Map<string, Match>();
    // The old resource the registration being answered continues without replacement: set just
    // before the mock monitor calls `newResource`, which it does synchronously.
    let continuing: PriorResource | undefined;
    await pulumi.runtime.setMocks(
        {
            newResource: (args: pulumi.runtime.MockResourceArgs) => {
                if (continuing !== undefined && args.custom) return continuedState(continuing, args);
                return {
                    // In a preview a new resource has no id yet; everything computed from it stays unknown.
                    id: preview ? undefined : fakeId(args.type, args.name, args.inputs),
                    state: newResourceState(preview, args, options.resourceOutputs?.[args.name]),
                };
            },
            call: (args: pulumi.runtime.MockCallArgs) => {
                const given = options.invokeResults?.[args.token];
                if (given !== undefined) {
                    invokes.push({ token: args.token, answer: "given" });
                    return given;
                }
                if (preview && options.readsInPreview === "unknown") {
                    // `pulumi preview` reads the cloud here; offline nothing is known, and an
                    // unknown value keeps everything computed from it unknown.
                    invokes.push({ token: args.token, answer: "unknown" });
                    return unknownResult(args.token);
                }
                invokes.push({ token: args.token, answer: "stand-in" });
                return DEFAULT_INVOKE_RESULTS[args.token] ?? args.inputs;
            },
            // `pulumi.runtime.registerResourceTransform` lands here; the engine applies them last.
            registerTransform: (transform: ResourceTransform) => {
                stackTransforms.push(transform);
            },
        } as pulumi.runtime.Mocks,
        project,
        stack,
        preview,
    );
    const monitor = pulumi.runtime.getMonitor() as any;
    // The mock monitor's own URNs keep only the parent's last type; the engine keeps the chain.
    monitor.newUrn = (parent: string, type: string, name: string) =>
        createUrn(pulumi.runtime.getStack(), pulumi.runtime.getProject(), type, name, parent === "" ? undefined : parent);
    const recorded = recordRegistrations(monitor, stackTransforms, matcher, (entry, match) => {
        continuing = undefined;
        if (match.old === undefined) return;
        matched.set(createUrn(stack, project, entry.type, entry.name, entry.parent), match);
        if (opFor(inputChanges(entry, match.old.inputs)) !== "replace") continuing = match.old;
    });
    pulumi.runtime.setAllConfig(options.config ?? {}, options.secretConfigKeys ?? []);

    const warnings: string[] = [];
    const originalWarn = console.warn;
    // Without an engine, `pulumi.log.warn` writes to the console with this prefix: keep those lines.
    console.warn = (...parts: unknown[]) => {
        const line = parts.map(String).join(" ");
        if (line.startsWith(WARNING_PREFIX)) warnings.push(line.slice(WARNING_PREFIX.length));
        else originalWarn(...parts);
    };
    // Notes (the policy rollout's remediation arithmetic, the gate's progress) go to stderr: stdout
    // is the report's, and `--json` must stay one JSON document.
    const originalLog = console.log;
    console.log = (...parts: unknown[]) => {
        const line = parts.map(String).join(" ");
        if (NOTE_PREFIXES.some((prefix) => line.startsWith(prefix))) process.stderr.write(`${line}\n`);
        else originalLog(...parts);
    };
    // An input that fails to resolve fails its resource's registration asynchronously; the CLI
    // reports those as errors of the update, so keep them.
    // Each message once, in the order first seen (a Set keeps both, in one lookup per rejection).
    const errorSet = new Set<string>();
    const onRejection = (reason: unknown) => errorSet.add(reason instanceof Error ? reason.message : String(reason));
    process.on("unhandledRejection", onRejection);
    try {
        // As the Pulumi CLI runs a nodejs program: inside the stack resource, every resource's root parent.
        // The program's own failure is the caller's; an export that fails to resolve is an error of the update.
        // The exports are resolved below as before (`runInPulumiStack` would also warn about each
        // undefined export, as the CLI does: docs/offline-preview.md lists that difference).
        let exported: unknown;
        await pulumi.runtime.runInPulumiStack(async () => {
            exported = await program();
            return undefined;
        });
        const outputs = await resolveOutputs(exported).catch((err: unknown) => {
            onRejection(err);
            return {};
        });
        // Waits until every outstanding registration has been answered.
        await pulumi.runtime.disconnect();
        // Rejections are reported on a later turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        const stackEntry = recorded.find((r) => r.type === ROOT_STACK_TYPE);
        return {
            resources: recorded.filter((r) => r !== stackEntry),
            warnings,
            outputs,
            errors: [...errorSet],
            stack: { urn: stackEntry?.urn ?? createUrn(stack, project, ROOT_STACK_TYPE, `${project}-${stack}`) },
            invokes,
            ...(prior !== undefined ? { prior: { state: prior, matched } } : {}),
        };
    } finally {
        console.warn = originalWarn;
        console.log = originalLog;
        process.off("unhandledRejection", onRejection);
    }
}

/** Resolves a program's exports the way the engine would serialize them for the stack. */
async function resolveOutputs(exported: unknown): Promise<PropertyMap> {
    if (exported === undefined || exported === null || typeof exported !== "object") return {};
    const serialized = await pulumi.runtime.serializeProperties("outputs", exported as Record<string, unknown>, {
        keepOutputValues: false,
    });
    return decodeProperties(serialized);
}
