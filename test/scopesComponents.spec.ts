/**
 * The scope components in a TypeScript program, under the mock engine: readiness as data (the
 * MDE settings wait for the machines' proxies, a failed Arc script keeps MDE off), one owner per
 * subscription, the hub pattern (existing zones, nothing created or linked unless asked, the
 * hub's provider), `tags` on every resource that takes them (checked against azure-native's own
 * declarations), and the pure egress helper against the component's outputs.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as azureNative from "@pulumi/azure-native";
import {
    DefenderConnectivity,
    DefenderConnectivityArgs,
    defenderEgress,
    DefenderForServersNetworkRestricted,
    DefenderMachines,
    DefenderSubscription,
    MachineSettings,
} from "../sdk";
import { tagProblems, TAGGABLE_TYPES } from "../sdk/components/tags";

const tagProblemsOnly = (tags: Record<string, string>, privateDns: boolean): string =>
    tagProblems(tags, "tags", privateDns)
        .map((p) => `${p.path}: ${p.message}`)
        .join("\n");
import { runProgram } from "../sdk/preview/engine";
import { mixedFleet } from "./fleet";
import { inputs, named, ofType, SUBSCRIPTION, waitsFor } from "./harness";

const MINIMAL = { subscriptionId: SUBSCRIPTION, location: "westeurope" };

const PROXY = { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] };
const arc = (key: string): MachineSettings => ({ key, kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: key });
const vm = (key: string): MachineSettings => ({
    key,
    kind: "azureVm",
    os: "linux",
    resourceGroupName: "rg-app",
    name: key,
    systemAssignedIdentity: true,
});
const HUB = "99999999-8888-7777-6666-555555555555";
const hubZone = (zone: string) => `/subscriptions/${HUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${zone}`;
const ARC_ZONES = [
    "privatelink.his.arc.azure.com",
    "privatelink.guestconfiguration.azure.com",
    "privatelink.dp.kubernetesconfiguration.azure.com",
];

describe("DefenderMachines and DefenderSubscription: readiness as data", () => {
    it("the MDE settings wait for every proxy run command of the machines passed as readiness, the plan for the settings", async () => {
        const run = await runProgram(() => {
            const east = new DefenderMachines("east", { ...MINIMAL, proxy: PROXY, machines: [arc("a1"), vm("v1")] });
            const west = new DefenderMachines("west", { ...MINIMAL, proxy: PROXY, machines: [arc("a2")] });
            new DefenderSubscription("sub", { ...MINIMAL, readiness: [east.readiness, west.readiness] });
        });
        assert.deepEqual(run.errors, []);
        const commands = run.resources
            .filter((r) => r.type.endsWith("RunCommand") || r.type.endsWith("RunCommandByVirtualMachine"))
            .map((r) => r.name);
        assert.ok(commands.length >= 5, `too few run commands: ${commands.join(", ")}`);
        const settings = waitsFor(run, named(run, "sub-mde-integration"));
        for (const command of commands) assert.ok(settings.includes(command), `sub-mde-integration does not wait for ${command}`);
        assert.deepEqual(waitsFor(run, named(run, "sub-plan")), ["sub-mde-integration"]);
        assert.equal(ofType(run, "azure-native:security:Pricing").length, 1, "only the subscription component writes a plan");
    });

    it("without readiness the MDE settings wait for nothing: the input is what orders them", async () => {
        const run = await runProgram(() => {
            new DefenderMachines("east", { ...MINIMAL, proxy: PROXY, machines: [arc("a1")] });
            new DefenderSubscription("sub", MINIMAL);
        });
        assert.deepEqual(waitsFor(run, named(run, "sub-mde-integration")), []);
        assert.ok(
            run.warnings.some((w) => w.startsWith("readiness: is unset, so MDE integration is switched on at once")),
            run.warnings.join("\n"),
        );
    });

    it("a failed Arc proxy script fails the machines' readiness, and the subscription's MDE settings and plan are never registered", async () => {
        const run = await runProgram(
            () => {
                const machines = new DefenderMachines("east", { ...MINIMAL, proxy: PROXY, machines: [arc("a1")] });
                new DefenderSubscription("sub", { ...MINIMAL, readiness: [machines.readiness] });
            },
            { resourceOutputs: { "east-arc-agent-proxy-a1": { instanceView: { executionState: "Failed", exitCode: 3 } } } },
        );
        assert.match(run.errors.join("\n"), /not ready for MDE integration: east-arc-agent-proxy-a1 ended Failed \(exit code 3\)/);
        assert.ok(
            !run.resources.some((r) => r.name === "sub-mde-integration" || r.name === "sub-plan"),
            "MDE was registered over a broken Arc proxy",
        );
    });

    it("a P1 machine plan waits for that machine's readiness and the MDE settings", async () => {
        const run = await runProgram(() => {
            const machines = new DefenderMachines("east", { ...MINIMAL, proxy: PROXY, machines: [vm("v1"), vm("v2")] });
            new DefenderSubscription("sub", {
                ...MINIMAL,
                plan: { subPlan: "P1" },
                readiness: [machines.readiness],
                machinePlans: [
                    {
                        key: "v1",
                        kind: "azureVm",
                        resourceGroupName: "rg-app",
                        name: "v1",
                        defenderPlan: "P1",
                        readiness: machines.machineReadiness.apply((r) => r.v1),
                    },
                ],
            });
        });
        assert.deepEqual(run.errors, []);
        const waits = waitsFor(run, named(run, "sub-plan-v1"));
        assert.ok(waits.includes("sub-mde-integration") && waits.includes("east-os-proxy-v1"), waits.join(", "));
    });

    it("refuses a machine-level plan on DefenderMachines, naming where it goes", () => {
        assert.throws(
            () => new DefenderMachines("m", { ...MINIMAL, machines: [{ ...vm("v1"), defenderPlan: "P1" }] }),
            /DefenderMachines: invalid arguments[\s\S]*machines\[0\]\.defenderPlan: is a subscription setting: give it in DefenderSubscription\.machinePlans/,
        );
    });
});

describe("one owner per subscription, across component kinds", () => {
    it("refuses a DefenderSubscription and an all-in-one owner of the same subscription", async () => {
        await assert.rejects(
            runProgram(() => {
                new DefenderSubscription("sub", MINIMAL);
                new DefenderForServersNetworkRestricted("all", MINIMAL);
            }),
            /"sub" already owns the plan and MDE settings of subscription 11111111/,
        );
        await assert.rejects(
            runProgram(() => {
                new DefenderSubscription("one", MINIMAL);
                new DefenderSubscription("two", MINIMAL);
            }),
            /"one" already owns the plan and MDE settings/,
        );
    });

    it("a DefenderSubscription waits for an all-in-one instance that only prepares machines, listed in its dependsOn", async () => {
        const run = await runProgram(() => {
            const preparer = new DefenderForServersNetworkRestricted("east", {
                ...MINIMAL,
                ownsSubscriptionSettings: false,
                proxy: PROXY,
                machines: [arc("a1")],
            });
            new DefenderSubscription("sub", MINIMAL, { dependsOn: [preparer] });
        });
        assert.deepEqual(run.errors, []);
        assert.ok(waitsFor(run, named(run, "sub-mde-integration")).includes("east-os-proxy-a1"));
    });
});

describe("DefenderConnectivity: the hub pattern", () => {
    const hubArgs = (overrides: Partial<DefenderConnectivityArgs> = {}): DefenderConnectivityArgs => ({
        subscriptionId: HUB,
        location: "westeurope",
        resourceGroupName: "rg-hub-endpoints",
        subnetId: `/subscriptions/${HUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints`,
        existingDnsZoneIds: Object.fromEntries(ARC_ZONES.map((z) => [z, hubZone(z)])),
        arc: {},
        ...overrides,
    });

    it("in the hub subscription through its own provider, with the hub's zones: creates and links no zone, registers the endpoint in the given zones", async () => {
        const run = await runProgram(() => {
            const hub = new azureNative.Provider("hub", { subscriptionId: HUB });
            const connectivity = new DefenderConnectivity("hub-link", hubArgs(), { providers: [hub] });
            new DefenderMachines("east", {
                ...MINIMAL,
                proxy: PROXY,
                machines: [{ ...arc("a1"), arcPrivateLinkScope: "associated" }],
                privateLink: { arcPrivateLinkScopeId: connectivity.arcPrivateLinkScopeId },
            });
        });
        assert.deepEqual(run.errors, []);
        assert.deepEqual(ofType(run, "azure-native:privatedns:PrivateZone"), []);
        assert.deepEqual(ofType(run, "azure-native:privatedns:VirtualNetworkLink"), []);
        const provider = named(run, "hub").urn;
        for (const name of ["hub-link-arc-scope", "hub-link-arc-endpoint", "hub-link-arc-endpoint-dns"])
            assert.equal(named(run, name).provider, provider, name);
        const zones = inputs(named(run, "hub-link-arc-endpoint-dns")).privateDnsZoneConfigs.map(
            (c: { privateDnsZoneId: string }) => c.privateDnsZoneId,
        );
        assert.deepEqual(zones.sort(), ARC_ZONES.map(hubZone).sort());
        // An `associated` Arc machine's agent bypasses the proxy for Arc: the hub's scope is what it reaches.
        const arcBypass = inputs(named(run, "east-arc-agent-proxy-a1")).parameters.find(
            (p: { name: string }) => p.name === "ARC_PROXY_BYPASS",
        );
        assert.match(arcBypass?.value ?? "", /\bArc\b/, JSON.stringify(arcBypass));
    });

    it("refuses a zone the endpoints need that is neither given nor asked to be created, naming it", () => {
        const partial = hubArgs({ existingDnsZoneIds: { [ARC_ZONES[0]]: hubZone(ARC_ZONES[0]) } });
        assert.throws(
            () => new DefenderConnectivity("c", partial),
            /existingDnsZoneIds: lacks privatelink\.guestconfiguration\.azure\.com, privatelink\.dp\.kubernetesconfiguration\.azure\.com[^\n]*createDnsZones: true/,
        );
        assert.throws(
            () => new DefenderConnectivity("c", hubArgs({ linkZonesToVirtualNetworkIds: ["/subscriptions/x/vnet"] })),
            /linkZonesToVirtualNetworkIds: links/,
        );
    });

    it("creates and links the missing zones only when createDnsZones asks for it", async () => {
        const vnet = `/subscriptions/${HUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/spoke`;
        const run = await runProgram(
            () =>
                new DefenderConnectivity(
                    "c",
                    hubArgs({ existingDnsZoneIds: {}, createDnsZones: true, linkZonesToVirtualNetworkIds: [vnet] }),
                ),
        );
        assert.equal(ofType(run, "azure-native:privatedns:PrivateZone").length, ARC_ZONES.length);
        assert.equal(ofType(run, "azure-native:privatedns:VirtualNetworkLink").length, ARC_ZONES.length);
    });
});

describe("tags", () => {
    /** Whether azure-native's own declaration of this resource's args has `tags` (the real counterpart, not our list). */
    function takesTags(type: string): boolean {
        const [, module, resource] = type.split(":");
        const file = path.join(
            path.dirname(require.resolve("@pulumi/azure-native/package.json")),
            module,
            `${resource[0].toLowerCase()}${resource.slice(1)}.d.ts`,
        );
        const text = fs.readFileSync(file, "utf8");
        const argsBlock = text.slice(text.indexOf(`export interface ${resource}Args`));
        return /\n    tags\?: pulumi\.Input/.test(argsBlock);
    }

    const TAGS = { "cost-center": "security", owner: "platform" };

    it("every resource the all-in-one declares that takes tags carries the user's tags, and the list agrees with azure-native", async () => {
        const run = await runProgram(
            () =>
                new DefenderForServersNetworkRestricted("d", {
                    ...mixedFleet(),
                    tags: TAGS,
                    privateLink: {
                        resourceGroupName: "rg-pl",
                        subnetId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
                        virtualNetworkIds: ["/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"],
                        arc: {},
                    },
                }),
        );
        assert.deepEqual(run.errors, []);
        const types = [...new Set(run.resources.filter((r) => r.custom).map((r) => r.type))];
        assert.ok(types.length >= 8, types.join(", "));
        for (const type of types) {
            assert.equal(TAGGABLE_TYPES.has(type), takesTags(type), `${type}: TAGGABLE_TYPES disagrees with azure-native`);
            for (const resource of ofType(run, type)) {
                const tags = inputs(resource).tags;
                if (takesTags(type))
                    assert.deepEqual(
                        { ...tags, "defender-servers-os-proxy": undefined },
                        { ...TAGS, "defender-servers-os-proxy": undefined },
                        resource.name,
                    );
                else assert.equal(tags, undefined, resource.name);
            }
        }
        // The component's own tag on the MDE settings is kept beside the user's.
        assert.equal(inputs(named(run, "d-mde-integration")).tags["defender-servers-os-proxy"], "verified");
    });

    it("refuses tags Azure would refuse, before anything is registered", () => {
        assert.throws(
            () => new DefenderSubscription("s", { ...MINIMAL, tags: { "a/b": "x" } }),
            /DefenderSubscription: invalid arguments[\s\S]*tags\.a\/b: is not a valid tag name/,
        );
        // Private DNS zones and links take 15 tags and no space in a name: only where zones may be created.
        const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, "v"]));
        assert.equal(tagProblemsOnly(sixteen, false), "");
        assert.match(tagProblemsOnly(sixteen, true), /private DNS zones and their virtual network links take at most 15/);
        assert.match(tagProblemsOnly({ "cost center": "x" }, true), /tags\.cost center: is not a tag name private DNS zones take/);
    });
});

describe("defenderEgress: the egress contract with no stack", () => {
    it("gives exactly the component's egress, allowlist and bypass outputs for the same args", async () => {
        const args = mixedFleet();
        let component: DefenderForServersNetworkRestricted | undefined;
        const run = await runProgram(() => {
            component = new DefenderForServersNetworkRestricted("d", args);
            return {
                egress: component.egress,
                allowlist: component.proxyAllowlist,
                bypass: component.proxyBypass,
                squid: component.squidAllowlist,
            };
        });
        const pure = defenderEgress(args);
        assert.deepEqual(pure.egress, JSON.parse(JSON.stringify(run.outputs.egress)));
        assert.deepEqual(pure.proxyAllowlist, run.outputs.allowlist);
        assert.deepEqual(pure.proxyBypass, run.outputs.bypass);
        assert.equal(pure.squidAllowlist, run.outputs.squid);
        assert.ok(pure.proxyAllowlist.length > 10);
    });

    it("throws the component's validation error for bad args", () => {
        assert.throws(() => defenderEgress({ subscriptionId: "nope", location: "westeurope" }), /subscriptionId/);
    });
});
