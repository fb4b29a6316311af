/**
 * Programs beyond the examples whose resources must survive the move to the scope components:
 * policy mode at a management group, several instances on one subscription, machine-level
 * plans and the built-in policies. Their snapshots were recorded from the tree before the
 * move (test/fixtures/scopes/case-*.json); do not change a program without re-recording from
 * that tree.
 */
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";

const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law`;
const PROXY = { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] };
const BASE: DefenderForServersNetworkRestrictedArgs = { subscriptionId: SUBSCRIPTION, location: "westeurope" };

/** A program that declares resources; its snapshot is test/fixtures/scopes/case-<label>.json. */
export interface UpgradeCase {
    /** File-name label. */
    label: string;
    /** The program. */
    program: () => void;
}

export const CASES: UpgradeCase[] = [
    {
        label: "policy-management-group",
        program: () =>
            void new DefenderForServersNetworkRestricted("fleet", {
                ...BASE,
                proxy: PROXY,
                logs: { workspaceResourceId: WORKSPACE },
                builtInPolicies: { addSystemAssignedIdentity: true, periodicUpdateAssessment: true },
                rollout: {
                    mode: "policy",
                    scope: "/providers/Microsoft.Management/managementGroups/servers",
                    remediationSubscriptionIds: [SUBSCRIPTION, "99999999-8888-7777-6666-555555555555"],
                },
            }),
    },
    {
        label: "several-instances",
        program: () => {
            const regional = (key: string): DefenderForServersNetworkRestrictedArgs => ({
                ...BASE,
                ownsSubscriptionSettings: false,
                proxy: PROXY,
                machines: [{ key, kind: "arc", os: "linux", resourceGroupName: "rg", name: key }],
            });
            const east = new DefenderForServersNetworkRestricted("east", regional("m-east"));
            const west = new DefenderForServersNetworkRestricted("west", regional("m-west"));
            new DefenderForServersNetworkRestricted(
                "owner",
                { ...BASE, plan: { defenderVulnerabilityManagement: true } },
                { dependsOn: [east, west] },
            );
        },
    },
    {
        label: "machine-plans",
        program: () =>
            void new DefenderForServersNetworkRestricted("d", {
                ...BASE,
                plan: { subPlan: "P1" },
                proxy: PROXY,
                builtInPolicies: { addSystemAssignedIdentity: true },
                guestConfiguration: { tagExistingVms: true },
                logs: { workspaceResourceId: WORKSPACE },
                machines: [
                    { key: "lnx-vm", kind: "azureVm", os: "linux", resourceGroupName: "rg-app", name: "lnx-vm", defenderPlan: "P1" },
                    {
                        key: "win-vm",
                        kind: "azureVm",
                        os: "windows",
                        resourceGroupName: "rg-app",
                        name: "win-vm",
                        systemAssignedIdentity: true,
                    },
                    { key: "lnx-arc", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "lnx-arc", defenderPlan: "Free" },
                ],
            }),
    },
];
