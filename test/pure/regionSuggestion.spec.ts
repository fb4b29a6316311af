/**
 * The "did you mean" of a misspelt region (sdk/validate/location.ts): a region within two edits
 * is suggested, one further away is not, and a huge value gets the plain refusal. Regions skipped
 * by their length alone (the edit distance is at least the difference in length) are exactly the
 * ones that could not be within two edits: the boundary cases below are two and three letters off.
 */
import { strict as assert } from "node:assert";
import { regionProblem } from "../../sdk/validate/location";

describe("region suggestions (regionProblem)", () => {
    it('suggests the region two edits away: "westeuro" (two letters short of westeurope)', () => {
        assert.equal(regionProblem("westeuro", "AzureCloud"), '"westeuro" is not a region of AzureCloud; did you mean "westeurope"?');
    });

    it('suggests the region two edits away when the value is two letters longer: "westeuropexx"', () => {
        assert.equal(
            regionProblem("westeuropexx", "AzureCloud"),
            '"westeuropexx" is not a region of AzureCloud; did you mean "westeurope"?',
        );
    });

    it('suggests nothing three edits away ("westeuropeans", three letters longer): the list message instead', () => {
        assert.match(
            regionProblem("westeuropeans", "AzureCloud") ?? "",
            /^"westeuropeans" is not a region of AzureCloud in Microsoft's published region list/,
        );
    });

    it("refuses a 300,000-character value with the list message, without a suggestion", () => {
        const huge = "a".repeat(300_000);
        const problem = regionProblem(huge, "AzureCloud") ?? "";
        assert.doesNotMatch(problem, /did you mean/);
        assert.match(problem, /is not a region of AzureCloud in Microsoft's published region list/);
    });
});
