/**
 * Private Link as plain data (sdk/plan/privateLink.ts), on its own. Sources:
 * - /work/shared/azure-facts.md section 6 (azure-docs `azure-arc/servers/private-link-security.md`,
 *   `manage-agent-proxy-settings`, `onboard-portal.md`): the DNS zone names, `azcmagent config set
 *   proxy.url` / `proxy.bypass` with values such as `Arc` and `AMA`, and
 *   `azcmagent connect ... --cloud <cloud> --private-link-scope <id>`; an unassociated machine that
 *   bypasses the proxy for Arc is cut off.
 * - section 0, "AMA on Arc Linux and the Arc proxy": AMA on Arc Linux takes the agent's `proxy.url`
 *   unless `proxy.bypass` says `AMA`.
 */
import { strict as assert } from "node:assert";
import { ArcBypassInput, OnboardingInput, arcAgentBypass, arcOnboardingCommands, zoneSlug } from "../../sdk/plan/privateLink";

describe("Private Link plan (sdk/plan/privateLink.ts)", () => {
    it("turns a DNS zone into a logical-name slug: lower case, each run of other characters one hyphen", () => {
        const cases: Array<[string, string]> = [
            ["privatelink.his.arc.azure.com", "privatelink-his-arc-azure-com"],
            ["privatelink.oms.opinsights.azure.com", "privatelink-oms-opinsights-azure-com"],
            ["PrivateLink.Monitor.Azure.US", "privatelink-monitor-azure-us"],
            ["a..b_-c", "a-b-c"],
            ["zone9", "zone9"],
        ];
        for (const [zone, slug] of cases) assert.equal(zoneSlug(zone), slug, zone);
    });

    it("the Arc agent's proxy.bypass: Arc only where the machine is associated, AMA behind Azure Monitor Private Link or AMA's own authenticated proxy", () => {
        // [associated with the Arc scope, Azure Monitor Private Link, AMA's own authenticated proxy (Arc Linux)] -> proxy.bypass
        const table: Array<[boolean, boolean, boolean, string[]]> = [
            [false, false, false, []],
            [true, false, false, ["Arc"]],
            [false, true, false, ["AMA"]],
            [false, false, true, ["AMA"]],
            [false, true, true, ["AMA"]],
            [true, true, false, ["Arc", "AMA"]],
            [true, false, true, ["Arc", "AMA"]],
            [true, true, true, ["Arc", "AMA"]],
        ];
        for (const [arcScopeAssociated, azureMonitorPrivateLink, amaOwnAuthenticatedProxy, expected] of table) {
            const input: ArcBypassInput = { arcScopeAssociated, azureMonitorPrivateLink, amaOwnAuthenticatedProxy };
            assert.deepEqual(arcAgentBypass(input), expected, JSON.stringify(input));
        }
    });

    const INPUT: OnboardingInput = {
        cloud: "AzureCloud",
        subscriptionId: "11111111-2222-3333-4444-555555555555",
        resourceGroupName: "arc-rg",
        location: "westeurope",
        scopeId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.HybridCompute/privateLinkScopes/pls",
        tenantId: "66666666-7777-8888-9999-000000000000",
        proxyUrl: "http://proxy.contoso.com:3128",
        arcBypass: ["Arc", "AMA"],
    };
    const connect = (cloud: string, tenant: string) =>
        `connect --subscription-id "${INPUT.subscriptionId}" --resource-group "arc-rg" --location "westeurope" --tenant-id "${tenant}" --cloud "${cloud}" --private-link-scope "${INPUT.scopeId}"`;
    const WINDOWS_HEAD = ["$ErrorActionPreference = 'Stop'", '$azcmagent = "$env:ProgramW6432\\AzureConnectedMachineAgent\\azcmagent.exe"'];
    const LINUX_TENANT = "${TENANT_ID:?set TENANT_ID to your Entra tenant id}";

    it("onboarding: the proxy, then its bypass for the private endpoints, then connect with the scope", () => {
        assert.deepEqual(arcOnboardingCommands(INPUT), {
            linux: [
                "set -euo pipefail",
                'azcmagent config set proxy.url "http://proxy.contoso.com:3128"',
                'azcmagent config set proxy.bypass "Arc,AMA"',
                `azcmagent ${connect("AzureCloud", INPUT.tenantId!)}`,
            ].join("\n"),
            windows: [
                ...WINDOWS_HEAD,
                '& $azcmagent config set proxy.url "http://proxy.contoso.com:3128"',
                '& $azcmagent config set proxy.bypass "Arc,AMA"',
                `& $azcmagent ${connect("AzureCloud", INPUT.tenantId!)}`,
            ].join("\n"),
        });
    });

    it("onboarding without a bypass, without a proxy (a bypass then means nothing), without a tenant, in another cloud", () => {
        assert.deepEqual(arcOnboardingCommands({ ...INPUT, arcBypass: [] }).linux.split("\n"), [
            "set -euo pipefail",
            'azcmagent config set proxy.url "http://proxy.contoso.com:3128"',
            `azcmagent ${connect("AzureCloud", INPUT.tenantId!)}`,
        ]);
        assert.deepEqual(arcOnboardingCommands({ ...INPUT, arcBypass: [] }).windows.split("\n"), [
            ...WINDOWS_HEAD,
            '& $azcmagent config set proxy.url "http://proxy.contoso.com:3128"',
            `& $azcmagent ${connect("AzureCloud", INPUT.tenantId!)}`,
        ]);
        const { proxyUrl: _p, tenantId: _t, ...bare } = INPUT;
        assert.deepEqual(arcOnboardingCommands({ ...bare, cloud: "AzureUSGovernment" }), {
            linux: ["set -euo pipefail", `azcmagent ${connect("AzureUSGovernment", LINUX_TENANT)}`].join("\n"),
            windows: [...WINDOWS_HEAD, `& $azcmagent ${connect("AzureUSGovernment", "$env:TENANT_ID")}`].join("\n"),
        });
    });
});
