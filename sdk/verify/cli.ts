#!/usr/bin/env node
/**
 * `defender-servers <command>`: the day-2 commands.
 * - `verify`: is every machine in scope protected? (see `command.ts`)
 * - `egress-audit`: which required hosts did the proxy or firewall deny? (see `../egressAudit/command.ts`)
 */
import { runEgressAudit } from "../egressAudit/command";
import { runVerify } from "./command";

const USAGE = [
    "usage: defender-servers <command> [options]",
    "  verify         per machine: is Defender for Servers really protecting it? (verify --help)",
    "  egress-audit   which hosts the agents need did the proxy or firewall deny? (egress-audit --help)",
].join("\n");

async function main(argv: string[]): Promise<number> {
    const io = { stdout: (t: string) => process.stdout.write(t), stderr: (t: string) => process.stderr.write(t) };
    const [command, ...rest] = argv;
    if (command === "verify") return runVerify(rest, io);
    if (command === "egress-audit") return runEgressAudit(rest, io);
    if (command === undefined || command === "--help" || command === "-h") {
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
    }
    process.stderr.write(`defender-servers: unknown command "${command}"\n${USAGE}\n`);
    return 2;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        // Only a bug gets here: the commands turn every expected failure into a message and an exit code.
        process.stderr.write(`defender-servers: internal error: ${(error as Error).stack ?? String(error)}\n`);
        process.exitCode = 70;
    },
);
