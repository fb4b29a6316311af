/**
 * Settings whose effect reaches past this instance's machines to the whole subscription: the
 * user must see it before `pulumi up`, as a warning, or confirm it in the args.
 */
import type { NormalizedMdeIntegration } from "./index";
import type { MachinePlan } from "./fleet";
import { ProblemList } from "./problems";
import { NormalizedProxy } from "./proxy";

/** What the subscription-wide warnings depend on. */
export interface SubscriptionWideContext {
    proxy?: NormalizedProxy;
    machines: MachinePlan[];
    rolloutMode: "machines" | "policy";
    ownsSubscriptionSettings: boolean;
    mdeIntegration: NormalizedMdeIntegration;
    subscriptionId?: string;
}

/**
 * Warns where the plan switches MDE on over machines no proxy was prepared on, and where Defender
 * will not provision MDE by itself. Source for the plan: "When you enable Defender for Servers
 * Plan 1 (P1) or 2 (P2), Defender for Endpoint is integrated by default" (defender-docs
 * `defender-for-cloud/configure-servers-coverage.md`, 2026). Generalized images: "For Azure VMs
 * created from generalized OS images, Microsoft Defender for Endpoint (MDE) won't be
 * automatically provisioned through the Endpoint protection setting" (defender-docs
 * `defender-for-cloud/enable-defender-for-endpoint.md`, 07/03/2026).
 */
export function checkSubscriptionWideEffects(problems: ProblemList, context: SubscriptionWideContext): void {
    const { proxy, machines, mdeIntegration } = context;
    const subscription = context.subscriptionId ?? "the subscription";
    if (
        proxy !== undefined &&
        context.rolloutMode === "machines" &&
        machines.length === 0 &&
        context.ownsSubscriptionSettings &&
        mdeIntegration.enabled
    ) {
        problems.warn(
            "machines",
            `is empty while proxy is set: no proxy is set on any machine, so nothing holds MDE back, and the plan switches MDE on at once for every machine in subscription ${subscription}, including machines whose only way out is the proxy. List the machines (their proxies then come first), use rollout.mode policy, or set mdeIntegration.enabled: false with confirmSwitchOff until they are ready`,
        );
    }
    if (mdeIntegration.enabled) {
        for (const machine of machines.filter((m) => m.fromGeneralizedImage === true)) {
            problems.warn(
                `${machine.path}.fromGeneralizedImage`,
                `${machine.key} was created from a generalized OS image, and Defender for Cloud does not provision MDE on such VMs by itself: deploy the ${machine.os === "windows" ? "MDE.Windows" : "MDE.Linux"} extension (publisher Microsoft.Azure.AzureDefenderForServers) yourself, e.g. with Microsoft's built-in policy or the REST API, after its proxy is set`,
            );
        }
    }
}

/**
 * `mdeIntegration.enabled: false` writes `WDATP = false`, a setting of the whole subscription
 * (`Microsoft.Security/settings` has one `WDATP` per subscription, defender-docs
 * `enable-defender-for-endpoint.md`). On a subscription where MDE integration is on today, that
 * switches the integration off for every machine there, not only this instance's. The component cannot read
 * the current value before it writes (azure-native 3.28.0 has no resource and no read for
 * `Microsoft.Security/settings`, and `resources.getResource` reads resource-group resources
 * only), so the user confirms it in the args.
 */
export function checkSwitchOffConfirmed(problems: ProblemList, enabled: boolean | undefined, confirmed: boolean | undefined): void {
    if (enabled === false && confirmed !== true) {
        problems.error(
            "mdeIntegration.enabled",
            "is false, which writes WDATP = false for the whole subscription: where MDE integration is on today, it is switched off for every machine in the subscription, not only this instance's, and the component cannot read the current setting first. Check it (Defender for Cloud > Environment settings > your subscription > Defender plans > Servers > Settings, Endpoint protection; or az security setting show -n WDATP), then set mdeIntegration.confirmSwitchOff: true, or remove enabled: false",
        );
    } else if (enabled === false) {
        problems.warn(
            "mdeIntegration.enabled",
            "is false (confirmed): WDATP = false is written for the whole subscription; every machine there loses MDE integration, not only this instance's",
        );
    } else if (confirmed !== undefined) {
        problems.error("mdeIntegration.confirmSwitchOff", "only goes with mdeIntegration.enabled: false; remove it");
    }
}
