import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as resources from "@pulumi/azure-native/resources";
import { DefenderForServersNetworkRestricted } from "../sdk";
import { assembleScript } from "../sdk/plan/scripts";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { reveal, Secret, Unknown } from "../sdk/preview/values";
import { construct, inputs, MINIMAL, MODES, named, ofType, waitsFor } from "./harness";
import { mixedFleet, PASSWORD, WORKSPACE_KEY } from "./fleet";

/** The association name the design gives a rule: "defender-servers-" and 13 hex digits of the sha256 of the lower-cased id. */
const associationNameOf = (ruleId: string) =>
    `defender-servers-${createHash("sha256").update(ruleId.toLowerCase()).digest("hex").slice(0, 13)}`;

// The body a machine receives: the Linux scripts are assembled from sdk/scripts/linux/*.sh parts.
const script = (name: string) => assembleScript(fs.readFileSync(path.join(__dirname, "..", "sdk", "scripts", name), "utf8"));

/** The route-check parameters of a run command (asserted in test/routeCheckWiring.spec.ts), so proxy specs compare the rest exactly. */
function routeCheckOf(parameters: Array<{ name: string; value: string }>): Array<{ name: string; value: string }> {
    return parameters.filter((p) => /^(RouteCheck|ROUTE_CHECK_)/.test(p.name));
}

/**
 * The mixed fleet under the mock engine, built once per mode for the whole file (the tests that
 * take it only read it): a build is most of a test's time.
 */
const fleets = new Map<boolean, Promise<RunResult>>();
function fleet(preview: boolean): Promise<RunResult> {
    if (!fleets.has(preview)) fleets.set(preview, construct(mixedFleet(), preview));
    return fleets.get(preview)!;
}

for (const mode of MODES) {
    describe(`machines behind a proxy, ${mode.label}`, () => {
        it("MDE integration waits for every operating-system proxy run command", async () => {
            const run = await fleet(mode.preview);
            assert.deepEqual(waitsFor(run, named(run, "d-mde-integration")), [
                "d-arc-agent-proxy-lnx-arc",
                "d-arc-agent-proxy-verify-lnx-arc",
                "d-arc-agent-proxy-win-arc",
                "d-os-proxy-lnx-arc",
                "d-os-proxy-lnx-vm",
                "d-os-proxy-verify-lnx-vm",
                "d-os-proxy-win-arc",
                "d-os-proxy-win-vm",
            ]);
        });

        it("Windows VM: WinHTTP/MDE proxy script with the bypass list in WinHTTP form, failing the deployment on error", async () => {
            const run = await fleet(mode.preview);
            const command = named(run, "d-os-proxy-win-vm");
            assert.equal(command.type, "azure-native:compute:VirtualMachineRunCommandByVirtualMachine");
            assert.deepEqual(inputs(command), {
                vmName: "win-vm",
                resourceGroupName: "rg-app",
                location: "westeurope",
                runCommandName: "defender-os-proxy",
                source: { script: script("windows-os-proxy.ps1") },
                parameters: [
                    { name: "ProxyUrl", value: "http://proxy.corp.example:3128" },
                    { name: "BypassList", value: "168.63.129.16,169.254.169.254,localhost,127.0.0.1,*.corp.example" },
                    ...routeCheckOf(inputs(command).parameters),
                ],
                timeoutInSeconds: 600,
                asyncExecution: false,
                treatFailureAsDeploymentFailure: true,
            });
        });

        it("Linux VM: drop-in, package manager and mdatp script, in the machine's own region", async () => {
            const run = await fleet(mode.preview);
            const command = inputs(named(run, "d-os-proxy-lnx-vm"));
            assert.equal(command.location, "northeurope");
            assert.equal(command.source.script, script("linux-os-proxy.sh"));
            assert.deepEqual(command.parameters, [
                { name: "PROXY_URL", value: "http://proxy.corp.example:3128" },
                { name: "PROXY_BYPASS", value: "168.63.129.16,169.254.169.254,localhost,127.0.0.1,.corp.example" },
                ...routeCheckOf(command.parameters),
            ]);
        });

        it("Linux VM: the OS-proxy read-back (OS_PROXY_MODE=verify) runs after the OS-proxy run command, and the agents wait for it", async () => {
            const run = await fleet(mode.preview);
            const verify = named(run, "d-os-proxy-verify-lnx-vm");
            assert.equal(verify.type, "azure-native:compute:VirtualMachineRunCommandByVirtualMachine");
            assert.deepEqual(inputs(verify), {
                vmName: "lnx-vm",
                resourceGroupName: inputs(named(run, "d-os-proxy-lnx-vm")).resourceGroupName,
                location: "northeurope",
                runCommandName: "defender-os-proxy-verify",
                source: { script: script("linux-os-proxy.sh") },
                // The proxy and bypass list the apply step set: the script compares the running agent's environment with them.
                parameters: [
                    { name: "PROXY_URL", value: "http://proxy.corp.example:3128" },
                    { name: "PROXY_BYPASS", value: "168.63.129.16,169.254.169.254,localhost,127.0.0.1,.corp.example" },
                    { name: "OS_PROXY_MODE", value: "verify" },
                    { name: "OS_PROXY_VERIFY_WAIT_SECONDS", value: "180" },
                ],
                timeoutInSeconds: 300,
                asyncExecution: false,
                // A non-zero exit (the running agent has another proxy, or none) fails the deployment.
                treatFailureAsDeploymentFailure: true,
            });
            assert.deepEqual(waitsFor(run, verify), ["d-os-proxy-lnx-vm"]);
            assert.ok(waitsFor(run, named(run, "d-ama-lnx-vm")).includes("d-os-proxy-verify-lnx-vm"), "AMA installs after the read-back");
            // Windows sets WinHTTP at once; Arc machines have no Azure Linux Agent to read back from.
            for (const key of ["win-vm", "lnx-arc", "win-arc"])
                assert.ok(!run.resources.some((r) => r.name === `d-os-proxy-verify-${key}`), key);
        });

        it("Arc machines: the OS proxy and the Arc agent's own proxy, as hybridcompute run commands", async () => {
            const run = await fleet(mode.preview);
            for (const [key, osScript, arcScript, urlParam] of [
                ["lnx-arc", "linux-os-proxy.sh", "linux-arc-agent-proxy.sh", "PROXY_URL"],
                ["win-arc", "windows-os-proxy.ps1", "windows-arc-agent-proxy.ps1", "ProxyUrl"],
            ]) {
                const os = named(run, `d-os-proxy-${key}`);
                const arc = named(run, `d-arc-agent-proxy-${key}`);
                assert.equal(os.type, "azure-native:hybridcompute:MachineRunCommand");
                assert.equal(inputs(os).machineName, key);
                assert.equal(inputs(os).source.script, script(osScript));
                assert.equal(inputs(arc).source.script, script(arcScript));
                assert.equal(inputs(arc).runCommandName, "defender-arc-agent-proxy");
                assert.deepEqual(inputs(arc).parameters[0], { name: urlParam, value: "http://proxy.corp.example:3128" });
            }
        });

        it("AMA on each OS and kind: exact publisher, type, version and proxy settings; credentials only in secret protected settings", async () => {
            const run = await fleet(mode.preview);
            const expectedSettings = { proxy: { mode: "application", address: "http://proxy.corp.example:3128", auth: "true" } };
            const expectedProtected = { proxy: { username: "svc-defender", password: PASSWORD } };
            for (const [key, type] of [
                ["win-vm", "AzureMonitorWindowsAgent"],
                ["lnx-vm", "AzureMonitorLinuxAgent"],
            ]) {
                const extension = named(run, `d-ama-${key}`);
                assert.equal(extension.type, "azure-native:compute:VirtualMachineExtension");
                const given = inputs(extension);
                assert.deepEqual(
                    [given.vmName, given.vmExtensionName, given.publisher, given.type, given.typeHandlerVersion],
                    [key, type, "Microsoft.Azure.Monitor", type, type === "AzureMonitorWindowsAgent" ? "1.1" : "1.36"],
                );
                assert.equal(given.autoUpgradeMinorVersion, true);
                assert.equal(given.enableAutomaticUpgrade, true);
                assert.deepEqual(given.settings, expectedSettings);
                assert.ok(extension.inputs.protectedSettings instanceof Secret, "protectedSettings must be a secret");
                assert.deepEqual(given.protectedSettings, expectedProtected);
            }
            for (const [key, type] of [
                ["win-arc", "AzureMonitorWindowsAgent"],
                ["lnx-arc", "AzureMonitorLinuxAgent"],
            ]) {
                const extension = named(run, `d-ama-${key}`);
                assert.equal(extension.type, "azure-native:hybridcompute:MachineExtension");
                const given = inputs(extension);
                assert.equal(given.extensionName, type);
                assert.deepEqual(given.properties.settings, expectedSettings);
                assert.equal(given.properties.publisher, "Microsoft.Azure.Monitor");
                assert.equal(given.properties.type, type);
                assert.ok((extension.inputs.properties as any).protectedSettings instanceof Secret);
                assert.deepEqual(given.properties.protectedSettings, expectedProtected);
            }
        });

        it("AMA without a proxy says mode none and sends no protected settings", async () => {
            const run = await construct(mixedFleet({ proxy: undefined }), mode.preview);
            const given = inputs(named(run, "d-ama-lnx-vm"));
            assert.deepEqual(given.settings, { proxy: { mode: "none" } });
            assert.equal(given.protectedSettings, undefined);
            assert.ok(!run.resources.some((r) => r.name.startsWith("d-os-proxy-")));
        });

        it("AMA machines are associated with the component's data collection rule, by machine resource id", async () => {
            const run = await fleet(mode.preview);
            const rule = named(run, "d-dcr");
            assert.equal(inputs(rule).resourceGroupName, "rg-mon");
            assert.deepEqual(inputs(rule).destinations.logAnalytics[0].workspaceResourceId, mixedFleet().logs!.workspaceResourceId);
            const association = named(run, "d-ama-dcr-lnx-arc");
            assert.equal(
                inputs(association).resourceUri,
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/lnx-arc",
            );
            // Named after the rule: "defender-servers-" and 13 hex digits of the sha256 of its lower-cased id,
            // known once the rule exists (unknown in a first preview).
            if (mode.preview) assert.ok(association.inputs.associationName instanceof Unknown);
            else assert.equal(inputs(association).associationName, associationNameOf(rule.id!));
            assert.deepEqual(waitsFor(run, association), ["d-ama-lnx-arc", "d-dcr"]);
            assert.equal(ofType(run, "azure-native:monitor:DataCollectionRuleAssociation").length, 4);
        });

        it("an existing data collection rule is used as given, and none is made", async () => {
            const rule =
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/mine";
            const run = await construct(mixedFleet({ logs: { dataCollectionRuleId: rule } }), mode.preview);
            assert.equal(ofType(run, "azure-native:monitor:DataCollectionRule").length, 0);
            assert.equal(inputs(named(run, "d-ama-dcr-win-vm")).dataCollectionRuleId, rule);
            assert.equal(inputs(named(run, "d-ama-dcr-win-vm")).associationName, associationNameOf(rule));
        });

        it("two components with two rules on one machine write two associations; one rule in other letters, one", async () => {
            const group =
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules";
            const names: string[] = [];
            for (const rule of [`${group}/team-a`, `${group}/team-b`, `${group}/TEAM-A`.toUpperCase()]) {
                const run = await construct(mixedFleet({ logs: { dataCollectionRuleId: rule } }), mode.preview);
                names.push(inputs(named(run, "d-ama-dcr-lnx-vm")).associationName);
            }
            // Release 0.1.0 named both "defender-servers": the second team's rule replaced the first's on the machine.
            assert.notEqual(names[0], names[1]);
            assert.equal(names[2], names[0], "ARM ids are case-insensitive: the same rule, the same association");
            for (const name of names) assert.match(name, /^defender-servers-[0-9a-f]{13}$/);
        });

        it("legacy agent: Windows proxyUri in settings, Linux [user:pass@]host:port in protected settings, keys secret", async () => {
            const run = await fleet(mode.preview);
            const windows = named(run, "d-legacy-agent-win-vm");
            assert.deepEqual(
                [inputs(windows).publisher, inputs(windows).type, inputs(windows).typeHandlerVersion],
                ["Microsoft.EnterpriseCloud.Monitoring", "MicrosoftMonitoringAgent", "1.0"],
            );
            assert.deepEqual(inputs(windows).settings, {
                workspaceId: "99999999-8888-7777-6666-555555555555",
                proxyUri: "proxy.corp.example:3128",
            });
            assert.deepEqual(inputs(windows).protectedSettings, {
                workspaceKey: WORKSPACE_KEY,
                proxyUser: "svc-defender",
                proxyPassword: PASSWORD,
            });
            const linux = named(run, "d-legacy-agent-lnx-arc");
            assert.equal(inputs(linux).properties.type, "OmsAgentForLinux");
            assert.deepEqual(inputs(linux).properties.settings, { workspaceId: "99999999-8888-7777-6666-555555555555" });
            assert.deepEqual(inputs(linux).properties.protectedSettings, {
                workspaceKey: WORKSPACE_KEY,
                proxy: `svc-defender:${PASSWORD}@proxy.corp.example:3128`,
            });
            assert.ok(run.warnings.some((w) => /^logs.legacyAgent: .*retired on 31 August 2024/.test(w)));
        });

        it("Guest Configuration: the extension on Azure VMs only, and the private-network tag as an output", async () => {
            const run = await fleet(mode.preview);
            const windows = inputs(named(run, "d-guest-configuration-win-vm"));
            assert.deepEqual(
                [windows.vmExtensionName, windows.publisher, windows.type, windows.typeHandlerVersion, windows.enableAutomaticUpgrade],
                ["AzurePolicyforWindows", "Microsoft.GuestConfiguration", "ConfigurationforWindows", "1.1", true],
            );
            const linux = inputs(named(run, "d-guest-configuration-lnx-vm"));
            assert.deepEqual(
                [linux.vmExtensionName, linux.type, linux.typeHandlerVersion],
                ["AzurePolicyforLinux", "ConfigurationforLinux", "1.0"],
            );
            assert.ok(!run.resources.some((r) => r.name === "d-guest-configuration-win-arc" || r.name === "d-guest-configuration-lnx-arc"));
            assert.deepEqual(reveal(named(run, "d").outputs!.guestConfigurationTags), { EnablePrivateNetworkGC: "TRUE" });
        });

        it("a machine can leave parts out; leaving out its OS proxy warns that MDE will not onboard", async () => {
            const args = mixedFleet();
            args.machines![1] = { ...args.machines![1], exclude: ["osProxy", "azureMonitorAgent", "legacyAgent", "guestConfiguration"] };
            const run = await construct(args, mode.preview);
            assert.deepEqual(
                run.resources.filter((r) => r.name.endsWith("-lnx-vm")).map((r) => r.name),
                [],
            );
            assert.ok(run.warnings.some((w) => /^machines\[1\].exclude: leaves out osProxy on lnx-vm/.test(w)));
        });

        it("machine names and resource groups may be unknown (created in the same program): same resources, nothing made in an apply", async () => {
            const known = await fleet(mode.preview);
            const run = await runProgram(
                () => {
                    // In a preview the id of a resource created in the same program is unknown, and so is anything derived from it.
                    const group = new resources.ResourceGroup("rg", { location: "westeurope" });
                    const args = mixedFleet();
                    args.machines = args.machines!.map((m) => ({
                        ...m,
                        name: group.id.apply(() => `${m.key}-vm`),
                        resourceGroupName: group.name,
                    }));
                    new DefenderForServersNetworkRestricted("d", args);
                },
                { preview: mode.preview },
            );
            const names = (r: { name: string }[]) => r.map((x) => x.name).sort();
            assert.deepEqual(names(run.resources.filter((r) => r.name !== "rg")), names(known.resources));
            const command = named(run, "d-os-proxy-lnx-vm");
            assert.equal(command.parent, named(run, "d").urn, "created with the component as parent, not inside an apply");
            if (mode.preview) assert.ok(command.inputs.vmName instanceof Unknown);
        });

        it("air-gapped: no agents, agentless scanning kept on, and a warning that says what that leaves", async () => {
            const run = await construct({ ...MINIMAL, airGapped: true }, mode.preview);
            assert.deepEqual(
                run.resources.map((r) => r.name),
                ["d", "d-mde-integration", "d-plan"],
            );
            const written = inputs(named(run, "d-mde-integration")).properties.template.resources;
            assert.deepEqual(
                written.map((r: any) => [r.name, r.properties.enabled]),
                [["WDATP", false]],
                "MDE kept off",
            );
            assert.deepEqual(inputs(named(run, "d-plan")).extensions[1], { name: "AgentlessVmScanning", isEnabled: "True" });
            assert.ok(run.warnings.some((w) => /^airGapped: .*agentless scanning only.*Azure VMs, AWS EC2 and GCP instances only/.test(w)));
        });
    });
}

describe("secrets stay secret", () => {
    for (const mode of MODES) {
        it(`no proxy password or workspace key appears outside a secret in anything registered (${mode.label})`, async () => {
            const run = await fleet(mode.preview);
            const { plainOccurrences } = await import("../sdk/preview/values");
            for (const literal of [PASSWORD, WORKSPACE_KEY]) {
                const leaks = run.resources.flatMap((r) => plainOccurrences(r.inputs, literal).map((p) => `${r.name}.${p}`));
                assert.deepEqual(leaks, [], `plain ${literal} in ${leaks.join(", ")}`);
                assert.deepEqual(plainOccurrences(run.outputs, literal), []);
                assert.ok(!run.warnings.some((w) => w.includes(literal)));
            }
            // And they did reach Azure, inside secrets.
            const secretValues = JSON.stringify(run.resources.map((r) => inputs(r)));
            assert.ok(secretValues.includes(PASSWORD) && secretValues.includes(WORKSPACE_KEY));
        });
    }
});

describe("Guest Configuration tag on existing VMs", () => {
    for (const mode of MODES) {
        it(`is a modify policy of that one tag, for the listed VMs only, with the one role it needs (${mode.label})`, async () => {
            const run = await construct(mixedFleet({ guestConfiguration: { tagExistingVms: true } }), mode.preview);
            assert.equal(ofType(run, "azure-native:resources:TagAtScope").length, 0, "TagAtScope replaces every tag: never used");
            const rule = inputs(named(run, "d-gc-tag-policy")).policyRule;
            assert.deepEqual(rule.then, {
                // The effect is a parameter (Modify or Disabled), as in Microsoft's built-ins.
                effect: "[parameters('effect')]",
                details: {
                    roleDefinitionIds: ["/providers/Microsoft.Authorization/roleDefinitions/4a9ae827-6dc8-4573-8ac7-8239d42aa03f"],
                    // A conflict is reported, never turned into a denied VM write.
                    conflictEffect: "audit",
                    operations: [{ operation: "addOrReplace", field: "tags['EnablePrivateNetworkGC']", value: "TRUE" }],
                },
            });
            assert.deepEqual(rule.if.allOf[1], { field: "id", in: "[parameters('vmIds')]" });
            const assignment = named(run, "d-gc-tag-assignment");
            assert.deepEqual(inputs(assignment).parameters.vmIds.value, [
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/win-vm",
                "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/lnx-vm",
            ]);
            assert.deepEqual(inputs(assignment).identity, { type: "SystemAssigned" });
            const role = inputs(named(run, "d-gc-tag-role"));
            assert.equal(
                role.roleDefinitionId,
                "/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.Authorization/roleDefinitions/4a9ae827-6dc8-4573-8ac7-8239d42aa03f",
            );
            assert.deepEqual(waitsFor(run, named(run, "d-gc-tag-remediation")), ["d-gc-tag-assignment", "d-gc-tag-role"]);
        });
    }

    it("is not made unless asked", async () => {
        const run = await fleet(false);
        assert.equal(ofType(run, "azure-native:authorization:PolicyAssignment").length, 0);
    });
});

describe("an Arc proxy script that failed", () => {
    // An Arc script, and the Linux VM OS-proxy read-back (its failure also fails its own deployment in Azure).
    for (const [command, exitCode, how] of [
        ["d-os-proxy-lnx-arc", 3, "az connectedmachine run-command show"],
        ["d-os-proxy-verify-lnx-vm", 1, "az vm run-command show --instance-view"],
    ] as const) {
        it(`${command} exited ${exitCode}: MDE integration is not switched on, and the error names the run command`, async () => {
            const failed = { instanceView: { executionState: "Failed", exitCode } };
            const run = await runProgram(
                () => {
                    new DefenderForServersNetworkRestricted("d", mixedFleet());
                },
                { resourceOutputs: { [command]: failed } },
            );
            assert.ok(!run.resources.some((r) => r.name === "d-mde-integration"), "MDE integration must not be registered");
            assert.equal(run.errors.length, 1, run.errors.join("\n"));
            assert.ok(
                run.errors[0].includes(`not switching on MDE integration: ${command} ended Failed (exit code ${exitCode})`),
                run.errors[0],
            );
            assert.ok(run.errors[0].includes(how), run.errors[0]);
        });
    }

    it("lets it through when every Arc script succeeded", async () => {
        const ok = { instanceView: { executionState: "Succeeded", exitCode: 0 } };
        const run = await runProgram(
            () => {
                new DefenderForServersNetworkRestricted("d", mixedFleet());
            },
            { resourceOutputs: { "d-os-proxy-lnx-arc": ok, "d-arc-agent-proxy-lnx-arc": ok } },
        );
        assert.deepEqual(run.errors, []);
        assert.deepEqual(inputs(named(run, "d-mde-integration")).tags, { "defender-servers-os-proxy": "verified" });
    });
});
