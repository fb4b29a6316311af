/**
 * Policy mode through three successive releases (three proxy and script variants): each release's
 * remediation puts the same run commands again under the same names with new content, so a
 * machine holds one run command per purpose, and the previous release's run commands stop
 * counting as compliant. Also what the run commands prove (the route check) and what a user reads
 * where they cannot prove it.
 */
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { CONFIG_TAG } from "../sdk/plan/policy";
import { inputs, MINIMAL, named } from "./harness";

function release(
    proxy: Record<string, unknown>,
    extra: Partial<DefenderForServersNetworkRestrictedArgs> = {},
): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        proxy: { address: "http://proxy.corp.example:3128", ...proxy },
        machines: [
            { key: "vm", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "vm-1" },
            { key: "arc", kind: "arc", os: "windows", resourceGroupName: "rg", name: "arc-1" },
        ],
        rollout: { mode: "policy" },
        ...extra,
    };
}

/** Three releases: a first proxy; the bypass list changed; another proxy with the route check off. */
const RELEASES = [
    release({}),
    release({ bypass: [".corp.example", "10.0.0.0/8"] }),
    release({ address: "http://proxy2.corp.example:8080", routeCheck: false }),
];

async function definitions(args: DefenderForServersNetworkRestrictedArgs): Promise<RunResult> {
    const result = await runProgram(() => void new DefenderForServersNetworkRestricted("d", args));
    assert.deepEqual(result.errors, []);
    return result;
}

const osProxy = (result: RunResult, slug: string) => inputs(named(result, `d-policy-os-proxy-${slug}`)).policyRule.then.details;

/** What a machine holds after each release's deployment ran on it: run command name to its last PUT (ARM PUT replaces a resource of that name). */
function applyDeployment(machine: Map<string, Record<string, any>>, details: Record<string, any>, machineName: string): void {
    for (const resource of details.deployment.properties.template.resources) {
        const name = /^\[concat\(parameters\('machineName'\), '\/', '([^']+)'\)\]$/.exec(resource.name)![1];
        machine.set(`${machineName}/${name}`, resource);
    }
}

describe("policy mode over three releases", () => {
    let runs: RunResult[];
    before(async () => {
        runs = [];
        for (const args of RELEASES) runs.push(await definitions(args));
    });

    for (const slug of ["vm-linux", "vm-windows", "arc-windows", "arc-linux"]) {
        it(`${slug}: one run command per purpose per machine after three releases, each release's content new`, () => {
            const machine = new Map<string, Record<string, any>>();
            const hashes: string[] = [];
            for (const run of runs) {
                const details = osProxy(run, slug);
                applyDeployment(machine, details, "m1");
                hashes.push(details.existenceCondition.allOf.find((c: any) => c.field === `tags['${CONFIG_TAG}']`).equals);
            }
            const expected = slug.startsWith("arc") ? ["m1/defender-os-proxy", "m1/defender-arc-agent-proxy"] : ["m1/defender-os-proxy"];
            assert.deepEqual([...machine.keys()].sort(), expected.sort());
            assert.equal(new Set(hashes).size, 3, "each release must change the content hash, or machines would not run it");
            // What the machine holds is the last release's, tagged with the hash its compliance checks.
            for (const resource of machine.values()) assert.equal(resource.tags[CONFIG_TAG], hashes[2]);
            // The looked-up run command keeps its name: the old one is replaced, not left beside the new.
            assert.deepEqual(new Set(runs.map((run) => osProxy(run, slug).name)), new Set(["defender-os-proxy"]));
        });
    }

    it("release 3's proxy and parameters are what the machine runs", () => {
        const [command] = osProxy(runs[2], "vm-linux").deployment.properties.template.resources;
        assert.deepEqual(
            command.properties.parameters.find((p: any) => p.name === "PROXY_URL"),
            { name: "PROXY_URL", value: "http://proxy2.corp.example:8080" },
        );
    });
});

describe("policy-mode run commands prove the route, or a warning says what is not proven", () => {
    it("with the route check on (the default), the OS-proxy and Arc-agent run commands carry it", async () => {
        const result = await definitions(RELEASES[0]);
        const [os] = osProxy(result, "vm-linux").deployment.properties.template.resources;
        const hosts = os.properties.parameters.find((p: any) => p.name === "ROUTE_CHECK_HOSTS");
        assert.ok(hosts !== undefined, "no route check in the Linux VM OS-proxy run command");
        assert.ok(
            hosts.value.split(",").some((h: string) => h.endsWith(":443")),
            hosts.value,
        );
        const [winOs, winAgent] = osProxy(result, "arc-windows").deployment.properties.template.resources;
        assert.ok(winOs.properties.parameters.some((p: any) => p.name === "RouteCheckHosts"));
        assert.ok(
            winAgent.properties.parameters.some((p: any) => p.name === "RouteCheckHosts"),
            "the Arc agent's proxy is not proven before it commits",
        );
        assert.ok(
            result.warnings.some((w) =>
                w.startsWith(
                    "rollout.mode: policy: what the policy-mode run commands do not prove: the route check proves the hosts of the regions in the egress list",
                ),
            ),
        );
    });

    it("with routeCheck: false there is no route check, and the warning says MDE may be switched on over a proxy that blocks it", async () => {
        const result = await definitions(RELEASES[2]);
        const [os] = osProxy(result, "vm-linux").deployment.properties.template.resources;
        assert.ok(!os.properties.parameters.some((p: any) => p.name.startsWith("ROUTE_CHECK")));
        const warning = result.warnings.find((w) => w.startsWith("rollout.mode: policy:"));
        assert.ok(warning !== undefined);
        assert.match(warning, /proxy\.routeCheck false the OS-proxy run commands set the proxy but prove no route/);
        assert.match(warning, /Linux Arc machines get no read-back step/);
        assert.match(warning, /on Arc, a failed script does not fail its remediation deployment/);
    });
});
