/**
 * The egress list as Azure Firewall policy rule collections: application rules by FQDN,
 * grouped by protocol, port and whether Microsoft allows TLS inspection, and network rules
 * for what only a service tag can name. Plain data in the shape of
 * `network.FirewallPolicyRuleCollectionGroup`'s `ruleCollections`, so the same value is both
 * printed (output `azureFirewallRules`) and, opt-in, enforced.
 *
 * Target FQDNs are written as exact names or `*.` wildcards. The one partial-label form on the list,
 * `azgn*.servicebus.windows.net`, becomes `*.servicebus.windows.net`, the alternative the Arc network table
 * itself gives ("`azgn*.servicebus.windows.net` or `*.servicebus.windows.net`"), rather than relying on
 * inner-label wildcard matching that no Microsoft page found here confirms for Azure Firewall.
 * `terminateTLS: false` (Azure Firewall Premium's switch for TLS inspection) is set on every rule whose hosts
 * Microsoft says must not be inspected.
 */
import { isIP } from "node:net";
import { EgressEndpoint, ServiceTagDestination } from "./egress";

/** The protocol and port an application rule matches. */
export interface AzureFirewallRuleProtocol {
    /** `Http` or `Https`. */
    protocolType: string;
    /** TCP port. */
    port: number;
}

/** What a rule collection does with matching traffic. */
export interface AzureFirewallRuleAction {
    /** Always `Allow`. */
    type: string;
}

/** One rule of an Azure Firewall policy rule collection (application or network). */
export interface AzureFirewallRule {
    /** `ApplicationRule` or `NetworkRule`. */
    ruleType: string;
    /** Rule name, unique in its collection. */
    name: string;
    /** What the rule is for. */
    description: string;
    /** Source addresses (CIDR ranges or `*`). */
    sourceAddresses: string[];
    /** Application rules: `Http` or `Https` with a port. */
    protocols?: AzureFirewallRuleProtocol[];
    /** Application rules: destination FQDNs, `*.` wildcards allowed. */
    targetFqdns?: string[];
    /** Application rules: false where Microsoft forbids TLS inspection of these hosts (Azure Firewall Premium). */
    terminateTLS?: boolean;
    /** Network rules: `TCP`. */
    ipProtocols?: string[];
    /** Network rules: service tags. */
    destinationAddresses?: string[];
    /** Network rules: destination ports. */
    destinationPorts?: string[];
}

/** One rule collection of an Azure Firewall policy rule collection group. */
export interface AzureFirewallRuleCollection {
    /** Always `FirewallPolicyFilterRuleCollection`. */
    ruleCollectionType: string;
    /** Collection name, unique in the group. */
    name: string;
    /** Priority within the group (lower runs first). */
    priority: number;
    /** Always `{ type: "Allow" }`. */
    action: AzureFirewallRuleAction;
    /** The rules. */
    rules: AzureFirewallRule[];
}

/** Choices the rule collections take from the args. */
export interface FirewallRuleOptions {
    /** Source addresses of every rule (default `["*"]`). */
    sourceAddresses?: string[];
    /** Priority of the first collection; the next ones follow in steps of 10 (default 100). */
    firstPriority?: number;
}

/** An egress host as Azure Firewall writes it in `targetFqdns`. */
export function firewallFqdn(host: string): string {
    if (host.startsWith("*.") && !host.slice(2).includes("*")) return host;
    if (!host.includes("*")) return host;
    // The Arc table offers the wider form itself for this one host; no other partial-label form is documented.
    const servicebus = /^azgn\*\.(servicebus\.[a-z0-9.-]+)$/.exec(host);
    if (servicebus !== null) return `*.${servicebus[1]}`;
    throw new Error(`azureFirewallRules: "${host}" has a wildcard Azure Firewall cannot express`);
}

/**
 * The rule collections for the proxy-routed entries (Private Link and platform entries never cross the
 * firewall as internet traffic) and the service-tag destinations.
 */
export function azureFirewallRuleCollections(
    endpoints: EgressEndpoint[],
    serviceTags: ServiceTagDestination[],
    options: FirewallRuleOptions = {},
): AzureFirewallRuleCollection[] {
    const sourceAddresses = options.sourceAddresses ?? ["*"];
    const first = options.firstPriority ?? 100;
    // An address is no FQDN: an application rule's targetFqdns could not match it.
    const proxied = endpoints.filter((e) => e.route === "proxy" && isIP(e.host) === 0);

    const groups = [
        { name: "defender-servers-https-no-tls-inspection", protocol: "Https", port: 443, inspect: false },
        { name: "defender-servers-https", protocol: "Https", port: 443, inspect: true },
        { name: "defender-servers-http", protocol: "Http", port: 80, inspect: undefined },
    ];
    const collections: AzureFirewallRuleCollection[] = [];
    for (const group of groups) {
        const members = proxied.filter((e) => e.port === group.port && (group.inspect === undefined || e.tlsInspection === group.inspect));
        if (members.length === 0) continue;
        const agents = [...new Set(members.flatMap((e) => e.agents))].sort();
        const rules: AzureFirewallRule[] = [];
        for (const agent of agents) {
            // A host several agents share goes in the rule of the first of them, once.
            const fqdns = [...new Set(members.filter((e) => [...e.agents].sort()[0] === agent).map((e) => firewallFqdn(e.host)))].sort();
            if (fqdns.length === 0) continue;
            rules.push({
                ruleType: "ApplicationRule",
                name: ruleName(agent),
                description:
                    group.inspect === false
                        ? `${agent}: Microsoft does not support TLS inspection of these hosts`
                        : `${agent}: ${group.protocol.toUpperCase()} ${group.port}`,
                sourceAddresses: [...sourceAddresses],
                protocols: [{ protocolType: group.protocol, port: group.port }],
                targetFqdns: fqdns,
                ...(group.inspect === false ? { terminateTLS: false } : {}),
            });
        }
        collections.push({
            ruleCollectionType: "FirewallPolicyFilterRuleCollection",
            name: group.name,
            priority: 0,
            action: { type: "Allow" },
            rules,
        });
    }
    if (serviceTags.length > 0) {
        collections.push({
            ruleCollectionType: "FirewallPolicyFilterRuleCollection",
            name: "defender-servers-service-tags",
            priority: 0,
            action: { type: "Allow" },
            rules: serviceTags.map((t) => ({
                ruleType: "NetworkRule",
                name: ruleName(t.serviceTag),
                description: `${t.agents.join(", ")}: ${t.why}`,
                sourceAddresses: [...sourceAddresses],
                ipProtocols: ["TCP"],
                destinationAddresses: [t.serviceTag],
                destinationPorts: [String(t.port)],
            })),
        });
    }
    return collections.map((c, i) => ({ ...c, priority: first + 10 * i }));
}

/** A rule name Azure accepts (letters, digits, `-`, `_`, `.`), from an agent or tag name. */
function ruleName(text: string): string {
    return text
        .replace(/[^A-Za-z0-9_.-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .toLowerCase();
}
