// The default example: Defender for Servers Plan 2 for a mixed fleet (a Windows VM, a Linux VM
// and a Linux Arc-enabled server) whose only way out is an authenticated HTTP proxy.
// `npm start` previews it offline; with the Pulumi CLI and an Azure login, `pulumi preview`.
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted, LogCollectionSettings, MachineSettings, WorkspaceSecuritySolution } from "../../sdk";

const config = new pulumi.Config();

/** Log collection: the Windows stream only where the workspace can take it (the component refuses it elsewhere). */
function logsFor(workspaceResourceId: string, workspaceSecuritySolution: WorkspaceSecuritySolution | undefined): LogCollectionSettings {
    if (workspaceSecuritySolution === undefined) return { workspaceResourceId };
    return { workspaceResourceId, streams: ["authSyslog", "securityEvents"], workspaceSecuritySolution };
}

const defender = new DefenderForServersNetworkRestricted("defender", {
    subscriptionId: config.require("subscriptionId"),
    location: config.require("location"),
    plan: {
        subPlan: config.get("subPlan") ?? "P2",
        agentlessScanningExclusionTags: { "defender-scan": "skip" },
        defenderVulnerabilityManagement: true,
    },
    proxy: {
        address: config.require("proxyAddress"),
        bypass: config.getObject<string[]>("proxyBypass"),
        // AMA takes these credentials; MDE on Linux, the Azure Linux Agent and the Arc agent
        // cannot authenticate, so the proxy lets the agent hosts through without them.
        username: config.require("proxyUsername"),
        password: config.requireSecret("proxyPassword"),
        unauthenticatedForAgentHosts: true,
    },
    // Defender for Cloud onboards MDE with standard connectivity unless the tenant opts in to streamlined:
    // the egress list carries Microsoft's standard URL list, narrowed to the tenant's data location when given.
    mdeIntegration: { connectivity: "standard", dataLocation: config.get("mdeDataLocation") },
    machines: config.requireObject<MachineSettings[]>("machines"),
    // Linux auth syslog from every machine and, where the workspace has a SecurityEvent table
    // (Sentinel or Defender for Servers Plan 2 on it: say which), the Windows Security log.
    logs: logsFor(config.require("workspaceResourceId"), config.get("workspaceSecuritySolution") as WorkspaceSecuritySolution | undefined),
    // The VMs exist already: tag them for Guest Configuration's private path through a policy.
    guestConfiguration: { tagExistingVms: true },
});

export const pricingId = defender.pricingId;
export const subPlan = defender.subPlan;
export const guestConfigurationTags = defender.guestConfigurationTags;
export const proxyBypass = defender.proxyBypass;
export const egressNotes = defender.egressNotes;
export const azureFirewallRules = defender.azureFirewallRules;
export const onboardingVerification = defender.onboardingVerification;
