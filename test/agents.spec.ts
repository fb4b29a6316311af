/**
 * The agent layer as Azure receives it: managed identities for AMA and Guest Configuration, the
 * data collection rule's streams and where it goes, the Arc agent's bypass per machine, and the
 * built-in policies the component assigns. Each "refuses" case checks the message a user reads.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { ArcScopeAssociation, DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, ValidationError } from "../sdk";
import { runProgram } from "../sdk/preview/engine";
import { construct, inputs, MINIMAL, MODES, named, ofType, waitsFor } from "./harness";
import { sharedPreview } from "./previewCli";
import { mixedFleet, PASSWORD, WORKSPACE } from "./fleet";

const SUB = MINIMAL.subscriptionId;
const OTHER_SUB = "99999999-0000-0000-0000-000000000001";
const CENTRAL_WORKSPACE = `/subscriptions/${OTHER_SUB}/resourceGroups/rg-central/providers/Microsoft.OperationalInsights/workspaces/law-central`;
const UAI = `/subscriptions/${SUB}/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ama-id`;
const SUBNET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints`;
const VM = { key: "vm-1", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "vm-1" } as const;
const WIN_VM = {
    key: "win-1",
    kind: "azureVm",
    os: "windows",
    resourceGroupName: "rg",
    name: "win-1",
    systemAssignedIdentity: true,
} as const;

/** The validation problems of raw args (empty when they are valid), and how many resources were registered. */
async function problemsOf(args: unknown): Promise<{ problems: Array<{ path: string; message: string }>; registered: number }> {
    let error: unknown;
    const run = await runProgram(() => {
        try {
            new DefenderForServersNetworkRestricted("d", args as DefenderForServersNetworkRestrictedArgs);
        } catch (err) {
            error = err;
        }
    });
    if (error === undefined) return { problems: [], registered: run.resources.length };
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    return { problems: error.problems, registered: run.resources.length };
}

/** Exactly one problem, at `path`, saying `says`; nothing registered. */
async function refuses(args: unknown, path: string, says: RegExp): Promise<void> {
    const { problems, registered } = await problemsOf(args);
    assert.deepEqual(
        problems.map((p) => p.path),
        [path],
        JSON.stringify(problems),
    );
    assert.match(problems[0].message, says);
    assert.equal(registered, 0);
}

describe("identity for AMA and Guest Configuration", () => {
    it("refuses AMA and Guest Configuration on an Azure VM whose identity is unknown, naming both ways to fix it", async () => {
        const { problems } = await problemsOf({ ...MINIMAL, machines: [VM], logs: { workspaceResourceId: WORKSPACE } });
        assert.deepEqual(
            problems.map((p) => p.path),
            ["machines[0].systemAssignedIdentity", "machines[0].systemAssignedIdentity"],
        );
        assert.match(problems[0].message, /is unset .*Guest Configuration authenticates only with a system-assigned managed identity/);
        assert.match(problems[1].message, /Azure Monitor Agent installs but collects nothing without a managed identity/);
        for (const p of problems)
            assert.match(p.message, /systemAssignedIdentity: true .*builtInPolicies\.addSystemAssignedIdentity: true/);
        assert.match(problems[1].message, /userAssignedIdentityId/);
    });

    it("refuses Guest Configuration alone when the VM says false", async () => {
        await refuses(
            { ...MINIMAL, machines: [{ ...VM, systemAssignedIdentity: false }] },
            "machines[0].systemAssignedIdentity",
            /^is false, and Guest Configuration authenticates only with a system-assigned/,
        );
    });

    for (const mode of MODES) {
        it(`a user-assigned identity reaches AMA as settings.authentication.managedIdentity (mi_res_id), ${mode.label}`, async () => {
            const run = await construct(
                {
                    ...MINIMAL,
                    machines: [{ ...VM, userAssignedIdentityId: UAI, exclude: ["guestConfiguration"] }],
                    logs: { workspaceResourceId: WORKSPACE },
                },
                mode.preview,
            );
            assert.deepEqual(inputs(named(run, "d-ama-vm-1")).settings, {
                proxy: { mode: "none" },
                authentication: { managedIdentity: { "identifier-name": "mi_res_id", "identifier-value": UAI } },
            });
        });
    }

    it("a system-assigned identity sends no authentication block (AMA's default)", async () => {
        const run = await construct({ ...MINIMAL, machines: [WIN_VM], logs: { workspaceResourceId: WORKSPACE } });
        assert.deepEqual(inputs(named(run, "d-ama-win-1")).settings, { proxy: { mode: "none" } });
    });

    it("refuses a user-assigned identity on an Arc machine, and a malformed one", async () => {
        await refuses(
            {
                ...MINIMAL,
                machines: [{ key: "arc-1", kind: "arc", os: "linux", resourceGroupName: "rg", name: "arc-1", userAssignedIdentityId: UAI }],
            },
            "machines[0].userAssignedIdentityId",
            /Arc machines the Azure Monitor Agent signs in with the machine's own system-assigned identity only/,
        );
        await refuses(
            { ...MINIMAL, machines: [{ ...VM, systemAssignedIdentity: true, userAssignedIdentityId: "ama-id" }] },
            "machines[0].userAssignedIdentityId",
            /"ama-id" is not a user-assigned identity's resource id/,
        );
    });

    for (const mode of MODES) {
        it(`builtInPolicies.addSystemAssignedIdentity assigns Microsoft's two modify policies, and the VM extensions wait for them, ${mode.label}`, async () => {
            const run = await construct(
                {
                    ...MINIMAL,
                    machines: [VM],
                    logs: { workspaceResourceId: WORKSPACE },
                    builtInPolicies: { addSystemAssignedIdentity: true },
                },
                mode.preview,
            );
            const contributor = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`;
            for (const [key, guid] of [
                ["identity-none", "3cf2ab00-13f1-4d0c-8971-2ac904541a7e"],
                ["identity-user", "497dff13-db2a-4c0f-8603-28fa3b331ab6"],
            ]) {
                const assignment = inputs(named(run, `d-builtin-${key}-assignment`));
                assert.equal(assignment.policyDefinitionId, `/providers/Microsoft.Authorization/policyDefinitions/${guid}`);
                assert.equal(assignment.scope, `/subscriptions/${SUB}`);
                assert.deepEqual(assignment.identity, { type: "SystemAssigned" });
                assert.equal(inputs(named(run, `d-builtin-${key}-role`)).roleDefinitionId, contributor);
                assert.deepEqual(waitsFor(run, named(run, `d-builtin-${key}-remediation`)), [
                    `d-builtin-${key}-assignment`,
                    `d-builtin-${key}-role`,
                ]);
            }
            const waits = ["d-builtin-identity-none-remediation", "d-builtin-identity-user-remediation"];
            assert.deepEqual(waitsFor(run, named(run, "d-ama-vm-1")), waits);
            assert.deepEqual(waitsFor(run, named(run, "d-guest-configuration-vm-1")), waits);
        });
    }

    it("assigns no built-in policy unless asked", async () => {
        const run = await construct(mixedFleet());
        assert.equal(ofType(run, "azure-native:authorization:PolicyAssignment").length, 0);
    });
});

describe("the data collection rule's streams", () => {
    it("by default collects Linux auth syslog only: no SecurityEvent, no AppLocker", async () => {
        const run = await construct(mixedFleet());
        const rule = inputs(named(run, "d-dcr"));
        assert.deepEqual(rule.dataSources, {
            syslog: [
                {
                    name: "auth-syslog",
                    streams: ["Microsoft-Syslog"],
                    facilityNames: ["auth", "authpriv"],
                    logLevels: ["Info", "Notice", "Warning", "Error", "Critical", "Alert", "Emergency"],
                },
            ],
        });
        assert.deepEqual(rule.dataFlows, [{ streams: ["Microsoft-Syslog"], destinations: ["workspace"] }]);
        assert.ok(!JSON.stringify(rule).includes("AppLocker"));
    });

    it("refuses securityEvents without saying what gives the workspace its SecurityEvent table", async () => {
        await refuses(
            { ...mixedFleet(), logs: { workspaceResourceId: WORKSPACE, streams: ["securityEvents", "authSyslog"] } },
            "logs.workspaceSecuritySolution",
            /Microsoft Sentinel or Defender for Servers Plan 2 .*InvalidOutputTable/,
        );
    });

    it("with Sentinel on the workspace: the Security channel only, to SecurityEvent, beside auth syslog", async () => {
        const run = await construct({
            ...mixedFleet(),
            logs: { workspaceResourceId: WORKSPACE, streams: ["securityEvents", "authSyslog"], workspaceSecuritySolution: "sentinel" },
        });
        const rule = inputs(named(run, "d-dcr"));
        assert.deepEqual(rule.dataSources.windowsEventLogs, [
            { name: "security-events", streams: ["Microsoft-SecurityEvent"], xPathQueries: ["Security!*"] },
        ]);
        assert.deepEqual(
            rule.dataFlows.map((f: { streams: string[] }) => f.streams[0]),
            ["Microsoft-SecurityEvent", "Microsoft-Syslog"],
        );
    });

    it("refuses an unknown stream and a stream setting beside the user's own rule", async () => {
        await refuses(
            { ...mixedFleet(), logs: { workspaceResourceId: WORKSPACE, streams: ["appLocker"] } },
            "logs.streams[0]",
            /"appLocker" is not allowed/,
        );
        const rule = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/mine`;
        await refuses(
            { ...mixedFleet(), logs: { dataCollectionRuleId: rule, streams: ["authSyslog"] } },
            "logs.streams",
            /only applies to the rule the component makes/,
        );
    });

    it("refuses the workspace-level Defender plan instead of guessing its API", async () => {
        await refuses(
            { ...mixedFleet(), logs: { workspaceResourceId: WORKSPACE, enableDefenderForServersOnWorkspace: true } },
            "logs.enableDefenderForServersOnWorkspace",
            /no Microsoft source documents a Resource Manager resource .*Environment settings/,
        );
    });
});

describe("where the data collection rule and endpoint go", () => {
    it("follow a workspace in the component's subscription into its resource group", async () => {
        const run = await construct(mixedFleet());
        assert.equal(inputs(named(run, "d-dcr")).resourceGroupName, "rg-mon");
    });

    it("refuse to follow a workspace into another subscription, and say what to set", async () => {
        await refuses(
            { ...mixedFleet(), logs: { workspaceResourceId: CENTRAL_WORKSPACE } },
            "logs.dataCollectionResourceGroupId",
            new RegExp(
                `follow the workspace into subscription ${OTHER_SUB}, but this component deploys into ${SUB}.*/subscriptions/${SUB}/resourceGroups/<name>`,
            ),
        );
        await refuses(
            {
                ...mixedFleet(),
                logs: { workspaceResourceId: WORKSPACE, dataCollectionResourceGroupId: `/subscriptions/${OTHER_SUB}/resourceGroups/rg-x` },
            },
            "logs.dataCollectionResourceGroupId",
            new RegExp(`is in subscription ${OTHER_SUB}, but this component deploys into ${SUB}`),
        );
        await refuses(
            { ...mixedFleet(), logs: { workspaceResourceId: WORKSPACE, dataCollectionResourceGroupId: "rg-x" } },
            "logs.dataCollectionResourceGroupId",
            /"rg-x" is not a resource group id/,
        );
    });

    for (const mode of MODES) {
        it(`go where logs.dataCollectionResourceGroupId says, with the central workspace as destination and the endpoint in the AMPLS, ${mode.label}`, async () => {
            const run = await construct(
                {
                    ...MINIMAL,
                    machines: [WIN_VM],
                    logs: {
                        workspaceResourceId: CENTRAL_WORKSPACE,
                        dataCollectionResourceGroupId: `/subscriptions/${SUB}/resourceGroups/rg-dcr`,
                    },
                    privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, azureMonitor: {} },
                },
                mode.preview,
            );
            const rule = inputs(named(run, "d-dcr"));
            assert.equal(rule.resourceGroupName, "rg-dcr");
            assert.equal(rule.destinations.logAnalytics[0].workspaceResourceId, CENTRAL_WORKSPACE);
            assert.equal(inputs(named(run, "d-dce")).resourceGroupName, "rg-dcr");
            assert.equal(inputs(named(run, "d-monitor-scope-workspace")).linkedResourceId, CENTRAL_WORKSPACE);
        });
    }
});

describe("Arc machines and the Arc Private Link Scope", () => {
    const arcFleet = (
        arcPrivateLinkScope: ArcScopeAssociation | undefined,
        publicNetworkAccess = false,
    ): DefenderForServersNetworkRestrictedArgs => ({
        ...MINIMAL,
        proxy: { address: "http://proxy.corp.example:3128" },
        machines: [{ key: "arc-1", kind: "arc", os: "windows", resourceGroupName: "rg-arc", name: "arc-1", arcPrivateLinkScope }],
        privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, arc: { publicNetworkAccess } },
    });
    const arcBypass = (run: Awaited<ReturnType<typeof construct>>) =>
        // An empty bypass is left out of the run command (never an empty parameter): absent means "clear it".
        inputs(named(run, "d-arc-agent-proxy-arc-1")).parameters.find((p: { name: string }) => p.name === "ArcProxyBypass")?.value ?? "";

    it("a machine not known to be associated keeps the proxy for Arc (nothing cut off), with a warning that says how to move it", async () => {
        const run = await construct(arcFleet(undefined));
        assert.equal(arcBypass(run), "");
        assert.ok(run.warnings.some((w) => /^machines\[0\]\.arcPrivateLinkScope: arc-1 is taken as not associated/.test(w)));
        assert.equal(ofType(run, "azure-native:authorization:PolicyAssignment").length, 0);
    });

    it("an associated machine bypasses the proxy for Arc; the onboarding commands (which associate at connect) do too", async () => {
        const run = await construct(arcFleet("associated"));
        assert.equal(arcBypass(run), "Arc");
        const commands = run.resources[0].outputs!.arcOnboardingCommands as { linux: string };
        assert.match(commands.linux, /azcmagent config set proxy.bypass "Arc"/);
    });

    for (const mode of MODES) {
        it(`associateByPolicy: the built-in a3461c8c policy once for the machine's resource group (its role and remediation there); no bypass yet, ${mode.label}`, async () => {
            const run = await construct(arcFleet("associateByPolicy", true), mode.preview);
            const groupId = `/subscriptions/${SUB}/resourceGroups/rg-arc`;
            const assignment = inputs(named(run, "d-arc-scope-assignment-rg-rg-arc"));
            assert.equal(
                assignment.policyDefinitionId,
                "/providers/Microsoft.Authorization/policyDefinitions/a3461c8c-6c9d-4e42-a644-40ba8a1abf49",
            );
            assert.equal(assignment.scope, groupId);
            if (!mode.preview) assert.match(assignment.parameters.privateLinkScopeId.value, /\/d-arc-scope$/);
            const role = inputs(named(run, "d-arc-scope-role-rg-rg-arc"));
            assert.equal(role.scope, groupId);
            assert.match(role.roleDefinitionId, /cd570a14-e51a-42ad-bac8-bafd67325302$/);
            assert.equal(inputs(named(run, "d-arc-scope-remediation-rg-rg-arc")).resourceId, groupId);
            assert.equal(arcBypass(run), "");
        });
    }

    it("refuses associateByPolicy on a scope without public access, which would cut the machine off mid-move", async () => {
        await refuses(arcFleet("associateByPolicy", false), "machines[0].arcPrivateLinkScope", /cut off.*publicNetworkAccess: true/);
    });

    it("refuses an association without a scope, or on an Azure VM", async () => {
        const noScope = { ...arcFleet("associated"), privateLink: undefined };
        await refuses(noScope, "machines[0].arcPrivateLinkScope", /no privateLink.arc scope/);
        await refuses(
            { ...MINIMAL, machines: [{ ...WIN_VM, arcPrivateLinkScope: "associated" }] },
            "machines[0].arcPrivateLinkScope",
            /applies to Arc machines only/,
        );
    });
});

/** The Arc agent's bypass a run command sends: absent (left out when empty) reads as "". */
const bypassOf = (parameters: Array<{ name: string; value: string }>, name: string): string =>
    parameters.find((p) => p.name === name)?.value ?? "";

describe("AMA on Arc Linux and the Arc agent's proxy", () => {
    it("with an authenticated proxy, Arc Linux bypasses the agent's proxy.url for AMA, so AMA uses its own settings and credentials", async () => {
        const run = await construct(mixedFleet());
        const linux = inputs(named(run, "d-arc-agent-proxy-lnx-arc")).parameters;
        assert.equal(bypassOf(linux, "ARC_PROXY_BYPASS"), "AMA");
        assert.deepEqual(inputs(named(run, "d-ama-lnx-arc")).properties.settings.proxy, {
            mode: "application",
            address: "http://proxy.corp.example:3128",
            auth: "true",
        });
        assert.deepEqual(inputs(named(run, "d-ama-lnx-arc")).properties.protectedSettings, {
            proxy: { username: "svc-defender", password: PASSWORD },
        });
        // Windows AMA on Arc does not take the agent's proxy.url: nothing to bypass there.
        assert.equal(bypassOf(inputs(named(run, "d-arc-agent-proxy-win-arc")).parameters, "ArcProxyBypass"), "");
    });

    it("without credentials, or with AMA left out, the agent's proxy serves AMA too: no bypass", async () => {
        const open = await construct(
            mixedFleet({ proxy: { address: "http://proxy.corp.example:3128" }, logs: { workspaceResourceId: WORKSPACE } }),
        );
        assert.equal(bypassOf(inputs(named(open, "d-arc-agent-proxy-lnx-arc")).parameters, "ARC_PROXY_BYPASS"), "");
        const args = mixedFleet();
        args.machines![3] = { ...args.machines![3], exclude: ["azureMonitorAgent"] };
        const excluded = await construct(args);
        assert.equal(bypassOf(inputs(named(excluded, "d-arc-agent-proxy-lnx-arc")).parameters, "ARC_PROXY_BYPASS"), "");
    });
});

describe("Azure Update Manager periodic assessment", () => {
    for (const mode of MODES) {
        it(`opt-in: Microsoft's two built-ins, one assignment per kind and OS, with the role each names, ${mode.label}`, async () => {
            const run = await construct({ ...MINIMAL, builtInPolicies: { periodicUpdateAssessment: true } }, mode.preview);
            const expected = [
                ["vm-windows", "59efceea-0c96-497e-a4a1-4eb2290dac15", "Windows", "b24988ac-6180-42a0-ab88-20f7382dd24c"],
                ["vm-linux", "59efceea-0c96-497e-a4a1-4eb2290dac15", "Linux", "b24988ac-6180-42a0-ab88-20f7382dd24c"],
                ["arc-windows", "bfea026e-043f-4ff4-9d1b-bf301ca7ff46", "Windows", "cd570a14-e51a-42ad-bac8-bafd67325302"],
                ["arc-linux", "bfea026e-043f-4ff4-9d1b-bf301ca7ff46", "Linux", "cd570a14-e51a-42ad-bac8-bafd67325302"],
            ];
            assert.equal(ofType(run, "azure-native:authorization:PolicyAssignment").length, 4);
            for (const [key, guid, osType, role] of expected) {
                const assignment = inputs(named(run, `d-builtin-updates-${key}-assignment`));
                assert.equal(assignment.policyDefinitionId, `/providers/Microsoft.Authorization/policyDefinitions/${guid}`);
                assert.deepEqual(assignment.parameters, { osType: { value: osType }, assessmentMode: { value: "AutomaticByPlatform" } });
                assert.deepEqual(assignment.identity, { type: "SystemAssigned" });
                assert.match(inputs(named(run, `d-builtin-updates-${key}-role`)).roleDefinitionId, new RegExp(`${role}$`));
                assert.equal(ofType(run, "azure-native:policyinsights:RemediationAtSubscription").length, 4);
            }
        });
    }

    it("refuses anything but booleans and known keys", async () => {
        await refuses(
            { ...MINIMAL, builtInPolicies: { periodicUpdateAssessment: "yes" } },
            "builtInPolicies.periodicUpdateAssessment",
            /expected true or false/,
        );
        await refuses({ ...MINIMAL, builtInPolicies: { updates: true } }, "builtInPolicies.updates", /./);
    });
});

describe("examples/central-workspace under the offline preview", function () {
    this.timeout(180000);
    it("runs as `npm start` runs a program: central workspace elsewhere, rule here, Arc bypass only where associated", async () => {
        const result = await sharedPreview(path.resolve(__dirname, "..", "examples", "central-workspace"), ["--json"]);
        assert.equal(result.code, 0, result.stderr);
        const report = JSON.parse(result.stdout) as { resources: Array<{ name: string; inputs: any }>; warnings: string[] };
        const byName = (name: string) => {
            const found = report.resources.find((r) => r.name === name);
            assert.ok(found !== undefined, `${name} missing`);
            return found.inputs;
        };
        const rule = byName("defender-dcr");
        assert.equal(rule.resourceGroupName, "rg-monitoring");
        assert.match(rule.destinations.logAnalytics[0].workspaceResourceId, /^\/subscriptions\/99999999-8888-7777-6666-555555555555\//);
        const bypass = (key: string) =>
            byName(`defender-arc-agent-proxy-${key}`).parameters.find((p: { name: string }) =>
                /ARC_PROXY_BYPASS|ArcProxyBypass/.test(p.name),
            )?.value ?? "";
        assert.deepEqual([bypass("arc-legacy-01"), bypass("arc-moving-01"), bypass("arc-new-01")], ["", "", "Arc"]);
        assert.equal(
            byName(`defender-arc-scope-assignment-rg-${byName("defender-os-proxy-arc-moving-01").resourceGroupName.toLowerCase()}`)
                .policyDefinitionId.split("/")
                .pop(),
            "a3461c8c-6c9d-4e42-a644-40ba8a1abf49",
        );
        assert.equal(byName("defender-ama-vm-app-01").settings.authentication.managedIdentity["identifier-name"], "mi_res_id");
    });
});
