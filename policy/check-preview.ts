/**
 * The policy pack's checks on the offline preview, for pull-request checks that have no Pulumi
 * CLI and no cloud credentials (forks):
 *
 *     npx defender-servers-preview <project dir> --stack <stack> --json > preview.json
 *     npx ts-node --transpile-only policy/check-preview.ts preview.json [--config policy-config.json]
 *
 * It runs the same policies, with the same enforcement levels, as
 * `pulumi preview --policy-pack policy`, on what the offline preview recorded: every resource's
 * inputs (standing in for the outputs a stack policy sees), its parent and what it waits for.
 * It sees less than the real thing: secrets are `[secret]`, values the engine would only know
 * from the cloud are `[unknown]` (a check that needs one is reported as advisory, as
 * `pulumi preview` does), long scripts are summarized, and nothing exists outside the program.
 *
 * Exit code: 0 without mandatory violations, 1 with some, 2 when the input cannot be read.
 */
import * as fs from "node:fs";
import type { EnforcementLevel, Policy } from "@pulumi/policy";
import { policies } from "./policies";
import type { Report, ResourceLike, StackLike, StackResourceLike } from "./rules";

/** The part of `defender-servers-preview --json` this reads. */
export interface PreviewJson {
    project: string;
    stack: string;
    resources: Array<{ type: string; name: string; parent?: string; dependsOn?: string[]; inputs: unknown }>;
}

/** One violation, or a check the offline preview could not run. */
export interface Finding {
    policy: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    /** Logical name of the resource in violation, when the check names one. */
    resource?: string;
}

/**
 * Policy configuration, as `pulumi preview --policy-pack-config` takes it: a level, or an object
 * with `enforcementLevel` and the policy's config properties, per policy or (level only) for `all`.
 */
export type PolicyConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** What the offline preview prints for a value only the cloud would know. */
const UNKNOWN = "[unknown]";

class UnknownInPreview extends Error {
    constructor(readonly path: string) {
        super(`${path} is unknown in the offline preview`);
    }
}

/** Like `@pulumi/policy`'s unknown-checking proxy: reading an `[unknown]` value throws. */
function unknownChecking(value: unknown, path: string): unknown {
    if (value === null || typeof value !== "object") return value;
    return new Proxy(value as object, {
        get(target, key, receiver) {
            const entry = Reflect.get(target, key, receiver);
            if (typeof key !== "string") return entry;
            if (entry === UNKNOWN) throw new UnknownInPreview(`${path}.${key}`);
            const descriptor = Object.getOwnPropertyDescriptor(target, key);
            if (descriptor !== undefined && descriptor.configurable === false && descriptor.writable === false) return entry;
            return unknownChecking(entry, `${path}.${key}`);
        },
    });
}

/** The preview's resources as the policies see a stack: URNs, parents and dependencies linked by logical name. */
export function stackFromPreview(preview: PreviewJson): StackLike {
    const urn = (type: string, name: string) => `urn:pulumi:${preview.stack}::${preview.project}::${type}::${name}`;
    const byName = new Map<string, StackResourceLike>();
    for (const r of preview.resources) {
        const props = (r.inputs !== null && typeof r.inputs === "object" ? r.inputs : {}) as Record<string, any>;
        byName.set(r.name, {
            type: r.type,
            name: r.name,
            urn: urn(r.type, r.name),
            props: unknownChecking(props, r.name) as Record<string, any>,
            dependencies: [],
            propertyDependencies: {},
        });
    }
    for (const r of preview.resources) {
        const self = byName.get(r.name)!;
        const parent = r.parent === undefined ? undefined : byName.get(r.parent);
        if (parent !== undefined) self.parent = { urn: parent.urn, type: parent.type, name: parent.name };
        self.dependencies = (r.dependsOn ?? []).flatMap((name) => byName.get(name) ?? []);
    }
    return { resources: [...byName.values()] };
}

function levelOf(policy: Policy, config: PolicyConfig): EnforcementLevel {
    const read = (entry: PolicyConfig[string] | undefined) => (typeof entry === "string" ? entry : entry?.enforcementLevel);
    return read(config[policy.name]) ?? read(config.all) ?? policy.enforcementLevel ?? "mandatory";
}

/** A policy's config properties, as `getConfig()` returns them to the pack: the object without its level. */
function propertiesOf(policy: Policy, config: PolicyConfig): object {
    const entry = config[policy.name];
    if (entry === undefined || typeof entry === "string") return {};
    const { enforcementLevel: _level, ...properties } = entry;
    return properties;
}

/** Runs every policy of the pack on the preview. */
export function checkPreview(preview: PreviewJson, config: PolicyConfig = {}): Finding[] {
    const stack = stackFromPreview(preview);
    const names = new Map(stack.resources.map((r) => [r.urn, r.name]));
    const findings: Finding[] = [];
    for (const policy of policies) {
        const enforcementLevel = levelOf(policy, config);
        if (enforcementLevel === "disabled") continue;
        // What the pack's validations read besides the resources: `args.getConfig()`.
        const properties = propertiesOf(policy, config);
        const getConfig = () => properties;
        const report: Report = (message, urn) => {
            const resource = urn === undefined ? undefined : names.get(urn);
            findings.push({ policy: policy.name, enforcementLevel, message, ...(resource === undefined ? {} : { resource }) });
        };
        const run = (check: () => void, resource?: string) => {
            try {
                check();
            } catch (e) {
                if (!(e instanceof UnknownInPreview)) throw e;
                findings.push({
                    policy: policy.name,
                    enforcementLevel: "advisory",
                    message: `can't run during the offline preview: ${e.message}`,
                    ...(resource === undefined ? {} : { resource }),
                });
            }
        };
        // The checks read only what `ResourceLike`/`StackLike` declare; the rest of the policy arguments is not built here.
        if ("validateStack" in policy) {
            const validate = policy.validateStack as unknown as (args: StackLike & { getConfig(): object }, report: Report) => void;
            run(() => validate({ ...stack, getConfig }, report));
        } else {
            const validations = [policy.validateResource ?? []].flat() as unknown as Array<
                (args: ResourceLike & { getConfig(): object }, report: Report) => void
            >;
            for (const resource of stack.resources) {
                for (const validate of validations)
                    run(() => validate({ ...resource, getConfig }, (message) => report(message, resource.urn)), resource.name);
            }
        }
    }
    return findings;
}

/** The command line; returns the exit code. */
export function main(argv: string[], print: (line: string) => void = console.log): number {
    const files: string[] = [];
    let configFile: string | undefined;
    let usage = false;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] !== "--config") files.push(argv[i]);
        else if (argv[i + 1] === undefined) usage = true;
        else configFile = argv[++i];
    }
    if (usage || files.length !== 1) {
        print("usage: check-preview <preview.json | -> [--config policy-config.json]");
        return 2;
    }
    let preview: PreviewJson;
    let config: PolicyConfig = {};
    try {
        preview = JSON.parse(fs.readFileSync(files[0] === "-" ? 0 : files[0], "utf8"));
        if (!Array.isArray(preview?.resources)) throw new Error("no `resources`: is it the output of defender-servers-preview --json?");
        if (configFile !== undefined) config = JSON.parse(fs.readFileSync(configFile, "utf8"));
    } catch (e) {
        print(`check-preview: ${(e as Error).message}`);
        return 2;
    }
    const findings = checkPreview(preview, config);
    for (const f of findings)
        print(`${f.enforcementLevel.padEnd(10)}${f.policy}${f.resource === undefined ? "" : ` (${f.resource})`}: ${f.message}`);
    const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory").length;
    print(
        `${preview.project}/${preview.stack}: ${mandatory} mandatory violation(s), ${findings.length - mandatory} other finding(s), ${policies.length} policies, offline`,
    );
    return mandatory > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
