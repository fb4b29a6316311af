/**
 * The preview report: a mock-engine run reshaped for people and machines. Its JSON form is
 * versioned (`formatVersion`) and documented in the README ("The offline preview, for your
 * own programs"): the policy pack's offline check and `--compare` read it.
 */
import { RecordedResource, RunResult } from "./engine";
import { PropertyMap, PropertyValue, toDisplay } from "./values";

/**
 * Version of the JSON format. Bump it when a field changes meaning or goes away; adding a
 * field keeps it. 1: the first versioned format (resources with urn, provider, subscriptionId).
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
    /** `create`: resources to create (the stack itself not counted); `byType`: how many of each type. */
    summary: { create: number; byType: Record<string, number> };
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
    const byType: Record<string, number> = {};
    const resources = run.resources.map((r): ReportResource => {
        byType[r.type] = (byType[r.type] ?? 0) + 1;
        const provider = r.provider === undefined ? undefined : byUrn.get(r.provider);
        const isAzure = packageOf(r.type) === "azure-native" && !r.type.startsWith("pulumi:providers:");
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            ...(r.parent !== undefined ? { parent: nameOf(r.parent) } : {}),
            dependsOn: [...new Set(r.dependencies)].map(nameOf),
            retainOnDelete: r.retainOnDelete,
            protect: r.protect,
            provider: r.provider === undefined ? DEFAULT_PROVIDER : (provider?.name ?? r.provider),
            ...(isAzure && r.custom ? { subscriptionId: subscriptionOf(r, provider, context.config ?? {}) } : {}),
            inputs: toDisplay(r.inputs as PropertyValue) as Record<string, unknown>,
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
        summary: { create: run.resources.length, byType },
    };
}
