/**
 * What an Arc machine must be for the component's steps to work on it, checked against what
 * Azure reports of the machine (`Microsoft.HybridCompute/machines`: `agentVersion`, `osType`,
 * `agentConfiguration`) before anything is declared on it. Pure: the read is `resources/arcPreflight.ts`.
 *
 * Sources (MicrosoftDocs/azure-management-docs, `articles/azure-arc/servers/`):
 * - `run-command.md` (02/24/2026): "Run command on Azure Arc-enabled servers (preview)", "built in to the
 *   Connected Machine agent (starting with version 1.33)"; blocked locally by listing
 *   `microsoft.cplat.core/runcommandhandlerwindows` / `runcommandhandlerlinux` in a block list, or by an
 *   allow list without them.
 * - `security-extensions.md` (07/28/2025): allow lists ("only the specific extensions you include in the list
 *   can be installed"), block lists, `extensions.enabled false`, and monitor mode ("The agent blocks any
 *   extensions that could change the system configuration or run arbitrary scripts"; monitoring and
 *   security extensions such as the Azure Monitor Agent and Defender for Cloud stay allowed).
 * - `agent-release-notes.md` (03/24/2026, versions to 1.67 of August 2026) and `agent-release-notes-archive.md`:
 *   "Only Connected Machine agent versions released within the last year are officially supported"; the
 *   release month of each version below.
 * Shapes: Azure/bicep-types-az `generated/hybridcompute/microsoft.hybridcompute/2026-07-15/types.md`
 * (`AgentConfiguration`: `configMode` `full`|`monitor`, `extensionsAllowList`, `extensionsBlockList`,
 * `extensionsEnabled`), the same fields azure-native 3.28.0's `hybridcompute.getMachine` (API 2024-07-10) returns.
 */

/** The first Connected Machine agent with run commands built in. */
export const RUN_COMMAND_MINIMUM_AGENT = "1.33";

/** Release month (`YYYY-MM`) of each Connected Machine agent from 1.33 on, as the release notes head them. */
export const ARC_AGENT_RELEASES: Readonly<Record<string, string>> = {
    "1.33": "2023-08",
    "1.34": "2023-09",
    "1.35": "2023-10",
    "1.36": "2023-11",
    "1.37": "2023-12",
    "1.38": "2024-02",
    "1.39": "2024-03",
    "1.40": "2024-04",
    "1.41": "2024-05",
    "1.42": "2024-05",
    "1.43": "2024-06",
    "1.44": "2024-07",
    "1.45": "2024-08",
    "1.46": "2024-09",
    "1.47": "2024-10",
    "1.48": "2025-01",
    "1.49": "2025-02",
    "1.50": "2025-03",
    "1.51": "2025-04",
    "1.52": "2025-05",
    "1.53": "2025-06",
    "1.54": "2025-07",
    "1.55": "2025-08",
    "1.56": "2025-09",
    "1.57": "2025-10",
    "1.58": "2025-11",
    "1.59": "2025-12",
    "1.60": "2026-01",
    "1.61": "2026-02",
    "1.62": "2026-03",
    "1.63": "2026-04",
    "1.64": "2026-05",
    "1.65": "2026-06",
    "1.66": "2026-07",
    "1.67": "2026-08",
};

/** An extension as the agent's lists name it: `publisher/type`. */
export interface ExtensionName {
    publisher: string;
    type: string;
}

/** What Azure reports of an Arc machine: the fields the preflight reads (all optional: an answer may lack any). */
export interface ArcMachineView {
    agentVersion?: string;
    osType?: string;
    agentConfiguration?: {
        configMode?: string;
        extensionsEnabled?: string;
        extensionsAllowList?: ExtensionName[];
        extensionsBlockList?: ExtensionName[];
    };
}

/** What the component will do on the machine. */
export interface ArcMachineNeeds {
    key: string;
    os: "linux" | "windows";
    /** The component declares run commands on it (OS proxy, Arc agent proxy). */
    runCommands: boolean;
    /** Extensions that will be installed on it (by the component, or by Defender for MDE). */
    extensions: ExtensionName[];
}

/** The run command handler the agent's lists name for an operating system. */
export function runCommandHandler(os: "linux" | "windows"): ExtensionName {
    return { publisher: "Microsoft.CPlat.Core", type: os === "windows" ? "RunCommandHandlerWindows" : "RunCommandHandlerLinux" };
}

/** Extensions monitor mode keeps allowed, as far as Microsoft names them ("Azure Monitor Agent and Microsoft Defender for Cloud"). */
const MONITOR_MODE_PUBLISHERS = ["microsoft.azure.monitor", "microsoft.azure.azuredefenderforservers"];

const same = (a: ExtensionName, b: ExtensionName) =>
    a.publisher.toLowerCase() === b.publisher.toLowerCase() && a.type.toLowerCase() === b.type.toLowerCase();

/** Why the agent will refuse to install `extension`, or undefined when nothing it reports says so. */
export function extensionRefusal(view: ArcMachineView, extension: ExtensionName): string | undefined {
    const config = view.agentConfiguration;
    if (config === undefined) return undefined;
    const name = `${extension.publisher}/${extension.type}`;
    if (String(config.extensionsEnabled).toLowerCase() === "false")
        return `its extension manager is off (extensions.enabled false), so ${name} cannot run`;
    if (String(config.configMode).toLowerCase() === "monitor" && !MONITOR_MODE_PUBLISHERS.includes(extension.publisher.toLowerCase())) {
        return `its agent is in monitor mode, which blocks ${name} (monitor mode blocks extensions that change the system or run scripts)`;
    }
    if ((config.extensionsBlockList ?? []).some((e) => same(e, extension))) return `its extension block list holds ${name}`;
    const allow = config.extensionsAllowList ?? [];
    if (allow.length > 0 && !allow.some((e) => same(e, extension))) return `its extension allow list does not hold ${name}`;
    return undefined;
}

/** `1.67.03504.3207` -> [1, 67]; undefined when not a version. */
function majorMinor(version: string): [number, number] | undefined {
    const match = /^(\d+)\.(\d+)/.exec(version.trim());
    return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

/** Whether `version` is older than `minimum` (both `major.minor[...]`). */
export function olderThan(version: string, minimum: string): boolean {
    const a = majorMinor(version);
    const b = majorMinor(minimum)!;
    return a !== undefined && (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]));
}

/** Months between a `YYYY-MM` release and `now`. */
function monthsSince(release: string, now: Date): number {
    const [year, month] = release.split("-").map(Number);
    return (now.getUTCFullYear() - year) * 12 + (now.getUTCMonth() + 1 - month);
}

/**
 * Every reason the component's steps cannot work on this machine, as the user should read them.
 * Only what the answer shows is judged: a field Azure did not report is not held against the machine.
 */
export function arcPreflightProblems(view: ArcMachineView, needs: ArcMachineNeeds, now: Date): string[] {
    const problems: string[] = [];
    const version = view.agentVersion;
    // An empty or unparsable version is neither older than the minimum nor in the release table.
    if (typeof version === "string") {
        const parsed = majorMinor(version);
        const release = parsed === undefined ? undefined : ARC_AGENT_RELEASES[parsed.join(".")];
        if (olderThan(version, RUN_COMMAND_MINIMUM_AGENT)) {
            problems.push(
                `its Connected Machine agent is ${version}, older than a year and so out of support${needs.runCommands ? `; run commands (preview) are built into the agent only from ${RUN_COMMAND_MINIMUM_AGENT} on, and the component sets the proxy with them` : ""}. Upgrade the agent (azure-management-docs manage-agent.md), then run again`,
            );
        } else if (release !== undefined && monthsSince(release, now) > 12) {
            problems.push(
                `its Connected Machine agent is ${version}, released ${release}: Microsoft supports only agent versions released within the last year. Upgrade the agent or turn on automatic agent upgrade, then run again`,
            );
        }
    }
    const osType = view.osType?.toLowerCase();
    if (osType !== undefined && osType !== "" && osType !== needs.os) {
        problems.push(
            `Azure reports a ${osType} machine, but it is listed with os: ${needs.os}; the ${needs.os} scripts would fail there: fix machines[].os`,
        );
    }
    if (needs.runCommands) {
        const refusal = extensionRefusal(view, runCommandHandler(needs.os));
        if (refusal !== undefined) {
            problems.push(
                `${refusal}: the run commands that set its proxy would fail. Allow the run command handler on the machine (azcmagent config set extensions.allowlist, or remove it from the block list, or config.mode full), or exclude osProxy and set the proxy yourself`,
            );
        }
    }
    for (const extension of needs.extensions) {
        const refusal = extensionRefusal(view, extension);
        if (refusal !== undefined)
            problems.push(`${refusal}: allow it on the machine (azcmagent config set extensions.allowlist) or exclude that part`);
    }
    return problems.map((problem) => `${needs.key}: ${problem}`);
}
