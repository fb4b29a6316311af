// A landing zone: the SOC's Log Analytics workspace (with Microsoft Sentinel) sits in the
// platform subscription; this stack owns the workload subscription. The data collection rule
// goes in a resource group of this subscription and sends to the central workspace; an Arc
// Private Link Scope is added beside machines that were onboarded before it existed.
//
// - `arc-legacy-01` was onboarded through the proxy before the scope existed: left "none", it
//   keeps going through the proxy (bypassing Arc there would cut it off).
// - `arc-moving-01` is being moved: the built-in policy associates it, and the scope keeps
//   public access on until it is listed "associated".
// - `arc-new-01` was onboarded with `arcOnboardingCommands` (`--private-link-scope`): associated,
//   so its Arc agent bypasses the proxy for Arc.
// - `vm-app-01` has a user-assigned identity only: AMA signs in with it; Guest Configuration,
//   which needs a system-assigned one, is left out there.
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted } from "../../sdk";

const config = new pulumi.Config();
const subscriptionId = config.require("subscriptionId");
const dnsZones = config.require("hubDnsZoneResourceGroupId");
const zone = (name: string) => `${dnsZones}/providers/Microsoft.Network/privateDnsZones/${name}`;

const defender = new DefenderForServersNetworkRestricted("defender", {
    subscriptionId,
    location: config.require("location"),
    plan: { subPlan: "P2", defenderVulnerabilityManagement: true },
    proxy: { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] },
    machines: [
        { key: "arc-legacy-01", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "arc-legacy-01" },
        {
            key: "arc-moving-01",
            kind: "arc",
            os: "windows",
            resourceGroupName: "rg-arc",
            name: "arc-moving-01",
            arcPrivateLinkScope: "associateByPolicy",
        },
        { key: "arc-new-01", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "arc-new-01", arcPrivateLinkScope: "associated" },
        {
            key: "vm-app-01",
            kind: "azureVm",
            os: "windows",
            resourceGroupName: "rg-app",
            name: "vm-app-01",
            userAssignedIdentityId: `/subscriptions/${subscriptionId}/resourceGroups/rg-identity/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ama`,
            exclude: ["guestConfiguration"],
        },
    ],
    logs: {
        workspaceResourceId: config.require("centralWorkspaceResourceId"),
        // The workspace is in another subscription: the rule goes here, and sends there.
        dataCollectionResourceGroupId: `/subscriptions/${subscriptionId}/resourceGroups/rg-monitoring`,
        streams: ["securityEvents", "authSyslog"],
        // The SOC runs Microsoft Sentinel on the central workspace, which gives it the SecurityEvent table.
        workspaceSecuritySolution: "sentinel",
    },
    builtInPolicies: { periodicUpdateAssessment: true },
    privateLink: {
        resourceGroupName: "rg-private-link",
        subnetId: config.require("endpointSubnetId"),
        // The hub's private DNS zones are used as they are.
        existingDnsZoneIds: Object.fromEntries(
            [
                "privatelink.his.arc.azure.com",
                "privatelink.guestconfiguration.azure.com",
                "privatelink.dp.kubernetesconfiguration.azure.com",
            ].map((name) => [name, zone(name)]),
        ),
        // Public access stays on while arc-moving-01 moves; turn it off once every machine is "associated".
        arc: { tenantId: config.require("tenantId"), machinesResourceGroupName: "rg-arc", publicNetworkAccess: true },
    },
});

export const arcPrivateLinkScopeId = defender.arcPrivateLinkScopeId;
export const arcOnboardingCommands = defender.arcOnboardingCommands;
export const proxyAllowlist = defender.proxyAllowlist;
