/** What the egress contract needs, read off the validated args. */
import { NormalizedArgs } from "../validate";
import { EgressInput } from "./egress";
import { GUID } from "../validate/fields";

/** The egress input for a fleet: its regions, the agents it runs and the services that go through Private Link. */
export function egressInputFor(args: NormalizedArgs): EgressInput {
    const machines = args.machines;
    const mdeMachines = machines.filter((m) => args.mdeIntegration.enabled && (m.os === "windows" || args.mdeIntegration.includeLinux));
    const legacyWorkspace = args.logs?.legacyAgent?.workspaceId;
    return {
        // China is refused by validation; everything else is covered.
        cloud: args.cloud === "AzureUSGovernment" ? "AzureUSGovernment" : "AzureCloud",
        regions: [...new Set(machines.length > 0 ? machines.map((m) => m.location) : [args.location])].sort(),
        agents: {
            mde: mdeMachines.length > 0,
            azureMonitorAgent: machines.some((m) => m.parts.azureMonitorAgent),
            legacyAgent: machines.some((m) => m.parts.legacyAgent),
            guestConfiguration: machines.some((m) => m.parts.guestConfiguration),
            // A scope is there for Arc machines onboarded later too.
            arcAgent: machines.some((m) => m.kind === "arc") || args.privateLink?.arc !== undefined,
            qualys: machines.some((m) => m.parts.qualys),
        },
        // Only a workspace id known now can name its host; otherwise the wildcard form is listed.
        workspaceIds: typeof legacyWorkspace === "string" && GUID.test(legacyWorkspace) ? [legacyWorkspace.toLowerCase()] : [],
        privateLink: { arc: args.privateLink?.arc !== undefined, azureMonitor: args.privateLink?.azureMonitor !== undefined },
    };
}
