#!/usr/bin/env bash
# run.sh - the official JSON Schema test suite through codegen, cc, dlopen and the validator.
#
# Usage: tests/conformance/run.sh BUILD_DIR [--only DRAFT/SET/FILE] [-v] [--update-known]
#            [--form NAME --codegen-arg ARG...]
#   --only draft2020-12/required/ref.json   one file (a prefix: draft7/format runs a whole set)
#   -v               every failing test, known ones too, with its data and codegen's output
#   --update-known   rewrite tests/conformance/known-failures.txt from this run (reasons kept,
#                    new entries get TODO; with --only, entries outside it are kept)
#   --form NAME      codegen runs with each --codegen-arg ARG (the big-set form: --share always
#                    --tables always); work files in BUILD_DIR/conformance-NAME
# Env: MG_SUITE_DIR (default ../shared/json-schema-test-suite from the repository root),
#      MG_CONF_JOBS (parallel files, default 2), CC, SANITIZE_CFLAGS (the Makefile exports it,
#      so `make asan` builds the generated shared objects with the sanitizer too).
# Design: a thin wrapper over BUILD_DIR/tests/conformance/mgconf (harness.c), run from the
# repository root; work files stay in BUILD_DIR/conformance/<draft>/<set>/<file>/ for
# debugging. Prints "conformance <draft> <set>: P/N passed" per set, then TAP lines.
set -euo pipefail

if [ "$#" -lt 1 ]; then
    echo "usage: tests/conformance/run.sh BUILD_DIR [--only DRAFT/SET/FILE] [-v] [--update-known]" >&2
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
for f in "$build/tests/conformance/mgconf" "$build/meshgate-codegen" "$build/libmgvalidator.a"; do
    if [ ! -e "$f" ]; then
        echo "not ok 1 - conformance: $f is missing (run make first)"
        exit 1
    fi
done
mkdir -p "$build/conformance"
start=$(date +%s)
rc=0
"$build/tests/conformance/mgconf" --suite "$suite" --build "$build" \
    --known tests/conformance/known-failures.txt --jobs "${MG_CONF_JOBS:-2}" "$@" || rc=$?
echo "# conformance run took $(($(date +%s) - start)) s"
exit "$rc"
