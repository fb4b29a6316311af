/**
 * The proof after deploy that machines onboarded to Defender for Endpoint
 * (sdk/plan/onboardingVerification.ts), line by line. Sources, as the file under test cites them:
 * - Azure Resource Graph tables `resources` and `securityresources`; the MDE extensions `MDE.Windows` /
 *   `MDE.Linux` on `Microsoft.Compute/virtualMachines/extensions` and `Microsoft.HybridCompute/machines/extensions`
 *   (Azure/azure-policy `Security Center/ASC_MicrosoftDefenderForEndpoint_*_DINE.json`);
 * - the EDR recommendation's assessment key `06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c`, its coverage
 *   (Plan 2 or Defender CSPM with agentless scanning; Azure and multicloud, not Arc on-premises)
 *   (defender-docs `recommendations-reference-compute.md`, `endpoint-detection-response.md`);
 * - on the machine: `mdatp health --field healthy|org_id`, `mdatp connectivity test`; `OnboardingState` 1
 *   under `HKLM\SOFTWARE\Microsoft\Windows Advanced Threat Protection\Status`, the `Sense` service,
 *   `Get-MpComputerStatus`; `azcmagent check`.
 * A resource id split on `/` has the machine's name at index 8:
 * ["", "subscriptions", <id>, "resourceGroups", <group>, "providers", <namespace>, <type>, <name>, ...].
 */
import { strict as assert } from "node:assert";
import { onboardingVerification } from "../../sdk/plan/onboardingVerification";

const SUB = "abcdef01-2345-6789-abcd-ef0123456789";
const EDR = "06e3a6db-6c0c-4ad9-943f-31d9d73ecf6c";

/** Each line of `text` matches its pattern, in order, and there are no other lines. */
function linesMatch(text: string, patterns: RegExp[]): void {
    const lines = text.split("\n");
    assert.equal(lines.length, patterns.length, text);
    patterns.forEach((pattern, i) => assert.match(lines[i], pattern, `line ${i + 1}`));
}

describe("onboarding verification (sdk/plan/onboardingVerification.ts)", () => {
    it("the MDE extension query: both extension types, both names, this subscription, machine name, state and version", () => {
        linesMatch(onboardingVerification(SUB.toUpperCase()).mdeExtensionsQuery, [
            /^resources$/,
            /^\| where type in~ \('microsoft\.compute\/virtualmachines\/extensions', 'microsoft\.hybridcompute\/machines\/extensions'\)$/,
            /^\| where name in~ \('MDE\.Windows', 'MDE\.Linux'\)$/,
            new RegExp(`^\\| where subscriptionId =~ '${SUB}'$`),
            /^\| extend machineId = tolower\(tostring\(split\(id, '\/extensions\/'\)\[0\]\)\)$/,
            /^\| project machineId, machine = tostring\(split\(machineId, '\/'\)\[8\]\), extension = name,$/,
            /^\s+provisioningState = tostring\(properties\.provisioningState\), version = tostring\(properties\.typeHandlerVersion\)$/,
            /^\| order by machine asc$/,
        ]);
    });

    it("the EDR assessment query: Defender's assessments of this subscription, its status, cause and description per machine", () => {
        linesMatch(onboardingVerification(SUB).edrAssessmentQuery, [
            /^securityresources$/,
            /^\| where type == 'microsoft\.security\/assessments'$/,
            new RegExp(`^\\| where name == '${EDR}'$`),
            new RegExp(`^\\| where subscriptionId =~ '${SUB}'$`),
            /^\| extend machineId = tolower\(tostring\(properties\.resourceDetails\.Id\)\)$/,
            /^\| project machineId, machine = tostring\(split\(machineId, '\/'\)\[8\]\), status = tostring\(properties\.status\.code\),$/,
            /^\s+cause = tostring\(properties\.status\.cause\), description = tostring\(properties\.status\.description\)$/,
            /^\| order by status asc, machine asc$/,
        ]);
    });

    it("the on-machine checks, each with what it must print", () => {
        const v = onboardingVerification(SUB);
        linesMatch(v.linuxCommands.join("\n"), [
            /^mdatp health --field healthy\s+# prints true$/,
            /^mdatp health --field org_id\s+# .*organization id/,
            /^mdatp connectivity test\s+# .*OK/,
        ]);
        linesMatch(v.windowsCommands.join("\n"), [
            /^\(Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection\\Status'\)\.OnboardingState\s+# prints 1$/,
            /^Get-Service -Name Sense \| Select-Object Status\s+# Running$/,
            /^Get-MpComputerStatus \| Select-Object AMRunningMode, AMServiceEnabled, RealTimeProtectionEnabled\s+# .*True, True$/,
        ]);
        linesMatch(v.arcCommands.join("\n"), [/^azcmagent check\s+# .*reachable/]);
    });

    it("says what the queries cannot show: a Windows extension's success is no proof; the EDR assessment's plans and its Arc gap", () => {
        const notes = onboardingVerification(SUB).notes;
        assert.equal(notes.length, 2);
        assert.match(notes[0], /Windows.*'Succeeded'.*never onboarded/);
        assert.match(notes[1], new RegExp(`${EDR}.*Plan 2.*Defender CSPM.*agentless scanning.*not Arc-enabled on-premises`));
    });

    it("refuses anything but a subscription GUID (it is written into the queries), in any case", () => {
        for (const bad of [
            "' or 1==1 //",
            `${SUB}x`,
            `x${SUB}`,
            SUB.slice(1),
            SUB.replace(/-/g, ""),
            "abcdef01-2345-6789-abcd-ef012345678g",
        ]) {
            assert.throws(
                () => onboardingVerification(bad),
                (e: Error) => e.message === `onboardingVerification: "${bad}" is not a subscription GUID`,
                bad,
            );
        }
    });
});
