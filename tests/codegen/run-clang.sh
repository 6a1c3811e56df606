#!/usr/bin/env bash
# run-clang.sh - the codegen tests once more, with meshgate-codegen built by clang under
# AddressSanitizer and UndefinedBehaviorSanitizer.
#
# Usage: tests/codegen/run-clang.sh   (tests/run-all.sh runs it, so `make test` does)
# Design: gcc and clang order unsequenced evaluations differently (`f(v, add(&v))` read a
# reallocated array only under clang), so the golden tests, the codegen CLI tests and the
# codegen unit tests run again against a clang build in its own folder, build-clang-san/,
# with the sanitizers making such a read a failure instead of luck. The flags include
# libFuzzer's coverage hooks (-fsanitize=fuzzer-no-link): tests/fuzz/run.sh links its targets
# against the same libraries, so make test builds them once. Only what those tests need is
# built (the validator library, the codegen library and command, the codegen unit tests),
# incrementally. TAP lines come from the three runners; a failed build is one "not ok".
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
b=build-clang-san
units=()
for t in tests/unit/codegen/test_*.c; do units+=("$b/${t%.c}"); done
san="-fsanitize=fuzzer-no-link -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
mkdir -p "$b"
if ! make --no-print-directory -j2 B="$b" CC=clang CXX=clang++ O=1 SANFLAGS="$san" \
    "$b/meshgate-codegen" "$b/libmgvalidator.a" "${units[@]}" >"$b/build.log" 2>&1; then
    sed 's/^/# /' "$b/build.log" | tail -n 40
    echo "not ok 1 - codegen-clang: building meshgate-codegen with clang and sanitizers (log in $b/build.log)"
    exit 1
fi
# The tests that compile generated C link it with $b's libraries: same compiler, same flags.
export CC=clang SANITIZE_CFLAGS="$san"
rc=0
tests/run-unit.sh "${units[@]}" || rc=1
tests/golden/run.sh "$b" || rc=1
tests/codegen/test_codegen_cli.sh "$b" || rc=1
exit "$rc"
