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

# Specs that test pure functions only: new ones go in test/pure/.
TIER_PURE=(
    test/pure/*.spec.ts
    test/egress.spec.ts
    test/validation.spec.ts
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

# Specs for the release tier (explicit: they predate the naming convention).
TIER_RELEASE=(
    test/package.spec.ts
    test/schema.spec.ts
    test/publishGuard.spec.ts
    test/syncPolicyVersion.spec.ts
    test/testTiers.spec.ts
    test/formatting.spec.ts
)
