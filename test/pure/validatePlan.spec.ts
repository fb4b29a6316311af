/**
 * `plan` (sdk/validate/plan.ts): defaults and what goes to the pricing API, as sdk/args.ts documents them
 * (P2 by default; agentless scanning and FIM are Plan 2 extensions; unset extensions keep what the
 * subscription has, so only the ones the user set are `explicit`). Azure tag limits: names up to 512
 * characters without < > % & \ ? /, values up to 256 (azure-resource-manager tag-resources.md).
 */
import { strict as assert } from "node:assert";
import { readPlan } from "../../sdk/validate/plan";
import { P2_DEFAULTS, read } from "./validateHelpers";

const plan = (value: unknown) => read((problems) => readPlan(problems, value));

describe("plan validation (sdk/validate/plan.ts)", () => {
    it("absent: Plan 2 with agentless scanning, nothing explicit, no enforce sent", () => {
        assert.deepEqual(plan(undefined), { value: P2_DEFAULTS, errors: [], warnings: [] });
        assert.equal("enforce" in plan({}).value, false);
    });

    it("Plan 1 sends no Plan 2 extension", () => {
        assert.deepEqual(plan({ subPlan: "P1", fileIntegrityMonitoring: false, agentlessScanning: false }), {
            value: { ...P2_DEFAULTS, subPlan: "P1", agentlessScanning: undefined, fileIntegrityMonitoring: undefined },
            errors: [],
            warnings: [],
        });
    });

    it("the extensions the user set are explicit, the others are kept as the subscription has them", () => {
        const cases: { fields: Record<string, unknown>; explicit: string[] }[] = [
            { fields: { mdeDesignatedSubscription: false }, explicit: ["MdeDesignatedSubscription"] },
            { fields: { subPlan: "P1", mdeDesignatedSubscription: true }, explicit: ["MdeDesignatedSubscription"] },
            { fields: { agentlessScanning: true }, explicit: ["AgentlessVmScanning"] },
            { fields: { agentlessScanningExclusionTags: { env: "dev" } }, explicit: ["AgentlessVmScanning"] },
            { fields: { fileIntegrityMonitoring: false }, explicit: ["FileIntegrityMonitoring"] },
            { fields: { subPlan: "P1", fileIntegrityMonitoring: false }, explicit: [] },
            {
                fields: { mdeDesignatedSubscription: true, agentlessScanning: false, fileIntegrityMonitoring: false },
                explicit: ["MdeDesignatedSubscription", "AgentlessVmScanning", "FileIntegrityMonitoring"],
            },
        ];
        for (const { fields, explicit } of cases) {
            const result = plan(fields);
            assert.deepEqual(result.errors, [], JSON.stringify(fields));
            assert.deepEqual(result.value.explicit, explicit, JSON.stringify(fields));
        }
    });

    it("carries every value the user set", () => {
        assert.deepEqual(
            plan({
                agentlessScanning: false,
                fileIntegrityMonitoring: false,
                mdeDesignatedSubscription: true,
                defenderVulnerabilityManagement: true,
                enforce: false,
            }).value,
            {
                ...P2_DEFAULTS,
                enforce: false,
                explicit: ["MdeDesignatedSubscription", "AgentlessVmScanning", "FileIntegrityMonitoring"],
                agentlessScanning: false,
                mdeDesignatedSubscription: true,
                defenderVulnerabilityManagement: true,
            },
        );
        assert.equal(plan({ enforce: true }).value.enforce, true);
    });

    it("names each field that is not a boolean", () => {
        const fields = [
            "agentlessScanning",
            "fileIntegrityMonitoring",
            "mdeDesignatedSubscription",
            "defenderVulnerabilityManagement",
            "enforce",
        ];
        const result = plan(Object.fromEntries(fields.map((f) => [f, "yes"])));
        assert.deepEqual([...result.errors].sort(), fields.map((f) => `plan.${f}: expected true or false, got "yes"`).sort());
        assert.deepEqual(plan({ agentlessScanningExclusionTags: ["env"] }).errors, [
            "plan.agentlessScanningExclusionTags: expected a map of tag name to value, got a list",
        ]);
    });

    it("File Integrity Monitoring switched on is refused once, on either plan (not also as a Plan 2 extension on P1)", () => {
        for (const subPlan of ["P1", "P2"]) {
            const result = plan({ subPlan, fileIntegrityMonitoring: true });
            assert.equal(result.errors.length, 1, subPlan);
            assert.match(
                result.errors[0],
                /^plan\.fileIntegrityMonitoring: cannot be switched on by this component: File Integrity Monitoring now runs on MDE/,
            );
        }
    });

    it("agentless scanning on P1 is refused; off on P1 is fine", () => {
        assert.deepEqual(plan({ subPlan: "P1", agentlessScanning: true }).errors, [
            'plan.agentlessScanning: needs Plan 2; set plan.subPlan to "P2" or remove plan.agentlessScanning',
        ]);
    });

    it("exclusion tags: Azure's name and value limits, at the tag's own path", () => {
        const tags = (entries: Record<string, string>) => plan({ agentlessScanningExclusionTags: entries }).errors;
        const name512 = "n".repeat(512);
        assert.deepEqual(tags({ [name512]: "v".repeat(256), "a b": "" }), []);
        assert.deepEqual(tags({ ["n".repeat(513)]: "v" }), [
            `plan.agentlessScanningExclusionTags.${"n".repeat(513)}: is not a valid Azure tag name (at most 512 characters, none of < > % & \\ ? /)`,
        ]);
        assert.deepEqual(tags({ "a?b": "v" }), [
            "plan.agentlessScanningExclusionTags.a?b: is not a valid Azure tag name (at most 512 characters, none of < > % & \\ ? /)",
        ]);
        assert.deepEqual(tags({ " ": "v" }), ["plan.agentlessScanningExclusionTags. : has an empty tag name; give the tag's name"]);
        assert.deepEqual(tags({ env: "v".repeat(257) }), [
            "plan.agentlessScanningExclusionTags.env: tag value is longer than Azure's 256-character limit",
        ]);
    });
});
