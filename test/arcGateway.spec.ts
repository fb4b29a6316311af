// The Azure Arc gateway: the gateway and association inputs Azure would receive, the Arc agent's
// bypass in gateway mode, the onboarding commands in the component's outputs, the gateway-mode
// egress list, and validation from Microsoft's limits. The scripts tier runs the rest: the
// onboarding commands under bash and PowerShell (arcGatewayOnboarding.linux/.windows.spec.ts)
// and the gateway-mode Squid snippet in a real Squid (squidArcGateway.spec.ts).
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, MachineSettings, ValidationError } from "../sdk";
import { validate } from "../sdk/validate";
import { EgressInput, egressEndpoints, proxyAllowlist } from "../sdk/plan/egress";
import { gatewayModeEgress, GATEWAY_HOST_WILDCARD } from "../sdk/plan/arcGateway";
import { RunResult, runProgram } from "../sdk/preview/engine";
import { PropertyValue, reveal } from "../sdk/preview/values";
import { construct, inputs, MINIMAL, MODES, named, ofType, SUBSCRIPTION } from "./harness";
import { sharedPreview } from "./previewCli";
import { PASSWORD, WORKSPACE } from "./fleet";
import { EXISTING, TENANT } from "./arcGatewayIds";

const GATEWAY_TYPE = "azure-native:hybridcompute:Gateway";
const DEPLOYMENT_TYPE = "azure-native:resources:Deployment";

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
