/**
 * The verdict rules: from what Azure says about a machine to protected / not yet / broken, with
 * the reason and the next step. Pure functions over the plain data of `types.ts`.
 *
 * What counts as proof of protection: the Defender for Servers plan is on for the machine, its MDE
 * extension succeeded, AND something saw the sensor onboarded: Defender for Cloud's EDR assessment
 * (`06e3a6db-...`, Healthy) or the on-machine probe. "Extension Succeeded" alone is not proof: on
 * Windows a blocked proxy leaves the extension Succeeded and the machine never onboards.
 *
 * Sources:
 * - The EDR assessment covers Azure VMs and AWS/GCP machines found by agentless scanning (Defender for
 *   Servers Plan 2 or Defender CSPM), not on-premises Arc-enabled servers (defender-docs
 *   `defender-for-cloud/endpoint-detection-response.md`; `recommendations-reference-compute.md`). So a missing
 *   assessment on an Arc machine is reported as "not covered", never read as healthy or unhealthy.
 * - Assessment status codes `Healthy`, `Unhealthy`, `NotApplicable` (azure-rest-api-specs
 *   `Microsoft.Security/stable/2021-06-01/assessments.json`, `AssessmentStatusCode`).
 * - Arc agent status `Connected` / `Disconnected` / `Error` / `Expired` (azure-rest-api-specs `Microsoft.HybridCompute`
 *   `Machine.properties.status`). Anything but `Connected` is reported as broken with the status Azure gave.
 * - AMA heartbeats land in the workspace's `Heartbeat` table with `Category == "Azure Monitor Agent"`, once a
 *   minute (see `heartbeat.ts` for the sources).
 */
import { Finding, MachineFacts, MachineVerdict, VerdictState } from "./types";

/** What the rules need besides the facts. */
export interface VerdictOptions {
    /** Now, for heartbeat ages (injected so tests are exact). */
    now: Date;
    /** A heartbeat older than this counts as silent. */
    heartbeatMaxAgeMinutes: number;
}

/** A heartbeat every minute is the norm; 15 minutes tolerates a restart and ingestion delay. */
export const DEFAULT_HEARTBEAT_MAX_AGE_MINUTES = 15;

const PROBE_HINT = "run `defender-servers verify --probe` to read the sensor on the machine";

function planFinding(facts: MachineFacts): Finding {
    const p = facts.pricing;
    if (p === undefined) {
        return {
            check: "plan",
            state: "pending",
            detail: "no Defender for Servers pricing visible for this machine's subscription",
            nextStep: "grant the identity running verify Reader (or Security Reader) on the subscription, or enable Defender for Servers",
        };
    }
    const where = facts.pricingScope === "machine" ? "on this machine" : "on its subscription";
    if (p.pricingTier.toLowerCase() !== "standard") {
        return {
            check: "plan",
            state: "broken",
            detail: `Defender for Servers is off (${p.pricingTier || "no tier"}) ${where}`,
            nextStep:
                "turn on Defender for Servers (P1 or P2), e.g. the component's plan settings; a machine-level Free pricing overrides the subscription",
        };
    }
    return { check: "plan", state: "ok", detail: `Defender for Servers ${p.subPlan || "Standard"} ${where}` };
}

function arcFinding(facts: MachineFacts): Finding | undefined {
    const m = facts.machine;
    if (m.kind !== "arc") return undefined;
    const since = m.arcLastStatusChange === "" ? "" : ` since ${m.arcLastStatusChange}`;
    const agent = `Arc agent ${m.arcAgentVersion || "(version unknown)"}`;
    switch (m.arcStatus) {
        case "Connected":
            return { check: "arc", state: "ok", detail: `${agent} Connected` };
        case "Expired":
            return {
                check: "arc",
                state: "broken",
                detail: `${agent} Expired${since}: Azure no longer accepts its identity`,
                nextStep: "on the machine: `azcmagent disconnect --force-local-only`, then connect again",
            };
        case "":
            return {
                check: "arc",
                state: "pending",
                detail: `${agent}: Azure reports no status yet`,
                nextStep: "wait for the agent's first heartbeat",
            };
        default:
            return {
                check: "arc",
                state: "broken",
                detail: `${agent} ${m.arcStatus}${since}`,
                nextStep:
                    "on the machine: `azcmagent show`, then `azcmagent check` (does the proxy or private link let the agent through?)",
            };
    }
}

function powerFinding(facts: MachineFacts): Finding | undefined {
    const state = facts.machine.powerState;
    if (facts.machine.kind !== "vm" || state === "" || state === "PowerState/running") return undefined;
    return {
        check: "power",
        state: "pending",
        detail: `VM is ${state.replace("PowerState/", "")}: its agents cannot report`,
        nextStep: "start the VM, or leave it out of scope; verify again once it runs",
    };
}

function mdeFinding(facts: MachineFacts): Finding {
    const ext = facts.mde;
    if (ext === undefined) {
        return {
            check: "mde",
            state: "pending",
            detail: "no MDE extension yet",
            nextStep:
                "Defender deploys MDE.Windows / MDE.Linux within hours of the plan; VMs from generalized images need it deployed by you. If it is still missing after a day, check the MDE integration (WDATP) settings",
        };
    }
    const message = ext.message === "" ? "" : `: ${ext.message}`;
    const name = `${ext.extensionType} ${ext.version}`.trim();
    if (ext.provisioningState === "Succeeded") return { check: "mde", state: "ok", detail: `${name} Succeeded${message}` };
    if (ext.provisioningState === "Failed") {
        return {
            check: "mde",
            state: "broken",
            detail: `${name} Failed${message}`,
            nextStep:
                "read the message; on Linux a failed install is most often the proxy (apt/yum and the extension need HTTPS_PROXY). Fix it, then remove the extension so Defender redeploys it",
        };
    }
    return {
        check: "mde",
        state: "pending",
        detail: `${name} ${ext.provisioningState || "in an unknown state"}${message}`,
        nextStep: "wait for the extension to finish",
    };
}

function edrFinding(facts: MachineFacts): Finding {
    const a = facts.edr;
    const windowsExtensionOk = facts.mde?.provisioningState === "Succeeded" && facts.machine.os === "windows";
    if (a === undefined) {
        if (facts.machine.kind === "arc") {
            return {
                check: "edr",
                state: "pending",
                detail: "Defender's EDR assessment does not cover on-premises Arc-enabled servers, and there is none for this machine: onboarding is unproven",
                nextStep: `${PROBE_HINT}, or look the device up in the Defender portal's device inventory`,
            };
        }
        return {
            check: "edr",
            state: "pending",
            detail: "no EDR assessment yet (it needs Defender for Servers Plan 2 or Defender CSPM agentless scanning, and can take a day)",
            nextStep: PROBE_HINT,
        };
    }
    const why = [a.cause, a.description].filter((s) => s !== "").join(": ");
    if (a.status === "Healthy") return { check: "edr", state: "ok", detail: "Defender's EDR assessment: Healthy" };
    if (a.status === "Unhealthy") {
        return {
            check: "edr",
            state: "broken",
            detail: `Defender's EDR assessment: Unhealthy${why === "" ? "" : ` (${why})`}${
                windowsExtensionOk ? "; the MDE extension says Succeeded, the quiet failure of a blocked proxy" : ""
            }`,
            nextStep: `check the sensor's route through the proxy (WinHTTP proxy or TelemetryProxyServer on Windows, mdatp proxy on Linux); ${PROBE_HINT}`,
        };
    }
    return {
        check: "edr",
        state: "pending",
        detail: `Defender's EDR assessment: ${a.status || "no status"}${why === "" ? "" : ` (${why})`}`,
        nextStep: PROBE_HINT,
    };
}

function edrConfigurationFinding(facts: MachineFacts): Finding | undefined {
    const a = facts.edrConfiguration;
    if (a === undefined || a.status !== "Unhealthy") return undefined;
    const why = [a.cause, a.description].filter((s) => s !== "").join(": ");
    return {
        check: "edrConfiguration",
        state: "broken",
        detail: `Defender reports EDR configuration issues${why === "" ? "" : ` (${why})`}`,
        nextStep:
            "open the recommendation 'EDR configuration issues should be resolved on virtual machines' in Defender for Cloud (antivirus off, outdated signatures, old scans)",
    };
}

function probeFinding(facts: MachineFacts): Finding | undefined {
    const p = facts.probe;
    if (p === undefined) return undefined;
    if (!p.ran)
        return {
            check: "probe",
            state: "pending",
            detail: `the probe did not run: ${p.error ?? "no reason given"}`,
            nextStep: "run it again; Arc needs agent 1.33 or later for run commands",
        };
    const problems: string[] = [];
    if (p.mdeOnboarded === false) problems.push(`MDE not onboarded${p.mdeIssues?.length ? ` (${p.mdeIssues.join("; ")})` : ""}`);
    if (p.connectivityFailures?.length) problems.push(`mdatp connectivity test failed for ${p.connectivityFailures.join(", ")}`);
    if (p.arcCheckFailures?.length) problems.push(`azcmagent check cannot reach ${p.arcCheckFailures.join(", ")}`);
    if (problems.length > 0) {
        return {
            check: "probe",
            state: "broken",
            detail: `on the machine: ${problems.join("; ")}`,
            nextStep: "let the failing hosts through the proxy (defender-servers egress-audit shows which ones it denied)",
        };
    }
    if (p.arcCheckUnreadable !== undefined && p.mdeOnboarded === true) {
        return {
            check: "probe",
            state: "ok",
            detail: `on the machine: MDE onboarded${p.orgId ? ` to organization ${p.orgId}` : ""}; azcmagent check printed a table verify cannot read (see the JSON report)`,
        };
    }
    if (p.mdeOnboarded !== true)
        return {
            check: "probe",
            state: "pending",
            detail: "the probe could not tell whether MDE is onboarded",
            nextStep: "read the run command's output",
        };
    return { check: "probe", state: "ok", detail: `on the machine: MDE onboarded${p.orgId ? ` to organization ${p.orgId}` : ""}` };
}

function amaFinding(facts: MachineFacts, options: VerdictOptions): Finding | undefined {
    if (facts.heartbeat === undefined) return undefined;
    const ext = facts.ama;
    if (ext === undefined)
        return {
            check: "ama",
            state: "pending",
            detail: "no Azure Monitor Agent extension",
            nextStep: "deploy AMA (the component or Azure Policy) with its proxy settings",
        };
    const message = ext.message === "" ? "" : `: ${ext.message}`;
    if (ext.provisioningState === "Failed") {
        return {
            check: "ama",
            state: "broken",
            detail: `${ext.extensionType} Failed${message}`,
            nextStep: "read the message; check AMA's proxy settings and its managed identity",
        };
    }
    if (ext.provisioningState !== "Succeeded") {
        return {
            check: "ama",
            state: "pending",
            detail: `${ext.extensionType} ${ext.provisioningState}${message}`,
            nextStep: "wait for the extension to finish",
        };
    }
    const last = facts.heartbeat.last;
    if (last === undefined) {
        return {
            check: "ama",
            state: "broken",
            detail: `${ext.extensionType} Succeeded but no heartbeat reached the workspace: AMA installed and collects nothing`,
            nextStep:
                "check AMA's proxy settings (settings.proxy), its data collection rule association, and that the workspace's hosts are allowed",
        };
    }
    const ageMinutes = Math.floor((options.now.getTime() - Date.parse(last.lastHeartbeat)) / 60_000);
    if (!(ageMinutes <= options.heartbeatMaxAgeMinutes)) {
        return {
            check: "ama",
            state: "broken",
            detail: `AMA's last heartbeat was ${ageMinutes} minutes ago (${last.lastHeartbeat})`,
            nextStep: "check the agent service on the machine and its route to the workspace",
        };
    }
    return { check: "ama", state: "ok", detail: `AMA heartbeat ${ageMinutes} min ago` };
}

function guestConfigurationFinding(facts: MachineFacts): Finding {
    const rows = facts.guestConfiguration;
    if (rows.length === 0) return { check: "guestConfiguration", state: "info", detail: "no Guest Configuration assignments" };
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.complianceStatus || "unknown", (counts.get(r.complianceStatus || "unknown") ?? 0) + 1);
    const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(", ");
    return { check: "guestConfiguration", state: "info", detail: `Guest Configuration assignments: ${summary}` };
}

/**
 * Every finding on one machine. The probe, when it ran cleanly, stands in for a missing or stale EDR
 * assessment (it read the sensor itself), so the EDR finding then becomes `info`.
 */
export function findingsFor(facts: MachineFacts, options: VerdictOptions): Finding[] {
    const probe = probeFinding(facts);
    const edr = edrFinding(facts);
    const edrFinal = probe?.state === "ok" && edr.state !== "ok" ? { ...edr, state: "info" as const, nextStep: undefined } : edr;
    return [
        planFinding(facts),
        arcFinding(facts),
        powerFinding(facts),
        mdeFinding(facts),
        edrFinal,
        edrConfigurationFinding(facts),
        probe,
        amaFinding(facts, options),
        guestConfigurationFinding(facts),
    ].filter((f): f is Finding => f !== undefined);
}

/** The verdict on one machine: broken when any check is broken, else not yet when any is pending, else protected. */
export function verdictFor(facts: MachineFacts, options: VerdictOptions): MachineVerdict {
    const findings = findingsFor(facts, options);
    const broken = findings.find((f) => f.state === "broken");
    const pending = findings.find((f) => f.state === "pending");
    const decisive = broken ?? pending;
    const verdict: VerdictState = broken !== undefined ? "broken" : pending !== undefined ? "not yet" : "protected";
    if (decisive === undefined) {
        const proof = findings.find((f) => f.check === "probe" && f.state === "ok") ?? findings.find((f) => f.check === "edr");
        return { facts, verdict, reason: proof?.detail ?? "every check passed", findings };
    }
    return {
        facts,
        verdict,
        reason: decisive.detail,
        ...(decisive.nextStep !== undefined ? { nextStep: decisive.nextStep } : {}),
        findings,
    };
}

/** The exit code for a set of verdicts: 0 when all are protected (or, with `allowPending`, none is broken); 1 otherwise, and for an empty scope. */
export function exitCodeFor(verdicts: MachineVerdict[], allowPending: boolean): number {
    if (verdicts.length === 0) return 1;
    const ok = verdicts.every((v) => v.verdict === "protected" || (allowPending && v.verdict === "not yet"));
    return ok ? 0 : 1;
}
