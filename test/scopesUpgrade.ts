/**
 * What a deployed stack of each example would hold, reduced to what decides "same resource or
 * replacement": every resource's URN, type and a digest of its inputs, with the aliases it
 * carries. `test/scopesUpgrade.spec.ts` compares the current tree with the snapshots recorded
 * from the tree before the scope components (test/fixtures/scopes/*.json).
 *
 * Record (only from a tree whose resources are the baseline):
 *   node -r ts-node/register/transpile-only test/scopesUpgrade.ts record
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { RecordedAlias, RecordedResource, RunOptions, runProgram } from "../sdk/preview/engine";
import { forgetProgram } from "../sdk/preview/cli";
import { loadProject } from "../sdk/preview/project";
import { PropertyValue, Secret, Unknown } from "../sdk/preview/values";
import { CASES } from "./scopesUpgradeCases";

const ROOT = path.resolve(__dirname, "..");

/** The example projects the upgrade check covers: the root project (examples/default) and every TypeScript examples/* folder. */
export const EXAMPLES: Array<{ label: string; dir: string }> = [
    { label: "default", dir: ROOT },
    ...["arc-gateway", "central-workspace", "private-link"].map((name) => ({ label: name, dir: path.join(ROOT, "examples", name) })),
];

/** Where the baseline snapshots live. */
export const FIXTURES = path.join(__dirname, "fixtures", "scopes");

/** One resource of a snapshot. */
export interface SnapshotResource {
    /** The URN the engine gave it. */
    urn: string;
    /** Type token. */
    type: string;
    /** sha256 of its inputs in canonical JSON (keys sorted, secrets and unknowns marked). */
    inputs: string;
    /** The aliases it carries (absent when none). */
    aliases?: RecordedAlias[];
}

/** JSON with sorted keys and explicit markers, so equal inputs give equal text whatever the key order. */
export function canonical(value: PropertyValue): string {
    if (value instanceof Secret) return `{"<secret>":${canonical(value.value)}}`;
    if (value instanceof Unknown) return `"<unknown>"`;
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        return `{${Object.keys(value)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(value);
}

function digest(resource: RecordedResource): string {
    return createHash("sha256").update(canonical(resource.inputs)).digest("hex");
}

/** Previews one example in this process, as the offline preview CLI does, and reduces it to a snapshot. */
export async function snapshotExample(dir: string): Promise<SnapshotResource[]> {
    const project = loadProject(dir);
    return snapshot(
        () => {
            // Another spec may have run this example in this process already: run it afresh, as the CLI does.
            forgetProgram(project.entry);
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const loaded = require(project.entry);
            return typeof loaded?.default === "function" ? loaded.default() : loaded;
        },
        { preview: true, project: project.name, stack: project.stack, config: project.config, secretConfigKeys: project.secretKeys },
    );
}

/** Previews a program under the mock engine and reduces it to a snapshot. */
export async function snapshot(program: () => unknown, options: RunOptions = { preview: true }): Promise<SnapshotResource[]> {
    const run = await runProgram(program, options);
    if (run.errors.length > 0) throw new Error(`the preview failed: ${run.errors.join("; ")}`);
    return run.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        inputs: digest(r),
        ...(r.aliases !== undefined ? { aliases: r.aliases } : {}),
    }));
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, split. */
function urnParts(urn: string): { prefix: string; qualifiedType: string; name: string } {
    const [, , stackAndProject] = urn.split(":", 3);
    const parts = urn.split("::");
    void stackAndProject;
    return { prefix: `${parts[0]}::${parts[1]}`, qualifiedType: parts[2], name: parts.slice(3).join("::") };
}

/**
 * The URNs an alias names, as the engine computes them: the resource's own parts, with the
 * alias's name, type or parent in their place (https://www.pulumi.com/docs/iac/concepts/options/aliases/).
 */
export function aliasUrn(resourceUrn: string, alias: RecordedAlias): string {
    if (alias.urn !== undefined) return alias.urn;
    const own = urnParts(resourceUrn);
    const ownType = own.qualifiedType.split("$").pop()!;
    const type = alias.type ?? ownType;
    const name = alias.name ?? own.name;
    if (alias.noParent === true) return `${own.prefix}::${type}::${name}`;
    const parentType =
        alias.parent !== undefined ? urnParts(alias.parent).qualifiedType : own.qualifiedType.split("$").slice(0, -1).join("$");
    return `${own.prefix}::${parentType === "" ? type : `${parentType}$${type}`}::${name}`;
}

/** What an upgrade from `before` to `after` would do, resource by resource. */
export interface UpgradeVerdict {
    /** Old URNs no new resource takes over (directly or by alias): the engine deletes them. */
    deleted: string[];
    /** New URNs that match no old resource: created. */
    created: string[];
    /** Resources kept (same URN or an alias) whose inputs changed: an update or a replacement, to be reviewed. */
    changed: Array<{ before: string; after: string }>;
    /** Resources kept through an alias. */
    aliased: Array<{ before: string; after: string }>;
    /** Resources kept with the same inputs. */
    same: number;
}

/** Matches every new resource to the old one it is, by URN or by one of its aliases. */
export function compareSnapshots(before: SnapshotResource[], after: SnapshotResource[]): UpgradeVerdict {
    const old = new Map(before.map((r) => [r.urn, r]));
    const taken = new Set<string>();
    const verdict: UpgradeVerdict = { deleted: [], created: [], changed: [], aliased: [], same: 0 };
    for (const r of after) {
        const candidates = [r.urn, ...(r.aliases ?? []).map((a) => aliasUrn(r.urn, a))];
        const match = candidates.find((urn) => old.has(urn) && !taken.has(urn));
        if (match === undefined) {
            verdict.created.push(r.urn);
            continue;
        }
        taken.add(match);
        if (match !== r.urn) verdict.aliased.push({ before: match, after: r.urn });
        if (old.get(match)!.inputs !== r.inputs || old.get(match)!.type !== r.type) verdict.changed.push({ before: match, after: r.urn });
        else verdict.same++;
    }
    verdict.deleted = before.filter((r) => !taken.has(r.urn)).map((r) => r.urn);
    return verdict;
}

async function record(): Promise<void> {
    fs.mkdirSync(FIXTURES, { recursive: true });
    for (const example of EXAMPLES) {
        const resources = await snapshotExample(example.dir);
        fs.writeFileSync(path.join(FIXTURES, `${example.label}.json`), `${JSON.stringify(resources, null, 1)}\n`);
        process.stdout.write(`${example.label}: ${resources.length} resources\n`);
    }
    for (const c of CASES) {
        const resources = await snapshot(c.program);
        fs.writeFileSync(path.join(FIXTURES, `case-${c.label}.json`), `${JSON.stringify(resources, null, 1)}\n`);
        process.stdout.write(`case ${c.label}: ${resources.length} resources\n`);
    }
}

if (require.main === module && process.argv[2] === "record") {
    record().catch((err) => {
        process.stderr.write(`${(err as Error).stack}\n`);
        process.exit(1);
    });
}
