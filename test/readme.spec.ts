/**
 * The README as a reader meets it: every TypeScript program in it that imports the package is
 * previewed, as written, with the stack config that follows it; every relative link in the README
 * and docs/ points at a file that exists; the README stays a front door (under 400 lines, with
 * its contents listed).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runPreviewCli } from "./previewCli";

const ROOT = path.resolve(__dirname, "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

interface Block {
    /** The fence's language: `ts`, `yaml`, `sh`, ... */
    language: string;
    /** The block's text, without the fences. */
    text: string;
}

/** The fenced code blocks of a Markdown text, in order. */
function codeBlocks(markdown: string): Block[] {
    const blocks: Block[] = [];
    const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
    for (let match = fence.exec(markdown); match !== null; match = fence.exec(markdown)) {
        blocks.push({ language: match[1], text: match[2] });
    }
    return blocks;
}

/** Each program that imports the package, with the YAML block that follows it (its stack config). */
function programs(markdown: string): Array<{ program: string; config: string }> {
    const blocks = codeBlocks(markdown);
    const found: Array<{ program: string; config: string }> = [];
    blocks.forEach((block, i) => {
        if (block.language !== "ts" || !block.text.includes('from "defender-servers"')) return;
        const next = blocks[i + 1];
        assert.ok(next?.language === "yaml", `README program ${found.length + 1} is not followed by its stack config (a yaml block)`);
        found.push({ program: block.text, config: next.text });
    });
    return found;
}

/** The project name the config's keys use (`<project>:<key>`), other than the providers'. */
function projectOf(config: string): string {
    const names = [...config.matchAll(/^\s+([a-z0-9-]+):[A-Za-z]/gm)].map((m) => m[1]).filter((n) => n !== "azure-native");
    assert.ok(names.length > 0, "the stack config names no key of the program's own project");
    return names[0];
}

describe("README", () => {
    const found = programs(README);

    it("has at least one program that imports the package", () => {
        assert.ok(found.length >= 1);
    });

    found.forEach(({ program, config }, i) => {
        it(`program ${i + 1} previews as written, with no error and no warning`, function () {
            this.timeout(180_000);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-program-"));
            try {
                const project = projectOf(config);
                fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${project}\nruntime: nodejs\nmain: index.ts\n`);
                fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), config);
                // The package as the program names it, resolved to this checkout's sources.
                const source = program.replace(/from "defender-servers"/g, `from ${JSON.stringify(path.join(ROOT, "sdk"))}`);
                fs.writeFileSync(path.join(dir, "index.ts"), source);
                fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
                const result = runPreviewCli(dir, ["--stack", "dev", "--json"]);
                assert.equal(result.code, 0, `the preview failed:\n${result.stderr}`);
                const report = JSON.parse(result.stdout) as { resources?: unknown[]; warnings?: unknown[] };
                assert.ok((report.resources ?? []).length > 0, "the program registered no resource");
                assert.deepEqual(report.warnings ?? [], [], "the README's program should preview without warnings");
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    it("is a front door: under 400 lines, with a table of contents", () => {
        const lines = README.split("\n").length;
        assert.ok(lines < 400, `README.md has ${lines} lines; move detail to docs/`);
        assert.match(README, /^## Contents$/m);
    });

    it("links only to files that exist (README and docs/)", () => {
        const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
        const files = ["README.md", ...docs.map((f) => path.join("docs", f))];
        const broken: string[] = [];
        for (const file of files) {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            for (const match of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
                const target = match[1];
                if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
                if (!fs.existsSync(path.resolve(ROOT, path.dirname(file), target))) broken.push(`${file}: ${target}`);
            }
        }
        assert.deepEqual(broken, []);
    });
});
