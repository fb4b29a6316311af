/**
 * tools/sync-policy-version.js, npm's `version` script: its exit code must say whether
 * policy/package.json now carries the package's version. A run that could not give it one
 * must not exit 0, or `npm version` commits and tags a release whose policy pack disagrees.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SYNC = path.join(__dirname, "..", "tools", "sync-policy-version.js");

/** Runs the sync on a package root (outside git) holding these two package.json files. */
function sync(pkg: unknown, policy: unknown): { status: number | null; stderr: string; policy: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sync-policy-"));
    try {
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg));
        fs.mkdirSync(path.join(dir, "policy"));
        const policyFile = path.join(dir, "policy", "package.json");
        fs.writeFileSync(policyFile, JSON.stringify(policy, null, 4) + "\n");
        const result = spawnSync(process.execPath, [SYNC, dir], {
            encoding: "utf8",
            env: { ...process.env, GIT_CEILING_DIRECTORIES: os.tmpdir() },
        });
        return { status: result.status, stderr: result.stderr, policy: fs.readFileSync(policyFile, "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("sync-policy-version", () => {
    it("writes the package's version into the policy pack and exits 0", () => {
        const result = sync({ name: "p", version: "1.2.3" }, { name: "p-policy", version: "1.0.0" });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(JSON.parse(result.policy).version, "1.2.3");
    });

    for (const [why, pkg] of [
        ["no version", { name: "p" }],
        ["a version that is not a string", { name: "p", version: 2 }],
        ["a blank version", { name: "p", version: "" }],
    ] as const) {
        it(`refuses a package.json with ${why}, leaving the policy pack as it was`, () => {
            const result = sync(pkg, { name: "p-policy", version: "1.0.0" });
            assert.notEqual(result.status, 0, "exited 0 without syncing");
            assert.match(result.stderr, /package\.json/);
            assert.equal(JSON.parse(result.policy).version, "1.0.0");
        });
    }
});
