import * as pulumi from "@pulumi/pulumi";

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
    /** Azure cloud the subscription lives in: `AzureCloud` (default) or `AzureUSGovernment`. Decides host names and DNS zones. (`AzureChinaCloud` is refused: Defender for Cloud was retired there on 18 August 2026.) */
    cloud?: string;
    /** The Defender for Servers plan. Defaults to Plan 2 with agentless scanning. */
    plan?: DefenderPlanSettings;
    /** Microsoft Defender for Endpoint integration, which makes Defender for Cloud deploy the MDE extension. On by default, Linux included. */
    mdeIntegration?: MdeIntegrationSettings;
    /** Keep the plan and MDE integration in Azure when this component is deleted (default `true`). Set `false` only if deleting the stack should hand the subscription back to the Free tier. */
    retainProtectionOnDelete?: boolean;
    /** The HTTP proxy that is the machines' only way out. Leave unset when the machines reach the cloud directly or through Private Link only. */
    proxy?: ProxySettings;
    /** The machines have no way out at all: no agent is deployed, agentless scanning (Plan 2) is the protection left. Cannot be combined with `proxy` or `machines`. */
    airGapped?: boolean;
    /** The machines to prepare: each gets its operating-system proxy before MDE is switched on, and the agents below. */
    machines?: MachineSettings[];
    /** Log collection with the Azure Monitor Agent (and, opt-in, the retired Log Analytics agent). Unset: no log agent is deployed. */
    logs?: LogCollectionSettings;
    /** Guest Configuration (machine configuration), which assesses security baselines on Azure VMs. On by default for Azure VMs. */
    guestConfiguration?: GuestConfigurationSettings;
    /** The retired built-in Qualys vulnerability assessment, for those who still run it. Off by default. */
    qualys?: QualysSettings;
    /** Azure Arc and Azure Monitor Private Link scopes, their private endpoints and DNS: the road out that needs no proxy. */
    privateLink?: PrivateLinkSettings;
    /** How the machine-level parts reach the machines: resources per listed machine (default), or Azure Policy for every machine in a scope. */
    rollout?: RolloutSettings;
    /** An Azure Arc gateway (`Microsoft.HybridCompute/gateways`): the listed Arc machines send their agent and extension traffic through one gateway host, so the proxy needs a handful of Arc hosts instead of dozens. Public cloud only; not with `privateLink.arc`. */
    arcGateway?: ArcGatewaySettings;
}

/** The Azure Arc gateway: created here, or an existing one by id. Every listed `arc` machine is associated with it. */
export interface ArcGatewaySettings {
    /** Resource group to create the gateway in. Give this or `existingGatewayId`, not both. */
    resourceGroupName?: pulumi.Input<string>;
    /** Name of the gateway to create (letters, digits, `-`, `_`, `.`); default: generated from the component's name. */
    gatewayName?: string;
    /** Region of the gateway's control plane (default: `location`). Runtime traffic goes to Microsoft's global edge whatever the region. */
    location?: string;
    /** Resource id of an existing gateway (`/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.HybridCompute/gateways/<name>`) to use instead of creating one. */
    existingGatewayId?: pulumi.Input<string>;
    /** Entra tenant id for the onboarding commands (default: the commands read `$TENANT_ID`). */
    tenantId?: string;
    /** Resource group that newly onboarded Arc machines join (default: the gateway's resource group). */
    machinesResourceGroupName?: string;
}

/** Per-machine resources, or Azure Policy at fleet scale. */
export interface RolloutSettings {
    /** `machines` (default): resources for each listed machine. `policy`: custom DeployIfNotExists/modify policies, assigned to `scope`, cover every current and future machine; `machines` then only inform the egress list. */
    mode?: string;
    /** Where the policy initiative is assigned: `/subscriptions/<id>` (default: this subscription), `/subscriptions/<id>/resourceGroups/<name>` (both within `subscriptionId`) or `/providers/Microsoft.Management/managementGroups/<id>`. */
    scope?: string;
    /** Start a remediation task per policy so existing machines are brought in line, not only new ones (default `true`). */
    remediate?: boolean;
}

/** Where Private Link resources go, and which scopes exist. */
export interface PrivateLinkSettings {
    /** Resource group for the scopes, private endpoints and private DNS zones. */
    resourceGroupName: pulumi.Input<string>;
    /** Resource id of the subnet the private endpoints go in. Required when any endpoint is created. */
    subnetId?: pulumi.Input<string>;
    /** Virtual networks (resource ids) to link the private DNS zones the component creates to. */
    virtualNetworkIds?: pulumi.Input<string>[];
    /** Existing private DNS zones (zone name to resource id), e.g. kept in a central hub. These are used as they are and not created. */
    existingDnsZoneIds?: { [zoneName: string]: pulumi.Input<string> };
    /** An Azure Arc Private Link Scope for the Arc machines. */
    arc?: ArcPrivateLinkScopeSettings;
    /** An Azure Monitor Private Link Scope for the Log Analytics workspace and a data collection endpoint. */
    azureMonitor?: AzureMonitorPrivateLinkScopeSettings;
}

/** The Azure Arc Private Link Scope. */
export interface ArcPrivateLinkScopeSettings {
    /** Region of the scope (default: `location`). Arc machines must be in the same region as their scope. */
    location?: string;
    /** Allow public network access to the scope (default `false`). */
    publicNetworkAccess?: boolean;
    /** Create the private endpoint (`hybridcompute`) in `privateLink.subnetId` (default `true`). `false` when the network team owns endpoints. */
    privateEndpoint?: boolean;
    /** Entra tenant id for the onboarding commands (default: the commands read `$TENANT_ID`). */
    tenantId?: string;
    /** Resource group that newly onboarded Arc machines join (default: `privateLink.resourceGroupName`). */
    machinesResourceGroupName?: string;
}

/** The Azure Monitor Private Link Scope. */
export interface AzureMonitorPrivateLinkScopeSettings {
    /** Ingestion access mode: `PrivateOnly` (default) or `Open`. */
    ingestionAccessMode?: string;
    /** Query access mode: `Open` (default, so people can still query from the portal) or `PrivateOnly`. */
    queryAccessMode?: string;
    /** Create the private endpoint (`azuremonitor`) in `privateLink.subnetId` (default `true`). */
    privateEndpoint?: boolean;
}

/** The HTTP proxy, described once for every agent. */
export interface ProxySettings {
    /** Proxy address as `http://host:port`: the scheme is `http` (agents open TLS through CONNECT), and the port is required. No credentials here: use `username`/`password`. */
    address: string;
    /** Extra destinations that must not go through the proxy (host names, `.suffix` domains, IP addresses). `168.63.129.16` and `169.254.169.254` are always added. */
    bypass?: string[];
    /** User name for the agents that can authenticate to the proxy (Azure Monitor Agent, Log Analytics agent). Kept secret. */
    username?: pulumi.Input<string>;
    /** Password that goes with `username`. Kept secret end to end: only ever sent in protected extension settings. */
    password?: pulumi.Input<string>;
    /** Set `true` when the proxy lets the agent hosts (output `egress`) through without credentials. Required with `username` when any machine runs an agent that cannot authenticate: MDE (Windows or Linux), the Azure Linux Agent, the Arc agent. */
    unauthenticatedForAgentHosts?: boolean;
}

/** One machine: an Azure VM or an Azure Arc-enabled server. */
export interface MachineSettings {
    /** Stable key that names this machine's resources (`<name>-<what>-<key>`): lower-case letters, digits and dashes, unique. Changing it replaces the machine's resources. */
    key: string;
    /** `azureVm` or `arc`. */
    kind: string;
    /** `windows` or `linux`. */
    os: string;
    /** Resource group of the VM or Arc machine. */
    resourceGroupName: pulumi.Input<string>;
    /** Name of the VM or Arc machine. */
    name: pulumi.Input<string>;
    /** The machine's region (default: `location`). Run commands and extensions are created in it. */
    location?: string;
    /** Whether the Azure VM has a system-assigned managed identity, which Guest Configuration and the Azure Monitor Agent need. Leave unset when unknown; `false` with either on is an error. */
    systemAssignedIdentity?: boolean;
    /** Parts to leave out on this machine: any of `osProxy`, `azureMonitorAgent`, `legacyAgent`, `guestConfiguration`, `qualys`. */
    exclude?: string[];
}

/** Where the agents send logs, and which agents do it. */
export interface LogCollectionSettings {
    /** Resource id of the Log Analytics workspace. Needed when the component makes the data collection rule. */
    workspaceResourceId?: pulumi.Input<string>;
    /** Resource id of an existing data collection rule to associate every AMA machine with. When unset, the component makes one (security events and auth syslog to the workspace). */
    dataCollectionRuleId?: pulumi.Input<string>;
    /** Region of the data collection rule the component makes; it must be the workspace's region (default: `location`). */
    dataCollectionRuleLocation?: string;
    /** Deploy the Azure Monitor Agent with the proxy settings (default `true`; `false` only together with `legacyAgent`). */
    azureMonitorAgent?: boolean;
    /** The legacy Log Analytics agent (MMA/OMS), retired on 31 August 2024. Set only to keep existing machines reporting; a warning says so. */
    legacyAgent?: LegacyAgentSettings;
}

/** The workspace the legacy Log Analytics agent reports to. */
export interface LegacyAgentSettings {
    /** Workspace id (the workspace's `customerId` GUID). */
    workspaceId: pulumi.Input<string>;
    /** Workspace primary or secondary key. Kept secret: only sent in protected settings. */
    workspaceKey: pulumi.Input<string>;
}

/** Guest Configuration on Azure VMs. */
export interface GuestConfigurationSettings {
    /** Deploy the Guest Configuration extension to Azure VMs (default `true`). Arc machines have it built into their agent. */
    enabled?: boolean;
    /** Put the `EnablePrivateNetworkGC=TRUE` tag on the listed Azure VMs through an Azure Policy `modify` assignment that touches that one tag only (default `false`). For VMs declared in your program, merge the `guestConfigurationTags` output into their tags instead. */
    tagExistingVms?: boolean;
}

/** The built-in Qualys vulnerability assessment (retired in 2024; Defender Vulnerability Management replaces it). */
export interface QualysSettings {
    /** Deploy the Qualys agent through Defender and set its proxy after install (default `false`). */
    enabled?: boolean;
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
