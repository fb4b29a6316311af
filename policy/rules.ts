/**
 * The checks of the `defender-servers` policy pack, as pure functions: each takes the arguments
 * a `@pulumi/policy` validation receives (or the part of them it reads) and reports violations
 * through the callback, and does nothing else. `policies.ts` gives them names and enforcement
 * levels, `index.ts` serves them; the tests call them with hand-built arguments.
 *
 * What a check can see: a resource policy sees one resource's inputs; a stack policy sees every
 * resource with its outputs (in a preview, the planned ones), its parent, and the resources its
 * properties came from. Path parameters such as `vmName` are inputs only, so the stack checks
 * tie resources together through the engine's own graph (parents, logical names, property
 * dependencies), never through names read from properties. Only fields that are the same in
 * inputs and outputs are read (`settings`, `parameters`, `publisher`, `tags`, `identity`).
 *
 * No message ever repeats a setting's value: a credential found in the wrong place is named by
 * its path only.
 */

/** How a check reports: the same signature as `@pulumi/policy`'s `ReportViolation`. */
export type Report = (message: string, urn?: string) => void;

/** The part of `ResourceValidationArgs` (and of a stack's `PolicyResource`) the checks read. */
export interface ResourceLike {
    /** Type token, e.g. `azure-native:compute:VirtualMachineExtension`. */
    type: string;
    /** Logical name. */
    name: string;
    urn: string;
    /** Inputs (resource policies) or outputs (stack policies). */
    props: Record<string, any>;
}

/** The part of `@pulumi/policy`'s `PolicyResource` the stack checks read. */
export interface StackResourceLike extends ResourceLike {
    parent?: { urn: string; type: string; name: string };
    /** Every resource this one waits for. */
    dependencies: StackResourceLike[];
    /** For each property, the resources its value came from. */
    propertyDependencies: Record<string, StackResourceLike[]>;
}

/** The part of `StackValidationArgs` the stack checks read. */
export interface StackLike {
    resources: StackResourceLike[];
}

/** Type tokens, without the API-version module suffix (`compute/v20240301` reads as `compute`). */
export const TYPES = {
    component: "defender-servers:index:DefenderForServersNetworkRestricted",
    virtualMachine: "azure-native:compute:VirtualMachine",
    vmExtension: "azure-native:compute:VirtualMachineExtension",
    vmssExtension: "azure-native:compute:VirtualMachineScaleSetExtension",
    arcExtension: "azure-native:hybridcompute:MachineExtension",
    vmRunCommand: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
    arcRunCommand: "azure-native:hybridcompute:MachineRunCommand",
    arcPrivateLinkScope: "azure-native:hybridcompute:PrivateLinkScope",
    monitorPrivateLinkScope: "azure-native:monitor:PrivateLinkScope",
    pricing: "azure-native:security:Pricing",
} as const;

/** The tag that sends Guest Configuration on an Azure VM through 168.63.129.16 instead of a proxy. */
export const GUEST_CONFIGURATION_TAG = { name: "EnablePrivateNetworkGC", value: "TRUE" } as const;

/** `azure-native:compute/v20240301:VirtualMachineExtension` → `azure-native:compute:VirtualMachineExtension`. */
export function baseType(type: string): string {
    const [pkg, module, name] = type.split(":");
    if (name === undefined) return type;
    return `${pkg}:${module.replace(/\/v\d[^/]*$/, "")}:${name}`;
}

function isType(resource: { type: string }, ...types: string[]): boolean {
    return types.includes(baseType(resource.type));
}

function sameText(a: unknown, b: string): boolean {
    return typeof a === "string" && a.toLowerCase() === b.toLowerCase();
}

function show(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}

/** An extension's public settings: top level on VMs and scale sets, under `properties` on Arc machines. */
function extensionSettings(resource: ResourceLike): unknown {
    return isType(resource, TYPES.arcExtension) ? resource.props.properties?.settings : resource.props.settings;
}

/** A run command's named parameter. */
function runCommandParameter(resource: ResourceLike, names: string[]): unknown {
    const parameters: unknown = resource.props.parameters;
    if (!Array.isArray(parameters)) return undefined;
    return parameters.find((p) => p !== null && typeof p === "object" && names.includes(p.name))?.value;
}

// ---------------------------------------------------------------------------------------------
// Resource checks.

// ---------------------------------------------------------------------------------------------
// Config: the choices a user can state in `--policy-pack-config`, one interface per policy that
// has any. Each property is off by default, so the pack stays strict; each matches a component
// argument that makes the component register what the policy otherwise refuses.

/** Config of `defender-for-servers-standard`. */
export interface DefenderForServersConfig {
    /** Allow `Free` pricings at a single machine's scope: defender-servers' `machines[].defenderPlan: "Free"`. */
    allowMachineExclusions?: boolean;
}

/** Config of `arc-private-link-scope-not-public`. */
export interface ArcPrivateLinkScopeConfig {
    /** Allow public network access on the scope: defender-servers' `privateLink.arc.publicNetworkAccess: true`. */
    allowPublicNetworkAccess?: boolean;
}

/** Config of `azure-monitor-private-link-scope-private-ingestion`. */
export interface AzureMonitorPrivateLinkScopeConfig {
    /** Allow scope-wide `Open` ingestion: defender-servers' `privateLink.azureMonitor.ingestionAccessMode: "Open"`. */
    allowOpenIngestion?: boolean;
}

/** Config of `guest-configuration-private-network-and-identity`. */
export interface GuestConfigurationConfig {
    /** Allow a VM without a system-assigned identity in the program: defender-servers' `builtInPolicies.addSystemAssignedIdentity: true` adds it. */
    allowIdentityFromPolicy?: boolean;
    /** Allow a VM without the EnablePrivateNetworkGC tag in the program: defender-servers' `guestConfiguration.tagExistingVms: true` adds it. */
    allowTagFromPolicy?: boolean;
}

/** How a message names the config property that would let a violation through. */
function allowWith(policy: string, property: string, choice: string): string {
    return ` If ${choice} is deliberate, allow it with --policy-pack-config {"${policy}": {"${property}": true}}.`;
}

/**
 * The Defender for Servers plan (`security:Pricing` named `VirtualMachines`) is Standard. Free
 * is the tier Azure falls back to when the pricing is deleted or reset. A Free pricing at one
 * machine's scope leaves only that machine out (what the component writes for
 * `machines[].defenderPlan: "Free"`), and passes when `config.allowMachineExclusions` is set; a
 * Free subscription never does.
 */
export function defenderForServersIsStandard(args: ResourceLike, report: Report, config: DefenderForServersConfig = {}): void {
    if (!isType(args, TYPES.pricing) || !sameText(args.props.pricingName, "VirtualMachines")) return;
    const tier = args.props.pricingTier;
    if (sameText(tier, "Standard")) return;
    // scopeId is read only here: in a preview it may be unknown, and the other cases do not need it.
    const machineScope = typeof args.props.scopeId === "string" && MACHINE_ID.test(args.props.scopeId);
    if (machineScope && config.allowMachineExclusions === true) return;
    report(
        `Defender for Servers pricing "${args.name}" (pricingName VirtualMachines) has pricingTier ${show(tier)}; ` +
            `it must be "Standard", or the ${machineScope ? "machine is" : "subscription's servers are"} not protected (Free has no Defender for Servers).` +
            (machineScope
                ? allowWith(
                      "defender-for-servers-standard",
                      "allowMachineExclusions",
                      'a machine left out (defender-servers: machines[].defenderPlan "Free")',
                  )
                : ""),
    );
}

/**
 * The Arc Private Link Scope refuses public network access: machines in it reach Arc only through
 * the private endpoint. `config.allowPublicNetworkAccess` lets it be open, which the component
 * requires while machines are associated by policy.
 */
export function arcPrivateLinkScopeIsPrivate(args: ResourceLike, report: Report, config: ArcPrivateLinkScopeConfig = {}): void {
    if (!isType(args, TYPES.arcPrivateLinkScope) || config.allowPublicNetworkAccess === true) return;
    const access = args.props.properties?.publicNetworkAccess;
    if (!sameText(access, "Disabled")) {
        report(
            `Arc Private Link Scope "${args.name}" has properties.publicNetworkAccess ${show(access)}; set it to "Disabled" ` +
                `(defender-servers: privateLink.arc.publicNetworkAccess false, the default) so its machines cannot use the public Arc endpoints.` +
                allowWith(
                    "arc-private-link-scope-not-public",
                    "allowPublicNetworkAccess",
                    "public access (defender-servers: privateLink.arc.publicNetworkAccess true, needed while machines are associated by policy)",
                ),
        );
    }
}

/**
 * The Azure Monitor Private Link Scope takes ingestion only through private endpoints, exclusions
 * included; `config.allowOpenIngestion` lets the scope-wide mode be `Open`.
 */
export function azureMonitorPrivateLinkScopeIsPrivate(
    args: ResourceLike,
    report: Report,
    config: AzureMonitorPrivateLinkScopeConfig = {},
): void {
    if (!isType(args, TYPES.monitorPrivateLinkScope)) return;
    const modes = args.props.accessModeSettings;
    const ingestion = modes?.ingestionAccessMode;
    if (!sameText(ingestion, "PrivateOnly") && config.allowOpenIngestion !== true) {
        report(
            `Azure Monitor Private Link Scope "${args.name}" has accessModeSettings.ingestionAccessMode ${show(ingestion)}; ` +
                `set it to "PrivateOnly" (defender-servers: privateLink.azureMonitor.ingestionAccessMode, the default) so logs cannot be sent to public endpoints.` +
                allowWith(
                    "azure-monitor-private-link-scope-private-ingestion",
                    "allowOpenIngestion",
                    'open ingestion (defender-servers: privateLink.azureMonitor.ingestionAccessMode "Open")',
                ),
        );
    }
    // Exclusions stay strict whatever the config: the component never writes one, so one that
    // opens ingestion is nobody's choice made through the component.
    const exclusions: unknown = modes?.exclusions;
    if (!Array.isArray(exclusions)) return;
    exclusions.forEach((exclusion, i) => {
        const mode = exclusion?.ingestionAccessMode;
        if (mode !== undefined && !sameText(mode, "PrivateOnly")) {
            report(
                `Azure Monitor Private Link Scope "${args.name}": accessModeSettings.exclusions[${i}] ` +
                    `(${show(exclusion?.privateEndpointConnectionName)}) opens ingestion with ${show(mode)}; remove the exclusion or make it "PrivateOnly".`,
            );
        }
    });
}

/** Words that make a key a secret's (`proxyPassword`, `PROXY_PWD`, `passphrase`), and those that do only as its last word (`clientSecret`, `proxyPass`, `credentials`; not `bypass`). */
const SECRET_WORDS = new Set(["password", "passwd", "passphrase", "pwd"]);
const SECRET_LAST_WORDS = new Set(["pass", "secret", "credential", "credentials"]);

/** Whether a settings key or parameter name names a secret: its words, split at case changes and punctuation. */
export function isSecretKey(key: string): boolean {
    const words = key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w !== "");
    return words.some((w) => SECRET_WORDS.has(w)) || SECRET_LAST_WORDS.has(words[words.length - 1] ?? "");
}
/** A URL carrying `user:password@`. */
const URL_WITH_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]+:[^\s/@]*@/i;
/** `user:password@host[:port]`, the Log Analytics agent's Linux proxy form, under a key that names a proxy. */
const PROXY_WITH_CREDENTIALS = /^[^\s/@:]+:[^\s/@]+@[^\s/@]+$/;

/** Paths under `value` that hold a credential; values are never returned. */
export function credentialPaths(value: unknown, path: string): string[] {
    if (typeof value === "string") {
        const key = path.slice(path.lastIndexOf(".") + 1);
        return URL_WITH_CREDENTIALS.test(value) || (/proxy/i.test(key) && PROXY_WITH_CREDENTIALS.test(value)) ? [path] : [];
    }
    if (Array.isArray(value)) return value.flatMap((entry, i) => credentialPaths(entry, `${path}[${i}]`));
    if (value === null || typeof value !== "object") return [];
    const found: string[] = [];
    for (const [key, entry] of Object.entries(value)) {
        const here = path === "" ? key : `${path}.${key}`;
        const filled = entry !== undefined && entry !== null && entry !== "" && typeof entry !== "boolean";
        if (isSecretKey(key) && filled) found.push(here);
        else found.push(...credentialPaths(entry, here));
    }
    return found;
}

/**
 * No proxy credential in plain extension settings or run-command parameters: those are stored
 * and shown in clear text (deployment history, the portal, anyone with read access to the
 * machine). Credentials belong in `protectedSettings` (AMA, Log Analytics agent) or
 * `protectedParameters`.
 */
export function noCredentialsInPlainSettings(args: ResourceLike, report: Report): void {
    if (isType(args, TYPES.vmExtension, TYPES.vmssExtension, TYPES.arcExtension)) {
        const where = isType(args, TYPES.arcExtension) ? "properties.settings" : "settings";
        for (const path of credentialPaths(extensionSettings(args), where)) {
            report(
                `Extension "${args.name}" has a credential in ${path}, which is stored and shown in clear text; ` +
                    `move it to ${where.replace("settings", "protectedSettings")} (defender-servers puts proxy credentials there itself).`,
            );
        }
    } else if (isType(args, TYPES.vmRunCommand, TYPES.arcRunCommand)) {
        const parameters: unknown = args.props.parameters;
        if (!Array.isArray(parameters)) return;
        parameters.forEach((parameter, i) => {
            const name = typeof parameter?.name === "string" ? parameter.name : String(i);
            const secretName = isSecretKey(name) && parameter?.value !== undefined && parameter?.value !== "";
            if (secretName || credentialPaths(parameter?.value, name).length > 0) {
                report(
                    `Run command "${args.name}" has a credential in parameters[${i}] (${name}), which is stored and shown in clear text; ` +
                        `use protectedParameters, or a proxy that lets the machine through without one.`,
                );
            }
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Stack checks.

/** The operating-system proxy run commands are known by their parameters: the proxy URL beside the OS bypass list (not the Arc agent's or Qualys'). */
function osProxyUrl(resource: ResourceLike): unknown {
    if (!isType(resource, TYPES.vmRunCommand, TYPES.arcRunCommand)) return undefined;
    const url = runCommandParameter(resource, ["ProxyUrl", "PROXY_URL"]);
    const bypass = runCommandParameter(resource, ["BypassList", "PROXY_BYPASS"]);
    return url !== undefined && bypass !== undefined ? url : undefined;
}

/** An Azure Monitor Agent extension, by publisher and type (or extension name), on VMs and Arc machines. */
function isAzureMonitorAgent(resource: ResourceLike): boolean {
    if (!isType(resource, TYPES.vmExtension, TYPES.arcExtension)) return false;
    const props = isType(resource, TYPES.arcExtension) ? { ...resource.props, ...resource.props.properties } : resource.props;
    return (
        (sameText(props.publisher, "Microsoft.Azure.Monitor") && /^AzureMonitor(Windows|Linux)Agent$/i.test(String(props.type ?? ""))) ||
        [props.vmExtensionName, props.extensionName, props.name].some(
            (n) => typeof n === "string" && /^AzureMonitor(Windows|Linux)Agent$/i.test(n),
        )
    );
}

const MACHINE_IN_ID =
    /\/resourceGroups\/([^/]+)\/providers\/(Microsoft\.Compute\/virtualMachines|Microsoft\.HybridCompute\/machines)\/([^/]+)/i;

/**
 * A machine's own id and nothing else: what the component gives a machine-scope pricing. Anchored,
 * unlike MACHINE_IN_ID, so an extension's id, a path that climbs out (`/..`) or a query cannot pass
 * for a machine; case-insensitive, as Azure ids are.
 */
const MACHINE_ID =
    /^\/subscriptions\/[^/?#]+\/resourceGroups\/[^/?#]+\/providers\/(?:Microsoft\.Compute\/virtualMachines|Microsoft\.HybridCompute\/machines)\/(?!\.+$)[^/?#]+$/i;

/**
 * The machine a run command or extension belongs to, as `<kind>/<resource group>/<name>`: from its
 * inputs (`vmName` or `machineName` with `resourceGroupName`: what a preview and resource policies
 * see), else from its Azure id (what a deployed resource's outputs hold); undefined when neither
 * is known (a preview with names only the cloud will know), and then nothing is paired.
 */
export function machineOf(resource: ResourceLike): string | undefined {
    const { vmName, machineName, resourceGroupName, id } = resource.props;
    const name = vmName ?? machineName;
    if (typeof name === "string" && typeof resourceGroupName === "string") {
        return `${vmName !== undefined ? "vm" : "arc"}/${resourceGroupName}/${name}`.toLowerCase();
    }
    const match = typeof id === "string" ? MACHINE_IN_ID.exec(id) : null;
    if (match === null) return undefined;
    return `${/compute/i.test(match[2]) ? "vm" : "arc"}/${match[1]}/${match[3]}`.toLowerCase();
}

/**
 * The Azure Monitor Agent on a machine behind the operating-system proxy uses that same proxy:
 * behind a proxy AMA without `settings.proxy` installs and collects nothing. Resources are matched
 * by type and inputs (the OS-proxy run command by its parameters, AMA by publisher and type, the
 * two by the machine they are on), not by anyone's logical names. A machine without AMA is fine
 * (log collection is optional); where the stack routes Azure Monitor through a Private Link Scope,
 * AMA rightly goes around the proxy, so only its presence matters.
 */
export function azureMonitorAgentFollowsOsProxy(args: StackLike, report: Report): void {
    if (args.resources.some((r) => isType(r, TYPES.monitorPrivateLinkScope))) return;
    const proxyByMachine = new Map<string, { url: unknown; command: StackResourceLike }>();
    for (const resource of args.resources) {
        const url = osProxyUrl(resource);
        const machine = url === undefined ? undefined : machineOf(resource);
        if (machine !== undefined) proxyByMachine.set(machine, { url, command: resource });
    }
    for (const ama of args.resources) {
        if (!isAzureMonitorAgent(ama)) continue;
        const machine = machineOf(ama);
        const behind = machine === undefined ? undefined : proxyByMachine.get(machine);
        if (behind === undefined) continue;
        const proxy = (extensionSettings(ama) as { proxy?: { mode?: unknown; address?: unknown } } | undefined)?.proxy;
        if (proxy?.mode !== "application") {
            report(
                `Azure Monitor Agent "${ama.name}" has settings.proxy.mode ${show(proxy?.mode)} on a machine behind the proxy ` +
                    `${show(behind.url)} (${behind.command.name}): it needs mode "application" with that address, or it installs and sends nothing.`,
                ama.urn,
            );
        } else if (proxy.address !== behind.url) {
            report(
                `Azure Monitor Agent "${ama.name}" sends to the proxy ${show(proxy.address)}, but its machine's operating-system proxy is ${show(behind.url)} (${behind.command.name}); use the same address.`,
                ama.urn,
            );
        }
    }
}

/** The identifier names AMA accepts for a user-assigned identity (azure-docs azure-monitor/agents/azure-monitor-agent-requirements.md). */
const AMA_IDENTIFIER_NAMES = ["mi_res_id", "object_id", "client_id"];

/**
 * An Azure Monitor Agent told to use a user-assigned identity names it completely:
 * `settings.authentication.managedIdentity` with `identifier-name` one of `mi_res_id`, `object_id`,
 * `client_id` and a non-empty `identifier-value`. Anything else and AMA signs in with nothing.
 */
export function azureMonitorAgentIdentityIsComplete(args: ResourceLike, report: Report): void {
    if (!isAzureMonitorAgent(args)) return;
    const settings = extensionSettings(args) as { authentication?: { managedIdentity?: Record<string, unknown> } } | undefined;
    const identity = settings?.authentication?.managedIdentity;
    if (settings?.authentication === undefined) return;
    const name = identity?.["identifier-name"];
    const value = identity?.["identifier-value"];
    if (typeof name !== "string" || !AMA_IDENTIFIER_NAMES.includes(name) || typeof value !== "string" || value.trim() === "") {
        report(
            `Azure Monitor Agent "${args.name}" has settings.authentication without a usable managedIdentity ` +
                `(identifier-name ${show(name)}, identifier-value ${typeof value === "string" && value !== "" ? "set" : "unset"}): ` +
                `use identifier-name "mi_res_id" with the user-assigned identity's resource id (defender-servers: machines[].userAssignedIdentityId).`,
        );
    }
}

function isGuestConfiguration(extension: ResourceLike): boolean {
    const { publisher, name, vmExtensionName } = extension.props;
    return (
        sameText(publisher, "Microsoft.GuestConfiguration") ||
        [name, vmExtensionName].some((n) => typeof n === "string" && /^AzurePolicyfor(Windows|Linux)$/i.test(n))
    );
}

/** The VMs declared in this stack that an extension is installed on: those its `vmName` came from, else those it waits for. */
function extensionVms(extension: StackResourceLike): StackResourceLike[] {
    const fromName = (extension.propertyDependencies?.vmName ?? []).filter((r) => isType(r, TYPES.virtualMachine));
    return fromName.length > 0 ? fromName : (extension.dependencies ?? []).filter((r) => isType(r, TYPES.virtualMachine));
}

/**
 * A VM declared in this stack with the Guest Configuration extension (`AzurePolicyforWindows` /
 * `AzurePolicyforLinux`) carries `EnablePrivateNetworkGC=TRUE`, which sends Guest Configuration
 * through 168.63.129.16 (it takes no proxy), and a system-assigned identity, which it
 * authenticates with. VMs not declared here cannot be seen; defender-servers'
 * `guestConfiguration.tagExistingVms` tags those. When Azure Policy adds the tag or the identity
 * after deployment (`config.allowTagFromPolicy`, `config.allowIdentityFromPolicy`), the program's
 * VM rightly lacks it and that half of the check is skipped.
 */
export function guestConfigurationVmsArePrivateWithIdentity(args: StackLike, report: Report, config: GuestConfigurationConfig = {}): void {
    const seen = new Set<string>();
    for (const extension of args.resources) {
        if (!isType(extension, TYPES.vmExtension) || !isGuestConfiguration(extension)) continue;
        for (const vm of extensionVms(extension)) {
            if (seen.has(vm.urn)) continue;
            seen.add(vm.urn);
            const tags: Record<string, unknown> = vm.props.tags ?? {};
            const tag = Object.entries(tags).find(([k]) => sameText(k, GUEST_CONFIGURATION_TAG.name));
            if ((tag === undefined || !sameText(tag[1], GUEST_CONFIGURATION_TAG.value)) && config.allowTagFromPolicy !== true) {
                report(
                    `VM "${vm.name}" has Guest Configuration (${extension.name}) but not the tag ${GUEST_CONFIGURATION_TAG.name}=${GUEST_CONFIGURATION_TAG.value}` +
                        `${tag === undefined ? "" : ` (it is ${show(tag[1])})`}: Guest Configuration takes no proxy and fails without it; ` +
                        `merge defender-servers' guestConfigurationTags output into the VM's tags.` +
                        allowWith(
                            "guest-configuration-private-network-and-identity",
                            "allowTagFromPolicy",
                            "tagging by Azure Policy (defender-servers: guestConfiguration.tagExistingVms true)",
                        ),
                    vm.urn,
                );
            }
            const identity = vm.props.identity?.type;
            const systemAssigned = typeof identity === "string" && /systemassigned/i.test(identity.replace(/\s/g, ""));
            if (!systemAssigned && config.allowIdentityFromPolicy !== true) {
                report(
                    `VM "${vm.name}" has Guest Configuration (${extension.name}) but no system-assigned identity (identity.type ${show(identity)}): ` +
                        `Guest Configuration authenticates with it; set identity.type to "SystemAssigned" (or "SystemAssigned, UserAssigned").` +
                        allowWith(
                            "guest-configuration-private-network-and-identity",
                            "allowIdentityFromPolicy",
                            "an identity added by Azure Policy (defender-servers: builtInPolicies.addSystemAssignedIdentity true)",
                        ),
                    vm.urn,
                );
            }
        }
    }
}
