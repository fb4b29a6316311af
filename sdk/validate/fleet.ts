/**
 * Rules that span the fleet: which parts each machine gets, and the combinations the seed
 * and the docs say cannot work (an authenticated proxy for agents that cannot authenticate,
 * Guest Configuration without an identity, agents on machines with no way out).
 */
import { unsupportedOnWindows } from "../plan/bypass";
import { NormalizedLogs } from "./logs";
import { MACHINE_PARTS, MachinePart, NormalizedMachine } from "./machines";
import { NormalizedPlan } from "./plan";
import { ProblemList } from "./problems";
import { NormalizedArcScope } from "./privateLink";
import { NormalizedProxy } from "./proxy";

/** A machine with the parts it gets decided. */
export interface MachinePlan extends NormalizedMachine {
    parts: Record<MachinePart, boolean>;
}

/** The fleet-wide choices the parts depend on. */
export interface FleetSettings {
    proxy?: NormalizedProxy;
    logs?: NormalizedLogs;
    guestConfiguration: boolean;
    tagExistingVms: boolean;
    mdeEnabled: boolean;
    mdeIncludesLinux: boolean;
    airGapped: boolean;
    plan: NormalizedPlan;
    /** `builtInPolicies.addSystemAssignedIdentity`: Microsoft's modify policies give every Azure VM a system-assigned identity. */
    addSystemAssignedIdentity?: boolean;
    /** False in policy mode, where listed machines only inform the egress list. */
    perMachine?: boolean;
    /** The component's Arc Private Link Scope, when there is one. */
    arcScope?: NormalizedArcScope;
}

function partsFor(machine: NormalizedMachine, fleet: FleetSettings): Record<MachinePart, boolean> {
    const wanted: Record<MachinePart, boolean> = {
        osProxy: fleet.proxy !== undefined,
        azureMonitorAgent: fleet.logs?.azureMonitorAgent === true,
        legacyAgent: fleet.logs?.legacyAgent !== undefined,
        // Arc machines carry Guest Configuration inside their agent.
        guestConfiguration: fleet.guestConfiguration && machine.kind === "azureVm",
    };
    return Object.fromEntries(MACHINE_PARTS.map((part) => [part, wanted[part] && !machine.excluded.includes(part)])) as Record<
        MachinePart,
        boolean
    >;
}

/** Which agents on this machine cannot authenticate to a proxy, per the docs. */
function agentsWithoutProxyAuthentication(machine: NormalizedMachine, fleet: FleetSettings): string[] {
    const agents: string[] = [];
    if (machine.os === "linux" && fleet.mdeEnabled && fleet.mdeIncludesLinux) agents.push("MDE on Linux");
    // The Windows script sets DisableEnterpriseAuthProxy=1: MDE's static proxy does not authenticate.
    if (machine.os === "windows" && fleet.mdeEnabled) agents.push("MDE on Windows");
    if (machine.os === "linux" && machine.kind === "azureVm") agents.push("the Azure Linux Agent");
    if (machine.kind === "arc") agents.push("the Arc agent");
    return agents;
}

/** Decides each machine's parts and reports the combinations that cannot work. */
export function planFleet(problems: ProblemList, machines: NormalizedMachine[], fleet: FleetSettings): MachinePlan[] {
    if (fleet.airGapped) checkAirGapped(problems, machines, fleet);

    const planned = machines.map((machine) => ({ ...machine, parts: partsFor(machine, fleet) }));

    if (fleet.proxy?.credentials !== undefined && !fleet.proxy.unauthenticatedForAgentHosts) {
        const blocked = planned
            .map((m) => ({ m, agents: agentsWithoutProxyAuthentication(m, fleet) }))
            .filter(({ agents }) => agents.length > 0);
        if (blocked.length > 0) {
            const list = blocked.map(({ m, agents }) => `${m.key} (${agents.join(", ")})`).join("; ");
            problems.error(
                "proxy.username",
                `these machines run agents that cannot authenticate to a proxy: ${list}. Let the agent hosts (output egress) through without credentials and set proxy.unauthenticatedForAgentHosts: true, or use a proxy without authentication`,
            );
        }
    }

    const windowsProxy = planned.find((m) => m.os === "windows" && m.parts.osProxy);
    fleet.proxy?.bypass.forEach((entry, i) => {
        if (windowsProxy !== undefined && unsupportedOnWindows(entry)) {
            problems.error(
                `proxy.bypass[${i}]`,
                `"${entry}" is a CIDR range WinHTTP cannot express (${windowsProxy.key} is Windows); use a range on an octet boundary (/8, /16, /24) or list the hosts`,
            );
        }
    });

    for (const machine of planned) {
        if (fleet.proxy !== undefined && fleet.mdeEnabled && !machine.parts.osProxy) {
            problems.warn(
                `${machine.path}.exclude`,
                `leaves out osProxy on ${machine.key}: MDE onboards only if the machine's proxy is set some other way (image, GPO) before MDE arrives`,
            );
        }
    }

    const untagged = planned.filter((m) => m.parts.guestConfiguration).map((m) => m.key);
    if (untagged.length > 0 && !fleet.tagExistingVms) {
        problems.warn(
            "guestConfiguration",
            `Guest Configuration takes no proxy: ${untagged.join(", ")} need the EnablePrivateNetworkGC=TRUE tag to reach Azure through 168.63.129.16 (the egress list assumes it). Merge the guestConfigurationTags output into their tags, or set guestConfiguration.tagExistingVms: true`,
        );
    }

    const logs = fleet.logs;
    const windowsAma = planned.filter((m) => m.os === "windows" && m.parts.azureMonitorAgent).map((m) => m.key);
    if (
        logs !== undefined &&
        logs.dataCollectionRuleId === undefined &&
        !logs.streams.includes("securityEvents") &&
        windowsAma.length > 0
    ) {
        problems.warn(
            "logs.streams",
            `has no Windows stream, so the component's rule collects nothing from ${windowsAma.join(", ")}: add "securityEvents" (with logs.workspaceSecuritySolution) or bring your own rule`,
        );
    }
    if (fleet.perMachine !== false) {
        for (const machine of planned) checkIdentity(problems, machine, fleet);
        for (const machine of planned) checkArcScopeAssociation(problems, machine, fleet);
    }

    return planned;
}

function checkAirGapped(problems: ProblemList, machines: NormalizedMachine[], fleet: FleetSettings): void {
    if (fleet.proxy !== undefined) problems.error("airGapped", "contradicts proxy: a proxy is a way out; remove one of them");
    if (machines.length > 0 || fleet.logs !== undefined) {
        problems.error("airGapped", "no agent can reach the cloud from an air-gapped machine; remove machines and logs");
    }
    // readPlan leaves agentlessScanning undefined on Plan 1, which has no such extension.
    if (fleet.plan.agentlessScanning !== true) {
        problems.error(
            "airGapped",
            'relies on agentless scanning, which needs Plan 2: set plan.subPlan to "P2" and leave agentless scanning on',
        );
        return;
    }
    // Agentless scanning reads disk snapshots of Azure VMs, AWS EC2 and GCP instances only
    // (defender-docs `concept-agentless-data-collection.md`): on-premises machines get nothing.
    problems.warn(
        "airGapped",
        "MDE integration is kept off, and air-gapped machines get agentless scanning only (vulnerabilities, software inventory, malware and secrets found on disk snapshots); no real-time protection or EDR. Agentless scanning covers Azure VMs, AWS EC2 and GCP instances only: on-premises and other Arc-enabled servers in this subscription get no protection from it",
    );
}

/**
 * AMA and Guest Configuration only where the VM's identity is known to be there or is made
 * there. AMA: "Managed identity must be enabled on Azure virtual machines", system- or
 * user-assigned, the latter named in `settings.authentication.managedIdentity` (azure-docs
 * azure-monitor/agents/azure-monitor-agent-requirements.md). Guest Configuration: a
 * system-assigned identity (azure-docs machine-configuration/overview/02-setup-prerequisites.md).
 * Microsoft's way to make one on VMs nobody declared: the built-in modify policies
 * 3cf2ab00-13f1-4d0c-8971-2ac904541a7e and 497dff13-db2a-4c0f-8603-28fa3b331ab6 (Azure/azure-policy
 * built-in-policies/policyDefinitions/Guest Configuration/AddSystemIdentityWhen{None,User}_Prerequisite.json).
 */
function checkIdentity(problems: ProblemList, machine: MachinePlan, fleet: FleetSettings): void {
    if (machine.kind !== "azureVm") return;
    const systemAssigned = machine.systemAssignedIdentity === true || fleet.addSystemAssignedIdentity === true;
    const fix =
        "set systemAssignedIdentity: true if the VM has one (identity type SystemAssigned), or builtInPolicies.addSystemAssignedIdentity: true to have Microsoft's built-in policy add it";
    const unknownOrOff = machine.systemAssignedIdentity === false ? "is false" : "is unset (the component cannot see the VM's identity)";
    if (machine.parts.guestConfiguration && !systemAssigned) {
        problems.error(
            `${machine.path}.systemAssignedIdentity`,
            `${unknownOrOff}, and Guest Configuration authenticates only with a system-assigned managed identity: ${fix}; or add guestConfiguration to exclude`,
        );
    }
    if (machine.parts.azureMonitorAgent && !systemAssigned && machine.userAssignedIdentityId === undefined) {
        problems.error(
            `${machine.path}.systemAssignedIdentity`,
            `${unknownOrOff}, and the Azure Monitor Agent installs but collects nothing without a managed identity: ${fix}; or give userAssignedIdentityId (a user-assigned identity attached to the VM); or add azureMonitorAgent to exclude`,
        );
    }
}

/** An Arc machine and the component's Arc Private Link Scope: what is possible, and what would cut it off. */
function checkArcScopeAssociation(problems: ProblemList, machine: MachinePlan, fleet: FleetSettings): void {
    if (machine.kind !== "arc") return;
    const path = `${machine.path}.arcPrivateLinkScope`;
    if (machine.arcPrivateLinkScope !== "none" && fleet.arcScope === undefined) {
        problems.error(
            path,
            `is "${machine.arcPrivateLinkScope}", but there is no privateLink.arc scope to be associated with: add privateLink.arc or remove it`,
        );
        return;
    }
    if (fleet.arcScope === undefined) return;
    if (machine.arcPrivateLinkScope === "associateByPolicy" && !fleet.arcScope.publicNetworkAccess) {
        // Once associated, a machine that still goes through the proxy reaches the public endpoint, which a scope without public access refuses.
        problems.error(
            path,
            'is "associateByPolicy", but the scope refuses public network access: between the association and its proxy bypass the machine could reach Arc neither way and be cut off. Set privateLink.arc.publicNetworkAccess: true while machines move, list them as "associated" once compliant, then turn public access off',
        );
    }
    if (machine.arcPrivateLinkScope === "none") {
        problems.warn(
            path,
            `${machine.key} is taken as not associated with the Arc Private Link Scope, so its Arc agent keeps ${fleet.proxy !== undefined ? "going through the proxy to the public Arc endpoints (which the proxy must allow), and any Arc bypass on it is cleared" : "using the public Arc endpoints"}. If it was onboarded with arcOnboardingCommands (--private-link-scope) it is associated: list it as "associated". Otherwise associate it ("associateByPolicy") and then list it as "associated"`,
        );
    }
    if (machine.arcPrivateLinkScope === "associateByPolicy") {
        problems.warn(
            path,
            `${machine.key} is being associated by policy; its Arc agent keeps using the proxy (public access stays on) until you list it as "associated" once the remediation has run`,
        );
    }
}
