#!/usr/bin/env node
// npm's `prepublishOnly` script: refuses to publish while package.json still points at the
// placeholder owner `OWNER`. The repository has no public home yet, so `repository`,
// `homepage` and `bugs` name `github.com/OWNER/defender-servers`; a package published like that
// would send every user who follows those links nowhere. RELEASING.md says what to set.
//
// `node tools/check-publish.js [package.json]` exits 1 with the fields to fix, 0 when none.
// Plain JavaScript: it must run before anything is compiled.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const PLACEHOLDER = /\bOWNER\b|<owner>/;

/** The package.json fields whose value still holds the placeholder, as `field: value`. */
function placeholderFields(pkg) {
    const fields = {
        "repository.url": typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url,
        homepage: pkg.homepage,
        "bugs.url": typeof pkg.bugs === "string" ? pkg.bugs : pkg.bugs?.url,
    };
    const missing = Object.entries(fields)
        .filter(([, value]) => value === undefined)
        .map(([field]) => `${field}: missing`);
    // An empty or non-string link sends users nowhere too.
    const notLinks = Object.entries(fields)
        .filter(([, value]) => value !== undefined && (typeof value !== "string" || value.trim() === ""))
        .map(([field, value]) => `${field}: ${JSON.stringify(value)} is not a link`);
    const placeholders = Object.entries(fields)
        .filter(([, value]) => typeof value === "string" && PLACEHOLDER.test(value))
        .map(([field, value]) => `${field}: ${value}`);
    return [...missing, ...notLinks, ...placeholders];
}

if (require.main === module) {
    const file = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "package.json"));
    const problems = placeholderFields(JSON.parse(fs.readFileSync(file, "utf8")));
    if (problems.length > 0) {
        process.stderr.write(
            `check-publish: not publishing: ${file} still names the placeholder owner or lacks a link:\n` +
                problems.map((p) => `  ${p}\n`).join("") +
                "Set the real GitHub owner in repository, homepage and bugs (and in README.md, CHANGELOG.md and RELEASING.md: grep -rn 'OWNER\\|<owner>'), then publish again.\n",
        );
        process.exit(1);
    }
}

module.exports = { placeholderFields };
