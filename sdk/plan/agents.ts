/**
 * What Azure receives for each agent extension, as plain data. The same functions feed the
 * per-machine extensions and anything else that deploys these agents, so the settings can
 * never drift between the two.
 */
import * as pulumi from "@pulumi/pulumi";
import { NormalizedProxy } from "../validate/proxy";

/** An extension as `compute.VirtualMachineExtension` and `hybridcompute.MachineExtension` both take it. */
export interface ExtensionSpec {
    /** Extension name on the machine. */
    name: string;
    publisher: string;
    type: string;
    typeHandlerVersion: string;
    autoUpgradeMinorVersion: boolean;
    enableAutomaticUpgrade?: boolean;
    settings?: Record<string, unknown>;
    /** Sent encrypted to the machine; the component wraps it in `pulumi.secret`. */
    protectedSettings?: Record<string, pulumi.Input<unknown>>;
}

type Os = "windows" | "linux";

/** How AMA signs in: the machine's system-assigned identity (the default), or a user-assigned one by resource id. */
export interface AmaIdentity {
    /** Resource id of a user-assigned identity attached to the Azure VM. */
    userAssignedIdentityId?: string;
}

/**
 * Azure Monitor Agent. Versions are those the built-in DeployIfNotExists policies pin
 * (`AzureMonitor_Agent_{Windows,Linux}_VM_DINE.json`), with automatic upgrade on.
 *
 * Proxy shape: azure-docs azure-monitor/agents/azure-monitor-agent-network-configuration.md. The
 * same settings go to Arc machines; on Arc Linux AMA takes the Arc agent's `proxy.url` ahead of
 * them unless the agent's `proxy.bypass` says `AMA` (see `arcAgentBypass` in privateLink.ts).
 *
 * Identity: AMA signs in with the machine's managed identity. With a user-assigned identity it
 * must be named in `settings.authentication.managedIdentity`, `identifier-name` `mi_res_id` and
 * `identifier-value` its resource id (azure-docs azure-monitor/agents/azure-monitor-agent-requirements.md;
 * Azure/azure-policy built-in-policies/policyDefinitions/Monitoring/AzureMonitor_Agent_{Windows,Linux}_VM_UAI_DINE.json).
 * Without it AMA uses the system-assigned identity, which validation requires to be known or made.
 */
export function azureMonitorAgent(os: Os, proxy: NormalizedProxy | undefined, identity: AmaIdentity = {}): ExtensionSpec {
    const name = os === "windows" ? "AzureMonitorWindowsAgent" : "AzureMonitorLinuxAgent";
    const authenticated = proxy?.credentials !== undefined;
    return {
        name,
        publisher: "Microsoft.Azure.Monitor",
        type: name,
        typeHandlerVersion: os === "windows" ? "1.1" : "1.36",
        autoUpgradeMinorVersion: true,
        enableAutomaticUpgrade: true,
        settings: {
            proxy:
                proxy === undefined
                    ? { mode: "none" }
                    : { mode: "application", address: proxy.url, auth: authenticated ? "true" : "false" },
            ...(identity.userAssignedIdentityId !== undefined
                ? {
                      authentication: {
                          managedIdentity: { "identifier-name": "mi_res_id", "identifier-value": identity.userAssignedIdentityId },
                      },
                  }
                : {}),
        },
        ...(proxy?.credentials !== undefined
            ? { protectedSettings: { proxy: { username: proxy.credentials.username, password: proxy.credentials.password } } }
            : {}),
    };
}

/**
 * The legacy Log Analytics agent (retired 31 August 2024). Windows takes the proxy as
 * `settings.proxyUri` (host:port) with credentials in protected settings; Linux takes it
 * only in protected settings, as `[user:pass@]host:port`, and fails the deployment when it is
 * wrong. Version 1.0 (Windows) and 1.7 (Linux, oms-linux.md) with minor upgrades on.
 */
export function legacyLogAnalyticsAgent(
    os: Os,
    proxy: NormalizedProxy | undefined,
    workspace: { workspaceId: pulumi.Input<string>; workspaceKey: pulumi.Input<string> },
): ExtensionSpec {
    const hostPort = proxy === undefined ? undefined : `${proxy.host}:${proxy.port}`;
    if (os === "windows") {
        return {
            name: "MicrosoftMonitoringAgent",
            publisher: "Microsoft.EnterpriseCloud.Monitoring",
            type: "MicrosoftMonitoringAgent",
            typeHandlerVersion: "1.0",
            autoUpgradeMinorVersion: true,
            settings: { workspaceId: workspace.workspaceId, ...(hostPort !== undefined ? { proxyUri: hostPort } : {}) },
            protectedSettings: {
                workspaceKey: workspace.workspaceKey,
                ...(proxy?.credentials !== undefined
                    ? { proxyUser: proxy.credentials.username, proxyPassword: proxy.credentials.password }
                    : {}),
            },
        };
    }
    const linuxProxy =
        proxy?.credentials !== undefined
            ? pulumi.interpolate`${proxy.credentials.username}:${proxy.credentials.password}@${hostPort}`
            : hostPort;
    return {
        name: "OmsAgentForLinux",
        publisher: "Microsoft.EnterpriseCloud.Monitoring",
        type: "OmsAgentForLinux",
        typeHandlerVersion: "1.7",
        autoUpgradeMinorVersion: true,
        settings: { workspaceId: workspace.workspaceId },
        protectedSettings: { workspaceKey: workspace.workspaceKey, ...(linuxProxy !== undefined ? { proxy: linuxProxy } : {}) },
    };
}

/**
 * Guest Configuration on Azure VMs (policies `DeployExtension*_Prerequisite.json`). It takes
 * no proxy: the `EnablePrivateNetworkGC` tag sends it through the Azure virtual IP instead.
 */
export function guestConfigurationExtension(os: Os): ExtensionSpec {
    return os === "windows"
        ? {
              name: "AzurePolicyforWindows",
              publisher: "Microsoft.GuestConfiguration",
              type: "ConfigurationforWindows",
              typeHandlerVersion: "1.1",
              autoUpgradeMinorVersion: true,
              enableAutomaticUpgrade: true,
          }
        : {
              name: "AzurePolicyforLinux",
              publisher: "Microsoft.GuestConfiguration",
              type: "ConfigurationforLinux",
              typeHandlerVersion: "1.0",
              autoUpgradeMinorVersion: true,
              enableAutomaticUpgrade: true,
          };
}

/** The tag that routes Guest Configuration on an Azure VM through 168.63.129.16 instead of the proxy. */
export const GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG = { EnablePrivateNetworkGC: "TRUE" } as const;

/** Publisher and type of the Azure Monitor Agent extension per OS, as agents' allow and block lists name it. */
export const AMA_EXTENSION_TYPES = {
    windows: { publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorWindowsAgent" },
    linux: { publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorLinuxAgent" },
} as const;

/** Publisher and type of the legacy Log Analytics agent extension per OS. */
export const LEGACY_AGENT_EXTENSION_TYPES = {
    windows: { publisher: "Microsoft.EnterpriseCloud.Monitoring", type: "MicrosoftMonitoringAgent" },
    linux: { publisher: "Microsoft.EnterpriseCloud.Monitoring", type: "OmsAgentForLinux" },
} as const;
