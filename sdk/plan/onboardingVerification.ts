/**
 * Proof after deploy that machines really onboarded to Defender for Endpoint: Azure Resource
 * Graph queries a team can run (`az graph query -q`), and the commands that confirm it on a machine.
 *
 * Sources:
 * - The MDE extensions Defender for Cloud deploys are named `MDE.Windows` / `MDE.Linux` on
 *   `Microsoft.Compute/virtualMachines/extensions` and `Microsoft.HybridCompute/machines/extensions`
 *   (Azure/azure-policy `built-in-policies/policyDefinitions/Security Center/ASC_MicrosoftDefenderForEndpoint_*_DINE.json`).
 * - Defender's own view: the recommendation "EDR solution should be installed on Virtual Machines", assessment key
 *   `06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c` (MicrosoftDocs/defender-docs `defender-for-cloud/recommendations-reference-compute.md`),
 *   found by agentless scanning with Defender for Servers Plan 2 or Defender CSPM; it covers Azure and multicloud
 *   machines, not on-premises (Arc) servers (`defender-for-cloud/endpoint-detection-response.md`).
 * - On the machine: `mdatp health --field healthy` and `--field org_id`, `mdatp connectivity test`
 *   (defender-docs `defender-endpoint/linux-install-manually.md`, `linux-support-connectivity.md`); `Get-MpComputerStatus`
 *   and the `OnboardingState` value 1 under `HKLM\SOFTWARE\Microsoft\Windows Advanced Threat Protection\Status`
 *   (defender-docs `defender-endpoint/configure-endpoints-sccm.md`); `azcmagent check` (MicrosoftDocs/azure-management-docs
 *   `articles/azure-arc/servers/azcmagent-check.md`).
 */

/** The EDR recommendation's assessment key in Defender for Cloud. */
export const EDR_ASSESSMENT_KEY = "06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c";

/** How to prove onboarding after deploy. */
export interface OnboardingVerification {
    /** Resource Graph query: each machine's MDE extension, its provisioning state and version. */
    mdeExtensionsQuery: string;
    /** Resource Graph query: Defender for Cloud's EDR assessment per machine (Healthy = an EDR, MDE included, was found). */
    edrAssessmentQuery: string;
    /** Commands to run on a Linux machine; each says what it must print. */
    linuxCommands: string[];
    /** Commands to run on a Windows machine (PowerShell); each says what it must print. */
    windowsCommands: string[];
    /** Commands to run on an Arc-enabled server (either OS). */
    arcCommands: string[];
    /** What the queries cannot show. */
    notes: string[];
}

const SUBSCRIPTION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The verification for the machines of one subscription. */
export function onboardingVerification(subscriptionId: string): OnboardingVerification {
    const sub = subscriptionId.toLowerCase();
    if (!SUBSCRIPTION.test(sub)) throw new Error(`onboardingVerification: "${subscriptionId}" is not a subscription GUID`);
    return {
        mdeExtensionsQuery: [
            "resources",
            "| where type in~ ('microsoft.compute/virtualmachines/extensions', 'microsoft.hybridcompute/machines/extensions')",
            "| where name in~ ('MDE.Windows', 'MDE.Linux')",
            `| where subscriptionId =~ '${sub}'`,
            "| extend machineId = tolower(tostring(split(id, '/extensions/')[0]))",
            "| project machineId, machine = tostring(split(machineId, '/')[8]), extension = name,",
            "    provisioningState = tostring(properties.provisioningState), version = tostring(properties.typeHandlerVersion)",
            "| order by machine asc",
        ].join("\n"),
        edrAssessmentQuery: [
            "securityresources",
            "| where type == 'microsoft.security/assessments'",
            `| where name == '${EDR_ASSESSMENT_KEY}'`,
            `| where subscriptionId =~ '${sub}'`,
            "| extend machineId = tolower(tostring(properties.resourceDetails.Id))",
            "| project machineId, machine = tostring(split(machineId, '/')[8]), status = tostring(properties.status.code),",
            "    cause = tostring(properties.status.cause), description = tostring(properties.status.description)",
            "| order by status asc, machine asc",
        ].join("\n"),
        linuxCommands: [
            "mdatp health --field healthy    # prints true",
            "mdatp health --field org_id     # prints your Defender for Endpoint organization id, not empty",
            "mdatp connectivity test         # every URL reports OK through the proxy",
        ],
        windowsCommands: [
            "(Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection\\Status').OnboardingState   # prints 1",
            "Get-Service -Name Sense | Select-Object Status   # Running",
            "Get-MpComputerStatus | Select-Object AMRunningMode, AMServiceEnabled, RealTimeProtectionEnabled   # Normal (or Passive/EDR Block Mode), True, True",
        ],
        arcCommands: ["azcmagent check   # every endpoint reachable through the configured proxy or private link"],
        notes: [
            "The MDE extension succeeding does not prove onboarding on Windows: a blocked proxy leaves it 'Succeeded' and the machine never onboarded; read the on-machine checks or the EDR assessment.",
            `The EDR assessment (${EDR_ASSESSMENT_KEY}) needs Defender for Servers Plan 2 or Defender CSPM with agentless scanning, and covers Azure and multicloud machines, not Arc-enabled on-premises servers: check those on the machine or in the Defender portal's device inventory.`,
        ],
    };
}
