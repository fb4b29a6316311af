/**
 * One machine, one instance: two component instances of one program that list the same Azure
 * machine would each declare OS-proxy run commands and agent extensions on it, which race and
 * overwrite each other. `validate()` catches a machine listed twice in one instance; this
 * registry catches it across instances, before anything of the second instance is registered.
 *
 * Keyed by deployment (organization, project, stack and the engine's monitor address), not by
 * the engine connection object: the component provider answers each `Construct` call with a new
 * connection to the same monitor (`resetOptions` in @pulumi/pulumi `runtime/settings`), so a
 * registry keyed by connection would forget the first instance by the time the second arrives.
 * Under the mock engine there is no address: each run's mock monitor is its own deployment.
 */
import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../validate";
import { machineIdentity } from "../validate/machines";
import { MachinePlan } from "../validate/fleet";

/** Who claimed a machine: the instance and where in its args. */
interface Claim {
    instance: string;
    path: string;
}

/** One deployment's claims: by lower-cased resource id, and each instance's ids (to replace them without a scan of every claim). */
interface Claims {
    byId: Map<string, Claim>;
    idsOf: Map<string, string[]>;
}

/** Claimed machines by deployment. */
const deployments = new Map<string, Claims>();
/** Mock monitors have no address: each gets a number of its own. */
const addresslessMonitors = new WeakMap<object, number>();
let nextAddressless = 0;

/** The engine's monitor address when it has one (`getChannel().getTarget()` of its gRPC client). */
function monitorAddress(monitor: unknown): string | undefined {
    const client = monitor as { getChannel?: () => { getTarget?: () => string } } | undefined;
    const target = client?.getChannel?.().getTarget?.();
    return typeof target === "string" && target !== "" ? target : undefined;
}

/** The key of the running deployment, given the engine's monitor. */
export function deploymentKey(monitor: unknown, organization: string, project: string, stack: string): string {
    let where = monitorAddress(monitor);
    if (where === undefined) {
        const object = (monitor ?? deployments) as object;
        if (!addresslessMonitors.has(object)) addresslessMonitors.set(object, nextAddressless++);
        where = `mock#${addresslessMonitors.get(object)}`;
    }
    return `${organization}/${project}/${stack}@${where}`;
}

/**
 * Claims each listed machine for `instance` in `deployment`; throws a `ValidationError` naming
 * every machine another instance claimed first. The same instance claiming again (a program run
 * twice in one process) replaces its own claims. Machines whose names are Outputs cannot be
 * compared before deployment and are not claimed.
 */
export function claimMachines(deployment: string, subscriptionId: string, instance: string, machines: MachinePlan[]): void {
    let claims = deployments.get(deployment);
    if (claims === undefined) {
        claims = { byId: new Map(), idsOf: new Map() };
        deployments.set(deployment, claims);
    }
    // A program with an instance per machine claims thousands of times: each replaces only its own.
    for (const id of claims.idsOf.get(instance) ?? []) claims.byId.delete(id);
    claims.idsOf.delete(instance);
    const problems = [];
    const mine: Array<[string, Claim]> = [];
    for (const machine of machines) {
        const identity = machineIdentity(machine);
        if (identity === undefined) continue;
        const id = `/subscriptions/${subscriptionId.toLowerCase()}${identity}`;
        const first = claims.byId.get(id);
        if (first !== undefined) {
            problems.push({
                path: `${machine.path}.name`,
                message: `${id} is already listed by instance "${first.instance}" (${first.path}); a machine belongs to one instance, or both would declare OS-proxy run commands and agent extensions on it: remove it from one of them`,
            });
            continue;
        }
        mine.push([id, { instance, path: machine.path }]);
    }
    if (problems.length > 0) throw new ValidationError(problems);
    const ids: string[] = [];
    for (const [id, claim] of mine) {
        claims.byId.set(id, claim);
        ids.push(id);
    }
    claims.idsOf.set(instance, ids);
}

/** The organization, or "" where the engine names none (older engines, some mocks: `getOrganization` throws there). */
function organization(): string {
    try {
        return pulumi.getOrganization();
    } catch {
        return "";
    }
}

/** Claims the instance's machines in the running deployment (see `claimMachines`). */
export function claimMachinesInThisDeployment(instance: string, subscriptionId: string, machines: MachinePlan[]): void {
    const key = deploymentKey(pulumi.runtime.getMonitor(), organization(), pulumi.getProject(), pulumi.getStack());
    claimMachines(key, subscriptionId, instance, machines);
}
