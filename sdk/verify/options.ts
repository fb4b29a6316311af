/**
 * `defender-servers verify`'s command line, and the machine lists it can read (a file of ids or
 * names, or `pulumi stack output --json`). Pure: every bad input becomes a `UsageError` naming the
 * option and the fix, before anything talks to Azure.
 */
import { DEFAULT_HEARTBEAT_MAX_AGE_MINUTES } from "./verdict";

/** A mistake on the command line or in an input file (exit code 2). */
export class UsageError extends Error {}

/** What `verify` was asked to do. */
export interface VerifyOptions {
    subscriptions: string[];
    managementGroups: string[];
    /** Files of machine ids or names, one a line. */
    machineFiles: string[];
    /** Machine ids or names given on the command line. */
    machines: string[];
    /** `pulumi stack output --json` files: every machine ARM id in them is selected. */
    stackOutputs: string[];
    /** Log Analytics workspace ids (GUIDs); AMA is checked only when at least one is given. */
    workspaces: string[];
    format: "table" | "json" | "markdown";
    allowPending: boolean;
    probe: boolean;
    heartbeatMaxAgeMinutes: number;
    pageSize: number;
    armEndpoint?: string;
    logsEndpoint?: string;
    authorityHost?: string;
    disableInstanceDiscovery: boolean;
}

export const VERIFY_USAGE = [
    "usage: defender-servers verify (--subscription ID ... | --management-group NAME ...) [options]",
    "  --machine ID|NAME        only this machine (repeatable)",
    "  --machines FILE          only the machines listed in FILE (ARM ids or names, one a line)",
    "  --stack-outputs FILE     only the machines whose ARM ids appear in `pulumi stack output --json`",
    "  --workspace GUID         also check Azure Monitor Agent heartbeats in this Log Analytics workspace (repeatable)",
    "  --probe                  run a read-only command on each machine (mdatp health / Sense / azcmagent check);",
    "                           it creates run commands, so it is off by default",
    "  --json | --markdown      output format (default: a table)",
    "  --allow-pending          exit 0 when no machine is broken, even if some are not yet protected",
    `  --heartbeat-max-age MIN  a heartbeat older than this is silent (default ${DEFAULT_HEARTBEAT_MAX_AGE_MINUTES})`,
    "  --page-size N            Resource Graph rows per page, 1-1000 (default 1000)",
    "  --arm-endpoint URL, --logs-endpoint URL, --authority-host URL, --disable-instance-discovery",
    "                           for sovereign and private clouds",
    "exit codes: 0 every machine protected; 1 some machine not protected (or none in scope); 2 bad usage;",
    "            3 could not sign in to Azure; 4 Azure refused or failed a request",
].join("\n");

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function needValue(argv: string[], i: number, option: string, what: string): string {
    const value = argv[i];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${option} needs ${what}\n${VERIFY_USAGE}`);
    return value;
}

function httpsUrl(value: string, option: string): string {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw new UsageError(`${option}: "${value}" is not a URL; give https://host[:port][/path]`);
    }
    if (url.protocol !== "https:") throw new UsageError(`${option}: "${value}" must use https (Azure's SDK sends tokens over TLS only)`);
    return value.replace(/\/+$/, "");
}

function positiveInt(value: string, option: string, max: number): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${option}: "${value}" must be a whole number from 1 to ${max}`);
    return n;
}

/** Parses `verify`'s arguments (after the word `verify`). */
export function parseVerifyArgs(argv: string[]): VerifyOptions {
    const o: VerifyOptions = {
        subscriptions: [],
        managementGroups: [],
        machineFiles: [],
        machines: [],
        stackOutputs: [],
        workspaces: [],
        format: "table",
        allowPending: false,
        probe: false,
        heartbeatMaxAgeMinutes: DEFAULT_HEARTBEAT_MAX_AGE_MINUTES,
        pageSize: 1000,
        disableInstanceDiscovery: false,
    };
    const setFormat = (format: VerifyOptions["format"]) => {
        if (o.format !== "table" && o.format !== format) throw new UsageError(`choose one of --json and --markdown\n${VERIFY_USAGE}`);
        o.format = format;
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        switch (arg) {
            case "--subscription": {
                const id = needValue(argv, ++i, arg, "a subscription id");
                if (!GUID.test(id)) throw new UsageError(`--subscription: "${id}" is not a subscription id (a GUID)`);
                o.subscriptions.push(id.toLowerCase());
                break;
            }
            case "--management-group":
                o.managementGroups.push(needValue(argv, ++i, arg, "a management group name (its id, not its display name)"));
                break;
            case "--machine":
                o.machines.push(needValue(argv, ++i, arg, "a machine's ARM id or name"));
                break;
            case "--machines":
                o.machineFiles.push(needValue(argv, ++i, arg, "a file of machine ids or names"));
                break;
            case "--stack-outputs":
                o.stackOutputs.push(needValue(argv, ++i, arg, "the file `pulumi stack output --json` wrote"));
                break;
            case "--workspace": {
                const id = needValue(argv, ++i, arg, "a Log Analytics workspace id (GUID)");
                if (!GUID.test(id))
                    throw new UsageError(
                        `--workspace: "${id}" is not a workspace id; give the workspace's customerId GUID, not its ARM id`,
                    );
                o.workspaces.push(id.toLowerCase());
                break;
            }
            case "--json":
                setFormat("json");
                break;
            case "--markdown":
                setFormat("markdown");
                break;
            case "--allow-pending":
                o.allowPending = true;
                break;
            case "--probe":
                o.probe = true;
                break;
            case "--heartbeat-max-age":
                o.heartbeatMaxAgeMinutes = positiveInt(needValue(argv, ++i, arg, "minutes"), arg, 24 * 60);
                break;
            case "--page-size":
                o.pageSize = positiveInt(needValue(argv, ++i, arg, "a row count"), arg, 1000);
                break;
            case "--arm-endpoint":
                o.armEndpoint = httpsUrl(needValue(argv, ++i, arg, "a URL"), arg);
                break;
            case "--logs-endpoint":
                o.logsEndpoint = httpsUrl(needValue(argv, ++i, arg, "a URL"), arg);
                break;
            case "--authority-host":
                o.authorityHost = httpsUrl(needValue(argv, ++i, arg, "a URL"), arg);
                break;
            case "--disable-instance-discovery":
                o.disableInstanceDiscovery = true;
                break;
            default:
                throw new UsageError(`unknown argument ${arg}\n${VERIFY_USAGE}`);
        }
    }
    if (o.subscriptions.length === 0 && o.managementGroups.length === 0) {
        throw new UsageError(`give the scope: --subscription ID or --management-group NAME\n${VERIFY_USAGE}`);
    }
    if (o.subscriptions.length > 0 && o.managementGroups.length > 0) {
        throw new UsageError(
            "give either --subscription or --management-group, not both (a management group already covers its subscriptions)",
        );
    }
    return o;
}

/** The machine ids or names in a list file: one a line, `#` starts a comment. */
export function machinesFromList(text: string): string[] {
    return text
        .split(/\r?\n/)
        .map((l) => l.replace(/#.*/, "").trim())
        .filter((l) => l !== "");
}

const MACHINE_ID =
    /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/(microsoft\.compute\/virtualmachines|microsoft\.hybridcompute\/machines)\/[^/]+$/i;

/**
 * Every VM or Arc machine ARM id anywhere in `pulumi stack output --json` (strings, arrays and objects
 * at any depth). Throws when the file is not JSON, or holds none: the stack does not export its machines.
 */
export function machinesFromStackOutputs(text: string, file: string): string[] {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (error) {
        throw new UsageError(
            `--stack-outputs ${file}: not JSON (${(error as Error).message}); write it with \`pulumi stack output --json > ${file}\``,
        );
    }
    const ids = new Set<string>();
    const walk = (value: unknown): void => {
        if (typeof value === "string") {
            if (MACHINE_ID.test(value)) ids.add(value.toLowerCase());
        } else if (Array.isArray(value)) value.forEach(walk);
        else if (value !== null && typeof value === "object") Object.values(value).forEach(walk);
    };
    walk(json);
    if (ids.size === 0) {
        throw new UsageError(
            `--stack-outputs ${file}: no VM or Arc machine ARM id in it; export the machines' ids from the stack, or use --machines`,
        );
    }
    return [...ids];
}
