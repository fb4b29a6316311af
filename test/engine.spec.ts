import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as security from "@pulumi/azure-native/security";
import { runProgram } from "../sdk/preview/engine";
import { Secret, Unknown } from "../sdk/preview/values";

describe("the mock engine", () => {
    it("is really in place: a registered resource is recorded with its inputs, and ids are invented", async () => {
        const run = await runProgram(() => {
            const pricing = new security.Pricing("p", { scopeId: "/subscriptions/x", pricingTier: "Free", pricingName: "VirtualMachines" });
            return { id: pricing.id };
        });
        assert.equal(run.resources.length, 1);
        assert.equal(run.resources[0].type, "azure-native:security:Pricing");
        assert.equal(run.resources[0].inputs.pricingTier, "Free");
        assert.match(String(run.outputs.id), /^\/subscriptions\/.*\/p$/);
    });

    it("in preview mode leaves ids unknown, as pulumi preview does", async () => {
        const run = await runProgram(
            () => {
                const pricing = new security.Pricing("p", { scopeId: "/subscriptions/x", pricingTier: "Free" });
                return { id: pricing.id };
            },
            { preview: true },
        );
        assert.ok(run.outputs.id instanceof Unknown);
    });

    it("keeps secrets marked, records dependencies and captures warnings", async () => {
        const run = await runProgram(() => {
            const first = new security.Pricing("first", { scopeId: "/subscriptions/x", pricingTier: "Free" });
            new security.Pricing("second", { scopeId: pulumi.secret("/subscriptions/y"), pricingTier: "Free" }, { dependsOn: [first] });
            pulumi.log.warn("mind the proxy");
        });
        const second = run.resources[1];
        assert.ok(second.inputs.scopeId instanceof Secret);
        assert.deepEqual(second.dependencies, [run.resources[0].urn]);
        assert.deepEqual(run.warnings, ["mind the proxy"]);
    });

    it("reads stack config as the CLI passes it", async () => {
        const run = await runProgram(() => ({ value: new pulumi.Config("proj").require("answer") }), {
            project: "proj",
            config: { "proj:answer": "42" },
        });
        assert.equal(run.outputs.value, "42");
    });
});
