/**
 * The preview report: a mock-engine run reshaped for people and machines. Its JSON form is
 * versioned (`formatVersion`) and documented in docs/offline-preview.md ("The offline preview, for your
 * own programs"): the policy pack's offline check and `--compare` read it.
 */
import { InvokeRecord, RecordedAlias, RecordedResource, RunResult } from "./engine";
import { isEngineOwned } from "./state";
import { inputChanges, opFor, StepOp } from "./steps";
import { parseUrn } from "./urn";
import { PropertyMap, PropertyValue, toDisplay } from "./values";

/**
 * Version of the JSON format. Bump it when a field changes meaning or goes away; adding a
 * field keeps it. 1: the first versioned format (resources with urn, provider, subscriptionId);
 * later additions: `op`, `changes`, `aliasOf`, `deletes` and `summary.steps` with `--state`, `mockedReads`.
 */
export const FORMAT_VERSION = 1;

/** One resource as the preview shows it. */
export interface ReportResource {
    /** The URN the engine gave it (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`). */
    urn: string;
    /** Type token. */
    type: string;
    /** Logical name. */
    name: string;
    /** Logical name of the parent, when it has one. */
    parent?: string;
    /** Logical names of the resources it waits for. */
    dependsOn: string[];
    /** Whether `pulumi destroy` would leave it in the cloud. */
    retainOnDelete: boolean;
    /** Whether the resource is protected from deletion. */
    protect: boolean;
    /** The provider it goes to: `default` (the package's default provider) or the explicit provider's logical name. */
    provider: string;
    /**
     * For azure-native resources, the subscription its provider works in: the explicit
     * provider's `subscriptionId`, or the stack's `azure-native:subscriptionId` for the default
     * provider; `null` when neither sets it (the provider then takes ARM_SUBSCRIPTION_ID or the
     * Azure CLI's login). Absent for other packages.
     */
    subscriptionId?: string | null;
    /** Inputs the provider would receive: secrets as `[secret]`, values unknown in a preview as `[unknown]`. */
    inputs: Record<string, unknown>;
    /** With `--state`: what the preview plans for it (`same`, `update`, `replace`, `create`). */
    op?: StepOp;
    /** With `--state`, for `update` and `replace`: each changed input, and whether it forces the replacement. */
    changes?: ReportChange[];
    /** With `--state`: the old URN it continues through an alias (a rename, not a create and a delete). */
    aliasOf?: string;
    /** The aliases that give it an old name or parent, as the engine receives them (`--compare` matches on them). */
    aliases?: RecordedAlias[];
}

/** One changed input of a resource, against the deployed stack. */
export interface ReportChange {
    /** The input's name. */
    key: string;
    /** Its deployed value (absent when the input is new). */
    before?: unknown;
    /** Its new value (absent when removed; `[unknown]` when only known later). */
    after?: unknown;
    /** Whether changing it makes azure-native replace the resource. */
    replaces: boolean;
}

/** A deployed resource the program no longer registers (and no alias claims). */
export interface ReportDelete {
    urn: string;
    type: string;
    name: string;
    /** Whether it is protected (the update would fail) or retained (left in the cloud). */
    protect: boolean;
    retainOnDelete: boolean;
}

/** One endpoint of a component's egress list. */
export interface EgressRow {
    host: string;
    port: number;
    route: string;
    when: string;
    agents: string[];
    why: string;
}

/** A run, reshaped for people and machines. */
export interface PreviewReport {
    /** Version of this format (see FORMAT_VERSION). */
    formatVersion: number;
    project: string;
    stack: string;
    /** Resources in registration order. */
    resources: ReportResource[];
    warnings: string[];
    /** Errors that would fail the update. */
    errors: string[];
    outputs: unknown;
    notes: string[];
    /** The egress list of each component that states one (output `egress`). */
    egress: Array<{ component: string; endpoints: EgressRow[] }>;
    /**
     * `create`: resources registered (the stack itself not counted; all of them are created when
     * there is no `--state`); `byType`: how many of each type; `steps`: with `--state`, how many
     * of each operation (the stack not counted).
     */
    summary: { create: number; byType: Record<string, number>; steps?: Record<StepOp, number> };
    /** With `--state`: deployed resources the update would delete. */
    deletes?: ReportDelete[];
    /** With `--state`: the export read. */
    stateFile?: string;
    /** With `--state`: whether the export has the stack resource (then the stack is unchanged, not created). */
    stateHasStack?: boolean;
    /**
     * Provider functions the program called (cloud reads), answered by the mock and not by Azure:
     * `unknown` in a preview (what depends on them is `[unknown]`), `given` or `stand-in` otherwise.
     */
    mockedReads: Array<{ token: string; answer: InvokeRecord["answer"]; count: number }>;
}

/** What the report needs besides the run. */
export interface ReportContext {
    /** Stack config as the runtime takes it (`azure-native:subscriptionId` decides the default provider's subscription). */
    config?: Record<string, string>;
}

const DEFAULT_PROVIDER = "default";

function egressOf(resource: RecordedResource): EgressRow[] | undefined {
    const list = resource.outputs === undefined ? undefined : toDisplay(resource.outputs.egress as PropertyValue);
    return Array.isArray(list) ? (list as EgressRow[]) : undefined;
}

function packageOf(type: string): string {
    return type.startsWith("pulumi:providers:") ? type.slice("pulumi:providers:".length) : type.split(":")[0];
}

function subscriptionOf(resource: RecordedResource, provider: RecordedResource | undefined, config: Record<string, string>): string | null {
    if (provider !== undefined) {
        const value = toDisplay((provider.inputs as PropertyMap).subscriptionId ?? null);
        return typeof value === "string" ? value : null;
    }
    return config["azure-native:subscriptionId"] ?? null;
}

/** Builds the report: logical names instead of URNs, secrets as `[secret]`, unknowns as `[unknown]`. */
export function buildReport(project: string, stack: string, run: RunResult, notes: string[], context: ReportContext = {}): PreviewReport {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const nameOf = (urn: string) => byUrn.get(urn)?.name ?? urn;
    const steps = run.prior === undefined ? undefined : planOf(run);
    const byType: Record<string, number> = {};
    const resources = run.resources.map((r): ReportResource => {
        byType[r.type] = (byType[r.type] ?? 0) + 1;
        const provider = r.provider === undefined ? undefined : byUrn.get(r.provider);
        const isAzure = packageOf(r.type) === "azure-native" && !r.type.startsWith("pulumi:providers:");
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            // The stack is every top-level resource's parent; the report keeps those at the top.
            ...(r.parent !== undefined && r.parent !== run.stack.urn ? { parent: nameOf(r.parent) } : {}),
            dependsOn: [...new Set(r.dependencies)].map(nameOf),
            retainOnDelete: r.retainOnDelete,
            protect: r.protect,
            provider: r.provider === undefined ? DEFAULT_PROVIDER : (provider?.name ?? r.provider),
            ...(isAzure && r.custom ? { subscriptionId: subscriptionOf(r, provider, context.config ?? {}) } : {}),
            inputs: toDisplay(r.inputs as PropertyValue) as Record<string, unknown>,
            ...(r.aliases !== undefined ? { aliases: r.aliases } : {}),
            ...(steps?.get(r) ?? {}),
        };
    });
    return {
        formatVersion: FORMAT_VERSION,
        project,
        stack,
        resources,
        warnings: run.warnings,
        errors: run.errors,
        outputs: toDisplay(run.outputs),
        notes,
        egress: run.resources.flatMap((r) => {
            const endpoints = egressOf(r);
            return endpoints === undefined ? [] : [{ component: r.name, endpoints }];
        }),
        summary: { create: run.resources.length, byType, ...(steps !== undefined ? { steps: countSteps(resources, run) } : {}) },
        ...(run.prior !== undefined
            ? { deletes: deletesOf(run), stateFile: run.prior.state.file, stateHasStack: run.prior.state.byUrn.has(run.stack.urn) }
            : {}),
        mockedReads: mockedReads(run.invokes),
    };
}

/** Each resource's operation against the deployed stack, with the changed inputs. */
function planOf(run: RunResult): Map<RecordedResource, Pick<ReportResource, "op" | "changes" | "aliasOf">> {
    const plan = new Map<RecordedResource, Pick<ReportResource, "op" | "changes" | "aliasOf">>();
    for (const r of run.resources) {
        const match = run.prior!.matched.get(r.urn);
        if (match?.old === undefined) {
            plan.set(r, { op: "create" });
            continue;
        }
        const old = match.old;
        const changes = inputChanges(r, old.inputs);
        const op = opFor(changes);
        plan.set(r, {
            op,
            ...(changes.length > 0
                ? {
                      changes: changes.map((c) => ({
                          key: c.key,
                          ...(c.key in old.inputs ? { before: toDisplay(old.inputs[c.key]) } : {}),
                          ...(c.key in r.inputs ? { after: toDisplay(r.inputs[c.key]) } : {}),
                          replaces: c.replaces,
                      })),
                  }
                : {}),
            ...(match.via !== undefined ? { aliasOf: match.via } : {}),
        });
    }
    return plan;
}

/** Deployed resources no registration continues, except the ones the engine itself owns (the stack, default providers). */
function deletesOf(run: RunResult): ReportDelete[] {
    const continued = new Set([...run.prior!.matched.values()].map((m) => m.old!.urn));
    return [...run.prior!.state.byUrn.values()]
        .filter((old) => !continued.has(old.urn) && !isEngineOwned(old))
        .map((old) => ({
            urn: old.urn,
            type: old.type,
            name: parseUrn(old.urn)?.name ?? old.urn,
            protect: old.protect,
            retainOnDelete: old.retainOnDelete,
        }));
}

function countSteps(resources: ReportResource[], run: RunResult): Record<StepOp, number> {
    const counts: Record<StepOp, number> = { same: 0, update: 0, replace: 0, create: 0, delete: deletesOf(run).length };
    for (const r of resources) if (r.op !== undefined) counts[r.op]++;
    return counts;
}

function mockedReads(invokes: InvokeRecord[]): PreviewReport["mockedReads"] {
    const counts = new Map<string, PreviewReport["mockedReads"][number]>();
    for (const i of invokes) {
        const key = `${i.token} ${i.answer}`;
        const entry = counts.get(key);
        if (entry === undefined) counts.set(key, { token: i.token, answer: i.answer, count: 1 });
        else entry.count++;
    }
    return [...counts.values()];
}
