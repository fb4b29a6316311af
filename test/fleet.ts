/** A mixed fleet shared by the machine specs: every kind and OS, behind an authenticated proxy. */
import { DefenderForServersNetworkRestrictedArgs, MachineSettings } from "../sdk";
import { NormalizedProxy } from "../sdk/validate/proxy";
import { MINIMAL } from "./harness";

/** The proxy password literal the leak checks search for. */
export const PASSWORD = "Pr0xy-Pa55word!";
/** The workspace key literal the leak checks search for. */
export const WORKSPACE_KEY = "d29ya3NwYWNlLWtleS1zZWNyZXQ=";
/** A workspace resource id. */
export const WORKSPACE =
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/law";

/** The fleet's proxy as validation leaves it for the plan functions: no credentials, nothing to bypass, route check on. */
export const CORP_PROXY: NormalizedProxy = {
    url: "http://proxy.corp.example:3128",
    host: "proxy.corp.example",
    port: 3128,
    bypass: [],
    unauthenticatedForAgentHosts: false,
    routeCheck: true,
};

/** Every kind and OS once: a Windows and a Linux VM (the Linux one in another region), a Windows and a Linux Arc machine. */
export const MIXED_MACHINES: MachineSettings[] = [
    { key: "win-vm", kind: "azureVm", os: "windows", resourceGroupName: "rg-app", name: "win-vm", systemAssignedIdentity: true },
    {
        key: "lnx-vm",
        kind: "azureVm",
        os: "linux",
        resourceGroupName: "rg-app",
        name: "lnx-vm",
        location: "northeurope",
        systemAssignedIdentity: true,
    },
    { key: "win-arc", kind: "arc", os: "windows", resourceGroupName: "rg-arc", name: "win-arc" },
    { key: "lnx-arc", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "lnx-arc" },
];

/** Windows VM, Linux VM, Windows Arc and Linux Arc machines behind an authenticated proxy, with AMA and MMA. */
export function mixedFleet(overrides: Partial<DefenderForServersNetworkRestrictedArgs> = {}): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        proxy: {
            address: "http://proxy.corp.example:3128",
            bypass: [".corp.example"],
            username: "svc-defender",
            password: PASSWORD,
            unauthenticatedForAgentHosts: true,
        },
        // Copies: a spec that edits its fleet must not change the next one.
        machines: MIXED_MACHINES.map((machine) => ({ ...machine })),
        logs: {
            workspaceResourceId: WORKSPACE,
            legacyAgent: { workspaceId: "99999999-8888-7777-6666-555555555555", workspaceKey: WORKSPACE_KEY },
        },
        ...overrides,
    };
}
