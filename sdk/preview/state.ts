/**
 * `--state FILE`: the stack as deployed, from `pulumi stack export` (an untyped deployment of
 * version 3: `{ version: 3, deployment: { manifest, secrets_providers, resources: [ResourceV3] } }`,
 * pulumi/pulumi sdk/go/common/apitype/core.go). Only what a preview needs is kept: each
 * resource's URN, type, inputs, outputs, id, parent, provider and aliases.
 */
import * as fs from "node:fs";
import { ProjectError } from "./project";
import { parseUrn, ROOT_STACK_TYPE } from "./urn";
import { PropertyMap, PropertyValue, Secret, Unknown } from "./values";

/** The deployment format this preview reads (`apitype.DeploymentSchemaVersionCurrent`). */
export const DEPLOYMENT_VERSION = 3;

/** The signature key of a secret in a deployment (`apitype.SecretV1`), and its value. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** One resource of the deployed stack. */
export interface PriorResource {
    /** Its URN. */
    urn: string;
    /** Type token. */
    type: string;
    /** Whether a provider manages it (false for components and the stack). */
    custom: boolean;
    /** Provider-assigned id (custom resources). */
    id?: string;
    /** Inputs the provider received, secrets as `Secret` (an undecryptable one holds `Unknown`). */
    inputs: PropertyMap;
    /** Outputs the provider returned, in the deployment's JSON form (secrets still marked). */
    outputs: Record<string, unknown>;
    /** Parent URN. */
    parent?: string;
    /** Provider reference (`<urn>::<id>`). */
    provider?: string;
    /** Whether deletion is blocked. */
    protect: boolean;
    /** Whether a delete leaves it in the cloud. */
    retainOnDelete: boolean;
}

/** The deployed stack. */
export interface PriorState {
    /** Resources by URN (pending deletions left out: the engine deletes them first). */
    byUrn: Map<string, PriorResource>;
    /** Stack and project named by the resources' URNs. */
    stack?: string;
    project?: string;
    /** Where it was read from. */
    file: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A secret in a deployment: plaintext with `--show-secrets`, otherwise ciphertext only the CLI can open. */
function decodeSecret(value: Record<string, unknown>): Secret {
    if (typeof value.plaintext === "string") {
        try {
            return new Secret(decodeStateValue(JSON.parse(value.plaintext)));
        } catch {
            return new Secret(value.plaintext);
        }
    }
    return new Secret(Unknown.instance);
}

/** Decodes one property value of a deployment. */
export function decodeStateValue(value: unknown): PropertyValue {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.map(decodeStateValue);
    if (isObject(value)) {
        if (value[SECRET_SIG_KEY] === SECRET_SIG) return decodeSecret(value);
        const out: PropertyMap = {};
        for (const [k, v] of Object.entries(value)) out[k] = decodeStateValue(v);
        return out;
    }
    return value as string | number | boolean;
}

function fail(file: string, what: string): never {
    throw new ProjectError(`--state ${file}: ${what}`);
}

/** Parses an export already read; `file` names it in errors. */
export function parseState(parsed: unknown, file: string): PriorState {
    if (!isObject(parsed) || !("deployment" in parsed))
        fail(file, "not the output of `pulumi stack export` (no `deployment`); write one with pulumi stack export --file state.json");
    if (parsed.version !== DEPLOYMENT_VERSION)
        fail(
            file,
            `deployment version ${JSON.stringify(parsed.version)}, this preview reads version ${DEPLOYMENT_VERSION} (what pulumi stack export writes since Pulumi 1.0); export it again with a current Pulumi CLI`,
        );
    const deployment = parsed.deployment;
    if (!isObject(deployment)) fail(file, "`deployment` is not an object");
    const list = deployment.resources ?? [];
    if (!Array.isArray(list)) fail(file, "`deployment.resources` is not a list");
    const byUrn = new Map<string, PriorResource>();
    let stack: string | undefined;
    let project: string | undefined;
    list.forEach((raw, i) => {
        if (!isObject(raw) || typeof raw.urn !== "string" || typeof raw.type !== "string") fail(file, `resources[${i}] has no urn or type`);
        const parts = parseUrn(raw.urn);
        if (parts === undefined) fail(file, `resources[${i}].urn ${JSON.stringify(raw.urn)} is not a URN`);
        if (raw.delete === true) return;
        if (parts.type === ROOT_STACK_TYPE) [stack, project] = [parts.stack, parts.project];
        byUrn.set(raw.urn, {
            urn: raw.urn,
            type: raw.type,
            custom: raw.custom === true,
            ...(typeof raw.id === "string" && raw.id !== "" ? { id: raw.id } : {}),
            inputs: (decodeStateValue(raw.inputs ?? {}) ?? {}) as PropertyMap,
            outputs: isObject(raw.outputs) ? raw.outputs : {},
            ...(typeof raw.parent === "string" && raw.parent !== "" ? { parent: raw.parent } : {}),
            ...(typeof raw.provider === "string" && raw.provider !== "" ? { provider: raw.provider } : {}),
            protect: raw.protect === true,
            retainOnDelete: raw.retainOnDelete === true,
        });
    });
    return { byUrn, stack, project, file };
}

/** Reads `pulumi stack export` output from `file`, refusing anything else with the fix. */
export function readState(file: string): PriorState {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        fail(file, `cannot read it as JSON (${(err as Error).message})`);
    }
    return parseState(parsed, file);
}

/** Whether a state resource is one the engine makes itself (the stack, default providers): never planned for deletion by the program. */
export function isEngineOwned(r: PriorResource): boolean {
    if (r.type === ROOT_STACK_TYPE) return true;
    return r.type.startsWith("pulumi:providers:") && (parseUrn(r.urn)?.name.startsWith("default") ?? false);
}

/**
 * A decoded value in a deployment's JSON form, the inverse of `decodeStateValue`: a secret as
 * `pulumi stack export` writes it without `--show-secrets` (ciphertext only the stack's secrets
 * provider opens; `ciphertext` stands in for it). For fixtures and specs.
 */
export function encodeStateValue(value: PropertyValue, ciphertext = "offline-fixture-ciphertext"): unknown {
    if (value instanceof Secret) return { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext };
    if (value instanceof Unknown) return null;
    if (Array.isArray(value)) return value.map((v) => encodeStateValue(v, ciphertext));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeStateValue(v, ciphertext)]));
    }
    return value;
}
