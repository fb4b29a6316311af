#!/usr/bin/env node
// Writes docs/arguments.md from the types themselves, so the reference cannot drift from the code:
// every exported interface named `*Args` that sdk/index.ts exports is a component's arguments;
// each field (recursively, into the package's own interfaces) becomes a row with its path, its
// type as TypeScript prints it, whether it is required, and its JSDoc line.
//
// `node tools/args-reference.js` rewrites the file; `--check` exits 1 when the file differs from
// what the types give (test/argsReference.spec.ts runs that; `npm run docs` writes it). The build does
// not write it: `npm ci` runs the build (npm's prepare), and a build that rewrote the file would
// make a stale reference fresh before the check could see it.
// Plain JavaScript with the TypeScript compiler API: the compiler already knows every type, its
// JSDoc and where it was declared, so nothing here parses TypeScript by hand.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const ROOT = path.resolve(__dirname, "..");
const ENTRY = path.join(ROOT, "sdk", "index.ts");
// `--output FILE` checks or writes another file (the spec's failure path uses it).
const outputAt = process.argv.indexOf("--output");
const OUTPUT = outputAt > 0 ? path.resolve(process.argv[outputAt + 1]) : path.join(ROOT, "docs", "arguments.md");

/** The interfaces, from the package's own sources, that a field's type names (arrays and maps included). */
function ownInterfaces(checker, type) {
    const found = [];
    const visit = (t) => {
        if (t.isUnion()) return t.types.forEach(visit);
        if (checker.isArrayType(t)) return visit(checker.getTypeArguments(t)[0]);
        const index = t.getStringIndexType && t.getStringIndexType();
        if (index) visit(index);
        const symbol = t.getSymbol() || t.aliasSymbol;
        const declaration = symbol && symbol.declarations && symbol.declarations[0];
        if (declaration && ts.isInterfaceDeclaration(declaration) && isOwnSource(declaration.getSourceFile())) {
            found.push(t);
        }
    };
    visit(type);
    return found;
}

function isOwnSource(sourceFile) {
    const relative = path.relative(ROOT, sourceFile.fileName);
    return relative.startsWith("sdk" + path.sep);
}

/** One line of JSDoc, made safe for a Markdown table cell. */
function cell(text) {
    return text
        .replace(/\s*\n\s*/g, " ")
        .replace(/\|/g, "\\|")
        .trim();
}

function typeText(checker, property, declaration) {
    // The declared type as written (`pulumi.Input<string>`, `MachineSettings[]`), not the expanded union.
    const written = declaration && declaration.type ? declaration.type.getText() : checker.typeToString(checker.getTypeOfSymbol(property));
    return "`" + written.replace(/\s+/g, " ").replace(/\|/g, "\\|") + "`";
}

/** Rows for every field of `type`, depth first, with `prefix` as the path so far. */
function rows(checker, type, prefix, seen) {
    const out = [];
    for (const property of checker.getPropertiesOfType(type)) {
        const declaration = property.valueDeclaration || (property.declarations && property.declarations[0]);
        const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
        const docs = ts.displayPartsToString(property.getDocumentationComment(checker));
        const fieldPath = prefix + property.getName();
        out.push(
            `| \`${fieldPath}\` | ${typeText(checker, property, declaration)} | ${optional ? "" : "yes"} | ${cell(docs) || "**undocumented**"} |`,
        );
        const fieldType = checker.getTypeOfSymbol(property);
        for (const inner of ownInterfaces(checker, fieldType)) {
            const name = checker.typeToString(inner);
            if (seen.has(name)) continue; // a recursive type is listed once
            const isArray = checker.isArrayType(
                fieldType.isUnion() ? fieldType.types.find((t) => checker.isArrayType(t)) || fieldType : fieldType,
            );
            out.push(...rows(checker, inner, fieldPath + (isArray ? "[]." : "."), new Set([...seen, name])));
        }
    }
    return out;
}

function render() {
    const program = ts.createProgram([ENTRY], {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const entry = program.getSourceFile(ENTRY);
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(entry));
    const argsTypes = exports
        .map((symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol))
        // `Normalized*` is validation's output, not an argument anyone writes.
        .filter((symbol) => symbol.flags & ts.SymbolFlags.Interface && /^(?!Normalized).*Args$/.test(symbol.getName()))
        .sort((a, b) => a.getName().localeCompare(b.getName()));
    const sections = argsTypes.map((symbol) => {
        const type = checker.getDeclaredTypeOfSymbol(symbol);
        const summary = cell(ts.displayPartsToString(symbol.getDocumentationComment(checker)));
        return [
            `## \`${symbol.getName()}\``,
            "",
            summary,
            "",
            "| Field | Type | Required | Meaning |",
            "|---|---|---|---|",
            ...rows(checker, type, "", new Set([symbol.getName()])),
            "",
        ].join("\n");
    });
    return [
        "# Arguments reference",
        "",
        "Generated by `node tools/args-reference.js` from the types in `sdk/` (their JSDoc is the text below);",
        "`npm run docs` rewrites it and `test/argsReference.spec.ts` fails when it is stale. Do not edit it by hand.",
        "Defaults are stated in each field's text. A type such as `Os` is a choice: see its values in `sdk/args.ts`.",
        "",
        ...sections,
    ].join("\n");
}

const text = render();
if (process.argv.includes("--check")) {
    const current = fs.existsSync(OUTPUT) ? fs.readFileSync(OUTPUT, "utf8") : "";
    if (current !== text) {
        console.error(`args-reference: ${path.relative(ROOT, OUTPUT)} is stale; run: node tools/args-reference.js`);
        process.exit(1);
    }
    console.log(`args-reference: ${path.relative(ROOT, OUTPUT)} matches the types`);
} else {
    fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
    fs.writeFileSync(OUTPUT, text);
    console.log(`args-reference: wrote ${path.relative(ROOT, OUTPUT)}`);
}
