#!/usr/bin/env bash
# run.sh - builds the libFuzzer target tests/fuzz/fuzz_validate.c with clang and runs it.
#
# Usage: tests/fuzz/run.sh [SECONDS]   (default 600; `make fuzz` passes FUZZ_SECONDS, `make
# fuzz-smoke` 20). Prints one TAP line: ok when libFuzzer ran SECONDS without a crash.
# Design: everything goes to build-fuzz/, apart from the other builds: meshgate-codegen built
# plainly with clang (build-fuzz/tool, it is only a build tool here), libmgvalidator built with
# -fsanitize=fuzzer-no-link,address,undefined (build-fuzz/san), both through the Makefile's
# own rules with B overridden; the generated C of six golden cases (build-fuzz/gen); and the
# fuzzer itself. The corpus lives in build-fuzz/corpus (new inputs are kept there between
# runs) and is read together with the seeds in tests/fuzz/seeds, whose first byte is the
# selector described in fuzz_validate.c. A crash, leak, sanitizer report or timeout makes
# libFuzzer exit non-zero and leave the input in build-fuzz/artifacts/.
set -euo pipefail

secs=${1:-600}
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: tests/fuzz/run.sh [SECONDS]" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=build-fuzz
gen=$out/gen
schemas=(identity refs unevaluated formats arrays recursive)
san=("-fsanitize=address,undefined" -fno-sanitize-recover=all -fno-omit-frame-pointer)

fail() {
    echo "not ok 1 - fuzz: $1"
    exit 1
}

echo "1..1"
echo "# fuzz: building into $out/ with clang"
make --no-print-directory B="$out/tool" CC=clang CXX=clang++ SANFLAGS= "$out/tool/meshgate-codegen" ||
    fail "building meshgate-codegen failed"
make --no-print-directory B="$out/san" CC=clang CXX=clang++ \
    SANFLAGS="-fsanitize=fuzzer-no-link ${san[*]}" "$out/san/libmgvalidator.a" ||
    fail "building libmgvalidator with sanitizers failed"
rm -rf "$gen"
mkdir -p "$gen" "$out/corpus" "$out/artifacts"
for s in "${schemas[@]}"; do
    "$out/tool/meshgate-codegen" -o "$gen/$s" --prefix "fuzz_$s" "tests/golden/cases/$s.schema.json" ||
        fail "meshgate-codegen failed on tests/golden/cases/$s.schema.json"
done
gen_c=()
for s in "${schemas[@]}"; do gen_c+=("$gen/$s.c"); done
clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer "${san[@]}" \
    -Ivalidator -I"$gen" -o "$out/fuzz_validate" tests/fuzz/fuzz_validate.c "${gen_c[@]}" \
    "$out/san/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm ||
    fail "building the fuzz target failed"

echo "# fuzz: running $out/fuzz_validate for $secs s"
log=$out/fuzz.log
set +e
"$out/fuzz_validate" -max_len=65536 -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/" "$out/corpus" tests/fuzz/seeds 2>&1 |
    tee "$log"
rc=${PIPESTATUS[0]}
set -e
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -ne 0 ]; then
    fail "libFuzzer exited with status $rc: input in $out/artifacts/; reproduce with $out/fuzz_validate FILE"
fi
echo "ok 1 - fuzz: $secs s of libFuzzer on ${#schemas[@]} generated schemas, ${runs:-?} inputs, no crash"
