/**
 * Policy mode's custom definitions (sdk/plan/policy.ts), read as Azure receives them. The shapes
 * follow Microsoft's own built-ins for the same jobs (Azure/azure-policy, snapshot of 29 April 2026,
 * built-in-policies/policyDefinitions): Monitoring/AzureMonitor_Agent_Linux_VM_DINE.json (Virtual
 * Machine Contributor 9980e02c-..., `identity.type` contains `SystemAssigned`),
 * AzureMonitor_Agent_Linux_HybridVM_DINE.json (Azure Connected Machine Resource Administrator
 * cd570a14-...), AzureMonitor_DCRA_VM_Linux_DINE.json and AzureMonitor_DCRA_Arc_Linux_DINE.json
 * (a resource-id parameter with `assignPermissions: true`, `evaluationDelay: AfterProvisioning`, the existence
 * condition on `.../dataCollectionRuleId` or `.../dataCollectionEndpointId`, the endpoint's
 * association named `configurationAccessEndpoint`, scoped `concat('<machine type>/', <name>)`).
 * The associations' identity gets Monitoring Contributor 749f88d5-... alone, not also the built-ins'
 * Log Analytics Contributor: azure-monitor-docs data-collection-rule-create-edit.md (01/20/2026) and
 * azure-docs built-in-roles/monitor.md (02/23/2026), as cited in sdk/plan/policy.ts's ROLES.
 * Every alias read is in Azure's published list (test/fixtures/policy-aliases.txt). Modify with
 * `addOrReplace` and `conflictEffect: audit`: azure-docs governance/policy/concepts/effect-modify.md.
 * The run-command scripts and AMA settings are the per-machine mode's (agents.ts, runCommands.ts):
 * the design says both rollouts use the same functions so that they cannot drift.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { azureMonitorAgent } from "../../sdk/plan/agents";
import { EGRESS_AGENTS, EgressDestination } from "../../sdk/plan/egress/types";
import {
    API_VERSIONS,
    CONFIG_TAG,
    deploymentTemplates,
    guestConfigurationTagDefinition,
    PolicyDefinitionSpec,
    PolicyRolloutInput,
    policyRouteChecks,
    ROLES,
    rolesFor,
    rolloutPolicies,
    runCommandSucceeded,
} from "../../sdk/plan/policy";
import { arcAgentProxyRunCommand, osProxyRunCommand, RouteCheck } from "../../sdk/plan/runCommands";
import { NormalizedProxy } from "../../sdk/validate/proxy";

const proxyAt = (host: string, port: number): NormalizedProxy => ({
    url: `http://${host}:${port}`,
    host,
    port,
    bypass: [],
    unauthenticatedForAgentHosts: false,
    routeCheck: false,
});
const PROXY = proxyAt("proxy.corp.example", 3128);
const BYPASS = [".corp.example"];
const ARC_BYPASS = ["AAD", "ARM"];

const input = (over: Partial<PolicyRolloutInput> = {}): PolicyRolloutInput => ({
    proxy: PROXY,
    bypass: BYPASS,
    arcBypass: ARC_BYPASS,
    azureMonitorAgent: true,
    dataCollectionEndpoint: false,
    guestConfigurationTag: true,
    ...over,
});

const byKey = (definitions: PolicyDefinitionSpec[], key: string): PolicyDefinitionSpec => {
    const found = definitions.find((d) => d.key === key);
    assert.ok(found, `no definition ${key} among ${definitions.map((d) => d.key).join(", ")}`);
    return found;
};
const role = (id: string) => `/providers/Microsoft.Authorization/roleDefinitions/${id}`;
type Details = {
    existenceCondition: { allOf: Array<{ field: string; equals: unknown }> };
    deployment: { properties: { template: { resources: Array<Record<string, unknown>> } } };
};
const detailsOf = (d: PolicyDefinitionSpec) => (d.policyRule.then as { details: Details }).details;
const configHashOf = (d: PolicyDefinitionSpec): string => {
    const condition = detailsOf(d).existenceCondition.allOf.find((c) => c.field === `tags['${CONFIG_TAG}']`);
    assert.ok(condition, `${d.key}: no ${CONFIG_TAG} condition`);
    return condition.equals as string;
};

// What each kind of machine is in the policy language: Azure VMs by `type` and their OS disk's
// `osType` ("Windows"/"Linux"); Arc machines by `type` and `osName` ("windows"/"linux", lower case
// as the Arc agent reports it: the built-ins AzureMonitor_Agent_*_HybridVM_DINE.json compare the same).
const VM_WINDOWS = [
    { field: "type", equals: "Microsoft.Compute/virtualMachines" },
    { field: "Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType", equals: "Windows" },
];
const VM_LINUX = [
    { field: "type", equals: "Microsoft.Compute/virtualMachines" },
    { field: "Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType", equals: "Linux" },
];
const ARC_WINDOWS = [
    { field: "type", equals: "Microsoft.HybridCompute/machines" },
    { field: "Microsoft.HybridCompute/machines/osName", equals: "windows" },
];
const ARC_LINUX = [
    { field: "type", equals: "Microsoft.HybridCompute/machines" },
    { field: "Microsoft.HybridCompute/machines/osName", equals: "linux" },
];

/** The effect parameter as Microsoft's built-ins declare it: the allowed effects, the first the default. */
const effect = (...allowedValues: string[]) => ({
    type: "String",
    metadata: { displayName: "Effect", description: "Enable or disable the execution of the policy." },
    allowedValues,
    defaultValue: allowedValues[0],
});
// Every built-in DeployIfNotExists offers these three (e.g. Security Center DINE built-ins); audits and modifies fewer.
const DEPLOY_EFFECT = effect("DeployIfNotExists", "AuditIfNotExists", "Disabled");
/** What makes a proxy run command done: on a VM the switch that fails the run command with its script; on Arc the instance view. */
const runCommandDone = (kind: "vm" | "arc", hash: string) => {
    const runCommands = kind === "vm" ? "Microsoft.Compute/virtualMachines/runCommands" : "Microsoft.HybridCompute/machines/runCommands";
    const outcome =
        kind === "vm"
            ? [{ field: `${runCommands}/treatFailureAsDeploymentFailure`, equals: true }]
            : [
                  { field: `${runCommands}/instanceView.executionState`, equals: "Succeeded" },
                  { field: `${runCommands}/instanceView.exitCode`, equals: 0 },
              ];
    return {
        allOf: [
            { field: `${runCommands}/provisioningState`, equals: "Succeeded" },
            ...outcome,
            { field: `tags['${CONFIG_TAG}']`, equals: hash },
        ],
    };
};
/** A DeployIfNotExists rule in the built-ins' shape, run once the machine is provisioned. */
const dine = (
    match: unknown[],
    related: { type: string; name?: string },
    roleIds: string[],
    existenceCondition: unknown,
    resources: unknown[],
) => ({
    if: { allOf: match },
    then: {
        effect: "[parameters('effect')]",
        details: {
            ...related,
            roleDefinitionIds: roleIds.map(role),
            evaluationDelay: "AfterProvisioning",
            existenceCondition,
            deployment: deployment(resources),
        },
    },
});
const TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
/** The deployment of a DeployIfNotExists rule: the machine's name and location, as the built-ins pass them (`field('name')`, `field('location')`). */
const deployment = (
    resources: unknown[],
    extra: Record<string, { type: string }> = {},
    extraValues: Record<string, { value: string }> = {},
) => ({
    properties: {
        mode: "Incremental",
        template: {
            $schema: TEMPLATE_SCHEMA,
            contentVersion: "1.0.0.0",
            parameters: { machineName: { type: "string" }, location: { type: "string" }, ...extra },
            resources,
        },
        parameters: { machineName: { value: "[field('name')]" }, location: { value: "[field('location')]" }, ...extraValues },
    },
});

describe("plan: policy definitions (sdk/plan/policy.ts)", () => {
    it("names the built-in roles by the ids Microsoft's built-ins and docs use", () => {
        assert.deepEqual(ROLES, {
            virtualMachineContributor: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
            connectedMachineResourceAdministrator: "cd570a14-e51a-42ad-bac8-bafd67325302",
            monitoringContributor: "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
            tagContributor: "4a9ae827-6dc8-4573-8ac7-8239d42aa03f",
        });
        assert.equal(CONFIG_TAG, "defender-servers-config");
    });

    describe("the OS proxy, deployed as run commands", () => {
        // Built in each test: Stryker activates a mutant per test run, so nothing may be computed when the file loads.
        const all = () => rolloutPolicies(input());

        it("VMs (Windows: no Linux-only step may join it): one run command with the per-machine script, failing the deployment when the script fails, compliant when it succeeded with the current content", () => {
            const d = byKey(all(), "os-proxy-vm-windows");
            const command = osProxyRunCommand("windows", PROXY, BYPASS);
            const hash = configHashOf(d);
            assert.match(hash, /^[0-9a-f]{16}$/);
            const runCommands = "Microsoft.Compute/virtualMachines/runCommands";
            assert.deepEqual(
                d.policyRule,
                dine(
                    VM_WINDOWS,
                    { type: runCommands, name: "defender-os-proxy" },
                    [ROLES.virtualMachineContributor],
                    runCommandDone("vm", hash),
                    [
                        {
                            type: runCommands,
                            apiVersion: API_VERSIONS.vmRunCommand,
                            name: "[concat(parameters('machineName'), '/', 'defender-os-proxy')]",
                            location: "[parameters('location')]",
                            tags: { [CONFIG_TAG]: hash },
                            properties: {
                                source: { script: command.script },
                                parameters: command.parameters,
                                timeoutInSeconds: command.timeoutInSeconds,
                                asyncExecution: false,
                                treatFailureAsDeploymentFailure: true,
                            },
                        },
                    ],
                ),
            );
            assert.deepEqual(
                {
                    key: d.key,
                    mode: d.mode,
                    parameters: d.parameters,
                    roles: d.roles,
                    gatesMde: d.gatesMde,
                    auditOnly: d.auditOnly,
                    rolesAlsoOn: d.rolesAlsoOn,
                },
                {
                    key: "os-proxy-vm-windows",
                    mode: "Indexed",
                    parameters: { effect: DEPLOY_EFFECT },
                    roles: [ROLES.virtualMachineContributor],
                    gatesMde: true,
                    auditOnly: undefined,
                    rolesAlsoOn: undefined,
                },
            );
            assert.match(
                d.displayName,
                /^Set the operating-system proxy for Defender for Endpoint on Windows virtual machines \(defender-servers\)$/,
            );
            assert.match(
                d.description,
                /^Runs the run command defender-os-proxy, which put the operating-system proxy in place; MDE needs it before Defender deploys it\./,
            );
            assert.ok(
                d.description.endsWith(
                    `Compliant: defender-os-proxy carries tag ${CONFIG_TAG}=${hash} (the hash of the current scripts and parameters) and its script succeeded.`,
                ),
                d.description,
            );
        });

        it("Arc: the OS proxy then the Arc agent's proxy, the second waiting for the first; compliant when the instance view says the script succeeded with exit code 0", () => {
            const d = byKey(all(), "os-proxy-arc-windows");
            const os = osProxyRunCommand("windows", PROXY, BYPASS);
            const agent = arcAgentProxyRunCommand("windows", PROXY, ARC_BYPASS, BYPASS);
            const hash = configHashOf(d);
            const runCommands = "Microsoft.HybridCompute/machines/runCommands";
            const resource = (command: typeof os, dependsOn?: string[]) => ({
                type: runCommands,
                apiVersion: API_VERSIONS.arcRunCommand,
                name: `[concat(parameters('machineName'), '/', '${command.runCommandName}')]`,
                location: "[parameters('location')]",
                tags: { [CONFIG_TAG]: hash },
                ...(dependsOn === undefined ? {} : { dependsOn }),
                // Arc run commands have no treatFailureAsDeploymentFailure switch.
                properties: {
                    source: { script: command.script },
                    parameters: command.parameters,
                    timeoutInSeconds: command.timeoutInSeconds,
                    asyncExecution: false,
                },
            });
            assert.deepEqual(
                d.policyRule,
                dine(
                    ARC_WINDOWS,
                    { type: runCommands, name: "defender-os-proxy" },
                    [ROLES.connectedMachineResourceAdministrator],
                    runCommandDone("arc", hash),
                    [resource(os), resource(agent, [`[resourceId('${runCommands}', parameters('machineName'), 'defender-os-proxy')]`])],
                ),
            );
            assert.deepEqual([d.roles, d.gatesMde], [[ROLES.connectedMachineResourceAdministrator], true]);
            assert.match(
                d.displayName,
                /^Set the operating-system proxy for Defender for Endpoint on Windows Arc-enabled servers \(defender-servers\)$/,
            );
            assert.match(
                d.description,
                /^Runs the run commands defender-os-proxy then defender-arc-agent-proxy, which put the operating-system proxy and then the Arc agent's proxy in place; MDE needs it before Defender deploys it\. Compliant: defender-os-proxy carries tag /,
            );
        });

        it("selects each kind of machine by type and OS, with the role and API version of its resource provider", () => {
            const expected: Array<[string, unknown[], string, string]> = [
                ["os-proxy-vm-windows", VM_WINDOWS, ROLES.virtualMachineContributor, "2025-04-01"],
                ["os-proxy-vm-linux", VM_LINUX, ROLES.virtualMachineContributor, "2025-04-01"],
                ["os-proxy-arc-windows", ARC_WINDOWS, ROLES.connectedMachineResourceAdministrator, "2025-06-01"],
                ["os-proxy-arc-linux", ARC_LINUX, ROLES.connectedMachineResourceAdministrator, "2025-06-01"],
            ];
            const definitions = all();
            for (const [key, match, roleId, apiVersion] of expected) {
                const d = byKey(definitions, key);
                assert.deepEqual((d.policyRule.if as { allOf: unknown[] }).allOf, match, key);
                assert.deepEqual(d.roles, [roleId], key);
                assert.deepEqual(
                    (d.policyRule.then as { details: { roleDefinitionIds: string[] } }).details.roleDefinitionIds,
                    [role(roleId)],
                    key,
                );
                assert.equal(detailsOf(d).deployment.properties.template.resources[0].apiVersion, apiVersion, key);
            }
            assert.match(byKey(definitions, "os-proxy-vm-windows").displayName, / on Windows virtual machines /);
            assert.match(byKey(definitions, "os-proxy-arc-linux").displayName, / on Linux Arc-enabled servers /);
        });

        it("the content hash is the same everywhere in one definition, and changes with the proxy, the bypass lists and the route check", () => {
            const hashOf = (over: Partial<PolicyRolloutInput>, key: string) => configHashOf(byKey(rolloutPolicies(input(over)), key));
            const base = hashOf({}, "os-proxy-arc-windows");
            const d = byKey(all(), "os-proxy-arc-windows");
            for (const resource of detailsOf(d).deployment.properties.template.resources)
                assert.deepEqual(resource.tags, { [CONFIG_TAG]: base });
            assert.equal(hashOf({}, "os-proxy-arc-windows"), base);
            const other = proxyAt("proxy2.corp.example", 8080);
            assert.notEqual(hashOf({ proxy: other }, "os-proxy-arc-windows"), base);
            assert.notEqual(hashOf({ bypass: [".other.example"] }, "os-proxy-arc-windows"), base);
            assert.notEqual(hashOf({ arcBypass: ["Arc"] }, "os-proxy-arc-windows"), base);
            // The VM chain has no Arc step: the Arc bypass list does not change it.
            assert.equal(hashOf({ arcBypass: ["Arc"] }, "os-proxy-vm-windows"), hashOf({}, "os-proxy-vm-windows"));
            const check: RouteCheck = { hosts: ["login.microsoftonline.com:443"], privateHosts: [], timeoutSeconds: 10 };
            assert.notEqual(hashOf({ routeChecks: () => ({ os: check }) }, "os-proxy-vm-windows"), hashOf({}, "os-proxy-vm-windows"));
        });

        it("hands each kind of machine its own route checks: the OS script its own, the Arc agent's script the Arc one", () => {
            const osCheck: RouteCheck = {
                hosts: ["winatp-gw-weu.microsoft.com:443"],
                privateHosts: ["ws.privatelink.example"],
                timeoutSeconds: 10,
            };
            const arcCheck: RouteCheck = { hosts: ["gbl.his.arc.azure.com:443"], privateHosts: [], timeoutSeconds: 10 };
            const asked: string[] = [];
            const definitions = rolloutPolicies(
                input({
                    routeChecks: (kind, os) => {
                        asked.push(`${kind}/${os}`);
                        return kind === "arc" && os === "windows" ? { os: osCheck, arc: arcCheck } : {};
                    },
                }),
            );
            assert.ok(asked.includes("azureVm/linux") && asked.includes("arc/windows"), asked.join(", "));
            const [osResource, arcResource] = detailsOf(byKey(definitions, "os-proxy-arc-windows")).deployment.properties.template
                .resources;
            assert.deepEqual(
                (osResource.properties as { parameters: unknown }).parameters,
                osProxyRunCommand("windows", PROXY, BYPASS, osCheck).parameters,
            );
            assert.deepEqual(
                (arcResource.properties as { parameters: unknown }).parameters,
                arcAgentProxyRunCommand("windows", PROXY, ARC_BYPASS, BYPASS, arcCheck).parameters,
            );
            const vmResource = detailsOf(byKey(definitions, "os-proxy-vm-linux")).deployment.properties.template.resources[0];
            assert.deepEqual(
                (vmResource.properties as { parameters: unknown }).parameters,
                osProxyRunCommand("linux", PROXY, BYPASS).parameters,
            );
        });

        it("runCommandSucceeded: on a VM the switch that makes a failed script fail the run command; on Arc the instance view", () => {
            assert.deepEqual(
                runCommandSucceeded({ kind: "azureVm", runCommandType: "Microsoft.Compute/virtualMachines/runCommands" }, "abc"),
                runCommandDone("vm", "abc"),
            );
            assert.throws(
                () => runCommandSucceeded({ kind: "arc", runCommandType: "Microsoft.Compute/virtualMachines/runCommands" }, "abc"),
                /instanceView\.executionState is not in Azure's published alias list/,
            );
        });
    });

    it("policy-residue merge point (Linux OS-proxy verify run command): the Arc chains' later steps are audited, one definition each, and only the Arc agent's proxy is one today", () => {
        const audits = rolloutPolicies(input()).filter((d) => d.auditOnly === true);
        assert.deepEqual(
            audits.map((d) => d.key),
            ["arc-agent-proxy-arc-windows", "arc-agent-proxy-arc-linux"],
        );
        assert.equal(detailsOf(byKey(rolloutPolicies(input()), "os-proxy-vm-linux")).deployment.properties.template.resources.length, 1);
    });

    it("audits the Arc agent's proxy step on its own (one definition reads one resource), deploying nothing", () => {
        const all = rolloutPolicies(input());
        const audit = byKey(all, "arc-agent-proxy-arc-windows");
        const hash = configHashOf(byKey(all, "os-proxy-arc-windows"));
        const runCommands = "Microsoft.HybridCompute/machines/runCommands";
        assert.deepEqual(audit.policyRule, {
            if: { allOf: ARC_WINDOWS },
            then: {
                effect: "[parameters('effect')]",
                details: {
                    type: runCommands,
                    name: "defender-arc-agent-proxy",
                    existenceCondition: runCommandDone("arc", hash),
                },
            },
        });
        // Built-in AuditIfNotExists policies offer AuditIfNotExists and Disabled.
        assert.deepEqual(audit.parameters, { effect: effect("AuditIfNotExists", "Disabled") });
        assert.deepEqual([audit.mode, audit.roles, audit.gatesMde, audit.auditOnly], ["Indexed", [], false, true]);
        assert.equal(
            audit.displayName,
            "Audit the defender-arc-agent-proxy run command's result on Windows Arc-enabled servers (defender-servers)",
        );
        assert.match(
            audit.description,
            new RegExp(
                `^Non-compliant when run command defender-arc-agent-proxy is missing, carries another content hash than ${hash}, or its script did not succeed \\(instance view\\)\\. The OS-proxy policy deploys it\\.$`,
            ),
        );
    });

    describe("Azure Monitor Agent with the proxy", () => {
        it("VMs with a system-assigned identity get the per-machine AMA extension, tagged with the hash of its settings, compliant only when it carries that hash", () => {
            const d = byKey(rolloutPolicies(input()), "ama-vm-windows");
            const { name: _name, ...extension } = azureMonitorAgent("windows", PROXY);
            const hash = configHashOf(d);
            assert.match(hash, /^[0-9a-f]{16}$/);
            const extensions = "Microsoft.Compute/virtualMachines/extensions";
            assert.deepEqual(
                d.policyRule,
                dine(
                    [...VM_WINDOWS, { field: "identity.type", contains: "SystemAssigned" }],
                    { type: extensions },
                    [ROLES.virtualMachineContributor],
                    {
                        allOf: [
                            { field: `${extensions}/type`, equals: "AzureMonitorWindowsAgent" },
                            { field: `${extensions}/publisher`, equals: "Microsoft.Azure.Monitor" },
                            { field: `${extensions}/provisioningState`, equals: "Succeeded" },
                            { field: `tags['${CONFIG_TAG}']`, equals: hash },
                        ],
                    },
                    [
                        {
                            type: extensions,
                            apiVersion: API_VERSIONS.vmExtension,
                            name: "[concat(parameters('machineName'), '/', 'AzureMonitorWindowsAgent')]",
                            location: "[parameters('location')]",
                            tags: { [CONFIG_TAG]: hash },
                            // The per-machine extension as it is, less its name (the resource name above).
                            properties: extension,
                        },
                    ],
                ),
            );
            assert.deepEqual(
                [d.mode, d.parameters, d.roles, d.gatesMde],
                ["Indexed", { effect: DEPLOY_EFFECT }, [ROLES.virtualMachineContributor], false],
            );
            assert.equal(d.displayName, "Deploy Azure Monitor Agent with proxy settings to Windows virtual machines (defender-servers)");
            assert.match(
                d.description,
                /^Deploys AzureMonitorWindowsAgent with the proxy settings of this environment \(the built-in policies take no proxy\) on VMs with a system-assigned managed identity, which AMA needs\. /,
            );
            assert.ok(d.description.endsWith(`carries tag ${CONFIG_TAG}=${hash}, the hash of these settings.`), d.description);
        });

        it("Arc machines always have an identity: no identity condition, the Arc extension type and API version", () => {
            const d = byKey(rolloutPolicies(input()), "ama-arc-linux");
            assert.deepEqual((d.policyRule.if as { allOf: unknown[] }).allOf, ARC_LINUX);
            const [resource] = detailsOf(d).deployment.properties.template.resources;
            assert.deepEqual(
                [resource.type, resource.apiVersion, resource.name],
                [
                    "Microsoft.HybridCompute/machines/extensions",
                    "2025-06-01",
                    "[concat(parameters('machineName'), '/', 'AzureMonitorLinuxAgent')]",
                ],
            );
            assert.deepEqual(d.roles, [ROLES.connectedMachineResourceAdministrator]);
            assert.equal(d.displayName, "Deploy Azure Monitor Agent with proxy settings to Linux Arc-enabled servers (defender-servers)");
            assert.match(
                d.description,
                /^Deploys AzureMonitorLinuxAgent with the proxy settings of this environment \(the built-in policies take no proxy\)\. An extension counts/,
            );
        });

        it("under Azure Monitor Private Link AMA goes to the private endpoint without the proxy, and the hash says so", () => {
            const direct = byKey(rolloutPolicies(input({ dataCollectionEndpoint: true })), "ama-vm-linux");
            const proxied = byKey(rolloutPolicies(input()), "ama-vm-linux");
            const settingsOf = (d: PolicyDefinitionSpec) =>
                (detailsOf(d).deployment.properties.template.resources[0].properties as { settings: unknown }).settings;
            assert.deepEqual(settingsOf(direct), { proxy: { mode: "none" } });
            assert.deepEqual(settingsOf(proxied), { proxy: { mode: "application", address: PROXY.url, auth: "false" } });
            assert.notEqual(configHashOf(direct), configHashOf(proxied));
        });
    });

    describe("data collection rule and endpoint associations", () => {
        it("associates VMs of both operating systems with the rule, as Microsoft's DCRA built-ins do", () => {
            const d = byKey(rolloutPolicies(input()), "dcr-association-vm");
            const association = "Microsoft.Insights/dataCollectionRuleAssociations";
            const then = d.policyRule.then as { details: Record<string, unknown> };
            assert.deepEqual(d.policyRule.if, { allOf: [{ field: "type", equals: "Microsoft.Compute/virtualMachines" }] });
            assert.deepEqual(then.details.existenceCondition, {
                field: `${association}/dataCollectionRuleId`,
                equals: "[parameters('dataCollectionRuleId')]",
            });
            assert.equal(then.details.type, association);
            assert.equal(then.details.evaluationDelay, "AfterProvisioning");
            const resources = detailsOf(d).deployment.properties.template.resources;
            assert.deepEqual(
                resources.map(({ name: _name, ...rest }) => rest),
                [
                    {
                        type: association,
                        apiVersion: "2024-03-11",
                        scope: "[concat('Microsoft.Compute/virtualMachines/', parameters('machineName'))]",
                        properties: { dataCollectionRuleId: "[parameters('dataCollectionRuleId')]" },
                    },
                ],
            );
            // The rule's id is the assignment's parameter, passed on to the deployment; location is not used.
            const properties = (then.details.deployment as { properties: { template: { parameters: unknown }; parameters: unknown } })
                .properties;
            assert.deepEqual(properties.template.parameters, { machineName: { type: "string" }, dataCollectionRuleId: { type: "string" } });
            assert.deepEqual(properties.parameters, {
                machineName: { value: "[field('name')]" },
                dataCollectionRuleId: { value: "[parameters('dataCollectionRuleId')]" },
            });
            assert.deepEqual(d.parameters, {
                effect: DEPLOY_EFFECT,
                dataCollectionRuleId: {
                    type: "String",
                    metadata: {
                        displayName: "Data collection rule",
                        description: "Resource id of the rule every machine is associated with.",
                        assignPermissions: true,
                    },
                },
            });
            assert.deepEqual([d.mode, d.rolesAlsoOn, d.gatesMde], ["Indexed", "dataCollectionRuleId", false]);
            assert.equal(d.displayName, "Associate virtual machines with the data collection rule (defender-servers)");
            assert.equal(d.description, "Without an association the Azure Monitor Agent installs and collects nothing.");
        });

        it("under Azure Monitor Private Link, associates Arc machines with the endpoint under the name Azure Monitor requires", () => {
            const d = byKey(rolloutPolicies(input({ dataCollectionEndpoint: true })), "dce-association-arc");
            const association = "Microsoft.Insights/dataCollectionRuleAssociations";
            const then = d.policyRule.then as { details: Record<string, unknown> };
            assert.deepEqual(d.policyRule.if, { allOf: [{ field: "type", equals: "Microsoft.HybridCompute/machines" }] });
            assert.equal(then.details.name, "configurationAccessEndpoint");
            assert.deepEqual(then.details.existenceCondition, {
                field: `${association}/dataCollectionEndpointId`,
                equals: "[parameters('dataCollectionEndpointId')]",
            });
            assert.deepEqual(detailsOf(d).deployment.properties.template.resources, [
                {
                    type: association,
                    apiVersion: "2024-03-11",
                    name: "configurationAccessEndpoint",
                    scope: "[concat('Microsoft.HybridCompute/machines/', parameters('machineName'))]",
                    properties: { dataCollectionEndpointId: "[parameters('dataCollectionEndpointId')]" },
                },
            ]);
            assert.deepEqual(d.parameters.dataCollectionEndpointId, {
                type: "String",
                metadata: {
                    displayName: "Data collection endpoint",
                    description: "Resource id of the endpoint every machine is associated with.",
                    assignPermissions: true,
                },
            });
            assert.equal(d.rolesAlsoOn, "dataCollectionEndpointId");
            assert.equal(d.displayName, "Associate Arc-enabled servers with the private data collection endpoint (defender-servers)");
            assert.equal(
                d.description,
                "Under Azure Monitor Private Link the agent reads its configuration only from the endpoint named by an association called configurationAccessEndpoint.",
            );
        });

        it("policy-residue merge point (DCR association role list): Monitoring Contributor alone, which writes associations and deployments (2026 docs)", () => {
            for (const key of ["dcr-association-vm", "dcr-association-arc", "dce-association-vm"]) {
                const d = byKey(rolloutPolicies(input({ dataCollectionEndpoint: true })), key);
                const roles = [ROLES.monitoringContributor];
                assert.deepEqual(d.roles, roles, key);
                assert.deepEqual(
                    (d.policyRule.then as { details: { roleDefinitionIds: string[] } }).details.roleDefinitionIds,
                    roles.map(role),
                    key,
                );
            }
        });

        it("policy-residue merge point (DCR association name): named after the rule, defender-servers- and ARM's uniqueString of its lower-cased id", () => {
            // The same expression in details.name (Azure Policy evaluates it there, as built-ins with uniqueString in details.name do) and in the deployment.
            const name = "[concat('defender-servers-', uniqueString(toLower(parameters('dataCollectionRuleId'))))]";
            for (const key of ["dcr-association-vm", "dcr-association-arc"]) {
                const d = byKey(rolloutPolicies(input()), key);
                assert.equal((d.policyRule.then as { details: { name: string } }).details.name, name, key);
                assert.equal(detailsOf(d).deployment.properties.template.resources[0].name, name, key);
            }
        });
    });

    it("the Guest Configuration tag: a modify that adds or replaces that one tag on VMs without it, reporting conflicts rather than denying", () => {
        // EnablePrivateNetworkGC=TRUE: Guest Configuration's private path (azure-docs machine-configuration network requirements).
        assert.deepEqual(guestConfigurationTagDefinition(), {
            key: "guest-configuration-tag",
            displayName: "Add the EnablePrivateNetworkGC tag to virtual machines (defender-servers)",
            description:
                "Adds EnablePrivateNetworkGC=TRUE so that Guest Configuration reaches Azure through 168.63.129.16 instead of a proxy; no other tag is touched.",
            mode: "Indexed",
            parameters: { effect: effect("Modify", "Disabled") },
            roles: [ROLES.tagContributor],
            gatesMde: false,
            policyRule: {
                if: {
                    allOf: [
                        { field: "type", equals: "Microsoft.Compute/virtualMachines" },
                        { field: "tags['EnablePrivateNetworkGC']", notEquals: "TRUE" },
                    ],
                },
                then: {
                    effect: "[parameters('effect')]",
                    details: {
                        roleDefinitionIds: [role(ROLES.tagContributor)],
                        conflictEffect: "audit",
                        operations: [{ operation: "addOrReplace", field: "tags['EnablePrivateNetworkGC']", value: "TRUE" }],
                    },
                },
            },
        });
    });

    describe("rolloutPolicies: which definitions, in a stable order", () => {
        const deploying = (over: Partial<PolicyRolloutInput>) =>
            rolloutPolicies(input(over))
                .filter((d) => d.auditOnly !== true)
                .map((d) => d.key);
        const OS_PROXY = ["os-proxy-vm-windows", "os-proxy-vm-linux", "os-proxy-arc-windows", "os-proxy-arc-linux"];
        const AMA = ["ama-vm-windows", "ama-vm-linux", "ama-arc-windows", "ama-arc-linux"];
        const cases: Array<[string, Partial<PolicyRolloutInput>, string[]]> = [
            [
                "everything",
                { dataCollectionEndpoint: true },
                [
                    ...OS_PROXY,
                    ...AMA,
                    "dcr-association-vm",
                    "dcr-association-arc",
                    "dce-association-vm",
                    "dce-association-arc",
                    "guest-configuration-tag",
                ],
            ],
            ["no endpoint", {}, [...OS_PROXY, ...AMA, "dcr-association-vm", "dcr-association-arc", "guest-configuration-tag"]],
            [
                "no proxy: nothing to put in place",
                { proxy: undefined },
                [...AMA, "dcr-association-vm", "dcr-association-arc", "guest-configuration-tag"],
            ],
            [
                "no AMA: no associations either, not even with an endpoint",
                { azureMonitorAgent: false, dataCollectionEndpoint: true },
                [...OS_PROXY, "guest-configuration-tag"],
            ],
            ["no tag", { guestConfigurationTag: false }, [...OS_PROXY, ...AMA, "dcr-association-vm", "dcr-association-arc"]],
            ["nothing", { proxy: undefined, azureMonitorAgent: false, guestConfigurationTag: false }, []],
        ];
        for (const [name, over, keys] of cases) it(name, () => assert.deepEqual(deploying(over), keys));

        it("no proxy: no audits of proxy steps", () => {
            assert.deepEqual(
                rolloutPolicies(input({ proxy: undefined })).filter((d) => d.auditOnly === true),
                [],
            );
        });

        it("only the OS-proxy definitions gate MDE", () => {
            const gating = rolloutPolicies(input({ dataCollectionEndpoint: true }))
                .filter((d) => d.gatesMde)
                .map((d) => d.key);
            assert.deepEqual(gating, OS_PROXY);
        });
    });

    it("rolesFor: each role once, in first-use order", () => {
        const d = (roles: string[]) => ({ roles }) as PolicyDefinitionSpec;
        assert.deepEqual(rolesFor([d(["a", "b"]), d([]), d(["b", "c"]), d(["a"])]), ["a", "b", "c"]);
        assert.deepEqual(rolesFor([]), []);
    });

    it("deploymentTemplates: the template of each definition that deploys, none for audits and modifies", () => {
        const all = rolloutPolicies(input());
        const templates = deploymentTemplates(all);
        assert.deepEqual(
            templates.map((t) => t.key),
            all.filter((d) => d.auditOnly !== true && d.key !== "guest-configuration-tag").map((d) => d.key),
        );
        for (const t of templates) {
            const template = detailsOf(byKey(all, t.key)).deployment.properties.template;
            assert.equal(t.template.$schema, TEMPLATE_SCHEMA);
            assert.equal(t.template, template);
        }
        assert.deepEqual(deploymentTemplates([guestConfigurationTagDefinition()]), []);
        // A rule with no details at all (a deny, say) deploys nothing either.
        assert.deepEqual(
            deploymentTemplates([{ ...guestConfigurationTagDefinition(), policyRule: { if: {}, then: { effect: "deny" } } }]),
            [],
        );
    });

    describe("policyRouteChecks: what each kind of machine proves in policy mode", () => {
        const E = (host: string, agents: string[], over: Partial<EgressDestination> = {}): EgressDestination => ({
            host,
            port: 443,
            protocol: "https",
            agents,
            platforms: ["linux", "windows"],
            why: "test",
            when: "always",
            route: "proxy",
            serviceTag: "",
            probeHost: host,
            tlsInspection: true,
            ...over,
        });
        const EGRESS = [
            E("mde.example", [EGRESS_AGENTS.mde]),
            E("win-mde.example", [EGRESS_AGENTS.mde], { platforms: ["windows"] }),
            E("ama.example", [EGRESS_AGENTS.azureMonitorAgent]),
            E("ama-private.example", [EGRESS_AGENTS.azureMonitorAgent], { route: "privateLink" }),
            E("gc.example", [EGRESS_AGENTS.guestConfiguration]),
            E("arc.example", [EGRESS_AGENTS.arcAgent]),
        ];
        const ALL = { mde: true, mdeOnLinux: true, azureMonitorAgent: true, guestConfiguration: true };
        const NONE = { mde: false, mdeOnLinux: false, azureMonitorAgent: false, guestConfiguration: false };
        // Per-probe timeout: machineRouteCheck.ts's ROUTE_CHECK_PROBE_SECONDS, 10 s.
        const check = (hosts: string[], privateHosts: string[] = []) => ({ hosts, privateHosts, timeoutSeconds: 10 });

        it("a Windows VM: MDE (its Windows hosts too), AMA with its private host, Guest Configuration; no Arc check", () => {
            assert.deepEqual(policyRouteChecks(EGRESS, "azureVm", "windows", ALL), {
                os: check(["ama.example:443", "gc.example:443", "mde.example:443", "win-mde.example:443"], ["ama-private.example"]),
                arc: undefined,
            });
        });

        const vmCases: Array<[string, "windows" | "linux", typeof ALL, ReturnType<typeof check> | undefined]> = [
            [
                "Linux VM, MDE not on Linux: no MDE host",
                "linux",
                { ...ALL, mdeOnLinux: false, azureMonitorAgent: false },
                check(["gc.example:443"]),
            ],
            ["Linux VM, MDE on Linux", "linux", { ...NONE, mde: true, mdeOnLinux: true }, check(["mde.example:443"])],
            [
                "Windows VM, MDE on (whatever Linux says)",
                "windows",
                { ...NONE, mde: true },
                check(["mde.example:443", "win-mde.example:443"]),
            ],
            [
                "Linux VM, AMA only: one host through the proxy, one private",
                "linux",
                { ...NONE, azureMonitorAgent: true },
                check(["ama.example:443"], ["ama-private.example"]),
            ],
            ["Windows VM, nothing on: nothing to check", "windows", { ...NONE, mdeOnLinux: true }, undefined],
        ];
        for (const [name, os, agents, expected] of vmCases) {
            it(name, () => assert.deepEqual(policyRouteChecks(EGRESS, "azureVm", os, agents), { os: expected, arc: undefined }));
        }

        it("an Arc machine: no Guest Configuration tag path, the Arc agent's hosts in both checks", () => {
            assert.deepEqual(policyRouteChecks(EGRESS, "arc", "linux", { ...ALL, azureMonitorAgent: false }), {
                os: check(["arc.example:443", "mde.example:443"]),
                arc: check(["arc.example:443"]),
            });
            assert.deepEqual(policyRouteChecks(EGRESS, "arc", "windows", NONE), {
                os: check(["arc.example:443"]),
                arc: check(["arc.example:443"]),
            });
            // Nothing listed for the Arc agent: nothing to prove.
            assert.deepEqual(policyRouteChecks(EGRESS.slice(0, 2), "arc", "windows", NONE), { os: undefined, arc: undefined });
        });
    });

    it("every field a rule reads is a policy-language field or an alias Azure publishes (test/fixtures/policy-aliases.txt)", () => {
        const published = new Set(fs.readFileSync(path.join(__dirname, "..", "fixtures", "policy-aliases.txt"), "utf8").split("\n"));
        const language = /^(type|identity\.type|tags\['[^']+'\])$/;
        const fields: string[] = [];
        const walk = (v: unknown): void => {
            if (Array.isArray(v)) v.forEach(walk);
            else if (v !== null && typeof v === "object")
                for (const [k, x] of Object.entries(v))
                    k === "field" && typeof x === "string" ? fields.push(x) : k !== "deployment" && walk(x);
        };
        for (const d of rolloutPolicies(input({ dataCollectionEndpoint: true }))) walk(d.policyRule);
        assert.ok(fields.length > 40, `${fields.length}`);
        assert.deepEqual(
            fields.filter((f) => !language.test(f) && !published.has(f)),
            [],
        );
    });
});
