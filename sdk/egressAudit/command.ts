/**
 * `defender-servers egress-audit <log> --preview <preview.json> [--json]`: which hosts the agents need
 * did the proxy or firewall deny? Exit 1 when one was; 2 on bad usage or unreadable input.
 */
import * as fs from "node:fs";
import { auditEgress, EgressAuditReport, egressAuditExitCode } from "./audit";
import { contractFromPreview } from "./contract";
import { parseEgressLog } from "./logs";

/** Where the command writes. */
export interface Io {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

export const EGRESS_AUDIT_USAGE = [
    "usage: defender-servers egress-audit <log> --preview <file> [--json]",
    "  <log>            a Squid access.log (native format), or Azure Firewall's AZFWApplicationRule table exported as JSON",
    "  --preview FILE   the report `defender-servers-preview --json` wrote for the same program: its egress list is the contract",
    "  --json           the audit as JSON",
    "exit codes: 0 no required host denied; 1 a required host was denied; 2 bad usage or unreadable input",
].join("\n");

function renderText(report: EgressAuditReport): string {
    const lines: string[] = [];
    lines.push(
        `${report.requests} requests read from the ${report.logKind === "squid" ? "Squid access log" : "Azure Firewall log"}${report.skipped > 0 ? ` (${report.skipped} lines skipped)` : ""}`,
    );
    lines.push("", `Required hosts DENIED: ${report.deniedRequired.length}`);
    for (const d of report.deniedRequired) {
        const names = d.hosts.join(", ");
        lines.push(
            `  ${d.entry.host}:${d.entry.port}  needed by ${d.entry.agents.join(", ")} (${d.entry.when})  denied ${d.denied}x${names !== d.entry.host ? ` as ${names}` : ""}`,
        );
        if (d.entry.why !== "") lines.push(`      ${d.entry.why}`);
    }
    lines.push("", `Allowed hosts never used: ${report.neverUsed.length}`);
    for (const e of report.neverUsed) lines.push(`  ${e.host}:${e.port}  (${e.agents.join(", ")}; ${e.when})`);
    lines.push("", `Hosts seen but absent from the contract: ${report.outsideContract.length}`);
    for (const u of report.outsideContract)
        lines.push(`  ${u.host}:${u.port}  allowed ${u.allowed}, denied ${u.denied}${u.note ? `  (${u.note})` : ""}`);
    if (report.shouldBypass.length > 0) {
        lines.push("", `Private Link or platform hosts sent to the proxy (they should bypass it): ${report.shouldBypass.length}`);
        for (const b of report.shouldBypass) lines.push(`  ${b.entry.host}:${b.entry.port}  ${b.requests} requests (${b.entry.route})`);
    }
    return `${lines.join("\n")}\n`;
}

function readInput(file: string, what: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(`${what} ${file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`);
    }
}

/** Runs `egress-audit` with `argv` (the words after `egress-audit`) and returns the exit code. */
export function runEgressAudit(argv: string[], io: Io): number {
    let log: string | undefined;
    let preview: string | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--preview") preview = argv[++i];
        else if (arg === "--json") json = true;
        else if (arg === "--help" || arg === "-h") {
            io.stdout(`${EGRESS_AUDIT_USAGE}\n`);
            return 0;
        } else if (arg.startsWith("-")) {
            io.stderr(`egress-audit: unknown option ${arg}\n${EGRESS_AUDIT_USAGE}\n`);
            return 2;
        } else if (log === undefined) log = arg;
        else {
            io.stderr(`egress-audit: one log at a time (got ${log} and ${arg})\n`);
            return 2;
        }
    }
    if (log === undefined || preview === undefined || preview.startsWith("-")) {
        io.stderr(`egress-audit: give the log and --preview FILE\n${EGRESS_AUDIT_USAGE}\n`);
        return 2;
    }
    try {
        const contract = contractFromPreview(readInput(preview, "--preview"), preview);
        const parsed = parseEgressLog(readInput(log, "log"));
        const report = auditEgress(contract, parsed.requests, parsed.kind, parsed.skipped);
        io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
        return egressAuditExitCode(report);
    } catch (error) {
        io.stderr(`egress-audit: ${(error as Error).message}\n`);
        return 2;
    }
}
