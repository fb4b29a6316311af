# shellcheck shell=bash disable=SC2034
# Sourced by tools/run-tests.sh: which tier each spec belongs to (see docs/testing.md).
#   pure       validation, plans, egress, policy definitions: no engine, no processes.
#   component  the component under the mock engine (sdk/preview/engine.ts): everything not listed below.
#   scripts    bash on a booted/chroot Linux, Pester, shellcheck, Squid, Bicep: independent of the
#              suite's Node, so it runs once (on Node 22).
#   release    pack and install, the schema over gRPC, SDK floors, publish guards, the formatter,
#              the runner itself: once, on Node 22.
# pure and component run on Node 22 and Node 24. A spec's tier comes from its name (the patterns
# below; name new specs after them) or, for specs named before the tiers existed, from the lists.
# List paths are relative to the repository root; run-tests.sh sources this file with `nullglob`
# on, so a glob in a list expands to the files it matches.

# Specs that test pure functions only: new ones go in test/pure/. (test/egress.spec.ts and
# test/validation.spec.ts, though the mutation run uses most of their tests, also run the component
# under the mock engine: they are component specs.)
TIER_PURE=(
    test/pure/*.spec.ts
    test/mutation*.spec.ts
)

# The scripts tier, by file name (patterns on the base name, any directory; .js for scratch specs).
TIER_SCRIPTS_NAMES=(
    '*.linux.spec.[jt]s'
    '*.windows.spec.[jt]s'
    '*.booted.spec.[jt]s'
    'squid*.spec.[jt]s'
    'bicep*.spec.[jt]s'
)

# Specs for the release tier (explicit: they predate the naming convention). Besides packing and
# publishing: the package as the engine loads it, each started the way a language host starts
# it, which type-checks the sources (the schema, the component provider's Construct and the
# policy pack, over gRPC); and what the TypeScript compiler says of the types (docs/arguments.md,
# the typed choices), which does not depend on the suite's Node.
TIER_RELEASE=(
    test/package.spec.ts
    test/schema.spec.ts
    test/scopesProvider.spec.ts
    test/policyPackGrpc.spec.ts
    test/argsReference.spec.ts
    test/typedChoices.spec.ts
    test/publishGuard.spec.ts
    test/syncPolicyVersion.spec.ts
    test/testTiers.spec.ts
    test/formatting.spec.ts
)

# Workers for the scripts tier's parallel mocha: the three booted Debian machines
# (test/booted/*.booted.spec.ts) at once, and one more for the other scripts specs.
TIER_SCRIPTS_WORKERS=4

# The slowest spec files, slowest first (measured: docs/testing.md, "Development timing"): each
# run hands them to mocha's parallel pool first, so no long file starts last. Others follow in
# name order. Paths as in the lists above.
TIER_SLOW_FIRST=(
    test/booted/bullseye.booted.spec.ts
    test/booted/bookworm.booted.spec.ts
    test/booted/trixie.booted.spec.ts
    test/fuzz.spec.ts
    test/secretsAudit.spec.ts
    test/verifyAzure.spec.ts
    test/policyRollout.spec.ts
    test/policyNames.spec.ts
    test/arcGateway.spec.ts
    test/policy.spec.ts
    test/previousKey.spec.ts
)
