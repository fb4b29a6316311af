/**
 * The egress contract's data shapes. Plain strings, numbers and booleans in the public row
 * (`EgressDestination`) so the component provider can describe it to every language;
 * `EgressEndpoint` is the same row with its allowed values as TypeScript types.
 */

/** The clouds this contract covers. AzureChinaCloud is refused before it gets here (Defender retires there on 18 August 2026). */
export type EgressCloud = "AzureCloud" | "AzureUSGovernment";

/** How Defender for Endpoint reaches its cloud: Microsoft's region-specific `standard` list, or the consolidated `streamlined` domain. */
export type MdeConnectivity = "standard" | "streamlined";

/** What the egress list needs to know about Defender for Endpoint beyond "it runs". */
export interface MdeEgressOptions {
    /** `standard` (what Defender for Cloud onboards with unless the tenant opts in) or `streamlined`. */
    connectivity: MdeConnectivity;
    /**
     * The MDE tenant's data location (`US`, `EU`, `UK`, `AU`; `GCC`, `GCCHigh`, `DoD` for US Government),
     * or undefined when unknown: then every documented location of the environment is listed.
     */
    dataLocation?: string;
    /** Which operating systems run MDE: some hosts serve only Windows or only Linux. */
    windows: boolean;
    linux: boolean;
}

/** What the component knows about the machines, enough to derive every host they must reach. */
export interface EgressInput {
    cloud: EgressCloud;
    /** ARM region names of the machines, e.g. `["westeurope"]`. */
    regions: string[];
    agents: {
        /** Defender for Endpoint sensor (MDE.Windows / MDE.Linux). */
        mde: boolean;
        azureMonitorAgent: boolean;
        /** The retired Log Analytics agent (MMA / OMS). */
        legacyAgent: boolean;
        /** Guest Configuration extension on Azure VMs. With the `EnablePrivateNetworkGC` tag it talks to `168.63.129.16`, never the proxy. */
        guestConfiguration: boolean;
        /** At least one Azure Arc-enabled server. */
        arcAgent: boolean;
    };
    /** Defender for Endpoint's connectivity and data location. Default: standard connectivity, every data location, both operating systems. */
    mde?: MdeEgressOptions;
    /** Log Analytics workspace ids (the `customerId` GUIDs) known in plain text. Empty: the `*.ods...` wildcard forms are used. */
    workspaceIds: string[];
    /**
     * Which services go through a Private Link scope instead of the proxy. `arcMachinesOutsideScope`:
     * with an Arc scope, some Arc machines are not associated with it (listed `none` or `associateByPolicy`,
     * or any machine in policy mode), so their Arc agents still reach the scope's hosts through the proxy.
     */
    privateLink: { arc: boolean; azureMonitor: boolean; arcMachinesOutsideScope?: boolean };
}

export type EgressRoute = "proxy" | "privateLink" | "platform";
export type EgressWhen = "install" | "connect" | "always";
export type EgressProtocol = "https" | "http";

/**
 * One destination the machines reach, as the component's `egress` output states it.
 * Plain strings (no literal unions) so that the component provider can describe it to every language.
 */
export interface EgressDestination {
    /** Exact host, a wildcard `*.x.y`, or a documented partial-label wildcard such as `azgn*.servicebus.windows.net`. */
    host: string;
    /** TCP port: 443 for HTTPS (CONNECT through the proxy), 80 for plain HTTP (certificate revocation lists). */
    port: number;
    /** `https` or `http`: how the agent speaks to the host, and so how a proxy or firewall rule must match it. */
    protocol: string;
    /** The agents that need it, deduplicated and sorted. */
    agents: string[];
    /** Operating systems that reach it (`linux`, `windows`), sorted. */
    platforms: string[];
    /** One short reason (reasons of merged rows joined with `; `). */
    why: string;
    /** `install`: only while agents are installed or upgraded; `connect`: only while an Arc machine connects or disconnects; `always`: for as long as they run. */
    when: string;
    /** `proxy`: the proxy must allow it; `privateLink`: reached through a private endpoint, so it belongs in the proxy bypass list and not in the allowlist; `platform`: the Azure platform address `168.63.129.16`, always bypassed. */
    route: string;
    /** The Azure service tag whose address ranges Microsoft names for this destination (e.g. `AzureMonitor`), or `""` where it names none. */
    serviceTag: string;
    /** One concrete host name to test the route with: the host itself when exact, a host Microsoft documents for a wildcard, or `""` when Microsoft documents none (the route check then skips it). */
    probeHost: string;
    /** False where Microsoft says the connection must not be TLS-inspected (Defender for Endpoint pins certificates; Azure Monitor: "HTTPS inspection must be disabled"). */
    tlsInspection: boolean;
}

/** One destination the machines reach, with its allowed values as types. */
export interface EgressEndpoint extends EgressDestination {
    protocol: EgressProtocol;
    when: EgressWhen;
    route: EgressRoute;
}

/** Agent names as they appear in `EgressEndpoint.agents`. */
export const EGRESS_AGENTS = {
    mde: "Defender for Endpoint",
    azureMonitorAgent: "Azure Monitor Agent",
    legacyAgent: "Log Analytics agent",
    guestConfiguration: "Guest Configuration",
    arcAgent: "Arc agent",
} as const;

/** A destination a firewall can only express as a service tag: Microsoft names no host for it. Not on any proxy list. */
export interface ServiceTagDestination {
    /** The service tag, e.g. `AzureFrontDoor.Frontend`. */
    serviceTag: string;
    /** TCP port. */
    port: number;
    /** The agents that need it. */
    agents: string[];
    /** One short reason, with the date Microsoft gives. */
    why: string;
}
