import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/**
 * Packs the package as `npm pack` would, installs the tarball into a scratch TypeScript
 * Pulumi program (its dependencies linked from this checkout, so nothing is downloaded), and
 * checks that the program type-checks against the shipped .d.ts files and runs.
 */
describe("the published package", function () {
    this.timeout(120000);
    let scratch: string;
    let files: string[];

    before(() => {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "defender-pack-"));
        const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: ROOT, encoding: "utf8" }));
        files = packed[0].files.map((f: { path: string }) => f.path);
        const installed = path.join(scratch, "consumer", "node_modules", "defender-servers");
        fs.mkdirSync(installed, { recursive: true });
        execFileSync("tar", ["-xzf", path.join(scratch, packed[0].filename), "-C", installed, "--strip-components=1"]);
        for (const dep of ["@pulumi", "@types", "typescript", "js-yaml", "ts-node"]) {
            fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(scratch, "consumer", "node_modules", dep));
        }
    });

    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("ships compiled JavaScript, type declarations and the run-command scripts, and nothing else", () => {
        assert.ok(files.includes("dist/index.js"));
        assert.ok(files.includes("dist/index.d.ts"));
        assert.ok(files.includes("dist/preview/cli.js"));
        assert.ok(files.includes("README.md"));
        const unexpected = files.filter((f) => !/^(dist\/.*\.(js|d\.ts)|sdk\/scripts\/[^/]+|README\.md|package\.json)$/.test(f));
        assert.deepEqual(unexpected, []);
        assert.ok(!files.some((f) => f.startsWith("test/") || (f.startsWith("sdk/") && !f.startsWith("sdk/scripts/"))));
    });

    it("a TypeScript program imports it with full types and runs it", () => {
        const consumer = path.join(scratch, "consumer");
        fs.writeFileSync(
            path.join(consumer, "index.ts"),
            [
                'import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "defender-servers";',
                "const args: DefenderForServersNetworkRestrictedArgs = { subscriptionId: '11111111-2222-3333-4444-555555555555', location: 'westeurope' };",
                "const d = new DefenderForServersNetworkRestricted('d', args);",
                "export const plan: import('@pulumi/pulumi').Output<string | undefined> = d.subPlan;",
                "// @ts-expect-error: the args are typed, so a wrong field type is a compile error",
                "new DefenderForServersNetworkRestricted('e', { subscriptionId: 1, location: 'westeurope' });",
                "",
            ].join("\n"),
        );
        fs.writeFileSync(
            path.join(consumer, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: { strict: true, module: "commonjs", target: "ES2022", noEmit: true, types: ["node"] },
                files: ["index.ts"],
            }),
        );
        const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", consumer], {
            encoding: "utf8",
        });
        assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);

        fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\n");
        fs.writeFileSync(
            path.join(consumer, "index.ts"),
            fs.readFileSync(path.join(consumer, "index.ts"), "utf8").split("// @ts-expect-error")[0],
        );
        const bin = path.join(consumer, "node_modules", "defender-servers", "dist", "preview", "cli.js");
        const run = spawnSync(process.execPath, [bin, consumer, "--json"], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        const report = JSON.parse(run.stdout);
        assert.deepEqual(
            report.resources.map((r: { name: string }) => r.name),
            ["d", "d-plan", "d-mde-integration"],
        );
        assert.equal(report.outputs.plan, "P2");
    });
});
