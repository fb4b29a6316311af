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
    qualys: boolean;
    mdeEnabled: boolean;
    mdeIncludesLinux: boolean;
    airGapped: boolean;
    plan: NormalizedPlan;
}

function partsFor(machine: NormalizedMachine, fleet: FleetSettings): Record<MachinePart, boolean> {
    const wanted: Record<MachinePart, boolean> = {
        osProxy: fleet.proxy !== undefined,
        azureMonitorAgent: fleet.logs?.azureMonitorAgent === true,
        legacyAgent: fleet.logs?.legacyAgent !== undefined,
        // Arc machines carry Guest Configuration inside their agent.
        guestConfiguration: fleet.guestConfiguration && machine.kind === "azureVm",
        qualys: fleet.qualys,
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
        if (machine.parts.guestConfiguration && machine.systemAssignedIdentity === false) {
            problems.error(
                `${machine.path}.systemAssignedIdentity`,
                "is false, and Guest Configuration needs a system-assigned managed identity on the VM: turn it on (identity type SystemAssigned) or add guestConfiguration to exclude",
            );
        }
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

    for (const machine of planned) {
        // AMA signs in with the VM's managed identity; the component configures the system-assigned one.
        if (machine.parts.azureMonitorAgent && machine.kind === "azureVm" && machine.systemAssignedIdentity === false) {
            problems.error(
                `${machine.path}.systemAssignedIdentity`,
                "is false, and the Azure Monitor Agent authenticates with the VM's system-assigned managed identity: turn it on or add azureMonitorAgent to exclude",
            );
        }
    }

    if (fleet.qualys) {
        problems.warn(
            "qualys.enabled",
            "the built-in Qualys assessment was retired in 2024; Defender Vulnerability Management (plan.defenderVulnerabilityManagement) replaces it",
        );
        if (fleet.plan.defenderVulnerabilityManagement) {
            problems.error(
                "qualys.enabled",
                "conflicts with plan.defenderVulnerabilityManagement: a machine has one assessment provider; choose one",
            );
        }
    }
    return planned;
}

function checkAirGapped(problems: ProblemList, machines: NormalizedMachine[], fleet: FleetSettings): void {
    if (fleet.proxy !== undefined) problems.error("airGapped", "contradicts proxy: a proxy is a way out; remove one of them");
    if (machines.length > 0 || fleet.logs !== undefined || fleet.qualys) {
        problems.error("airGapped", "no agent can reach the cloud from an air-gapped machine; remove machines, logs and qualys");
    }
    if (fleet.plan.subPlan !== "P2" || fleet.plan.agentlessScanning !== true) {
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
