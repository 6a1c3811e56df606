#!/usr/bin/env bash
# run-unit.sh - runs cmocka unit test binaries and shows their TAP output.
#
# Usage: tests/run-unit.sh BIN...
# Design: each binary runs with CMOCKA_MESSAGE_OUTPUT=TAP and its output (stdout and stderr)
# is passed through unchanged, so tests/run-all.sh can count the "ok"/"not ok" lines. A
# binary that dies or exits non-zero without a "not ok" line of its own (a crash, a sanitizer
# report, an abort before the first test) gets one "not ok" line named after it here, so no
# failure goes uncounted. Exit status: 0 when every binary passed, 1 otherwise.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: tests/run-unit.sh BIN..." >&2
    exit 2
fi

log=$(mktemp)
locales=$(mktemp -d)
trap 'rm -rf "$log" "$locales"' EXIT

# A decimal-comma locale for the test that the validator ignores LC_NUMERIC, compiled from
# the locales package's sources (make deps) into a private folder glibc reads through
# LOCPATH: build machines rarely have one generated, and generating one needs root.
if localedef -i de_DE -f UTF-8 "$locales/de_DE.UTF-8" 2>/dev/null; then
    export LOCPATH=$locales
    LSAN_OPTIONS="suppressions=$PWD/tests/asan/lsan-locpath.supp ${LSAN_OPTIONS:-}"
    export LSAN_OPTIONS
fi

status=0
for bin in "$@"; do
    echo "# unit: $bin"
    set +e
    CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -ne 0 ]; then
        status=1
        if ! grep -Eq '^[[:space:]]*not ok\b' "$log"; then
            echo "not ok - unit: $bin exited with status $rc before reporting a failure"
        fi
    fi
done
exit "$status"
