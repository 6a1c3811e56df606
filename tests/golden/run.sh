#!/usr/bin/env bash
# run.sh - golden tests of meshgate-codegen: exact output, warning-free C, right verdicts.
#
# Usage: tests/golden/run.sh BUILD_DIR [--update]
# Design: every case is cases/<name>.schema.json with its expected codegen output
# cases/<name>.expected.c and .expected.h and its instances cases/<name>.instances.ndjson
# ("valid<TAB>json" or "invalid<TAB>json" per line). For each case, codegen runs from the
# repository root with fixed options (-o <out>/<name> --prefix golden_<name>, the schema path
# relative, so the output does not depend on where the tree is; a case's cases/<name>.args
# adds its own, one per line) and three TAP lines follow:
#   1. the output equals the expected files (the diff is shown when not); with --update the
#      expected files are rewritten from the output instead;
#   2. the generated C compiles with -Wall -Wextra -Werror under gcc and under clang;
#   3. golden_runner.c, linked with the generated C under -fsanitize=address,undefined (thread
#      when BUILD_DIR's library was built for ThreadSanitizer: the two cannot be mixed), gives
#      every instance its expected verdict, within 10 minutes (a validation that never ends,
#      such as exponential time, fails instead of hanging the tests).
# Work files go to BUILD_DIR/tests/golden/<name>/.
set -euo pipefail

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || { [ "$#" -eq 2 ] && [ "$2" != --update ]; }; then
    echo "usage: tests/golden/run.sh BUILD_DIR [--update]" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=$1
update=${2:-}
codegen=$build/meshgate-codegen
lib=$build/libmgvalidator.a
cases=tests/golden/cases
cc=${CC:-cc}
libs=(-lsimdjson -lidn2 -lstdc++ -lm)
cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -Ivalidator)

san=address,undefined
# (grep reads all of nm's output: with -q, nm could die of SIGPIPE and pipefail would hide it)
if nm "$lib" 2>/dev/null | grep ' U __tsan_' >/dev/null; then
    san=thread
fi

mapfile -t names < <(find "$cases" -name '*.schema.json' -printf '%f\n' | sed 's/\.schema\.json$//' | sort)
echo "1..$((3 * ${#names[@]}))"
n=0
tap() { # tap OK|FAIL DESCRIPTION
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

failed=0
for name in "${names[@]}"; do
    out=$build/tests/golden/$name
    rm -rf "$out"
    mkdir -p "$out"
    schema=$cases/$name.schema.json
    args=()
    [ ! -f "$cases/$name.args" ] || mapfile -t args <"$cases/$name.args"
    if ! "$codegen" "${args[@]}" -o "$out/$name" --prefix "golden_$name" "$schema" >"$out/codegen.log" 2>&1; then
        sed 's/^/# /' "$out/codegen.log"
        tap FAIL "golden $name: meshgate-codegen failed on $schema"
        tap FAIL "golden $name: generated C compiles warning-free (no output)"
        tap FAIL "golden $name: instance verdicts (no output)"
        failed=1
        continue
    fi

    if [ "$update" = --update ]; then
        cp "$out/$name.c" "$cases/$name.expected.c"
        cp "$out/$name.h" "$cases/$name.expected.h"
        tap OK "golden $name: expected output updated"
    elif diff -u "$cases/$name.expected.c" "$out/$name.c" >"$out/diff" 2>&1 &&
        diff -u "$cases/$name.expected.h" "$out/$name.h" >>"$out/diff" 2>&1; then
        tap OK "golden $name: output equals $name.expected.c/.h"
    else
        sed 's/^/# /' "$out/diff"
        tap FAIL "golden $name: output equals $name.expected.c/.h (diff above)"
        failed=1
    fi

    compiled=OK
    for compiler in "$cc" clang; do
        if ! "$compiler" "${cflags[@]}" -I"$out" -c "$out/$name.c" -o "$out/$name.$(basename "$compiler").o" \
            >"$out/compile.log" 2>&1; then
            sed 's/^/# /' "$out/compile.log"
            compiled=FAIL
        fi
    done
    tap "$compiled" "golden $name: generated C compiles with -Wall -Wextra -Werror ($cc, clang)"
    [ "$compiled" = OK ] || failed=1

    if "$cc" "${cflags[@]}" -O1 -fsanitize="$san" -fno-omit-frame-pointer -fno-sanitize-recover=all \
        -I"$out" "-DMG_GEN_HEADER=\"$name.h\"" "-DMG_GEN_SET=mg_set_golden_$name" \
        -o "$out/runner" tests/golden/golden_runner.c "$out/$name.c" "$lib" "${libs[@]}" \
        >"$out/link.log" 2>&1 &&
        timeout 600 "$out/runner" "$cases/$name.instances.ndjson" >"$out/runner.log" 2>&1; then
        cat "$out/runner.log"
        tap OK "golden $name: every instance gets its verdict (-fsanitize=$san)"
    else
        sed 's/^/# /' "$out/link.log"
        cat "$out/runner.log" 2>/dev/null || true
        tap FAIL "golden $name: every instance gets its verdict (-fsanitize=$san)"
        failed=1
    fi
done
exit "$failed"
