// A management group of three subscriptions whose servers reach the cloud through one HTTP proxy.
// The proxy, the agents and the Guest Configuration tag are Azure Policy, assigned once at the
// group, with a remediation task per subscription; each subscription then gets its own plan and
// MDE settings (through its own azure-native provider), after its own remediation, and the
// built-in identity policies the Azure Monitor Agent policy needs. See docs/scopes.md.
// `npm start -- examples/management-group` previews it offline.
import * as pulumi from "@pulumi/pulumi";
import { DefenderManagementGroupRollout } from "../../sdk";

const config = new pulumi.Config();

const rollout = new DefenderManagementGroupRollout("servers", {
    managementGroupId: config.require("managementGroupId"),
    subscriptionIds: config.requireObject<string[]>("subscriptionIds"),
    location: config.require("location"),
    plan: { subPlan: "P2", defenderVulnerabilityManagement: true },
    proxy: { address: config.require("proxyAddress"), bypass: [".corp.example"] },
    logs: { workspaceResourceId: config.require("workspaceResourceId") },
    tags: { "cost-center": "security", owner: "platform-team" },
});

export const pricingIds = rollout.pricingIds;
export const readinessBySubscription = rollout.readinessBySubscription;
