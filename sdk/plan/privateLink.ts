/**
 * Private Link as plain data: resource-name slugs for DNS zones, the zone group of each
 * endpoint, what the Arc agent must stop sending to the proxy, and the onboarding commands
 * that tie a new Arc machine to its scope.
 */
import { CloudName } from "../clouds";

/** A DNS zone name as a logical-name suffix: `privatelink.his.arc.azure.com` becomes `privatelink-his-arc-azure-com`. */
export function zoneSlug(zone: string): string {
    return zone.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
}

/** The group id of each scope's private endpoint. */
export const PRIVATE_ENDPOINT_GROUP = { arc: "hybridcompute", azureMonitor: "azuremonitor" } as const;

/** What decides one Arc machine's `azcmagent config set proxy.bypass` values. */
export interface ArcBypassInput {
    /** The machine is associated with the component's Arc Private Link Scope (listed `associated`, or onboarded with `--private-link-scope`). */
    arcScopeAssociated: boolean;
    /** Azure Monitor goes through the component's Azure Monitor Private Link Scope. */
    azureMonitorPrivateLink: boolean;
    /** AMA on this machine has its own proxy settings with credentials, and the machine is Arc Linux. */
    amaOwnAuthenticatedProxy: boolean;
}

/**
 * `azcmagent config set proxy.bypass` values for one Arc machine.
 *
 * `Arc` only where the machine is associated with the scope: an unassociated machine that
 * sends Arc traffic to the private endpoint is refused, and one that goes to the public endpoint
 * needs the proxy, so bypassing there cuts it off (azure-docs azure-arc/servers/private-link-security.md:
 * a machine resolving the private endpoint "must be associated with the Azure Arc Private Link
 * Scope, or the connection will be refused").
 *
 * `AMA` where AMA must not use the agent's `proxy.url`: behind Azure Monitor Private Link (it goes
 * to the private endpoint), and on Arc Linux when AMA has its own authenticated proxy, because AMA
 * on Arc Linux takes the Arc agent's `proxy.url` (which carries no credentials) ahead of its own
 * settings unless `proxy.bypass` says `AMA` (../shared/azure-facts.md section 0, from the
 * Azure/azure-monitor-agent proxy-precedence issues; azure-docs azure-arc/servers/manage-agent-proxy-settings).
 */
export function arcAgentBypass(input: ArcBypassInput): string[] {
    return [
        ...(input.arcScopeAssociated ? ["Arc"] : []),
        ...(input.azureMonitorPrivateLink || input.amaOwnAuthenticatedProxy ? ["AMA"] : []),
    ];
}

/** What the onboarding commands need; everything is plain text. */
export interface OnboardingInput {
    cloud: CloudName;
    subscriptionId: string;
    resourceGroupName: string;
    location: string;
    scopeId: string;
    tenantId?: string;
    proxyUrl?: string;
    arcBypass: string[];
}

/** Ready-to-run onboarding for new Arc machines, consistent with the args. No secret is ever part of them. */
export interface OnboardingCommands {
    /** Bash, run as root on the machine after installing the agent. */
    linux: string;
    /** PowerShell, run as an administrator after installing the agent. */
    windows: string;
}

function connectArguments(input: OnboardingInput, tenant: string): string[] {
    return [
        "connect",
        `--subscription-id "${input.subscriptionId}"`,
        `--resource-group "${input.resourceGroupName}"`,
        `--location "${input.location}"`,
        `--tenant-id "${tenant}"`,
        `--cloud "${input.cloud}"`,
        `--private-link-scope "${input.scopeId}"`,
    ];
}

/**
 * The agent's proxy first (before `connect`, which already needs it), its bypass for the
 * private endpoints, then `connect` with the scope. The tenant id comes from the args or from
 * `$TENANT_ID`; authentication is left to the operator (device login or a service principal).
 */
export function arcOnboardingCommands(input: OnboardingInput): OnboardingCommands {
    const linuxConfig: string[] = [];
    const windowsConfig: string[] = [];
    if (input.proxyUrl !== undefined) {
        linuxConfig.push(`azcmagent config set proxy.url "${input.proxyUrl}"`);
        windowsConfig.push(`& $azcmagent config set proxy.url "${input.proxyUrl}"`);
        if (input.arcBypass.length > 0) {
            linuxConfig.push(`azcmagent config set proxy.bypass "${input.arcBypass.join(",")}"`);
            windowsConfig.push(`& $azcmagent config set proxy.bypass "${input.arcBypass.join(",")}"`);
        }
    }
    return {
        linux: [
            "set -euo pipefail",
            ...linuxConfig,
            `azcmagent ${connectArguments(input, input.tenantId ?? "${TENANT_ID:?set TENANT_ID to your Entra tenant id}").join(" ")}`,
        ].join("\n"),
        windows: [
            "$ErrorActionPreference = 'Stop'",
            '$azcmagent = "$env:ProgramW6432\\AzureConnectedMachineAgent\\azcmagent.exe"',
            ...windowsConfig,
            `& $azcmagent ${connectArguments(input, input.tenantId ?? "$env:TENANT_ID").join(" ")}`,
        ].join("\n"),
    };
}
