/** Rules for Defender for Servers at a single machine's scope (`machines[].defenderPlan`). */
import { NormalizedMachine } from "./machines";
import { ProblemList } from "./problems";

/** What the per-machine plan rules depend on. */
export interface MachinePlanContext {
    ownsSubscriptionSettings: boolean;
    subPlan: "P1" | "P2";
    rolloutMode: "machines" | "policy";
    /** `plan.enforce` as set; undefined: the subscription's current value is kept. */
    enforce?: boolean;
}

/**
 * Microsoft documents per-machine plans under either sub-plan: "When Defender for Servers Plan 2
 * is enabled in a subscription, you can use the API to turn on Plan 1, instead of Plan 2, for
 * individual machines in the subscription" (defender-docs `defender-for-cloud/plan-defender-for-servers-select-plan.md`,
 * learn.microsoft.com revision of 2025). What stops them is the subscription pricing's `enforce`:
 * "If set to True, it prevents overrides and forces this pricing configuration on all the
 * descendants of this scope" (azure-rest-api-specs `Microsoft.Security` pricings 2024-01-01, as
 * shipped in azure-native 3.28.0 `security.Pricing.enforce`). So `plan.enforce: true` with any
 * per-machine plan is refused here, and a subscription that enforces already is refused at `up`
 * (`resources/machinePlans.ts`).
 */
export function checkMachinePlans(problems: ProblemList, machines: NormalizedMachine[], context: MachinePlanContext): void {
    const planned = machines.filter((m) => m.defenderPlan !== undefined);
    for (const machine of planned) {
        if (context.rolloutMode === "policy") {
            problems.error(
                `${machine.path}.defenderPlan`,
                "is per-machine, and rollout.mode is policy (machines only inform the egress list there); assign Microsoft's resource-level built-ins instead (1b8c0040-b224-4ea1-be6a-47254dd5a207 for P1), or use rollout.mode machines",
            );
        }
    }
    if (context.enforce === true && planned.length > 0) {
        problems.error(
            "plan.enforce",
            `is true, which forces the subscription's plan on every machine and makes Azure refuse a machine's own plan, yet ${planned.map((m) => `${m.key} (${m.defenderPlan})`).join(", ")} ${planned.length === 1 ? "has" : "have"} defenderPlan; set plan.enforce: false or remove defenderPlan from those machines`,
        );
    }
}
