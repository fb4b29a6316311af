/**
 * Joins the rows of the separate queries into one `MachineFacts` per machine. Pure.
 */
import { UsageError } from "./options";
import { AMA_EXTENSION_TYPES, MDE_EXTENSION_TYPES } from "./queries";
import {
    AssessmentRow,
    ExtensionRow,
    GuestConfigurationRow,
    HeartbeatRow,
    MachineFacts,
    MachineRow,
    PricingRow,
    ProbeResult,
} from "./types";

/** Everything read from Azure, as rows. */
export interface FleetRows {
    machines: MachineRow[];
    extensions: ExtensionRow[];
    pricings: PricingRow[];
    assessments: AssessmentRow[];
    guestConfiguration: GuestConfigurationRow[];
    /** Undefined when no workspace was given. */
    heartbeats?: HeartbeatRow[];
    /** Probe results by machine id; undefined without `--probe`. */
    probes?: Map<string, ProbeResult>;
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
    const map = new Map<string, T[]>();
    for (const row of rows) {
        const k = key(row);
        const list = map.get(k);
        if (list === undefined) map.set(k, [row]);
        else list.push(row);
    }
    return map;
}

const PRICINGS = "/providers/microsoft.security/pricings/";

/**
 * The pricings by the scope they apply to, each key once, the first listed kept (as a scan of the
 * list finds it): looked up per machine, so that a fleet with a pricing of its own on each machine
 * is joined in linear time, not by a scan of every pricing for every machine.
 */
export interface PricingIndex {
    /** Machine-level pricings, by the id they sit under: `<machine id>/providers/microsoft.security/pricings/<name>`. */
    underId: Map<string, PricingRow>;
    /** Every pricing by its own id (the subscription's is looked up by its id). */
    byId: Map<string, PricingRow>;
}

/** Indexes `pricings` for {@link pricingFor}. */
export function indexPricings(pricings: PricingRow[]): PricingIndex {
    const underId = new Map<string, PricingRow>();
    const byId = new Map<string, PricingRow>();
    for (const p of pricings) {
        if (!byId.has(p.id)) byId.set(p.id, p);
        // Every place the pricings segment starts is a scope the id may sit under (one, in any id Azure gives).
        for (let at = p.id.indexOf(PRICINGS); at >= 0; at = p.id.indexOf(PRICINGS, at + 1)) {
            const scope = p.id.slice(0, at);
            if (!underId.has(scope)) underId.set(scope, p);
        }
    }
    return { underId, byId };
}

/** The pricing in effect for a machine: one at the machine's own scope wins over the subscription's. */
export function pricingFor(
    machine: MachineRow,
    pricings: PricingRow[] | PricingIndex,
): { pricing?: PricingRow; scope?: "machine" | "subscription" } {
    const index = Array.isArray(pricings) ? indexPricings(pricings) : pricings;
    const own = index.underId.get(machine.id);
    if (own !== undefined) return { pricing: own, scope: "machine" };
    const subscription = index.byId.get(`/subscriptions/${machine.subscriptionId}${PRICINGS}virtualmachines`);
    return subscription === undefined ? {} : { pricing: subscription, scope: "subscription" };
}

/** The newest heartbeat per machine across every workspace given. */
function newestHeartbeats(rows: HeartbeatRow[]): Map<string, HeartbeatRow> {
    const newest = new Map<string, HeartbeatRow>();
    for (const row of rows) {
        const seen = newest.get(row.machineId);
        if (seen === undefined || Date.parse(row.lastHeartbeat) > Date.parse(seen.lastHeartbeat)) newest.set(row.machineId, row);
    }
    return newest;
}

/** One `MachineFacts` per machine, in the machines' order. */
export function assembleFacts(rows: FleetRows): MachineFacts[] {
    const extensions = groupBy(rows.extensions, (e) => e.machineId);
    const assessments = new Map(rows.assessments.filter((a) => a.recommendation === "edrInstalled").map((a) => [a.machineId, a]));
    const configuration = new Map(rows.assessments.filter((a) => a.recommendation === "edrConfiguration").map((a) => [a.machineId, a]));
    const guestConfiguration = groupBy(rows.guestConfiguration, (g) => g.machineId);
    const heartbeats = rows.heartbeats === undefined ? undefined : newestHeartbeats(rows.heartbeats);
    const pricings = indexPricings(rows.pricings);
    const isType = (types: string[]) => (e: ExtensionRow) => types.some((t) => t.toLowerCase() === e.extensionType.toLowerCase());
    return rows.machines.map((machine): MachineFacts => {
        const own = extensions.get(machine.id) ?? [];
        const { pricing, scope } = pricingFor(machine, pricings);
        const probe = rows.probes?.get(machine.id);
        const edr = assessments.get(machine.id);
        const edrConfiguration = configuration.get(machine.id);
        const mde = own.find(isType(MDE_EXTENSION_TYPES));
        const ama = own.find(isType(AMA_EXTENSION_TYPES));
        const last = heartbeats?.get(machine.id);
        return {
            machine,
            ...(pricing !== undefined ? { pricing, pricingScope: scope } : {}),
            ...(mde !== undefined ? { mde } : {}),
            ...(ama !== undefined ? { ama } : {}),
            ...(edr !== undefined ? { edr } : {}),
            ...(edrConfiguration !== undefined ? { edrConfiguration } : {}),
            guestConfiguration: guestConfiguration.get(machine.id) ?? [],
            ...(heartbeats !== undefined ? { heartbeat: { checked: true as const, ...(last !== undefined ? { last } : {}) } } : {}),
            ...(probe !== undefined ? { probe } : {}),
        };
    });
}

/**
 * Keeps the machines named in `selection` (ARM ids, or bare names when unambiguous). Throws, naming
 * them, when a selected machine is not in scope: a list that silently shrinks would pass a scheduled check.
 */
export function selectMachines(machines: MachineRow[], selection: string[] | undefined): MachineRow[] {
    if (selection === undefined) return machines;
    const wanted = selection.map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
    const chosen = new Map<string, MachineRow>();
    const missing: string[] = [];
    // Looked up, not scanned per name: a list exported from a stack names thousands of machines.
    const byId = groupBy(machines, (m) => m.id);
    const byName = groupBy(machines, (m) => m.name.toLowerCase());
    for (const w of wanted) {
        const matches = (w.startsWith("/subscriptions/") ? byId.get(w) : byName.get(w)) ?? [];
        if (matches.length === 0) missing.push(w);
        else if (matches.length > 1)
            throw new UsageError(`machine "${w}" matches ${matches.length} machines in scope; give its full ARM id instead`);
        else chosen.set(matches[0].id, matches[0]);
    }
    if (missing.length > 0)
        throw new UsageError(
            `not found in scope: ${missing.join(", ")} (check the subscription or management group, and the reader's access)`,
        );
    return machines.filter((m) => chosen.has(m.id));
}

/**
 * The VM MDE extensions whose message is worth one more call (Resource Graph does not hold a VM extension's
 * instance view): those not Succeeded, and those Succeeded on a machine Defender's EDR assessment calls Unhealthy,
 * the quiet failure whose message says why.
 */
export function extensionsNeedingMessage(
    machines: MachineRow[],
    extensions: ExtensionRow[],
    assessments: AssessmentRow[],
): Array<{ machine: MachineRow; extension: ExtensionRow }> {
    const unhealthy = new Set(
        assessments.filter((a) => a.recommendation === "edrInstalled" && a.status === "Unhealthy").map((a) => a.machineId),
    );
    const byId = new Map(machines.filter((m) => m.kind === "vm").map((m) => [m.id, m]));
    return extensions
        .filter((e) => MDE_EXTENSION_TYPES.some((t) => t.toLowerCase() === e.extensionType.toLowerCase()) && e.message === "")
        .filter((e) => byId.has(e.machineId) && (e.provisioningState !== "Succeeded" || unhealthy.has(e.machineId)))
        .map((extension) => ({ machine: byId.get(extension.machineId)!, extension }));
}
