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
        // npm's lifecycle for `npm ci` and `npm pack`: prepare (tools/prepare.js runs build), prepack, postpack; install hooks.
        const lifecycle = ["preinstall", "install", "postinstall", "prepare", "prepack", "postpack", "build"];
        const tool = /args-reference\.js(?![^&|;]*--check)/;
        for (const name of lifecycle) assert.doesNotMatch(scripts[name] ?? "", tool, `npm run ${name} writes docs/arguments.md`);
        assert.doesNotMatch(fs.readFileSync(path.join(ROOT, "tools", "prepare.js"), "utf8"), /args-reference/);
        assert.match(scripts.docs, tool, "npm run docs writes it");
    });

    it("fails, naming the file and the fix, when the reference is stale", async () => {
        const result = await stale;
        assert.equal(result.code, 1);
        assert.match(result.stderr, /is stale; run: node tools\/args-reference.js/);
    });
});
