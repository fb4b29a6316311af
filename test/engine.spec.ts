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

/** A component, for resources below resources. */
class Box extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
    }
}

/** The value of an output (known in update mode). */
function settle<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

describe("the mock engine against @pulumi/pulumi's own computations", () => {
    it("URNs: a resource two levels down carries both ancestors' types, as pulumi.createUrn computes it", async () => {
        const expected: Record<string, pulumi.Output<string>> = {};
        const run = await runProgram(
            () => {
                const outer = new Box("outer");
                const inner = new Box("inner", { parent: outer });
                new security.Pricing("leaf", { scopeId: "/subscriptions/x", pricingTier: "Free" }, { parent: inner });
                expected.outer = pulumi.createUrn("outer", "test:index:Box");
                expected.inner = pulumi.createUrn("inner", "test:index:Box", outer);
                expected.leaf = pulumi.createUrn("leaf", "azure-native:security:Pricing", inner);
            },
            { project: "proj", stack: "dev" },
        );
        for (const name of ["outer", "inner", "leaf"]) {
            assert.equal(run.resources.find((r) => r.name === name)?.urn, await settle(expected[name]), name);
        }
        // The case the mock monitor alone gets wrong: the grandparent's type stays in the chain.
        assert.match(
            run.resources.find((r) => r.name === "leaf")!.urn,
            /::test:index:Box\$test:index:Box\$azure-native:security:Pricing::leaf$/,
        );
    });

    it("the stack resource is every top-level resource's parent, with the URN pulumi.createUrn gives the stack", async () => {
        let stackUrn: pulumi.Output<string> | undefined;
        const run = await runProgram(
            () => {
                new Box("top");
                stackUrn = pulumi.createUrn("proj-dev", "pulumi:pulumi:Stack");
            },
            { project: "proj", stack: "dev" },
        );
        assert.equal(run.stack.urn, await settle(stackUrn!));
        assert.equal(run.resources[0].parent, run.stack.urn);
        assert.deepEqual(
            run.resources.map((r) => r.type),
            ["test:index:Box"],
            "the stack is reported apart, not as a resource",
        );
    });

    it("refuses a second resource with the same URN with the engine's error (sdk/go/common/diag/errors.go, 2001)", async () => {
        let urn: pulumi.Output<string> | undefined;
        const run = await runProgram(
            () => {
                new security.Pricing("twice", { scopeId: "/subscriptions/x", pricingTier: "Free" });
                new security.Pricing("twice", { scopeId: "/subscriptions/y", pricingTier: "Free" });
                urn = pulumi.createUrn("twice", "azure-native:security:Pricing");
            },
            { project: "proj", stack: "dev" },
        );
        const expected = `Duplicate resource URN '${await settle(urn!)}'; try giving it a unique name`;
        assert.ok(
            run.errors.some((e) => e.includes(expected)),
            `errors: ${JSON.stringify(run.errors)}`,
        );
        assert.equal(run.resources.filter((r) => r.name === "twice").length, 1, "the second registration was recorded");
    });

    it("a transform's aliases reach the engine as the SDK sends them (mapAliasesForRequest), not dropped", async () => {
        const run = await runProgram(
            () => {
                const parent = new Box("p");
                new security.Pricing(
                    "renamed",
                    { scopeId: "/subscriptions/x", pricingTier: "Free" },
                    {
                        parent,
                        transforms: [
                            (args) => ({
                                props: args.props,
                                opts: { ...args.opts, aliases: [...(args.opts.aliases ?? []), { name: "old-name" }] },
                            }),
                        ],
                    },
                );
                new security.Pricing(
                    "direct",
                    { scopeId: "/subscriptions/x", pricingTier: "Free" },
                    { parent, aliases: [{ name: "old-direct" }] },
                );
            },
            { project: "proj", stack: "dev" },
        );
        const parent = run.resources.find((r) => r.name === "p")!.urn;
        const byName = (name: string) => run.resources.find((r) => r.name === name)!;
        // The same shape the SDK itself gives an alias set on the resource directly.
        assert.deepEqual(byName("direct").aliases, [{ name: "old-direct", parent }]);
        assert.deepEqual(byName("renamed").aliases, [{ name: "old-name", parent }]);
    });

    it("a transform that sets an option the preview cannot apply fails the registration with the option's name, never drops it", async () => {
        const run = await runProgram(() => {
            new security.Pricing(
                "timed",
                { scopeId: "/subscriptions/x", pricingTier: "Free" },
                { transforms: [(args) => ({ props: args.props, opts: { ...args.opts, customTimeouts: { create: "5m" } } })] },
            );
        });
        assert.ok(
            run.errors.some((e) =>
                /a transform of azure-native:security:Pricing "timed" sets the option customTimeouts, which the offline preview cannot apply/.test(
                    e,
                ),
            ),
            `errors: ${JSON.stringify(run.errors)}`,
        );
    });

    it("a transform's replaceOnChanges, deleteBeforeReplace and protect reach the request", async () => {
        let seen: { replaceOnChanges: string[]; deleteBeforeReplace: boolean } | undefined;
        const run = await runProgram(() => {
            pulumi.runtime.registerResourceTransform((args) => ({
                props: args.props,
                opts: { ...args.opts, protect: true, replaceOnChanges: ["pricingTier"], deleteBeforeReplace: true },
            }));
            new security.Pricing("p", { scopeId: "/subscriptions/x", pricingTier: "Free" });
            // A second transform on the same stack sees what the first set, as the SDK passes options along.
            pulumi.runtime.registerResourceTransform((args) => {
                seen = {
                    replaceOnChanges: args.opts.replaceOnChanges ?? [],
                    deleteBeforeReplace: (args.opts as { deleteBeforeReplace?: boolean }).deleteBeforeReplace === true,
                };
                return undefined;
            });
            new security.Pricing("q", { scopeId: "/subscriptions/x", pricingTier: "Free" });
        });
        assert.deepEqual(run.errors, []);
        assert.equal(run.resources.find((r) => r.name === "p")!.protect, true);
        assert.deepEqual(seen, { replaceOnChanges: ["pricingTier"], deleteBeforeReplace: true });
    });

    it("a provider function (cloud read) is recorded; in the CLI's preview its answer is unknown, not an echo shown as known", async () => {
        const program = () => {
            const pricing = security.getPricingOutput({ scopeId: "/subscriptions/x", pricingName: "VirtualMachines" });
            return { tier: pricing.pricingTier };
        };
        const offline = await runProgram(program, { preview: true, readsInPreview: "unknown" });
        assert.ok(offline.outputs.tier instanceof Unknown);
        assert.deepEqual(offline.invokes, [{ token: "azure-native:security:getPricing", answer: "unknown" }]);
        const given = await runProgram(program, {
            preview: true,
            invokeResults: { "azure-native:security:getPricing": { pricingTier: "Standard" } },
        });
        assert.equal(given.outputs.tier, "Standard");
        assert.deepEqual(given.invokes, [{ token: "azure-native:security:getPricing", answer: "given" }]);
    });

    it("differs from the CLI: an undefined export is left out of the outputs without the SDK's warning", async () => {
        // pulumi's own Stack resource warns "Undefined value (x) will not show as a stack output."
        const run = await runProgram(() => ({ missing: undefined, kept: "yes" }));
        assert.deepEqual(run.outputs, { kept: "yes" });
        assert.deepEqual(run.warnings, []);
    });
});
