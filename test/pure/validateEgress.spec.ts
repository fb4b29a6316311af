/**
 * The egress fields (sdk/validate/egress.ts): `mdeIntegration.connectivity` and `dataLocation`, and the opt-in
 * `azureFirewall` rules. Data locations: the ones Microsoft's Defender for Endpoint URL lists cover (commercial
 * US, EU, UK, AU; government GCC, GCCHigh, DoD), and CH, IN, UAE for which the standard list names no full set
 * of hosts (sdk/plan/egress/mdeHosts.ts, from defender-endpoint data-storage-privacy.md and the 2026 URL list).
 * Firewall policy: `Microsoft.Network/firewallPolicies` ids; rule collection group priority 100 to 65000 and
 * names of 1 to 80 letters, digits, '.', '-', '_' (azure-rest-api-specs network firewallPolicies).
 */
import { strict as assert } from "node:assert";
import { CloudName } from "../../sdk/clouds";
import { readAzureFirewall, readMdeConnectivity } from "../../sdk/validate/egress";
import { OTHER_SUB, read, SUB } from "./validateHelpers";

const mde = (fields: Record<string, unknown>, cloud: CloudName = "AzureCloud", enabled = true) =>
    read((problems) => readMdeConnectivity(problems, fields, enabled, cloud));

const LISTED = '"US", "EU", "UK", "AU", "GCC", "GCCHigh", "DoD"';
const POLICY = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/firewallPolicies/fw-policy`;
const firewall = (value: unknown, context: { subscriptionId?: string; airGapped: boolean } = { subscriptionId: SUB, airGapped: false }) =>
    read((problems) => readAzureFirewall(problems, value, context));

describe("MDE connectivity validation (sdk/validate/egress.ts)", () => {
    it("standard by default; a known location is spelt as the lists spell it, whatever the case and spaces", () => {
        assert.deepEqual(mde({}), { value: { connectivity: "standard" }, errors: [], warnings: [] });
        assert.deepEqual(mde({ dataLocation: " eu " }), {
            value: { connectivity: "standard", dataLocation: "EU" },
            errors: [],
            warnings: [],
        });
        assert.deepEqual(mde({ dataLocation: "gcchigh" }, "AzureUSGovernment").value, {
            connectivity: "standard",
            dataLocation: "GCCHigh",
        });
    });

    it("refuses a wrong connectivity at its path", () => {
        assert.deepEqual(mde({ connectivity: "Streamlined" }).errors, [
            'mdeIntegration.connectivity: "Streamlined" is not allowed; did you mean "streamlined"?',
        ]);
    });

    it("refuses a data location that is not a string or is blank, listing the locations", () => {
        for (const [raw, got] of [
            [5, "a number"],
            ["  ", '"  "'],
            ["", '""'],
        ] as const) {
            assert.deepEqual(mde({ dataLocation: raw }), {
                value: { connectivity: "standard" },
                errors: [`mdeIntegration.dataLocation: expected one of ${LISTED}, got ${got}`],
                warnings: [],
            });
        }
    });

    it("refuses a location the lists do not cover, naming the streamlined-only ones and where to look", () => {
        assert.deepEqual(mde({ dataLocation: "XX", connectivity: "streamlined" }), {
            value: { connectivity: "streamlined" },
            errors: [
                `mdeIntegration.dataLocation: "XX" is not a Defender for Endpoint data location the URL lists cover; use one of ${LISTED}, or with connectivity "streamlined" also "CH", "IN", "UAE" (Defender portal, Settings > Endpoints, data storage location)`,
            ],
            warnings: [],
        });
    });

    it("a location without standard hosts: refused with standard connectivity, accepted (and not carried) with streamlined", () => {
        const standard = mde({ dataLocation: "ch" });
        assert.equal(standard.errors.length, 1);
        assert.match(
            standard.errors[0],
            /^mdeIntegration\.dataLocation: "ch": Microsoft's standard URL list names no Defender for Endpoint hosts for the Switzerland data location, so the component cannot state the standard list for it; use mdeIntegration\.connectivity "streamlined"/,
        );
        assert.deepEqual(mde({ dataLocation: "UAE", connectivity: "streamlined" }), {
            value: { connectivity: "streamlined" },
            errors: [],
            warnings: [],
        });
    });

    it("warns when a location changes nothing (streamlined commercial) or is commercial in the government cloud", () => {
        const streamlined = mde({ dataLocation: "EU", connectivity: "streamlined" });
        assert.deepEqual(streamlined.value, { connectivity: "streamlined", dataLocation: "EU" });
        assert.deepEqual(streamlined.warnings, [
            "mdeIntegration.dataLocation: has no effect with streamlined connectivity in the commercial environment: its list is the same for every data location",
        ]);
        assert.deepEqual(mde({ dataLocation: "GCC", connectivity: "streamlined" }, "AzureUSGovernment").warnings, []);
        assert.deepEqual(mde({ dataLocation: "US" }, "AzureUSGovernment").warnings, [
            'mdeIntegration.dataLocation: "US" is a commercial data location while cloud is AzureUSGovernment; the commercial Defender for Endpoint hosts are listed',
        ]);
        assert.deepEqual(mde({ dataLocation: "US" }).warnings, []);
        assert.deepEqual(mde({ dataLocation: "DoD" }, "AzureUSGovernment").warnings, []);
    });

    it("with the integration off, both fields are refused as having no effect", () => {
        assert.deepEqual(mde({ connectivity: "standard", dataLocation: "EU" }, "AzureCloud", false).errors, [
            "mdeIntegration.connectivity: has no effect while mdeIntegration.enabled is false; remove it or turn the integration on",
            "mdeIntegration.dataLocation: has no effect while mdeIntegration.enabled is false; remove it or turn the integration on",
        ]);
    });
});

describe("Azure Firewall validation (sdk/validate/egress.ts)", () => {
    it("a policy id alone: its group and name, priority 500, the component's group name, every source", () => {
        assert.deepEqual(firewall({ firewallPolicyId: ` ${POLICY} ` }), {
            value: {
                firewallPolicyId: POLICY,
                resourceGroupName: "rg-net",
                firewallPolicyName: "fw-policy",
                priority: 500,
                ruleCollectionGroupName: "defender-servers-egress",
                sourceAddresses: ["*"],
            },
            errors: [],
            warnings: [],
        });
        assert.deepEqual(firewall(undefined), { value: undefined, errors: [], warnings: [] });
    });

    it("keeps the priority, group name and sources given, at their limits", () => {
        for (const priority of [100, 65000]) {
            const result = firewall({
                firewallPolicyId: POLICY,
                priority,
                ruleCollectionGroupName: "g.1_x-y",
                sourceAddresses: ["10.1.0.0/24", "192.168.1.100"],
            });
            assert.deepEqual(result.errors, []);
            assert.deepEqual(
                [result.value?.priority, result.value?.ruleCollectionGroupName, result.value?.sourceAddresses],
                [priority, "g.1_x-y", ["10.1.0.0/24", "192.168.1.100"]],
            );
        }
        for (const name of ["g".repeat(80), "g"])
            assert.deepEqual(firewall({ firewallPolicyId: POLICY, ruleCollectionGroupName: name }).errors, [], name);
    });

    it("the policy id: required, the right resource type, in subscriptionId (any letter case of its GUID)", () => {
        const hint =
            "give the policy's resource id, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/firewallPolicies/<name>";
        assert.deepEqual(firewall({}), {
            value: undefined,
            errors: [`azureFirewall.firewallPolicyId: is required; ${hint}`],
            warnings: [],
        });
        const other = POLICY.replace("firewallPolicies", "azureFirewalls");
        assert.deepEqual(firewall({ firewallPolicyId: other }).errors, [
            `azureFirewall.firewallPolicyId: ${JSON.stringify(other)} is not a firewall policy id; ${hint}`,
        ]);
        assert.deepEqual(firewall({ firewallPolicyId: POLICY.replace(SUB, SUB.toUpperCase()) }).errors, []);
        for (const wrong of [`/x${POLICY}`, `${POLICY}/ruleCollectionGroups/g`]) {
            assert.deepEqual(firewall({ firewallPolicyId: wrong }).errors, [
                `azureFirewall.firewallPolicyId: ${JSON.stringify(wrong)} is not a firewall policy id; ${hint}`,
            ]);
        }
        assert.deepEqual(firewall({ firewallPolicyId: POLICY.replace(SUB, OTHER_SUB) }).errors, [
            `azureFirewall.firewallPolicyId: is in subscription ${OTHER_SUB}, not subscriptionId ${SUB}; the component's provider signs in to subscriptionId, so add the rules from output azureFirewallRules to that policy yourself, or deploy a component in its subscription`,
        ]);
        assert.deepEqual(firewall({ firewallPolicyId: POLICY.replace(SUB, OTHER_SUB) }, { airGapped: false }).errors, []);
    });

    it("refuses a priority outside 100 to 65000 or not whole, saying what it got", () => {
        for (const [priority, got] of [
            [99, "99"],
            [65001, "65001"],
            [150.5, "150.5"],
            ["200", '"200"'],
        ] as const) {
            const result = firewall({ firewallPolicyId: POLICY, priority });
            assert.deepEqual(result.errors, [`azureFirewall.priority: expected a whole number from 100 to 65000, got ${got}`]);
            assert.equal(result.value?.priority, 500);
        }
    });

    it("refuses a rule collection group name Azure would not take", () => {
        for (const [name, shown] of [
            [5, "a number"],
            ["-group", '"-group"'],
            ["group-", '"group-"'],
            ["-", '"-"'],
            ["g".repeat(81), JSON.stringify("g".repeat(81))],
        ] as const) {
            const result = firewall({ firewallPolicyId: POLICY, ruleCollectionGroupName: name });
            assert.deepEqual(result.errors, [
                `azureFirewall.ruleCollectionGroupName: ${shown} is not a valid name: 1 to 80 letters, digits, '.', '-' or '_', starting with a letter or digit`,
            ]);
            assert.equal(result.value?.ruleCollectionGroupName, "defender-servers-egress");
        }
    });

    it("refuses an empty or non-list source list, and each bad source at its index, keeping the good ones", () => {
        for (const [list, got] of [
            [[], "a list"],
            ["10.0.0.0/8", '"10.0.0.0/8"'],
        ] as const) {
            const result = firewall({ firewallPolicyId: POLICY, sourceAddresses: list });
            assert.deepEqual(result.errors, [`azureFirewall.sourceAddresses: expected a non-empty list of CIDR ranges or "*", got ${got}`]);
            assert.deepEqual(result.value?.sourceAddresses, ["*"]);
        }
        const mixed = firewall({
            firewallPolicyId: POLICY,
            sourceAddresses: ["10.0.0.0/24", 5, "10.0.0.0/8 ", ["10.0.0.1"], "x10.0.0.1", "*"],
        });
        assert.deepEqual(mixed.errors, [
            'azureFirewall.sourceAddresses[1]: a number is not an IPv4 address, a CIDR range such as 10.1.0.0/24, or "*"',
            'azureFirewall.sourceAddresses[2]: "10.0.0.0/8 " is not an IPv4 address, a CIDR range such as 10.1.0.0/24, or "*"',
            'azureFirewall.sourceAddresses[3]: a list is not an IPv4 address, a CIDR range such as 10.1.0.0/24, or "*"',
            'azureFirewall.sourceAddresses[4]: "x10.0.0.1" is not an IPv4 address, a CIDR range such as 10.1.0.0/24, or "*"',
        ]);
        assert.deepEqual(mixed.value?.sourceAddresses, ["10.0.0.0/24", "*"]);
    });

    it("refuses air-gapped, a non-object and unknown fields", () => {
        assert.deepEqual(firewall({ firewallPolicyId: POLICY }, { subscriptionId: SUB, airGapped: true }).errors, [
            "azureFirewall: cannot be combined with airGapped: air-gapped machines reach nothing, so there is no egress to allow",
        ]);
        assert.deepEqual(firewall(POLICY).errors, [`azureFirewall: expected an object, got ${JSON.stringify(POLICY)}`]);
        assert.deepEqual(firewall({ firewallPolicyId: POLICY, rules: [] }).errors, [
            "azureFirewall.rules: is not a known field; known fields: firewallPolicyId, priority, ruleCollectionGroupName, sourceAddresses",
        ]);
    });
});
