/**
 * Property values as the engine sees them on the wire, decoded into plain data with explicit
 * markers for the two things a preview must never blur: secrets and unknown values.
 */
import * as pulumi from "@pulumi/pulumi";

/** A value the program marked secret. */
export class Secret {
    constructor(public readonly value: PropertyValue) {}
}

/** A value not known until the resources it comes from exist. */
export class Unknown {
    /** The single instance. */
    static readonly instance = new Unknown();
    private constructor() {}
}

/** A decoded property value. */
export type PropertyValue = null | boolean | number | string | Secret | Unknown | PropertyValue[] | PropertyMap;

/** A decoded map of properties. */
export interface PropertyMap {
    [key: string]: PropertyValue;
}

const SIG = pulumi.runtime.specialSigKey;

/** Decodes a serialized property map (as carried by a registration request). */
export function decodeProperties(raw: Record<string, unknown>): PropertyMap {
    const result: PropertyMap = {};
    for (const [key, value] of Object.entries(raw)) {
        if (value !== undefined) result[key] = decodeValue(value);
    }
    return result;
}

function decodeValue(raw: unknown): PropertyValue {
    if (raw === pulumi.runtime.unknownValue) return Unknown.instance;
    if (raw === null || raw === undefined) return null;
    if (Array.isArray(raw)) return raw.map(decodeValue);
    if (typeof raw !== "object") return raw as boolean | number | string;
    const object = raw as Record<string, unknown>;
    switch (object[SIG]) {
        case pulumi.runtime.specialSecretSig:
            return new Secret(decodeValue(object.value));
        case pulumi.runtime.specialResourceSig:
            // A reference to another resource: what matters to a reader is which one.
            return String(object.urn);
        case pulumi.runtime.specialOutputValueSig:
            if (!("value" in object)) return Unknown.instance;
            return object.secret === true ? new Secret(decodeValue(object.value)) : decodeValue(object.value);
        case undefined:
            return decodeProperties(object);
        default:
            return `[${String(object[SIG])}]`;
    }
}

/** How `toDisplay` renders the markers. */
export const SECRET_TEXT = "[secret]";
/** How `toDisplay` renders unknown values. */
export const UNKNOWN_TEXT = "[unknown]";

/** Plain JSON for people and machines: secrets become `[secret]`, unknowns `[unknown]`. */
export function toDisplay(value: PropertyValue): unknown {
    if (value instanceof Secret) return SECRET_TEXT;
    if (value instanceof Unknown) return UNKNOWN_TEXT;
    if (Array.isArray(value)) return value.map(toDisplay);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, entry] of Object.entries(value)) out[key] = toDisplay(entry);
        return out;
    }
    return value;
}

/** The same value with every secret opened: for tests that assert what Azure would receive. */
export function reveal(value: PropertyValue): unknown {
    if (value instanceof Secret) return reveal(value.value);
    if (value instanceof Unknown) return UNKNOWN_TEXT;
    if (Array.isArray(value)) return value.map(reveal);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, entry] of Object.entries(value)) out[key] = reveal(entry);
        return out;
    }
    return value;
}

/**
 * Paths at which `literal` appears outside any secret. An empty list means the literal only
 * ever travels inside secrets.
 */
export function plainOccurrences(value: PropertyValue, literal: string, path = ""): string[] {
    if (value instanceof Secret || value instanceof Unknown) return [];
    if (typeof value === "string") return value.includes(literal) ? [path] : [];
    if (Array.isArray(value)) return value.flatMap((entry, i) => plainOccurrences(entry, literal, `${path}[${i}]`));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, entry]) => plainOccurrences(entry, literal, path === "" ? key : `${path}.${key}`));
    }
    return [];
}
