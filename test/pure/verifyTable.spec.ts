/**
 * verify's table for people (sdk/verify/render.ts) over a fleet the size of a large management
 * group: each column as wide as its longest cell, and no crash where the rows outnumber what a
 * function call can take as arguments (about 120,000 on Node 22).
 */
import { strict as assert } from "node:assert";
import { machineFromRow } from "../../sdk/verify/queries";
import { renderTable } from "../../sdk/verify/render";
import { MachineVerdict } from "../../sdk/verify/types";

const verdictOn = (name: string): MachineVerdict => ({
    facts: {
        machine: machineFromRow({
            id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`,
            type: "Microsoft.Compute/virtualMachines",
            name,
            os: "Linux",
        }),
        guestConfiguration: [],
    },
    verdict: "not yet",
    reason: "no MDE extension yet",
    findings: [],
});

describe("verify: the table over 150,000 machines", () => {
    it("prints one line per machine, the name column as wide as the longest name, and the counts", () => {
        const verdicts = Array.from({ length: 150_000 }, (_, i) => verdictOn(`vm-${i}`));
        verdicts[77_777] = verdictOn("the-longest-machine-name-of-all");
        const lines = renderTable(verdicts).split("\n");
        assert.equal(lines.length, 1 + 150_000 + 2);
        // "the-longest-machine-name-of-all" is 31 characters; two spaces separate the columns.
        assert.match(lines[0], /^MACHINE {26}KIND/);
        assert.match(lines[1], /^vm-0 {29}vm\/linux/);
        assert.equal(lines[lines.length - 1], "150000 machines: 0 protected, 150000 not yet, 0 broken");
    });
});
