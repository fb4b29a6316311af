/** Rules for Defender for Servers at a single machine's scope (`machines[].defenderPlan`). */
import { NormalizedMachine } from "./machines";
import { ProblemList } from "./problems";

/** What the per-machine plan rules depend on. */
export interface MachinePlanContext {
    ownsSubscriptionSettings: boolean;
    subPlan: "P1" | "P2";
    rolloutMode: "machines" | "policy";
}

/**
 * Microsoft documents resource-level Defender for Servers as Plan 1 or Free (its built-ins
 * `ASC_Azure_Defender_Servers_EnableP1_ResourceLevel_DINE.json` and `..._Disable_ResourceLevel_DINE.json`
 * write nothing else). No source says what P1 on one machine does under a P2 subscription, so
 * that combination is refused rather than guessed.
 */
export function checkMachinePlans(problems: ProblemList, machines: NormalizedMachine[], context: MachinePlanContext): void {
    for (const machine of machines) {
        if (machine.defenderPlan === undefined) continue;
        const path = `${machine.path}.defenderPlan`;
        if (context.rolloutMode === "policy") {
            problems.error(
                path,
                "is per-machine, and rollout.mode is policy (machines only inform the egress list there); assign Microsoft's resource-level built-ins instead (1b8c0040-b224-4ea1-be6a-47254dd5a207 for P1), or use rollout.mode machines",
            );
        } else if (machine.defenderPlan === "P1" && context.ownsSubscriptionSettings && context.subPlan === "P2") {
            problems.error(
                path,
                'is "P1" under a subscription this instance puts on Plan 2; resource-level Defender for Servers is documented for P1 subscriptions or none: use "Free" to leave the machine out, or set plan.subPlan to "P1"',
            );
        }
    }
}
