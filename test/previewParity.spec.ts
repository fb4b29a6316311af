/**
 * Parity of the offline preview with `pulumi preview`: each spec states what a real engine
 * would receive (or show) and checks the mock engine and the report give the same.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as security from "@pulumi/azure-native/security";
import { DefenderForServersNetworkRestricted } from "../sdk";
import { runProgram } from "../sdk/preview/engine";
import { loadProject } from "../sdk/preview/project";
import { buildReport, FORMAT_VERSION, renderText } from "../sdk/preview/render";
import { reveal, Unknown } from "../sdk/preview/values";
import { mixedFleet } from "./fleet";
import { inputs, named } from "./harness";

class Group extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Group", name, {}, opts);
    }
}

const pricingArgs = { scopeId: "/subscriptions/x", pricingTier: "Free" };

describe("offline preview parity: transforms", () => {
    it("applies a component's `transforms` to its children, as the engine does: the children's inputs are the transformed ones", async () => {
        const run = await runProgram(() => {
            const group = new Group("g", {
                transforms: [
                    (args) =>
                        args.type === "azure-native:security:Pricing"
                            ? { props: { ...args.props, pricingTier: "Standard" }, opts: args.opts }
                            : undefined,
                ],
            });
            new security.Pricing("p", pricingArgs, { parent: group });
            new security.Pricing("outside", pricingArgs);
        });
        assert.equal(named(run, "p").inputs.pricingTier, "Standard");
        assert.equal(named(run, "outside").inputs.pricingTier, "Free", "a transform reaches only the resource and its children");
    });

    it("applies stack transforms (registerResourceTransform) after the resource's and its parents', in that order", async () => {
        const seen: string[] = [];
        const run = await runProgram(() => {
            pulumi.runtime.registerResourceTransform((args) => {
                if (args.type !== "azure-native:security:Pricing") return undefined;
                seen.push(`stack saw ${args.props.pricingTier}`);
                return { props: { ...args.props, subPlan: "P2" }, opts: { ...args.opts, retainOnDelete: true } };
            });
            const group = new Group("g", {
                transforms: [
                    (args) => {
                        if (args.type !== "azure-native:security:Pricing") return undefined;
                        seen.push(`parent saw ${args.props.pricingTier}`);
                        return { props: { ...args.props, pricingTier: `${args.props.pricingTier}+parent` }, opts: args.opts };
                    },
                ],
            });
            new security.Pricing("p", pricingArgs, {
                parent: group,
                transforms: [(args) => ({ props: { ...args.props, pricingTier: "Standard" }, opts: args.opts })],
            });
        });
        const p = named(run, "p");
        assert.deepEqual(seen, ["parent saw Standard", "stack saw Standard+parent"]);
        assert.equal(p.inputs.pricingTier, "Standard+parent");
        assert.equal(p.inputs.subPlan, "P2");
        assert.equal(p.retainOnDelete, true, "options a transform sets reach the registration too");
    });

    it("keeps a secret secret through a transform that leaves it alone", async () => {
        const run = await runProgram(() => {
            pulumi.runtime.registerResourceTransform((args) => ({ props: { ...args.props, pricingTier: "Standard" }, opts: args.opts }));
            new security.Pricing("p", { scopeId: pulumi.secret("/subscriptions/y"), pricingTier: "Free" });
        });
        const p = named(run, "p");
        assert.equal(p.inputs.pricingTier, "Standard");
        assert.deepEqual(buildReport("p", "s", run, []).resources[0].inputs.scopeId, "[secret]");
    });

    it("runs a stack transform on the component's own resources: tags added to every extension", async () => {
        const run = await runProgram(() => {
            pulumi.runtime.registerResourceTransform((args) =>
                args.type === "azure-native:compute:VirtualMachineExtension"
                    ? { props: { ...args.props, tags: { ...(args.props.tags ?? {}), costCenter: "sec-42" } }, opts: args.opts }
                    : undefined,
            );
            new DefenderForServersNetworkRestricted("d", mixedFleet());
        });
        const extensions = run.resources.filter((r) => r.type === "azure-native:compute:VirtualMachineExtension");
        assert.ok(extensions.length > 0);
        for (const e of extensions) assert.equal(inputs(e).tags.costCenter, "sec-42", e.name);
    });
});

describe("offline preview parity: unknowns", () => {
    it("shows an output the provider computes as unknown in a preview, never the logical name: vmName from vm.name", async () => {
        const program = () => {
            const vm = new compute.VirtualMachine("lnx-jump-01", { resourceGroupName: "rg", location: "westeurope" });
            new compute.VirtualMachineExtension("ext", {
                resourceGroupName: "rg",
                vmName: vm.name,
                publisher: "Microsoft.Azure.Monitor",
                type: "AzureMonitorLinuxAgent",
            });
        };
        const preview = await runProgram(program, { preview: true });
        assert.ok(named(preview, "ext").inputs.vmName instanceof Unknown, "a real preview does not know the VM's Azure name");
        assert.equal(buildReport("p", "s", preview, []).resources[1].inputs.vmName, "[unknown]");
        // In an update the mock stands in a created VM's name, as the provider would report one.
        const update = await runProgram(program);
        assert.equal(named(update, "ext").inputs.vmName, "lnx-jump-01");
    });

    it("keeps inputs known in a preview: what the program wrote is what the engine plans", async () => {
        const run = await runProgram(
            () => {
                const p = new security.Pricing("p", pricingArgs);
                return { tier: p.pricingTier };
            },
            { preview: true },
        );
        assert.equal(run.outputs.tier, "Free");
    });

    it("shows the Guest Configuration role's principalId as unknown (Azure makes the identity), not ''", async () => {
        const run = await runProgram(
            () => {
                new DefenderForServersNetworkRestricted("d", { ...mixedFleet(), guestConfiguration: { tagExistingVms: true } });
            },
            { preview: true },
        );
        const role = named(run, "d-gc-tag-role");
        assert.ok(role.inputs.principalId instanceof Unknown, `principalId is ${JSON.stringify(reveal(role.inputs.principalId))}`);
        assert.match(renderText(buildReport("p", "s", run, [])), /principalId: '\[unknown\]'/);
    });
});

describe("offline preview parity: provider and subscription per resource", () => {
    it("names the explicit provider and its subscriptionId, inherited through a component's `providers`", async () => {
        const run = await runProgram(() => {
            const { Provider } = require("@pulumi/azure-native/provider") as typeof import("@pulumi/azure-native/provider");
            const prod = new Provider("prod-sub", { subscriptionId: "22222222-2222-2222-2222-222222222222" });
            const group = new Group("g", { providers: [prod] });
            new security.Pricing("in-prod", pricingArgs, { parent: group });
            new security.Pricing("default-one", pricingArgs);
        });
        const report = buildReport("p", "s", run, [], {
            config: { "azure-native:subscriptionId": "33333333-3333-3333-3333-333333333333" },
        });
        const row = (name: string) => report.resources.find((r) => r.name === name)!;
        assert.equal(row("in-prod").provider, "prod-sub");
        assert.equal(row("in-prod").subscriptionId, "22222222-2222-2222-2222-222222222222");
        assert.equal(row("default-one").provider, "default");
        assert.equal(row("default-one").subscriptionId, "33333333-3333-3333-3333-333333333333");
        assert.equal(row("g").subscriptionId, undefined, "a component goes to no subscription itself");
        assert.match(renderText(report), /provider: prod-sub, subscription 22222222-2222-2222-2222-222222222222/);
    });

    it("says where the default provider's subscription comes from when the config does not set it", async () => {
        const run = await runProgram(() => {
            new security.Pricing("p", pricingArgs);
        });
        const report = buildReport("p", "s", run, []);
        assert.equal(report.resources[0].subscriptionId, null);
        assert.match(renderText(report), /provider: default, subscription from ARM_SUBSCRIPTION_ID or the Azure CLI login/);
    });
});

describe("offline preview parity: project and stack config", () => {
    const dirs: string[] = [];
    const project = (files: Record<string, string>): string => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-project-"));
        dirs.push(dir);
        for (const [file, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), text);
        }
        return dir;
    };
    after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    it("takes Pulumi.yaml's config defaults and project values; the stack file wins where it sets a key", () => {
        const dir = project({
            "Pulumi.yaml": [
                "name: app",
                "runtime: nodejs",
                "config:",
                "  location:",
                "    type: string",
                "    default: westeurope",
                "  subPlan:",
                "    default: P1",
                "  proxyBypass:",
                "    type: array",
                "    default: [.corp.example, 10.0.0.0/8]",
                "  azure-native:location: northeurope",
                "  tier: { value: Standard }",
                "",
            ].join("\n"),
            "Pulumi.dev.yaml": "config:\n  app:subPlan: P2\n",
        });
        const loaded = loadProject(dir, "dev");
        assert.equal(loaded.config["app:location"], "westeurope");
        assert.equal(loaded.config["app:subPlan"], "P2");
        assert.equal(
            loaded.config["app:proxyBypass"],
            '[".corp.example","10.0.0.0/8"]',
            "structured values reach the program as JSON, as the CLI passes them",
        );
        assert.equal(loaded.config["azure-native:location"], "northeurope");
        assert.equal(loaded.config["app:tier"], "Standard");
    });

    it("reads the stack file from stackConfigDir", () => {
        const dir = project({
            "Pulumi.yaml": "name: app\nruntime: nodejs\nstackConfigDir: stacks\n",
            "stacks/Pulumi.prod.yaml": "config:\n  app:subPlan: P2\n",
        });
        const loaded = loadProject(dir);
        assert.equal(loaded.stack, "prod");
        assert.equal(loaded.config["app:subPlan"], "P2");
        assert.equal(loaded.stackFile, path.join(dir, "stacks", "Pulumi.prod.yaml"));
    });

    it("fails with a clear error naming the file when the stack file is missing", () => {
        const dir = project({
            "Pulumi.yaml": "name: app\nruntime: nodejs\nstackConfigDir: stacks\n",
            "stacks/Pulumi.dev.yaml": "config: {}\n",
        });
        assert.throws(
            () => loadProject(dir, "prod"),
            (err: Error) => {
                assert.match(
                    err.message,
                    /no stack file for stack "prod": .*stacks\/Pulumi\.prod\.yaml does not exist \(stacks there: dev\)/,
                );
                assert.match(err.message, /pulumi stack init prod/);
                return true;
            },
        );
        const empty = project({ "Pulumi.yaml": "name: app\nruntime: nodejs\n" });
        assert.throws(
            () => loadProject(empty),
            /no stack file \(Pulumi\.<stack>\.yaml\) in .*; create one \(pulumi stack init dev\) or pass --stack NAME/,
        );
    });
});

describe("offline preview parity: full values and the versioned JSON", () => {
    const longBypass = Array.from({ length: 30 }, (_, i) => `.team-${i}.corp.example`).join(",");

    it("summarizes long values by default and shows them whole with --full (the bypass list among them)", async () => {
        const run = await runProgram(() => {
            new compute.VirtualMachineRunCommandByVirtualMachine("rc", {
                resourceGroupName: "rg",
                vmName: "vm",
                parameters: [{ name: "NO_PROXY", value: longBypass }],
            });
        });
        const report = buildReport("p", "s", run, []);
        assert.ok(longBypass.length > 160);
        assert.doesNotMatch(renderText(report), new RegExp(longBypass.replace(/\./g, "\\.")));
        assert.match(renderText(report), /--full shows it all/);
        assert.ok(renderText(report, { full: true }).includes(longBypass), "--full prints the whole list on one line");
    });

    it("writes formatVersion and, per resource, urn, provider, subscriptionId and protect", async () => {
        const run = await runProgram(() => {
            new security.Pricing("p", pricingArgs, { protect: true });
        });
        const report = JSON.parse(JSON.stringify(buildReport("p", "s", run, [])));
        assert.equal(report.formatVersion, FORMAT_VERSION);
        assert.equal(FORMAT_VERSION, 1);
        assert.deepEqual(Object.keys(report.resources[0]).sort(), [
            "dependsOn",
            "inputs",
            "name",
            "protect",
            "provider",
            "retainOnDelete",
            "subscriptionId",
            "type",
            "urn",
        ]);
        assert.equal(report.resources[0].protect, true);
        assert.equal(report.resources[0].urn, "urn:pulumi:stack::project::azure-native:security:Pricing::p");
        assert.deepEqual(report.summary.byType, { "azure-native:security:Pricing": 1 });
    });
});
