/**
 * Args of the scope components. Same rules as sdk/args.ts (interfaces only, no unions, choice
 * types for fixed values), and the same field names where a field means the same, so that a
 * program moves from the all-in-one component by splitting its args, not rewriting them.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    AzureMonitorPrivateLinkScopeSettings,
    BuiltInPolicySettings,
    Cloud,
    DefenderPlanSettings,
    GuestConfigurationSettings,
    LogCollectionSettings,
    MachineDefenderPlan,
    MachineKind,
    MachineSettings,
    MdeIntegrationSettings,
    ProxySettings,
    RolloutMode,
} from "../args";

/** `DefenderSubscription`: the one owner of a subscription's Defender for Servers settings. */
export interface DefenderSubscriptionArgs {
    /** Subscription (a GUID) whose Defender for Servers plan and MDE integration are set. The azure-native provider of this component must sign in to it (the MDE settings deployment has no subscription input). */
    subscriptionId: string;
    /** Azure region of the subscription-scope deployment metadata, e.g. `westeurope`. */
    location: string;
    /** Azure cloud: `AzureCloud` (default) or `AzureUSGovernment`. */
    cloud?: Cloud;
    /** The Defender for Servers plan. Defaults to Plan 2 with agentless scanning; extensions you do not set keep what the subscription has (brownfield merge). */
    plan?: DefenderPlanSettings;
    /** MDE integration (on by default, Linux included), switched on only after every `readiness` output resolved. */
    mdeIntegration?: MdeIntegrationSettings;
    /** Keep the plan and MDE integration in Azure when this component is deleted (default `true`). */
    retainProtectionOnDelete?: boolean;
    /** What MDE must wait for: the `readiness` output of every `DefenderMachines` (or `DefenderManagementGroupRollout.readinessBySubscription` entry) on this subscription. Each holds the resources it came from, so the MDE settings depend on them in every language; one that fails (a failed Arc proxy script) keeps MDE off. */
    readiness?: pulumi.Input<string>[];
    /** Machines with a Defender for Servers plan of their own: `P1` (after that machine's readiness and the MDE settings) or `Free` (left out of the subscription's plan, before it). */
    machinePlans?: MachinePlanSettings[];
    /** Microsoft's built-in policies to assign at this subscription (identity for Azure VMs, periodic update assessment). Set them here or on the subscription's `DefenderMachines`, not both. */
    builtInPolicies?: BuiltInPolicySettings;
    /** Tags for every resource of this component that takes tags. */
    tags?: { [name: string]: string };
}

/** One machine's own Defender for Servers plan. */
export interface MachinePlanSettings {
    /** The machine's key, as in `DefenderMachines` (names the pricing resource: `<name>-plan-<key>`). */
    key: string;
    /** `azureVm` or `arc`. */
    kind: MachineKind;
    /** Resource group of the VM or Arc machine. */
    resourceGroupName: pulumi.Input<string>;
    /** Name of the VM or Arc machine. */
    name: pulumi.Input<string>;
    /** `P1` or `Free`. */
    defenderPlan: MachineDefenderPlan;
    /** `P1`: what this machine's plan waits for, the machine's entry of `DefenderMachines.machineReadiness`. */
    readiness?: pulumi.Input<string>;
}

/** `DefenderMachines`: what runs on (or is assigned to) the machines of one subscription. */
export interface DefenderMachinesArgs {
    /** Subscription (a GUID) the machines are in. The azure-native provider of this component must sign in to it. */
    subscriptionId: string;
    /** Default region of the machine-level resources, e.g. `westeurope`. */
    location: string;
    /** Azure cloud: `AzureCloud` (default) or `AzureUSGovernment`. */
    cloud?: Cloud;
    /** The HTTP proxy that is the machines' only way out. */
    proxy?: ProxySettings;
    /** The machines to prepare (per-machine mode), or, in policy mode, the machines that inform the egress list. */
    machines?: MachineSettings[];
    /** MDE integration as the subscription sets it: decides what the route checks prove (MDE hosts, Linux too). Give the same value as to the subscription's `DefenderSubscription`. */
    mdeIntegration?: MdeIntegrationSettings;
    /** Log collection with the Azure Monitor Agent. */
    logs?: LogCollectionSettings;
    /** Guest Configuration on Azure VMs. */
    guestConfiguration?: GuestConfigurationSettings;
    /** The Private Link resources the machines use, from a `DefenderConnectivity` (in this subscription or a hub): set a field only when that scope exists. */
    privateLink?: MachinesPrivateLinkSettings;
    /** Per-machine resources (default) or Azure Policy at a subscription or resource-group scope; for a management group use `DefenderManagementGroupRollout`. */
    rollout?: MachinesRolloutSettings;
    /** Microsoft's built-in policies to assign at this subscription (identity for Azure VMs, periodic update assessment); VM extensions wait for the identity ones. */
    builtInPolicies?: BuiltInPolicySettings;
    /** Tags for every resource of this component that takes tags. */
    tags?: { [name: string]: string };
}

/** The scopes a `DefenderConnectivity` made, as the machines use them. */
export interface MachinesPrivateLinkSettings {
    /** `DefenderConnectivity.arcPrivateLinkScopeId`: Arc machines listed `associated` bypass the proxy for Arc; `associateByPolicy` ones are associated with it. */
    arcPrivateLinkScopeId?: pulumi.Input<string | undefined>;
    /** `DefenderConnectivity.dataCollectionEndpointId`: the log agents go to the private endpoint, not the proxy, and read their configuration from this endpoint. */
    dataCollectionEndpointId?: pulumi.Input<string | undefined>;
}

/** How the machine-level parts reach the machines of one subscription. */
export interface MachinesRolloutSettings {
    /** `machines` (default) or `policy`. */
    mode?: RolloutMode;
    /** Policy mode: `/subscriptions/<id>` (default: `subscriptionId`) or `/subscriptions/<id>/resourceGroups/<name>`. */
    scope?: string;
    /** Policy mode: start remediation tasks for the machines that exist (default `true`). */
    remediate?: boolean;
    /** Policy mode: deployments each remediation task runs at once, 1 to 30 (default 30). */
    parallelDeployments?: number;
    /** Policy mode: minutes `pulumi up` waits for the OS-proxy remediation before `readiness` resolves (default 60). */
    waitForRemediationMinutes?: number;
}

/** `DefenderConnectivity`: Arc and Azure Monitor Private Link scopes, their private endpoints and DNS, in this subscription or a hub. */
export interface DefenderConnectivityArgs {
    /** Region of the private endpoints and the default region of the Arc scope, e.g. `westeurope`. */
    location: string;
    /** Azure cloud: `AzureCloud` (default) or `AzureUSGovernment`; decides the zone names. */
    cloud?: Cloud;
    /** Subscription (a GUID) the scopes and endpoints go to: the one this component's azure-native provider signs in to (in a hub: the hub's, through `providers`). */
    subscriptionId: string;
    /** Resource group for the scopes, endpoints and any zone created here. */
    resourceGroupName: pulumi.Input<string>;
    /** Resource id of the subnet the private endpoints go in. */
    subnetId?: pulumi.Input<string>;
    /** Existing private DNS zones (zone name to resource id), e.g. the hub's: used as they are, never created, changed or linked. */
    existingDnsZoneIds?: { [zoneName: string]: pulumi.Input<string> };
    /** Create the zones that `existingDnsZoneIds` does not name (default `false`: every zone the endpoints need must be given, so nothing lands in a shared hub unless asked). */
    createDnsZones?: boolean;
    /** Virtual networks to link the zones created here to (`createDnsZones` only). A link makes every machine using that network's DNS resolve the zone's names to the private addresses, for every resource of that service, not only these scopes: see docs/scopes.md. */
    linkZonesToVirtualNetworkIds?: pulumi.Input<string>[];
    /** An Azure Arc Private Link Scope. */
    arc?: ConnectivityArcSettings;
    /** An Azure Monitor Private Link Scope with the workspace and a data collection endpoint. */
    azureMonitor?: ConnectivityAzureMonitorSettings;
    /** Tags for every resource of this component that takes tags. */
    tags?: { [name: string]: string };
}

/** The Arc Private Link Scope of a `DefenderConnectivity`. */
export interface ConnectivityArcSettings {
    /** Region of the scope (default: `location`); Arc machines must be in the same region. */
    location?: string;
    /** Allow public network access to the scope (default `false`). */
    publicNetworkAccess?: boolean;
    /** Create the `hybridcompute` private endpoint in `subnetId` (default `true`). */
    privateEndpoint?: boolean;
}

/** The Azure Monitor Private Link Scope of a `DefenderConnectivity`. */
export interface ConnectivityAzureMonitorSettings extends AzureMonitorPrivateLinkScopeSettings {
    /** Resource id of the Log Analytics workspace the scope makes private. */
    workspaceResourceId: pulumi.Input<string>;
    /** Resource group (`/subscriptions/<id>/resourceGroups/<name>`) for the data collection endpoint (default: the workspace's). */
    dataCollectionResourceGroupId?: string;
    /** Region of the data collection endpoint: the workspace's region (default: `location`). */
    dataCollectionEndpointLocation?: string;
}

/** `DefenderManagementGroupRollout`: Defender for Servers for every listed subscription of a management group. */
export interface DefenderManagementGroupRolloutArgs {
    /** The management group's id (the last part of `/providers/Microsoft.Management/managementGroups/<id>`). The policy initiative is assigned there. */
    managementGroupId: string;
    /** Every subscription under it that gets the plan, the MDE settings and the identity prerequisites, each through its own provider. */
    subscriptionIds: string[];
    /** Azure region of the assignment's identity and the deployment metadata. */
    location: string;
    /** Azure cloud: `AzureCloud` (default) or `AzureUSGovernment`. */
    cloud?: Cloud;
    /** The Defender for Servers plan, the same in every subscription. */
    plan?: DefenderPlanSettings;
    /** MDE integration, switched on in each subscription after that subscription's remediation. */
    mdeIntegration?: MdeIntegrationSettings;
    /** Keep the plans and MDE integration in Azure when this component is deleted (default `true`). */
    retainProtectionOnDelete?: boolean;
    /** The HTTP proxy every machine in the group uses. */
    proxy?: ProxySettings;
    /** Log collection with the Azure Monitor Agent (give `logs.dataCollectionRuleId` or a workspace in the first subscription). */
    logs?: LogCollectionSettings;
    /** Guest Configuration on Azure VMs. */
    guestConfiguration?: GuestConfigurationSettings;
    /** Assign the built-in identity policies in every subscription, so the Azure Monitor Agent policy can sign in on every VM (default `true` when AMA is on). */
    addSystemAssignedIdentity?: boolean;
    /** Deployments each remediation task runs at once, 1 to 30 (default 30). */
    parallelDeployments?: number;
    /** Minutes `pulumi up` waits for the OS-proxy remediation before MDE may be switched on (default 60). */
    waitForRemediationMinutes?: number;
    /** Tags for every resource of this component that takes tags. */
    tags?: { [name: string]: string };
}
