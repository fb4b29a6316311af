/**
 * The policy pack as the engine runs it: started the way the Node.js language host starts a pack
 * (`run-policy-pack`, under its own ts-node with type checking) and asked over gRPC for its
 * policies, their config schemas, an analysis and a Configure. A release-tier spec (docs/testing.md):
 * it starts a process that type-checks the pack, once per `npm test`, like the schema over gRPC.
 */
import { strict as assert } from "node:assert";
import { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONFIG_SCHEMAS, policies, POLICY_PACK_NAME } from "../policy/policies";
import { TYPES } from "../policy/rules";
import { startHosted } from "./languageHost";

const urnOf = (type: string, name: string): string => `urn:pulumi:dev::app::${type}::${name}`;

describe("policy pack, started as `pulumi preview --policy-pack policy` starts it", function () {
    this.timeout(120000);
    const ROOT = path.resolve(__dirname, "..");
    let scratch: string;
    let child: ChildProcess | undefined;

    before(() => {
        // policy/ as a user has it after `npm install` there (its dependencies linked from here).
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "defender-policy-"));
        for (const file of fs.readdirSync(path.join(ROOT, "policy"))) {
            if (file !== "node_modules") fs.cpSync(path.join(ROOT, "policy", file), path.join(scratch, file), { recursive: true });
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(scratch, "node_modules"));
    });

    after(() => {
        child?.kill();
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("serves its seven mandatory policies and their config schemas over gRPC, reports a Free plan, and applies config sent through Configure", async () => {
        // What the Node.js language host runs for a policy pack: `node <run-policy-pack> <engine> <pack directory>`, in that directory.
        const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [scratch] });
        const hosted = await startHosted(runPolicyPack, ["127.0.0.1:1", scratch], scratch, "the policy pack");
        child = hosted.child;
        const port = hosted.port;

        const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
        const from = (module: string) => require(require.resolve(module, { paths: [pulumiDir] }));
        const grpc = from("@grpc/grpc-js");
        const { Empty } = from("google-protobuf/google/protobuf/empty_pb.js");
        const { Struct } = from("google-protobuf/google/protobuf/struct_pb.js");
        const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
        const messages = require("@pulumi/pulumi/proto/analyzer_pb");
        const client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const call = <T>(method: string, request: unknown): Promise<T> =>
            new Promise((resolve, reject) =>
                client[method](request, (err: Error | null, response: T) => (err ? reject(err) : resolve(response))),
            );

        const info = await call<any>("getAnalyzerInfo", new Empty());
        const MANDATORY = 1; // EnforcementLevel.MANDATORY in analyzer.proto
        assert.equal(info.getName(), POLICY_PACK_NAME);
        assert.deepEqual(
            info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]),
            policies.map((p) => [p.name, MANDATORY]),
        );

        /** What the engine sends for one `security:Pricing` resource. */
        const pricingRequest = (name: string, properties: Record<string, string>) => {
            const analyze = new messages.AnalyzeRequest();
            analyze.setType(TYPES.pricing);
            analyze.setName(name);
            analyze.setUrn(urnOf(TYPES.pricing, name));
            analyze.setOptions(new messages.AnalyzerResourceOptions());
            analyze.setProperties(Struct.fromJavaScript(properties));
            return analyze;
        };
        const request = pricingRequest("d-plan", { pricingName: "VirtualMachines", pricingTier: "Free", subPlan: "P2" });
        const result = await call<any>("analyze", request);
        assert.deepEqual(
            result.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage().split("\n").pop()]),
            [
                [
                    "defender-for-servers-standard",
                    MANDATORY,
                    'Defender for Servers pricing "d-plan" (pricingName VirtualMachines) has pricingTier "Free"; it must be "Standard", or the subscription\'s servers are not protected (Free has no Defender for Servers).',
                ],
            ],
        );

        // The schema reaches the CLI (which checks --policy-pack-config against it), and the config reaches the rule through Configure.
        const served = info.getPoliciesList().find((p: any) => p.getName() === "defender-for-servers-standard");
        assert.deepEqual(
            served.getConfigschema().getProperties().toJavaScript(),
            CONFIG_SCHEMAS["defender-for-servers-standard"].properties,
        );
        const exclusion = pricingRequest("d-plan-lnx-arc", {
            scopeId: "/subscriptions/s/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/machines/lnx-arc",
            pricingName: "VirtualMachines",
            pricingTier: "Free",
        });
        const policiesOf = async () => (await call<any>("analyze", exclusion)).getDiagnosticsList().map((d: any) => d.getPolicyname());
        assert.deepEqual(await policiesOf(), ["defender-for-servers-standard"]);
        const configure = new messages.ConfigureAnalyzerRequest();
        const config = new messages.PolicyConfig();
        config.setEnforcementlevel(MANDATORY);
        config.setProperties(Struct.fromJavaScript({ allowMachineExclusions: true }));
        configure.getPolicyconfigMap().set("defender-for-servers-standard", config);
        await call("configure", configure);
        assert.deepEqual(await policiesOf(), []);
        assert.equal((await call<any>("analyze", request)).getDiagnosticsList().length, 1, "a Free subscription still fails");
        client.close();
    });
});
