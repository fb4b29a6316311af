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
