/**
 * The policy pack on policy mode: the component's default policy rollout passes every check; what
 * the pack refuses in a management group with no remediated subscription, and a credential
 * anywhere in a policy definition or assignment, named by path and never by value.
 */
import { strict as assert } from "node:assert";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { noCredentialsInPolicies, policyModeWaitsForTheProxy } from "../policy/policyModeRules";
import { policies } from "../policy/policies";
import { ResourceLike, StackLike, StackResourceLike } from "../policy/rules";
import { inputs, MINIMAL } from "./harness";

const SECRET = "S3cret-Proxy-Pa55!";

function asStack(run: RunResult): StackLike {
    const byUrn = new Map<string, StackResourceLike>();
    for (const r of run.resources)
        byUrn.set(r.urn, { type: r.type, name: r.name, urn: r.urn, props: inputs(r), dependencies: [], propertyDependencies: {} });
    for (const r of run.resources) byUrn.get(r.urn)!.dependencies = r.dependencies.flatMap((u) => byUrn.get(u) ?? []);
    return { resources: [...byUrn.values()] };
}

async function stackOf(args: DefenderForServersNetworkRestrictedArgs): Promise<StackLike> {
    const run = await runProgram(() => void new DefenderForServersNetworkRestricted("d", args));
    assert.deepEqual(run.errors, []);
    return asStack(run);
}

/** Every finding of the whole pack (resource and stack checks, as served). */
function findings(stack: StackLike): string[] {
    const found: string[] = [];
    for (const policy of policies) {
        const report = (message: string) => found.push(`${policy.name}: ${message}`);
        if ("validateStack" in policy && policy.validateStack) (policy.validateStack as any)({ ...stack, getConfig: () => ({}) }, report);
        else for (const r of stack.resources) ((policy as any).validateResource as any)({ ...r, getConfig: () => ({}) }, report);
    }
    return found;
}

const policyArgs = (rollout: Record<string, unknown> = {}): DefenderForServersNetworkRestrictedArgs => ({
    ...MINIMAL,
    proxy: { address: "http://proxy.corp.example:3128" },
    machines: [{ key: "vm", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "vm-1" }],
    rollout: { mode: "policy", ...rollout },
});

describe("policy pack on policy mode", () => {
    it("the component's default policy rollout passes every check of the pack", async () => {
        assert.deepEqual(findings(await stackOf(policyArgs())), []);
    });

    it("a management group with no subscription to remediate is refused, naming the group", async () => {
        const stack = await stackOf(policyArgs({ scope: "/providers/Microsoft.Management/managementGroups/servers" }));
        const found: string[] = [];
        policyModeWaitsForTheProxy(stack, (m) => found.push(m));
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(
            found[0],
            /deploys the operating-system proxy only to machines created or changed later: it is assigned at management group \/providers\/Microsoft\.Management\/managementGroups\/servers and no subscription below it is remediated/,
        );
        assert.match(found[0], /\{"policy-mode-waits-for-the-proxy": \{"allowNoRemediation": true\}\}/);
        const listed = await stackOf(
            policyArgs({
                scope: "/providers/Microsoft.Management/managementGroups/servers",
                remediationSubscriptionIds: [MINIMAL.subscriptionId],
            }),
        );
        const none: string[] = [];
        policyModeWaitsForTheProxy(listed, (m) => none.push(m));
        assert.deepEqual(none, []);
    });

    it("a credential in a DeployIfNotExists template, a run-command parameter or an assignment fails, named by path only", async () => {
        const stack = await stackOf(policyArgs());
        const definition = stack.resources.find((r) => r.name === "d-policy-os-proxy-vm-linux")!;
        const template = definition.props.policyRule.then.details.deployment.properties.template;
        const planted: ResourceLike = JSON.parse(JSON.stringify(definition));
        const plantedTemplate = planted.props.policyRule.then.details.deployment.properties.template;
        plantedTemplate.resources[0].properties.parameters.push({ name: "ProxyPassword", value: SECRET });
        plantedTemplate.resources.push({
            type: "Microsoft.Compute/virtualMachines/extensions",
            properties: { protectedSettings: { proxy: { password: SECRET } } },
        });
        const found: string[] = [];
        noCredentialsInPolicies(planted, (m) => found.push(m));
        assert.equal(found.length, 2, found.join("\n"));
        assert.match(
            found[0],
            /^Policy resource "d-policy-os-proxy-vm-linux" has a credential in policyRule\.then\.details\.deployment\.properties\.template\.resources\[1\]\.properties\.protectedSettings\.proxy\.password; .*readable by anyone with Reader/,
        );
        assert.match(found[1], /resources\[0\]\.properties\.parameters\[\d+\] \(ProxyPassword\)/);
        for (const message of found) assert.ok(!message.includes(SECRET), "a finding repeats the secret");
        // The unplanted definition is clean.
        const clean: string[] = [];
        noCredentialsInPolicies(definition, (m) => clean.push(m));
        assert.deepEqual(clean, []);
        assert.ok(template.resources.length === 1);
        const assignment: ResourceLike = {
            type: "azure-native:authorization:PolicyAssignment",
            name: "a",
            urn: "u",
            props: { parameters: { proxyUrl: { value: `http://svc:${SECRET}@proxy:3128` } } },
        };
        const fromAssignment: string[] = [];
        noCredentialsInPolicies(assignment, (m) => fromAssignment.push(m));
        assert.deepEqual(
            fromAssignment.map((m) => /credential in (\S+);/.exec(m)![1]),
            ["parameters.proxyUrl.value"],
        );
    });

    it("a rollout whose gate is gone is refused: nothing waits for the remediation", async () => {
        const stack = await stackOf(policyArgs());
        const withoutGate = { resources: stack.resources.filter((r) => !r.name.endsWith("-policy-remediation-gate")) };
        const found: string[] = [];
        policyModeWaitsForTheProxy(withoutGate, (m) => found.push(m));
        assert.equal(found.length, 1);
        assert.match(found[0], /has remediation tasks that nothing waits for/);
    });
});
