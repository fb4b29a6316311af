/**
 * Validation of `arcGateway`, from the limits Microsoft publishes for the Azure Arc gateway.
 * Source for every rule below unless it says otherwise: MicrosoftDocs/azure-management-docs
 * `articles/azure-arc/servers/arc-gateway.md` (revision of 5 May 2026, "Current limitations",
 * "Plan your Azure Arc gateway setup", "Onboard new Azure Arc resources").
 */
import * as pulumi from "@pulumi/pulumi";
import { CloudName } from "../clouds";
import { describe, GUID, isInput, readObject, rejectUnknownKeys } from "./fields";
import { MachinePlan } from "./fleet";
import { readLocation } from "./location";
import { NormalizedLogs } from "./logs";
import { NormalizedPrivateLink } from "./privateLink";
import { ProblemList } from "./problems";

/** `arcGateway` after validation: either `create` or `existingGatewayId` is set, never both. */
export interface NormalizedArcGateway {
    /** The gateway to create, when the component makes one. */
    create?: { resourceGroupName: pulumi.Input<string>; gatewayName?: string; location: string };
    /** The gateway to use, when it exists already. */
    existingGatewayId?: pulumi.Input<string>;
    tenantId?: string;
    machinesResourceGroupName?: string;
}

/** What the rules need from the rest of the args. */
export interface ArcGatewayContext {
    cloud: CloudName;
    location: string | undefined;
    machines: MachinePlan[];
    privateLink?: NormalizedPrivateLink;
    logs?: NormalizedLogs;
    rolloutMode: "machines" | "policy";
}

const FIELDS = ["resourceGroupName", "gatewayName", "location", "existingGatewayId", "tenantId", "machinesResourceGroupName"] as const;

/** Gateway names, as `Microsoft.HybridCompute/gateways@2025-06-01` allows them (Azure/bicep-types-az `generated/hybridcompute/microsoft.hybridcompute/2025-06-01/types.md`). */
const GATEWAY_NAME = /^[a-zA-Z0-9-_.]+$/;

/** A gateway's resource id. */
export const GATEWAY_ID =
    /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w.()]{1,90})\/providers\/Microsoft\.HybridCompute\/gateways\/([a-zA-Z0-9-_.]+)$/i;

/** Microsoft's planning rule: "one Azure Arc gateway resource can handle 2,000 resources per Azure region" (servers only). */
export const SERVERS_PER_GATEWAY_AND_REGION = 2000;

/** The oldest Connected Machine agent that switches to the gateway by itself once associated ("For agent versions 1.51 and later, this step isn't required"). */
export const MINIMUM_AGENT_VERSION = "1.51";

/** Reads `arcGateway`, or undefined when there is none. */
export function readArcGateway(problems: ProblemList, value: unknown, context: ArcGatewayContext): NormalizedArcGateway | undefined {
    const fields = readObject(problems, value, "arcGateway");
    if (fields === undefined) return undefined;
    rejectUnknownKeys(problems, fields, "arcGateway", FIELDS);

    const resourceGroupName = readGatewayInput(problems, fields.resourceGroupName, "arcGateway.resourceGroupName", "a resource group name");
    const existingGatewayId = readGatewayInput(problems, fields.existingGatewayId, "arcGateway.existingGatewayId", "a gateway resource id");
    if (typeof existingGatewayId === "string" && !GATEWAY_ID.test(existingGatewayId)) {
        problems.error(
            "arcGateway.existingGatewayId",
            `${describe(existingGatewayId)} is not a gateway resource id; give /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.HybridCompute/gateways/<name>`,
        );
    }
    if (resourceGroupName === undefined && existingGatewayId === undefined) {
        problems.error(
            "arcGateway",
            "names no gateway; give arcGateway.resourceGroupName to create one, or arcGateway.existingGatewayId to use one",
        );
    }
    if (resourceGroupName !== undefined && existingGatewayId !== undefined) {
        problems.error(
            "arcGateway.existingGatewayId",
            "and arcGateway.resourceGroupName both name a gateway; keep resourceGroupName to create one, or existingGatewayId to use yours",
        );
    }
    for (const createOnly of ["gatewayName", "location"] as const) {
        if (fields[createOnly] !== undefined && resourceGroupName === undefined) {
            problems.error(
                `arcGateway.${createOnly}`,
                "only applies to a gateway the component creates (arcGateway.resourceGroupName); remove it",
            );
        }
    }
    const gatewayName = fields.gatewayName;
    if (gatewayName !== undefined && (typeof gatewayName !== "string" || !GATEWAY_NAME.test(gatewayName))) {
        problems.error("arcGateway.gatewayName", `${describe(gatewayName)} is not a gateway name; use letters, digits, "-", "_" and "."`);
    }
    const location =
        fields.location === undefined ? context.location : readLocation(problems, fields.location, "arcGateway.location", context.cloud);
    const tenantId = fields.tenantId;
    if (tenantId !== undefined && (typeof tenantId !== "string" || !GUID.test(tenantId))) {
        problems.error("arcGateway.tenantId", "is not a GUID; give the Entra tenant id");
    }
    const machinesGroup = fields.machinesResourceGroupName;
    if (machinesGroup !== undefined && (typeof machinesGroup !== "string" || machinesGroup === "")) {
        problems.error("arcGateway.machinesResourceGroupName", "expected a resource group name");
    }

    checkCombinations(problems, context);
    // "To create Azure Arc gateway resources and manage their association with Azure Arc-enabled servers, a user
    // must have the Azure Arc gateway manager role" (arc-gateway.md, "Required permissions").
    problems.warn(
        "arcGateway",
        "the identity that runs pulumi up needs the Azure Arc gateway manager role (besides Security Admin and the machine roles) to create the gateway and associate machines with it",
    );
    return {
        create:
            resourceGroupName !== undefined && existingGatewayId === undefined
                ? { resourceGroupName, gatewayName: typeof gatewayName === "string" ? gatewayName : undefined, location: location ?? "" }
                : undefined,
        existingGatewayId: resourceGroupName === undefined ? existingGatewayId : undefined,
        tenantId: typeof tenantId === "string" ? tenantId : undefined,
        machinesResourceGroupName: typeof machinesGroup === "string" ? machinesGroup : undefined,
    };
}

function readGatewayInput(problems: ProblemList, value: unknown, path: string, what: string): pulumi.Input<string> | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    if (!isInput(value)) {
        problems.error(path, `expected a string or an Output of one (${what}), got ${describe(value)}`);
        return undefined;
    }
    return value as pulumi.Input<string>;
}

/** The rules that come from the rest of the args: cloud, Private Link, rollout, fleet size, agent version. */
function checkCombinations(problems: ProblemList, context: ArcGatewayContext): void {
    // "Azure Arc gateway is used only for connectivity in the Azure public cloud platform."
    if (context.cloud !== "AzureCloud") {
        problems.error(
            "arcGateway",
            `the Azure Arc gateway serves the Azure public cloud only, and cloud is ${context.cloud}; remove arcGateway and let the Arc agent use the proxy (output egress lists its hosts)`,
        );
    }
    // What Microsoft documents now (checked December 2026): the gateway page (azure-management-docs
    // `arc-gateway.md`, ms.date 04/01/2026, edited 5 May 2026) names no private endpoint or Private Link
    // Scope and still says "Proxy bypass isn't supported when Azure Arc gateway is in use". The GA API
    // `Microsoft.HybridCompute/gateways@2026-07-15` adds `gatewayBypass`, "domain names that should bypass
    // the gateway" (Azure/bicep-types-az `generated/hybridcompute/microsoft.hybridcompute/2026-07-15/types.md`),
    // which agent 1.64 sends "to the customer's enterprise proxy (or direct connection)" (`agent-release-notes.md`,
    // fixed in 1.66): a way around the gateway, not a documented road to a private endpoint. No source says the
    // gateway and a scope combine, so the component still refuses to guess.
    if (context.privateLink?.arc !== undefined) {
        problems.error(
            "arcGateway",
            "and privateLink.arc are two different roads for the Arc agent: Microsoft's gateway page (May 2026) documents no Private Link Scope or private endpoint with the gateway, and the gateway bypass list of the 2026-07-15 API sends domains to the proxy or a direct connection, not to a private endpoint; keep one of them",
        );
    }
    // AMA on an Arc machine skips the proxy for its private endpoints through `azcmagent config set
    // proxy.bypass AMA`, and with a gateway "proxy bypass isn't supported". How AMA reaches an Azure
    // Monitor private endpoint through the gateway is not documented: refused, not guessed.
    if (context.privateLink?.azureMonitor !== undefined) {
        const arcWithAma = context.machines.filter((m) => m.kind === "arc" && m.parts.azureMonitorAgent);
        for (const machine of arcWithAma) {
            problems.error(
                machine.path,
                "is an Arc machine with the Azure Monitor Agent, and privateLink.azureMonitor needs the Arc agent's proxy.bypass (AMA), which the Arc gateway does not support; exclude azureMonitorAgent on this machine, or drop privateLink.azureMonitor or arcGateway",
            );
        }
    }
    // The component associates the machines it lists. Policy mode covers machines it does not list,
    // and those would lose the Arc hosts gateway mode takes off the proxy's list.
    if (context.rolloutMode === "policy") {
        problems.error(
            "arcGateway",
            "needs rollout.mode machines: the gateway is associated with each listed Arc machine, and in policy mode the unlisted ones would lose the Arc hosts that gateway mode takes off the egress list; onboard those with the output arcGatewayOnboardingCommands and use rollout.mode machines, or drop arcGateway",
        );
    }

    const arcMachines = context.machines.filter((m) => m.kind === "arc");
    const perRegion = new Map<string, number>();
    for (const machine of arcMachines) perRegion.set(machine.location, (perRegion.get(machine.location) ?? 0) + 1);
    for (const [region, count] of perRegion) {
        if (count > SERVERS_PER_GATEWAY_AND_REGION) {
            problems.warn(
                "arcGateway",
                `${count} Arc machines in ${region} share one gateway; Microsoft plans one gateway per ${SERVERS_PER_GATEWAY_AND_REGION} servers per region (and allows five per subscription): split the machines across components with an existing gateway each`,
            );
        }
    }
    if (arcMachines.length > 0) {
        problems.warn(
            "arcGateway",
            `the listed Arc machines need Connected Machine agent ${MINIMUM_AGENT_VERSION} or later to switch to the gateway once associated; on 1.50 or earlier run "azcmagent config set connection.type gateway" on the machine (check with "azcmagent show")`,
        );
    }
}
