/**
 * `--state`: a preview against the stack as deployed (`pulumi stack export`), planning what
 * `pulumi preview` plans: same, update, replace, create, delete; aliases matched as the engine
 * matches them (pulumi/pulumi pkg/resource/deploy/step_generator.go).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as azureNative from "@pulumi/azure-native";
import * as monitor from "@pulumi/azure-native/monitor";
import * as security from "@pulumi/azure-native/security";
import { engineErrors } from "../sdk/preview/aliases";
import { runProgram } from "../sdk/preview/engine";
import { renderMarkdown } from "../sdk/preview/markdown";
import { buildReport, PreviewReport, renderText } from "../sdk/preview/render";
import { parseState, PriorState, readState } from "../sdk/preview/state";
import { Secret, Unknown } from "../sdk/preview/values";
import { exportOf } from "./fixtures/state/deploy";
import { previewInProcess } from "./previewCli";

const PROJECT = "proj";
const STACK = "dev";

class Box extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
    }
}

/** Deploys `program` under the mock engine (update mode) and returns its `pulumi stack export`. */
async function deployed(program: () => void): Promise<PriorState> {
    const run = await runProgram(program, { project: PROJECT, stack: STACK });
    assert.deepEqual(run.errors, []);
    return parseState(JSON.parse(JSON.stringify(exportOf(PROJECT, STACK, run))), "state.json");
}

/** Previews `program` against `state`, as the CLI does. */
async function previewAgainst(state: PriorState, program: () => void): Promise<PreviewReport> {
    const run = await runProgram(program, { project: PROJECT, stack: STACK, preview: true, readsInPreview: "unknown", priorState: state });
    return buildReport(PROJECT, STACK, run, []);
}

const opOf = (report: PreviewReport, name: string) => report.resources.find((r) => r.name === name)?.op;
const pricing = (name: string, scopeId: string, pricingTier: string, opts?: pulumi.CustomResourceOptions) =>
    new security.Pricing(name, { scopeId, pricingName: "VirtualMachines", pricingTier }, opts);

describe("--state: a preview against the deployed stack", function () {
    this.timeout(120000);

    it("plans same, update (naming the input), replace (naming the input that forces it), create and delete", async () => {
        const state = await deployed(() => {
            const box = new Box("box");
            pricing("kept", "/subscriptions/a", "Free", { parent: box });
            pricing("tier", "/subscriptions/a", "Free", { parent: box });
            pricing("scope", "/subscriptions/a", "Free", { parent: box });
            pricing("gone", "/subscriptions/a", "Free", { parent: box });
        });
        const report = await previewAgainst(state, () => {
            const box = new Box("box");
            pricing("kept", "/subscriptions/a", "Free", { parent: box });
            pricing("tier", "/subscriptions/a", "Standard", { parent: box });
            // The ARM path is /{scopeId}/providers/Microsoft.Security/pricings/{pricingName}: another scope is another resource.
            pricing("scope", "/subscriptions/b", "Free", { parent: box });
            pricing("new", "/subscriptions/a", "Free", { parent: box });
        });
        assert.deepEqual(Object.fromEntries(report.resources.map((r) => [r.name, r.op])), {
            box: "same",
            kept: "same",
            tier: "update",
            scope: "replace",
            new: "create",
        });
        assert.deepEqual(report.resources.find((r) => r.name === "tier")!.changes, [
            { key: "pricingTier", before: "Free", after: "Standard", replaces: false },
        ]);
        assert.deepEqual(report.resources.find((r) => r.name === "scope")!.changes, [
            { key: "scopeId", before: "/subscriptions/a", after: "/subscriptions/b", replaces: true },
        ]);
        assert.deepEqual(
            report.deletes!.map((d) => d.name),
            ["gone"],
        );
        assert.deepEqual(report.summary.steps, { same: 2, update: 1, replace: 1, create: 1, delete: 1 });

        // pulumi preview's own words; the stack resource counts among the unchanged, as there.
        const text = renderText(report);
        const counts = text.slice(text.lastIndexOf("Resources:"));
        assert.equal(
            counts,
            [
                "Resources:",
                "    + 1 to create",
                "    ~ 1 to update",
                "    +-1 to replace",
                "    - 1 to delete",
                "    4 changes. 3 unchanged",
            ].join("\n"),
        );
        assert.match(text, /^ ~ azure-native:security:Pricing tier\n {6}pricingTier: "Free" → "Standard"$/m);
        assert.match(
            text,
            /^\+- azure-native:security:Pricing scope\n {6}scopeId: "\/subscriptions\/a" → "\/subscriptions\/b" {2}\[forces replacement\]$/m,
        );
        const md = renderMarkdown(report);
        assert.match(md, /^\*\*\+ 1 to create · ~ 1 to update · \+-1 to replace · - 1 to delete · 4 changes\. 3 unchanged\*\*/m);
        assert.match(md, /^### To replace \(1\)$/m);
    });

    it("keeps a resource's id and outputs when nothing forces a replacement, so what depends on it stays known", async () => {
        let deployedId = "";
        const state = await deployed(() => {
            pricing("p", "/subscriptions/a", "Free").id.apply((id) => (deployedId = id));
        });
        const run = await runProgram(() => ({ id: pricing("p", "/subscriptions/a", "Standard").id }), {
            project: PROJECT,
            stack: STACK,
            preview: true,
            priorState: state,
        });
        assert.ok(deployedId.length > 0);
        assert.equal(run.outputs.id, deployedId);
        const replaced = await runProgram(() => ({ id: pricing("p", "/subscriptions/b", "Free").id }), {
            project: PROJECT,
            stack: STACK,
            preview: true,
            priorState: state,
        });
        assert.notEqual(replaced.outputs.id, deployedId, "a replaced resource gets a new id, unknown in a preview");
    });

    it("a rename through an alias is a rename: the old resource is continued, nothing is created or deleted", async () => {
        const state = await deployed(() => {
            pricing("old-name", "/subscriptions/a", "Free", { parent: new Box("box") });
        });
        const report = await previewAgainst(state, () => {
            pricing("new-name", "/subscriptions/a", "Free", { parent: new Box("box"), aliases: [{ name: "old-name" }] });
        });
        assert.equal(opOf(report, "new-name"), "same");
        assert.match(
            report.resources.find((r) => r.name === "new-name")!.aliasOf!,
            /::test:index:Box\$azure-native:security:Pricing::old-name$/,
        );
        assert.deepEqual(report.deletes, []);
        assert.match(
            renderText(report),
            /new-name {2}\(renamed from urn:pulumi:dev::proj::test:index:Box\$azure-native:security:Pricing::old-name\)/,
        );
    });

    it("children follow a parent renamed through an alias, their names prefixed with the parent's too (inheritedChildAlias)", async () => {
        const state = await deployed(() => {
            const box = new Box("app");
            pricing("app-plan", "/subscriptions/a", "Free", { parent: box });
            pricing("other", "/subscriptions/a", "Free", { parent: box });
        });
        const report = await previewAgainst(state, () => {
            const box = new Box("web", { aliases: [{ name: "app" }] });
            pricing("web-plan", "/subscriptions/a", "Free", { parent: box });
            pricing("other", "/subscriptions/a", "Free", { parent: box });
        });
        assert.deepEqual(
            report.resources.map((r) => [r.name, r.op]),
            [
                ["web", "same"],
                ["web-plan", "same"],
                ["other", "same"],
            ],
        );
        assert.deepEqual(report.deletes, []);
    });

    it("a resource moved under a new parent with an alias to its old parent continues its old state", async () => {
        const state = await deployed(() => {
            pricing("p", "/subscriptions/a", "Free", { parent: new Box("outer") });
        });
        const report = await previewAgainst(state, () => {
            const outer = new Box("outer");
            const inner = new Box("inner", { parent: outer });
            pricing("p", "/subscriptions/a", "Free", { parent: inner, aliases: [{ parent: outer }] });
        });
        assert.deepEqual(
            report.resources.map((r) => [r.name, r.op]),
            [
                ["outer", "same"],
                ["inner", "create"],
                ["p", "same"],
            ],
        );
    });

    it("two resources claiming one old resource fail with the engine's error", async () => {
        const state = await deployed(() => {
            pricing("old", "/subscriptions/a", "Free");
        });
        const run = await runProgram(
            () => {
                pricing("a", "/subscriptions/a", "Free", { aliases: [{ name: "old" }] });
                pricing("b", "/subscriptions/a", "Free", { aliases: [{ name: "old" }] });
            },
            { project: PROJECT, stack: STACK, preview: true, priorState: state },
        );
        const urn = (name: string) => `urn:pulumi:${STACK}::${PROJECT}::azure-native:security:Pricing::${name}`;
        const expected = engineErrors.duplicateAlias(urn("old"), urn("b"), urn("a"));
        assert.equal(
            expected,
            `Duplicate resource alias '${urn("old")}' applied to resource with URN '${urn("b")}' conflicting with resource with URN '${urn("a")}'`,
        );
        assert.ok(
            run.errors.some((e) => e.includes(expected)),
            JSON.stringify(run.errors),
        );
    });

    it("a deployed secret it cannot open counts as unchanged when the new value is a secret too", async () => {
        const state = await deployed(() => {
            new security.Pricing("p", { scopeId: pulumi.secret("/subscriptions/a"), pricingTier: "Free" });
        });
        // As `pulumi stack export` writes it without --show-secrets: ciphertext only the CLI can open.
        const deployedScope = [...state.byUrn.values()].find((r) => r.type === "azure-native:security:Pricing")!.inputs.scopeId;
        assert.ok(deployedScope instanceof Secret && deployedScope.value instanceof Unknown);
        const report = await previewAgainst(state, () => {
            new security.Pricing("p", { scopeId: pulumi.secret("/subscriptions/other"), pricingTier: "Free" });
        });
        assert.equal(opOf(report, "p"), "same");
    });

    it("honours ignoreChanges and replaceOnChanges as the engine does, at the top level", async () => {
        const state = await deployed(() => {
            pricing("ignored", "/subscriptions/a", "Free");
            pricing("forced", "/subscriptions/a", "Free");
        });
        const report = await previewAgainst(state, () => {
            pricing("ignored", "/subscriptions/a", "Standard", { ignoreChanges: ["pricingTier"] });
            pricing("forced", "/subscriptions/a", "Standard", { replaceOnChanges: ["pricingTier"] });
        });
        assert.equal(opOf(report, "ignored"), "same");
        assert.equal(opOf(report, "forced"), "replace");
    });

    it("compares secrets of an export written with --show-secrets (plaintext): a changed secret is an update", async () => {
        const state = await deployed(() => {
            new security.Pricing("p", { scopeId: "/subscriptions/a", pricingTier: pulumi.secret("Free") });
        });
        const old = [...state.byUrn.values()].find((r) => r.type === "azure-native:security:Pricing")!;
        // What `pulumi stack export --show-secrets` writes: the secret's JSON text in `plaintext`.
        const shown = parseState(
            {
                version: 3,
                deployment: {
                    resources: [...state.byUrn.values()].map((r) =>
                        r === old
                            ? {
                                  urn: r.urn,
                                  type: r.type,
                                  custom: true,
                                  id: r.id,
                                  inputs: {
                                      scopeId: "/subscriptions/a",
                                      pricingTier: {
                                          "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                                          plaintext: '"Free"',
                                      },
                                  },
                              }
                            : { urn: r.urn, type: r.type, custom: r.custom },
                    ),
                },
            },
            "shown.json",
        );
        const same = await previewAgainst(shown, () => {
            new security.Pricing("p", { scopeId: "/subscriptions/a", pricingTier: pulumi.secret("Free") });
        });
        assert.equal(opOf(same, "p"), "same");
        const changed = await previewAgainst(shown, () => {
            new security.Pricing("p", { scopeId: "/subscriptions/a", pricingTier: pulumi.secret("Standard") });
        });
        assert.equal(opOf(changed, "p"), "update");
        assert.deepEqual(changed.resources[0].changes, [{ key: "pricingTier", before: "[secret]", after: "[secret]", replaces: false }]);
    });

    it("differs from pulumi preview: a create-only body property (a rule's location) shows as an update, not a replacement", async () => {
        // ARM marks a tracked resource's location create-only (x-ms-mutability read, create), and
        // azure-native replaces on it; that mark is in the provider plugin, not the npm package.
        const rule = (location: string) =>
            new monitor.DataCollectionRule("dcr", { resourceGroupName: "rg", dataCollectionRuleName: "dcr", location });
        const state = await deployed(() => void rule("westeurope"));
        const report = await previewAgainst(state, () => void rule("northeurope"));
        assert.equal(opOf(report, "dcr"), "update");
    });

    it("differs from pulumi preview: ignoreChanges on a path inside an input is not applied (the input's change shows)", async () => {
        const rule = (tag: string, opts?: pulumi.CustomResourceOptions) =>
            new monitor.DataCollectionRule("dcr", { resourceGroupName: "rg", dataCollectionRuleName: "dcr", tags: { owner: tag } }, opts);
        const state = await deployed(() => void rule("a"));
        const report = await previewAgainst(state, () => void rule("b", { ignoreChanges: ["tags.owner"] }));
        assert.equal(opOf(report, "dcr"), "update");
    });

    it("differs from pulumi preview: moving a resource to another explicit provider is not planned as its replacement", async () => {
        const withProvider = (providerName: string) => () => {
            const provider = new azureNative.Provider(providerName, {});
            pricing("p", "/subscriptions/a", "Free", { provider });
        };
        const state = await deployed(withProvider("first"));
        const report = await previewAgainst(state, withProvider("second"));
        // The engine replaces a resource whose provider changes; the offline preview compares inputs only.
        assert.equal(opOf(report, "p"), "same");
        assert.equal(opOf(report, "second"), "create");
        assert.deepEqual(
            report.deletes!.map((d) => d.name),
            ["first"],
        );
    });

    it("the CLI refuses an export of another version or another stack, and anything that is not an export, naming the fix", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-state-"));
        const write = (name: string, value: unknown) => {
            fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
            return path.join(dir, name);
        };
        const root = path.resolve(__dirname, "..");
        try {
            const v2 = await previewInProcess(root, ["--state", write("v2.json", { version: 2, deployment: { resources: [] } })]);
            assert.equal(v2.code, 1);
            assert.match(v2.stderr, /deployment version 2, this preview reads version 3 .*export it again with a current Pulumi CLI/);
            const other = await previewInProcess(root, ["--state", write("report.json", { formatVersion: 1, resources: [] })]);
            assert.match(other.stderr, /not the output of `pulumi stack export`/);
            const prod = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "state", "default.json"), "utf8"));
            const renamed = JSON.parse(JSON.stringify(prod).replace(/urn:pulumi:dev::/g, "urn:pulumi:prod::"));
            const wrong = await previewInProcess(root, ["--state", write("prod.json", renamed)]);
            assert.equal(wrong.code, 1);
            assert.match(
                wrong.stderr,
                /it is the export of stack prod of project defender-servers-example, not of stack dev .*pass --stack prod/,
            );
            assert.equal(readState(path.join(__dirname, "fixtures", "state", "default.json")).stack, "dev");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
