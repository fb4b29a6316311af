/**
 * URNs as the Pulumi engine builds them (`resource.CreateURN` in pulumi/pulumi, and
 * `pulumi.createUrn` in @pulumi/pulumi): `urn:pulumi:<stack>::<project>::<qualified type>::<name>`,
 * where the qualified type is the parent's qualified type, `$`, then the resource's own type; a
 * child of the stack resource gets no prefix. test/engine.spec.ts compares with `pulumi.createUrn`.
 */

/** The stack resource's type: its children's URNs carry no parent type. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The parts of a URN. */
export interface UrnParts {
    /** Stack name. */
    stack: string;
    /** Project name. */
    project: string;
    /** The parent types and the type, joined by `$`. */
    qualifiedType: string;
    /** The resource's own type (the last of the qualified type). */
    type: string;
    /** Logical name (may itself contain `::`). */
    name: string;
}

/** Splits a URN; undefined when it is not one. */
export function parseUrn(urn: string): UrnParts | undefined {
    const match = /^urn:pulumi:(.+?)::(.+?)::(.+?)::(.*)$/s.exec(urn);
    if (match === null) return undefined;
    const [, stack, project, qualifiedType, name] = match;
    return { stack, project, qualifiedType, type: qualifiedType.split("$").pop()!, name };
}

/** The qualified type a child of `parentUrn` prefixes to its own type; "" for the stack or no parent. */
export function parentPrefix(parentUrn: string | undefined): string {
    if (parentUrn === undefined || parentUrn === "") return "";
    const parts = parseUrn(parentUrn);
    if (parts === undefined || parts.qualifiedType === ROOT_STACK_TYPE) return "";
    return `${parts.qualifiedType}$`;
}

/** The URN the engine gives a resource. */
export function createUrn(stack: string, project: string, type: string, name: string, parentUrn?: string): string {
    return `urn:pulumi:${stack}::${project}::${parentPrefix(parentUrn)}${type}::${name}`;
}
