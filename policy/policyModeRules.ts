/**
 * The pack's checks for Azure Policy rollouts (defender-servers' `rollout.mode: "policy"`, or the
 * same resources declared by hand): what a policy definition or assignment carries, and the
 * choices that let MDE start before the proxy it needs is in place. Pure functions, as in
 * rules.ts; messages never repeat a value found where a credential should not be.
 */
import { baseType, credentialPaths, isSecretKey, Report, ResourceLike, StackLike, StackResourceLike } from "./rules";

/** Policy resource types, without the API-version module suffix. */
export const POLICY_TYPES = {
    definition: "azure-native:authorization:PolicyDefinition",
    definitionAtManagementGroup: "azure-native:authorization:PolicyDefinitionAtManagementGroup",
    setDefinition: "azure-native:authorization:PolicySetDefinition",
    setDefinitionAtManagementGroup: "azure-native:authorization:PolicySetDefinitionAtManagementGroup",
    assignment: "azure-native:authorization:PolicyAssignment",
    gate: "random:index/randomString:RandomString",
} as const;

const REMEDIATION = /^azure-native:policyinsights:RemediationAt(Subscription|ResourceGroup|Resource|ManagementGroup)$/;
const DEFINITIONS: string[] = [POLICY_TYPES.definition, POLICY_TYPES.definitionAtManagementGroup];
const SET_DEFINITIONS: string[] = [POLICY_TYPES.setDefinition, POLICY_TYPES.setDefinitionAtManagementGroup];

/** `[{ name, value }]` entries (run-command parameters) whose name says secret and whose value is set. */
function namedValueCredentialPaths(value: unknown, path: string): string[] {
    if (Array.isArray(value)) {
        return value.flatMap((entry, i) => {
            const here = `${path}[${i}]`;
            const named = entry !== null && typeof entry === "object" && typeof entry.name === "string" && "value" in entry;
            const secret = named && isSecretKey(entry.name) && entry.value !== undefined && entry.value !== null && entry.value !== "";
            return secret ? [`${here} (${entry.name})`] : namedValueCredentialPaths(entry, here);
        });
    }
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([key, entry]) => namedValueCredentialPaths(entry, path === "" ? key : `${path}.${key}`));
}

/**
 * No credential in a policy definition, initiative or assignment: anyone with Reader on their
 * scope reads them in clear text, `protectedSettings` and `protectedParameters` of a
 * DeployIfNotExists template included (they are protected only once deployed). Checks the rule
 * (its template), the definitions' default values and the assignment's parameter values.
 */
export function noCredentialsInPolicies(args: ResourceLike, report: Report): void {
    const type = baseType(args.type);
    if (![...DEFINITIONS, ...SET_DEFINITIONS, POLICY_TYPES.assignment].includes(type)) return;
    const places: Array<[string, unknown]> = [
        ["policyRule", args.props.policyRule],
        ["parameters", args.props.parameters],
    ];
    const found = places.flatMap(([path, value]) => [...credentialPaths(value, path), ...namedValueCredentialPaths(value, path)]);
    for (const path of [...new Set(found)]) {
        report(
            `Policy resource "${args.name}" has a credential in ${path}; policy definitions and assignments are readable by anyone with Reader on their scope, protected settings in a DeployIfNotExists template included. Let the machines through the proxy without credentials, or deploy per machine (defender-servers: rollout.mode "machines").`,
        );
    }
}

/** Config of `policy-mode-waits-for-the-proxy`: each allowance matches a defender-servers choice. */
export interface PolicyModeConfig {
    /** Allow an OS-proxy policy with no remediation task: `rollout.remediate: false`, or a management group with no `remediationSubscriptionIds`. */
    allowNoRemediation?: boolean;
    /** Allow remediation tasks nothing waits for: `rollout.waitForRemediationMinutes: 0`. */
    allowNoWait?: boolean;
    /** Allow OS-proxy run commands that prove no route: `proxy.routeCheck: false`. */
    allowNoRouteCheck?: boolean;
}

/** A DeployIfNotExists template's run commands that set an operating-system proxy (by their parameters, as rules.ts finds OS-proxy run commands). */
function proxyRunCommands(definition: ResourceLike): Array<{ parameters: Array<{ name: string }> }> {
    const resources: unknown = definition.props.policyRule?.then?.details?.deployment?.properties?.template?.resources;
    if (!Array.isArray(resources)) return [];
    const commands = resources.filter(
        (r) =>
            typeof r?.type === "string" &&
            /\/runCommands$/i.test(r.type) &&
            Array.isArray(r.properties?.parameters) &&
            r.properties.parameters.some((p: { name?: string }) => p?.name === "PROXY_URL" || p?.name === "ProxyUrl") &&
            r.properties.parameters.some((p: { name?: string }) => p?.name === "PROXY_BYPASS" || p?.name === "BypassList"),
    );
    return commands.map((r) => ({ parameters: r.properties.parameters }));
}

const ROUTE_CHECK = ["ROUTE_CHECK_HOSTS", "RouteCheckHosts", "ROUTE_CHECK_PRIVATE_HOSTS", "RouteCheckPrivateHosts"];

function allowWith(property: string, choice: string): string {
    return ` If ${choice} is deliberate, allow it with --policy-pack-config {"policy-mode-waits-for-the-proxy": {"${property}": true}}.`;
}

const dependsOn = (resource: StackResourceLike, target: StackResourceLike) => resource.dependencies.some((d) => d.urn === target.urn);

/**
 * Policy mode keeps MDE behind the proxy: every assignment of an initiative (or definition) that
 * deploys an operating-system proxy run command has a remediation task for the machines that
 * exist, something waits for that task to finish (defender-servers' MDE gate), and the run
 * commands prove the route. Each has an allowance for the component's matching choice.
 */
export function policyModeWaitsForTheProxy(args: StackLike, report: Report, config: PolicyModeConfig = {}): void {
    const resources = args.resources;
    const proxyDefinitions = resources.filter((r) => DEFINITIONS.includes(baseType(r.type)) && proxyRunCommands(r).length > 0);
    if (proxyDefinitions.length === 0) return;
    if (!config.allowNoRouteCheck) {
        for (const definition of proxyDefinitions) {
            const unproven = proxyRunCommands(definition).some((c) => !c.parameters.some((p) => ROUTE_CHECK.includes(p.name)));
            if (unproven) {
                report(
                    `Policy definition "${definition.name}" deploys an operating-system proxy run command that proves no route: MDE may start on machines whose proxy blocks it.${allowWith("allowNoRouteCheck", "proxy.routeCheck: false")}`,
                    definition.urn,
                );
            }
        }
    }
    const sets = resources.filter((r) => SET_DEFINITIONS.includes(baseType(r.type)) && proxyDefinitions.some((d) => dependsOn(r, d)));
    const carriers = [...proxyDefinitions, ...sets];
    const assignments = resources.filter((r) => baseType(r.type) === POLICY_TYPES.assignment && carriers.some((c) => dependsOn(r, c)));
    for (const assignment of assignments) {
        const tasks = resources.filter((r) => REMEDIATION.test(baseType(r.type)) && dependsOn(r, assignment));
        const scope = typeof assignment.props.scope === "string" ? assignment.props.scope : "its scope";
        if (tasks.length === 0) {
            if (!config.allowNoRemediation) {
                const why = /\/managementGroups\//i.test(scope)
                    ? `it is assigned at management group ${scope} and no subscription below it is remediated`
                    : "no remediation task runs";
                report(
                    `Policy assignment "${assignment.name}" deploys the operating-system proxy only to machines created or changed later: ${why}, so existing machines get MDE without the proxy.${allowWith("allowNoRemediation", /\/managementGroups\//i.test(scope) ? "rollout.remediationSubscriptionIds left empty" : "rollout.remediate: false")}`,
                    assignment.urn,
                );
            }
            continue;
        }
        const gated = resources.some((r) => baseType(r.type) === POLICY_TYPES.gate && tasks.some((t) => dependsOn(r, t)));
        if (!gated && !config.allowNoWait) {
            report(
                `Policy assignment "${assignment.name}" has remediation tasks that nothing waits for: MDE may start before they have put the proxy on the machines.${allowWith("allowNoWait", "rollout.waitForRemediationMinutes: 0")}`,
                assignment.urn,
            );
        }
    }
}
