/**
 * Review output of the offline preview: the Markdown PR comment at fleet scale, and `--compare`.
 */
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { compareReports, readReport, renderCompareMarkdown, renderCompareText } from "../sdk/preview/compare";
import { RecordedResource, runProgram, RunResult } from "../sdk/preview/engine";
import { COMMENT_LIMIT, renderMarkdown } from "../sdk/preview/markdown";
import { buildReport, PreviewReport } from "../sdk/preview/render";
import { fleetArgs } from "../bench/scenario";
import { mixedFleet } from "./fleet";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

async function previewOf(args: DefenderForServersNetworkRestrictedArgs): Promise<RunResult> {
    return runProgram(
        () => {
            new DefenderForServersNetworkRestricted("d", args);
        },
        { preview: true },
    );
}

const MACHINE_SUFFIX = /-m-(\d+)$/;

/**
 * A 1,000-machine run built from a real 10-machine run: every per-machine resource (named
 * `...-m-<i>`) of machine i % 10 is repeated for machine i under its own name, so the shape,
 * types and inputs are the component's own. (Running 1,000 machines under the mock engine
 * takes minutes of CPU; the renderer's cost is what this spec is about.)
 */
function scaled(run: RunResult, from: number, to: number): RunResult {
    const shared = run.resources.filter((r) => !MACHINE_SUFFIX.test(r.name));
    const perMachine = run.resources.filter((r) => MACHINE_SUFFIX.test(r.name));
    const copies: RecordedResource[] = [];
    for (let i = 0; i < to; i++) {
        for (const r of perMachine.filter((p) => Number(MACHINE_SUFFIX.exec(p.name)![1]) === i % from)) {
            const rename = (text: string) => text.replace(/-m-\d+$/, `-m-${i}`);
            copies.push({ ...r, name: rename(r.name), urn: rename(r.urn) });
        }
    }
    return { ...run, resources: [...shared, ...copies] };
}

function count(text: string, literal: string): number {
    return text.split(literal).length - 1;
}

describe("the offline preview's Markdown (--markdown)", function () {
    this.timeout(120000);
    let small: PreviewReport;
    let large: PreviewReport;

    before(async () => {
        const run = await previewOf(fleetArgs(10, "machines"));
        small = buildReport("fleet", "prod", run, []);
        large = buildReport("fleet", "prod", scaled(run, 10, 1000), []);
    });

    it("stays under GitHub's comment limit at 1,000 machines, and barely grows from 10", () => {
        assert.ok(large.resources.length > 4000, `only ${large.resources.length} resources`);
        const [md10, md1000] = [renderMarkdown(small), renderMarkdown(large)];
        assert.ok(md1000.length < COMMENT_LIMIT / 2, `${md1000.length} characters`);
        assert.ok(md1000.length - md10.length < 6000, `grew by ${md1000.length - md10.length} characters from 10 to 1,000 machines`);
        assert.ok(md1000.split("\n").length < 200, `${md1000.split("\n").length} lines`);
    });

    it("has the counts, warnings, a kinds table, the grouped tree folded, and the egress list", () => {
        const md = renderMarkdown(large);
        assert.match(md, /^## Offline preview: `fleet`, stack `prod`$/m);
        assert.match(
            md,
            new RegExp(`\\*\\*\\+ ${large.resources.length + 1} to create\\*\\* \\(${large.resources.length} resources and the stack\\)`),
        );
        assert.match(md, /^### Resources by kind$/m);
        // Every kind once in the table, with its count.
        for (const [type, n] of Object.entries(large.summary.byType)) {
            assert.equal(count(md, `| \`${type}\` | ${n} |`), 1, type);
        }
        assert.match(md, /\| `azure-native:compute:VirtualMachineExtension` \| 1000 \| default \/ from the environment \|/);
        assert.match(md, /├─ azure-native:compute:VirtualMachineExtension {2}× 1000/);
        assert.match(md, /, … and 970 more \(all in the JSON report\)/);
        assert.equal(count(md, "<details"), count(md, "</details>"), "every fold is closed");
        assert.match(
            md,
            /<details><summary>Resource tree \(siblings of one kind grouped\)<\/summary>\n\n```\n\+ pulumi:pulumi:Stack {2}fleet-prod/,
        );
        assert.match(md, /^### Egress of `d` \(\d+ endpoints\)$/m);
        assert.match(md, /^\| proxy \| `\*\.endpoint\.security\.microsoft\.com` \| 443 \| always \|/m);
        assert.doesNotMatch(md, /d-os-proxy-m-999/, "names past the cap are left to the JSON report");
    });

    it("lists warnings and errors, folding all but the first twenty", () => {
        const noisy = { ...small, warnings: Array.from({ length: 25 }, (_, i) => `warning ${i} | with a pipe`), errors: ["it broke"] };
        const md = renderMarkdown(noisy);
        assert.match(md, /^### Warnings \(25\)$/m);
        assert.match(md, /^- warning 19 \\\| with a pipe$/m);
        assert.match(md, /<details><summary>5 more<\/summary>\n\n- warning 20/);
        assert.match(md, /^### Errors \(the update would fail\) \(1\)\n\n- it broke$/m);
    });
});

describe("the offline preview's comparison (--compare base.json)", function () {
    this.timeout(120000);
    let base: PreviewReport;
    let head: PreviewReport;

    before(async () => {
        const fleet = mixedFleet();
        const machines = fleet.machines!;
        const baseArgs = { ...fleet, machines: machines.filter((m) => m.key !== "lnx-arc") };
        // The head adds lnx-arc, removes win-arc and widens the bypass list.
        const headArgs = {
            ...fleet,
            machines: machines.filter((m) => m.key !== "win-arc"),
            proxy: { ...fleet.proxy!, bypass: [".corp.example", "10.0.0.0/8"] },
        };
        // Through JSON, as the base branch's file arrives.
        base = JSON.parse(JSON.stringify(buildReport("app", "dev", await previewOf(baseArgs), [])));
        head = buildReport("app", "dev", await previewOf(headArgs), []);
    });

    it("shows the added machine's resources as added, the removed one's as removed, and what changed in the rest", () => {
        const c = compareReports(base, head);
        const added = c.added.map((r) => r.name);
        const removed = c.removed.map((r) => r.name);
        assert.ok(added.includes("d-os-proxy-lnx-arc") && added.includes("d-arc-agent-proxy-lnx-arc"), added.join(", "));
        assert.ok(removed.includes("d-os-proxy-win-arc") && removed.includes("d-arc-agent-proxy-win-arc"), removed.join(", "));
        assert.ok(added.every((n) => !n.endsWith("win-arc")) && removed.every((n) => !n.endsWith("lnx-arc")));
        const lnxVm = c.modified.find((m) => m.name === "d-os-proxy-lnx-vm");
        assert.ok(lnxVm !== undefined, `modified: ${c.modified.map((m) => m.name).join(", ")}`);
        assert.ok(lnxVm.changes.some((ch) => ch.path.startsWith("inputs.") && JSON.stringify(ch.after).includes("10.0.0.0/8")));
        assert.ok(c.unchanged > 0, "resources the change leaves alone are not reported");
        assert.equal(c.added.length + c.modified.length + c.unchanged, head.resources.length);
        assert.equal(c.removed.length + c.modified.length + c.unchanged, base.resources.length);
    });

    it("a preview compared with itself has no changes", () => {
        const c = compareReports(head, head);
        assert.deepEqual([c.added.length, c.removed.length, c.modified.length], [0, 0, 0]);
        assert.equal(c.unchanged, head.resources.length);
    });

    it("renders the diff as Markdown for the PR comment and as text", () => {
        const c = compareReports(base, head);
        const md = renderCompareMarkdown(c, head);
        assert.match(
            md,
            new RegExp(
                `\\*\\*\\+${c.added.length} to add, -${c.removed.length} to remove, >0 renamed, ~${c.modified.length} to modify, ${c.unchanged} unchanged\\*\\*`,
            ),
        );
        assert.match(md, /^### Added \(\d+\)$/m);
        // The added Linux Arc machine gets three run commands: OS proxy, Arc-agent proxy and its read-back step.
        assert.match(md, /^\| \+ \| `azure-native:hybridcompute:MachineRunCommand` \| 3 \| .*`d-os-proxy-lnx-arc`/m);
        assert.match(md, /^### Removed \(\d+\)$/m);
        assert.match(md, /^\| - \| `azure-native:hybridcompute:MachineRunCommand` \| 2 \| .*`d-os-proxy-win-arc`/m);
        assert.match(
            md,
            /<summary>~ <code>azure-native:compute:VirtualMachineRunCommandByVirtualMachine<\/code> × \d+: <code>inputs\.parameters\[[A-Za-z_]+\]\.value<\/code>/,
        );
        assert.equal(count(md, "<details"), count(md, "</details>"));
        assert.ok(md.length < COMMENT_LIMIT);
        const text = renderCompareText(c);
        assert.match(text, /^ {2}\+ azure-native:hybridcompute:MachineRunCommand d-os-proxy-lnx-arc$/m);
        assert.match(text, /^ {2}- azure-native:hybridcompute:MachineRunCommand d-os-proxy-win-arc$/m);
    });

    it("refuses a base that is not a preview report, or of another formatVersion, saying how to fix it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-compare-"));
        const file = path.join(dir, "base.json");
        fs.writeFileSync(file, JSON.stringify({ ...base, formatVersion: undefined }));
        assert.throws(() => readReport(file), /formatVersion undefined, this preview reads 1; regenerate the base/);
        fs.writeFileSync(file, "{}");
        assert.throws(() => readReport(file), /not a preview report; write one with defender-servers-preview --json/);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

describe("the comparison a reviewer can trust", function () {
    this.timeout(180000);
    const report = async (args: DefenderForServersNetworkRestrictedArgs): Promise<PreviewReport> =>
        JSON.parse(JSON.stringify(buildReport("app", "dev", await previewOf(args), [])));
    const withKey = (key: string, previousKey?: string): DefenderForServersNetworkRestrictedArgs => {
        const fleet = mixedFleet();
        return {
            ...fleet,
            machines: fleet.machines!.map((m) => (m.key === "lnx-arc" ? { ...m, key, ...(previousKey ? { previousKey } : {}) } : m)),
        };
    };

    it("shows a safe previousKey rename as renames (the engine's alias matching), an unsafe rename as adds and removes", async () => {
        const base = await report(withKey("old-key"));
        const safe = compareReports(base, await report(withKey("new-key", "old-key")));
        const unsafe = compareReports(base, await report(withKey("new-key")));
        const machineResources = base.resources.filter((r) => r.name.endsWith("-old-key")).length;
        assert.ok(machineResources >= 4, `${machineResources} resources for the machine`);
        assert.deepEqual([safe.added.length, safe.removed.length, safe.renamed.length], [0, 0, machineResources]);
        assert.deepEqual([unsafe.added.length, unsafe.removed.length, unsafe.renamed.length], [machineResources, machineResources, 0]);
        for (const r of safe.renamed) assert.equal(r.to.name, r.from.name.replace(/-old-key$/, "-new-key"));
        const text = renderCompareText(safe);
        assert.match(
            text,
            /^ {2}> azure-native:hybridcompute:MachineRunCommand d-os-proxy-old-key → d-os-proxy-new-key \(through an alias: state moves, nothing is replaced\)$/m,
        );
        const md = renderCompareMarkdown(safe, await report(withKey("new-key", "old-key")));
        assert.match(
            md,
            new RegExp(`^### Renamed through aliases \\(${machineResources}\\): state moves, nothing is created or deleted$`, "m"),
        );
        assert.doesNotMatch(md, /^### (Added|Removed)/m);
    });

    it("diffs a widened bypass list as the entry added, grouped once per kind of change instead of once per resource", async () => {
        const fleet = mixedFleet();
        const c = compareReports(
            await report(fleet),
            await report({ ...fleet, proxy: { ...fleet.proxy!, bypass: [".corp.example", "10.0.0.0/8"] } }),
        );
        assert.ok(c.modified.length >= 4, `${c.modified.length} modified`);
        assert.ok(c.groups.length < c.modified.length, `${c.groups.length} groups for ${c.modified.length} modified resources`);
        const listed = c.groups.filter((g) => g.change.added !== undefined);
        assert.ok(listed.length > 0, "no change diffed as list entries");
        // Linux takes the range as written; WinHTTP as a wildcard (10.*.*.*).
        for (const g of listed)
            assert.deepEqual(
                [g.change.added, g.change.removed],
                [[g.change.path.includes("PROXY_BYPASS") ? "10.0.0.0/8" : "10.*.*.*"], []],
                `${g.type} ${g.change.path}`,
            );
        const text = renderCompareText(c);
        assert.match(text, /^ {6}inputs\.parameters\[PROXY_BYPASS\]\.value: 1 added, 0 removed\n {10}\+ "10\.0\.0\.0\/8"$/m);
        // Each kind of change once: the text names every affected resource on one line, not one block per resource.
        for (const g of c.groups)
            assert.equal(text.split(`${g.change.path}:`).length - 1, c.groups.filter((o) => o.change.path === g.change.path).length);
    });

    it("diffs a changed script as a unified diff of its lines", () => {
        const resource = (script: string): PreviewReport["resources"][number] => ({
            urn: "urn:pulumi:dev::app::azure-native:hybridcompute:MachineRunCommand::d-os-proxy-m",
            type: "azure-native:hybridcompute:MachineRunCommand",
            name: "d-os-proxy-m",
            dependsOn: [],
            retainOnDelete: false,
            protect: false,
            provider: "default",
            inputs: { source: { script } },
        });
        const lines = Array.from({ length: 30 }, (_, i) => `echo step ${i}`);
        const changed = [...lines.slice(0, 10), "echo a new step", ...lines.slice(10, 20), ...lines.slice(21)];
        const shell = (resources: PreviewReport["resources"]): PreviewReport => ({
            formatVersion: 1,
            project: "app",
            stack: "dev",
            resources,
            warnings: [],
            errors: [],
            outputs: {},
            notes: [],
            egress: [],
            summary: { create: resources.length, byType: {} },
            mockedReads: [],
        });
        const c = compareReports(shell([resource(lines.join("\n"))]), shell([resource(changed.join("\n"))]));
        assert.deepEqual(c.groups[0].change.diff, [
            "  echo step 8",
            "  echo step 9",
            "+ echo a new step",
            "  echo step 10",
            "  echo step 11",
            "  …",
            "  echo step 18",
            "  echo step 19",
            "- echo step 20",
            "  echo step 21",
            "  echo step 22",
        ]);
    });

    it("reports a warning whose machine list changed as changed, naming the machines, not as new and gone", async () => {
        const fleet = mixedFleet();
        const extra = {
            key: "win-vm-2",
            kind: "azureVm" as const,
            os: "windows" as const,
            resourceGroupName: "rg-app",
            name: "win-vm-2",
            systemAssignedIdentity: true,
        };
        const base = await report(fleet);
        const head = await report({ ...fleet, machines: [...fleet.machines!, extra] });
        const before = base.warnings.filter((w) => !head.warnings.includes(w));
        assert.ok(before.length > 0, "the extra machine changed no warning; pick another fleet");
        const c = compareReports(base, head);
        assert.deepEqual(c.warnings.added, []);
        assert.deepEqual(c.warnings.removed, []);
        assert.equal(c.warnings.changed.length, before.length);
        for (const w of c.warnings.changed) assert.deepEqual([w.added, w.removed], [["win-vm-2"], []], w.after);
        assert.match(renderCompareText(c), /^ {2}~ warning: .*\n {6}now also: win-vm-2$/m);
    });
});
