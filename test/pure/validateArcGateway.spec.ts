/**
 * `arcGateway` read on its own (sdk/validate/arcGateway.ts), with plain machines and context. The rules come from
 * Microsoft's Arc gateway page (MicrosoftDocs/azure-management-docs `articles/azure-arc/servers/arc-gateway.md`,
 * May 2026): public cloud only; "one Azure Arc gateway resource can handle 2,000 resources per Azure region";
 * agents 1.51 and later switch to the gateway by themselves; the "Azure Arc gateway manager" role is needed.
 * Gateway names and ids follow `Microsoft.HybridCompute/gateways` (letters, digits, "-", "_", ".").
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ArcGatewayContext, readArcGateway } from "../../sdk/validate/arcGateway";
import { NormalizedPrivateLink } from "../../sdk/validate/privateLink";
import { machinePlan, paths, read, SUB } from "./validateHelpers";

const GATEWAY_ID = `/subscriptions/${SUB}/resourceGroups/rg-gw/providers/Microsoft.HybridCompute/gateways/gw-1`;
const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

const context = (overrides: Partial<ArcGatewayContext> = {}): ArcGatewayContext => ({
    cloud: "AzureCloud",
    location: "westeurope",
    machines: [],
    rolloutMode: "machines",
    ...overrides,
});

const gateway = (value: unknown, overrides: Partial<ArcGatewayContext> = {}) =>
    read((problems) => readArcGateway(problems, value, context(overrides)));

/** The warning every gateway gets: the role the identity running `pulumi up` needs ("Required permissions"). */
const ROLE_WARNING = /^arcGateway: the identity that runs pulumi up needs the Azure Arc gateway manager role/;
/** The warning listed Arc machines get: agents before 1.51 need `azcmagent config set connection.type gateway`. */
const AGENT_WARNING =
    /^arcGateway: the listed Arc machines need Connected Machine agent 1\.51 or later .*azcmagent config set connection\.type gateway/;

const privateLink = (parts: Partial<NormalizedPrivateLink>): NormalizedPrivateLink => ({
    resourceGroupName: "rg-pl",
    virtualNetworkIds: [],
    existingDnsZoneIds: {},
    ...parts,
});

describe("arcGateway validation (sdk/validate/arcGateway.ts)", () => {
    it("absent: nothing to read and nothing said", () => {
        assert.deepEqual(gateway(undefined), { value: undefined, errors: [], warnings: [] });
    });

    it("a gateway to create takes the component's location unless given one, and keeps its optional fields", () => {
        const plain = gateway({ resourceGroupName: "rg-gw" });
        assert.deepEqual(plain.value, {
            create: { resourceGroupName: "rg-gw", gatewayName: undefined, location: "westeurope" },
            existingGatewayId: undefined,
            tenantId: undefined,
            machinesResourceGroupName: undefined,
        });
        assert.deepEqual(plain.errors, []);
        assert.equal(plain.warnings.length, 1);
        assert.match(plain.warnings[0], ROLE_WARNING);

        const full = gateway({
            resourceGroupName: "rg-gw",
            gatewayName: "gw_1-a.b",
            location: "northeurope",
            tenantId: TENANT,
            machinesResourceGroupName: "rg-machines",
        });
        assert.deepEqual(full.errors, []);
        assert.deepEqual(full.value, {
            create: { resourceGroupName: "rg-gw", gatewayName: "gw_1-a.b", location: "northeurope" },
            existingGatewayId: undefined,
            tenantId: TENANT,
            machinesResourceGroupName: "rg-machines",
        });
        // No location anywhere: the create is still described (the missing top-level location is reported there).
        assert.equal(gateway({ resourceGroupName: "rg-gw" }, { location: undefined }).value?.create?.location, "");
    });

    it("an existing gateway is used by id, in any letter case of the resource type", () => {
        for (const id of [GATEWAY_ID, GATEWAY_ID.replace("Microsoft.HybridCompute/gateways", "microsoft.hybridcompute/GATEWAYS")]) {
            const result = gateway({ existingGatewayId: id, tenantId: TENANT });
            assert.deepEqual(result.errors, [], id);
            assert.deepEqual(result.value, {
                create: undefined,
                existingGatewayId: id,
                tenantId: TENANT,
                machinesResourceGroupName: undefined,
            });
        }
    });

    it("an Output or a promise is taken as a resource group name or a gateway id", () => {
        const group = pulumi.output("rg-gw");
        assert.equal(gateway({ resourceGroupName: group }).value?.create?.resourceGroupName, group);
        const id = Promise.resolve(GATEWAY_ID);
        const result = gateway({ existingGatewayId: id });
        assert.deepEqual(result.errors, []);
        assert.equal(result.value?.existingGatewayId, id);
    });

    const refused: { name: string; value: unknown; errors: RegExp[] }[] = [
        { name: "not an object", value: "gw", errors: [/^arcGateway: expected an object, got "gw"$/] },
        {
            name: "no gateway named (empty, null or blank fields count as absent)",
            value: { resourceGroupName: "", existingGatewayId: null },
            errors: [/^arcGateway: names no gateway; give arcGateway\.resourceGroupName to create one, or arcGateway\.existingGatewayId/],
        },
        {
            name: "a resource group that is not a string",
            value: { resourceGroupName: 5 },
            errors: [
                /^arcGateway\.resourceGroupName: expected a string or an Output of one \(a resource group name\), got a number$/,
                /^arcGateway: names no gateway/,
            ],
        },
        {
            name: "a gateway id that is not a string",
            value: { existingGatewayId: true },
            errors: [
                /^arcGateway\.existingGatewayId: expected a string or an Output of one \(a gateway resource id\), got a boolean$/,
                /^arcGateway: names no gateway/,
            ],
        },
        {
            name: "a gateway id of another resource type",
            value: { existingGatewayId: GATEWAY_ID.replace("gateways", "machines") },
            errors: [
                /^arcGateway\.existingGatewayId: "\/subscriptions\/.*\/machines\/gw-1" is not a gateway resource id; give \/subscriptions\/<id>\/resourceGroups\/<group>\/providers\/Microsoft\.HybridCompute\/gateways\/<name>$/,
            ],
        },
        {
            name: "a gateway id with something before it",
            value: { existingGatewayId: `/x${GATEWAY_ID}` },
            errors: [/^arcGateway\.existingGatewayId: ".*" is not a gateway resource id/],
        },
        {
            name: "a gateway id with a child path",
            value: { existingGatewayId: `${GATEWAY_ID}/settings/default` },
            errors: [/^arcGateway\.existingGatewayId: ".*" is not a gateway resource id/],
        },
        {
            name: "both a gateway to create and one to use",
            value: { resourceGroupName: "rg-gw", existingGatewayId: GATEWAY_ID },
            errors: [
                /^arcGateway\.existingGatewayId: and arcGateway\.resourceGroupName both name a gateway; keep resourceGroupName to create one, or existingGatewayId/,
            ],
        },
        {
            name: "a name and a location for a gateway the component does not create",
            value: { existingGatewayId: GATEWAY_ID, gatewayName: "gw", location: "westeurope" },
            errors: [
                /^arcGateway\.gatewayName: only applies to a gateway the component creates \(arcGateway\.resourceGroupName\); remove it$/,
                /^arcGateway\.location: only applies to a gateway the component creates/,
            ],
        },
        {
            name: "a gateway name with a space",
            value: { resourceGroupName: "rg-gw", gatewayName: "gw 1" },
            errors: [/^arcGateway\.gatewayName: "gw 1" is not a gateway name; use letters, digits, "-", "_" and "\."$/],
        },
        {
            name: "a gateway name that is not a string",
            value: { resourceGroupName: "rg-gw", gatewayName: 7 },
            errors: [/^arcGateway\.gatewayName: a number is not a gateway name/],
        },
        {
            name: "a display-name location",
            value: { resourceGroupName: "rg-gw", location: "West Europe" },
            errors: [/^arcGateway\.location: "West Europe" is not a region name; use "westeurope"$/],
        },
        {
            name: "a tenant that is not a GUID",
            value: { resourceGroupName: "rg-gw", tenantId: "contoso.onmicrosoft.com" },
            errors: [/^arcGateway\.tenantId: is not a GUID; give the Entra tenant id$/],
        },
        {
            name: "a tenant GUID in a list",
            value: { resourceGroupName: "rg-gw", tenantId: [TENANT] },
            errors: [/^arcGateway\.tenantId: is not a GUID/],
        },
        {
            name: "a tenant that is not a string",
            value: { resourceGroupName: "rg-gw", tenantId: 1 },
            errors: [/^arcGateway\.tenantId: is not a GUID/],
        },
        {
            name: "an empty machines resource group",
            value: { resourceGroupName: "rg-gw", machinesResourceGroupName: "" },
            errors: [/^arcGateway\.machinesResourceGroupName: expected a resource group name$/],
        },
        {
            name: "a machines resource group that is not a string",
            value: { resourceGroupName: "rg-gw", machinesResourceGroupName: ["rg"] },
            errors: [/^arcGateway\.machinesResourceGroupName: expected a resource group name$/],
        },
        {
            name: "a misspelt field",
            value: { resourceGroupName: "rg-gw", gatewayname: "gw" },
            errors: [/^arcGateway\.gatewayname: is not a known field; did you mean "gatewayName"\?$/],
        },
    ];
    for (const { name, value, errors } of refused) {
        it(`refuses ${name}, naming the field`, () => {
            const result = gateway(value);
            assert.equal(result.errors.length, errors.length, result.errors.join("\n"));
            errors.forEach((pattern, i) => assert.match(result.errors[i], pattern));
        });
    }

    it("when both name a gateway, or neither does, no gateway is carried into the result", () => {
        for (const value of [{ resourceGroupName: "rg-gw", existingGatewayId: GATEWAY_ID }, {}]) {
            const result = gateway(value);
            assert.equal(result.errors.length, 1);
            assert.deepEqual([result.value?.create, result.value?.existingGatewayId], [undefined, undefined]);
        }
    });

    it("a refused field is not carried into the result", () => {
        const result = gateway({ resourceGroupName: "rg-gw", gatewayName: 7, tenantId: 1, machinesResourceGroupName: 2 });
        assert.deepEqual(result.value?.create, { resourceGroupName: "rg-gw", gatewayName: undefined, location: "westeurope" });
        assert.equal(result.value?.tenantId, undefined);
        assert.equal(result.value?.machinesResourceGroupName, undefined);
    });

    it("refuses the gateway outside the public cloud: 'used only for connectivity in the Azure public cloud'", () => {
        const result = gateway({ resourceGroupName: "rg-gw" }, { cloud: "AzureUSGovernment", location: "usgovvirginia" });
        assert.equal(result.errors.length, 1);
        assert.match(
            result.errors[0],
            /^arcGateway: the Azure Arc gateway serves the Azure public cloud only, and cloud is AzureUSGovernment; remove arcGateway/,
        );
    });

    it("refuses the gateway with an Arc Private Link Scope: Microsoft documents no road through both", () => {
        const arc = { location: "westeurope", publicNetworkAccess: true, privateEndpoint: true };
        const result = gateway({ resourceGroupName: "rg-gw" }, { privateLink: privateLink({ arc }) });
        assert.equal(result.errors.length, 1);
        assert.match(result.errors[0], /^arcGateway: and privateLink\.arc are two different roads for the Arc agent/);
        assert.deepEqual(gateway({ resourceGroupName: "rg-gw" }, { privateLink: privateLink({}) }).errors, []);
    });

    it("with an Azure Monitor private link, refuses each Arc machine with AMA (proxy.bypass AMA is not supported with a gateway), and only those", () => {
        const azureMonitor = { ingestionAccessMode: "PrivateOnly" as const, queryAccessMode: "Open" as const, privateEndpoint: true };
        const machines = [
            machinePlan(0, { kind: "arc", os: "linux" }),
            machinePlan(1, { kind: "arc", os: "windows" }, { azureMonitorAgent: false }),
            machinePlan(2, { kind: "azureVm", os: "linux" }),
            machinePlan(3, { kind: "arc", os: "windows" }),
        ];
        const result = gateway({ resourceGroupName: "rg-gw" }, { machines, privateLink: privateLink({ azureMonitor }) });
        assert.deepEqual(paths(result.errors), ["machines[0]", "machines[3]"]);
        for (const error of result.errors) {
            assert.match(
                error,
                /is an Arc machine with the Azure Monitor Agent, and privateLink\.azureMonitor needs the Arc agent's proxy\.bypass \(AMA\), which the Arc gateway does not support/,
            );
        }
        assert.deepEqual(gateway({ resourceGroupName: "rg-gw" }, { machines }).errors, [], "no Azure Monitor private link: no conflict");
    });

    it("refuses policy mode, where unlisted machines would lose the Arc hosts", () => {
        const result = gateway({ resourceGroupName: "rg-gw" }, { rolloutMode: "policy" });
        assert.equal(result.errors.length, 1);
        assert.match(result.errors[0], /^arcGateway: needs rollout\.mode machines/);
    });

    it("warns about the agent version only when Arc machines are listed", () => {
        const vmOnly = gateway({ resourceGroupName: "rg-gw" }, { machines: [machinePlan(0, { kind: "azureVm", os: "windows" })] });
        assert.equal(vmOnly.warnings.length, 1);
        assert.match(vmOnly.warnings[0], ROLE_WARNING);
        const withArc = gateway({ resourceGroupName: "rg-gw" }, { machines: [machinePlan(0, { kind: "arc", os: "linux" })] });
        assert.equal(withArc.warnings.length, 2);
        assert.match(withArc.warnings[0], AGENT_WARNING);
        assert.match(withArc.warnings[1], ROLE_WARNING);
    });

    it("warns when one region holds more than 2,000 Arc machines; Azure VMs and other regions do not count", () => {
        const arcIn = (count: number, location: string, from = 0) =>
            Array.from({ length: count }, (_, i) => machinePlan(from + i, { kind: "arc", os: "linux", location }));
        const sizeWarnings = (machines: ReturnType<typeof machinePlan>[]) =>
            gateway({ resourceGroupName: "rg-gw" }, { machines }).warnings.filter((w) => /share one gateway/.test(w));

        const atLimit = [
            ...arcIn(2000, "westeurope"),
            ...arcIn(2000, "northeurope", 2000),
            machinePlan(4000, { kind: "azureVm", os: "linux" }),
        ];
        assert.deepEqual(sizeWarnings(atLimit), []);
        const over = [...arcIn(2001, "westeurope"), ...arcIn(3, "northeurope", 2001)];
        assert.deepEqual(sizeWarnings(over), [
            "arcGateway: 2001 Arc machines in westeurope share one gateway; Microsoft plans one gateway per 2000 servers per region (and allows five per subscription): split the machines across components with an existing gateway each",
        ]);
    });
});
