/**
 * The Azure Policy rollout: custom DeployIfNotExists definitions for what no built-in policy
 * does (agents and OS proxy *with the proxy settings*), and a modify definition for the Guest
 * Configuration tag. Every setting and script inside comes from the same functions as the
 * per-machine mode, so the two rollouts cannot drift.
 *
 * Policy definitions and assignments are readable by anyone with Reader on their scope, so
 * nothing secret may enter them; validation refuses credentials in policy mode.
 */
import { NormalizedProxy } from "../validate/proxy";
import { azureMonitorAgent, GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG } from "./agents";
import { RULE_ASSOCIATION_NAME } from "./dataCollection";
import { arcAgentProxyRunCommand, osProxyRunCommand, RunCommandSpec } from "./runCommands";

/** Built-in roles the assignment's identity needs, by name (ids from the Azure built-in roles list). */
export const ROLES = {
    virtualMachineContributor: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    connectedMachineResourceAdministrator: "cd570a14-e51a-42ad-bac8-bafd67325302",
    monitoringContributor: "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    logAnalyticsContributor: "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
    tagContributor: "4a9ae827-6dc8-4573-8ac7-8239d42aa03f",
} as const;

/** One custom policy definition, ready for `authorization.PolicyDefinition`. */
export interface PolicyDefinitionSpec {
    /** Stable key: the logical-name suffix and the reference id inside the initiative. */
    key: string;
    displayName: string;
    description: string;
    mode: "Indexed";
    parameters?: Record<string, { type: string; metadata: { displayName: string; description: string } }>;
    policyRule: Record<string, unknown>;
    /** Role GUIDs its remediation identity needs (also named in the rule's `roleDefinitionIds`). */
    roles: string[];
}

/** What the rollout needs; everything plain, nothing secret. */
export interface PolicyRolloutInput {
    /** Unauthenticated proxy, when the machines have one. */
    proxy?: NormalizedProxy;
    /** OS bypass list, as in per-machine mode. */
    bypass: string[];
    /** `azcmagent proxy.bypass` values. */
    arcBypass: string[];
    /** Deploy AMA and associate machines with the data collection rule (a policy parameter). */
    azureMonitorAgent: boolean;
    /** Tag every VM for Guest Configuration's private path. */
    guestConfigurationTag: boolean;
}

type Os = "windows" | "linux";
type Kind = "azureVm" | "arc";

interface Target {
    kind: Kind;
    os: Os;
    /** `vm-windows`, `arc-linux`, ... */
    slug: string;
    /** Human label. */
    label: string;
    /** The `if` conditions that select these machines. */
    match: Array<Record<string, unknown>>;
    /** Child resource types and the role that may write them. */
    extensionType: string;
    runCommandType: string;
    parentType: string;
    role: string;
    extensionApiVersion: string;
    runCommandApiVersion: string;
}

const TARGETS: Target[] = (["azureVm", "arc"] as const).flatMap((kind) =>
    (["windows", "linux"] as const).map((os): Target => {
        const vm = kind === "azureVm";
        return {
            kind,
            os,
            slug: `${vm ? "vm" : "arc"}-${os}`,
            label: `${os === "windows" ? "Windows" : "Linux"} ${vm ? "virtual machines" : "Arc-enabled servers"}`,
            match: vm
                ? [
                      { field: "type", equals: "Microsoft.Compute/virtualMachines" },
                      {
                          field: "Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType",
                          equals: os === "windows" ? "Windows" : "Linux",
                      },
                  ]
                : [
                      { field: "type", equals: "Microsoft.HybridCompute/machines" },
                      { field: "Microsoft.HybridCompute/machines/osName", equals: os },
                  ],
            parentType: vm ? "Microsoft.Compute/virtualMachines" : "Microsoft.HybridCompute/machines",
            extensionType: vm ? "Microsoft.Compute/virtualMachines/extensions" : "Microsoft.HybridCompute/machines/extensions",
            runCommandType: vm ? "Microsoft.Compute/virtualMachines/runCommands" : "Microsoft.HybridCompute/machines/runCommands",
            role: vm ? ROLES.virtualMachineContributor : ROLES.connectedMachineResourceAdministrator,
            // The API versions the azure-native resources of the per-machine mode use.
            extensionApiVersion: vm ? "2024-11-01" : "2024-07-10",
            runCommandApiVersion: vm ? "2024-11-01" : "2024-07-31-preview",
        };
    }),
);

const roleIds = (roles: string[]) => roles.map((role) => `/providers/Microsoft.Authorization/roleDefinitions/${role}`);

/** A DeployIfNotExists rule whose deployment gets the machine's name and location. */
function deployIfNotExists(
    target: Target,
    details: { type: string; name?: string; existenceCondition?: Record<string, unknown>; roles: string[] },
    resources: Array<Record<string, unknown>>,
    extraParameters: Record<string, unknown> = {},
): Record<string, unknown> {
    return {
        if: { allOf: target.match },
        then: {
            effect: "deployIfNotExists",
            details: {
                type: details.type,
                ...(details.name !== undefined ? { name: details.name } : {}),
                roleDefinitionIds: roleIds(details.roles),
                ...(details.existenceCondition !== undefined ? { existenceCondition: details.existenceCondition } : {}),
                deployment: {
                    properties: {
                        mode: "incremental",
                        template: {
                            $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                            contentVersion: "1.0.0.0",
                            parameters: {
                                machineName: { type: "string" },
                                location: { type: "string" },
                                ...Object.fromEntries(Object.keys(extraParameters).map((key) => [key, { type: "string" }])),
                            },
                            resources,
                        },
                        parameters: {
                            machineName: { value: "[field('name')]" },
                            location: { value: "[field('location')]" },
                            ...extraParameters,
                        },
                    },
                },
            },
        },
    };
}

function amaDefinition(target: Target, input: PolicyRolloutInput): PolicyDefinitionSpec {
    // Azure Monitor Private Link is per-machine only (validation), so policy-deployed AMA always uses the proxy when there is one.
    const agent = azureMonitorAgent(target.os, input.proxy);
    const field = (name: string) => `${target.extensionType}/${name}`;
    return {
        key: `ama-${target.slug}`,
        displayName: `Deploy Azure Monitor Agent with proxy settings to ${target.label} (defender-servers)`,
        description: `Deploys ${agent.type} with the proxy settings of this environment; the built-in policies take no proxy.`,
        mode: "Indexed",
        roles: [target.role],
        policyRule: deployIfNotExists(
            target,
            {
                type: target.extensionType,
                roles: [target.role],
                existenceCondition: {
                    allOf: [
                        { field: field("type"), equals: agent.type },
                        { field: field("publisher"), equals: agent.publisher },
                        { field: field("provisioningState"), equals: "Succeeded" },
                    ],
                },
            },
            [
                {
                    type: target.extensionType,
                    apiVersion: target.extensionApiVersion,
                    name: `[concat(parameters('machineName'), '/', '${agent.name}')]`,
                    location: "[parameters('location')]",
                    properties: {
                        publisher: agent.publisher,
                        type: agent.type,
                        typeHandlerVersion: agent.typeHandlerVersion,
                        autoUpgradeMinorVersion: agent.autoUpgradeMinorVersion,
                        enableAutomaticUpgrade: agent.enableAutomaticUpgrade,
                        settings: agent.settings,
                    },
                },
            ],
        ),
    };
}

function runCommandResource(target: Target, command: RunCommandSpec): Record<string, unknown> {
    return {
        type: target.runCommandType,
        apiVersion: target.runCommandApiVersion,
        name: `[concat(parameters('machineName'), '/', '${command.runCommandName}')]`,
        location: "[parameters('location')]",
        properties: {
            source: { script: command.script },
            parameters: command.parameters,
            timeoutInSeconds: command.timeoutInSeconds,
            asyncExecution: false,
            ...(target.kind === "azureVm" ? { treatFailureAsDeploymentFailure: true } : {}),
        },
    };
}

function osProxyDefinition(target: Target, input: PolicyRolloutInput, proxy: NormalizedProxy): PolicyDefinitionSpec {
    const commands = [osProxyRunCommand(target.os, proxy, input.bypass)];
    if (target.kind === "arc") commands.push(arcAgentProxyRunCommand(target.os, proxy, input.arcBypass));
    return {
        key: `os-proxy-${target.slug}`,
        displayName: `Set the operating-system proxy for Defender for Endpoint on ${target.label} (defender-servers)`,
        description:
            "Runs the run command that puts the operating-system proxy in place, which MDE needs before Defender deploys it. The run command's existence is the compliance signal.",
        mode: "Indexed",
        roles: [target.role],
        policyRule: deployIfNotExists(
            target,
            { type: target.runCommandType, name: commands[0].runCommandName, roles: [target.role] },
            commands.map((command) => runCommandResource(target, command)),
        ),
    };
}

const RULE_PARAMETER = {
    dataCollectionRuleId: {
        type: "String",
        metadata: { displayName: "Data collection rule", description: "Resource id of the rule every machine is associated with." },
    },
};

function ruleAssociationDefinition(kind: Kind): PolicyDefinitionSpec {
    const target = TARGETS.find((t) => t.kind === kind)!;
    const roles = [ROLES.monitoringContributor, ROLES.logAnalyticsContributor];
    const association = "Microsoft.Insights/dataCollectionRuleAssociations";
    return {
        key: `dcr-association-${kind === "azureVm" ? "vm" : "arc"}`,
        displayName: `Associate ${kind === "azureVm" ? "virtual machines" : "Arc-enabled servers"} with the data collection rule (defender-servers)`,
        description: "Without an association the Azure Monitor Agent installs and collects nothing.",
        mode: "Indexed",
        parameters: RULE_PARAMETER,
        roles,
        policyRule: {
            ...deployIfNotExists(
                // Both operating systems: the association does not depend on the agent's flavour.
                { ...target, match: [target.match[0]] },
                {
                    type: association,
                    name: RULE_ASSOCIATION_NAME,
                    roles,
                    existenceCondition: { field: `${association}/dataCollectionRuleId`, equals: "[parameters('dataCollectionRuleId')]" },
                },
                [
                    {
                        type: association,
                        apiVersion: "2022-06-01",
                        name: RULE_ASSOCIATION_NAME,
                        scope: `[concat('${target.parentType}/', parameters('machineName'))]`,
                        properties: { dataCollectionRuleId: "[parameters('dataCollectionRuleId')]" },
                    },
                ],
                { dataCollectionRuleId: { value: "[parameters('dataCollectionRuleId')]" } },
            ),
        },
    };
}

const [TAG_NAME, TAG_VALUE] = Object.entries(GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG)[0];

/** Modify: add that one tag to every VM in scope, leaving every other tag alone. */
export function guestConfigurationTagDefinition(): PolicyDefinitionSpec {
    return {
        key: "guest-configuration-tag",
        displayName: `Add the ${TAG_NAME} tag to virtual machines (defender-servers)`,
        description: `Adds ${TAG_NAME}=${TAG_VALUE} so that Guest Configuration reaches Azure through 168.63.129.16 instead of a proxy; no other tag is touched.`,
        mode: "Indexed",
        roles: [ROLES.tagContributor],
        policyRule: {
            if: {
                allOf: [
                    { field: "type", equals: "Microsoft.Compute/virtualMachines" },
                    { field: `tags['${TAG_NAME}']`, notEquals: TAG_VALUE },
                ],
            },
            then: {
                effect: "modify",
                details: {
                    roleDefinitionIds: roleIds([ROLES.tagContributor]),
                    operations: [{ operation: "addOrReplace", field: `tags['${TAG_NAME}']`, value: TAG_VALUE }],
                },
            },
        },
    };
}

/** Every definition the rollout needs, in a stable order. */
export function rolloutPolicies(input: PolicyRolloutInput): PolicyDefinitionSpec[] {
    const proxy = input.proxy;
    return [
        ...(proxy !== undefined ? TARGETS.map((target) => osProxyDefinition(target, input, proxy)) : []),
        ...(input.azureMonitorAgent ? TARGETS.map((target) => amaDefinition(target, input)) : []),
        ...(input.azureMonitorAgent ? (["azureVm", "arc"] as const).map(ruleAssociationDefinition) : []),
        ...(input.guestConfigurationTag ? [guestConfigurationTagDefinition()] : []),
    ];
}

/** The distinct roles an initiative's identity needs. */
export function rolesFor(definitions: PolicyDefinitionSpec[]): string[] {
    return [...new Set(definitions.flatMap((d) => d.roles))];
}
