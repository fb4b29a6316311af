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

/** A transform as a program registers it (the `transforms` option or `registerResourceTransform`). */
export type ResourceTransform = pulumi.ResourceTransform;

/** Options a transform may read and change; these are the ones the preview reports. */
interface TransformedOptions {
    parent?: pulumi.Resource;
    dependsOn?: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource>;
    retainOnDelete?: boolean;
    protect?: boolean;
    ignoreChanges?: string[];
}

function optionsOf(req: any): TransformedOptions {
    const parent: string = req.getParent();
    return {
        parent: parent === "" ? undefined : new pulumi.DependencyResource(parent),
        dependsOn: (req.getDependenciesList() as string[]).map((urn) => new pulumi.DependencyResource(urn)),
        retainOnDelete: req.getRetainondelete() === true,
        protect: req.getProtect() === true,
        ignoreChanges: req.getIgnorechangesList(),
    };
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
    let opts = optionsOf(req);
    let changed = false;
    for (const transform of chain) {
        const result = await transform({ custom: req.getCustom(), type: req.getType(), name: req.getName(), props, opts });
        if (result === undefined) continue;
        changed = true;
        props = result.props as Record<string, unknown>;
        if (result.opts !== undefined) opts = { ...opts, ...(result.opts as TransformedOptions) };
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
}
