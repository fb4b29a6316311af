/**
 * The warnings and errors about settings whose effect reaches past this instance's machines to the
 * whole subscription (sdk/validate/subscriptionWide.ts). Sources:
 * - defender-docs `defender-for-cloud/configure-servers-coverage.md` (2026): with Plan 1 or 2 on,
 *   Defender for Endpoint is integrated by default, so an empty machine list under a proxy leaves
 *   nothing holding MDE back;
 * - defender-docs `defender-for-cloud/enable-defender-for-endpoint.md` (07/03/2026): MDE is not
 *   provisioned automatically on Azure VMs made from generalized images; MDE.Windows / MDE.Linux are
 *   the extensions (publisher Microsoft.Azure.AzureDefenderForServers);
 * - the same page: `WDATP` is one setting per subscription, so writing `false` switches MDE off there.
 */
import { strict as assert } from "node:assert";
import type { NormalizedMdeIntegration } from "../../sdk/validate";
import type { MachinePlan } from "../../sdk/validate/fleet";
import { checkSubscriptionWideEffects, checkSwitchOffConfirmed, SubscriptionWideContext } from "../../sdk/validate/subscriptionWide";
import { NormalizedProxy } from "../../sdk/validate/proxy";
import { assertProblems, Expected, read } from "./validateRead";

const PROXY = { url: "http://proxy.corp.example:3128" } as NormalizedProxy;
const MDE_ON = { enabled: true, includeLinux: true } as NormalizedMdeIntegration;
const MDE_OFF = { enabled: false, includeLinux: true } as NormalizedMdeIntegration;
const SUBSCRIPTION = "1111aaaa-2222-3333-4444-55555555bbbb";

/** A listed machine as the fleet plan has it; only the fields the warnings read matter. */
const machine = (key: string, os: "windows" | "linux", fromGeneralizedImage?: boolean): MachinePlan =>
    ({ key, os, path: `machines[${key === "a" ? 0 : 1}]`, fromGeneralizedImage }) as unknown as MachinePlan;

/** The context of a per-machine rollout that owns the subscription's settings, with MDE on, a proxy and no machines. */
const EMPTY_UNDER_PROXY: SubscriptionWideContext = {
    proxy: PROXY,
    machines: [],
    rolloutMode: "machines",
    ownsSubscriptionSettings: true,
    mdeIntegration: MDE_ON,
    subscriptionId: SUBSCRIPTION,
};

const EMPTY_MACHINES: Expected = [
    "machines",
    new RegExp(
        `^is empty while proxy is set: .*switches MDE on at once for every machine in subscription ${SUBSCRIPTION}, .*List the machines .*rollout\\.mode policy.*mdeIntegration\\.enabled: false with confirmSwitchOff`,
    ),
];

function warnings(context: SubscriptionWideContext) {
    const { errors, warnings } = read((problems) => checkSubscriptionWideEffects(problems, context));
    assert.deepEqual(errors, []);
    return warnings;
}

describe("subscription-wide effects (sdk/validate/subscriptionWide.ts)", () => {
    it("an empty machine list under a proxy warns, naming the subscription and the three ways out", () => {
        assertProblems(warnings(EMPTY_UNDER_PROXY), [EMPTY_MACHINES], "warnings");
    });

    it("says 'the subscription' when its id is not known yet", () => {
        const [warning] = warnings({ ...EMPTY_UNDER_PROXY, subscriptionId: undefined });
        assert.match(warning.message, /for every machine in subscription the subscription, /);
    });

    const quiet: Array<[string, Partial<SubscriptionWideContext>]> = [
        ["no proxy: nothing to hold MDE back for", { proxy: undefined }],
        ["policy mode: remediation sets the proxy before MDE", { rolloutMode: "policy" }],
        ["a machine is listed: its proxy comes first", { machines: [machine("a", "linux")] }],
        ["another instance owns the subscription's settings", { ownsSubscriptionSettings: false }],
        ["MDE integration off", { mdeIntegration: MDE_OFF }],
    ];
    for (const [why, change] of quiet) {
        it(`no warning when ${why}`, () => assert.deepEqual(warnings({ ...EMPTY_UNDER_PROXY, ...change }), []));
    }

    it("a machine from a generalized image: the MDE extension of its OS is the user's to deploy", () => {
        const context = {
            ...EMPTY_UNDER_PROXY,
            machines: [machine("a", "windows", true), machine("b", "linux", true), machine("c", "linux", false)],
        };
        const found = warnings(context);
        assertProblems(
            found,
            [
                [
                    "machines[0].fromGeneralizedImage",
                    /^a was created from a generalized OS image, .*deploy the MDE\.Windows extension \(publisher Microsoft\.Azure\.AzureDefenderForServers\) yourself/,
                ],
                ["machines[1].fromGeneralizedImage", /^b was created from a generalized OS image, .*deploy the MDE\.Linux extension /],
            ],
            "warnings",
        );
    });

    it("no generalized-image warning while MDE integration is off", () => {
        assert.deepEqual(warnings({ ...EMPTY_UNDER_PROXY, mdeIntegration: MDE_OFF, machines: [machine("a", "windows", true)] }), []);
    });
});

describe("switching MDE integration off (sdk/validate/subscriptionWide.ts)", () => {
    const cases: Array<[string, boolean | undefined, boolean | undefined, Expected[], Expected[]]> = [
        [
            "enabled: false unconfirmed is an error that says what WDATP = false does and how to check",
            false,
            undefined,
            [
                [
                    "mdeIntegration.enabled",
                    /^is false, which writes WDATP = false for the whole subscription: .*az security setting show -n WDATP.*set mdeIntegration\.confirmSwitchOff: true, or remove enabled: false$/,
                ],
            ],
            [],
        ],
        [
            "enabled: false with confirmSwitchOff: false is still unconfirmed",
            false,
            false,
            [["mdeIntegration.enabled", /^is false, which writes WDATP = false/]],
            [],
        ],
        [
            "confirmed: a warning that every machine there loses MDE",
            false,
            true,
            [],
            [
                [
                    "mdeIntegration.enabled",
                    /^is false \(confirmed\): WDATP = false is written for the whole subscription; every machine there loses MDE integration/,
                ],
            ],
        ],
        [
            "confirmSwitchOff without enabled: false is refused",
            true,
            true,
            [["mdeIntegration.confirmSwitchOff", /^only goes with mdeIntegration\.enabled: false; remove it$/]],
            [],
        ],
        ["confirmSwitchOff: false alone is refused too", undefined, false, [["mdeIntegration.confirmSwitchOff", /^only goes with/]], []],
        ["neither: nothing to say", undefined, undefined, [], []],
        ["enabled: true alone: nothing to say", true, undefined, [], []],
    ];
    for (const [why, enabled, confirmed, errors, warns] of cases) {
        it(why, () => {
            const found = read((problems) => checkSwitchOffConfirmed(problems, enabled, confirmed));
            assertProblems(found.errors, errors, "errors");
            assertProblems(found.warnings, warns, "warnings");
        });
    }
});
