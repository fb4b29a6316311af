/**
 * The one typed args object of `DefenderForServersNetworkRestricted`.
 *
 * Rules these interfaces follow so that the component provider can serve them to every
 * Pulumi language (see README, "Other languages"): interfaces only, no unions, no enums, no
 * string-literal types. Fields that take one of a few values are `string`, with the allowed
 * values in the JSDoc, and `validate()` checks them. Anything that decides *which* resources
 * exist is a plain value, never an `Input`, because it must be known before anything else is.
 */

/** Everything the component needs, from the subscription's plan down to each machine. */
export interface DefenderForServersNetworkRestrictedArgs {
    /** Subscription (a GUID, not a resource id) whose Defender for Servers plan and MDE integration are set. */
    subscriptionId: string;
    /** Azure region used for the subscription-scope deployment metadata and as the default location of every machine-level resource, e.g. `westeurope`. */
    location: string;
    /** Azure cloud the subscription lives in: `AzureCloud` (default), `AzureUSGovernment` or `AzureChinaCloud`. Decides host names and DNS zones. */
    cloud?: string;
    /** The Defender for Servers plan. Defaults to Plan 2 with agentless scanning. */
    plan?: DefenderPlanSettings;
    /** Microsoft Defender for Endpoint integration, which makes Defender for Cloud deploy the MDE extension. On by default, Linux included. */
    mdeIntegration?: MdeIntegrationSettings;
    /** Keep the plan and MDE integration in Azure when this component is deleted (default `true`). Set `false` only if deleting the stack should hand the subscription back to the Free tier. */
    retainProtectionOnDelete?: boolean;
}

/** Which Defender for Servers plan runs, and which of its extensions are on. */
export interface DefenderPlanSettings {
    /** Sub-plan: `P1` or `P2` (default `P2`). */
    subPlan?: string;
    /** Agentless machine scanning (Plan 2 only). Default: on for `P2`; not sent for `P1`. It is the only protection left for machines that cannot reach the cloud. */
    agentlessScanning?: boolean;
    /** Machines that carry any of these tags (name to value) are left out of agentless scanning. Plan 2 only. */
    agentlessScanningExclusionTags?: { [tagName: string]: string };
    /** File Integrity Monitoring (Plan 2 only, default off). */
    fileIntegrityMonitoring?: boolean;
    /** Make this subscription the one MDE direct onboarding presents non-Azure servers under (default off). */
    mdeDesignatedSubscription?: boolean;
    /** Select Microsoft Defender Vulnerability Management (`MdeTvm`) as the machines' vulnerability assessment provider (default off: the current choice is left alone). */
    defenderVulnerabilityManagement?: boolean;
}

/** The subscription settings that make Defender for Cloud deploy MDE (`MDE.Windows` / `MDE.Linux`) on every machine. */
export interface MdeIntegrationSettings {
    /** Switch MDE integration on (default `true`). `false` leaves the subscription's current setting untouched. */
    enabled?: boolean;
    /** Deploy MDE to Linux machines too (default `true`). */
    includeLinux?: boolean;
}
