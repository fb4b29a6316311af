/**
 * `rollout` read on its own (sdk/validate/rollout.ts). Defaults are the ones sdk/args.ts documents for the
 * user (parallelDeployments 1 to 30, default 30; failureBudget count 0 and percent 1, percent 0 when only
 * count is given; the wait at most 1440 minutes). Remediation limits: azure-docs
 * governance/policy/how-to/remediate-resources.md (1 to 30 deployments at once); a remediation's
 * `filters.resourceIds` holds machine resource ids (Microsoft.PolicyInsights remediations 2024-10-01).
 */
import { strict as assert } from "node:assert";
import { NormalizedRollout, readRollout, RolloutContext } from "../../sdk/validate/rollout";
import { NormalizedLogs } from "../../sdk/validate/logs";
import { normalizedProxy as proxy, OTHER_SUB, paths, read, SUB } from "./validateHelpers";

const rollout = (value: unknown, context: RolloutContext = { subscriptionId: SUB }) =>
    read((problems) => readRollout(problems, value, context));

const policy = (fields: Record<string, unknown> = {}, context?: RolloutContext) => rollout({ mode: "policy", ...fields }, context);

const SUBSCRIPTION_SCOPE = `/subscriptions/${SUB}`;
const GROUP_SCOPE = `/subscriptions/${SUB}/resourceGroups/rg-app`;
const MG_SCOPE = "/providers/Microsoft.Management/managementGroups/mg-prod";
const vm = (name: string, sub = SUB, group = "rg-app") =>
    `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}`;
const arc = (name: string, sub = SUB) => `/subscriptions/${sub}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/${name}`;

const arcScope = (publicNetworkAccess: boolean) => ({
    resourceGroupName: "rg-pl",
    virtualNetworkIds: [],
    existingDnsZoneIds: {},
    arc: { location: "westeurope", publicNetworkAccess, privateEndpoint: true },
});

/**
 * The default wait, by hand from sdk/plan/remediationGate.ts's planning figures (30 minutes of first
 * evaluation, 5 minutes per wave of deployments, the wait 1.5 times the expected time, at most 1440):
 * one machine at 30 at once is one wave, 35 minutes expected, 52.5 rounded up.
 */
const DEFAULT_WAIT_ONE_MACHINE = 53;

describe("rollout validation (sdk/validate/rollout.ts)", () => {
    it("absent: per-machine mode, the component's subscription as scope, every documented default", () => {
        const expected: NormalizedRollout = {
            mode: "machines",
            scope: { kind: "subscription", id: SUBSCRIPTION_SCOPE, subscriptionId: SUB },
            remediate: true,
            remediationSubscriptionIds: [],
            parallelDeployments: 30,
            waitForRemediationMinutes: DEFAULT_WAIT_ONE_MACHINE,
            fleetSize: 1,
            fleetSizeGiven: false,
            failureBudget: { count: 0, percent: 1 },
            retryMachineIds: [],
            excludedMachineIds: [],
            associateArcMachinesAt: [],
        };
        assert.deepEqual(rollout(undefined), { value: expected, errors: [], warnings: [] });
        assert.deepEqual(rollout({}).value, expected);
        // Without a subscription (reported elsewhere) the scope is still a subscription scope.
        assert.deepEqual(rollout(undefined, {}).value.scope, { kind: "subscription", id: "/subscriptions/undefined", subscriptionId: "" });
    });

    it("the default fleet is the listed machines, and the default wait grows with it (by hand: 100 machines, 4 waves, 50 minutes, 75)", () => {
        const result = rollout({ mode: "policy" }, { subscriptionId: SUB, machineCount: 100 });
        assert.equal(result.value.fleetSize, 100);
        assert.equal(result.value.fleetSizeGiven, false);
        assert.equal(result.value.waitForRemediationMinutes, 75);
        // A given fleet and parallelism: 1,000 machines at 10 are 100 waves, 530 minutes, 795; a million caps at 1440.
        assert.equal(policy({ fleetSize: 1000, parallelDeployments: 10 }).value.waitForRemediationMinutes, 795);
        const huge = policy({ fleetSize: 1_000_000 });
        assert.deepEqual([huge.value.fleetSize, huge.value.fleetSizeGiven, huge.value.waitForRemediationMinutes], [1_000_000, true, 1440]);
    });

    it("policy mode with every field given keeps them, ids lower-cased as the gate compares them", () => {
        const result = policy(
            {
                scope: MG_SCOPE,
                remediate: true,
                remediationSubscriptionIds: [SUB.toUpperCase()],
                parallelDeployments: 1,
                waitForRemediationMinutes: 1440,
                fleetSize: 5,
                failureBudget: { count: 2, percent: 3 },
                retryMachineIds: [vm("Web-1")],
                excludedMachineIds: [arc("Old-1")],
                associateArcMachinesAt: [GROUP_SCOPE],
            },
            { subscriptionId: SUB, privateLink: arcScope(true) },
        );
        assert.deepEqual(result.errors, []);
        assert.deepEqual(result.value, {
            mode: "policy",
            scope: { kind: "managementGroup", id: MG_SCOPE, managementGroupId: "mg-prod" },
            remediate: true,
            remediationSubscriptionIds: [SUB],
            parallelDeployments: 1,
            waitForRemediationMinutes: 1440,
            fleetSize: 5,
            fleetSizeGiven: true,
            failureBudget: { count: 2, percent: 3 },
            retryMachineIds: [vm("web-1").toLowerCase()],
            excludedMachineIds: [arc("old-1").toLowerCase()],
            associateArcMachinesAt: [GROUP_SCOPE],
        });
    });

    it("reads the three scope kinds; a subscription's GUID is lower-cased", () => {
        assert.deepEqual(policy({ scope: `/subscriptions/${SUB.toUpperCase()}` }).value.scope, {
            kind: "subscription",
            id: `/subscriptions/${SUB.toUpperCase()}`,
            subscriptionId: SUB,
        });
        const group = policy({ scope: `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-app` });
        assert.deepEqual(group.errors, []);
        assert.deepEqual(group.value.scope, {
            kind: "resourceGroup",
            id: `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-app`,
            subscriptionId: SUB,
            resourceGroupName: "rg-app",
        });
    });

    const scopeErrors: { name: string; fields: Record<string, unknown>; errors: string[] }[] = [
        {
            name: "a scope that is none of the three kinds (the fallback is the subscription)",
            fields: { scope: "/subscriptions/x/resourceGroups" },
            errors: [
                'rollout.scope: "/subscriptions/x/resourceGroups" is not a scope; use /subscriptions/<id>, /subscriptions/<id>/resourceGroups/<name> or /providers/Microsoft.Management/managementGroups/<id>',
            ],
        },
        {
            name: "a scope in a list",
            fields: { scope: [MG_SCOPE] },
            errors: [
                "rollout.scope: a list is not a scope; use /subscriptions/<id>, /subscriptions/<id>/resourceGroups/<name> or /providers/Microsoft.Management/managementGroups/<id>",
            ],
        },
        {
            name: "a scope that is not a string",
            fields: { scope: 3 },
            errors: [
                "rollout.scope: a number is not a scope; use /subscriptions/<id>, /subscriptions/<id>/resourceGroups/<name> or /providers/Microsoft.Management/managementGroups/<id>",
            ],
        },
        {
            name: "a scope in another subscription (the definitions live in subscriptionId)",
            fields: { scope: `/subscriptions/${OTHER_SUB}/resourceGroups/rg-app` },
            errors: [
                `rollout.scope: is in subscription ${OTHER_SUB}, not ${SUB}; assign within subscriptionId, or use a management group above both`,
            ],
        },
        {
            name: "remediationSubscriptionIds below a management group",
            fields: { scope: GROUP_SCOPE, remediationSubscriptionIds: [SUB] },
            errors: [
                "rollout.remediationSubscriptionIds: applies to a management-group scope only; below it the remediation tasks run at the scope itself",
            ],
        },
    ];
    for (const { name, fields, errors } of scopeErrors) {
        it(`refuses ${name}`, () => assert.deepEqual(policy(fields).errors, errors));
    }

    it("a scope is the whole id: nothing before or after it", () => {
        for (const scope of [SUBSCRIPTION_SCOPE, GROUP_SCOPE, MG_SCOPE]) {
            for (const wrong of [`/x${scope}`, `${scope}/x`]) {
                assert.match(policy({ scope: wrong }).errors.join("\n"), /^rollout\.scope: ".*" is not a scope;/, wrong);
            }
        }
    });

    it("a scope is checked against the subscription only when there is one, and not at a management group", () => {
        assert.deepEqual(policy({ scope: `/subscriptions/${OTHER_SUB}` }, {}).errors, []);
        assert.deepEqual(policy({ scope: MG_SCOPE, remediationSubscriptionIds: [OTHER_SUB] }).errors, []);
        assert.deepEqual(policy({ scope: `/subscriptions/${OTHER_SUB}` }, {}).value.scope, {
            kind: "subscription",
            id: `/subscriptions/${OTHER_SUB}`,
            subscriptionId: OTHER_SUB,
        });
        assert.deepEqual(policy({ scope: "nonsense" }).value.scope, { kind: "subscription", id: SUBSCRIPTION_SCOPE, subscriptionId: SUB });
    });

    it("per-machine mode refuses every policy-only field, naming them all", () => {
        const result = rollout({ remediate: true });
        assert.deepEqual(result.errors, [
            'rollout.scope: scope, remediate, remediationSubscriptionIds, parallelDeployments, waitForRemediationMinutes, fleetSize, failureBudget, retryMachineIds, excludedMachineIds, associateArcMachinesAt apply to policy mode only; set rollout.mode to "policy" or remove them',
        ]);
        assert.deepEqual(rollout({ mode: "machines", associateArcMachinesAt: undefined }).errors, []);
        // Per-machine mode says nothing about remediation, the proxy or the legacy agent: those are policy-mode rules.
        const quiet = rollout(
            { mode: "machines" },
            { subscriptionId: SUB, proxy: proxy({ credentials: { username: "u", password: "p" } }) },
        );
        assert.deepEqual([quiet.errors, quiet.warnings], [[], []]);
    });

    it("names rollout itself, and its fields, when they are of the wrong kind", () => {
        assert.deepEqual(rollout(5).errors, ["rollout: expected an object, got a number"]);
        assert.deepEqual(rollout({ mod: "policy" }).errors, [
            "rollout.mod: is not a known field; known fields: mode, scope, remediate, remediationSubscriptionIds, parallelDeployments, waitForRemediationMinutes, fleetSize, failureBudget, retryMachineIds, excludedMachineIds, associateArcMachinesAt",
        ]);
        assert.deepEqual(policy({ remediate: "yes" }).errors, ['rollout.remediate: expected true or false, got "yes"']);
    });

    it("refuses a mode in the wrong case, pointing at the spelling", () => {
        const result = rollout({ mode: "Policy" });
        assert.deepEqual(result.errors, ['rollout.mode: "Policy" is not allowed; did you mean "policy"?']);
        assert.equal(result.value.mode, "machines");
    });

    const numbers: { field: string; bad: unknown[]; good: number[]; range: string }[] = [
        { field: "parallelDeployments", bad: [0, 31, 2.5, "10"], good: [1, 30], range: "1 to 30" },
        { field: "waitForRemediationMinutes", bad: [-1, 1441], good: [0, 1440], range: "0 to 1440" },
        { field: "fleetSize", bad: [0, 1_000_001], good: [1, 1_000_000], range: "1 to 1000000" },
    ];
    for (const { field, bad, good, range } of numbers) {
        it(`${field}: a whole number from ${range}, anything else named with what it got`, () => {
            for (const value of bad) {
                const got = typeof value === "number" ? String(value) : JSON.stringify(value);
                assert.deepEqual(
                    policy({
                        [field]: value,
                        remediate: false,
                        waitForRemediationMinutes: field === "waitForRemediationMinutes" ? value : 0,
                    }).errors,
                    [`rollout.${field}: expected a whole number from ${range}, got ${got}`],
                );
            }
            for (const value of good) {
                const result = policy({
                    [field]: value,
                    remediate: false,
                    waitForRemediationMinutes: field === "waitForRemediationMinutes" ? value : 0,
                });
                assert.deepEqual(result.errors, [], String(value));
                assert.equal((result.value as unknown as Record<string, unknown>)[field], value);
            }
        });
    }

    it("failureBudget: count alone means no share, percent alone replaces the share, both kept; each bounded", () => {
        const budget = (value: unknown) => policy({ failureBudget: value });
        assert.deepEqual(budget({ count: 3 }).value.failureBudget, { count: 3, percent: 0 });
        assert.deepEqual(budget({ percent: 5 }).value.failureBudget, { count: 0, percent: 5 });
        assert.deepEqual(budget({}).value.failureBudget, { count: 0, percent: 1 });
        assert.deepEqual(budget({ count: 50_000, percent: 0 }).errors, []);
        assert.deepEqual(budget({ count: 50_001, percent: 101 }).errors, [
            "rollout.failureBudget.count: expected a whole number from 0 to 50000, got 50001",
            "rollout.failureBudget.percent: expected a whole number from 0 to 100, got 101",
        ]);
        assert.deepEqual(budget({ count: -1 }).errors, ["rollout.failureBudget.count: expected a whole number from 0 to 50000, got -1"]);
        assert.deepEqual(budget(5).errors, ["rollout.failureBudget: expected an object, got a number"]);
        assert.deepEqual(budget(5).value.failureBudget, { count: 0, percent: 1 });
        assert.deepEqual(budget({ share: 1 }).errors, ["rollout.failureBudget.share: is not a known field; known fields: count, percent"]);
    });

    it("failureBudget: a share above 10 % is warned about, 10 % is not", () => {
        const warned = (percent: number) =>
            policy({ failureBudget: { percent } }).warnings.filter((w) => w.startsWith("rollout.failureBudget"));
        assert.deepEqual(warned(10), []);
        assert.deepEqual(warned(11), [
            "rollout.failureBudget.percent: is 11: MDE is switched on although up to 11 % of the machines may lack the proxy MDE needs; a broken proxy or script fails nearly all of them, so a budget this large may let a real defect through",
        ]);
    });

    it("remediation warnings: an empty subscription list at a management group; no remediation; no wait", () => {
        const at = (fields: Record<string, unknown>) => policy(fields).warnings.map((w) => w.slice(0, w.indexOf(":", w.indexOf(": ") + 2)));
        assert.deepEqual(paths(policy({ scope: MG_SCOPE }).warnings), ["rollout.remediationSubscriptionIds"]);
        assert.match(policy({ scope: MG_SCOPE }).warnings[0], /is empty at a management-group scope: no remediation task is created/);
        assert.deepEqual(paths(policy({ scope: MG_SCOPE, remediate: false, waitForRemediationMinutes: 0 }).warnings), []);
        assert.deepEqual(paths(policy({ scope: MG_SCOPE, remediationSubscriptionIds: [SUB] }).warnings), []);

        assert.deepEqual(paths(policy({ remediate: false }).warnings), ["rollout.remediate"]);
        assert.match(
            policy({ remediate: false }).warnings[0],
            /is false: no remediation task runs.*Set rollout\.waitForRemediationMinutes: 0 to say that is intended/,
        );
        assert.deepEqual(paths(policy({ remediate: false, waitForRemediationMinutes: 0 }).warnings), []);
        assert.deepEqual(paths(policy({ remediate: false, waitForRemediationMinutes: 5 }).warnings), ["rollout.remediate"]);

        assert.deepEqual(at({ waitForRemediationMinutes: 0 }), ["rollout.waitForRemediationMinutes: is 0"]);
        assert.match(policy({ waitForRemediationMinutes: 0 }).warnings[0], /waits only until the OS-proxy remediation tasks are created/);
        assert.deepEqual(paths(policy({ waitForRemediationMinutes: 1 }).warnings), []);
    });

    it("a proxy in policy mode: what the run commands do not prove, said once; with and without the route check", () => {
        const gaps = (routeCheck: boolean) => {
            const result = policy({}, { subscriptionId: SUB, proxy: proxy({ routeCheck }) });
            assert.deepEqual(paths(result.warnings), ["rollout.mode"]);
            return result.warnings[0];
        };
        const withCheck = gaps(true);
        assert.match(
            withCheck,
            /^rollout\.mode: policy: what the policy-mode run commands do not prove: the route check proves the hosts of the regions in the egress list/,
        );
        assert.match(
            withCheck,
            /; Linux Arc machines get no read-back step .*; on Arc, a failed script does not fail its remediation deployment/,
        );
        assert.match(gaps(false), /: with proxy\.routeCheck false the OS-proxy run commands set the proxy but prove no route/);
        assert.deepEqual(policy().warnings, []);
    });

    it("policy mode refuses proxy credentials and the legacy agent's key: Reader can read a policy", () => {
        const logs = { legacyAgent: { workspaceId: "w", workspaceKey: "k" } } as NormalizedLogs;
        const result = policy({}, { subscriptionId: SUB, proxy: proxy({ credentials: { username: "u", password: "p" } }), logs });
        assert.deepEqual(paths(result.errors), ["proxy.username", "logs.legacyAgent"]);
        assert.match(
            result.errors[0],
            /cannot go into Azure Policy: definitions and assignments are readable by anyone with Reader on the scope/,
        );
        assert.match(result.errors[1], /is not deployed by policy: its workspace key would sit in the policy in clear text/);
        assert.deepEqual(
            policy({}, { subscriptionId: SUB, proxy: proxy(), logs: { streams: [] } as unknown as NormalizedLogs }).errors,
            [],
        );
    });

    it("machine id lists: a list of VM or Arc machine ids, each once; anything else at its index", () => {
        for (const field of ["retryMachineIds", "excludedMachineIds"]) {
            assert.deepEqual(policy({ [field]: vm("a") }).errors, [
                `rollout.${field}: expected a list of machine resource ids, got "${vm("a")}"`,
            ]);
            assert.deepEqual((policy({ [field]: vm("a") }).value as unknown as Record<string, unknown>)[field], []);
            const bad = policy({
                [field]: [
                    vm("a"),
                    "vm-b",
                    3,
                    vm("a").replace("virtualMachines", "virtualMachineScaleSets"),
                    [vm("c")],
                    `/x${vm("d")}`,
                    `${vm("e")}/extensions/mde`,
                ],
            });
            assert.deepEqual(
                paths(bad.errors),
                [1, 2, 3, 4, 5, 6].map((i) => `rollout.${field}[${i}]`),
            );
            assert.match(bad.errors[3], /: a list is not a machine resource id/);
            assert.deepEqual((bad.value as unknown as Record<string, unknown>)[field], [vm("a").toLowerCase()]);
            assert.match(
                bad.errors[0],
                /"vm-b" is not a machine resource id; give \/subscriptions\/<id>\/resourceGroups\/<group>\/providers\/Microsoft\.Compute\/virtualMachines\/<name> or \.\.\.\/Microsoft\.HybridCompute\/machines\/<name>, as the gate lists them$/,
            );
            assert.match(bad.errors[1], /: a number is not a machine resource id/);
            assert.deepEqual(policy({ [field]: [vm("a"), vm("A")] }).errors, [`rollout.${field}: lists a machine twice`]);
        }
    });

    it("retries: need remediation, cannot also be excluded, and must lie where the retry tasks run", () => {
        assert.deepEqual(policy({ remediate: false, waitForRemediationMinutes: 0, retryMachineIds: [vm("a")] }).errors, [
            "rollout.retryMachineIds: needs rollout.remediate: true; a retry is a remediation task",
        ]);
        assert.deepEqual(policy({ retryMachineIds: [vm("a"), arc("b"), arc("c")], excludedMachineIds: [arc("B"), arc("c")] }).errors, [
            `rollout.retryMachineIds: ${arc("b").toLowerCase()}, ${arc("c").toLowerCase()} also in rollout.excludedMachineIds: an excluded machine is not remediated; keep it in one list`,
        ]);
        assert.deepEqual(policy({ excludedMachineIds: [vm("a", OTHER_SUB)] }).errors, [], "an excluded machine may lie anywhere");
        // Subscription scope: the machine's subscription (any letter case of the scope) must be the scope's.
        assert.deepEqual(policy({ scope: `/subscriptions/${SUB.toUpperCase()}`, retryMachineIds: [vm("a")] }).errors, []);
        assert.deepEqual(policy({ retryMachineIds: [vm("a"), vm("b", OTHER_SUB)] }).errors, [
            `rollout.retryMachineIds[1]: ${vm("b", OTHER_SUB).toLowerCase()} is outside rollout.scope ${SUBSCRIPTION_SCOPE}, where the retry tasks run`,
        ]);
        // Resource-group scope: the id must lie below the group, not in a group that merely starts with its name.
        const inGroup = policy({
            scope: `/subscriptions/${SUB}/resourceGroups/RG-App`,
            retryMachineIds: [vm("a"), vm("b", SUB, "rg-app2")],
        });
        assert.deepEqual(inGroup.errors, [
            `rollout.retryMachineIds[1]: ${vm("b", SUB, "rg-app2").toLowerCase()} is outside rollout.scope /subscriptions/${SUB}/resourceGroups/RG-App, where the retry tasks run`,
        ]);
        // Management group: the machine's subscription must be one of remediationSubscriptionIds.
        const mg = policy({ scope: MG_SCOPE, remediationSubscriptionIds: [OTHER_SUB], retryMachineIds: [vm("a", OTHER_SUB), vm("b")] });
        assert.deepEqual(mg.errors, [
            `rollout.retryMachineIds[1]: ${vm("b").toLowerCase()} is in no subscription of rollout.remediationSubscriptionIds, where the retry tasks run; add its subscription there`,
        ]);
    });

    it("remediationSubscriptionIds: a list of GUIDs (not resource ids), lower-cased, each once", () => {
        const ids = (value: unknown) => policy({ scope: MG_SCOPE, remediationSubscriptionIds: value });
        assert.deepEqual(ids(SUB).errors, [`rollout.remediationSubscriptionIds: expected a list of subscription GUIDs, got "${SUB}"`]);
        assert.deepEqual(ids(SUB).value.remediationSubscriptionIds, []);
        const bad = ids([SUB, `/subscriptions/${OTHER_SUB}`, 1, [OTHER_SUB]]);
        assert.deepEqual(bad.errors, [
            `rollout.remediationSubscriptionIds[1]: "/subscriptions/${OTHER_SUB}" is not a subscription GUID (give the GUID, not /subscriptions/<id>)`,
            "rollout.remediationSubscriptionIds[2]: a number is not a subscription GUID (give the GUID, not /subscriptions/<id>)",
            "rollout.remediationSubscriptionIds[3]: a list is not a subscription GUID (give the GUID, not /subscriptions/<id>)",
        ]);
        assert.deepEqual(bad.value.remediationSubscriptionIds, [SUB]);
        assert.deepEqual(ids([SUB, SUB.toUpperCase()]).errors, ["rollout.remediationSubscriptionIds: lists a subscription twice"]);
        assert.deepEqual(ids([OTHER_SUB.toUpperCase()]).value.remediationSubscriptionIds, [OTHER_SUB]);
    });

    it("associateArcMachinesAt: subscription or group ids in subscriptionId, with an Arc scope that still takes public traffic", () => {
        const at = (value: unknown, context: RolloutContext = { subscriptionId: SUB, privateLink: arcScope(true) }) =>
            policy({ associateArcMachinesAt: value }, context);
        const path = "rollout.associateArcMachinesAt";
        assert.deepEqual(at(GROUP_SCOPE).errors, [`${path}: expected a list of subscription or resource-group ids, got "${GROUP_SCOPE}"`]);
        assert.deepEqual(at(GROUP_SCOPE).value.associateArcMachinesAt, []);
        assert.deepEqual(at([GROUP_SCOPE], { subscriptionId: SUB }).errors, [
            `${path}: needs privateLink.arc: there is no Arc Private Link Scope to associate machines with`,
        ]);
        assert.deepEqual(at([GROUP_SCOPE], { subscriptionId: SUB }).value.associateArcMachinesAt, []);
        const closed = at([GROUP_SCOPE], { subscriptionId: SUB, privateLink: arcScope(false) });
        assert.deepEqual(paths(closed.errors), [path]);
        assert.match(closed.errors[0], /needs privateLink\.arc\.publicNetworkAccess: true: between the association and its proxy bypass/);
        const mixed = at([
            SUBSCRIPTION_SCOPE,
            "rg-app",
            4,
            `/subscriptions/${OTHER_SUB}`,
            `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-x`,
            [GROUP_SCOPE],
        ]);
        assert.deepEqual(mixed.errors, [
            `${path}[1]: "rg-app" is not /subscriptions/<id> or /subscriptions/<id>/resourceGroups/<name>`,
            `${path}[2]: a number is not /subscriptions/<id> or /subscriptions/<id>/resourceGroups/<name>`,
            `${path}[3]: is in subscription ${OTHER_SUB}, not ${SUB}; the role the association needs is granted within subscriptionId`,
            `${path}[5]: a list is not /subscriptions/<id> or /subscriptions/<id>/resourceGroups/<name>`,
        ]);
        assert.deepEqual(mixed.value.associateArcMachinesAt, [
            SUBSCRIPTION_SCOPE,
            `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-x`,
        ]);
        assert.deepEqual(at([`/subscriptions/${OTHER_SUB}`], { privateLink: arcScope(true) }).errors, []);
        assert.deepEqual(
            at([
                GROUP_SCOPE,
                GROUP_SCOPE.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/").replace("/RESOURCEGROUPS/", "/resourceGroups/"),
            ]).errors,
            [`${path}: lists a scope twice`],
        );
    });
});
