import { strict as assert } from "node:assert";
import { execFileSync, spawn, spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
/** The policy pack's sources, shipped so that `--policy-pack node_modules/defender-servers/policy` works; not its tests or node_modules. */
const POLICY_FILES = [
    "policy/check-preview.ts",
    "policy/index.ts",
    "policy/policies.ts",
    "policy/rules.ts",
    "policy/policyModeRules.ts",
    "policy/PulumiPolicy.yaml",
    "policy/package.json",
    "policy/tsconfig.json",
    "policy/README.md",
];

/** The version this checkout has installed, so that the consumer's install is served from npm's cache. */
function installedVersion(name: string): string {
    return JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
}

/** Runs a command with this test's Node first on PATH, so that `npm` and whatever it starts run on the same Node as the suite. */
function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` };
    return spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
    assert.equal(result.error, undefined, `${what}: ${result.error?.message}`);
    assert.equal(result.status, 0, `${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

/**
 * Names of the types the public outputs (`pulumi.Output<T>` properties) of `className` use,
 * declared in the package's own sources, that `indexFile` does not export. Only types declared
 * under `sourceRoot` count: `pulumi.Output`, `string` and the like are not the package's to export.
 */
export function unexportedOutputTypes(program: ts.Program, indexFile: string, className: string, sourceRoot: string): string[] {
    const checker = program.getTypeChecker();
    const index = program.getSourceFile(indexFile);
    assert.ok(index, `${indexFile} is in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(index);
    assert.ok(moduleSymbol, `${indexFile} is a module`);
    const exported = new Set<ts.Symbol>();
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
        exported.add(symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
    }
    const component = [...exported].find((s) => s.name === className);
    assert.ok(component?.valueDeclaration, `${className} is exported from ${indexFile}`);
    const instance = checker.getDeclaredTypeOfSymbol(component);

    const ownSymbol = (type: ts.Type): ts.Symbol | undefined => {
        let symbol = type.aliasSymbol ?? type.getSymbol();
        const declaration = symbol?.declarations?.[0];
        if (declaration === undefined) return undefined;
        if (!path.resolve(declaration.getSourceFile().fileName).startsWith(path.resolve(sourceRoot) + path.sep)) return undefined;
        // A member of a string enum stands for its enum.
        if (ts.isEnumMember(declaration)) symbol = checker.getSymbolAtLocation(declaration.parent.name);
        return symbol;
    };
    const typeArguments = (type: ts.Type): readonly ts.Type[] => [
        ...(type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference
            ? checker.getTypeArguments(type as ts.TypeReference)
            : []),
        ...(type.aliasTypeArguments ?? []),
    ];
    const missing = new Set<string>();
    const seen = new Set<ts.Type>();
    const visit = (type: ts.Type): void => {
        if (seen.has(type)) return;
        seen.add(type);
        const own = ownSymbol(type);
        // An inline object type (`{ [key: string]: T }`) has no name to export; what it holds does.
        if (own !== undefined && !(own.flags & ts.SymbolFlags.TypeLiteral) && !exported.has(own)) missing.add(own.name);
        if (type.isUnion() || type.isIntersection()) return type.types.forEach(visit);
        typeArguments(type).forEach(visit);
        if (own !== undefined) {
            for (const property of checker.getPropertiesOfType(type)) visit(checker.getTypeOfSymbol(property));
            const indexed = checker.getIndexTypeOfType(type, ts.IndexKind.String);
            if (indexed !== undefined) visit(indexed);
        }
    };
    for (const property of checker.getPropertiesOfType(instance)) {
        const declaration = property.valueDeclaration;
        if (declaration === undefined || !ts.isPropertyDeclaration(declaration)) continue;
        const modifiers = ts.getCombinedModifierFlags(declaration);
        if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)) continue;
        const type = checker.getTypeOfSymbol(property);
        if (type.getSymbol()?.name !== "Output" && type.aliasSymbol?.name !== "Output") continue;
        typeArguments(type).forEach(visit);
    }
    return [...missing].sort();
}

/** The component classes the package exports. */
const COMPONENTS = [
    "DefenderForServersNetworkRestricted",
    "DefenderSubscription",
    "DefenderMachines",
    "DefenderConnectivity",
    "DefenderManagementGroupRollout",
];

describe("the public exports", function () {
    this.timeout(180000);

    it("include every type that the components' outputs use", () => {
        const program = ts.createProgram([path.join(ROOT, "sdk", "index.ts")], {
            strict: true,
            module: ts.ModuleKind.CommonJS,
            moduleResolution: ts.ModuleResolutionKind.Node10,
            target: ts.ScriptTarget.ES2022,
            skipLibCheck: true,
            noEmit: true,
            types: ["node"],
        });
        for (const component of COMPONENTS) {
            const missing = unexportedOutputTypes(program, path.join(ROOT, "sdk", "index.ts"), component, path.join(ROOT, "sdk"));
            assert.deepEqual(missing, [], `${component}: add to sdk/index.ts: export { ${missing.join(", ")} } from "./...";`);
        }
    });

    it("are components, choices, the validation error and pure helpers: no validate(), no normalized args, no plan internals", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const index = require(path.join(ROOT, "sdk", "index.ts")) as Record<string, unknown>;
        const values = Object.keys(index)
            .filter((k) => k !== "__esModule")
            .sort();
        const components = values.filter((k) => COMPONENTS.includes(k));
        assert.deepEqual(components, [...COMPONENTS].sort());
        for (const name of ["validate", "NormalizedArgs", "rolloutPolicies", "egressInputFor", "protectSubscription", "prepareMachine"]) {
            assert.ok(!(name in index), `sdk/index.ts exports ${name}`);
        }
        // Type-only names (interfaces) come through transpile-only re-exports as undefined: they are no runtime surface.
        const others = values.filter((k) => !COMPONENTS.includes(k) && index[k] !== undefined);
        assert.ok(others.includes("Os") && others.includes("defenderEgress"), "the check sees the choices and helpers");
        for (const name of others) {
            const value = index[name];
            const isChoice = typeof value === "object" && value !== null && Object.values(value).every((v) => typeof v === "string");
            const kind = isChoice ? "choice" : name === "ValidationError" ? "error" : name === "defenderEgress" ? "helper" : "unexpected";
            assert.notEqual(
                kind,
                "unexpected",
                `sdk/index.ts exports ${name}, which is neither a component, a choice, the validation error nor a pure helper`,
            );
        }
    });

    it("the check names an output's type that is not exported, and one nested in it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-exports-"));
        try {
            fs.mkdirSync(path.join(dir, "src"));
            fs.writeFileSync(
                path.join(dir, "src", "types.ts"),
                'export interface Inner { a: string }\nexport interface Row { inner: Inner[] }\nexport interface Shown { b: number }\nexport enum Mode { A = "a", B = "b" }\n',
            );
            fs.writeFileSync(
                path.join(dir, "src", "component.ts"),
                [
                    'import { Mode, Row, Shown } from "./types";',
                    "export interface Output<T> { get(): T }",
                    "export class C {",
                    "    public readonly rows!: Output<Row[] | undefined>;",
                    "    public readonly shown!: Output<{ [key: string]: Shown }>;",
                    "    public readonly mode!: Output<Mode>;",
                    "    private readonly hidden!: Output<Row>;",
                    "}",
                ].join("\n"),
            );
            fs.writeFileSync(path.join(dir, "src", "index.ts"), 'export { C } from "./component";\nexport { Shown } from "./types";\n');
            const program = ts.createProgram([path.join(dir, "src", "index.ts")], { strict: true, noEmit: true, types: [] });
            assert.deepEqual(unexportedOutputTypes(program, path.join(dir, "src", "index.ts"), "C", path.join(dir, "src")), [
                "Inner",
                "Mode",
                "Row",
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

/**
 * The package as a user gets it: `npm pack`, then `npm install <tarball>` in an empty folder
 * (from the registry: the peer dependencies @pulumi/pulumi and @pulumi/azure-native come in
 * by themselves), then a typed program that compiles with the consumer's own `tsc` and runs
 * under the package's offline preview. Everything runs on the Node that runs this suite: a
 * release spec, so Node 22 under `npm test`. When it runs again with the same
 * $DEFENDER_TEST_SCRATCH, the install is reused (same tarball, found by its hash).
 */
describe(`the packed package, installed from its tarball (Node ${process.versions.node})`, function () {
    this.timeout(900000);
    const shared = process.env.DEFENDER_TEST_SCRATCH;
    let scratch: string;
    let files: string[];
    let consumer: string;

    before(() => {
        scratch = shared ?? fs.mkdtempSync(path.join(os.tmpdir(), "defender-pack-"));
        const packs = path.join(scratch, "pack");
        fs.mkdirSync(packs, { recursive: true });
        const packOutput = ok(run("npm", ["pack", "--json", "--pack-destination", packs], ROOT), "npm pack");
        // Lifecycle scripts (prepack's build) print before npm's JSON.
        const packed = JSON.parse(packOutput.slice(packOutput.search(/^\[\s*\{/m)));
        files = packed[0].files.map((f: { path: string }) => f.path);
        const tarball = path.join(packs, packed[0].filename);
        consumer = path.join(scratch, `consumer-${packed[0].shasum}`);
        const ready = path.join(consumer, ".installed");
        if (!fs.existsSync(ready)) {
            fs.rmSync(consumer, { recursive: true, force: true });
            fs.mkdirSync(consumer, { recursive: true });
            fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
            // The program's own tools, at this checkout's versions (served from the npm cache); the package's
            // peer dependencies are not named: npm must bring them in from the package's own ranges.
            const tools = ["typescript", "ts-node", "@types/node"].map((name) => `${name}@${installedVersion(name)}`);
            ok(
                run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, ...tools], consumer),
                "npm install <tarball>",
            );
            fs.writeFileSync(ready, tarball + "\n");
        }
    });

    after(() => {
        if (shared === undefined) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("ships compiled JavaScript, type declarations, the run-command scripts, the policy pack's sources, README, LICENSE and CHANGELOG, and nothing else", () => {
        for (const expected of [
            "dist/index.js",
            "dist/index.d.ts",
            "dist/preview/cli.js",
            "README.md",
            "docs/arguments.md",
            "LICENSE",
            "CHANGELOG.md",
            "package.json",
            ...POLICY_FILES,
        ]) {
            assert.ok(files.includes(expected), `${expected} is in the tarball`);
        }
        assert.ok(
            files.some((f) => f.startsWith("sdk/scripts/")),
            "the run-command scripts are in the tarball",
        );
        const unexpected = files.filter(
            (f) =>
                !/^(dist\/.*\.(js|d\.ts)|sdk\/scripts\/(linux\/)?[^/]+|README\.md|docs\/[^/]+\.md|LICENSE|CHANGELOG\.md|package\.json)$/.test(
                    f,
                ) && !POLICY_FILES.includes(f),
        );
        assert.deepEqual(unexpected, []);
    });

    it("ships a policy pack that type-checks and starts from node_modules/defender-servers/policy, at the package's version", async () => {
        const pack = path.join(consumer, "node_modules", "defender-servers", "policy");
        const manifest = JSON.parse(fs.readFileSync(path.join(pack, "package.json"), "utf8"));
        assert.equal(manifest.version, pkg.version, "the shipped pack's version is the package's");
        // Stands in for `npm install --prefix node_modules/defender-servers/policy`: this checkout's
        // node_modules, whose versions must satisfy every range the shipped pack declares.
        const semver = require(require.resolve("semver", { paths: [path.join(ROOT, "node_modules", "@pulumi", "pulumi")] }));
        for (const [name, range] of Object.entries<string>({ ...manifest.dependencies, ...manifest.devDependencies })) {
            assert.ok(semver.satisfies(installedVersion(name), range), `${name}@${installedVersion(name)} satisfies the pack's ${range}`);
        }
        const linked = path.join(pack, "node_modules");
        fs.rmSync(linked, { recursive: true, force: true });
        fs.symlinkSync(path.join(ROOT, "node_modules"), linked);
        try {
            ok(
                run(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", pack, "--noEmit"], pack),
                "tsc -p the installed pack",
            );
            // What `pulumi preview --policy-pack node_modules/defender-servers/policy` runs: the Node.js
            // language host's `run-policy-pack <engine> <pack directory>`, in that directory; it compiles
            // index.ts with ts-node and prints the port it serves on once the pack is loaded.
            const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [pack] });
            const started = spawn(process.execPath, [runPolicyPack, "127.0.0.1:1", pack], { cwd: pack, stdio: ["ignore", "pipe", "pipe"] });
            let stderr = "";
            started.stderr!.on("data", (d) => (stderr += d));
            try {
                const port = await new Promise<string>((resolve, reject) => {
                    started.stdout!.once("data", (d) => resolve(String(d).trim()));
                    started.once("exit", (code) => reject(new Error(`the installed pack exited (${code}) before listening:\n${stderr}`)));
                });
                assert.match(port, /^\d+$/, `the pack serves on a port: ${port}\n${stderr}`);
            } finally {
                started.kill();
            }
        } finally {
            fs.rmSync(linked, { force: true });
        }
    });

    it("brings exactly one @pulumi/pulumi and one @pulumi/azure-native, in the ranges the package declares", () => {
        for (const name of ["@pulumi/pulumi", "@pulumi/azure-native"]) {
            const copies = run("npm", ["ls", name, "--all", "--parseable"], consumer);
            const paths = copies.stdout.split("\n").filter((l) => l.trim() !== "");
            assert.equal(new Set(paths).size, 1, `one copy of ${name} in the consumer:\n${copies.stdout}${copies.stderr}`);
            assert.equal(copies.status, 0, `npm ls ${name} finds no invalid or missing copy:\n${copies.stderr}`);
        }
        const installed = JSON.parse(fs.readFileSync(path.join(consumer, "node_modules", "defender-servers", "package.json"), "utf8"));
        assert.deepEqual(installed.peerDependencies["@pulumi/pulumi"], pkg.peerDependencies["@pulumi/pulumi"]);
    });

    it("a typed program compiles against the shipped declarations, and wrong args do not", () => {
        fs.writeFileSync(
            path.join(consumer, "index.ts"),
            [
                'import * as pulumi from "@pulumi/pulumi";',
                "import {",
                "    DefenderForServersNetworkRestricted,",
                "    DefenderForServersNetworkRestrictedArgs,",
                "    EgressDestination,",
                "    OnboardingCommands,",
                "    Os,",
                '} from "defender-servers";',
                "",
                "const args: DefenderForServersNetworkRestrictedArgs = {",
                '    subscriptionId: "11111111-2222-3333-4444-555555555555",',
                '    location: "westeurope",',
                '    proxy: { address: "http://proxy.corp.example:3128" },',
                '    machines: [{ key: "lnx-web-01", kind: "azureVm", os: Os.linux, resourceGroupName: "rg-app", name: "lnx-web-01", systemAssignedIdentity: true }],',
                "};",
                'const defender = new DefenderForServersNetworkRestricted("d", args);',
                "export const plan: pulumi.Output<string | undefined> = defender.subPlan;",
                "export const egressHosts: pulumi.Output<string[]> = defender.egress.apply((rows: EgressDestination[]) => rows.map((r) => r.host));",
                "export const onboarding: pulumi.Output<OnboardingCommands | undefined> = defender.arcOnboardingCommands;",
                "export const nodeVersion: string = process.version;",
                "",
            ].join("\n"),
        );
        fs.writeFileSync(
            path.join(consumer, "wrong.ts"),
            [
                'import { DefenderForServersNetworkRestricted } from "defender-servers";',
                "// @ts-expect-error: subscriptionId is a string",
                'new DefenderForServersNetworkRestricted("e", { subscriptionId: 1, location: "westeurope" });',
                "// @ts-expect-error: location is required",
                'new DefenderForServersNetworkRestricted("f", { subscriptionId: "s" });',
                "// @ts-expect-error: P3 is not a sub-plan (the shipped declarations carry the choice types)",
                'new DefenderForServersNetworkRestricted("h", { subscriptionId: "s", location: "westeurope", plan: { subPlan: "P3" } });',
                "",
            ].join("\n"),
        );
        fs.writeFileSync(
            path.join(consumer, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: { strict: true, module: "commonjs", target: "ES2022", noEmit: true, types: ["node"] },
                files: ["index.ts", "wrong.ts"],
            }),
        );
        // The consumer's own compiler, on this Node: an unused @ts-expect-error is an error too.
        ok(
            run(process.execPath, [path.join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", consumer], consumer),
            "tsc in the consumer",
        );

        fs.appendFileSync(
            path.join(consumer, "wrong.ts"),
            'new DefenderForServersNetworkRestricted("g", { subscriptionId: 1, location: "westeurope" });\n',
        );
        const refused = run(process.execPath, [path.join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", consumer], consumer);
        assert.notEqual(refused.status, 0, "a wrong field type without @ts-expect-error fails the compile");
        assert.match(refused.stdout, /wrong\.ts\(8,\d+\): error TS2322/);
        fs.rmSync(path.join(consumer, "wrong.ts"));
    });

    it("runs under the package's offline preview, from its bin", () => {
        fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\n");
        // The preview, like the CLI, wants the stack's file; this program reads no config.
        fs.writeFileSync(path.join(consumer, "Pulumi.dev.yaml"), "config: {}\n");
        const bin = path.join(consumer, "node_modules", ".bin", "defender-servers-preview");
        assert.ok(fs.existsSync(bin), "npm linked the bin");
        // The bin's `#!/usr/bin/env node` finds this Node first on PATH (see run()).
        const out = ok(run(bin, [".", "--json"], consumer), "defender-servers-preview");
        const report = JSON.parse(out);
        const names = report.resources.map((r: { name: string }) => r.name);
        assert.equal(names[0], "d");
        // The machine's proxy first, then the MDE settings, then the plan (which integrates MDE by default).
        const at = (name: string) => names.indexOf(name);
        assert.ok(at("d-os-proxy-lnx-web-01") > 0, names.join(", "));
        assert.ok(at("d-os-proxy-lnx-web-01") < at("d-mde-integration") && at("d-mde-integration") < at("d-plan"), names.join(", "));
        assert.equal(report.outputs.plan, "P2");
        assert.ok(Array.isArray(report.outputs.egressHosts) && report.outputs.egressHosts.length > 0, JSON.stringify(report.outputs));
        assert.ok(report.outputs.egressHosts.every((h: unknown) => typeof h === "string" && h !== ""));
        assert.deepEqual(report.errors, []);
        assert.equal(report.outputs.nodeVersion, process.version, "the program ran on the suite's Node");
    });
});

describe("the build", function () {
    this.timeout(60000);

    it("prepare skips the build only when dist/ was built from the sources there now", () => {
        // Runs tools/prepare.js against a scratch copy whose `npm run build` only records that it ran.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-prepare-"));
        try {
            fs.mkdirSync(path.join(dir, "tools"));
            fs.copyFileSync(path.join(ROOT, "tools", "prepare.js"), path.join(dir, "tools", "prepare.js"));
            for (const f of ["tsconfig.json", "tsconfig.build.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
            fs.mkdirSync(path.join(dir, "sdk", "plan"), { recursive: true });
            fs.writeFileSync(path.join(dir, "sdk", "index.ts"), "export const a = 1;\n");
            fs.writeFileSync(path.join(dir, "sdk", "plan", "b.ts"), "export const b = 2;\n");
            const build =
                "mkdir -p dist && echo built >> built.log && echo 'module.exports = {}' > dist/index.js && node tools/prepare.js --stamp";
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "p", version: "0.0.0", scripts: { build } }));
            const prepare = (): string => {
                const result = run(process.execPath, [path.join(dir, "tools", "prepare.js")], dir);
                assert.equal(result.status, 0, result.stdout + result.stderr);
                return result.stdout;
            };
            const builds = (): number =>
                fs.existsSync(path.join(dir, "built.log"))
                    ? fs.readFileSync(path.join(dir, "built.log"), "utf8").split("\n").length - 1
                    : 0;

            assert.match(prepare(), /no dist\/; npm run build/);
            assert.equal(builds(), 1, "no dist/: built");
            assert.match(prepare(), /not rebuilt/);
            assert.equal(builds(), 1, "same sources: not rebuilt");
            fs.appendFileSync(path.join(dir, "sdk", "plan", "b.ts"), "export const c = 3;\n");
            assert.match(prepare(), /sources changed/);
            assert.equal(builds(), 2, "a changed source: rebuilt");
            fs.writeFileSync(path.join(dir, "tsconfig.build.json"), "{}\n");
            prepare();
            assert.equal(builds(), 3, "a changed tsconfig: rebuilt");
            fs.rmSync(path.join(dir, "dist", "index.js"));
            prepare();
            assert.equal(builds(), 4, "no dist/index.js: rebuilt");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("prepare fails when the build fails", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-prepare-"));
        try {
            fs.mkdirSync(path.join(dir, "tools"));
            fs.mkdirSync(path.join(dir, "sdk"));
            fs.copyFileSync(path.join(ROOT, "tools", "prepare.js"), path.join(dir, "tools", "prepare.js"));
            for (const f of ["tsconfig.json", "tsconfig.build.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
            fs.writeFileSync(path.join(dir, "sdk", "index.ts"), "export const a = 1;\n");
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "p", version: "0.0.0", scripts: { build: "exit 3" } }));
            const result = run(process.execPath, [path.join(dir, "tools", "prepare.js")], dir);
            assert.equal(result.status, 3, result.stdout + result.stderr);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the package manifest", () => {
    it("versions the policy pack with the package", () => {
        const policy = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"));
        assert.equal(policy.version, pkg.version, "policy/package.json's version is package.json's");
        assert.equal(pkg.scripts.version, "node tools/sync-policy-version.js", "npm version runs the sync");
    });

    it("npm version's script writes the new version into policy/package.json and stages it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-version-"));
        try {
            fs.mkdirSync(path.join(dir, "policy"));
            const original = fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8");
            fs.writeFileSync(path.join(dir, "policy", "package.json"), original);
            // What `npm version 9.8.7` leaves before it runs the script: package.json already bumped.
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...pkg, version: "9.8.7" }, null, 2) + "\n");
            execFileSync("git", ["init", "-q"], { cwd: dir });
            ok(run(process.execPath, [path.join(ROOT, "tools", "sync-policy-version.js"), dir], dir), "sync-policy-version");
            const written = fs.readFileSync(path.join(dir, "policy", "package.json"), "utf8");
            assert.equal(JSON.parse(written).version, "9.8.7");
            // Only the version line changes.
            assert.deepEqual(
                written.split("\n").filter((line, i) => line !== original.split("\n")[i]),
                // The version line, in the file's own indentation (prettier keeps manifests at npm's 2 spaces).
                [
                    original
                        .split("\n")
                        .find((line) => /^\s*"version":/.test(line))!
                        .replace(/"version": "[^"]*"/, '"version": "9.8.7"'),
                ],
            );
            const staged = execFileSync("git", ["diff", "--cached", "--name-only"], { cwd: dir, encoding: "utf8" });
            assert.deepEqual(staged.trim().split("\n"), ["policy/package.json"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("supports the Node versions the SDK does, and types against the oldest", () => {
        const sdk = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"));
        assert.equal(pkg.engines.node, sdk.engines.node, "engines.node is @pulumi/pulumi's");
        const oldest = /^>=(\d+)$/.exec(pkg.engines.node)?.[1];
        assert.ok(oldest, `engines.node is a plain floor: ${pkg.engines.node}`);
        assert.equal(installedVersion("@types/node").split(".")[0], oldest, "@types/node is the oldest supported Node's");
        assert.match(pkg.devDependencies["@types/node"], new RegExp(`^\\^${oldest}\\.`));
    });

    it("takes the Pulumi SDK and azure-native from the program (peers), and ships nothing unused", () => {
        for (const name of ["@pulumi/pulumi", "@pulumi/azure-native"]) {
            assert.ok(pkg.peerDependencies[name], `${name} is a peer dependency`);
            assert.equal(pkg.dependencies[name], undefined, `${name} is not also a dependency`);
            assert.ok(pkg.devDependencies[name], `${name} is installed here for the tests`);
        }
        // Policy mode's MDE gate is a random.RandomString whose input is the remediation verdict.
        assert.ok(pkg.dependencies["@pulumi/random"], "@pulumi/random carries policy mode's remediation gate");
        // Every runtime dependency is imported by the shipped code.
        const sources = execFileSync("git", ["ls-files", "sdk"], { cwd: ROOT, encoding: "utf8" })
            .split("\n")
            .filter((f) => f.endsWith(".ts"))
            .map((f) => fs.readFileSync(path.join(ROOT, f), "utf8"))
            .join("\n");
        for (const name of [...Object.keys(pkg.dependencies), "@pulumi/pulumi", "@pulumi/azure-native", "ts-node"]) {
            assert.match(
                sources,
                new RegExp(`from "${name.replace("/", "\\/")}[/"]|require(?:\\.resolve)?\\("${name.replace("/", "\\/")}`),
                `${name} is used by sdk/`,
            );
        }
    });

    it("names where the source, the home page and the issues are, and the license is there", () => {
        assert.match(pkg.repository.url, /^git\+https:\/\/github\.com\/[^/]+\/defender-servers\.git$/);
        assert.ok(pkg.homepage && pkg.bugs?.url);
        assert.equal(pkg.license, "Apache-2.0");
        assert.match(fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0, January 2004/);
        assert.match(fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8"), new RegExp(`## \\[${pkg.version.replace(/\./g, "\\.")}\\]`));
    });
});

describe("npm test's runner (tools/run-tests.sh)", function () {
    this.timeout(180000);
    let dir: string;
    const runner = (args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
        spawnSync("bash", [path.join(ROOT, "tools", "run-tests.sh"), "--no-config", ...args], {
            cwd: ROOT,
            env: { ...process.env, ...env },
            encoding: "utf8",
        });
    const lastLine = (out: string): string => out.trimEnd().split("\n").pop() ?? "";

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-runner-"));
        fs.writeFileSync(
            path.join(dir, "mixed.spec.js"),
            'const assert = require("assert");\ndescribe("m", () => { it("a", () => {}); it("b", () => {}); it("c", () => assert.equal(1, 2)); it.skip("d", () => {}); });\n',
        );
        fs.writeFileSync(path.join(dir, "ok.spec.js"), 'describe("o", () => { it("a", () => {}); });\n');
        fs.writeFileSync(path.join(dir, "broken.spec.js"), 'throw new Error("this spec does not load");\n');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("sums both Node runs on its last line and exits 0 when all passed", () => {
        const result = runner([path.join(dir, "ok.spec.js")]);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /=== mocha on Node v22\./);
        assert.match(result.stdout, /=== mocha on Node v24\./);
        assert.equal(lastLine(result.stdout), "tests: 2 passed, 0 failed");
    });

    it("counts failures from both runs and exits non-zero", () => {
        const result = runner([path.join(dir, "mixed.spec.js")]);
        assert.equal(result.status, 1);
        assert.equal(lastLine(result.stdout), "tests: 4 passed, 2 failed");
    });

    it("counts a run that reports nothing as a failure", () => {
        const result = runner([path.join(dir, "broken.spec.js")]);
        assert.equal(result.status, 1);
        assert.equal(lastLine(result.stdout), "tests: 0 passed, 2 failed");
        assert.match(result.stderr, /without a summary; counted as 1 failure/);
    });

    it("refuses to run without the Node binaries, naming the install script", () => {
        const result = runner([path.join(dir, "ok.spec.js")], { NODE24: path.join(dir, "no-such-node") });
        assert.equal(result.status, 2);
        assert.match(result.stderr, /no Node 24 at \$NODE24=.*no-such-node; run: bash tools\/install-test-tools\.sh/);
        assert.doesNotMatch(result.stdout, /tests: /);
    });
});
