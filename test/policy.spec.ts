/**
 * The policy pack (policy/): each check with hand-built policy arguments, one case that passes
 * and one that fails with its message; the pack's wiring; and the component's own resources,
 * recorded by the mock engine, run through every check.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as compute from "@pulumi/azure-native/compute";
import { DefenderForServersNetworkRestricted } from "../sdk";
import { RecordedResource, RunResult, runProgram } from "../sdk/preview/engine";
import { checkPreview, main as checkPreviewMain, PreviewJson } from "../policy/check-preview";
import { CONFIG_SCHEMAS, policies, POLICY_PACK_NAME } from "../policy/policies";
import {
    arcPrivateLinkScopeIsPrivate,
    azureMonitorAgentFollowsOsProxy,
    azureMonitorAgentIdentityIsComplete,
    azureMonitorPrivateLinkScopeIsPrivate,
    baseType,
    defenderForServersIsStandard,
    guestConfigurationVmsArePrivateWithIdentity,
    isSecretKey,
    noCredentialsInPlainSettings,
    ResourceLike,
    StackLike,
    StackResourceLike,
    TYPES,
} from "../policy/rules";
import { mixedFleet, PASSWORD } from "./fleet";
import { noCredentialsInPolicies, policyModeWaitsForTheProxy } from "../policy/policyModeRules";
import { inputs, MODES } from "./harness";
import { sharedPreview } from "./previewCli";

const PROXY = "http://proxy.corp.example:3128";

interface Violation {
    message: string;
    urn?: string;
}

const urnOf = (type: string, name: string): string => `urn:pulumi:dev::app::${type}::${name}`;

function resource(type: string, name: string, props: Record<string, any>): ResourceLike {
    return { type, name, urn: urnOf(type, name), props };
}

function stackResource(
    type: string,
    name: string,
    props: Record<string, any>,
    links: Partial<Pick<StackResourceLike, "parent" | "dependencies" | "propertyDependencies">> = {},
): StackResourceLike {
    return { ...resource(type, name, props), dependencies: [], propertyDependencies: {}, ...links };
}

/** What a check reports for these arguments (and this policy config). */
function violations<A, C>(
    check: (args: A, report: (message: string, urn?: string) => void, config?: C) => void,
    args: A,
    config?: C,
): Violation[] {
    const found: Violation[] = [];
    check(args, (message, urn) => found.push(urn === undefined ? { message } : { message, urn }), config);
    return found;
}

describe("policy pack: resource checks", () => {
    describe("defender-for-servers-standard", () => {
        const pricing = (props: Record<string, any>) => resource(TYPES.pricing, "d-plan", { pricingName: "VirtualMachines", ...props });

        it("passes the Standard tier", () => {
            assert.deepEqual(violations(defenderForServersIsStandard, pricing({ pricingTier: "Standard", subPlan: "P2" })), []);
        });

        it("fails the Free tier", () => {
            assert.deepEqual(violations(defenderForServersIsStandard, pricing({ pricingTier: "Free" })), [
                {
                    message:
                        'Defender for Servers pricing "d-plan" (pricingName VirtualMachines) has pricingTier "Free"; it must be "Standard", or the subscription\'s servers are not protected (Free has no Defender for Servers).',
                },
            ]);
        });

        const machineId = "/subscriptions/s/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/lnx-arc";

        it("fails a Free machine exclusion unless allowMachineExclusions is set, naming the property", () => {
            const exclusion = pricing({ scopeId: machineId, pricingTier: "Free" });
            assert.deepEqual(violations(defenderForServersIsStandard, exclusion), [
                {
                    message:
                        'Defender for Servers pricing "d-plan" (pricingName VirtualMachines) has pricingTier "Free"; it must be "Standard", or the machine is not protected (Free has no Defender for Servers). ' +
                        'If a machine left out (defender-servers: machines[].defenderPlan "Free") is deliberate, allow it with --policy-pack-config {"defender-for-servers-standard": {"allowMachineExclusions": true}}.',
                },
            ]);
            assert.deepEqual(violations(defenderForServersIsStandard, exclusion, { allowMachineExclusions: true }), []);
            const vmExclusion = pricing({
                scopeId: machineId.replace("HybridCompute/machines", "Compute/virtualMachines"),
                pricingTier: "Free",
            });
            assert.deepEqual(violations(defenderForServersIsStandard, vmExclusion, { allowMachineExclusions: true }), []);
        });

        it("passes with allowMachineExclusions only a scopeId that is a machine's id, whole", () => {
            const vmId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm";
            const free = (scopeId: string) =>
                violations(defenderForServersIsStandard, pricing({ scopeId, pricingTier: "Free" }), { allowMachineExclusions: true });
            // Azure ids are case-insensitive: a machine id in other letters is still that machine.
            assert.deepEqual(free(vmId.toUpperCase()), []);
            for (const notAMachine of [
                `${vmId}/extensions/MDE.Linux`,
                `${vmId}/../../../..`,
                `${vmId}/`,
                `/subscriptions/s/providers/Microsoft.Security/x${vmId.slice("/subscriptions/s".length)}`,
                `/subscriptions/s?scope=${vmId}`,
                vmId.slice("/subscriptions/s".length),
                "/subscriptions/s/resourceGroups/rg",
            ]) {
                const found = free(notAMachine);
                assert.equal(found.length, 1, `${notAMachine} passed as a machine's scope`);
                // Not a machine left out: the message must not offer the property that would not let it through anyway.
                assert.doesNotMatch(found[0].message, /allowMachineExclusions/);
            }
        });

        it("still fails a Free subscription with allowMachineExclusions set", () => {
            const subscription = pricing({ scopeId: "/subscriptions/s", pricingTier: "Free" });
            assert.equal(violations(defenderForServersIsStandard, subscription, { allowMachineExclusions: true }).length, 1);
            assert.equal(
                violations(defenderForServersIsStandard, pricing({ pricingTier: "Free" }), { allowMachineExclusions: true }).length,
                1,
            );
        });

        it("reads versioned type tokens, and leaves other Defender plans alone", () => {
            const versioned = { ...pricing({ pricingTier: "Free" }), type: "azure-native:security/v20240101:Pricing" };
            assert.equal(violations(defenderForServersIsStandard, versioned).length, 1);
            const storage = resource(TYPES.pricing, "storage", { pricingName: "StorageAccounts", pricingTier: "Free" });
            assert.deepEqual(violations(defenderForServersIsStandard, storage), []);
        });
    });

    describe("arc-private-link-scope-not-public", () => {
        const scope = (properties: Record<string, any> | undefined) =>
            resource(TYPES.arcPrivateLinkScope, "d-arc-scope", { resourceGroupName: "rg-pl", properties });

        it("passes a scope with public network access disabled", () => {
            assert.deepEqual(violations(arcPrivateLinkScopeIsPrivate, scope({ publicNetworkAccess: "Disabled" })), []);
        });

        it("fails a scope with public network access enabled, or not stated", () => {
            assert.deepEqual(violations(arcPrivateLinkScopeIsPrivate, scope({ publicNetworkAccess: "Enabled" })), [
                {
                    message:
                        'Arc Private Link Scope "d-arc-scope" has properties.publicNetworkAccess "Enabled"; set it to "Disabled" (defender-servers: privateLink.arc.publicNetworkAccess false, the default) so its machines cannot use the public Arc endpoints. ' +
                        'If public access (defender-servers: privateLink.arc.publicNetworkAccess true, needed while machines are associated by policy) is deliberate, allow it with --policy-pack-config {"arc-private-link-scope-not-public": {"allowPublicNetworkAccess": true}}.',
                },
            ]);
            assert.match(
                violations(arcPrivateLinkScopeIsPrivate, scope(undefined))[0].message,
                /publicNetworkAccess unset; set it to "Disabled"/,
            );
        });

        it("passes an open scope when allowPublicNetworkAccess says it is deliberate", () => {
            const open = scope({ publicNetworkAccess: "Enabled" });
            assert.deepEqual(violations(arcPrivateLinkScopeIsPrivate, open, { allowPublicNetworkAccess: true }), []);
            assert.equal(violations(arcPrivateLinkScopeIsPrivate, open, { allowPublicNetworkAccess: false }).length, 1);
        });
    });

    describe("azure-monitor-private-link-scope-private-ingestion", () => {
        const scope = (accessModeSettings: Record<string, any>) =>
            resource(TYPES.monitorPrivateLinkScope, "d-monitor-scope", { location: "global", accessModeSettings });

        it("passes private-only ingestion with an open query mode", () => {
            const settings = { ingestionAccessMode: "PrivateOnly", queryAccessMode: "Open" };
            assert.deepEqual(violations(azureMonitorPrivateLinkScopeIsPrivate, scope(settings)), []);
        });

        it("fails open ingestion, and an exclusion that opens it again", () => {
            assert.deepEqual(
                violations(azureMonitorPrivateLinkScopeIsPrivate, scope({ ingestionAccessMode: "Open", queryAccessMode: "Open" })),
                [
                    {
                        message:
                            'Azure Monitor Private Link Scope "d-monitor-scope" has accessModeSettings.ingestionAccessMode "Open"; set it to "PrivateOnly" (defender-servers: privateLink.azureMonitor.ingestionAccessMode, the default) so logs cannot be sent to public endpoints. ' +
                            'If open ingestion (defender-servers: privateLink.azureMonitor.ingestionAccessMode "Open") is deliberate, allow it with --policy-pack-config {"azure-monitor-private-link-scope-private-ingestion": {"allowOpenIngestion": true}}.',
                    },
                ],
            );
            const exclusion = { privateEndpointConnectionName: "pe-branch", ingestionAccessMode: "Open" };
            assert.deepEqual(
                violations(azureMonitorPrivateLinkScopeIsPrivate, scope({ ingestionAccessMode: "PrivateOnly", exclusions: [exclusion] })),
                [
                    {
                        message:
                            'Azure Monitor Private Link Scope "d-monitor-scope": accessModeSettings.exclusions[0] ("pe-branch") opens ingestion with "Open"; remove the exclusion or make it "PrivateOnly".',
                    },
                ],
            );
        });

        it("passes Open ingestion when allowOpenIngestion says it is deliberate, but still fails an opening exclusion", () => {
            const open = scope({ ingestionAccessMode: "Open", queryAccessMode: "Open" });
            assert.deepEqual(violations(azureMonitorPrivateLinkScopeIsPrivate, open, { allowOpenIngestion: true }), []);
            const excluded = scope({
                ingestionAccessMode: "Open",
                exclusions: [{ privateEndpointConnectionName: "pe-branch", ingestionAccessMode: "Open" }],
            });
            assert.deepEqual(
                violations(azureMonitorPrivateLinkScopeIsPrivate, excluded, { allowOpenIngestion: true }).map(
                    (v) => v.message.split(":")[1],
                ),
                [
                    ' accessModeSettings.exclusions[0] ("pe-branch") opens ingestion with "Open"; remove the exclusion or make it "PrivateOnly".',
                ],
            );
        });
    });

    describe("no-proxy-credentials-in-plain-settings", () => {
        const vmExtension = (props: Record<string, any>) =>
            resource(TYPES.vmExtension, "d-ama-win-vm", { vmName: "win-vm", resourceGroupName: "rg-app", ...props });

        it("passes AMA with the proxy in settings and its credentials in protected settings", () => {
            const ama = vmExtension({
                settings: { proxy: { mode: "application", address: PROXY, auth: "true" } },
                protectedSettings: { proxy: { username: "svc-defender", password: PASSWORD } },
            });
            assert.deepEqual(violations(noCredentialsInPlainSettings, ama), []);
        });

        it("fails a password in plain settings, without repeating it", () => {
            const ama = vmExtension({ settings: { proxy: { mode: "application", address: PROXY, username: "svc", password: PASSWORD } } });
            const found = violations(noCredentialsInPlainSettings, ama);
            assert.deepEqual(found, [
                {
                    message:
                        'Extension "d-ama-win-vm" has a credential in settings.proxy.password, which is stored and shown in clear text; move it to protectedSettings (defender-servers puts proxy credentials there itself).',
                },
            ]);
            assert.ok(!JSON.stringify(found).includes(PASSWORD));
        });

        it("fails user:password@ in a proxy string or URL, on VMs and Arc machines", () => {
            const mma = vmExtension({ settings: { workspaceId: "w", proxy: `svc:${PASSWORD}@proxy.corp.example:3128` } });
            assert.deepEqual(
                violations(noCredentialsInPlainSettings, mma).map((v) => v.message.split(",")[0]),
                ['Extension "d-ama-win-vm" has a credential in settings.proxy'],
            );
            const arc = resource(TYPES.arcExtension, "d-ama-lnx-arc", {
                machineName: "lnx-arc",
                properties: { settings: { proxy: { mode: "application", address: `http://svc:${PASSWORD}@proxy.corp.example:3128` } } },
            });
            const found = violations(noCredentialsInPlainSettings, arc);
            assert.deepEqual(
                found.map((v) => v.message),
                [
                    'Extension "d-ama-lnx-arc" has a credential in properties.settings.proxy.address, which is stored and shown in clear text; move it to properties.protectedSettings (defender-servers puts proxy credentials there itself).',
                ],
            );
            assert.ok(!JSON.stringify(found).includes(PASSWORD));
        });

        it("checks run-command parameters: a proxy URL with credentials fails, the bypass list does not", () => {
            const command = (url: string) =>
                resource(TYPES.vmRunCommand, "d-os-proxy-lnx-vm", {
                    runCommandName: "defender-os-proxy",
                    parameters: [
                        { name: "PROXY_URL", value: url },
                        { name: "PROXY_BYPASS", value: "168.63.129.16,169.254.169.254,localhost,127.0.0.1,.corp.example" },
                    ],
                });
            assert.deepEqual(violations(noCredentialsInPlainSettings, command(PROXY)), []);
            assert.deepEqual(violations(noCredentialsInPlainSettings, command(`http://svc:${PASSWORD}@proxy.corp.example:3128`)), [
                {
                    message:
                        'Run command "d-os-proxy-lnx-vm" has a credential in parameters[0] (PROXY_URL), which is stored and shown in clear text; use protectedParameters, or a proxy that lets the machine through without one.',
                },
            ]);
        });

        it("azure-monitor-agent-identity-complete: passes mi_res_id with a value, fails an incomplete identity", () => {
            const agent = (authentication: unknown) =>
                resource(TYPES.vmExtension, "agent", {
                    publisher: "Microsoft.Azure.Monitor",
                    type: "AzureMonitorLinuxAgent",
                    settings: { proxy: { mode: "none" }, authentication },
                });
            const uai = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ama";
            assert.deepEqual(
                violations(
                    azureMonitorAgentIdentityIsComplete,
                    agent({ managedIdentity: { "identifier-name": "mi_res_id", "identifier-value": uai } }),
                ),
                [],
            );
            assert.deepEqual(
                violations(
                    azureMonitorAgentIdentityIsComplete,
                    resource(TYPES.vmExtension, "agent", {
                        publisher: "Microsoft.Azure.Monitor",
                        type: "AzureMonitorLinuxAgent",
                        settings: {},
                    }),
                ),
                [],
            );
            assert.deepEqual(
                violations(
                    azureMonitorAgentIdentityIsComplete,
                    agent({ managedIdentity: { "identifier-name": "resource_id", "identifier-value": uai } }),
                ),
                [
                    {
                        message:
                            'Azure Monitor Agent "agent" has settings.authentication without a usable managedIdentity (identifier-name "resource_id", identifier-value set): use identifier-name "mi_res_id" with the user-assigned identity\'s resource id (defender-servers: machines[].userAssignedIdentityId).',
                    },
                ],
            );
            assert.equal(
                violations(azureMonitorAgentIdentityIsComplete, agent({ managedIdentity: { "identifier-name": "mi_res_id" } })).length,
                1,
            );
        });

        it("tells secret keys by their words", () => {
            for (const key of [
                "password",
                "proxyPassword",
                "PROXY_PASSWORD",
                "proxyPwd",
                "passphrase",
                "clientSecret",
                "credentials",
                "proxyPass",
            ]) {
                assert.ok(isSecretKey(key), key);
            }
            for (const key of ["bypass", "PROXY_BYPASS", "BypassList", "auth", "proxyUri", "secretName", "passThrough", "address"]) {
                assert.ok(!isSecretKey(key), key);
            }
        });
    });
});

describe("policy pack: stack checks", () => {
    const component = stackResource(TYPES.component, "d", {});
    const child = { parent: { urn: component.urn, type: component.type, name: component.name } };
    // Logical names are arbitrary on purpose: the check pairs by type and inputs, never by names.
    const osProxy = (key: string, url = PROXY) =>
        stackResource(
            TYPES.vmRunCommand,
            `cmd-${key}`,
            {
                vmName: key,
                resourceGroupName: "rg-app",
                parameters: [
                    { name: "ProxyUrl", value: url },
                    { name: "BypassList", value: "168.63.129.16" },
                ],
            },
            child,
        );
    const ama = (key: string, proxy: Record<string, any>) =>
        stackResource(
            TYPES.vmExtension,
            `agent-${key}`,
            {
                vmName: key,
                resourceGroupName: "rg-app",
                publisher: "Microsoft.Azure.Monitor",
                type: "AzureMonitorWindowsAgent",
                settings: { proxy },
            },
            child,
        );
    const arcAma = (key: string, proxy: Record<string, any>) =>
        stackResource(
            TYPES.arcExtension,
            `agent-${key}`,
            {
                machineName: key,
                resourceGroupName: "rg-arc",
                extensionName: "AzureMonitorLinuxAgent",
                properties: { publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorLinuxAgent", settings: { proxy } },
            },
            child,
        );
    const stack = (...resources: StackResourceLike[]): StackLike => ({ resources: [component, ...resources] });

    describe("azure-monitor-agent-follows-os-proxy", () => {
        it("passes machines whose AMA uses the operating-system proxy, on VMs and Arc machines", () => {
            const arcProxy = stackResource(
                TYPES.arcRunCommand,
                "cmd-lnx-arc",
                {
                    machineName: "lnx-arc",
                    resourceGroupName: "rg-arc",
                    parameters: [
                        { name: "PROXY_URL", value: PROXY },
                        { name: "PROXY_BYPASS", value: "168.63.129.16" },
                    ],
                },
                child,
            );
            const args = stack(
                osProxy("win-vm"),
                ama("win-vm", { mode: "application", address: PROXY, auth: "true" }),
                arcProxy,
                arcAma("lnx-arc", { mode: "application", address: PROXY, auth: "false" }),
            );
            assert.deepEqual(violations(azureMonitorAgentFollowsOsProxy, args), []);
        });

        it("fails AMA without the proxy on a machine behind it", () => {
            const agent = ama("win-vm", { mode: "none" });
            assert.deepEqual(violations(azureMonitorAgentFollowsOsProxy, stack(osProxy("win-vm"), agent)), [
                {
                    message:
                        'Azure Monitor Agent "agent-win-vm" has settings.proxy.mode "none" on a machine behind the proxy "http://proxy.corp.example:3128" (cmd-win-vm): it needs mode "application" with that address, or it installs and sends nothing.',
                    urn: agent.urn,
                },
            ]);
        });

        it("passes a machine behind the proxy with no AMA (log collection is optional), and fails AMA pointed at another proxy", () => {
            const command = osProxy("win-vm");
            assert.deepEqual(violations(azureMonitorAgentFollowsOsProxy, stack(command)), []);
            const elsewhere = ama("win-vm", { mode: "application", address: "http://other-proxy:8080" });
            assert.deepEqual(
                violations(azureMonitorAgentFollowsOsProxy, stack(command, elsewhere)).map((v) => v.message),
                [
                    'Azure Monitor Agent "agent-win-vm" sends to the proxy "http://other-proxy:8080", but its machine\'s operating-system proxy is "http://proxy.corp.example:3128" (cmd-win-vm); use the same address.',
                ],
            );
        });

        it("pairs by machine: another machine's proxy says nothing about this AMA; deployed outputs pair by Azure id", () => {
            assert.deepEqual(violations(azureMonitorAgentFollowsOsProxy, stack(osProxy("other-vm"), ama("win-vm", { mode: "none" }))), []);
            const byId = (type: string, name: string, id: string, props: Record<string, any>) =>
                stackResource(type, name, { id, ...props });
            const vmId = "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/win-vm";
            const deployed = stack(
                byId(TYPES.vmRunCommand, "x", `${vmId}/runCommands/defender-os-proxy`, {
                    parameters: [
                        { name: "ProxyUrl", value: PROXY },
                        { name: "BypassList", value: "" },
                    ],
                }),
                byId(TYPES.vmExtension, "y", `${vmId}/extensions/AzureMonitorWindowsAgent`, {
                    publisher: "Microsoft.Azure.Monitor",
                    type: "AzureMonitorWindowsAgent",
                    settings: { proxy: { mode: "none" } },
                }),
            );
            assert.deepEqual(
                violations(azureMonitorAgentFollowsOsProxy, deployed).map((v) => v.message.split(" has ")[0]),
                ['Azure Monitor Agent "y"'],
            );
        });

        it("lets AMA go around the proxy when the component routes Azure Monitor through its Private Link Scope", () => {
            const scope = stackResource(TYPES.monitorPrivateLinkScope, "d-monitor-scope", { accessModeSettings: {} }, child);
            assert.deepEqual(
                violations(azureMonitorAgentFollowsOsProxy, stack(osProxy("win-vm"), ama("win-vm", { mode: "none" }), scope)),
                [],
            );
        });

        it("ignores run commands that are not the component's operating-system proxy", () => {
            const mine = stackResource(TYPES.vmRunCommand, "patching", {
                vmName: "win-vm",
                resourceGroupName: "rg-app",
                parameters: [{ name: "ProxyUrl", value: "http://elsewhere:1" }],
            });
            const arcAgent = stackResource(
                TYPES.arcRunCommand,
                "d-arc-agent-proxy-lnx-arc",
                {
                    machineName: "lnx-arc",
                    resourceGroupName: "rg-arc",
                    parameters: [
                        { name: "PROXY_URL", value: "http://elsewhere:1" },
                        { name: "ARC_PROXY_BYPASS", value: "" },
                    ],
                },
                child,
            );
            const agents = [
                ama("win-vm", { mode: "application", address: PROXY }),
                arcAma("lnx-arc", { mode: "application", address: PROXY }),
            ];
            assert.deepEqual(violations(azureMonitorAgentFollowsOsProxy, stack(mine, arcAgent, ...agents)), []);
        });
    });

    describe("guest-configuration-private-network-and-identity", () => {
        const vm = (props: Record<string, any>) =>
            stackResource(TYPES.virtualMachine, "app-vm", { name: "app-vm", hardwareProfile: { vmSize: "Standard_B2s" }, ...props });
        const gcOn = (target: StackResourceLike) =>
            stackResource(
                TYPES.vmExtension,
                "d-guest-configuration-app-vm",
                { name: "AzurePolicyforWindows", publisher: "Microsoft.GuestConfiguration", type: "ConfigurationforWindows" },
                { ...child, dependencies: [target], propertyDependencies: { vmName: [target] } },
            );

        it("passes a VM with the tag and a system-assigned identity", () => {
            const target = vm({
                tags: { env: "prod", EnablePrivateNetworkGC: "TRUE" },
                identity: { type: "SystemAssigned, UserAssigned" },
            });
            assert.deepEqual(violations(guestConfigurationVmsArePrivateWithIdentity, { resources: [target, gcOn(target)] }), []);
        });

        it("fails a VM without the tag", () => {
            const target = vm({ tags: { env: "prod" }, identity: { type: "SystemAssigned" } });
            assert.deepEqual(violations(guestConfigurationVmsArePrivateWithIdentity, { resources: [target, gcOn(target)] }), [
                {
                    message:
                        "VM \"app-vm\" has Guest Configuration (d-guest-configuration-app-vm) but not the tag EnablePrivateNetworkGC=TRUE: Guest Configuration takes no proxy and fails without it; merge defender-servers' guestConfigurationTags output into the VM's tags. " +
                        'If tagging by Azure Policy (defender-servers: guestConfiguration.tagExistingVms true) is deliberate, allow it with --policy-pack-config {"guest-configuration-private-network-and-identity": {"allowTagFromPolicy": true}}.',
                    urn: target.urn,
                },
            ]);
        });

        it("fails a VM without a system-assigned identity", () => {
            const target = vm({ tags: { EnablePrivateNetworkGC: "TRUE" }, identity: { type: "UserAssigned" } });
            assert.deepEqual(violations(guestConfigurationVmsArePrivateWithIdentity, { resources: [target, gcOn(target)] }), [
                {
                    message:
                        'VM "app-vm" has Guest Configuration (d-guest-configuration-app-vm) but no system-assigned identity (identity.type "UserAssigned"): Guest Configuration authenticates with it; set identity.type to "SystemAssigned" (or "SystemAssigned, UserAssigned"). ' +
                        'If an identity added by Azure Policy (defender-servers: builtInPolicies.addSystemAssignedIdentity true) is deliberate, allow it with --policy-pack-config {"guest-configuration-private-network-and-identity": {"allowIdentityFromPolicy": true}}.',
                    urn: target.urn,
                },
            ]);
        });

        it("skips the tag with allowTagFromPolicy and the identity with allowIdentityFromPolicy, each only its own half", () => {
            const bare = vm({ tags: { env: "prod" }, identity: { type: "None" } });
            const resources = [bare, gcOn(bare)];
            const halves = (config: Record<string, boolean>) =>
                violations(guestConfigurationVmsArePrivateWithIdentity, { resources }, config).map((v) => v.message.split(":")[0]);
            const tag = 'VM "app-vm" has Guest Configuration (d-guest-configuration-app-vm) but not the tag EnablePrivateNetworkGC=TRUE';
            const identity =
                'VM "app-vm" has Guest Configuration (d-guest-configuration-app-vm) but no system-assigned identity (identity.type "None")';
            assert.deepEqual(halves({}), [tag, identity]);
            assert.deepEqual(halves({ allowTagFromPolicy: true }), [identity]);
            assert.deepEqual(halves({ allowIdentityFromPolicy: true }), [tag]);
            assert.deepEqual(halves({ allowTagFromPolicy: true, allowIdentityFromPolicy: true }), []);
        });

        it("leaves alone VMs not declared in the stack, and other extensions", () => {
            const outside = stackResource(TYPES.vmExtension, "d-guest-configuration-far", { publisher: "Microsoft.GuestConfiguration" });
            const target = vm({});
            const other = stackResource(
                TYPES.vmExtension,
                "d-ama-app-vm",
                { publisher: "Microsoft.Azure.Monitor" },
                { dependencies: [target] },
            );
            assert.deepEqual(violations(guestConfigurationVmsArePrivateWithIdentity, { resources: [outside, target, other] }), []);
        });
    });
});

/** Each policy's check, by policy name, as the pack must wire them. */
type Check<A> = (args: A, report: (message: string, urn?: string) => void, config?: any) => void;
const RESOURCE_CHECKS: Record<string, Check<ResourceLike>> = {
    "defender-for-servers-standard": defenderForServersIsStandard,
    "arc-private-link-scope-not-public": arcPrivateLinkScopeIsPrivate,
    "azure-monitor-private-link-scope-private-ingestion": azureMonitorPrivateLinkScopeIsPrivate,
    "no-proxy-credentials-in-plain-settings": noCredentialsInPlainSettings,
    "azure-monitor-agent-identity-complete": azureMonitorAgentIdentityIsComplete,
    "no-credentials-in-policies": noCredentialsInPolicies,
};
const STACK_CHECKS: Record<string, Check<StackLike>> = {
    "azure-monitor-agent-follows-os-proxy": azureMonitorAgentFollowsOsProxy,
    "guest-configuration-private-network-and-identity": guestConfigurationVmsArePrivateWithIdentity,
    "policy-mode-waits-for-the-proxy": policyModeWaitsForTheProxy,
};

describe("policy pack: wiring", () => {
    it("names every check once, mandatory, each wired to its rule", () => {
        assert.equal(POLICY_PACK_NAME, "defender-servers");
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        assert.deepEqual([...names].sort(), [...Object.keys(RESOURCE_CHECKS), ...Object.keys(STACK_CHECKS)].sort());
        for (const policy of policies) assert.equal(policy.enforcementLevel, "mandatory", policy.name);
    });

    it("runs each policy's rule on what it is given, with the config the pack's getConfig() returns", () => {
        // One case each policy fails, and for a configurable policy the config that lets it through.
        const vm = stackResource(TYPES.virtualMachine, "app-vm", { tags: {}, identity: { type: "None" } });
        const gc = stackResource(
            TYPES.vmExtension,
            "gc",
            { publisher: "Microsoft.GuestConfiguration" },
            { dependencies: [vm], propertyDependencies: { vmName: [vm] } },
        );
        const osProxyCommand = stackResource(TYPES.vmRunCommand, "cmd", {
            vmName: "app-vm",
            resourceGroupName: "rg",
            parameters: [
                { name: "ProxyUrl", value: PROXY },
                { name: "BypassList", value: "" },
            ],
        });
        const amaNoProxy = stackResource(TYPES.vmExtension, "ama", {
            vmName: "app-vm",
            resourceGroupName: "rg",
            publisher: "Microsoft.Azure.Monitor",
            type: "AzureMonitorWindowsAgent",
            settings: { proxy: { mode: "none" }, authentication: {} },
        });
        const cases: Record<string, { args: ResourceLike | StackLike; allow?: Record<string, boolean> }> = {
            "defender-for-servers-standard": {
                args: resource(TYPES.pricing, "p", {
                    scopeId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/app-vm",
                    pricingName: "VirtualMachines",
                    pricingTier: "Free",
                }),
                allow: { allowMachineExclusions: true },
            },
            "arc-private-link-scope-not-public": {
                args: resource(TYPES.arcPrivateLinkScope, "s", { properties: { publicNetworkAccess: "Enabled" } }),
                allow: { allowPublicNetworkAccess: true },
            },
            "azure-monitor-private-link-scope-private-ingestion": {
                args: resource(TYPES.monitorPrivateLinkScope, "m", { accessModeSettings: { ingestionAccessMode: "Open" } }),
                allow: { allowOpenIngestion: true },
            },
            "no-proxy-credentials-in-plain-settings": { args: resource(TYPES.vmExtension, "e", { settings: { password: PASSWORD } }) },
            "azure-monitor-agent-identity-complete": { args: amaNoProxy },
            "azure-monitor-agent-follows-os-proxy": { args: { resources: [osProxyCommand, amaNoProxy] } },
            "guest-configuration-private-network-and-identity": {
                args: { resources: [vm, gc] },
                allow: { allowTagFromPolicy: true, allowIdentityFromPolicy: true },
            },
            "no-credentials-in-policies": {
                args: resource("azure-native:authorization:PolicyAssignment", "a", {
                    parameters: { proxy: { value: `http://svc:${PASSWORD}@proxy:3128` } },
                }),
            },
            "policy-mode-waits-for-the-proxy": {
                args: policyModeStack(),
                allow: { allowNoRemediation: true, allowNoWait: true, allowNoRouteCheck: true },
            },
        };
        assert.deepEqual(Object.keys(cases).sort(), [...policies.map((p) => p.name)].sort());
        for (const policy of policies) {
            const { args, allow } = cases[policy.name];
            const rule = (RESOURCE_CHECKS[policy.name] ?? STACK_CHECKS[policy.name]) as Check<typeof args>;
            const served = (config: object): Violation[] => {
                const found: Violation[] = [];
                const validate = ("validateStack" in policy ? policy.validateStack : policy.validateResource) as unknown as Check<unknown>;
                validate({ ...args, getConfig: () => config }, (message, urn) =>
                    found.push(urn === undefined ? { message } : { message, urn }),
                );
                return found;
            };
            const strict = served({});
            assert.ok(strict.length > 0, `${policy.name} fails its case`);
            assert.deepEqual(strict, violations(rule, args), policy.name);
            // The schema the CLI validates --policy-pack-config against lists exactly the properties the case allows, all off by default.
            const schema = CONFIG_SCHEMAS[policy.name];
            assert.equal(policy.configSchema, schema, policy.name);
            assert.deepEqual(Object.keys(schema?.properties ?? {}).sort(), Object.keys(allow ?? {}).sort(), policy.name);
            for (const [property, definition] of Object.entries(schema?.properties ?? {})) {
                assert.deepEqual([definition.type, definition.default], ["boolean", false], `${policy.name}.${property}`);
                assert.match(
                    strict.map((v) => v.message).join("\n"),
                    new RegExp(`"${property}": true`),
                    `${policy.name} names ${property}`,
                );
            }
            if (allow !== undefined) assert.deepEqual(served(allow), [], `${policy.name} with ${JSON.stringify(allow)}`);
        }
    });

    it("strips API versions from type tokens", () => {
        assert.equal(baseType("azure-native:compute/v20240301:VirtualMachineExtension"), TYPES.vmExtension);
        assert.equal(baseType(TYPES.component), TYPES.component);
    });
});

/** The recorded run as a stack policy sees it: parents and dependencies linked, inputs standing in for outputs. */
function asStack(run: RunResult): StackLike {
    const byUrn = new Map<string, StackResourceLike>();
    for (const r of run.resources) {
        byUrn.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props: inputs(r), dependencies: [], propertyDependencies: {} });
    }
    const linked = (r: RecordedResource): StackResourceLike => {
        const self = byUrn.get(r.urn)!;
        const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
        if (parent !== undefined) self.parent = { urn: parent.urn, type: parent.type, name: parent.name };
        self.dependencies = [...new Set(r.dependencies)].flatMap((urn) => byUrn.get(urn) ?? []);
        return self;
    };
    return { resources: run.resources.map(linked) };
}

/** Every violation of every policy: resource checks on each resource, stack checks on the whole; config by policy name. */
function allViolations(stack: StackLike, config: Record<string, object> = {}): Array<Violation & { policy: string }> {
    const found: Array<Violation & { policy: string }> = [];
    const reporter = (policy: string) => (message: string, urn?: string) =>
        found.push({ policy, message, ...(urn === undefined ? {} : { urn }) });
    for (const [policy, check] of Object.entries(RESOURCE_CHECKS))
        for (const r of stack.resources) check(r, reporter(policy), config[policy] ?? {});
    for (const [policy, check] of Object.entries(STACK_CHECKS)) check(stack, reporter(policy), config[policy] ?? {});
    return found;
}

/** The mixed fleet, with its Windows VM declared in the same program (tags and identity as given). */
async function fleetWithDeclaredVm(
    vmProps: { tags: Record<string, string>; identityType: string },
    fleet = mixedFleet(),
    preview = false,
): Promise<RunResult> {
    return runProgram(
        () => {
            const vm = new compute.VirtualMachine("win-vm", {
                resourceGroupName: "rg-app",
                vmName: "win-vm",
                tags: vmProps.tags,
                identity: { type: vmProps.identityType as compute.ResourceIdentityType },
            });
            const machines = fleet.machines!.map((m) => (m.key === "win-vm" ? { ...m, name: vm.name } : m));
            new DefenderForServersNetworkRestricted("d", { ...fleet, machines });
            return {};
        },
        { preview },
    );
}

for (const mode of MODES) {
    describe(`policy pack on the component's own resources, ${mode.label}`, function () {
        this.timeout(30000);
        it("a proxied fleet with AMA, the legacy agent and Guest Configuration passes every policy", async () => {
            const run = await fleetWithDeclaredVm(
                { tags: { EnablePrivateNetworkGC: "TRUE" }, identityType: "SystemAssigned" },
                mixedFleet(),
                mode.preview,
            );
            assert.ok(
                run.resources.some((r) => r.name === "d-os-proxy-win-arc"),
                "the fleet has run commands",
            );
            assert.ok(
                run.resources.some((r) => r.name === "d-guest-configuration-win-vm"),
                "the fleet has Guest Configuration",
            );
            const found = allViolations(asStack(run));
            assert.deepEqual(found, []);
        });

        it("a machine left without AMA passes (as the component accepts it); a declared VM without the tag is reported", async () => {
            const fleet = mixedFleet();
            fleet.machines = fleet.machines!.map((m) => (m.key === "lnx-arc" ? { ...m, exclude: ["azureMonitorAgent"] } : m));
            const run = await fleetWithDeclaredVm({ tags: { env: "prod" }, identityType: "SystemAssigned" }, fleet, mode.preview);
            const found = allViolations(asStack(run));
            assert.deepEqual(
                found.map((v) => `${v.policy}: ${v.message.split(":")[0]}`),
                [
                    'guest-configuration-private-network-and-identity: VM "win-vm" has Guest Configuration (d-guest-configuration-win-vm) but not the tag EnablePrivateNetworkGC=TRUE',
                ],
            );
        });

        it("every configuration the component accepts without logs, or with AMA excluded everywhere, passes", async () => {
            const noLogs = mixedFleet({ logs: undefined });
            const excluded = mixedFleet();
            excluded.machines = excluded.machines!.map((m) => ({ ...m, exclude: ["azureMonitorAgent"] }));
            const uai = mixedFleet();
            uai.machines = uai.machines!.map((m) =>
                m.key === "lnx-vm"
                    ? {
                          ...m,
                          systemAssignedIdentity: undefined,
                          exclude: ["guestConfiguration"],
                          userAssignedIdentityId:
                              "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ama",
                      }
                    : m,
            );
            for (const fleet of [noLogs, excluded, uai]) {
                const run = await fleetWithDeclaredVm(
                    { tags: { EnablePrivateNetworkGC: "TRUE" }, identityType: "SystemAssigned" },
                    fleet,
                    mode.preview,
                );
                assert.deepEqual(run.errors, []);
                assert.ok(run.resources.some((r) => r.name === "d-os-proxy-lnx-arc"));
                assert.deepEqual(allViolations(asStack(run)), []);
            }
        });
    });
}

/** A component choice the pack refuses by default, and the config property that allows it. */
interface Choice {
    /** The component argument, as the README names it. */
    arg: string;
    policy: string;
    property: string;
    fleet: () => ReturnType<typeof mixedFleet>;
    /** The program's own VM, where the choice is about it. */
    vm?: { tags: Record<string, string>; identityType: string };
}

/** The mixed fleet with Private Link, every machine in the one region (AMA reads its configuration from a data collection endpoint in its own region). */
function withPrivateLink(link: { arc?: object; azureMonitor?: object }): ReturnType<typeof mixedFleet> {
    const fleet = mixedFleet({
        privateLink: {
            resourceGroupName: "rg-pl",
            subnetId: "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe",
            virtualNetworkIds: ["/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet"],
            ...link,
        },
    });
    fleet.machines = fleet.machines!.map((m) => ({ ...m, location: undefined }));
    return fleet;
}
const withMachine = (fleet: ReturnType<typeof mixedFleet>, key: string, change: object) => {
    fleet.machines = fleet.machines!.map((m) => (m.key === key ? { ...m, ...change } : m));
    return fleet;
};

/** A policy-mode fleet without credentials (policy mode refuses them). */
const policyFleet = (rollout: Record<string, unknown> = {}, proxy: Record<string, unknown> = {}) =>
    mixedFleet({ proxy: { address: PROXY, ...proxy }, logs: undefined, rollout: { mode: "policy", ...rollout } });

/**
 * A hand-built policy rollout that fails all three allowances of policy-mode-waits-for-the-proxy:
 * an OS-proxy definition without a route check, one assignment with no task, one whose task nothing waits for.
 */
function policyModeStack(): StackLike {
    const definition = stackResource("azure-native:authorization:PolicyDefinition", "def", {
        policyRule: {
            then: {
                details: {
                    deployment: {
                        properties: {
                            template: {
                                resources: [
                                    {
                                        type: "Microsoft.Compute/virtualMachines/runCommands",
                                        properties: {
                                            parameters: [
                                                { name: "ProxyUrl", value: PROXY },
                                                { name: "BypassList", value: "" },
                                            ],
                                        },
                                    },
                                ],
                            },
                        },
                    },
                },
            },
        },
    });
    const untasked = stackResource(
        "azure-native:authorization:PolicyAssignment",
        "untasked",
        { scope: "/subscriptions/s" },
        { dependencies: [definition] },
    );
    const unwaited = stackResource(
        "azure-native:authorization:PolicyAssignment",
        "unwaited",
        { scope: "/subscriptions/s" },
        { dependencies: [definition] },
    );
    const task = stackResource("azure-native:policyinsights:RemediationAtSubscription", "task", {}, { dependencies: [unwaited] });
    return { resources: [definition, untasked, unwaited, task] };
}

const CHOICES: Choice[] = [
    {
        arg: "rollout.remediate false",
        policy: "policy-mode-waits-for-the-proxy",
        property: "allowNoRemediation",
        fleet: () => policyFleet({ remediate: false }),
    },
    {
        arg: "rollout.waitForRemediationMinutes 0",
        policy: "policy-mode-waits-for-the-proxy",
        property: "allowNoWait",
        fleet: () => policyFleet({ waitForRemediationMinutes: 0 }),
    },
    {
        arg: "proxy.routeCheck false",
        policy: "policy-mode-waits-for-the-proxy",
        property: "allowNoRouteCheck",
        fleet: () => policyFleet({}, { routeCheck: false }),
    },
    {
        arg: 'machines[].defenderPlan "Free"',
        policy: "defender-for-servers-standard",
        property: "allowMachineExclusions",
        fleet: () => withMachine(withMachine(mixedFleet(), "lnx-arc", { defenderPlan: "Free" }), "lnx-vm", { defenderPlan: "Free" }),
    },
    {
        arg: "privateLink.arc.publicNetworkAccess true",
        policy: "arc-private-link-scope-not-public",
        property: "allowPublicNetworkAccess",
        fleet: () =>
            withMachine(withPrivateLink({ arc: { publicNetworkAccess: true } }), "win-arc", { arcPrivateLinkScope: "associateByPolicy" }),
    },
    {
        arg: 'privateLink.azureMonitor.ingestionAccessMode "Open"',
        policy: "azure-monitor-private-link-scope-private-ingestion",
        property: "allowOpenIngestion",
        fleet: () => withPrivateLink({ azureMonitor: { ingestionAccessMode: "Open" } }),
    },
    {
        arg: "builtInPolicies.addSystemAssignedIdentity true",
        policy: "guest-configuration-private-network-and-identity",
        property: "allowIdentityFromPolicy",
        fleet: () =>
            withMachine(mixedFleet({ builtInPolicies: { addSystemAssignedIdentity: true } }), "win-vm", {
                systemAssignedIdentity: undefined,
            }),
        vm: { tags: { EnablePrivateNetworkGC: "TRUE" }, identityType: "None" },
    },
    {
        arg: "guestConfiguration.tagExistingVms true",
        policy: "guest-configuration-private-network-and-identity",
        property: "allowTagFromPolicy",
        fleet: () => mixedFleet({ guestConfiguration: { tagExistingVms: true } }),
        vm: { tags: { env: "prod" }, identityType: "SystemAssigned" },
    },
];

describe("policy pack config: each choice the component allows fails without its property and passes with it", function () {
    this.timeout(30000);
    it("lists a choice for every config property of the pack", () => {
        const properties = Object.entries(CONFIG_SCHEMAS).flatMap(([policy, schema]) =>
            Object.keys(schema.properties).map((p) => `${policy}.${p}`),
        );
        assert.deepEqual(CHOICES.map((c) => `${c.policy}.${c.property}`).sort(), properties.sort());
    });

    for (const mode of MODES) {
        for (const choice of CHOICES) {
            it(`${choice.arg}: ${choice.policy} needs ${choice.property}, ${mode.label}`, async () => {
                const run = await fleetWithDeclaredVm(
                    choice.vm ?? { tags: { EnablePrivateNetworkGC: "TRUE" }, identityType: "SystemAssigned" },
                    choice.fleet(),
                    mode.preview,
                );
                assert.deepEqual(run.errors, [], "the component accepts the choice");
                const stack = asStack(run);
                const strict = allViolations(stack);
                assert.ok(strict.length > 0, "the strict default refuses it");
                for (const v of strict) {
                    assert.equal(v.policy, choice.policy, v.message);
                    assert.ok(v.message.includes(`{"${choice.policy}": {"${choice.property}": true}}`), v.message);
                }
                assert.deepEqual(allViolations(stack, { [choice.policy]: { [choice.property]: true } }), []);
            });
        }
    }
});

describe("policy pack on the offline preview (policy/check-preview.ts), for checks without credentials", function () {
    this.timeout(60000);
    const ROOT = path.resolve(__dirname, "..");
    let preview: PreviewJson;
    let scratch: string;

    before(async () => {
        // The JSON a pull-request check gets from `npx defender-servers-preview . --stack dev --json` (the default example).
        const run = await sharedPreview(ROOT, ["--json"]);
        assert.equal(run.code, 0, run.stderr);
        preview = JSON.parse(run.stdout);
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "defender-check-"));
    });

    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    /** `check-preview <file> [args]` on this preview: exit code and printed lines. */
    function cli(json: PreviewJson, ...args: string[]): { code: number; lines: string[] } {
        const file = path.join(scratch, "preview.json");
        fs.writeFileSync(file, JSON.stringify(json));
        const lines: string[] = [];
        const code = checkPreviewMain([file, ...args], (line) => lines.push(line));
        return { code, lines };
    }

    it("passes the default example: no finding, exit 0", () => {
        assert.ok(
            preview.resources.some((r) => r.name === "defender-os-proxy-onprem-db-01"),
            "the example has a proxied Arc machine",
        );
        assert.deepEqual(checkPreview(preview), []);
        const { code, lines } = cli(preview);
        assert.equal(code, 0);
        assert.deepEqual(lines, ["defender-servers-example/dev: 0 mandatory violation(s), 0 other finding(s), 9 policies, offline"]);
    });

    it("fails AMA that ignores its machine's proxy and a Free plan (exit 1); the pack's config can lower a policy to advisory", () => {
        const broken: PreviewJson = JSON.parse(JSON.stringify(preview));
        const agent = broken.resources.find((r) => r.name === "defender-ama-onprem-db-01")!.inputs as {
            properties: { settings: { proxy: unknown } };
        };
        agent.properties.settings.proxy = { mode: "none" };
        (broken.resources.find((r) => r.name === "defender-plan")!.inputs as Record<string, unknown>).pricingTier = "Free";
        assert.deepEqual(
            checkPreview(broken).map((f) => [f.enforcementLevel, f.policy, f.resource, f.message.split(":")[0]]),
            [
                [
                    "mandatory",
                    "defender-for-servers-standard",
                    "defender-plan",
                    'Defender for Servers pricing "defender-plan" (pricingName VirtualMachines) has pricingTier "Free"; it must be "Standard", or the subscription\'s servers are not protected (Free has no Defender for Servers).',
                ],
                [
                    "mandatory",
                    "azure-monitor-agent-follows-os-proxy",
                    "defender-ama-onprem-db-01",
                    'Azure Monitor Agent "defender-ama-onprem-db-01" has settings.proxy.mode "none" on a machine behind the proxy "http',
                ],
            ],
        );
        assert.equal(cli(broken).code, 1);
        const config = path.join(scratch, "config.json");
        fs.writeFileSync(
            config,
            JSON.stringify({
                "defender-for-servers-standard": "advisory",
                "azure-monitor-agent-follows-os-proxy": { enforcementLevel: "disabled" },
            }),
        );
        const lowered = cli(broken, "--config", config);
        assert.equal(lowered.code, 0);
        assert.match(lowered.lines[0], /^advisory {2}defender-for-servers-standard \(defender-plan\): /);
        assert.equal(lowered.lines.length, 2);
    });

    it("passes a policy's config properties to its rule, as getConfig() does under pulumi preview", () => {
        const excluded: PreviewJson = JSON.parse(JSON.stringify(preview));
        const plan = excluded.resources.find((r) => r.name === "defender-plan")!;
        excluded.resources.push({
            type: plan.type,
            name: "defender-plan-onprem-db-01",
            dependsOn: [],
            inputs: {
                scopeId: "/subscriptions/s/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/onprem-db-01",
                pricingName: "VirtualMachines",
                pricingTier: "Free",
            },
        });
        assert.deepEqual(
            checkPreview(excluded).map((f) => [f.policy, f.resource]),
            [["defender-for-servers-standard", "defender-plan-onprem-db-01"]],
        );
        assert.deepEqual(checkPreview(excluded, { "defender-for-servers-standard": { allowMachineExclusions: true } }), []);
        const config = path.join(scratch, "allow.json");
        fs.writeFileSync(
            config,
            JSON.stringify({ "defender-for-servers-standard": { enforcementLevel: "mandatory", allowMachineExclusions: true } }),
        );
        assert.equal(cli(excluded, "--config", config).code, 0);
        assert.equal(cli(excluded).code, 1);
    });

    it("reports a check that needs an unknown value as advisory, as pulumi preview does", () => {
        const withVm: PreviewJson = JSON.parse(JSON.stringify(preview));
        withVm.resources.push(
            {
                type: TYPES.virtualMachine,
                name: "app-vm",
                dependsOn: [],
                inputs: { tags: "[unknown]", identity: { type: "SystemAssigned" } },
            },
            { type: TYPES.vmExtension, name: "app-vm-gc", dependsOn: ["app-vm"], inputs: { publisher: "Microsoft.GuestConfiguration" } },
        );
        assert.deepEqual(checkPreview(withVm), [
            {
                policy: "guest-configuration-private-network-and-identity",
                enforcementLevel: "advisory",
                message: "can't run during the offline preview: app-vm.tags is unknown in the offline preview",
            },
        ]);
        assert.equal(cli(withVm).code, 0);
    });

    it("refuses what is not the preview's JSON (exit 2)", () => {
        const { code, lines } = cli({ project: "p", stack: "s" } as PreviewJson);
        assert.equal(code, 2);
        assert.match(lines[0], /no `resources`/);
    });
});
