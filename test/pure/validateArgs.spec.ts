/**
 * validate() as a whole (sdk/validate/index.ts): the top-level fields it reads itself (subscriptionId,
 * guestConfiguration, the retired qualys, mdeIntegration, retainProtectionOnDelete) and what it hands from one
 * reader to the next. Qualys: the built-in assessment was retired on 1 May 2024 (defender-docs release notes
 * archive, how-to-transition-to-built-in.md). Defaults: sdk/args.ts.
 */
import { strict as assert } from "node:assert";
import { validate, ValidationError } from "../../sdk/validate";
import { OTHER_SUB, SUB } from "./validateHelpers";

/** validate()'s problems as `path: message`, whether it threw or not. */
function outcome(args: unknown): { errors: string[]; warnings: string[] } {
    try {
        const { warnings } = validate(args);
        return { errors: [], warnings: warnings.map((w) => `${w.path}: ${w.message}`) };
    } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return { errors: error.problems.map((p) => `${p.path}: ${p.message}`), warnings: [] };
    }
}
const errors = (args: Record<string, unknown>) => outcome({ ...MINIMAL, ...args }).errors;
const warnings = (args: Record<string, unknown>) => outcome({ ...MINIMAL, ...args }).warnings;

const MINIMAL = { subscriptionId: SUB, location: "westeurope" };
const WORKSPACE = `/subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law`;
const VM = { key: "vm", kind: "azureVm", os: "windows", resourceGroupName: "rg-app", name: "vm" };

describe("validate() (sdk/validate/index.ts)", () => {
    it("refuses no args, and args that are not an object", () => {
        assert.deepEqual(outcome(null).errors, ["args: are required; pass at least subscriptionId and location"]);
        assert.deepEqual(outcome(undefined).errors, ["args: are required; pass at least subscriptionId and location"]);
        assert.deepEqual(outcome(5).errors.slice(0, 1), ["args: expected an object, got a number"]);
    });

    it("keeps the subscription GUID in lower case, as Azure's ids compare", () => {
        assert.equal(validate({ ...MINIMAL, subscriptionId: SUB.toUpperCase() }).args.subscriptionId, SUB);
    });

    it("defaults: protection retained on delete, owns the subscription settings, not air-gapped, Guest Configuration on without tagging", () => {
        const { args, warnings: said } = validate(MINIMAL);
        assert.deepEqual(said, []);
        assert.deepEqual(
            [args.retainProtectionOnDelete, args.ownsSubscriptionSettings, args.airGapped, args.guestConfiguration],
            [true, true, false, { enabled: true, tagExistingVms: false }],
        );
        assert.deepEqual(args.mdeIntegration, { enabled: true, includeLinux: true, connectivity: "standard" });
        assert.deepEqual(args.builtInPolicies, { addSystemAssignedIdentity: false, periodicUpdateAssessment: false });
    });

    it("retainProtectionOnDelete: false warns that a destroy may fail", () => {
        assert.equal(validate({ ...MINIMAL, retainProtectionOnDelete: false }).args.retainProtectionOnDelete, false);
        const [said, ...more] = warnings({ retainProtectionOnDelete: false });
        assert.deepEqual(more, []);
        assert.match(
            said,
            /^retainProtectionOnDelete: is false: deleting this component lets Pulumi try to delete the Defender for Servers plan .*so a destroy may fail$/,
        );
    });

    it("names each top-level boolean that is not one", () => {
        for (const field of ["airGapped", "ownsSubscriptionSettings", "retainProtectionOnDelete"]) {
            assert.deepEqual(errors({ [field]: "no" }), [`${field}: expected true or false, got "no"`]);
        }
    });

    it("guestConfiguration: its fields at their paths; tagging needs the extension", () => {
        assert.deepEqual(errors({ guestConfiguration: { enabled: 1, tagExistingVms: 1 } }), [
            "guestConfiguration.enabled: expected true or false, got a number",
            "guestConfiguration.tagExistingVms: expected true or false, got a number",
        ]);
        assert.deepEqual(errors({ guestConfiguration: "on" }), ['guestConfiguration: expected an object, got "on"']);
        assert.deepEqual(errors({ guestConfiguration: { tag: true } }), [
            "guestConfiguration.tag: is not a known field; known fields: enabled, tagExistingVms",
        ]);
        assert.deepEqual(errors({ guestConfiguration: { enabled: false, tagExistingVms: true } }), [
            "guestConfiguration.tagExistingVms: only matters while guestConfiguration.enabled is true; remove it",
        ]);
        assert.deepEqual(validate({ ...MINIMAL, guestConfiguration: { enabled: false } }).args.guestConfiguration, {
            enabled: false,
            tagExistingVms: false,
        });
        assert.deepEqual(validate({ ...MINIMAL, guestConfiguration: { tagExistingVms: true } }).args.guestConfiguration, {
            enabled: true,
            tagExistingVms: true,
        });
    });

    it("qualys: retired; enabled: true is refused with the replacement, anything else warns to remove it", () => {
        assert.deepEqual(errors({ qualys: { enabled: true } }), [
            "qualys.enabled: the built-in Qualys vulnerability assessment was retired on 1 May 2024 and Defender no longer installs its agent; remove qualys and set plan.defenderVulnerabilityManagement: true (Defender Vulnerability Management, MdeTvm)",
        ]);
        const removed = "qualys: the Qualys feature was removed (the built-in assessment was retired on 1 May 2024); remove this field";
        assert.deepEqual(warnings({ qualys: { enabled: false } }), [removed]);
        assert.deepEqual(warnings({ qualys: {} }), [removed]);
        assert.deepEqual(errors({ qualys: { enabled: "yes" } }), ['qualys.enabled: expected true or false, got "yes"']);
        assert.deepEqual(errors({ qualys: [] }), ["qualys: expected an object, got a list"]);
        assert.deepEqual(errors({ qualys: { Enabled: true } }), ['qualys.Enabled: is not a known field; did you mean "enabled"?']);
    });

    it("mdeIntegration: its fields at their paths, and on unless air-gapped", () => {
        assert.deepEqual(errors({ mdeIntegration: { enabled: "yes", includeLinux: "yes" } }), [
            'mdeIntegration.enabled: expected true or false, got "yes"',
            'mdeIntegration.includeLinux: expected true or false, got "yes"',
        ]);
        assert.ok(
            errors({ mdeIntegration: { enabled: false, confirmSwitchOff: "yes" } }).includes(
                'mdeIntegration.confirmSwitchOff: expected true or false, got "yes"',
            ),
        );
        assert.deepEqual(errors({ mdeIntegration: 1 }), ["mdeIntegration: expected an object, got a number"]);
        assert.deepEqual(errors({ mdeIntegration: { IncludeLinux: true } }), [
            'mdeIntegration.IncludeLinux: is not a known field; did you mean "includeLinux"?',
        ]);
        assert.deepEqual(errors({ mdeIntegration: { connectivity: "fast" } }), [
            'mdeIntegration.connectivity: "fast" is not allowed; use one of "standard", "streamlined"',
        ]);
        const airGapped = validate({ ...MINIMAL, airGapped: true }).args.mdeIntegration;
        assert.deepEqual(airGapped, { enabled: false, includeLinux: true, connectivity: "standard" });
        assert.deepEqual(validate({ ...MINIMAL, mdeIntegration: { includeLinux: false } }).args.mdeIntegration.includeLinux, false);
    });

    it("policy mode skips the per-machine identity checks; per-machine mode makes them", () => {
        const logs = { workspaceResourceId: WORKSPACE };
        // Guest Configuration (on by default) and AMA both need the identity.
        const perMachine = errors({ machines: [VM], logs });
        assert.equal(perMachine.length, 2);
        for (const error of perMachine) assert.match(error, /^machines\[0\]\.systemAssignedIdentity: is unset/);
        assert.deepEqual(errors({ machines: [VM], logs, guestConfiguration: { tagExistingVms: true }, rollout: { mode: "policy" } }), []);
    });

    it("plan.enforce reaches the per-machine plan check", () => {
        const machines = [{ ...VM, systemAssignedIdentity: true, defenderPlan: "P1" }];
        assert.deepEqual(errors({ machines, plan: { enforce: false } }), []);
        const refused = errors({ machines, plan: { enforce: true } });
        assert.equal(refused.length, 1);
        assert.match(refused[0], /^plan\.enforce: is true, .*yet vm \(P1\) has defenderPlan/);
    });

    it("an Azure Monitor private link makes the component's endpoint, whose resource group must be in subscriptionId", () => {
        const rule = `/subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.Insights/dataCollectionRules/mine`;
        const logs = {
            workspaceResourceId: WORKSPACE,
            dataCollectionRuleId: rule,
            dataCollectionResourceGroupId: `/subscriptions/${OTHER_SUB}/resourceGroups/rg-dcr`,
        };
        assert.deepEqual(errors({ logs }), [], "an own rule and no endpoint: nothing is made there");
        const privateLink = {
            resourceGroupName: "rg-pl",
            subnetId: `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe`,
            azureMonitor: {},
        };
        const refused = errors({ logs, privateLink });
        assert.equal(refused.length, 1, refused.join("\n"));
        assert.match(
            refused[0],
            new RegExp(`^logs\\.dataCollectionResourceGroupId: is in subscription ${OTHER_SUB}, but this component deploys into ${SUB}`),
        );
    });

    it("an Arc gateway to create takes the component's location", () => {
        const { args } = validate({ ...MINIMAL, location: "northeurope", arcGateway: { resourceGroupName: "rg-gw" } });
        assert.deepEqual(args.arcGateway?.create, { resourceGroupName: "rg-gw", gatewayName: undefined, location: "northeurope" });
    });
});
