/**
 * validate()'s warnings for a fleet (sdk/validate/fleet.ts), read from its result: the pure specs
 * checked its errors, and only the component specs (under the mock engine) saw its warnings
 * (surviving mutants of `npm run mutation`, docs/testing.md). Each case changes one thing of the
 * mixed fleet (test/fleet.ts: win-vm and lnx-vm are Azure VMs, win-arc and lnx-arc Arc machines).
 */
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { validate } from "../sdk/validate";
import { mixedFleet, WORKSPACE } from "./fleet";

/** The warnings of `args` under `path` (exact), as their messages. */
function warnings(args: DefenderForServersNetworkRestrictedArgs, path: string): string[] {
    return validate(args)
        .warnings.filter((w) => w.path === path)
        .map((w) => w.message);
}

/** The mixed fleet with its legacy agent left out (it has warnings of its own). */
const fleet = (overrides: Partial<DefenderForServersNetworkRestrictedArgs> = {}) =>
    mixedFleet({ logs: { workspaceResourceId: WORKSPACE }, ...overrides });

describe("fleet warnings from validate() (sdk/validate/fleet.ts)", () => {
    it("Guest Configuration: the Azure VMs, and only they, are named for the private-network tag; none when the component tags them", () => {
        const [message, ...more] = warnings(fleet(), "guestConfiguration");
        assert.deepEqual(more, []);
        assert.match(message, /win-vm, lnx-vm need the EnablePrivateNetworkGC=TRUE tag/);
        assert.doesNotMatch(message, /arc/);
        assert.deepEqual(warnings(fleet({ guestConfiguration: { tagExistingVms: true } }), "guestConfiguration"), []);
        const arcOnly = fleet({ machines: fleet().machines!.filter((m) => m.kind === "arc") });
        assert.deepEqual(warnings(arcOnly, "guestConfiguration"), []);
    });

    it("a machine that leaves out its OS proxy, behind a proxy with MDE on, is warned about at its own exclude", () => {
        const args = fleet();
        args.machines![2] = { ...args.machines![2], exclude: ["osProxy"] };
        assert.equal(warnings(args, "machines[2].exclude").length, 1);
        assert.match(warnings(args, "machines[2].exclude")[0], /leaves out osProxy on win-arc/);
        for (const i of [0, 1, 3]) assert.deepEqual(warnings(args, `machines[${i}].exclude`), [], `machines[${i}]`);
        assert.deepEqual(warnings({ ...args, mdeIntegration: { enabled: false, confirmSwitchOff: true } }, "machines[2].exclude"), []);
    });

    it("a rule without a Windows stream, for Windows machines with AMA, warns and names them; not with the stream or an own rule", () => {
        const logs = { workspaceResourceId: WORKSPACE, streams: ["authSyslog" as const] };
        const [message, ...more] = warnings(fleet({ logs }), "logs.streams");
        assert.deepEqual(more, []);
        assert.match(message, /from win-vm, win-arc: add "securityEvents"/);
        const linuxOnly = fleet({ logs, machines: fleet().machines!.filter((m) => m.os === "linux") });
        assert.deepEqual(warnings(linuxOnly, "logs.streams"), []);
        const ownRule = `${WORKSPACE.split("/providers/")[0]}/providers/Microsoft.Insights/dataCollectionRules/mine`;
        assert.deepEqual(warnings(fleet({ logs: { dataCollectionRuleId: ownRule } }), "logs.streams"), []);
    });
});
