/**
 * Readiness: what "MDE only after the proxy" is, as data. A machines component (or a policy
 * rollout) exposes an `Output<string>` that resolves once its proxy steps exist and fails when
 * one of them reported a failure; the subscription component takes those outputs as inputs and
 * makes the MDE settings wait for them. An Output carries the resources it came from, through
 * the component provider too (`Construct` passes an input's dependencies with it), so the
 * order holds in every language with no registry.
 */
import * as pulumi from "@pulumi/pulumi";
import * as hybridcompute from "@pulumi/azure-native/hybridcompute";
import { runCommandFailure } from "../plan/runCommands";

/** The value a readiness output resolves to. */
export const READY = "ready";

/**
 * Readiness of `steps`: resolves once every step exists. VM run commands fail their own
 * deployment when the script fails; Arc run commands only report it in their instance view,
 * so a failed one fails the readiness (and everything that waits for it).
 */
export function readinessOf(steps: pulumi.Resource[]): pulumi.Output<string> {
    const done = steps.map((step) => (pulumi.CustomResource.isInstance(step) ? (step as pulumi.CustomResource).id : step.urn));
    const arc = steps.filter((r): r is hybridcompute.MachineRunCommand => r instanceof hybridcompute.MachineRunCommand);
    return pulumi
        .all([pulumi.all(done), pulumi.all(arc.map((c) => c.instanceView)), pulumi.all(arc.map((c) => c.urn))])
        .apply(([, views, urns]) => {
            const failed = views
                .map((view, i) => ({ name: urns[i].split("::").pop(), failure: runCommandFailure(view) }))
                .filter((f) => f.failure !== undefined);
            if (failed.length > 0) {
                throw new Error(
                    `not ready for MDE integration: ${failed.map((f) => `${f.name} ${f.failure}`).join("; ")}. Read the run command's output (az connectedmachine run-command show), fix the machine, and run again`,
                );
            }
            return READY;
        });
}

/**
 * A `dependsOn` entry that waits for every readiness output (and the resources each came from),
 * and fails the registration of whatever lists it when one of them failed. It is an Output,
 * which `dependsOn` accepts (the SDK resolves it, then adds the resources it carries); typed as
 * a Resource only so the existing builders, which take `pulumi.Resource[]`, can be handed it.
 */
export function afterReadiness(readiness: pulumi.Input<string>[]): pulumi.Resource {
    const gate = pulumi.all(readiness).apply(() => [] as pulumi.Resource[]);
    return gate as unknown as pulumi.Resource;
}
