#!/usr/bin/env node
// npm's `version` script: npm runs it after `npm version X.Y.Z` has written package.json and
// before it commits and tags, so the policy pack (policy/package.json), which ships inside the
// package, carries the same version in that same commit. It writes the version and stages the
// file; outside a git checkout (or with --no-git-tag-version in a tree without git) it only writes.
//
// Usage: node tools/sync-policy-version.js [package root]  (default: this checkout)
// Plain JavaScript: it runs under whatever Node runs npm, before anything is compiled.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(process.argv[2] ?? path.join(__dirname, ".."));
const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
// Without a version there is nothing to sync: writing `undefined` would drop the pack's own.
if (typeof version !== "string" || version.trim() === "") {
    process.stderr.write(
        `sync-policy-version: ${path.join(root, "package.json")} has no version (${JSON.stringify(version)}); policy/package.json left as it was\n`,
    );
    process.exit(1);
}
const file = path.join(root, "policy", "package.json");
const text = fs.readFileSync(file, "utf8");
const policy = JSON.parse(text);
if (policy.version !== version) {
    policy.version = version;
    // Keep the file's own indentation, so the diff is the version line only.
    const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? "    ";
    fs.writeFileSync(file, JSON.stringify(policy, null, indent) + "\n");
    console.log(`policy/package.json: version ${version}`);
}
const inGit = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: root, encoding: "utf8" });
if (inGit.status === 0 && inGit.stdout.trim() === "true") {
    const added = spawnSync("git", ["add", "policy/package.json"], { cwd: root, stdio: "inherit" });
    if (added.status !== 0) process.exit(added.status ?? 1);
}
