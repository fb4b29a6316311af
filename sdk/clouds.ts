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

/**
 * The region names ARM accepts in each cloud, in one place: validation refuses any other.
 *
 * - AzureCloud: Microsoft's published list, MicrosoftDocs/reliability-docs `articles/reliability/regions-list.md`
 *   (ms.date 09/23/2025, column "Programmatic name"; published as learn.microsoft.com/azure/reliability/regions-list).
 *   Regions marked there as restricted (access on request) or coming soon are listed too: ARM knows their names.
 *   azure-native 3.28.0 ships no region enum to take them from (its `Location` type is a plain string).
 * - AzureUSGovernment: MicrosoftDocs/azure-docs `articles/azure-government/documentation-government-get-started-connect-with-ps.md`
 *   ("Location Name" column). That page is dated 01/18/2023; no 2025-2026 Microsoft page lists the Government regions,
 *   and the five names are still the ones ARM uses there.
 * - AzureChinaCloud: none; the cloud is refused (CLOUD_RETIREMENTS).
 *
 * A region Microsoft opens later is refused until it is added here: the error says so.
 */
export const CLOUD_REGIONS: Record<CloudName, readonly string[]> = {
    AzureCloud: [
        "australiacentral",
        "australiacentral2",
        "australiaeast",
        "australiasoutheast",
        "austriaeast",
        "belgiumcentral",
        "brazilsouth",
        "brazilsoutheast",
        "canadacentral",
        "canadaeast",
        "centralindia",
        "centralus",
        "chilecentral",
        "denmarkeast",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "francesouth",
        "germanynorth",
        "germanywestcentral",
        "indonesiacentral",
        "israelcentral",
        "italynorth",
        "japaneast",
        "japanwest",
        "koreacentral",
        "koreasouth",
        "malaysiawest",
        "mexicocentral",
        "newzealandnorth",
        "northcentralus",
        "northeurope",
        "norwayeast",
        "norwaywest",
        "polandcentral",
        "qatarcentral",
        "southafricanorth",
        "southafricawest",
        "southcentralus",
        "southindia",
        "southeastasia",
        "spaincentral",
        "swedencentral",
        "switzerlandnorth",
        "switzerlandwest",
        "uaecentral",
        "uaenorth",
        "uksouth",
        "ukwest",
        "westcentralus",
        "westeurope",
        "westindia",
        "westus",
        "westus2",
        "westus3",
    ],
    AzureUSGovernment: ["usgovvirginia", "usgovtexas", "usgovarizona", "usdodeast", "usdodcentral"],
    AzureChinaCloud: [],
};

/** The date of the newest source behind `CLOUD_REGIONS`, for messages. */
export const CLOUD_REGIONS_AS_OF = "September 2025";

/** The cloud whose region list holds `region`, if any. */
export function cloudOfRegion(region: string): CloudName | undefined {
    return CLOUD_NAMES.find((cloud) => CLOUD_REGIONS[cloud].includes(region));
}
