// Azure Arc gateway: on-premises servers whose only way out is an HTTP proxy. The Arc agent and its
// extensions go through one gateway (created here) instead of a dozen Arc hosts; Defender for
// Endpoint and the Azure Monitor Agent still go through the proxy to their own hosts. Paste the
// `squidAllowlist` output into the proxy, and narrow its `.gw.arc.azure.com` line to
// `arcGatewayEndpoint` once the gateway exists.
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted } from "../../sdk";

const config = new pulumi.Config();

const defender = new DefenderForServersNetworkRestricted("defender", {
    subscriptionId: config.require("subscriptionId"),
    location: config.require("location"),
    plan: { subPlan: "P2", defenderVulnerabilityManagement: true },
    proxy: { address: config.require("proxyAddress") },
    machines: [
        { key: "onprem-web-01", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "onprem-web-01" },
        { key: "onprem-app-01", kind: "arc", os: "windows", resourceGroupName: "rg-arc", name: "onprem-app-01" },
    ],
    logs: { workspaceResourceId: config.require("workspaceResourceId") },
    arcGateway: {
        resourceGroupName: "rg-arc-gateway",
        gatewayName: "gw-defender-servers",
        tenantId: config.require("tenantId"),
        machinesResourceGroupName: "rg-arc",
    },
});

export const arcGatewayId = defender.arcGatewayId;
export const arcGatewayEndpoint = defender.arcGatewayEndpoint;
export const arcGatewayOnboardingCommands = defender.arcGatewayOnboardingCommands;
export const proxyAllowlist = defender.proxyAllowlist;
export const squidAllowlist = defender.squidAllowlist;
export const egressNotes = defender.egressNotes;
