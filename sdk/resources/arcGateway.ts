/**
 * The Azure Arc gateway: the gateway itself (created, or an existing one by id), the association
 * of every listed Arc machine with it, and the onboarding commands for new machines.
 *
 * azure-native v3 has `hybridcompute.Gateway` (API 2024-07-31-preview) but no resource for the
 * association, `Microsoft.HybridCompute/settings` (an extension resource named `default` on the
 * machine, what `az arcgateway settings update --gateway-resource-id` writes), so each machine's
 * association is a small resource-group deployment (`plan/arcGateway.ts`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as hybridcompute from "@pulumi/azure-native/hybridcompute";
import * as resources from "@pulumi/azure-native/resources";
import { gatewayAssociationTemplate, gatewayOnboardingCommands } from "../plan/arcGateway";
import { machineResourceName, withAliases } from "../plan/machineNames";
import { OnboardingCommands } from "../plan/privateLink";
import { NormalizedArgs } from "../validate";
import { GATEWAY_ID } from "../validate/arcGateway";

/** What the component exposes about the gateway; every value is undefined without `arcGateway`. */
export interface ArcGatewayResources {
    /** Resource id of the gateway the machines use. */
    gatewayId: pulumi.Output<string | undefined>;
    /** The gateway's host (`<prefix>.gw.arc.azure.com`), once Azure has made it. */
    gatewayEndpoint: pulumi.Output<string | undefined>;
    /** Onboarding commands with `--gateway-id`. */
    onboardingCommands: pulumi.Output<OnboardingCommands | undefined>;
}

/** Declares the gateway (or reads the existing one) and associates each listed Arc machine with it. */
export function declareArcGateway(parent: pulumi.Resource, name: string, args: NormalizedArgs): ArcGatewayResources {
    const settings = args.arcGateway;
    if (settings === undefined) {
        return {
            gatewayId: pulumi.output(undefined),
            gatewayEndpoint: pulumi.output(undefined),
            onboardingCommands: pulumi.output(undefined),
        };
    }
    // Kept on delete like the plan: deleting the gateway under associated machines would cut their Arc agents off.
    const retainOnDelete = args.retainProtectionOnDelete;
    let gatewayId: pulumi.Output<string>;
    let gatewayEndpoint: pulumi.Output<string | undefined>;
    if (settings.create !== undefined) {
        const gateway = new hybridcompute.Gateway(
            `${name}-arc-gateway`,
            {
                resourceGroupName: settings.create.resourceGroupName,
                gatewayName: settings.create.gatewayName,
                location: settings.create.location,
                // `Public` is the only gateway type, and `*` allows every feature: Azure/bicep-registry-modules
                // `avm/res/hybrid-compute/gateway` (its defaults), as `az arcgateway create` makes it.
                gatewayType: "Public",
                allowedFeatures: ["*"],
            },
            { parent, retainOnDelete },
        );
        gatewayId = gateway.id;
        gatewayEndpoint = gateway.gatewayEndpoint;
    } else {
        gatewayId = pulumi.output(settings.existingGatewayId as pulumi.Input<string>);
        const parts = gatewayId.apply((id) => GATEWAY_ID.exec(id));
        gatewayEndpoint = hybridcompute.getGatewayOutput(
            { resourceGroupName: parts.apply((p) => p?.[2] ?? ""), gatewayName: parts.apply((p) => p?.[3] ?? "") },
            { parent },
        ).gatewayEndpoint;
    }

    for (const machine of args.machines.filter((m) => m.kind === "arc")) {
        const named = machineResourceName(name, "arc-gateway-link", machine);
        new resources.Deployment(
            named.name,
            {
                resourceGroupName: machine.resourceGroupName,
                // At most 21 + 40 characters (keys are at most 40): within ARM's 64 for a deployment name.
                deploymentName: `defender-arc-gateway-${machine.key}`,
                properties: {
                    mode: "Incremental",
                    template: gatewayAssociationTemplate(),
                    parameters: { machineName: { value: machine.name }, gatewayResourceId: { value: gatewayId } },
                },
            },
            withAliases({ parent, retainOnDelete }, named),
        );
    }

    const onboardingCommands = pulumi.all([gatewayId, settings.create?.resourceGroupName]).apply(([id, createdIn]) =>
        gatewayOnboardingCommands({
            subscriptionId: args.subscriptionId,
            resourceGroupName: settings.machinesResourceGroupName ?? createdIn ?? GATEWAY_ID.exec(id)?.[2] ?? "",
            location: args.location,
            gatewayId: id,
            tenantId: settings.tenantId,
            proxyUrl: args.proxy?.url,
        }),
    );
    return { gatewayId, gatewayEndpoint, onboardingCommands };
}
