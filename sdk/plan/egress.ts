/**
 * The egress contract: every host name (HTTPS, port 443) the machines' agents reach, and by
 * which route. The component knows the cloud, the regions, the workspaces, the agents and which
 * services go through Private Link, so it can state the exact list instead of pointing at five
 * documentation pages. A proxy that blocks one of these names makes an agent fail quietly.
 *
 * Pure functions and plain data: no Pulumi here, so the preview, the README and the tests can
 * all use them.
 *
 * Routes:
 * - `proxy`: the machine reaches the host through the HTTP proxy, so the proxy must allow it.
 * - `privateLink`: reached through a private endpoint (Arc or Azure Monitor Private Link Scope).
 *   It must NOT be in the proxy allowlist; it belongs in the operating system's proxy bypass list.
 * - `platform`: the Azure platform address `168.63.129.16`, which is always bypassed
 *   (`ALWAYS_BYPASS` in `bypass.ts`); listed for documentation only.
 */

/** The clouds this contract covers. AzureChinaCloud is refused before it gets here (Defender retires there on 18 August 2026). */
export type EgressCloud = "AzureCloud" | "AzureUSGovernment";

/** What the component knows about the machines, enough to derive every host they must reach. */
export interface EgressInput {
    cloud: EgressCloud;
    /** ARM region names of the machines, e.g. `["westeurope"]`. */
    regions: string[];
    agents: {
        /** Defender for Endpoint sensor (MDE.Windows / MDE.Linux). */
        mde: boolean;
        azureMonitorAgent: boolean;
        /** The retired Log Analytics agent (MMA / OMS). */
        legacyAgent: boolean;
        /** Guest Configuration extension on Azure VMs. With the `EnablePrivateNetworkGC` tag it talks to `168.63.129.16`, never the proxy. */
        guestConfiguration: boolean;
        /** At least one Azure Arc-enabled server. */
        arcAgent: boolean;
        /** The retired built-in Qualys assessment. Microsoft does not document its hosts: see `egressNotes`. */
        qualys: boolean;
    };
    /** Log Analytics workspace ids (the `customerId` GUIDs) known in plain text. Empty: the `*.ods...` wildcard forms are used. */
    workspaceIds: string[];
    /** Which services go through a Private Link scope instead of the proxy. */
    privateLink: { arc: boolean; azureMonitor: boolean };
}

export type EgressRoute = "proxy" | "privateLink" | "platform";

/**
 * One host name the machines reach, as the component's `egress` output states it. Plain strings
 * (no literal unions) so that the component provider can describe it to every language;
 * `EgressEndpoint` is the same row with its allowed values as types.
 */
export interface EgressDestination {
    /** Exact host, a wildcard `*.x.y`, or a documented partial-label wildcard such as `azgn*.servicebus.windows.net`. */
    host: string;
    /** TCP port: 443 (HTTPS, through CONNECT on the proxy). */
    port: number;
    /** The agents that need it, deduplicated and sorted. */
    agents: string[];
    /** One short reason. */
    why: string;
    /** `install`: only while agents are installed or upgraded; `always`: for as long as they run. */
    when: string;
    /** `proxy`: the proxy must allow it; `privateLink`: reached through a private endpoint, so it belongs in the proxy bypass list and not in the allowlist; `platform`: the Azure platform address `168.63.129.16`, always bypassed. */
    route: string;
}

/** One host name the machines reach. */
export interface EgressEndpoint extends EgressDestination {
    when: "install" | "always";
    route: EgressRoute;
}

/** Agent names as they appear in `EgressEndpoint.agents`. */
export const EGRESS_AGENTS = {
    mde: "Defender for Endpoint",
    azureMonitorAgent: "Azure Monitor Agent",
    legacyAgent: "Log Analytics agent",
    guestConfiguration: "Guest Configuration",
    arcAgent: "Arc agent",
} as const;

/** Host names (or suffixes) that differ between clouds. One row per cloud. */
interface CloudHosts {
    /** Defender for Endpoint streamlined connectivity domain. */
    mdeStreamlined: string;
    /** Azure Monitor suffix of `global.handler.control.<x>`, `<region>.handler.control.<x>` and DCE `ingest.<x>`. */
    monitor: string;
    /** Log Analytics suffix of `<workspace>.ods.<x>` and `<workspace>.oms.<x>`. */
    opinsights: string;
    /** Azure Automation suffix of `<workspace>.agentsvc.<x>`. */
    automation: string;
    /** Azure Storage blob suffix. */
    blob: string;
    /** The storage account the Log Analytics agent downloads solution (management) packs from. */
    solutionPacks: string;
    /** Microsoft Entra ID hosts the Arc agent signs in through. Never behind a Private Link scope. */
    entra: string[];
    /** Azure Resource Manager. Never behind a Private Link scope. */
    resourceManager: string;
    /** Arc hybrid identity and metadata service suffix. */
    arcIdentity: string;
    /** Guest configuration and extension management suffix. */
    guestConfiguration: string;
    /** Arc notification service hosts; empty where Microsoft lists none. */
    arcNotification: string[];
}

/**
 * The per-cloud table. Sources, per host group:
 *
 * - `mdeStreamlined`: MicrosoftDocs/defender-docs `defender-endpoint/configure-device-connectivity.md`
 *   (`*.endpoint.security.microsoft.com`) and `defender-endpoint/streamlined-device-connectivity-urls-gov.md`
 *   (`*.endpoint.security.microsoft.us`, "Consolidated Defender for Endpoint services", preview page).
 * - `monitor`, `opinsights` for the Azure Monitor Agent: MicrosoftDocs/azure-docs
 *   `articles/azure-monitor/agents/azure-monitor-agent-network-configuration.md` ("Replace the suffix ...
 *   Azure Commercial .com, Azure Government .us").
 * - `opinsights`, `automation`, `blob` for the Log Analytics agent: MicrosoftDocs/azure-docs
 *   `articles/azure-monitor/agents/log-analytics-agent.md` (Firewall requirements) and, for Government,
 *   `articles/azure-government/compare-azure-government-global-azure.md` (`*.ods/oms.opinsights.azure.us`,
 *   `*.azure-automation.us`, `*.blob.core.usgovcloudapi.net`). The `agentsvc.` label is the one the Azure
 *   Monitor Private Link Scope maps (`privatelink.agentsvc.azure-automation.net` / `.us`, MicrosoftDocs/azure-docs
 *   `articles/private-link/private-endpoint-dns.md`).
 * - `solutionPacks`: MicrosoftDocs/azure-docs `articles/azure-monitor/logs/private-link-security.md`, 2021
 *   revision, "Log Analytics solution packs download" (`scadvisorcontent.blob.core.windows.net`,
 *   `usbn1oicore.blob.core.usgovcloudapi.net`); current text: "privatelink-blob-core-windows-net configures
 *   connectivity to the global agents' solution packs storage account".
 * - `entra`, `resourceManager`, `arcIdentity`, `guestConfiguration`, `arcNotification`: MicrosoftDocs/azure-management-docs
 *   `articles/azure-arc/servers/includes/network-requirements.md` (revisions of 06/25/2024 and 09/29/2025).
 *   `login.windows.net` left the 2025 table but is still what `azcmagent config set proxy.bypass AAD` covers
 *   (`articles/azure-arc/servers/manage-agent.md`), so it stays. The Government tab lists no
 *   guestnotificationservice or servicebus host in any revision, so none is invented here.
 */
const CLOUD_HOSTS: Record<EgressCloud, CloudHosts> = {
    AzureCloud: {
        mdeStreamlined: "*.endpoint.security.microsoft.com",
        monitor: "monitor.azure.com",
        opinsights: "opinsights.azure.com",
        automation: "azure-automation.net",
        blob: "blob.core.windows.net",
        solutionPacks: "scadvisorcontent.blob.core.windows.net",
        entra: ["login.microsoftonline.com", "*.login.microsoft.com", "login.windows.net", "pas.windows.net"],
        resourceManager: "management.azure.com",
        arcIdentity: "his.arc.azure.com",
        guestConfiguration: "guestconfiguration.azure.com",
        arcNotification: ["guestnotificationservice.azure.com", "*.guestnotificationservice.azure.com", "azgn*.servicebus.windows.net"],
    },
    AzureUSGovernment: {
        mdeStreamlined: "*.endpoint.security.microsoft.us",
        monitor: "monitor.azure.us",
        opinsights: "opinsights.azure.us",
        automation: "azure-automation.us",
        blob: "blob.core.usgovcloudapi.net",
        solutionPacks: "usbn1oicore.blob.core.usgovcloudapi.net",
        entra: ["login.microsoftonline.us", "pasff.usgovcloudapi.net"],
        resourceManager: "management.usgovcloudapi.net",
        arcIdentity: "his.arc.azure.us",
        guestConfiguration: "guestconfiguration.azure.us",
        arcNotification: [],
    },
};

/**
 * Hosts that are the same in every cloud.
 * - `aka.ms`: the Linux install script is fetched from `https://aka.ms/azcmagent`
 *   (MicrosoftDocs/azure-management-docs `articles/azure-arc/servers/onboard-portal.md`); the 06/25/2024 revision
 *   of the Arc network requirements lists it for both clouds ("resolve the download script during installation").
 * - `download.microsoft.com`, `packages.microsoft.com`: Arc network requirements (Windows and Linux packages,
 *   "also needed when performing updates automatically"); `packages.microsoft.com` is also where
 *   Defender for Endpoint on Linux installs `mdatp` from (MicrosoftDocs/defender-docs
 *   `defender-endpoint/linux-install-manually.md`).
 * - `168.63.129.16`: Guest Configuration with `EnablePrivateNetworkGC=TRUE` "is routed using the Azure virtual
 *   public IP address" (MicrosoftDocs/azure-docs `articles/governance/machine-configuration/overview/03-network-requirements.md`).
 */
const ARC_SCRIPT_HOST = "aka.ms";
const WINDOWS_PACKAGES = "download.microsoft.com";
const LINUX_PACKAGES = "packages.microsoft.com";
const AZURE_PLATFORM_IP = "168.63.129.16";

const HTTPS = 443;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REGION = /^[a-z][a-z0-9]*$/;
const ROUTE_ORDER: Record<EgressRoute, number> = { proxy: 0, privateLink: 1, platform: 2 };

/**
 * Every endpoint the agents in `input` reach, deduplicated by host: agents are merged, `always`
 * wins over `install`, and `proxy` wins over `privateLink` (some agent still needs the public
 * route). Sorted by route (proxy, privateLink, platform), then host.
 */
export function egressEndpoints(input: EgressInput): EgressEndpoint[] {
    const cloud = CLOUD_HOSTS[input.cloud];
    if (cloud === undefined) {
        throw new Error(`egress: cloud "${String(input.cloud)}" is not covered; use "AzureCloud" or "AzureUSGovernment"`);
    }
    const regions = unique(input.regions.map((r) => r.trim().toLowerCase()));
    for (const region of regions) {
        if (!REGION.test(region)) throw new Error(`egress: "${region}" is not an ARM region name such as "westeurope"`);
    }
    const workspaces = unique(input.workspaceIds.map((w) => w.trim().toLowerCase()));
    for (const workspace of workspaces) {
        if (!GUID.test(workspace)) throw new Error(`egress: workspace id "${workspace}" is not a GUID (the workspace's customerId)`);
    }
    /** `<workspace>.<label>.<suffix>` for each known workspace, or the `*.<label>.<suffix>` wildcard when none is known. */
    const perWorkspace = (label: string, suffix: string): string[] =>
        workspaces.length > 0 ? workspaces.map((w) => `${w}.${label}.${suffix}`) : [`*.${label}.${suffix}`];

    const out: EgressEndpoint[] = [];
    const add = (agent: string, hosts: string[], why: string, when: EgressEndpoint["when"], route: EgressRoute): void => {
        for (const host of hosts) out.push({ host, port: HTTPS, agents: [agent], why, when, route });
    };
    const { agents, privateLink } = input;

    if (agents.mde) {
        const mde = EGRESS_AGENTS.mde;
        add(mde, [cloud.mdeStreamlined], "Defender for Endpoint cloud services (streamlined connectivity)", "always", "proxy");
        add(mde, [LINUX_PACKAGES], "Defender for Endpoint on Linux installs and upgrades mdatp from this repository", "install", "proxy");
    }

    // Azure Monitor Agent. Without private link it needs the control service (global and one per
    // machine region) and the workspace ingestion host. No `ingest` host on that route: the DCE host
    // `<dce>.<region>.ingest...` is "needed only if you send data to a Log Analytics custom logs table",
    // and the component's own rule (security events, auth syslog) goes to workspace tables without a DCE.
    // `management.azure.com` and `<region>.monitoring.azure.com` are left out as well: they serve only
    // custom metrics, which the component never sends (and which bypass any proxy anyway).
    // With Azure Monitor private link the agent uses only private data collection endpoints
    // (`<dce>-xxxx.<region>-1.handler.control...` and `...ingest...`, mapped by the `privatelink.monitor` zone,
    // MicrosoftDocs/azure-monitor-docs `articles/azure-monitor/logs/private-link-configure.md`); their names are
    // generated, so the region-independent wildcards are listed, plus the workspace's ODS host.
    if (agents.azureMonitorAgent) {
        const ama = EGRESS_AGENTS.azureMonitorAgent;
        if (privateLink.azureMonitor) {
            add(
                ama,
                [`*.handler.control.${cloud.monitor}`],
                "Data collection rules, from the private data collection endpoint",
                "always",
                "privateLink",
            );
            add(ama, [`*.ingest.${cloud.monitor}`], "Log ingestion through the private data collection endpoint", "always", "privateLink");
            add(ama, perWorkspace("ods", cloud.opinsights), "Log ingestion into the workspace", "always", "privateLink");
        } else {
            add(ama, [`global.handler.control.${cloud.monitor}`], "Azure Monitor control service", "always", "proxy");
            add(
                ama,
                regions.map((r) => `${r}.handler.control.${cloud.monitor}`),
                "Data collection rules for machines in this region",
                "always",
                "proxy",
            );
            add(ama, perWorkspace("ods", cloud.opinsights), "Log ingestion into the workspace", "always", "proxy");
        }
    }

    // Log Analytics agent (retired). With Azure Monitor private link the workspace hosts and the
    // solution-pack account go through the scope; without it the agent needs the Storage wildcard.
    if (agents.legacyAgent) {
        const mma = EGRESS_AGENTS.legacyAgent;
        const route: EgressRoute = privateLink.azureMonitor ? "privateLink" : "proxy";
        add(mma, perWorkspace("ods", cloud.opinsights), "Log ingestion into the workspace", "always", route);
        add(mma, perWorkspace("oms", cloud.opinsights), "Workspace configuration and management", "always", route);
        add(mma, perWorkspace("agentsvc", cloud.automation), "Agent service (registration, automation features)", "always", route);
        if (privateLink.azureMonitor) {
            add(mma, [cloud.solutionPacks], "Solution (management) packs, through the Azure Monitor private link scope", "always", route);
        } else {
            add(mma, [`*.${cloud.blob}`], "Solution (management) packs and agent content in Azure Storage", "always", route);
        }
    }

    // Guest Configuration on Azure VMs takes no proxy at all; with `EnablePrivateNetworkGC=TRUE` (which
    // validation warns about when it is not applied) it goes to the platform address instead.
    // Arc machines have it inside the Arc agent (hosts below).
    if (agents.guestConfiguration) {
        add(
            EGRESS_AGENTS.guestConfiguration,
            [AZURE_PLATFORM_IP],
            "Azure virtual public IP (EnablePrivateNetworkGC tag); never the proxy",
            "always",
            "platform",
        );
    }

    // Arc agent. Entra ID and Resource Manager never go through a Private Link scope. With Arc
    // private link, `*.his.arc` and `*.guestconfiguration` use the private endpoint and Storage is
    // "not used when private link is configured".
    if (agents.arcAgent) {
        const arc = EGRESS_AGENTS.arcAgent;
        const scoped: EgressRoute = privateLink.arc ? "privateLink" : "proxy";
        add(arc, [ARC_SCRIPT_HOST], "Resolves the agent download script", "install", "proxy");
        add(arc, [WINDOWS_PACKAGES], "Windows agent package (install and automatic upgrades)", "install", "proxy");
        add(arc, [LINUX_PACKAGES], "Linux agent package (install and automatic upgrades)", "install", "proxy");
        add(arc, cloud.entra, "Microsoft Entra ID", "always", "proxy");
        add(arc, [cloud.resourceManager], "Resource Manager: creates and deletes the Arc machine (connect, disconnect)", "always", "proxy");
        add(arc, [`*.${cloud.arcIdentity}`], "Hybrid identity and metadata service", "always", scoped);
        add(arc, [`*.${cloud.guestConfiguration}`], "Extension management and guest configuration", "always", scoped);
        add(arc, cloud.arcNotification, "Notification service for extensions and connectivity", "always", "proxy");
        if (!privateLink.arc) add(arc, [`*.${cloud.blob}`], "Extension packages in Azure Storage", "always", "proxy");
    }

    return mergeEgressEndpoints(out);
}

/** Host names the proxy must allow (route `proxy`), sorted and unique. */
export function proxyAllowlist(endpoints: EgressEndpoint[]): string[] {
    return unique(endpoints.filter((e) => e.route === "proxy").map((e) => e.host)).sort(byString);
}

/** Host names reached through a private endpoint (route `privateLink`): they belong in the operating system's proxy bypass list, never in the proxy allowlist. */
export function privateLinkHosts(endpoints: EgressEndpoint[]): string[] {
    return unique(endpoints.filter((e) => e.route === "privateLink").map((e) => e.host)).sort(byString);
}

/**
 * A Squid configuration snippet that allows CONNECT to port 443 of every proxy-route host and
 * nothing else. Paste it above your final `http_access deny all`.
 *
 * Rendering: `*.x.y` becomes `.x.y`, which in Squid also matches `x.y` itself. Squid 5 refuses a
 * `dstdomain` list that holds both `.x.y` and `x.y` (and warns for `a.x.y`), so names a wildcard
 * already covers are left out. `dstdomain` has no wildcard inside a label, so a documented form
 * such as `azgn*.servicebus.windows.net` becomes an anchored `dstdom_regex` on a second ACL,
 * rather than the much wider `.servicebus.windows.net`. `CONNECT` is one of Squid 5's predefined ACLs.
 */
export function squidAllowlistSnippet(endpoints: EgressEndpoint[], aclName = "defender_servers"): string {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(aclName)) {
        throw new Error(`egress: Squid ACL name "${aclName}" must be letters, digits and underscores, starting with a letter`);
    }
    const header = "# defender-servers egress allowlist: CONNECT to port 443 of these hosts only.";
    const hosts = proxyAllowlist(endpoints);
    if (hosts.length === 0) return `${header}\n# No host needs the proxy.\n`;

    const wildcards = hosts.filter((h) => h.startsWith("*.")).map((h) => h.slice(2));
    const covered = (domain: string, self?: string): boolean =>
        wildcards.some((w) => w !== self && (domain === w || domain.endsWith(`.${w}`)));
    const domains: string[] = [];
    const patterns: string[] = [];
    for (const host of hosts) {
        if (!/^[a-z0-9*][a-z0-9.*-]*$/.test(host)) throw new Error(`egress: "${host}" cannot be written into a Squid ACL`);
        if (host.startsWith("*.")) {
            if (!covered(host.slice(2), host.slice(2))) domains.push(`.${host.slice(2)}`);
        } else if (host.includes("*")) {
            const dot = host.indexOf(".");
            const label = host.slice(0, dot);
            const rest = host.slice(dot + 1);
            if (label.indexOf("*") !== label.lastIndexOf("*") || rest.includes("*")) {
                throw new Error(`egress: "${host}" has more than one wildcard; Squid cannot match it`);
            }
            if (!covered(rest)) patterns.push(host);
        } else if (!covered(host)) {
            domains.push(host);
        }
    }

    const port = `${aclName}_port`;
    const regex = `${aclName}_regex`;
    const lines = [
        header,
        `# Paste it above your final "http_access deny all"; every other destination stays denied.`,
        `acl ${port} port ${HTTPS}`,
    ];
    for (const domain of domains) lines.push(`acl ${aclName} dstdomain ${domain}`);
    for (const pattern of patterns) {
        lines.push(`# ${pattern}: dstdomain has no wildcard inside a label, so this one is a regular expression.`);
        lines.push(`acl ${regex} dstdom_regex -i ${labelWildcardRegex(pattern)}`);
    }
    if (domains.length > 0) lines.push(`http_access allow CONNECT ${port} ${aclName}`);
    if (patterns.length > 0) lines.push(`http_access allow CONNECT ${port} ${regex}`);
    return `${lines.join("\n")}\n`;
}

/**
 * Facts about the egress the host list cannot carry: hosts Microsoft does not document, and
 * hosts that depend on choices the component does not see.
 */
export function egressNotes(input: EgressInput): string[] {
    const notes: string[] = [];
    if (input.agents.qualys) notes.push(QUALYS_EGRESS_NOTE);
    if (input.agents.mde) {
        notes.push(
            "Defender for Endpoint: only its consolidated domain is listed. The streamlined URL list (https://aka.ms/MDE-streamlined-urls) also names certificate revocation hosts (plain HTTP, port 80), SmartScreen and antivirus update hosts, which Windows itself uses.",
        );
    }
    if (input.agents.azureMonitorAgent && !input.privateLink.azureMonitor) {
        notes.push(
            "Azure Monitor Agent: a data collection rule that uses a data collection endpoint (custom text, IIS or JSON logs) also needs that endpoint's ingestion host, <dce>.<region>-1.ingest.<monitor suffix>; the component's own rule does not use one.",
        );
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
    return notes;
}

/** Why no Qualys host is listed: Microsoft does not document them, and this contract lists only documented hosts. */
export const QUALYS_EGRESS_NOTE =
    "Qualys (retired built-in assessment): Microsoft does not document the hosts the Qualys agent reaches, so none is listed. Ask Qualys for the platform URL of your subscription and allow it yourself, or move to Defender Vulnerability Management (MdeTvm), which needs no host beyond Defender for Endpoint's.";

/** `azgn*.servicebus.windows.net` as an anchored, case-insensitive regular expression for `dstdom_regex`. */
function labelWildcardRegex(pattern: string): string {
    const escape = (s: string): string => s.replace(/\./g, "\\.");
    const [before, after] = pattern.split("*");
    return `^${escape(before)}[a-z0-9-]*${escape(after)}$`;
}

/**
 * Endpoints deduplicated by host: agents merged and sorted, reasons joined, `always` wins over
 * `install`, `proxy` wins over `privateLink` (some agent still needs the public route), and
 * `privateLink` over `platform`. Sorted by route, then host.
 */
export function mergeEgressEndpoints(endpoints: EgressEndpoint[]): EgressEndpoint[] {
    const byHost = new Map<string, EgressEndpoint & { whys: string[] }>();
    for (const e of endpoints) {
        const seen = byHost.get(e.host);
        if (seen === undefined) {
            byHost.set(e.host, { ...e, agents: [...e.agents], whys: [e.why] });
            continue;
        }
        seen.agents = unique([...seen.agents, ...e.agents]);
        if (!seen.whys.includes(e.why)) seen.whys.push(e.why);
        if (e.when === "always") seen.when = "always";
        if (ROUTE_ORDER[e.route] < ROUTE_ORDER[seen.route]) seen.route = e.route;
    }
    return [...byHost.values()]
        .map(({ whys, ...e }) => ({ ...e, agents: [...e.agents].sort(byString), why: whys.join("; ") }))
        .sort((a, b) => ROUTE_ORDER[a.route] - ROUTE_ORDER[b.route] || byString(a.host, b.host));
}

function unique<T>(values: readonly T[]): T[] {
    return [...new Set(values)];
}

/** Code-unit order: stable across locales, unlike `localeCompare`. */
function byString(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
