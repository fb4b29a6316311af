/**
 * Which hosts one machine's proxy scripts prove (sdk/plan/machineRouteCheck.ts), on their own, over an
 * egress list written here by hand. The rules (docs/windows-scripts.md "The route check"; azure-facts
 * section 0 "what switches MDE on"): every agent the machine runs is probed on its always-needed
 * hosts; Defender for Endpoint is switched on only after the proxies, so its install-time hosts are
 * probed too (on Linux it installs `mdatp` from packages.microsoft.com, defender-docs
 * `linux-install-manually.md`); the Arc agent is installed already, so its install hosts are not;
 * the Arc agent's own run command proves only its proxy hosts; each probe has 10 s.
 */
import { strict as assert } from "node:assert";
import {
    ROUTE_CHECK_PROBE_SECONDS,
    RouteCheckContext,
    agentsNotYetInstalled,
    machineAgents,
    machineRouteChecks,
} from "../../sdk/plan/machineRouteCheck";
import { EGRESS_AGENTS, EgressDestination } from "../../sdk/plan/egress/types";
import { MachinePlan } from "../../sdk/validate/fleet";

const { mde: MDE, azureMonitorAgent: AMA, legacyAgent: LEGACY, guestConfiguration: GC, arcAgent: ARC } = EGRESS_AGENTS;
const NO_PARTS = { osProxy: true, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false };

const machine = (kind: "arc" | "azureVm", os: "linux" | "windows", parts: Partial<MachinePlan["parts"]> = {}): MachinePlan =>
    ({ key: "m", kind, os, parts: { ...NO_PARTS, ...parts } }) as unknown as MachinePlan;
const ON: RouteCheckContext = { mde: true, mdeOnLinux: true };

const dest = (
    host: string,
    agents: string[],
    when: string,
    route = "proxy",
    platforms = ["linux", "windows"],
    probeHost = host,
): EgressDestination => ({
    host,
    port: 443,
    protocol: "https",
    agents,
    platforms,
    why: "",
    when,
    route,
    serviceTag: "",
    probeHost,
    tlsInspection: true,
});
const EGRESS: EgressDestination[] = [
    dest("mde.example.com", [MDE], "always"),
    dest("packages.microsoft.com", [MDE], "install", "proxy", ["linux"]),
    dest("mde-win.example.com", [MDE], "always", "proxy", ["windows"]),
    dest("ama.example.com", [AMA], "always"),
    dest("ama.privatelink.monitor.azure.com", [AMA], "always", "privateLink"),
    dest("arc.example.com", [ARC], "always"),
    dest("aka.ms", [ARC], "install"),
    dest("westeurope.privatelink.his.arc.azure.com", [ARC], "always", "privateLink"),
    dest("*.wild.example.com", [ARC, MDE], "always", "proxy", ["linux", "windows"], ""),
    dest("legacy.example.com", [LEGACY], "always"),
];

describe("machine route checks (sdk/plan/machineRouteCheck.ts)", () => {
    it("the agents a machine runs: MDE where integration is on (Linux only when it includes Linux), its parts, and the Arc agent on Arc", () => {
        const sorted = (m: MachinePlan, c: RouteCheckContext) => [...machineAgents(m, c)].sort();
        const table: Array<[MachinePlan, RouteCheckContext, string[]]> = [
            [machine("azureVm", "windows"), ON, [MDE]],
            [machine("azureVm", "windows"), { mde: true, mdeOnLinux: false }, [MDE]],
            [machine("azureVm", "linux"), { mde: true, mdeOnLinux: false }, []],
            [machine("azureVm", "linux"), ON, [MDE]],
            [machine("azureVm", "windows"), { mde: false, mdeOnLinux: true }, []],
            [machine("azureVm", "linux", { azureMonitorAgent: true }), { mde: false, mdeOnLinux: false }, [AMA]],
            [machine("azureVm", "linux", { legacyAgent: true }), { mde: false, mdeOnLinux: false }, [LEGACY]],
            [machine("azureVm", "linux", { guestConfiguration: true }), { mde: false, mdeOnLinux: false }, [GC]],
            [machine("arc", "linux"), { mde: false, mdeOnLinux: false }, [ARC]],
            [machine("arc", "windows", { azureMonitorAgent: true, legacyAgent: true }), ON, [ARC, AMA, MDE, LEGACY].sort()],
        ];
        for (const [m, context, agents] of table)
            assert.deepEqual(sorted(m, context), agents, `${m.kind} ${m.os} ${JSON.stringify(m.parts)} ${JSON.stringify(context)}`);
    });

    it("of those, only Defender for Endpoint is not installed yet when the proxy scripts run", () => {
        assert.deepEqual(agentsNotYetInstalled([MDE, AMA, LEGACY, GC, ARC]), [MDE]);
        assert.deepEqual(agentsNotYetInstalled([AMA, ARC]), []);
    });

    it("an Arc Linux machine: the OS check probes every agent and MDE's install host, the Arc check only the Arc agent's proxy hosts", () => {
        assert.equal(ROUTE_CHECK_PROBE_SECONDS, 10);
        const checks = machineRouteChecks(EGRESS, machine("arc", "linux", { azureMonitorAgent: true }), ON);
        assert.deepEqual(checks, {
            os: {
                hosts: ["ama.example.com:443", "arc.example.com:443", "mde.example.com:443", "packages.microsoft.com:443"],
                privateHosts: ["ama.privatelink.monitor.azure.com", "westeurope.privatelink.his.arc.azure.com"],
                timeoutSeconds: 10,
            },
            arc: { hosts: ["arc.example.com:443"], privateHosts: [], timeoutSeconds: 10 },
        });
    });

    it("an Azure VM on Windows: its own platform's hosts, no Arc check; nothing to probe gives no check at all", () => {
        assert.deepEqual(machineRouteChecks(EGRESS, machine("azureVm", "windows"), ON), {
            os: { hosts: ["mde-win.example.com:443", "mde.example.com:443"], privateHosts: [], timeoutSeconds: 10 },
            arc: undefined,
        });
        assert.deepEqual(machineRouteChecks(EGRESS, machine("azureVm", "linux"), { mde: false, mdeOnLinux: false }), {
            os: undefined,
            arc: undefined,
        });
        // Only private hosts: still an OS check; the Arc check has no proxy host, so none.
        const privateOnly = [dest("westeurope.privatelink.his.arc.azure.com", [ARC], "always", "privateLink")];
        assert.deepEqual(machineRouteChecks(privateOnly, machine("arc", "windows"), { mde: false, mdeOnLinux: false }), {
            os: { hosts: [], privateHosts: ["westeurope.privatelink.his.arc.azure.com"], timeoutSeconds: 10 },
            arc: undefined,
        });
        // As many proxy hosts as private ones (one each): both lists in one check.
        const one = [...privateOnly, dest("arc.example.com", [ARC], "always")];
        assert.deepEqual(machineRouteChecks(one, machine("arc", "windows"), { mde: false, mdeOnLinux: false }), {
            os: { hosts: ["arc.example.com:443"], privateHosts: ["westeurope.privatelink.his.arc.azure.com"], timeoutSeconds: 10 },
            arc: { hosts: ["arc.example.com:443"], privateHosts: [], timeoutSeconds: 10 },
        });
    });
});
