#!/usr/bin/env bash
# `npm test`: the mocha suite under Node 22, then under Node 24 (the supported runtimes; the
# binaries come from tools/install-test-tools.sh, see tools/env.sh), with each run's own Node
# first on PATH so that what the specs spawn (`npm pack`, `npx`, scripts) runs on it too. Both
# runs always happen; the last line is `tests: N passed, N failed`, summed over both, and the
# exit code is non-zero when anything failed or a run did not report its results.
# Arguments go to mocha: `npm test -- test/package.spec.ts` runs that spec only, `-g <pattern>`
# filters; without a spec file it runs test/**/*.spec.ts. (.mocharc.json names no spec, so that
# `npx mocha test/foo.spec.ts` runs that file and not the whole suite besides.)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=tools/env.sh
source tools/env.sh

RUNTIMES=(NODE22 NODE24)
for variable in "${RUNTIMES[@]}"; do
    binary="${!variable}"
    major="${variable#NODE}"
    if [[ ! -x "$binary" ]] || [[ "$("$binary" --version 2>/dev/null)" != "v$major."* ]]; then
        echo "run-tests: no Node $major at \$$variable=$binary; run: bash tools/install-test-tools.sh" >&2
        exit 2
    fi
done

# One scratch directory for the whole run: test/package.spec.ts installs the packed package
# there once and reuses it in the second run (same tarball, same install).
DEFENDER_TEST_SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/defender-tests-XXXXXX")"
export DEFENDER_TEST_SCRATCH
trap 'rm -rf "$DEFENDER_TEST_SCRATCH"' EXIT

specs=("$@")
named=0
for arg in "$@"; do [[ "$arg" == *.spec.ts || "$arg" == *.spec.js ]] && named=1; done
((named)) || specs+=("test/**/*.spec.ts")

passed=0
failed=0
summary=()
for variable in "${RUNTIMES[@]}"; do
    binary="${!variable}"
    version="$("$binary" --version)"
    log="$DEFENDER_TEST_SCRATCH/mocha-$variable.log"
    echo "=== mocha on Node $version ($binary) ==="
    started=$SECONDS
    PATH="$(dirname "$binary"):$PATH" "$binary" node_modules/mocha/bin/mocha.js --reporter spec "${specs[@]}" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    seconds=$((SECONDS - started))
    # The spec reporter's summary: "  123 passing (3m)", "  2 pending", "  1 failing".
    run_passed=$(sed -nE 's/^ *([0-9]+) passing.*/\1/p' "$log" | tail -1)
    run_failed=$(sed -nE 's/^ *([0-9]+) failing.*/\1/p' "$log" | tail -1)
    run_failed=${run_failed:-0}
    if [[ -z "$run_passed" ]]; then
        # No summary: mocha stopped before reporting (a spec that does not load, a crash).
        echo "run-tests: mocha on Node $version exited $status without a summary; counted as 1 failure" >&2
        run_passed=0
        ((run_failed == 0)) && run_failed=1
    elif ((status != 0 && run_failed == 0)); then
        echo "run-tests: mocha on Node $version exited $status with no failing test; counted as 1 failure" >&2
        run_failed=1
    fi
    passed=$((passed + run_passed))
    failed=$((failed + run_failed))
    summary+=("Node $version: $run_passed passed, $run_failed failed in ${seconds} s")
done

for line in "${summary[@]}"; do echo "run-tests: $line"; done
echo "tests: $passed passed, $failed failed"
((failed == 0))
