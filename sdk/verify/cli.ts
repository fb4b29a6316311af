#!/usr/bin/env node
/**
 * `defender-servers <command>`: the day-2 commands.
 * - `verify`: is every machine in scope protected? (see `command.ts`)
 * - `egress-audit`: which required hosts did the proxy or firewall deny? (see `../egressAudit/command.ts`)
 */
import { runEgressAudit } from "../egressAudit/command";
import { Io, runVerify } from "./command";

const USAGE = [
    "usage: defender-servers <command> [options]",
    "  verify         per machine: is Defender for Servers really protecting it? (verify --help)",
    "  egress-audit   which hosts the agents need did the proxy or firewall deny? (egress-audit --help)",
].join("\n");

/** Exit code of a bug: the commands turn every expected failure into a message and their own exit code. */
export const EXIT_INTERNAL_ERROR = 70;

const PROCESS_IO: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/**
 * Runs `defender-servers` with `argv` (the words after the program name), writing to `io`; resolves
 * with the exit code, never rejects. The bin calls it with the process's arguments; specs call it in-process.
 */
export async function main(argv: string[], io: Io = PROCESS_IO): Promise<number> {
    try {
        const [command, ...rest] = argv;
        if (command === "verify") return await runVerify(rest, io);
        if (command === "egress-audit") return await runEgressAudit(rest, io);
        if (command === undefined || command === "--help" || command === "-h") {
            io.stdout(`${USAGE}\n`);
            return command === undefined ? 2 : 0;
        }
        io.stderr(`defender-servers: unknown command "${command}"\n${USAGE}\n`);
        return 2;
    } catch (error) {
        io.stderr(`defender-servers: internal error: ${(error as Error).stack ?? String(error)}\n`);
        return EXIT_INTERNAL_ERROR;
    }
}

// The exit code, not process.exit(): Node exits once stdout and stderr are flushed.
if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
