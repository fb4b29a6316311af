/**
 * Several instances on one subscription (one per region or team) are common; exactly one may
 * write the subscription's plan and MDE settings, and it must wait for every other instance's
 * proxies, or the plan would switch MDE on over machines not yet prepared. Within one program
 * this is checked: two owners are refused, and the owner must come last and list the others
 * in its `dependsOn`. Across programs (stacks) no check can see the other side: the README says
 * how to order them.
 */
import * as pulumi from "@pulumi/pulumi";

interface Registered {
    name: string;
    component: pulumi.ComponentResource;
}

interface ProgramRegistry {
    owners: Map<string, string>;
    preparers: Map<string, Registered[]>;
}

// One registry per running program: the engine connection is new for each, also under mocks.
const registries = new WeakMap<object, ProgramRegistry>();
const OUTSIDE_ANY_ENGINE = {};

function registry(): ProgramRegistry {
    const key = (pulumi.runtime.getMonitor() as object | undefined) ?? OUTSIDE_ANY_ENGINE;
    let found = registries.get(key);
    if (found === undefined) {
        found = { owners: new Map(), preparers: new Map() };
        registries.set(key, found);
    }
    return found;
}

/** The resources listed in `opts.dependsOn`, when it is a plain list (or one resource). */
function listedDependencies(opts: pulumi.ComponentResourceOptions | undefined): pulumi.Resource[] | undefined {
    const deps = opts?.dependsOn;
    if (deps === undefined) return [];
    if (pulumi.Resource.isInstance(deps)) return [deps];
    if (Array.isArray(deps) && deps.every((d) => pulumi.Resource.isInstance(d))) return deps as pulumi.Resource[];
    return undefined;
}

/**
 * Checks, before anything is registered, that this instance may take the role it asks for.
 * Returns the instances that only prepare machines which the owner must wait for.
 */
export function checkSubscriptionRole(
    name: string,
    subscriptionId: string,
    owns: boolean,
    opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResource[] {
    const { owners, preparers } = registry();
    const owner = owners.get(subscriptionId);
    if (!owns) {
        if (owner !== undefined) {
            throw new Error(
                `ownsSubscriptionSettings: "${name}" only prepares machines, but "${owner}" already owns subscription ${subscriptionId} and was declared first; declare "${name}" before "${owner}" and list it in ${owner}'s dependsOn, so MDE waits for this instance's proxies too`,
            );
        }
        return [];
    }
    if (owner !== undefined) {
        throw new Error(
            `ownsSubscriptionSettings: "${owner}" already owns the plan and MDE settings of subscription ${subscriptionId}; set ownsSubscriptionSettings: false on "${name}" (it then only prepares its machines) and list it in ${owner}'s dependsOn`,
        );
    }
    const waiting = preparers.get(subscriptionId) ?? [];
    if (waiting.length === 0) return [];
    const listed = listedDependencies(opts);
    if (listed === undefined) {
        throw new Error(
            `dependsOn: "${name}" owns subscription ${subscriptionId}, where ${waiting.map((w) => `"${w.name}"`).join(", ")} prepare machines; give dependsOn as a plain list of those instances so MDE provably waits for their proxies`,
        );
    }
    const missing = waiting.filter((w) => !listed.includes(w.component));
    if (missing.length > 0) {
        throw new Error(
            `dependsOn: "${name}" owns subscription ${subscriptionId} but does not wait for ${missing.map((w) => `"${w.name}"`).join(", ")}, which prepare machines there; add them to its dependsOn, or MDE could be switched on before their proxies are set`,
        );
    }
    return waiting.map((w) => w.component);
}

/** Records the instance once it exists, for the checks of the instances declared after it. */
export function recordSubscriptionRole(name: string, subscriptionId: string, owns: boolean, component: pulumi.ComponentResource): void {
    const { owners, preparers } = registry();
    if (owns) {
        owners.set(subscriptionId, name);
    } else {
        preparers.set(subscriptionId, [...(preparers.get(subscriptionId) ?? []), { name, component }]);
    }
}

// What each instance's MDE switch must wait for, so the owner can wait for the preparers' too.
const prerequisitesOf = new WeakMap<pulumi.ComponentResource, pulumi.Resource[]>();

/** Remembers what MDE must wait for on this instance's machines. */
export function rememberMdePrerequisites(component: pulumi.ComponentResource, prerequisites: pulumi.Resource[]): void {
    prerequisitesOf.set(component, prerequisites);
}

/** What MDE must wait for on the machines of these instances (their proxy run commands). */
export function mdePrerequisitesOf(components: pulumi.ComponentResource[]): pulumi.Resource[] {
    return components.flatMap((component) => prerequisitesOf.get(component) ?? [component]);
}
