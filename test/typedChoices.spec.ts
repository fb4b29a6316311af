/**
 * The choice fields as a TypeScript program sees them: a value outside a choice does not compile,
 * the plain literal and the named value (`Os.linux`) do. Small programs are compiled with the
 * TypeScript compiler against `sdk/index.ts`; `validation.spec.ts` covers the same wrong values
 * at run time, as JavaScript and YAML pass them.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

const SDK = path.resolve(__dirname, "..", "sdk");

/** One wrong value: the args (as one line of TypeScript), the text the compiler points at, and the choice type it names. */
interface WrongChoice {
    args: string;
    at: string;
    type: string;
    value: string;
}

const BASE = 'subscriptionId: "11111111-2222-3333-4444-555555555555", location: "westeurope"';
const machine = (fields: string) => `machines: [{ key: "m1", resourceGroupName: "rg", name: "m1", ${fields} }]`;

const WRONG: WrongChoice[] = [
    { args: `${BASE}, plan: { subPlan: "P3" }`, at: "subPlan", type: "SubPlan", value: "P3" },
    { args: `${BASE}, ${machine('kind: "azureVm", os: "Windows"')}`, at: "os", type: "Os", value: "Windows" },
    { args: `${BASE}, ${machine('kind: "vm", os: "linux"')}`, at: "kind", type: "MachineKind", value: "vm" },
    {
        args: `${BASE}, ${machine('kind: "arc", os: "linux", defenderPlan: "P2"')}`,
        at: "defenderPlan",
        type: "MachineDefenderPlan",
        value: "P2",
    },
    {
        args: `${BASE}, ${machine('kind: "arc", os: "linux", arcPrivateLinkScope: "yes"')}`,
        at: "arcPrivateLinkScope",
        type: "ArcScopeAssociation",
        value: "yes",
    },
    { args: `${BASE}, ${machine('kind: "arc", os: "linux", exclude: ["mde"]')}`, at: '"mde"', type: "MachinePart", value: "mde" },
    { args: `${BASE}, cloud: "AzureChinaCloud"`, at: "cloud", type: "Cloud", value: "AzureChinaCloud" },
    { args: `${BASE}, rollout: { mode: "Policy" }`, at: "mode", type: "RolloutMode", value: "Policy" },
    { args: `${BASE}, mdeIntegration: { connectivity: "direct" }`, at: "connectivity", type: "MdeConnectivity", value: "direct" },
    { args: `${BASE}, mdeIntegration: { dataLocation: "eu" }`, at: "dataLocation", type: "MdeDataLocation", value: "eu" },
    { args: `${BASE}, logs: { streams: ["securityEvent"] }`, at: '"securityEvent"', type: "LogStream", value: "securityEvent" },
    {
        args: `${BASE}, logs: { workspaceSecuritySolution: "sentinal" }`,
        at: "workspaceSecuritySolution",
        type: "WorkspaceSecuritySolution",
        value: "sentinal",
    },
    {
        args: `${BASE}, privateLink: { resourceGroupName: "rg", azureMonitor: { ingestionAccessMode: "Private" } }`,
        at: "ingestionAccessMode",
        type: "PrivateLinkAccessMode",
        value: "Private",
    },
    {
        args: `${BASE}, privateLink: { resourceGroupName: "rg", azureMonitor: { queryAccessMode: "open" } }`,
        at: "queryAccessMode",
        type: "PrivateLinkAccessMode",
        value: "open",
    },
];

const HEADER = (sdk: string) => `import * as d from ${JSON.stringify(sdk)};\n`;

/** Line (0-based) of the `index`th case's statement in a file written by `wrongFile` (line 0 is the import). */
const caseLine = (index: number, withDirective: boolean) => (withDirective ? 2 + 2 * index : 1 + index);

function wrongFile(sdk: string, withDirective: boolean): string {
    const lines = WRONG.map((c, i) => {
        const statement = `export const wrong${i}: d.DefenderForServersNetworkRestrictedArgs = { ${c.args} };`;
        return withDirective ? `// @ts-expect-error: ${c.type} has no "${c.value}"\n${statement}` : statement;
    });
    return HEADER(sdk) + lines.join("\n") + "\n";
}

function acceptedFile(sdk: string): string {
    return (
        HEADER(sdk) +
        [
            "// Plain literals, as every program written before the choice types passes them.",
            "export const literals: d.DefenderForServersNetworkRestrictedArgs = {",
            `    ${BASE},`,
            '    cloud: "AzureUSGovernment",',
            '    plan: { subPlan: "P1" },',
            '    rollout: { mode: "machines" },',
            '    mdeIntegration: { connectivity: "streamlined", dataLocation: "GCCHigh" },',
            '    logs: { streams: ["authSyslog", "securityEvents"], workspaceSecuritySolution: "sentinel" },',
            '    privateLink: { resourceGroupName: "rg", azureMonitor: { ingestionAccessMode: "PrivateOnly", queryAccessMode: "Open" } },',
            '    machines: [{ key: "m1", kind: "arc", os: "linux", resourceGroupName: "rg", name: "m1", arcPrivateLinkScope: "associated", exclude: ["legacyAgent"], defenderPlan: "Free" }],',
            "};",
            "// The named values, and the types to annotate a value built elsewhere.",
            "const kind: d.MachineKind = d.MachineKind.azureVm;",
            "const system: d.Os = d.Os.windows;",
            "export const named: d.DefenderForServersNetworkRestrictedArgs = {",
            `    ${BASE},`,
            "    cloud: d.Cloud.AzureCloud,",
            "    plan: { subPlan: d.SubPlan.P2 },",
            "    logs: { streams: [d.LogStream.authSyslog] },",
            '    machines: [{ key: "m2", kind, os: system, resourceGroupName: "rg", name: "m2", exclude: [d.MachinePart.osProxy] }],',
            "};",
            "",
        ].join("\n")
    );
}

describe("typed choices: what the TypeScript compiler accepts", function () {
    this.timeout(120000);
    let dir: string;
    let program: ts.Program;
    const file = (name: string) => path.join(dir, name);
    const diagnostics = (name: string) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file(name)));
    const show = (list: readonly ts.Diagnostic[]) =>
        list.map((d) => `${d.start}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`).join("\n");

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-choices-"));
        // The import is relative, as a program in the repository would write it.
        const sdk = path.relative(dir, SDK).split(path.sep).join("/");
        fs.writeFileSync(file("accepted.ts"), acceptedFile(sdk));
        fs.writeFileSync(file("expected.ts"), wrongFile(sdk, true));
        fs.writeFileSync(file("bare.ts"), wrongFile(sdk, false));
        program = ts.createProgram([file("accepted.ts"), file("expected.ts"), file("bare.ts")], {
            strict: true,
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.CommonJS,
            moduleResolution: ts.ModuleResolutionKind.Node10,
            skipLibCheck: true,
            noEmit: true,
            types: ["node"],
        });
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("compiles plain literals and the named values of every choice", () => {
        const found = diagnostics("accepted.ts");
        assert.equal(found.length, 0, show(found));
    });

    it("refuses every wrong choice: each @ts-expect-error is used, so the file compiles clean", () => {
        // An unused @ts-expect-error is itself an error (TS2578): a field that stopped refusing would fail here.
        const found = diagnostics("expected.ts");
        assert.equal(found.length, 0, show(found));
    });

    it("without the directives, reports one error per wrong value, at the field, naming the value and the choice type", () => {
        const source = program.getSourceFile(file("bare.ts"))!;
        const found = diagnostics("bare.ts");
        assert.equal(found.length, WRONG.length, show(found));
        WRONG.forEach((c, i) => {
            const onLine = found.filter((d) => source.getLineAndCharacterOfPosition(d.start!).line === caseLine(i, false));
            assert.equal(onLine.length, 1, `case ${i} (${c.type}): ${show(found)}`);
            const [d] = onLine;
            // TS2322 "is not assignable", or TS2820, the same with "Did you mean" when only the case differs.
            assert.ok([2322, 2820].includes(d.code), `case ${i}: TS${d.code} ${show(onLine)}`);
            assert.equal(source.text.slice(d.start!, d.start! + d.length!), c.at, `case ${i}: the error points at ${c.at}`);
            const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
            assert.ok(message.includes(`"${c.value}"`) && message.includes(`'${c.type}`), `case ${i}: ${message}`);
        });
    });

    it("the directive file and the bare file hold the same cases on the lines the checks expect", () => {
        // Guards the line arithmetic above: a case that moved would otherwise be checked on the wrong line.
        const bare = fs.readFileSync(file("bare.ts"), "utf8").split("\n");
        const expected = fs.readFileSync(file("expected.ts"), "utf8").split("\n");
        WRONG.forEach((c, i) => {
            assert.ok(bare[caseLine(i, false)].includes(c.args), `bare line of case ${i}`);
            assert.ok(expected[caseLine(i, true)].includes(c.args), `directive line of case ${i}`);
            assert.match(expected[caseLine(i, true) - 1], /^\/\/ @ts-expect-error/);
        });
    });
});
