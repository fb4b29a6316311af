/**
 * verify's joins of Resource Graph rows per machine (sdk/verify/assemble.ts), which look rows up
 * by id instead of scanning every row for every machine: the same answers as the scan, the first
 * listed row kept where two fit, and no machine taking a row of another machine whose id starts
 * the same way.
 */
import { strict as assert } from "node:assert";
import { assembleFacts, indexPricings, pricingFor, selectMachines } from "../../sdk/verify/assemble";
import { machineFromRow, pricingFromRow } from "../../sdk/verify/queries";
import { MachineRow, PricingRow } from "../../sdk/verify/types";

const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const OTHER = "9d0c2b6e-5a4f-4c3e-8b1a-444455556666";
// Ids in Azure's letter case; the query rows lower-case them (queries.ts), as Resource Graph's tables differ in case.
const vmId = (name: string, group = "rg", sub = SUB) =>
    `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}`;
const machine = (name: string, id = vmId(name)): MachineRow =>
    machineFromRow({ id, type: "Microsoft.Compute/virtualMachines", name, subscriptionId: SUB, location: "westeurope", os: "Linux" });
// Defender pricings at a subscription, or under a machine's id (Microsoft.Security/pricings/VirtualMachines).
const subscriptionPricing = (sub: string, subPlan: string): PricingRow =>
    pricingFromRow({
        id: `/subscriptions/${sub}/providers/Microsoft.Security/pricings/VirtualMachines`,
        subscriptionId: sub,
        pricingTier: "Standard",
        subPlan,
    });
const machinePricing = (machineId: string, pricingTier: string, subPlan = ""): PricingRow =>
    pricingFromRow({ id: `${machineId}/providers/Microsoft.Security/pricings/VirtualMachines`, subscriptionId: SUB, pricingTier, subPlan });

describe("verify: rows joined per machine by id", () => {
    it("a machine's own pricing, never that of a machine whose id it begins (web-1 and web-10)", () => {
        const web1 = machine("web-1");
        const web10 = machine("web-10");
        const pricings = [subscriptionPricing(SUB, "P2"), machinePricing(web10.id, "Free")];
        assert.deepEqual(pricingFor(web1, pricings), { pricing: pricings[0], scope: "subscription" });
        assert.deepEqual(pricingFor(web10, pricings), { pricing: pricings[1], scope: "machine" });
    });

    it("the first listed pricing where two fit, the machine's own before its subscription's, and no other subscription's", () => {
        const m = machine("app");
        const first = machinePricing(m.id, "Free");
        const second = machinePricing(m.id, "Standard", "P1");
        assert.deepEqual(pricingFor(m, [second, first]), { pricing: second, scope: "machine" });
        assert.deepEqual(pricingFor(m, [first, second]), { pricing: first, scope: "machine" });
        const p1 = subscriptionPricing(SUB, "P1");
        const p2 = subscriptionPricing(SUB, "P2");
        assert.deepEqual(pricingFor(m, [p2, p1]), { pricing: p2, scope: "subscription" });
        assert.deepEqual(pricingFor(m, [subscriptionPricing(OTHER, "P2")]), {}, "another subscription's pricing is not this machine's");
        // An index built once answers as the list does.
        const index = indexPricings([p1, first]);
        assert.deepEqual(pricingFor(m, index), { pricing: first, scope: "machine" });
        assert.deepEqual(pricingFor(machine("other"), index), { pricing: p1, scope: "subscription" });
    });

    it("a fleet where some machines carry their own pricing: each machine gets its own, the rest the subscription's", () => {
        const machines = ["a", "b", "c", "d"].map((n) => machine(n));
        const sub = subscriptionPricing(SUB, "P2");
        const freeB = machinePricing(machines[1].id, "Free");
        const p1D = machinePricing(machines[3].id, "Standard", "P1");
        const facts = assembleFacts({ machines, extensions: [], pricings: [p1D, sub, freeB], assessments: [], guestConfiguration: [] });
        assert.deepEqual(
            facts.map((f) => [f.machine.name, f.pricing?.pricingTier, f.pricing?.subPlan, f.pricingScope]),
            [
                ["a", "Standard", "P2", "subscription"],
                ["b", "Free", "", "machine"],
                ["c", "Standard", "P2", "subscription"],
                ["d", "Standard", "P1", "machine"],
            ],
        );
    });

    it("selection: in the machines' order, names in any letter case, ids compared whole; a name two machines share is refused", () => {
        const a = machine("Web-A");
        const b = machine("b");
        const c = machine("c");
        assert.deepEqual(selectMachines([a, b, c], ["C", "web-a"]), [a, c]);
        assert.deepEqual(selectMachines([a, b, c], [` ${c.id.toUpperCase()} `, "B"]), [b, c]);
        // An id that begins another's is not it.
        assert.throws(
            () => selectMachines([a, b, c], [vmId("c-1")]),
            new RegExp(`not found in scope: ${vmId("c-1").toLowerCase()} \\(check`),
        );
        const b2 = machine("b", vmId("b", "other"));
        // Refused before the missing names are listed, as the scan did.
        assert.throws(() => selectMachines([a, b, b2], ["a", "b", "zz"]), {
            message: 'machine "b" matches 2 machines in scope; give its full ARM id instead',
        });
        // The same id twice in the rows (a query that returned one machine twice) is as ambiguous as a shared name.
        assert.throws(() => selectMachines([c, c], [c.id]), /matches 2 machines in scope/);
        assert.throws(() => selectMachines([a], ["zz", "yy"]), /not found in scope: zz, yy \(check/);
    });
});
