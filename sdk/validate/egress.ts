/**
 * The egress fields: how Defender for Endpoint connects (`mdeIntegration.connectivity`,
 * `mdeIntegration.dataLocation`) and the opt-in Azure Firewall rules (`azureFirewall`).
 */
import {
    MDE_COMMERCIAL_LOCATIONS,
    MDE_GOVERNMENT_LOCATIONS,
    MDE_LOCATIONS_WITHOUT_STANDARD_HOSTS,
    isGovernmentLocation,
} from "../plan/egress";
import { MdeConnectivity } from "../args";
import { CloudName } from "../clouds";
import { Fields, describe, readChoice, readObject, readRequiredString, rejectUnknownKeys } from "./fields";
import { ProblemList } from "./problems";
import { readWholeNumber } from "./wholeNumber";

/** The MDE connectivity fields after defaults. */
export interface NormalizedMdeConnectivity {
    /** `standard` or `streamlined`. */
    connectivity: MdeConnectivity;
    /** The MDE tenant's data location, when given. */
    dataLocation?: string;
}

/** The keys of `mdeIntegration` this file reads. */
export const MDE_CONNECTIVITY_FIELDS = ["connectivity", "dataLocation"] as const;

const LOCATIONS: readonly string[] = [...MDE_COMMERCIAL_LOCATIONS, ...MDE_GOVERNMENT_LOCATIONS];

/** Reads `mdeIntegration.connectivity` and `mdeIntegration.dataLocation` from the already-read `mdeIntegration` object. */
export function readMdeConnectivity(problems: ProblemList, fields: Fields, enabled: boolean, cloud: CloudName): NormalizedMdeConnectivity {
    const connectivity = readChoice(
        problems,
        fields.connectivity,
        "mdeIntegration.connectivity",
        Object.values(MdeConnectivity),
        "standard",
    );
    for (const key of MDE_CONNECTIVITY_FIELDS) {
        if (!enabled && fields[key] !== undefined) {
            problems.error(
                `mdeIntegration.${key}`,
                "has no effect while mdeIntegration.enabled is false; remove it or turn the integration on",
            );
        }
    }
    const raw = fields.dataLocation;
    if (raw === undefined) return { connectivity };
    if (typeof raw !== "string" || raw.trim() === "") {
        problems.error("mdeIntegration.dataLocation", `expected one of ${LOCATIONS.map((l) => `"${l}"`).join(", ")}, got ${describe(raw)}`);
        return { connectivity };
    }
    const wanted = raw.trim();
    const unsupported = Object.keys(MDE_LOCATIONS_WITHOUT_STANDARD_HOSTS).find((k) => k.toLowerCase() === wanted.toLowerCase());
    if (unsupported !== undefined) {
        if (connectivity === "standard") {
            problems.error(
                "mdeIntegration.dataLocation",
                `"${wanted}": ${MDE_LOCATIONS_WITHOUT_STANDARD_HOSTS[unsupported]}, so the component cannot state the standard list for it; use mdeIntegration.connectivity "streamlined" (after turning on the tenant setting it needs) or allow that location's hosts on your proxy yourself`,
            );
        }
        return { connectivity };
    }
    const dataLocation = LOCATIONS.find((l) => l.toLowerCase() === wanted.toLowerCase());
    if (dataLocation === undefined) {
        problems.error(
            "mdeIntegration.dataLocation",
            `"${wanted}" is not a Defender for Endpoint data location the URL lists cover; use one of ${LOCATIONS.map((l) => `"${l}"`).join(", ")}, or with connectivity "streamlined" also ${Object.keys(
                MDE_LOCATIONS_WITHOUT_STANDARD_HOSTS,
            )
                .map((l) => `"${l}"`)
                .join(", ")} (Defender portal, Settings > Endpoints, data storage location)`,
        );
        return { connectivity };
    }
    if (connectivity === "streamlined" && !isGovernmentLocation(dataLocation)) {
        problems.warn(
            "mdeIntegration.dataLocation",
            `has no effect with streamlined connectivity in the commercial environment: its list is the same for every data location`,
        );
    }
    if (cloud === "AzureUSGovernment" && !isGovernmentLocation(dataLocation)) {
        problems.warn(
            "mdeIntegration.dataLocation",
            `"${dataLocation}" is a commercial data location while cloud is AzureUSGovernment; the commercial Defender for Endpoint hosts are listed`,
        );
    }
    return { connectivity, dataLocation };
}

/** The Azure Firewall rules after defaults. */
export interface NormalizedAzureFirewall {
    firewallPolicyId: string;
    resourceGroupName: string;
    firewallPolicyName: string;
    priority: number;
    ruleCollectionGroupName: string;
    sourceAddresses: string[];
}

const POLICY_ID =
    /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/firewallPolicies\/([^/]+)$/i;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]$|^[A-Za-z0-9]$/;
const SOURCE = /^(\*|(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?)$/;

/** Reads `azureFirewall`. */
export function readAzureFirewall(
    problems: ProblemList,
    value: unknown,
    context: { subscriptionId?: string; airGapped: boolean },
): NormalizedAzureFirewall | undefined {
    const fields = readObject(problems, value, "azureFirewall");
    if (fields === undefined) return undefined;
    rejectUnknownKeys(problems, fields, "azureFirewall", ["firewallPolicyId", "priority", "ruleCollectionGroupName", "sourceAddresses"]);
    if (context.airGapped) {
        problems.error(
            "azureFirewall",
            "cannot be combined with airGapped: air-gapped machines reach nothing, so there is no egress to allow",
        );
    }
    const hint =
        "give the policy's resource id, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/firewallPolicies/<name>";
    const id = readRequiredString(problems, fields.firewallPolicyId, "azureFirewall.firewallPolicyId", hint);
    const match = id === undefined ? null : POLICY_ID.exec(id.trim());
    if (id !== undefined && match === null)
        problems.error("azureFirewall.firewallPolicyId", `${JSON.stringify(id)} is not a firewall policy id; ${hint}`);
    if (match !== null && context.subscriptionId !== undefined && match[1].toLowerCase() !== context.subscriptionId) {
        problems.error(
            "azureFirewall.firewallPolicyId",
            `is in subscription ${match[1]}, not subscriptionId ${context.subscriptionId}; the component's provider signs in to subscriptionId, so add the rules from output azureFirewallRules to that policy yourself, or deploy a component in its subscription`,
        );
    }

    const priority = readWholeNumber(problems, fields.priority, "azureFirewall.priority", 100, 65000, 500);
    let ruleCollectionGroupName = "defender-servers-egress";
    if (fields.ruleCollectionGroupName !== undefined) {
        const n = fields.ruleCollectionGroupName;
        if (typeof n !== "string" || !GROUP_NAME.test(n)) {
            problems.error(
                "azureFirewall.ruleCollectionGroupName",
                `${describe(n)} is not a valid name: 1 to 80 letters, digits, '.', '-' or '_', starting with a letter or digit`,
            );
        } else {
            ruleCollectionGroupName = n;
        }
    }
    let sourceAddresses = ["*"];
    if (fields.sourceAddresses !== undefined) {
        const list = fields.sourceAddresses;
        if (!Array.isArray(list) || list.length === 0) {
            problems.error("azureFirewall.sourceAddresses", `expected a non-empty list of CIDR ranges or "*", got ${describe(list)}`);
        } else {
            const valid: string[] = [];
            list.forEach((entry, i) => {
                if (typeof entry === "string" && SOURCE.test(entry)) valid.push(entry);
                else {
                    problems.error(
                        `azureFirewall.sourceAddresses[${i}]`,
                        `${describe(entry)} is not an IPv4 address, a CIDR range such as 10.1.0.0/24, or "*"`,
                    );
                }
            });
            sourceAddresses = valid;
        }
    }
    if (match === null) return undefined;
    return {
        firewallPolicyId: id!.trim(),
        resourceGroupName: match[2],
        firewallPolicyName: match[3],
        priority,
        ruleCollectionGroupName,
        sourceAddresses,
    };
}
