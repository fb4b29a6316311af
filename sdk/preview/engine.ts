/**
 * The embedded mock engine behind the offline preview and the test suite.
 *
 * It runs a Pulumi program under `pulumi.runtime.setMocks` and records, for every resource
 * the program registers, what a real engine would receive: type, logical name, parent,
 * the resources it waits for, and its inputs with secrets and unknowns still marked. No
 * Pulumi CLI, no cloud credentials and no provider plugins are involved.
 */
import * as pulumi from "@pulumi/pulumi";
import { applyTransforms, ResourceTransform } from "./transforms";
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
    /** URN of the explicit provider resource it goes to; absent for the package's default provider. */
    provider?: string;
    /** Outputs a component registered with `registerOutputs`, secrets and unknowns marked. */
    outputs?: PropertyMap;
    /**
     * The aliases that give it an old name (or an old URN), as the engine received them; absent when
     * there are none. Type-only aliases are left out: azure-native adds one per API version of every type.
     */
    aliases?: RecordedAlias[];
}

/** One alias: an old URN, or the parts of the old URN that differ (unset parts keep the resource's own). */
export interface RecordedAlias {
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

/** Decodes the request's renaming `Alias` messages (proto/alias_pb.js), leaving out the parts that are unset. */
function decodeAliases(list: any[]): RecordedAlias[] {
    const decoded: RecordedAlias[] = [];
    for (const alias of list) {
        if (alias.hasUrn()) {
            decoded.push({ urn: alias.getUrn() });
            continue;
        }
        const spec = alias.getSpec();
        if (spec === undefined || spec.getName() === "") continue;
        const entry: RecordedAlias = { name: spec.getName() };
        if (spec.getType() !== "") entry.type = spec.getType();
        if (spec.getParenturn() !== "") entry.parent = spec.getParenturn();
        if (spec.getNoparent() === true) entry.noParent = true;
        decoded.push(entry);
    }
    return decoded;
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
}

const WARNING_PREFIX = "warning: [runtime] ";

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
function recordRegistrations(monitor: any, stackTransforms: ResourceTransform[]): RecordedResource[] {
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
        const aliases = decodeAliases(req.getAliasesList());
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
            // A provider reference is `<urn>::<id>`; the URN names it.
            ...(provider !== "" ? { provider: provider.slice(0, provider.lastIndexOf("::")) } : {}),
            ...(aliases.length > 0 ? { aliases } : {}),
        };
        recorded.push(entry);
        // The URN is whatever the monitor answers with: take it from the response.
        return register(req, (err: any, response: any) => {
            if (response) {
                entry.urn = response.getUrn();
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
    const stackTransforms: ResourceTransform[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args: pulumi.runtime.MockResourceArgs) => ({
                // In a preview a new resource has no id yet; everything computed from it stays unknown.
                id: preview ? undefined : fakeId(args.type, args.name, args.inputs),
                state: newResourceState(preview, args, options.resourceOutputs?.[args.name]),
            }),
            call: (args: pulumi.runtime.MockCallArgs) => options.invokeResults?.[args.token] ?? DEFAULT_INVOKE_RESULTS[args.token] ?? args.inputs,
            // `pulumi.runtime.registerResourceTransform` lands here; the engine applies them last.
            registerTransform: (transform: ResourceTransform) => {
                stackTransforms.push(transform);
            },
        } as pulumi.runtime.Mocks,
        options.project ?? "project",
        options.stack ?? "stack",
        preview,
    );
    const recorded = recordRegistrations(pulumi.runtime.getMonitor(), stackTransforms);
    pulumi.runtime.setAllConfig(options.config ?? {}, options.secretConfigKeys ?? []);

    const warnings: string[] = [];
    const originalWarn = console.warn;
    // Without an engine, `pulumi.log.warn` writes to the console with this prefix: keep those lines.
    console.warn = (...parts: unknown[]) => {
        const line = parts.map(String).join(" ");
        if (line.startsWith(WARNING_PREFIX)) warnings.push(line.slice(WARNING_PREFIX.length));
        else originalWarn(...parts);
    };
    // An input that fails to resolve fails its resource's registration asynchronously; the CLI
    // reports those as errors of the update, so keep them.
    const errors: string[] = [];
    const onRejection = (reason: unknown) => {
        const message = reason instanceof Error ? reason.message : String(reason);
        if (!errors.includes(message)) errors.push(message);
    };
    process.on("unhandledRejection", onRejection);
    try {
        const exported = await program();
        const outputs = await resolveOutputs(exported).catch((err: unknown) => {
            onRejection(err);
            return {};
        });
        // Waits until every outstanding registration has been answered.
        await pulumi.runtime.disconnect();
        // Rejections are reported on a later turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        return { resources: recorded, warnings, outputs, errors };
    } finally {
        console.warn = originalWarn;
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
