/**
 * Policy mode's Azure names (sdk/plan/policyNames.ts), the parts test/mutationPolicyNames.spec.ts
 * does not reach: the refusal of a name that is too long, fitting a long name, azure-native's own
 * names, the built-in assignments' names, and the exact names a deployed stack already has. Limits
 * (azure-docs includes/azure-policy-limits.md and resource-name-rules.md, via
 * /work/shared/azure-facts.md section 0): assignment 64 characters, 24 at management-group scope;
 * definition 64; `Microsoft.Resources/deployments` 64. azure-native's auto-name is the logical name,
 * a dash and 7 random characters.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { autoNameFits, builtInNames, checkName, deploymentName, fitName, NameTooLongError, policyNames } from "../../sdk/plan/policyNames";

/** The documented scheme, worked out here on its own: hex SHA-256 of the JSON array of the parts. */
const sha = (parts: unknown[], length: number) => createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, length);
const guid = (hex: string) =>
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
const MG = "/providers/Microsoft.Management/managementGroups/Servers";
const VM = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.HybridCompute/machines/Arc-1";
const GUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("plan: policy names, limits and stability (sdk/plan/policyNames.ts)", () => {
    it("checkName: a name at the limit passes; one over is refused naming the field, the name, its length and the limit", () => {
        assert.equal(checkName("name", "x".repeat(24), 24), "x".repeat(24));
        assert.throws(
            () => checkName("machines[0].key", "y".repeat(25), 24),
            (e: unknown) =>
                e instanceof NameTooLongError &&
                e.field === "machines[0].key" &&
                e.azureName === "y".repeat(25) &&
                e.limit === 24 &&
                e.message ===
                    `machines[0].key: makes the Azure name "${"y".repeat(25)}" 25 characters long; Azure allows at most 24 here. Use a shorter value`,
        );
    });

    it("fitName: a name that fits is kept; a longer one is cut to exactly the limit, ending in a hash of all of it", () => {
        assert.equal(fitName("a".repeat(64), 64), "a".repeat(64));
        const long = "a".repeat(70);
        assert.equal(fitName(long, 64), `${"a".repeat(55)}-${sha([long], 8)}`);
        // Two names that share their first characters stay apart.
        assert.notEqual(fitName(`${long}-one`, 64), fitName(`${long}-two`, 64));
    });

    it("fitName: separators left at the cut go (all of them), separators inside stay", () => {
        const readable = `abc-def-.--${"z".repeat(30)}`;
        // limit 20: 11 characters, a dash and 8 hex; "abc-def-.--" loses its trailing "-.--".
        assert.equal(fitName(readable, 20), `abc-def-${sha([readable], 8)}`);
    });

    it("autoNameFits: the logical name plus azure-native's dash and 8 characters within the limit (64 by default)", () => {
        assert.equal(autoNameFits("n".repeat(55)), true);
        assert.equal(autoNameFits("n".repeat(56)), false);
        assert.equal(autoNameFits("n".repeat(15), 24), true);
        assert.equal(autoNameFits("n".repeat(16), 24), false);
    });

    it("deploymentName: <component>-<purpose>, within 64", () => {
        assert.equal(deploymentName("dfs", "mde-integration"), "dfs-mde-integration");
        const long = deploymentName("c".repeat(80), "mde-integration");
        assert.equal(long.length, 64);
        assert.ok(long.startsWith("c".repeat(55)), long);
    });

    it("builtInNames: a 19-character assignment name any scope takes, its remediation, and a role-assignment GUID per role and scope", () => {
        const names = builtInNames("dfs", "updates-vm-linux", VM);
        const instance = sha(["dfs", "updates-vm-linux", VM.toLowerCase()], 12);
        assert.equal(names.assignment, `dfs-bi-${instance}`);
        assert.equal(names.remediation, `dfs-updates-vm-linux-${instance}`);
        assert.equal(
            names.role("b24988ac-6180-42a0-ab88-20f7382dd24c"),
            guid(sha([names.assignment, "b24988ac-6180-42a0-ab88-20f7382dd24c", VM.toLowerCase()], 32)),
        );
        assert.match(names.role("r"), GUID_V4);
        assert.notEqual(names.role("r1"), names.role("r2"));
        // ARM compares resource ids ignoring case.
        assert.equal(builtInNames("dfs", "updates-vm-linux", VM.toUpperCase()).assignment, names.assignment);
        assert.equal(builtInNames("dfs", "updates-vm-linux", VM.toUpperCase()).role("r"), names.role("r"));
        assert.notEqual(builtInNames("dfs", "identity-none", VM).assignment, names.assignment);
        assert.notEqual(builtInNames("dfs2", "updates-vm-linux", VM).assignment, names.assignment);
        // A long key still gives a definition-length remediation name.
        assert.equal(builtInNames("dfs", "k".repeat(80), VM).remediation.length, 64);
    });

    it("policyNames: the names a deployed stack already has do not change (hash of the name and the lower-cased scope)", () => {
        const names = policyNames("dfs", MG);
        const instance = sha(["dfs", MG.toLowerCase()], 12);
        assert.equal(names.assignment, `dfs-${instance}`);
        assert.equal(names.initiative, `dfs-initiative-${instance}`);
        assert.equal(names.definition("os-proxy-vm-linux"), `dfs-os-proxy-vm-linux-${instance}`);
        assert.equal(
            names.remediation("os-proxy-vm-linux", { v: 1 }),
            `dfs-os-proxy-vm-linux-${instance.slice(0, 8)}-${sha([{ v: 1 }], 8)}`,
        );
        assert.equal(names.roleAssignment("role", MG), guid(sha([instance, "role", MG.toLowerCase()], 32)));
    });
});
