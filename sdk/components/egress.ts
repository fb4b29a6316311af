/**
 * The egress contract of a fleet as plain data: what the machines reach, which of it goes
 * through the proxy, the bypass list, the proxy allowlist and the firewall rules. The
 * components declare resources from it; `defenderEgress` hands it to a network team with no
 * stack, no engine and no credentials.
 */
import { DefenderForServersNetworkRestrictedArgs } from "../args";
import { arcGatewayEgressNotes, egressWithGateway } from "../plan/arcGateway";
import { bypassList } from "../plan/bypass";
import {
    EgressDestination,
    EgressEndpoint,
    EgressInput,
    egressNotes,
    privateLinkHosts,
    proxyAllowlist,
    serviceTagDestinations,
    squidAllowlistSnippet,
} from "../plan/egress";
import { egressInputFor } from "../plan/fleetEgress";
import { AzureFirewallRuleCollection, azureFirewallRuleCollections } from "../plan/firewallRules";
import { NormalizedArgs, validate } from "../validate";
import { splitTags } from "./tags";

/** The egress contract, computed from validated args. */
export interface EgressPlan {
    /** What it is computed from. */
    input: EgressInput;
    /** Every endpoint the machines reach, with its route. */
    egress: EgressEndpoint[];
    /** The operating-system proxy bypass list (empty without a proxy). */
    bypass: string[];
    /** The egress list as Azure Firewall rule collections. */
    firewallRules: AzureFirewallRuleCollection[];
}

/** The egress contract of validated args. */
export function egressPlan(settings: NormalizedArgs): EgressPlan {
    const input = egressInputFor(settings);
    const egress = egressWithGateway(settings, input);
    const bypass = settings.proxy === undefined ? [] : bypassList(settings.proxy.bypass, privateLinkHosts(egress));
    const firewallRules = azureFirewallRuleCollections(egress, serviceTagDestinations(input), {
        sourceAddresses: settings.azureFirewall?.sourceAddresses,
    });
    return { input, egress, bypass, firewallRules };
}

/** What a network team needs to open the road out for a fleet. */
export interface DefenderEgress {
    /** Every endpoint the machines reach: host, port, agents, why, when, and route (`proxy`, `privateLink` or `platform`). */
    egress: EgressDestination[];
    /** The host names the proxy must allow (HTTPS, port 443), sorted. */
    proxyAllowlist: string[];
    /** The same allowlist as a Squid configuration snippet, to paste before `http_access deny all`. */
    squidAllowlist: string;
    /** The operating-system proxy bypass list the run commands set. */
    proxyBypass: string[];
    /** The egress list as Azure Firewall policy rule collections. */
    azureFirewallRules: AzureFirewallRuleCollection[];
    /** Caveats about the list. */
    notes: string[];
}

/**
 * The egress contract for these args, exactly as the component's `egress`, `proxyAllowlist`,
 * `squidAllowlist`, `proxyBypass`, `azureFirewallRules` and `egressNotes` outputs would give
 * it: a pure function, no stack needed. Bad args throw the component's `ValidationError`.
 */
export function defenderEgress(args: DefenderForServersNetworkRestrictedArgs): DefenderEgress {
    const settings = validate(splitTags(args).rest).args;
    const plan = egressPlan(settings);
    return {
        egress: plan.egress,
        proxyAllowlist: proxyAllowlist(plan.egress),
        squidAllowlist: squidAllowlistSnippet(plan.egress),
        proxyBypass: plan.bypass,
        azureFirewallRules: plan.firewallRules,
        notes: [...egressNotes(plan.input), ...arcGatewayEgressNotes(settings)],
    };
}
