/**
 * Microsoft's Bicep compiler as a check on every ARM template the component emits: each
 * template is decompiled to Bicep (`bicep decompile`, one process per template, as the CLI takes
 * one file), then all are linted in one process (`bicep lint --pattern`), which type-checks every
 * resource against the API version it names (Bicep's type index is generated from
 * Azure/azure-rest-api-specs). Any error or warning is a finding.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { API_VERSIONS } from "../sdk/plan/policy";
import { RecordedResource, runProgram } from "../sdk/preview/engine";
import { inputs } from "./harness";

const run = promisify(execFile);

/** One ARM template and where it came from. */
export interface EmittedTemplate {
    /** File-name-safe label: the resource's logical name, and the definition key for policies. */
    label: string;
    template: Record<string, unknown>;
}

/** One compiler or linter diagnostic. */
export interface BicepFinding {
    /** The template's label. */
    label: string;
    /** `Error` or `Warning`. */
    level: string;
    /** BCP code or linter rule. */
    code: string;
    message: string;
    /** The offending Bicep line, to see what it is about. */
    line: string;
}

/** Every ARM template in the recorded resources: policy deployment templates and subscription deployments. */
export function templatesIn(resources: RecordedResource[]): EmittedTemplate[] {
    const found: EmittedTemplate[] = [];
    for (const resource of resources) {
        const props = inputs(resource);
        const template = props.policyRule?.then?.details?.deployment?.properties?.template ?? props.properties?.template;
        if (template !== undefined && typeof template === "object") found.push({ label: resource.name, template });
    }
    return found;
}

/**
 * Configurations that between them make the component emit every distinct ARM template it can:
 * policy mode with Azure Monitor Private Link (AMA without the proxy, both associations), policy
 * mode with AMA through the proxy (the four proxy-bearing AMA templates), policy mode without the
 * route check, and per-machine mode with an Arc gateway (the gateway link) and MDE switched off.
 */
export function templateConfigurations(): Array<{ label: string; args: DefenderForServersNetworkRestrictedArgs }> {
    const subscription = "11111111-2222-3333-4444-555555555555";
    const base: DefenderForServersNetworkRestrictedArgs = {
        subscriptionId: subscription,
        location: "westeurope",
        proxy: { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] },
        logs: {
            workspaceResourceId: `/subscriptions/${subscription}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law`,
        },
        rollout: { mode: "policy" },
    };
    return [
        {
            label: "policy-private-link",
            args: {
                ...base,
                privateLink: {
                    resourceGroupName: "rg-pl",
                    subnetId: `/subscriptions/${subscription}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/pe`,
                    azureMonitor: {},
                },
            },
        },
        { label: "policy-proxy", args: base },
        { label: "policy-no-route-check", args: { ...base, proxy: { ...base.proxy!, routeCheck: false } } },
        {
            label: "machines-arc-gateway",
            args: {
                ...base,
                rollout: undefined,
                mdeIntegration: { enabled: false, confirmSwitchOff: true },
                machines: [{ key: "arc-1", kind: "arc", os: "linux", resourceGroupName: "rg-arc", name: "arc-1" }],
                arcGateway: { resourceGroupName: "rg-gw", gatewayName: "gw-defender", tenantId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" },
            },
        },
    ];
}

/** Every distinct template of {@link templateConfigurations}, once each (by content), labelled `<logical name>` or `<logical name>@<configuration>`. */
export async function everyEmittedTemplate(): Promise<EmittedTemplate[]> {
    const seen = new Map<string, EmittedTemplate>();
    const labels = new Set<string>();
    for (const configuration of templateConfigurations()) {
        const recorded = await runProgram(() => void new DefenderForServersNetworkRestricted("d", configuration.args));
        if (recorded.errors.length > 0) throw new Error(`${configuration.label}: ${recorded.errors.join("; ")}`);
        for (const emitted of templatesIn(recorded.resources)) {
            const key = JSON.stringify(emitted.template);
            if (seen.has(key)) continue;
            const label = labels.has(emitted.label) ? `${emitted.label}@${configuration.label}` : emitted.label;
            labels.add(label);
            seen.set(key, { label, template: emitted.template });
        }
    }
    return [...seen.values()];
}

/** The Bicep CLI, as tools/env.sh names it; a clear error (never a skip) when it is not there. */
export function bicepPath(): string {
    const fromEnv = process.env.BICEP;
    const fallback = path.join(
        process.env.DEFENDER_TOOLS ?? path.join(os.homedir(), ".cache", "defender-servers-tools"),
        "nuget/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep",
    );
    const bicep = fromEnv !== undefined && fromEnv !== "" ? fromEnv : fallback;
    if (!fs.existsSync(bicep)) {
        throw new Error(
            `the Bicep CLI is not installed (looked for ${bicep}); run bash tools/install-test-tools.sh, or set BICEP to its path`,
        );
    }
    return bicep;
}

/**
 * Parents of extension resources whose `scope` the decompiler leaves as a string
 * ('Microsoft.Compute/virtualMachines/${machineName}', the ARM JSON form Microsoft's own
 * AzureMonitor_DCRA_*_DINE.json built-ins use), which Bicep then refuses (BCP036). The check
 * rewrites such a scope into Bicep's form for the same deployment, an `existing` parent.
 */
const SCOPE_PARENTS: Record<string, string> = {
    "Microsoft.Compute/virtualMachines": API_VERSIONS.vmExtension,
    "Microsoft.HybridCompute/machines": API_VERSIONS.arcExtension,
};

/** Bicep with every string `scope: '<parent type>/${name}'` bound to an `existing` parent resource. */
export function bindStringScopes(bicep: string): string {
    let count = 0;
    const parents: string[] = [];
    const bound = bicep.replace(
        /^(\s*)scope: '([A-Za-z.]+\/[A-Za-z]+)\/\$\{(\w+)\}'$/gm,
        (whole, indent: string, type: string, name: string) => {
            const version = SCOPE_PARENTS[type];
            if (version === undefined) return whole;
            const symbol = `scopeParent${count++}`;
            parents.push(`resource ${symbol} '${type}@${version}' existing = {\n  name: ${name}\n}\n`);
            return `${indent}scope: ${symbol}`;
        },
    );
    return parents.length === 0 ? bound : `${bound}\n${parents.join("\n")}`;
}

/**
 * Every rule of Bicep's core linter, each at least a warning: Bicep leaves several off by default
 * (use-recent-api-versions among them), so the default configuration would not flag an old API
 * version. The names are Bicep's (learn.microsoft.com azure-resource-manager/bicep/bicep-config-linter,
 * 2025-2026); use-recent-module-versions is left off because it asks a registry over the network,
 * and the templates reference no module (see {@link RULES_OFF}).
 */
export const LINTER_RULES = [
    "adminusername-should-not-be-literal",
    "artifacts-parameters",
    "decompiler-cleanup",
    "explicit-values-for-loc-params",
    "max-asserts",
    "max-outputs",
    "max-params",
    "max-resources",
    "max-variables",
    "nested-deployment-template-scoping",
    "no-conflicting-metadata",
    "no-deployments-resources",
    "no-hardcoded-location",
    "no-loc-expr-outside-params",
    "no-unnecessary-dependson",
    "no-unused-existing-resources",
    "no-unused-params",
    "no-unused-vars",
    "outputs-should-not-contain-secrets",
    "prefer-interpolation",
    "prefer-unquoted-property-names",
    "protect-commandtoexecute-secrets",
    "secure-parameter-default",
    "secure-params-in-nested-deploy",
    "secure-secrets-in-params",
    "simplify-interpolation",
    "simplify-json-null",
    "use-parent-property",
    "use-recent-api-versions",
    "use-resource-id-functions",
    "use-resource-symbol-reference",
    "use-safe-access",
    "use-secure-value-for-secure-inputs",
    "use-stable-resource-identifiers",
    "use-stable-vm-image",
    "what-if-short-circuiting",
] as const;

/**
 * The rules left off, each with why. no-hardcoded-env-urls: the run commands carry the route
 * check's host names on purpose, computed for the chosen cloud (sdk/clouds.ts, plan/egress);
 * environment() cannot express `*.endpoint.security.microsoft.com` or a Log Analytics host.
 */
export const RULES_OFF: Record<string, string> = {
    "use-recent-module-versions": "asks a module registry over the network; the templates reference no module",
    "no-hardcoded-env-urls": "the route check's hosts are per-cloud host names the component computes; environment() cannot name them",
};

/** bicepconfig.json turning every rule in {@link LINTER_RULES} on as a warning (errors stay errors). */
export function bicepConfig(): string {
    const rules = Object.fromEntries(LINTER_RULES.map((rule) => [rule, { level: "warning" }]));
    const off = Object.fromEntries(Object.keys(RULES_OFF).map((rule) => [rule, { level: "off" }]));
    return JSON.stringify({ analyzers: { core: { enabled: true, rules: { ...rules, ...off } } } }, null, 2);
}

/**
 * Whether a failed decompile failed only on what {@link bindStringScopes} rewrites: each error it
 * printed is BCP036 on a `scope: '<parent type>/${name}'` line of a known parent. Any other error,
 * or an exit without a diagnostic, stays a finding.
 */
export function onlyStringScopeErrors(bicep: string, stderr: string): boolean {
    const lines = bicep.split("\n");
    const errors = stderr
        .split("\n")
        .map((text) => DIAGNOSTIC.exec(text.trim()))
        .filter((m): m is RegExpExecArray => m !== null && m[4] === "Error");
    return (
        errors.length > 0 &&
        errors.every((m) => m[5].trim() === "BCP036" && bindStringScopes(lines[Number(m[2]) - 1] ?? "") !== (lines[Number(m[2]) - 1] ?? ""))
    );
}

const DIAGNOSTIC = /^(.*\.bicep)\((\d+),(\d+)\) : (Error|Warning) ([^:]+): (.*)$/;

/** Decompiles and lints `templates`; returns every finding (empty: Bicep has nothing to say). */
export async function checkWithBicep(templates: EmittedTemplate[], concurrency = 2): Promise<BicepFinding[]> {
    const bicep = bicepPath();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-bicep-"));
    try {
        const labels = templates.map((t, i) => `${String(i).padStart(2, "0")}-${t.label.replace(/[^A-Za-z0-9-]/g, "_")}`);
        templates.forEach((t, i) => fs.writeFileSync(path.join(dir, `${labels[i]}.json`), JSON.stringify(t.template, null, 2)));
        fs.writeFileSync(path.join(dir, "bicepconfig.json"), bicepConfig());
        const findings: BicepFinding[] = [];
        let next = 0;
        const worker = async () => {
            while (next < labels.length) {
                const label = labels[next++];
                const json = path.join(dir, `${label}.json`);
                // A decompile that exits non-zero (it does when its output has errors) is a finding of its own.
                const result = await run(bicep, ["decompile", "--force", json]).catch((err) => err);
                const code = typeof result.code === "number" ? result.code : 0;
                const file = path.join(dir, `${label}.bicep`);
                if (
                    !fs.existsSync(file) ||
                    (code !== 0 && !onlyStringScopeErrors(fs.readFileSync(file, "utf8"), String(result.stderr ?? "")))
                ) {
                    findings.push({
                        label,
                        level: "Error",
                        code: `decompile exit ${code}`,
                        message: String(result.stderr ?? result)
                            .trim()
                            .slice(0, 2000),
                        line: "",
                    });
                }
            }
        };
        await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
        for (const label of labels) {
            const file = path.join(dir, `${label}.bicep`);
            if (fs.existsSync(file)) fs.writeFileSync(file, bindStringScopes(fs.readFileSync(file, "utf8")));
        }
        const lint = await run(bicep, ["lint", "--pattern", path.join(dir, "*.bicep")], { maxBuffer: 64 * 1024 * 1024 }).catch(
            (err) => err,
        );
        const output = `${lint.stdout ?? ""}\n${lint.stderr ?? ""}`;
        for (const text of output.split("\n")) {
            const match = DIAGNOSTIC.exec(text.trim());
            if (match === null) continue;
            const [, file, line, , level, code, message] = match;
            const source = fs.existsSync(file) ? (fs.readFileSync(file, "utf8").split("\n")[Number(line) - 1] ?? "").trim() : "";
            findings.push({ label: path.basename(file, ".bicep"), level, code: code.trim(), message, line: source.slice(0, 200) });
        }
        // A lint that failed without saying why is a finding too.
        if (lint.code !== undefined && lint.code !== 0 && !findings.some((f) => f.level === "Error")) {
            findings.push({ label: "*", level: "Error", code: "lint", message: output.trim().slice(0, 2000), line: "" });
        }
        return findings;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
