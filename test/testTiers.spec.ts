/**
 * npm test's tiers (tools/run-tests.sh, tools/test-tiers.sh): which runs a spec gets, and that
 * the summed last line and the exit code hold whether runs go one at a time or two at a time.
 * The scratch specs are plain JavaScript so each run costs a Node start, not a ts-node compile.
 */
import { strict as assert } from "node:assert";
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

describe("npm test's tiers (tools/run-tests.sh --tier)", function () {
    this.timeout(180000);
    let dir: string;
    const spec = (name: string) => path.join(dir, name);
    const runner = (args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
        spawnSync("bash", [path.join(ROOT, "tools", "run-tests.sh"), ...args, "--no-config"], {
            cwd: ROOT,
            env: { ...process.env, DEFENDER_TEST_JOBS: "1", ...env },
            encoding: "utf8",
        });
    const lastLine = (out: string): string => out.trimEnd().split("\n").pop() ?? "";
    const headers = (out: string): string[] => out.split("\n").filter((l) => l.startsWith("=== mocha on Node "));

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-tiers-"));
        fs.writeFileSync(spec("any.spec.js"), 'describe("any", () => { it("a", () => {}); });\n');
        fs.writeFileSync(spec("host.linux.spec.js"), 'describe("linux", () => { it("l1", () => {}); it("l2", () => {}); });\n');
        fs.writeFileSync(spec("squidLike.spec.js"), 'describe("squid", () => { it("s", () => { throw new Error("no"); }); });\n');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a scripts-tier spec (by its name) runs once, on Node 22; any other spec on Node 22 and 24", () => {
        const result = runner([spec("any.spec.js"), spec("host.linux.spec.js")]);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.deepEqual(
            headers(result.stdout).map((h) => h.replace(/ \(.*\)/, "").replace(/v(\d+)\.[\d.]+/, "v$1")),
            ["=== mocha on Node v22: component ===", "=== mocha on Node v24: component ===", "=== mocha on Node v22: scripts ==="],
        );
        assert.equal(lastLine(result.stdout), "tests: 4 passed, 0 failed");
    });

    it("two runs at a time (DEFENDER_TEST_JOBS=2) print every run and sum the same counts, failures included", () => {
        const args = [spec("any.spec.js"), spec("host.linux.spec.js"), spec("squid.spec.js")];
        fs.copyFileSync(spec("squidLike.spec.js"), spec("squid.spec.js"));
        const serial = runner(args);
        const parallel = runner(args, { DEFENDER_TEST_JOBS: "2" });
        for (const result of [serial, parallel]) {
            assert.equal(result.status, 1, result.stdout + result.stderr);
            assert.equal(headers(result.stdout).length, 3);
            assert.equal(lastLine(result.stdout), "tests: 4 passed, 1 failed");
        }
    });

    it("--tier quick runs pure and component on Node 22 only", () => {
        const result = runner(["--tier", "quick", spec("any.spec.js"), spec("host.linux.spec.js")]);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.equal(headers(result.stdout).length, 1);
        assert.match(headers(result.stdout)[0], /^=== mocha on Node v22\..*: component ===$/);
        assert.equal(lastLine(result.stdout), "tests: 1 passed, 0 failed");
    });

    it("--list: the convention's names and the lists put the repository's specs in their tiers", () => {
        const tierOf = (file: string): string =>
            spawnSync("bash", [path.join(ROOT, "tools", "run-tests.sh"), "--list", file], { cwd: ROOT, encoding: "utf8" }).stdout.split(
                "\t",
            )[0];
        assert.deepEqual(
            ["test/squid.spec.ts", "test/bicep.spec.ts", "test/scripts.windows.spec.ts", "test/x/new.booted.spec.ts"].map(tierOf),
            ["scripts", "scripts", "scripts", "scripts"],
        );
        assert.deepEqual(["test/package.spec.ts", "test/schema.spec.ts"].map(tierOf), ["release", "release"]);
        assert.deepEqual(["test/egress.spec.ts", "test/machines.spec.ts"].map(tierOf), ["pure", "component"]);
    });

    it("refuses an unknown tier, and a tier none of the named specs is in", () => {
        const unknown = runner(["--tier", "fast", spec("any.spec.js")]);
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /unknown tier 'fast'/);
        const none = runner(["--tier", "scripts", spec("any.spec.js")]);
        assert.equal(none.status, 2);
        assert.match(none.stderr, /no spec of the scripts tier/);
        assert.doesNotMatch(none.stdout, /tests: /);
    });
});
