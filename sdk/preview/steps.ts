/**
 * What `pulumi preview` of an existing stack plans for each resource: `same`, `update` (with the
 * changed inputs), `replace` (with the input that forces it), `create` or `delete`. The old
 * resource comes from the engine's URN and alias matching (aliases.ts); which inputs force a
 * replacement from replaceRules.ts.
 */
import { replaceKeys } from "./replaceRules";
import { PropertyMap, PropertyValue, Secret, Unknown } from "./values";

/** The planned operation, in `pulumi preview`'s own terms. */
export type StepOp = "same" | "update" | "replace" | "create" | "delete";

/** One changed top-level input. */
export interface InputChange {
    /** The input's name. */
    key: string;
    /** Whether the change forces a replacement. */
    replaces: boolean;
    /** Whether the new value is only known once other resources exist (the engine shows it as `[unknown]`). */
    unknown: boolean;
}

/**
 * Whether the deployed value `a` and the new value `b` are the same as far as a preview can
 * tell: `undefined` when the new value is unknown. A deployed secret whose ciphertext cannot be
 * opened offline is taken as unchanged when the new value is a secret too (docs/offline-preview.md).
 */
export function sameValue(a: PropertyValue | undefined, b: PropertyValue | undefined): boolean | undefined {
    if (b instanceof Unknown) return undefined;
    if (a instanceof Secret || b instanceof Secret) {
        if (!(a instanceof Secret && b instanceof Secret)) return false;
        if (a.value instanceof Unknown) return true;
        return sameValue(a.value, b.value);
    }
    if (a instanceof Unknown) return false;
    if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
    if (Array.isArray(a) || Array.isArray(b)) {
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
        return all(a.map((x, i) => sameValue(x, b[i])));
    }
    if (typeof a === "object" || typeof b === "object") {
        if (typeof a !== "object" || typeof b !== "object") return false;
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return all([...keys].map((k) => sameValue((a as PropertyMap)[k], (b as PropertyMap)[k])));
    }
    return a === b;
}

/** false if any is false, else undefined if any is undefined, else true. */
function all(results: Array<boolean | undefined>): boolean | undefined {
    if (results.includes(false)) return false;
    return results.includes(undefined) ? undefined : true;
}

/** The new registration, as far as the diff needs it. */
export interface Goal {
    /** Type token. */
    type: string;
    /** The new inputs. */
    inputs: PropertyMap;
    /** `ignoreChanges`: top-level inputs (or `*`) whose changes are ignored. */
    ignoreChanges?: string[];
    /** `replaceOnChanges`: top-level inputs (or `*`) whose changes force a replacement. */
    replaceOnChanges?: string[];
}

/** Whether an option's list names `key` (the input itself, `*`, or a path inside it for replaceOnChanges). */
function names(list: string[] | undefined, key: string, nested: boolean): boolean {
    return (list ?? []).some((p) => p === "*" || p === key || (nested && (p.startsWith(`${key}.`) || p.startsWith(`${key}[`))));
}

/**
 * The changed inputs between the deployed resource and the new registration, top-level keys in
 * the engine's order. An input equal on both sides is no change; a new value that is unknown
 * counts as a change (the engine plans one and shows `[unknown]`); see `sameValue` for secrets.
 * `ignoreChanges` drops an input's change (top-level names; a nested path is not applied, see
 * docs/offline-preview.md); `replaceOnChanges` makes any change inside the named input a replacement.
 */
export function inputChanges(goal: Goal, oldInputs: PropertyMap): InputChange[] {
    const forcing = new Set(replaceKeys(goal.type));
    const changes: InputChange[] = [];
    for (const key of new Set([...Object.keys(oldInputs), ...Object.keys(goal.inputs)])) {
        if (names(goal.ignoreChanges, key, false)) continue;
        const same = sameValue(oldInputs[key], goal.inputs[key]);
        if (same === true) continue;
        changes.push({ key, replaces: forcing.has(key) || names(goal.replaceOnChanges, key, true), unknown: same === undefined });
    }
    return changes;
}

/** The operation for a resource with an old state (`same`, `update` or `replace`). */
export function opFor(changes: InputChange[]): StepOp {
    if (changes.length === 0) return "same";
    return changes.some((c) => c.replaces) ? "replace" : "update";
}
