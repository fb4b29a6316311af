/**
 * Per-cloud knowledge. Every host suffix and DNS zone that differs between Azure clouds
 * lives here, so that supporting a cloud is one table, not a search through the code.
 */

/** The Azure clouds the component knows, spelt as `azcmagent connect --cloud` takes them. */
export const CLOUD_NAMES = ["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"] as const;

/** One of `CLOUD_NAMES`. */
export type CloudName = (typeof CLOUD_NAMES)[number];

/**
 * Clouds where Defender for Cloud no longer runs, with the reason a user reads.
 * Source: MicrosoftDocs/defender-docs `articles/defender-for-cloud/includes/21vianet-retirement.md`
 * (every Defender for Cloud feature retires in Azure operated by 21Vianet on 18 August 2026;
 * no subscription could be newly onboarded after 18 August 2025).
 */
export const CLOUD_RETIREMENTS: Partial<Record<CloudName, string>> = {
    AzureChinaCloud:
        "Defender for Cloud, Defender for Servers included, was retired in Azure operated by 21Vianet on 18 August 2026; this component cannot protect machines there. Use AzureCloud or AzureUSGovernment",
};

/** What differs per cloud for Private Link. `undefined` means no official source names it: the component refuses to guess. */
export interface CloudPrivateLink {
    /** Private DNS zones of an Arc Private Link Scope endpoint (group `hybridcompute`). */
    arcZones?: readonly string[];
    /** Private DNS zones of an Azure Monitor Private Link Scope endpoint (group `azuremonitor`). */
    azureMonitorZones?: readonly string[];
}

/**
 * Source: MicrosoftDocs/azure-docs `articles/private-link/private-endpoint-dns.md` (per-cloud
 * tables: "Azure Arc (Microsoft.HybridCompute) / hybridcompute" and "Azure Monitor
 * (Microsoft.Insights/privateLinkScopes) / azuremonitor"). Its Government table has no Arc row,
 * so Arc zones for AzureUSGovernment stay unknown: bring existing zones by id there.
 */
export const PRIVATE_LINK_ZONES: Record<CloudName, CloudPrivateLink> = {
    AzureCloud: {
        arcZones: [
            "privatelink.his.arc.azure.com",
            "privatelink.guestconfiguration.azure.com",
            "privatelink.dp.kubernetesconfiguration.azure.com",
        ],
        azureMonitorZones: [
            "privatelink.monitor.azure.com",
            "privatelink.oms.opinsights.azure.com",
            "privatelink.ods.opinsights.azure.com",
            "privatelink.agentsvc.azure-automation.net",
            "privatelink.blob.core.windows.net",
        ],
    },
    AzureUSGovernment: {
        azureMonitorZones: [
            "privatelink.monitor.azure.us",
            "privatelink.adx.monitor.azure.us",
            "privatelink.oms.opinsights.azure.us",
            "privatelink.ods.opinsights.azure.us",
            "privatelink.agentsvc.azure-automation.us",
            "privatelink.blob.core.usgovcloudapi.net",
        ],
    },
    // Refused by validation (Defender for Cloud retired there); no zones are published for Arc or Azure Monitor either.
    AzureChinaCloud: {},
};
