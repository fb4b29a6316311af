/** Shared by the test/pure/validate*.spec.ts files: run one reader of sdk/validate on a fresh problem list, and plain machines. */
import { strict as assert } from "node:assert";
import { MachinePart } from "../../sdk/validate/machines";
import { MachinePlan } from "../../sdk/validate/fleet";
import { NormalizedPlan } from "../../sdk/validate/plan";
import { Problem, ProblemList } from "../../sdk/validate/problems";
import { NormalizedProxy, readProxy } from "../../sdk/validate/proxy";
import { read as readProblems } from "./validateRead";

/** What a reader returned, and what it reported, each problem as `path: message`. */
export interface ReadResult<T> {
    value: T;
    errors: string[];
    warnings: string[];
}

/** Runs `reader` on a fresh problem list (validateRead.ts), each problem as `path: message`. */
export function read<T>(reader: (problems: ProblemList) => T): ReadResult<T> {
    const { value, errors, warnings } = readProblems(reader);
    const lines = (list: Problem[]) => list.map((p) => `${p.path}: ${p.message}`);
    return { value, errors: lines(errors), warnings: lines(warnings) };
}

/** The paths of `lines` (`path: message`), in order. */
export function paths(lines: string[]): string[] {
    return lines.map((line) => line.slice(0, line.indexOf(": ")));
}

/** A subscription GUID (lower case, as validate() keeps it) and another one; with letters, so that letter case can matter. */
export const SUB = "1111aaaa-2222-3333-4444-55555555bbbb";
export const OTHER_SUB = "9999cccc-8888-7777-6666-55555555dddd";

/**
 * `plan` absent, as sdk/args.ts documents it: Plan 2, agentless scanning on, File Integrity Monitoring off, not the
 * MDE designated subscription, no vulnerability-management switch, no extension set explicitly.
 */
export const P2_DEFAULTS: NormalizedPlan = {
    subPlan: "P2",
    explicit: [],
    agentlessScanning: true,
    agentlessScanningExclusionTags: {},
    fileIntegrityMonitoring: false,
    mdeDesignatedSubscription: false,
    defenderVulnerabilityManagement: false,
};

/** A proxy without credentials at proxy.corp.example:3128 (route check on by default), as readProxy returns it, with `parts` changed. */
export function normalizedProxy(parts: Partial<NormalizedProxy> = {}): NormalizedProxy {
    const { value, errors } = read((problems) => readProxy(problems, { address: "http://proxy.corp.example:3128" }));
    assert.deepEqual(errors, []);
    return { ...value!, ...parts };
}

/** A machine with its parts decided, as planFleet returns it: every part on unless `parts` says otherwise. */
export function machinePlan(
    index: number,
    machine: Partial<Omit<MachinePlan, "parts">> & Pick<MachinePlan, "kind" | "os">,
    parts: Partial<Record<MachinePart, boolean>> = {},
): MachinePlan {
    const key = machine.key ?? `m${index}`;
    return {
        key,
        resourceGroupName: "rg-app",
        name: key,
        location: "westeurope",
        arcPrivateLinkScope: "none",
        excluded: [],
        path: `machines[${index}]`,
        ...machine,
        parts: { osProxy: true, azureMonitorAgent: true, legacyAgent: false, guestConfiguration: false, ...parts },
    };
}
