/**
 * planFleet (sdk/validate/fleet.ts) on plain machines: which parts each machine gets, and the combinations that
 * cannot work. Sources, as the code cites them: agents that cannot authenticate to a proxy (MDE on Linux, MDE on
 * Windows with DisableEnterpriseAuthProxy, the Azure Linux Agent, the Arc agent: /work/shared/design.md); WinHTTP
 * bypass takes octet wildcards only; AMA needs a managed identity (azure-monitor-agent-requirements.md), Guest
 * Configuration a system-assigned one (machine-configuration 02-setup-prerequisites.md); agentless scanning is a
 * Plan 2 feature for Azure VMs, AWS and GCP only (defender-docs concept-agentless-data-collection.md).
 */
import { strict as assert } from "node:assert";
import { FleetSettings, planFleet } from "../../sdk/validate/fleet";
import { NormalizedLogs } from "../../sdk/validate/logs";
import { NormalizedMachine } from "../../sdk/validate/machines";
import { NormalizedProxy } from "../../sdk/validate/proxy";
import { normalizedProxy, P2_DEFAULTS as P2, paths, read } from "./validateHelpers";

const machine = (index: number, fields: Partial<NormalizedMachine> & Pick<NormalizedMachine, "kind" | "os">): NormalizedMachine => ({
    key: `m${index}`,
    resourceGroupName: "rg",
    name: `m${index}`,
    location: "westeurope",
    arcPrivateLinkScope: "none",
    excluded: [],
    path: `machines[${index}]`,
    ...fields,
});
const winVm = (i: number, fields: Partial<NormalizedMachine> = {}) =>
    machine(i, { kind: "azureVm", os: "windows", systemAssignedIdentity: true, ...fields });
const lnxVm = (i: number, fields: Partial<NormalizedMachine> = {}) =>
    machine(i, { kind: "azureVm", os: "linux", systemAssignedIdentity: true, ...fields });
const winArc = (i: number, fields: Partial<NormalizedMachine> = {}) => machine(i, { kind: "arc", os: "windows", ...fields });
const lnxArc = (i: number, fields: Partial<NormalizedMachine> = {}) => machine(i, { kind: "arc", os: "linux", ...fields });

const PROXY = normalizedProxy();
const AUTH_PROXY: NormalizedProxy = { ...PROXY, credentials: { username: "svc", password: "secret" } };
const AMA_LOGS = { azureMonitorAgent: true, streams: ["securityEvents"], dataCollectionRuleLocation: "westeurope" } as NormalizedLogs;

const settings = (overrides: Partial<FleetSettings> = {}): FleetSettings => ({
    guestConfiguration: false,
    tagExistingVms: false,
    mdeEnabled: true,
    mdeIncludesLinux: true,
    airGapped: false,
    plan: P2,
    ...overrides,
});
const plan = (machines: NormalizedMachine[], overrides: Partial<FleetSettings> = {}) =>
    read((problems) => planFleet(problems, machines, settings(overrides)));

describe("fleet planning (sdk/validate/fleet.ts)", () => {
    it("parts follow the fleet's choices: proxy, AMA, the legacy agent, Guest Configuration on Azure VMs only; exclude wins", () => {
        const none = plan([winVm(0), winArc(1)]).value.map((m) => m.parts);
        const off = { osProxy: false, azureMonitorAgent: false, legacyAgent: false, guestConfiguration: false };
        assert.deepEqual(none, [off, off]);

        const logs = { ...AMA_LOGS, legacyAgent: { workspaceId: "w", workspaceKey: "k" } };
        const all = plan([winVm(0), winArc(1), lnxVm(2, { excluded: ["legacyAgent", "osProxy"] })], {
            proxy: PROXY,
            logs,
            guestConfiguration: true,
            tagExistingVms: true,
        });
        assert.deepEqual(
            all.value.map((m) => m.parts),
            [
                { osProxy: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: true },
                { osProxy: true, azureMonitorAgent: true, legacyAgent: true, guestConfiguration: false },
                { osProxy: false, azureMonitorAgent: true, legacyAgent: false, guestConfiguration: true },
            ],
        );
        assert.equal(all.value[2].key, "m2", "the machine's own fields are kept");
        // Logs without AMA (the legacy agent alone): no AMA part.
        assert.equal(plan([winVm(0)], { logs: { ...logs, azureMonitorAgent: false } }).value[0].parts.azureMonitorAgent, false);
    });

    it("an authenticated proxy names each machine whose agents cannot authenticate, and what they are", () => {
        const machines = [winVm(0), lnxVm(1), winArc(2), lnxArc(3)];
        const message = (overrides: Partial<FleetSettings>) => {
            const result = plan(machines, { proxy: AUTH_PROXY, ...overrides });
            assert.deepEqual(paths(result.errors), ["proxy.username"]);
            return result.errors[0];
        };
        assert.equal(
            message({}),
            "proxy.username: these machines run agents that cannot authenticate to a proxy: m0 (MDE on Windows); m1 (MDE on Linux, the Azure Linux Agent); m2 (MDE on Windows, the Arc agent); m3 (MDE on Linux, the Arc agent). Let the agent hosts (output egress) through without credentials and set proxy.unauthenticatedForAgentHosts: true, or use a proxy without authentication",
        );
        // MDE off: only the Azure Linux Agent and the Arc agent remain; a Windows VM has none and is not named.
        assert.match(
            message({ mdeEnabled: false }),
            /proxy: m1 \(the Azure Linux Agent\); m2 \(the Arc agent\); m3 \(the Arc agent\)\. Let/,
        );
        // MDE without Linux: Linux machines keep only their own agents.
        assert.match(
            message({ mdeIncludesLinux: false }),
            /proxy: m0 \(MDE on Windows\); m1 \(the Azure Linux Agent\); m2 \(MDE on Windows, the Arc agent\); m3 \(the Arc agent\)\. Let/,
        );
    });

    it("an authenticated proxy is fine when the agent hosts pass without credentials, or no machine has such an agent", () => {
        assert.deepEqual(plan([lnxVm(0), winArc(1)], { proxy: { ...AUTH_PROXY, unauthenticatedForAgentHosts: true } }).errors, []);
        assert.deepEqual(plan([winVm(0)], { proxy: AUTH_PROXY, mdeEnabled: false }).errors, []);
        assert.deepEqual(plan([lnxArc(0)], { proxy: PROXY }).errors, []);
    });

    it("a bypass range WinHTTP cannot express is refused when a Windows machine gets the OS proxy, naming it", () => {
        const proxy = { ...PROXY, bypass: [".corp.example", "10.0.0.0/12", "10.1.0.0/16"] };
        const result = plan([lnxVm(0), winArc(1)], { proxy });
        assert.deepEqual(result.errors, [
            'proxy.bypass[1]: "10.0.0.0/12" is a CIDR range WinHTTP cannot express (m1 is Windows); use a range on an octet boundary (/8, /16, /24) or list the hosts',
        ]);
        assert.deepEqual(plan([lnxVm(0), lnxArc(1)], { proxy }).errors, [], "Linux only: no_proxy takes the range");
        assert.deepEqual(plan([winArc(0, { excluded: ["osProxy"] })], { proxy }).errors, [], "no Windows OS proxy from the component");
    });

    it("warns at a machine's exclude when it leaves out the OS proxy behind a proxy with MDE on, and only then", () => {
        const machines = [winVm(0), lnxArc(1, { excluded: ["osProxy"] })];
        const excludeWarnings = (overrides: Partial<FleetSettings>) =>
            plan(machines, overrides).warnings.filter((w) => w.includes(".exclude"));
        assert.deepEqual(excludeWarnings({ proxy: PROXY }), [
            "machines[1].exclude: leaves out osProxy on m1: MDE onboards only if the machine's proxy is set some other way (image, GPO) before MDE arrives",
        ]);
        assert.deepEqual(excludeWarnings({ proxy: PROXY, mdeEnabled: false }), []);
        assert.deepEqual(excludeWarnings({}), []);
    });

    it("warns that Guest Configuration needs the private-network tag, naming the Azure VMs, unless the component tags them", () => {
        const machines = [winVm(0), lnxArc(1), lnxVm(2, { excluded: ["guestConfiguration"] }), lnxVm(3)];
        const gc = plan(machines, { guestConfiguration: true }).warnings;
        assert.deepEqual(paths(gc), ["guestConfiguration"]);
        assert.match(
            gc[0],
            /^guestConfiguration: Guest Configuration takes no proxy: m0, m3 need the EnablePrivateNetworkGC=TRUE tag to reach Azure through 168\.63\.129\.16/,
        );
        assert.deepEqual(plan(machines, { guestConfiguration: true, tagExistingVms: true }).warnings, []);
    });

    it("warns when the component's rule has no Windows stream for Windows machines with AMA", () => {
        const linuxOnly = { ...AMA_LOGS, streams: ["authSyslog"] } as NormalizedLogs;
        const machines = [winVm(0), lnxVm(1), winArc(2), winVm(3, { excluded: ["azureMonitorAgent"] })];
        assert.deepEqual(plan(machines, { logs: linuxOnly }).warnings, [
            'logs.streams: has no Windows stream, so the component\'s rule collects nothing from m0, m2: add "securityEvents" (with logs.workspaceSecuritySolution) or bring your own rule',
        ]);
        assert.deepEqual(plan(machines, { logs: AMA_LOGS }).warnings, []);
        assert.deepEqual(plan(machines, { logs: { ...linuxOnly, dataCollectionRuleId: "/subscriptions/x/rule" } }).warnings, []);
        assert.deepEqual(plan([lnxVm(0)], { logs: linuxOnly }).warnings, []);
    });

    describe("identities of Azure VMs (per-machine mode)", () => {
        const gcError =
            /^machines\[0\]\.systemAssignedIdentity: (is false|is unset \(the component cannot see the VM's identity\)), and Guest Configuration authenticates only with a system-assigned managed identity: set systemAssignedIdentity: true .*builtInPolicies\.addSystemAssignedIdentity: true .*; or add guestConfiguration to exclude$/;
        const amaError =
            /^machines\[0\]\.systemAssignedIdentity: (is false|is unset \(the component cannot see the VM's identity\)), and the Azure Monitor Agent installs but collects nothing without a managed identity: .*; or give userAssignedIdentityId .*; or add azureMonitorAgent to exclude$/;

        it("Guest Configuration and AMA without a known identity are refused, saying whether it is off or unknown", () => {
            const off = plan([winVm(0, { systemAssignedIdentity: false })], {
                guestConfiguration: true,
                tagExistingVms: true,
                logs: AMA_LOGS,
            });
            assert.equal(off.errors.length, 2);
            assert.match(off.errors[0], gcError);
            assert.match(off.errors[0], /: is false, and/);
            assert.match(off.errors[1], amaError);
            const unset = plan([winVm(0, { systemAssignedIdentity: undefined })], { logs: AMA_LOGS });
            assert.equal(unset.errors.length, 1);
            assert.match(unset.errors[0], amaError);
            assert.match(unset.errors[0], /: is unset \(the component cannot see the VM's identity\), and/);
        });

        it("a system-assigned identity, the built-in policy that adds one, or (AMA) a user-assigned one is enough", () => {
            const gcAndAma = { guestConfiguration: true, tagExistingVms: true, logs: AMA_LOGS };
            assert.deepEqual(plan([winVm(0)], gcAndAma).errors, []);
            assert.deepEqual(
                plan([winVm(0, { systemAssignedIdentity: false })], { ...gcAndAma, addSystemAssignedIdentity: true }).errors,
                [],
            );
            const userAssigned = plan(
                [winVm(0, { systemAssignedIdentity: false, userAssignedIdentityId: "/subscriptions/x/uami" })],
                gcAndAma,
            );
            assert.equal(userAssigned.errors.length, 1);
            assert.match(userAssigned.errors[0], gcError);
            assert.deepEqual(
                plan([winVm(0, { systemAssignedIdentity: false, excluded: ["azureMonitorAgent", "guestConfiguration"] })], gcAndAma).errors,
                [],
            );
        });

        it("Arc machines carry their own identity, and policy mode deploys nothing per machine", () => {
            assert.deepEqual(plan([winArc(0)], { logs: AMA_LOGS }).errors, []);
            assert.deepEqual(
                plan([winVm(0, { systemAssignedIdentity: false })], {
                    logs: AMA_LOGS,
                    guestConfiguration: true,
                    tagExistingVms: true,
                    perMachine: false,
                }).errors,
                [],
            );
            assert.equal(plan([winVm(0, { systemAssignedIdentity: false })], { logs: AMA_LOGS, perMachine: true }).errors.length, 1);
        });
    });

    describe("Arc machines and the Arc Private Link Scope", () => {
        const scope = (publicNetworkAccess: boolean) => ({ location: "westeurope", publicNetworkAccess, privateEndpoint: true });

        it("an association without a scope is refused", () => {
            for (const association of ["associated", "associateByPolicy"] as const) {
                assert.deepEqual(plan([lnxArc(0, { arcPrivateLinkScope: association })]), {
                    value: plan([lnxArc(0, { arcPrivateLinkScope: association })]).value,
                    errors: [
                        `machines[0].arcPrivateLinkScope: is "${association}", but there is no privateLink.arc scope to be associated with: add privateLink.arc or remove it`,
                    ],
                    warnings: [],
                });
            }
            assert.deepEqual(plan([lnxArc(0)]), { value: plan([lnxArc(0)]).value, errors: [], warnings: [] });
        });

        it("with a scope: an unassociated machine keeps the public endpoints (through the proxy, if any)", () => {
            const viaProxy = plan([lnxArc(0), winVm(1)], { arcScope: scope(true), proxy: PROXY });
            assert.deepEqual(viaProxy.errors, []);
            assert.deepEqual(viaProxy.warnings, [
                'machines[0].arcPrivateLinkScope: m0 is taken as not associated with the Arc Private Link Scope, so its Arc agent keeps going through the proxy to the public Arc endpoints (which the proxy must allow), and any Arc bypass on it is cleared. If it was onboarded with arcOnboardingCommands (--private-link-scope) it is associated: list it as "associated". Otherwise associate it ("associateByPolicy") and then list it as "associated"',
            ]);
            const direct = plan([lnxArc(0)], { arcScope: scope(false) }).warnings;
            assert.equal(direct.length, 1);
            assert.match(direct[0], /so its Arc agent keeps using the public Arc endpoints\. If it was onboarded/);
        });

        it("with a scope: associating by policy needs public access meanwhile, and is announced; associated says nothing", () => {
            const open = plan([lnxArc(0, { arcPrivateLinkScope: "associateByPolicy" })], { arcScope: scope(true) });
            assert.deepEqual(open.errors, []);
            assert.deepEqual(open.warnings, [
                'machines[0].arcPrivateLinkScope: m0 is being associated by policy; its Arc agent keeps using the proxy (public access stays on) until you list it as "associated" once the remediation has run',
            ]);
            const closed = plan([lnxArc(0, { arcPrivateLinkScope: "associateByPolicy" })], { arcScope: scope(false) });
            assert.deepEqual(paths(closed.errors), ["machines[0].arcPrivateLinkScope"]);
            assert.match(
                closed.errors[0],
                /is "associateByPolicy", but the scope refuses public network access: .*Set privateLink\.arc\.publicNetworkAccess: true while machines move/,
            );
            assert.deepEqual(plan([lnxArc(0, { arcPrivateLinkScope: "associated" })], { arcScope: scope(false) }), {
                value: plan([lnxArc(0, { arcPrivateLinkScope: "associated" })], { arcScope: scope(false) }).value,
                errors: [],
                warnings: [],
            });
        });

        it("Azure VMs are not checked against the scope, and policy mode checks no machine", () => {
            assert.deepEqual(plan([winVm(0, { arcPrivateLinkScope: "associated" })]).errors, []);
            assert.deepEqual(plan([lnxArc(0, { arcPrivateLinkScope: "associated" })], { perMachine: false }).errors, []);
        });
    });

    describe("air-gapped", () => {
        const agentlessOnly =
            /^airGapped: MDE integration is kept off, and air-gapped machines get agentless scanning only .*Agentless scanning covers Azure VMs, AWS EC2 and GCP instances only: on-premises and other Arc-enabled servers in this subscription get no protection from it$/;

        it("alone on Plan 2 with scanning: no error, and the warning that only agentless scanning protects", () => {
            const result = plan([], { airGapped: true });
            assert.deepEqual(result.errors, []);
            assert.equal(result.warnings.length, 1);
            assert.match(result.warnings[0], agentlessOnly);
        });

        it("refuses a proxy, machines or logs, and anything but Plan 2 with agentless scanning", () => {
            const errors = (machines: NormalizedMachine[], overrides: Partial<FleetSettings>) =>
                plan(machines, { airGapped: true, mdeEnabled: false, ...overrides }).errors;
            assert.deepEqual(errors([], { proxy: PROXY }), ["airGapped: contradicts proxy: a proxy is a way out; remove one of them"]);
            const noAgent = "airGapped: no agent can reach the cloud from an air-gapped machine; remove machines and logs";
            assert.deepEqual(errors([winArc(0)], {}), [noAgent]);
            assert.deepEqual(errors([], { logs: AMA_LOGS }), [noAgent]);
            const plan2 =
                'airGapped: relies on agentless scanning, which needs Plan 2: set plan.subPlan to "P2" and leave agentless scanning on';
            assert.deepEqual(errors([], { plan: { ...P2, subPlan: "P1", agentlessScanning: undefined } }), [plan2]);
            assert.deepEqual(errors([], { plan: { ...P2, agentlessScanning: false } }), [plan2]);
            assert.deepEqual(
                plan([], { airGapped: true, plan: { ...P2, agentlessScanning: false } }).warnings,
                [],
                "no promise of scanning",
            );
        });
    });
});
