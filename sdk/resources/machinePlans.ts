/**
 * Defender for Servers at one machine's scope (`machines[].defenderPlan`). `P1` on a machine
 * switches MDE on there, so it waits for that machine's proxies and for the MDE settings; `Free`
 * leaves the machine out, so the subscription's plan waits for it instead.
 */
import * as pulumi from "@pulumi/pulumi";
import * as security from "@pulumi/azure-native/security";
import { CurrentPricing, enforcementConflict, machinePricingInputs } from "../plan/defenderPlan";
import { machineResourceName, withAliases } from "../plan/machineNames";
import { NormalizedArgs } from "../validate";
import { MachinePlan } from "../validate/fleet";
import { machineResourceId } from "./machines";

/** The machine-scope pricings, split by what waits for what. */
export interface MachinePlans {
    /** `Free` pricings: the subscription's plan must come after them. */
    exclusions: security.Pricing[];
    /** `P1` pricings: each after its machine's proxies and the MDE settings. */
    enablements: security.Pricing[];
}

/** Leaves the `Free` machines out; call before the subscription's plan. */
export function excludeMachinesFromPlan(parent: pulumi.Resource, name: string, args: NormalizedArgs): security.Pricing[] {
    return (
        args.machines
            .filter((m) => m.defenderPlan === "Free")
            // Not retained on delete: deleting the component gives the machine back to the subscription's plan.
            .map((m) => machinePricing(parent, name, args, m, []))
    );
}

/** Puts the `P1` machines on Plan 1, each once its own proxies and the MDE settings are done. */
export function enableMachinePlans(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    prerequisitesByMachine: Map<string, pulumi.Resource[]>,
    mdeSettings: pulumi.Resource | undefined,
): security.Pricing[] {
    return args.machines
        .filter((m) => m.defenderPlan === "P1")
        .map((m) => {
            const after = [...(prerequisitesByMachine.get(m.key) ?? []), ...(mdeSettings ? [mdeSettings] : [])];
            return machinePricing(parent, name, args, m, after, args.retainProtectionOnDelete);
        });
}

/**
 * The machine's id, once the subscription's current pricing is known to allow a machine's own
 * plan: a pricing with `enforce: True` fails this value, and so the machine pricing's registration,
 * with the reason (`enforcementConflict`). One read per instance, shared by its machines.
 */
const gates = new WeakMap<pulumi.Resource, pulumi.Output<void>>();
function allowedMachineId(parent: pulumi.Resource, args: NormalizedArgs, machine: MachinePlan): pulumi.Output<string> {
    let gate = gates.get(parent);
    if (gate === undefined) {
        const planned = args.machines.filter((m) => m.defenderPlan !== undefined).map((m) => m.key);
        const current = security.getPricingOutput(
            { scopeId: `/subscriptions/${args.subscriptionId}`, pricingName: "VirtualMachines" },
            { parent },
        );
        gate = current.apply((now) => {
            const conflict = enforcementConflict(now as CurrentPricing, planned);
            if (conflict !== undefined) throw new Error(conflict);
        });
        gates.set(parent, gate);
    }
    return pulumi.all([gate, machineResourceId(args.subscriptionId, machine)]).apply(([, id]) => id);
}

function machinePricing(
    parent: pulumi.Resource,
    name: string,
    args: NormalizedArgs,
    machine: MachinePlan,
    dependsOn: pulumi.Resource[],
    retainOnDelete = false,
): security.Pricing {
    const inputs = machinePricingInputs(allowedMachineId(parent, args, machine), machine.defenderPlan!);
    const named = machineResourceName(name, "plan", machine);
    return new security.Pricing(named.name, inputs, withAliases({ parent, dependsOn, retainOnDelete }, named));
}
