/**
 * The data collection rule the component makes (sdk/plan/dataCollection.ts). Streams and tables:
 * `Microsoft-SecurityEvent` from the Windows Security channel (XPath `Security!*`) into SecurityEvent,
 * `Microsoft-Syslog` from the `auth` and `authpriv` facilities into Syslog (azure-docs
 * azure-monitor data-collection-windows-events.md and data-collection-syslog.md; syslog levels from
 * Info up as the design chose, to leave out debug noise); a rule sends each stream to a named Log
 * Analytics destination through a data flow (DCR structure, data-collection-rule-structure.md).
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { defenderDataCollectionRule, resourceGroupOf, ruleAssociationName } from "../../sdk/plan/dataCollection";

const SECURITY_SOURCE = {
    windowsEventLogs: [{ name: "security-events", streams: ["Microsoft-SecurityEvent"], xPathQueries: ["Security!*"] }],
};
const SYSLOG_SOURCE = {
    syslog: [
        {
            name: "auth-syslog",
            streams: ["Microsoft-Syslog"],
            facilityNames: ["auth", "authpriv"],
            logLevels: ["Info", "Notice", "Warning", "Error", "Critical", "Alert", "Emergency"],
        },
    ],
};

describe("plan: data collection rule (sdk/plan/dataCollection.ts)", () => {
    it("by default: Linux authentication syslog only, to the workspace", () => {
        assert.deepEqual(defenderDataCollectionRule("ws"), {
            description: "Linux authentication syslog (made by defender-servers)",
            dataSources: SYSLOG_SOURCE,
            destinations: { logAnalytics: [{ name: "ws" }] },
            dataFlows: [{ streams: ["Microsoft-Syslog"], destinations: ["ws"] }],
        });
    });

    it("Windows Security events only", () => {
        assert.deepEqual(defenderDataCollectionRule("la", ["securityEvents"]), {
            description: "Windows Security events (made by defender-servers)",
            dataSources: SECURITY_SOURCE,
            destinations: { logAnalytics: [{ name: "la" }] },
            dataFlows: [{ streams: ["Microsoft-SecurityEvent"], destinations: ["la"] }],
        });
    });

    it("both streams, each with its own data flow", () => {
        assert.deepEqual(defenderDataCollectionRule("la", ["authSyslog", "securityEvents"]), {
            description: "Windows Security events and Linux authentication syslog (made by defender-servers)",
            dataSources: { ...SECURITY_SOURCE, ...SYSLOG_SOURCE },
            destinations: { logAnalytics: [{ name: "la" }] },
            dataFlows: [
                { streams: ["Microsoft-SecurityEvent"], destinations: ["la"] },
                { streams: ["Microsoft-Syslog"], destinations: ["la"] },
            ],
        });
    });

    it("ruleAssociationName: defender-servers- and 13 hex digits of the sha256 of the lower-cased rule id; one name per rule, whatever its case", () => {
        const rule = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Insights/dataCollectionRules/SOC-Rule";
        // The scheme as sdk/plan/dataCollection.ts documents it, worked out here on its own.
        const digest = createHash("sha256").update(rule.toLowerCase()).digest("hex");
        assert.equal(ruleAssociationName(rule), `defender-servers-${digest.slice(0, 13)}`);
        assert.equal(ruleAssociationName(rule).length, 30);
        assert.equal(ruleAssociationName(rule.toUpperCase()), ruleAssociationName(rule));
        assert.notEqual(ruleAssociationName(`${rule}-2`), ruleAssociationName(rule));
    });

    it("resourceGroupOf: the resource group segment of an ARM id (ARM ids ignore case), or undefined", () => {
        assert.equal(
            resourceGroupOf("/subscriptions/s/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/w"),
            "rg-logs",
        );
        assert.equal(resourceGroupOf("/subscriptions/s/resourcegroups/RG-Logs"), "RG-Logs");
        assert.equal(resourceGroupOf("/subscriptions/s/providers/Microsoft.Insights/dataCollectionEndpoints/e"), undefined);
        assert.equal(resourceGroupOf("/subscriptions/s/resourceGroups//x"), undefined);
    });
});
