/**
 * Property-based tests: the component under generated arguments, plausible and hostile.
 *
 * Property: constructing `new DefenderForServersNetworkRestricted("d", args)` under the mock
 * engine either succeeds (the component, the plan, every child parented to the component, no
 * logical name twice, nothing failing later in an apply) or throws a `ValidationError` whose
 * every problem names a field and a fix, with nothing registered. Never any other error.
 *
 * Cases: plausible args that respect every cross-field rule (each kind and OS, proxies with and
 * without credentials, logs, Private Link, clouds, policy rollout); the same with one to three
 * mutations (garbage of every JavaScript type, deleted or unknown keys, `__proto__`, empty,
 * huge and odd Unicode strings, plausible values in the wrong place); with many leaves
 * scrambled at once; and wholly hostile values. Then a deterministic sweep replaces every field
 * of rich args, one at a time, by each value of a list of hostile types.
 *
 * Seeded and reproducible: FUZZ_SEED and FUZZ_RUNS override the defaults, FUZZ_ENGINE_SHARE
 * (0-100) the share of valid cases also constructed under the engine (all are validated, and
 * every refused case goes through the engine, which is cheap since nothing gets registered).
 *
 * Under the engine, stack traces are off: Pulumi captures one for every promise, and with
 * ts-node's source maps that is most of the run time. `validate()` runs first with them on, so a
 * crash in validation keeps its stack; FUZZ_STACKS=1 keeps them everywhere.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as fc from "fast-check";
import { DefenderForServersNetworkRestricted, ValidationError } from "../sdk";
import { NormalizedArgs, validate } from "../sdk/validate";
import { PRIVATE_LINK_ZONES } from "../sdk/clouds";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { TOP_LEVEL_FIELDS } from "../sdk/validate";

function envInteger(name: string, fallback: number): number {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    assert.ok(Number.isSafeInteger(value), `${name} must be an integer, got ${JSON.stringify(raw)}`);
    return value;
}

const SEED = envInteger("FUZZ_SEED", 20261128);
const RUNS = envInteger("FUZZ_RUNS", 1000);
const ENGINE_SHARE = envInteger("FUZZ_ENGINE_SHARE", 25);
const HANG_MS = 10_000;
const STACK_LIMIT_IN_ENGINE = process.env.FUZZ_STACKS ? Error.stackTraceLimit : 0;

const MACHINE_PARTS = ["osProxy", "azureMonitorAgent", "legacyAgent", "guestConfiguration"] as const;
const REGIONS = ["westeurope", "northeurope", "eastus", "eastus2", "westus3", "uksouth", "swedencentral", "usgovvirginia"] as const;
const SUB = "11111111-2222-3333-4444-555555555555";
const WORKSPACE_ID = `/subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law`;
const RULE_ID = `/subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.Insights/dataCollectionRules/dcr`;
const VNET_ID = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub`;

// ---------------------------------------------------------------------------------------------
// Inputs made inside the program: each run gets its own Output or promise.

/** An `Input<string>` that is not a plain string, made when the program runs. */
class Lazy {
    constructor(
        readonly label: string,
        readonly make: () => unknown,
    ) {}
    [fc.toStringMethod](): string {
        return this.label;
    }
}

function isPlain(value: unknown): value is Record<PropertyKey, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

/** A deep copy of plain objects and arrays (own keys such as `__proto__` kept, holes kept); `Lazy` made when `make`. */
function copy(value: unknown, make: boolean): unknown {
    if (value instanceof Lazy) return make ? value.make() : value;
    if (Array.isArray(value)) {
        const out: unknown[] = new Array(value.length);
        for (const key of Object.keys(value)) define(out, key, copy((value as unknown as Record<string, unknown>)[key], make));
        return out;
    }
    if (isPlain(value)) {
        const out = Object.create(Object.getPrototypeOf(value)) as Record<PropertyKey, unknown>;
        for (const key of Reflect.ownKeys(value)) define(out, key, copy(value[key], make));
        return out;
    }
    return value;
}

/** Sets an own property even for keys like `__proto__`, which plain assignment would not create. */
function define(target: object, key: PropertyKey, value: unknown): void {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// Plausible, valid arguments.

const region = fc.constantFrom(...REGIONS);
const guid = fc.tuple(fc.uuid(), fc.boolean()).map(([id, upper]) => (upper ? id.toUpperCase() : id));
const resourceName = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/);

function input(text: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
    return fc.oneof(
        { weight: 6, arbitrary: text },
        { weight: 1, arbitrary: text.map((s) => new Lazy(`output(${JSON.stringify(s)})`, () => pulumi.output(s))) },
        { weight: 1, arbitrary: text.map((s) => new Lazy(`secret(${JSON.stringify(s)})`, () => pulumi.secret(s))) },
        { weight: 1, arbitrary: text.map((s) => new Lazy(`Promise.resolve(${JSON.stringify(s)})`, () => Promise.resolve(s))) },
    );
}

// Keys built from segments that are also resource-name parts ("dcr", "dce", "proxy"), so that
// keys like "x" and "dcr-x" meet.
const machineKey = fc.oneof(
    fc.array(fc.constantFrom("a", "web", "01", "dcr", "dce", "proxy", "agent"), { minLength: 1, maxLength: 3 }).map((s) => s.join("-")),
    fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?$/),
);

const machine = fc.record(
    {
        key: machineKey,
        kind: fc.constantFrom("azureVm", "arc"),
        os: fc.constantFrom("windows", "linux"),
        resourceGroupName: input(resourceName),
        name: input(resourceName),
        location: region,
        systemAssignedIdentity: fc.boolean(),
        exclude: fc.subarray([...MACHINE_PARTS]),
    },
    { requiredKeys: ["key", "kind", "os", "resourceGroupName", "name"] },
);

const bypassEntry = fc.oneof(
    fc.domain(),
    fc.domain().map((d) => `.${d}`),
    fc.domain().map((d) => `*.${d}`),
    fc.ipV4(),
    fc.tuple(fc.ipV4(), fc.constantFrom(8, 16, 24, 32)).map(([ip, bits]) => `${ip}/${bits}`),
);

const proxy = fc.record({
    address: fc.tuple(fc.oneof(fc.domain(), fc.ipV4()), fc.integer({ min: 1, max: 65535 })).map(([host, port]) => `http://${host}:${port}`),
    bypass: fc.option(fc.array(bypassEntry, { maxLength: 4 }), { nil: undefined }),
    credentials: fc.option(
        fc.record({ username: input(fc.stringMatching(/^[a-z][a-z0-9._-]{0,10}$/)), password: input(fc.string({ minLength: 1 })) }),
        {
            nil: undefined,
        },
    ),
    unauthenticated: fc.boolean(),
});

const plan = fc.record(
    {
        subPlan: fc.constantFrom("P1", "P2"),
        agentlessScanning: fc.boolean(),
        agentlessScanningExclusionTags: fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,10}$/), fc.string({ maxLength: 12 }), {
            maxKeys: 2,
        }),
        fileIntegrityMonitoring: fc.boolean(),
        mdeDesignatedSubscription: fc.boolean(),
        defenderVulnerabilityManagement: fc.boolean(),
    },
    { requiredKeys: [] },
);

const logs = fc.record({
    target: fc.constantFrom("workspace", "rule", "both"),
    workspaceResourceId: input(fc.constant(WORKSPACE_ID)),
    dataCollectionRuleId: input(fc.constant(RULE_ID)),
    dataCollectionRuleLocation: fc.option(region, { nil: undefined }),
    azureMonitorAgent: fc.option(fc.boolean(), { nil: undefined }),
    legacyAgent: fc.option(fc.record({ workspaceId: input(guid), workspaceKey: input(fc.base64String({ minLength: 4, maxLength: 44 })) }), {
        nil: undefined,
    }),
});

const privateLink = fc.record({
    resourceGroupName: input(resourceName),
    subnetId: input(resourceName.map((s) => `${VNET_ID}/subnets/${s}`)),
    virtualNetworkIds: fc.array(input(resourceName.map((s) => `${VNET_ID}-${s}`)), { maxLength: 2 }),
    arc: fc.option(
        fc.record(
            {
                location: region,
                publicNetworkAccess: fc.boolean(),
                privateEndpoint: fc.boolean(),
                tenantId: guid,
                machinesResourceGroupName: resourceName,
            },
            { requiredKeys: [] },
        ),
        { nil: undefined },
    ),
    azureMonitor: fc.option(
        fc.record(
            {
                ingestionAccessMode: fc.constantFrom("PrivateOnly", "Open"),
                queryAccessMode: fc.constantFrom("PrivateOnly", "Open"),
                privateEndpoint: fc.boolean(),
            },
            { requiredKeys: [] },
        ),
        { nil: undefined },
    ),
    existingZones: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
});

const rollout = fc.oneof(
    fc.constant({ mode: "machines" }),
    fc.record(
        {
            mode: fc.constant("policy"),
            scope: fc.constantFrom(
                `/subscriptions/${SUB}`,
                `/subscriptions/${SUB}/resourceGroups/rg-servers`,
                "/providers/Microsoft.Management/managementGroups/mg-servers",
            ),
            remediate: fc.boolean(),
        },
        { requiredKeys: ["mode"] },
    ),
);

/** What an arbitrary generates. */
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

interface Generated {
    subscriptionId: string;
    location: string;
    cloud?: string;
    plan?: Record<string, unknown>;
    mdeIntegration?: { enabled?: boolean; includeLinux?: boolean };
    retainProtectionOnDelete?: boolean;
    proxy?: ValueOf<typeof proxy>;
    machines?: Array<Record<string, unknown>>;
    logs?: ValueOf<typeof logs>;
    guestConfiguration?: { enabled?: boolean; tagExistingVms?: boolean };
    privateLink?: ValueOf<typeof privateLink>;
    rollout?: ValueOf<typeof rollout>;
    airGapped: boolean;
}

const generated: fc.Arbitrary<Generated> = fc.record(
    {
        subscriptionId: guid,
        location: region,
        cloud: fc.constantFrom("AzureCloud", "AzureUSGovernment"),
        plan,
        mdeIntegration: fc.record({ enabled: fc.boolean(), includeLinux: fc.boolean() }, { requiredKeys: [] }),
        retainProtectionOnDelete: fc.boolean(),
        proxy,
        machines: fc.uniqueArray(machine, { selector: (m) => m.key, maxLength: 4 }),
        logs,
        guestConfiguration: fc.record({ enabled: fc.boolean(), tagExistingVms: fc.boolean() }, { requiredKeys: [] }),
        privateLink,
        rollout: fc.oneof({ weight: 1, arbitrary: rollout }, { weight: 3, arbitrary: fc.constant(undefined) }),
        airGapped: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    },
    { requiredKeys: ["subscriptionId", "location", "airGapped"] },
) as fc.Arbitrary<Generated>;

/** Makes generated choices into args the component should accept: every cross-field rule respected. */
function coherent(generated: Generated): Record<string, unknown> {
    const g = { ...generated };
    if (g.rollout !== undefined) {
        // Policy mode puts nothing secret into a policy, and does not roll out Azure Monitor Private Link.
        if (g.rollout.mode === "policy") {
            if (g.proxy !== undefined) g.proxy = { ...g.proxy, credentials: undefined };
            if (g.logs !== undefined) g.logs = { ...g.logs, legacyAgent: undefined };
            if (g.privateLink !== undefined) g.privateLink = { ...g.privateLink, azureMonitor: undefined };
        }
    }
    const args: Record<string, unknown> = { subscriptionId: g.subscriptionId, location: g.location };
    if (g.cloud !== undefined) args.cloud = g.cloud;
    const cloud = g.cloud ?? "AzureCloud";
    if (g.retainProtectionOnDelete !== undefined) args.retainProtectionOnDelete = g.retainProtectionOnDelete;

    const planArgs: Record<string, unknown> = { ...g.plan };
    if (g.airGapped) {
        planArgs.subPlan = "P2";
        if (planArgs.agentlessScanning === false) delete planArgs.agentlessScanning;
    }
    if (planArgs.subPlan === "P1") {
        if (planArgs.agentlessScanning === true) delete planArgs.agentlessScanning;
        delete planArgs.agentlessScanningExclusionTags;
    }
    if (planArgs.agentlessScanning === false) delete planArgs.agentlessScanningExclusionTags;
    // Switching FIM on is refused (its API is undocumented); switching it off is fine.
    if (planArgs.fileIntegrityMonitoring === true) delete planArgs.fileIntegrityMonitoring;
    if (g.plan !== undefined) args.plan = planArgs;

    const mde = { ...g.mdeIntegration };
    // Air-gapped keeps MDE off; asking for it on is refused.
    if (g.airGapped && mde.enabled === true) delete mde.enabled;
    if (mde.enabled === false || g.airGapped) delete mde.includeLinux;
    // Writing WDATP = false reaches the whole subscription: validation wants it confirmed.
    if (mde.enabled === false) (mde as Record<string, unknown>).confirmSwitchOff = true;
    if (g.mdeIntegration !== undefined) args.mdeIntegration = mde;
    const mdeOnLinux = mde.enabled !== false && mde.includeLinux !== false;

    const gc = { ...g.guestConfiguration };
    if (gc.enabled === false) delete gc.tagExistingVms;
    if (g.guestConfiguration !== undefined) args.guestConfiguration = gc;

    // Private Link first: it decides where Arc machines must be and whether logs need a workspace.
    let arcScopeLocation: string | undefined;
    let monitorScope = false;
    if (g.privateLink !== undefined) {
        const pl = g.privateLink;
        let arc = pl.arc === undefined ? undefined : { ...pl.arc };
        const azureMonitor = pl.azureMonitor === undefined ? undefined : { ...pl.azureMonitor };
        if (arc === undefined && azureMonitor === undefined) arc = {};
        if (arc !== undefined && PRIVATE_LINK_ZONES[cloud as "AzureCloud"].arcZones === undefined) arc.privateEndpoint = false;
        const zones = [
            ...(arc !== undefined && arc.privateEndpoint !== false ? (PRIVATE_LINK_ZONES[cloud as "AzureCloud"].arcZones ?? []) : []),
            ...(azureMonitor !== undefined && azureMonitor.privateEndpoint !== false
                ? (PRIVATE_LINK_ZONES[cloud as "AzureCloud"].azureMonitorZones ?? [])
                : []),
        ];
        const existing = zones.filter((_, i) => pl.existingZones[i % pl.existingZones.length]);
        const link: Record<string, unknown> = { resourceGroupName: pl.resourceGroupName };
        if (zones.length > 0) link.subnetId = pl.subnetId;
        if (existing.length > 0) link.existingDnsZoneIds = Object.fromEntries(existing.map((z) => [z, `${VNET_ID}-zones/${z}`]));
        if (pl.virtualNetworkIds.length > 0 && existing.length < zones.length) link.virtualNetworkIds = pl.virtualNetworkIds;
        if (arc !== undefined) {
            link.arc = arc;
            arcScopeLocation = (arc.location as string | undefined) ?? g.location;
        }
        if (azureMonitor !== undefined) {
            link.azureMonitor = azureMonitor;
            monitorScope = true;
        }
        args.privateLink = link;
    }

    if (!g.airGapped && g.machines !== undefined) {
        const seen = new Set<string>();
        args.machines = g.machines.map((m) => {
            const out: Record<string, unknown> = { ...m };
            // One Azure machine is listed once (names compare without letter case).
            const identity = `${m.kind}/${String(m.resourceGroupName)}/${String(m.name)}`.toLowerCase();
            if (typeof m.name === "string" && seen.has(identity)) out.name = `${m.name}-${m.key}`;
            seen.add(identity);
            if (m.kind === "arc") {
                delete out.systemAssignedIdentity;
                if (Array.isArray(out.exclude)) out.exclude = out.exclude.filter((p: string) => p !== "guestConfiguration");
                if (arcScopeLocation !== undefined) out.location = arcScopeLocation;
            } else if (out.systemAssignedIdentity !== true) {
                // AMA and Guest Configuration need an identity known or made (validate/fleet.ts checkIdentity).
                out.systemAssignedIdentity = true;
            }
            return out;
        });
    }

    if (!g.airGapped && g.proxy !== undefined) {
        const p: Record<string, unknown> = { address: g.proxy.address };
        if (g.proxy.bypass !== undefined) p.bypass = g.proxy.bypass;
        if (g.proxy.credentials !== undefined) {
            p.username = g.proxy.credentials.username;
            p.password = g.proxy.credentials.password;
            const machines = (args.machines ?? []) as Array<Record<string, unknown>>;
            const cannotAuthenticate = machines.some((m) => m.kind === "arc" || (m.os === "linux" && (m.kind === "azureVm" || mdeOnLinux)));
            if (cannotAuthenticate || g.proxy.unauthenticated) p.unauthenticatedForAgentHosts = true;
        }
        args.proxy = p;
    }

    if ((!g.airGapped && g.logs !== undefined) || monitorScope) {
        const l = g.logs;
        const out: Record<string, unknown> = {};
        if (l !== undefined) {
            if (l.target !== "rule" || monitorScope) out.workspaceResourceId = l.workspaceResourceId;
            if (l.target !== "workspace") out.dataCollectionRuleId = l.dataCollectionRuleId;
            else if (l.dataCollectionRuleLocation !== undefined) out.dataCollectionRuleLocation = l.dataCollectionRuleLocation;
            if (l.azureMonitorAgent !== undefined) out.azureMonitorAgent = l.azureMonitorAgent;
            if (l.legacyAgent !== undefined) out.legacyAgent = l.legacyAgent;
            // The rule and endpoint go in the component's subscription; the fixed workspace may be in another one.
            if (out.workspaceResourceId !== undefined)
                out.dataCollectionResourceGroupId = `/subscriptions/${g.subscriptionId}/resourceGroups/rg-dcr`;
        } else {
            out.workspaceResourceId = WORKSPACE_ID;
            out.dataCollectionResourceGroupId = `/subscriptions/${g.subscriptionId}/resourceGroups/rg-dcr`;
        }
        args.logs = out;
    }
    if (g.airGapped) args.airGapped = true;
    if (g.rollout !== undefined) args.rollout = g.rollout;
    return inCloud(args, cloud) as Record<string, unknown>;
}

/**
 * Regions of the chosen cloud only (validation checks them against CLOUD_REGIONS): a commercial
 * region becomes a Government one in AzureUSGovernment and the other way round, always the same
 * one, so equal regions stay equal.
 */
const GOVERNMENT_REGION: Record<string, string> = {
    westeurope: "usgovvirginia",
    northeurope: "usgovtexas",
    eastus: "usgovarizona",
    eastus2: "usdodeast",
    westus3: "usdodcentral",
    uksouth: "usgovvirginia",
    swedencentral: "usgovtexas",
};
function inCloud(value: unknown, cloud: string, key?: string): unknown {
    if (Array.isArray(value)) return value.map((v) => inCloud(v, cloud));
    // Plain objects only: Outputs and promises stand for a machine's or a group's name and stay as they are.
    const plain = value !== null && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value));
    if (plain) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inCloud(v, cloud, k)]));
    }
    if (typeof value !== "string" || (key !== "location" && key !== "dataCollectionRuleLocation")) return value;
    if (cloud === "AzureUSGovernment") return GOVERNMENT_REGION[value] ?? value;
    return value.startsWith("usgov") ? "westus2" : value;
}

const validArgs = generated.map(coherent);

// ---------------------------------------------------------------------------------------------
// Hostile values and mutations.

const HUGE = [
    "a".repeat(300_000),
    `/subscriptions/${"x/".repeat(50_000)}`,
    `http://${"h".repeat(100_000)}:3128`,
    "é".repeat(60_000),
    "-".repeat(100_000),
    `${"a.".repeat(40_000)}b`,
];
const ODD_STRINGS = [
    "",
    " ",
    "\t\n",
    "undefined",
    "null",
    "[object Object]",
    "westeurope\u0000",
    "ｗｅｓｔｅｕｒｏｐｅ",
    "P２",
    "🛡️",
    "\u202ewesteurope",
    "w\u0301esteurope",
    "\ud800",
    "http://proxy.corp.example:3128\r\nHost: evil",
    "http://proxy:99999",
    "http://proxy:0",
    "http://[::1]:3128",
    "http://user:pass@proxy:3128",
    "http://proxy:3128/path?q#f",
    "wpad.dat",
    "../../etc/passwd",
    "$(reboot)",
    "`id`",
    "'; DROP TABLE --",
];

/** Values that look like nothing the args take: every JavaScript type, nested, odd strings. */
const garbage: fc.Arbitrary<unknown> = fc.oneof(
    fc.integer(),
    fc.double(),
    // The types string handling trips on (JSON.stringify, template literals): more often than the rest.
    {
        weight: 3,
        arbitrary: fc.oneof(
            fc.bigInt(),
            fc.constant(Symbol("garbage")),
            fc.constant(null).map(() => Object.create(null) as object),
        ),
    },
    fc.boolean(),
    fc.constantFrom(null, undefined, NaN, -0, Infinity),
    fc.constantFrom(...ODD_STRINGS),
    fc.constantFrom(...HUGE),
    fc.string({ unit: "binary", maxLength: 24 }),
    fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
    fc.anything({
        maxDepth: 3,
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withSparseArray: true,
        withTypedArray: true,
        stringUnit: "binary",
    }),
    fc.constant(null).map(() => Object.create(null) as object),
    fc
        .constant(null)
        .map(() => JSON.parse('{"__proto__": {"subscriptionId": 1}, "constructor": {"prototype": {"polluted": true}}}') as object),
    fc.constant(null).map(() => new Date(NaN)),
);

/** Leaves a user might plausibly write somewhere else than where they belong. */
const plausible = fc.constantFrom<unknown>(
    "P1",
    "P2",
    "p2",
    "azureVm",
    "arc",
    "AzureVM",
    "windows",
    "linux",
    "Windows",
    "westeurope",
    "West Europe",
    "AzureCloud",
    "AzureUSGovernment",
    "AzureChinaCloud",
    "PrivateOnly",
    "Open",
    "osProxy",
    "qualys",
    "guestConfiguration",
    true,
    false,
    SUB,
    `/subscriptions/${SUB}`,
    "http://proxy.corp.example:3128",
    "https://proxy.corp.example:3128",
    "http://proxy.corp.example",
    "proxy.corp.example:3128",
    "10.1.0.0/20",
    "10.0.0.0/8",
    WORKSPACE_ID,
    RULE_ID,
    "rg",
    [],
    {},
    ["osProxy"],
    { enabled: true },
);

const unknownKey = fc.oneof(
    fc.constantFrom(
        "__proto__",
        "constructor",
        "prototype",
        "toString",
        "valueOf",
        "hasOwnProperty",
        "then",
        "",
        " ",
        "Location",
        "subplan",
        "proxyy",
    ),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 8 }),
);

const MUTATIONS = ["replace", "replace", "delete", "addKey", "plausible", "plausible", "empty", "huge", "wrap"] as const;

const mutation = fc.record({
    at: fc.nat(),
    op: fc.constantFrom(...MUTATIONS),
    key: unknownKey,
    value: fc.oneof(garbage, plausible),
    garbage,
    plausible,
    huge: fc.constantFrom(...HUGE),
});

type Path = PropertyKey[];

/** Every node of the args tree (the root too), depth first. */
function paths(value: unknown, at: Path = []): Path[] {
    const found: Path[] = [at];
    if (Array.isArray(value) || isPlain(value)) {
        for (const key of Reflect.ownKeys(value)) {
            if (Array.isArray(value) && key === "length") continue;
            found.push(...paths((value as Record<PropertyKey, unknown>)[key], [...at, key]));
        }
    }
    return found;
}

function nodeAt(root: unknown, path: Path): unknown {
    return path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)[key], root);
}

/** Applies one mutation; returns the new root (a mutation at the root replaces it). */
function mutate(root: unknown, m: ValueOf<typeof mutation>): unknown {
    const all = paths(root);
    const path = all[m.at % all.length];
    const replacement = (() => {
        switch (m.op) {
            case "replace":
                return m.garbage;
            case "plausible":
                return m.plausible;
            case "empty":
                return "";
            case "huge":
                return m.huge;
            case "wrap":
                return [nodeAt(root, path)];
            default:
                return undefined;
        }
    })();
    if (m.op === "addKey") {
        const objects = all.filter((p) => isPlain(nodeAt(root, p)));
        if (objects.length === 0) return root;
        define(nodeAt(root, objects[m.at % objects.length]) as object, m.key, m.value);
        return root;
    }
    if (path.length === 0) return m.op === "delete" ? undefined : replacement;
    const parent = nodeAt(root, path.slice(0, -1)) as Record<PropertyKey, unknown>;
    const key = path[path.length - 1];
    if (m.op === "delete") {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
    } else {
        define(parent, key, replacement);
    }
    return root;
}

const mutatedArgs = fc
    .tuple(validArgs, fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([args, mutations]) => mutations.reduce<unknown>((root, m) => mutate(root, m), copy(args, false)));

/** Plausible args with many leaves replaced at once (validation reports every problem, so each reader runs). */
const scrambledArgs = fc
    .tuple(validArgs, fc.array(fc.option(fc.oneof(garbage, plausible), { freq: 2 }), { minLength: 16, maxLength: 16 }))
    .map(([args, replacements]) => {
        const root = copy(args, false);
        paths(root).forEach((path, i) => {
            const replacement = replacements[i % replacements.length];
            if (path.length === 0 || replacement === null) return;
            const node = nodeAt(root, path);
            if (Array.isArray(node) || isPlain(node)) return; // Leaves only: their parents stay to be read.
            define(nodeAt(root, path.slice(0, -1)) as object, path[path.length - 1], replacement);
        });
        return root;
    });

// Every field validation knows, so a field added later is fuzzed without touching this spec.
const TOP_LEVEL = TOP_LEVEL_FIELDS;

/** Known top-level fields, each garbage or absent. */
const garbageFields = fc.record(Object.fromEntries(TOP_LEVEL.map((k) => [k, fc.oneof(garbage, plausible)])), { requiredKeys: [] });

type Kind = "valid" | "mutated" | "scrambled" | "hostile";

const cases = fc.record({
    args: fc.oneof(
        { weight: 4, arbitrary: validArgs.map((args) => ({ kind: "valid" as Kind, args: args as unknown })) },
        { weight: 4, arbitrary: mutatedArgs.map((args) => ({ kind: "mutated" as Kind, args })) },
        { weight: 1, arbitrary: scrambledArgs.map((args) => ({ kind: "scrambled" as Kind, args })) },
        { weight: 1, arbitrary: fc.oneof(garbage, garbageFields).map((args) => ({ kind: "hostile" as Kind, args })) },
    ),
    preview: fc.boolean(),
    engineRoll: fc.nat(99),
});

// ---------------------------------------------------------------------------------------------
// Running a case.

interface Attempt {
    /** What the constructor threw, if anything. */
    thrown?: unknown;
    /** What `runProgram` itself rejected with, if anything. */
    runError?: unknown;
    run?: RunResult;
    /** Rejections nobody handled while the program ran (a failure in an apply or a registration). */
    unhandled: unknown[];
    /** Lines the program wrote to console.error (Pulumi's log.error without an engine). */
    errors: string[];
}

/** Constructs the component under the mock engine, catching whatever fails and however it fails. */
async function attempt(args: unknown, preview: boolean): Promise<Attempt> {
    const result: Attempt = { unhandled: [], errors: [] };
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const onUnhandled = (reason: unknown) => result.unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const originalError = console.error;
    console.error = (...parts: unknown[]) => result.errors.push(parts.map(String).join(" "));
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = STACK_LIMIT_IN_ENGINE;
    let timer: NodeJS.Timeout | undefined;
    try {
        const program = runProgram(
            () => {
                let component: DefenderForServersNetworkRestricted;
                try {
                    component = new DefenderForServersNetworkRestricted("d", args as never);
                } catch (err) {
                    result.thrown = err;
                    return {};
                }
                return {
                    pricingId: component.pricingId,
                    egress: component.egress,
                    squidAllowlist: component.squidAllowlist,
                    arcOnboardingCommands: component.arcOnboardingCommands,
                    dataCollectionEndpointId: component.dataCollectionEndpointId,
                };
            },
            { preview },
        );
        // A program that never finishes (a promise nobody resolves) fails the case instead of the suite.
        const hung = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`the program did not finish within ${HANG_MS} ms`)), HANG_MS);
        });
        result.run = await Promise.race([program, hung]);
    } catch (err) {
        result.runError = err;
    } finally {
        clearTimeout(timer);
        Error.stackTraceLimit = stackTraceLimit;
        // Unhandled rejections are reported after the microtasks: give them two turns.
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        console.error = originalError;
        process.off("unhandledRejection", onUnhandled);
        for (const listener of saved) process.on("unhandledRejection", listener);
    }
    return result;
}

function describeError(err: unknown): string {
    return err instanceof Error
        ? `${err.name}: ${err.message.slice(0, 500)}\n${err.stack?.split("\n").slice(1, 6).join("\n")}`
        : String(err);
}

/** The error is a ValidationError listing problems that each name a field and say something. */
function assertValidationError(err: unknown, where: string): ValidationError {
    assert.ok(err instanceof ValidationError, `${where} threw something other than a ValidationError: ${describeError(err)}`);
    assert.ok(err.problems.length > 0, `${where}: a ValidationError with no problems`);
    for (const problem of err.problems) {
        assert.ok(
            typeof problem.path === "string" && problem.path.trim() !== "",
            `${where}: a problem without a path: ${JSON.stringify(problem)}`,
        );
        assert.ok(typeof problem.message === "string" && problem.message.trim() !== "", `${where}: ${problem.path} has no message`);
    }
    return err;
}

function assertClean(outcome: Attempt, where: string): void {
    assert.equal(outcome.runError, undefined, `${where}: the mock engine run failed: ${describeError(outcome.runError)}`);
    assert.deepEqual(
        outcome.unhandled.map(describeError),
        [],
        `${where}: something failed after construction (in an apply or a registration)`,
    );
    assert.deepEqual(outcome.errors, [], `${where}: errors were logged`);
}

const stats = {
    cases: 0,
    valid: 0,
    refused: 0,
    engineRuns: 0,
    byKind: { valid: 0, mutated: 0, scrambled: 0, hostile: 0 } as Record<Kind, number>,
};

/** What the valid cases covered, counted from the normalized args. */
const coverage: Record<string, number> = {};
const FEATURES: Array<[string, (args: NormalizedArgs) => boolean]> = [
    ["no proxy", (a) => a.proxy === undefined],
    ["proxy without credentials", (a) => a.proxy !== undefined && a.proxy.credentials === undefined],
    ["proxy with credentials", (a) => a.proxy?.credentials !== undefined],
    ["proxy bypass entries", (a) => (a.proxy?.bypass.length ?? 0) > 0],
    ["Windows Azure VM", (a) => a.machines.some((m) => m.kind === "azureVm" && m.os === "windows")],
    ["Linux Azure VM", (a) => a.machines.some((m) => m.kind === "azureVm" && m.os === "linux")],
    ["Windows Arc machine", (a) => a.machines.some((m) => m.kind === "arc" && m.os === "windows")],
    ["Linux Arc machine", (a) => a.machines.some((m) => m.kind === "arc" && m.os === "linux")],
    ["machine exclusions", (a) => a.machines.some((m) => m.excluded.length > 0)],
    ["AMA", (a) => a.machines.some((m) => m.parts.azureMonitorAgent)],
    ["legacy agent", (a) => a.logs?.legacyAgent !== undefined],
    ["existing data collection rule", (a) => a.logs?.dataCollectionRuleId !== undefined],
    ["Arc Private Link", (a) => a.privateLink?.arc !== undefined],
    ["Azure Monitor Private Link", (a) => a.privateLink?.azureMonitor !== undefined],
    ["existing DNS zones", (a) => Object.keys(a.privateLink?.existingDnsZoneIds ?? {}).length > 0],
    ["AzureUSGovernment", (a) => a.cloud === "AzureUSGovernment"],
    ["Plan 1", (a) => a.plan.subPlan === "P1"],
    ["air-gapped", (a) => a.airGapped],
    ["policy rollout", (a) => (a as { rollout?: { mode: string } }).rollout?.mode === "policy"],
];

/**
 * The property, for one args value: `validate()` and the constructor under the engine agree.
 * Refused: a ValidationError, the same from both, nothing registered (checked under the engine
 * unless `engineOnRefusal` is false: the constructor validates before anything else, so the
 * sweep, with thousands of refusals, leaves that to the random cases). Accepted: constructed
 * cleanly under the engine when `construct` says so.
 */
async function checkArgs(raw: unknown, preview: boolean, construct: boolean, engineOnRefusal = true): Promise<"valid" | "refused"> {
    let pureError: unknown;
    try {
        const result = validate(copy(raw, true));
        for (const warning of result.warnings)
            assert.ok(warning.path !== "" && warning.message !== "", "a warning without path or message");
        for (const [feature, has] of FEATURES) if (has(result.args)) coverage[feature] = (coverage[feature] ?? 0) + 1;
    } catch (err) {
        pureError = err ?? new Error("validate() threw a nullish value");
    }

    if (pureError !== undefined) {
        stats.refused += 1;
        const expected = assertValidationError(pureError, "validate()");
        if (!engineOnRefusal) return "refused";
        // Refusal under the engine: the same problems, and nothing registered at all.
        stats.engineRuns += 1;
        const outcome = await attempt(copy(raw, true), preview);
        assertClean(outcome, "a refused construction");
        const thrown = assertValidationError(outcome.thrown, "the constructor");
        assert.deepEqual(thrown.problems, expected.problems, "the constructor and validate() disagree");
        assert.deepEqual(
            outcome.run!.resources.map((r) => `${r.type} ${r.name}`),
            [],
            "resources were registered although the args were refused",
        );
        return "refused";
    }

    stats.valid += 1;
    if (!construct) return "valid";
    stats.engineRuns += 1;
    const outcome = await attempt(copy(raw, true), preview);
    assert.equal(outcome.thrown, undefined, `valid args failed to construct: ${describeError(outcome.thrown)}`);
    assertClean(outcome, "a valid construction");
    const resources = outcome.run!.resources;
    assert.ok(resources.length >= 2, `expected the component and the plan, got ${resources.map((r) => r.name).join(", ")}`);
    const [component, ...children] = resources;
    assert.equal(component.type, DefenderForServersNetworkRestricted.TYPE);
    assert.equal(component.name, "d");
    assert.ok(
        children.some((r) => r.name === "d-plan" && r.type === "azure-native:security:Pricing"),
        "the plan was not registered",
    );
    for (const child of children) {
        assert.equal(child.parent, component.urn, `${child.type} ${child.name} is not parented to the component`);
    }
    const names = resources.map((r) => r.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    assert.deepEqual(twice, [], `logical names registered more than once: ${twice.join(", ")}`);
    return "valid";
}

async function check(c: ValueOf<typeof cases>): Promise<void> {
    stats.cases += 1;
    stats.byKind[c.args.kind] += 1;
    // Accepted mutations and hostile args are the interesting ones (a hole in validation crashes
    // later, in a resource or an apply): always under the engine. Plausible args: a share.
    await checkArgs(c.args.args, c.preview, c.args.kind !== "valid" || c.engineRoll < ENGINE_SHARE);
}

// ---------------------------------------------------------------------------------------------
// The sweep: every field of rich args, replaced in turn by each hostile value.

/** Values of every JavaScript type that string handling trips on. */
const HOSTILE_VALUES: Array<[string, () => unknown]> = [
    ["a BigInt", () => 10n],
    ["a Symbol", () => Symbol("s")],
    ["a null-prototype object", () => Object.create(null)],
    ["an object with an own __proto__ key", () => JSON.parse('{"__proto__": {"polluted": true}}')],
    ["a boxed string", () => new String("westeurope")],
    ["a Date", () => new Date(NaN)],
    ["a Map", () => new Map([["a", 1]])],
    ["an empty list", () => []],
    ["a list of a BigInt", () => [1n]],
    ["an empty object", () => ({})],
    ["a thenable that is not a promise", () => ({ then: 1 })],
    ["a number", () => 42],
    ["NaN", () => NaN],
    ["null", () => null],
    ["true", () => true],
    ["an empty string", () => ""],
    ["a blank string", () => " "],
    ["a huge string", () => HUGE[0]],
    ["a string with a NUL and combining marks", () => "w\u0301est\u0000europe"],
];

/** Rich args that touch every reader: every kind and OS, an authenticated proxy, logs with both agents, Private Link; and policy mode. */
function richArgs(): Array<[string, Record<string, unknown>]> {
    const subnet = `${VNET_ID}/subnets/endpoints`;
    const machines = [
        {
            key: "win-vm",
            kind: "azureVm",
            os: "windows",
            resourceGroupName: "rg-app",
            name: "win-vm",
            systemAssignedIdentity: true,
            exclude: ["legacyAgent"],
        },
        {
            key: "lnx-vm",
            kind: "azureVm",
            os: "linux",
            resourceGroupName: "rg-app",
            name: "lnx-vm",
            location: "westeurope",
            systemAssignedIdentity: true,
        },
        { key: "lnx-arc", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "lnx-arc", exclude: ["legacyAgent"] },
    ];
    const base = {
        subscriptionId: SUB,
        location: "westeurope",
        cloud: "AzureCloud",
        plan: {
            subPlan: "P2",
            agentlessScanning: true,
            agentlessScanningExclusionTags: { skip: "yes" },
            fileIntegrityMonitoring: false,
            mdeDesignatedSubscription: false,
        },
        mdeIntegration: { enabled: true, includeLinux: true },
        retainProtectionOnDelete: true,
        machines,
        guestConfiguration: { enabled: true, tagExistingVms: true },
    };
    return [
        [
            "per machine",
            {
                ...base,
                proxy: {
                    address: "http://proxy.corp.example:3128",
                    bypass: [".corp.example", "10.0.0.0/8"],
                    username: "svc",
                    password: "pw",
                    unauthenticatedForAgentHosts: true,
                },
                logs: {
                    workspaceResourceId: WORKSPACE_ID,
                    dataCollectionRuleLocation: "westeurope",
                    azureMonitorAgent: true,
                    legacyAgent: { workspaceId: "99999999-8888-7777-6666-555555555555", workspaceKey: "a2V5" },
                },
                privateLink: {
                    resourceGroupName: "rg-pl",
                    subnetId: subnet,
                    virtualNetworkIds: [VNET_ID],
                    existingDnsZoneIds: { "privatelink.his.arc.azure.com": `${VNET_ID}/zones/his` },
                    arc: {
                        location: "westeurope",
                        publicNetworkAccess: false,
                        privateEndpoint: true,
                        tenantId: SUB,
                        machinesResourceGroupName: "rg-arc",
                    },
                },
            },
        ],
        [
            "Azure Monitor Private Link and an existing rule",
            {
                ...base,
                proxy: { address: "http://10.0.0.1:8080", bypass: ["*.corp.example"] },
                logs: { workspaceResourceId: WORKSPACE_ID, dataCollectionRuleId: RULE_ID },
                privateLink: {
                    resourceGroupName: "rg-pl",
                    subnetId: subnet,
                    virtualNetworkIds: [VNET_ID],
                    azureMonitor: { ingestionAccessMode: "PrivateOnly", queryAccessMode: "Open", privateEndpoint: true },
                },
            },
        ],
        [
            "policy rollout",
            {
                ...base,
                guestConfiguration: { enabled: true },
                proxy: { address: "http://proxy.corp.example:3128" },
                logs: { workspaceResourceId: WORKSPACE_ID },
                rollout: { mode: "policy", scope: `/subscriptions/${SUB}/resourceGroups/rg-servers`, remediate: true },
            },
        ],
    ];
}

const sweep = { cases: 0, valid: 0, refused: 0 };
/** The random cases' split, taken before the sweep adds to the totals. */
const random = { valid: 0, refused: 0 };

// ---------------------------------------------------------------------------------------------

describe("fuzzed arguments (fast-check)", function () {
    this.timeout(300_000);
    const started = Date.now();

    after(() => {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        console.log(
            `      fuzz: seed ${SEED}, ${stats.cases} random cases (${stats.byKind.valid} plausible, ${stats.byKind.mutated} mutated, ` +
                `${stats.byKind.scrambled} scrambled, ${stats.byKind.hostile} hostile): ${random.valid} valid, ${random.refused} refused with a ValidationError; ` +
                `sweep: ${sweep.cases} single-field replacements, ${sweep.valid} accepted, ${sweep.refused} refused; ` +
                `${stats.engineRuns} runs under the mock engine; ${seconds} s`,
        );
    });

    it(`construction succeeds cleanly or refuses with a ValidationError and registers nothing (${RUNS} cases, seed ${SEED})`, async () => {
        await fc.assert(fc.asyncProperty(cases, check), { seed: SEED, numRuns: RUNS, endOnFailure: false });
        // Keys such as "__proto__" and "constructor" were read, copied and spread: none may have reached Object.prototype.
        assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined, "Object.prototype was polluted");
        assert.equal(({} as Record<string, unknown>).subscriptionId, undefined, "Object.prototype was polluted");
        Object.assign(random, { valid: stats.valid, refused: stats.refused });
    });

    it("the generator is not degenerate: plenty of valid and of refused cases, every feature among the valid ones", () => {
        assert.ok(stats.valid >= RUNS * 0.2, `only ${stats.valid} of ${stats.cases} cases were valid`);
        assert.ok(stats.refused >= RUNS * 0.3, `only ${stats.refused} of ${stats.cases} cases were refused`);
        const rare = FEATURES.map(([feature]) => feature).filter((feature) => (coverage[feature] ?? 0) < Math.max(1, RUNS / 200));
        assert.deepEqual(rare, [], "features (almost) never present in a valid case");
    });

    it("every field of rich args, replaced in turn by each hostile value, is refused or accepted cleanly", async () => {
        // Accepted replacements are constructed once per field (the first accepted value there), and
        // not when they normalize to args already constructed (a Map as `plan` reads as {}).
        const constructed = new Set<string>();
        const tryArgs = async (root: unknown, preview: boolean, field: string): Promise<void> => {
            let key: string | undefined;
            try {
                key = JSON.stringify(validate(copy(root, true)).args);
            } catch {
                // Refused: checkArgs says whether properly.
            }
            const fresh = key !== undefined && !constructed.has(key) && !constructed.has(field);
            if (fresh) {
                constructed.add(key!);
                constructed.add(field);
            }
            sweep.cases += 1;
            sweep[await checkArgs(root, preview, fresh, false)] += 1;
        };
        for (const [label, args] of richArgs()) {
            assert.equal(await checkArgs(args, false, true), "valid", `the ${label} args must themselves be valid`);
            const all = paths(args).filter((p) => p.length > 0);
            for (const path of all) {
                for (const [what, make] of HOSTILE_VALUES) {
                    const root = copy(args, false) as Record<PropertyKey, unknown>;
                    define(nodeAt(root, path.slice(0, -1)) as object, path[path.length - 1], make());
                    try {
                        // Accepted replacements go under the engine: that is where a hole in validation shows.
                        await tryArgs(root, sweep.cases % 2 === 0, `${label}: ${path.map(String).join(".")}`);
                    } catch (err) {
                        throw new Error(`${label} args, ${path.map(String).join(".")} = ${what}: ${(err as Error).message}`);
                    }
                }
            }
            for (const path of all.filter((p) => isPlain(nodeAt(args, p))).concat([[]])) {
                for (const key of ["__proto__", "constructor", "then", ""]) {
                    const root = copy(args, false) as Record<PropertyKey, unknown>;
                    define(nodeAt(root, path) as object, key, "x");
                    await tryArgs(root, false, `${label}: ${path.map(String).join(".")}.${key}`);
                }
            }
        }
    });
});
