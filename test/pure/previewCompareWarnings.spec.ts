/**
 * `--compare`'s warnings (sdk/preview/compare.ts): a warning only the head has is added, one only
 * the base has is removed, and a pair sharing its first words and most of the rest is one warning
 * whose list changed. The expected pairs are worked out by hand from that rule (at least the first
 * two words alike, and the alike words before and after the difference at least half the longer
 * warning's words); each added warning takes the first removed one that matches, in the base's order.
 */
import { strict as assert } from "node:assert";
import { compareReports } from "../../sdk/preview/compare";
import { PreviewReport } from "../../sdk/preview/report";

/** A report with nothing but these warnings. */
function report(warnings: string[]): PreviewReport {
    return {
        formatVersion: 1,
        project: "p",
        stack: "s",
        resources: [],
        warnings,
        errors: [],
        outputs: {},
        notes: [],
        egress: [],
        summary: { create: 0, byType: {} },
        mockedReads: [],
    };
}

const compare = (base: string[], head: string[]) => compareReports(report(base), report(head)).warnings;

describe("--compare: warnings added, removed and changed (sdk/preview/compare.ts)", () => {
    it("a machine added to a warning's list is one changed warning, naming it", () => {
        const w = compare(["proxy on: web-1, web-2 need the route check"], ["proxy on: web-1, web-2, web-3 need the route check"]);
        assert.deepEqual(w, {
            added: [],
            removed: [],
            changed: [
                {
                    before: "proxy on: web-1, web-2 need the route check",
                    after: "proxy on: web-1, web-2, web-3 need the route check",
                    added: ["web-3"],
                    removed: [],
                },
            ],
        });
    });

    it("warnings whose first two words differ are never paired, however alike the rest", () => {
        const w = compare(["alpha one x y z"], ["alpha two x y z"]);
        assert.deepEqual(w, { added: ["alpha two x y z"], removed: ["alpha one x y z"], changed: [] });
    });

    it("alike first words but too little alike after them: added and removed", () => {
        // Tokens: 2 alike at the start, none at the end, of 6: 2 < 3.
        const w = compare(["a b c d e f"], ["a b x y z w"]);
        assert.deepEqual(w, { added: ["a b x y z w"], removed: ["a b c d e f"], changed: [] });
    });

    it("each added warning takes the first removed one it matches; a removed one is taken once", () => {
        const base = ["keys a b c: m1 m2", "keys a b c: m1 m3", "other warning kept"];
        const head = ["keys a b c: m1 m4", "keys a b c: m1 m5", "keys a b c: m1 m6", "other warning kept"];
        const w = compare(base, head);
        assert.deepEqual(
            w.changed.map((c) => [c.before, c.after]),
            [
                ["keys a b c: m1 m2", "keys a b c: m1 m4"],
                ["keys a b c: m1 m3", "keys a b c: m1 m5"],
            ],
        );
        assert.deepEqual([w.added, w.removed], [["keys a b c: m1 m6"], []]);
    });

    it("a warning on both sides is neither added nor removed, and a one-word warning pairs with nothing", () => {
        const w = compare(["same", "solo"], ["same", "lone"]);
        assert.deepEqual(w, { added: ["lone"], removed: ["solo"], changed: [] });
    });

    it("a warning per machine on 3,000 machines, each reworded: every one paired with its own machine's", () => {
        const machines = Array.from({ length: 3000 }, (_, i) => `m-${i}`);
        const base = machines.map((m) => `machine ${m}: Guest Configuration needs an identity`);
        const head = machines.map((m) => `machine ${m}: Guest Configuration needs a system-assigned identity`);
        const w = compare(base, head);
        assert.deepEqual([w.added, w.removed], [[], []]);
        assert.equal(w.changed.length, 3000);
        for (const [i, c] of w.changed.entries()) {
            assert.deepEqual([c.before, c.after], [base[i], head[i]]);
            assert.deepEqual([c.added, c.removed], [["a", "system-assigned"], ["an"]]);
        }
    });
});
