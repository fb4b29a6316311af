/** `builtInPolicies` (sdk/validate/builtInPolicies.ts): both of Microsoft's built-in assignments are opt-in (sdk/args.ts: "both off by default"). */
import { strict as assert } from "node:assert";
import { readBuiltInPolicies } from "../../sdk/validate/builtInPolicies";
import { read } from "./validateHelpers";

const policies = (value: unknown) => read((problems) => readBuiltInPolicies(problems, value));
const OFF = { addSystemAssignedIdentity: false, periodicUpdateAssessment: false };

describe("builtInPolicies validation (sdk/validate/builtInPolicies.ts)", () => {
    it("absent or empty: both off; each switched on alone", () => {
        assert.deepEqual(policies(undefined), { value: OFF, errors: [], warnings: [] });
        assert.deepEqual(policies({}).value, OFF);
        assert.deepEqual(policies({ addSystemAssignedIdentity: true }).value, { ...OFF, addSystemAssignedIdentity: true });
        assert.deepEqual(policies({ periodicUpdateAssessment: true }).value, { ...OFF, periodicUpdateAssessment: true });
    });

    it("names the wrong field, and keeps it off", () => {
        assert.deepEqual(policies({ addSystemAssignedIdentity: "yes", periodicUpdateAssessment: 1 }), {
            value: OFF,
            errors: [
                'builtInPolicies.addSystemAssignedIdentity: expected true or false, got "yes"',
                "builtInPolicies.periodicUpdateAssessment: expected true or false, got a number",
            ],
            warnings: [],
        });
        assert.deepEqual(policies([]).errors, ["builtInPolicies: expected an object, got a list"]);
        assert.deepEqual(policies({ periodicupdateassessment: true }).errors, [
            'builtInPolicies.periodicupdateassessment: is not a known field; did you mean "periodicUpdateAssessment"?',
        ]);
        assert.deepEqual(policies({ addSystemIdentity: true }).errors, [
            "builtInPolicies.addSystemIdentity: is not a known field; known fields: addSystemAssignedIdentity, periodicUpdateAssessment",
        ]);
    });
});
