/**
 * Azure's name limits and the Arc scope association at fleet scale: every name the component sends
 * for policies, built-in assignments and its deployments fits, for any component name and machine
 * key; a name that would not is refused naming the field and the limit; and associating thousands
 * of Arc machines costs one assignment and one role assignment per resource group or scope.
 */
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, MachineSettings, ValidationError } from "../sdk";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { builtInNames, checkName, deploymentName, fitName, NameTooLongError } from "../sdk/plan/policyNames";
import { inputs, MINIMAL, ofType, SUBSCRIPTION } from "./harness";

const SUBNET = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/pe`;
/** Azure's limits (azure-docs resource-name-rules.md, azure-policy-limits.md): written out here, not read from the code. */
const LIMIT = { assignmentAtManagementGroup: 24, assignment: 64, definition: 64, deployment: 64 };

async function run(name: string, args: DefenderForServersNetworkRestrictedArgs): Promise<RunResult> {
    const result = await runProgram(() => void new DefenderForServersNetworkRestricted(name, args));
    assert.deepEqual(result.errors, []);
    return result;
}

/** Every explicit Azure name the run sent, by the input that carries it. */
function azureNames(result: RunResult): Array<{ field: string; value: string; type: string }> {
    const fields = ["policyAssignmentName", "policyDefinitionName", "policySetDefinitionName", "deploymentName", "remediationName"];
    return result.resources.flatMap((r) => {
        const i = inputs(r);
        return fields.filter((f) => typeof i[f] === "string").map((f) => ({ field: f, value: i[f] as string, type: r.type }));
    });
}

const LONG_KEY = "k".repeat(40);
const longName = (n: number) => `c${"x".repeat(n - 1)}`;

describe("Azure name limits", () => {
    for (const length of [1, 17, 25, 41, 64, 120]) {
        it(`a component name of ${length} characters and 40-character machine keys: every name within its limit`, async () => {
            const args: DefenderForServersNetworkRestrictedArgs = {
                ...MINIMAL,
                proxy: { address: "http://proxy.corp.example:3128" },
                machines: [
                    {
                        key: LONG_KEY,
                        kind: "arc",
                        os: "linux",
                        resourceGroupName: "rg-arc",
                        name: "arc-1",
                        arcPrivateLinkScope: "associateByPolicy",
                    },
                    { key: `v${LONG_KEY.slice(1)}`, kind: "azureVm", os: "windows", resourceGroupName: "rg", name: "vm-1" },
                ],
                privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, arc: { publicNetworkAccess: true } },
                builtInPolicies: { addSystemAssignedIdentity: true, periodicUpdateAssessment: true },
            };
            for (const mode of ["machines", "policy"] as const) {
                const result = await run(
                    longName(length),
                    mode === "policy"
                        ? {
                              ...args,
                              rollout: {
                                  mode,
                                  retryMachineIds: [
                                      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1`,
                                  ],
                              },
                          }
                        : args,
                );
                const names = azureNames(result);
                // Where azure-native's own name (`<logical>-<7 random>`) fits, it is kept, so a deployed stack
                // replaces nothing; past that, the name is explicit. Either way Azure gets a name within its limit.
                const autoFits = (logical: string) => logical.length + 9 <= LIMIT.deployment;
                const mde = result.resources.find((r) => r.name === `${longName(length)}-mde-integration`)!;
                if (autoFits(mde.name)) assert.equal(inputs(mde).deploymentName, undefined);
                else assert.ok(typeof inputs(mde).deploymentName === "string", "a long name gets an explicit deployment name");
                for (const r of ofType(result, "azure-native:authorization:PolicyAssignment").filter(
                    (x) => x.name.includes("-builtin-") || x.name.includes("-arc-scope-"),
                )) {
                    const explicit = inputs(r).policyAssignmentName;
                    if (explicit === undefined) assert.ok(autoFits(r.name), `${r.name}: azure-native's name would pass 64 characters`);
                    else assert.ok(explicit.length <= LIMIT.assignmentAtManagementGroup, explicit);
                }
                for (const n of names) {
                    const limit =
                        n.field === "policyAssignmentName"
                            ? LIMIT.assignmentAtManagementGroup
                            : n.field === "deploymentName"
                              ? LIMIT.deployment
                              : LIMIT.definition;
                    assert.ok(n.value.length <= limit, `${mode}: ${n.type} ${n.field} "${n.value}" is ${n.value.length} > ${limit}`);
                }
            }
        });
    }

    it("the MDE settings deployment keeps a readable name when it fits and a distinct shortened one when not", () => {
        assert.equal(deploymentName("prod", "mde-integration"), "prod-mde-integration");
        const a = deploymentName(`${"p".repeat(60)}-a`, "mde-integration");
        const b = deploymentName(`${"p".repeat(60)}-b`, "mde-integration");
        assert.equal(a.length, 64);
        assert.notEqual(a, b);
        assert.ok(a.startsWith("p".repeat(40)));
        assert.equal(fitName("x".repeat(64), 64), "x".repeat(64));
    });

    it("a name past its limit is refused, naming the field, the name and Azure's limit", () => {
        assert.throws(
            () => checkName("builtInPolicies (identity-none)", "a".repeat(25), 24),
            (err: unknown) =>
                err instanceof NameTooLongError &&
                err.message ===
                    `builtInPolicies (identity-none): makes the Azure name "${"a".repeat(25)}" 25 characters long; Azure allows at most 24 here. Use a shorter value`,
        );
        assert.equal(checkName("f", "a".repeat(24), 24), "a".repeat(24));
    });

    it("role-assignment names are GUIDs derived from the scope they act on and the assignment they serve", () => {
        const group = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-arc`;
        const role = "cd570a14-e51a-42ad-bac8-bafd67325302";
        const one = builtInNames("a", "arc-scope", group).role(role);
        assert.match(one, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(builtInNames("a", "arc-scope", group.toUpperCase()).role(role), one, "ARM ids are case-insensitive");
        assert.notEqual(builtInNames("b", "arc-scope", group).role(role), one, "another instance never takes over this one's");
        assert.notEqual(builtInNames("a", "arc-scope", `${group}2`).role(role), one);
    });
});

describe("Arc Private Link Scope association at fleet scale", () => {
    const arcMachines = (count: number, groups: number): MachineSettings[] =>
        Array.from({ length: count }, (_, i) => ({
            key: `arc-${i}`,
            kind: "arc",
            os: i % 2 === 0 ? "linux" : "windows",
            resourceGroupName: `rg-arc-${i % groups}`,
            name: `arc-${i}`,
            // Every tenth machine is already associated: it must not be touched.
            arcPrivateLinkScope: i % 10 === 0 ? "associated" : "associateByPolicy",
        }));

    it("5,000 machines in 3 resource groups: 3 assignments and 3 role assignments, not 5,000, each leaving out the other listed machines", async () => {
        const result = await run("d", {
            ...MINIMAL,
            machines: arcMachines(5_000, 3),
            privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, arc: { publicNetworkAccess: true } },
        });
        const assignments = ofType(result, "azure-native:authorization:PolicyAssignment")
            .map((r) => inputs(r))
            .sort((a, b) => a.scope.localeCompare(b.scope));
        const roles = ofType(result, "azure-native:authorization:RoleAssignment").map((r) => inputs(r));
        assert.equal(assignments.length, 3);
        assert.equal(roles.length, 3);
        for (const [i, assignment] of assignments.entries()) {
            assert.equal(assignment.scope, `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-arc-${i}`);
            assert.match(assignment.policyDefinitionId, /a3461c8c-6c9d-4e42-a644-40ba8a1abf49$/);
            // The associated machines of that group (every tenth, i % 3 === group).
            const expected = Array.from({ length: 5_000 }, (_, n) => n)
                .filter((n) => n % 10 === 0 && n % 3 === i)
                .map(
                    (n) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-arc-${i}/providers/Microsoft.HybridCompute/machines/arc-${n}`,
                );
            assert.deepEqual(assignment.notScopes, expected);
        }
    });

    it("policy mode: associateArcMachinesAt assigns once per listed scope", async () => {
        const scopes = [`/subscriptions/${SUBSCRIPTION}`, `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-arc-east`];
        const result = await run("d", {
            ...MINIMAL,
            proxy: { address: "http://proxy.corp.example:3128" },
            privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, arc: { publicNetworkAccess: true } },
            rollout: { mode: "policy", associateArcMachinesAt: scopes },
        });
        const association = ofType(result, "azure-native:authorization:PolicyAssignment")
            .map((r) => inputs(r))
            .filter((a) => /a3461c8c/.test(a.policyDefinitionId));
        assert.deepEqual(
            association.map((a) => a.scope),
            scopes,
        );
        const remediations = result.resources.filter((r) => r.name.startsWith("d-arc-scope-remediation-"));
        assert.deepEqual(remediations.map((r) => r.type).sort(), [
            "azure-native:policyinsights:RemediationAtResource",
            "azure-native:policyinsights:RemediationAtSubscription",
        ]);
    });

    it("refuses associateArcMachinesAt without a scope that takes public traffic, outside the subscription, or in per-machine mode", () => {
        const problems = (args: DefenderForServersNetworkRestrictedArgs) => {
            try {
                new DefenderForServersNetworkRestricted("v", args);
                return [];
            } catch (err) {
                return (err as ValidationError).problems.map((p) => `${p.path}: ${p.message}`);
            }
        };
        const base = { ...MINIMAL, privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, arc: { publicNetworkAccess: false } } };
        assert.deepEqual(problems({ ...base, rollout: { mode: "policy", associateArcMachinesAt: [`/subscriptions/${SUBSCRIPTION}`] } }), [
            "rollout.associateArcMachinesAt: needs privateLink.arc.publicNetworkAccess: true: between the association and its proxy bypass a machine could reach Arc neither way and be cut off. Turn public access off once the machines are associated",
        ]);
        const other = "/subscriptions/99999999-2222-3333-4444-555555555555";
        assert.deepEqual(
            problems({
                ...base,
                privateLink: { ...base.privateLink, arc: { publicNetworkAccess: true } },
                rollout: { mode: "policy", associateArcMachinesAt: [other] },
            }),
            [
                `rollout.associateArcMachinesAt[0]: is in subscription 99999999-2222-3333-4444-555555555555, not ${SUBSCRIPTION}; the role the association needs is granted within subscriptionId`,
            ],
        );
        assert.deepEqual(
            problems({ ...MINIMAL, rollout: { mode: "policy", associateArcMachinesAt: [`/subscriptions/${SUBSCRIPTION}`] } }),
            ["rollout.associateArcMachinesAt: needs privateLink.arc: there is no Arc Private Link Scope to associate machines with"],
        );
        assert.match(
            problems({ ...base, rollout: { associateArcMachinesAt: [`/subscriptions/${SUBSCRIPTION}`] } }).join("\n"),
            /apply to policy mode only/,
        );
    });
});

describe("policy mode's role assignments on a rule outside the scope", () => {
    it("are named after the rule they act on: another rule gets other GUIDs", async () => {
        const rule = (name: string) =>
            `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mon/providers/Microsoft.Insights/dataCollectionRules/${name}`;
        const names = async (dcr: string) => {
            const result = await run("d", {
                ...MINIMAL,
                proxy: { address: "http://proxy.corp.example:3128" },
                logs: { dataCollectionRuleId: dcr },
                rollout: { mode: "policy" },
            });
            return ofType(result, "azure-native:authorization:RoleAssignment")
                .map((r) => inputs(r))
                .filter((r) => r.scope === dcr)
                .map((r) => r.roleAssignmentName as string)
                .sort();
        };
        const first = await names(rule("a"));
        // One role on the rule: Monitoring Contributor (Log Analytics Contributor is no longer granted, docs/policy-mode.md "Roles").
        assert.equal(first.length, 1);
        assert.deepEqual(await names(rule("a")), first);
        const other = await names(rule("b"));
        assert.equal(other.filter((n) => first.includes(n)).length, 0);
    });
});
