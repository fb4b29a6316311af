/**
 * npm test's tiers (tools/run-tests.sh, tools/test-tiers.sh): which runs a spec gets, and that
 * the summed last line and the exit code hold whether runs go one at a time, two at a time or
 * all at once (the default), and whether a run's files share one mocha process or a parallel pool.
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
    const runner = (args: string[], env: Record<string, string | undefined> = {}): SpawnSyncReturns<string> =>
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

    it("a scripts-tier spec (by its name) runs once, on Node 22; any other spec on Node 22 and 24; longest run (scripts) first", () => {
        const result = runner([spec("any.spec.js"), spec("host.linux.spec.js")]);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.deepEqual(
            headers(result.stdout).map((h) => h.replace(/ \(.*\)/, "").replace(/v(\d+)\.[\d.]+/, "v$1")),
            ["=== mocha on Node v22: scripts ===", "=== mocha on Node v22: component ===", "=== mocha on Node v24: component ==="],
        );
        assert.equal(lastLine(result.stdout), "tests: 4 passed, 0 failed");
    });

    it("one run at a time, two at a time, all at once (the default), one mocha process per run: every run printed, the same sums, failures included", () => {
        const args = [spec("any.spec.js"), spec("host.linux.spec.js"), spec("squid.spec.js")];
        fs.copyFileSync(spec("squidLike.spec.js"), spec("squid.spec.js"));
        const results = {
            serial: runner(args),
            "two at a time": runner(args, { DEFENDER_TEST_JOBS: "2" }),
            default: runner(args, { DEFENDER_TEST_JOBS: undefined }),
            "one worker per run": runner(args, { DEFENDER_TEST_JOBS: undefined, DEFENDER_TEST_WORKERS: "1" }),
        };
        for (const [how, result] of Object.entries(results)) {
            assert.equal(result.status, 1, `${how}: ${result.stdout}${result.stderr}`);
            assert.equal(headers(result.stdout).length, 3, how);
            assert.equal(lastLine(result.stdout), "tests: 4 passed, 1 failed", how);
        }
        // The failing spec's report is printed whole, under its run's header, also when runs overlap.
        const scripts = results.default.stdout.split("=== mocha on Node ").find((run) => run.includes(": scripts ==="));
        assert.match(scripts ?? "", /1 failing[\s\S]*Error: no/);
    });

    it("by default the runs overlap, and a run's spec files run in parallel mocha workers (two specs that each wait for the other pass)", () => {
        // Each spec writes its own mark, then waits up to 20 s for the other's: one after another, the first times out.
        const waiting = (mine: string, theirs: string) =>
            `const fs = require("node:fs");
describe("${mine}", function () { this.timeout(30000); it("meets ${theirs}", async () => {
  fs.writeFileSync(${JSON.stringify(path.join(dir, mine))}, "");
  for (let i = 0; i < 200 && !fs.existsSync(${JSON.stringify(path.join(dir, theirs))}); i++) await new Promise((r) => setTimeout(r, 100));
  if (!fs.existsSync(${JSON.stringify(path.join(dir, theirs))})) throw new Error("${theirs} never ran alongside");
}); });\n`;
        const pair = (a: string, b: string, fileA: string, fileB: string): string[] => {
            for (const f of [a, b]) fs.rmSync(path.join(dir, f), { force: true });
            fs.writeFileSync(spec(fileA), waiting(a, b));
            fs.writeFileSync(spec(fileB), waiting(b, a));
            return [spec(fileA), spec(fileB)];
        };
        // Three runs (scripts on Node 22, component on 22 and 24), one worker each: only overlapping runs meet.
        const runs = runner(["--tier", "all", ...pair("mark-scripts", "mark-component", "meet.linux.spec.js", "meet.spec.js")], {
            DEFENDER_TEST_JOBS: undefined,
            DEFENDER_TEST_WORKERS: "1",
        });
        assert.equal(runs.status, 0, runs.stdout + runs.stderr);
        assert.equal(lastLine(runs.stdout), "tests: 3 passed, 0 failed");
        // Two files of one run: mocha's parallel workers.
        const files = runner(["--tier", "quick", ...pair("mark-a", "mark-b", "meetA.spec.js", "meetB.spec.js")], {
            DEFENDER_TEST_JOBS: undefined,
        });
        assert.equal(files.status, 0, files.stdout + files.stderr);
        assert.equal(lastLine(files.stdout), "tests: 2 passed, 0 failed");
        const serialFiles = runner(["--tier", "quick", ...pair("mark-c", "mark-d", "meetC.spec.js", "meetD.spec.js")], {
            DEFENDER_TEST_WORKERS: "1",
        });
        assert.equal(lastLine(serialFiles.stdout), "tests: 1 passed, 1 failed", "the waiting specs must fail when nothing overlaps");
    });

    it("overlapping runs are printed in the order they end, each with its own time, not the time it waited to be printed", () => {
        // The scripts run starts first and takes 4 s; the component runs end within a second or two.
        fs.writeFileSync(
            spec("slow.linux.spec.js"),
            'describe("slow", function () { this.timeout(20000); it("waits 4 s", () => new Promise((r) => setTimeout(r, 4000))); });\n',
        );
        const result = runner([spec("any.spec.js"), spec("slow.linux.spec.js")], { DEFENDER_TEST_JOBS: undefined });
        assert.equal(result.status, 0, result.stdout + result.stderr);
        const tiers = headers(result.stdout).map((h) => h.replace(/.*: /, ""));
        assert.deepEqual(tiers, ["component ===", "component ===", "scripts ==="]);
        const seconds = (tier: string) =>
            result.stdout
                .split("\n")
                .filter((l) => l.startsWith("run-tests: Node ") && l.includes(`, ${tier}: `))
                .map((l) => Number(/in (\d+) s$/.exec(l)?.[1]));
        const [scripts] = seconds("scripts");
        assert.ok(scripts >= 4, `scripts reported ${scripts} s for a 4 s spec`);
        for (const component of seconds("component"))
            assert.ok(component < scripts, `a component run reported ${component} s, as long as scripts`);
    });

    it("counts what mocha ran, not a child's report quoted in a failure message (printed after the summary)", () => {
        // Three tests pass and one fails with a message holding another run's report, as this spec's own
        // assertions quote the runner's output when they fail.
        fs.writeFileSync(
            spec("quotes.spec.js"),
            `const assert = require("node:assert");
describe("quotes", () => {
  for (const name of ["p1", "p2", "p3"]) it(name, () => {});
  it("fails quoting a report", () => assert.equal(1, 0, "=== mocha ===\\n\\n  7 passing (2ms)\\n  2 failing\\n\\ntests: 7 passed, 2 failed"));
});\n`,
        );
        // One that prints such a report, then ends the process before mocha reports: no summary, 1 failure.
        fs.writeFileSync(
            spec("printsThenExits.spec.js"),
            'describe("exits", () => { it("p", () => {}); it("prints, exits", () => { console.log("\\n  9 passing (1ms)\\n"); process.exit(3); }); });\n',
        );
        const exits = runner(["--tier", "quick", spec("printsThenExits.spec.js")], { DEFENDER_TEST_WORKERS: "1" });
        assert.equal(exits.status, 1, exits.stdout + exits.stderr);
        assert.match(exits.stderr, /without a summary; counted as 1 failure/);
        assert.equal(lastLine(exits.stdout), "tests: 0 passed, 1 failed");
        for (const env of [{}, { DEFENDER_TEST_WORKERS: "1" }]) {
            const result = runner(["--tier", "quick", spec("quotes.spec.js"), spec("any.spec.js")], env);
            assert.equal(result.status, 1, result.stdout + result.stderr);
            assert.match(result.stdout, /^ {2}7 passing \(2ms\)$/m, "the quoted report is printed");
            assert.equal(lastLine(result.stdout), "tests: 4 passed, 1 failed", JSON.stringify(env));
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
        assert.deepEqual(["test/pure/egressFleet.spec.ts", "test/mutationFields.spec.ts", "test/machines.spec.ts"].map(tierOf), [
            "pure",
            "pure",
            "component",
        ]);
    });

    it("refuses a worker or job count that is not a positive integer", () => {
        for (const env of [{ DEFENDER_TEST_WORKERS: "0" }, { DEFENDER_TEST_JOBS: "two" }]) {
            const result = runner([spec("any.spec.js")], env);
            assert.equal(result.status, 2, JSON.stringify(env));
            assert.match(result.stderr, /must be a positive integer/);
        }
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
