/** Validation of `machines`: identity, kind, OS, and which parts each one gets. */
import * as pulumi from "@pulumi/pulumi";
import * as choices from "../args";
import { CloudName } from "../clouds";
import { MACHINE_RESOURCE_PARTS } from "../plan/machineNames";
import { describe, isObject, readBoolean, readChoice, rejectUnknownKeys } from "./fields";
import { readLocation } from "./location";
import { ProblemList } from "./problems";

/** The parts the component can put on a machine; each can be left out per machine. */
export const MACHINE_PARTS = Object.values(choices.MachinePart);

/** One of `MACHINE_PARTS`. */
export type MachinePart = (typeof MACHINE_PARTS)[number];

/** A machine after validation, before the fleet-wide settings decide its parts. */
export interface NormalizedMachine {
    key: string;
    /** The key the machine had before a rename: its resources alias their names under it. */
    previousKey?: string;
    kind: choices.MachineKind;
    os: choices.Os;
    resourceGroupName: pulumi.Input<string>;
    name: pulumi.Input<string>;
    location: string;
    systemAssignedIdentity?: boolean;
    /** Defender for Servers at this machine's own scope: `P1`, or `Free` to leave it out; unset: the subscription's plan. */
    defenderPlan?: choices.MachineDefenderPlan;
    /** Resource id of a user-assigned identity attached to the Azure VM, which AMA signs in with. */
    userAssignedIdentityId?: string;
    /** Arc machines: whether the machine is associated with the component's Arc Private Link Scope (`none`, `associated`, `associateByPolicy`). */
    arcPrivateLinkScope: ArcScopeAssociation;
    excluded: MachinePart[];
    /** Azure VMs created from a generalized OS image, which Defender for Cloud does not provision MDE on by itself. */
    fromGeneralizedImage?: boolean;
    /** Where the machine sits in the args, for messages. */
    path: string;
}

const MACHINE_FIELDS = [
    "key",
    "previousKey",
    "kind",
    "os",
    "resourceGroupName",
    "name",
    "location",
    "systemAssignedIdentity",
    "userAssignedIdentityId",
    "arcPrivateLinkScope",
    "exclude",
    "defenderPlan",
    "fromGeneralizedImage",
] as const;

/** How an Arc machine stands to the component's Arc Private Link Scope. */
export const ARC_SCOPE_ASSOCIATIONS = Object.values(choices.ArcScopeAssociation);

/** One of `ARC_SCOPE_ASSOCIATIONS`. */
export type ArcScopeAssociation = (typeof ARC_SCOPE_ASSOCIATIONS)[number];

const USER_ASSIGNED_IDENTITY =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i;
// Lower-case so that names derived from it are valid everywhere Azure and Pulumi use them.
const KEY = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** A key's format, for `key` and `previousKey` alike: an old key must still make valid names. */
function isKey(value: unknown): value is string {
    return typeof value === "string" && KEY.test(value);
}

const KEY_FORMAT = "must be 1-40 lower-case letters, digits and dashes, not starting or ending with a dash";

function readKey(problems: ProblemList, value: unknown, path: string): string | undefined {
    if (value === undefined || value === "") {
        problems.error(path, 'is required: a stable, unique name for this machine\'s resources, e.g. "web-01"');
        return undefined;
    }
    if (!isKey(value)) {
        problems.error(path, `${describe(value)} ${KEY_FORMAT}`);
        return undefined;
    }
    return value;
}

function readPreviousKey(problems: ProblemList, value: unknown, path: string, key: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    if (!isKey(value)) {
        problems.error(path, `${describe(value)} ${KEY_FORMAT}: give the key exactly as it was, or remove previousKey`);
        return undefined;
    }
    if (value === key) {
        problems.error(path, `"${value}" is this machine's key already; previousKey is the key it had before a rename: remove it`);
        return undefined;
    }
    return value;
}

function readRequiredInput(problems: ProblemList, value: unknown, path: string, what: string): pulumi.Input<string> | undefined {
    if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
        problems.error(path, `is required: the ${what}`);
        return undefined;
    }
    if (typeof value !== "string" && !pulumi.Output.isInstance(value) && typeof (value as Promise<unknown>).then !== "function") {
        problems.error(path, `expected a string or an Output of one (the ${what})`);
        return undefined;
    }
    if (typeof value === "string" && /[/\\?#]/.test(value)) {
        problems.error(path, `${JSON.stringify(value)} is not a name: give the ${what} alone, not a path or resource id`);
        return undefined;
    }
    return value as pulumi.Input<string>;
}

function readExclusions(problems: ProblemList, value: unknown, path: string): MachinePart[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        problems.error(path, `expected a list of parts to leave out: ${MACHINE_PARTS.join(", ")}`);
        return [];
    }
    const parts: MachinePart[] = [];
    value.forEach((entry, i) => {
        const part = readRequiredChoice(problems, entry, `${path}[${i}]`, MACHINE_PARTS);
        if (part !== undefined) parts.push(part);
    });
    return parts;
}

function readMachine(
    problems: ProblemList,
    value: unknown,
    path: string,
    defaultLocation: string | undefined,
    cloud: CloudName,
): NormalizedMachine | undefined {
    if (!isObject(value)) {
        problems.error(path, "expected a machine: { key, kind, os, resourceGroupName, name }");
        return undefined;
    }
    rejectUnknownKeys(problems, value, path, MACHINE_FIELDS);
    const key = readKey(problems, value.key, `${path}.key`);
    const previousKey = readPreviousKey(problems, value.previousKey, `${path}.previousKey`, key);
    const kind = readRequiredChoice(problems, value.kind, `${path}.kind`, Object.values(choices.MachineKind));
    const os = readRequiredChoice(problems, value.os, `${path}.os`, Object.values(choices.Os));
    const resourceGroupName = readRequiredInput(problems, value.resourceGroupName, `${path}.resourceGroupName`, "machine's resource group");
    const name = readRequiredInput(problems, value.name, `${path}.name`, "VM or Arc machine name");
    const location = value.location === undefined ? defaultLocation : readLocation(problems, value.location, `${path}.location`, cloud);
    const systemAssignedIdentity = readBoolean(problems, value.systemAssignedIdentity, `${path}.systemAssignedIdentity`);
    const fromGeneralizedImage = readBoolean(problems, value.fromGeneralizedImage, `${path}.fromGeneralizedImage`);
    if (kind === "arc" && fromGeneralizedImage !== undefined) {
        problems.error(
            `${path}.fromGeneralizedImage`,
            "applies to Azure VMs only (Arc machines get MDE through their Arc agent): remove it",
        );
    }
    const excluded = readExclusions(problems, value.exclude, `${path}.exclude`);
    const defenderPlan =
        value.defenderPlan === undefined
            ? undefined
            : readRequiredChoice(problems, value.defenderPlan, `${path}.defenderPlan`, Object.values(choices.MachineDefenderPlan));
    const userAssignedIdentityId = readUserAssignedIdentity(problems, value.userAssignedIdentityId, `${path}.userAssignedIdentityId`);
    const arcPrivateLinkScope = readChoice(
        problems,
        value.arcPrivateLinkScope,
        `${path}.arcPrivateLinkScope`,
        ARC_SCOPE_ASSOCIATIONS,
        "none",
    );
    if (kind === "azureVm" && value.arcPrivateLinkScope !== undefined) {
        problems.error(
            `${path}.arcPrivateLinkScope`,
            "applies to Arc machines only; an Azure VM does not join an Arc Private Link Scope: remove it",
        );
    }
    if (kind === "arc" && userAssignedIdentityId !== undefined) {
        // azure-docs azure-monitor/agents/azure-monitor-agent-requirements.md: "System-assigned managed identity is the only supported authentication for Azure Arc-enabled servers".
        problems.error(
            `${path}.userAssignedIdentityId`,
            "applies to Azure VMs only: on Arc machines the Azure Monitor Agent signs in with the machine's own system-assigned identity only; remove it",
        );
    }
    if (kind === "arc" && systemAssignedIdentity !== undefined) {
        problems.error(
            `${path}.systemAssignedIdentity`,
            "applies to Azure VMs only; Arc machines always have their own identity: remove it",
        );
    }
    if (kind === "arc" && excluded.includes("guestConfiguration")) {
        problems.error(
            `${path}.exclude`,
            "Arc machines have Guest Configuration built into their agent; there is nothing to leave out: remove guestConfiguration",
        );
    }
    if (
        key === undefined ||
        kind === undefined ||
        os === undefined ||
        resourceGroupName === undefined ||
        name === undefined ||
        location === undefined
    ) {
        return undefined;
    }
    return {
        key,
        ...(previousKey !== undefined ? { previousKey } : {}),
        kind,
        os,
        resourceGroupName,
        name,
        location,
        systemAssignedIdentity,
        userAssignedIdentityId,
        arcPrivateLinkScope,
        defenderPlan,
        ...(fromGeneralizedImage === true ? { fromGeneralizedImage } : {}),
        excluded,
        path,
    };
}

/** A user-assigned identity's resource id, checked for shape. */
function readUserAssignedIdentity(problems: ProblemList, value: unknown, path: string): string | undefined {
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string" || !USER_ASSIGNED_IDENTITY.test(value)) {
        problems.error(
            path,
            `${describe(value)} is not a user-assigned identity's resource id; expected /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name> (attached to the VM)`,
        );
        return undefined;
    }
    return value;
}

function readRequiredChoice<T extends string>(problems: ProblemList, value: unknown, path: string, allowed: readonly T[]): T | undefined {
    if (value === undefined || value === "") {
        problems.error(path, `is required; use ${allowed.map((a) => `"${a}"`).join(" or ")}`);
        return undefined;
    }
    const before = problems.errors.length;
    const chosen = readChoice(problems, value, path, allowed, allowed[0]);
    return problems.errors.length === before ? chosen : undefined;
}

/** Reads `machines`; machines with problems are reported and left out of the result. */
export function readMachines(
    problems: ProblemList,
    value: unknown,
    defaultLocation: string | undefined,
    cloud: CloudName = "AzureCloud",
): NormalizedMachine[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
        problems.error("machines", "expected a list of machines");
        return [];
    }
    const machines: NormalizedMachine[] = [];
    const firstByKey = new Map<string, number>();
    const nameOwners = new Map<string, { index: number; key: string }>();
    // By resource id: one lookup per machine, so a fleet of 10,000 is read in linear time. A machine
    // whose id is unknown until deployment (an Output name) is never entered, so never matched.
    const byIdentity = new Map<string | undefined, NormalizedMachine>();
    value.forEach((entry, i) => {
        const machine = readMachine(problems, entry, `machines[${i}]`, defaultLocation, cloud);
        if (machine === undefined) return;
        const first = firstByKey.get(machine.key);
        if (first !== undefined) {
            problems.error(
                `machines[${i}].key`,
                `"${machine.key}" is already the key of machines[${first}]; keys name resources and must be unique`,
            );
            return;
        }
        const names = MACHINE_RESOURCE_PARTS.map((part) => `${part}-${machine.key}`);
        const clash = names.find((name) => nameOwners.has(name));
        if (clash !== undefined) {
            const owner = nameOwners.get(clash)!;
            problems.error(
                `machines[${i}].key`,
                `"${machine.key}" and the key of machines[${owner.index}] ("${owner.key}") would give two resources one name (<name>-${clash}); choose another key`,
            );
            return;
        }
        const identity = machineIdentity(machine);
        const same = byIdentity.get(identity);
        if (same !== undefined) {
            problems.error(
                `machines[${i}].name`,
                `names the same ${machine.kind === "arc" ? "Arc machine" : "Azure VM"} as ${same.path} ("${same.key}"): ${identity} (Azure resource ids ignore letter case); list each machine once, or two OS-proxy run commands and two agent extensions would be declared on it`,
            );
            return;
        }
        for (const name of names) nameOwners.set(name, { index: i, key: machine.key });
        if (identity !== undefined) byIdentity.set(identity, machine);
        firstByKey.set(machine.key, i);
        machines.push(machine);
    });
    checkPreviousKeys(problems, machines, firstByKey, nameOwners);
    return machines;
}

/**
 * A machine's resource id below the subscription, lower-cased (ARM ids are case-insensitive), or
 * undefined when its resource group or name is an Output and so unknown while the args are read.
 */
export function machineIdentity(machine: Pick<NormalizedMachine, "kind" | "resourceGroupName" | "name">): string | undefined {
    const { resourceGroupName: group, name } = machine;
    if (typeof group !== "string" || typeof name !== "string") return undefined;
    const provider = machine.kind === "azureVm" ? "Microsoft.Compute/virtualMachines" : "Microsoft.HybridCompute/machines";
    return `/resourceGroups/${group}/providers/${provider}/${name}`.toLowerCase();
}

/**
 * An old name a machine's resources alias must be free: the engine would otherwise give one
 * state entry to two resources. Checked once every current key is known, since a later machine
 * may hold it. A refused previousKey is dropped, so the error is the only one about it.
 */
function checkPreviousKeys(
    problems: ProblemList,
    machines: NormalizedMachine[],
    keyOwners: Map<string, number>,
    nameOwners: Map<string, { index: number; key: string }>,
): void {
    const aliasOwners = new Map<string, { index: number; previousKey: string }>();
    for (const machine of machines) {
        const previousKey = machine.previousKey;
        if (previousKey === undefined) continue;
        const path = `${machine.path}.previousKey`;
        const refuse = (message: string) => {
            problems.error(path, message);
            delete machine.previousKey;
        };
        const index = keyOwners.get(machine.key)!;
        const keyOwner = keyOwners.get(previousKey);
        if (keyOwner !== undefined) {
            refuse(
                `"${previousKey}" is the key of machines[${keyOwner}], whose resources have those names now; to swap two keys, rename one to a free key first (one pulumi up), then the other`,
            );
            continue;
        }
        const names = MACHINE_RESOURCE_PARTS.map((part) => `${part}-${previousKey}`);
        const earlier = names.map((name) => aliasOwners.get(name)).find((owner) => owner !== undefined);
        if (earlier !== undefined) {
            refuse(
                earlier.previousKey === previousKey
                    ? `"${previousKey}" is already the previousKey of machines[${earlier.index}]; only one machine can take over the old resources: remove it from one of them`
                    : `"${previousKey}" and the previousKey of machines[${earlier.index}] ("${earlier.previousKey}") would alias one old name twice; check which machine had which key`,
            );
            continue;
        }
        const taken = names.find((name) => nameOwners.has(name));
        if (taken !== undefined) {
            const owner = nameOwners.get(taken)!;
            refuse(
                `"${previousKey}" would alias <name>-${taken}, the name of a resource of machines[${owner.index}] ("${owner.key}") now; check the key this machine had`,
            );
            continue;
        }
        for (const name of names) aliasOwners.set(name, { index, previousKey });
    }
}
