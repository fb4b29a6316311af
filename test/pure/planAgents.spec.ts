/**
 * What Azure receives for each agent extension (sdk/plan/agents.ts), on its own. Sources
 * (/work/shared/azure-facts.md sections 3 and 4, and section 0 "AMA identity"):
 * - AMA: publisher `Microsoft.Azure.Monitor`, types `AzureMonitorWindowsAgent` / `AzureMonitorLinuxAgent`,
 *   `typeHandlerVersion` 1.1 / 1.36 with minor and automatic upgrade (Azure/azure-policy
 *   `Monitoring/AzureMonitor_Agent_{Windows,Linux}_VM_DINE.json`); proxy `settings.proxy =
 *   {mode: "application", address, auth: "true"/"false"}` or `{mode: "none"}`, credentials in
 *   `protectedSettings.proxy = {username, password}` (azure-docs `azure-monitor-agent-network-configuration.md`);
 *   a user-assigned identity in `settings.authentication.managedIdentity` as `identifier-name: mi_res_id`
 *   (`azure-monitor-agent-requirements.md`; `AzureMonitor_Agent_*_VM_UAI_DINE.json`).
 * - The Log Analytics agent: Windows `MicrosoftMonitoringAgent` 1.0, `settings.workspaceId`,
 *   `settings.proxyUri` host:port, `protectedSettings.workspaceKey`, `proxyUser`, `proxyPassword`
 *   (`oms-windows.md`); Linux `OmsAgentForLinux` 1.7, `protectedSettings.proxy` `[user:pass@]host:port`
 *   (azure-linux-extensions `OmsAgent/README.md`).
 * - Guest Configuration: `AzurePolicyforWindows` / `ConfigurationforWindows` 1.1, `AzurePolicyforLinux` /
 *   `ConfigurationforLinux` 1.0, publisher `Microsoft.GuestConfiguration`, automatic upgrade
 *   (`Guest Configuration/DeployExtension*_Prerequisite.json`); no proxy settings.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { azureMonitorAgent, guestConfigurationExtension, legacyLogAnalyticsAgent } from "../../sdk/plan/agents";
import { NormalizedProxy } from "../../sdk/validate/proxy";
import { PLAIN_PROXY as PROXY } from "./planFixtures";

const AUTH_PROXY: NormalizedProxy = { ...PROXY, credentials: { username: "agent", password: "s3cret" } };
const WORKSPACE = { workspaceId: "00000000-1111-2222-3333-444444444444", workspaceKey: "key==" };
const UAI = "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ama";
const AMA = {
    windows: { name: "AzureMonitorWindowsAgent", type: "AzureMonitorWindowsAgent", typeHandlerVersion: "1.1" },
    linux: { name: "AzureMonitorLinuxAgent", type: "AzureMonitorLinuxAgent", typeHandlerVersion: "1.36" },
};
const AMA_COMMON = { publisher: "Microsoft.Azure.Monitor", autoUpgradeMinorVersion: true, enableAutomaticUpgrade: true };

const resolved = (value: unknown): Promise<unknown> => new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve));

describe("agent extensions (sdk/plan/agents.ts)", () => {
    it("Azure Monitor Agent without a proxy: mode none, the system-assigned identity, nothing protected", () => {
        for (const os of ["windows", "linux"] as const) {
            assert.deepEqual(azureMonitorAgent(os, undefined), { ...AMA[os], ...AMA_COMMON, settings: { proxy: { mode: "none" } } }, os);
        }
    });

    it("Azure Monitor Agent behind a proxy: application mode with the address, auth only with credentials, which go to protected settings", () => {
        assert.deepEqual(azureMonitorAgent("linux", PROXY), {
            ...AMA.linux,
            ...AMA_COMMON,
            settings: { proxy: { mode: "application", address: "http://proxy.contoso.com:3128", auth: "false" } },
        });
        assert.deepEqual(azureMonitorAgent("windows", AUTH_PROXY), {
            ...AMA.windows,
            ...AMA_COMMON,
            settings: { proxy: { mode: "application", address: "http://proxy.contoso.com:3128", auth: "true" } },
            protectedSettings: { proxy: { username: "agent", password: "s3cret" } },
        });
    });

    it("Azure Monitor Agent with a user-assigned identity names it as mi_res_id", () => {
        assert.deepEqual(azureMonitorAgent("windows", undefined, { userAssignedIdentityId: UAI }).settings, {
            proxy: { mode: "none" },
            authentication: { managedIdentity: { "identifier-name": "mi_res_id", "identifier-value": UAI } },
        });
        assert.deepEqual(azureMonitorAgent("linux", undefined, {}).settings, { proxy: { mode: "none" } });
    });

    it("the Log Analytics agent on Windows: proxyUri host:port in settings, the key and proxy credentials protected", () => {
        const common = {
            name: "MicrosoftMonitoringAgent",
            publisher: "Microsoft.EnterpriseCloud.Monitoring",
            type: "MicrosoftMonitoringAgent",
            typeHandlerVersion: "1.0",
            autoUpgradeMinorVersion: true,
        };
        assert.deepEqual(legacyLogAnalyticsAgent("windows", undefined, WORKSPACE), {
            ...common,
            settings: { workspaceId: WORKSPACE.workspaceId },
            protectedSettings: { workspaceKey: "key==" },
        });
        assert.deepEqual(legacyLogAnalyticsAgent("windows", PROXY, WORKSPACE), {
            ...common,
            settings: { workspaceId: WORKSPACE.workspaceId, proxyUri: "proxy.contoso.com:3128" },
            protectedSettings: { workspaceKey: "key==" },
        });
        assert.deepEqual(legacyLogAnalyticsAgent("windows", AUTH_PROXY, WORKSPACE), {
            ...common,
            settings: { workspaceId: WORKSPACE.workspaceId, proxyUri: "proxy.contoso.com:3128" },
            protectedSettings: { workspaceKey: "key==", proxyUser: "agent", proxyPassword: "s3cret" },
        });
    });

    it("the Log Analytics agent on Linux: the proxy only in protected settings, as [user:pass@]host:port", async () => {
        const common = {
            name: "OmsAgentForLinux",
            publisher: "Microsoft.EnterpriseCloud.Monitoring",
            type: "OmsAgentForLinux",
            typeHandlerVersion: "1.7",
            autoUpgradeMinorVersion: true,
            settings: { workspaceId: WORKSPACE.workspaceId },
        };
        assert.deepEqual(legacyLogAnalyticsAgent("linux", undefined, WORKSPACE), {
            ...common,
            protectedSettings: { workspaceKey: "key==" },
        });
        assert.deepEqual(legacyLogAnalyticsAgent("linux", PROXY, WORKSPACE), {
            ...common,
            protectedSettings: { workspaceKey: "key==", proxy: "proxy.contoso.com:3128" },
        });
        const authenticated = legacyLogAnalyticsAgent("linux", AUTH_PROXY, WORKSPACE);
        const { proxy, ...rest } = authenticated.protectedSettings!;
        assert.deepEqual({ ...authenticated, protectedSettings: rest }, { ...common, protectedSettings: { workspaceKey: "key==" } });
        assert.equal(await resolved(proxy), "agent:s3cret@proxy.contoso.com:3128");
    });

    it("Guest Configuration: the policy's extension per OS, with automatic upgrade and no settings", () => {
        const common = { publisher: "Microsoft.GuestConfiguration", autoUpgradeMinorVersion: true, enableAutomaticUpgrade: true };
        assert.deepEqual(guestConfigurationExtension("windows"), {
            name: "AzurePolicyforWindows",
            type: "ConfigurationforWindows",
            typeHandlerVersion: "1.1",
            ...common,
        });
        assert.deepEqual(guestConfigurationExtension("linux"), {
            name: "AzurePolicyforLinux",
            type: "ConfigurationforLinux",
            typeHandlerVersion: "1.0",
            ...common,
        });
    });
});
