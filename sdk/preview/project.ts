/**
 * Reads a Pulumi project the way the CLI does: `Pulumi.yaml` for the program and
 * `Pulumi.<stack>.yaml` for the stack's configuration.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** A project ready to run under the mock engine. */
export interface LoadedProject {
    /** `name` from Pulumi.yaml. */
    name: string;
    /** The stack whose config was read. */
    stack: string;
    /** Absolute path of the program's entry (file or folder) to `require`. */
    entry: string;
    /** Config as the runtime takes it: `project:key` to string. */
    config: Record<string, string>;
    /** Config keys whose values are secrets. */
    secretKeys: string[];
    /** Things the user should know about how the config was read. */
    notes: string[];
}

/** Raised for a project that cannot be read; the message says what to fix. */
export class ProjectError extends Error {}

function readYaml(file: string): Record<string, unknown> {
    let parsed: unknown;
    try {
        parsed = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ProjectError(`${file}: ${(err as Error).message}`);
    }
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== "object" || Array.isArray(parsed)) throw new ProjectError(`${file}: expected a YAML mapping at the top`);
    return parsed as Record<string, unknown>;
}

function chooseStack(dir: string, requested: string | undefined): string {
    if (requested !== undefined) return requested;
    const stacks = fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined);
    if (stacks.length === 1) return stacks[0];
    if (stacks.length === 0) return "dev";
    throw new ProjectError(`several stacks in ${dir} (${stacks.join(", ")}); choose one with --stack NAME`);
}

/** Loads the project in `dir` with the config of `stack` (or of the only stack there is). */
export function loadProject(dir: string, requestedStack?: string): LoadedProject {
    const projectFile = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (projectFile === undefined)
        throw new ProjectError(`no Pulumi.yaml in ${path.resolve(dir)}; run from a Pulumi project or pass its folder`);
    const project = readYaml(projectFile);
    const name = typeof project.name === "string" ? project.name : undefined;
    if (name === undefined) throw new ProjectError(`${projectFile}: has no name`);
    const runtime =
        typeof project.runtime === "object" && project.runtime !== null ? (project.runtime as { name?: unknown }).name : project.runtime;
    if (runtime !== "nodejs")
        throw new ProjectError(`${projectFile}: runtime is ${JSON.stringify(runtime)}; the offline preview runs nodejs programs only`);
    const entry = path.resolve(dir, typeof project.main === "string" ? project.main : ".");

    const stack = chooseStack(dir, requestedStack);
    const notes: string[] = [];
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const stackFile = [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (stackFile === undefined) {
        notes.push(`no Pulumi.${stack}.yaml: running with no stack config`);
    } else {
        const values = readYaml(stackFile).config ?? {};
        if (typeof values !== "object" || values === null || Array.isArray(values))
            throw new ProjectError(`${stackFile}: config must be a mapping`);
        for (const [rawKey, value] of Object.entries(values as Record<string, unknown>)) {
            const key = rawKey.includes(":") ? rawKey : `${name}:${rawKey}`;
            if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
                // Encrypted with the stack's key, which only the CLI can open: stand in a marked placeholder.
                config[key] = "offline-preview-placeholder";
                secretKeys.push(key);
                notes.push(`${key} is encrypted; the offline preview uses a placeholder, kept secret`);
            } else {
                // The CLI hands structured values to the program as JSON text.
                config[key] = typeof value === "string" ? value : JSON.stringify(value);
            }
        }
    }
    return { name, stack, entry, config, secretKeys, notes };
}
