/**
 * Region names (sdk/validate/location.ts): the "did you mean" for a near miss, and the hints for a region of
 * another cloud or of none. The regions are the published lists in sdk/clouds.ts (CLOUD_REGIONS, from
 * Microsoft's region list); each expected suggestion below is counted by hand in single-letter edits.
 */
import { strict as assert } from "node:assert";
import { CloudName } from "../../sdk/clouds";
import { readLocation, regionProblem } from "../../sdk/validate/location";
import { read } from "./validateHelpers";

describe("region suggestions (sdk/validate/location.ts)", () => {
    const nearMisses: { given: string; cloud: CloudName; suggested: string; edits: string }[] = [
        { given: "westeurop", cloud: "AzureCloud", suggested: "westeurope", edits: "one letter missing" },
        { given: "wessteurope", cloud: "AzureCloud", suggested: "westeurope", edits: "one letter too many" },
        { given: "westeurqpe", cloud: "AzureCloud", suggested: "westeurope", edits: "one letter wrong" },
        { given: "uksouht", cloud: "AzureCloud", suggested: "uksouth", edits: "two letters swapped: two edits, the most suggested" },
        { given: "japanwset", cloud: "AzureCloud", suggested: "japanwest", edits: "two letters swapped" },
        { given: "xwesteuropex", cloud: "AzureCloud", suggested: "westeurope", edits: "a letter too many at each end" },
        {
            given: "westus3x",
            cloud: "AzureCloud",
            suggested: "westus3",
            edits: "one edit, where westus and westus2, earlier in the list, are two",
        },
        {
            given: "eastus3",
            cloud: "AzureCloud",
            suggested: "eastus",
            edits: "one edit from eastus and from eastus2: the first of the list",
        },
        {
            given: "usgovvirgina",
            cloud: "AzureUSGovernment",
            suggested: "usgovvirginia",
            edits: "one letter missing, in its own cloud's list",
        },
    ];
    for (const { given, cloud, suggested, edits } of nearMisses) {
        it(`"${given}" (${edits}) is pointed at "${suggested}"`, () => {
            assert.equal(regionProblem(given, cloud), `"${given}" is not a region of ${cloud}; did you mean "${suggested}"?`);
        });
    }

    it("three edits or more away gets the general hint with the cloud's first region", () => {
        // "norwayeastxyz": three letters too many for norwayeast; every other region is further.
        for (const [given, cloud, first] of [
            ["norwayeastxyz", "AzureCloud", "australiacentral"],
            ["zz", "AzureCloud", "australiacentral"],
            ["usgov", "AzureUSGovernment", "usgovvirginia"],
        ] as const) {
            assert.equal(
                regionProblem(given, cloud),
                `"${given}" is not a region of ${cloud} in Microsoft's published region list (September 2025); give the region as ARM spells it, e.g. "${first}" (az account list-locations lists yours)`,
            );
        }
    });

    it("a region of the other cloud names that cloud and lists this cloud's regions", () => {
        assert.equal(
            regionProblem("West Europe", "AzureUSGovernment"),
            '"West Europe" is a region of AzureCloud, and cloud is AzureUSGovernment; use one of AzureUSGovernment\'s regions (usgovvirginia, usgovtexas, usgovarizona, usdodeast, usdodcentral) or set cloud to AzureCloud',
        );
    });

    it("a retired cloud has no list: no region problem of its own, and the hint falls back to westeurope", () => {
        assert.equal(regionProblem("anything", "AzureChinaCloud"), undefined);
        assert.deepEqual(read((p) => readLocation(p, undefined, "location", "AzureChinaCloud")).errors, [
            'location: is required; give the region as ARM spells it, e.g. "westeurope"',
        ]);
        assert.deepEqual(read((p) => readLocation(p, "", "arcGateway.location", "AzureUSGovernment")).errors, [
            'arcGateway.location: is required; give the region as ARM spells it, e.g. "usgovvirginia"',
        ]);
    });
});
