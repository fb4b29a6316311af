/**
 * The embedded mock engine behind the offline preview and the test suite.
 *
 * It runs a Pulumi program under `pulumi.runtime.setMocks` and records, for every resource
 * the program registers, what a real engine would receive: type, logical name, parent,
 * the resources it waits for, and its inputs with secrets and unknowns still marked. No
 * Pulumi CLI, no cloud credentials and no provider plugins are involved.
 */
import * as pulumi from "@pulumi/pulumi";
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
    /** Outputs a component registered with `registerOutputs`, secrets and unknowns marked. */
    outputs?: PropertyMap;
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

/**
 * Makes the mock monitor that `setMocks` installed keep what each registration request
 * carried. (Installing a monitor subclass with `setMockOptions` would skip the feature flags
 * `setMocks` turns on, secrets among them, and secrets would then arrive unmarked.)
 */
function recordRegistrations(monitor: any): RecordedResource[] {
    const recorded: RecordedResource[] = [];
    const register = monitor.registerResource.bind(monitor);
    // The monitor's requests are the generated protobuf messages of the resource monitor.
    monitor.registerResource = (req: any, callback: (err: any, response: any) => void) => {
        const parent: string = req.getParent();
        const entry: RecordedResource = {
            urn: "",
            type: req.getType(),
            name: req.getName(),
            parent: parent === "" ? undefined : parent,
            dependencies: req.getDependenciesList(),
            inputs: decodeProperties(req.getObject()?.toJavaScript() ?? {}),
            custom: req.getCustom(),
            retainOnDelete: req.getRetainondelete() === true,
        };
        recorded.push(entry);
        // The URN is whatever the monitor answers with: take it from the response.
        return register(req, (err: any, response: any) => {
            if (response) entry.urn = response.getUrn();
            callback(err, response);
        });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: any, response: any) => void) => {
        const entry = recorded.find((r) => r.urn === req.getUrn());
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

/** Ids the mock engine invents for created resources, shaped like ARM ids where it matters. */
function fakeId(type: string, name: string, inputs: Record<string, unknown>): string {
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
    await pulumi.runtime.setMocks(
        {
            newResource: (args: pulumi.runtime.MockResourceArgs) => ({
                // In a preview a new resource has no id yet; everything computed from it stays unknown.
                id: preview ? undefined : fakeId(args.type, args.name, args.inputs),
                // Providers report a resource's Azure name as `name`; stand in the logical name when no input gave one.
                state: { name: args.name, ...args.inputs, ...options.resourceOutputs?.[args.name] },
            }),
            call: (args: pulumi.runtime.MockCallArgs) => options.invokeResults?.[args.token] ?? DEFAULT_INVOKE_RESULTS[args.token] ?? args.inputs,
        },
        options.project ?? "project",
        options.stack ?? "stack",
        preview,
    );
    const recorded = recordRegistrations(pulumi.runtime.getMonitor());
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
