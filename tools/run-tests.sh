#!/usr/bin/env bash
# `npm test`: every tier of the suite (tools/test-tiers.sh, docs/testing.md). The pure and component
# tiers run under Node 22 and Node 24 (the supported runtimes; the binaries come from
# tools/install-test-tools.sh, see tools/env.sh); the scripts and release tiers, which do not
# depend on the suite's Node, once under Node 22 (the release tier holds the formatter check).
# Each run has its own Node first on PATH so that what the specs spawn (`npm pack`, `npx`,
# scripts) runs on it too. Every run always happens; the last line is `tests: N passed, N failed`,
# summed over the runs, and the exit code is non-zero when anything failed or a run did not
# report its results.
#
#   tools/run-tests.sh [--tier all|quick|pure|component|scripts|release] [mocha arguments] [spec files]
#
#   tools/run-tests.sh --list [spec files]     prints each spec's tier and runs nothing
#
# `--tier quick` (`npm run test:quick`) is pure and component on Node 22 only. Spec files named
# on the command line run in their own tier's runs (`npm test -- test/egress.spec.ts` runs it on
# both Nodes, `npm test -- test/squid.spec.ts` once); other arguments go to every mocha run
# (`-g <pattern>` filters). DEFENDER_TEST_JOBS=2 runs two runs at a time (see docs/testing.md
# for when that pays); their logs are printed as each finishes.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
shopt -s globstar nullglob extglob
# shellcheck source=tools/env.sh
source tools/env.sh
# shellcheck source=tools/test-tiers.sh
source tools/test-tiers.sh

tier=all
list=0
if [[ "${1:-}" == "--list" ]]; then
    list=1
    shift
elif [[ "${1:-}" == "--tier" ]]; then
    tier="${2:-}"
    shift 2 || true
fi
case "$tier" in
    all | quick | pure | component | scripts | release) ;;
    *)
        echo "run-tests: unknown tier '$tier': use all, quick, pure, component, scripts or release" >&2
        exit 2
        ;;
esac

RUNTIMES=(NODE22)
[[ "$tier" == quick ]] || RUNTIMES+=(NODE24)
for variable in "${RUNTIMES[@]}"; do
    binary="${!variable}"
    major="${variable#NODE}"
    if [[ ! -x "$binary" ]] || [[ "$("$binary" --version 2>/dev/null)" != "v$major."* ]]; then
        echo "run-tests: no Node $major at \$$variable=$binary; run: bash tools/install-test-tools.sh" >&2
        exit 2
    fi
done

# One scratch directory for the whole run (test/package.spec.ts installs the packed package there).
DEFENDER_TEST_SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/defender-tests-XXXXXX")"
export DEFENDER_TEST_SCRATCH
trap 'rm -rf "$DEFENDER_TEST_SCRATCH"' EXIT

# The tier of one spec path (relative to the repository root, or absolute). The TIER_ lists hold
# paths (tools/test-tiers.sh was sourced with nullglob, which expanded their globs).
tier_of() {
    local spec="${1#"$PWD"/}" listed pattern
    spec="${spec#./}"
    for pattern in "${TIER_SCRIPTS_NAMES[@]}"; do
        # shellcheck disable=SC2053 # a pattern, on purpose
        [[ "${spec##*/}" == $pattern ]] && { echo scripts; return; }
    done
    for listed in "${TIER_RELEASE[@]}"; do [[ "$spec" == "$listed" ]] && { echo release; return; }; done
    for listed in "${TIER_PURE[@]}"; do [[ "$spec" == "$listed" ]] && { echo pure; return; }; done
    echo component
}

mocha_args=()
specs=()
for arg in "$@"; do
    if [[ "$arg" == *.spec.ts || "$arg" == *.spec.js ]]; then specs+=("$arg"); else mocha_args+=("$arg"); fi
done
named=$((${#specs[@]} > 0))
((named)) || specs=(test/**/*.spec.ts)

declare -A files=([pure]="" [component]="" [scripts]="" [release]="")
for spec in "${specs[@]}"; do
    t="$(tier_of "$spec")"
    files[$t]+="$spec"$'\n'
    ((list)) && printf '%s\t%s\n' "$t" "$spec"
done
((list)) && exit 0
wanted() { [[ "$tier" == all || "$tier" == "$1" || ("$tier" == quick && ("$1" == pure || "$1" == component)) ]]; }

# The runs, in order: "tiers joined by +|variable naming the Node binary".
runs=()
for variable in "${RUNTIMES[@]}"; do
    selected=()
    for t in pure component; do wanted "$t" && [[ -n "${files[$t]}" ]] && selected+=("$t"); done
    ((${#selected[@]})) && runs+=("$(
        IFS=+
        echo "${selected[*]}"
    )|$variable")
done
for t in scripts release; do wanted "$t" && [[ -n "${files[$t]}" ]] && runs+=("$t|NODE22"); done
if ((${#runs[@]} == 0)); then
    echo "run-tests: no spec of the $tier tier among: ${specs[*]}" >&2
    exit 2
fi

# One mocha run: its output in $log (and on stdout when $4 is "live"), its exit status in $log.status.
run_mocha() {
    local tiers="$1" variable="$2" log="$3" binary t list=()
    binary="${!variable}"
    for t in ${tiers//+/ }; do mapfile -t -O "${#list[@]}" list < <(printf '%s' "${files[$t]}"); done
    local command=("$binary" node_modules/mocha/bin/mocha.js --reporter spec "${mocha_args[@]}" "${list[@]}")
    if [[ "${4:-}" == live ]]; then
        PATH="$(dirname "$binary"):$PATH" "${command[@]}" 2>&1 | tee "$log"
        echo "${PIPESTATUS[0]}" > "$log.status"
    else
        PATH="$(dirname "$binary"):$PATH" "${command[@]}" > "$log" 2>&1
        echo $? > "$log.status"
    fi
}

header() { echo "=== mocha on Node $("${!2}" --version) (${!2}): ${1//+/ and } ==="; }

passed=0
failed=0
summary=()
# Reads one finished run's log and adds its counts.
count() {
    local tiers="$1" variable="$2" log="$3" seconds="$4" status version run_passed run_failed
    status="$(cat "$log.status" 2>/dev/null || echo 1)"
    version="$("${!variable}" --version)"
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
    summary+=("Node $version, ${tiers//+/ and }: $run_passed passed, $run_failed failed in ${seconds} s")
}

jobs="${DEFENDER_TEST_JOBS:-1}"
declare -A started_at=()
if ((jobs <= 1)); then
    for index in "${!runs[@]}"; do
        IFS='|' read -r tiers variable <<< "${runs[$index]}"
        log="$DEFENDER_TEST_SCRATCH/run-$index.log"
        header "$tiers" "$variable"
        started=$SECONDS
        run_mocha "$tiers" "$variable" "$log" live
        count "$tiers" "$variable" "$log" $((SECONDS - started))
    done
else
    # Up to $jobs runs at a time; a run's log is printed when it finishes, in the order they finish.
    declare -A pid_of=()
    finish() {
        local index="$1" tiers variable log
        IFS='|' read -r tiers variable <<< "${runs[$index]}"
        log="$DEFENDER_TEST_SCRATCH/run-$index.log"
        header "$tiers" "$variable"
        cat "$log"
        count "$tiers" "$variable" "$log" $((SECONDS - started_at[$index]))
    }
    running=()
    for index in "${!runs[@]}"; do
        while ((${#running[@]} >= jobs)); do
            wait -n
            still=()
            for r in "${running[@]}"; do
                if kill -0 "${pid_of[$r]}" 2> /dev/null; then still+=("$r"); else finish "$r"; fi
            done
            running=("${still[@]}")
        done
        IFS='|' read -r tiers variable <<< "${runs[$index]}"
        started_at[$index]=$SECONDS
        run_mocha "$tiers" "$variable" "$DEFENDER_TEST_SCRATCH/run-$index.log" &
        pid_of[$index]=$!
        running+=("$index")
    done
    for r in "${running[@]}"; do
        wait "${pid_of[$r]}"
        finish "$r"
    done
fi

for line in "${summary[@]}"; do echo "run-tests: $line"; done
echo "tests: $passed passed, $failed failed"
((failed == 0))
