/**
 * What an Arc machine must be for the component's steps to work (sdk/plan/arcPreflight.ts), judged
 * from what Azure reports of it. Sources (MicrosoftDocs/azure-management-docs `articles/azure-arc/servers/`):
 * - `run-command.md` (02/23/2026): run commands are "built in to the Connected Machine agent (starting
 *   with version 1.33)";
 * - `security-extensions.md`: allow lists ("only the specific extensions you include in the list can be
 *   installed"), block lists, `extensions.enabled false`, and monitor mode, which keeps monitoring and
 *   security extensions (Azure Monitor Agent, Defender for Cloud) and blocks the rest; the run command
 *   handler is listed as `microsoft.cplat.core/runcommandhandlerwindows|linux`;
 * - `agent-release-notes.md`: only agent versions released within the last year are supported; the
 *   release month of each version is its heading there and in `agent-release-notes-archive.md`
 *   ("## Version 1.67 - August 2026"; both files at commit d923d588901082fa2107de6b2a82d7d05cd95160, 20 August 2026).
 */
import { strict as assert } from "node:assert";
import {
    ARC_AGENT_RELEASES,
    ArcMachineNeeds,
    ArcMachineView,
    RUN_COMMAND_MINIMUM_AGENT,
    arcPreflightProblems,
    extensionRefusal,
    olderThan,
    runCommandHandler,
} from "../../sdk/plan/arcPreflight";

const NOW = new Date(Date.UTC(2026, 11, 6)); // 6 December 2026
const AMA = { publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorLinuxAgent" };
const MDE = { publisher: "Microsoft.Azure.AzureDefenderForServers", type: "MDE.Linux" };
const CUSTOM = { publisher: "Contoso.Tools", type: "Inventory" };
const NEEDS: ArcMachineNeeds = { key: "arc-01", os: "linux", runCommands: true, extensions: [] };
const CURRENT = "1.66.03100.1234"; // July 2026: within the year

describe("Arc preflight (sdk/plan/arcPreflight.ts)", () => {
    it("names the run command handler as the agent's lists do", () => {
        assert.equal(RUN_COMMAND_MINIMUM_AGENT, "1.33");
        assert.deepEqual(runCommandHandler("windows"), { publisher: "Microsoft.CPlat.Core", type: "RunCommandHandlerWindows" });
        assert.deepEqual(runCommandHandler("linux"), { publisher: "Microsoft.CPlat.Core", type: "RunCommandHandlerLinux" });
    });

    it("knows the release month of each agent from 1.33 on, as Microsoft's release notes head them", () => {
        // The headings of agent-release-notes.md and its archive, newest first.
        const headings = [
            "1.67 - August 2026",
            "1.66 - July 2026",
            "1.65 - June 2026",
            "1.64 - May 2026",
            "1.63 - April 2026",
            "1.62 - March 2026",
            "1.61 - February 2026",
            "1.60 - January 2026",
            "1.59 - December 2025",
            "1.58 - November 2025",
            "1.57 - October 2025",
            "1.56 - September 2025",
            "1.55 - August 2025",
            "1.54 - July 2025",
            "1.53 - June 2025",
            "1.52 - May 2025",
            "1.51 - April 2025",
            "1.50 - March 2025",
            "1.49 - February 2025",
            "1.48 - January 2025",
            "1.47 - October 2024",
            "1.46 - September 2024",
            "1.45 - August 2024",
            "1.44 - July 2024",
            "1.43 - June 2024",
            "1.42 - May 2024",
            "1.41 - May 2024",
            "1.40 - April 2024",
            "1.39 - March 2024",
            "1.38 - February 2024",
            "1.37 - December 2023",
            "1.36 - November 2023",
            "1.35 - October 2023",
            "1.34 - September 2023",
            "1.33 - August 2023",
        ];
        const MONTHS = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const expected = Object.fromEntries(
            headings.map((heading) => {
                const [version, month, year] = heading.split(/ - | /);
                return [version, `${year}-${String(MONTHS.indexOf(month) + 1).padStart(2, "0")}`];
            }),
        );
        assert.deepEqual({ ...ARC_AGENT_RELEASES }, expected);
    });

    it("compares agent versions by major and minor", () => {
        const cases: Array<[string, string, boolean]> = [
            ["1.32.02759.1206", "1.33", true],
            ["1.4", "1.33", true],
            ["0.99", "1.33", true],
            ["1.33", "1.33", false],
            ["1.33.0", "1.33", false],
            ["1.34", "1.33", false],
            ["2.0", "1.33", false],
            [" 1.20 ", "1.33", true],
            ["unknown", "1.33", false],
            ["v1.20", "1.33", false],
            ["10.0", "11.0", true],
            ["11.0", "10.0", false],
            ["", "1.33", false],
        ];
        for (const [version, minimum, older] of cases) assert.equal(olderThan(version, minimum), older, `${version} < ${minimum}`);
    });

    it("reads why the agent refuses an extension: manager off, monitor mode, block list, allow list (names compared in any case)", () => {
        const handler = runCommandHandler("linux");
        const cases: Array<[ArcMachineView, { publisher: string; type: string }, string | undefined]> = [
            [{}, handler, undefined],
            [{ agentConfiguration: {} }, handler, undefined],
            [
                { agentConfiguration: { extensionsEnabled: "False" } },
                AMA,
                "its extension manager is off (extensions.enabled false), so Microsoft.Azure.Monitor/AzureMonitorLinuxAgent cannot run",
            ],
            [{ agentConfiguration: { extensionsEnabled: "true" } }, AMA, undefined],
            [
                { agentConfiguration: { configMode: "Monitor" } },
                handler,
                "its agent is in monitor mode, which blocks Microsoft.CPlat.Core/RunCommandHandlerLinux (monitor mode blocks extensions that change the system or run scripts)",
            ],
            [{ agentConfiguration: { configMode: "monitor" } }, AMA, undefined],
            [{ agentConfiguration: { configMode: "monitor" } }, MDE, undefined],
            [{ agentConfiguration: { configMode: "full" } }, CUSTOM, undefined],
            [
                { agentConfiguration: { extensionsBlockList: [{ publisher: "microsoft.cplat.core", type: "runcommandhandlerlinux" }] } },
                handler,
                "its extension block list holds Microsoft.CPlat.Core/RunCommandHandlerLinux",
            ],
            [
                { agentConfiguration: { extensionsBlockList: [{ publisher: "microsoft.cplat.core", type: "runcommandhandlerwindows" }] } },
                handler,
                undefined,
            ],
            [
                { agentConfiguration: { extensionsBlockList: [{ publisher: "Other.Publisher", type: "RunCommandHandlerLinux" }] } },
                handler,
                undefined,
            ],
            [
                { agentConfiguration: { extensionsAllowList: [AMA] } },
                handler,
                "its extension allow list does not hold Microsoft.CPlat.Core/RunCommandHandlerLinux",
            ],
            [
                {
                    agentConfiguration: {
                        extensionsAllowList: [AMA, { publisher: "MICROSOFT.CPLAT.CORE", type: "RUNCOMMANDHANDLERLINUX" }],
                    },
                },
                handler,
                undefined,
            ],
            [{ agentConfiguration: { extensionsAllowList: [] } }, handler, undefined],
        ];
        for (const [view, extension, refusal] of cases)
            assert.equal(extensionRefusal(view, extension), refusal, JSON.stringify([view, extension]));
    });

    it("an agent older than 1.33: out of support, and without run commands when the component needs them", () => {
        const [withRunCommands] = arcPreflightProblems({ agentVersion: "1.30.02488.1103" }, NEEDS, NOW);
        assert.match(
            withRunCommands,
            /^arc-01: its Connected Machine agent is 1\.30\.02488\.1103, older than a year and so out of support; run commands \(preview\) are built into the agent only from 1\.33 on.*Upgrade the agent \(azure-management-docs manage-agent\.md\), then run again$/,
        );
        assert.deepEqual(arcPreflightProblems({ agentVersion: "1.30" }, { ...NEEDS, runCommands: false }, NOW), [
            "arc-01: its Connected Machine agent is 1.30, older than a year and so out of support. Upgrade the agent (azure-management-docs manage-agent.md), then run again",
        ]);
    });

    it("an agent released more than twelve months ago is out of support; twelve months is not", () => {
        const problem = (version: string) => arcPreflightProblems({ agentVersion: version }, { ...NEEDS, runCommands: false }, NOW);
        assert.deepEqual(problem("1.50.03000.1"), [
            "arc-01: its Connected Machine agent is 1.50.03000.1, released 2025-03: Microsoft supports only agent versions released within the last year. Upgrade the agent or turn on automatic agent upgrade, then run again",
        ]);
        assert.equal(problem("1.58").length, 1, "November 2025: 13 months");
        assert.deepEqual(problem("1.59"), [], "December 2025: 12 months");
        assert.deepEqual(problem("1.62"), []);
        assert.deepEqual(problem(CURRENT), []);
        // A version the release table does not know, none reported, or an empty one: nothing is held against the machine.
        for (const agentVersion of ["1.99", "unknown", "", undefined])
            assert.deepEqual(problem(agentVersion as string), [], String(agentVersion));
        // The same release judged in January: the month counts across the year boundary.
        assert.deepEqual(arcPreflightProblems({ agentVersion: "1.60" }, NEEDS, new Date(Date.UTC(2027, 0, 15))), []);
        assert.equal(arcPreflightProblems({ agentVersion: "1.59" }, NEEDS, new Date(Date.UTC(2027, 0, 15))).length, 1);
    });

    it("an operating system other than the listed one, in any case; an unreported one is not held against it", () => {
        assert.deepEqual(arcPreflightProblems({ osType: "Windows" }, NEEDS, NOW), [
            "arc-01: Azure reports a windows machine, but it is listed with os: linux; the linux scripts would fail there: fix machines[].os",
        ]);
        for (const osType of ["Linux", "linux", "", undefined])
            assert.deepEqual(arcPreflightProblems({ osType }, NEEDS, NOW), [], String(osType));
    });

    it("a refused run command handler (only when run commands are needed) and each refused extension, with the fix", () => {
        const view: ArcMachineView = { agentVersion: CURRENT, osType: "linux", agentConfiguration: { configMode: "monitor" } };
        assert.deepEqual(arcPreflightProblems(view, { ...NEEDS, extensions: [AMA, CUSTOM] }, NOW), [
            "arc-01: its agent is in monitor mode, which blocks Microsoft.CPlat.Core/RunCommandHandlerLinux (monitor mode blocks extensions that change the system or run scripts): the run commands that set its proxy would fail. Allow the run command handler on the machine (azcmagent config set extensions.allowlist, or remove it from the block list, or config.mode full), or exclude osProxy and set the proxy yourself",
            "arc-01: its agent is in monitor mode, which blocks Contoso.Tools/Inventory (monitor mode blocks extensions that change the system or run scripts): allow it on the machine (azcmagent config set extensions.allowlist) or exclude that part",
        ]);
        assert.deepEqual(arcPreflightProblems(view, { ...NEEDS, runCommands: false, extensions: [AMA] }, NOW), []);
        assert.deepEqual(
            arcPreflightProblems({ agentVersion: CURRENT, osType: "linux" }, { ...NEEDS, extensions: [AMA, CUSTOM] }, NOW),
            [],
        );
    });
});
