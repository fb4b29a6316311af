/**
 * Per-machine Defender plans (sdk/validate/machinePlans.ts). Microsoft: per-machine plans work under either
 * sub-plan (defender-docs plan-defender-for-servers-select-plan.md), and the pricing's `enforce: true`
 * "prevents overrides" on descendants (Microsoft.Security pricings 2024-01-01), so it cannot meet a machine plan.
 */
import { strict as assert } from "node:assert";
import { checkMachinePlans, MachinePlanContext } from "../../sdk/validate/machinePlans";
import { machinePlan, paths, read } from "./validateHelpers";

const check = (plans: (undefined | "P1" | "Free")[], context: Partial<MachinePlanContext> = {}) =>
    read((problems) =>
        checkMachinePlans(
            problems,
            plans.map((defenderPlan, i) => machinePlan(i, { kind: "azureVm", os: "linux", defenderPlan })),
            { ownsSubscriptionSettings: true, subPlan: "P2", rolloutMode: "machines", ...context },
        ),
    );

describe("per-machine plans (sdk/validate/machinePlans.ts)", () => {
    it("allowed under P1 and P2 in per-machine mode, without enforce or with enforce false", () => {
        for (const subPlan of ["P1", "P2"] as const) {
            assert.deepEqual(check(["P1", undefined, "Free"], { subPlan }), { value: undefined, errors: [], warnings: [] });
        }
        assert.deepEqual(check(["P1"], { enforce: false }).errors, []);
    });

    it("policy mode refuses each machine with a plan of its own, and only those", () => {
        const result = check([undefined, "P1", undefined, "Free"], { rolloutMode: "policy" });
        assert.deepEqual(paths(result.errors), ["machines[1].defenderPlan", "machines[3].defenderPlan"]);
        assert.match(result.errors[0], /is per-machine, and rollout\.mode is policy .*1b8c0040-b224-4ea1-be6a-47254dd5a207 for P1/);
    });

    it("enforce: true is refused with the machines named, once; not when no machine has a plan", () => {
        assert.deepEqual(check([undefined, undefined], { enforce: true }).errors, []);
        const one = check([undefined, "P1"], { enforce: true });
        assert.equal(one.errors.length, 1);
        assert.match(
            one.errors[0],
            /^plan\.enforce: is true, which forces the subscription's plan on every machine .*, yet m1 \(P1\) has defenderPlan; set plan\.enforce: false or remove defenderPlan from those machines$/,
        );
        assert.match(check(["P1", "Free"], { enforce: true }).errors[0], /, yet m0 \(P1\), m1 \(Free\) have defenderPlan; /);
    });
});
