import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, MachineSettings, ValidationError } from "../sdk";
import { runProgram } from "../sdk/preview/engine";
import { construct, inputs, MINIMAL, MODES, named, ofType, SUBSCRIPTION, waitsFor } from "./harness";
import { WORKSPACE } from "./fleet";

const PROXY = { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] };
const script = (name: string) => fs.readFileSync(path.join(__dirname, "..", "sdk", "scripts", name), "utf8");

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

const template = (definition: Record<string, any>) => definition.policyRule.then.details.deployment.properties.template;

for (const mode of MODES) {
    describe(`policy rollout, ${mode.label}`, () => {
        it("one initiative of eleven custom definitions, assigned to the subscription with a system identity, and no per-machine resource", async () => {
            const run = await construct(policyFleet(), mode.preview);
            const expected = [
                "os-proxy-vm-windows",
                "os-proxy-vm-linux",
                "os-proxy-arc-windows",
                "os-proxy-arc-linux",
                "ama-vm-windows",
                "ama-vm-linux",
                "ama-arc-windows",
                "ama-arc-linux",
                "dcr-association-vm",
                "dcr-association-arc",
                "guest-configuration-tag",
            ];
            const definitions = ofType(run, "azure-native:authorization:PolicyDefinition").map((r) => r.name.replace("d-policy-", ""));
            assert.deepEqual(definitions.sort(), [...expected].sort());
            const initiative = inputs(named(run, "d-policy-initiative"));
            assert.deepEqual(
                initiative.policyDefinitions.map((ref: any) => ref.policyDefinitionReferenceId),
                expected,
            );
            const assignment = inputs(named(run, "d-policy-assignment"));
            assert.equal(assignment.scope, `/subscriptions/${SUBSCRIPTION}`);
            assert.deepEqual(assignment.identity, { type: "SystemAssigned" });
            assert.equal(assignment.location, "westeurope");
            assert.ok(
                !run.resources.some((r) => /-(os-proxy|ama|guest-configuration)-m-\d+$/.test(r.name)),
                "no per-machine resource in policy mode",
            );
        });

        it("the identity gets exactly the built-in roles the definitions name, at the scope", async () => {
            const run = await construct(policyFleet(), mode.preview);
            const roles = ofType(run, "azure-native:authorization:RoleAssignment").map((r) => inputs(r));
            assert.deepEqual(roles.map((r) => r.roleDefinitionId.split("/").pop()).sort(), [
                "4a9ae827-6dc8-4573-8ac7-8239d42aa03f", // Tag Contributor
                "749f88d5-cbae-40b8-bcfc-e573ddc772fa", // Monitoring Contributor
                "92aaf0da-9dab-42b6-94a3-d43ce8d16293", // Log Analytics Contributor
                "9980e02c-c2be-4d73-94e8-173b1dc7cf3c", // Virtual Machine Contributor
                "cd570a14-e51a-42ad-bac8-bafd67325302", // Azure Connected Machine Resource Administrator
            ]);
            for (const role of roles) {
                assert.equal(role.scope, `/subscriptions/${SUBSCRIPTION}`);
                assert.ok(
                    role.roleDefinitionId.startsWith(`/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/`),
                );
                assert.equal(role.principalType, "ServicePrincipal");
            }
            for (const definition of ofType(run, "azure-native:authorization:PolicyDefinition")) {
                const named = inputs(definition).policyRule.then.details.roleDefinitionIds.map((id: string) => id.split("/").pop());
                for (const role of named)
                    assert.ok(
                        roles.some((r) => r.roleDefinitionId.endsWith(role)),
                        `${definition.name} needs ${role}`,
                    );
            }
        });

        it("remediation tasks for existing machines, and MDE integration waits for the OS-proxy ones", async () => {
            const run = await construct(policyFleet(), mode.preview);
            const tasks = ofType(run, "azure-native:policyinsights:RemediationAtSubscription");
            assert.equal(tasks.length, 11);
            assert.ok(tasks.some((task) => inputs(task).policyDefinitionReferenceId === "os-proxy-vm-windows"));
            const mde = waitsFor(run, named(run, "d-mde-integration"));
            for (const key of ["os-proxy-vm-windows", "os-proxy-vm-linux", "os-proxy-arc-windows", "os-proxy-arc-linux"]) {
                assert.ok(mde.includes(`d-policy-remediation-${key}`), `MDE integration must wait for ${key}`);
            }
            assert.ok(mde.includes("d-policy-assignment"));
            const none = await construct(policyFleet({ rollout: { mode: "policy", remediate: false } }), mode.preview);
            assert.equal(ofType(none, "azure-native:policyinsights:RemediationAtSubscription").length, 0);
        });
    });
}

describe("policy rollout settings come from the same functions as per-machine mode", () => {
    it("AMA: DeployIfNotExists for the right machines, with exactly the per-machine proxy settings", async () => {
        const policy = await construct(policyFleet());
        const perMachine = await construct(policyFleet({ rollout: undefined }));
        const definition = inputs(named(policy, "d-policy-ama-arc-linux"));
        assert.deepEqual(definition.policyRule.if.allOf, [
            { field: "type", equals: "Microsoft.HybridCompute/machines" },
            { field: "Microsoft.HybridCompute/machines/osName", equals: "linux" },
        ]);
        assert.equal(definition.policyRule.then.effect, "deployIfNotExists");
        assert.equal(definition.policyRule.then.details.type, "Microsoft.HybridCompute/machines/extensions");
        const [extension] = template(definition).resources;
        assert.equal(extension.type, "Microsoft.HybridCompute/machines/extensions");
        const deployed = inputs(named(perMachine, "d-ama-m-1")).properties;
        for (const field of ["publisher", "type", "typeHandlerVersion", "settings"]) {
            assert.deepEqual(extension.properties[field], deployed[field], field);
        }
        assert.deepEqual(extension.properties.settings, {
            proxy: { mode: "application", address: "http://proxy.corp.example:3128", auth: "false" },
        });
    });

    it("OS proxy: the same scripts and parameters as per-machine run commands; Arc also gets the agent proxy", async () => {
        const policy = await construct(policyFleet());
        const perMachine = await construct(policyFleet({ rollout: undefined }));
        const vm = inputs(named(policy, "d-policy-os-proxy-vm-windows"));
        assert.equal(vm.policyRule.if.allOf[1].field, "Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType");
        assert.deepEqual(
            [vm.policyRule.then.details.type, vm.policyRule.then.details.name],
            ["Microsoft.Compute/virtualMachines/runCommands", "defender-os-proxy"],
        );
        const [command] = template(vm).resources;
        assert.equal(command.properties.source.script, script("windows-os-proxy.ps1"));
        assert.deepEqual(command.properties.parameters, inputs(named(perMachine, "d-os-proxy-m-0")).parameters);
        const arc = template(inputs(named(policy, "d-policy-os-proxy-arc-linux"))).resources;
        assert.deepEqual(
            arc.map((r: any) => [
                r.type,
                r.properties.source.script === script(r.name.includes("arc-agent") ? "linux-arc-agent-proxy.sh" : "linux-os-proxy.sh"),
            ]),
            [
                ["Microsoft.HybridCompute/machines/runCommands", true],
                ["Microsoft.HybridCompute/machines/runCommands", true],
            ],
        );
    });

    it("data collection rule association and the Guest Configuration tag", async () => {
        const policy = await construct(policyFleet());
        const association = inputs(named(policy, "d-policy-dcr-association-vm"));
        assert.equal(association.policyRule.then.details.type, "Microsoft.Insights/dataCollectionRuleAssociations");
        assert.match(inputs(named(policy, "d-policy-assignment")).parameters.dataCollectionRuleId.value, /\/d-dcr$/);
        const tag = inputs(named(policy, "d-policy-guest-configuration-tag")).policyRule;
        assert.deepEqual(tag.then.details.operations, [
            { operation: "addOrReplace", field: "tags['EnablePrivateNetworkGC']", value: "TRUE" },
        ]);
        assert.equal(tag.then.effect, "modify");
    });
});

describe("policy rollout scopes and scale", () => {
    it("a resource group scope remediates at the resource group; a management group scope defines there", async () => {
        const rg = await construct(
            policyFleet({ rollout: { mode: "policy", scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-servers` } }),
        );
        const task = inputs(ofType(rg, "azure-native:policyinsights:RemediationAtResourceGroup")[0]);
        assert.equal(task.resourceGroupName, "rg-servers");
        assert.equal(inputs(named(rg, "d-policy-assignment")).scope, `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-servers`);
        const mg = await construct(
            policyFleet({ rollout: { mode: "policy", scope: "/providers/Microsoft.Management/managementGroups/servers" } }),
        );
        assert.equal(ofType(mg, "azure-native:authorization:PolicyDefinitionAtManagementGroup").length, 11);
        assert.equal(inputs(named(mg, "d-policy-initiative")).managementGroupId, "servers");
        assert.equal(ofType(mg, "azure-native:policyinsights:RemediationAtManagementGroup").length, 11);
        assert.ok(
            inputs(ofType(mg, "azure-native:authorization:RoleAssignment")[0]).roleDefinitionId.startsWith(
                "/providers/Microsoft.Management/managementGroups/servers/",
            ),
        );
    });

    it("registers the same resources for 10 machines as for 10,000", async () => {
        const count = async (n: number) => (await construct(policyFleet({ machines: machines(n) }))).resources.map((r) => r.name);
        assert.deepEqual(await count(10), await count(10_000));
    });

    it("refuses anything that would put a secret into a policy, before registering anything", async () => {
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
            const run = await runProgram(() => {
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
            assert.equal(run.resources.length, 0);
        }
    });
});
