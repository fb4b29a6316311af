/**
 * Resource transforms, run the way the Pulumi engine runs them before it registers a resource.
 *
 * `setMocks` hands a resource's transforms to the mocks but never applies them, so without
 * this the offline preview would show the inputs a program wrote, not the ones a real engine
 * (and then Azure) receives. The arguments a transform gets mirror what the SDK's callback
 * server builds from the engine's request (`@pulumi/pulumi/runtime/callbacks.js`): the type,
 * the name, whether it is a custom resource, the deserialized inputs and the options below.
 */
import * as pulumi from "@pulumi/pulumi";
// The SDK's own conversion of `aliases` into the request's Alias messages (what its callback server uses).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mapAliasesForRequest } = require("@pulumi/pulumi/runtime/resource") as {
    mapAliasesForRequest(aliases: unknown[], parentUrn: string): Promise<unknown[]>;
};

/** A transform as a program registers it (the `transforms` option or `registerResourceTransform`). */
export type ResourceTransform = pulumi.ResourceTransform;

/** Options a transform may read and change, and the offline preview applies as the engine would. */
interface TransformedOptions {
    parent?: pulumi.Resource;
    dependsOn?: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource>;
    retainOnDelete?: boolean;
    protect?: boolean;
    ignoreChanges?: string[];
    aliases?: Array<pulumi.Input<string | pulumi.Alias>>;
    replaceOnChanges?: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs?: string[];
}

/** The options the preview applies; any other option a transform sets is refused, never dropped. */
const APPLIED = new Set([
    "parent",
    "dependsOn",
    "retainOnDelete",
    "protect",
    "ignoreChanges",
    "aliases",
    "replaceOnChanges",
    "deleteBeforeReplace",
    "additionalSecretOutputs",
]);

/** A transform set an option the offline preview cannot apply. */
export class UnsupportedTransformOption extends Error {}

/** The request's aliases as a transform receives them (as the SDK's callback server builds them). */
function aliasesOf(req: any): Array<string | pulumi.Alias> {
    return (req.getAliasesList() as any[]).map((alias) => {
        if (alias.hasUrn()) return alias.getUrn() as string;
        const spec = alias.getSpec();
        const parent: string = spec.getParenturn();
        return {
            name: spec.getName() || undefined,
            type: spec.getType() || undefined,
            project: spec.getProject() || undefined,
            stack: spec.getStack() || undefined,
            ...(spec.getNoparent() ? { parent: undefined } : parent !== "" ? { parent: new pulumi.DependencyResource(parent) } : {}),
        } as pulumi.Alias;
    });
}

function optionsOf(req: any): TransformedOptions {
    const parent: string = req.getParent();
    return {
        parent: parent === "" ? undefined : new pulumi.DependencyResource(parent),
        dependsOn: (req.getDependenciesList() as string[]).map((urn) => new pulumi.DependencyResource(urn)),
        retainOnDelete: req.getRetainondelete() === true,
        protect: req.getProtect() === true,
        ignoreChanges: req.getIgnorechangesList(),
        aliases: aliasesOf(req),
        replaceOnChanges: req.getReplaceonchangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace() === true,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    };
}

/** Refuses an option the preview would otherwise drop, and a new parent (the URN would change under the program's feet). */
function checkOptions(req: any, original: TransformedOptions, result: Record<string, unknown>): void {
    const what = `a transform of ${req.getType()} "${req.getName()}"`;
    for (const [key, value] of Object.entries(result)) {
        if (value === undefined || APPLIED.has(key)) continue;
        throw new UnsupportedTransformOption(
            `${what} sets the option ${key}, which the offline preview cannot apply (it applies ${[...APPLIED].join(", ")}); set ${key} on the resource itself, or preview with the Pulumi CLI`,
        );
    }
    const parent = result.parent as pulumi.Resource | undefined;
    if ("parent" in result && parent !== original.parent)
        throw new UnsupportedTransformOption(
            `${what} changes its parent, which the offline preview cannot apply; set parent on the resource itself`,
        );
}

/** An output's value, known or not (`promise()` is the SDK's own, not in its types). */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

async function urnsOf(dependsOn: TransformedOptions["dependsOn"]): Promise<string[]> {
    const resolved = await valueOf(pulumi.output(dependsOn as pulumi.Input<pulumi.Resource[]>));
    const list = Array.isArray(resolved) ? resolved : [resolved];
    return Promise.all(list.map((r) => valueOf((r as pulumi.Resource).urn)));
}

/**
 * Runs `chain` on the registration request `req` in order, each transform seeing the previous
 * one's result, and writes the final inputs and options back into the request.
 */
export async function applyTransforms(req: any, chain: ResourceTransform[]): Promise<void> {
    const struct = req.getObject();
    let props: Record<string, unknown> = struct === undefined ? {} : pulumi.runtime.deserializeProperties(struct);
    const original = optionsOf(req);
    let opts = original;
    let changed = false;
    for (const transform of chain) {
        const result = await transform({ custom: req.getCustom(), type: req.getType(), name: req.getName(), props, opts });
        if (result === undefined) continue;
        changed = true;
        props = result.props as Record<string, unknown>;
        if (result.opts !== undefined) {
            checkOptions(req, original, result.opts as Record<string, unknown>);
            opts = { ...opts, ...(result.opts as TransformedOptions) };
        }
    }
    if (!changed) return;
    const serialized = await pulumi.runtime.serializeProperties("props", props);
    // The request's own Struct class (google-protobuf, through @pulumi/pulumi) builds the new value.
    const Struct = Object.getPrototypeOf(struct).constructor as { fromJavaScript(value: unknown): unknown };
    req.setObject(Struct.fromJavaScript(serialized));
    req.setDependenciesList(await urnsOf(opts.dependsOn ?? []));
    req.setRetainondelete(opts.retainOnDelete === true);
    req.setProtect(opts.protect === true);
    req.setIgnorechangesList(opts.ignoreChanges ?? []);
    req.setReplaceonchangesList(opts.replaceOnChanges ?? []);
    req.setDeletebeforereplace(opts.deleteBeforeReplace === true);
    req.setAdditionalsecretoutputsList(opts.additionalSecretOutputs ?? []);
    // As the SDK's callback server: each alias once, converted with the request's parent.
    const aliases = new Set<unknown>();
    for (const alias of opts.aliases ?? []) aliases.add(await valueOf(pulumi.output(alias as pulumi.Input<string>)));
    req.setAliasesList(await mapAliasesForRequest([...aliases], req.getParent()));
}
