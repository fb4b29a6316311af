// The pure parts of `verify` on plain data: throttling arithmetic, the probe's output parsing, the
// command line, machine selection and the pricing in effect. (The verdicts themselves are asserted end to
// end in verifyAzure.spec.ts, through the CLI.)
import { strict as assert } from "node:assert";
import { pricingFor, selectMachines } from "../sdk/verify/assemble";
import { heartbeatsFromTable } from "../sdk/verify/heartbeat";
import { machinesFromList, machinesFromStackOutputs, parseVerifyArgs, UsageError } from "../sdk/verify/options";
import { azcmagentCheckFailures, connectivityFailures, linuxProbeScript, parseProbeOutput, windowsProbeScript } from "../sdk/verify/probe";
import { machineFromRow } from "../sdk/verify/queries";
import { parseResetsAfter, parseRetryAfter, waitBeforeNext } from "../sdk/verify/throttle";
import { MachineRow } from "../sdk/verify/types";
import { exitCodeFor, verdictFor } from "../sdk/verify/verdict";

const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const machine = (name: string, extra: Partial<MachineRow> = {}): MachineRow => ({
    id: `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.compute/virtualmachines/${name}`,
    name,
    kind: "vm",
    subscriptionId: SUB,
    location: "westeurope",
    os: "linux",
    powerState: "PowerState/running",
    arcStatus: "",
    arcAgentVersion: "",
    arcLastStatusChange: "",
    ...extra,
});

describe("verify: throttling arithmetic", () => {
    it("reads Resource Graph's hh:mm:ss reset and Retry-After in seconds or as a date", () => {
        assert.equal(parseResetsAfter("00:00:03"), 3000);
        assert.equal(parseResetsAfter("01:02:03.5"), 3_723_500);
        assert.equal(parseResetsAfter("3 seconds"), undefined);
        const now = new Date("2026-12-06T10:00:00Z");
        assert.equal(parseRetryAfter("7", now), 7000);
        assert.equal(parseRetryAfter("Sun, 06 Dec 2026 10:00:05 GMT", now), 5000);
        assert.equal(parseRetryAfter("soon", now), undefined);
    });

    it("waits only when throttled or when the quota is spent, and never longer than five minutes", () => {
        const now = new Date();
        assert.equal(waitBeforeNext(200, { "x-ms-user-quota-remaining": "3", "x-ms-user-quota-resets-after": "00:00:05" }, now), 0);
        assert.equal(waitBeforeNext(200, { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:05" }, now), 5000);
        assert.equal(waitBeforeNext(429, { "retry-after": "2", "x-ms-user-quota-resets-after": "00:00:05" }, now), 2000);
        assert.equal(waitBeforeNext(429, { "x-ms-user-quota-resets-after": "00:00:04" }, now), 4000);
        assert.equal(waitBeforeNext(429, {}, now), 5000);
        assert.equal(waitBeforeNext(429, { "x-ms-user-quota-resets-after": "02:00:00" }, now), 300_000);
    });
});

describe("verify: the probe's scripts and output", () => {
    it("the scripts only read: no mdatp config, no service control, no registry write", () => {
        for (const script of [linuxProbeScript(true), windowsProbeScript(true)]) {
            assert.doesNotMatch(script, /mdatp config|systemctl|Set-ItemProperty|New-ItemProperty|Start-Service|Stop-Service|Restart-/);
        }
        assert.match(linuxProbeScript(false), /mdatp health --output json/);
        assert.match(linuxProbeScript(false), /mdatp connectivity test/);
        assert.doesNotMatch(linuxProbeScript(false), /azcmagent/);
        assert.match(windowsProbeScript(true), /OnboardingState[\s\S]*Sense[\s\S]*azcmagent check/);
    });

    it("an output cut short (no end marker) is 'did not run', not a verdict", () => {
        const cut = parseProbeOutput('=====defender-servers:health-json=====\n{"healthy": true', "linux", false);
        assert.equal(cut.ran, false);
    });

    it("Linux: healthy without an organization id is not onboarded", () => {
        const out = [
            "=====defender-servers:health-json=====",
            '{"healthy": true}',
            "=====defender-servers:org-id=====",
            "",
            "=====defender-servers:health-issues=====",
            "[]",
            "=====defender-servers:connectivity=====",
            "=====defender-servers:end=====",
        ].join("\n");
        const r = parseProbeOutput(out, "linux", false);
        assert.equal(r.mdeOnboarded, false);
        assert.deepEqual(r.mdeIssues, ["no organization id: the sensor is not onboarded"]);
    });

    it("mdatp connectivity test: every URL not ending in [OK] failed", () => {
        const text = [
            "Testing connection with https://cdn.x.cp.wd.microsoft.com/ping ... [OK]",
            "Testing connection with https://winatp-gw-weu.microsoft.com/test ... [ERROR]",
            "Testing connection with https://europe.x.cp.wd.microsoft.com/api/report ... timed out",
        ].join("\n");
        assert.deepEqual(connectivityFailures(text), [
            "https://winatp-gw-weu.microsoft.com/test",
            "https://europe.x.cp.wd.microsoft.com/api/report",
        ]);
    });

    it("azcmagent check: only a 'reachable' column counts; a table without one is unreadable, not guessed", () => {
        const table = [
            "| ENDPOINT | REACHABLE | PRIVATE |",
            "| https://gbl.his.arc.azure.com | true | false |",
            "| https://login.microsoftonline.com | false | false |",
        ].join("\n");
        assert.deepEqual(azcmagentCheckFailures(table), ["https://login.microsoftonline.com"]);
        assert.equal(azcmagentCheckFailures("| ENDPOINT | STATUS |\n| https://gbl.his.arc.azure.com | false |"), undefined);
    });
});

describe("verify: command line and machine lists", () => {
    it("needs exactly one kind of scope and names the bad option", () => {
        assert.throws(() => parseVerifyArgs([]), UsageError);
        assert.throws(() => parseVerifyArgs(["--subscription", "not-a-guid"]), /--subscription: "not-a-guid" is not a subscription id/);
        assert.throws(
            () => parseVerifyArgs(["--subscription", SUB, "--management-group", "mg"]),
            /either --subscription or --management-group/,
        );
        assert.throws(
            () => parseVerifyArgs(["--subscription", SUB, "--page-size", "5000"]),
            /--page-size: "5000" must be a whole number from 1 to 1000/,
        );
        assert.throws(() => parseVerifyArgs(["--subscription", SUB, "--arm-endpoint", "http://127.0.0.1:1"]), /must use https/);
        assert.throws(() => parseVerifyArgs(["--subscription", SUB, "--json", "--markdown"]), /choose one of --json and --markdown/);
        assert.equal(parseVerifyArgs(["--management-group", "corp"]).managementGroups[0], "corp");
    });

    it("reads machine ids out of `pulumi stack output --json` at any depth, and refuses a file without any", () => {
        const id = `/subscriptions/${SUB}/resourceGroups/RG/providers/Microsoft.HybridCompute/machines/Arc-1`;
        const outputs = JSON.stringify({
            machines: { arc1: { id } },
            vmIds: [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1`],
            other: "x",
        });
        assert.deepEqual(
            machinesFromStackOutputs(outputs, "out.json").sort(),
            [id.toLowerCase(), `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1`].sort(),
        );
        assert.throws(() => machinesFromStackOutputs('{"pricingId": "x"}', "out.json"), /no VM or Arc machine ARM id in it/);
        assert.throws(() => machinesFromStackOutputs("not json", "out.json"), /not JSON/);
        assert.deepEqual(machinesFromList("vm1\n# comment\n\n vm2 # trailing\n"), ["vm1", "vm2"]);
    });

    it("selects by id or name and fails, naming them, on machines not in scope or ambiguous names", () => {
        const a = machine("a");
        const b = machine("b");
        const b2 = machine("b", { id: `/subscriptions/${SUB}/resourcegroups/other/providers/microsoft.compute/virtualmachines/b` });
        assert.deepEqual(selectMachines([a, b], ["A"]), [a]);
        assert.deepEqual(selectMachines([a, b], [b.id.toUpperCase()]), [b]);
        assert.throws(() => selectMachines([a], ["a", "zz"]), /not found in scope: zz/);
        assert.throws(() => selectMachines([b, b2], ["b"]), /matches 2 machines in scope; give its full ARM id/);
        assert.deepEqual(selectMachines([a, b], undefined), [a, b]);
    });

    it("refuses a machine row that is neither a VM nor an Arc machine", () => {
        assert.throws(() => machineFromRow({ id: "/x", type: "microsoft.compute/virtualmachinescalesets" }), /not a VM or an Arc machine/);
        assert.equal(machineFromRow({ id: "/X", type: "Microsoft.HybridCompute/machines", os: "Windows" }).kind, "arc");
    });

    it("the heartbeat table must carry machineId and lastHeartbeat", () => {
        assert.deepEqual(heartbeatsFromTable(["machineId", "lastHeartbeat"], [["/A", new Date("2026-12-06T10:00:00Z")]]), [
            { machineId: "/a", lastHeartbeat: "2026-12-06T10:00:00.000Z" },
        ]);
        assert.throws(() => heartbeatsFromTable(["Computer"], []), /not machineId and lastHeartbeat/);
    });
});

describe("verify: plan in effect and exit codes", () => {
    it("a machine-level pricing wins over its subscription's", () => {
        const m = machine("vm1");
        const sub = {
            id: `/subscriptions/${SUB}/providers/microsoft.security/pricings/virtualmachines`,
            subscriptionId: SUB,
            pricingTier: "Standard",
            subPlan: "P2",
        };
        const own = {
            id: `${m.id}/providers/microsoft.security/pricings/virtualmachines`,
            subscriptionId: SUB,
            pricingTier: "Free",
            subPlan: "",
        };
        assert.deepEqual(pricingFor(m, [sub]), { pricing: sub, scope: "subscription" });
        assert.deepEqual(pricingFor(m, [sub, own]), { pricing: own, scope: "machine" });
        assert.deepEqual(pricingFor(m, []), {});
        const v = verdictFor(
            { machine: m, pricing: own, pricingScope: "machine", guestConfiguration: [] },
            { now: new Date(), heartbeatMaxAgeMinutes: 15 },
        );
        assert.equal(v.verdict, "broken");
        assert.equal(v.reason, "Defender for Servers is off (Free) on this machine");
    });

    it("an empty scope proves nothing: exit 1", () => {
        assert.equal(exitCodeFor([], false), 1);
        assert.equal(exitCodeFor([], true), 1);
    });
});
