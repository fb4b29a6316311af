/**
 * How the engine finds the old resource a new registration continues: by its URN, then by each
 * alias turned into a URN, with the aliases of a parent that was itself found by alias
 * multiplied into its children's. This follows pulumi/pulumi pkg/resource/deploy/step_generator.go
 * (`collapseAliasToUrn`, `inheritedChildAlias`, `generateAliases`, `getOldResource`), and the
 * error texts are the engine's own (sdk/go/common/diag/errors.go, codes 2001 and neighbours).
 */
import { RecordedAlias } from "./engine";
import { PriorResource } from "./state";
import { createUrn, parseUrn, ROOT_STACK_TYPE } from "./urn";

/** A registration the engine refuses (duplicate URN, two resources claiming one old resource). */
export class DuplicateUrnError extends Error {}

/** Errors with the engine's wording. */
export const engineErrors = {
    duplicateUrn: (urn: string) => `Duplicate resource URN '${urn}'; try giving it a unique name`,
    duplicateAlias: (alias: string, urn: string, other: string) =>
        `Duplicate resource alias '${alias}' applied to resource with URN '${urn}' conflicting with resource with URN '${other}'`,
    duplicateAliased: (urn: string, other: string) =>
        `Duplicate resource URN '${urn}' conflicting with alias on resource with URN '${other}'`,
};

/** One registration as the alias logic needs it. */
export interface Registration {
    /** The URN the engine gives it. */
    urn: string;
    /** Logical name. */
    name: string;
    /** Type token. */
    type: string;
    /** Parent URN (the stack's for top-level resources). */
    parent?: string;
    /** Aliases as the SDK sent them. */
    aliases: RecordedAlias[];
}

/** What the engine decided for one registration. */
export interface Match {
    /** The old resource it continues, if any. */
    old?: PriorResource;
    /** The alias URN through which it was found (absent when found by its own URN). */
    via?: string;
}

/** The engine's alias and duplicate bookkeeping over one deployment. */
export class AliasMatcher {
    /** New URN → the old URN it was found by (`sg.aliases`). */
    private readonly aliasOf = new Map<string, string>();
    /** Old URN → the new URN that claimed it (`sg.aliased`). */
    private readonly claimedBy = new Map<string, string>();
    /** URNs registered so far (`sg.urns`). */
    private readonly seen = new Set<string>();

    constructor(
        private readonly stack: string,
        private readonly project: string,
        private readonly olds: Map<string, PriorResource> = new Map(),
    ) {}

    /** The URN an alias stands for (`collapseAliasToUrn`). */
    aliasUrn(r: Registration, alias: RecordedAlias): string {
        if (alias.urn !== undefined) return alias.urn;
        let parent = alias.parent;
        if (parent === undefined || parent === "") parent = r.parent;
        else parent = this.aliasOf.get(parent) ?? parent;
        const parentIsStack = parent !== undefined && parseUrn(parent)?.qualifiedType === ROOT_STACK_TYPE;
        if (alias.noParent === true || parentIsStack) parent = undefined;
        return createUrn(alias.stack ?? this.stack, alias.project ?? this.project, alias.type ?? r.type, alias.name ?? r.name, parent);
    }

    /** A child's alias under its parent's old URN (`inheritedChildAlias`): a name prefixed with the parent's follows the parent's old name. */
    private inherited(type: string, name: string, parentName: string, parentAlias: string): string {
        const old = parseUrn(parentAlias)!;
        const aliasName = name.startsWith(parentName) ? old.name + name.slice(parentName.length) : name;
        return `urn:pulumi:${this.stack}::${this.project}::${old.qualifiedType}$${type}::${aliasName}`;
    }

    /** Every URN the resource may have had (`generateAliases`), in the engine's order. */
    aliasUrns(r: Registration): string[] {
        const result: string[] = [];
        const add = (urn: string) => {
            if (!result.includes(urn)) result.push(urn);
        };
        for (const alias of r.aliases) add(this.aliasUrn(r, alias));
        const parentAlias = r.parent === undefined ? undefined : this.aliasOf.get(r.parent);
        if (r.parent !== undefined && parentAlias !== undefined) {
            const parentName = parseUrn(r.parent)!.name;
            add(this.inherited(r.type, r.name, parentName, parentAlias));
            for (const alias of r.aliases) {
                const child = parseUrn(this.aliasUrn(r, alias))!;
                add(this.inherited(child.type, child.name, parentName, parentAlias));
            }
        }
        return result;
    }

    /**
     * Registers `r`: refuses a URN seen before, finds its old resource by URN then by alias
     * (`getOldResource`), and refuses two resources claiming one old resource.
     */
    register(r: Registration): Match {
        if (this.seen.has(r.urn)) throw new DuplicateUrnError(engineErrors.duplicateUrn(r.urn));
        const earlier = this.claimedBy.get(r.urn);
        if (earlier !== undefined) throw new DuplicateUrnError(engineErrors.duplicateAliased(r.urn, earlier));
        this.seen.add(r.urn);
        const aliases = this.aliasUrns(r);
        for (const candidate of [r.urn, ...aliases]) {
            const old = this.olds.get(candidate);
            if (old === undefined) continue;
            if (candidate === r.urn) return { old };
            if (this.seen.has(candidate)) throw new DuplicateUrnError(engineErrors.duplicateAlias(candidate, r.urn, r.urn));
            const other = this.claimedBy.get(candidate);
            if (other !== undefined) throw new DuplicateUrnError(engineErrors.duplicateAlias(candidate, r.urn, other));
            this.claimedBy.set(candidate, r.urn);
            this.aliasOf.set(r.urn, candidate);
            return { old, via: candidate };
        }
        return {};
    }

    /** Old URNs some new resource continues (by URN or alias). */
    continued(): Set<string> {
        return new Set([...this.seen, ...this.claimedBy.keys()]);
    }
}
