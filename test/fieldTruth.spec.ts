// Field truth, round 3 (issue 26): what a real fleet and Microsoft's 2025-2026 pages still caught.
// Each block asserts what Azure receives or the message a user reads; the expected hosts, names
// and rules are Microsoft's (cited in the code under test and in docs/field-notes.md), written
// out here by hand rather than read from the component.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { runProgram, RunResult } from "../sdk/preview/engine";
import { reveal, PropertyValue } from "../sdk/preview/values";
import { ValidationError, validate } from "../sdk/validate";
import { claimMachines, deploymentKey } from "../sdk/resources/machineRegistry";
import { arcPreflightProblems } from "../sdk/plan/arcPreflight";
import { MINIMAL, SUBSCRIPTION, construct, inputs, named, ofType } from "./harness";
import { runPreviewCli } from "./previewCli";

const PROXY = { address: "http://proxy.corp.example:3128" };
const SUBNET = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints`;
const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

const parameter = (command: Record<string, any>, name: string): string | undefined =>
    (command.parameters as Array<{ name: string; value: string }>).find((p) => p.name === name)?.value;

/** The messages of a refused args object, as `path: message`. */
function refused(args: unknown): string[] {
    try {
        validate(args);
    } catch (err) {
        assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
        return err.problems.map((p) => `${p.path}: ${p.message}`);
    }
    assert.fail("expected the args to be refused");
}

/** The component's outputs, with `args`, in an update or a preview. */
async function outputsOf(
    args: DefenderForServersNetworkRestrictedArgs,
    preview = false,
): Promise<{ run: RunResult; out: Record<string, any> }> {
    const run = await runProgram(
        () => {
            const d = new DefenderForServersNetworkRestricted("d", args);
            return {
                egress: d.egress,
                proxyAllowlist: d.proxyAllowlist,
                squidAllowlist: d.squidAllowlist,
                proxyBypass: d.proxyBypass,
                egressNotes: d.egressNotes,
            };
        },
        { preview },
    );
    assert.deepEqual(run.errors, []);
    return { run, out: reveal(run.outputs as PropertyValue) as Record<string, any> };
}

const arcMachine = (key: string, arcPrivateLinkScope?: "none" | "associated" | "associateByPolicy") => ({
    key,
    kind: "arc" as const,
    os: "linux" as const,
    resourceGroupName: "rg-arc",
    name: key,
    ...(arcPrivateLinkScope === undefined ? {} : { arcPrivateLinkScope }),
});

function arcScopeFleet(
    machines: ReturnType<typeof arcMachine>[],
    overrides: Partial<DefenderForServersNetworkRestrictedArgs> = {},
): DefenderForServersNetworkRestrictedArgs {
    return {
        ...MINIMAL,
        proxy: PROXY,
        machines,
        privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, arc: { tenantId: TENANT } },
        ...overrides,
    };
}

describe("field truth: a mixed Arc fleet behind an Arc Private Link Scope", () => {
    // azure-management-docs private-link-security.md: a machine reaches the scope only once associated; the
    // others keep the public Arc hosts (network-requirements.md: *.his.arc.azure.com, *.guestconfiguration.azure.com).
    const mixed = arcScopeFleet([arcMachine("arc-in", "associated"), arcMachine("arc-out", "none")]);

    it("keeps the Arc hosts on the proxy's list, its Squid snippet, and off the bypass list", async () => {
        const { out } = await outputsOf(mixed);
        const route = (host: string) => out.egress.find((e: any) => e.host === host)?.route;
        assert.equal(route("*.his.arc.azure.com"), "proxy");
        assert.equal(route("*.guestconfiguration.azure.com"), "proxy");
        assert.ok(out.proxyAllowlist.includes("*.his.arc.azure.com"));
        assert.ok(out.proxyAllowlist.includes("*.guestconfiguration.azure.com"));
        assert.match(out.squidAllowlist, /^acl defender_servers dstdomain .*\.his\.arc\.azure\.com/m);
        assert.match(out.squidAllowlist, /^acl defender_servers dstdomain .*\.guestconfiguration\.azure\.com/m);
        assert.ok(!out.proxyBypass.includes("*.his.arc.azure.com"), "an unassociated machine must not bypass the proxy for Arc");
        assert.ok(out.egressNotes.some((n: string) => /not associated with it/.test(n)));
    });

    it("the unassociated machine proves the Arc hosts through the proxy, the associated one its private endpoint", async () => {
        const run = await construct(mixed);
        const outside = inputs(named(run, "d-os-proxy-arc-out"));
        const inside = inputs(named(run, "d-os-proxy-arc-in"));
        const proxied = (command: Record<string, any>) => (parameter(command, "ROUTE_CHECK_HOSTS") ?? "").split(",");
        const privately = (command: Record<string, any>) => (parameter(command, "ROUTE_CHECK_PRIVATE_HOSTS") ?? "").split(",");
        assert.ok(proxied(outside).includes("gbl.his.arc.azure.com:443"), proxied(outside).join(","));
        assert.ok(proxied(outside).includes("agentserviceapi.guestconfiguration.azure.com:443"));
        assert.ok(!privately(outside).includes("gbl.his.arc.azure.com"));
        assert.ok(privately(inside).includes("gbl.his.arc.azure.com"));
        assert.ok(!proxied(inside).includes("gbl.his.arc.azure.com:443"));
    });

    it("a fleet whose Arc machines are all associated still sends the Arc hosts to the private endpoint", async () => {
        const { out } = await outputsOf(arcScopeFleet([arcMachine("arc-in", "associated")]));
        assert.equal(out.egress.find((e: any) => e.host === "*.his.arc.azure.com").route, "privateLink");
        assert.ok(!out.proxyAllowlist.includes("*.his.arc.azure.com"));
    });

    it("policy mode cannot know which machines are associated: the Arc hosts stay on the proxy's list", async () => {
        const { out } = await outputsOf(arcScopeFleet([], { rollout: { mode: "policy" } }));
        assert.ok(out.proxyAllowlist.includes("*.his.arc.azure.com"));
        assert.ok(out.proxyAllowlist.includes("*.guestconfiguration.azure.com"));
    });
});

describe("field truth: Defender for Servers on one machine", () => {
    const vm = {
        key: "vm-1",
        kind: "azureVm" as const,
        os: "linux" as const,
        resourceGroupName: "rg",
        name: "vm-1",
        systemAssignedIdentity: true,
    };

    it("P1 on a machine under a Plan 2 subscription, as Microsoft documents: Azure receives a P1 pricing at the VM's scope", async () => {
        const run = await construct({ ...MINIMAL, machines: [{ ...vm, defenderPlan: "P1" }] });
        assert.equal(inputs(named(run, "d-plan")).subPlan, "P2");
        const machine = ofType(run, "azure-native:security:Pricing").find((p) => p.name !== "d-plan")!;
        assert.deepEqual(inputs(machine), {
            scopeId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1`,
            pricingName: "VirtualMachines",
            pricingTier: "Standard",
            subPlan: "P1",
        });
    });

    it("plan.enforce is sent as the pricing's enforce flag, and refused with a machine's own plan", async () => {
        const run = await construct({ ...MINIMAL, plan: { enforce: false } as any, machines: [{ ...vm, defenderPlan: "Free" }] });
        assert.equal(inputs(named(run, "d-plan")).enforce, "False");
        const [message] = refused({ ...MINIMAL, plan: { enforce: true }, machines: [{ ...vm, defenderPlan: "Free" }] });
        assert.match(message, /^plan\.enforce: is true, which forces the subscription's plan on every machine .*vm-1 \(Free\)/);
    });

    it("a subscription that enforces its plan already fails the machine's pricing at up, with the reason", async () => {
        const run = await runProgram(
            () => new DefenderForServersNetworkRestricted("d", { ...MINIMAL, machines: [{ ...vm, defenderPlan: "P1" }] }),
            {
                invokeResults: { "azure-native:security:getPricing": { pricingTier: "Standard", subPlan: "P2", enforce: "True" } },
            },
        );
        assert.ok(
            run.errors.some((e) =>
                /enforce: True, which forces its plan on every machine, so Azure refuses a machine's own plan \(vm-1\)/.test(e),
            ),
            run.errors.join("\n"),
        );
    });
});

describe("field truth: one machine, listed once", () => {
    const machine = (key: string, name: string) => ({ key, kind: "arc" as const, os: "linux" as const, resourceGroupName: "RG-Arc", name });

    it("refuses the same machine under two keys, its name differing only in case", () => {
        const [message] = refused({ ...MINIMAL, machines: [machine("a", "db-01"), machine("b", "DB-01")] });
        assert.match(message, /^machines\[1\]\.name: names the same Arc machine as machines\[0\] \("a"\)/);
    });

    it("refuses it across two instances of one program, before the second registers anything", async () => {
        let thrown: unknown;
        const run = await runProgram(() => {
            const east = new DefenderForServersNetworkRestricted("east", {
                ...MINIMAL,
                ownsSubscriptionSettings: false,
                proxy: PROXY,
                machines: [machine("a", "db-01")],
            });
            try {
                new DefenderForServersNetworkRestricted(
                    "west",
                    { ...MINIMAL, proxy: PROXY, machines: [machine("b", "Db-01")] },
                    { dependsOn: [east] },
                );
            } catch (err) {
                thrown = err;
            }
        });
        assert.ok(thrown instanceof ValidationError, String(thrown));
        assert.match(
            (thrown as Error).message,
            /machines\[0\]\.name: \/subscriptions\/.*\/resourcegroups\/rg-arc\/providers\/microsoft\.hybridcompute\/machines\/db-01 is already listed by instance "east"/,
        );
        assert.ok(!run.resources.some((r) => r.name.startsWith("west-")), "the second instance registered nothing of its own");
    });

    it("two separate programs in one process may each list the machine", async () => {
        for (const name of ["first", "second"]) {
            const run = await runProgram(
                () => new DefenderForServersNetworkRestricted(name, { ...MINIMAL, proxy: PROXY, machines: [machine("a", "db-01")] }),
            );
            assert.deepEqual(run.errors, []);
        }
    });

    it("holds across component-provider calls: a new connection to the same engine is the same deployment", () => {
        const connection = (target: string) => ({ getChannel: () => ({ getTarget: () => target }) });
        const first = deploymentKey(connection("127.0.0.1:4711"), "org", "proj", "dev");
        const second = deploymentKey(connection("127.0.0.1:4711"), "org", "proj", "dev");
        assert.equal(first, second);
        assert.notEqual(first, deploymentKey(connection("127.0.0.1:4711"), "org", "proj", "prod"));
        const listed = [{ ...machine("a", "db-01"), path: "machines[0]" }] as any;
        claimMachines(first, SUBSCRIPTION, "east", listed);
        assert.throws(() => claimMachines(second, SUBSCRIPTION, "west", listed), /already listed by instance "east"/);
    });
});

describe("field truth: regions", () => {
    it('refuses "westeurop" with the region it resembles', () => {
        assert.deepEqual(refused({ ...MINIMAL, location: "westeurop" }), [
            'location: "westeurop" is not a region of AzureCloud; did you mean "westeurope"?',
        ]);
    });

    it('does not tell "mars-central" to "use marscentral"', () => {
        const [message] = refused({ ...MINIMAL, location: "mars-central" });
        assert.match(message, /^location: "mars-central" is not a region of AzureCloud in Microsoft's published region list/);
        assert.doesNotMatch(message, /marscentral/);
    });

    it("refuses a commercial region in the US Government cloud, and a machine's too", () => {
        const [message] = refused({ ...MINIMAL, cloud: "AzureUSGovernment", location: "westeurope" });
        assert.match(
            message,
            /^location: "westeurope" is a region of AzureCloud, and cloud is AzureUSGovernment; use one of AzureUSGovernment's regions \(usgovvirginia/,
        );
        const machine = { key: "m", kind: "arc", os: "linux", resourceGroupName: "rg", name: "m", location: "usgovvirginia" };
        assert.match(
            refused({ ...MINIMAL, machines: [machine] })[0],
            /^machines\[0\]\.location: "usgovvirginia" is a region of AzureUSGovernment, and cloud is AzureCloud/,
        );
    });

    it("still names the ARM spelling of a display name, and accepts the regions Microsoft lists", () => {
        assert.deepEqual(refused({ ...MINIMAL, location: "West Europe" }), [
            'location: "West Europe" is not a region name; use "westeurope"',
        ]);
        for (const location of ["belgiumcentral", "malaysiawest", "australiacentral2"]) validate({ ...MINIMAL, location });
        validate({ ...MINIMAL, cloud: "AzureUSGovernment", location: "usdodcentral" });
    });
});

describe("field truth: the provider's subscription in the offline preview", () => {
    const OTHER = "99999999-9999-4999-8999-999999999999";

    it("warns when the stack's azure-native:subscriptionId is not subscriptionId, though the mock engine answers no client config", async () => {
        const run = await runProgram(() => new DefenderForServersNetworkRestricted("d", MINIMAL), {
            preview: true,
            config: { "azure-native:subscriptionId": OTHER },
        });
        assert.equal(run.warnings.length, 1, run.warnings.join("\n"));
        assert.match(
            run.warnings[0],
            new RegExp(`^subscriptionId: is ${SUBSCRIPTION}, but the azure-native provider signs in to ${OTHER}`),
        );
    });

    it("npm start's preview prints it for a project whose stack points the provider elsewhere", function () {
        this.timeout(120000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "field-truth-"));
        try {
            const sdk = JSON.stringify(path.resolve(__dirname, "..", "sdk"));
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: mismatch\nruntime: nodejs\nmain: index.js\n");
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), `config:\n  azure-native:subscriptionId: ${OTHER}\n`);
            fs.writeFileSync(
                path.join(dir, "index.js"),
                `const { DefenderForServersNetworkRestricted } = require(${sdk});\nnew DefenderForServersNetworkRestricted("d", { subscriptionId: "${SUBSCRIPTION}", location: "westeurope" });\n`,
            );
            const result = runPreviewCli(dir, ["--stack", "dev"]);
            assert.equal(result.code, 0, result.stderr);
            assert.match(
                result.stdout + result.stderr,
                new RegExp(`subscriptionId: is ${SUBSCRIPTION}, but the azure-native provider signs in to ${OTHER}`),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("field truth: what reaches past this instance's machines", () => {
    it("a proxy with no machines warns that the plan switches MDE on for the whole subscription", () => {
        const { warnings } = validate({ ...MINIMAL, proxy: PROXY });
        assert.ok(
            warnings.some(
                (w) =>
                    w.path === "machines" && /the plan switches MDE on at once for every machine in subscription 11111111-/.test(w.message),
            ),
            JSON.stringify(warnings),
        );
    });

    it("enabled: false needs confirmSwitchOff, because WDATP = false reaches every machine of the subscription", async () => {
        const [message] = refused({ ...MINIMAL, mdeIntegration: { enabled: false } });
        assert.match(
            message,
            /^mdeIntegration\.enabled: is false, which writes WDATP = false for the whole subscription: .*set mdeIntegration\.confirmSwitchOff: true/,
        );
        const run = await construct({ ...MINIMAL, mdeIntegration: { enabled: false, confirmSwitchOff: true } as any });
        const written = inputs(named(run, "d-mde-integration")).properties.template.resources.map((r: any) => [
            r.name,
            r.properties.enabled,
        ]);
        assert.deepEqual(written, [["WDATP", false]]);
        assert.ok(run.warnings.some((w) => /^mdeIntegration\.enabled: is false \(confirmed\)/.test(w)));
    });
});

describe("field truth: gaps Microsoft documents", () => {
    it("a VM from a generalized image is told MDE will not be provisioned on it", () => {
        const vm = {
            key: "img-vm",
            kind: "azureVm",
            os: "windows",
            resourceGroupName: "rg",
            name: "img-vm",
            systemAssignedIdentity: true,
            fromGeneralizedImage: true,
        };
        const { warnings } = validate({ ...MINIMAL, machines: [vm] });
        assert.ok(
            warnings.some((w) => w.path === "machines[0].fromGeneralizedImage" && /does not provision MDE .*MDE\.Windows/.test(w.message)),
        );
    });

    it("an Arc gateway names the Azure Arc gateway manager role", () => {
        const { warnings } = validate({ ...MINIMAL, arcGateway: { resourceGroupName: "rg-gw" } });
        assert.ok(warnings.some((w) => w.path === "arcGateway" && /Azure Arc gateway manager role/.test(w.message)));
    });

    it("the egress notes say aka.ms left Arc's 2026 table and the US Government streamlined list is preview", async () => {
        const arc = await outputsOf({ ...MINIMAL, proxy: PROXY, machines: [arcMachine("arc-1")] });
        assert.ok(arc.out.egressNotes.some((n: string) => /aka\.ms is no longer in Microsoft's 2026 Arc network table/.test(n)));
        const gov = await outputsOf({
            ...MINIMAL,
            cloud: "AzureUSGovernment",
            location: "usgovvirginia",
            proxy: PROXY,
            mdeIntegration: { connectivity: "streamlined", dataLocation: "GCC" } as any,
            machines: [{ ...arcMachine("arc-1"), location: "usgovvirginia" }],
        });
        assert.ok(gov.out.egressNotes.some((n: string) => /US Government: Microsoft still titles that URL list "\(Preview\)"/.test(n)));
    });

    it("an Arc gateway with an Arc Private Link Scope is still refused, with what Microsoft documents in 2026", () => {
        const messages = refused({
            ...MINIMAL,
            arcGateway: { resourceGroupName: "rg-gw" },
            privateLink: { resourceGroupName: "rg-pl", subnetId: SUBNET, arc: { tenantId: TENANT } },
        });
        assert.ok(
            messages.some((m) =>
                /^arcGateway: and privateLink\.arc .*gateway bypass list of the 2026-07-15 API sends domains to the proxy or a direct connection/.test(
                    m,
                ),
            ),
            messages.join("\n"),
        );
    });
});

describe("field truth: Arc machines read before anything runs", () => {
    const NOW = new Date("2026-12-06T00:00:00Z");
    const needs = {
        key: "arc-1",
        os: "linux" as const,
        runCommands: true,
        extensions: [{ publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorLinuxAgent" }],
    };

    it("refuses an agent older than run commands (1.33) and one released more than a year ago", () => {
        assert.match(
            arcPreflightProblems({ agentVersion: "1.32.02364.1234" }, needs, NOW)[0],
            /^arc-1: its Connected Machine agent is 1\.32\.02364\.1234, older than a year .*from 1\.33 on/,
        );
        // 1.48 came out in January 2025 (agent-release-notes-archive.md): out of support by December 2026.
        assert.match(
            arcPreflightProblems({ agentVersion: "1.48" }, needs, NOW)[0],
            /released 2025-01: Microsoft supports only agent versions released within the last year/,
        );
        // 1.66 came out in July 2026.
        assert.deepEqual(arcPreflightProblems({ agentVersion: "1.66", osType: "linux" }, needs, NOW), []);
    });

    it("refuses a hardened agent that blocks run commands or the extensions the component installs", () => {
        const blocked = arcPreflightProblems(
            {
                agentVersion: "1.66",
                agentConfiguration: { extensionsBlockList: [{ publisher: "microsoft.cplat.core", type: "runcommandhandlerlinux" }] },
            },
            needs,
            NOW,
        );
        assert.match(
            blocked[0],
            /^arc-1: its extension block list holds Microsoft\.CPlat\.Core\/RunCommandHandlerLinux: the run commands that set its proxy would fail/,
        );
        const monitor = arcPreflightProblems({ agentVersion: "1.66", agentConfiguration: { configMode: "monitor" } }, needs, NOW);
        assert.equal(monitor.length, 1, "monitor mode keeps the Azure Monitor Agent");
        assert.match(monitor[0], /monitor mode, which blocks Microsoft\.CPlat\.Core\/RunCommandHandlerLinux/);
        const allow = arcPreflightProblems(
            {
                agentVersion: "1.66",
                agentConfiguration: { extensionsAllowList: [{ publisher: "Microsoft.CPlat.Core", type: "RunCommandHandlerLinux" }] },
            },
            needs,
            NOW,
        );
        assert.match(allow[0], /allow list does not hold Microsoft\.Azure\.Monitor\/AzureMonitorLinuxAgent/);
        assert.match(
            arcPreflightProblems({ osType: "windows" }, needs, NOW)[0],
            /Azure reports a windows machine, but it is listed with os: linux/,
        );
    });

    it("in pulumi up, a machine whose read shows a blocked run command fails its steps; a preview reads nothing", async () => {
        const args = { ...MINIMAL, proxy: PROXY, machines: [arcMachine("arc-1")] };
        const invokeResults = { "azure-native:hybridcompute:getMachine": { agentVersion: "1.30", osType: "linux" } };
        const up = await runProgram(() => new DefenderForServersNetworkRestricted("d", args), { invokeResults });
        assert.ok(
            up.errors.some((e) => /Arc machine preflight \(machines\[0\]\): arc-1: its Connected Machine agent is 1\.30/.test(e)),
            up.errors.join("\n"),
        );
        const preview = await runProgram(() => new DefenderForServersNetworkRestricted("d", args), { invokeResults, preview: true });
        assert.deepEqual(preview.errors, []);
    });
});
