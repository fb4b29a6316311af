import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "sdk", "preview", "cli.ts");

/** Runs the offline preview exactly as `npm start` does, in `cwd`. */
function preview(cwd: string, ...args: string[]) {
    const result = spawnSync(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), CLI, ...args], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A scratch Pulumi project that runs the default example with its dev config, some keys changed. */
function scratchProject(changes: Record<string, unknown>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-preview-"));
    const entry = path.join(ROOT, "examples", "default");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: defender-servers-example\nruntime: nodejs\nmain: ${entry}\n`);
    const stack = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    for (const [key, value] of Object.entries(changes)) stack.config[`defender-servers-example:${key}`] = value;
    fs.writeFileSync(path.join(dir, "Pulumi.ci.yaml"), yaml.dump(stack));
    return dir;
}

describe("the offline preview (npm start)", function () {
    this.timeout(60000);

    it("shows the default example's plan, MDE integration and vulnerability setting as a tree", () => {
        const { code, stdout, stderr } = preview(ROOT);
        assert.equal(code, 0, stderr);
        assert.match(stdout, /offline, mock engine/);
        assert.match(stdout, /├─ azure-native:security:Pricing\s+defender-plan/);
        assert.match(stdout, /azure-native:resources:DeploymentAtSubscriptionScope\s+defender-mde-integration/);
        assert.match(stdout, /azure-native:security:AzureServersSetting\s+defender-vulnerability-assessment/);
        assert.match(stdout, /waits for: defender-plan/);
        assert.match(stdout, /pricingId: '\[unknown\]'/);
        assert.match(stdout, /\+ \d+ to create/);
    });

    it("--json gives the same run as data", () => {
        const { code, stdout } = preview(ROOT, "--json");
        assert.equal(code, 0);
        const report = JSON.parse(stdout);
        assert.equal(report.stack, "dev");
        const plan = report.resources.find((r: any) => r.name === "defender-plan");
        assert.equal(plan.type, "azure-native:security:Pricing");
        assert.equal(plan.parent, "defender");
        assert.equal(plan.inputs.subPlan, "P2");
        assert.equal(plan.retainOnDelete, true);
        assert.equal(report.summary.create, report.resources.length);
    });

    it("bad stack config exits 1 with the validation message and no stack trace", () => {
        const dir = scratchProject({ subscriptionId: "not-a-guid", location: "West Europe" });
        const { code, stdout, stderr } = preview(dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.match(stderr, /subscriptionId: "not-a-guid" is not a GUID/);
        assert.match(stderr, /location: "West Europe" is not a region name; use "westeurope"/);
        assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/);
    });

    it("encrypted config stays secret: a placeholder is used and shown as [secret]", () => {
        const dir = scratchProject({});
        const { code, stdout } = preview(dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 0);
        assert.match(stdout, /defender-servers-example:proxyPassword is encrypted; the offline preview uses a placeholder/);
        assert.doesNotMatch(stdout, /offline-preview-placeholder/);
        assert.match(stdout, /protectedSettings: '\[secret\]'/);
    });

    it("a folder without Pulumi.yaml is a clear error", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-empty-"));
        const { code, stderr } = preview(dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 1);
        assert.match(stderr, /no Pulumi.yaml in/);
    });
});
