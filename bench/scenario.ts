/**
 * One benchmark measurement, in its own process so that memory and caches start clean:
 * `node scenario.js <component|policy|baseline|record> <machines> [recording.json]` prints one
 * JSON line. `record` writes what the component registers, for `baseline` to replay.
 */
import { AsyncHook, createHook } from "node:async_hooks";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, MachineSettings } from "../sdk";
import { fakeId, RecordedResource, runProgram } from "../sdk/preview/engine";
import { PropertyValue, reveal, Secret, Unknown } from "../sdk/preview/values";

/** A fleet of `count` machines: every kind and OS, behind a proxy, with AMA and Guest Configuration. */
export function fleetArgs(count: number, mode: "machines" | "policy"): DefenderForServersNetworkRestrictedArgs {
    const machines: MachineSettings[] = Array.from({ length: count }, (_, i) => ({
        key: `m-${i}`,
        kind: i % 2 === 0 ? "azureVm" : "arc",
        os: i % 3 === 0 ? "windows" : "linux",
        resourceGroupName: `rg-${i % 10}`,
        name: `m-${i}`,
        ...(i % 2 === 0 ? { systemAssignedIdentity: true } : {}),
    }));
    return {
        subscriptionId: "11111111-2222-3333-4444-555555555555",
        location: "westeurope",
        proxy: { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] },
        machines,
        logs: {
            workspaceResourceId:
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law",
        },
        guestConfiguration: { tagExistingVms: mode === "machines" },
        rollout: { mode },
    };
}

const SECRET_KEY = "__benchSecret";

/** Recorded inputs as JSON: secrets kept as a marked object, unknowns dropped (there are none in update mode). */
function toJson(value: PropertyValue): unknown {
    if (value instanceof Secret) return { [SECRET_KEY]: toJson(value.value) };
    if (value instanceof Unknown) return undefined;
    if (Array.isArray(value)) return value.map(toJson);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
    return value;
}

/** Outputs of resources already created, by the id the mock engine gave them. */
type IdOutputs = Map<string, pulumi.Output<string>>;

/**
 * Turns recorded inputs back into program inputs, secrets re-wrapped. With `ids`, a value that
 * is the id of a resource created before is passed as that resource's `id` Output, as a
 * hand-written program passes `dcr.id` (the `baseline-refs` kind).
 */
function replay(value: unknown, ids?: IdOutputs): unknown {
    if (typeof value === "string" && ids?.has(value)) return ids.get(value);
    if (Array.isArray(value)) return value.map((v) => replay(v, ids));
    if (value !== null && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (SECRET_KEY in object) return pulumi.secret(replay(object[SECRET_KEY], ids));
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, replay(v, ids)]));
    }
    return value;
}

interface Recording {
    urn: string;
    type: string;
    name: string;
    dependencies: string[];
    retainOnDelete: boolean;
    /** The id the mock engine gave it in an update. */
    id: string;
    inputs: unknown;
}

/** The azure-native class behind a type token, e.g. `azure-native:compute:VirtualMachineExtension`. */
function classOf(type: string): new (name: string, args: unknown, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource {
    const [, module, className] = type.split(":");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`@pulumi/azure-native/${module}`)[className];
}

/**
 * The baseline: the same azure-native resources with the same inputs and the same waits,
 * registered directly by a program, without the component (no validation, no planning, no
 * component resource, no outputs).
 */
function baselineProgram(custom: Recording[], parented = false, references = false): () => void {
    return () => {
        // Experiments beside the baseline: `baseline-parented` puts the same resources under one
        // component resource (what parenting alone costs the runtime); `baseline-refs` passes
        // references to resources created before as their `id` Outputs, as the component does.
        const parent = parented ? new pulumi.ComponentResource(DefenderForServersNetworkRestricted.TYPE, "d", {}) : undefined;
        const created = new Map<string, pulumi.CustomResource>();
        const ids: IdOutputs | undefined = references ? new Map() : undefined;
        for (const r of custom) {
            const dependsOn = r.dependencies.map((urn) => created.get(urn)).filter((d): d is pulumi.CustomResource => d !== undefined);
            const Resource = classOf(r.type);
            const resource = new Resource(r.name, replay(r.inputs, ids), { dependsOn, retainOnDelete: r.retainOnDelete, parent });
            created.set(r.urn, resource);
            ids?.set(r.id, resource.id as pulumi.Output<string>);
        }
    };
}

/**
 * Runs `program` as `pulumi preview` runs a program: inside the stack's root resource
 * (`pulumi:pulumi:Stack`), which parents every resource the program does not parent itself.
 * The mock engine alone creates no stack, and a resource without any parent takes a cheaper
 * road in the SDK: its URN, and the URN of each of the version aliases azure-native gives every
 * resource, need no parent URN. Without the stack the baseline would skip work that it does
 * under a real engine and that every component's children do (about 5 % of the promises).
 */
function underStack(program: () => void): () => Promise<unknown> {
    return () =>
        runInPulumiStack(async () => {
            program();
            return undefined;
        });
}

/** Counts the promises created from now on, by async_hooks' `PROMISE` resources. */
function countPromises(): { hook: AsyncHook; count: () => number } {
    let created = 0;
    const hook = createHook({
        init(_id, type) {
            if (type === "PROMISE") created++;
        },
    }).enable();
    return { hook, count: () => created };
}

async function main(): Promise<void> {
    const [kind, countText, recordingFile] = process.argv.slice(2);
    const count = Number(countText);
    const componentProgram = (mode: "machines" | "policy") => () => {
        new DefenderForServersNetworkRestricted("d", fleetArgs(count, mode));
    };
    if (kind === "record") {
        const reference = await runProgram(underStack(componentProgram("machines")));
        const recording: Recording[] = reference.resources
            .filter((r: RecordedResource) => r.custom)
            .map((r) => ({
                urn: r.urn,
                type: r.type,
                name: r.name,
                dependencies: r.dependencies,
                retainOnDelete: r.retainOnDelete,
                id: fakeId(r.type, r.name, reveal(r.inputs as PropertyValue) as Record<string, unknown>),
                inputs: toJson(r.inputs),
            }));
        fs.writeFileSync(recordingFile, JSON.stringify(recording));
        return;
    }
    // Every azure-native class either program uses is loaded before the clock starts, as the
    // component's own modules are by its imports: azure-native loads a class's module at its
    // first use, which the component would otherwise pay inside the span and the baseline not
    // (or the other way round). What is measured is the program's run, not Node loading files.
    const recorded = JSON.parse(fs.readFileSync(recordingFile, "utf8")) as Recording[];
    for (const type of new Set(recorded.map((r) => r.type))) classOf(type);
    const program = kind.startsWith("baseline")
        ? baselineProgram(recorded, kind === "baseline-parented", kind === "baseline-refs")
        : componentProgram(kind === "policy" ? "policy" : "machines");
    // A count that, unlike time, is the same in every run of the same program: the promises the
    // run creates (the Pulumi runtime's own work is mostly promises). Only in a separate pass,
    // `BENCH_COUNT_PROMISES=1`: the hook itself costs time.
    const promises = process.env.BENCH_COUNT_PROMISES === "1" ? countPromises() : undefined;
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const run = await runProgram(underStack(program));
    promises?.hook.disable();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // CPU time (user + system) of this process over the same span: what a shared machine does not blur.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    if (kind.startsWith("baseline")) {
        // A baseline that registered anything else would not be one: same inputs, resource by resource.
        // By name: registration order follows when inputs resolve, not construction order.
        const registered = run.resources.filter((r) => r.custom);
        const byName = new Map(registered.map((r) => [r.name, r]));
        const text = (i: number) => JSON.stringify(toJson(byName.get(recorded[i].name)?.inputs ?? {}));
        const differs = recorded.map((r, i) => ({ r, i })).filter(({ r, i }) => text(i) !== JSON.stringify(r.inputs));
        if (registered.length !== recorded.length || differs.length > 0) {
            const first = differs[0];
            throw new Error(
                `${kind} registered other inputs than the component for ${differs.map(({ r }) => r.name).join(", ")}` +
                    (first === undefined
                        ? ""
                        : `; first: ${text(first.i).slice(0, 400)} instead of ${JSON.stringify(first.r.inputs).slice(0, 400)}`),
            );
        }
    }
    process.stdout.write(
        `${JSON.stringify({ kind, machines: count, seconds, cpuSeconds, peakRssMiB, promises: promises?.count(), resources: run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length })}\n`,
    );
}

// Run only as a script: bench/previewProgram.ts imports fleetArgs from here.
if (require.main === module) {
    main().catch((err) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    });
}
