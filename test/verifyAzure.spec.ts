// `defender-servers verify` end to end: the real CLI, Microsoft's SDK clients and DefaultAzureCredential,
// against a loopback HTTPS stand-in for Entra ID, Resource Graph and the Logs API (test/verifyFakeAzure.ts)
// serving a fleet with a machine in every state (test/fixtures/verify/fleet.ts). Asserts the verdict per
// machine, exit codes, paging through $skipToken, Resource Graph's throttling, and a failed sign-in.
// Most cases run the CLI's `main` in this process with the environment a child would get
// (test/verifyInProcess.ts); the whole-fleet judgement, the refused sign-in and a check that both ways
// print the same spawn the CLI as a user runs it (test/verifyCli.ts), for exit codes from a real process.
import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { main } from "../sdk/verify/cli";
import { fleet, IDS, ORG_ID, SUB_A, SUB_B, WORKSPACE } from "./fixtures/verify/fleet";
import { CliRun, runDefenderServers } from "./verifyCli";
import { FakeAzure, FakeAzureOptions, startFakeAzure } from "./verifyFakeAzure";
import { runDefenderServersInProcess } from "./verifyInProcess";

/**
 * The certificates Node's TLS clients trust by default, by fingerprint: setting the list again keeps the
 * certificates but drops duplicates (NODE_EXTRA_CA_CERTS repeating bundled roots) and re-encodes them.
 */
const trusted = () => [...new Set(tls.getCACertificates("default").map((pem) => new X509Certificate(pem).fingerprint256))].sort();

/** How a case runs the CLI: `main` in this process, or spawned. */
type Runner = (args: string[], env: NodeJS.ProcessEnv) => Promise<CliRun>;
const spawned: Runner = (args, env) => runDefenderServers(args, env);

interface JsonMachine {
    id: string;
    name: string;
    verdict: string;
    reason: string;
    nextStep?: string;
    findings: Array<{ check: string; state: string; detail: string }>;
}

/** The verdict each machine must get without a workspace: the fixture's states, judged by hand. */
const EXPECTED_WITHOUT_WORKSPACE: Record<string, string> = {
    [IDS.vmHealthy]: "protected",
    [IDS.vmWindowsQuiet]: "broken",
    [IDS.vmMdeFailed]: "broken",
    [IDS.vmNoMde]: "not yet",
    [IDS.vmDeallocated]: "not yet",
    [IDS.vmAmaSilent]: "protected",
    [IDS.vmAmaStale]: "protected",
    [IDS.vmCreating]: "not yet",
    [IDS.vmAvOff]: "broken",
    [IDS.arcOnPrem]: "not yet",
    [IDS.arcDisconnected]: "broken",
    [IDS.arcExpired]: "broken",
    [IDS.arcAssessed]: "protected",
    [IDS.vmPlanFree]: "broken",
    [IDS.vmMachineP1]: "protected",
};

describe("defender-servers verify against a loopback Azure", function () {
    this.timeout(120_000);
    let azure: FakeAzure | undefined;

    async function start(options: Partial<FakeAzureOptions> = {}): Promise<FakeAzure> {
        azure = await startFakeAzure({ fleet: fleet(new Date()), ...options });
        return azure;
    }

    async function verify(args: string[], run: Runner = runDefenderServersInProcess) {
        if (azure === undefined) throw new Error("start the stand-in first");
        return run(["verify", ...azure.flags(), ...args], azure.env());
    }

    afterEach(async () => {
        await azure?.close();
        azure = undefined;
    });

    it("judges every machine of the fleet, pages with $skipToken, and exits 1", async () => {
        const az = await start();
        const run = await verify(["--subscription", SUB_A, "--subscription", SUB_B, "--json", "--page-size", "4"], spawned);
        assert.equal(run.code, 1, run.stderr);
        const report = JSON.parse(run.stdout) as { summary: Record<string, number>; machines: JsonMachine[] };
        const got = Object.fromEntries(report.machines.map((m) => [m.id, m.verdict]));
        assert.deepEqual(got, EXPECTED_WITHOUT_WORKSPACE);
        assert.deepEqual(report.summary, { machines: 15, protected: 5, "not yet": 4, broken: 6 });

        // 15 machines at 4 a page: 4 pages, each after the first carrying the previous page's token.
        const machinePages = az.requests.filter((r) => r.query === "machines");
        assert.equal(machinePages.length, 4);
        assert.deepEqual(
            machinePages.map((r) => r.top),
            [4, 4, 4, 4],
        );
        assert.equal(machinePages[0].skipToken, undefined);
        assert.ok(machinePages.slice(1).every((r) => typeof r.skipToken === "string" && r.skipToken !== ""));
        assert.equal(new Set(machinePages.map((r) => r.skipToken)).size, 4);
        assert.match(run.stderr, /verify: machines: 4\/15 rows \(page 1\)/);
        assert.match(run.stderr, /verify: machines: 15\/15 rows \(page 4\)/);
        // Every Azure call carried a bearer token from the loopback Entra.
        assert.ok(az.requests.some((r) => r.path.endsWith("/oauth2/v2.0/token")));
        assert.ok(az.requests.filter((r) => r.query !== undefined).every((r) => r.bearer));

        const byId = new Map(report.machines.map((m) => [m.id, m]));
        assert.match(byId.get(IDS.vmWindowsQuiet)!.reason, /Unhealthy.*Succeeded, the quiet failure/);
        // The VM extensions' messages come from their instance views, read only for the VMs in trouble.
        assert.ok(
            byId
                .get(IDS.vmWindowsQuiet)!
                .findings.some((f) => f.check === "mde" && /Succeeded: Onboarding script ran; sensor has not connected/.test(f.detail)),
        );
        const extensionReads = az.requests.filter((r) => r.method === "GET" && /\/extensions\//.test(r.path));
        assert.deepEqual(extensionReads.map((r) => r.path.split("/")[8]).sort(), ["vm-mde-creating", "vm-mde-failed", "vm-win-quiet"]);
        assert.match(byId.get(IDS.vmMdeFailed)!.reason, /MDE\.Linux 1\.0 Failed: Enable failed: package download through the proxy/);
        assert.match(byId.get(IDS.arcOnPrem)!.reason, /does not cover on-premises Arc-enabled servers/);
        assert.match(byId.get(IDS.arcOnPrem)!.nextStep ?? "", /--probe/);
        assert.match(byId.get(IDS.arcDisconnected)!.reason, /Arc agent 1\.41\.02664\.1629 Disconnected since 2026-11-02/);
        assert.match(byId.get(IDS.vmPlanFree)!.reason, /Defender for Servers is off \(Free\) on its subscription/);
        assert.ok(
            byId.get(IDS.vmMachineP1)!.findings.some((f) => f.check === "plan" && f.detail === "Defender for Servers P1 on this machine"),
        );
        assert.match(byId.get(IDS.vmDeallocated)!.reason, /VM is deallocated/);
        assert.equal(
            byId.get(IDS.vmAvOff)!.reason,
            "Defender reports EDR configuration issues (Anti-Virus component in your EDR is off or partially configured)",
        );
        assert.ok(byId.get(IDS.vmHealthy)!.findings.some((f) => f.check === "guestConfiguration" && /1 NonCompliant/.test(f.detail)));
    });

    it("checks Azure Monitor Agent heartbeats in the workspace: silent and stale agents are broken", async () => {
        const az = await start();
        const machines = [IDS.vmHealthy, IDS.vmAmaSilent, IDS.vmAmaStale];
        const run = await verify([
            "--subscription",
            SUB_A,
            "--workspace",
            WORKSPACE,
            "--json",
            ...machines.flatMap((m) => ["--machine", m]),
        ]);
        assert.equal(run.code, 1, run.stderr);
        const report = JSON.parse(run.stdout) as { machines: JsonMachine[] };
        const byId = new Map(report.machines.map((m) => [m.id, m]));
        assert.deepEqual([...byId.keys()].sort(), [...machines].sort());
        assert.equal(byId.get(IDS.vmHealthy)!.verdict, "protected");
        assert.equal(byId.get(IDS.vmAmaSilent)!.verdict, "broken");
        assert.match(byId.get(IDS.vmAmaSilent)!.reason, /Succeeded but no heartbeat reached the workspace/);
        assert.equal(byId.get(IDS.vmAmaStale)!.verdict, "broken");
        assert.match(byId.get(IDS.vmAmaStale)!.reason, /last heartbeat was 120 minutes ago/);
        assert.ok(az.requests.some((r) => r.path === `/v1/workspaces/${WORKSPACE}/query` && r.bearer));
    });

    it("exits 0 when every selected machine is protected, and --allow-pending lets 'not yet' pass but not 'broken'", async () => {
        await start();
        const protectedOnly = await verify(["--subscription", SUB_A, "--machine", "vm-healthy", "--machine", "arc-assessed"]);
        assert.equal(protectedOnly.code, 0, protectedOnly.stderr);
        assert.match(protectedOnly.stdout, /2 machines: 2 protected, 0 not yet, 0 broken/);

        const pending = ["--subscription", SUB_A, "--machine", "vm-healthy", "--machine", "vm-no-mde"];
        assert.equal((await verify(pending)).code, 1);
        assert.equal((await verify([...pending, "--allow-pending"])).code, 0);
        const broken = await verify([
            "--subscription",
            SUB_A,
            "--machine",
            "vm-no-mde",
            "--machine",
            "vm-mde-failed",
            "--allow-pending",
            "--markdown",
        ]);
        assert.equal(broken.code, 1);
        assert.match(broken.stdout, /\| vm-mde-failed \| vm\/linux \| broken \|/);
    });

    it("takes a management group as scope, and the machines a stack's outputs name", async () => {
        const az = await start();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-outputs-"));
        try {
            const outputs = path.join(dir, "outputs.json");
            // `pulumi stack output --json` of a program that exports its machines' ids (any shape).
            fs.writeFileSync(
                outputs,
                JSON.stringify({
                    pricingId: `/subscriptions/${SUB_A}/providers/Microsoft.Security/pricings/VirtualMachines`,
                    machines: { healthy: IDS.vmHealthy.replace("virtualmachines", "virtualMachines"), arc: [IDS.arcAssessed] },
                }),
            );
            const run = await verify(["--management-group", "corp-landing-zones", "--stack-outputs", outputs]);
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /2 machines: 2 protected, 0 not yet, 0 broken/);
            const graph = az.requests.filter((r) => r.query !== undefined);
            assert.ok(graph.every((r) => r.managementGroups?.[0] === "corp-landing-zones" && r.subscriptions === undefined));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the spawned CLI prints the same report, progress and exit code as its main in this process", async () => {
        await start();
        const machines = [IDS.vmHealthy, IDS.vmWindowsQuiet, IDS.arcOnPrem, IDS.arcAssessed, IDS.vmNoMde];
        const args = ["--subscription", SUB_A, "--probe", "--json", "--page-size", "2", ...machines.flatMap((m) => ["--machine", m])];
        const child = await verify(args, spawned);
        const inProcess = await verify(args);
        assert.equal(child.code, 1, child.stderr);
        assert.equal(inProcess.code, child.code, inProcess.stderr);
        assert.equal(inProcess.stderr, child.stderr);
        // The same JSON but for the time of the check, which each run takes when it judges.
        const withoutTime = (stdout: string) => {
            const { checkedAt, ...rest } = JSON.parse(stdout) as { checkedAt: string };
            assert.ok(Math.abs(Date.parse(checkedAt) - Date.now()) < 120_000, checkedAt);
            return rest;
        };
        const report = withoutTime(child.stdout) as { machines: unknown[] };
        assert.equal(report.machines.length, machines.length);
        assert.deepEqual(withoutTime(inProcess.stdout), report);
    });

    it("an in-process run leaves the process's environment and trusted CAs as it found them, also when it fails", async () => {
        const az = await start();
        const envBefore = { ...process.env };
        const trustedBefore = trusted();
        // Signed in with the stand-in's AZURE_* variables, over TLS it trusts only through its CA.
        const run = await verify(["--subscription", SUB_A, "--machine", "vm-healthy"]);
        assert.equal(run.code, 0, run.stderr);
        assert.ok(az.requests.some((r) => r.path.endsWith("/oauth2/v2.0/token")));
        assert.deepEqual({ ...process.env }, envBefore);
        assert.deepEqual(trusted(), trustedBefore);
        assert.ok(
            !trustedBefore.includes(new X509Certificate(fs.readFileSync(az.caFile)).fingerprint256),
            "this process never trusted the stand-in",
        );
        // A run that throws after the environment was swapped (its CA file cannot be read) undoes it too.
        const missing = path.join(os.tmpdir(), "verify-no-such-ca.pem");
        await assert.rejects(runDefenderServersInProcess(["verify", "--help"], { ...az.env(), NODE_EXTRA_CA_CERTS: missing }), /ENOENT/);
        assert.deepEqual({ ...process.env }, envBefore);
        assert.deepEqual(trusted(), trustedBefore);
    });

    it("--probe reads the sensor on each machine and folds it into the verdict", async () => {
        const az = await start();
        const machines = [IDS.vmHealthy, IDS.vmWindowsQuiet, IDS.arcOnPrem, IDS.arcAssessed, IDS.vmNoMde];
        const run = await verify(["--subscription", SUB_A, "--probe", "--json", ...machines.flatMap((m) => ["--machine", m])]);
        assert.equal(run.code, 1, run.stderr);
        const byId = new Map((JSON.parse(run.stdout) as { machines: JsonMachine[] }).machines.map((m) => [m.id, m]));
        const probe = (id: string) => byId.get(id)!.findings.find((f) => f.check === "probe");

        assert.equal(byId.get(IDS.vmHealthy)!.verdict, "protected");
        assert.equal(probe(IDS.vmHealthy)!.detail, `on the machine: MDE onboarded to organization ${ORG_ID}`);
        // The on-premises Arc machine Defender's assessment cannot see: the probe is the proof.
        assert.equal(byId.get(IDS.arcOnPrem)!.verdict, "protected");
        assert.equal(byId.get(IDS.arcOnPrem)!.reason, `on the machine: MDE onboarded to organization ${ORG_ID}`);
        assert.equal(byId.get(IDS.vmWindowsQuiet)!.verdict, "broken");
        assert.match(probe(IDS.vmWindowsQuiet)!.detail, /OnboardingState is missing, not 1; the Sense service is Stopped/);
        assert.equal(byId.get(IDS.arcAssessed)!.verdict, "broken");
        assert.match(
            byId.get(IDS.arcAssessed)!.reason,
            /azcmagent check cannot reach https:\/\/agentserviceapi\.guestconfiguration\.azure\.com$/,
        );
        assert.equal(byId.get(IDS.vmNoMde)!.verdict, "not yet");
        assert.match(probe(IDS.vmNoMde)!.detail, /the probe did not run: .*VM agent not ready/);

        // VMs: one action run command each (no resource left behind); Arc: the run command is created, read and deleted.
        const vmRuns = az.requests.filter((r) => r.method === "POST" && r.path.endsWith("/runCommand"));
        assert.equal(vmRuns.length, 3);
        for (const id of [IDS.arcOnPrem, IDS.arcAssessed]) {
            const calls = az.requests.filter((r) => r.path.toLowerCase().startsWith(`${id}/runcommands/`)).map((r) => r.method);
            assert.deepEqual(calls, ["PUT", "GET", "DELETE"], id);
        }
    });

    it("waits out a 429 with Retry-After (the SDK's retry) and carries on", async () => {
        const az = await start({ throttle: [{ request: 2, kind: "429-retry-after", wait: "1" }] });
        const run = await verify(["--subscription", SUB_A, "--machine", "vm-healthy", "--page-size", "5", "--json"]);
        assert.equal(run.code, 0, run.stderr);
        const graph = az.requests.filter((r) => r.query !== undefined);
        assert.equal(graph[1].status, 429);
        assert.equal(graph[2].skipToken, graph[1].skipToken, "the refused page is asked for again");
        assert.ok(graph[2].at - graph[1].at >= 950, `retried after ${graph[2].at - graph[1].at} ms, Retry-After said 1 s`);
    });

    it("waits for Resource Graph's quota to reset on a 429 without Retry-After, and after an answer that spent it", async () => {
        const az = await start({
            throttle: [
                { request: 1, kind: "429-quota", wait: "00:00:01" },
                { request: 3, kind: "quota-zero", wait: "00:00:01.5" },
            ],
        });
        const run = await verify(["--subscription", SUB_A, "--json"]);
        assert.equal(run.code, 1, run.stderr);
        assert.equal((JSON.parse(run.stdout) as { machines: unknown[] }).machines.length, 13);
        const graph = az.requests.filter((r) => r.query !== undefined);
        assert.equal(graph[0].status, 429);
        assert.equal(graph[1].query, "machines");
        assert.ok(graph[1].at - graph[0].at >= 950, `asked again after ${graph[1].at - graph[0].at} ms; the quota reset in 1 s`);
        assert.ok(graph[3].at - graph[2].at >= 1450, `next query after ${graph[3].at - graph[2].at} ms; the quota was spent for 1.5 s`);
        assert.match(run.stderr, /Resource Graph asked to slow down, waiting 1 s/);
    });

    it("a scope Resource Graph cut at 10,000 subscriptions is reported and cannot pass", async () => {
        await start({ subscriptionLimitHit: true });
        const run = await verify(["--management-group", "tenant-root", "--machine", "vm-healthy"]);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stdout, /1 machines: 1 protected/);
        assert.match(run.stderr, /first 10,000 subscriptions of the scope only; split the scope/);
    });

    it("gives up on endless throttling with one clear line and exit code 4", async () => {
        const az = await start({ alwaysThrottle: true });
        const run = await verify(["--subscription", SUB_A]);
        assert.equal(run.code, 4, run.stderr);
        assert.match(run.stderr, /^verify: Azure request failed: HTTP 429/m);
        assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
        assert.equal(az.requests.filter((r) => r.query !== undefined).length, 6, "the first request and five retries");
    });

    it("a refused sign-in is a clear message and exit code 3, not a stack trace", async () => {
        const az = await start({ rejectSignIn: true });
        const run = await verify(["--subscription", SUB_A], spawned);
        assert.equal(run.code, 3, run.stderr);
        assert.match(run.stderr, /^verify: could not sign in to Azure: .*AADSTS7000215: Invalid client secret provided/m);
        assert.match(run.stderr, /az login/);
        assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
        assert.equal(run.stdout, "");
        assert.equal(az.requests.filter((r) => r.query !== undefined).length, 0, "nothing reached Resource Graph");
    });

    it("a bug is exit 70 with its stack, not a rejected promise", async () => {
        let stderr = "";
        const io = {
            stdout: () => {
                throw new TypeError("stdout went away");
            },
            stderr: (text: string) => (stderr += text),
        };
        assert.equal(await main(["verify", "--help"], io), 70);
        assert.match(stderr, /^defender-servers: internal error: TypeError: stdout went away\n\s+at /);
    });

    it("refuses bad usage before it talks to Azure (exit 2)", async () => {
        const az = await start();
        const noScope = await verify([]);
        assert.equal(noScope.code, 2);
        assert.match(noScope.stderr, /give the scope: --subscription ID or --management-group NAME/);
        const badWorkspace = await verify([
            "--subscription",
            SUB_A,
            "--workspace",
            "/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z",
        ]);
        assert.equal(badWorkspace.code, 2);
        assert.match(badWorkspace.stderr, /--workspace: .* not a workspace id; give the workspace's customerId GUID/);
        const unknownMachine = await verify(["--subscription", SUB_A, "--machine", "vm-nowhere"]);
        assert.equal(unknownMachine.code, 2);
        assert.match(unknownMachine.stderr, /not found in scope: vm-nowhere/);
        assert.equal(az.requests.filter((r) => r.query !== undefined && r.query !== "machines").length, 0);
    });
});
