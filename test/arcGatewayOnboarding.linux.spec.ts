// The Arc gateway's Linux onboarding commands (sdk/plan/arcGateway.ts) run under bash against a
// stand-in azcmagent that records its arguments: the proxy first, then connect with the gateway;
// a failed connect's exit code passed on; no tenant, no connect.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gatewayOnboardingCommands } from "../sdk/plan/arcGateway";
import { EXISTING, TENANT } from "./arcGatewayIds";
import { SUBSCRIPTION } from "./harness";

describe("Arc gateway: Linux onboarding commands under bash", () => {
    /** Runs the Linux commands with a stand-in azcmagent that logs its arguments and exits with `code` on `connect`. */
    function runLinux(code: number): { status: number | null; calls: string[] } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arc-gateway-onboard-"));
        try {
            const log = path.join(dir, "calls");
            fs.writeFileSync(
                path.join(dir, "azcmagent"),
                `#!/bin/bash\nprintf '%s\\n' "$*" >> "${log}"\n[[ $1 == connect ]] && exit ${code}\nexit 0\n`,
                { mode: 0o755 },
            );
            const script = gatewayOnboardingCommands({
                subscriptionId: SUBSCRIPTION,
                resourceGroupName: "rg-arc",
                location: "westeurope",
                gatewayId: EXISTING,
                proxyUrl: "http://proxy.corp.example:3128",
            }).linux;
            const run = spawnSync("bash", ["-c", script], {
                env: { PATH: `${dir}:/usr/bin:/bin`, TENANT_ID: TENANT },
                maxBuffer: 256 * 1024 * 1024,
                encoding: "utf8",
                timeout: 10_000,
            });
            return { status: run.status, calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [] };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    it("run under bash: set the proxy, then connect with the gateway and the tenant from $TENANT_ID", () => {
        const { status, calls } = runLinux(0);
        assert.equal(status, 0);
        assert.deepEqual(calls, [
            "config set proxy.url http://proxy.corp.example:3128",
            `connect --subscription-id ${SUBSCRIPTION} --resource-group rg-arc --location westeurope --tenant-id ${TENANT} --cloud AzureCloud --gateway-id ${EXISTING}`,
        ]);
    });

    it("fail when azcmagent connect fails (exit code passed on)", () => {
        assert.equal(runLinux(3).status, 3);
    });

    it("fail under bash when neither the args nor $TENANT_ID give a tenant, before connecting", () => {
        const script = gatewayOnboardingCommands({
            subscriptionId: SUBSCRIPTION,
            resourceGroupName: "rg-arc",
            location: "westeurope",
            gatewayId: EXISTING,
        }).linux;
        const run = spawnSync("bash", ["-c", script], {
            env: { PATH: "/nonexistent:/usr/bin:/bin" },
            maxBuffer: 256 * 1024 * 1024,
            encoding: "utf8",
        });
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /set TENANT_ID to your Entra tenant id/);
    });
});
