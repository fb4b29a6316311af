/**
 * The pure layers at fleet scale, in their own process: `node pureLayers.js <machines>` prints one
 * JSON line with each layer's CPU seconds for a fleet of that size (the median of REPEAT runs after
 * one warm-up run). `bench/run.ts` runs it for each of BENCH_PURE_SIZES in one run and reports how
 * much each layer grows: work that grows with the fleet grows tenfold from 1,000 to 10,000 machines,
 * work that compares every machine with every other a hundredfold.
 *
 * No engine: the mock engine's own cost per machine (the `baseline` rows) would hide these layers.
 */
import { DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { egressPlan } from "../sdk/components/egress";
import { egressWithGateway } from "../sdk/plan/arcGateway";
import { EgressDestination } from "../sdk/plan/egress";
import { egressInputForMachine } from "../sdk/plan/fleetEgress";
import { MACHINE_RESOURCE_PARTS, machineResourceName } from "../sdk/plan/machineNames";
import { machineRouteChecks } from "../sdk/plan/machineRouteCheck";
import { policyRouteChecks, rolloutPolicies } from "../sdk/plan/policy";
import {
    arcAgentProxyRunCommand,
    arcAgentProxyVerifyRunCommand,
    osProxyRunCommand,
    osProxyVerifyRunCommand,
} from "../sdk/plan/runCommands";
import { compareReports } from "../sdk/preview/compare";
import { PreviewReport } from "../sdk/preview/report";
import { claimMachines } from "../sdk/resources/machineRegistry";
import { arcBypassFor, machineResourceId } from "../sdk/resources/machines";
import { NormalizedArgs, validate } from "../sdk/validate";
import { assembleFacts, FleetRows, selectMachines } from "../sdk/verify/assemble";
import { renderTable } from "../sdk/verify/render";
import { verdictFor } from "../sdk/verify/verdict";
import { fleetArgs } from "./scenario";

const REPEAT = 5;
const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";

/** Policy mode, with the fleet's machine ids as the MDE gate lists them: half to retry, the other half excluded. */
function policyArgs(count: number): DefenderForServersNetworkRestrictedArgs {
    const args = fleetArgs(count, "policy");
    const ids = (args.machines ?? []).map(
        (m) =>
            `/subscriptions/${SUBSCRIPTION}/resourceGroups/${m.resourceGroupName}/providers/${m.kind === "arc" ? "Microsoft.HybridCompute/machines" : "Microsoft.Compute/virtualMachines"}/${m.name}`,
    );
    const half = Math.floor(ids.length / 2);
    return { ...args, rollout: { mode: "policy", retryMachineIds: ids.slice(0, half), excludedMachineIds: ids.slice(half) } };
}

/** What `prepareMachine` computes for each machine before it registers anything: route checks, run commands, names. */
function planMachines(settings: NormalizedArgs): void {
    const { input, bypass } = egressPlan(settings);
    const regional = new Map<string, EgressDestination[]>();
    const proxy = settings.proxy!;
    for (const machine of settings.machines) {
        const own = egressInputForMachine(settings, machine, input);
        const key = `${machine.location}/${own.privateLink.arcMachinesOutsideScope === true}`;
        if (!regional.has(key)) regional.set(key, egressWithGateway(settings, own));
        const checks = machineRouteChecks(regional.get(key)!, machine, { mde: true, mdeOnLinux: true });
        osProxyRunCommand(machine.os, proxy, bypass, checks.os);
        osProxyVerifyRunCommand(machine.os, machine.kind, proxy, bypass);
        if (machine.kind === "arc") {
            arcAgentProxyRunCommand(machine.os, proxy, arcBypassFor(settings, machine), bypass, checks.arc);
            arcAgentProxyVerifyRunCommand(machine.os, proxy, arcBypassFor(settings, machine), bypass);
        }
        for (const part of MACHINE_RESOURCE_PARTS) machineResourceName("d", part, machine);
        machineResourceId(settings.subscriptionId, machine);
    }
}

/** Policy mode's plan: the egress list and the policy definitions (the listed machines only inform the regions). */
function planPolicies(settings: NormalizedArgs): void {
    const { egress, bypass } = egressPlan(settings);
    const agents = { mde: true, mdeOnLinux: true, azureMonitorAgent: false, guestConfiguration: true };
    rolloutPolicies({
        routeChecks: (kind, os) => policyRouteChecks(egress, kind, os, agents),
        proxy: settings.proxy,
        bypass,
        arcBypass: [],
        azureMonitorAgent: false,
        dataCollectionEndpoint: false,
        guestConfigurationTag: true,
    });
}

/**
 * Resource Graph's rows for `count` machines, as verify reads them: two extensions, an EDR
 * assessment, a Guest Configuration assignment and a heartbeat each, and a Defender pricing of its
 * own on every other machine (`machines[].defenderPlan`) beside the subscription's.
 */
function verifyRows(count: number): FleetRows {
    const machines = Array.from({ length: count }, (_, i) => ({
        id: `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg-${i % 10}/providers/microsoft.compute/virtualmachines/m-${i}`,
        name: `m-${i}`,
        kind: "vm" as const,
        subscriptionId: SUBSCRIPTION,
        location: "westeurope",
        os: i % 3 === 0 ? "windows" : "linux",
        powerState: "PowerState/running",
        arcStatus: "",
        arcAgentVersion: "",
        arcLastStatusChange: "",
    }));
    const extension = (machineId: string, extensionType: string, provisioningState: string) => ({
        machineId,
        name: extensionType,
        extensionType,
        provisioningState,
        message: "",
        version: "1.0",
    });
    const pricing = (id: string, subPlan: string) => ({ id, subscriptionId: SUBSCRIPTION, pricingTier: "Standard", subPlan });
    return {
        machines,
        extensions: machines.flatMap((m, i) => [
            extension(m.id, m.os === "windows" ? "MDE.Windows" : "MDE.Linux", i % 5 === 0 ? "Failed" : "Succeeded"),
            extension(m.id, "AzureMonitorLinuxAgent", "Succeeded"),
        ]),
        pricings: [
            pricing(`/subscriptions/${SUBSCRIPTION}/providers/microsoft.security/pricings/virtualmachines`, "P2"),
            ...machines
                .filter((_, i) => i % 2 === 1)
                .map((m) => pricing(`${m.id}/providers/microsoft.security/pricings/virtualmachines`, "P1")),
        ],
        assessments: machines.map((m, i) => ({
            machineId: m.id,
            recommendation: "edrInstalled" as const,
            status: i % 4 === 0 ? "Unhealthy" : "Healthy",
            cause: "",
            description: "",
        })),
        guestConfiguration: machines.map((m) => ({
            machineId: m.id,
            name: "AzureLinuxBaseline",
            complianceStatus: "Compliant",
            lastChecked: "",
        })),
        heartbeats: machines.map((m) => ({ machineId: m.id, lastHeartbeat: "2026-12-06T09:55:00Z" })),
    };
}

/** verify's pure half: the machines a `--machines` list names, the rows joined per machine, the verdicts and the table. */
function judge(rows: FleetRows, names: string[]): void {
    const machines = selectMachines(rows.machines, names);
    const facts = assembleFacts({ ...rows, machines });
    const now = new Date("2026-12-06T10:00:00Z");
    renderTable(facts.map((f) => verdictFor(f, { now, heartbeatMaxAgeMinutes: 15 })));
}

/** A preview report with nothing but `warnings` (what `--compare` pairs). */
function warningsReport(warnings: string[]): PreviewReport {
    const empty = { resources: [], errors: [], outputs: {}, notes: [], egress: [], mockedReads: [] };
    return { formatVersion: 1, project: "bench", stack: "bench", warnings, summary: { create: 0, byType: {} }, ...empty };
}

/** A warning per machine on both sides, each reworded, the head listing the machines in the other order. */
function rewordedWarnings(count: number): [PreviewReport, PreviewReport] {
    const names = Array.from({ length: count }, (_, i) => `m-${i}`);
    const base = names.map((m) => `machine ${m}: Guest Configuration needs an identity`);
    const head = [...names].reverse().map((m) => `machine ${m}: Guest Configuration needs a system-assigned identity`);
    return [warningsReport(base), warningsReport(head)];
}

/** Each layer: what it is called in the results, and its work for a fleet of `count` (inputs built outside the timing). */
export const LAYERS: Array<[string, (count: number) => () => unknown]> = [
    [
        "validate: per-machine mode",
        (count) => {
            const args = fleetArgs(count, "machines");
            return () => validate(args);
        },
    ],
    [
        "validate: policy mode, every machine to retry or excluded",
        (count) => {
            const args = policyArgs(count);
            return () => validate(args);
        },
    ],
    [
        "plan: per-machine mode (egress, each machine's route checks, run commands and names)",
        (count) => {
            const settings = validate(fleetArgs(count, "machines")).args;
            return () => planMachines(settings);
        },
    ],
    [
        "plan: policy mode (egress and policy definitions)",
        (count) => {
            const settings = validate(fleetArgs(count, "policy")).args;
            return () => planPolicies(settings);
        },
    ],
    [
        "machine registry: an instance per machine, each claiming its machine",
        (count) => {
            const machines = validate(fleetArgs(count, "machines")).args.machines;
            let run = 0;
            return () => {
                const deployment = `bench#${run++}`;
                machines.forEach((machine, i) => claimMachines(deployment, SUBSCRIPTION, `instance-${i}`, [machine]));
            };
        },
    ],
    [
        "verify: select, join Resource Graph rows, judge and print",
        (count) => {
            const rows = verifyRows(count);
            const names = rows.machines.map((m) => m.name);
            return () => judge(rows, names);
        },
    ],
    [
        "preview --compare: a warning per machine, each reworded",
        (count) => {
            const [base, head] = rewordedWarnings(count);
            return () => compareReports(base, head);
        },
    ],
];

function cpuSeconds(work: () => unknown): number {
    // Each sample starts on a collected heap (node --expose-gc), so it pays for its own garbage only.
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.cpuUsage();
    work();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
}

function main(): void {
    const count = Number(process.argv[2]);
    const layers: Record<string, number> = {};
    for (const [name, prepare] of LAYERS) {
        const work = prepare(count);
        work();
        const samples = Array.from({ length: REPEAT }, () => cpuSeconds(work)).sort((a, b) => a - b);
        layers[name] = samples[Math.floor(REPEAT / 2)];
    }
    process.stdout.write(`${JSON.stringify({ machines: count, layers })}\n`);
}

if (require.main === module) main();
