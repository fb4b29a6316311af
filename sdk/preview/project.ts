/**
 * Reads a Pulumi project the way the CLI does: `Pulumi.yaml` for the program and
 * `Pulumi.<stack>.yaml` (in `stackConfigDir` when set) for the stack's configuration, over the
 * project-level config and defaults of `Pulumi.yaml`.
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
    /** The stack file that was read. */
    stackFile: string;
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

/** The stack files in `dir`, by stack name. */
function stackFilesIn(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined);
}

function chooseStack(dir: string, requested: string | undefined): string {
    if (requested !== undefined) return requested;
    const stacks = stackFilesIn(dir);
    if (stacks.length === 1) return stacks[0];
    if (stacks.length === 0)
        throw new ProjectError(`no stack file (Pulumi.<stack>.yaml) in ${dir}; create one (pulumi stack init dev) or pass --stack NAME`);
    throw new ProjectError(`several stacks in ${dir} (${stacks.join(", ")}); choose one with --stack NAME`);
}

/** A config key as the runtime takes it: keys without a namespace belong to the project. */
function qualified(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** The CLI hands structured values to the program as JSON text. */
function configText(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Project-level config from `Pulumi.yaml`'s `config:` section: a declared key's `default`, or a
 * value (`key: value`, `key: { value: ... }`) that applies to every stack. A stack's own value wins.
 * https://www.pulumi.com/docs/iac/concepts/projects/project-file/#config-options
 */
function projectConfig(projectFile: string, name: string, section: unknown): Record<string, string> {
    if (section === undefined || section === null) return {};
    if (typeof section !== "object" || Array.isArray(section)) throw new ProjectError(`${projectFile}: config must be a mapping`);
    const config: Record<string, string> = {};
    for (const [key, declared] of Object.entries(section as Record<string, unknown>)) {
        const isDeclaration = declared !== null && typeof declared === "object" && !Array.isArray(declared);
        const value = isDeclaration
            ? ((declared as Record<string, unknown>).value ?? (declared as Record<string, unknown>).default)
            : declared;
        if (value !== undefined && value !== null) config[qualified(name, key)] = configText(value);
    }
    return config;
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
    if (project.stackConfigDir !== undefined && typeof project.stackConfigDir !== "string")
        throw new ProjectError(`${projectFile}: stackConfigDir must be a folder path`);
    // `stackConfigDir` moves the stack files, relative to the project folder.
    const stackDir = path.resolve(dir, (project.stackConfigDir as string | undefined) ?? ".");

    const stack = chooseStack(stackDir, requestedStack);
    const notes: string[] = [];
    const config = projectConfig(projectFile, name, project.config);
    const secretKeys: string[] = [];
    const stackFile = [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`].map((f) => path.join(stackDir, f)).find((f) => fs.existsSync(f));
    if (stackFile === undefined) {
        const others = stackFilesIn(stackDir);
        throw new ProjectError(
            `no stack file for stack "${stack}": ${path.join(stackDir, `Pulumi.${stack}.yaml`)} does not exist` +
                (others.length > 0 ? ` (stacks there: ${others.join(", ")})` : "") +
                `; create it with \`pulumi stack init ${stack}\` and \`pulumi config set\`, or pass --stack with one that exists`,
        );
    }
    const values = readYaml(stackFile).config ?? {};
    if (typeof values !== "object" || values === null || Array.isArray(values))
        throw new ProjectError(`${stackFile}: config must be a mapping`);
    for (const [rawKey, value] of Object.entries(values as Record<string, unknown>)) {
        const key = qualified(name, rawKey);
        if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
            // Encrypted with the stack's key, which only the CLI can open: stand in a marked placeholder.
            config[key] = "offline-preview-placeholder";
            secretKeys.push(key);
            notes.push(`${key} is encrypted; the offline preview uses a placeholder, kept secret`);
        } else {
            config[key] = configText(value);
        }
    }
    return { name, stack, entry, config, secretKeys, notes, stackFile };
}
