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
        assert.match(md, new RegExp(`\\*\\*\\+ ${large.resources.length + 1} to create\\*\\* \\(${large.resources.length} resources and the stack\\)`));
        assert.match(md, /^### Resources by kind$/m);
        // Every kind once in the table, with its count.
        for (const [type, n] of Object.entries(large.summary.byType)) {
            assert.equal(count(md, `| \`${type}\` | ${n} |`), 1, type);
        }
        assert.match(md, /\| `azure-native:compute:VirtualMachineExtension` \| 1000 \| default \/ from the environment \|/);
        assert.match(md, /├─ azure-native:compute:VirtualMachineExtension {2}× 1000/);
        assert.match(md, /, … and 970 more \(all in the JSON report\)/);
        assert.equal(count(md, "<details"), count(md, "</details>"), "every fold is closed");
        assert.match(md, /<details><summary>Resource tree \(siblings of one kind grouped\)<\/summary>\n\n```\n\+ pulumi:pulumi:Stack {2}fleet-prod/);
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
        assert.match(md, new RegExp(`\\*\\*\\+${c.added.length} to add, -${c.removed.length} to remove, ~${c.modified.length} to modify, ${c.unchanged} unchanged\\*\\*`));
        assert.match(md, /^### Added \(\d+\)$/m);
        // The added Linux Arc machine gets three run commands: OS proxy, Arc-agent proxy and its read-back step.
        assert.match(md, /^\| \+ \| `azure-native:hybridcompute:MachineRunCommand` \| 3 \| .*`d-os-proxy-lnx-arc`/m);
        assert.match(md, /^### Removed \(\d+\)$/m);
        assert.match(md, /^\| - \| `azure-native:hybridcompute:MachineRunCommand` \| 2 \| .*`d-os-proxy-win-arc`/m);
        assert.match(md, /<summary>~ <code>azure-native:compute:VirtualMachineRunCommandByVirtualMachine<\/code> <code>d-os-proxy-lnx-vm<\/code>/);
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
