/**
 * The Azure Arc gateway as plain data: which hosts the proxy must still allow once the Arc agent
 * goes through a gateway, the Arc agent's bypass list in gateway mode, the ARM template that
 * associates an Arc machine with the gateway, and the onboarding commands with `--gateway-id`.
 *
 * Sources (MicrosoftDocs/azure-management-docs, `articles/azure-arc/servers/`):
 * - `arc-gateway.md` (revision of 5 May 2026): "Confirm access to required URLs" (the hosts below),
 *   "Current limitations" (no proxy bypass, public cloud only, TLS inspection), "More scenarios"
 *   (what Azure Monitor Agent and Microsoft Defender still need), the association through
 *   `Microsoft.HybridCompute/settings` (`az arcgateway settings update --gateway-resource-id`).
 * - `arc-gateway-endpoints.md` (17 February 2026): the hosts the gateway carries for the agent.
 * - `azcmagent-connect.md`: `--gateway-id`, "the resource ID of the Azure Arc gateway resource".
 * Resource shapes: Azure/bicep-types-az `generated/hybridcompute/microsoft.hybridcompute/2025-06-01/types.md`
 * (`Microsoft.HybridCompute/settings`: extension scope, name `default`,
 * `properties.gatewayProperties.gatewayResourceId`).
 */
import { NormalizedArgs } from "../validate";
import { EGRESS_AGENTS, EgressEndpoint, EgressInput, egressEndpoints, mergeEgressEndpoints } from "./egress";
// The same output type as the Private Link onboarding commands: one schema type for both outputs.
import { OnboardingCommands } from "./privateLink";

/** Every gateway's host is `<prefix>.gw.arc.azure.com`; the prefix is known only once the gateway exists (output `arcGatewayEndpoint`). */
export const GATEWAY_HOST_WILDCARD = "*.gw.arc.azure.com";

/** The API version of `Microsoft.HybridCompute/settings` the association uses (GA, bicep-types-az 2025-06-01). */
export const GATEWAY_SETTINGS_API_VERSION = "2025-06-01";

/** What gateway-mode egress needs besides the egress input. */
export interface GatewayEgressOptions {
    /** ARM regions of the Arc machines (`<region>.his.arc.azure.com`); the component's location when none is listed. */
    arcRegions: string[];
    /** The gateway's exact host when known in plain text; otherwise `*.gw.arc.azure.com`. */
    gatewayHost?: string;
}

/**
 * The egress list when the Arc agent goes through a gateway: the Arc agent's direct hosts (guest
 * configuration, notification service, service bus, storage, `aka.ms`, the `*.his` wildcard) are
 * carried by the gateway and leave the list; Microsoft's short list and the gateway's own host
 * take their place. Every other agent keeps its hosts: MDE uses the operating-system proxy, and
 * the Azure Monitor and Log Analytics agents get the proxy in their own settings, so none of them
 * goes through the Arc agent's gateway ("Microsoft Defender: your environment must meet all the
 * prerequisites"; "Azure Monitor Agent: <workspace-id>.ods.opinsights.azure.com" even through it).
 */
export function gatewayModeEgress(input: EgressInput, options: GatewayEgressOptions): EgressEndpoint[] {
    if (input.cloud !== "AzureCloud") {
        throw new Error(`egress: the Azure Arc gateway serves AzureCloud only, not ${input.cloud}`);
    }
    const others = egressEndpoints({ ...input, agents: { ...input.agents, arcAgent: false } });
    const arc = EGRESS_AGENTS.arcAgent;
    // No service tag is claimed for these rows (Microsoft's gateway pages name none), and a
    // wildcard gets no probe host: the route check skips what it cannot name.
    const row = (host: string, why: string, when: EgressEndpoint["when"], platforms = ["linux", "windows"]): EgressEndpoint => ({
        host,
        port: 443,
        protocol: "https",
        agents: [arc],
        platforms,
        why,
        when,
        route: "proxy",
        serviceTag: "",
        probeHost: host.includes("*") ? "" : host,
        tlsInspection: !host.endsWith(".gw.arc.azure.com"),
    });
    // No sort needed: mergeEgressEndpoints orders the rows by host.
    const regions = new Set(options.arcRegions.map((r) => r.trim().toLowerCase()));
    const gateway = options.gatewayHost ?? GATEWAY_HOST_WILDCARD;
    if (!/^(\*|[a-z0-9-]+)\.gw\.arc\.azure\.com$/.test(gateway)) {
        throw new Error(`egress: "${gateway}" is not an Arc gateway host (<prefix>.gw.arc.azure.com)`);
    }
    const gatewayRows = [
        row(gateway, "Azure Arc gateway: the Arc agent and its extensions reach Azure through it; exempt it from TLS inspection", "always"),
        row("management.azure.com", "Resource Manager control channel", "always"),
        row("login.microsoftonline.com", "Microsoft Entra ID tokens", "always"),
        // Microsoft writes `<region>.login.microsoft.com`; the wildcard holds whichever region Entra ID answers from.
        row("*.login.microsoft.com", "Microsoft Entra ID regional token endpoints (<region>.login.microsoft.com)", "always"),
        row("gbl.his.arc.azure.com", "Arc cloud service for the agents (global), also the Windows agent download", "always"),
        ...[...regions].map((r) => row(`${r}.his.arc.azure.com`, "Arc core control channel for machines in this region", "always")),
        row("packages.microsoft.com", "Linux agent package (install and upgrades)", "install", ["linux"]),
        row("download.microsoft.com", "Windows installation package", "install", ["windows"]),
    ];
    return mergeEgressEndpoints([...others, ...gatewayRows]);
}

/** The Arc machines' regions, or the component's location when none is listed (machines onboarded later join there). */
export function arcRegionsOf(args: NormalizedArgs): string[] {
    const regions = args.machines.filter((m) => m.kind === "arc").map((m) => m.location);
    return regions.length > 0 ? [...new Set(regions)].sort() : [args.location];
}

/** The egress list for these args: gateway mode when `arcGateway` is set, the usual list otherwise. */
export function egressWithGateway(args: NormalizedArgs, input: EgressInput): EgressEndpoint[] {
    if (args.arcGateway === undefined) return egressEndpoints(input);
    return gatewayModeEgress(input, { arcRegions: arcRegionsOf(args) });
}

/**
 * `azcmagent config set proxy.bypass` values in gateway mode: none. "Proxy bypass isn't supported
 * when Azure Arc gateway is in use", so the Arc proxy run command clears the setting instead of
 * writing values the agent would ignore.
 */
export function arcAgentBypassWithGateway(args: NormalizedArgs, bypass: string[]): string[] {
    return args.arcGateway === undefined ? bypass : [];
}

/** What the egress list cannot say about gateway mode. */
export function arcGatewayEgressNotes(args: NormalizedArgs): string[] {
    if (args.arcGateway === undefined) return [];
    return [
        `Azure Arc gateway: the list allows ${GATEWAY_HOST_WILDCARD}; once the gateway exists, narrow it to the exact host (output arcGatewayEndpoint). Do not inspect TLS to it: the Arc proxy nests its connections inside one TLS session to the gateway.`,
        "Azure Arc gateway: Microsoft's seven-host list is what the Arc agent needs; Defender for Endpoint and the Azure Monitor Agent still reach their own hosts through your proxy (listed). Extensions the component does not deploy may need more: Key Vault certificate sync <vault>.vault.azure.net, Hybrid Runbook Worker *.azure-automation.net, Windows Update for Azure Update Manager.",
        "Azure Arc gateway: aka.ms is not on Microsoft's gateway list; download the agent from gbl.his.arc.azure.com or packages.microsoft.com, or allow aka.ms while installing.",
    ];
}

/** An ARM template (resource-group deployment) that associates one Arc machine with a gateway. */
export function gatewayAssociationTemplate(): Record<string, unknown> {
    return {
        $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        parameters: { machineName: { type: "string" }, gatewayResourceId: { type: "string" } },
        resources: [
            {
                // An extension resource on the machine: MicrosoftDocs/azure-docs
                // `articles/azure-resource-manager/templates/scope-extension-resources.md` ("Apply to resource").
                type: "Microsoft.HybridCompute/settings",
                apiVersion: GATEWAY_SETTINGS_API_VERSION,
                name: "default",
                scope: "[format('Microsoft.HybridCompute/machines/{0}', parameters('machineName'))]",
                properties: { gatewayProperties: { gatewayResourceId: "[parameters('gatewayResourceId')]" } },
            },
        ],
    };
}

/** What the gateway onboarding commands need; all plain text, no secret. */
export interface GatewayOnboardingInput {
    subscriptionId: string;
    resourceGroupName: string;
    location: string;
    gatewayId: string;
    tenantId?: string;
    proxyUrl?: string;
}

/**
 * The agent's proxy first (the gateway is reached through it, as the "upstream proxy"), never a
 * `proxy.bypass` (unsupported with a gateway), then `connect --gateway-id`. The tenant id comes
 * from the args or from `$TENANT_ID`; authentication is the operator's (device code or a
 * service principal).
 */
export function gatewayOnboardingCommands(input: GatewayOnboardingInput): OnboardingCommands {
    const connect = (tenant: string): string =>
        [
            "connect",
            `--subscription-id "${input.subscriptionId}"`,
            `--resource-group "${input.resourceGroupName}"`,
            `--location "${input.location}"`,
            `--tenant-id "${tenant}"`,
            `--cloud "AzureCloud"`,
            `--gateway-id "${input.gatewayId}"`,
        ].join(" ");
    const proxy = input.proxyUrl === undefined ? [] : [`config set proxy.url "${input.proxyUrl}"`];
    return {
        linux: [
            "set -euo pipefail",
            ...proxy.map((p) => `azcmagent ${p}`),
            `azcmagent ${connect(input.tenantId ?? "${TENANT_ID:?set TENANT_ID to your Entra tenant id}")}`,
        ].join("\n"),
        // `Stop` does not cover native commands in Windows PowerShell 5.1: each call checks its exit code.
        windows: [
            "$ErrorActionPreference = 'Stop'",
            '$azcmagent = "$env:ProgramW6432\\AzureConnectedMachineAgent\\azcmagent.exe"',
            ...[...proxy, connect(input.tenantId ?? "$env:TENANT_ID")].flatMap((p) => [
                `& $azcmagent ${p}`,
                "if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }",
            ]),
        ].join("\n"),
    };
}
