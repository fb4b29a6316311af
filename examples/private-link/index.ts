// Private Link only: on-premises servers onboarded to Azure Arc over ExpressRoute, and an Azure
// VM, none with a proxy. Arc and Azure Monitor traffic goes through private endpoints in the hub;
// the private DNS zones are created here and linked to the hub network.
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted } from "../../sdk";

const config = new pulumi.Config();

const defender = new DefenderForServersNetworkRestricted("defender", {
    subscriptionId: config.require("subscriptionId"),
    location: config.require("location"),
    plan: { subPlan: "P2", defenderVulnerabilityManagement: true },
    machines: [
        // Onboarded with the output arcOnboardingCommands (--private-link-scope): associated with the scope.
        {
            key: "onprem-web-01",
            kind: "arc",
            os: "linux",
            resourceGroupName: "rg-arc",
            name: "onprem-web-01",
            arcPrivateLinkScope: "associated",
        },
        {
            key: "onprem-app-01",
            kind: "arc",
            os: "windows",
            resourceGroupName: "rg-arc",
            name: "onprem-app-01",
            arcPrivateLinkScope: "associated",
        },
        {
            key: "vm-jump-01",
            kind: "azureVm",
            os: "windows",
            resourceGroupName: "rg-hub",
            name: "vm-jump-01",
            systemAssignedIdentity: true,
        },
    ],
    logs: { workspaceResourceId: config.require("workspaceResourceId") },
    privateLink: {
        resourceGroupName: "rg-private-link",
        subnetId: config.require("endpointSubnetId"),
        virtualNetworkIds: [config.require("hubVirtualNetworkId")],
        arc: { tenantId: config.require("tenantId"), machinesResourceGroupName: "rg-arc" },
        azureMonitor: { ingestionAccessMode: "PrivateOnly", queryAccessMode: "Open" },
    },
});

export const arcPrivateLinkScopeId = defender.arcPrivateLinkScopeId;
export const arcOnboardingCommands = defender.arcOnboardingCommands;
export const egressNotes = defender.egressNotes;
