/**
 * Azure names for policy mode: deterministic (the same program gives the same names on every
 * run and machine), short enough at every scope, and independent of the component name's length.
 *
 * Limits (azure-docs `includes/azure-policy-limits.md` and
 * `azure-resource-manager/management/resource-name-rules.md`, via azure-facts.md section 0): a
 * policy assignment name is at most 64 characters, 24 at management-group scope; a definition or
 * set definition name at most 64; a `Microsoft.Resources/deployments` name at most 64.
 * azure-native would otherwise make up `<logical name>-<8 random>`, which breaks both limits.
 */
import { createHash } from "node:crypto";

/** Hex SHA-256 of `parts` joined unambiguously, cut to `length` characters. */
export function shortHash(parts: unknown[], length: number): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, length);
}

/** Azure's limits on the names policy mode makes. */
export const NAME_LIMITS = {
    /** Assignment name at management-group scope (the tightest scope). */
    assignment: 24,
    /** Policy definition and policy set definition names. */
    definition: 64,
    /** `Microsoft.Resources/deployments` names, at every scope. */
    deployment: 64,
} as const;

/** A name too long for Azure: which field made it, the name, and the limit. */
export class NameTooLongError extends Error {
    constructor(
        readonly field: string,
        readonly azureName: string,
        readonly limit: number,
    ) {
        super(
            `${field}: makes the Azure name "${azureName}" ${azureName.length} characters long; Azure allows at most ${limit} here. Use a shorter value`,
        );
    }
}

/** Refuses a name over `limit`, naming the field it came from (checked before anything is registered). */
export function checkName(field: string, azureName: string, limit: number): string {
    if (azureName.length > limit) throw new NameTooLongError(field, azureName, limit);
    return azureName;
}

/**
 * A readable name within `limit`: `readable` itself when it fits, else its first characters and a
 * hash of all of it, so two long names that share a beginning stay apart.
 */
export function fitName(readable: string, limit: number): string {
    if (readable.length <= limit) return readable;
    const hash = shortHash([readable], 8);
    return `${readable.slice(0, limit - hash.length - 1).replace(/[-.]+$/, "")}-${hash}`;
}

/**
 * Whether azure-native's own name for a resource (`<logical name>-<7 random characters>`, a dash
 * and at most 8 more) stays within `limit`. Where it does, a name in a deployed stack is left as it
 * is: an explicit name would replace the resource on upgrade.
 */
export function autoNameFits(logicalName: string, limit: number = NAME_LIMITS.deployment): boolean {
    return logicalName.length + 9 <= limit;
}

/** The name of a deployment the component makes for `purpose` (e.g. `mde-integration`): readable, within 64. */
export function deploymentName(componentName: string, purpose: string): string {
    return fitName(`${componentName}-${purpose}`, NAME_LIMITS.deployment);
}

/**
 * Names for one assignment of a Microsoft built-in policy at `scopeId` (a subscription, resource
 * group or machine): the assignment within 24 characters (so any scope takes it), its remediation
 * task, and the role-assignment GUID, derived from what the role acts on (the scope) and for whom
 * (the assignment), so that a second instance or scope never takes over another's.
 */
export function builtInNames(
    componentName: string,
    key: string,
    scopeId: string,
): { assignment: string; remediation: string; role: (role: string) => string } {
    const instance = shortHash([componentName, key, scopeId.toLowerCase()], 12);
    const assignment = `dfs-bi-${instance}`;
    return {
        assignment,
        remediation: fitName(`dfs-${key}-${instance}`, NAME_LIMITS.definition),
        role: (role) => guidFrom(shortHash([assignment, role, scopeId.toLowerCase()], 32)),
    };
}

/** The names of one component instance's policy resources. */
export interface PolicyNames {
    /** Policy assignment (24 characters at most at every scope). */
    assignment: string;
    /** Policy set definition (the initiative). */
    initiative: string;
    /** A policy definition, by its key. */
    definition(key: string): string;
    /** A remediation task: changes with `content`, so a changed definition is remediated again. */
    remediation(key: string, content: unknown): string;
    /** A role assignment name (a GUID, as Azure requires), stable for the role and the scope it is granted at. */
    roleAssignment(role: string, at: string): string;
}

/**
 * Names for the instance `componentName` at `scopeId`: the instance hash keeps two components
 * in one scope (or one component at two scopes) apart without using the name's own length.
 */
export function policyNames(componentName: string, scopeId: string): PolicyNames {
    const instance = shortHash([componentName, scopeId.toLowerCase()], 12);
    return {
        // "dfs-" + 12 hex = 16 characters.
        assignment: `dfs-${instance}`,
        initiative: `dfs-initiative-${instance}`,
        definition: (key) => `dfs-${key}-${instance}`,
        remediation: (key, content) => `dfs-${key}-${instance.slice(0, 8)}-${shortHash([content], 8)}`,
        roleAssignment: (role, at) => guidFrom(shortHash([instance, role, at.toLowerCase()], 32)),
    };
}

/** A GUID-shaped string (version 4 layout bits set) from 32 hex digits. */
function guidFrom(hex: string): string {
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
