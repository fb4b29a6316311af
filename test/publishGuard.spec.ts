/**
 * `npm publish` must not ship a package whose links name the placeholder owner: the
 * `prepublishOnly` guard (tools/check-publish.js) refuses it and says which fields to fix.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const GUARD = path.join(ROOT, "tools", "check-publish.js");
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** Runs the guard on a package.json with these contents. */
function guard(pkg: unknown): { status: number | null; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "publish-guard-"));
    try {
        const file = path.join(dir, "package.json");
        fs.writeFileSync(file, JSON.stringify(pkg));
        const result = spawnSync(process.execPath, [GUARD, file], { encoding: "utf8" });
        return { status: result.status, stderr: result.stderr };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("publishing guard", () => {
    it("runs before every npm publish", () => {
        assert.equal(PACKAGE.scripts.prepublishOnly, "node tools/check-publish.js");
    });

    it("refuses the placeholder owner, naming each field", () => {
        const result = guard({
            ...PACKAGE,
            repository: { type: "git", url: "git+https://github.com/OWNER/defender-servers.git" },
            homepage: "https://github.com/OWNER/defender-servers#readme",
            bugs: { url: "https://github.com/OWNER/defender-servers/issues" },
        });
        assert.equal(result.status, 1);
        for (const field of ["repository.url", "homepage", "bugs.url"])
            assert.match(result.stderr, new RegExp(`${field.replace(".", "\\.")}: `));
        assert.match(result.stderr, /Set the real GitHub owner/);
    });

    it("refuses a package with no repository link", () => {
        const { repository: _dropped, ...rest } = PACKAGE;
        const result = guard(rest);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /repository\.url: missing/);
    });

    it("refuses a link that is blank or not a string, naming the field", () => {
        const result = guard({
            ...PACKAGE,
            repository: { type: "git", url: "git+https://github.com/contoso/defender-servers.git" },
            homepage: "  ",
            bugs: { url: 42 },
        });
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, /homepage: /);
        assert.match(result.stderr, /bugs\.url: /);
        assert.doesNotMatch(result.stderr, /repository\.url: /);
    });

    it("lets a package with its real owner through", () => {
        const result = guard({
            ...PACKAGE,
            repository: { type: "git", url: "git+https://github.com/contoso/defender-servers.git" },
            homepage: "https://github.com/contoso/defender-servers#readme",
            bugs: { url: "https://github.com/contoso/defender-servers/issues" },
        });
        assert.equal(result.status, 0, result.stderr);
    });
});
