/**
 * One machine, one instance, across the instances of one deployment (sdk/resources/machineRegistry.ts):
 * a machine another instance listed first is refused, naming that instance; an instance claiming
 * again replaces its own claims only. Its claims are kept by instance, so that a program with an
 * instance per machine does not scan every claim for every instance.
 */
import { strict as assert } from "node:assert";
import { claimMachines } from "../../sdk/resources/machineRegistry";
import { ValidationError } from "../../sdk/validate";
import { MachinePlan } from "../../sdk/validate/fleet";

const SUB = "0B1F6471-1BF0-4DDA-AEC3-111122223333";
let deployments = 0;
/** A deployment no other test has claimed in. */
const fresh = () => `org/proj/stack@spec#${deployments++}`;
const vm = (name: string, index = 0, resourceGroupName = "rg-app") =>
    ({
        key: name.toLowerCase(),
        kind: "azureVm",
        os: "linux",
        resourceGroupName,
        name,
        path: `machines[${index}]`,
    }) as unknown as MachinePlan;
/** The `path: message` lines of a refused claim. */
function refusal(claim: () => void): string[] {
    try {
        claim();
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        return err.problems.map((p) => `${p.path}: ${p.message}`);
    }
    assert.fail("expected the claim to be refused");
}
// The resource id Azure knows the VM by, lower-cased as the registry compares ids (ARM ids ignore letter case).
const id = (name: string, group = "rg-app") =>
    `/subscriptions/${SUB.toLowerCase()}/resourcegroups/${group}/providers/microsoft.compute/virtualmachines/${name}`;
const REST =
    "a machine belongs to one instance, or both would declare OS-proxy run commands and agent extensions on it: remove it from one of them";

describe("machine registry: one machine, one instance", () => {
    it("refuses a machine another instance listed first, in any letter case, naming the instance and where it listed it", () => {
        const at = fresh();
        claimMachines(at, SUB, "east", [vm("web-1"), vm("db-1", 1)]);
        assert.deepEqual(
            refusal(() => claimMachines(at, SUB, "west", [vm("app-1"), vm("DB-1", 1, "RG-APP")])),
            [`machines[1].name: ${id("db-1")} is already listed by instance "east" (machines[1]); ${REST}`],
        );
        // The refused instance claimed nothing: app-1 is free for a third.
        claimMachines(at, SUB, "north", [vm("app-1")]);
    });

    it("an instance claiming again replaces its own claims: a machine it dropped is free, one it kept is still its", () => {
        const at = fresh();
        claimMachines(at, SUB, "east", [vm("web-1"), vm("web-2", 1)]);
        claimMachines(at, SUB, "east", [vm("web-2")]);
        claimMachines(at, SUB, "west", [vm("web-1")]);
        assert.deepEqual(
            refusal(() => claimMachines(at, SUB, "west", [vm("web-1"), vm("web-2", 1)])),
            [`machines[1].name: ${id("web-2")} is already listed by instance "east" (machines[0]); ${REST}`],
        );
    });

    it("thousands of instances of one machine each: every claim kept, the machine listed twice still refused", () => {
        const at = fresh();
        for (let i = 0; i < 5000; i++) claimMachines(at, SUB, `instance-${i}`, [vm(`vm-${i}`)]);
        assert.deepEqual(
            refusal(() => claimMachines(at, SUB, "late", [vm("vm-4999"), vm("vm-0", 1)])),
            [
                `machines[0].name: ${id("vm-4999")} is already listed by instance "instance-4999" (machines[0]); ${REST}`,
                `machines[1].name: ${id("vm-0")} is already listed by instance "instance-0" (machines[0]); ${REST}`,
            ],
        );
    });

    it("another deployment is another registry", () => {
        claimMachines(fresh(), SUB, "east", [vm("web-1")]);
        claimMachines(fresh(), SUB, "west", [vm("web-1")]);
    });
});
