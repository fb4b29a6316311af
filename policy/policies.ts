/**
 * The policies of the `defender-servers` pack: a name, a description and an enforcement level
 * for each check in `rules.ts`. Kept apart from `index.ts`, whose `new PolicyPack(...)` starts a
 * server, so that tests can import them.
 */
import type { Policies, PolicyConfigSchema } from "@pulumi/policy";
import {
    ArcPrivateLinkScopeConfig,
    AzureMonitorPrivateLinkScopeConfig,
    DefenderForServersConfig,
    GuestConfigurationConfig,
    arcPrivateLinkScopeIsPrivate,
    azureMonitorAgentFollowsOsProxy,
    azureMonitorAgentIdentityIsComplete,
    azureMonitorPrivateLinkScopeIsPrivate,
    defenderForServersIsStandard,
    guestConfigurationVmsArePrivateWithIdentity,
    noCredentialsInPlainSettings,
} from "./rules";
import { noCredentialsInPolicies, PolicyModeConfig, policyModeWaitsForTheProxy } from "./policyModeRules";

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const POLICY_PACK_NAME = "defender-servers";

/** A schema of boolean allowances, each off by default (the strict behaviour). */
function allowances(properties: Record<string, string>): PolicyConfigSchema {
    return {
        properties: Object.fromEntries(
            Object.entries(properties).map(([name, description]) => [name, { type: "boolean", default: false, description }]),
        ),
    };
}

/**
 * Each policy's config schema, by policy name: what `--policy-pack-config` may set beside
 * `enforcementLevel`, each property the component argument it matches.
 */
export const CONFIG_SCHEMAS: Record<string, PolicyConfigSchema> = {
    "defender-for-servers-standard": allowances({
        allowMachineExclusions: 'Pass Free pricings at one machine\'s scope (defender-servers: machines[].defenderPlan "Free").',
    }),
    "arc-private-link-scope-not-public": allowances({
        allowPublicNetworkAccess: "Pass a scope open to public networks (defender-servers: privateLink.arc.publicNetworkAccess true).",
    }),
    "azure-monitor-private-link-scope-private-ingestion": allowances({
        allowOpenIngestion: 'Pass scope-wide Open ingestion (defender-servers: privateLink.azureMonitor.ingestionAccessMode "Open").',
    }),
    "policy-mode-waits-for-the-proxy": allowances({
        allowNoRemediation:
            "Pass an OS-proxy policy assignment with no remediation task (defender-servers: rollout.remediate false, or a management group with no rollout.remediationSubscriptionIds).",
        allowNoWait: "Pass remediation tasks nothing waits for (defender-servers: rollout.waitForRemediationMinutes 0).",
        allowNoRouteCheck: "Pass OS-proxy run commands in policies that prove no route (defender-servers: proxy.routeCheck false).",
    }),
    "guest-configuration-private-network-and-identity": allowances({
        allowIdentityFromPolicy:
            "Pass VMs without a system-assigned identity in the program (defender-servers: builtInPolicies.addSystemAssignedIdentity true).",
        allowTagFromPolicy:
            "Pass VMs without the EnablePrivateNetworkGC tag in the program (defender-servers: guestConfiguration.tagExistingVms true).",
    }),
};

/** Every policy, mandatory unless the pack's configuration says otherwise; the rules get their policy's config. */
export const policies: Policies = [
    {
        name: "defender-for-servers-standard",
        description: "The Defender for Servers plan (security:Pricing VirtualMachines) is on the Standard tier.",
        enforcementLevel: "mandatory",
        configSchema: CONFIG_SCHEMAS["defender-for-servers-standard"],
        validateResource: (args, report) => defenderForServersIsStandard(args, report, args.getConfig<DefenderForServersConfig>()),
    },
    {
        name: "arc-private-link-scope-not-public",
        description: "Azure Arc Private Link Scopes disable public network access.",
        enforcementLevel: "mandatory",
        configSchema: CONFIG_SCHEMAS["arc-private-link-scope-not-public"],
        validateResource: (args, report) => arcPrivateLinkScopeIsPrivate(args, report, args.getConfig<ArcPrivateLinkScopeConfig>()),
    },
    {
        name: "azure-monitor-private-link-scope-private-ingestion",
        description:
            "Azure Monitor Private Link Scopes accept ingestion through private endpoints only (PrivateOnly, exclusions included).",
        enforcementLevel: "mandatory",
        configSchema: CONFIG_SCHEMAS["azure-monitor-private-link-scope-private-ingestion"],
        validateResource: (args, report) =>
            azureMonitorPrivateLinkScopeIsPrivate(args, report, args.getConfig<AzureMonitorPrivateLinkScopeConfig>()),
    },
    {
        name: "no-proxy-credentials-in-plain-settings",
        description:
            "VM, scale set and Arc extensions keep credentials out of plain settings, and run commands out of plain parameters: protected settings only.",
        enforcementLevel: "mandatory",
        validateResource: noCredentialsInPlainSettings,
    },
    {
        name: "azure-monitor-agent-identity-complete",
        description:
            "An Azure Monitor Agent given settings.authentication names its user-assigned identity completely (identifier-name mi_res_id, object_id or client_id, and a value).",
        enforcementLevel: "mandatory",
        validateResource: azureMonitorAgentIdentityIsComplete,
    },
    {
        name: "azure-monitor-agent-follows-os-proxy",
        description:
            "An Azure Monitor Agent on a machine behind an operating-system proxy run command uses that same proxy (unless the stack routes Azure Monitor through a Private Link Scope). Machines without AMA pass.",
        enforcementLevel: "mandatory",
        validateStack: azureMonitorAgentFollowsOsProxy,
    },
    {
        name: "no-credentials-in-policies",
        description:
            "Policy definitions, initiatives and assignments carry no credential (readable by anyone with Reader on their scope, protected settings of a DeployIfNotExists template included).",
        enforcementLevel: "mandatory",
        validateResource: noCredentialsInPolicies,
    },
    {
        name: "policy-mode-waits-for-the-proxy",
        description:
            "An assignment of a policy that deploys an operating-system proxy run command remediates existing machines, something waits for that remediation, and the run commands prove the route.",
        enforcementLevel: "mandatory",
        configSchema: CONFIG_SCHEMAS["policy-mode-waits-for-the-proxy"],
        validateStack: (args, report) => policyModeWaitsForTheProxy(args, report, args.getConfig<PolicyModeConfig>()),
    },
    {
        name: "guest-configuration-private-network-and-identity",
        description:
            "VMs declared in the stack that have the Guest Configuration extension carry EnablePrivateNetworkGC=TRUE and a system-assigned identity.",
        enforcementLevel: "mandatory",
        configSchema: CONFIG_SCHEMAS["guest-configuration-private-network-and-identity"],
        validateStack: (args, report) =>
            guestConfigurationVmsArePrivateWithIdentity(args, report, args.getConfig<GuestConfigurationConfig>()),
    },
];
