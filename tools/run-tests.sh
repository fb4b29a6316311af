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
# (`-g <pattern>` filters).
#
# How much runs at once (docs/testing.md, "Development timing"):
# - the runs themselves all start together, longest first as measured in the last quiet `npm test`
#   (release, scripts, then pure + component on Node 22 and 24); each run's log is printed whole when it finishes, in the order
#   they finish. DEFENDER_TEST_JOBS=N runs at most N at a time (1: one after another, printed live).
# - within a run, mocha's --parallel spreads the spec files over worker processes, slowest files
#   first (TIER_SLOW_FIRST): DEFENDER_TEST_WORKERS (default 2, the cores of the machine this was
#   tuned on) for pure and component, TIER_SCRIPTS_WORKERS for scripts (its booted machines and
#   Squid mostly wait), 1 for release. DEFENDER_TEST_WORKERS=1 runs every run's files in one process.
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
# Whether the runs use this runner's reporter (and so report their counts), or one named here.
own_reporter=1
for arg in "${mocha_args[@]}"; do [[ "$arg" == @(-R|--reporter|--reporter=*) ]] && own_reporter=0; done
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

# The runs, longest first (the order they start in, which matters when DEFENDER_TEST_JOBS holds
# some back): "tiers joined by +|variable naming the Node binary". Release is the longest since its
# language-host and compiler specs joined it (343 s against scripts' 265 s: docs/testing.md).
runs=()
wanted release && [[ -n "${files[release]}" ]] && runs+=("release|NODE22")
wanted scripts && [[ -n "${files[scripts]}" ]] && runs+=("scripts|NODE22")
for variable in "${RUNTIMES[@]}"; do
    selected=()
    for t in pure component; do wanted "$t" && [[ -n "${files[$t]}" ]] && selected+=("$t"); done
    ((${#selected[@]})) && runs+=("$(
        IFS=+
        echo "${selected[*]}"
    )|$variable")
done
if ((${#runs[@]} == 0)); then
    echo "run-tests: no spec of the $tier tier among: ${specs[*]}" >&2
    exit 2
fi

workers="${DEFENDER_TEST_WORKERS:-2}"
if [[ ! "$workers" =~ ^[1-9][0-9]*$ ]]; then
    echo "run-tests: DEFENDER_TEST_WORKERS must be a positive integer, got '$workers'" >&2
    exit 2
fi
# How many mocha workers a run of these tiers gets (1: no --parallel).
workers_for() {
    # release: one process, as before (npm pack, the packed install and the schema share dist/).
    if ((workers == 1)) || [[ "$1" == release ]]; then echo 1; elif [[ "$1" == scripts ]]; then echo "$TIER_SCRIPTS_WORKERS"; else echo "$workers"; fi
}

# Node flags for mocha and its workers (forked with the same flags; processes the specs spawn do
# not get them). The mock engine makes short-lived objects by the million (the Pulumi SDK's
# promises and Outputs): a young generation of 2 x 32 MiB, above the size V8 picks by itself,
# collects them in fewer scavenges. Measured on `npm run test:quick`, quiet, two runs each:
# 54 s wall, 98 s user CPU without it; 46-49 s, 84-88 s with it (docs/testing.md).
MOCHA_NODE_FLAGS=(--max-semi-space-size=32)

# A run's spec files, the slow ones first (TIER_SLOW_FIRST, in its order), so that mocha's
# parallel pool starts them first and the short ones fill in around them.
ordered_files() {
    local tiers="$1" t slow spec listed=() rest=() out=()
    for t in ${tiers//+/ }; do mapfile -t -O "${#listed[@]}" listed < <(printf '%s' "${files[$t]}"); done
    declare -A taken=()
    for slow in "${TIER_SLOW_FIRST[@]}"; do
        for spec in "${listed[@]}"; do
            if [[ -z "${taken[$spec]:-}" && "${spec#./}" == "$slow" ]]; then
                out+=("$spec")
                taken[$spec]=1
            fi
        done
    done
    for spec in "${listed[@]}"; do [[ -n "${taken[$spec]:-}" ]] || rest+=("$spec"); done
    printf '%s\n' "${out[@]}" "${rest[@]}"
}

# One mocha run: its output in $log (and on stdout when $4 is "live"), its exit status in
# $log.status, and how long it took in $log.seconds (measured here: a run that finishes while the
# runner waits for another is reported later, but with its own time).
run_mocha() {
    local tiers="$1" variable="$2" log="$3" binary list=() parallel=() n
    binary="${!variable}"
    mapfile -t list < <(ordered_files "$tiers")
    n="$(workers_for "$tiers")"
    ((n > 1 && ${#list[@]} > 1)) && parallel=(--parallel --jobs "$n")
    # The spec reporter, which also writes the run's counts to $log.counts (tools/mocha-spec-counts.cjs).
    local command=("$binary" "${MOCHA_NODE_FLAGS[@]}" node_modules/mocha/bin/mocha.js --reporter tools/mocha-spec-counts.cjs "${parallel[@]}" "${mocha_args[@]}" "${list[@]}")
    local -x DEFENDER_TEST_COUNTS="$log.counts"
    local started=$EPOCHSECONDS
    if [[ "${4:-}" == live ]]; then
        PATH="$(dirname "$binary"):$PATH" "${command[@]}" 2>&1 | tee "$log"
        echo "${PIPESTATUS[0]}" > "$log.status"
    else
        PATH="$(dirname "$binary"):$PATH" "${command[@]}" > "$log" 2>&1
        echo $? > "$log.status"
    fi
    echo $((EPOCHSECONDS - started)) > "$log.seconds"
}

header() { echo "=== mocha on Node $("${!2}" --version) (${!2}): ${1//+/ and } ==="; }

passed=0
failed=0
summary=()
# Reads one finished run's log and adds its counts.
count() {
    local tiers="$1" variable="$2" log="$3" seconds status version run_passed="" run_failed=""
    status="$(cat "$log.status" 2>/dev/null || echo 1)"
    seconds="$(cat "$log.seconds" 2>/dev/null || echo "?")"
    version="$("${!variable}" --version)"
    if [[ -s "$log.counts" ]]; then
        # What mocha counted (not the report's last "N passing" line, which may be quoted in a failure).
        read -r run_passed run_failed < "$log.counts"
    elif ((own_reporter == 0)); then
        # Another reporter given on the command line: its summary, "  123 passing (3m)", "  1 failing".
        run_passed=$(sed -nE 's/^ *([0-9]+) passing.*/\1/p' "$log" | tail -1)
        run_failed=$(sed -nE 's/^ *([0-9]+) failing.*/\1/p' "$log" | tail -1)
    fi
    run_failed=${run_failed:-0}
    if [[ -z "$run_passed" ]]; then
        # No summary: mocha stopped before reporting (a spec that does not load, a crash); a report
        # the specs printed before that is not the run's.
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

jobs="${DEFENDER_TEST_JOBS:-${#runs[@]}}"
# Overlapping runs are reaped with `wait -n -p` (bash 5.1).
if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501)) && [[ "${DEFENDER_TEST_JOBS:-}" != 1 ]]; then
    echo "run-tests: bash $BASH_VERSION cannot run the runs side by side (needs 5.1); use bash 5.1+ or DEFENDER_TEST_JOBS=1" >&2
    exit 2
fi
if [[ ! "$jobs" =~ ^[1-9][0-9]*$ ]]; then
    echo "run-tests: DEFENDER_TEST_JOBS must be a positive integer, got '$jobs'" >&2
    exit 2
fi
# The release tier's `npm pack` rebuilds dist/ (prepack: `rm -rf dist`, tsc) while the other runs go
# on: no spec of another tier reads dist/ (they load sdk/ through ts-node), and the build writes
# nothing else (docs/arguments.md is `npm run docs`), so the runs need no build before they start.
if ((jobs <= 1)); then
    for index in "${!runs[@]}"; do
        IFS='|' read -r tiers variable <<< "${runs[$index]}"
        log="$DEFENDER_TEST_SCRATCH/run-$index.log"
        header "$tiers" "$variable"
        run_mocha "$tiers" "$variable" "$log" live
        count "$tiers" "$variable" "$log"
    done
else
    # Up to $jobs runs at a time; a run's log is printed when it ends, in the order they end.
    declare -A pid_of=()
    finish() {
        local index="$1" tiers variable log
        IFS='|' read -r tiers variable <<< "${runs[$index]}"
        log="$DEFENDER_TEST_SCRATCH/run-$index.log"
        header "$tiers" "$variable"
        cat "$log"
        count "$tiers" "$variable" "$log"
    }
    running=()
    # Waits until a run ends, then prints it. `wait -n -p` names the process that ended; asking
    # whether a run's pid is alive (kill -0) took a process that got an ended run's pid for the
    # run, and the loop spun (shown: a `sleep 20` under that pid kept one core busy for 15 s).
    reap() {
        local ended="" still=() r
        wait -n -p ended
        for r in "${running[@]}"; do
            if [[ "${pid_of[$r]}" == "${ended:-}" ]]; then finish "$r"; else still+=("$r"); fi
        done
        # No child left to wait for (cannot happen while a run is listed): print what is listed, never spin.
        if [[ -z "${ended:-}" ]]; then for r in "${still[@]}"; do finish "$r"; done; still=(); fi
        running=("${still[@]}")
    }
    for index in "${!runs[@]}"; do
        while ((${#running[@]} >= jobs)); do reap; done
        IFS='|' read -r tiers variable <<< "${runs[$index]}"
        echo "run-tests: started Node $("${!variable}" --version), ${tiers//+/ and } ($(workers_for "$tiers") mocha worker(s)); its log follows when it ends"
        run_mocha "$tiers" "$variable" "$DEFENDER_TEST_SCRATCH/run-$index.log" &
        pid_of[$index]=$!
        running+=("$index")
    done
    while ((${#running[@]} > 0)); do reap; done
fi

for line in "${summary[@]}"; do echo "run-tests: $line"; done
echo "tests: $passed passed, $failed failed"
((failed == 0))
