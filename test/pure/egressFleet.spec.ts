// sdk/plan/fleetEgress.ts: what the egress contract is told about a fleet, read off validated args.
// The args are written by hand (only the fields egressInputFor reads), so each case states the fleet
// it describes and the expectation follows from that fleet, not from running the code:
// - policy mode: the policies reach every machine in the scope, of any kind, so every agent the
//   policies deploy is assumed, Arc included, and any Arc machine may be outside the Arc scope;
// - per-machine mode: only what the listed machines run; an Arc machine is inside the Arc Private
//   Link Scope only when listed `associated` (azure-management-docs `private-link-security.md`:
//   a machine "must be associated with the Azure Arc Private Link Scope, or the connection will be refused").
import { strict as assert } from "node:assert";
import { NormalizedArgs } from "../../sdk/validate";
import { MachinePlan } from "../../sdk/validate/fleet";
import { egressInputFor, egressInputForMachine } from "../../sdk/plan/fleetEgress";

const WORKSPACE_ID = "0F8C2D41-7A3B-4C55-9E21-5D6A7B8C9D0E";
const NO_PARTS = { osProxy: true, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false };

function machine(over: Partial<MachinePlan> & Pick<MachinePlan, "key" | "kind" | "os">): MachinePlan {
    return {
        resourceGroupName: "rg",
        name: over.key,
        location: "westeurope",
        arcPrivateLinkScope: "none",
        excluded: [],
        path: `machines[${over.key}]`,
        parts: { ...NO_PARTS },
        ...over,
    } as MachinePlan;
}

interface ArgsOver {
    cloud?: string;
    location?: string;
    machines?: MachinePlan[];
    mode?: "machines" | "policy";
    mde?: Partial<NormalizedArgs["mdeIntegration"]>;
    logs?: { azureMonitorAgent?: boolean; legacyAgent?: { workspaceId: unknown; workspaceKey: string } };
    privateLink?: { arc?: object; azureMonitor?: object };
    guestConfiguration?: boolean;
}

/** The fields egressInputFor reads; every other field of NormalizedArgs is irrelevant to it. */
function args(over: ArgsOver = {}): NormalizedArgs {
    return {
        cloud: over.cloud ?? "AzureCloud",
        location: over.location ?? "westeurope",
        machines: over.machines ?? [],
        rollout: { mode: over.mode ?? "machines" },
        mdeIntegration: { enabled: true, includeLinux: true, connectivity: "standard", ...over.mde },
        logs: over.logs,
        privateLink: over.privateLink,
        guestConfiguration: { enabled: over.guestConfiguration ?? false, tagExistingVms: false },
    } as unknown as NormalizedArgs;
}

const NONE = { mde: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false, arcAgent: false };

describe("egress fleet: the egress input read off the args", function () {
    it("a listed fleet: sorted distinct machine regions, the agents its machines run, no Private Link", function () {
        const fleet = [
            machine({
                key: "a",
                kind: "azureVm",
                os: "windows",
                location: "westeurope",
                parts: { ...NO_PARTS, guestConfiguration: true },
            }),
            machine({ key: "b", kind: "azureVm", os: "linux", location: "northeurope", parts: { ...NO_PARTS, azureMonitorAgent: true } }),
            machine({ key: "c", kind: "azureVm", os: "linux", location: "northeurope", parts: { ...NO_PARTS, legacyAgent: true } }),
        ];
        assert.deepEqual(egressInputFor(args({ machines: fleet, location: "eastus" })), {
            cloud: "AzureCloud",
            // The machines' regions, not the component's own location.
            regions: ["northeurope", "westeurope"],
            agents: { mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true, arcAgent: false },
            workspaceIds: [],
            privateLink: { arc: false, azureMonitor: false, arcMachinesOutsideScope: false },
            mde: { connectivity: "standard", windows: true, linux: true },
        });
    });

    it("no listed machine: the component's location is the one region, and no machine means no agent", function () {
        const input = egressInputFor(args({ location: "eastus" }));
        assert.deepEqual(input.regions, ["eastus"]);
        assert.deepEqual(input.agents, NONE);
        assert.deepEqual(input.mde, { connectivity: "standard", windows: false, linux: false });
    });

    it("each agent is on when one machine runs it, off when none does", function () {
        const parts = ["azureMonitorAgent", "legacyAgent", "guestConfiguration"] as const;
        for (const part of parts) {
            const one = [
                machine({ key: "x", kind: "azureVm", os: "linux" }),
                machine({ key: "y", kind: "azureVm", os: "linux", parts: { ...NO_PARTS, [part]: true } }),
            ];
            const agents = egressInputFor(args({ machines: one, mde: { enabled: false } })).agents;
            assert.deepEqual(agents, { ...NONE, [part]: true }, part);
        }
    });

    it("US Government stays US Government; the public cloud is AzureCloud", function () {
        assert.equal(egressInputFor(args({ cloud: "AzureUSGovernment" })).cloud, "AzureUSGovernment");
        assert.equal(egressInputFor(args({ cloud: "AzureCloud" })).cloud, "AzureCloud");
    });

    it("MDE: Windows machines run it; Linux machines only with includeLinux; integration off means no MDE", function () {
        const win = [machine({ key: "w", kind: "azureVm", os: "windows" })];
        const lnx = [machine({ key: "l", kind: "arc", os: "linux" })];
        const mdeOf = (machines: MachinePlan[], mde: ArgsOver["mde"] = {}) => {
            const input = egressInputFor(args({ machines, mde }));
            return { on: input.agents.mde, windows: input.mde?.windows, linux: input.mde?.linux };
        };
        assert.deepEqual(mdeOf(win), { on: true, windows: true, linux: false });
        assert.deepEqual(mdeOf(lnx), { on: true, windows: false, linux: true });
        // Linux excluded from MDE: a Linux-only fleet runs no MDE at all.
        assert.deepEqual(mdeOf(lnx, { includeLinux: false }), { on: false, windows: false, linux: false });
        assert.deepEqual(mdeOf([...win, ...lnx], { includeLinux: false }), { on: true, windows: true, linux: false });
        assert.equal(mdeOf(win, { enabled: false }).on, false);
    });

    it("passes the MDE connectivity and data location through, and leaves an unknown location out", function () {
        const win = [machine({ key: "w", kind: "azureVm", os: "windows" })];
        assert.deepEqual(egressInputFor(args({ machines: win, mde: { connectivity: "streamlined", dataLocation: "EU" } })).mde, {
            connectivity: "streamlined",
            dataLocation: "EU",
            windows: true,
            linux: false,
        });
        const unknown = egressInputFor(args({ machines: win })).mde;
        assert.ok(unknown !== undefined && !("dataLocation" in unknown), "no dataLocation key when it is not known");
    });

    it("names the legacy agent's workspace host only when its id is a GUID known now, in lower case", function () {
        const legacy = (workspaceId: unknown) =>
            egressInputFor(args({ logs: { legacyAgent: { workspaceId, workspaceKey: "k" } } })).workspaceIds;
        assert.deepEqual(legacy(WORKSPACE_ID), [WORKSPACE_ID.toLowerCase()]);
        // Not a GUID, or not known until deployment (a Pulumi output): the wildcard form is listed instead.
        assert.deepEqual(legacy("my-workspace"), []);
        // Even one that prints as a GUID: only a plain string is known now.
        assert.deepEqual(legacy({ toString: () => WORKSPACE_ID }), []);
        assert.deepEqual(egressInputFor(args()).workspaceIds, []);
    });

    it("Private Link: each scope as given; an Arc scope alone means an Arc agent (machines onboarded later)", function () {
        const both = egressInputFor(args({ privateLink: { arc: {}, azureMonitor: {} } }));
        assert.deepEqual(both.privateLink, { arc: true, azureMonitor: true, arcMachinesOutsideScope: false });
        assert.equal(both.agents.arcAgent, true);
        const monitorOnly = egressInputFor(args({ privateLink: { azureMonitor: {} } }));
        assert.deepEqual(monitorOnly.privateLink, { arc: false, azureMonitor: true, arcMachinesOutsideScope: false });
        assert.equal(monitorOnly.agents.arcAgent, false);
    });

    it("an Arc machine makes an Arc agent; an Azure VM does not", function () {
        assert.equal(egressInputFor(args({ machines: [machine({ key: "a", kind: "arc", os: "linux" })] })).agents.arcAgent, true);
        assert.equal(egressInputFor(args({ machines: [machine({ key: "v", kind: "azureVm", os: "linux" })] })).agents.arcAgent, false);
    });

    it("Arc machines outside the scope: only Arc machines not listed associated, and only with an Arc scope", function () {
        const outside = (machines: MachinePlan[], privateLink: ArgsOver["privateLink"] = { arc: {} }) =>
            egressInputFor(args({ machines, privateLink })).privateLink.arcMachinesOutsideScope;
        const arc = (arcPrivateLinkScope: string) =>
            machine({ key: `arc-${arcPrivateLinkScope}`, kind: "arc", os: "linux", arcPrivateLinkScope } as never);
        assert.equal(outside([arc("associated")]), false);
        assert.equal(outside([arc("none")]), true);
        assert.equal(outside([arc("associateByPolicy")]), true);
        assert.equal(outside([arc("associated"), arc("none")]), true);
        // An Azure VM never joins an Arc scope, and is not an Arc machine left out of it.
        assert.equal(outside([arc("associated"), machine({ key: "vm", kind: "azureVm", os: "linux" })]), false);
        // Without an Arc scope nobody is outside it.
        assert.equal(outside([arc("none")], {}), false);
        assert.equal(outside([arc("none")], { azureMonitor: {} }), false);
    });

    it("policy mode: every agent the policies deploy, Arc always, both systems, and any Arc machine may be outside the scope", function () {
        const policy = egressInputFor(
            args({
                mode: "policy",
                logs: { azureMonitorAgent: true },
                guestConfiguration: true,
                privateLink: { arc: {} },
                // Listed machines only inform the list; a Windows-only list does not limit MDE to Windows.
                machines: [machine({ key: "w", kind: "azureVm", os: "windows" })],
            }),
        );
        assert.deepEqual(policy.agents, {
            mde: true,
            azureMonitorAgent: true,
            legacyAgent: false,
            guestConfiguration: true,
            arcAgent: true,
        });
        assert.deepEqual(policy.mde, { connectivity: "standard", windows: true, linux: true });
        assert.equal(policy.privateLink.arcMachinesOutsideScope, true);

        const bare = egressInputFor(args({ mode: "policy", mde: { enabled: false, includeLinux: false } }));
        assert.deepEqual(bare.agents, { ...NONE, arcAgent: true });
        assert.deepEqual(bare.mde, { connectivity: "standard", windows: true, linux: false });
        assert.equal(bare.privateLink.arcMachinesOutsideScope, false);
        // logs without AMA: the policies deploy no AMA.
        assert.equal(egressInputFor(args({ mode: "policy", logs: { azureMonitorAgent: false } })).agents.azureMonitorAgent, false);
    });

    it("one machine's input: its own region, and the Arc scope's road for that machine alone", function () {
        const associated = machine({ key: "in", kind: "arc", os: "linux", location: "eastus", arcPrivateLinkScope: "associated" } as never);
        const left = machine({ key: "out", kind: "arc", os: "linux", location: "westus", arcPrivateLinkScope: "none" } as never);
        const a = args({ machines: [associated, left], privateLink: { arc: {} } });
        assert.equal(egressInputFor(a).privateLink.arcMachinesOutsideScope, true);
        const mine = egressInputForMachine(a, associated);
        assert.deepEqual(mine.regions, ["eastus"]);
        assert.deepEqual(mine.privateLink, { arc: true, azureMonitor: false, arcMachinesOutsideScope: false });
        const theirs = egressInputForMachine(a, left);
        assert.deepEqual(theirs.regions, ["westus"]);
        assert.deepEqual(theirs.privateLink, { arc: true, azureMonitor: false, arcMachinesOutsideScope: true });
        // A fleet input given is the one the machine's input starts from.
        const given = { ...egressInputFor(a), cloud: "AzureUSGovernment" as const };
        assert.equal(egressInputForMachine(a, left, given).cloud, "AzureUSGovernment");
        // Everything else is the fleet's.
        assert.deepEqual({ ...mine, regions: [], privateLink: {} }, { ...egressInputFor(a), regions: [], privateLink: {} });
    });
});
