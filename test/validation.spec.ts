import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, ValidationError } from "../sdk";
import { runProgram } from "../sdk/preview/engine";
import { MINIMAL } from "./harness";

/** Constructs the component with raw (possibly ill-typed) args; returns the error and what was registered. */
async function attempt(args: unknown): Promise<{ error: unknown; registered: number }> {
    let error: unknown;
    const run = await runProgram(() => {
        try {
            new DefenderForServersNetworkRestricted("d", args as any);
        } catch (err) {
            error = err;
        }
    });
    return { error, registered: run.resources.length };
}

const BAD_INPUTS: Array<{ why: string; args: unknown; path: string; says: RegExp }> = [
    { why: "no args at all", args: undefined, path: "args", says: /subscriptionId and location/ },
    { why: "no subscription", args: { location: "westeurope" }, path: "subscriptionId", says: /is required; give the subscription's GUID/ },
    {
        why: "a malformed subscription id",
        args: { ...MINIMAL, subscriptionId: "1234-abcd" },
        path: "subscriptionId",
        says: /"1234-abcd" is not a GUID/,
    },
    {
        why: "a subscription resource id instead of the GUID",
        args: { ...MINIMAL, subscriptionId: "/subscriptions/11111111-2222-3333-4444-555555555555" },
        path: "subscriptionId",
        says: /is a resource id; give only the GUID/,
    },
    { why: "a display-name region", args: { ...MINIMAL, location: "West Europe" }, path: "location", says: /use "westeurope"/ },
    { why: "no location", args: { subscriptionId: MINIMAL.subscriptionId }, path: "location", says: /is required/ },
    {
        why: "an unknown cloud",
        args: { ...MINIMAL, cloud: "AzurePublic" },
        path: "cloud",
        says: /use one of "AzureCloud", "AzureUSGovernment", "AzureChinaCloud"/,
    },
    {
        why: "a cloud in the wrong case",
        args: { ...MINIMAL, cloud: "azureusgovernment" },
        path: "cloud",
        says: /did you mean "AzureUSGovernment"/,
    },
    { why: "the retired China cloud", args: { ...MINIMAL, cloud: "AzureChinaCloud" }, path: "cloud", says: /retired .* 18 August 2026/ },
    {
        why: "an unknown sub-plan",
        args: { ...MINIMAL, plan: { subPlan: "P3" } },
        path: "plan.subPlan",
        says: /"P3" is not allowed; use one of "P1", "P2"/,
    },
    { why: "a lower-case sub-plan", args: { ...MINIMAL, plan: { subPlan: "p2" } }, path: "plan.subPlan", says: /did you mean "P2"/ },
    {
        why: "agentless scanning on P1",
        args: { ...MINIMAL, plan: { subPlan: "P1", agentlessScanning: true } },
        path: "plan.agentlessScanning",
        says: /needs Plan 2; set plan.subPlan to "P2"/,
    },
    {
        why: "file integrity monitoring on P1",
        args: { ...MINIMAL, plan: { subPlan: "P1", fileIntegrityMonitoring: true } },
        path: "plan.fileIntegrityMonitoring",
        says: /needs Plan 2/,
    },
    {
        why: "scan exclusion tags on P1",
        args: { ...MINIMAL, plan: { subPlan: "P1", agentlessScanningExclusionTags: { a: "b" } } },
        path: "plan.agentlessScanningExclusionTags",
        says: /agentless scanning needs Plan 2/,
    },
    {
        why: "exclusion tags with scanning off",
        args: { ...MINIMAL, plan: { agentlessScanning: false, agentlessScanningExclusionTags: { a: "b" } } },
        path: "plan.agentlessScanningExclusionTags",
        says: /while plan.agentlessScanning is false/,
    },
    {
        why: "an invalid tag name",
        args: { ...MINIMAL, plan: { agentlessScanningExclusionTags: { "env/prod": "x" } } },
        path: "plan.agentlessScanningExclusionTags.env/prod",
        says: /not a valid Azure tag name/,
    },
    {
        why: "a misspelt field",
        args: { ...MINIMAL, plan: { subplan: "P1" } },
        path: "plan.subplan",
        says: /not a known field; did you mean "subPlan"/,
    },
    { why: "an unknown top-level field", args: { ...MINIMAL, proxyy: {} }, path: "proxyy", says: /not a known field/ },
    {
        why: "a string where a boolean belongs",
        args: { ...MINIMAL, retainProtectionOnDelete: "yes" },
        path: "retainProtectionOnDelete",
        says: /expected true or false, got "yes"/,
    },
    {
        why: "a Linux choice with the integration off",
        args: { ...MINIMAL, mdeIntegration: { enabled: false, includeLinux: true } },
        path: "mdeIntegration.includeLinux",
        says: /no effect while mdeIntegration.enabled is false/,
    },
    { why: "a plan that is not an object", args: { ...MINIMAL, plan: "P2" }, path: "plan", says: /expected an object, got "P2"/ },
];

describe("validation of bad input", () => {
    for (const bad of BAD_INPUTS) {
        it(`refuses ${bad.why}: one error naming ${bad.path}, nothing registered`, async () => {
            const { error, registered } = await attempt(bad.args);
            assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
            assert.deepEqual(
                error.problems.map((p) => p.path),
                [bad.path],
            );
            assert.match(error.problems[0].message, bad.says);
            assert.match(error.message, new RegExp(`- ${bad.path.replace(/[.[\]/]/g, "\\$&")}: `));
            assert.equal(registered, 0, "a resource was registered before validation failed");
        });
    }

    it("reports every problem at once, not one per preview", async () => {
        const { error } = await attempt({
            subscriptionId: "x",
            location: "West Europe",
            plan: { subPlan: "P1", fileIntegrityMonitoring: true },
        });
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(
            error.problems.map((p) => p.path),
            ["subscriptionId", "location", "plan.fileIntegrityMonitoring"],
        );
        assert.match(error.message, /invalid arguments \(3\)/);
    });
});
