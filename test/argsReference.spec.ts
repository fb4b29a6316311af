/**
 * docs/arguments.md is generated from the types (tools/args-reference.js): it must match them,
 * and the check must fail when it does not. Each check runs the TypeScript compiler over the
 * package (seconds of CPU): both start together in `before`, so one waits while the other works.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const TOOL = path.join(ROOT, "tools", "args-reference.js");

function check(output?: string): Promise<{ code: number | null; stderr: string }> {
    const args = [TOOL, "--check", ...(output === undefined ? [] : ["--output", output])];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, stderr }));
    });
}

/**
 * The scripts (and tools/*.js files) that write docs/arguments.md while `npm ci` or `npm pack` runs,
 * sorted. npm 11 runs, measured on a package whose every script logs its name: `npm ci` preinstall,
 * install, postinstall, prepublish, preprepare, prepare, postprepare; `npm pack` prepack, prepare,
 * postpack; and `npm run <name>` runs pre<name>, <name>, post<name> (docs.npmjs.com/cli/v11/using-npm/scripts,
 * "Pre & Post Scripts", "Life Cycle Operation Order"). `dependencies` runs after an install that
 * changed node_modules. Followed from there: every script started with `npm run`/`npm run-script`,
 * and every tools/ file run with node, bash or sh (read through `readTool`), and the tools/ modules it
 * requires: a tool writes it when it names the generator; it reaches scripts through `npm run <name>`
 * or `"run", "<name>"` (an npm spawned from Node). A static reading: what a tool computes at run time
 * is not followed.
 */
function referenceWriters(scripts: Record<string, string>, readTool: (file: string) => string): string[] {
    const LIFECYCLE = [
        "preinstall",
        "install",
        "postinstall",
        "prepublish",
        "preprepare",
        "prepare",
        "postprepare",
        "prepack",
        "postpack",
        "dependencies",
    ];
    const writers = new Set<string>();
    const seen = new Set<string>();
    const queue: string[] = [...LIFECYCLE];
    const run = (name: string) => queue.push(`pre${name}`, name, `post${name}`);
    // What a script or a tool starts: npm scripts, and tools run with node, bash or sh (the generator
    // itself is judged by its arguments where it is started).
    const follow = (text: string) => {
        for (const m of text.matchAll(/\bnpm\s+(?:run|run-script)\s+(?:-\S+\s+)*([^\s&|;#"'`]+)/g)) run(m[1]);
        for (const m of text.matchAll(/["']run(?:-script)?["']\s*,\s*["']([^"']+)["']/g)) run(m[1]);
        for (const m of text.matchAll(/\b(?:node|bash|sh)\s+(?:\.\/)?(tools\/[\w.-]+\.(?:c?js|sh))/g))
            if (m[1] !== "tools/args-reference.js") queue.push(m[1]);
    };
    while (queue.length > 0) {
        const name = queue.shift() as string;
        if (seen.has(name)) continue;
        seen.add(name);
        if (name.startsWith("tools/")) {
            const source = readTool(name);
            if (/args-reference/.test(source)) writers.add(name);
            follow(source);
            // A module of its own folder it requires runs too.
            for (const m of source.matchAll(/require\(\s*["']\.\/([\w.-]+?)(\.c?js)?["']\s*\)/g))
                queue.push(`tools/${m[1]}${m[2] ?? ".js"}`);
            continue;
        }
        const script = scripts[name];
        if (script === undefined) continue;
        // The generator writes unless `--check` is one of its own arguments (up to the command's end or a comment).
        for (const m of script.matchAll(/args-reference\.js([^&|;#\n]*)/g)) if (!m[1].split(/\s+/).includes("--check")) writers.add(name);
        follow(script);
    }
    return [...writers].sort();
}

describe("arguments reference (docs/arguments.md)", function () {
    this.timeout(120_000);
    let current: ReturnType<typeof check>;
    let stale: ReturnType<typeof check>;

    before(() => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "args-ref-")), "arguments.md");
        fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, "docs", "arguments.md"), "utf8").replace("proxy.address", "proxy.adress"));
        current = check();
        stale = check(file);
        // Both are awaited by their tests; a rejection before then must not go unhandled.
        current.catch(() => undefined);
        stale.catch(() => undefined);
    });

    it("matches the types: regenerate with node tools/args-reference.js", async () => {
        const result = await current;
        assert.equal(result.code, 0, result.stderr);
    });

    it("names every field of the one-subscription component, with its JSDoc", () => {
        const text = fs.readFileSync(path.join(ROOT, "docs", "arguments.md"), "utf8");
        // Fields picked from sdk/args.ts by hand: the generator must find nested, array and optional ones.
        for (const field of [
            "subscriptionId",
            "proxy.address",
            "machines[].key",
            "machines[].exclude",
            "privateLink.arc.location",
            "rollout.mode",
        ]) {
            assert.match(text, new RegExp("^\\| `" + field.replace(/[.[\]]/g, "\\$&") + "` \\|", "m"), field);
        }
        assert.doesNotMatch(text, /\*\*undocumented\*\*/, "every public field needs a JSDoc line");
    });

    it("is not written by what npm ci and npm pack run (a build that wrote it would make it fresh before this check)", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
            .scripts;
        const readTool = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
        assert.deepEqual(referenceWriters(scripts, readTool), [], "these write docs/arguments.md during npm ci or npm pack");
        assert.deepEqual(referenceWriters({ ...scripts, prepare: "npm run docs" }, readTool), ["docs"], "npm run docs writes it");
    });

    describe("what counts as writing it during npm ci or npm pack (tables by hand)", () => {
        const WRITES = "node tools/args-reference.js";
        const noTools = () => "";
        const cases: Array<[string, Record<string, string>, string[]]> = [
            ["a lifecycle script itself", { prepack: WRITES }, ["prepack"]],
            [
                "npm ci's prepublish, preprepare and postprepare",
                { prepublish: WRITES, preprepare: WRITES, postprepare: WRITES },
                ["postprepare", "preprepare", "prepublish"],
            ],
            [
                "the pre and post scripts of a script the lifecycle runs",
                { prepack: "npm run build", build: "tsc", postbuild: WRITES },
                ["postbuild"],
            ],
            [
                "a script reached through npm run, at any depth",
                { prepack: "npm run build", build: "tsc && npm run -s docs", docs: WRITES },
                ["docs"],
            ],
            ["npm run-script", { prepare: "npm run-script docs", docs: WRITES }, ["docs"]],
            ["--check only in a shell comment", { prepare: `${WRITES} # --check` }, ["prepare"]],
            ["--check in the next command", { prepare: `${WRITES} && echo --check` }, ["prepare"]],
            ["the check, not a write", { prepare: `${WRITES} --check`, build: `${WRITES} --output x.md --check` }, []],
            ["a script no lifecycle reaches", { docs: WRITES, pretest: WRITES }, []],
        ];
        for (const [name, scripts, writers] of cases) it(name, () => assert.deepEqual(referenceWriters(scripts, noTools), writers));

        it("a tools/ file a lifecycle script runs: the generator named, a script started with npm run, a module required", () => {
            const tools: Record<string, string> = {
                "tools/a.js": 'require("./args-reference")',
                "tools/b.js": 'spawnSync(npm, ["run", "docs"])',
                "tools/c.js": "console.log('no')",
            };
            const read = (file: string) => tools[file] ?? "";
            assert.deepEqual(referenceWriters({ prepare: "node tools/a.js" }, read), ["tools/a.js"]);
            assert.deepEqual(referenceWriters({ prepare: "node ./tools/b.js", docs: WRITES }, read), ["docs"]);
            assert.deepEqual(referenceWriters({ prepare: "node tools/c.js", docs: WRITES }, read), []);
            // Through a module it requires, and through a shell script.
            tools["tools/d.js"] = 'const x = require("./a");';
            tools["tools/e.sh"] = "set -e\nnpm run --silent docs\n";
            assert.deepEqual(referenceWriters({ prepare: "node tools/d.js" }, read), ["tools/a.js"]);
            assert.deepEqual(referenceWriters({ prepack: "bash tools/e.sh", docs: WRITES }, read), ["docs"]);
        });
    });

    it("fails, naming the file and the fix, when the reference is stale", async () => {
        const result = await stale;
        assert.equal(result.code, 1);
        assert.match(result.stderr, /is stale; run: node tools\/args-reference.js/);
    });
});
