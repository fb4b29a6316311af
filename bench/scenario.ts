/**
 * One benchmark measurement, in its own process so that memory and caches start clean:
 * `node scenario.js <component|policy|baseline|record> <machines> [recording.json]` prints one
 * JSON line. `record` writes what the component registers, for `baseline` to replay.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, MachineSettings } from "../sdk";
import { RecordedResource, runProgram } from "../sdk/preview/engine";
import { PropertyValue, Secret, Unknown } from "../sdk/preview/values";

/** A fleet of `count` machines: every kind and OS, behind a proxy, with AMA and Guest Configuration. */
export function fleetArgs(count: number, mode: "machines" | "policy"): DefenderForServersNetworkRestrictedArgs {
    const machines: MachineSettings[] = Array.from({ length: count }, (_, i) => ({
        key: `m-${i}`,
        kind: i % 2 === 0 ? "azureVm" : "arc",
        os: i % 3 === 0 ? "windows" : "linux",
        resourceGroupName: `rg-${i % 10}`,
        name: `m-${i}`,
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

/** Turns recorded inputs back into program inputs, secrets re-wrapped. */
function replay(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(replay);
    if (value !== null && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (SECRET_KEY in object) return pulumi.secret(replay(object[SECRET_KEY]));
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, replay(v)]));
    }
    return value;
}

interface Recording {
    urn: string;
    type: string;
    name: string;
    dependencies: string[];
    retainOnDelete: boolean;
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
function baselineProgram(custom: Recording[], parented = false): () => void {
    return () => {
        // `baseline-parented` (an experiment, not a benchmark row): the same resources under one
        // component resource, to measure what parenting alone costs the runtime.
        const parent = parented ? new pulumi.ComponentResource(DefenderForServersNetworkRestricted.TYPE, "d", {}) : undefined;
        const created = new Map<string, pulumi.CustomResource>();
        for (const r of custom) {
            const dependsOn = r.dependencies.map((urn) => created.get(urn)).filter((d): d is pulumi.CustomResource => d !== undefined);
            const Resource = classOf(r.type);
            created.set(r.urn, new Resource(r.name, replay(r.inputs), { dependsOn, retainOnDelete: r.retainOnDelete, parent }));
        }
    };
}

async function main(): Promise<void> {
    const [kind, countText, recordingFile] = process.argv.slice(2);
    const count = Number(countText);
    const componentProgram = (mode: "machines" | "policy") => () => {
        new DefenderForServersNetworkRestricted("d", fleetArgs(count, mode));
    };
    if (kind === "record") {
        const reference = await runProgram(componentProgram("machines"));
        const recording: Recording[] = reference.resources
            .filter((r: RecordedResource) => r.custom)
            .map((r) => ({
                urn: r.urn,
                type: r.type,
                name: r.name,
                dependencies: r.dependencies,
                retainOnDelete: r.retainOnDelete,
                inputs: toJson(r.inputs),
            }));
        fs.writeFileSync(recordingFile, JSON.stringify(recording));
        return;
    }
    const program =
        kind === "baseline" || kind === "baseline-parented"
            ? baselineProgram(JSON.parse(fs.readFileSync(recordingFile, "utf8")) as Recording[], kind === "baseline-parented")
            : componentProgram(kind === "policy" ? "policy" : "machines");
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const run = await runProgram(program);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // CPU time (user + system) of this process over the same span: what a shared machine does not blur.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(`${JSON.stringify({ kind, machines: count, seconds, cpuSeconds, peakRssMiB, resources: run.resources.length })}\n`);
}

// Run only as a script: bench/previewProgram.ts imports fleetArgs from here.
if (require.main === module) {
    main().catch((err) => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    });
}
