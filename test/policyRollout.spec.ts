/**
 * Policy mode as Azure receives it, at subscription, resource-group and management-group scope,
 * with a component name longer than any Azure limit: names, existence conditions, roles,
 * remediation settings, and what MDE integration waits for.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, MachineSettings, ValidationError } from "../sdk";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { CONFIG_TAG } from "../sdk/plan/policy";
import { tagVmsForPrivateGuestConfiguration } from "../sdk/resources/guestConfigurationTag";
import { validate } from "../sdk/validate";
import { inputs, MINIMAL, MODES, named, ofType, SUBSCRIPTION, waitsFor } from "./harness";
import { WORKSPACE } from "./fleet";
import { assembleScript } from "../sdk/plan/scripts";

const PROXY = { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] };
// The body a machine receives: the Linux scripts are assembled from sdk/scripts/linux/*.sh parts.
const script = (name: string) => assembleScript(fs.readFileSync(path.join(__dirname, "..", "sdk", "scripts", name), "utf8"));
/** Longer than every Azure name limit on its own (64 characters and more). */
const LONG = "defender-servers-for-the-payments-platform-production-west-europe-001";
const RG_SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-servers`;
const MG_SCOPE = "/providers/Microsoft.Management/managementGroups/servers";
const OTHER_SUBSCRIPTION = "99999999-8888-7777-6666-555555555555";
const DCR = `/subscriptions/${OTHER_SUBSCRIPTION}/resourceGroups/rg-monitoring/providers/Microsoft.Insights/dataCollectionRules/central`;

const T = {
    definition: "azure-native:authorization:PolicyDefinition",
    definitionAtMg: "azure-native:authorization:PolicyDefinitionAtManagementGroup",
    initiative: "azure-native:authorization:PolicySetDefinition",
    initiativeAtMg: "azure-native:authorization:PolicySetDefinitionAtManagementGroup",
    assignment: "azure-native:authorization:PolicyAssignment",
    role: "azure-native:authorization:RoleAssignment",
    atSubscription: "azure-native:policyinsights:RemediationAtSubscription",
    atResourceGroup: "azure-native:policyinsights:RemediationAtResourceGroup",
    atResource: "azure-native:policyinsights:RemediationAtResource",
    atMg: "azure-native:policyinsights:RemediationAtManagementGroup",
    gate: "random:index/randomString:RandomString",
};

const KEYS = [
    "os-proxy-vm-windows",
    "os-proxy-vm-linux",
    "os-proxy-arc-windows",
    "os-proxy-arc-linux",
    "arc-agent-proxy-arc-windows",
    "arc-agent-proxy-arc-linux",
    "ama-vm-windows",
    "ama-vm-linux",
    "ama-arc-windows",
    "ama-arc-linux",
    "dcr-association-vm",
    "dcr-association-arc",
    "guest-configuration-tag",
];
const OS_PROXY_KEYS = KEYS.filter((k) => k.startsWith("os-proxy-"));
/** Audits (the Arc agent-proxy step's result): no deployment, so no remediation task. */
const AUDIT_KEYS = KEYS.filter((k) => k.startsWith("arc-agent-proxy-"));
const REMEDIATED_KEYS = KEYS.filter((k) => !AUDIT_KEYS.includes(k));

const ROLE = {
    tagContributor: "4a9ae827-6dc8-4573-8ac7-8239d42aa03f",
    monitoringContributor: "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    virtualMachineContributor: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    connectedMachineAdministrator: "cd570a14-e51a-42ad-bac8-bafd67325302",
};

function machines(count: number): MachineSettings[] {
    return Array.from({ length: count }, (_, i) => ({
        key: `m-${i}`,
        kind: i % 2 === 0 ? "azureVm" : "arc",
        os: i % 3 === 0 ? "windows" : "linux",
        resourceGroupName: "rg",
        name: `m-${i}`,
        ...(i % 2 === 0 ? { systemAssignedIdentity: true } : {}),
    }));
}

function policyFleet(overrides: Partial<DefenderForServersNetworkRestrictedArgs> = {}): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        proxy: PROXY,
        machines: machines(4),
        logs: { workspaceResourceId: WORKSPACE },
        rollout: { mode: "policy" },
        ...overrides,
    };
}

/** Runs the component named `name` and fails on any registration error. */
async function run(args: DefenderForServersNetworkRestrictedArgs, preview = false, name = LONG): Promise<RunResult> {
    const result = await runProgram(() => void new DefenderForServersNetworkRestricted(name, args), { preview });
    assert.deepEqual(result.errors, [], "a registration failed");
    assert.ok(result.resources.length > 1, "the mock engine recorded nothing");
    return result;
}

const rule = (definition: Record<string, any>) => definition.policyRule;
const details = (definition: Record<string, any>) => rule(definition).then.details;
const template = (definition: Record<string, any>) => details(definition).deployment.properties.template;
const definitionOf = (result: RunResult, key: string, name = LONG) => inputs(named(result, `${name}-policy-${key}`));

for (const mode of MODES) {
    describe(`policy rollout at subscription scope, long component name, ${mode.label}`, () => {
        let result: RunResult;
        before(async () => {
            result = await run(policyFleet(), mode.preview);
        });

        it("names every Azure resource explicitly, within Azure's limits, whatever the component name", () => {
            const definitions = ofType(result, T.definition).map((r) => inputs(r));
            assert.deepEqual(
                definitions.map((d) => d.policyDefinitionName.replace(/-[0-9a-f]{12}$/, "")).sort(),
                KEYS.map((k) => `dfs-${k}`).sort(),
            );
            for (const d of definitions) assert.ok(d.policyDefinitionName.length <= 64, d.policyDefinitionName);
            const assignment = inputs(named(result, `${LONG}-policy-assignment`));
            assert.match(assignment.policyAssignmentName, /^dfs-[0-9a-f]{12}$/);
            assert.ok(assignment.policyAssignmentName.length <= 24);
            assert.match(inputs(named(result, `${LONG}-policy-initiative`)).policySetDefinitionName, /^dfs-initiative-[0-9a-f]{12}$/);
            for (const role of ofType(result, T.role)) {
                // A role on the rule is named after the rule's id, unknown in a preview until the rule exists.
                if (mode.preview && inputs(role).scope === "[unknown]") assert.equal(inputs(role).roleAssignmentName, "[unknown]");
                else assert.match(inputs(role).roleAssignmentName, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            }
            const tasks = ofType(result, T.atSubscription).map((r) => inputs(r));
            assert.equal(tasks.length, REMEDIATED_KEYS.length);
            for (const task of tasks) {
                // An association task's name hashes the rule's id too, unknown in a preview until the rule exists.
                if (mode.preview && task.policyDefinitionReferenceId.startsWith("dcr-")) assert.equal(task.remediationName, "[unknown]");
                else assert.match(task.remediationName, /^dfs-[a-z-]+-[0-9a-f]{8}-[0-9a-f]{8}$/);
            }
        });

        it("one initiative of the definitions in a stable order, assigned with a system identity; no per-machine resource", () => {
            const initiative = inputs(named(result, `${LONG}-policy-initiative`));
            assert.deepEqual(
                initiative.policyDefinitions.map((ref: any) => ref.policyDefinitionReferenceId),
                KEYS,
            );
            const assignment = inputs(named(result, `${LONG}-policy-assignment`));
            assert.equal(assignment.scope, `/subscriptions/${SUBSCRIPTION}`);
            assert.deepEqual(assignment.identity, { type: "SystemAssigned" });
            assert.ok(!result.resources.some((r) => /-(os-proxy|ama|guest-configuration)-m-\d+$/.test(r.name)));
        });

        it("remediates up to 50,000 machines per task, 30 at a time, re-evaluating compliance first", () => {
            for (const task of ofType(result, T.atSubscription).map((r) => inputs(r))) {
                assert.equal(task.resourceCount, 50_000);
                assert.equal(task.parallelDeployments, 30);
                assert.equal(task.resourceDiscoveryMode, "ReEvaluateCompliance");
                assert.ok(KEYS.includes(task.policyDefinitionReferenceId));
            }
        });

        it("MDE integration waits for the assignment, every role, each OS-proxy task and the gate that polls them", () => {
            const mde = waitsFor(result, named(result, `${LONG}-mde-integration`));
            const expected = [
                `${LONG}-policy-assignment`,
                ...ofType(result, T.role).map((r) => r.name),
                ...OS_PROXY_KEYS.map((k) => `${LONG}-policy-remediation-${k}`),
                `${LONG}-policy-remediation-gate`,
            ];
            for (const name of expected) assert.ok(mde.includes(name), `MDE integration must wait for ${name}`);
            assert.ok(!mde.includes(`${LONG}-policy-remediation-ama-vm-linux`), "an agent's remediation does not gate MDE");
            // The gate polls exactly the OS-proxy tasks.
            const gate = named(result, `${LONG}-policy-remediation-gate`);
            assert.deepEqual(
                waitsFor(result, gate).filter((n) => n.includes("-remediation-")),
                OS_PROXY_KEYS.map((k) => `${LONG}-policy-remediation-${k}`).sort(),
            );
            if (!mode.preview) assert.match(inputs(gate).keepers.verdict, /^passed: 0 of 0 deployments succeeded, 0 failed/);
        });
    });
}

describe("policy rollout names are stable and collision-free", () => {
    it("the same program gives the same Azure names on every run; another component name gives others", async () => {
        const azureNames = (r: RunResult) =>
            r.resources
                .map((x) => inputs(x))
                .map(
                    (i) =>
                        i.policyDefinitionName ??
                        i.policyAssignmentName ??
                        i.policySetDefinitionName ??
                        i.remediationName ??
                        i.roleAssignmentName,
                )
                .filter((n) => typeof n === "string")
                .sort();
        const first = azureNames(await run(policyFleet()));
        assert.ok(first.length > 20);
        assert.deepEqual(azureNames(await run(policyFleet())), first);
        const other = azureNames(await run(policyFleet(), false, "other"));
        assert.equal(other.filter((n) => first.includes(n)).length, 0);
    });

    it("a changed proxy renames the OS-proxy and AMA tasks and changes the run commands' content hash (not their names), so existing machines are remediated again", async () => {
        const before = await run(policyFleet());
        const after = await run(policyFleet({ proxy: { ...PROXY, address: "http://proxy2.corp.example:8080" } }));
        const task = (r: RunResult, key: string) => inputs(named(r, `${LONG}-policy-remediation-${key}`)).remediationName;
        for (const key of ["os-proxy-vm-linux", "os-proxy-arc-windows", "ama-vm-windows", "ama-arc-linux"]) {
            assert.notEqual(task(after, key), task(before, key), key);
        }
        // Nothing that did not change is remediated again.
        assert.equal(task(after, "guest-configuration-tag"), task(before, "guest-configuration-tag"));
        assert.equal(task(after, "dcr-association-vm"), task(before, "dcr-association-vm"));
        assert.equal(details(definitionOf(after, "os-proxy-vm-linux")).name, details(definitionOf(before, "os-proxy-vm-linux")).name);
        const hash = (r: RunResult) =>
            details(definitionOf(r, "os-proxy-vm-linux")).existenceCondition.allOf.find((c: any) => c.field.startsWith("tags[")).equals;
        assert.notEqual(hash(after), hash(before));
    });
});

describe("policy rollout existence conditions see what matters", () => {
    let result: RunResult;
    let perMachine: RunResult;
    before(async () => {
        result = await run(policyFleet());
        perMachine = await run(policyFleet({ rollout: undefined }), false, "d");
    });

    it("AMA: only on VMs with a system-assigned identity; compliant only with the current settings' hash tag; same settings as per machine", () => {
        const vm = definitionOf(result, "ama-vm-linux");
        assert.deepEqual(rule(vm).if.allOf, [
            { field: "type", equals: "Microsoft.Compute/virtualMachines" },
            { field: "Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType", equals: "Linux" },
            { field: "identity.type", contains: "SystemAssigned" },
        ]);
        const arc = definitionOf(result, "ama-arc-linux");
        assert.deepEqual(rule(arc).if.allOf, [
            { field: "type", equals: "Microsoft.HybridCompute/machines" },
            { field: "Microsoft.HybridCompute/machines/osName", equals: "linux" },
        ]);
        for (const d of [vm, arc]) {
            const [extension] = template(d).resources;
            const conditions = details(d).existenceCondition.allOf;
            const tag = conditions.find((c: any) => c.field === `tags['${CONFIG_TAG}']`);
            assert.match(tag.equals, /^[0-9a-f]{16}$/);
            assert.deepEqual(extension.tags, { [CONFIG_TAG]: tag.equals });
            assert.ok(conditions.some((c: any) => c.field.endsWith("/provisioningState") && c.equals === "Succeeded"));
            assert.deepEqual(extension.properties.settings, {
                proxy: { mode: "application", address: "http://proxy.corp.example:3128", auth: "false" },
            });
        }
        const deployed = inputs(named(perMachine, "d-ama-m-1")).properties;
        const [extension] = template(arc).resources;
        for (const field of ["publisher", "type", "typeHandlerVersion", "settings"])
            assert.deepEqual(extension.properties[field], deployed[field], field);
    });

    it("OS proxy on a VM: one stable run command, compliant only when it succeeded with treatFailureAsDeploymentFailure and carries the content hash", () => {
        const vm = definitionOf(result, "os-proxy-vm-windows");
        assert.equal(details(vm).name, "defender-os-proxy");
        const [command] = template(vm).resources;
        const hash = command.tags[CONFIG_TAG];
        assert.match(hash, /^[0-9a-f]{16}$/);
        assert.deepEqual(details(vm).existenceCondition, {
            allOf: [
                { field: "Microsoft.Compute/virtualMachines/runCommands/provisioningState", equals: "Succeeded" },
                { field: "Microsoft.Compute/virtualMachines/runCommands/treatFailureAsDeploymentFailure", equals: true },
                { field: `tags['${CONFIG_TAG}']`, equals: hash },
            ],
        });
        assert.equal(command.name, "[concat(parameters('machineName'), '/', 'defender-os-proxy')]");
        assert.equal(command.properties.source.script, script("windows-os-proxy.ps1"));
        assert.equal(command.properties.treatFailureAsDeploymentFailure, true);
        // Policy mode sends the same proxy parameters as per-machine mode.
        const proxyOnly = (parameters: Array<{ name: string }>) => parameters.filter((p) => !/^(RouteCheck|ROUTE_CHECK_)/.test(p.name));
        assert.deepEqual(proxyOnly(command.properties.parameters), proxyOnly(inputs(named(perMachine, "d-os-proxy-m-0")).parameters));
    });

    it("Arc: the OS proxy runs first and the agent proxy waits for it; compliance reads each script's instance view (executionState, exitCode)", () => {
        const arc = definitionOf(result, "os-proxy-arc-linux");
        const [os, agent] = template(arc).resources;
        assert.equal(os.properties.source.script, script("linux-os-proxy.sh"));
        assert.equal(agent.properties.source.script, script("linux-arc-agent-proxy.sh"));
        assert.equal(os.name, "[concat(parameters('machineName'), '/', 'defender-os-proxy')]");
        assert.equal(agent.name, "[concat(parameters('machineName'), '/', 'defender-arc-agent-proxy')]");
        assert.deepEqual(agent.dependsOn, [
            "[resourceId('Microsoft.HybridCompute/machines/runCommands', parameters('machineName'), 'defender-os-proxy')]",
        ]);
        assert.equal(os.dependsOn, undefined);
        const hash = os.tags[CONFIG_TAG];
        assert.equal(agent.tags[CONFIG_TAG], hash);
        const succeeded = {
            allOf: [
                { field: "Microsoft.HybridCompute/machines/runCommands/provisioningState", equals: "Succeeded" },
                { field: "Microsoft.HybridCompute/machines/runCommands/instanceView.executionState", equals: "Succeeded" },
                { field: "Microsoft.HybridCompute/machines/runCommands/instanceView.exitCode", equals: 0 },
                { field: `tags['${CONFIG_TAG}']`, equals: hash },
            ],
        };
        // The deploying policy reads the OS-proxy step; an audit reads the agent-proxy step.
        assert.equal(details(arc).name, "defender-os-proxy");
        assert.deepEqual(details(arc).existenceCondition, succeeded);
        const audit = definitionOf(result, "arc-agent-proxy-arc-linux");
        assert.equal(rule(audit).then.details.name, "defender-arc-agent-proxy");
        assert.deepEqual(rule(audit).then.details.existenceCondition, succeeded);
        assert.equal(rule(audit).then.details.deployment, undefined);
        assert.deepEqual(audit.parameters.effect.allowedValues, ["AuditIfNotExists", "Disabled"]);
        for (const r of [os, agent]) assert.equal(r.apiVersion, "2025-06-01");
    });

    it("every definition has an effect parameter as the built-ins do; deployments are Incremental and wait for provisioning", () => {
        for (const key of KEYS) {
            const d = definitionOf(result, key);
            const allowed =
                key === "guest-configuration-tag"
                    ? ["Modify", "Disabled"]
                    : AUDIT_KEYS.includes(key)
                      ? ["AuditIfNotExists", "Disabled"]
                      : ["DeployIfNotExists", "AuditIfNotExists", "Disabled"];
            assert.deepEqual(d.parameters.effect.allowedValues, allowed, key);
            assert.equal(d.parameters.effect.defaultValue, allowed[0]);
            assert.equal(rule(d).then.effect, "[parameters('effect')]");
            if (key !== "guest-configuration-tag" && !AUDIT_KEYS.includes(key)) {
                assert.equal(details(d).deployment.properties.mode, "Incremental");
                assert.equal(details(d).evaluationDelay, "AfterProvisioning");
            }
        }
        const tag = details(definitionOf(result, "guest-configuration-tag"));
        assert.equal(tag.conflictEffect, "audit");
        assert.deepEqual(tag.operations, [{ operation: "addOrReplace", field: "tags['EnablePrivateNetworkGC']", value: "TRUE" }]);
    });
});

describe("policy rollout roles", () => {
    it("exactly the built-in roles the definitions name, at the scope, and the association roles on a rule outside it", async () => {
        const result = await run(policyFleet({ logs: { dataCollectionRuleId: DCR } }));
        const roles = ofType(result, T.role).map((r) => inputs(r));
        const atScope = roles.filter((r) => r.scope === `/subscriptions/${SUBSCRIPTION}`);
        assert.deepEqual(atScope.map((r) => r.roleDefinitionId.split("/").pop()).sort(), Object.values(ROLE).sort());
        for (const role of atScope) {
            assert.ok(
                role.roleDefinitionId.startsWith(`/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/`),
            );
            assert.equal(role.principalType, "ServicePrincipal");
        }
        const onRule = roles.filter((r) => r.scope === DCR);
        // Monitoring Contributor alone (azure-monitor-docs data-collection-rule-create-edit.md, 01/20/2026);
        // never Log Analytics Contributor (92aaf0da-...), which can list storage account keys.
        assert.deepEqual(onRule.map((r) => r.roleDefinitionId).sort(), [
            `/subscriptions/${OTHER_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.monitoringContributor}`,
        ]);
        assert.ok(!roles.some((r) => r.roleDefinitionId.endsWith("/92aaf0da-9dab-42b6-94a3-d43ce8d16293")));
        for (const definition of ofType(result, T.definition)) {
            for (const id of details(inputs(definition)).roleDefinitionIds ?? []) {
                assert.ok(
                    atScope.some((r) => r.roleDefinitionId.endsWith(id.split("/").pop())),
                    `${definition.name} needs ${id}`,
                );
            }
        }
    });
});

describe("policy rollout at resource-group scope", () => {
    for (const mode of MODES) {
        it(`assigns and remediates at the resource group; the identity also gets rights on the rule (${mode.label})`, async () => {
            const result = await run(policyFleet({ rollout: { mode: "policy", scope: RG_SCOPE } }), mode.preview);
            assert.equal(inputs(named(result, `${LONG}-policy-assignment`)).scope, RG_SCOPE);
            const tasks = ofType(result, T.atResourceGroup).map((r) => inputs(r));
            assert.equal(tasks.length, REMEDIATED_KEYS.length);
            for (const task of tasks) {
                assert.equal(task.resourceGroupName, "rg-servers");
                assert.equal(task.resourceDiscoveryMode, "ReEvaluateCompliance");
                assert.equal(task.resourceCount, 50_000);
            }
            const onRule = ofType(result, T.role).filter((r) => r.name.endsWith("-on-dcr"));
            assert.equal(onRule.length, 1, "Monitoring Contributor (alone) on the component's rule");
            const mde = waitsFor(result, named(result, `${LONG}-mde-integration`));
            for (const key of OS_PROXY_KEYS) assert.ok(mde.includes(`${LONG}-policy-remediation-${key}`));
        });
    }
});

describe("policy rollout at management-group scope", () => {
    it("defines at the group, keeps the assignment name within 24 characters, and remediates per listed subscription", async () => {
        const subscriptions = [SUBSCRIPTION, OTHER_SUBSCRIPTION];
        const result = await run(policyFleet({ rollout: { mode: "policy", scope: MG_SCOPE, remediationSubscriptionIds: subscriptions } }));
        assert.equal(ofType(result, T.definitionAtMg).length, KEYS.length);
        for (const d of ofType(result, T.definitionAtMg).map((r) => inputs(r))) {
            assert.equal(d.managementGroupId, "servers");
            assert.ok(d.policyDefinitionName.length <= 64);
        }
        assert.equal(inputs(named(result, `${LONG}-policy-initiative`)).managementGroupId, "servers");
        const assignment = inputs(named(result, `${LONG}-policy-assignment`));
        assert.equal(assignment.scope, MG_SCOPE);
        assert.ok(assignment.policyAssignmentName.length <= 24, assignment.policyAssignmentName);
        assert.equal(ofType(result, T.atMg).length, 0, "no task at the group itself: it would find no compliance data");
        const tasks = ofType(result, T.atResource).map((r) => inputs(r));
        assert.equal(tasks.length, REMEDIATED_KEYS.length * 2);
        assert.deepEqual([...new Set(tasks.map((t) => t.resourceId))].sort(), subscriptions.map((s) => `/subscriptions/${s}`).sort());
        for (const task of tasks) assert.equal(task.resourceDiscoveryMode, "ReEvaluateCompliance");
        for (const role of ofType(result, T.role)
            .map((r) => inputs(r))
            .filter((r) => r.scope === MG_SCOPE)) {
            assert.ok(role.roleDefinitionId.startsWith(`${MG_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/`));
        }
        const mde = waitsFor(result, named(result, `${LONG}-mde-integration`));
        for (const key of OS_PROXY_KEYS) for (const s of subscriptions) assert.ok(mde.includes(`${LONG}-policy-remediation-${key}-${s}`));
    });

    it("without subscriptions: no remediation task, and a warning that says what that leaves", async () => {
        const result = await run(policyFleet({ rollout: { mode: "policy", scope: MG_SCOPE } }));
        assert.equal(ofType(result, T.atResource).length + ofType(result, T.atMg).length, 0);
        assert.ok(result.warnings.some((w) => w.includes("rollout.remediationSubscriptionIds") && w.includes("no remediation task")));
        assert.equal(ofType(result, T.gate).length, 0);
    });
});

describe("policy rollout with Azure Monitor Private Link", () => {
    it("associates every machine with the private endpoint (configurationAccessEndpoint) and sends AMA without the proxy", async () => {
        const SUBNET = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/pe`;
        const result = await run(policyFleet({ privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, azureMonitor: {} } }));
        for (const kind of ["vm", "arc"]) {
            const d = definitionOf(result, `dce-association-${kind}`);
            assert.equal(details(d).name, "configurationAccessEndpoint");
            assert.deepEqual(details(d).existenceCondition, {
                field: "Microsoft.Insights/dataCollectionRuleAssociations/dataCollectionEndpointId",
                equals: "[parameters('dataCollectionEndpointId')]",
            });
            assert.deepEqual(template(d).resources[0].properties, { dataCollectionEndpointId: "[parameters('dataCollectionEndpointId')]" });
        }
        assert.deepEqual(template(definitionOf(result, "ama-vm-linux")).resources[0].properties.settings, { proxy: { mode: "none" } });
        const assignment = inputs(named(result, `${LONG}-policy-assignment`));
        assert.match(assignment.parameters.dataCollectionEndpointId.value, /-dce$|dataCollectionEndpoints|mock/);
        assert.ok(ofType(result, T.role).some((r) => r.name.endsWith("-on-dce")));
    });
});

describe("policy rollout: rule associations named after the rule", () => {
    it("details.name and the template's association name derive from the rule id (uniqueString), never the fixed name of 0.1.0", async () => {
        const result = await run(policyFleet({ logs: { dataCollectionRuleId: DCR } }));
        // ARM's uniqueString of the lower-cased rule id, evaluated by Azure Policy in details.name as the
        // built-in AssociationForCustomProvider_DINE.json does with its own association.
        const expected = "[concat('defender-servers-', uniqueString(toLower(parameters('dataCollectionRuleId'))))]";
        for (const kind of ["vm", "arc"]) {
            const d = definitionOf(result, `dcr-association-${kind}`);
            assert.equal(details(d).name, expected);
            assert.equal(template(d).resources[0].name, expected);
            assert.notEqual(details(d).name, "defender-servers");
            // The template takes the rule id as a parameter of its own, which the expression reads.
            assert.deepEqual(Object.keys(template(d).parameters).sort(), ["dataCollectionRuleId", "machineName"]);
        }
    });
});

describe("policy rollout and secrets", () => {
    it("a rule id the caller marked secret is unwrapped into the assignment, with a warning that anyone with Reader can read it", async () => {
        const result = await run(policyFleet({ logs: { dataCollectionRuleId: pulumi.secret(DCR) } }));
        const assignment = named(result, `${LONG}-policy-assignment`);
        assert.equal(inputs(assignment).parameters.dataCollectionRuleId.value, DCR);
        assert.ok(!JSON.stringify(assignment.inputs).includes("[secret]"));
        const warning = result.warnings.find((w) => w.startsWith("logs.dataCollectionRuleId: is marked secret"));
        assert.ok(warning, result.warnings.join("\n"));
        assert.match(warning, /anyone with Reader .* can read in clear text/);
        assert.ok(!warning.includes(DCR), "the warning does not repeat the value");
        const plain = await run(policyFleet({ logs: { dataCollectionRuleId: DCR } }));
        assert.ok(!plain.warnings.some((w) => w.includes("is marked secret")));
    });

    it("refuses anything that would put a credential into a policy, before registering anything", async () => {
        const cases: Array<[Partial<DefenderForServersNetworkRestrictedArgs>, string]> = [
            [{ proxy: { ...PROXY, username: "u", password: "p", unauthenticatedForAgentHosts: true } }, "proxy.username"],
            [
                {
                    logs: {
                        workspaceResourceId: WORKSPACE,
                        legacyAgent: { workspaceId: "99999999-8888-7777-6666-555555555555", workspaceKey: "k" },
                    },
                },
                "logs.legacyAgent",
            ],
        ];
        for (const [overrides, field] of cases) {
            let error: unknown;
            const result = await runProgram(() => {
                try {
                    new DefenderForServersNetworkRestricted("d", policyFleet(overrides));
                } catch (err) {
                    error = err;
                }
            });
            assert.ok(error instanceof ValidationError);
            assert.deepEqual(
                error.problems.map((p) => p.path),
                [field],
            );
            assert.match(error.problems[0].message, /readable by anyone with Reader|in clear text/);
            assert.equal(result.resources.length, 0);
        }
    });
});

describe("policy rollout validation", () => {
    const problems = (rollout: Record<string, unknown>) => {
        try {
            validate(policyFleet({ rollout: rollout as never }));
            return [];
        } catch (err) {
            return (err as ValidationError).problems.map((p) => `${p.path}: ${p.message}`);
        }
    };

    it("refuses remediation subscriptions below a management group, bad GUIDs and out-of-range numbers", () => {
        assert.deepEqual(problems({ mode: "policy", remediationSubscriptionIds: [SUBSCRIPTION] }), [
            "rollout.remediationSubscriptionIds: applies to a management-group scope only; below it the remediation tasks run at the scope itself",
        ]);
        assert.deepEqual(problems({ mode: "policy", scope: MG_SCOPE, remediationSubscriptionIds: [`/subscriptions/${SUBSCRIPTION}`] }), [
            `rollout.remediationSubscriptionIds[0]: "/subscriptions/${SUBSCRIPTION}" is not a subscription GUID (give the GUID, not /subscriptions/<id>)`,
        ]);
        assert.deepEqual(problems({ mode: "policy", parallelDeployments: 31, waitForRemediationMinutes: -1 }), [
            "rollout.parallelDeployments: expected a whole number from 1 to 30, got 31",
            "rollout.waitForRemediationMinutes: expected a whole number from 0 to 1440, got -1",
        ]);
        assert.deepEqual(
            problems({ parallelDeployments: 5 }).map((p) => p.split(":")[0]),
            ["rollout.scope"],
        );
    });
});

describe("policy rollout at scale", () => {
    it("registers the same resources for 10 machines as for 10,000", async () => {
        const count = async (n: number) => (await run(policyFleet({ machines: machines(n) }), false, "d")).resources.map((r) => r.name);
        assert.deepEqual(await count(10), await count(10_000));
    });

    it("Guest Configuration tag (per-machine mode): 10,000 VMs with the longest names go in assignments whose request bodies stay under 1 MiB", async () => {
        const rg = "r".repeat(90);
        const ids = Array.from(
            { length: 10_000 },
            (_, i) =>
                `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${`vm-${i}-`.padEnd(64, "x")}`,
        );
        const { args } = validate(MINIMAL);
        const result = await runProgram(() => {
            const parent = new pulumi.ComponentResource("test:index:Parent", "p");
            tagVmsForPrivateGuestConfiguration(parent, "d", args, ids);
        });
        assert.deepEqual(result.errors, []);
        const assignments = ofType(result, T.assignment).map((r) => inputs(r));
        assert.equal(assignments.length, 5);
        const listed = assignments.flatMap((a) => a.parameters.vmIds.value);
        assert.deepEqual(listed, ids, "every VM exactly once, in order");
        const MiB = 1024 * 1024;
        for (const a of assignments) {
            // The PUT body Azure receives: the assignment's properties (its name and scope are in the URL).
            const body = JSON.stringify({
                identity: a.identity,
                location: a.location,
                properties: { ...a, identity: undefined, location: undefined },
            });
            assert.ok(Buffer.byteLength(body) < MiB, `${a.policyAssignmentName}: ${Buffer.byteLength(body)} bytes`);
            assert.ok(Buffer.byteLength(body) > 0.4 * MiB, "the chunk is full: the measurement is of a real body");
        }
        // One assignment would not fit: the reason for the chunks.
        assert.ok(Buffer.byteLength(JSON.stringify(ids)) > MiB);
        assert.equal(ofType(result, T.role).length, 5);
        assert.equal(ofType(result, T.atSubscription).length, 5);
        const definition = inputs(ofType(result, T.definition)[0]);
        assert.equal(definition.policyRule.then.details.conflictEffect, "audit");
        assert.deepEqual(definition.policyRule.if.allOf[1], { field: "id", in: "[parameters('vmIds')]" });
    });
});
