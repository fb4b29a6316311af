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

/** The templates a component with every template-emitting feature on registers (policy mode, Private Link, AMA, GC). */
export async function everyEmittedTemplate(): Promise<EmittedTemplate[]> {
    const subscription = "11111111-2222-3333-4444-555555555555";
    const args: DefenderForServersNetworkRestrictedArgs = {
        subscriptionId: subscription,
        location: "westeurope",
        proxy: { address: "http://proxy.corp.example:3128", bypass: [".corp.example"] },
        logs: {
            workspaceResourceId: `/subscriptions/${subscription}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law`,
        },
        privateLink: {
            resourceGroupName: "rg-pl",
            subnetId: `/subscriptions/${subscription}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/pe`,
            azureMonitor: {},
        },
        rollout: { mode: "policy" },
    };
    const recorded = await runProgram(() => void new DefenderForServersNetworkRestricted("d", args));
    return templatesIn(recorded.resources);
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
    const bound = bicep.replace(/^(\s*)scope: '([A-Za-z.]+\/[A-Za-z]+)\/\$\{(\w+)\}'$/gm, (whole, indent: string, type: string, name: string) => {
        const version = SCOPE_PARENTS[type];
        if (version === undefined) return whole;
        const symbol = `scopeParent${count++}`;
        parents.push(`resource ${symbol} '${type}@${version}' existing = {\n  name: ${name}\n}\n`);
        return `${indent}scope: ${symbol}`;
    });
    return parents.length === 0 ? bound : `${bound}\n${parents.join("\n")}`;
}

const DIAGNOSTIC = /^(.*\.bicep)\((\d+),(\d+)\) : (Error|Warning) ([^:]+): (.*)$/;

/** Decompiles and lints `templates`; returns every finding (empty: Bicep has nothing to say). */
export async function checkWithBicep(templates: EmittedTemplate[], concurrency = 2): Promise<BicepFinding[]> {
    const bicep = bicepPath();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-bicep-"));
    try {
        const labels = templates.map((t, i) => `${String(i).padStart(2, "0")}-${t.label.replace(/[^A-Za-z0-9-]/g, "_")}`);
        templates.forEach((t, i) => fs.writeFileSync(path.join(dir, `${labels[i]}.json`), JSON.stringify(t.template, null, 2)));
        const findings: BicepFinding[] = [];
        let next = 0;
        const worker = async () => {
            while (next < labels.length) {
                const label = labels[next++];
                const json = path.join(dir, `${label}.json`);
                // Decompile exits 1 when its output has errors; those are read in the lint pass below.
                const result = await run(bicep, ["decompile", "--force", json]).catch((err) => err);
                if (!fs.existsSync(path.join(dir, `${label}.bicep`))) {
                    findings.push({ label, level: "Error", code: "decompile", message: String(result.stderr ?? result), line: "" });
                }
            }
        };
        await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
        for (const label of labels) {
            const file = path.join(dir, `${label}.bicep`);
            if (fs.existsSync(file)) fs.writeFileSync(file, bindStringScopes(fs.readFileSync(file, "utf8")));
        }
        const lint = await run(bicep, ["lint", "--pattern", path.join(dir, "*.bicep")], { maxBuffer: 64 * 1024 * 1024 }).catch((err) => err);
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
