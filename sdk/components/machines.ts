/**
 * `DefenderMachines`: the machines of one subscription. Each listed machine's operating-system
 * and Arc-agent proxies (with their route checks) and agents, or, in policy mode, the
 * initiative that does the same for every machine in a subscription or resource group. Its
 * `readiness` output is what the subscription's `DefenderSubscription` waits for.
 */
import * as pulumi from "@pulumi/pulumi";
import { EgressDestination, proxyAllowlist, squidAllowlistSnippet } from "../plan/egress";
import { DefenderMachinesArgs } from "./args";
import { prepareFleet } from "./fleet";
import { readinessOf } from "./readiness";
import { tagProblems, withTags } from "./tags";
import { refuse, validateFor } from "./validateFor";
import { claimMachinesInThisDeployment } from "../resources/machineRegistry";

const TYPE_NAME = "DefenderMachines";

/** Proxies and agents on the machines of one subscription, and the readiness MDE waits for. */
export class DefenderMachines extends pulumi.ComponentResource {
    /** The Pulumi type token of this component. */
    public static readonly TYPE = `defender-servers:index:${TYPE_NAME}`;

    /** Resolves once every proxy step (or the policy rollout and its remediation) is done; fails when an Arc proxy script failed. Pass it to `DefenderSubscription.readiness`. */
    public readonly readiness: pulumi.Output<string>;
    /** Each listed machine's own readiness (per-machine mode), by key: for `DefenderSubscription.machinePlans[].readiness`. */
    public readonly machineReadiness: pulumi.Output<{ [key: string]: string }>;
    /** The operating-system proxy bypass list the run commands set. */
    public readonly proxyBypass: pulumi.Output<string[]>;
    /** Every endpoint the machines reach, with its route. */
    public readonly egress: pulumi.Output<EgressDestination[]>;
    /** The host names the proxy must allow (HTTPS, port 443), sorted. */
    public readonly proxyAllowlist: pulumi.Output<string[]>;
    /** The same allowlist as a Squid configuration snippet. */
    public readonly squidAllowlist: pulumi.Output<string>;

    constructor(name: string, args: DefenderMachinesArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered.
        const problems = tagProblems(args?.tags);
        (args?.machines ?? []).forEach((m, i) => {
            if (m?.defenderPlan !== undefined) {
                problems.push({
                    path: `machines[${i}].defenderPlan`,
                    message:
                        "is a subscription setting: give it in DefenderSubscription.machinePlans, with this machine's machineReadiness entry",
                });
            }
        });
        if (args?.rollout?.scope?.toLowerCase().includes("/managementgroups/")) {
            problems.push({
                path: "rollout.scope",
                message: "is a management group: use DefenderManagementGroupRollout, which also sets every subscription's plan",
            });
        }
        refuse(TYPE_NAME, problems);
        const links = args?.privateLink ?? {};
        const { args: settings, warnings } = validateFor(TYPE_NAME, {
            subscriptionId: args?.subscriptionId,
            location: args?.location,
            cloud: args?.cloud,
            proxy: args?.proxy,
            machines: args?.machines,
            mdeIntegration: args?.mdeIntegration,
            logs: args?.logs,
            guestConfiguration: args?.guestConfiguration,
            rollout: args?.rollout,
            builtInPolicies: args?.builtInPolicies,
            // The scopes exist elsewhere (a DefenderConnectivity): only which ones decides the routes here.
            privateLink:
                links.arcPrivateLinkScopeId === undefined && links.dataCollectionEndpointId === undefined
                    ? undefined
                    : {
                          resourceGroupName: "(DefenderConnectivity)",
                          ...(links.arcPrivateLinkScopeId !== undefined ? { arc: { privateEndpoint: false } } : {}),
                          ...(links.dataCollectionEndpointId !== undefined ? { azureMonitor: { privateEndpoint: false } } : {}),
                      },
        });
        // One machine, one instance: a second DefenderMachines (or all-in-one) listing it is refused before anything registers.
        if (settings.rollout.mode === "machines") claimMachinesInThisDeployment(name, settings.subscriptionId, settings.machines);
        super(DefenderMachines.TYPE, name, {}, withTags(opts, args.tags));
        for (const warning of warnings) pulumi.log.warn(`${warning.path}: ${warning.message}`, this);

        // A field is set only when its scope exists (the connectivity component's output then holds its id).
        const present = (field: string, id: pulumi.Input<string | undefined> | undefined) =>
            id === undefined
                ? undefined
                : pulumi.output(id).apply((value) => {
                      if (value === undefined)
                          throw new Error(`privateLink.${field}: is empty (the DefenderConnectivity has no such scope); leave it unset`);
                      return value;
                  });
        const fleet = prepareFleet(this, name, settings, {
            arcScopeId: present("arcPrivateLinkScopeId", links.arcPrivateLinkScopeId),
            dataCollectionEndpointId: present("dataCollectionEndpointId", links.dataCollectionEndpointId),
        });
        this.readiness = readinessOf(fleet.mdePrerequisites);
        const byMachine = [...fleet.prerequisitesByMachine].map(([key, steps]) =>
            readinessOf(steps).apply((ready) => [key, ready] as const),
        );
        this.machineReadiness = pulumi.all(byMachine).apply((entries) => Object.fromEntries(entries));
        this.proxyBypass = pulumi.output(fleet.bypass);
        this.egress = pulumi.output(fleet.egress);
        this.proxyAllowlist = pulumi.output(proxyAllowlist(fleet.egress));
        this.squidAllowlist = pulumi.output(squidAllowlistSnippet(fleet.egress));
        this.registerOutputs({
            readiness: this.readiness,
            machineReadiness: this.machineReadiness,
            proxyBypass: this.proxyBypass,
            egress: this.egress,
            proxyAllowlist: this.proxyAllowlist,
            squidAllowlist: this.squidAllowlist,
        });
    }
}
