/** Each machine's proxy scripts prove the routes its own agents need, before MDE is switched on. */
import { strict as assert } from "node:assert";
import { egressEndpoints, routeCheckTargets } from "../sdk/plan/egress";
import { osProxyRunCommand } from "../sdk/plan/runCommands";
import { EGRESS_AGENTS, EgressInput } from "../sdk/plan/egress/types";
import { mixedFleet } from "./fleet";
import { construct, inputs, named } from "./harness";

const parameter = (command: Record<string, any>, name: string): string | undefined =>
    (command.parameters as Array<{ name: string; value: string }>).find((p) => p.name === name)?.value;

describe("route check wiring", () => {
    it("a Windows VM proves MDE's and AMA's hosts through the proxy, in the Windows parameter names", async () => {
        const run = await construct(mixedFleet());
        const command = inputs(named(run, "d-os-proxy-win-vm"));
        const hosts = parameter(command, "RouteCheckHosts")!.split(",");
        assert.ok(hosts.includes("global.handler.control.monitor.azure.com:443"), "AMA's control host is probed");
        assert.ok(
            hosts.some((h) => /^winatp-gw-[a-z0-9]+\.microsoft\.com:443$/.test(h)),
            "MDE's standard gateway is probed",
        );
        assert.ok(
            hosts.every((h) => /^[a-z0-9.-]+:\d+$/.test(h)),
            "only concrete host:port entries, no wildcards",
        );
        assert.equal(parameter(command, "RouteCheckTimeoutSeconds"), "10");
        assert.equal(parameter(command, "ROUTE_CHECK_HOSTS"), undefined);
    });

    it("an Arc Linux machine's Arc-agent script proves the Arc hosts before it commits; the OS script proves them too", async () => {
        const run = await construct(mixedFleet());
        const arc = parameter(inputs(named(run, "d-arc-agent-proxy-lnx-arc")), "ROUTE_CHECK_HOSTS")!.split(",");
        assert.ok(arc.length > 0 && arc.every((h) => !h.includes("*")));
        assert.ok(
            arc.some((h) => h.endsWith(".his.arc.azure.com:443")),
            `no Arc identity host in ${arc.join(",")}`,
        );
        const os = parameter(inputs(named(run, "d-os-proxy-lnx-arc")), "ROUTE_CHECK_HOSTS")!.split(",");
        for (const host of arc) assert.ok(os.includes(host), `${host} missing from the OS script's check`);
    });

    it("a machine whose MDE is off on Linux does not probe MDE's hosts", async () => {
        const run = await construct(mixedFleet({ mdeIntegration: { includeLinux: false } }));
        const hosts = parameter(inputs(named(run, "d-os-proxy-lnx-vm")), "ROUTE_CHECK_HOSTS") ?? "";
        assert.ok(!/winatp-gw-/.test(hosts), hosts);
    });

    it("proxy.routeCheck: false sends no route-check parameter anywhere, and warns", async () => {
        const args = mixedFleet();
        args.proxy = { ...args.proxy!, routeCheck: false };
        const run = await construct(args);
        const commands = run.resources.filter((r) => r.name.includes("-proxy-"));
        assert.ok(commands.length >= 6);
        for (const c of commands) {
            assert.deepEqual(
                inputs(c).parameters.filter((p: { name: string }) => /^(RouteCheck|ROUTE_CHECK_)/.test(p.name)),
                [],
                c.name,
            );
        }
        assert.ok(run.warnings.some((w) => /^proxy.routeCheck: is false: no machine proves its route/.test(w)));
    });
});

// Expected values below come from Microsoft's lists, not from the code:
// - defender-docs `defender-endpoint/streamlined-device-connectivity-urls-commercial.md`: the consolidated
//   domain (probe `mdav.us.endpoint.security.microsoft.com`, the example `migrate-devices-streamlined.md` gives),
//   packages.microsoft.com ("Linux software repository"), go.microsoft.com, definitionupdates.microsoft.com and
//   www.microsoft.com (security intelligence updates), and, for Windows only, the plain-HTTP certificate hosts
//   crl.microsoft.com, ctldl.windowsupdate.com and www.microsoft.com on port 80.
// - defender-docs `defender-endpoint/linux-install-manually.md` (04/17/2025): mdatp is installed from
//   packages.microsoft.com, so a Linux machine whose MDE is not installed yet needs that host before MDE is switched on.
// - azure-management-docs `articles/azure-arc/servers/includes/network-requirements.md` (2026): aka.ms,
//   download.microsoft.com and packages.microsoft.com are needed only to install or upgrade the Arc agent.
const MDE = EGRESS_AGENTS.mde;
const ARC = EGRESS_AGENTS.arcAgent;
const NO_AGENTS = { mde: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false, arcAgent: false };
function streamlined(agents: Partial<EgressInput["agents"]>): ReturnType<typeof egressEndpoints> {
    return egressEndpoints({
        cloud: "AzureCloud",
        regions: ["westeurope"],
        agents: { ...NO_AGENTS, ...agents },
        mde: { connectivity: "streamlined", windows: true, linux: true },
        workspaceIds: [],
        privateLink: { arc: false, azureMonitor: false },
    });
}

describe("route check targets: install-time hosts of agents not installed yet", () => {
    it("Linux, MDE not installed yet: Microsoft's streamlined Linux list, packages.microsoft.com included", () => {
        const targets = routeCheckTargets(streamlined({ mde: true }), [MDE], { os: "linux", notYetInstalled: [MDE] });
        assert.deepEqual(targets.hosts, [
            "definitionupdates.microsoft.com:443",
            "go.microsoft.com:443",
            "mdav.us.endpoint.security.microsoft.com:443",
            "packages.microsoft.com:443",
            "www.microsoft.com:443",
        ]);
    });

    it("Linux, MDE installed: packages.microsoft.com is not probed (install-time only)", () => {
        const targets = routeCheckTargets(streamlined({ mde: true }), [MDE], { os: "linux" });
        assert.ok(!targets.hosts.includes("packages.microsoft.com:443"), targets.hosts.join(","));
    });

    it("Windows: the three plain-HTTP certificate hosts are targets on port 80 (GET), not 443", () => {
        const { hosts } = routeCheckTargets(streamlined({ mde: true }), [MDE], { os: "windows", notYetInstalled: [MDE] });
        for (const h of ["crl.microsoft.com:80", "ctldl.windowsupdate.com:80", "www.microsoft.com:80"]) assert.ok(hosts.includes(h), h);
        assert.ok(!hosts.includes("crl.microsoft.com:443") && !hosts.includes("ctldl.windowsupdate.com:443"));
        assert.ok(!hosts.includes("packages.microsoft.com:443"), "packages.microsoft.com is a Linux-only row");
    });

    it("an Arc Linux machine without MDE: the Arc agent is installed, so its install hosts are not probed", () => {
        const { hosts } = routeCheckTargets(streamlined({ arcAgent: true }), [ARC], { os: "linux" });
        for (const h of ["aka.ms:443", "packages.microsoft.com:443", "download.microsoft.com:443", "management.azure.com:443"]) {
            assert.ok(!hosts.includes(h), `${h} in ${hosts.join(",")}`);
        }
        assert.ok(hosts.includes("login.microsoftonline.com:443"));
    });

    it("refuses a not-yet-installed agent the machine does not run, or one it does not know", () => {
        const egress = streamlined({ mde: true });
        assert.throws(
            () => routeCheckTargets(egress, [ARC], { notYetInstalled: [MDE] }),
            /notYetInstalled: "Defender for Endpoint" is not one of the machine's agents/,
        );
        assert.throws(() => routeCheckTargets(egress, [MDE], { notYetInstalled: ["MDE"] }), /notYetInstalled: unknown agent "MDE"/);
    });
});

describe("route check wiring: install-time hosts reach the scripts", () => {
    it("a Linux VM with MDE probes packages.microsoft.com:443 before MDE is switched on", async () => {
        const run = await construct(mixedFleet());
        const hosts = parameter(inputs(named(run, "d-os-proxy-lnx-vm")), "ROUTE_CHECK_HOSTS")!.split(",");
        assert.ok(hosts.includes("packages.microsoft.com:443"), hosts.join(","));
    });

    it("a Windows VM probes the certificate hosts with port 80, the form its script sends as GET", async () => {
        const run = await construct(mixedFleet());
        const hosts = parameter(inputs(named(run, "d-os-proxy-win-vm")), "RouteCheckHosts")!.split(",");
        for (const h of ["crl.microsoft.com:80", "ctldl.windowsupdate.com:80", "www.microsoft.com:80"]) assert.ok(hosts.includes(h), h);
    });

    it("the Arc-agent script of a Linux Arc machine does not probe install-time hosts", async () => {
        const run = await construct(mixedFleet());
        const arc = parameter(inputs(named(run, "d-arc-agent-proxy-lnx-arc")), "ROUTE_CHECK_HOSTS")!.split(",");
        assert.ok(!arc.includes("packages.microsoft.com:443") && !arc.includes("aka.ms:443"), arc.join(","));
    });
});

describe("Windows OS-proxy parameters", () => {
    const proxy = { url: "http://proxy.corp.example:3128", host: "proxy.corp.example", port: 3128, bypass: [] } as unknown as Parameters<
        typeof osProxyRunCommand
    >[1];
    it("sends ReplaceExistingWinHttpProxy=true only when asked; the script refuses another WinHTTP proxy without it", () => {
        const names = (replace: boolean) =>
            osProxyRunCommand("windows", proxy, [], undefined, replace).parameters.map((p) => `${p.name}=${p.value}`);
        assert.ok(!names(false).some((n) => n.startsWith("ReplaceExistingWinHttpProxy")));
        assert.ok(names(true).includes("ReplaceExistingWinHttpProxy=true"));
        assert.ok(!osProxyRunCommand("linux", proxy, [], undefined, true).parameters.some((p) => p.name.startsWith("Replace")));
    });
});
