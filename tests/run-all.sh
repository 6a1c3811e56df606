#!/usr/bin/env bash
# run-all.sh - every test of the repository, one count: what `make test` runs.
#
# Usage: tests/run-all.sh BUILD_DIR   (BUILD_DIR holds the built binaries: build, build-asan...)
# Design: runs, in order, the cmocka unit tests, the golden codegen tests, the codegen CLI
# tests, the codegen tests again with a clang build under sanitizers (tests/codegen/run-clang.sh),
# every executable tests/*/test_*.sh integration script, the fuzz smoke run and the
# conformance run (twice: the default output and the big-set form). Each prints TAP lines; their full output is shown as it comes and also
# kept, and every "ok"/"not ok" line is counted ("# SKIP" lines as skipped). A runner that
# crashes or exits non-zero without a "not ok" line of its own counts as one more failure,
# named after it. The last line is exactly "N passed, N failed, N skipped"; the exit status is
# 1 if anything failed (or nothing ran).
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: tests/run-all.sh BUILD_DIR" >&2
    exit 2
fi
build=$1
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0
failed=0
skipped=0

# run NAME CMD...: runs one runner, shows and counts its TAP lines.
run() {
    local name=$1 rc n_ok n_fail n_skip
    shift
    echo "# ---- $name: $*"
    set +e
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    n_ok=$(grep -E '^[[:space:]]*ok\b' "$log" | grep -vEc '#[[:space:]]*SKIP' || true)
    n_skip=$(grep -E '^[[:space:]]*(not )?ok\b' "$log" | grep -Ec '#[[:space:]]*SKIP' || true)
    n_fail=$(grep -E '^[[:space:]]*not ok\b' "$log" | grep -vEc '#[[:space:]]*SKIP' || true)
    passed=$((passed + n_ok))
    skipped=$((skipped + n_skip))
    failed=$((failed + n_fail))
    if [ "$rc" -ne 0 ] && [ "$n_fail" -eq 0 ]; then
        echo "not ok - $name exited with status $rc without reporting a failure"
        failed=$((failed + 1))
    fi
    echo "# ---- $name: $n_ok passed, $n_fail failed, exit status $rc"
}

mapfile -t unit_bins < <(find "$build/tests/unit" -type f -perm -u+x 2>/dev/null | sort)
if [ "${#unit_bins[@]}" -gt 0 ]; then
    run unit tests/run-unit.sh "${unit_bins[@]}"
else
    echo "# ---- unit: no unit test binaries under $build/tests/unit"
fi

run golden tests/golden/run.sh "$build"
run codegen-cli tests/codegen/test_codegen_cli.sh "$build"
run codegen-clang tests/codegen/run-clang.sh

for script in tests/*/test_*.sh; do
    [ -x "$script" ] || continue
    [ "$script" = tests/codegen/test_codegen_cli.sh ] && continue
    run "$script" "$script" "$build"
done

run fuzz-smoke make --no-print-directory fuzz-smoke

if [ -x tests/conformance/run.sh ]; then
    run conformance tests/conformance/run.sh "$build"
    # again in the form codegen gives big sets (README "Big schemas"), forced on the suite's
    # small schemas: functions shared by identical subschemas, objects checked from tables
    run conformance-big-set tests/conformance/run.sh "$build" --form big-set \
        --codegen-arg --share --codegen-arg always --codegen-arg --tables \
        --codegen-arg always
else
    echo "not ok - conformance: tests/conformance/run.sh is missing or not executable"
    failed=$((failed + 1))
fi

if [ $((passed + failed)) -eq 0 ]; then
    echo "not ok - no test ran"
    failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
