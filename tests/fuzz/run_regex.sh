#!/usr/bin/env bash
# run_regex.sh - builds the libFuzzer target tests/fuzz/fuzz_regex.c (the pattern compiler and
# matcher) with clang and runs it.
#
# Usage: tests/fuzz/run_regex.sh [SECONDS]   (default 1800; `make fuzz-regex` passes
# FUZZ_SECONDS). Prints one TAP line: ok when libFuzzer ran SECONDS without a crash.
# Design: as tests/fuzz/run.sh, in build-fuzz/ (apart from the other builds): libmgcodegen and
# libmgvalidator built with -fsanitize=fuzzer-no-link,address,undefined through the Makefile's
# own rules (build-fuzz/san), then the target. The corpus lives in build-fuzz/regex-corpus
# and is read together with the seeds in tests/fuzz/regex-seeds (input format in
# fuzz_regex.c). A crash, leak, sanitizer report, failed check or timeout makes libFuzzer exit
# non-zero and leave the input in build-fuzz/regex-artifacts/. The timeout (120 s per input)
# is for blow-ups, which take orders of magnitude longer: the slowest inputs found take about
# 11 s of CPU in this instrumented build, which compiles each pattern several ways and runs
# every engine (the same pattern takes 0.2 s through the plain meshgate-codegen), and 30 s was
# crossed by such an input on a 2-core machine at load 14 ([^\x^[^\s@"]{1,64}@^s\[@]{1,2).
set -euo pipefail

secs=${1:-1800}
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: tests/fuzz/run_regex.sh [SECONDS]" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=build-fuzz
san=("-fsanitize=address,undefined" -fno-sanitize-recover=all -fno-omit-frame-pointer)

fail() {
    echo "not ok 1 - fuzz-regex: $1"
    exit 1
}

echo "1..1"
echo "# fuzz-regex: building into $out/ with clang"
make --no-print-directory B="$out/san" CC=clang CXX=clang++ \
    SANFLAGS="-fsanitize=fuzzer-no-link ${san[*]}" "$out/san/libmgcodegen.a" \
    "$out/san/libmgvalidator.a" || fail "building the libraries with sanitizers failed"
mkdir -p "$out/regex-corpus" "$out/regex-artifacts"
clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer "${san[@]}" \
    -Ivalidator -Icodegen -o "$out/fuzz_regex" tests/fuzz/fuzz_regex.c "$out/san/libmgcodegen.a" \
    "$out/san/libmgvalidator.a" -lunistring -lfyaml -lsimdjson -lidn2 -lstdc++ -lm ||
    fail "building the fuzz target failed"

echo "# fuzz-regex: running $out/fuzz_regex for $secs s"
log=$out/fuzz-regex.log
set +e
"$out/fuzz_regex" -max_len=4096 -max_total_time="$secs" -timeout=120 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$out/regex-artifacts/" "$out/regex-corpus" \
    tests/fuzz/regex-seeds 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" -ne 0 ]; then
    fail "libFuzzer exited with status $rc: input in $out/regex-artifacts/; reproduce with $out/fuzz_regex FILE"
fi
echo "ok 1 - fuzz-regex: $secs s of libFuzzer on the pattern compiler and matcher, ${runs:-?} inputs, no crash"
