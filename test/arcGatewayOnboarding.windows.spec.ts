// The Arc gateway's Windows onboarding commands (sdk/plan/arcGateway.ts) run under PowerShell 7
// against a stand-in azcmagent.exe: the proxy first, then connect with the gateway; a failed
// proxy step stops before connect with its exit code.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gatewayOnboardingCommands } from "../sdk/plan/arcGateway";
import { EXISTING, TENANT } from "./arcGatewayIds";
import { SUBSCRIPTION } from "./harness";

describe("Arc gateway: Windows onboarding commands under PowerShell 7", function () {
    this.timeout(180_000);

    /** PowerShell from PATH, the dotnet tool path, or tools/install-test-tools.sh's cache; never skipped. */
    function findPwsh(): string {
        const home = process.env.HOME ?? "/root";
        const candidates = [
            ...(process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "pwsh")),
            path.join(home, ".dotnet", "tools", "pwsh"),
            path.join(process.env.DEFENDER_TOOLS ?? path.join(home, ".cache", "defender-servers-tools"), "dotnet-tools", "pwsh"),
        ];
        const found = candidates.find((c) => c !== "pwsh" && fs.existsSync(c));
        if (found === undefined) throw new Error("pwsh is not installed: run tools/install-test-tools.sh; this test never skips");
        return found;
    }

    /** Runs the Windows commands with a stand-in azcmagent.exe (a script) under $env:ProgramW6432 that fails `failOn` with code 5. */
    function runWindows(failOn: string): { status: number | null; calls: string[]; said: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arc-gateway-onboard-win-"));
        try {
            const log = path.join(dir, "calls");
            fs.mkdirSync(path.join(dir, "AzureConnectedMachineAgent"));
            fs.writeFileSync(
                path.join(dir, "AzureConnectedMachineAgent", "azcmagent.exe"),
                `#!/bin/bash\nprintf '%s\\n' "$*" >> "${log}"\n[[ $1 == "${failOn}" ]] && exit 5\nexit 0\n`,
                { mode: 0o755 },
            );
            const script = path.join(dir, "onboard.ps1");
            fs.writeFileSync(
                script,
                gatewayOnboardingCommands({
                    subscriptionId: SUBSCRIPTION,
                    resourceGroupName: "rg-arc",
                    location: "westeurope",
                    gatewayId: EXISTING,
                    proxyUrl: "http://proxy.corp.example:3128",
                }).windows,
            );
            const run = spawnSync(findPwsh(), ["-NoProfile", "-NonInteractive", "-File", script], {
                env: { ...process.env, ProgramW6432: dir, TENANT_ID: TENANT },
                maxBuffer: 256 * 1024 * 1024,
                encoding: "utf8",
                timeout: 120_000,
            });
            return {
                status: run.status,
                calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [],
                said: `${run.stdout}${run.stderr}`,
            };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    it("set the proxy, then connect with the gateway; a failed proxy step stops before connect with its exit code", () => {
        const ok = runWindows("none");
        assert.equal(ok.status, 0, ok.said);
        assert.deepEqual(ok.calls, [
            "config set proxy.url http://proxy.corp.example:3128",
            `connect --subscription-id ${SUBSCRIPTION} --resource-group rg-arc --location westeurope --tenant-id ${TENANT} --cloud AzureCloud --gateway-id ${EXISTING}`,
        ]);
        const failed = runWindows("config");
        assert.equal(failed.status, 5, failed.said);
        assert.deepEqual(failed.calls, ["config set proxy.url http://proxy.corp.example:3128"]);
    });
});
