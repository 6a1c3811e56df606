#!/usr/bin/env bash
# run.sh - builds the libFuzzer targets with clang and runs each for a while.
#
# Usage: tests/fuzz/run.sh [SECONDS [CODEGEN_SECONDS]]   (default 600 each; `make fuzz` passes
# FUZZ_SECONDS for both, `make fuzz-smoke` 15 and 15). Prints one TAP line per target: ok when
# libFuzzer ran its time without a crash.
# Targets: fuzz_validate.c (message bytes into mg_validate for six generated golden schemas)
# and fuzz_codegen.c (schema bytes into the codegen pipeline in process; 1 input in 8 that
# compiles also has its C built with -Werror, loaded and run).
# Design: meshgate-codegen and libmgvalidator built plainly with clang go to build-fuzz/tool
# (a build tool here, and the validator the codegen target links the C it compiles with);
# libmgvalidator and libmgcodegen with -fsanitize=fuzzer-no-link,address,undefined go to
# build-clang-san/, the folder tests/codegen/run-clang.sh builds with the same flags, so
# `make test` builds them once; the generated C of six golden cases goes to build-fuzz/gen.
# Corpora live in build-fuzz/corpus (validate) and build-fuzz/corpus-codegen (new inputs are
# kept there between runs), read together with the seeds: tests/fuzz/seeds for the validator
# (first byte: the selector of fuzz_validate.c), and for codegen each golden schema behind two
# selectors (plain, and "compile and load"), written to build-fuzz/seeds-codegen. A crash,
# leak, sanitizer report or timeout makes libFuzzer exit non-zero and leave the input in
# build-fuzz/artifacts/.
set -euo pipefail

secs=${1:-600}
cg_secs=${2:-$secs}
if ! [[ "$secs" =~ ^[1-9][0-9]*$ && "$cg_secs" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: tests/fuzz/run.sh [SECONDS [CODEGEN_SECONDS]]" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=build-fuzz
san_b=build-clang-san
gen=$out/gen
schemas=(identity refs unevaluated formats arrays recursive)
san=("-fsanitize=address,undefined" -fno-sanitize-recover=all -fno-omit-frame-pointer)
libs=(-lsimdjson -lidn2 -lstdc++ -lm)

echo "1..2"
fail_all() {
    echo "not ok 1 - fuzz validate: $1"
    echo "not ok 2 - fuzz codegen: $1"
    exit 1
}

echo "# fuzz: building into $out/ and $san_b/ with clang"
make --no-print-directory B="$out/tool" CC=clang CXX=clang++ SANFLAGS= \
    "$out/tool/meshgate-codegen" "$out/tool/libmgvalidator.a" ||
    fail_all "building meshgate-codegen failed"
make --no-print-directory B="$san_b" CC=clang CXX=clang++ O=1 \
    SANFLAGS="-fsanitize=fuzzer-no-link ${san[*]}" \
    "$san_b/libmgvalidator.a" "$san_b/libmgcodegen.a" "$san_b/libmgcommon.a" ||
    fail_all "building the libraries with sanitizers failed"
rm -rf "$gen"
mkdir -p "$gen" "$out/corpus" "$out/corpus-codegen" "$out/seeds-codegen" "$out/artifacts"
for s in "${schemas[@]}"; do
    "$out/tool/meshgate-codegen" -o "$gen/$s" --prefix "fuzz_$s" "tests/golden/cases/$s.schema.json" ||
        fail_all "meshgate-codegen failed on tests/golden/cases/$s.schema.json"
done
gen_c=()
for s in "${schemas[@]}"; do gen_c+=("$gen/$s.c"); done
cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer "${san[@]}" -Ivalidator)
clang "${cflags[@]}" -I"$gen" -o "$out/fuzz_validate" tests/fuzz/fuzz_validate.c "${gen_c[@]}" \
    "$san_b/libmgvalidator.a" "${libs[@]}" || fail_all "building fuzz_validate failed"
clang "${cflags[@]}" -Icodegen -Icommon "-DFUZZ_VALIDATOR_LIB=\"$out/tool/libmgvalidator.a\"" \
    -o "$out/fuzz_codegen" tests/fuzz/fuzz_codegen.c "$san_b/libmgcodegen.a" "$san_b/libmgcommon.a" \
    "$san_b/libmgvalidator.a" -ldl -lunistring -lfyaml "${libs[@]}" ||
    fail_all "building fuzz_codegen failed"
for f in tests/golden/cases/*.schema.json; do
    b=$(basename "$f" .schema.json)
    { printf '\000'; cat "$f"; } >"$out/seeds-codegen/$b-plain"
    { printf '\340'; cat "$f"; } >"$out/seeds-codegen/$b-compile"
done

# fuzz N NAME SECONDS ARGS...: runs one target, prints its TAP line; returns its status.
fuzz() {
    local n=$1 name=$2 s=$3 rc runs log=$out/fuzz-$2.log
    shift 3
    echo "# fuzz: running $out/fuzz_$name for $s s"
    set +e
    "$out/fuzz_$name" -max_total_time="$s" -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$name-" "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ]; then
        echo "not ok $n - fuzz $name: libFuzzer exited with status $rc: input in $out/artifacts/; reproduce with $out/fuzz_$name FILE"
        return 1
    fi
    echo "ok $n - fuzz $name: $s s of libFuzzer, ${runs:-?} inputs, no crash"
}

rc=0
fuzz 1 validate "$secs" -max_len=65536 -timeout=10 "$out/corpus" tests/fuzz/seeds || rc=1
fuzz 2 codegen "$cg_secs" -max_len=16384 -timeout=60 -dict=tests/fuzz/codegen.dict \
    "$out/corpus-codegen" "$out/seeds-codegen" || rc=1
exit "$rc"
