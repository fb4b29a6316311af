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
import { ENDPOINT_ASSOCIATION_NAME, ruleAssociationNameExpression } from "./dataCollection";
import { routeCheckTargets } from "./egress/routeCheck";
import { EGRESS_AGENTS, EgressDestination } from "./egress/types";
import { ROUTE_CHECK_PROBE_SECONDS } from "./machineRouteCheck";
import { alias } from "./policyAliases";
import { shortHash } from "./policyNames";
import { arcAgentProxyRunCommand, osProxyRunCommand, RouteCheck, RunCommandSpec } from "./runCommands";

/**
 * Built-in roles the assignment's identity needs, by name. Each id is the one Microsoft's own
 * built-in policy for the same job names in `roleDefinitionIds` (Azure/azure-policy,
 * built-in-policies/policyDefinitions/Monitoring/AzureMonitor_Agent_Linux_VM_DINE.json: Virtual
 * Machine Contributor; ..._HybridVM_DINE.json: Azure Connected Machine Resource Administrator).
 * Tag Contributor: azure-docs role-based-access-control/built-in-roles.
 *
 * Associations get Monitoring Contributor alone, not also Log Analytics Contributor as
 * Microsoft's AzureMonitor_DCRA_*_DINE.json built-ins do (Log Analytics Contributor can list
 * storage account keys, `Microsoft.Storage/storageAccounts/listKeys/action`). Two 2026 sources
 * say Monitoring Contributor is enough: azure-monitor-docs
 * data-collection/data-collection-rule-create-edit.md (01/20/2026), "Permissions": Monitoring
 * Contributor to "create or edit DCRs, assign rules to the machine, deploy associations", plus
 * "any role that includes the action Microsoft.Resources/deployments/*" to deploy templates; and
 * azure-docs role-based-access-control/built-in-roles/monitor.md (02/23/2026): Monitoring
 * Contributor's actions now include `Microsoft.Resources/deployments/*` (the 2024 revision of the
 * same page did not, which is why the older built-ins add a second role) next to
 * `Microsoft.Insights/dataCollectionRuleAssociations/*` and `*\/read` (the rule's read).
 */
export const ROLES = {
    virtualMachineContributor: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    connectedMachineResourceAdministrator: "cd570a14-e51a-42ad-bac8-bafd67325302",
    monitoringContributor: "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    tagContributor: "4a9ae827-6dc8-4573-8ac7-8239d42aa03f",
} as const;

/** A policy parameter as Azure takes it. */
export interface PolicyParameterSpec {
    type: string;
    metadata: { displayName: string; description: string; assignPermissions?: boolean };
    allowedValues?: string[];
    defaultValue?: string;
}

/** One custom policy definition, ready for `authorization.PolicyDefinition`. */
export interface PolicyDefinitionSpec {
    /** Stable key: the logical-name suffix and the reference id inside the initiative. */
    key: string;
    displayName: string;
    description: string;
    mode: "Indexed";
    /** Always has `effect`; the rule and endpoint definitions also take the resource id they associate. */
    parameters: Record<string, PolicyParameterSpec>;
    policyRule: Record<string, unknown>;
    /** Role GUIDs its remediation identity needs (also named in the rule's `roleDefinitionIds`). */
    roles: string[];
    /**
     * The parameter naming a resource outside the machines (a data collection rule or endpoint)
     * on which the identity needs `roles` too, as `assignPermissions` makes the portal grant them
     * for Microsoft's built-ins (AzureMonitor_DCRA_*_DINE.json, parameter `dcrResourceId`).
     */
    rolesAlsoOn?: "dataCollectionRuleId" | "dataCollectionEndpointId";
    /** MDE integration must wait for this definition's remediation: it puts the OS proxy in place. */
    gatesMde: boolean;
    /** AuditIfNotExists: compliance only, no deployment and so no remediation task. */
    auditOnly?: boolean;
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
    /** Azure Monitor Private Link: AMA goes to the private endpoint without the proxy and reads its configuration from a data collection endpoint (a policy parameter). */
    dataCollectionEndpoint: boolean;
    /** Tag every VM for Guest Configuration's private path. */
    guestConfigurationTag: boolean;
    /** With `proxy.routeCheck`: what each kind of machine's scripts prove (OS proxy, and the Arc agent's proxy before it commits). */
    routeChecks?: (kind: "azureVm" | "arc", os: "windows" | "linux") => { os?: RouteCheck; arc?: RouteCheck };
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

/**
 * API versions of the deployment templates, each one Microsoft's Bicep CLI 0.49.2 has types for
 * (its type index is generated from Azure/azure-rest-api-specs; test/bicep.spec.ts fails on an
 * unknown version) and none older than its use-recent-api-versions rule allows (730 days): the
 * spec runs every linter rule. Compute 2025-04-01 and Insights 2024-03-11 are the versions that
 * rule names as acceptable (2024-11-01 and 2022-06-01 were flagged in December 2026). Arc:
 * 2025-06-01 is the newest stable HybridCompute version whose types include
 * `machines/runCommands` (run commands were preview-only in 2024-07-10 and 2024-07-31-preview).
 */
export const API_VERSIONS = {
    vmExtension: "2025-04-01",
    vmRunCommand: "2025-04-01",
    arcExtension: "2025-06-01",
    arcRunCommand: "2025-06-01",
    dataCollectionRuleAssociation: "2024-03-11",
} as const;

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
                          field: alias("Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType"),
                          equals: os === "windows" ? "Windows" : "Linux",
                      },
                  ]
                : [
                      { field: "type", equals: "Microsoft.HybridCompute/machines" },
                      { field: alias("Microsoft.HybridCompute/machines/osName"), equals: os },
                  ],
            parentType: vm ? "Microsoft.Compute/virtualMachines" : "Microsoft.HybridCompute/machines",
            extensionType: vm ? "Microsoft.Compute/virtualMachines/extensions" : "Microsoft.HybridCompute/machines/extensions",
            runCommandType: vm ? "Microsoft.Compute/virtualMachines/runCommands" : "Microsoft.HybridCompute/machines/runCommands",
            role: vm ? ROLES.virtualMachineContributor : ROLES.connectedMachineResourceAdministrator,
            extensionApiVersion: vm ? API_VERSIONS.vmExtension : API_VERSIONS.arcExtension,
            runCommandApiVersion: vm ? API_VERSIONS.vmRunCommand : API_VERSIONS.arcRunCommand,
        };
    }),
);

/**
 * Azure VMs get AMA only with a system-assigned identity, as Microsoft's VM DINE policies
 * require (`identity.type` contains `SystemAssigned`, AzureMonitor_Agent_Linux_VM_DINE.json);
 * Arc machines always have one.
 */
export const SYSTEM_ASSIGNED_IDENTITY = { field: "identity.type", contains: "SystemAssigned" } as const;

const roleIds = (roles: string[]) => roles.map((role) => `/providers/Microsoft.Authorization/roleDefinitions/${role}`);

/** Every built-in DeployIfNotExists policy offers these three effects (e.g. AzureMonitor_DCRA_VM_Linux_DINE.json). */
const DEPLOY_EFFECT: PolicyParameterSpec = {
    type: "String",
    metadata: { displayName: "Effect", description: "Enable or disable the execution of the policy." },
    allowedValues: ["DeployIfNotExists", "AuditIfNotExists", "Disabled"],
    defaultValue: "DeployIfNotExists",
};

/**
 * The tag on each deployed agent extension that records which settings it was deployed with.
 * An existenceCondition is evaluated against the related resource (azure-docs
 * governance/policy/concepts/effect-deploy-if-not-exists.md), and `tags['<name>']` is a field of
 * every taggable resource (governance/policy/concepts/definition-structure-policy-rule.md).
 */
export const CONFIG_TAG = "defender-servers-config";

/** A DeployIfNotExists rule whose deployment gets the machine's name and location. */
function deployIfNotExists(
    match: Array<Record<string, unknown>>,
    details: { type: string; name?: string; existenceCondition: Record<string, unknown>; roles: string[] },
    resources: Array<Record<string, unknown>>,
    // Stryker disable next-line ArrayDeclaration: a default entry is dropped by the filter below unless a resource names it, and no resource names a parameter its caller did not pass
    extraParameters: string[] = [],
): Record<string, unknown> {
    // Only what the resources use: Bicep's linter (test/bicep.spec.ts) flags an unused parameter.
    const used = ["machineName", "location", ...extraParameters].filter((key) =>
        JSON.stringify(resources).includes(`parameters('${key}')`),
    );
    return {
        if: { allOf: match },
        then: {
            effect: "[parameters('effect')]",
            details: {
                type: details.type,
                ...(details.name !== undefined ? { name: details.name } : {}),
                roleDefinitionIds: roleIds(details.roles),
                // Evaluate once the machine has finished provisioning, as Microsoft's DCRA built-ins do
                // (effect-deploy-if-not-exists.md, `evaluationDelay`).
                evaluationDelay: "AfterProvisioning",
                existenceCondition: details.existenceCondition,
                deployment: {
                    properties: {
                        // ARM's DeploymentMode values are "Incremental" and "Complete".
                        mode: "Incremental",
                        template: {
                            $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                            contentVersion: "1.0.0.0",
                            parameters: Object.fromEntries(used.map((key) => [key, { type: "string" }])),
                            resources,
                        },
                        parameters: Object.fromEntries(
                            used.map((key) => [
                                key,
                                {
                                    value:
                                        key === "machineName"
                                            ? "[field('name')]"
                                            : key === "location"
                                              ? "[field('location')]"
                                              : `[parameters('${key}')]`,
                                },
                            ]),
                        ),
                    },
                },
            },
        },
    };
}

/**
 * AMA with this environment's proxy settings. No policy alias reads inside an extension's
 * `settings` on Azure VMs (Microsoft's built-ins use only `.../extensions/settings.workspaceId`,
 * a dedicated alias for the legacy agent, LogAnalytics_WorkspaceMismatch_VM_Audit.json), so the
 * existence condition cannot see the proxy itself. Instead the deployment tags the extension
 * with a hash of its settings, and only an extension carrying the current hash counts: an AMA
 * installed without the proxy, or with an old one, is non-compliant and is redeployed.
 */
function amaDefinition(target: Target, input: PolicyRolloutInput): PolicyDefinitionSpec {
    // Under Azure Monitor Private Link, AMA goes straight to the private endpoint (as per-machine mode does).
    const agent = azureMonitorAgent(target.os, input.dataCollectionEndpoint ? undefined : input.proxy);
    const field = (name: string) => alias(`${target.extensionType}/${name}`);
    const configHash = shortHash([agent.publisher, agent.type, agent.typeHandlerVersion, agent.settings], 16);
    const match = target.kind === "azureVm" ? [...target.match, SYSTEM_ASSIGNED_IDENTITY] : target.match;
    return {
        key: `ama-${target.slug}`,
        displayName: `Deploy Azure Monitor Agent with proxy settings to ${target.label} (defender-servers)`,
        description: `Deploys ${agent.type} with the proxy settings of this environment (the built-in policies take no proxy)${target.kind === "azureVm" ? " on VMs with a system-assigned managed identity, which AMA needs" : ""}. An extension counts as compliant only when it succeeded and carries tag ${CONFIG_TAG}=${configHash}, the hash of these settings.`,
        mode: "Indexed",
        parameters: { effect: DEPLOY_EFFECT },
        roles: [target.role],
        gatesMde: false,
        policyRule: deployIfNotExists(
            match,
            {
                type: target.extensionType,
                roles: [target.role],
                existenceCondition: {
                    allOf: [
                        { field: field("type"), equals: agent.type },
                        { field: field("publisher"), equals: agent.publisher },
                        { field: field("provisioningState"), equals: "Succeeded" },
                        { field: `tags['${CONFIG_TAG}']`, equals: configHash },
                    ],
                },
            },
            [
                {
                    type: target.extensionType,
                    apiVersion: target.extensionApiVersion,
                    name: `[concat(parameters('machineName'), '/', '${agent.name}')]`,
                    location: "[parameters('location')]",
                    tags: { [CONFIG_TAG]: configHash },
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

function runCommandResource(target: Target, command: RunCommandSpec, configHash: string, after?: string): Record<string, unknown> {
    return {
        type: target.runCommandType,
        apiVersion: target.runCommandApiVersion,
        name: `[concat(parameters('machineName'), '/', '${command.runCommandName}')]`,
        location: "[parameters('location')]",
        // The content's hash, which the existence condition compares (as the AMA definition does).
        tags: { [CONFIG_TAG]: configHash },
        ...(after !== undefined ? { dependsOn: [`[resourceId('${target.runCommandType}', parameters('machineName'), '${after}')]`] } : {}),
        properties: {
            source: { script: command.script },
            parameters: command.parameters,
            timeoutInSeconds: command.timeoutInSeconds,
            asyncExecution: false,
            // VM run commands can fail the deployment when the script fails; Arc run commands have no such switch.
            ...(target.kind === "azureVm" ? { treatFailureAsDeploymentFailure: true } : {}),
        },
    };
}

/**
 * The hash of everything a machine's proxy steps run (scripts, parameters, timeouts), which
 * each run command carries as tag {@link CONFIG_TAG}. The run commands keep one stable name per
 * purpose (`defender-os-proxy`, `defender-arc-agent-proxy`): a new release, proxy or bypass
 * list changes the hash, the machine turns non-compliant, and remediation puts the same run
 * commands again with the new content, which runs them again in place. Nothing accumulates.
 */
export function runCommandsHash(commands: RunCommandSpec[]): string {
    return shortHash(
        commands.map((c) => [c.runCommandName, c.script, c.parameters, c.timeoutInSeconds]),
        16,
    );
}

/**
 * What makes one proxy run command count as done: it exists with the current content's hash and
 * the script succeeded. On Arc the instance view says so (`executionState` Succeeded, `exitCode`
 * 0; provisioningState alone is Succeeded whatever the script did). On a VM no alias reads the
 * instance view, but with treatFailureAsDeploymentFailure a failed script leaves provisioningState
 * Failed, and the condition requires that switch so that a run command made without it does not count.
 */
export function runCommandSucceeded(target: Pick<Target, "kind" | "runCommandType">, configHash: string): Record<string, unknown> {
    const field = (name: string) => alias(`${target.runCommandType}/${name}`);
    const outcome =
        target.kind === "arc"
            ? [
                  { field: field("instanceView.executionState"), equals: "Succeeded" },
                  { field: field("instanceView.exitCode"), equals: 0 },
              ]
            : [{ field: field("treatFailureAsDeploymentFailure"), equals: true }];
    return {
        allOf: [
            { field: field("provisioningState"), equals: "Succeeded" },
            ...outcome,
            { field: `tags['${CONFIG_TAG}']`, equals: configHash },
        ],
    };
}

/** The proxy steps of one kind of machine, in the order they run. */
function proxySteps(target: Target, input: PolicyRolloutInput, proxy: NormalizedProxy): RunCommandSpec[] {
    const checks = input.routeChecks?.(target.kind, target.os) ?? {};
    // On Arc the agent-proxy script restarts the Arc agent, which runs the other run command:
    // the OS proxy goes first and the agent proxy waits for it (dependsOn) in the same deployment.
    const commands = [osProxyRunCommand(target.os, proxy, input.bypass, checks.os)];
    if (target.kind === "arc") commands.push(arcAgentProxyRunCommand(target.os, proxy, input.arcBypass, input.bypass, checks.arc));
    return commands;
}

function osProxyDefinition(target: Target, input: PolicyRolloutInput, proxy: NormalizedProxy): PolicyDefinitionSpec {
    const commands = proxySteps(target, input, proxy);
    const hash = runCommandsHash(commands);
    const [first] = commands;
    return {
        key: `os-proxy-${target.slug}`,
        displayName: `Set the operating-system proxy for Defender for Endpoint on ${target.label} (defender-servers)`,
        description: `Runs the run command${commands.length > 1 ? "s" : ""} ${commands.map((c) => c.runCommandName).join(" then ")}, which put the operating-system proxy${target.kind === "arc" ? " and then the Arc agent's proxy" : ""} in place; MDE needs it before Defender deploys it. Compliant: ${first.runCommandName} carries tag ${CONFIG_TAG}=${hash} (the hash of the current scripts and parameters) and its script succeeded.`,
        mode: "Indexed",
        parameters: { effect: DEPLOY_EFFECT },
        roles: [target.role],
        gatesMde: true,
        policyRule: deployIfNotExists(
            target.match,
            {
                type: target.runCommandType,
                name: first.runCommandName,
                roles: [target.role],
                existenceCondition: runCommandSucceeded(target, hash),
            },
            commands.map((command, i) => runCommandResource(target, command, hash, i > 0 ? commands[i - 1].runCommandName : undefined)),
        ),
    };
}

/** Built-in AuditIfNotExists policies offer AuditIfNotExists and Disabled. */
const AUDIT_EFFECT: PolicyParameterSpec = {
    type: "String",
    metadata: { displayName: "Effect", description: "Enable or disable the execution of the policy." },
    allowedValues: ["AuditIfNotExists", "Disabled"],
    defaultValue: "AuditIfNotExists",
};

/**
 * Arc only: the steps after the first (the Arc agent's proxy), audited. One definition's
 * existence condition reads one related resource, so the OS-proxy definition cannot also see the
 * agent-proxy script's result; this one reports it. It deploys nothing: the OS-proxy definition's
 * deployment runs the whole chain in order, and a second deployment of the same chain at the same
 * time would race it on the machine.
 */
function laterStepAudits(target: Target, input: PolicyRolloutInput, proxy: NormalizedProxy): PolicyDefinitionSpec[] {
    const commands = proxySteps(target, input, proxy);
    const hash = runCommandsHash(commands);
    return commands.slice(1).map((command) => ({
        // Stryker disable next-line Regex: every run command name (runCommands.ts constants) starts with "defender-" and holds it once, so the anchor changes no key
        key: `${command.runCommandName.replace(/^defender-/, "")}-${target.slug}`,
        displayName: `Audit the ${command.runCommandName} run command's result on ${target.label} (defender-servers)`,
        description: `Non-compliant when run command ${command.runCommandName} is missing, carries another content hash than ${hash}, or its script did not succeed (instance view). The OS-proxy policy deploys it.`,
        mode: "Indexed",
        parameters: { effect: AUDIT_EFFECT },
        roles: [],
        gatesMde: false,
        auditOnly: true,
        policyRule: {
            if: { allOf: target.match },
            then: {
                effect: "[parameters('effect')]",
                details: {
                    type: target.runCommandType,
                    name: command.runCommandName,
                    existenceCondition: runCommandSucceeded(target, hash),
                },
            },
        },
    }));
}

const ASSOCIATION = "Microsoft.Insights/dataCollectionRuleAssociations";

/** A data collection rule or endpoint association, for VMs or Arc machines of both operating systems. */
function associationDefinition(kind: Kind, what: "rule" | "endpoint"): PolicyDefinitionSpec {
    const target = TARGETS.find((t) => t.kind === kind)!;
    // Monitoring Contributor alone: it writes associations and deployments (see ROLES).
    const roles = [ROLES.monitoringContributor];
    const parameter = what === "rule" ? "dataCollectionRuleId" : "dataCollectionEndpointId";
    // A rule's association is named after the rule, so another component's rule keeps its own.
    const name = what === "rule" ? ruleAssociationNameExpression(parameter) : ENDPOINT_ASSOCIATION_NAME;
    const machines = kind === "azureVm" ? "virtual machines" : "Arc-enabled servers";
    return {
        key: `${what === "rule" ? "dcr" : "dce"}-association-${kind === "azureVm" ? "vm" : "arc"}`,
        displayName:
            what === "rule"
                ? `Associate ${machines} with the data collection rule (defender-servers)`
                : `Associate ${machines} with the private data collection endpoint (defender-servers)`,
        description:
            what === "rule"
                ? "Without an association the Azure Monitor Agent installs and collects nothing."
                : `Under Azure Monitor Private Link the agent reads its configuration only from the endpoint named by an association called ${ENDPOINT_ASSOCIATION_NAME}.`,
        mode: "Indexed",
        parameters: {
            effect: DEPLOY_EFFECT,
            [parameter]: {
                type: "String",
                metadata: {
                    displayName: what === "rule" ? "Data collection rule" : "Data collection endpoint",
                    description: `Resource id of the ${what === "rule" ? "rule" : "endpoint"} every machine is associated with.`,
                    assignPermissions: true,
                },
            },
        },
        roles,
        rolesAlsoOn: parameter,
        gatesMde: false,
        policyRule: deployIfNotExists(
            // Both operating systems: the association does not depend on the agent's flavour.
            [target.match[0]],
            {
                type: ASSOCIATION,
                name,
                roles,
                existenceCondition: { field: alias(`${ASSOCIATION}/${parameter}`), equals: `[parameters('${parameter}')]` },
            },
            [
                {
                    type: ASSOCIATION,
                    apiVersion: API_VERSIONS.dataCollectionRuleAssociation,
                    name,
                    scope: `[concat('${target.parentType}/', parameters('machineName'))]`,
                    properties: { [parameter]: `[parameters('${parameter}')]` },
                },
            ],
            [parameter],
        ),
    };
}

const [TAG_NAME, TAG_VALUE] = Object.entries(GUEST_CONFIGURATION_PRIVATE_NETWORK_TAG)[0];

/** Built-in modify policies offer Modify and Disabled. */
const MODIFY_EFFECT: PolicyParameterSpec = {
    type: "String",
    metadata: { displayName: "Effect", description: "Enable or disable the execution of the policy." },
    allowedValues: ["Modify", "Disabled"],
    defaultValue: "Modify",
};

/** Modify: add that one tag to every VM in scope, leaving every other tag alone. */
export function guestConfigurationTagDefinition(): PolicyDefinitionSpec {
    return {
        key: "guest-configuration-tag",
        displayName: `Add the ${TAG_NAME} tag to virtual machines (defender-servers)`,
        description: `Adds ${TAG_NAME}=${TAG_VALUE} so that Guest Configuration reaches Azure through 168.63.129.16 instead of a proxy; no other tag is touched.`,
        mode: "Indexed",
        parameters: { effect: MODIFY_EFFECT },
        roles: [ROLES.tagContributor],
        gatesMde: false,
        policyRule: {
            if: {
                allOf: [
                    { field: "type", equals: "Microsoft.Compute/virtualMachines" },
                    { field: `tags['${TAG_NAME}']`, notEquals: TAG_VALUE },
                ],
            },
            then: {
                effect: "[parameters('effect')]",
                details: {
                    roleDefinitionIds: roleIds([ROLES.tagContributor]),
                    // A conflict (another policy modifying the tag, say) is reported, never turned into a
                    // denied VM write: `deny` is the default (azure-docs governance/policy/concepts/effect-modify.md).
                    conflictEffect: "audit",
                    operations: [{ operation: "addOrReplace", field: `tags['${TAG_NAME}']`, value: TAG_VALUE }],
                },
            },
        },
    };
}

/** What the fleet-wide settings say about the agents policy mode's machines run. */
export interface PolicyAgents {
    mde: boolean;
    mdeOnLinux: boolean;
    azureMonitorAgent: boolean;
    guestConfiguration: boolean;
}

/**
 * Policy mode's route checks for one kind of machine: the hosts of every region in `egress` (the
 * component's location and the listed machines' regions), since a policy's deployment does not
 * know in TypeScript which region a machine is in. A machine in a region the egress list does not
 * hold is therefore not proven for its own regional hosts; the component warns about that.
 */
export function policyRouteChecks(
    egress: EgressDestination[],
    kind: "azureVm" | "arc",
    os: "windows" | "linux",
    agents: PolicyAgents,
): { os?: RouteCheck; arc?: RouteCheck } {
    const names: string[] = [];
    if (agents.mde && (os === "windows" || agents.mdeOnLinux)) names.push(EGRESS_AGENTS.mde);
    if (agents.azureMonitorAgent) names.push(EGRESS_AGENTS.azureMonitorAgent);
    if (agents.guestConfiguration && kind === "azureVm") names.push(EGRESS_AGENTS.guestConfiguration);
    if (kind === "arc") names.push(EGRESS_AGENTS.arcAgent);
    const check = (hosts: string[], privateHosts: string[]): RouteCheck | undefined =>
        hosts.length + privateHosts.length === 0 ? undefined : { hosts, privateHosts, timeoutSeconds: ROUTE_CHECK_PROBE_SECONDS };
    const forOs = routeCheckTargets(egress, names, os);
    const forArc = kind === "arc" ? routeCheckTargets(egress, [EGRESS_AGENTS.arcAgent], os) : undefined;
    return { os: check(forOs.hosts, forOs.privateHosts), arc: forArc === undefined ? undefined : check(forArc.hosts, []) };
}

/** Every definition the rollout needs, in a stable order. */
export function rolloutPolicies(input: PolicyRolloutInput): PolicyDefinitionSpec[] {
    const proxy = input.proxy;
    const kinds = ["azureVm", "arc"] as const;
    return [
        ...(proxy !== undefined ? TARGETS.map((target) => osProxyDefinition(target, input, proxy)) : []),
        ...(proxy !== undefined ? TARGETS.flatMap((target) => laterStepAudits(target, input, proxy)) : []),
        ...(input.azureMonitorAgent ? TARGETS.map((target) => amaDefinition(target, input)) : []),
        ...(input.azureMonitorAgent ? kinds.map((kind) => associationDefinition(kind, "rule")) : []),
        // Stryker disable next-line StringLiteral: associationDefinition tests only what === "rule"; any other value is the endpoint
        ...(input.azureMonitorAgent && input.dataCollectionEndpoint ? kinds.map((kind) => associationDefinition(kind, "endpoint")) : []),
        ...(input.guestConfigurationTag ? [guestConfigurationTagDefinition()] : []),
    ];
}

/** The distinct roles an initiative's identity needs. */
export function rolesFor(definitions: PolicyDefinitionSpec[]): string[] {
    return [...new Set(definitions.flatMap((d) => d.roles))];
}

/** The ARM template each DeployIfNotExists definition deploys, by definition key (for checks such as Bicep's). */
export function deploymentTemplates(definitions: PolicyDefinitionSpec[]): Array<{ key: string; template: Record<string, unknown> }> {
    return definitions.flatMap((d) => {
        const details = (d.policyRule.then as { details?: { deployment?: { properties: { template: Record<string, unknown> } } } }).details;
        return details?.deployment === undefined ? [] : [{ key: d.key, template: details.deployment.properties.template }];
    });
}
