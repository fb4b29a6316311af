/**
 * The scope components as a Python, Go, C#, Java or YAML program gets them: the component
 * provider is started the way the Node.js language host starts a source plugin (run-plugin),
 * and each component is asked for with `Construct` over gRPC, one call per component, each
 * with its own resource-monitor connection, as the engine does. The resource monitor is a small
 * gRPC server here that records every registration. It shows that one subscription's second
 * owner is refused, and that the MDE settings wait for the machines' proxy run commands when
 * the readiness output is passed across components as an input with its dependencies.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { HostedProcess, PluginCheckout, pluginCheckout, startHosted } from "./languageHost";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
/* eslint-disable @typescript-eslint/no-require-imports */
const providerRpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerMessages = require("@pulumi/pulumi/proto/provider_pb");
const monitorRpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const monitorMessages = require("@pulumi/pulumi/proto/resource_pb");
const structPb = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }));
const emptyPb = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [pulumiDir] }));
const engineRpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engineMessages = require("@pulumi/pulumi/proto/engine_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const PROJECT = "yaml-program";
const STACK = "dev";
const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";

/** One registration the monitor received. */
interface Registration {
    urn: string;
    type: string;
    name: string;
    parent: string;
    dependencies: string[];
    inputs: Record<string, unknown>;
}

/** A resource monitor (and the engine's log service) that answers like an engine running `pulumi up` and keeps every registration. */
async function startRecordingMonitor(): Promise<{ address: string; registrations: Registration[]; logs: string[]; stop: () => void }> {
    const registrations: Registration[] = [];
    const logs: string[] = [];
    const qualifiedTypes = new Map<string, string>();
    const server = new grpc.Server();
    server.addService(monitorRpc.ResourceMonitorService, {
        supportsFeature: (call: any, callback: any) => {
            const response = new monitorMessages.SupportsFeatureResponse();
            response.setHassupport(["secrets", "resourceReferences"].includes(call.request.getId()));
            callback(null, response);
        },
        registerResource: (call: any, callback: any) => {
            const req = call.request;
            const parent: string = req.getParent();
            const qualified = parent && qualifiedTypes.has(parent) ? `${qualifiedTypes.get(parent)}$${req.getType()}` : req.getType();
            const urn = `urn:pulumi:${STACK}::${PROJECT}::${qualified}::${req.getName()}`;
            if (registrations.some((r) => r.urn === urn))
                return callback({ code: grpc.status.ALREADY_EXISTS, details: `Duplicate resource URN '${urn}'` });
            qualifiedTypes.set(urn, qualified);
            const inputs = req.getObject()?.toJavaScript() ?? {};
            registrations.push({ urn, type: req.getType(), name: req.getName(), parent, dependencies: req.getDependenciesList(), inputs });
            const response = new monitorMessages.RegisterResourceResponse();
            response.setUrn(urn);
            if (req.getCustom()) response.setId(`/subscriptions/${SUBSCRIPTION}/providers/test/${req.getName()}`);
            response.setObject(structPb.Struct.fromJavaScript(req.getCustom() ? { ...inputs, name: req.getName() } : {}));
            callback(null, response);
        },
        registerResourceOutputs: (_call: any, callback: any) => callback(null, new emptyPb.Empty()),
        invoke: (call: any, callback: any) => {
            // getClientConfig signs in to the component's subscription; getPricing reads a subscription new to the plan.
            const response = new monitorMessages.ResourceInvokeResponse();
            const token: string = call.request.getTok();
            response.setReturn(structPb.Struct.fromJavaScript(token.endsWith("getClientConfig") ? { subscriptionId: SUBSCRIPTION } : {}));
            callback(null, response);
        },
    });
    server.addService(engineRpc.EngineService, {
        log: (call: any, callback: any) => {
            logs.push(call.request.getMessage());
            callback(null, new emptyPb.Empty());
        },
        getRootResource: (_call: any, callback: any) => callback(null, new engineMessages.GetRootResourceResponse()),
        setRootResource: (_call: any, callback: any) => callback(null, new engineMessages.SetRootResourceResponse()),
    });
    const port: number = await new Promise((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: Error | null, p: number) =>
            err ? reject(err) : resolve(p),
        ),
    );
    return { address: `127.0.0.1:${port}`, registrations, logs, stop: () => server.forceShutdown() };
}

describe("scope components served by the component provider to a non-TypeScript program", function () {
    this.timeout(240_000);
    let checkout: PluginCheckout;
    let plugin: HostedProcess | undefined;
    let client: any;
    let monitor: Awaited<ReturnType<typeof startRecordingMonitor>>;

    before(async () => {
        checkout = pluginCheckout("defender-scopes-");
        monitor = await startRecordingMonitor();
        const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [checkout.repo] });
        plugin = await startHosted(runPlugin, [checkout.repo, monitor.address], checkout.program, "the provider");
        client = new providerRpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        if (process.env.SCOPES_DEBUG) process.stderr.write(`${plugin?.stderr()}\n${monitor.logs.join("\n")}\n`);
        client?.close();
        monitor?.stop();
        plugin?.child.kill();
        fs.rmSync(checkout.scratch, { recursive: true, force: true });
    });

    /** One `Construct` call as the engine makes it for a program's resource: inputs, and for each input the URNs it depends on. */
    function construct(
        type: string,
        name: string,
        inputs: Record<string, unknown>,
        inputDependencies: Record<string, string[]> = {},
        dependsOn: string[] = [],
    ): Promise<any> {
        const req = new providerMessages.ConstructRequest();
        req.setProject(PROJECT);
        req.setStack(STACK);
        req.setDryrun(false);
        req.setParallel(4);
        req.setMonitorendpoint(monitor.address);
        req.setType(`defender-servers:index:${type}`);
        req.setName(name);
        req.setInputs(structPb.Struct.fromJavaScript(inputs));
        req.setDependenciesList(dependsOn);
        for (const [key, urns] of Object.entries(inputDependencies)) {
            const deps = new providerMessages.ConstructRequest.PropertyDependencies();
            deps.setUrnsList(urns);
            req.getInputdependenciesMap().set(key, deps);
        }
        return new Promise((resolve, reject) =>
            client.construct(req, (err: Error | null, response: any) => (err ? reject(err) : resolve(response))),
        );
    }

    const machineArgs = (key: string) => ({
        subscriptionId: SUBSCRIPTION,
        location: "westeurope",
        proxy: { address: "http://proxy.corp.example:3128" },
        machines: [{ key, kind: "arc", os: "linux", resourceGroupName: "rg", name: key }],
    });

    it("holds the MDE order across components: the MDE settings wait for the machines' proxy run commands, passed as the readiness input", async () => {
        const machines = await construct("DefenderMachines", "east", machineArgs("m-east"));
        const state = machines.getState().toJavaScript();
        assert.equal(state.readiness, "ready");
        const readinessDeps: string[] = machines.getStatedependenciesMap().get("readiness")?.getUrnsList() ?? [];
        const commands = monitor.registrations.filter(
            (r) => r.name.startsWith("east-") && r.type === "azure-native:hybridcompute:MachineRunCommand",
        );
        assert.deepEqual(
            commands.map((c) => c.name).sort(),
            ["east-arc-agent-proxy-m-east", "east-arc-agent-proxy-verify-m-east", "east-os-proxy-m-east"].filter((n) =>
                commands.some((c) => c.name === n),
            ),
        );
        assert.ok(commands.length >= 2, "the machines component registered no proxy run command");
        for (const command of commands) assert.ok(readinessDeps.includes(command.urn), `readiness does not carry ${command.name}`);

        // The program passes the output on, as YAML's ${east.readiness} does: the value and its dependencies.
        await construct(
            "DefenderSubscription",
            "owner",
            { subscriptionId: SUBSCRIPTION, location: "westeurope", readiness: [state.readiness] },
            { readiness: readinessDeps },
        );
        const settings = monitor.registrations.find((r) => r.name === "owner-mde-integration");
        assert.ok(settings !== undefined, "no MDE settings registered");
        for (const command of commands)
            assert.ok(settings!.dependencies.includes(command.urn), `owner-mde-integration does not wait for ${command.name}`);
        const plan = monitor.registrations.find((r) => r.name === "owner-plan")!;
        assert.ok(plan.dependencies.includes(settings!.urn), "the plan does not wait for the MDE settings");
    });

    it("refuses a second owner of the subscription in the same deployment, though each Construct has its own connection", async () => {
        await assert.rejects(
            construct("DefenderSubscription", "second", { subscriptionId: SUBSCRIPTION, location: "westeurope" }),
            /"owner" already owns the plan and MDE settings of subscription 11111111-2222-3333-4444-555555555555/,
        );
        await assert.rejects(
            construct("DefenderForServersNetworkRestricted", "all-in-one", { subscriptionId: SUBSCRIPTION, location: "westeurope" }),
            /"owner" already owns the plan and MDE settings/,
        );
        assert.ok(
            !monitor.registrations.some((r) => r.name.startsWith("second") || r.name.startsWith("all-in-one")),
            "a refused owner registered resources",
        );
    });

    it("the all-in-one: an owner listing a preparer in dependsOn (a URN, as the engine passes it) waits for its proxies; one that does not list it is refused", async () => {
        const third = "33333333-2222-3333-4444-555555555555";
        const preparer = await construct("DefenderForServersNetworkRestricted", "prep", {
            ...machineArgs("m-prep"),
            subscriptionId: third,
            ownsSubscriptionSettings: false,
        });
        await assert.rejects(
            construct("DefenderForServersNetworkRestricted", "careless", { subscriptionId: third, location: "westeurope" }),
            /dependsOn: "careless" owns subscription 33333333-2222-3333-4444-555555555555 but does not wait for "prep"/,
        );
        await construct("DefenderForServersNetworkRestricted", "careful", { subscriptionId: third, location: "westeurope" }, {}, [
            preparer.getUrn(),
        ]);
        const settings = monitor.registrations.find((r) => r.name === "careful-mde-integration");
        assert.ok(settings !== undefined, "the owner registered no MDE settings");
        const commands = monitor.registrations.filter(
            (r) => r.name.startsWith("prep-") && r.type === "azure-native:hybridcompute:MachineRunCommand",
        );
        assert.ok(commands.length >= 2);
        for (const command of commands)
            assert.ok(settings!.dependencies.includes(command.urn), `careful-mde-integration does not wait for ${command.name}`);
    });

    it("accepts an owner of another subscription in the same deployment", async () => {
        const other = "99999999-2222-3333-4444-555555555555";
        await construct("DefenderSubscription", "other", { subscriptionId: other, location: "westeurope" });
        assert.ok(monitor.registrations.some((r) => r.name === "other-plan"));
    });
});
