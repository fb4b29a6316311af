/**
 * Loaded before every spec (.mocharc.json `require`). The Pulumi SDK records a stack trace with
 * every promise it creates (`_debugStackTrace` in runtime/debuggable.js), and under ts-node each
 * trace is source-mapped: most of the CPU time of a spec that builds components. One frame
 * keeps a failing assertion's location (`at Context.<anonymous> (test/x.spec.ts:12:5)`) in mocha's
 * report. The SDK's own source positions (Resource.callsites) raise the limit themselves, so
 * they are unaffected. DEFENDER_TEST_STACKS=1 keeps V8's default, for debugging.
 */
if (!process.env.DEFENDER_TEST_STACKS) Error.stackTraceLimit = 1;
