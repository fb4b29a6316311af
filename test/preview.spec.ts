import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { previewInProcess, runPreviewCli, sharedPreview } from "./previewCli";

const ROOT = path.resolve(__dirname, "..");

/** The offline preview as `npm start` runs it (the CLI's `main`, in this process), in `cwd`; examples are previewed once per run. */
const preview = (cwd: string, ...args: string[]) => (cwd.startsWith(ROOT) ? sharedPreview(cwd, args) : previewInProcess(cwd, args));

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
    // Each preview runs a program under the mock engine: seconds each, minutes on a busy shared machine.
    this.timeout(300000);

    it("shows the default example's plan, MDE integration and vulnerability setting as a tree", async () => {
        const { code, stdout, stderr } = await preview(ROOT);
        assert.equal(code, 0, stderr);
        assert.match(stdout, /offline, mock engine/);
        assert.match(stdout, /├─ azure-native:security:Pricing\s+defender-plan/);
        assert.match(stdout, /azure-native:resources:DeploymentAtSubscriptionScope\s+defender-mde-integration/);
        assert.match(stdout, /azure-native:security:AzureServersSetting\s+defender-vulnerability-assessment/);
        assert.match(stdout, /waits for: defender-plan/);
        assert.match(stdout, /pricingId: '\[unknown\]'/);
        assert.match(stdout, /\+ \d+ to create/);
    });

    it("shows the default example's mixed fleet: OS proxy run commands before MDE, agents, and the egress list", async () => {
        const { code, stdout } = await preview(ROOT);
        assert.equal(code, 0);
        for (const name of [
            "defender-os-proxy-win-app-01",
            "defender-os-proxy-lnx-web-01",
            "defender-os-proxy-onprem-db-01",
            "defender-arc-agent-proxy-onprem-db-01",
        ]) {
            assert.match(stdout, new RegExp(`waits for: .*${name}`));
        }
        assert.match(stdout, /azure-native:hybridcompute:MachineExtension\s+defender-ama-onprem-db-01/);
        assert.match(stdout, /^Egress of defender/m);
        assert.match(stdout, /proxy\s+\*\.endpoint\.security\.microsoft\.com\s+443\s+always/);
    });

    it("shows the private-link example: scopes, endpoints, zones and zone groups, Private Link hosts off the proxy route", async () => {
        const { code, stdout, stderr } = await preview(path.join(ROOT, "examples", "private-link"), "--json");
        assert.equal(code, 0, stderr);
        const report = JSON.parse(stdout);
        const types = report.resources.map((r: { type: string }) => r.type);
        for (const type of [
            "azure-native:hybridcompute:PrivateLinkScope",
            "azure-native:monitor:PrivateLinkScope",
            "azure-native:network:PrivateEndpoint",
            "azure-native:network:PrivateDnsZoneGroup",
            "azure-native:privatedns:PrivateZone",
            "azure-native:monitor:DataCollectionEndpoint",
        ]) {
            assert.ok(types.includes(type), `${type} missing`);
        }
        const routes = Object.fromEntries(report.egress[0].endpoints.map((e: { host: string; route: string }) => [e.host, e.route]));
        assert.equal(routes["*.his.arc.azure.com"], "privateLink");
        assert.equal(routes["*.endpoint.security.microsoft.com"], "proxy");
    });

    it("the CLI spawned as `npm start` runs it prints the same JSON as its main in process", async () => {
        const spawned = runPreviewCli(ROOT, ["--json"]);
        const shared = await preview(ROOT, "--json");
        assert.equal(spawned.code, 0, spawned.stderr);
        assert.deepEqual(JSON.parse(spawned.stdout), JSON.parse(shared.stdout));
    });

    it("--json gives the same run as data", async () => {
        const { code, stdout } = await preview(ROOT, "--json");
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

    it("bad stack config exits 1 with the validation message and no stack trace", async () => {
        const dir = scratchProject({ subscriptionId: "not-a-guid", location: "West Europe" });
        const { code, stdout, stderr } = await preview(dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.match(stderr, /subscriptionId: "not-a-guid" is not a GUID/);
        assert.match(stderr, /location: "West Europe" is not a region name; use "westeurope"/);
        assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/);
    });

    it("encrypted config stays secret: a placeholder is used and shown as [secret]", async () => {
        const dir = scratchProject({});
        const { code, stdout } = await preview(dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 0);
        assert.match(stdout, /defender-servers-example:proxyPassword is encrypted; the offline preview uses a placeholder/);
        assert.doesNotMatch(stdout, /offline-preview-placeholder/);
        assert.match(stdout, /protectedSettings: '\[secret\]'/);
    });

    it("a folder without Pulumi.yaml is a clear error", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-empty-"));
        const { code, stderr } = await preview(dir);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 1);
        assert.match(stderr, /no Pulumi.yaml in/);
    });

    it("--save-json then --markdown --compare: the PR comment shows the added and removed machines; exit 0", async () => {
        const dir = scratchProject({});
        const stackFile = path.join(dir, "Pulumi.ci.yaml");
        const stack = yaml.load(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, any> };
        const machinesKey = "defender-servers-example:machines";
        const base = path.join(dir, "base.json");
        const first = await preview(dir, "--save-json", base);
        assert.equal(first.code, 0, first.stderr);
        assert.equal(JSON.parse(fs.readFileSync(base, "utf8")).formatVersion, 1);
        // The head drops the Linux VM and adds a Windows Arc server.
        stack.config[machinesKey] = [
            ...stack.config[machinesKey].filter((m: { key: string }) => m.key !== "lnx-web-01"),
            { key: "onprem-win-02", kind: "arc", os: "windows", resourceGroupName: "rg-arc", name: "onprem-win-02" },
        ];
        fs.writeFileSync(stackFile, yaml.dump(stack));
        const { code, stdout, stderr } = await preview(dir, "--markdown", "--compare", base);
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^## Offline preview: what this change does to `defender-servers-example`, stack `ci`$/m);
        assert.match(stdout, /^### Added \(\d+\)$/m);
        assert.match(stdout, /`defender-os-proxy-onprem-win-02`/);
        assert.match(stdout, /^### Removed \(\d+\)$/m);
        assert.match(stdout, /`defender-os-proxy-lnx-web-01`/);
        assert.match(
            stdout,
            /<summary>~ <code>azure-native:resources:DeploymentAtSubscriptionScope<\/code> × 1: <code>[^<]+<\/code><\/summary>\n\n```diff\n[^`]*\n```\n\n`defender-mde-integration`/,
        );
    });

    it("a missing stack file exits 1 naming the file and the fix", async () => {
        const { code, stdout, stderr } = await preview(ROOT, "--stack", "prod");
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.match(
            stderr,
            /error: no stack file for stack "prod": .*Pulumi\.prod\.yaml does not exist \(stacks there: dev\); create it with `pulumi stack init prod`/,
        );
    });
});
