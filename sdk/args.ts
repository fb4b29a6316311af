import * as pulumi from "@pulumi/pulumi";

/**
 * The one typed args object of `DefenderForServersNetworkRestricted`.
 *
 * Rules these interfaces follow so that the component provider can serve them to every
 * Pulumi language (see docs/other-languages.md): interfaces only, no unions. A field that
 * takes one of a few values has a choice type from the end of this file: an `as const` object
 * and a type of the same name, the union of its values. TypeScript then refuses a value outside
 * it at compile time, a literal (`os: "linux"`) still compiles, the object names the values
 * (`Os.linux`), and the SDK's analyzer turns each into a schema enum for the other languages.
 * `validate()` still checks every choice at run time, since JavaScript, YAML and the other
 * languages pass plain strings. Anything that decides *which* resources exist is a plain
 * value, never an `Input`, because it must be known before anything else is.
 */

/** Everything the component needs, from the subscription's plan down to each machine. */
export interface DefenderForServersNetworkRestrictedArgs {
    /** Subscription (a GUID, not a resource id) whose Defender for Servers plan and MDE integration are set. */
    subscriptionId: string;
    /** Azure region used for the subscription-scope deployment metadata and as the default location of every machine-level resource, e.g. `westeurope`. */
    location: string;
    /** Azure cloud the subscription lives in: `AzureCloud` (default) or `AzureUSGovernment`. Decides host names and DNS zones. (`AzureChinaCloud` is refused: Defender for Cloud was retired there on 18 August 2026.) */
    cloud?: Cloud;
    /** The Defender for Servers plan. Defaults to Plan 2 with agentless scanning. */
    plan?: DefenderPlanSettings;
    /** Microsoft Defender for Endpoint integration, which makes Defender for Cloud deploy the MDE extension. On by default, Linux included; switched on only after every machine's proxy is in place. */
    mdeIntegration?: MdeIntegrationSettings;
    /** This instance writes the subscription's plan and MDE settings (default `true`). Set `false` on every other instance on the same subscription: it then only prepares its machines, and the owning instance, declared last, lists it in `dependsOn` so MDE waits for its proxies too. */
    ownsSubscriptionSettings?: boolean;
    /** Keep the plan and MDE integration in Azure when this component is deleted (default `true`). Set `false` only if deleting the stack should hand the subscription back to the Free tier. */
    retainProtectionOnDelete?: boolean;
    /** The HTTP proxy that is the machines' only way out. Leave unset when the machines reach the cloud directly or through Private Link only. */
    proxy?: ProxySettings;
    /** The machines have no way out at all: no agent is deployed and MDE integration is kept off; agentless scanning (Plan 2, Azure VMs, AWS and GCP only) is the protection left. Cannot be combined with `proxy` or `machines`. */
    airGapped?: boolean;
    /** The machines to prepare: each gets its operating-system proxy before MDE is switched on, and the agents below. */
    machines?: MachineSettings[];
    /** Log collection with the Azure Monitor Agent (and, opt-in, the retired Log Analytics agent). Unset: no log agent is deployed. */
    logs?: LogCollectionSettings;
    /** Guest Configuration (machine configuration), which assesses security baselines on Azure VMs. On by default for Azure VMs. */
    guestConfiguration?: GuestConfigurationSettings;
    /** Azure Arc and Azure Monitor Private Link scopes, their private endpoints and DNS: the road out that needs no proxy. */
    privateLink?: PrivateLinkSettings;
    /** How the machine-level parts reach the machines: resources per listed machine (default), or Azure Policy for every machine in a scope. */
    rollout?: RolloutSettings;
    /** Opt-in: add the egress list as a rule collection group to an existing Azure Firewall policy, so the firewall enforces it (output `azureFirewallRules` shows the rules either way). */
    azureFirewall?: AzureFirewallRulesSettings;
    /** Microsoft's built-in policies to assign at the subscription, with their identity, role and remediation task. All off by default. */
    builtInPolicies?: BuiltInPolicySettings;
    /** An Azure Arc gateway (`Microsoft.HybridCompute/gateways`): the listed Arc machines send their agent and extension traffic through one gateway host, so the proxy needs a handful of Arc hosts instead of dozens. Public cloud only; not with `privateLink.arc`. */
    arcGateway?: ArcGatewaySettings;
    /** Tags for every resource of this component that takes tags (run commands, extensions, scopes, endpoints, zones, data collection rules, the MDE settings deployment). Unset: none added, as before. */
    tags?: { [name: string]: string };
}

/** Built-in Azure Policy assignments, each opt-in. */
export interface BuiltInPolicySettings {
    /** Assign Microsoft's modify policies that add a system-assigned identity to every supported Azure VM in the subscription that lacks one (3cf2ab00-13f1-4d0c-8971-2ac904541a7e, 497dff13-db2a-4c0f-8603-28fa3b331ab6; role Contributor). Then listed VMs get the Azure Monitor Agent and Guest Configuration without `systemAssignedIdentity: true`. Default `false`. */
    addSystemAssignedIdentity?: boolean;
    /** Assign Azure Update Manager's periodic assessment for Windows and Linux Azure VMs (59efceea-0c96-497e-a4a1-4eb2290dac15, role Contributor) and Arc-enabled servers (bfea026e-043f-4ff4-9d1b-bf301ca7ff46, role Azure Connected Machine Resource Administrator), which Defender for Servers' system-updates recommendations need. Default `false`. */
    periodicUpdateAssessment?: boolean;
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

/** How many failed OS-proxy remediation deployments the MDE gate accepts: the larger of the two. */
export interface FailureBudgetSettings {
    /** Failed deployments accepted whatever the fleet's size (default 0). */
    count?: number;
    /** Share of all deployments, 0 to 100, rounded down (default 1; 0 when only `count` is given). */
    percent?: number;
}

/** Per-machine resources, or Azure Policy at fleet scale. */
export interface RolloutSettings {
    /** `machines` (default): resources for each listed machine. `policy`: custom DeployIfNotExists/modify policies, assigned to `scope`, cover every current and future machine; `machines` then only inform the egress list. */
    mode?: RolloutMode;
    /** Where the policy initiative is assigned: `/subscriptions/<id>` (default: this subscription), `/subscriptions/<id>/resourceGroups/<name>` (both within `subscriptionId`) or `/providers/Microsoft.Management/managementGroups/<id>`. */
    scope?: string;
    /** Start a remediation task per policy so existing machines are brought in line, not only new ones (default `true`). A changed definition (a new proxy, say) gets a new task. */
    remediate?: boolean;
    /** Management-group scope only: the subscriptions (GUIDs) whose existing machines are remediated, one task per policy and subscription. Empty: no remediation task at a management group (a warning says why). */
    remediationSubscriptionIds?: string[];
    /** Deployments each remediation task runs at once, 1 to 30 (default 30). */
    parallelDeployments?: number;
    /** Minutes one `pulumi up` waits for the OS-proxy remediation tasks before MDE may be switched on (default: measured against `fleetSize` and `parallelDeployments`, at most 1440; 0: do not wait, with a warning). A longer remediation takes several runs of `pulumi up`, each resuming the same tasks (docs/policy-mode.md). */
    waitForRemediationMinutes?: number;
    /** Machines in the scope, roughly: sets the default wait and the arithmetic the preview prints (default: the number of listed machines). */
    fleetSize?: number;
    /** Failed OS-proxy deployments the gate accepts before refusing to switch MDE on: the larger of `count` and `percent` % of all deployments (default 1 %, rounded down). The failed machines are listed in the error and in the output `remediationGate` either way. */
    failureBudget?: FailureBudgetSettings;
    /** Machines (resource ids, as the gate lists them) to remediate again: one task per OS-proxy policy remediates only these (`ExistingNonCompliant`, `filters.resourceIds`, 100 ids a task); the gate counts their new result instead of the old failure. */
    retryMachineIds?: string[];
    /** Machines (resource ids) taken out of the policy assignment (`notScopes`) and out of the gate's count, e.g. decommissioned or unreachable ones. */
    excludedMachineIds?: string[];
    /** With `privateLink.arc`: subscriptions or resource groups (ids, within `subscriptionId`) whose Arc machines the built-in policy associates with the Arc Private Link Scope, one assignment per scope whatever the number of machines. Needs `privateLink.arc.publicNetworkAccess: true` while machines move. */
    associateArcMachinesAt?: string[];
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
    ingestionAccessMode?: PrivateLinkAccessMode;
    /** Query access mode: `Open` (default, so people can still query from the portal) or `PrivateOnly`. */
    queryAccessMode?: PrivateLinkAccessMode;
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
    /** Prove the route from each machine right after its proxy is set (default `true`): a CONNECT through the proxy to one concrete host per egress entry its agents need, and a private DNS answer for each Private Link host; any failure fails the run command, so MDE is never switched on over a broken route. `false` skips it, with a warning. */
    routeCheck?: boolean;
}

/** One machine: an Azure VM or an Azure Arc-enabled server. */
export interface MachineSettings {
    /** Stable key that names this machine's resources (`<name>-<what>-<key>`): lower-case letters, digits and dashes, unique. To rename it, set `previousKey` to the old key for one `pulumi up`; a plain rename plans a create and delete that `pulumi up` fails on (docs/operations.md, "Changing a machine's key or moving it between instances"). */
    key: string;
    /** The key this machine had before: its resources keep their identity (aliases to `<name>-<what>-<previousKey>`), so renaming changes nothing on the machine (with `arcGateway`, an Arc machine's gateway link deployment is replaced: docs/operations.md). Remove it after one successful `pulumi up`. */
    previousKey?: string;
    /** `azureVm` or `arc`. */
    kind: MachineKind;
    /** `windows` or `linux`. */
    os: Os;
    /** Resource group of the VM or Arc machine. */
    resourceGroupName: pulumi.Input<string>;
    /** Name of the VM or Arc machine. */
    name: pulumi.Input<string>;
    /** The machine's region (default: `location`). Run commands and extensions are created in it. */
    location?: string;
    /** Azure VMs: `true` when the VM has a system-assigned managed identity, which Guest Configuration needs and the Azure Monitor Agent signs in with. Unset or `false`, those parts are refused unless `builtInPolicies.addSystemAssignedIdentity` adds the identity (or, for AMA, `userAssignedIdentityId` is given). */
    systemAssignedIdentity?: boolean;
    /** Azure VMs: resource id of a user-assigned identity attached to the VM for the Azure Monitor Agent to sign in with (sent as `settings.authentication.managedIdentity`, `mi_res_id`). Not for Arc machines, which use their own identity only. */
    userAssignedIdentityId?: string;
    /** Arc machines and `privateLink.arc`: `none` (default: not associated with the scope; its Arc agent keeps using the proxy), `associated` (already associated, e.g. onboarded with `arcOnboardingCommands`: its Arc agent bypasses the proxy for Arc), or `associateByPolicy` (the built-in policy a3461c8c-6c9d-4e42-a644-40ba8a1abf49 associates it; needs `privateLink.arc.publicNetworkAccess: true` until you list it `associated`). */
    arcPrivateLinkScope?: ArcScopeAssociation;
    /** Parts to leave out on this machine: any of `osProxy`, `azureMonitorAgent`, `legacyAgent`, `guestConfiguration`. */
    exclude?: MachinePart[];
    /** Defender for Servers at this machine's own scope: `P1` (after its proxies, like MDE; also under a Plan 2 subscription, as Microsoft documents), or `Free` to leave it out of the subscription's plan. Unset: the subscription's plan applies. Per-machine mode only; refused while the subscription's pricing enforces its plan (`plan.enforce`). */
    defenderPlan?: MachineDefenderPlan;
    /** Azure VMs: `true` when the VM was created from a generalized OS image. Defender for Cloud does not provision MDE on such VMs by itself; a warning says how to deploy it. */
    fromGeneralizedImage?: boolean;
}

/** Where the agents send logs, and which agents do it. */
export interface LogCollectionSettings {
    /** Resource id of the Log Analytics workspace. Needed when the component makes the data collection rule. */
    workspaceResourceId?: pulumi.Input<string>;
    /** Resource id of an existing data collection rule to associate every AMA machine with. When unset, the component makes one with `streams` to the workspace. */
    dataCollectionRuleId?: pulumi.Input<string>;
    /** Region of the data collection rule (and endpoint) the component makes; it must be the workspace's region (default: `location`). */
    dataCollectionRuleLocation?: string;
    /** Resource group (`/subscriptions/<id>/resourceGroups/<name>`) for the data collection rule and endpoint the component makes. Default: the workspace's resource group. It must be in `subscriptionId` (the provider's subscription); the workspace may be elsewhere. */
    dataCollectionResourceGroupId?: string;
    /** What the component's rule collects: any of `authSyslog` (Linux auth/authpriv syslog into `Syslog`; the default) and `securityEvents` (the Windows Security channel into `SecurityEvent`; needs `workspaceSecuritySolution`). */
    streams?: LogStream[];
    /** What is on for the workspace that gives it the `SecurityEvent` table: `sentinel` (Microsoft Sentinel) or `defenderForServersP2` (Defender for Servers Plan 2 on the workspace). Required with the `securityEvents` stream; Azure refuses the rule otherwise (InvalidOutputTable). */
    workspaceSecuritySolution?: WorkspaceSecuritySolution;
    /** Turn on Defender for Servers Plan 2 for the workspace (the 500 MB/day ingestion benefit). Refused: no Microsoft source documents the resource; turn it on in Defender for Cloud's environment settings and set `workspaceSecuritySolution`. */
    enableDefenderForServersOnWorkspace?: boolean;
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

/** Which Defender for Servers plan runs, and which of its extensions are on. */
export interface DefenderPlanSettings {
    /** Sub-plan: `P1` or `P2` (default `P2`). */
    subPlan?: SubPlan;
    /** Agentless machine scanning (Plan 2 only). Unset: kept as the subscription has it, on for a subscription new to the plan; not sent for `P1`. It is the only protection left for machines that cannot reach the cloud. */
    agentlessScanning?: boolean;
    /** Machines that carry any of these tags (name to value) are left out of agentless scanning. Plan 2 only. */
    agentlessScanningExclusionTags?: { [tagName: string]: string };
    /** File Integrity Monitoring (Plan 2 only). Only `false` is accepted (it switches FIM off): FIM now runs on MDE with a workspace and rules whose API Microsoft does not document, so switch it on in the portal and leave this unset; unset keeps the subscription's current setting. */
    fileIntegrityMonitoring?: boolean;
    /** Make this subscription the one MDE direct onboarding presents non-Azure servers under. Unset: kept as the subscription has it (off for a subscription new to the plan). */
    mdeDesignatedSubscription?: boolean;
    /** Select Microsoft Defender Vulnerability Management (`MdeTvm`) as the machines' vulnerability assessment provider (default off: the current choice is left alone). */
    defenderVulnerabilityManagement?: boolean;
    /** The pricing's `enforce` flag: `true` forces the subscription's plan on every machine (no per-machine `defenderPlan` is then possible), `false` allows per-machine plans. Unset: kept as the subscription has it. */
    enforce?: boolean;
}

/** The subscription settings that make Defender for Cloud deploy MDE (`MDE.Windows` / `MDE.Linux`) on every machine. */
export interface MdeIntegrationSettings {
    /** Switch MDE integration on (default `true`, after every proxy). `false` writes it off before the plan is created, since the plan would otherwise integrate MDE by default; machines already onboarded stay onboarded. `false` needs `confirmSwitchOff: true`: the setting is the whole subscription's. */
    enabled?: boolean;
    /** Deploy MDE to Linux machines too (default `true`). */
    includeLinux?: boolean;
    /** Required with `enabled: false`: confirms that writing `WDATP = false` switches MDE integration off for the whole subscription, every machine there included, not only this instance's. The component cannot read the current setting first. */
    confirmSwitchOff?: boolean;
    /** How MDE reaches its cloud, which decides the egress list: `standard` (default; what Defender for Cloud onboards with: Microsoft's URL list per MDE data location) or `streamlined` (`*.endpoint.security.microsoft.com`; needs the tenant setting "Apply streamlined connectivity settings to devices managed by Intune and Defender for Cloud" and minimum agent versions, see `egressNotes`). */
    connectivity?: MdeConnectivity;
    /** The MDE tenant's data location, as the Defender portal shows it: `US`, `EU`, `UK`, `AU`, or for US Government `GCC`, `GCCHigh`, `DoD`. Narrows the standard list to that location's hosts; unset lists every documented location. `CH`, `IN` and `UAE` are accepted with `streamlined` only: the standard list has no full set of hosts for them. */
    dataLocation?: MdeDataLocation;
}

/** Azure Firewall policy rules for the egress list, so a firewall enforces what the `egress` output states. */
export interface AzureFirewallRulesSettings {
    /** Resource id of an existing Azure Firewall policy in `subscriptionId`: `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/firewallPolicies/<name>`. The component adds one rule collection group to it. */
    firewallPolicyId: string;
    /** Priority of the rule collection group in the policy, 100 to 65000 (default 500). Lower runs first. */
    priority?: number;
    /** Name of the rule collection group (default `defender-servers-egress`). Give each component its own when several share a policy. */
    ruleCollectionGroupName?: string;
    /** Source addresses the rules allow (CIDR ranges of the machines' subnets, or `*`; default `["*"]`). */
    sourceAddresses?: string[];
}

// Choices. Each is an `as const` object (the values, by name) and a type of the same name (the
// union of its values); the analyzer makes each a schema enum. `validate()` reads its allowed
// values from these objects, in this order, so the two cannot drift apart. Keep two or more
// values in each: the analyzer of the oldest supported @pulumi/pulumi (3.221) refuses a one-value one.

/** Azure clouds the component protects machines in (`cloud`); `AzureChinaCloud` is refused at run time with the reason. */
export const Cloud = {
    /** Azure public cloud (the default). */
    AzureCloud: "AzureCloud",
    /** Azure Government (US). */
    AzureUSGovernment: "AzureUSGovernment",
} as const;
/** One of `Cloud`'s values. */
export type Cloud = (typeof Cloud)[keyof typeof Cloud];

/** How the machine-level parts are rolled out (`rollout.mode`). */
export const RolloutMode = {
    /** Resources for each listed machine (the default). */
    machines: "machines",
    /** Azure Policy assignments at `rollout.scope`. */
    policy: "policy",
} as const;
/** One of `RolloutMode`'s values. */
export type RolloutMode = (typeof RolloutMode)[keyof typeof RolloutMode];

/** Access mode of an Azure Monitor Private Link Scope (`ingestionAccessMode`, `queryAccessMode`). */
export const PrivateLinkAccessMode = {
    /** Only through the scope's private endpoints. */
    PrivateOnly: "PrivateOnly",
    /** Public networks too. */
    Open: "Open",
} as const;
/** One of `PrivateLinkAccessMode`'s values. */
export type PrivateLinkAccessMode = (typeof PrivateLinkAccessMode)[keyof typeof PrivateLinkAccessMode];

/** What a machine is (`machines[].kind`). */
export const MachineKind = {
    /** An Azure virtual machine. */
    azureVm: "azureVm",
    /** An Azure Arc-enabled server. */
    arc: "arc",
} as const;
/** One of `MachineKind`'s values. */
export type MachineKind = (typeof MachineKind)[keyof typeof MachineKind];

/** A machine's operating system (`machines[].os`). */
export const Os = {
    /** Windows Server. */
    windows: "windows",
    /** Linux. */
    linux: "linux",
} as const;
/** One of `Os`'s values. */
export type Os = (typeof Os)[keyof typeof Os];

/** How an Arc machine relates to `privateLink.arc` (`machines[].arcPrivateLinkScope`). */
export const ArcScopeAssociation = {
    /** Not associated with the scope (the default). */
    none: "none",
    /** Already associated with the scope. */
    associated: "associated",
    /** Associated by the built-in policy the component assigns. */
    associateByPolicy: "associateByPolicy",
} as const;
/** One of `ArcScopeAssociation`'s values. */
export type ArcScopeAssociation = (typeof ArcScopeAssociation)[keyof typeof ArcScopeAssociation];

/** Parts a machine can leave out (`machines[].exclude`). */
export const MachinePart = {
    /** The operating-system proxy run command. */
    osProxy: "osProxy",
    /** The Azure Monitor Agent. */
    azureMonitorAgent: "azureMonitorAgent",
    /** The legacy Log Analytics agent. */
    legacyAgent: "legacyAgent",
    /** The Guest Configuration extension. */
    guestConfiguration: "guestConfiguration",
} as const;
/** One of `MachinePart`'s values. */
export type MachinePart = (typeof MachinePart)[keyof typeof MachinePart];

/** Defender for Servers at one machine's scope (`machines[].defenderPlan`). */
export const MachineDefenderPlan = {
    /** Plan 1 for this machine. */
    P1: "P1",
    /** Left out of the subscription's plan. */
    Free: "Free",
} as const;
/** One of `MachineDefenderPlan`'s values. */
export type MachineDefenderPlan = (typeof MachineDefenderPlan)[keyof typeof MachineDefenderPlan];

/** The subscription's Defender for Servers sub-plan (`plan.subPlan`). */
export const SubPlan = {
    /** Plan 1. */
    P1: "P1",
    /** Plan 2 (the default). */
    P2: "P2",
} as const;
/** One of `SubPlan`'s values. */
export type SubPlan = (typeof SubPlan)[keyof typeof SubPlan];

/** How Defender for Endpoint reaches its cloud (`mdeIntegration.connectivity`). */
export const MdeConnectivity = {
    /** Microsoft's URL list per data location (the default). */
    standard: "standard",
    /** The consolidated `*.endpoint.security.microsoft.com` hosts. */
    streamlined: "streamlined",
} as const;
/** One of `MdeConnectivity`'s values. */
export type MdeConnectivity = (typeof MdeConnectivity)[keyof typeof MdeConnectivity];

/** Defender for Endpoint data locations (`mdeIntegration.dataLocation`), as the Defender portal shows them. */
export const MdeDataLocation = {
    /** United States. */
    US: "US",
    /** European Union. */
    EU: "EU",
    /** United Kingdom. */
    UK: "UK",
    /** Australia. */
    AU: "AU",
    /** US Government GCC. */
    GCC: "GCC",
    /** US Government GCC High. */
    GCCHigh: "GCCHigh",
    /** US Government DoD. */
    DoD: "DoD",
    /** Switzerland: streamlined connectivity only (the standard list has no hosts for it). */
    CH: "CH",
    /** India: streamlined connectivity only (the standard list has no hosts for it). */
    IN: "IN",
    /** United Arab Emirates: streamlined connectivity only (the standard list has too few hosts for it). */
    UAE: "UAE",
} as const;
/** One of `MdeDataLocation`'s values. */
export type MdeDataLocation = (typeof MdeDataLocation)[keyof typeof MdeDataLocation];

/** What the component's data collection rule collects (`logs.streams`). */
export const LogStream = {
    /** The Windows Security event log into `SecurityEvent`. */
    securityEvents: "securityEvents",
    /** Linux auth/authpriv syslog into `Syslog` (the default). */
    authSyslog: "authSyslog",
} as const;
/** One of `LogStream`'s values. */
export type LogStream = (typeof LogStream)[keyof typeof LogStream];

/** What gives the workspace its `SecurityEvent` table (`logs.workspaceSecuritySolution`). */
export const WorkspaceSecuritySolution = {
    /** Microsoft Sentinel. */
    sentinel: "sentinel",
    /** Defender for Servers Plan 2 on the workspace. */
    defenderForServersP2: "defenderForServersP2",
} as const;
/** One of `WorkspaceSecuritySolution`'s values. */
export type WorkspaceSecuritySolution = (typeof WorkspaceSecuritySolution)[keyof typeof WorkspaceSecuritySolution];
