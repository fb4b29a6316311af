/**
 * examples/management-group, previewed as the offline preview runs it: a management group of
 * three subscriptions, where every subscription gets its own plan and MDE settings, through its
 * own provider, after its own OS-proxy remediation, and the identity policies the AMA policy needs.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { RunResult, runProgram } from "../sdk/preview/engine";
import { loadProject } from "../sdk/preview/project";
import { inputs, named, waitsFor } from "./harness";

const DIR = path.resolve(__dirname, "..", "examples", "management-group");

async function previewExample(): Promise<{ run: RunResult; subscriptions: string[] }> {
    const project = loadProject(DIR);
    const run = await runProgram(
        () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return require(project.entry);
        },
        { preview: true, project: project.name, stack: project.stack, config: project.config },
    );
    const subscriptions = JSON.parse(project.config[`${project.name}:subscriptionIds`]) as string[];
    return { run, subscriptions };
}

describe("examples/management-group: a management group of three subscriptions", function () {
    this.timeout(120_000);
    let run: RunResult;
    let subscriptions: string[];
    before(async () => {
        ({ run, subscriptions } = await previewExample());
    });

    it("previews with no error, three subscriptions listed", () => {
        assert.deepEqual(run.errors, []);
        assert.equal(subscriptions.length, 3);
    });

    it("assigns the initiative once, at the management group", () => {
        const assignments = run.resources.filter((r) => r.name === "servers-policy-assignment");
        assert.equal(assignments.length, 1);
        assert.equal(inputs(assignments[0]).scope, "/providers/Microsoft.Management/managementGroups/servers");
    });

    for (const index of [0, 1, 2]) {
        it(`subscription ${index + 1}: its plan, after its MDE settings, which wait for its own OS-proxy remediations (and no other subscription's), through its own provider`, () => {
            const subscription = subscriptions[index];
            const label = `servers-${subscription.slice(0, 8)}`;
            const plan = named(run, `${label}-plan`);
            assert.equal(inputs(plan).scopeId, `/subscriptions/${subscription}`);
            assert.deepEqual(waitsFor(run, plan), [`${label}-mde-integration`]);
            const settings = waitsFor(run, named(run, `${label}-mde-integration`));
            const own = settings.filter((n) => n.startsWith("servers-policy-remediation-os-proxy-") && n.endsWith(subscription));
            assert.deepEqual(
                own.map((n) => n.replace(`-${subscription}`, "")).sort(),
                ["arc-linux", "arc-windows", "vm-linux", "vm-windows"].map((k) => `servers-policy-remediation-os-proxy-${k}`),
                `${label}-mde-integration does not wait for every OS-proxy remediation of ${subscription}`,
            );
            const others = subscriptions.filter((s) => s !== subscription);
            assert.deepEqual(
                settings.filter((n) => others.some((o) => n.endsWith(o))),
                [],
                "it waits for another subscription's remediation task",
            );
            assert.ok(settings.includes("servers-policy-assignment"));
            // Its own provider, which signs in to that subscription (the MDE settings deployment has no subscription input).
            const provider = run.resources.find((r) => r.urn === named(run, `${label}-mde-integration`).provider);
            assert.ok(provider !== undefined, "the MDE settings go to the default provider");
            assert.equal(inputs(provider!).subscriptionId, subscription);
            assert.equal(plan.provider, provider!.urn);
        });

        it(`subscription ${index + 1}: the built-in identity policies, assigned at that subscription through its provider`, () => {
            const subscription = subscriptions[index];
            const label = `servers-${subscription.slice(0, 8)}`;
            const identity = run.resources.filter((r) => r.name.startsWith(`${label}-builtin-identity-`) && r.name.endsWith("-assignment"));
            assert.equal(identity.length, 2);
            for (const assignment of identity) {
                assert.equal(inputs(assignment).scope, `/subscriptions/${subscription}`);
                assert.equal(run.resources.find((r) => r.urn === assignment.provider)?.inputs.subscriptionId, subscription);
            }
        });
    }

    it("tags every resource that takes tags with the example's tags", () => {
        const mde = named(run, `servers-${subscriptions[0].slice(0, 8)}-mde-integration`);
        assert.equal(inputs(mde).tags["cost-center"], "security");
        assert.equal(inputs(named(run, "servers-dcr")).tags.owner, "platform-team");
    });
});
