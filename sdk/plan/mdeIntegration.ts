/**
 * The ARM template that switches on Defender for Endpoint integration for a subscription.
 * azure-native has no resource for `Microsoft.Security/settings`, so the component deploys
 * this template at subscription scope (`resources.DeploymentAtSubscriptionScope`).
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

/**
 * The template: the unified solution and the Linux choice are written first, and `WDATP`
 * (which starts provisioning) last, so the very first provisioning pass already sees them.
 */
export function mdeIntegrationTemplate(integration: NormalizedMdeIntegration): SubscriptionTemplate {
    const before = ["WDATP_UNIFIED_SOLUTION", "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW"];
    return {
        $schema: "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        resources: [
            setting("WDATP_UNIFIED_SOLUTION", true),
            // This setting names an exclusion: `false` means Linux machines are included.
            setting("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", !integration.includeLinux),
            setting(
                "WDATP",
                true,
                // resourceId() gives the subscription-level id in a subscription deployment; Bicep's decompiler
                // maps it to the resources, which it cannot do for subscriptionResourceId() (test/bicep.spec.ts).
                before.map((name) => `[resourceId('Microsoft.Security/settings', '${name}')]`),
            ),
        ],
    };
}
