// sdk/plan/firewallRules.ts: the egress list as Azure Firewall policy rule collections.
// The expected objects are written by hand in the shape Azure receives, from the ARM schema of
// Microsoft.Network/firewallPolicies/ruleCollectionGroups (Azure/azure-rest-api-specs
// specification/network/resource-manager/Microsoft.Network/stable/2024-05-01/firewallPolicy.json):
// - a collection is `ruleCollectionType: "FirewallPolicyFilterRuleCollection"` with `action.type`
//   `Allow` (or `Deny`) and a `priority` from 100 to 65000;
// - an application rule is `ruleType: "ApplicationRule"` with `protocols: [{protocolType: "Http"|"Https", port}]`,
//   `targetFqdns`, `sourceAddresses` and `terminateTLS` (boolean; "Terminate TLS connections for this rule");
// - a network rule is `ruleType: "NetworkRule"` with `ipProtocols` (`TCP`, ...), `destinationAddresses`
//   ("List of destination IP addresses or Service Tags") and `destinationPorts` (strings).
// Which hosts must not be inspected: Defender for Endpoint ("Traffic inspection is not supported",
// defender-docs `defender-endpoint/configure-device-connectivity.md`) and Azure Monitor Agent ("For all
// endpoints, HTTPS inspection must be disabled", azure-monitor-docs `azure-monitor-agent-network-configuration.md`).
// The Arc table offers `*.servicebus.windows.net` as the alternative to `azgn*.servicebus.windows.net`
// (azure-management-docs `articles/azure-arc/servers/includes/network-requirements.md`, 04/01/2026).
import { strict as assert } from "node:assert";
import { ServiceTagDestination } from "../../sdk/plan/egress";
import { azureFirewallRuleCollections, firewallFqdn } from "../../sdk/plan/firewallRules";
import { egressRow } from "./egressRow";

const MDE = "Defender for Endpoint";
const ARC = "Arc agent";
const AMA = "Azure Monitor Agent";

const row = egressRow;

const FRONT_DOOR: ServiceTagDestination = {
    serviceTag: "AzureFrontDoor.Frontend",
    port: 443,
    agents: [ARC],
    why: "Arc extension packages from Microsoft's CDN",
};

describe("egress firewall rules: Azure Firewall policy rule collections", function () {
    it("one collection per protocol, port and inspection, one rule per agent, service tags as network rules", function () {
        const endpoints = [
            // Listed out of order on purpose: rules, hosts and collections come out sorted.
            row("winatp-gw-weu.microsoft.com", [MDE], { tlsInspection: false }),
            row("global.handler.control.monitor.azure.com", [AMA], { tlsInspection: false }),
            row("crl.microsoft.com", [MDE], { port: 80, tlsInspection: false }),
            row("www.microsoft.com", [MDE], { port: 80, tlsInspection: true }),
            row("*.his.arc.azure.com", [ARC]),
            row("azgn*.servicebus.windows.net", [ARC]),
            row("*.servicebus.windows.net", [ARC]),
            row("*.guestconfiguration.azure.com", [ARC]),
            row("aka.ms", [ARC], { when: "install" }),
        ];
        const noInspection = (agent: string, name: string, targetFqdns: string[]) => ({
            ruleType: "ApplicationRule",
            name,
            description: `${agent}: Microsoft does not support TLS inspection of these hosts`,
            sourceAddresses: ["*"],
            protocols: [{ protocolType: "Https", port: 443 }],
            targetFqdns,
            terminateTLS: false,
        });
        assert.deepEqual(azureFirewallRuleCollections(endpoints, [FRONT_DOOR]), [
            {
                ruleCollectionType: "FirewallPolicyFilterRuleCollection",
                name: "defender-servers-https-no-tls-inspection",
                priority: 100,
                action: { type: "Allow" },
                rules: [
                    noInspection(AMA, "azure-monitor-agent", ["global.handler.control.monitor.azure.com"]),
                    noInspection(MDE, "defender-for-endpoint", ["winatp-gw-weu.microsoft.com"]),
                ],
            },
            {
                ruleCollectionType: "FirewallPolicyFilterRuleCollection",
                name: "defender-servers-https",
                priority: 110,
                action: { type: "Allow" },
                rules: [
                    {
                        ruleType: "ApplicationRule",
                        name: "arc-agent",
                        description: "Arc agent: HTTPS 443",
                        sourceAddresses: ["*"],
                        protocols: [{ protocolType: "Https", port: 443 }],
                        // azgn*.servicebus.windows.net is written as the wider form the Arc table gives, once.
                        targetFqdns: ["*.guestconfiguration.azure.com", "*.his.arc.azure.com", "*.servicebus.windows.net", "aka.ms"],
                    },
                ],
            },
            {
                ruleCollectionType: "FirewallPolicyFilterRuleCollection",
                name: "defender-servers-http",
                priority: 120,
                action: { type: "Allow" },
                // Plain HTTP has no TLS to inspect: one collection whatever the row says, and no terminateTLS.
                rules: [
                    {
                        ruleType: "ApplicationRule",
                        name: "defender-for-endpoint",
                        description: "Defender for Endpoint: HTTP 80",
                        sourceAddresses: ["*"],
                        protocols: [{ protocolType: "Http", port: 80 }],
                        targetFqdns: ["crl.microsoft.com", "www.microsoft.com"],
                    },
                ],
            },
            {
                ruleCollectionType: "FirewallPolicyFilterRuleCollection",
                name: "defender-servers-service-tags",
                priority: 130,
                action: { type: "Allow" },
                rules: [
                    {
                        ruleType: "NetworkRule",
                        name: "azurefrontdoor.frontend",
                        description: "Arc agent: Arc extension packages from Microsoft's CDN",
                        sourceAddresses: ["*"],
                        ipProtocols: ["TCP"],
                        destinationAddresses: ["AzureFrontDoor.Frontend"],
                        destinationPorts: ["443"],
                    },
                ],
            },
        ]);
    });

    it("a host several agents share goes once, into the rule of the first agent by name; an agent left with none gets no rule", function () {
        const collections = azureFirewallRuleCollections(
            [
                // Agents unsorted on the row: the first by name is still "Arc agent".
                row("packages.microsoft.com", [MDE, ARC], { tlsInspection: false }),
                row("winatp-gw-weu.microsoft.com", [MDE], { tlsInspection: false }),
                row("download.microsoft.com", [ARC, MDE], { tlsInspection: false }),
                row("gbl.his.arc.azure.com", [MDE, ARC]),
            ],
            [],
        );
        const summary = collections.map((c) => `${c.name}: ${c.rules.map((r) => `${r.name}=${r.targetFqdns?.join(",")}`).join(" ")}`);
        assert.deepEqual(summary, [
            "defender-servers-https-no-tls-inspection: arc-agent=download.microsoft.com,packages.microsoft.com defender-for-endpoint=winatp-gw-weu.microsoft.com",
            // Defender for Endpoint's only host here is shared with the Arc agent: no empty MDE rule.
            "defender-servers-https: arc-agent=gbl.his.arc.azure.com",
        ]);
    });

    it("leaves out what never crosses the firewall: Private Link hosts, the platform address and bare IP addresses", function () {
        const collections = azureFirewallRuleCollections(
            [
                row("*.privatelink.his.arc.azure.com", [ARC], { route: "privateLink" }),
                row("168.63.129.16", ["Guest Configuration"], { route: "platform" }),
                // An application rule's targetFqdns hold names; an address written there would match nothing.
                row("10.11.12.13", [ARC]),
                row("2603:1030::1", [ARC]),
            ],
            [],
        );
        assert.deepEqual(collections, []);
        // A name that merely starts with an address's digits is a name.
        const [named] = azureFirewallRuleCollections([row("10.11.12.13.nip.io", [ARC])], []);
        assert.deepEqual(named.rules[0].targetFqdns, ["10.11.12.13.nip.io"]);
    });

    it("takes the source addresses and first priority from the options, ten apart", function () {
        const collections = azureFirewallRuleCollections(
            [row("aka.ms", [ARC]), row("crl.microsoft.com", [MDE], { port: 80 })],
            [FRONT_DOOR],
            {
                sourceAddresses: ["10.0.0.0/24", "10.0.1.0/24"],
                firstPriority: 500,
            },
        );
        assert.deepEqual(
            collections.map((c) => [c.name, c.priority]),
            [
                ["defender-servers-https", 500],
                ["defender-servers-http", 510],
                ["defender-servers-service-tags", 520],
            ],
        );
        for (const c of collections) for (const r of c.rules) assert.deepEqual(r.sourceAddresses, ["10.0.0.0/24", "10.0.1.0/24"], r.name);
        // Each rule has its own copy: editing one rule's sources leaves the options and the other rules alone.
        const options = { sourceAddresses: ["10.0.0.0/24"] };
        const [first, second] = azureFirewallRuleCollections([row("aka.ms", [ARC])], [FRONT_DOOR], options);
        first.rules[0].sourceAddresses.push("0.0.0.0/0");
        assert.deepEqual(options.sourceAddresses, ["10.0.0.0/24"]);
        assert.deepEqual(second.rules[0].sourceAddresses, ["10.0.0.0/24"]);
    });

    it("names a network rule after its service tag and describes it with every agent that needs it", function () {
        const [tags] = azureFirewallRuleCollections(
            [],
            [{ serviceTag: "AzureArcInfrastructure", port: 443, agents: [ARC, "Azure Monitor Agent (AMA)"], why: "needed" }],
        );
        assert.equal(tags.name, "defender-servers-service-tags");
        assert.equal(tags.priority, 100);
        assert.equal(tags.rules[0].name, "azurearcinfrastructure");
        assert.equal(tags.rules[0].description, "Arc agent, Azure Monitor Agent (AMA): needed");
    });

    it("writes rule names Azure takes: runs of other characters become one hyphen, none at either end", function () {
        const [collection] = azureFirewallRuleCollections([row("aka.ms", ["-- Azure Monitor Agent (AMA) --"])], []);
        assert.equal(collection.rules[0].name, "azure-monitor-agent-ama");
    });
});

describe("egress firewall rules: FQDNs Azure Firewall can match", function () {
    it("keeps exact names and leading wildcards, and widens only the Arc notification form the Arc table widens itself", function () {
        assert.equal(firewallFqdn("aka.ms"), "aka.ms");
        assert.equal(firewallFqdn("*.his.arc.azure.com"), "*.his.arc.azure.com");
        assert.equal(firewallFqdn("azgn*.servicebus.windows.net"), "*.servicebus.windows.net");
    });

    for (const host of [
        "*.a*.example.com",
        "x*.servicebus.windows.net",
        "azgn*.example.net",
        "xazgn*.servicebus.windows.net",
        "azgn*.servicebus.windows.net/path",
        "*",
    ]) {
        it(`refuses "${host}", naming it`, function () {
            assert.throws(
                () => firewallFqdn(host),
                (err: Error) => err.message === `azureFirewallRules: "${host}" has a wildcard Azure Firewall cannot express`,
            );
        });
    }
});
