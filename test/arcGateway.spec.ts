// The Azure Arc gateway: the gateway and association inputs Azure would receive, the Arc agent's
// bypass in gateway mode, the onboarding commands (run against a stand-in azcmagent), the
// gateway-mode egress list, validation from Microsoft's limits, and the Squid snippet parsed by
// a real Squid.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as net from "node:net";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, MachineSettings, ValidationError } from "../sdk";
import { validate } from "../sdk/validate";
import { EgressInput, egressEndpoints, proxyAllowlist, squidAllowlistSnippet } from "../sdk/plan/egress";
import { gatewayModeEgress, gatewayOnboardingCommands, GATEWAY_HOST_WILDCARD } from "../sdk/plan/arcGateway";
import { RunResult, runProgram } from "../sdk/preview/engine";
import { PropertyValue, reveal } from "../sdk/preview/values";
import { construct, inputs, MINIMAL, MODES, named, ofType, SUBSCRIPTION } from "./harness";
import { sharedPreview } from "./previewCli";
import { PASSWORD, WORKSPACE } from "./fleet";
import { parseSquidConfig, startSquid } from "./squidServer";

const GATEWAY_TYPE = "azure-native:hybridcompute:Gateway";
const DEPLOYMENT_TYPE = "azure-native:resources:Deployment";
const EXISTING = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-shared/providers/Microsoft.HybridCompute/gateways/gw-hub`;
const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

/** A Linux VM and two Arc machines (one in northeurope) behind a proxy, with AMA, and a gateway created in rg-gw. */
function gatewayFleet(overrides: Partial<DefenderForServersNetworkRestrictedArgs> = {}): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        proxy: { address: "http://proxy.corp.example:3128", username: "svc", password: PASSWORD, unauthenticatedForAgentHosts: true },
        machines: [
            { key: "lnx-vm", kind: "azureVm", os: "linux", resourceGroupName: "rg-app", name: "lnx-vm", systemAssignedIdentity: true },
            { key: "lnx-arc", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "lnx-arc" },
            { key: "win-arc", kind: "arc", os: "windows", resourceGroupName: "rg-arc-ne", name: "win-arc", location: "northeurope" },
        ],
        logs: { workspaceResourceId: WORKSPACE },
        arcGateway: { resourceGroupName: "rg-gw", gatewayName: "gw-defender", tenantId: TENANT },
        ...overrides,
    };
}

/** The component's registered outputs, secrets opened. */
function componentOutputs(run: RunResult): Record<string, any> {
    return reveal((run.resources[0].outputs ?? {}) as PropertyValue) as Record<string, any>;
}

/** The named run command's parameters as a map. */
function parameters(run: RunResult, name: string): Record<string, string> {
    const list = inputs(named(run, name)).parameters as Array<{ name: string; value: string }>;
    return Object.fromEntries(list.map((p) => [p.name, p.value]));
}

const DROPPED_ARC_HOSTS = [
    "*.guestconfiguration.azure.com",
    "*.his.arc.azure.com",
    "guestnotificationservice.azure.com",
    "*.guestnotificationservice.azure.com",
    "azgn*.servicebus.windows.net",
    "*.blob.core.windows.net",
    "aka.ms",
    "login.windows.net",
    "pas.windows.net",
];

describe("Arc gateway: resources", () => {
    for (const mode of MODES) {
        describe(mode.label, () => {
            it("creates one gateway: Public, every feature, in its resource group and the component's region, kept on delete", async () => {
                const run = await construct(gatewayFleet(), mode.preview);
                const gateways = ofType(run, GATEWAY_TYPE);
                assert.equal(gateways.length, 1);
                assert.equal(gateways[0].name, "d-arc-gateway");
                assert.deepEqual(inputs(gateways[0]), {
                    resourceGroupName: "rg-gw",
                    gatewayName: "gw-defender",
                    location: "westeurope",
                    gatewayType: "Public",
                    allowedFeatures: ["*"],
                });
                assert.equal(gateways[0].retainOnDelete, true);
            });

            it("associates each listed Arc machine (not the VM) through Microsoft.HybridCompute/settings/default on the machine", async () => {
                const run = await construct(gatewayFleet(), mode.preview);
                const links = ofType(run, DEPLOYMENT_TYPE).filter((d) => d.name.startsWith("d-arc-gateway-link-"));
                assert.deepEqual(links.map((l) => l.name).sort(), ["d-arc-gateway-link-lnx-arc", "d-arc-gateway-link-win-arc"]);
                const gateway = named(run, "d-arc-gateway");
                for (const [key, group] of [
                    ["lnx-arc", "rg-arc"],
                    ["win-arc", "rg-arc-ne"],
                ]) {
                    const link = named(run, `d-arc-gateway-link-${key}`);
                    const given = inputs(link);
                    assert.equal(given.resourceGroupName, group);
                    assert.equal(given.deploymentName, `defender-arc-gateway-${key}`);
                    assert.equal(given.properties.mode, "Incremental");
                    assert.deepEqual(given.properties.template.resources, [
                        {
                            type: "Microsoft.HybridCompute/settings",
                            apiVersion: "2025-06-01",
                            name: "default",
                            scope: "[format('Microsoft.HybridCompute/machines/{0}', parameters('machineName'))]",
                            properties: { gatewayProperties: { gatewayResourceId: "[parameters('gatewayResourceId')]" } },
                        },
                    ]);
                    assert.equal(given.properties.parameters.machineName.value, key);
                    // The association waits for the gateway: its id is an input.
                    assert.ok(link.dependencies.includes(gateway.urn), `${link.name} does not wait for the gateway`);
                    if (!mode.preview) {
                        assert.match(given.properties.parameters.gatewayResourceId.value, /\/d-arc-gateway$/);
                    }
                    assert.equal(link.retainOnDelete, true);
                }
            });
        });
    }

    it("uses an existing gateway by id: no gateway is created, the associations name that id", async () => {
        const run = await construct(gatewayFleet({ arcGateway: { existingGatewayId: EXISTING, tenantId: TENANT } }));
        assert.deepEqual(ofType(run, GATEWAY_TYPE), []);
        const link = inputs(named(run, "d-arc-gateway-link-lnx-arc"));
        assert.equal(link.properties.parameters.gatewayResourceId.value, EXISTING);
        assert.equal(componentOutputs(run).arcGatewayId, EXISTING);
    });

    it("reads an existing gateway's host from Azure (getGateway on its group and name) into arcGatewayEndpoint", async () => {
        let endpoint: unknown;
        const run = await runProgram(
            () => {
                const d = new DefenderForServersNetworkRestricted("d", gatewayFleet({ arcGateway: { existingGatewayId: EXISTING } }));
                endpoint = undefined;
                return { endpoint: d.arcGatewayEndpoint };
            },
            {
                invokeResults: {
                    "azure-native:hybridcompute:getGateway": { gatewayEndpoint: "abc123.gw.arc.azure.com", name: "gw-hub" },
                },
            },
        );
        assert.equal(endpoint, undefined);
        assert.deepEqual(run.errors, []);
        assert.equal(run.outputs.endpoint, "abc123.gw.arc.azure.com");
    });

    it("reports a created gateway's host once Azure returns it", async () => {
        const run = await runProgram(
            () => ({ endpoint: new DefenderForServersNetworkRestricted("d", gatewayFleet()).arcGatewayEndpoint }),
            { resourceOutputs: { "d-arc-gateway": { gatewayEndpoint: "f00d.gw.arc.azure.com" } } },
        );
        assert.equal(run.outputs.endpoint, "f00d.gw.arc.azure.com");
    });

    it("writes no azcmagent proxy.bypass in gateway mode (Microsoft: unsupported), where the same fleet without a gateway gets AMA", async () => {
        // Azure Monitor Private Link with the Arc machines' AMA excluded: the one combination that would set a bypass.
        const noAma = (args: DefenderForServersNetworkRestrictedArgs): DefenderForServersNetworkRestrictedArgs => ({
            ...args,
            machines: args.machines!.map((m) => (m.kind === "arc" ? { ...m, exclude: ["azureMonitorAgent"] } : m)),
            privateLink: { resourceGroupName: "rg-pl", subnetId: "/subscriptions/x/subnets/s", azureMonitor: {} },
        });
        const without = await construct(noAma(gatewayFleet({ arcGateway: undefined })));
        assert.equal(parameters(without, "d-arc-agent-proxy-lnx-arc").ARC_PROXY_BYPASS, "AMA");
        const withGateway = await construct(noAma(gatewayFleet()));
        for (const key of ["lnx-arc", "win-arc"]) {
            const given = parameters(withGateway, `d-arc-agent-proxy-${key}`);
            assert.equal(
                given.ARC_PROXY_BYPASS ?? given.ArcProxyBypass ?? "",
                "",
                `${key} still gets an Arc bypass (an empty one is left out)`,
            );
            // The agent still needs the enterprise proxy: the gateway is reached through it.
            assert.equal(given.PROXY_URL ?? given.ProxyUrl, "http://proxy.corp.example:3128");
        }
    });

    it("creates nothing for the gateway without arcGateway, and its outputs stay undefined", async () => {
        const run = await construct(gatewayFleet({ arcGateway: undefined }));
        assert.deepEqual(ofType(run, GATEWAY_TYPE), []);
        assert.deepEqual(
            ofType(run, DEPLOYMENT_TYPE).filter((d) => d.name.includes("arc-gateway")),
            [],
        );
        const outputs = componentOutputs(run);
        assert.equal(outputs.arcGatewayId, undefined);
        assert.equal(outputs.arcGatewayOnboardingCommands, undefined);
    });
});

describe("Arc gateway: gateway-mode egress in the component's outputs", () => {
    it("egress, proxyAllowlist and squidAllowlist carry Microsoft's short Arc list and the gateway host, and keep MDE's and AMA's hosts", async () => {
        const run = await construct(gatewayFleet());
        const outputs = componentOutputs(run);
        const allow = outputs.proxyAllowlist as string[];
        for (const host of [
            GATEWAY_HOST_WILDCARD,
            "management.azure.com",
            "login.microsoftonline.com",
            "*.login.microsoft.com",
            "gbl.his.arc.azure.com",
            "westeurope.his.arc.azure.com",
            "northeurope.his.arc.azure.com",
            "packages.microsoft.com",
            "download.microsoft.com",
            // Not through the gateway: MDE uses the OS proxy, AMA has the proxy in its own settings.
            "*.endpoint.security.microsoft.com",
            "global.handler.control.monitor.azure.com",
            "westeurope.handler.control.monitor.azure.com",
            "*.ods.opinsights.azure.com",
        ]) {
            assert.ok(allow.includes(host), `${host} missing from proxyAllowlist: ${allow.join(", ")}`);
        }
        for (const host of DROPPED_ARC_HOSTS) assert.ok(!allow.includes(host), `${host} is still allowed in gateway mode`);
        const gatewayRow = (outputs.egress as Array<Record<string, unknown>>).find((e) => e.host === GATEWAY_HOST_WILDCARD);
        assert.deepEqual(
            gatewayRow && { agents: gatewayRow.agents, route: gatewayRow.route, when: gatewayRow.when, port: gatewayRow.port },
            {
                agents: ["Arc agent"],
                route: "proxy",
                when: "always",
                port: 443,
            },
        );
        assert.match(outputs.squidAllowlist, /^acl defender_servers dstdomain \.gw\.arc\.azure\.com$/m);
        assert.doesNotMatch(outputs.squidAllowlist, /servicebus|guestconfiguration|guestnotificationservice/);
        assert.ok((outputs.egressNotes as string[]).some((n) => /Do not inspect TLS/.test(n) && /arcGatewayEndpoint/.test(n)));
    });

    it("without a gateway the same fleet still lists the Arc agent's direct hosts (the transformation is what removes them)", async () => {
        const allow = componentOutputs(await construct(gatewayFleet({ arcGateway: undefined }))).proxyAllowlist as string[];
        for (const host of ["*.guestconfiguration.azure.com", "azgn*.servicebus.windows.net", "*.his.arc.azure.com"]) {
            assert.ok(allow.includes(host), host);
        }
        assert.ok(!allow.includes(GATEWAY_HOST_WILDCARD));
    });
});

describe("Arc gateway: gateway-mode egress (pure)", () => {
    const INPUT: EgressInput = {
        cloud: "AzureCloud",
        regions: ["westeurope", "eastus"],
        agents: { mde: true, azureMonitorAgent: true, legacyAgent: false, guestConfiguration: true, arcAgent: true },
        workspaceIds: [],
        privateLink: { arc: false, azureMonitor: false },
    };

    it("keeps every non-Arc row of the usual list unchanged", () => {
        const usual = egressEndpoints({ ...INPUT, agents: { ...INPUT.agents, arcAgent: false } });
        const gateway = gatewayModeEgress(INPUT, { arcRegions: ["westeurope"] });
        for (const row of usual) {
            const same = gateway.find((g) => g.host === row.host && g.port === row.port);
            assert.ok(same !== undefined, `${row.host}:${row.port} lost`);
            if (!same.agents.includes("Arc agent")) assert.deepEqual(same, row);
        }
    });

    it("names <region>.his.arc.azure.com for the Arc regions only, and the exact gateway host when known", () => {
        const rows = gatewayModeEgress(INPUT, { arcRegions: ["WestEurope", "westeurope"], gatewayHost: "abc123.gw.arc.azure.com" });
        const hosts = proxyAllowlist(rows);
        assert.deepEqual(
            hosts.filter((h) => h.endsWith(".his.arc.azure.com")),
            ["gbl.his.arc.azure.com", "westeurope.his.arc.azure.com"],
        );
        assert.ok(hosts.includes("abc123.gw.arc.azure.com"));
        assert.ok(!hosts.includes(GATEWAY_HOST_WILDCARD));
        // packages.microsoft.com is needed by MDE on Linux and the Arc agent: one row, both agents.
        const packages = rows.find((r) => r.host === "packages.microsoft.com");
        assert.deepEqual(packages?.agents, ["Arc agent", "Defender for Endpoint"]);
    });

    it("refuses a host that is not a gateway's, and any cloud but AzureCloud", () => {
        assert.throws(() => gatewayModeEgress(INPUT, { arcRegions: [], gatewayHost: "evil.example.com" }), /not an Arc gateway host/);
        assert.throws(() => gatewayModeEgress({ ...INPUT, cloud: "AzureUSGovernment" }, { arcRegions: [] }), /AzureCloud only/);
    });
});

describe("Arc gateway: onboarding commands", () => {
    it("are in the component's output: proxy first, connect with --gateway-id, no bypass, no private link scope", async () => {
        const run = await construct(gatewayFleet());
        const commands = componentOutputs(run).arcGatewayOnboardingCommands as { linux: string; windows: string };
        const id = inputs(named(run, "d-arc-gateway-link-lnx-arc")).properties.parameters.gatewayResourceId.value as string;
        assert.deepEqual(commands.linux.split("\n"), [
            "set -euo pipefail",
            'azcmagent config set proxy.url "http://proxy.corp.example:3128"',
            `azcmagent connect --subscription-id "${SUBSCRIPTION}" --resource-group "rg-gw" --location "westeurope" --tenant-id "${TENANT}" --cloud "AzureCloud" --gateway-id "${id}"`,
        ]);
        assert.match(commands.windows, /& \$azcmagent connect .*--gateway-id "[^"]+\/d-arc-gateway"/);
        assert.doesNotMatch(`${commands.linux}\n${commands.windows}`, /proxy\.bypass|private-link-scope|Pr0xy/);
    });

    it("stay unknown in a preview (the gateway id is not known yet) without failing it", async () => {
        const run = await construct(gatewayFleet(), true);
        assert.deepEqual(run.errors, []);
    });

    it("join machines to the existing gateway's resource group unless machinesResourceGroupName says otherwise", async () => {
        const existing = componentOutputs(await construct(gatewayFleet({ arcGateway: { existingGatewayId: EXISTING } })));
        assert.match(existing.arcGatewayOnboardingCommands.linux, /--resource-group "rg-shared"/);
        assert.match(existing.arcGatewayOnboardingCommands.linux, /--tenant-id "\$\{TENANT_ID:\?/);
        const chosen = componentOutputs(
            await construct(gatewayFleet({ arcGateway: { existingGatewayId: EXISTING, machinesResourceGroupName: "rg-new" } })),
        );
        assert.match(chosen.arcGatewayOnboardingCommands.linux, /--resource-group "rg-new"/);
    });

    /** Runs the Linux commands with a stand-in azcmagent that logs its arguments and exits with `code` on `connect`. */
    function runLinux(code: number): { status: number | null; calls: string[] } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arc-gateway-onboard-"));
        try {
            const log = path.join(dir, "calls");
            fs.writeFileSync(
                path.join(dir, "azcmagent"),
                `#!/bin/bash\nprintf '%s\\n' "$*" >> "${log}"\n[[ $1 == connect ]] && exit ${code}\nexit 0\n`,
                { mode: 0o755 },
            );
            const script = gatewayOnboardingCommands({
                subscriptionId: SUBSCRIPTION,
                resourceGroupName: "rg-arc",
                location: "westeurope",
                gatewayId: EXISTING,
                proxyUrl: "http://proxy.corp.example:3128",
            }).linux;
            const run = spawnSync("bash", ["-c", script], {
                env: { PATH: `${dir}:/usr/bin:/bin`, TENANT_ID: TENANT },
                maxBuffer: 256 * 1024 * 1024,
                encoding: "utf8",
                timeout: 10_000,
            });
            return { status: run.status, calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [] };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    it("run under bash: set the proxy, then connect with the gateway and the tenant from $TENANT_ID", () => {
        const { status, calls } = runLinux(0);
        assert.equal(status, 0);
        assert.deepEqual(calls, [
            "config set proxy.url http://proxy.corp.example:3128",
            `connect --subscription-id ${SUBSCRIPTION} --resource-group rg-arc --location westeurope --tenant-id ${TENANT} --cloud AzureCloud --gateway-id ${EXISTING}`,
        ]);
    });

    it("fail when azcmagent connect fails (exit code passed on)", () => {
        assert.equal(runLinux(3).status, 3);
    });

    it("fail under bash when neither the args nor $TENANT_ID give a tenant, before connecting", () => {
        const script = gatewayOnboardingCommands({
            subscriptionId: SUBSCRIPTION,
            resourceGroupName: "rg-arc",
            location: "westeurope",
            gatewayId: EXISTING,
        }).linux;
        const run = spawnSync("bash", ["-c", script], {
            env: { PATH: "/nonexistent:/usr/bin:/bin" },
            maxBuffer: 256 * 1024 * 1024,
            encoding: "utf8",
        });
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /set TENANT_ID to your Entra tenant id/);
    });
});

describe("Arc gateway: Windows onboarding commands under PowerShell 7", function () {
    this.timeout(180_000);

    /** PowerShell from PATH, the dotnet tool path, or tools/install-test-tools.sh's cache; never skipped. */
    function findPwsh(): string {
        const home = process.env.HOME ?? "/root";
        const candidates = [
            ...(process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "pwsh")),
            path.join(home, ".dotnet", "tools", "pwsh"),
            path.join(process.env.DEFENDER_TOOLS ?? path.join(home, ".cache", "defender-servers-tools"), "dotnet-tools", "pwsh"),
        ];
        const found = candidates.find((c) => c !== "pwsh" && fs.existsSync(c));
        if (found === undefined) throw new Error("pwsh is not installed: run tools/install-test-tools.sh; this test never skips");
        return found;
    }

    /** Runs the Windows commands with a stand-in azcmagent.exe (a script) under $env:ProgramW6432 that fails `failOn` with code 5. */
    function runWindows(failOn: string): { status: number | null; calls: string[]; said: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arc-gateway-onboard-win-"));
        try {
            const log = path.join(dir, "calls");
            fs.mkdirSync(path.join(dir, "AzureConnectedMachineAgent"));
            fs.writeFileSync(
                path.join(dir, "AzureConnectedMachineAgent", "azcmagent.exe"),
                `#!/bin/bash\nprintf '%s\\n' "$*" >> "${log}"\n[[ $1 == "${failOn}" ]] && exit 5\nexit 0\n`,
                { mode: 0o755 },
            );
            const script = path.join(dir, "onboard.ps1");
            fs.writeFileSync(
                script,
                gatewayOnboardingCommands({
                    subscriptionId: SUBSCRIPTION,
                    resourceGroupName: "rg-arc",
                    location: "westeurope",
                    gatewayId: EXISTING,
                    proxyUrl: "http://proxy.corp.example:3128",
                }).windows,
            );
            const run = spawnSync(findPwsh(), ["-NoProfile", "-NonInteractive", "-File", script], {
                env: { ...process.env, ProgramW6432: dir, TENANT_ID: TENANT },
                maxBuffer: 256 * 1024 * 1024,
                encoding: "utf8",
                timeout: 120_000,
            });
            return {
                status: run.status,
                calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [],
                said: `${run.stdout}${run.stderr}`,
            };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    it("set the proxy, then connect with the gateway; a failed proxy step stops before connect with its exit code", () => {
        const ok = runWindows("none");
        assert.equal(ok.status, 0, ok.said);
        assert.deepEqual(ok.calls, [
            "config set proxy.url http://proxy.corp.example:3128",
            `connect --subscription-id ${SUBSCRIPTION} --resource-group rg-arc --location westeurope --tenant-id ${TENANT} --cloud AzureCloud --gateway-id ${EXISTING}`,
        ]);
        const failed = runWindows("config");
        assert.equal(failed.status, 5, failed.said);
        assert.deepEqual(failed.calls, ["config set proxy.url http://proxy.corp.example:3128"]);
    });
});

describe("Arc gateway: the example under the offline preview", function () {
    this.timeout(180_000);

    it("examples/arc-gateway previews: the gateway, one association per Arc machine, the gateway host on the proxy route", async () => {
        const run = await sharedPreview(path.resolve(__dirname, "..", "examples", "arc-gateway"), ["--json"]);
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout);
        const names = (type: string) =>
            report.resources.filter((r: { type: string }) => r.type === type).map((r: { name: string }) => r.name);
        assert.deepEqual(names(GATEWAY_TYPE), ["defender-arc-gateway"]);
        assert.deepEqual(names(DEPLOYMENT_TYPE).sort(), [
            "defender-arc-gateway-link-onprem-app-01",
            "defender-arc-gateway-link-onprem-web-01",
        ]);
        const routes = Object.fromEntries(report.egress[0].endpoints.map((e: { host: string; route: string }) => [e.host, e.route]));
        assert.equal(routes[GATEWAY_HOST_WILDCARD], "proxy");
        assert.equal(routes["*.guestconfiguration.azure.com"], undefined);
        assert.equal(routes["*.endpoint.security.microsoft.com"], "proxy");
    });
});

describe("Arc gateway: validation", () => {
    /** The problems validate() reports for these args (errors thrown, or none). */
    function errorsOf(args: unknown): Array<{ path: string; message: string }> {
        try {
            validate(args);
            return [];
        } catch (err) {
            assert.ok(err instanceof ValidationError, String(err));
            return err.problems;
        }
    }

    const CASES: Array<{ why: string; args: DefenderForServersNetworkRestrictedArgs; path: string; says: RegExp }> = [
        {
            why: "no gateway named",
            args: gatewayFleet({ arcGateway: {} }),
            path: "arcGateway",
            says: /give arcGateway.resourceGroupName to create one, or arcGateway.existingGatewayId/,
        },
        {
            why: "both a resource group and an existing gateway",
            args: gatewayFleet({ arcGateway: { resourceGroupName: "rg", existingGatewayId: EXISTING } }),
            path: "arcGateway.existingGatewayId",
            says: /both name a gateway/,
        },
        {
            why: "an existing gateway id that is not one",
            args: gatewayFleet({
                arcGateway: {
                    existingGatewayId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.HybridCompute/privateLinkScopes/s",
                },
            }),
            path: "arcGateway.existingGatewayId",
            says: /is not a gateway resource id/,
        },
        {
            why: "a gateway name Azure refuses",
            args: gatewayFleet({ arcGateway: { resourceGroupName: "rg", gatewayName: "gw one" } }),
            path: "arcGateway.gatewayName",
            says: /is not a gateway name/,
        },
        {
            why: "a location for a gateway the component does not create",
            args: gatewayFleet({ arcGateway: { existingGatewayId: EXISTING, location: "westeurope" } }),
            path: "arcGateway.location",
            says: /only applies to a gateway the component creates/,
        },
        {
            why: "Azure Government",
            args: gatewayFleet({ cloud: "AzureUSGovernment", location: "usgovvirginia", machines: [] }),
            path: "arcGateway",
            says: /serves the Azure public cloud only, and cloud is AzureUSGovernment/,
        },
        {
            why: "an Arc Private Link Scope as well",
            args: gatewayFleet({ privateLink: { resourceGroupName: "rg-pl", subnetId: "/subscriptions/x/subnets/s", arc: {} } }),
            path: "arcGateway",
            says: /privateLink.arc are two different roads/,
        },
        {
            why: "Azure Monitor Private Link for an Arc machine with AMA",
            args: gatewayFleet({ privateLink: { resourceGroupName: "rg-pl", subnetId: "/subscriptions/x/subnets/s", azureMonitor: {} } }),
            path: "machines[1]",
            says: /needs the Arc agent's proxy.bypass \(AMA\), which the Arc gateway does not support/,
        },
        {
            why: "policy rollout",
            args: gatewayFleet({ rollout: { mode: "policy" }, logs: undefined }),
            path: "arcGateway",
            says: /needs rollout.mode machines/,
        },
        {
            why: "a tenant id that is no GUID",
            args: gatewayFleet({ arcGateway: { resourceGroupName: "rg", tenantId: "contoso" } }),
            path: "arcGateway.tenantId",
            says: /is not a GUID/,
        },
        {
            why: "a misspelt field",
            args: gatewayFleet({ arcGateway: { resourceGroupName: "rg", gatewayname: "gw" } as any }),
            path: "arcGateway.gatewayname",
            says: /did you mean "gatewayName"/,
        },
    ];

    for (const c of CASES) {
        it(`refuses ${c.why}, naming ${c.path}`, () => {
            const problems = errorsOf(c.args);
            const hit = problems.find((p) => p.path === c.path && c.says.test(p.message));
            assert.ok(
                hit !== undefined,
                `no ${c.path} problem matching ${c.says}; got:\n${problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`,
            );
        });
    }

    it("refuses before any resource is registered", async () => {
        let error: unknown;
        const run = await runProgram(() => {
            try {
                new DefenderForServersNetworkRestricted(
                    "d",
                    gatewayFleet({ cloud: "AzureUSGovernment", location: "usgovvirginia", machines: [] }),
                );
            } catch (err) {
                error = err;
            }
        });
        assert.ok(error instanceof ValidationError);
        assert.equal(run.resources.length, 0);
    });

    it("accepts Azure Monitor Private Link when no Arc machine runs AMA", () => {
        const args = gatewayFleet({
            machines: gatewayFleet().machines!.map((m) => (m.kind === "arc" ? { ...m, exclude: ["azureMonitorAgent"] } : m)),
            privateLink: { resourceGroupName: "rg-pl", subnetId: "/subscriptions/x/subnets/s", azureMonitor: {} },
        });
        assert.deepEqual(errorsOf(args), []);
    });

    it("warns about the agent version the listed Arc machines need, and not when none is listed", () => {
        const { warnings } = validate(gatewayFleet());
        assert.ok(
            warnings.some(
                (w) => w.path === "arcGateway" && /agent 1\.51 or later/.test(w.message) && /connection\.type gateway/.test(w.message),
            ),
        );
        const none = validate(gatewayFleet({ machines: [] })).warnings;
        assert.ok(!none.some((w) => /agent 1\.51/.test(w.message)));
    });

    it("warns past Microsoft's 2,000 servers per gateway and region", () => {
        const machines: MachineSettings[] = Array.from({ length: 2001 }, (_, i) => ({
            key: `arc-${i}`,
            kind: "arc",
            os: "linux",
            resourceGroupName: "rg-arc",
            name: `arc-${i}`,
        }));
        const { warnings } = validate(gatewayFleet({ machines, logs: undefined }));
        assert.ok(
            warnings.some((w) => /2001 Arc machines in westeurope share one gateway/.test(w.message)),
            JSON.stringify(warnings),
        );
        const fewer = validate(gatewayFleet({ machines: machines.slice(0, 2000), logs: undefined })).warnings;
        assert.ok(!fewer.some((w) => /share one gateway/.test(w.message)));
    });
});

describe("Arc gateway: the gateway-mode Squid snippet against a real Squid", function () {
    this.timeout(60_000);

    it("squid -k parse passes without warnings, with and without workspace ids and Azure Monitor Private Link", () => {
        for (const workspaceIds of [[], ["0f8c2d41-7a3b-4c55-9e21-5d6a7b8c9d0e"]]) {
            for (const azureMonitor of [false, true]) {
                for (const gatewayHost of [undefined, "abc123.gw.arc.azure.com"]) {
                    const input: EgressInput = {
                        cloud: "AzureCloud",
                        regions: ["westeurope", "northeurope"],
                        agents: { mde: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true, arcAgent: true },
                        workspaceIds,
                        privateLink: { arc: false, azureMonitor },
                    };
                    const snippet = squidAllowlistSnippet(gatewayModeEgress(input, { arcRegions: ["westeurope"], gatewayHost }));
                    assert.match(
                        snippet,
                        gatewayHost === undefined ? /dstdomain \.gw\.arc\.azure\.com$/m : /dstdomain abc123\.gw\.arc\.azure\.com$/m,
                    );
                    const run = parseSquidConfig({
                        visibleHostname: "arc-gateway-test.invalid",
                        rules: `${snippet.trimEnd()}\nhttp_access deny all\n`,
                    });
                    const said = run.output;
                    const label = `${workspaceIds.length} workspace(s), monitor private link ${azureMonitor}, host ${gatewayHost ?? "wildcard"}`;
                    assert.equal(run.status, 0, `${label}: squid -k parse failed:\n${said}`);
                    assert.doesNotMatch(said, /WARNING|ERROR|FATAL/, `${label}: squid -k parse complained:\n${said}`);
                }
            }
        }
    });
});

/** One CONNECT through the proxy on 127.0.0.1:`port`; resolves with the status code Squid answers. */
function connectStatus(port: number, target: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        let received = "";
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`no answer from Squid to CONNECT ${target}`));
        }, 10_000);
        socket.once("connect", () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
        socket.on("data", (chunk: Buffer) => {
            received += chunk.toString("latin1");
            const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
            if (match !== null) {
                clearTimeout(timer);
                socket.destroy();
                resolve(Number(match[1]));
            }
        });
        socket.once("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
    });
}

describe("Arc gateway: the gateway-mode allowlist in a running Squid (127.0.0.1 only)", function () {
    this.timeout(90_000);

    it("lets CONNECT through to the gateway and Microsoft's Arc hosts, and refuses the Arc hosts the gateway carries", async () => {
        const input: EgressInput = {
            cloud: "AzureCloud",
            regions: ["westeurope"],
            agents: { mde: true, azureMonitorAgent: true, legacyAgent: false, guestConfiguration: false, arcAgent: true },
            workspaceIds: [],
            privateLink: { arc: false, azureMonitor: false },
        };
        const snippet = squidAllowlistSnippet(gatewayModeEgress(input, { arcRegions: ["westeurope"] }));
        const allowed = ["probe.gw.arc.azure.com", "gbl.his.arc.azure.com", "westeurope.his.arc.azure.com", "management.azure.com"];
        const refused = [
            "x.guestconfiguration.azure.com",
            "azgnprobe.servicebus.windows.net",
            "x.blob.core.windows.net",
            "northeurope.his.arc.azure.com",
            "aka.ms",
        ];
        // Allowed names resolve to 127.0.0.1 (the CONNECT then fails on the closed port 443: a 5xx, never a 403); other lookups go nowhere.
        const squid = await startSquid({
            prefix: "arc-gateway-squid-live-",
            visibleHostname: "arc-gateway-test.invalid",
            hosts: allowed,
            rules: `${snippet.trimEnd()}\nhttp_access deny all\n`,
            timeoutMs: 30_000,
        });
        const port = squid.port;
        try {
            for (const host of allowed) {
                const status = await connectStatus(port, `${host}:443`);
                assert.ok(status !== 403 && (status === 200 || status >= 500), `${host}: expected it through the ACL, got ${status}`);
            }
            for (const host of refused) assert.equal(await connectStatus(port, `${host}:443`), 403, `${host} is not refused`);
        } finally {
            await squid.stop();
        }
    });
});
