/**
 * The policies of the `defender-servers` pack: a name, a description and an enforcement level
 * for each check in `rules.ts`. Kept apart from `index.ts`, whose `new PolicyPack(...)` starts a
 * server, so that tests can import them.
 */
import type { Policies } from "@pulumi/policy";
import {
    arcPrivateLinkScopeIsPrivate,
    azureMonitorAgentFollowsOsProxy,
    azureMonitorAgentIdentityIsComplete,
    azureMonitorPrivateLinkScopeIsPrivate,
    defenderForServersIsStandard,
    guestConfigurationVmsArePrivateWithIdentity,
    noCredentialsInPlainSettings,
} from "./rules";

/** The pack's name, as `pulumi preview --policy-pack` reports it. */
export const POLICY_PACK_NAME = "defender-servers";

/** Every policy, mandatory unless the pack's configuration says otherwise. */
export const policies: Policies = [
    {
        name: "defender-for-servers-standard",
        description: "The Defender for Servers plan (security:Pricing VirtualMachines) is on the Standard tier.",
        enforcementLevel: "mandatory",
        validateResource: defenderForServersIsStandard,
    },
    {
        name: "arc-private-link-scope-not-public",
        description: "Azure Arc Private Link Scopes disable public network access.",
        enforcementLevel: "mandatory",
        validateResource: arcPrivateLinkScopeIsPrivate,
    },
    {
        name: "azure-monitor-private-link-scope-private-ingestion",
        description:
            "Azure Monitor Private Link Scopes accept ingestion through private endpoints only (PrivateOnly, exclusions included).",
        enforcementLevel: "mandatory",
        validateResource: azureMonitorPrivateLinkScopeIsPrivate,
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
        name: "guest-configuration-private-network-and-identity",
        description:
            "VMs declared in the stack that have the Guest Configuration extension carry EnablePrivateNetworkGC=TRUE and a system-assigned identity.",
        enforcementLevel: "mandatory",
        validateStack: guestConfigurationVmsArePrivateWithIdentity,
    },
];
