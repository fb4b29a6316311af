/**
 * Facts about the egress the host list cannot carry: hosts Microsoft does not document, and
 * hosts that depend on choices the component does not see.
 */
import { DEFAULT_MDE_EGRESS, egressEndpoints } from "./endpoints";
import { EgressInput } from "./types";

/**
 * What streamlined connectivity needs before the short list works (defender-docs `defender-endpoint/migrate-devices-streamlined.md`,
 * "Microsoft Defender for Cloud": the advanced feature, ~48 hours, re-onboarding; `configure-device-connectivity.md` and
 * `streamlined-device-connectivity-urls-commercial.md`, "Prerequisites": versions, unified solution, MMA not supported).
 */
export const STREAMLINED_PREREQUISITES_NOTE =
    'Defender for Endpoint streamlined connectivity: machines onboarded by Defender for Cloud use it only after the tenant turns on "Apply streamlined connectivity settings to devices managed by Intune and Defender for Cloud" (Defender portal, Settings > Endpoints > Advanced features); newly added machines switch within about 48 hours, machines already onboarded only when onboarded again. Minimum versions: Windows sensor (SENSE) 10.8040.* (March 8, 2022 update), antimalware client 4.18.2211.5, engine 1.1.19900.2, security intelligence 1.391.345.0; Defender for Endpoint on Linux 101.24022.*; Windows Server 2012 R2 and 2016 only with the modern unified solution (the MMA-based sensor is not supported). A machine that does not qualify keeps the standard list, which this list does not open.';

/**
 * The US Government streamlined list is still titled "(Preview)" (defender-docs
 * `defender-endpoint/streamlined-device-connectivity-urls-gov.md`, 2026; ../shared/azure-facts.md section 0).
 */
export const GOVERNMENT_STREAMLINED_PREVIEW_NOTE =
    'Defender for Endpoint streamlined connectivity in US Government: Microsoft still titles that URL list "(Preview)"; it may change. The standard list (mdeIntegration.connectivity: standard) is the one Microsoft publishes as current there.';

/**
 * `aka.ms` left the Arc network table in 2026 (azure-management-docs `articles/azure-arc/servers/includes/network-requirements.md`,
 * ms.date 04/01/2026), but the Linux installation still starts with `wget https://aka.ms/azcmagent` (`onboard-portal.md`).
 */
export const ARC_SCRIPT_HOST_NOTE =
    "Arc agent: aka.ms is no longer in Microsoft's 2026 Arc network table; it stays on this list for installation only (when: install), because Microsoft's Linux installation still downloads its script from https://aka.ms/azcmagent. Machines installed from packages.microsoft.com or download.microsoft.com directly do not need it.";

/** A scope some Arc machines are not associated with: their agents use the public hosts (azure-management-docs `private-link-security.md`). */
export const ARC_MIXED_SCOPE_NOTE =
    "Arc Private Link Scope with Arc machines not associated with it (listed arcPrivateLinkScope none or associateByPolicy, or any machine in policy mode): their Arc agents reach *.his.arc and *.guestconfiguration through the proxy, so those hosts stay on the proxy's list (route proxy) and off the operating-system bypass list; associated machines bypass the proxy for them through azcmagent proxy.bypass Arc.";

/** Facts about the egress list that it cannot carry itself. */
export function egressNotes(input: EgressInput): string[] {
    const notes: string[] = [];
    if (input.agents.mde) {
        const mde = input.mde ?? DEFAULT_MDE_EGRESS;
        if (mde.connectivity === "streamlined") {
            notes.push(STREAMLINED_PREREQUISITES_NOTE);
            if (input.cloud === "AzureUSGovernment") notes.push(GOVERNMENT_STREAMLINED_PREVIEW_NOTE);
        } else {
            notes.push(
                mde.dataLocation === undefined
                    ? "Defender for Endpoint standard connectivity: the MDE tenant's data location is not known (mdeIntegration.dataLocation), so the hosts of every documented data location of this environment are listed. Set it to the location the Defender portal shows (Settings > Endpoints > Data retention / data storage location) to list only yours."
                    : `Defender for Endpoint standard connectivity: hosts for the ${mde.dataLocation} data location and the worldwide (WW) rows of Microsoft's list.`,
            );
        }
        notes.push(
            "Defender for Endpoint: its connections use certificate pinning; Microsoft does not support TLS inspection of them (every Defender for Endpoint row has tlsInspection false). Rows Microsoft marks optional for features this component does not set up are not listed: live response push notifications (*.wns.windows.com, login.live.com; they need a direct connection, not a proxy), the network scanner (*.security.microsoft.com, login.windows.net), security settings management (enterpriseregistration.windows.net, *.dm.microsoft.com) and SmartScreen app reputation (*.checkappexec.microsoft.com, *.urs.microsoft.com).",
        );
    }
    if (input.agents.azureMonitorAgent && !input.privateLink.azureMonitor) {
        notes.push(
            "Azure Monitor Agent: Microsoft requires HTTPS inspection to be off for all its endpoints. A data collection endpoint's host (<dce>.<region>-1.ingest.<monitor suffix>) is generated, so only its wildcard is listed and the route check cannot probe it.",
        );
        if (input.cloud === "AzureUSGovernment") {
            notes.push(
                "Azure Monitor Agent in Azure Government: Microsoft lists global.prod.microsoftmetrics.com (metrics service) with a suffix rule (.com to .us) that does not settle this host, so no metrics host is listed; allow the one your agents report if metrics fail.",
            );
        }
    }
    if (input.agents.legacyAgent && input.privateLink.azureMonitor) {
        notes.push(
            "Log Analytics agent: the solution-pack storage account goes through the Azure Monitor private link scope only for scopes and private endpoints created on or after 19 April 2021 (June 2021 in sovereign clouds); older ones need it allowed on the proxy.",
        );
    }
    if (input.agents.arcAgent && input.cloud === "AzureUSGovernment") {
        notes.push(
            "Arc agent in Azure Government: Microsoft lists no notification-service (guestnotificationservice, servicebus) host for this cloud, so none is listed.",
        );
    }
    if (input.agents.arcAgent) notes.push(ARC_SCRIPT_HOST_NOTE);
    if (input.agents.arcAgent && input.privateLink.arc && input.privateLink.arcMachinesOutsideScope === true)
        notes.push(ARC_MIXED_SCOPE_NOTE);
    if (input.agents.arcAgent && input.cloud === "AzureCloud") {
        notes.push(
            "Arc agent: since 13 February 2026 Microsoft no longer lists *.blob.core.windows.net; extension packages come from Microsoft's CDN behind the AzureFrontDoor.Frontend service tag (required as of April 2026), for which it names no host. A firewall allows the tag (see azureFirewallRules); a proxy that filters by name must allow the CDN host the agent asks for, which `azcmagent check` and the proxy log show. management.azure.com is needed only while a machine connects or disconnects.",
        );
    }
    // Any proxy row without a probe host: the check probes install-time rows too (for agents not yet installed).
    const unprobed = egressEndpoints(input).filter((e) => e.route === "proxy" && e.probeHost === "");
    if (unprobed.length > 0) {
        notes.push(
            `Route check: Microsoft names no concrete host under ${unprobed.map((e) => e.host).join(", ")}, so the check before Defender for Endpoint is switched on cannot probe ${unprobed.length === 1 ? "it" : "them"}.`,
        );
    }
    return notes;
}
