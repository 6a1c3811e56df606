#!/usr/bin/env bash
# run.sh - the official JSON Schema test suite through codegen, cc and the validator.
#
# Usage: tests/conformance/run.sh BUILD_DIR [--only draft/set/file.json] [-v] [--update-known]
# Design: a thin wrapper over BUILD_DIR/tests/conformance/mgconf (harness.c), run from the
# repository root with the suite at ../shared/json-schema-test-suite (MG_SUITE_DIR overrides).
# Sanitizer flags for the generated shared objects come from SANITIZE_CFLAGS (the Makefile
# exports them), so `make asan` checks generated code too.
set -euo pipefail
if [ "$#" -lt 1 ]; then
    echo "usage: tests/conformance/run.sh BUILD_DIR [--only draft/set/file.json] [-v] [--update-known]" >&2
    exit 2
fi
build=$1
shift
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
suite=${MG_SUITE_DIR:-../shared/json-schema-test-suite}
if [ ! -d "$suite/tests" ]; then
    echo "not ok 1 - conformance: no test suite at $suite"
    exit 1
fi
start=$(date +%s)
set +e
"$build/tests/conformance/mgconf" --suite "$suite" --build "$build" \
    --known tests/conformance/known-failures.txt "$@"
rc=$?
set -e
echo "# conformance run took $(($(date +%s) - start)) s"
exit $rc
