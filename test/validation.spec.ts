import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs, ValidationError } from "../sdk";
import { runProgram } from "../sdk/preview/engine";
import { MINIMAL } from "./harness";

/** Constructs the component with raw (possibly ill-typed) args; returns the error and what was registered. */
async function attempt(args: unknown): Promise<{ error: unknown; registered: number }> {
    let error: unknown;
    const run = await runProgram(() => {
        try {
            new DefenderForServersNetworkRestricted("d", args as any);
        } catch (err) {
            error = err;
        }
    });
    return { error, registered: run.resources.length };
}

const VM = { key: "vm-1", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "vm-1", systemAssignedIdentity: true };
const PROXY = { address: "http://proxy.corp.example:3128" };

const BAD_INPUTS: Array<{ why: string; args: unknown; path: string; says: RegExp }> = [
    { why: "no args at all", args: undefined, path: "args", says: /subscriptionId and location/ },
    { why: "no subscription", args: { location: "westeurope" }, path: "subscriptionId", says: /is required; give the subscription's GUID/ },
    {
        why: "a malformed subscription id",
        args: { ...MINIMAL, subscriptionId: "1234-abcd" },
        path: "subscriptionId",
        says: /"1234-abcd" is not a GUID/,
    },
    {
        why: "a subscription resource id instead of the GUID",
        args: { ...MINIMAL, subscriptionId: "/subscriptions/11111111-2222-3333-4444-555555555555" },
        path: "subscriptionId",
        says: /is a resource id; give only the GUID/,
    },
    { why: "a display-name region", args: { ...MINIMAL, location: "West Europe" }, path: "location", says: /use "westeurope"/ },
    { why: "no location", args: { subscriptionId: MINIMAL.subscriptionId }, path: "location", says: /is required/ },
    {
        why: "an unknown cloud",
        args: { ...MINIMAL, cloud: "AzurePublic" },
        path: "cloud",
        says: /use one of "AzureCloud", "AzureUSGovernment", "AzureChinaCloud"/,
    },
    {
        why: "a cloud in the wrong case",
        args: { ...MINIMAL, cloud: "azureusgovernment" },
        path: "cloud",
        says: /did you mean "AzureUSGovernment"/,
    },
    { why: "the retired China cloud", args: { ...MINIMAL, cloud: "AzureChinaCloud" }, path: "cloud", says: /retired .* 18 August 2026/ },
    {
        why: "an unknown sub-plan",
        args: { ...MINIMAL, plan: { subPlan: "P3" } },
        path: "plan.subPlan",
        says: /"P3" is not allowed; use one of "P1", "P2"/,
    },
    { why: "a lower-case sub-plan", args: { ...MINIMAL, plan: { subPlan: "p2" } }, path: "plan.subPlan", says: /did you mean "P2"/ },
    {
        why: "agentless scanning on P1",
        args: { ...MINIMAL, plan: { subPlan: "P1", agentlessScanning: true } },
        path: "plan.agentlessScanning",
        says: /needs Plan 2; set plan.subPlan to "P2"/,
    },
    {
        why: "switching file integrity monitoring on, whose API Microsoft does not document",
        args: { ...MINIMAL, plan: { fileIntegrityMonitoring: true } },
        path: "plan.fileIntegrityMonitoring",
        says: /cannot be switched on by this component: .*switch it on in Defender for Cloud .* leave this field unset/,
    },
    {
        why: "scan exclusion tags on P1",
        args: { ...MINIMAL, plan: { subPlan: "P1", agentlessScanningExclusionTags: { a: "b" } } },
        path: "plan.agentlessScanningExclusionTags",
        says: /agentless scanning needs Plan 2/,
    },
    {
        why: "exclusion tags with scanning off",
        args: { ...MINIMAL, plan: { agentlessScanning: false, agentlessScanningExclusionTags: { a: "b" } } },
        path: "plan.agentlessScanningExclusionTags",
        says: /while plan.agentlessScanning is false/,
    },
    {
        why: "an invalid tag name",
        args: { ...MINIMAL, plan: { agentlessScanningExclusionTags: { "env/prod": "x" } } },
        path: "plan.agentlessScanningExclusionTags.env/prod",
        says: /not a valid Azure tag name/,
    },
    {
        why: "a misspelt field",
        args: { ...MINIMAL, plan: { subplan: "P1" } },
        path: "plan.subplan",
        says: /not a known field; did you mean "subPlan"/,
    },
    { why: "an unknown top-level field", args: { ...MINIMAL, proxyy: {} }, path: "proxyy", says: /not a known field/ },
    {
        why: "a string where a boolean belongs",
        args: { ...MINIMAL, retainProtectionOnDelete: "yes" },
        path: "retainProtectionOnDelete",
        says: /expected true or false, got "yes"/,
    },
    {
        why: "a Linux choice with the integration off",
        args: { ...MINIMAL, mdeIntegration: { enabled: false, confirmSwitchOff: true, includeLinux: true } },
        path: "mdeIntegration.includeLinux",
        says: /no effect while mdeIntegration.enabled is false/,
    },
    { why: "a plan that is not an object", args: { ...MINIMAL, plan: "P2" }, path: "plan", says: /expected an object, got "P2"/ },
    ...machineAndProxyCases(),
    ...privateLinkCases(),
];

function privateLinkCases(): Array<{ why: string; args: unknown; path: string; says: RegExp }> {
    const subnetId = "/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/s";
    const vnet = "/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v";
    const base = { resourceGroupName: "rg-pl", subnetId, virtualNetworkIds: [vnet] };
    const logs = {
        workspaceResourceId: `/subscriptions/${MINIMAL.subscriptionId}/resourceGroups/m/providers/Microsoft.OperationalInsights/workspaces/w`,
    };
    const arcZones = [
        "privatelink.his.arc.azure.com",
        "privatelink.guestconfiguration.azure.com",
        "privatelink.dp.kubernetesconfiguration.azure.com",
    ];
    return [
        {
            why: "a private endpoint without a subnet",
            args: { ...MINIMAL, privateLink: { resourceGroupName: "rg-pl", arc: {} } },
            path: "privateLink.subnetId",
            says: /is required for the private endpoint of privateLink.arc/,
        },
        {
            why: "an Arc machine in another region than its scope",
            args: {
                ...MINIMAL,
                machines: [{ ...VM, kind: "arc", systemAssignedIdentity: undefined, location: "eastus" }],
                privateLink: { ...base, arc: {} },
            },
            path: "machines[0].location",
            says: /is eastus, but the Arc Private Link Scope is in westeurope/,
        },
        {
            why: "an existing zone the endpoints do not use",
            args: { ...MINIMAL, privateLink: { ...base, arc: {}, existingDnsZoneIds: { "privatelink.his.arc.azure.us": "/x" } } },
            path: "privateLink.existingDnsZoneIds.privatelink.his.arc.azure.us",
            says: /is not a zone these endpoints use/,
        },
        {
            why: "virtual networks to link when every zone is existing",
            args: { ...MINIMAL, privateLink: { ...base, arc: {}, existingDnsZoneIds: Object.fromEntries(arcZones.map((z) => [z, "/x"])) } },
            path: "privateLink.virtualNetworkIds",
            says: /creates none \(all are existing\)/,
        },
        {
            why: "an Azure Monitor scope without a workspace",
            args: { ...MINIMAL, privateLink: { ...base, azureMonitor: {} } },
            path: "privateLink.azureMonitor",
            says: /needs logs.workspaceResourceId/,
        },
        {
            why: "an Arc endpoint in a cloud whose Arc zones are not published",
            args: { ...MINIMAL, cloud: "AzureUSGovernment", location: "usgovvirginia", privateLink: { ...base, arc: {} } },
            path: "privateLink.arc.privateEndpoint",
            says: /no official source names the Arc private DNS zones for AzureUSGovernment/,
        },
        { why: "Private Link with no scope", args: { ...MINIMAL, privateLink: base }, path: "privateLink", says: /names no scope/ },
        {
            why: "an unknown ingestion access mode",
            args: { ...MINIMAL, logs, privateLink: { ...base, azureMonitor: { ingestionAccessMode: "Private" } } },
            path: "privateLink.azureMonitor.ingestionAccessMode",
            says: /use one of "PrivateOnly", "Open"/,
        },
        {
            why: "an AMA machine outside the data collection endpoint's region under Azure Monitor Private Link",
            args: { ...MINIMAL, logs, machines: [{ ...VM, location: "northeurope" }], privateLink: { ...base, azureMonitor: {} } },
            path: "machines[0].location",
            says: /AMA only reads its configuration from an endpoint in its own region/,
        },
        {
            why: "Private Link without a resource group",
            args: { ...MINIMAL, privateLink: { subnetId, virtualNetworkIds: [vnet], arc: {} } },
            path: "privateLink.resourceGroupName",
            says: /is required/,
        },
    ];
}

function machineAndProxyCases(): Array<{ why: string; args: unknown; path: string; says: RegExp }> {
    const withProxy = (proxy: object, machines: object[] = [VM]) => ({ ...MINIMAL, proxy: { ...PROXY, ...proxy }, machines });
    return [
        {
            why: "an authenticated proxy with Linux MDE and the Azure Linux Agent",
            args: withProxy({ username: "u", password: "p" }),
            path: "proxy.username",
            says: /vm-1 \(MDE on Linux, the Azure Linux Agent\).*set proxy.unauthenticatedForAgentHosts: true/,
        },
        {
            why: "an authenticated proxy with the Arc agent on Windows",
            args: withProxy({ username: "u", password: "p" }, [{ ...VM, kind: "arc", os: "windows", systemAssignedIdentity: undefined }]),
            path: "proxy.username",
            says: /vm-1 \(MDE on Windows, the Arc agent\)/,
        },
        {
            why: "a PAC file as proxy",
            args: withProxy({ address: "http://proxy.corp.example/proxy.pac" }),
            path: "proxy.address",
            says: /PAC or WPAD/,
        },
        {
            why: "a WPAD address as proxy",
            args: withProxy({ address: "http://wpad.corp.example:80" }),
            path: "proxy.address",
            says: /PAC or WPAD/,
        },
        {
            why: "an https:// proxy",
            args: withProxy({ address: "https://proxy.corp.example:3128" }),
            path: "proxy.address",
            says: /use http:\/\/proxy.corp.example:3128/,
        },
        {
            why: "a proxy without a port",
            args: withProxy({ address: "http://proxy.corp.example" }),
            path: "proxy.address",
            says: /has no port/,
        },
        {
            why: "a proxy without a scheme",
            args: withProxy({ address: "proxy.corp.example:3128" }),
            path: "proxy.address",
            says: /has no scheme; use http:\/\/proxy/,
        },
        {
            why: "credentials inside the proxy address, without echoing them",
            args: withProxy({ address: "http://user:S3cret@proxy.corp.example:3128" }),
            path: "proxy.address",
            says: /^contains credentials; give only http:\/\/host:port and put them in proxy.username and proxy.password[^S]*$/,
        },
        {
            why: "credentials inside an https:// proxy address, without echoing them",
            args: withProxy({ address: "https://user:S3cret@proxy.corp.example:3128" }),
            path: "proxy.address",
            says: /^contains credentials; give only http:\/\/host:port and put them in proxy.username and proxy.password[^S]*$/,
        },
        {
            why: "credentials inside a proxy address without a scheme, without echoing them",
            args: withProxy({ address: "user:S3cret@proxy.corp.example:3128" }),
            path: "proxy.address",
            says: /^contains credentials; give only http:\/\/host:port and put them in proxy.username and proxy.password[^S]*$/,
        },
        { why: "an IPv6 proxy", args: withProxy({ address: "http://[fd00::1]:3128" }), path: "proxy.address", says: /IPv6/ },
        {
            why: "a user name without a password",
            args: withProxy({ username: "u", unauthenticatedForAgentHosts: true }),
            path: "proxy.password",
            says: /is missing/,
        },
        {
            why: "a CIDR range WinHTTP cannot express",
            args: withProxy({ bypass: ["10.1.0.0/20"] }, [{ ...VM, os: "windows" }]),
            path: "proxy.bypass[0]",
            says: /WinHTTP cannot express/,
        },
        {
            why: "a bypass entry with a scheme",
            args: withProxy({ bypass: ["http://x"] }),
            path: "proxy.bypass[0]",
            says: /not a host name/,
        },
        {
            why: "a bypass entry that would skip the proxy for everything",
            args: withProxy({ bypass: ["*"] }),
            path: "proxy.bypass[0]",
            says: /send everything around the proxy/,
        },
        {
            why: "a machine name that is a resource id",
            args: { ...MINIMAL, machines: [{ ...VM, name: "/subscriptions/x/vm-1" }] },
            path: "machines[0].name",
            says: /not a path or resource id/,
        },
        {
            why: "AMA on a VM without a system identity",
            args: {
                ...MINIMAL,
                logs: {
                    workspaceResourceId: `/subscriptions/${MINIMAL.subscriptionId}/resourceGroups/m/providers/Microsoft.OperationalInsights/workspaces/w`,
                },
                guestConfiguration: { enabled: false },
                machines: [{ ...VM, systemAssignedIdentity: false }],
            },
            path: "machines[0].systemAssignedIdentity",
            says: /^is false, and the Azure Monitor Agent installs but collects nothing without a managed identity: .*userAssignedIdentityId/,
        },
        {
            why: "a policy scope in another subscription",
            args: { ...MINIMAL, rollout: { mode: "policy", scope: "/subscriptions/99999999-9999-9999-9999-999999999999" } },
            path: "rollout.scope",
            says: /is in subscription 99999999-9999-9999-9999-999999999999, not 11111111-/,
        },
        {
            why: "logs that turn on no agent",
            args: { ...MINIMAL, logs: { azureMonitorAgent: false } },
            path: "logs.azureMonitorAgent",
            says: /deploys nothing/,
        },
        {
            why: "a Map where a settings object goes",
            args: { ...MINIMAL, plan: new Map([["subPlan", "P1"]]) },
            path: "plan",
            says: /expected an object/,
        },
        {
            why: "duplicate machine keys",
            args: { ...MINIMAL, machines: [VM, { ...VM, name: "other" }] },
            path: "machines[1].key",
            says: /already the key of machines\[0\]/,
        },
        {
            why: "a machine without an OS",
            args: { ...MINIMAL, machines: [{ ...VM, os: undefined }] },
            path: "machines[0].os",
            says: /is required; use "windows" or "linux"/,
        },
        {
            why: "an unknown machine kind",
            args: { ...MINIMAL, machines: [{ ...VM, kind: "vm" }] },
            path: "machines[0].kind",
            says: /use one of "azureVm", "arc"/,
        },
        {
            why: "an upper-case machine key",
            args: { ...MINIMAL, machines: [{ ...VM, key: "VM_1" }] },
            path: "machines[0].key",
            says: /lower-case letters, digits and dashes/,
        },
        {
            why: "a malformed previousKey",
            args: { ...MINIMAL, machines: [{ ...VM, previousKey: "VM_0" }] },
            path: "machines[0].previousKey",
            says: /lower-case letters, digits and dashes.*or remove previousKey/,
        },
        {
            why: "a previousKey equal to the machine's own key",
            args: { ...MINIMAL, machines: [{ ...VM, previousKey: "vm-1" }] },
            path: "machines[0].previousKey",
            says: /is this machine's key already.*remove it/,
        },
        {
            why: "a previousKey that is an earlier machine's key",
            args: { ...MINIMAL, machines: [VM, { ...VM, key: "vm-2", name: "vm-2", previousKey: "vm-1" }] },
            path: "machines[1].previousKey",
            says: /is the key of machines\[0\].*rename one to a free key first/,
        },
        {
            why: "a previousKey that is a later machine's key (keys can swap in two steps only)",
            args: {
                ...MINIMAL,
                machines: [
                    { ...VM, previousKey: "vm-2" },
                    { ...VM, key: "vm-2", name: "vm-2" },
                ],
            },
            path: "machines[0].previousKey",
            says: /is the key of machines\[1\]/,
        },
        {
            why: "two machines with one previousKey",
            args: {
                ...MINIMAL,
                machines: [
                    { ...VM, previousKey: "old" },
                    { ...VM, key: "vm-2", name: "vm-2", previousKey: "old" },
                ],
            },
            path: "machines[1].previousKey",
            says: /already the previousKey of machines\[0\].*remove it from one of them/,
        },
        {
            why: 'two previousKeys that alias one old name ("x" and "verify-x")',
            args: {
                ...MINIMAL,
                machines: [
                    { key: "a", previousKey: "x", kind: "arc", os: "linux", resourceGroupName: "rg", name: "a" },
                    { key: "b", previousKey: "verify-x", kind: "arc", os: "linux", resourceGroupName: "rg", name: "b" },
                ],
            },
            path: "machines[1].previousKey",
            says: /previousKey of machines\[0\] \("x"\) would alias one old name twice/,
        },
        {
            // "arc-agent-proxy" + "verify-x" and "arc-agent-proxy-verify" + "x" are one run command's name
            // (as are "os-proxy" + "verify-x" and "os-proxy-verify" + "x": the first collision found is named).
            why: "a previousKey whose old names another machine's resources have now",
            args: {
                ...MINIMAL,
                machines: [
                    { key: "verify-x", kind: "arc", os: "linux", resourceGroupName: "rg", name: "a" },
                    { key: "b", previousKey: "x", kind: "arc", os: "linux", resourceGroupName: "rg", name: "b" },
                ],
            },
            path: "machines[1].previousKey",
            says: /would alias <name>-(os|arc-agent)-proxy-verify-x, the name of a resource of machines\[0\] \("verify-x"\)/,
        },
        {
            why: "a machine without a name",
            args: { ...MINIMAL, machines: [{ ...VM, name: "" }] },
            path: "machines[0].name",
            says: /is required: the VM or Arc machine name/,
        },
        {
            why: "an unknown part to leave out",
            args: { ...MINIMAL, machines: [{ ...VM, exclude: ["mde"] }] },
            path: "machines[0].exclude[0]",
            says: /"mde" is not allowed/,
        },
        {
            why: "Guest Configuration on a VM without a system identity",
            args: { ...MINIMAL, machines: [{ ...VM, systemAssignedIdentity: false }] },
            path: "machines[0].systemAssignedIdentity",
            says: /^is false, and Guest Configuration authenticates only with a system-assigned managed identity: .*builtInPolicies.addSystemAssignedIdentity/,
        },
        {
            why: "an identity flag on an Arc machine",
            args: { ...MINIMAL, machines: [{ ...VM, kind: "arc", systemAssignedIdentity: true }] },
            path: "machines[0].systemAssignedIdentity",
            says: /applies to Azure VMs only/,
        },
        {
            why: "air-gapped behind a proxy",
            args: { ...MINIMAL, airGapped: true, proxy: PROXY },
            path: "airGapped",
            says: /contradicts proxy/,
        },
        {
            why: "air-gapped on Plan 1",
            args: { ...MINIMAL, airGapped: true, plan: { subPlan: "P1" } },
            path: "airGapped",
            says: /needs Plan 2/,
        },
        {
            why: "AMA without a workspace or rule",
            args: { ...MINIMAL, logs: {} },
            path: "logs.workspaceResourceId",
            says: /is required for the Azure Monitor Agent/,
        },
        {
            why: "a legacy workspace given by resource id",
            args: { ...MINIMAL, logs: { azureMonitorAgent: false, legacyAgent: { workspaceId: "/subscriptions/x", workspaceKey: "k" } } },
            path: "logs.legacyAgent.workspaceId",
            says: /not a GUID; give the workspace's customerId/,
        },
        {
            why: "Qualys, whose built-in assessment was retired on 1 May 2024",
            // Not in the TypeScript args any more: JavaScript and YAML callers can still pass it.
            args: { ...MINIMAL, qualys: { enabled: true } } as DefenderForServersNetworkRestrictedArgs,
            path: "qualys.enabled",
            says: /retired on 1 May 2024 .*set plan.defenderVulnerabilityManagement: true/,
        },
        {
            why: "MDE switched on for an air-gapped subscription",
            args: { ...MINIMAL, airGapped: true, mdeIntegration: { enabled: true } },
            path: "mdeIntegration.enabled",
            says: /air-gapped keeps MDE off/,
        },
        {
            why: "the plan set on an instance that only prepares machines",
            args: { ...MINIMAL, ownsSubscriptionSettings: false, plan: { subPlan: "P1" } },
            path: "plan",
            says: /set it on the one instance that owns the subscription's plan/,
        },
        {
            why: "a machine's own plan while the subscription's pricing is set to enforce its plan",
            args: {
                ...MINIMAL,
                plan: { enforce: true },
                machines: [
                    {
                        key: "m",
                        kind: "azureVm",
                        os: "linux",
                        resourceGroupName: "rg",
                        name: "m",
                        systemAssignedIdentity: true,
                        defenderPlan: "P1",
                    },
                ],
            },
            path: "plan.enforce",
            says: /forces the subscription's plan on every machine .* m \(P1\) has defenderPlan; set plan.enforce: false/,
        },
        {
            why: "a per-machine plan in policy mode",
            args: {
                ...MINIMAL,
                rollout: { mode: "policy" },
                machines: [{ key: "m", kind: "arc", os: "linux", resourceGroupName: "rg", name: "m", defenderPlan: "Free" }],
            },
            path: "machines[0].defenderPlan",
            says: /rollout.mode is policy/,
        },
        {
            why: "a per-machine plan that is neither P1 nor Free",
            args: {
                ...MINIMAL,
                machines: [{ key: "m", kind: "arc", os: "linux", resourceGroupName: "rg", name: "m", defenderPlan: "P2" }],
            },
            path: "machines[0].defenderPlan",
            says: /"P2" is not allowed; use one of "P1", "Free"/,
        },
    ];
}

describe("validation of bad input", () => {
    for (const bad of BAD_INPUTS) {
        it(`refuses ${bad.why}: one error naming ${bad.path}, nothing registered`, async () => {
            const { error, registered } = await attempt(bad.args);
            assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
            assert.deepEqual(
                error.problems.map((p) => p.path),
                [bad.path],
            );
            assert.match(error.problems[0].message, bad.says);
            assert.match(error.message, new RegExp(`- ${bad.path.replace(/[.[\]/]/g, "\\$&")}: `));
            assert.equal(registered, 0, "a resource was registered before validation failed");
        });
    }

    it("reports every problem at once, not one per preview", async () => {
        const { error } = await attempt({
            subscriptionId: "x",
            location: "West Europe",
            plan: { subPlan: "P1", agentlessScanning: true },
        });
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(
            error.problems.map((p) => p.path),
            ["subscriptionId", "location", "plan.agentlessScanning"],
        );
        assert.match(error.message, /invalid arguments \(3\)/);
    });
});
