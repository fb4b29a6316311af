/**
 * The ARM template that writes a subscription's Defender for Endpoint integration settings.
 * azure-native has no resource for `Microsoft.Security/settings`, so the component deploys
 * this template at subscription scope (`resources.DeploymentAtSubscriptionScope`).
 *
 * Why it is always written, even to say "off": since 2024 enabling the Defender for Servers
 * plan integrates MDE by default ("When you enable Defender for Servers Plan 1 (P1) or 2 (P2),
 * Defender for Endpoint is integrated by default"; defender-docs `configure-servers-coverage.md`,
 * `enable-defender-for-endpoint.md`, 2026 revisions). Leaving `WDATP` untouched therefore lets
 * the plan switch MDE on; only an explicit `false` written before the plan keeps it off.
 */
import { NormalizedMdeIntegration } from "../validate";

const SETTINGS_API_VERSION = "2022-05-01";

interface SecuritySettingResource {
    type: "Microsoft.Security/settings";
    apiVersion: string;
    name: string;
    kind: "DataExportSettings";
    properties: { enabled: boolean };
    dependsOn?: string[];
}

/** A subscription-scope deployment template. */
export interface SubscriptionTemplate {
    $schema: string;
    contentVersion: string;
    resources: SecuritySettingResource[];
}

const setting = (name: string, enabled: boolean, dependsOn?: string[]): SecuritySettingResource => ({
    type: "Microsoft.Security/settings",
    apiVersion: SETTINGS_API_VERSION,
    name,
    kind: "DataExportSettings",
    properties: { enabled },
    ...(dependsOn ? { dependsOn } : {}),
});

// resourceId() gives the subscription-level id in a subscription deployment; Bicep's decompiler
// maps it to the resource, which it cannot do for subscriptionResourceId() (test/bicep.spec.ts).
const WDATP_ID = "[resourceId('Microsoft.Security/settings', 'WDATP')]";

/**
 * The template. On: `WDATP` first, then its two sub-settings, because Microsoft's built-ins
 * for them say "WDATP setting must be turned on for this setting to be applied"
 * (Azure/azure-policy `built-in-policies/policyDefinitions/Security Center/MDC_MDE_WDATP_UNIFIED_DINE.json`,
 * `MDC_MDE_WDATP_EXCLUDE_LINUX_DINE.json`). Off: `WDATP` alone, `false`; the sub-settings
 * mean nothing without it. Provisioning itself starts only once the plan exists, and the
 * component creates the plan after this deployment, so the first pass sees every setting.
 */
export function mdeIntegrationTemplate(integration: NormalizedMdeIntegration): SubscriptionTemplate {
    const resources = integration.enabled
        ? [
              setting("WDATP", true),
              setting("WDATP_UNIFIED_SOLUTION", true, [WDATP_ID]),
              // This setting names an exclusion: `false` means Linux machines are included.
              setting("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", !integration.includeLinux, [WDATP_ID]),
          ]
        : [setting("WDATP", false)];
    return {
        $schema: "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        resources,
    };
}
