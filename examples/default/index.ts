// The default example: Defender for Servers Plan 2 with MDE integration and Defender
// Vulnerability Management on one subscription. `npm start` previews it offline.
import * as pulumi from "@pulumi/pulumi";
import { DefenderForServersNetworkRestricted } from "../../sdk";

const config = new pulumi.Config();

const defender = new DefenderForServersNetworkRestricted("defender", {
    subscriptionId: config.require("subscriptionId"),
    location: config.require("location"),
    plan: {
        subPlan: config.get("subPlan") ?? "P2",
        agentlessScanningExclusionTags: { "defender-scan": "skip" },
        defenderVulnerabilityManagement: true,
    },
    mdeIntegration: { includeLinux: true },
});

export const pricingId = defender.pricingId;
export const subPlan = defender.subPlan;
