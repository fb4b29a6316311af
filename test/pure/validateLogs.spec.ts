/**
 * `logs` validation (sdk/validate/logs.ts) on plain data: the workspace, the rule, its streams,
 * where the rule and its endpoint go, and the retired agent. Expectations come from:
 * - Azure resource ids: a workspace is `/subscriptions/<id>/resourceGroups/<rg>/providers/
 *   Microsoft.OperationalInsights/workspaces/<name>`, a rule `.../Microsoft.Insights/dataCollectionRules/<name>`;
 *   subscription ids compare case-insensitively.
 * - docs/arguments.md "logs": `streams` defaults to `authSyslog`; `securityEvents` needs
 *   `workspaceSecuritySolution`, because Azure refuses a rule writing `Microsoft-SecurityEvent` to a
 *   workspace without Microsoft Sentinel or Defender for Servers Plan 2 (`InvalidOutputTable`:
 *   defender-docs data-ingestion-benefit.md, azure-docs data-collection-windows-events.md, as
 *   /work/shared/azure-facts.md records them).
 * - /work/shared/azure-facts.md: the Log Analytics agent (MMA/OMS) was retired on 31 August 2024.
 * - The component deploys into the subscription of its provider (`subscriptionId`): a rule or an
 *   endpoint it makes cannot go into another one.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { NormalizedLogs, readLogs, workspaceResourceGroup } from "../../sdk/validate/logs";
import { ProblemList } from "../../sdk/validate/problems";
import { Case, itReads } from "./validateRead";

const SUB = "0a0a0a0a-0000-4000-8000-000000000001";
const OTHER = "0b0b0b0b-0000-4000-8000-000000000002";
const GUID = "5c7a0d1e-2f3b-4c5d-8e9f-a0b1c2d3e4f5";
/** A workspace whose id writes the subscription in capitals (as the portal may copy it). */
const WS = `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-1`;
const WS_OTHER = `/subscriptions/${OTHER}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-2`;
const RULE = `/subscriptions/${SUB}/resourceGroups/rg-dcr/providers/Microsoft.Insights/dataCollectionRules/dcr-1`;
const LEGACY = { workspaceId: GUID, workspaceKey: "key" };
const RETIRED: [string, RegExp] = ["logs.legacyAgent", /^the Log Analytics agent \(MMA\/OMS\) was retired on 31 August 2024/];
const OWN_RULE_ONLY = /^only applies to the rule the component makes; remove it when you give logs\.dataCollectionRuleId$/;

type Logs = NormalizedLogs | undefined;
/** What `{ workspaceResourceId: WS }` becomes: the rule follows the workspace (its subscription lower-cased), the default stream. */
const WS_READ: NormalizedLogs = {
    workspaceResourceId: WS,
    dataCollectionRuleId: undefined,
    dataCollectionRuleLocation: "westeurope",
    dataCollectionResourceGroup: { subscriptionId: SUB, resourceGroupName: "rg-logs", from: "logs.workspaceResourceId" },
    streams: ["authSyslog"],
    workspaceSecuritySolution: undefined,
    azureMonitorAgent: true,
    legacyAgent: undefined,
};
const is =
    (fields: Partial<NormalizedLogs>) =>
    (v: Logs): void =>
        assert.deepStrictEqual(v, { ...WS_READ, ...fields });
const field =
    <K extends keyof NormalizedLogs>(key: K, expected: NormalizedLogs[K]) =>
    (v: Logs): void =>
        assert.deepStrictEqual(v?.[key], expected);

const FIELDS: Case<unknown, Logs>[] = [
    { why: "no logs", input: undefined, value: (v) => assert.equal(v, undefined) },
    { why: "not an object", input: "law-1", errors: [["logs", /^expected an object, got "law-1"$/]] },
    { why: "a workspace: the defaults", input: { workspaceResourceId: WS }, value: is({}) },
    { why: "an unknown field", input: { workspaceResourceId: WS, Streams: [] }, errors: [["logs.Streams", /did you mean "streams"\?/]] },
    {
        why: "azureMonitorAgent not a boolean: refused, the agent stays on",
        input: { workspaceResourceId: WS, azureMonitorAgent: "yes" },
        errors: [["logs.azureMonitorAgent", /^expected true or false, got "yes"$/]],
        value: field("azureMonitorAgent", true),
    },
    {
        why: "a workspace name instead of its id",
        input: { workspaceResourceId: "law-1" },
        errors: [
            [
                "logs.workspaceResourceId",
                /^"law-1" is not a resource id of the right type; expected \/subscriptions\/<id>\/resourceGroups\/<rg>\/providers\/Microsoft\.OperationalInsights\/workspaces\/<name>$/,
            ],
        ],
        value: is({ workspaceResourceId: undefined, dataCollectionResourceGroup: undefined }),
    },
    {
        why: "a rule id as workspace, a workspace id as rule",
        input: { workspaceResourceId: RULE, dataCollectionRuleId: WS },
        errors: [
            [
                "logs.workspaceResourceId",
                /is not a resource id of the right type; expected .*Microsoft\.OperationalInsights\/workspaces\/<name>$/,
            ],
            [
                "logs.dataCollectionRuleId",
                /is not a resource id of the right type; expected .*Microsoft\.Insights\/dataCollectionRules\/<name>$/,
            ],
        ],
    },
    {
        why: "a number as workspace",
        input: { workspaceResourceId: 5 },
        errors: [
            [
                "logs.workspaceResourceId",
                /^expected a resource id like \/subscriptions\/<id>\/.*workspaces\/<name> \(a string or an Output of one\), got a number$/,
            ],
        ],
    },
    {
        why: "a workspace known at deployment",
        input: { workspaceResourceId: pulumi.output(WS) },
        value: (v) => assert.ok(pulumi.Output.isInstance(v?.workspaceResourceId)),
    },
    {
        why: "a blank workspace beside a rule counts as absent",
        input: { workspaceResourceId: "", dataCollectionRuleId: RULE },
        value: is({ workspaceResourceId: undefined, dataCollectionRuleId: RULE, dataCollectionResourceGroup: undefined }),
    },
    {
        why: "a blank workspace without a rule",
        input: { workspaceResourceId: "" },
        errors: [
            [
                "logs.workspaceResourceId",
                /^is required for the Azure Monitor Agent unless logs\.dataCollectionRuleId names an existing rule$/,
            ],
        ],
    },
    { why: "neither workspace nor rule", input: {}, errors: [["logs.workspaceResourceId", /^is required for the Azure Monitor Agent/]] },
    {
        why: "no agent at all",
        input: { workspaceResourceId: WS, azureMonitorAgent: false },
        errors: [
            ["logs.azureMonitorAgent", /^is false and no legacyAgent is given, so logs deploys nothing; remove logs, or turn an agent on$/],
        ],
    },
    {
        why: "a rule location beside an existing rule",
        input: { dataCollectionRuleId: RULE, dataCollectionRuleLocation: "westeurope" },
        errors: [["logs.dataCollectionRuleLocation", OWN_RULE_ONLY]],
    },
    {
        why: "streams and a security solution beside an existing rule",
        input: { dataCollectionRuleId: RULE, streams: ["authSyslog"], workspaceSecuritySolution: "sentinel" },
        errors: [
            ["logs.streams", OWN_RULE_ONLY],
            ["logs.workspaceSecuritySolution", OWN_RULE_ONLY],
        ],
    },
    {
        why: "the rule's location",
        input: { workspaceResourceId: WS, dataCollectionRuleLocation: "northeurope" },
        value: field("dataCollectionRuleLocation", "northeurope"),
    },
    {
        why: "a misspelt rule location",
        input: { workspaceResourceId: WS, dataCollectionRuleLocation: "North Europe" },
        errors: [["logs.dataCollectionRuleLocation", /use "northeurope"/]],
        value: field("dataCollectionRuleLocation", ""),
    },
    {
        why: "Defender for Servers on the workspace: no documented resource, refused",
        input: { workspaceResourceId: WS, enableDefenderForServersOnWorkspace: true },
        errors: [
            [
                "logs.enableDefenderForServersOnWorkspace",
                /^is not supported: .*set logs\.workspaceSecuritySolution: "defenderForServersP2" and remove this field$/,
            ],
        ],
    },
];

const SECURITY_EVENTS = /^is required with the securityEvents stream: .*\(InvalidOutputTable\)/;
const STREAMS: Case<unknown, Logs>[] = [
    {
        why: "an empty list",
        input: { workspaceResourceId: WS, streams: [] },
        errors: [["logs.streams", /^expected a non-empty list of "securityEvents", "authSyslog"$/]],
        value: field("streams", ["authSyslog"]),
    },
    {
        why: "not a list",
        input: { workspaceResourceId: WS, streams: "authSyslog" },
        errors: [["logs.streams", /^expected a non-empty list/]],
    },
    {
        // readChoice's contract: an absent value is the default.
        why: "an entry left undefined is the default stream",
        input: { workspaceResourceId: WS, streams: [undefined] },
        value: field("streams", ["authSyslog"]),
    },
    {
        why: "a stream twice and an unknown one",
        input: { workspaceResourceId: WS, streams: ["authSyslog", "authSyslog", "syslog"] },
        errors: [["logs.streams[2]", /^"syslog" is not allowed/]],
        value: field("streams", ["authSyslog"]),
    },
    {
        why: "an unknown stream is not replaced by the default",
        input: { workspaceResourceId: WS, streams: ["securityEvents", "events"], workspaceSecuritySolution: "sentinel" },
        errors: [["logs.streams[1]", /^"events" is not allowed/]],
        value: field("streams", ["securityEvents"]),
    },
    {
        why: "securityEvents without the solution that gives the table",
        input: { workspaceResourceId: WS, streams: ["securityEvents"] },
        errors: [["logs.workspaceSecuritySolution", SECURITY_EVENTS]],
    },
    {
        why: "securityEvents with Sentinel on",
        input: { workspaceResourceId: WS, streams: ["authSyslog", "securityEvents"], workspaceSecuritySolution: "sentinel" },
        value: is({ streams: ["authSyslog", "securityEvents"], workspaceSecuritySolution: "sentinel" }),
    },
    {
        why: "a security solution in other letters",
        input: { workspaceResourceId: WS, workspaceSecuritySolution: "DefenderForServersP2" },
        errors: [["logs.workspaceSecuritySolution", /did you mean "defenderForServersP2"\?/]],
    },
    {
        why: "securityEvents with the retired agent only: no rule is made",
        input: { azureMonitorAgent: false, legacyAgent: LEGACY, streams: ["securityEvents"] },
        warnings: [RETIRED],
    },
];

const LEGACY_AGENT: Case<unknown, Logs>[] = [
    {
        why: "the retired agent: kept working, with a warning",
        input: { azureMonitorAgent: false, legacyAgent: LEGACY },
        warnings: [RETIRED],
        value: field("legacyAgent", LEGACY),
    },
    { why: "not an object", input: { workspaceResourceId: WS, legacyAgent: GUID }, errors: [["logs.legacyAgent", /^expected an object/]] },
    {
        why: "an unknown field",
        input: { workspaceResourceId: WS, legacyAgent: { ...LEGACY, key: "k" } },
        errors: [["logs.legacyAgent.key", /^is not a known field; known fields: workspaceId, workspaceKey$/]],
        warnings: [RETIRED],
    },
    {
        why: "nothing given",
        input: { workspaceResourceId: WS, legacyAgent: {} },
        errors: [
            ["logs.legacyAgent.workspaceId", /^is required: the workspace's customerId GUID$/],
            ["logs.legacyAgent.workspaceKey", /^is required: the workspace's primary or secondary key \(kept secret\)$/],
        ],
        warnings: [RETIRED],
        value: field("legacyAgent", undefined),
    },
    {
        why: "blanks",
        input: { workspaceResourceId: WS, legacyAgent: { workspaceId: "", workspaceKey: "" } },
        errors: [
            ["logs.legacyAgent.workspaceId", /^is required/],
            ["logs.legacyAgent.workspaceKey", /^is required/],
        ],
        warnings: [RETIRED],
    },
    {
        why: "the workspace's resource id instead of its customerId",
        input: { workspaceResourceId: WS, legacyAgent: { ...LEGACY, workspaceId: WS } },
        errors: [["logs.legacyAgent.workspaceId", /is not a GUID; give the workspace's customerId, not its resource id$/]],
        warnings: [RETIRED],
        value: field("legacyAgent", undefined),
    },
    {
        why: "numbers",
        input: { workspaceResourceId: WS, legacyAgent: { workspaceId: 5, workspaceKey: 5 } },
        errors: [
            ["logs.legacyAgent.workspaceId", /^expected a string or an Output of one \(the workspace's customerId GUID\), got a number$/],
            ["logs.legacyAgent.workspaceKey", /^expected a string or an Output of one \(the workspace key, kept secret\), got a number$/],
        ],
        warnings: [RETIRED],
    },
    {
        why: "Outputs: the customerId is checked at deployment",
        input: { workspaceResourceId: WS, legacyAgent: { workspaceId: pulumi.output("not-yet-known"), workspaceKey: pulumi.secret("k") } },
        warnings: [RETIRED],
        value: (v) => assert.ok(pulumi.Output.isInstance(v?.legacyAgent?.workspaceId)),
    },
    ...(
        [
            ["a missing customerId", { workspaceKey: "k" }, "workspaceId"],
            ["a customerId that is no GUID", { workspaceId: "law-1", workspaceKey: "k" }, "workspaceId"],
            ["a customerId of the wrong type", { workspaceId: true, workspaceKey: "k" }, "workspaceId"],
            ["a missing key", { workspaceId: GUID }, "workspaceKey"],
            ["a key of the wrong type", { workspaceId: GUID, workspaceKey: 1 }, "workspaceKey"],
        ] as const
    ).map(([what, legacyAgent, wrong]): Case<unknown, Logs> => ({
        why: `${what} alone leaves the agent out`,
        input: { workspaceResourceId: WS, legacyAgent },
        errors: [[`logs.legacyAgent.${wrong}`, /./]],
        warnings: [RETIRED],
        value: field("legacyAgent", undefined),
    })),
];

const GIVEN_GROUP = `/subscriptions/${SUB.toUpperCase()}/resourceGroups/rg-dc`;
const GROUPS: Array<Case<unknown, Logs> & { privateLink?: boolean }> = [
    {
        why: "a number as resource group id",
        input: { workspaceResourceId: WS, dataCollectionResourceGroupId: 5 },
        errors: [
            [
                "logs.dataCollectionResourceGroupId",
                /^a number is not a resource group id; expected \/subscriptions\/<id>\/resourceGroups\/<name>$/,
            ],
        ],
        value: field("dataCollectionResourceGroup", undefined),
    },
    {
        // A list's text would be the id itself: only a string is read.
        why: "a list holding the resource group id",
        input: { workspaceResourceId: WS, dataCollectionResourceGroupId: [GIVEN_GROUP] },
        errors: [["logs.dataCollectionResourceGroupId", /^a list is not a resource group id/]],
    },
    {
        why: "a resource group name instead of its id",
        input: { workspaceResourceId: WS, dataCollectionResourceGroupId: "rg-dc" },
        errors: [["logs.dataCollectionResourceGroupId", /^"rg-dc" is not a resource group id/]],
    },
    {
        why: "a resource group given: it wins over the workspace's",
        input: { workspaceResourceId: WS_OTHER, dataCollectionResourceGroupId: GIVEN_GROUP },
        value: field("dataCollectionResourceGroup", {
            subscriptionId: SUB,
            resourceGroupName: "rg-dc",
            from: "logs.dataCollectionResourceGroupId",
        }),
    },
    {
        why: "a resource group in another subscription",
        input: { workspaceResourceId: WS, dataCollectionResourceGroupId: `/subscriptions/${OTHER}/resourceGroups/rg-dc` },
        errors: [
            [
                "logs.dataCollectionResourceGroupId",
                new RegExp(
                    `^is in subscription ${OTHER}, but this component deploys into ${SUB} .*give a resource group in ${SUB}, or make the rule yourself`,
                ),
            ],
        ],
        value: field("dataCollectionResourceGroup", undefined),
    },
    {
        why: "a workspace in another subscription, the rule following it",
        input: { workspaceResourceId: WS_OTHER },
        errors: [
            [
                "logs.dataCollectionResourceGroupId",
                new RegExp(
                    `^is unset, so the data collection rule and endpoint would follow the workspace into subscription ${OTHER}, but this component deploys into ${SUB} .*e\\.g\\. /subscriptions/${SUB}/resourceGroups/<name>`,
                ),
            ],
        ],
        value: field("dataCollectionResourceGroup", undefined),
    },
    {
        why: "a workspace in another subscription, with an existing rule: nothing is made there",
        input: { workspaceResourceId: WS_OTHER, dataCollectionRuleId: RULE },
        value: field("dataCollectionResourceGroup", {
            subscriptionId: OTHER,
            resourceGroupName: "rg-logs",
            from: "logs.workspaceResourceId",
        }),
    },
    {
        why: "a workspace in another subscription, an existing rule, and Azure Monitor Private Link: its endpoint is made there",
        input: { workspaceResourceId: WS_OTHER, dataCollectionRuleId: RULE },
        privateLink: true,
        errors: [["logs.dataCollectionResourceGroupId", /^is unset, so the data collection rule and endpoint would follow the workspace/]],
    },
    {
        why: "a workspace in another subscription for the retired agent only",
        input: { workspaceResourceId: WS_OTHER, azureMonitorAgent: false, legacyAgent: LEGACY },
        warnings: [RETIRED],
    },
];

describe("logs validation (sdk/validate/logs.ts)", () => {
    const readFor = (privateLink: boolean) => (problems: ProblemList, input: unknown) =>
        readLogs(problems, input, "westeurope", SUB, privateLink, "AzureCloud");
    describe("the fields", () => itReads(FIELDS, readFor(false)));
    describe("the streams", () => itReads(STREAMS, readFor(false)));
    describe("the retired Log Analytics agent", () => itReads(LEGACY_AGENT, readFor(false)));
    describe("where the rule and the endpoint go", () => {
        itReads(
            GROUPS.filter((c) => !c.privateLink),
            readFor(false),
        );
        itReads(
            GROUPS.filter((c) => c.privateLink),
            readFor(true),
        );
    });

    it("by default: no Azure Monitor Private Link, the public cloud's regions, and no subscription known", () => {
        const problems = new ProblemList();
        const logs = readLogs(
            problems,
            { workspaceResourceId: WS_OTHER, dataCollectionRuleId: RULE, dataCollectionRuleLocation: undefined },
            undefined,
            SUB,
        );
        const located = readLogs(problems, { workspaceResourceId: WS_OTHER, dataCollectionRuleLocation: "northeurope" }, "westeurope");
        assert.deepEqual(problems.errors, []);
        assert.equal(logs?.dataCollectionRuleLocation, "");
        assert.equal(located?.dataCollectionRuleLocation, "northeurope");
    });

    it("the workspace's resource group at deployment: refused in another subscription or when not a workspace id", () => {
        assert.equal(workspaceResourceGroup(WS, SUB), "rg-logs");
        assert.equal(workspaceResourceGroup(WS_OTHER, undefined), "rg-logs");
        assert.throws(
            () => workspaceResourceGroup(WS_OTHER, SUB),
            new RegExp(
                `^Error: logs\\.dataCollectionResourceGroupId: is unset, .*subscription ${OTHER}, but this component deploys into ${SUB}; set logs\\.dataCollectionResourceGroupId to a resource group in ${SUB}$`,
            ),
        );
        assert.throws(
            () => workspaceResourceGroup("law-1", SUB),
            /^Error: logs\.workspaceResourceId: "law-1" is not a Log Analytics workspace id$/,
        );
    });
    it("a workspace known at deployment: its resource group is read then, and its subscription checked then", async () => {
        const logs = readLogs(new ProblemList(), { workspaceResourceId: pulumi.output(WS) }, "westeurope", SUB);
        const group = logs?.dataCollectionResourceGroup;
        assert.deepEqual([group?.from, group && "subscriptionId" in group], ["logs.workspaceResourceId", false]);
        const name = await new Promise((resolve) => pulumi.output(group!.resourceGroupName).apply(resolve));
        assert.equal(name, "rg-logs");
    });
});
