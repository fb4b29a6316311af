/**
 * `machines` validation (sdk/validate/machines.ts) on plain data: which machines are kept, what
 * each becomes, and what the user reads about the ones refused. Expectations come from
 * docs/arguments.md ("machines[]": the fields, their choices and defaults), from Azure's resource
 * ids (`.../resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>` for a VM,
 * `Microsoft.HybridCompute/machines/<name>` for an Arc-enabled server; ARM ids are
 * case-insensitive), and from azure-docs azure-monitor/agents/azure-monitor-agent-requirements.md
 * ("System-assigned managed identity is the only supported authentication for Azure Arc-enabled
 * servers").
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { machineIdentity, NormalizedMachine, readMachines } from "../../sdk/validate/machines";
import { Case, itReads, read } from "./validateRead";

const VM = { key: "web-01", kind: "azureVm", os: "linux", resourceGroupName: "rg-web", name: "web-01" } as const;
const ARC = { key: "arc-01", kind: "arc", os: "windows", resourceGroupName: "rg-arc", name: "arc-01" };
const IDENTITY = "/subscriptions/s1/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ama";

/** What a machine of `VM`'s fields becomes: docs/arguments.md's defaults (no exclusion, arcPrivateLinkScope "none"). */
const VM_READ: NormalizedMachine = {
    ...VM,
    location: "westeurope",
    systemAssignedIdentity: undefined,
    userAssignedIdentityId: undefined,
    arcPrivateLinkScope: "none",
    defenderPlan: undefined,
    excluded: [],
    path: "machines[0]",
};

type Machines = NormalizedMachine[];
const dropped = (v: Machines) => assert.deepStrictEqual(v, []);
const kept =
    (fields: Partial<NormalizedMachine> = {}) =>
    (v: Machines) =>
        assert.deepStrictEqual(v, [{ ...VM_READ, ...fields }]);

/** One machine `VM` changed by `fields`. */
function vm(why: string, fields: Record<string, unknown>, errors: Case<unknown, Machines>["errors"], value: (v: Machines) => void) {
    return { why, input: [{ ...VM, ...fields }], errors, value };
}

/** One Arc machine `ARC` changed by `fields`, expected to be kept or not. */
function arc(why: string, fields: Record<string, unknown>, errors: Case<unknown, Machines>["errors"], keeps: boolean) {
    return { why, input: [{ ...ARC, ...fields }], errors, value: (v: Machines) => assert.equal(v.length, keeps ? 1 : 0) };
}

const ONE_MACHINE: Case<unknown, Machines>[] = [
    vm("a VM with the required fields: the defaults", {}, [], kept()),
    {
        why: "not a machine",
        input: ["web-01"],
        errors: [["machines[0]", /^expected a machine: \{ key, kind, os, resourceGroupName, name \}$/]],
        value: dropped,
    },
    vm("an unknown field", { zone: "1" }, [["machines[0].zone", /^is not a known field/]], kept()),
    vm(
        "no key",
        { key: undefined },
        [["machines[0].key", /^is required: a stable, unique name for this machine's resources, e\.g\. "web-01"$/]],
        dropped,
    ),
    vm("a blank key", { key: "" }, [["machines[0].key", /^is required/]], dropped),
    vm("a number as key", { key: 7 }, [["machines[0].key", /^a number must be 1-40 lower-case letters, digits and dashes/]], dropped),
    vm("a key in capitals", { key: "Web-01" }, [["machines[0].key", /^"Web-01" must be 1-40 lower-case/]], dropped),
    vm(
        "a previousKey that is not a key",
        { previousKey: 7 },
        [["machines[0].previousKey", /^a number must be 1-40 .*remove previousKey$/]],
        kept(),
    ),
    vm(
        "a previousKey equal to the key",
        { previousKey: "web-01" },
        [["machines[0].previousKey", /^"web-01" is this machine's key already/]],
        kept(),
    ),
    vm("a previousKey", { previousKey: "web-old" }, [], kept({ previousKey: "web-old" })),
    vm("no kind", { kind: undefined }, [["machines[0].kind", /^is required; use "azureVm" or "arc"$/]], dropped),
    vm("a blank kind", { kind: "" }, [["machines[0].kind", /^is required; use "azureVm" or "arc"$/]], dropped),
    vm("an unknown kind", { kind: "vm" }, [["machines[0].kind", /^"vm" is not allowed; use one of "azureVm", "arc"$/]], dropped),
    vm("an os in capitals", { os: "Linux" }, [["machines[0].os", /did you mean "linux"\?/]], dropped),
    vm(
        "no resource group",
        { resourceGroupName: undefined },
        [["machines[0].resourceGroupName", /^is required: the machine's resource group$/]],
        dropped,
    ),
    vm("a null resource group", { resourceGroupName: null }, [["machines[0].resourceGroupName", /^is required/]], dropped),
    vm("a blank resource group", { resourceGroupName: "  " }, [["machines[0].resourceGroupName", /^is required/]], dropped),
    vm(
        "a number as name",
        { name: 5 },
        [["machines[0].name", /^expected a string or an Output of one \(the VM or Arc machine name\)$/]],
        dropped,
    ),
    vm("an object as name", { name: { value: "web-01" } }, [["machines[0].name", /^expected a string or an Output of one/]], dropped),
    vm(
        "a resource id as name",
        { name: "vms/web-01" },
        [["machines[0].name", /^"vms\/web-01" is not a name: give the VM or Arc machine name alone/]],
        dropped,
    ),
    vm("a name with a query mark", { name: "web?01" }, [["machines[0].name", /is not a name/]], dropped),
    vm("a misspelt location", { location: "West Europe" }, [["machines[0].location", /use "westeurope"/]], dropped),
    vm("its own location", { location: "northeurope" }, [], kept({ location: "northeurope" })),
    vm(
        "systemAssignedIdentity not a boolean",
        { systemAssignedIdentity: "yes" },
        [["machines[0].systemAssignedIdentity", /^expected true or false/]],
        kept(),
    ),
    vm("systemAssignedIdentity", { systemAssignedIdentity: false }, [], kept({ systemAssignedIdentity: false })),
    vm(
        "fromGeneralizedImage not a boolean",
        { fromGeneralizedImage: 1 },
        [["machines[0].fromGeneralizedImage", /^expected true or false/]],
        kept(),
    ),
    vm("fromGeneralizedImage true is kept", { fromGeneralizedImage: true }, [], kept({ fromGeneralizedImage: true })),
    vm("fromGeneralizedImage false is left out", { fromGeneralizedImage: false }, [], kept()),
    vm(
        "exclude not a list",
        { exclude: "osProxy" },
        [["machines[0].exclude", /^expected a list of parts to leave out: osProxy, azureMonitorAgent, legacyAgent, guestConfiguration$/]],
        kept(),
    ),
    vm(
        "an unknown part to exclude",
        { exclude: ["osProxy", "mde"] },
        [["machines[0].exclude[1]", /^"mde" is not allowed/]],
        kept({ excluded: ["osProxy"] }),
    ),
    vm("a VM leaving out Guest Configuration", { exclude: ["guestConfiguration"] }, [], kept({ excluded: ["guestConfiguration"] })),
    vm(
        "an unknown defenderPlan",
        { defenderPlan: "P2" },
        [["machines[0].defenderPlan", /^"P2" is not allowed; use one of "P1", "Free"$/]],
        kept(),
    ),
    vm("a blank defenderPlan", { defenderPlan: "" }, [["machines[0].defenderPlan", /^is required; use "P1" or "Free"$/]], kept()),
    vm("defenderPlan Free", { defenderPlan: "Free" }, [], kept({ defenderPlan: "Free" })),
    vm("a blank user-assigned identity", { userAssignedIdentityId: "" }, [], kept()),
    vm("a user-assigned identity", { userAssignedIdentityId: IDENTITY }, [], kept({ userAssignedIdentityId: IDENTITY })),
    vm(
        "a number as identity",
        { userAssignedIdentityId: 5 },
        [
            [
                "machines[0].userAssignedIdentityId",
                /^a number is not a user-assigned identity's resource id; expected \/subscriptions\/<id>\/resourceGroups\/<rg>\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/<name>/,
            ],
        ],
        kept(),
    ),
    vm(
        "a list holding an identity's id",
        { userAssignedIdentityId: [IDENTITY] },
        [["machines[0].userAssignedIdentityId", /^a list is not a user-assigned identity's resource id/]],
        kept(),
    ),
    vm(
        "a resource group id as identity",
        { userAssignedIdentityId: "/subscriptions/s1/resourceGroups/rg-id" },
        [
            [
                "machines[0].userAssignedIdentityId",
                /^"\/subscriptions\/s1\/resourceGroups\/rg-id" is not a user-assigned identity's resource id/,
            ],
        ],
        kept(),
    ),
    vm(
        "a VM with arcPrivateLinkScope",
        { arcPrivateLinkScope: "associated" },
        [
            [
                "machines[0].arcPrivateLinkScope",
                /^applies to Arc machines only; an Azure VM does not join an Arc Private Link Scope: remove it$/,
            ],
        ],
        kept({ arcPrivateLinkScope: "associated" }),
    ),
    vm("a name as an Output", { name: pulumi.output("web-01") }, [], (v) => assert.equal(v.length, 1)),
    vm("a name as a promise", { name: Promise.resolve("web-01") }, [], (v) => assert.equal(v.length, 1)),
    arc("an Arc machine", { arcPrivateLinkScope: "associateByPolicy" }, [], true),
    arc(
        "an Arc machine with an unknown arcPrivateLinkScope",
        { arcPrivateLinkScope: "joined" },
        [["machines[0].arcPrivateLinkScope", /^"joined" is not allowed; use one of "none", "associated", "associateByPolicy"$/]],
        true,
    ),
    arc(
        "an Arc machine from a generalized image",
        { fromGeneralizedImage: false },
        [["machines[0].fromGeneralizedImage", /^applies to Azure VMs only \(Arc machines get MDE through their Arc agent\): remove it$/]],
        true,
    ),
    arc(
        "an Arc machine with a user-assigned identity",
        { userAssignedIdentityId: IDENTITY },
        [
            [
                "machines[0].userAssignedIdentityId",
                /^applies to Azure VMs only: on Arc machines the Azure Monitor Agent signs in with the machine's own system-assigned identity only; remove it$/,
            ],
        ],
        true,
    ),
    arc(
        "an Arc machine with systemAssignedIdentity",
        { systemAssignedIdentity: true },
        [["machines[0].systemAssignedIdentity", /^applies to Azure VMs only; Arc machines always have their own identity: remove it$/]],
        true,
    ),
    arc(
        "an Arc machine leaving out Guest Configuration",
        { exclude: ["legacyAgent", "guestConfiguration"] },
        [["machines[0].exclude", /built into their agent; there is nothing to leave out: remove guestConfiguration$/]],
        true,
    ),
];

/** Of two machines claiming old names, the first keeps its previousKey and the second loses it. */
const onlyFirstTakesOver = (v: Machines) =>
    assert.deepEqual(
        v.map((m) => m.previousKey),
        ["x", undefined],
    );

const LISTS: Case<unknown, Machines>[] = [
    { why: "no machines", input: undefined, value: dropped },
    { why: "not a list", input: VM, errors: [["machines", /^expected a list of machines$/]], value: dropped },
    {
        // MACHINE_RESOURCE_PARTS has "ama" and "ama-dcr": key "dcr-x" gives <name>-ama-dcr-x, as key "x" does.
        why: "two keys that would make one resource name",
        input: [
            { ...VM, key: "x" },
            { ...VM, key: "dcr-x", name: "web-02" },
        ],
        errors: [
            [
                "machines[1].key",
                /^"dcr-x" and the key of machines\[0\] \("x"\) would give two resources one name \(<name>-ama-dcr-x\); choose another key$/,
            ],
        ],
        value: (v) =>
            assert.deepEqual(
                v.map((m) => m.key),
                ["x"],
            ),
    },
    {
        // "ama" + "dcr-x" and "ama-dcr" + "x" are one resource name: one old name, two claimants. The
        // collision is on a part after the first, so a check that looked at the first part only misses it.
        why: "two previousKeys that would alias one old name",
        input: [
            { ...VM, key: "a", name: "a", previousKey: "x" },
            { ...VM, key: "b", name: "b", previousKey: "dcr-x" },
        ],
        errors: [
            [
                "machines[1].previousKey",
                /^"dcr-x" and the previousKey of machines\[0\] \("x"\) would alias one old name twice; check which machine had which key$/,
            ],
        ],
        value: onlyFirstTakesOver,
    },
    {
        why: "one previousKey on two machines",
        input: [
            { ...VM, key: "a", name: "a", previousKey: "x" },
            { ...VM, key: "b", name: "b", previousKey: "x" },
        ],
        errors: [
            [
                "machines[1].previousKey",
                /^"x" is already the previousKey of machines\[0\]; only one machine can take over the old resources: remove it from one of them$/,
            ],
        ],
        value: onlyFirstTakesOver,
    },
    {
        why: "the same VM twice under two keys, in other letter cases",
        input: [VM, { ...VM, key: "web-01-again", resourceGroupName: "RG-Web", name: "WEB-01" }],
        errors: [
            [
                "machines[1].name",
                /^names the same Azure VM as machines\[0\] \("web-01"\): \/resourcegroups\/rg-web\/providers\/microsoft\.compute\/virtualmachines\/web-01 \(Azure resource ids ignore letter case\)/,
            ],
        ],
        value: (v) =>
            assert.deepEqual(
                v.map((m) => m.key),
                ["web-01"],
            ),
    },
    {
        why: "the same Arc machine twice",
        input: [ARC, { ...ARC, key: "arc-01-again" }],
        errors: [
            [
                "machines[1].name",
                /^names the same Arc machine as machines\[0\] \("arc-01"\): \/resourcegroups\/rg-arc\/providers\/microsoft\.hybridcompute\/machines\/arc-01 /,
            ],
        ],
        value: (v) => assert.equal(v.length, 1),
    },
    {
        why: "a VM and an Arc machine of one name are two resources",
        input: [VM, { ...VM, key: "web-01-arc", kind: "arc" }],
        value: (v) => assert.equal(v.length, 2),
    },
    {
        why: "names known only at deployment are not compared",
        input: [
            { ...VM, name: pulumi.output("web-01") },
            { ...VM, key: "web-02", name: pulumi.output("web-01") },
        ],
        value: (v) => assert.equal(v.length, 2),
    },
];

describe("machines validation (sdk/validate/machines.ts)", () => {
    describe("one machine", () => itReads(ONE_MACHINE, (problems, input) => readMachines(problems, input, "westeurope", "AzureCloud")));
    describe("the list", () => itReads(LISTS, (problems, input) => readMachines(problems, input, "westeurope", "AzureCloud")));

    it("a machine without a location, when there is no default, is left out (the missing location is reported elsewhere)", () => {
        const { value, errors } = readWith(undefined);
        assert.deepEqual([value, errors], [[], []]);
    });

    it("reads regions of the public cloud by default", () => {
        const { value, errors } = readWith(undefined, [{ ...VM, location: "northeurope" }]);
        assert.deepEqual(errors, []);
        assert.equal(value[0].location, "northeurope");
    });

    it("a machine's resource id: its provider by kind, lower-cased; unknown while a part is an Output", () => {
        const cases: Array<[Parameters<typeof machineIdentity>[0], string | undefined]> = [
            [
                { kind: "azureVm", resourceGroupName: "RG-Web", name: "Web-01" },
                "/resourcegroups/rg-web/providers/microsoft.compute/virtualmachines/web-01",
            ],
            [
                { kind: "arc", resourceGroupName: "rg-arc", name: "ARC-01" },
                "/resourcegroups/rg-arc/providers/microsoft.hybridcompute/machines/arc-01",
            ],
            [{ kind: "azureVm", resourceGroupName: pulumi.output("rg"), name: "web-01" }, undefined],
            [{ kind: "arc", resourceGroupName: "rg", name: pulumi.output("arc-01") }, undefined],
        ];
        assert.deepStrictEqual(
            cases.map(([machine]) => machineIdentity(machine)),
            cases.map(([, id]) => id),
        );
    });
});

/** readMachines with `defaultLocation` and the cloud left to its default. */
function readWith(defaultLocation: string | undefined, machines: unknown = [VM]) {
    return read((problems) => readMachines(problems, machines, defaultLocation));
}
