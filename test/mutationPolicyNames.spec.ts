/**
 * Policy mode's Azure names (sdk/plan/policyNames.ts), on their own: the pure specs reached them
 * only through the component (surviving mutants of `npm run mutation`, docs/testing.md). The
 * limits are Azure's: a policy assignment name at management-group scope is at most 24
 * characters, a definition or set definition name at most 64 (azure-docs
 * includes/azure-policy-limits.md, via /work/shared/azure-facts.md section 0); a role
 * assignment name is a GUID.
 */
import { strict as assert } from "node:assert";
import { NAME_LIMITS, policyNames, shortHash } from "../sdk/plan/policyNames";

const MG = "/providers/Microsoft.Management/managementGroups/servers";
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const GUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("policy names (sdk/plan/policyNames.ts)", () => {
    it("knows Azure's limits: 24 characters for an assignment at management-group scope, 64 for a definition and a deployment", () => {
        // Policy assignments at management-group scope: 24; definitions: 64 (azure-policy-limits);
        // Microsoft.Resources/deployments: 64 (resource-name-rules; ARM deploymentTemplate maxLength).
        assert.deepEqual(NAME_LIMITS, { assignment: 24, definition: 64, deployment: 64 });
    });

    it("stays within the limits whatever the component's name, and does not depend on its length", () => {
        for (const component of ["d", "defender-for-servers-with-a-very-long-logical-name-".repeat(4)]) {
            const names = policyNames(component, MG);
            assert.ok(names.assignment.length <= 24, names.assignment);
            assert.ok(names.initiative.length <= 64, names.initiative);
            assert.ok(names.definition("guest-configuration-tag").length <= 64);
            assert.ok(names.remediation("guest-configuration-tag", { v: 1 }).length <= 64);
        }
        assert.equal(policyNames("d", MG).assignment.length, policyNames("x".repeat(200), MG).assignment.length);
    });

    it("is deterministic, and keeps two instances apart by name and by scope (the scope compared as ARM does, ignoring case)", () => {
        assert.deepEqual(
            [policyNames("d", MG).assignment, policyNames("d", MG).definition("k")],
            [policyNames("d", MG).assignment, policyNames("d", MG).definition("k")],
        );
        const all = [policyNames("a", MG), policyNames("b", MG), policyNames("a", SUB)];
        assert.equal(new Set(all.map((n) => n.assignment)).size, 3);
        assert.equal(new Set(all.map((n) => n.initiative)).size, 3);
        assert.equal(new Set(all.map((n) => n.definition("k"))).size, 3);
        assert.equal(policyNames("a", MG.toUpperCase()).assignment, policyNames("a", MG).assignment);
    });

    it("names each definition and remediation after its key, and a remediation changes with the definition's content", () => {
        const names = policyNames("d", MG);
        assert.notEqual(names.definition("os-proxy"), names.definition("ama"));
        assert.match(names.definition("os-proxy"), /os-proxy/);
        assert.match(names.remediation("os-proxy", 1), /os-proxy/);
        assert.notEqual(names.remediation("os-proxy", { version: 1 }), names.remediation("os-proxy", { version: 2 }));
        assert.equal(names.remediation("os-proxy", { version: 1 }), names.remediation("os-proxy", { version: 1 }));
        assert.notEqual(names.remediation("os-proxy", 1), names.remediation("ama", 1));
    });

    it("role assignment names are version-4-shaped GUIDs, one per role and scope, the scope ignoring case", () => {
        const names = policyNames("d", MG);
        const roles = ["Contributor", "Reader"].flatMap((role) => [MG, SUB].map((at) => names.roleAssignment(role, at)));
        for (const id of roles) assert.match(id, GUID_V4);
        assert.equal(new Set(roles).size, 4);
        assert.equal(names.roleAssignment("Reader", SUB.toUpperCase()), names.roleAssignment("Reader", SUB));
        assert.notEqual(policyNames("e", MG).roleAssignment("Reader", SUB), names.roleAssignment("Reader", SUB));
        // Every variant nibble (8, 9, a, b) is reachable: the layout bits are set, not the hash's own.
        const variants = new Set(Array.from({ length: 64 }, (_, i) => names.roleAssignment(`role-${i}`, SUB)[19]));
        assert.deepEqual([...variants].sort(), ["8", "9", "a", "b"]);
    });

    it("shortHash is hex of the requested length and tells apart parts that join to the same text", () => {
        assert.match(shortHash(["a"], 12), /^[0-9a-f]{12}$/);
        assert.equal(shortHash(["a"], 32).length, 32);
        assert.notEqual(shortHash(["ab", "c"], 16), shortHash(["a", "bc"], 16));
        assert.equal(shortHash(["a", 1], 16), shortHash(["a", 1], 16));
    });
});
