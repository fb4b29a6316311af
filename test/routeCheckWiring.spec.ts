/** Each machine's proxy scripts prove the routes its own agents need, before MDE is switched on. */
import { strict as assert } from "node:assert";
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
        assert.ok(hosts.some((h) => /^winatp-gw-[a-z0-9]+\.microsoft\.com:443$/.test(h)), "MDE's standard gateway is probed");
        assert.ok(hosts.every((h) => /^[a-z0-9.-]+:\d+$/.test(h)), "only concrete host:port entries, no wildcards");
        assert.equal(parameter(command, "RouteCheckTimeoutSeconds"), "10");
        assert.equal(parameter(command, "ROUTE_CHECK_HOSTS"), undefined);
    });

    it("an Arc Linux machine's Arc-agent script proves the Arc hosts before it commits; the OS script proves them too", async () => {
        const run = await construct(mixedFleet());
        const arc = parameter(inputs(named(run, "d-arc-agent-proxy-lnx-arc")), "ROUTE_CHECK_HOSTS")!.split(",");
        assert.ok(arc.length > 0 && arc.every((h) => !h.includes("*")));
        assert.ok(arc.some((h) => h.endsWith(".his.arc.azure.com:443")), `no Arc identity host in ${arc.join(",")}`);
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
