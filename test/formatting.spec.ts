/**
 * The formatter: `prettier --check .` (npm run format:check) passes on the tree, so the README's
 * claim that prettier keeps the formatting holds. Fix a failure with `npm run format`.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const PRETTIER = path.join(ROOT, "node_modules", "prettier", "bin", "prettier.cjs");
const prettier = (args: string[]) => spawnSync(process.execPath, [PRETTIER, ...args], { cwd: ROOT, encoding: "utf8" });

describe("formatting (prettier, .prettierrc.json)", function () {
    this.timeout(180000);

    it("every file prettier checks is formatted: run `npm run format` to fix", () => {
        const check = prettier(["--check", "."]);
        assert.equal(check.status, 0, `not formatted (run: npm run format):\n${check.stdout}${check.stderr}`);
    });

    it("the check covers the sources, specs, tools and manifests (.prettierignore leaves out prose and fixtures only)", () => {
        for (const file of ["sdk/component.ts", "test/harness.ts", "tools/prepare.js", "policy/index.ts", "package.json"]) {
            const info = JSON.parse(prettier(["--file-info", file]).stdout);
            assert.deepEqual([file, info.ignored, typeof info.inferredParser], [file, false, "string"]);
        }
        for (const file of ["README.md", "test/fixtures/bicep/broken-template.json"]) {
            assert.equal(JSON.parse(prettier(["--file-info", file]).stdout).ignored, true, file);
        }
    });
});
