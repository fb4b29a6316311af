/**
 * Test harness: constructs the component under the mock engine and answers questions about
 * what the engine received. Every run asserts that something was registered, so a suite
 * cannot pass while the mocks are missing and resources go nowhere.
 */
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { RecordedResource, runProgram, RunResult } from "../sdk/preview/engine";
import { PropertyValue, reveal } from "../sdk/preview/values";

/** A valid subscription GUID for tests. */
export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";

/** The smallest valid args. */
export const MINIMAL: DefenderForServersNetworkRestrictedArgs = { subscriptionId: SUBSCRIPTION, location: "westeurope" };

/** Runs the component (named `d`) with `args`; `preview` makes new ids unknown as in `pulumi preview`. */
export async function construct(args: DefenderForServersNetworkRestrictedArgs, preview = false): Promise<RunResult> {
    const run = await runProgram(
        () => {
            const component = new DefenderForServersNetworkRestricted("d", args);
            return { pricingId: component.pricingId, subPlan: component.subPlan };
        },
        { preview },
    );
    assert.ok(run.resources.length > 1, "the mock engine recorded no resources: is it installed?");
    assert.deepEqual(run.errors, [], "a registration failed");
    assert.equal(run.resources[0].type, DefenderForServersNetworkRestricted.TYPE);
    return run;
}

/** Both modes, for specs that must hold in `pulumi up` and in `pulumi preview`. */
export const MODES = [
    { label: "update", preview: false },
    { label: "preview (unknown ids)", preview: true },
] as const;

/** Every recorded resource of a type. */
export function ofType(run: RunResult, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The one recorded resource with this logical name. */
export function named(run: RunResult, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.name === name);
    assert.equal(
        found.length,
        1,
        `expected one resource named ${name}, found ${found.length}: ${run.resources.map((r) => r.name).join(", ")}`,
    );
    return found[0];
}

/** The inputs Azure would receive, secrets opened. */
export function inputs(resource: RecordedResource): Record<string, any> {
    return reveal(resource.inputs as PropertyValue) as Record<string, any>;
}

/** Logical names of the resources `resource` waits for. */
export function waitsFor(run: RunResult, resource: RecordedResource): string[] {
    const names = new Map(run.resources.map((r) => [r.urn, r.name]));
    return [...new Set(resource.dependencies)].map((urn) => names.get(urn) ?? urn).sort();
}

/** Logical names of everything `resource` waits for, directly or through what it waits for. */
export function waitsTransitivelyFor(run: RunResult, resource: RecordedResource): Set<string> {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const queue = [...resource.dependencies];
    while (queue.length > 0) {
        const urn = queue.pop()!;
        const found = byUrn.get(urn);
        if (found === undefined || seen.has(found.name)) continue;
        seen.add(found.name);
        queue.push(...found.dependencies);
    }
    return seen;
}
