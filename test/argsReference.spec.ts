/**
 * docs/arguments.md is generated from the types (tools/args-reference.js): it must match them,
 * and the check must fail when it does not.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const TOOL = path.join(ROOT, "tools", "args-reference.js");

function check(output?: string): { code: number | null; stderr: string } {
    const args = [TOOL, "--check", ...(output === undefined ? [] : ["--output", output])];
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
    return { code: result.status, stderr: result.stderr };
}

describe("arguments reference (docs/arguments.md)", function () {
    this.timeout(120_000);

    it("matches the types: regenerate with node tools/args-reference.js", () => {
        const result = check();
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

    it("fails, naming the file and the fix, when the reference is stale", () => {
        const stale = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "args-ref-")), "arguments.md");
        fs.writeFileSync(stale, fs.readFileSync(path.join(ROOT, "docs", "arguments.md"), "utf8").replace("proxy.address", "proxy.adress"));
        const result = check(stale);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /is stale; run: node tools\/args-reference.js/);
    });
});
