#!/usr/bin/env node
// npm's `prepare` script. npm runs it after `npm install`/`npm ci` in this checkout, in the clone
// it makes for a git dependency (`npm install git+https://...#v0.2.0`), and before `npm pack`.
// A git install packs the clone after `prepare`, so without a build here it ships no dist/ and
// fails at `require`. The build (tsc, 20-40 s) is skipped only when dist/ was built from exactly
// the sources there now: `npm run build` ends with `--stamp`, which records a hash of every
// file the build reads; any difference, or no dist/, builds again.
//
// Plain JavaScript on purpose: it runs before anything is compiled, under whatever Node runs npm.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");
const STAMP = path.join(DIST, ".build-inputs.sha256");
// What tsconfig.build.json compiles (sdk/**/*.ts) and the compiler settings it reads.
const CONFIGS = ["tsconfig.json", "tsconfig.build.json"];

function sourceFiles(dir) {
    const found = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) found.push(...sourceFiles(full));
        else if (entry.name.endsWith(".ts")) found.push(full);
    }
    return found;
}

/** One hash over the build's inputs: their paths and contents, in a fixed order. */
function inputsHash() {
    const files = [...CONFIGS.map((f) => path.join(ROOT, f)), ...sourceFiles(path.join(ROOT, "sdk"))]
        .map((f) => path.relative(ROOT, f).split(path.sep).join("/"))
        .sort();
    const hash = crypto.createHash("sha256");
    for (const file of files) {
        hash.update(file + "\0");
        hash.update(fs.readFileSync(path.join(ROOT, file)));
        hash.update("\0");
    }
    return hash.digest("hex");
}

function main(argv) {
    if (argv.includes("--stamp")) {
        if (!fs.existsSync(path.join(DIST, "index.js"))) {
            console.error("prepare: --stamp after a build that left no dist/index.js");
            return 1;
        }
        fs.writeFileSync(STAMP, inputsHash() + "\n");
        return 0;
    }
    const recorded = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, "utf8").trim() : "";
    if (recorded !== "" && recorded === inputsHash() && fs.existsSync(path.join(DIST, "index.js"))) {
        console.log("prepare: dist/ was built from these sources; not rebuilt");
        return 0;
    }
    console.log(fs.existsSync(DIST) ? "prepare: sources changed since dist/ was built; npm run build" : "prepare: no dist/; npm run build");
    const npm = process.env.npm_execpath;
    // Under npm, npm_execpath is npm's own CLI script: run it with this Node, not whatever `npm` is on PATH.
    const build = npm
        ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: ROOT, stdio: "inherit" })
        : spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
    if (build.error) {
        console.error(`prepare: could not run the build: ${build.error.message}`);
        return 1;
    }
    return build.status === null ? 1 : build.status;
}

process.exitCode = main(process.argv.slice(2));
