// The Windows run-command scripts, run for real under PowerShell 7 with Pester (see
// test/powershell/): every script end to end with only the Windows boundary mocked, the route
// check against a real Squid on 127.0.0.1, and the Windows PowerShell 5.1 AST check.
// A missing pwsh or Pester fails this spec; it never skips.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BYPASS_LIMITS } from "../sdk/validate/proxy";
import { mixedFleet } from "./fleet";
import { construct, inputs, named } from "./harness";
import { windowsTestTools } from "./windowsTools";

const ROOT = path.join(__dirname, "..");
const PESTER_DIR = path.join(ROOT, "test", "powershell");
const INSTALL_HINT = "run `bash tools/install-test-tools.sh` (then `source tools/env.sh`)";

describe("Windows run-command scripts under PowerShell and Pester", function () {
    this.timeout(900_000);
    const { pwsh, pesterModule } = windowsTestTools();

    before(function () {
        if (!fs.existsSync(pwsh)) assert.fail(`PowerShell (pwsh) is not installed at ${pwsh}: ${INSTALL_HINT}; these tests never skip`);
        if (!fs.existsSync(pesterModule))
            assert.fail(`Pester 6.2.0 is not installed at ${pesterModule}: ${INSTALL_HINT}; these tests never skip`);
    });

    it("the scripts use only what Windows PowerShell 5.1 has, and the check catches each PowerShell 7 construct and each redirected native stderr", () => {
        const scripts = ["windows-os-proxy.ps1", "windows-arc-agent-proxy.ps1"].map((f) => path.join(ROOT, "sdk", "scripts", f));
        const check = path.join(PESTER_DIR, "Get-PS51Findings.ps1");
        const clean = spawnSync(pwsh, ["-NoProfile", "-NonInteractive", "-File", check, ...scripts], {
            encoding: "utf8",
            timeout: 120_000,
        });
        assert.equal(clean.status, 0, `Windows PowerShell 5.1 findings:\n${clean.stdout}${clean.stderr}`);
        const fixture = spawnSync(
            pwsh,
            ["-NoProfile", "-NonInteractive", "-File", check, path.join(PESTER_DIR, "fixtures", "ps7-only.ps1")],
            {
                encoding: "utf8",
                timeout: 120_000,
            },
        );
        assert.equal(fixture.status, 1, `the fixture must fail the check:\n${fixture.stdout}${fixture.stderr}`);
        for (const construct of [
            "'??'",
            "'??='",
            "'?.'",
            "ternary",
            "pipeline chain",
            "-AsHashtable",
            "-Parallel",
            "Join-String",
            "$PSStyle",
            "clean {}",
        ]) {
            assert.ok(fixture.stdout.includes(construct), `no finding for ${construct} in:\n${fixture.stdout}`);
        }
        const native = spawnSync(
            pwsh,
            ["-NoProfile", "-NonInteractive", "-File", check, path.join(PESTER_DIR, "fixtures", "native-stderr.ps1")],
            {
                encoding: "utf8",
                timeout: 120_000,
            },
        );
        assert.equal(native.status, 1, `the native-command fixture must fail the check:\n${native.stdout}${native.stderr}`);
        assert.equal(native.stdout.split("\n").filter((l) => l.includes("stderr of a native command redirected")).length, 5, native.stdout);
    });

    it("the Pester suite passes (test/powershell/*.Tests.ps1)", () => {
        const run = spawnSync(
            pwsh,
            [
                "-NoProfile",
                "-NonInteractive",
                "-File",
                path.join(PESTER_DIR, "Run-Pester.ps1"),
                "-PesterModule",
                pesterModule,
                "-Path",
                PESTER_DIR,
            ],
            { encoding: "utf8", timeout: 840_000, env: { ...process.env, NO_COLOR: "1" } },
        );
        const output = `${run.stdout}${run.stderr}`;
        assert.equal(run.error, undefined, `pwsh did not run: ${run.error?.message}`);
        const line = run.stdout.split("\n").find((l) => l.startsWith("PESTER-SUMMARY "));
        assert.ok(line, `Pester printed no summary:\n${output}`);
        const summary = JSON.parse(line.slice("PESTER-SUMMARY ".length)) as {
            passed: number;
            failed: number;
            total: number;
            containersFailed: number;
        };
        console.log(`      Pester ${line.slice("PESTER-SUMMARY ".length)}`);
        assert.equal(summary.failed, 0, `Pester failures:\n${output}`);
        assert.equal(summary.containersFailed, 0, `a Pester file failed to run:\n${output}`);
        // Every spec ran: a file that silently lost its tests would lower this.
        assert.ok(summary.passed >= 90, `only ${summary.passed} Pester tests passed:\n${output}`);
        assert.equal(run.status, 0, output);
    });

    it("the largest bypass list validation accepts, as the component renders it with its own entries, passes windows-os-proxy.ps1's limits", async () => {
        // As many entries and characters as validation allows, in the .domain form the component widens to *.domain.
        const entries = Array.from({ length: BYPASS_LIMITS.entries }, (_, i) => `.d${String(i).padStart(3, "0")}.ex`);
        const pad = Math.floor((BYPASS_LIMITS.totalChars - entries.join(",").length) / entries.length) - 1;
        const bypass = entries.map((e) => `.${"x".repeat(pad)}${e}`);
        assert.ok(
            bypass.join(",").length <= BYPASS_LIMITS.totalChars && bypass.join(",").length > BYPASS_LIMITS.totalChars - entries.length,
        );
        const args = mixedFleet();
        args.proxy = { ...args.proxy!, bypass };
        const run = await construct(args);
        const parameter = (inputs(named(run, "d-os-proxy-win-vm")).parameters as Array<{ name: string; value: string }>).find(
            (p) => p.name === "BypassList",
        )!;
        const script = path.join(ROOT, "sdk", "scripts", "windows-os-proxy.ps1");
        const call = spawnSync(
            pwsh,
            [
                "-NoProfile",
                "-NonInteractive",
                "-File",
                path.join(PESTER_DIR, "Invoke-ScriptFunction.ps1"),
                "-Script",
                script,
                "-Function",
                "Get-BypassString",
                parameter.value,
            ],
            {
                encoding: "utf8",
                timeout: 120_000,
            },
        );
        assert.equal(
            call.status,
            0,
            `${parameter.value.split(",").length} entries, ${parameter.value.length} characters:\n${call.stdout}${call.stderr}`,
        );
        const written = call.stdout
            .split("\n")
            .find((l) => l.startsWith("RESULT "))!
            .slice("RESULT ".length)
            .split(";");
        assert.ok(written.length > BYPASS_LIMITS.entries, `${written.length} entries written`);
        console.log(`      ${written.length} WinHTTP bypass entries, ${parameter.value.length} characters accepted`);
    });
});
