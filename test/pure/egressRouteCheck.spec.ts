// sdk/plan/egress/routeCheck.ts: what one machine's route check probes, from hand-written egress rows.
// The rules are the ones the run-command scripts rely on: port 443 is a CONNECT and TLS handshake through
// the proxy, port 80 a plain GET (the CRL hosts, defender-docs standard connectivity URL lists); Private
// Link hosts must resolve privately; Resource Manager is needed only while an Arc machine connects
// (azure-management-docs Arc network requirements, "Only when you connect or disconnect a server"), so
// a connected machine's check does not probe it; install-time hosts matter only before the install.
import { strict as assert } from "node:assert";
import { EGRESS_AGENTS, EgressDestination, EgressEndpoint, routeCheckTargets, routeCheckVariables } from "../../sdk/plan/egress";
import { egressRow } from "./egressRow";

const { mde: MDE, arcAgent: ARC, azureMonitorAgent: AMA } = EGRESS_AGENTS;

/** Exact hosts probe themselves; route-check rows default to no inspection (as MDE rows are). */
const row = (host: string, agents: string[], over: Partial<EgressDestination> = {}): EgressDestination =>
    egressRow(host, agents, { probeHost: host.includes("*") ? "" : host, tlsInspection: false, ...over } as Partial<EgressEndpoint>);

const EGRESS: EgressDestination[] = [
    row("winatp-gw-weu.microsoft.com", [MDE]),
    row("crl.microsoft.com", [MDE], { port: 80, protocol: "http", platforms: ["windows"] }),
    row("x.cp.wd.microsoft.com", [MDE], { platforms: ["linux"] }),
    row("packages.microsoft.com", [MDE, ARC], { when: "install", platforms: ["linux"] }),
    row("download.microsoft.com", [ARC], { when: "install", platforms: ["windows"] }),
    row("management.azure.com", [ARC], { when: "connect" }),
    row("*.his.arc.azure.com", [ARC], { route: "privateLink", probeHost: "gbl.his.arc.azure.com" }),
    row("*.login.microsoft.com", [ARC]),
    row("login.microsoftonline.com", [ARC]),
    row("global.handler.control.monitor.azure.com", [AMA]),
    // Two rows (two ports) with one probe host each: one target per host:port.
    row("www.microsoft.com", [MDE], { port: 80, protocol: "http" }),
    row("www.microsoft.com", [MDE]),
    // A wildcard whose probe host is a host already on the list, and a second Private Link row with the same
    // probe host: each target still appears once.
    row("*.wd.microsoft.com", [MDE], { platforms: ["linux"], probeHost: "x.cp.wd.microsoft.com" }),
    row("gbl.his.arc.azure.com", [ARC], { route: "privateLink" }),
    // Listed after his.arc, probed before it: the private names come out sorted.
    row("*.guestconfiguration.azure.com", [ARC], { route: "privateLink", probeHost: "agentserviceapi.guestconfiguration.azure.com" }),
];

describe("egress route check: one machine's targets", function () {
    it("every always-needed proxy row of its agents, as probeHost:port, sorted, once; nothing of other agents", function () {
        assert.deepEqual(routeCheckTargets(EGRESS, [MDE]), {
            hosts: [
                "crl.microsoft.com:80",
                "winatp-gw-weu.microsoft.com:443",
                "www.microsoft.com:443",
                "www.microsoft.com:80",
                "x.cp.wd.microsoft.com:443",
            ],
            privateHosts: [],
        });
    });

    it("the operating system keeps only its rows, as a scope field or as the earlier string argument", function () {
        const linux = ["winatp-gw-weu.microsoft.com:443", "www.microsoft.com:443", "www.microsoft.com:80", "x.cp.wd.microsoft.com:443"];
        assert.deepEqual(routeCheckTargets(EGRESS, [MDE], { os: "linux" }).hosts, linux);
        assert.deepEqual(routeCheckTargets(EGRESS, [MDE], "linux").hosts, linux);
        assert.deepEqual(routeCheckTargets(EGRESS, [MDE], "windows").hosts, [
            "crl.microsoft.com:80",
            "winatp-gw-weu.microsoft.com:443",
            "www.microsoft.com:443",
            "www.microsoft.com:80",
        ]);
    });

    it("an Arc machine: Private Link probe hosts apart, no connect-time host, no wildcard without a probe host", function () {
        assert.deepEqual(routeCheckTargets(EGRESS, [ARC]), {
            hosts: ["login.microsoftonline.com:443"],
            privateHosts: ["agentserviceapi.guestconfiguration.azure.com", "gbl.his.arc.azure.com"],
        });
    });

    it("install-time rows only for the agents not yet installed, of either agent the row names", function () {
        assert.deepEqual(routeCheckTargets(EGRESS, [MDE, ARC], { os: "linux", notYetInstalled: [MDE] }).hosts, [
            "login.microsoftonline.com:443",
            "packages.microsoft.com:443",
            "winatp-gw-weu.microsoft.com:443",
            "www.microsoft.com:443",
            "www.microsoft.com:80",
            "x.cp.wd.microsoft.com:443",
        ]);
        // Installed already: the install-time host is not needed any more.
        assert.ok(!routeCheckTargets(EGRESS, [MDE, ARC], { os: "linux" }).hosts.includes("packages.microsoft.com:443"));
        assert.deepEqual(routeCheckTargets(EGRESS, [ARC], { os: "windows", notYetInstalled: [ARC] }).hosts, [
            "download.microsoft.com:443",
            "login.microsoftonline.com:443",
        ]);
    });

    it("a row several agents need is probed when the machine runs any one of them", function () {
        const shared = [row("shared.example", [AMA, MDE]), row("other.example", [ARC])];
        assert.deepEqual(routeCheckTargets(shared, [MDE]).hosts, ["shared.example:443"]);
        assert.deepEqual(routeCheckTargets(shared, [AMA, ARC]).hosts, ["other.example:443", "shared.example:443"]);
    });

    it("hands the scripts comma-joined lists", function () {
        assert.deepEqual(routeCheckVariables({ hosts: ["a.example:443", "b.example:80"], privateHosts: ["p.example", "q.example"] }), {
            ROUTE_CHECK_HOSTS: "a.example:443,b.example:80",
            ROUTE_CHECK_PRIVATE_HOSTS: "p.example,q.example",
        });
        assert.deepEqual(routeCheckVariables({ hosts: [], privateHosts: [] }), { ROUTE_CHECK_HOSTS: "", ROUTE_CHECK_PRIVATE_HOSTS: "" });
    });
});

describe("egress route check: what it refuses", function () {
    const KNOWN = '"Defender for Endpoint", "Azure Monitor Agent", "Log Analytics agent", "Guest Configuration", "Arc agent"';
    const refuses = (run: () => unknown, message: string) => assert.throws(run, (err: Error) => err.message === message);

    it("an agent name it does not know, in either list, naming the list and the names it knows", function () {
        refuses(() => routeCheckTargets(EGRESS, ["MDE"]), `routeCheckTargets: agents: unknown agent "MDE"; use one of ${KNOWN}`);
        refuses(
            () => routeCheckTargets(EGRESS, [MDE], { notYetInstalled: ["mdatp"] }),
            `routeCheckTargets: notYetInstalled: unknown agent "mdatp"; use one of ${KNOWN}`,
        );
    });

    it("an agent not yet installed that the machine does not run", function () {
        refuses(
            () => routeCheckTargets(EGRESS, [MDE], { notYetInstalled: [ARC] }),
            'routeCheckTargets: notYetInstalled: "Arc agent" is not one of the machine\'s agents; list it in agents too',
        );
    });

    it("an operating system other than linux or windows", function () {
        refuses(() => routeCheckTargets(EGRESS, [MDE], "macos"), 'routeCheckTargets: os "macos" must be "linux" or "windows"');
        refuses(() => routeCheckTargets(EGRESS, [MDE], { os: "Linux" }), 'routeCheckTargets: os "Linux" must be "linux" or "windows"');
    });
});
