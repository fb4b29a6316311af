/**
 * The component provider's schema, as other languages see it. It is generated the way the
 * provider generates it (`ComponentProvider.getSchema()`: the SDK's own analyzer over the
 * TypeScript source, no CLI), and checked against the source read independently with the
 * TypeScript compiler: every argument and output is there, described by its JSDoc, with a real
 * type, plain where it decides which resources exist. Then the provider is started the way the
 * Node.js language host starts a source plugin and asked for its schema over gRPC, and the
 * YAML example is checked against the schema and the component's validation.
 */
import { strict as assert } from "node:assert";
import { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as ts from "typescript";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { DefenderForServersNetworkRestricted, DefenderForServersNetworkRestrictedArgs } from "../sdk";
import { componentProviderOptions, PACKAGE_NAME, PACKAGE_ROOT } from "../sdk/provider";
import { construct } from "./harness";
import { PluginCheckout, pluginCheckout, startHosted } from "./languageHost";

const ROOT = path.resolve(__dirname, "..");
const TOKEN = "defender-servers:index:DefenderForServersNetworkRestricted";
const TYPE_PREFIX = "#/types/defender-servers:index:";

interface SchemaProperty {
    type?: string;
    $ref?: string;
    plain?: boolean;
    description?: string;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
}
interface SchemaObject {
    type: string;
    properties?: Record<string, SchemaProperty>;
    required?: string[];
    /** Set on an enum type: its members. */
    enum?: { name: string; value: string; description?: string }[];
}
interface Schema {
    name: string;
    version: string;
    resources: Record<
        string,
        SchemaObject & {
            isComponent?: boolean;
            description?: string;
            inputProperties: Record<string, SchemaProperty>;
            requiredInputs: string[];
        }
    >;
    types: Record<string, SchemaObject>;
}

/** One field of an interface (or one output of the class), as the TypeScript source declares it. */
interface SourceField {
    doc: string;
    optional: boolean;
    /** The annotation is `pulumi.Input<...>` (or `pulumi.Output<...>` for outputs) at its top. */
    wrapped: boolean;
    /** For `T[]` and `{ [k: string]: T }`: whether T is `pulumi.Input<...>`. */
    elementInput?: boolean;
    /** Interfaces of this package the field's type refers to. */
    nested: string[];
}

const normalize = (text: string): string => text.replace(/\s+/g, " ").trim();

/** Reads the args interfaces and the component's outputs straight from the source, with the compiler, not the analyzer. */
function readSource(): { interfaces: Map<string, Map<string, SourceField>>; outputs: Map<string, SourceField> } {
    const program = ts.createProgram([path.join(ROOT, "sdk", "index.ts")], {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        skipLibCheck: true,
        noEmit: true,
        types: [],
    });
    const checker = program.getTypeChecker();
    const ours = program.getSourceFiles().filter((f) => f.fileName.startsWith(path.join(ROOT, "sdk") + path.sep));
    const declarations = new Map<string, ts.InterfaceDeclaration>();
    let component: ts.ClassDeclaration | undefined;
    for (const file of ours) {
        file.forEachChild((node) => {
            if (ts.isInterfaceDeclaration(node)) declarations.set(node.name.text, node);
            if (ts.isClassDeclaration(node) && node.name?.text === "DefenderForServersNetworkRestricted") component = node;
        });
    }
    const isWrapper = (node: ts.TypeNode | undefined, wrapper: string): boolean =>
        node !== undefined && ts.isTypeReferenceNode(node) && node.typeName.getText().split(".").pop() === wrapper;
    const nestedOf = (node: ts.Node): string[] => {
        const found: string[] = [];
        const visit = (n: ts.Node): void => {
            if (ts.isTypeReferenceNode(n)) {
                const name = n.typeName.getText();
                if (declarations.has(name)) found.push(name);
            }
            n.forEachChild(visit);
        };
        visit(node);
        return found;
    };
    const field = (member: ts.PropertySignature | ts.PropertyDeclaration, wrapper: string): SourceField => {
        const symbol = checker.getSymbolAtLocation(member.name);
        const type = member.type!;
        let elementInput: boolean | undefined;
        if (ts.isArrayTypeNode(type)) elementInput = isWrapper(type.elementType, "Input");
        if (ts.isTypeLiteralNode(type)) {
            const index = type.members.find(ts.isIndexSignatureDeclaration);
            if (index !== undefined) elementInput = isWrapper(index.type, "Input");
        }
        return {
            doc: normalize(ts.displayPartsToString(symbol?.getDocumentationComment(checker) ?? [])),
            optional: member.questionToken !== undefined,
            wrapped: isWrapper(type, wrapper),
            elementInput,
            nested: nestedOf(type),
        };
    };

    // Every interface reachable from the args.
    const interfaces = new Map<string, Map<string, SourceField>>();
    const pending = ["DefenderForServersNetworkRestrictedArgs"];
    while (pending.length > 0) {
        const name = pending.shift()!;
        if (interfaces.has(name)) continue;
        const fields = new Map<string, SourceField>();
        for (const member of declarations.get(name)!.members) {
            if (!ts.isPropertySignature(member)) continue;
            const f = field(member, "Input");
            fields.set(member.name.getText(), f);
            pending.push(...f.nested);
        }
        interfaces.set(name, fields);
    }

    // The public readonly `Output` properties of the class, and the interfaces they use.
    assert.ok(component, "the component class is declared under sdk/");
    const outputs = new Map<string, SourceField>();
    for (const member of component.members) {
        if (!ts.isPropertyDeclaration(member) || !isWrapper(member.type, "Output")) continue;
        if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
        const f = field(member, "Output");
        const text = member.type!.getText();
        outputs.set(member.name.getText(), { ...f, optional: /\|\s*undefined\s*>$/.test(text) });
        pending.push(...f.nested);
    }
    while (pending.length > 0) {
        const name = pending.shift()!;
        if (interfaces.has(name)) continue;
        const fields = new Map<string, SourceField>();
        for (const member of declarations.get(name)!.members) {
            if (!ts.isPropertySignature(member)) continue;
            const f = field(member, "Input");
            fields.set(member.name.getText(), f);
            // Output types nest too (a rule collection holds rules, a rule its protocols).
            pending.push(...f.nested);
        }
        interfaces.set(name, fields);
    }
    return { interfaces, outputs };
}

/** Every `$ref` and property definition in the schema, with its path. */
function walk(value: unknown, at: string, visit: (node: Record<string, unknown>, at: string) => void): void {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`, visit));
    else if (value !== null && typeof value === "object") {
        visit(value as Record<string, unknown>, at);
        for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`, visit);
    }
}

let generated: Promise<Schema> | undefined;
/** The schema as the provider generates it (once: the analyzer compiles the whole project). */
function generatedSchema(): Promise<Schema> {
    generated ??= new ComponentProvider(componentProviderOptions()).getSchema().then((text) => JSON.parse(text) as Schema);
    return generated;
}

/** Interfaces that only describe outputs: no args rules (plain, required) apply to them. */
const OUTPUT_TYPES = [
    "EgressDestination",
    "OnboardingCommands",
    "AzureFirewallRuleCollection",
    "AzureFirewallRule",
    "AzureFirewallRuleProtocol",
    "AzureFirewallRuleAction",
    "OnboardingVerification",
    "RemediationGateOutput",
];

/**
 * Every choice field of the args, written out here rather than read from the source: the schema
 * enum it must refer to (by name), and exactly the values it must allow, in order. A field of
 * `T[]` is checked on its items.
 */
const CHOICE_FIELDS: Record<string, { enum: string; values: string[] }> = {
    "DefenderForServersNetworkRestrictedArgs.cloud": { enum: "Cloud", values: ["AzureCloud", "AzureUSGovernment"] },
    "RolloutSettings.mode": { enum: "RolloutMode", values: ["machines", "policy"] },
    "AzureMonitorPrivateLinkScopeSettings.ingestionAccessMode": { enum: "PrivateLinkAccessMode", values: ["PrivateOnly", "Open"] },
    "AzureMonitorPrivateLinkScopeSettings.queryAccessMode": { enum: "PrivateLinkAccessMode", values: ["PrivateOnly", "Open"] },
    "MachineSettings.kind": { enum: "MachineKind", values: ["azureVm", "arc"] },
    "MachineSettings.os": { enum: "Os", values: ["windows", "linux"] },
    "MachineSettings.arcPrivateLinkScope": { enum: "ArcScopeAssociation", values: ["none", "associated", "associateByPolicy"] },
    "MachineSettings.exclude": { enum: "MachinePart", values: ["osProxy", "azureMonitorAgent", "legacyAgent", "guestConfiguration"] },
    "MachineSettings.defenderPlan": { enum: "MachineDefenderPlan", values: ["P1", "Free"] },
    "DefenderPlanSettings.subPlan": { enum: "SubPlan", values: ["P1", "P2"] },
    "MdeIntegrationSettings.connectivity": { enum: "MdeConnectivity", values: ["standard", "streamlined"] },
    "MdeIntegrationSettings.dataLocation": {
        enum: "MdeDataLocation",
        values: ["US", "EU", "UK", "AU", "GCC", "GCCHigh", "DoD", "CH", "IN", "UAE"],
    },
    "LogCollectionSettings.streams": { enum: "LogStream", values: ["securityEvents", "authSyslog"] },
    "LogCollectionSettings.workspaceSecuritySolution": { enum: "WorkspaceSecuritySolution", values: ["sentinel", "defenderForServersP2"] },
};

describe("component provider schema", function () {
    this.timeout(120000);
    let schema: Schema;
    let source: ReturnType<typeof readSource>;

    before(async () => {
        schema = await generatedSchema();
        source = readSource();
    });

    const component = () => schema.resources[TOKEN];
    const typeOf = (name: string) => schema.types[`defender-servers:index:${name}`];
    /** The schema's properties for a source interface: the component's inputs for the args, a type's properties otherwise. */
    const schemaFields = (name: string): Record<string, SchemaProperty> =>
        name === "DefenderForServersNetworkRestrictedArgs" ? component().inputProperties : (typeOf(name)?.properties ?? {});

    it("is the defender-servers package with the all-in-one component and the four scope components", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.equal(schema.name, "defender-servers");
        assert.equal(PACKAGE_NAME, pkg.name, "run-plugin names the provider after package.json when it hosts dist/");
        assert.equal(PACKAGE_ROOT, ROOT);
        assert.equal(schema.version, pkg.version);
        assert.deepEqual(Object.keys(schema.resources).sort(), [
            "defender-servers:index:DefenderConnectivity",
            TOKEN,
            "defender-servers:index:DefenderMachines",
            "defender-servers:index:DefenderManagementGroupRollout",
            "defender-servers:index:DefenderSubscription",
        ]);
        for (const token of Object.keys(schema.resources)) assert.equal(schema.resources[token].isComponent, true, token);
        assert.equal(DefenderForServersNetworkRestricted.TYPE, TOKEN);
        assert.equal(component().isComponent, true);
        assert.match(component().description ?? "", /^Defender for Servers, wired up for machines/);
    });

    it("has every argument, nested ones included, described by its JSDoc and nothing else", () => {
        for (const [name, fields] of source.interfaces) {
            if (OUTPUT_TYPES.includes(name)) continue;
            const inSchema = schemaFields(name);
            assert.deepEqual(Object.keys(inSchema).sort(), [...fields.keys()].sort(), `${name}: fields`);
            for (const [field, declared] of fields) {
                assert.ok(declared.doc.length > 0, `${name}.${field} has no JSDoc in the source`);
                assert.equal(normalize(inSchema[field].description ?? ""), declared.doc, `${name}.${field}: description`);
            }
        }
        assert.ok(source.interfaces.size >= 13, "the walk reached the nested interfaces");
        assert.deepEqual(
            [...component().requiredInputs].sort(),
            [...source.interfaces.get("DefenderForServersNetworkRestrictedArgs")!]
                .filter(([, f]) => !f.optional)
                .map(([n]) => n)
                .sort(),
        );
    });

    it("has every output, described, optional where the source says `| undefined`, never plain", () => {
        const outputs = component().properties!;
        assert.deepEqual(Object.keys(outputs).sort(), [...source.outputs.keys()].sort());
        for (const [name, declared] of source.outputs) {
            assert.ok(declared.doc.length > 0, `output ${name} has no JSDoc`);
            assert.equal(normalize(outputs[name].description ?? ""), declared.doc, `output ${name}`);
            assert.equal(outputs[name].plain, undefined, `output ${name} is not plain`);
        }
        assert.deepEqual(
            [...component().required!].sort(),
            [...source.outputs]
                .filter(([, f]) => !f.optional)
                .map(([n]) => n)
                .sort(),
        );
        for (const name of OUTPUT_TYPES) {
            const fields = source.interfaces.get(name)!;
            const properties = typeOf(name).properties!;
            assert.deepEqual(Object.keys(properties).sort(), [...fields.keys()].sort(), name);
            for (const [field, declared] of fields)
                assert.equal(normalize(properties[field].description ?? ""), declared.doc, `${name}.${field}`);
        }
        assert.deepEqual(outputs.egress.items, { $ref: `${TYPE_PREFIX}EgressDestination` });
        const egress = typeOf("EgressDestination").properties!;
        assert.deepEqual(Object.fromEntries(Object.entries(egress).map(([k, v]) => [k, v.type])), {
            host: "string",
            port: "number",
            protocol: "string",
            agents: "array",
            platforms: "array",
            why: "string",
            when: "string",
            route: "string",
            serviceTag: "string",
            probeHost: "string",
            tlsInspection: "boolean",
        });
    });

    it("gives every property a real type: no Any, every reference resolves", () => {
        const problems: string[] = [];
        walk(schema, "schema", (node, at) => {
            if (node.$ref === "pulumi.json#/Any") problems.push(`${at}: Any`);
            if (
                typeof node.$ref === "string" &&
                node.$ref.startsWith(TYPE_PREFIX) &&
                typeOf(node.$ref.slice(TYPE_PREFIX.length)) === undefined
            ) {
                problems.push(`${at}: dangling ${node.$ref}`);
            }
            const isProperty = /\.(properties|inputProperties)\.[^.]+$|\.items$|\.additionalProperties$/.test(at);
            if (isProperty && node.type === undefined && node.$ref === undefined) problems.push(`${at}: no type`);
        });
        assert.deepEqual(problems, []);
    });

    it("makes plain exactly what the source does not wrap in pulumi.Input", () => {
        for (const [name, fields] of source.interfaces) {
            if (OUTPUT_TYPES.includes(name)) continue;
            const inSchema = schemaFields(name);
            for (const [field, declared] of fields) {
                const property = inSchema[field];
                assert.equal(property.plain === true, !declared.wrapped, `${name}.${field}: plain`);
                const element = property.items ?? property.additionalProperties;
                if (declared.elementInput !== undefined) {
                    assert.ok(element, `${name}.${field} has an element type`);
                    assert.equal(element.plain === true, !declared.elementInput, `${name}.${field} elements: plain`);
                }
            }
        }
    });

    it("makes every choice field a string enum with exactly its allowed values, and has no other enum", () => {
        for (const [dotted, expected] of Object.entries(CHOICE_FIELDS)) {
            const [name, field] = dotted.split(".");
            const property = schemaFields(name)[field];
            assert.ok(property, `${dotted} is in the schema`);
            const reference = property.type === "array" ? property.items?.$ref : property.$ref;
            assert.equal(reference, `${TYPE_PREFIX}${expected.enum}`, `${dotted} refers to the ${expected.enum} enum`);
            const type = typeOf(expected.enum);
            assert.equal(type.type, "string", `${expected.enum} is a string enum`);
            assert.deepEqual(
                type.enum?.map((m) => m.value),
                expected.values,
                `${expected.enum}: values`,
            );
            // Member names are what Python, Go, C# and Java spell the constants from.
            assert.deepEqual(
                type.enum?.map((m) => m.name),
                expected.values,
                `${expected.enum}: member names`,
            );
            assert.ok(
                type.enum?.every((m) => (m.description ?? "").length > 0),
                `${expected.enum}: every member is described`,
            );
        }
        const enums = Object.entries(schema.types)
            .filter(([, t]) => t.enum !== undefined)
            .map(([token]) => token.slice("defender-servers:index:".length))
            .sort();
        assert.deepEqual(enums, [...new Set(Object.values(CHOICE_FIELDS).map((c) => c.enum))].sort(), "no enum beyond the choice fields");
    });

    it("leaves as plain strings the fields that are not choices", () => {
        // A path or a name is free text: turning one into an enum would refuse every real value.
        for (const dotted of [
            "RolloutSettings.scope",
            "DefenderForServersNetworkRestrictedArgs.location",
            "MachineSettings.key",
            "ProxySettings.address",
        ]) {
            const [name, field] = dotted.split(".");
            assert.equal(schemaFields(name)[field]?.type, "string", dotted);
        }
    });

    it("keeps plain what decides which resources exist, and takes outputs where values come from other resources", () => {
        const plain = [
            "DefenderForServersNetworkRestrictedArgs.subscriptionId",
            "DefenderForServersNetworkRestrictedArgs.location",
            "DefenderForServersNetworkRestrictedArgs.cloud",
            "DefenderForServersNetworkRestrictedArgs.airGapped",
            "DefenderForServersNetworkRestrictedArgs.retainProtectionOnDelete",
            "DefenderForServersNetworkRestrictedArgs.machines",
            "DefenderForServersNetworkRestrictedArgs.plan",
            "DefenderForServersNetworkRestrictedArgs.proxy",
            "DefenderForServersNetworkRestrictedArgs.logs",
            "DefenderForServersNetworkRestrictedArgs.privateLink",
            "DefenderPlanSettings.subPlan",
            "DefenderPlanSettings.agentlessScanning",
            "DefenderPlanSettings.defenderVulnerabilityManagement",
            "MdeIntegrationSettings.enabled",
            "MachineSettings.key",
            "MachineSettings.kind",
            "MachineSettings.os",
            "MachineSettings.location",
            "MachineSettings.exclude",
            "MachineSettings.systemAssignedIdentity",
            "ProxySettings.address",
            "ProxySettings.bypass",
            "ProxySettings.unauthenticatedForAgentHosts",
            "LogCollectionSettings.azureMonitorAgent",
            "LogCollectionSettings.legacyAgent",
            "GuestConfigurationSettings.enabled",
            "GuestConfigurationSettings.tagExistingVms",
            "PrivateLinkSettings.arc",
            "PrivateLinkSettings.azureMonitor",
            "AzureMonitorPrivateLinkScopeSettings.ingestionAccessMode",
        ];
        const input = [
            "MachineSettings.resourceGroupName",
            "MachineSettings.name",
            "ProxySettings.username",
            "ProxySettings.password",
            "LegacyAgentSettings.workspaceId",
            "LegacyAgentSettings.workspaceKey",
            "LogCollectionSettings.workspaceResourceId",
            "LogCollectionSettings.dataCollectionRuleId",
            "PrivateLinkSettings.resourceGroupName",
            "PrivateLinkSettings.subnetId",
        ];
        const at = (dotted: string) => {
            const [name, field] = dotted.split(".");
            const property = schemaFields(name)[field];
            assert.ok(property, `${dotted} is in the schema`);
            return property;
        };
        for (const dotted of plain) assert.equal(at(dotted).plain, true, `${dotted} must be plain`);
        for (const dotted of input) assert.equal(at(dotted).plain, undefined, `${dotted} must take an Input`);
        assert.equal(at("DefenderForServersNetworkRestrictedArgs.machines").items?.plain, true, "machines[] are plain objects");
        assert.equal(at("PrivateLinkSettings.virtualNetworkIds").items?.plain, undefined, "virtualNetworkIds[] take Inputs");
        assert.equal(
            at("PrivateLinkSettings.existingDnsZoneIds").additionalProperties?.plain,
            undefined,
            "existingDnsZoneIds values take Inputs",
        );
    });
});

describe("component provider, started as the Node.js language host starts it", function () {
    this.timeout(180000);
    let checkout: PluginCheckout;
    let child: ChildProcess | undefined;

    before(() => {
        checkout = pluginCheckout("defender-plugin-");
    });

    after(() => {
        child?.kill();
        fs.rmSync(checkout.scratch, { recursive: true, force: true });
    });

    it("PulumiPlugin.yaml declares the nodejs runtime", () => {
        const plugin = yaml.load(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")) as { runtime: unknown };
        assert.equal(plugin.runtime, "nodejs");
    });

    it("serves the same schema over gRPC", async () => {
        const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [checkout.repo] });
        // What the language host runs: `node <run-plugin> <plugin directory>`, from the program's directory.
        const hosted = await startHosted(runPlugin, [checkout.repo], checkout.program, "the provider");
        child = hosted.child;
        const port = hosted.port;
        assert.match(port, /^\d+$/);

        const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
        const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
        const messages = require("@pulumi/pulumi/proto/provider_pb");
        const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const served: string = await new Promise((resolve, reject) =>
            client.getSchema(new messages.GetSchemaRequest(), (err: Error | null, response: { getSchema(): string }) =>
                err ? reject(err) : resolve(response.getSchema()),
            ),
        );
        client.close();
        assert.deepEqual(JSON.parse(served), await generatedSchema());
        assert.doesNotMatch(hosted.stderr(), /error/i, hosted.stderr());
    });
});

describe("the YAML example", function () {
    this.timeout(120000);
    const dir = path.join(ROOT, "examples", "yaml");
    const project = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
        runtime: string;
        packages: Record<string, string>;
        config: Record<string, { type: string; default?: unknown; secret?: boolean }>;
        resources: Record<string, { type: string; properties: Record<string, unknown> }>;
        outputs: Record<string, string>;
    };
    const stack = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const [resourceName, declared] = Object.entries(project.resources).find(([, r]) => r.type === TOKEN)!;
    let schema: Schema;

    before(async () => {
        schema = await generatedSchema();
    });

    it("is a YAML program that takes the package from this repository", () => {
        assert.equal(project.runtime, "yaml");
        assert.equal(path.resolve(dir, project.packages["defender-servers"]), ROOT);
        assert.ok(declared, "it declares the component");
    });

    it("sets only inputs the schema has, with their types, plain ones from config only, and reads only outputs it has", () => {
        const problems: string[] = [];
        const check = (value: unknown, property: SchemaProperty, at: string): void => {
            const reference = typeof value === "string" ? /^\$\{([^}]+)\}$/.exec(value)?.[1] : undefined;
            if (reference !== undefined) {
                const config = project.config[reference];
                if (config === undefined)
                    problems.push(`${at}: \${${reference}} is not config${property.plain ? " and the field is plain" : ""}`);
                else if (property.type !== undefined && config.type !== property.type)
                    problems.push(`${at}: config ${reference} is ${config.type}`);
                return;
            }
            if (property.$ref !== undefined) {
                const type = schema.types[property.$ref.slice("#/types/".length)];
                if (type.enum !== undefined) {
                    if (!type.enum.some((m) => m.value === value))
                        problems.push(`${at}: ${JSON.stringify(value)} is not one of the enum's values`);
                    return;
                }
                if (value === null || typeof value !== "object" || Array.isArray(value)) return void problems.push(`${at}: not an object`);
                for (const required of type.required ?? []) if (!(required in value)) problems.push(`${at}.${required}: missing`);
                for (const [k, v] of Object.entries(value)) {
                    const p = type.properties?.[k];
                    if (p === undefined) problems.push(`${at}.${k}: not in the schema`);
                    else check(v, p, `${at}.${k}`);
                }
            } else if (property.type === "array") {
                if (!Array.isArray(value)) return void problems.push(`${at}: not a list`);
                value.forEach((v, i) => check(v, property.items!, `${at}[${i}]`));
            } else if (property.type === "object") {
                if (value === null || typeof value !== "object") return void problems.push(`${at}: not a map`);
                for (const [k, v] of Object.entries(value)) check(v, property.additionalProperties!, `${at}.${k}`);
            } else if (typeof value !== property.type) {
                problems.push(`${at}: ${JSON.stringify(value)} is not a ${property.type}`);
            }
        };
        const resource = schema.resources[TOKEN];
        for (const required of resource.requiredInputs) if (!(required in declared.properties)) problems.push(`${required}: missing`);
        for (const [k, v] of Object.entries(declared.properties)) {
            const p = resource.inputProperties[k];
            if (p === undefined) problems.push(`${k}: not in the schema`);
            else check(v, p, k);
        }
        for (const [name, expression] of Object.entries(project.outputs)) {
            const match = new RegExp(`^\\$\\{${resourceName}\\.([A-Za-z]+)\\}$`).exec(expression);
            if (match === null || resource.properties?.[match[1]] === undefined) problems.push(`outputs.${name}: ${expression}`);
        }
        assert.deepEqual(problems, []);
    });

    it("with the dev stack's placeholder config, passes the component's validation and builds its resources", async () => {
        const values: Record<string, unknown> = { proxyPassword: "stand-in-for-a-secret" };
        for (const [key, spec] of Object.entries(project.config)) if (spec.default !== undefined) values[key] = spec.default;
        for (const [key, value] of Object.entries(stack.config)) {
            if (key.startsWith("defender-servers-yaml:")) values[key.slice("defender-servers-yaml:".length)] = value;
        }
        const substitute = (value: unknown): unknown => {
            if (typeof value === "string") {
                const reference = /^\$\{([^}]+)\}$/.exec(value)?.[1];
                if (reference === undefined) return value;
                assert.ok(reference in values, `config ${reference} has a value in Pulumi.dev.yaml`);
                return values[reference];
            }
            if (Array.isArray(value)) return value.map(substitute);
            if (value !== null && typeof value === "object")
                return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
            return value;
        };
        const args = substitute(declared.properties) as DefenderForServersNetworkRestrictedArgs;
        const run = await construct(args, true);
        for (const machine of ["win-app-01", "lnx-web-01", "onprem-db-01"]) {
            assert.ok(
                run.resources.some((r) => r.name === `d-os-proxy-${machine}`),
                machine,
            );
            assert.ok(
                run.resources.some((r) => r.name === `d-ama-${machine}`),
                machine,
            );
        }
    });
});
