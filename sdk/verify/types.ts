/**
 * The plain data `defender-servers verify` works on: what Azure says about each machine (read by
 * the thin SDK layer in `azure.ts`), and what the verdict rules in `verdict.ts` make of it.
 * Nothing here knows about HTTP or the SDK, so every rule is tested on literal objects.
 */

/** An Azure VM or an Azure Arc-enabled server, as the machines query projects it. */
export interface MachineRow {
    /** ARM id, lower case (Resource Graph ids differ in case between tables). */
    id: string;
    /** The resource name. */
    name: string;
    /** `vm` for `Microsoft.Compute/virtualMachines`, `arc` for `Microsoft.HybridCompute/machines`. */
    kind: "vm" | "arc";
    /** The subscription GUID, lower case. */
    subscriptionId: string;
    /** The ARM region, e.g. `westeurope` (an Arc run command is created there). */
    location: string;
    /** `windows`, `linux`, or `""` when Azure does not say. */
    os: string;
    /** VM only: `PowerState/running`, `PowerState/deallocated`, ...; `""` when unknown or Arc. */
    powerState: string;
    /** Arc only: `Connected`, `Disconnected`, `Error`, `Expired`; `""` for a VM. */
    arcStatus: string;
    /** Arc only: the Connected Machine agent's version, `""` for a VM. */
    arcAgentVersion: string;
    /** Arc only: when `arcStatus` last changed (ISO 8601), `""` when unknown. */
    arcLastStatusChange: string;
}

/** An MDE or Azure Monitor Agent extension on a machine. */
export interface ExtensionRow {
    /** The machine's ARM id, lower case. */
    machineId: string;
    /** The extension resource's name (Defender names it after its type, but a user may not). */
    name: string;
    /** The extension's type: `MDE.Windows`, `MDE.Linux`, `AzureMonitorWindowsAgent`, `AzureMonitorLinuxAgent`. */
    extensionType: string;
    /** `Succeeded`, `Failed`, `Creating`, `Updating`, `Deleting`, ... */
    provisioningState: string;
    /** The extension's status message: the Arc instance view from Resource Graph, or a VM's instance view read for VMs in trouble; `""` otherwise. */
    message: string;
    /** typeHandlerVersion. */
    version: string;
}

/** A `VirtualMachines` Defender pricing, at subscription or machine scope. */
export interface PricingRow {
    /** The pricing's ARM id, lower case: `/subscriptions/<id>/providers/microsoft.security/pricings/virtualmachines`, or under a machine's id. */
    id: string;
    /** The subscription GUID, lower case. */
    subscriptionId: string;
    /** `Standard` (on) or `Free` (off). */
    pricingTier: string;
    /** `P1`, `P2`, or `""`. */
    subPlan: string;
}

/** One of Defender for Cloud's agentless EDR assessments of one machine. */
export interface AssessmentRow {
    /** The assessed machine's ARM id, lower case. */
    machineId: string;
    /** `edrInstalled` ("EDR solution should be installed ..."), `edrConfiguration` ("EDR configuration issues should be resolved ..."). */
    recommendation: "edrInstalled" | "edrConfiguration" | "other";
    /** `Healthy`, `Unhealthy`, `NotApplicable`. */
    status: string;
    /** Why, when Defender says (`properties.status.cause`). */
    cause: string;
    /** Defender's description of the status. */
    description: string;
}

/** One Guest Configuration (machine configuration) assignment on a machine. */
export interface GuestConfigurationRow {
    /** The machine's ARM id, lower case. */
    machineId: string;
    /** The assignment's name. */
    name: string;
    /** `Compliant`, `NonCompliant`, `Pending`. */
    complianceStatus: string;
    /** When it was last checked (ISO 8601), `""` when never. */
    lastChecked: string;
}

/** The newest Azure Monitor Agent heartbeat a workspace holds for a machine. */
export interface HeartbeatRow {
    /** The machine's ARM id, lower case (`_ResourceId`). */
    machineId: string;
    /** ISO 8601 time of the newest heartbeat. */
    lastHeartbeat: string;
}

/** What the on-machine probe read (see `probe.ts`). */
export interface ProbeResult {
    /** True when the run command ran and its output could be read. */
    ran: boolean;
    /** Why it did not run, or what failed reading it. */
    error?: string;
    /** Linux: `mdatp health` says healthy. Windows: `OnboardingState` is 1 and the Sense service runs. */
    mdeOnboarded?: boolean;
    /** Linux: the MDE organization id the sensor reports. */
    orgId?: string;
    /** What the sensor says is wrong (Linux `health_issues`, or the Windows service state). */
    mdeIssues?: string[];
    /** `mdatp connectivity test`: the URLs that failed (Linux). */
    connectivityFailures?: string[];
    /** Arc: what `azcmagent check` reported as unreachable. */
    arcCheckFailures?: string[];
    /** Arc: `azcmagent check`'s output when its table has no `reachable` column to read (first 2000 characters). */
    arcCheckUnreadable?: string;
}

/** Everything read about one machine. */
export interface MachineFacts {
    machine: MachineRow;
    /** The Defender pricing in effect: the machine's own, else its subscription's; undefined when none is visible. */
    pricing?: PricingRow;
    /** Where `pricing` came from. */
    pricingScope?: "machine" | "subscription";
    mde?: ExtensionRow;
    ama?: ExtensionRow;
    edr?: AssessmentRow;
    /** Defender's "EDR configuration issues" assessment, when it has one for this machine. */
    edrConfiguration?: AssessmentRow;
    guestConfiguration: GuestConfigurationRow[];
    /** Undefined when no workspace was given (AMA is then not checked). */
    heartbeat?: { checked: true; last?: HeartbeatRow };
    /** Undefined unless `--probe`. */
    probe?: ProbeResult;
}

/** How one check came out. `info` never changes the verdict. */
export type FindingState = "ok" | "pending" | "broken" | "info";

/** The outcome of one check on one machine. */
export interface Finding {
    /** `plan`, `arc`, `power`, `mde`, `edr`, `probe`, `ama`, `guestConfiguration`. */
    check: string;
    state: FindingState;
    /** What was seen, in a sentence. */
    detail: string;
    /** What to do about it; absent when nothing is to be done. */
    nextStep?: string;
}

/** `protected`, `not yet` (still rolling out, or not provable yet) or `broken` (will not fix itself). */
export type VerdictState = "protected" | "not yet" | "broken";

/** The verdict on one machine. */
export interface MachineVerdict {
    facts: MachineFacts;
    verdict: VerdictState;
    /** The first broken finding, else the first pending one, else why it counts as protected. */
    reason: string;
    /** What to do next; absent when protected. */
    nextStep?: string;
    findings: Finding[];
}
