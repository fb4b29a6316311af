/**
 * Upgrade safety (as pulumi-eks keeps an upgrade test): each example's stack as the previous
 * release deployed it (test/fixtures/state/<example>.json, a `pulumi stack export` built from
 * release 0.1.0, commit 4359911) previewed with the current code (`--state`): nothing may be
 * replaced or deleted unless CHANGELOG.md says why.
 *
 * The rule a release follows: every resource the upgrade replaces or deletes has a bullet in
 * the `### Upgrade notes` section of `## [Unreleased]`, naming it in backticks with the reason or
 * the alias that keeps it: `- \`defender-dcr\`: <why it is replaced, or the alias>`.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PreviewReport } from "../sdk/preview/report";
import { EXAMPLES } from "./fixtures/state/deploy";
import { previewInProcess, sharedPreview } from "./previewCli";

const ROOT = path.resolve(__dirname, "..");
const stateFile = (example: string) => path.join(__dirname, "fixtures", "state", `${example}.json`);
const recordedPreview = (example: string) => path.join(__dirname, "fixtures", "upgrade", `${example}.json`);

/** The heading the spec reads in CHANGELOG.md, under `## [Unreleased]`. */
export const UPGRADE_NOTES_HEADING = "### Upgrade notes";

/** The logical names the Unreleased section's upgrade notes explain (each bullet's first `name` in backticks). */
export function upgradeNotes(changelog: string): Set<string> {
    const unreleased = /^## \[Unreleased\]\s*$([\s\S]*?)(?=^## \[|(?![\s\S]))/m.exec(changelog)?.[1] ?? "";
    const section = new RegExp(`^${UPGRADE_NOTES_HEADING}\\s*$([\\s\\S]*?)(?=^### |(?![\\s\\S]))`, "m").exec(unreleased)?.[1] ?? "";
    const names = new Set<string>();
    for (const line of section.split("\n")) {
        const match = /^- `([^`]+)`\s*:?\s*(.{12,})/.exec(line.trim());
        if (match !== null) names.add(match[1]);
    }
    return names;
}

/** What the upgrade replaces or deletes that no upgrade note explains. */
function unexplained(report: PreviewReport, notes: Set<string>): string[] {
    const replaced = report.resources
        .filter((r) => r.op === "replace")
        .map(
            (r) =>
                `replace ${r.type} ${r.name} (${(r.changes ?? [])
                    .filter((c) => c.replaces)
                    .map((c) => c.key)
                    .join(", ")})`,
        );
    const deleted = (report.deletes ?? []).map((d) => `delete ${d.type} ${d.name}`);
    return [...replaced, ...deleted].filter((line) => !notes.has(line.split(" ")[2]));
}

const dirOf = (dir: string) => path.join(ROOT, dir);

describe("upgrade safety: release 0.1.0's deployed examples under the current code", function () {
    this.timeout(300000);
    const notes = upgradeNotes(fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8"));

    for (const example of EXAMPLES) {
        it(`${example.name}: the state is the release's (every resource of its recorded preview is deployed)`, () => {
            const state = JSON.parse(fs.readFileSync(stateFile(example.name), "utf8"));
            const recorded = JSON.parse(fs.readFileSync(recordedPreview(example.name), "utf8")) as PreviewReport;
            const deployed = new Set(state.deployment.resources.map((r: { urn: string }) => r.urn));
            assert.deepEqual(
                recorded.resources.filter((r) => !deployed.has(r.urn)).map((r) => r.urn),
                [],
            );
        });

        it(`${example.name}: the upgrade replaces and deletes nothing that CHANGELOG's upgrade notes do not explain`, async () => {
            const { code, stdout, stderr } = await sharedPreview(dirOf(example.dir), ["--state", stateFile(example.name), "--json"]);
            assert.equal(code, 0, stderr);
            const report = JSON.parse(stdout) as PreviewReport;
            assert.ok(report.summary.steps !== undefined, "the preview did not read the state");
            assert.ok(
                report.resources.some((r) => r.op === "same"),
                "nothing matched the deployed stack: wrong state file?",
            );
            assert.deepEqual(unexplained(report, notes), []);
        });

        it(`${example.name}: npm start -- --state <export> --markdown shows no replacement and no deletion the upgrade notes do not name`, async () => {
            const { code, stdout, stderr } = await sharedPreview(dirOf(example.dir), ["--state", stateFile(example.name), "--markdown"]);
            assert.equal(code, 0, stderr);
            assert.match(stdout, /^\*\*.*\d+ unchanged\*\*/m);
            const notes = upgradeNotes(fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8"));
            // A replacement shows in the Markdown's "To replace" table, a deletion in "To delete"; each name there must be an upgrade note.
            for (const [heading, marker] of [
                ["To replace", "+-"],
                ["To delete", "-"],
            ]) {
                const table = new RegExp(`### ${heading}[\\s\\S]*?(?=\\n### |$)`).exec(stdout)?.[0] ?? "";
                const rows = table.split("\n").filter((line) => line.startsWith(`| \`${marker}\``));
                const names = rows.flatMap((row) => [...(row.split("|").at(-2) ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]));
                assert.equal(rows.length === 0, names.length === 0, `a ${heading} row names its resources`);
                const unnamed = names.filter((n) => !notes.has(n));
                assert.deepEqual(unnamed, [], `every resource under ${heading} is named under ### Upgrade notes in CHANGELOG.md`);
            }
        });
    }

    it("the check fails on a replacement: a deployed rule under another ARM name is replaced, and named", async () => {
        const state = JSON.parse(fs.readFileSync(stateFile("default"), "utf8"));
        const rule = state.deployment.resources.find((r: { type: string }) => r.type === "azure-native:monitor:DataCollectionRule");
        rule.inputs.dataCollectionRuleName = "an-older-name";
        const file = path.join(fs.mkdtempSync(path.join(require("node:os").tmpdir(), "defender-upgrade-")), "state.json");
        fs.writeFileSync(file, JSON.stringify(state));
        const { stdout } = await previewInProcess(ROOT, ["--state", file, "--json"]);
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
        const report = JSON.parse(stdout) as PreviewReport;
        // The release's own notes explain what this upgrade changes anyway; the planted change is the one left.
        assert.deepEqual(unexplained(report, notes), [
            "replace azure-native:monitor:DataCollectionRule defender-dcr (dataCollectionRuleName)",
        ]);
        assert.deepEqual(unexplained(report, new Set([...notes, "defender-dcr"])), [], "an upgrade note explains it");
    });

    it("the check fails on a rename without an alias: the old resource is deleted and the new one created", async () => {
        const text = fs.readFileSync(stateFile("default"), "utf8").replace(/::defender-gc-tag-role"/g, '::defender-gc-tag-role-old"');
        const file = path.join(fs.mkdtempSync(path.join(require("node:os").tmpdir(), "defender-upgrade-")), "state.json");
        fs.writeFileSync(file, text);
        const { stdout } = await previewInProcess(ROOT, ["--state", file, "--json"]);
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
        const report = JSON.parse(stdout) as PreviewReport;
        assert.equal(report.resources.find((r) => r.name === "defender-gc-tag-role")?.op, "create");
        assert.deepEqual(unexplained(report, notes), ["delete azure-native:authorization:RoleAssignment defender-gc-tag-role-old"]);
    });

    it("reads the upgrade notes of the Unreleased section only, one name per bullet", () => {
        const changelog = [
            "# Changelog",
            "## [Unreleased]",
            "### Added",
            "- `not-a-note`: listed under Added, not under the upgrade notes",
            UPGRADE_NOTES_HEADING,
            "- `defender-dcr`: replaced once: the rule's ARM name now follows the location (no alias can keep an ARM name)",
            "- `too-short`: x",
            "### Fixed",
            "## [0.1.0]",
            UPGRADE_NOTES_HEADING,
            "- `old-release-note`: a note of an earlier release, which this upgrade does not explain",
        ].join("\n");
        assert.deepEqual([...upgradeNotes(changelog)], ["defender-dcr"]);
    });
});
