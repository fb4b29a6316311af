// Loaded (NODE_OPTIONS=--require) by tools/mutation.sh only: Stryker's mocha runner loads
// `mocha/lib/cli/run-helpers`, which mocha 12 (the suite's runner) no longer ships, so inside the
// Stryker processes `mocha` and `mocha/...` resolve to the mocha 11 that package.json pins as
// `mocha-11`. `npm test` never loads this file.
const Module = require("node:module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
    if (request === "mocha" || request.startsWith("mocha/")) request = "mocha-11" + request.slice("mocha".length);
    return resolve.call(this, request, ...rest);
};
