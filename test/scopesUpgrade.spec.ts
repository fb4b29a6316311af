/**
 * Upgrade safety of the move to the scope components: every example, and the programs in
 * test/scopesUpgradeCases.ts, preview with the resources recorded from the tree before the move
 * (test/fixtures/scopes/), same URN or an alias to it, same inputs: nothing to replace, create or delete.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { aliasUrn, compareSnapshots, EXAMPLES, FIXTURES, snapshot, snapshotExample, SnapshotResource } from "./scopesUpgrade";
import { CASES } from "./scopesUpgradeCases";

const recorded = (label: string): SnapshotResource[] => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${label}.json`), "utf8"));

function assertNothingReplaced(label: string, before: SnapshotResource[], after: SnapshotResource[]): void {
    const verdict = compareSnapshots(before, after);
    assert.deepEqual(verdict.deleted, [], `${label}: resources the upgrade would delete (or replace under a new URN)`);
    assert.deepEqual(verdict.created, [], `${label}: resources the upgrade would create`);
    // After a merge, a change here can come from another branch's inputs: re-record as test/fixtures/scopes/README.md says.
    assert.deepEqual(
        verdict.changed,
        [],
        `${label}: resources whose inputs changed (after a merge: re-record from the target branch, test/fixtures/scopes/README.md)`,
    );
    assert.equal(verdict.same, before.length);
}

describe("scopes upgrade: every example keeps its resources", function () {
    this.timeout(180_000);
    for (const example of EXAMPLES) {
        it(`${example.label}: same URNs (or aliases to them) and inputs as recorded before the scope components`, async () => {
            assertNothingReplaced(example.label, recorded(example.label), await snapshotExample(example.dir));
        });
    }
    for (const c of CASES) {
        it(`case ${c.label}: same URNs (or aliases to them) and inputs as recorded before the scope components`, async () => {
            assertNothingReplaced(c.label, recorded(`case-${c.label}`), await snapshot(c.program));
        });
    }
});

describe("scopes upgrade: the comparison itself", () => {
    const urn = (type: string, name: string) =>
        `urn:pulumi:dev::p::defender-servers:index:DefenderForServersNetworkRestricted$${type}::${name}`;
    const pricing = (name: string, inputs = "a"): SnapshotResource => ({
        urn: urn("azure-native:security:Pricing", name),
        type: "azure-native:security:Pricing",
        inputs,
    });

    it("reports a renamed resource without alias as a delete and a create", () => {
        const verdict = compareSnapshots([pricing("d-plan")], [pricing("d-plan2")]);
        assert.deepEqual(verdict.deleted, [pricing("d-plan").urn]);
        assert.deepEqual(verdict.created, [pricing("d-plan2").urn]);
    });

    it("reports changed inputs", () => {
        assert.equal(compareSnapshots([pricing("d-plan")], [pricing("d-plan", "b")]).changed.length, 1);
    });

    it("follows an alias by name, and one by parent (a resource moved under a new component)", () => {
        const renamed = { ...pricing("d-plan2"), aliases: [{ name: "d-plan" }] };
        assert.deepEqual(compareSnapshots([pricing("d-plan")], [renamed]).aliased, [{ before: pricing("d-plan").urn, after: renamed.urn }]);
        const parentUrn = "urn:pulumi:dev::p::defender-servers:index:DefenderForServersNetworkRestricted::d";
        const moved = `urn:pulumi:dev::p::defender-servers:index:DefenderForServersNetworkRestricted$defender-servers:index:DefenderSubscription$azure-native:security:Pricing::d-plan`;
        assert.equal(aliasUrn(moved, { parent: parentUrn }), pricing("d-plan").urn);
        const verdict = compareSnapshots(
            [pricing("d-plan")],
            [{ urn: moved, type: "azure-native:security:Pricing", inputs: "a", aliases: [{ parent: parentUrn }] }],
        );
        assert.equal(verdict.same, 1);
        assert.deepEqual(verdict.deleted, []);
    });
});
