/**
 * The egress contract: every destination the machines' agents reach, and by which route.
 * The component knows the cloud, the regions, the workspaces, the agents and which services go
 * through Private Link, so it can state the exact list instead of pointing at five documentation
 * pages. A proxy that blocks one of these names makes an agent fail quietly.
 *
 * Routes:
 * - `proxy`: the machine reaches the host through the HTTP proxy, so the proxy must allow it.
 * - `privateLink`: reached through a private endpoint (Arc or Azure Monitor Private Link Scope).
 *   It must NOT be in the proxy allowlist; it belongs in the operating system's proxy bypass list.
 * - `platform`: the Azure platform address `168.63.129.16`, which is always bypassed
 *   (`ALWAYS_BYPASS` in `bypass.ts`); listed for documentation only.
 */
import { HostRow, mdeHostRows } from "./mdeHosts";
import {
    EGRESS_AGENTS,
    EgressCloud,
    EgressEndpoint,
    EgressInput,
    EgressRoute,
    EgressWhen,
    MdeEgressOptions,
    ServiceTagDestination,
} from "./types";

/** Host names (or suffixes) that differ between clouds. One row per cloud. */
interface CloudHosts {
    /** Azure Monitor suffix of `global.handler.control.<x>`, `<region>.handler.control.<x>` and DCE `ingest.<x>`. */
    monitor: string;
    /** Azure Monitor metrics service host; undefined where Microsoft's suffix rule does not settle it. */
    metrics?: string;
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
    /** Where Arc downloads extension packages by name; undefined where the table lists no such host. */
    arcExtensionStorage?: string;
}

/**
 * The per-cloud table. Sources, per host group:
 *
 * - `monitor`, `metrics`, `opinsights` for the Azure Monitor Agent: MicrosoftDocs/azure-monitor-docs
 *   `articles/azure-monitor/agents/azure-monitor-agent-network-configuration.md`, 2026 revision ("Firewall endpoints":
 *   `global.prod.microsoftmetrics.com` "Access the metrics service"; the DCE host "Ingest log data" with no custom-logs
 *   condition; "Replace the suffix ... Azure Commercial .com, Azure Government .us"). The suffix rule cannot tell
 *   whether the metrics host changes in Government (`microsoftmetrics.com` is not an Azure Monitor suffix), so no
 *   Government metrics host is listed and `egressNotes` says so.
 * - `opinsights`, `automation`, `blob` for the Log Analytics agent: MicrosoftDocs/azure-docs
 *   `articles/azure-monitor/agents/log-analytics-agent.md` (Firewall requirements) and, for Government,
 *   `articles/azure-government/compare-azure-government-global-azure.md`. The `agentsvc.` label is the one the Azure
 *   Monitor Private Link Scope maps (`privatelink.agentsvc.azure-automation.net` / `.us`, `articles/private-link/private-endpoint-dns.md`).
 * - `solutionPacks`: MicrosoftDocs/azure-docs `articles/azure-monitor/logs/private-link-security.md` ("Log Analytics
 *   solution packs download": `scadvisorcontent.blob.core.windows.net`, `usbn1oicore.blob.core.usgovcloudapi.net`).
 * - Arc (`entra` .. `arcExtensionStorage`): MicrosoftDocs/azure-management-docs
 *   `articles/azure-arc/servers/includes/network-requirements.md` at d923d58 (ms.date 04/01/2026). Commit 5777653
 *   ("remove one endpoint", 13 February 2026) removed `*.blob.core.windows.net` from the Azure cloud table; the
 *   Government table still lists `*.blob.core.usgovcloudapi.net` ("Always, except when you use private endpoints").
 *   `login.windows.net` is in neither table any more. The Government table lists no guestnotificationservice or
 *   servicebus host, so none is invented here.
 */
const CLOUD_HOSTS: Record<EgressCloud, CloudHosts> = {
    AzureCloud: {
        monitor: "monitor.azure.com",
        metrics: "global.prod.microsoftmetrics.com",
        opinsights: "opinsights.azure.com",
        automation: "azure-automation.net",
        blob: "blob.core.windows.net",
        solutionPacks: "scadvisorcontent.blob.core.windows.net",
        entra: ["login.microsoftonline.com", "*.login.microsoft.com", "pas.windows.net"],
        resourceManager: "management.azure.com",
        arcIdentity: "his.arc.azure.com",
        guestConfiguration: "guestconfiguration.azure.com",
        arcNotification: ["guestnotificationservice.azure.com", "*.guestnotificationservice.azure.com", "azgn*.servicebus.windows.net"],
    },
    AzureUSGovernment: {
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
        arcExtensionStorage: "*.blob.core.usgovcloudapi.net",
    },
};

/**
 * Concrete hosts for Arc wildcards, from MicrosoftDocs/azure-management-docs: `gbl.his.arc.azure.com`
 * (`articles/azure-arc/servers/private-link-security.md`, the global hybrid identity endpoint) and
 * `agentserviceapi.guestconfiguration.azure.com` (MicrosoftDocs/azure-docs
 * `articles/governance/machine-configuration/overview/03-network-requirements.md`). Microsoft names none under
 * `*.login.microsoft.com`, `*.guestnotificationservice.azure.com` or `azgn*.servicebus.windows.net` (the Arc table says
 * to ask `guestnotificationservice.azure.com/urls/allowlist` at run time), nor for the Government suffixes.
 */
const ARC_PROBES: Record<string, string> = {
    "*.his.arc.azure.com": "gbl.his.arc.azure.com",
    "*.guestconfiguration.azure.com": "agentserviceapi.guestconfiguration.azure.com",
};

/**
 * Hosts that are the same in every cloud.
 * - `aka.ms`: the Linux install script is fetched from `https://aka.ms/azcmagent`
 *   (MicrosoftDocs/azure-management-docs `articles/azure-arc/servers/onboard-portal.md`; also on the Arc gateway
 *   endpoint list, `arc-gateway-endpoints.md`, 02/17/2026). The 2026 network table no longer names it.
 * - `download.microsoft.com`, `packages.microsoft.com`: Arc network requirements (installation packages, "also
 *   needed when updates are performed automatically").
 * - `168.63.129.16`: Guest Configuration with `EnablePrivateNetworkGC=TRUE` "is routed using the Azure virtual
 *   public IP address" (MicrosoftDocs/azure-docs `articles/governance/machine-configuration/overview/03-network-requirements.md`).
 */
const ARC_SCRIPT_HOST = "aka.ms";
const WINDOWS_PACKAGES = "download.microsoft.com";
const LINUX_PACKAGES = "packages.microsoft.com";
const AZURE_PLATFORM_IP = "168.63.129.16";

/**
 * Service tags. Arc: "Be sure to allow access to the following service tags: AzureActiveDirectory, AzureTrafficManager,
 * AzureResourceManager, AzureArcInfrastructure, Storage, AzureFrontDoor.Frontend (required as of April 2026)" (Arc
 * network requirements). Azure Monitor Agent: "Both AzureMonitor and AzureResourceManager tags are required"; "DCE
 * public IP addresses aren't in the network service tags" (AMA network configuration).
 */
const TAG = {
    entra: "AzureActiveDirectory",
    arm: "AzureResourceManager",
    arc: "AzureArcInfrastructure",
    monitor: "AzureMonitor",
    storage: "Storage",
} as const;

const HTTPS = 443;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REGION = /^[a-z][a-z0-9]*$/;
/** Routes from the one that wins a merge (some agent needs the public route) to the one that loses; also the sort order. */
const ROUTES: readonly EgressRoute[] = ["proxy", "privateLink", "platform"];
/** From the shortest need to the longest, which wins a merge. */
const WHENS: readonly EgressWhen[] = ["install", "connect", "always"];
const BOTH = ["linux", "windows"];

/** Every MDE option left unset: standard connectivity, every documented data location, both operating systems. */
export const DEFAULT_MDE_EGRESS: MdeEgressOptions = { connectivity: "standard", windows: true, linux: true };

/** Optional parts of one row, beyond host, why, when and route. */
interface RowExtras {
    port?: number;
    platforms?: string[];
    serviceTag?: string;
    probe?: string;
    tlsInspection?: boolean;
}

/**
 * Every endpoint the agents in `input` reach, deduplicated by host and port: agents and platforms
 * are merged, `always` wins over `connect` over `install`, `proxy` over `privateLink` (some agent
 * still needs the public route), and a host one agent forbids inspecting is never inspected.
 * Sorted by route (proxy, privateLink, platform), then host, then port.
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
    const add = (agent: string, hosts: string[], why: string, when: EgressWhen, route: EgressRoute, extras: RowExtras = {}): void => {
        for (const host of hosts) {
            const port = extras.port ?? HTTPS;
            out.push({
                host,
                port,
                protocol: port === 80 ? "http" : "https",
                agents: [agent],
                platforms: [...(extras.platforms ?? BOTH)],
                why,
                when,
                route,
                serviceTag: extras.serviceTag ?? "",
                probeHost: host.includes("*") ? (extras.probe ?? "") : host,
                tlsInspection: extras.tlsInspection ?? true,
            });
        }
    };
    const { agents, privateLink } = input;

    if (agents.mde) {
        const mde = input.mde ?? DEFAULT_MDE_EGRESS;
        const platforms = [...(mde.linux ? ["linux"] : []), ...(mde.windows ? ["windows"] : [])];
        for (const row of mdeHostRows(mde.connectivity, input.cloud === "AzureUSGovernment", mde.dataLocation)) {
            const rowPlatforms = row.os === undefined ? platforms : platforms.filter((p) => p === row.os);
            if (rowPlatforms.length === 0) continue;
            addRow(add, EGRESS_AGENTS.mde, row, rowPlatforms);
        }
    }

    // Azure Monitor Agent. "For all endpoints, HTTPS inspection must be disabled." Without private link it needs the
    // control service (global and one per machine region), the metrics service, the workspace ingestion host and the
    // data collection endpoint's ingestion host (a DCE's name is generated, so its wildcard). `management.azure.com`
    // and `<region>.monitoring.azure.com` serve only custom metrics, which the component never sends (and which bypass
    // any proxy anyway). With Azure Monitor private link the agent uses only private data collection endpoints
    // (`<dce>.<region>-1.handler.control...` and `...ingest...`, mapped by the `privatelink.monitor` zone,
    // MicrosoftDocs/azure-monitor-docs `articles/azure-monitor/logs/private-link-configure.md`).
    if (agents.azureMonitorAgent) {
        const ama = EGRESS_AGENTS.azureMonitorAgent;
        const noInspection = { tlsInspection: false };
        if (privateLink.azureMonitor) {
            add(
                ama,
                [`*.handler.control.${cloud.monitor}`],
                "Data collection rules, from the private data collection endpoint",
                "always",
                "privateLink",
                noInspection,
            );
            add(
                ama,
                [`*.ingest.${cloud.monitor}`],
                "Log ingestion through the private data collection endpoint",
                "always",
                "privateLink",
                noInspection,
            );
            add(ama, perWorkspace("ods", cloud.opinsights), "Log ingestion into the workspace", "always", "privateLink", noInspection);
        } else {
            const monitor = { tlsInspection: false, serviceTag: TAG.monitor };
            add(ama, [`global.handler.control.${cloud.monitor}`], "Azure Monitor control service", "always", "proxy", monitor);
            add(
                ama,
                regions.map((r) => `${r}.handler.control.${cloud.monitor}`),
                "Data collection rules for machines in this region",
                "always",
                "proxy",
                monitor,
            );
            if (cloud.metrics !== undefined) add(ama, [cloud.metrics], "Azure Monitor metrics service", "always", "proxy", noInspection);
            add(ama, perWorkspace("ods", cloud.opinsights), "Log ingestion into the workspace", "always", "proxy", monitor);
            add(
                ama,
                [`*.ingest.${cloud.monitor}`],
                "Log ingestion through a data collection endpoint (<dce>.<region>.ingest...)",
                "always",
                "proxy",
                noInspection,
            );
        }
    }

    // Log Analytics agent (retired). With Azure Monitor private link the workspace hosts and the solution-pack
    // account go through the scope; without it the agent needs the Storage wildcard. Defender for Endpoint's list
    // marks each of these "Bypass HTTPS inspection: Yes" (defender-docs `defender-endpoint/configure-environment.md`).
    if (agents.legacyAgent) {
        const mma = EGRESS_AGENTS.legacyAgent;
        const route: EgressRoute = privateLink.azureMonitor ? "privateLink" : "proxy";
        const x = { platforms: ["windows", "linux"], tlsInspection: false };
        add(mma, perWorkspace("ods", cloud.opinsights), "Log ingestion into the workspace", "always", route, x);
        add(mma, perWorkspace("oms", cloud.opinsights), "Workspace configuration and management", "always", route, x);
        add(mma, perWorkspace("agentsvc", cloud.automation), "Agent service (registration, automation features)", "always", route, x);
        if (privateLink.azureMonitor) {
            add(
                mma,
                [cloud.solutionPacks],
                "Solution (management) packs, through the Azure Monitor private link scope",
                "always",
                route,
                x,
            );
        } else {
            add(mma, [`*.${cloud.blob}`], "Solution (management) packs and agent content in Azure Storage", "always", route, x);
        }
    }

    // Guest Configuration on Azure VMs takes no proxy at all; with `EnablePrivateNetworkGC=TRUE` (which
    // validation warns about when it is not applied) it goes to the platform address instead.
    if (agents.guestConfiguration) {
        add(
            EGRESS_AGENTS.guestConfiguration,
            [AZURE_PLATFORM_IP],
            "Azure virtual public IP (EnablePrivateNetworkGC tag); never the proxy",
            "always",
            "platform",
        );
    }

    // Arc agent. Entra ID and Resource Manager never go through a Private Link scope. With Arc private link,
    // `*.his.arc` and `*.guestconfiguration` use the private endpoint. Microsoft asks not to skip inspection of these
    // ("Don't disable security monitoring or inspection of these URLs"), so they keep `tlsInspection: true`.
    if (agents.arcAgent) {
        const arc = EGRESS_AGENTS.arcAgent;
        // A machine reaches the scope's private endpoint only once associated with the scope ("must be associated
        // with the Azure Arc Private Link Scope, or the connection will be refused", azure-management-docs
        // `articles/azure-arc/servers/private-link-security.md`, 2026); the others keep the public hosts through the proxy.
        const outsideScope = privateLink.arc && privateLink.arcMachinesOutsideScope === true;
        const scoped: EgressRoute = privateLink.arc && !outsideScope ? "privateLink" : "proxy";
        const scopedWhy = outsideScope ? " (Arc machines not associated with the Arc Private Link Scope, through the proxy)" : "";
        add(arc, [ARC_SCRIPT_HOST], "Resolves the agent download script", "install", "proxy");
        add(arc, [WINDOWS_PACKAGES], "Windows agent package (install and automatic upgrades)", "install", "proxy", {
            platforms: ["windows"],
        });
        add(arc, [LINUX_PACKAGES], "Linux agent package (install and automatic upgrades)", "install", "proxy", { platforms: ["linux"] });
        add(arc, cloud.entra, "Microsoft Entra ID", "always", "proxy", { serviceTag: TAG.entra });
        add(
            arc,
            [cloud.resourceManager],
            "Resource Manager: creates and deletes the Arc machine (only when connecting or disconnecting)",
            "connect",
            "proxy",
            {
                serviceTag: TAG.arm,
            },
        );
        for (const host of [`*.${cloud.arcIdentity}`, `*.${cloud.guestConfiguration}`]) {
            const why = `${host.includes("his.arc") ? "Hybrid identity and metadata service" : "Extension management and guest configuration"}${scopedWhy}`;
            add(arc, [host], why, "always", scoped, { serviceTag: scoped === "proxy" ? TAG.arc : "", probe: ARC_PROBES[host] });
        }
        for (const host of cloud.arcNotification) {
            const tag = host.includes("guestnotificationservice") ? TAG.arc : "";
            add(arc, [host], "Notification service for extensions and connectivity", "always", "proxy", { serviceTag: tag });
        }
        if (cloud.arcExtensionStorage !== undefined && (!privateLink.arc || outsideScope)) {
            add(arc, [cloud.arcExtensionStorage], "Extension packages in Azure Storage", "always", "proxy", { serviceTag: TAG.storage });
        }
    }

    return mergeEgressEndpoints(out);
}

/**
 * What a firewall must allow by service tag because Microsoft names no host for it: in the Azure cloud, Arc
 * extension packages come from "Microsoft's CDN endpoint" behind the `AzureFrontDoor.Frontend` tag ("required as
 * of April 2026"; Arc network requirements, 2026 revision). Government keeps its named Storage host instead.
 */
export function serviceTagDestinations(input: EgressInput): ServiceTagDestination[] {
    if (!input.agents.arcAgent || input.cloud !== "AzureCloud") return [];
    return [
        {
            serviceTag: "AzureFrontDoor.Frontend",
            port: HTTPS,
            agents: [EGRESS_AGENTS.arcAgent],
            why: "Arc extension and VM application packages from Microsoft's CDN (required as of April 2026; Microsoft names no host)",
        },
    ];
}

function addRow(
    add: (agent: string, hosts: string[], why: string, when: EgressWhen, route: EgressRoute, extras?: RowExtras) => void,
    agent: string,
    row: HostRow,
    platforms: string[],
): void {
    add(agent, [row.host], row.why, row.when ?? "always", "proxy", {
        port: row.port,
        platforms,
        serviceTag: row.tag,
        probe: row.probe,
        tlsInspection: false,
    });
}

/** Host names the proxy must allow (route `proxy`), sorted and unique, whatever the port. */
export function proxyAllowlist(endpoints: EgressEndpoint[]): string[] {
    return unique(endpoints.filter((e) => e.route === "proxy").map((e) => e.host)).sort(byString);
}

/** Host names reached through a private endpoint (route `privateLink`): they belong in the operating system's proxy bypass list, never in the proxy allowlist. */
export function privateLinkHosts(endpoints: EgressEndpoint[]): string[] {
    return unique(endpoints.filter((e) => e.route === "privateLink").map((e) => e.host)).sort(byString);
}

/**
 * Endpoints deduplicated by host and port: agents and platforms merged and sorted, reasons joined,
 * `always` over `connect` over `install`, `proxy` over `privateLink` over `platform`, the first
 * service tag and probe host given, and inspection allowed only when every agent allows it.
 */
export function mergeEgressEndpoints(endpoints: EgressEndpoint[]): EgressEndpoint[] {
    const byKey = new Map<string, EgressEndpoint & { whys: string[] }>();
    for (const e of endpoints) {
        const key = `${e.host}:${e.port}`;
        const seen = byKey.get(key);
        if (seen === undefined) {
            byKey.set(key, { ...e, agents: [...e.agents], platforms: [...e.platforms], whys: [e.why] });
            continue;
        }
        seen.agents = unique([...seen.agents, ...e.agents]);
        seen.platforms = unique([...seen.platforms, ...e.platforms]);
        if (!seen.whys.includes(e.why)) seen.whys.push(e.why);
        seen.when = WHENS[Math.max(WHENS.indexOf(e.when), WHENS.indexOf(seen.when))];
        seen.route = ROUTES[Math.min(ROUTES.indexOf(e.route), ROUTES.indexOf(seen.route))];
        if (seen.serviceTag === "") seen.serviceTag = e.serviceTag;
        if (seen.probeHost === "") seen.probeHost = e.probeHost;
        seen.tlsInspection = seen.tlsInspection && e.tlsInspection;
    }
    return [...byKey.values()]
        .map(({ whys, ...e }) => ({
            ...e,
            agents: [...e.agents].sort(byString),
            platforms: [...e.platforms].sort(byString),
            why: whys.join("; "),
        }))
        .sort((a, b) => ROUTES.indexOf(a.route) - ROUTES.indexOf(b.route) || byString(a.host, b.host) || a.port - b.port);
}

export function unique<T>(values: readonly T[]): T[] {
    return [...new Set(values)];
}

/** Code-unit order: stable across locales, unlike `localeCompare`. */
export function byString(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
