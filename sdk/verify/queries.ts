/**
 * The Azure Resource Graph queries `verify` runs, and how their rows become plain data.
 *
 * Tables and types (MicrosoftDocs/azure-docs `articles/governance/resource-graph/reference/supported-tables-resources.md`):
 * - `resources`: `microsoft.compute/virtualmachines`, `microsoft.hybridcompute/machines` and their `/extensions`;
 * - `securityresources`: `microsoft.security/pricings` and `microsoft.security/assessments`;
 * - `guestconfigurationresources`: `microsoft.guestconfiguration/guestconfigurationassignments`.
 * The `securityresources | where type == "microsoft.security/pricings"` query with `properties.pricingTier` is
 * Microsoft's own (defender-docs `defender-for-cloud/check-free-trial-status.md`, 11/27/2025). A pricing can also sit
 * at a machine's scope (azure-rest-api-specs `Microsoft.Security/stable/2024-01-01/pricings.json`: "valid scopes are
 * resource id or a subscription id ... VirtualMachines, VMSS and ARC Machines", P1 only): Microsoft's Resource Graph
 * docs show the per-subscription rows only, so a machine-level row is used when Resource Graph returns one, and the
 * report names the scope it used.
 *
 * Every query projects `id`: Resource Graph pages in a stable order only when the rows carry it (azure-rest-api-specs
 * `Microsoft.ResourceGraph/stable/2024-04-01/examples/ResourcesNextPageQuery.json`). Ids are lowered because tables
 * spell them in different cases.
 *
 * Machine properties: `properties.storageProfile.osDisk.osType` and `properties.extended.instanceView.powerState.code`
 * on VMs; `properties.status`, `agentVersion`, `lastStatusChange` and `osType` on Arc
 * machines (azure-rest-api-specs `Microsoft.HybridCompute/stable/2025-01-13` `Machine` and examples).
 * Extension `properties.type` and `properties.provisioningState`; Arc extensions add `properties.instanceView.status.message`.
 * Guest Configuration assignments: `properties.complianceStatus` (`Compliant` / `NonCompliant` / `Pending`) and
 * `properties.lastComplianceStatusChecked` (Azure/bicep-types-az `generated/guestconfiguration/.../types.md`,
 * `GuestConfigurationAssignmentProperties`).
 * A VM extension's instance view (its message) is not in Resource Graph: `azure.ts` reads it for the VMs that need it.
 */
import { EDR_ASSESSMENT_KEY } from "../plan/onboardingVerification";
import { AssessmentRow, ExtensionRow, GuestConfigurationRow, MachineRow, PricingRow } from "./types";

/** The extension types `verify` reads (azure-policy `ASC_MicrosoftDefenderForEndpoint_*_DINE.json`, `AzureMonitor_Agent_*_DINE.json`). */
export const MDE_EXTENSION_TYPES = ["MDE.Windows", "MDE.Linux"];
export const AMA_EXTENSION_TYPES = ["AzureMonitorWindowsAgent", "AzureMonitorLinuxAgent"];

/**
 * Defender for Cloud's agentless EDR recommendations, by the names Microsoft publishes (defender-docs
 * `defender-for-cloud/recommendations-reference-compute.md`, 06/30/2026: both need Defender for Servers Plan 2 or
 * Defender CSPM, and "support Azure and multicloud machines. On-premises servers aren't supported"). The 2026
 * reference no longer prints assessment keys; the key of the first, `06e3a6db-...` (`EDR_ASSESSMENT_KEY`), is the one
 * its 2024 revision links to, so the query accepts the key or the published name.
 */
export const EDR_INSTALLED = "EDR solution should be installed on Virtual Machines";
export const EDR_CONFIGURATION = "EDR configuration issues should be resolved on virtual machines";

/** The queries by name, for the SDK layer and the test server. */
export const QUERIES = {
    machines: [
        "resources",
        "| where type in~ ('microsoft.compute/virtualmachines', 'microsoft.hybridcompute/machines')",
        "| project id = tolower(id), name, type = tolower(type), subscriptionId = tolower(subscriptionId), location,",
        "    os = tolower(tostring(coalesce(properties.storageProfile.osDisk.osType, properties.osType))),",
        "    powerState = tostring(properties.extended.instanceView.powerState.code),",
        "    arcStatus = tostring(properties.status), arcAgentVersion = tostring(properties.agentVersion),",
        "    arcLastStatusChange = tostring(properties.lastStatusChange)",
        "| order by id asc",
    ].join("\n"),
    extensions: [
        "resources",
        "| where type in~ ('microsoft.compute/virtualmachines/extensions', 'microsoft.hybridcompute/machines/extensions')",
        "| extend extensionType = tostring(properties.type)",
        `| where extensionType in~ (${[...MDE_EXTENSION_TYPES, ...AMA_EXTENSION_TYPES].map((t) => `'${t}'`).join(", ")})`,
        "| project id = tolower(id), machineId = tolower(tostring(split(id, '/extensions/')[0])), name, extensionType,",
        "    provisioningState = tostring(properties.provisioningState),",
        "    message = tostring(properties.instanceView.status.message), version = tostring(properties.typeHandlerVersion)",
        "| order by id asc",
    ].join("\n"),
    pricings: [
        "securityresources",
        "| where type == 'microsoft.security/pricings' and name =~ 'VirtualMachines'",
        "| project id = tolower(id), subscriptionId = tolower(subscriptionId),",
        "    pricingTier = tostring(properties.pricingTier), subPlan = tostring(properties.subPlan)",
        "| order by id asc",
    ].join("\n"),
    edrAssessments: [
        "securityresources",
        "| where type == 'microsoft.security/assessments'",
        `| where name == '${EDR_ASSESSMENT_KEY}' or properties.displayName in~ (${[EDR_INSTALLED, EDR_CONFIGURATION].map((n) => `'${n}'`).join(", ")})`,
        "| project id = tolower(id), machineId = tolower(tostring(properties.resourceDetails.Id)),",
        "    key = tolower(name), displayName = tostring(properties.displayName),",
        "    status = tostring(properties.status.code), cause = tostring(properties.status.cause),",
        "    description = tostring(properties.status.description)",
        "| order by id asc",
    ].join("\n"),
    guestConfiguration: [
        "guestconfigurationresources",
        "| where type =~ 'microsoft.guestconfiguration/guestconfigurationassignments'",
        "| extend lowerId = tolower(id)",
        "| project id = lowerId, machineId = tostring(split(lowerId, '/providers/microsoft.guestconfiguration/')[0]), name,",
        "    complianceStatus = tostring(properties.complianceStatus),",
        "    lastChecked = tostring(properties.lastComplianceStatusChecked)",
        "| order by id asc",
    ].join("\n"),
} as const;

/** The name of a query in {@link QUERIES}. */
export type QueryName = keyof typeof QUERIES;

type Row = Record<string, unknown>;

function text(row: Row, column: string): string {
    const value = row[column];
    return value === undefined || value === null ? "" : String(value);
}

/** A row of the `machines` query. Throws, naming the column, on a row without an id or a type. */
export function machineFromRow(row: Row): MachineRow {
    const id = text(row, "id").toLowerCase();
    const type = text(row, "type").toLowerCase();
    if (id === "") throw new Error("Resource Graph returned a machine row without `id`");
    const kind = type === "microsoft.hybridcompute/machines" ? "arc" : type === "microsoft.compute/virtualmachines" ? "vm" : undefined;
    if (kind === undefined) throw new Error(`Resource Graph returned ${id} with type "${type}", not a VM or an Arc machine`);
    return {
        id,
        name: text(row, "name"),
        kind,
        subscriptionId: text(row, "subscriptionId").toLowerCase(),
        location: text(row, "location"),
        os: text(row, "os").toLowerCase(),
        powerState: text(row, "powerState"),
        arcStatus: text(row, "arcStatus"),
        arcAgentVersion: text(row, "arcAgentVersion"),
        arcLastStatusChange: text(row, "arcLastStatusChange"),
    };
}

/** A row of the `extensions` query. */
export function extensionFromRow(row: Row): ExtensionRow {
    return {
        machineId: text(row, "machineId").toLowerCase(),
        name: text(row, "name"),
        extensionType: text(row, "extensionType"),
        provisioningState: text(row, "provisioningState"),
        message: text(row, "message"),
        version: text(row, "version"),
    };
}

/** A row of the `pricings` query. */
export function pricingFromRow(row: Row): PricingRow {
    return {
        id: text(row, "id").toLowerCase(),
        subscriptionId: text(row, "subscriptionId").toLowerCase(),
        pricingTier: text(row, "pricingTier"),
        subPlan: text(row, "subPlan"),
    };
}

/** A row of the `edrAssessments` query. */
export function assessmentFromRow(row: Row): AssessmentRow {
    const key = text(row, "key").toLowerCase();
    const name = text(row, "displayName").toLowerCase();
    return {
        machineId: text(row, "machineId").toLowerCase(),
        recommendation:
            key === EDR_ASSESSMENT_KEY || name === EDR_INSTALLED.toLowerCase()
                ? "edrInstalled"
                : name === EDR_CONFIGURATION.toLowerCase()
                  ? "edrConfiguration"
                  : "other",
        status: text(row, "status"),
        cause: text(row, "cause"),
        description: text(row, "description"),
    };
}

/** A row of the `guestConfiguration` query. */
export function guestConfigurationFromRow(row: Row): GuestConfigurationRow {
    return {
        machineId: text(row, "machineId").toLowerCase(),
        name: text(row, "name"),
        complianceStatus: text(row, "complianceStatus"),
        lastChecked: text(row, "lastChecked"),
    };
}
