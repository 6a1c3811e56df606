#!/usr/bin/env bash
# test_usage.sh - TAP tests of meshgate-codegen's usability promises (issue 16 items 9, 10):
# --map finds NAME and NAME.json and names the files it tried when neither exists; a missing
# -o, no input and an empty input folder are errors that say so; --so builds the shared object
# in one step (honouring CC and CFLAGS) and `meshgate validate --schemas x.so` loads it by a
# relative path.
#
# Usage: tests/codegen/test_usage.sh BUILD_DIR. Prints TAP lines.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=tests/codegen/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# expect DESCRIPTION RC PATTERN COMMAND...: COMMAND exits RC and its stderr matches PATTERN
# (is empty when PATTERN is "").
expect() {
    local d=$1 want=$2 pat=$3 rc=0
    shift 3
    "$@" >/dev/null 2>"$tmp/err" || rc=$?
    local seen=no
    if [ -z "$pat" ]; then [ -s "$tmp/err" ] || seen=yes; else grep -Eq -- "$pat" "$tmp/err" && seen=yes; fi
    if [ "$rc" -eq "$want" ] && [ "$seen" = yes ]; then
        ok "$d"
    else
        echo "# exit status $rc (want $want), stderr should match: $pat"
        not_ok "$d"
    fi
}

# ---- --map: NAME, then NAME.json
mkdir -p "$tmp/lib"
echo '{"type": "string", "minLength": 2}' >"$tmp/lib/address.json"
echo '{"properties": {"a": {"$ref": "https://example.com/s/address"}}}' >"$tmp/noext.json"
echo '{"$ref": "https://example.com/s/address.json"}' >"$tmp/ext.json"
echo '{"$ref": "https://example.com/s/missing"}' >"$tmp/missing.json"
expect "--map: a reference without .json finds NAME.json" 0 '' \
    "$codegen" -o "$tmp/noext" --map "https://example.com/s/=$tmp/lib" "$tmp/noext.json"
grep -q 'minLength' "$tmp/noext.c" 2>/dev/null && ok "--map: NAME.json's keywords are compiled" ||
    not_ok "--map: NAME.json's keywords are compiled"
expect "--map: a reference with .json still finds the file" 0 '' \
    "$codegen" -o "$tmp/ext" --map "https://example.com/s/=$tmp/lib" "$tmp/ext.json"
expect "--map: an unresolvable reference names both files tried, with file and pointer" 1 \
    "missing.json: /\\\$ref: cannot resolve reference https://example.com/s/missing: .*tried $tmp/lib/missing and $tmp/lib/missing.json" \
    "$codegen" -o "$tmp/missing" --map "https://example.com/s/=$tmp/lib" "$tmp/missing.json"

# ---- usage errors
expect "a missing -o is an error that says so" 2 'missing -o' "$codegen" "$tmp/ext.json"
expect "no input is an error that says so" 2 'no input' "$codegen" -o "$tmp/x"
mkdir -p "$tmp/empty/sub"
expect "an empty input folder is an error that names it" 1 "$tmp/empty: no schema or contract" \
    "$codegen" -o "$tmp/x" "$tmp/empty"
[ ! -e "$tmp/x.c" ] && ok "nothing is written for an empty folder" ||
    not_ok "nothing is written for an empty folder"

# ---- --so and a relative --schemas path
mkdir -p "$tmp/work"
cp examples/identity/identity.schema.json examples/identity/sample.ndjson "$tmp/work/"
# shellcheck disable=SC2086
if (cd "$tmp/work" && CFLAGS="-O1 ${SANITIZE_CFLAGS:-}" "$codegen" --so identity.so identity.schema.json) 2>"$tmp/err" &&
    nm -D --defined-only "$tmp/work/identity.so" | grep ' T meshgate_schema_set$' >/dev/null &&
    [ -z "$(find "$tmp/work" -name '*.c')" ]; then
    ok "--so without -o: one step to a shared object exporting meshgate_schema_set, no C left"
else
    not_ok "--so without -o: one step to a shared object exporting meshgate_schema_set, no C left"
fi
if (cd "$tmp/work" && "$meshgate" validate --schemas identity.so --schema identity sample.ndjson) \
    >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
if [ "$rc" -eq 1 ] && grep -q '^sample.ndjson:3: /Age: 140 is not less than 130 (exclusiveMaximum)$' "$tmp/out"; then
    ok "meshgate validate --schemas identity.so loads a relative path and gives the verdicts"
else
    not_ok "meshgate validate --schemas identity.so loads a relative path and gives the verdicts (rc $rc)"
fi
# shellcheck disable=SC2086
if CFLAGS="-O0 ${SANITIZE_CFLAGS:-}" "$codegen" -o "$tmp/kept" --so "$tmp/kept.so" \
    examples/identity/identity.schema.json 2>"$tmp/err" && [ -s "$tmp/kept.c" ] && [ -s "$tmp/kept.so" ]; then
    ok "--so with -o keeps BASE.c and BASE.h beside the shared object"
else
    not_ok "--so with -o keeps BASE.c and BASE.h beside the shared object"
fi
printf '#!/bin/sh\necho "fake-cc $*" >"%s/cc.args"\nexec cc "$@"\n' "$tmp" >"$tmp/fake-cc"
chmod +x "$tmp/fake-cc"
if CC="$tmp/fake-cc" CFLAGS="-O0 -DMARK_FROM_CFLAGS ${SANITIZE_CFLAGS:-}" "$codegen" --so "$tmp/cc.so" \
    examples/identity/identity.schema.json 2>"$tmp/err" && grep -q -- '-DMARK_FROM_CFLAGS' "$tmp/cc.args"; then
    ok "--so runs \$CC with \$CFLAGS"
else
    not_ok "--so runs \$CC with \$CFLAGS"
fi
expect "--so: a failing compiler is an error that says so" 1 'failed building' \
    env CC=false "$codegen" --so "$tmp/bad.so" examples/identity/identity.schema.json
exit "$failed"
