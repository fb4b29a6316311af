/**
 * Per-machine logical names and their aliases after a key rename (sdk/plan/machineNames.ts), on
 * their own. The shape is the project's (docs/concepts.md, test/previousKey.spec.ts through the
 * component): `<name>-<part>-<key>`, and with `previousKey` an alias by name only, so Pulumi keeps the
 * resource's parent and type (Pulumi's `Alias`: unset fields default to the resource's own).
 */
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { machineResourceName, withAliases } from "../../sdk/plan/machineNames";

describe("machine resource names (sdk/plan/machineNames.ts)", () => {
    it("names a resource <name>-<part>-<key>, with an alias under the previous key after a rename", () => {
        assert.deepEqual(machineResourceName("defender", "os-proxy", { key: "web-01" }), { name: "defender-os-proxy-web-01" });
        assert.deepEqual(machineResourceName("defender", "ama-dcr", { key: "web-02", previousKey: "web-01" }), {
            name: "defender-ama-dcr-web-02",
            aliases: [{ name: "defender-ama-dcr-web-01" }],
        });
    });

    it("adds the aliases to the options (after any there were), and returns the very same options when there is none", () => {
        const opts: pulumi.CustomResourceOptions = { protect: true };
        assert.equal(withAliases(opts, { name: "d-plan-a" }), opts);
        assert.deepEqual(withAliases(opts, { name: "d-plan-b", aliases: [{ name: "d-plan-a" }] }), {
            protect: true,
            aliases: [{ name: "d-plan-a" }],
        });
        assert.deepEqual(withAliases({ aliases: ["urn:old"] }, { name: "d-plan-b", aliases: [{ name: "d-plan-a" }] }), {
            aliases: ["urn:old", { name: "d-plan-a" }],
        });
        // The caller's options are not changed.
        assert.deepEqual(opts, { protect: true });
    });
});
