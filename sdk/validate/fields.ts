/**
 * Small readers for plain fields. The args may come from TypeScript, but also from YAML
 * or another language through the component provider, where the type checker never ran:
 * every reader checks the runtime type and names the field when it is wrong.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProblemList } from "./problems";

/** A GUID in its usual 8-4-4-4-12 form (subscription, tenant and workspace ids). */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A plain object read from the args, or undefined when absent. */
export type Fields = Record<string, unknown>;

/** Names a value in a message: a string quoted, anything else by its kind. Never throws (a BigInt, a cycle). */
export function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "string") return JSON.stringify(value);
    return `a ${typeof value}`;
}

/** True when the value is a plain object (not a list, not null). */
export function isObject(value: unknown): value is Fields {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for what an `Input<string>` can be: a string, an Output, or a promise. */
export function isInput(value: unknown): boolean {
    return typeof value === "string" || pulumi.Output.isInstance(value) || (isObject(value) && typeof value.then === "function");
}

/** Reads an optional `Input<string>`: undefined when absent or empty; anything else than a string, an Output or a promise is reported. */
export function readInput(problems: ProblemList, value: unknown, path: string, what: string): pulumi.Input<string> | undefined {
    if (value === undefined || value === "") return undefined;
    if (!isInput(value)) {
        problems.error(path, `expected a string or an Output of one (${what}), got ${describe(value)}`);
        return undefined;
    }
    return value as pulumi.Input<string>;
}

/** Reads an optional nested object; reports anything that is not an object. */
export function readObject(problems: ProblemList, value: unknown, path: string): Fields | undefined {
    if (value === undefined) return undefined;
    // Settings are plain objects, as every language sends them; a Map or a Date would read as empty.
    const prototype = isObject(value) ? Object.getPrototypeOf(value) : undefined;
    if (!isObject(value) || (prototype !== Object.prototype && prototype !== null)) {
        problems.error(path, `expected an object, got ${describe(value)}`);
        return undefined;
    }
    return value;
}

/** Reads an optional boolean, falling back to `fallback` when absent. */
export function readBoolean(problems: ProblemList, value: unknown, path: string, fallback: boolean): boolean;
export function readBoolean(problems: ProblemList, value: unknown, path: string): boolean | undefined;
export function readBoolean(problems: ProblemList, value: unknown, path: string, fallback?: boolean): boolean | undefined {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
        problems.error(path, `expected true or false, got ${describe(value)}`);
        return fallback;
    }
    return value;
}

/** Reads a string that must be present and non-blank. */
export function readRequiredString(problems: ProblemList, value: unknown, path: string, hint: string): string | undefined {
    if (value === undefined || value === null || value === "") {
        problems.error(path, `is required; ${hint}`);
        return undefined;
    }
    if (typeof value !== "string") {
        problems.error(path, `expected a string, got ${describe(value)}; ${hint}`);
        return undefined;
    }
    return value;
}

/** Reads an optional string that must be one of `allowed`; suggests the intended value on a case slip. */
export function readChoice<T extends string>(problems: ProblemList, value: unknown, path: string, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    const found = allowed.find((a) => a === value);
    if (found !== undefined) return found;
    const sameLetters = typeof value === "string" ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
    const hint = sameLetters !== undefined ? `did you mean "${sameLetters}"?` : `use one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
    problems.error(path, `${describe(value)} is not allowed; ${hint}`);
    return fallback;
}

/** Reads an optional map of string to string. */
export function readStringMap(problems: ProblemList, value: unknown, path: string): Record<string, string> {
    if (value === undefined) return {};
    if (!isObject(value)) {
        problems.error(path, `expected a map of tag name to value, got ${describe(value)}`);
        return {};
    }
    const result: Record<string, string> = {};
    for (const [key, entry] of Object.entries(value)) {
        if (typeof entry !== "string") {
            problems.error(`${path}.${key}`, `expected a string value, got ${describe(entry)}`);
            continue;
        }
        result[key] = entry;
    }
    return result;
}

/**
 * Reports keys the component does not know. TypeScript catches these at compile time; YAML
 * and other languages would otherwise drop a misspelt field silently.
 */
export function rejectUnknownKeys(problems: ProblemList, fields: Fields, path: string, known: readonly string[]): void {
    for (const key of Object.keys(fields)) {
        if (known.includes(key) || fields[key] === undefined) continue;
        const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
        const hint = near !== undefined ? `did you mean "${near}"?` : `known fields: ${known.join(", ")}`;
        // A blank key would make a blank path: quote it.
        const shown = key.trim() === "" ? JSON.stringify(key) : key;
        problems.error(path === "" ? shown : `${path}.${shown}`, `is not a known field; ${hint}`);
    }
}
