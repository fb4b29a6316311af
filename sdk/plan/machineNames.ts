/**
 * The logical names of a machine's resources, in one place: every per-machine resource takes its
 * name here, so a key rename with `previousKey` aliases all of them or none.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * The `<part>` of every `<name>-<part>-<key>` a machine's resources can have. Some parts extend
 * others ("ama" and "ama-dcr"), so validation checks two keys cannot make one name ("x" and "dcr-x").
 */
export const MACHINE_RESOURCE_PARTS = [
    "os-proxy",
    "os-proxy-verify",
    "arc-agent-proxy",
    "arc-agent-proxy-verify",
    "arc-gateway-link",
    "ama",
    "ama-dcr",
    "ama-dce",
    "arc-scope-assignment",
    "arc-scope-role",
    "arc-scope-remediation",
    "legacy-agent",
    "guest-configuration",
    "plan",
] as const;

/** One of `MACHINE_RESOURCE_PARTS`. */
export type MachineResourcePart = (typeof MACHINE_RESOURCE_PARTS)[number];

/** A per-machine resource's logical name and, after a key rename, the name it had. */
export interface MachineResourceName {
    /** `<name>-<part>-<key>`. */
    name: string;
    /**
     * `[{ name: "<name>-<part>-<previousKey>" }]` when the machine has a `previousKey`. No parent and
     * no type: the alias then keeps the resource's own (the same component, the same resource type).
     */
    aliases?: { name: string }[];
}

/** Names one of a machine's resources under the component `name`. */
export function machineResourceName(
    name: string,
    part: MachineResourcePart,
    machine: { key: string; previousKey?: string },
): MachineResourceName {
    const current = `${name}-${part}-${machine.key}`;
    if (machine.previousKey === undefined) return { name: current };
    return { name: current, aliases: [{ name: `${name}-${part}-${machine.previousKey}` }] };
}

/** `opts` with the aliases of `named` added; `opts` itself when there are none, so a fleet without renames copies nothing. */
export function withAliases(opts: pulumi.CustomResourceOptions, named: MachineResourceName): pulumi.CustomResourceOptions {
    return named.aliases === undefined ? opts : { ...opts, aliases: [...(opts.aliases ?? []), ...named.aliases] };
}
