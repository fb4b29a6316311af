/**
 * Several instances on one subscription (one per region or team) are common; exactly one may
 * write the subscription's plan and MDE settings, and it must wait for every other instance's
 * proxies, or the plan would switch MDE on over machines not yet prepared. Within one
 * deployment this is checked: two owners are refused, and the owner must come last and list
 * the others in its `dependsOn`. Across programs (stacks) no check can see the other side:
 * docs/scopes.md says how to order them (or use `DefenderSubscription`'s `readiness` input).
 *
 * "One deployment" is what the engine runs: a TypeScript program, or every `Construct` call
 * the component provider serves to a Python, Go, C#, Java or YAML program. The provider gets a
 * new engine connection for each `Construct`, but the same resource monitor address, project
 * and stack for every call of one deployment (and a new address for the next one), so that
 * triple is the key; under the mock engine, which has no address, the monitor object is.
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

const byConnection = new WeakMap<object, ProgramRegistry>();
const byAddress = new Map<string, ProgramRegistry>();
const OUTSIDE_ANY_ENGINE = {};

/** The deployment this code runs in: the monitor's address with the project and stack, or the monitor itself. */
export function deploymentKey(): string | object {
    const monitor = pulumi.runtime.getMonitor() as { getChannel?: () => { getTarget(): string } } | undefined;
    if (monitor === undefined) return OUTSIDE_ANY_ENGINE;
    const target = typeof monitor.getChannel === "function" ? monitor.getChannel().getTarget() : undefined;
    return target === undefined ? monitor : `${target}|${pulumi.getProject()}|${pulumi.getStack()}`;
}

function registry(): ProgramRegistry {
    const key = deploymentKey();
    const fresh = (): ProgramRegistry => ({ owners: new Map(), preparers: new Map() });
    if (typeof key === "string") {
        if (!byAddress.has(key)) byAddress.set(key, fresh());
        return byAddress.get(key)!;
    }
    if (!byConnection.has(key)) byConnection.set(key, fresh());
    return byConnection.get(key)!;
}

/** The resources listed in `opts.dependsOn`, when it is a plain list (or one resource). */
function listedDependencies(opts: pulumi.ComponentResourceOptions | undefined): pulumi.Resource[] | undefined {
    const deps = opts?.dependsOn;
    if (deps === undefined) return [];
    if (pulumi.Resource.isInstance(deps)) return [deps];
    if (Array.isArray(deps) && deps.every((d) => pulumi.Resource.isInstance(d))) return deps as pulumi.Resource[];
    return undefined;
}

/** What an owner must wait for: the instances that prepare machines on its subscription. */
export interface SubscriptionRole {
    /** The instances that only prepare machines, declared before the owner. */
    preparers: pulumi.ComponentResource[];
    /**
     * Set when the owner's `dependsOn` holds references by URN (the component provider): resolves
     * once the URNs show every preparer listed, fails otherwise. The MDE settings wait for it.
     */
    listedCheck?: pulumi.Output<string>;
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
): SubscriptionRole {
    const { owners, preparers } = registry();
    const owner = owners.get(subscriptionId);
    if (!owns) {
        if (owner !== undefined) {
            throw new Error(
                `ownsSubscriptionSettings: "${name}" only prepares machines, but "${owner}" already owns subscription ${subscriptionId} and was declared first; declare "${name}" before "${owner}" and list it in ${owner}'s dependsOn, so MDE waits for this instance's proxies too`,
            );
        }
        return { preparers: [] };
    }
    if (owner !== undefined) {
        throw new Error(
            `ownsSubscriptionSettings: "${owner}" already owns the plan and MDE settings of subscription ${subscriptionId}; set ownsSubscriptionSettings: false on "${name}" (it then only prepares its machines) and list it in ${owner}'s dependsOn, or, with the scope components, give that subscription one DefenderSubscription and pass every DefenderMachines' readiness to it`,
        );
    }
    const waiting = preparers.get(subscriptionId) ?? [];
    if (waiting.length === 0) return { preparers: [] };
    const listed = listedDependencies(opts);
    if (listed === undefined) {
        throw new Error(
            `dependsOn: "${name}" owns subscription ${subscriptionId}, where ${waiting.map((w) => `"${w.name}"`).join(", ")} prepare machines; give dependsOn as a plain list of those instances so MDE provably waits for their proxies`,
        );
    }
    const missing = waiting.filter((w) => !listed.includes(w.component));
    const notWaiting = (names: string[]) =>
        new Error(
            `dependsOn: "${name}" owns subscription ${subscriptionId} but does not wait for ${names.map((n) => `"${n}"`).join(", ")}, which prepare machines there; add them to its dependsOn, or MDE could be switched on before their proxies are set`,
        );
    if (missing.length === 0) return { preparers: waiting.map((w) => w.component) };
    // Served through the component provider, dependsOn holds references by URN, not the objects: compare URNs.
    const references = listed.filter((d) => d instanceof pulumi.DependencyResource);
    if (references.length === 0) throw notWaiting(missing.map((w) => w.name));
    const listedCheck = pulumi
        .all([pulumi.all(listed.map((d) => d.urn)), pulumi.all(missing.map((w) => w.component.urn))])
        .apply(([listedUrns, missingUrns]) => {
            const absent = missing.filter((_, i) => !listedUrns.includes(missingUrns[i]));
            if (absent.length > 0) throw notWaiting(absent.map((w) => w.name));
            return "listed";
        });
    return { preparers: waiting.map((w) => w.component), listedCheck };
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
