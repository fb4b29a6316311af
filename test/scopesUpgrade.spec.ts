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

/**
 * What changed on purpose since the fixtures were recorded, by logical name (the URN's last part),
 * each with its reason; everything else must be the same.
 * - `<name>-ama-dcr-<key>` (changed: `associationName`): a rule association is named after its rule,
 *   not `defender-servers` for every rule (two components' rules on one machine overwrote each other).
 * - `<name>-os-proxy-verify-<key>` (created, Linux Azure VMs only): the OS-proxy read-back run command.
 * - `fleet-policy-role-92aaf0da-...` (deleted): Log Analytics Contributor, which can list storage keys,
 *   is no longer granted for associations (Monitoring Contributor alone, sdk/plan/policy.ts `ROLES`).
 * - `fleet-policy-dcr-association-*` (changed): the policy's association name derives from the rule id.
 */
const INTENDED: Record<string, { deleted?: string[]; created?: string[]; changed?: string[] }> = {
    default: {
        created: ["defender-os-proxy-verify-lnx-web-01"],
        changed: ["defender-ama-dcr-win-app-01", "defender-ama-dcr-lnx-web-01", "defender-ama-dcr-onprem-db-01"],
    },
    "arc-gateway": { changed: ["defender-ama-dcr-onprem-app-01", "defender-ama-dcr-onprem-web-01"] },
    "central-workspace": {
        changed: [
            "defender-ama-dcr-vm-app-01",
            "defender-ama-dcr-arc-moving-01",
            "defender-ama-dcr-arc-legacy-01",
            "defender-ama-dcr-arc-new-01",
        ],
    },
    "private-link": { changed: ["defender-ama-dcr-onprem-web-01", "defender-ama-dcr-onprem-app-01", "defender-ama-dcr-vm-jump-01"] },
    "policy-management-group": {
        deleted: [
            "fleet-policy-role-92aaf0da-9dab-42b6-94a3-d43ce8d16293",
            "fleet-policy-role-92aaf0da-9dab-42b6-94a3-d43ce8d16293-on-dcr",
        ],
        changed: ["fleet-policy-dcr-association-vm", "fleet-policy-dcr-association-arc"],
    },
    "machine-plans": {
        created: ["d-os-proxy-verify-lnx-vm"],
        changed: ["d-ama-dcr-win-vm", "d-ama-dcr-lnx-vm", "d-ama-dcr-lnx-arc"],
    },
};

const nameOf = (urn: string) => urn.split("::").pop()!;

function assertNothingReplaced(label: string, before: SnapshotResource[], after: SnapshotResource[]): void {
    const verdict = compareSnapshots(before, after);
    const intended = INTENDED[label] ?? {};
    const sorted = (names: string[] | undefined) => [...(names ?? [])].sort();
    assert.deepEqual(
        sorted(verdict.deleted.map(nameOf)),
        sorted(intended.deleted),
        `${label}: resources the upgrade would delete (or replace under a new URN)`,
    );
    assert.deepEqual(sorted(verdict.created.map(nameOf)), sorted(intended.created), `${label}: resources the upgrade would create`);
    // After a merge, a change here can come from another branch's inputs: re-record as test/fixtures/scopes/README.md says.
    assert.deepEqual(
        sorted(verdict.changed.map((c) => nameOf(c.after))),
        sorted(intended.changed),
        `${label}: resources whose inputs changed (after a merge: re-record from the target branch, test/fixtures/scopes/README.md)`,
    );
    assert.equal(verdict.same, before.length - (intended.deleted?.length ?? 0) - (intended.changed?.length ?? 0));
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
