#!/usr/bin/env bash
# test_bigschema.sh - TAP tests of what makes big schemas build fast (issue 16 item 11): one
# function for identical subschemas (--share), objects checked from tables (--tables)
# and output split into parts (--split) that --so compiles in parallel. Behaviour only; build times are measured by the bigschema row of
# `make bench`.
#
# Usage: tests/codegen/test_bigschema.sh BUILD_DIR
# Design: the schemas are small and written here, with --share always / --split N forcing
# what the defaults do only for big sets; a generated schema (bench/workloads/bigschema/
# gen_schema.py) checks the defaults. Verdicts and errors come from
# tests/codegen/bounded_runner.c (--locations: each error's keyword location) and from
# `meshgate validate` on the shared objects --so builds; each form of the output must give the
# same ones as the plain one-file form.
# shellcheck disable=SC2016
set -euo pipefail

# shellcheck source=tests/codegen/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# SANITIZE_CFLAGS: the flags the build dir's library was built with (the Makefile exports them)
read -r -a san <<<"${SANITIZE_CFLAGS:-}"
cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O0 "-I$PWD/validator" "${san[@]}")
cc=${CC:-cc}
libs=("$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm)

# runner NAME OUT C...: bounded_runner built with the set NAME (header in OUT's folder)
runner() {
    local name=$1 out=$2
    shift 2
    "$cc" "${cflags[@]}" -I"$(dirname "$out")" "-DMG_GEN_HEADER=\"$name.h\"" \
        "-DMG_GEN_SET=mg_set_$name" -o "$out" tests/codegen/bounded_runner.c "$@" "${libs[@]}"
}

# Two identical objects (with identical members) at different places, and a third copy
# under items, where the shared function is called from a parent that is shared as well.
cat >"$tmp/two.json" <<'EOF'
{"$schema": "https://json-schema.org/draft/2020-12/schema",
 "type": "object",
 "properties": {
  "a": {"type": "object", "required": ["n"], "additionalProperties": false,
        "properties": {"n": {"type": "integer", "maximum": 5}, "s": {"type": "string", "maxLength": 3}}},
  "b": {"type": "object", "required": ["n"], "additionalProperties": false,
        "properties": {"n": {"type": "integer", "maximum": 5}, "s": {"type": "string", "maxLength": 3}}},
  "list": {"type": "array", "items": {"type": "object", "properties": {
        "c": {"type": "object", "required": ["n"], "additionalProperties": false,
              "properties": {"n": {"type": "integer", "maximum": 5}, "s": {"type": "string", "maxLength": 3}}}}}}
 }}
EOF
cat >"$tmp/in.ndjson" <<'EOF'
{"a": {"n": 9}, "b": {"n": 1}}
{"a": {"n": 1}, "b": {"n": 9, "s": "long"}}
{"a": {}, "b": {"s": "x", "t": 1}}
{"list": [{"c": {"n": 1}}, {"c": {"n": 7, "x": 0}}]}
{"a": {"n": 1, "s": "ab"}, "b": {"n": 2}, "list": [{"c": {"n": 5}}]}
EOF

mkdir -p "$tmp/shared" "$tmp/plain" "$tmp/split"
if "$codegen" --share always -o "$tmp/shared/two" "$tmp/two.json" 2>"$tmp/err" &&
    "$codegen" --share never -o "$tmp/plain/two" "$tmp/two.json" 2>"$tmp/err" &&
    "$codegen" --share always --split 3 -o "$tmp/split/two" "$tmp/two.json" 2>"$tmp/err"; then
    ok "codegen writes the shared, plain and split forms"
else
    not_ok "codegen writes the shared, plain and split forms"
fi

# the copies of #/properties/a are one function; the plain form has none
if grep -q '^/\* shared by 3 subschemas like #/properties/a (' "$tmp/shared/two.c" &&
    [ "$(grep -c '^static bool mgsh_' "$tmp/shared/two.c")" -ge 2 ] &&
    ! grep -q 'mgsh_' "$tmp/plain/two.c"; then
    ok "identical subschemas share one function (and only when asked)"
else
    not_ok "identical subschemas share one function (and only when asked)"
fi

: >"$tmp/err"
if runner two "$tmp/shared/run" "$tmp/shared/two.c" 2>"$tmp/err" &&
    runner two "$tmp/plain/run" "$tmp/plain/two.c" 2>"$tmp/err"; then
    "$tmp/shared/run" --all-errors --locations "$tmp/in.ndjson" >"$tmp/shared/out"
    "$tmp/plain/run" --all-errors --locations "$tmp/in.ndjson" >"$tmp/plain/out"
    ok "the shared and plain forms compile with -Wall -Wextra -Werror"
else
    not_ok "the shared and plain forms compile with -Wall -Wextra -Werror"
fi

# each copy reports its own schema locations, through a shared parent too
missing=""
for want in \
    '/a/n: 9 is greater than 5 (maximum) at #/properties/a/properties/n/maximum' \
    '/b/n: 9 is greater than 5 (maximum) at #/properties/b/properties/n/maximum' \
    '/b/s: "long" is longer than 3 characters (maxLength) at #/properties/b/properties/s/maxLength' \
    '/a: required property "n" is missing (required) at #/properties/a/required' \
    '/b: required property "n" is missing (required) at #/properties/b/required' \
    '/b/t: property "t" is not allowed (additionalProperties) at #/properties/b/additionalProperties' \
    '/list/1/c/n: 7 is greater than 5 (maximum) at #/properties/list/items/properties/c/properties/n/maximum' \
    '/list/1/c/x: property "x" is not allowed (additionalProperties) at #/properties/list/items/properties/c/additionalProperties'; do
    grep -Fxq -- "  $want" "$tmp/shared/out" 2>/dev/null || missing="$missing [$want]"
done
if [ -z "$missing" ]; then
    ok "a shared function reports each copy's own keyword location"
else
    cp "$tmp/shared/out" "$tmp/err"
    not_ok "a shared function reports each copy's own keyword location (missing:$missing)"
fi

if cmp -s "$tmp/shared/out" "$tmp/plain/out"; then
    ok "shared and plain forms give the same verdicts, errors and locations"
else
    diff "$tmp/plain/out" "$tmp/shared/out" >"$tmp/err" || true
    not_ok "shared and plain forms give the same verdicts, errors and locations"
fi

# the same text under two base URIs: "$ref": "t.json" names two schemas, so the objects stay
# two functions (their members q are shared) and each $ref checks its own target
cat >"$tmp/ctx.json" <<'EOF'
{"$schema": "https://json-schema.org/draft/2020-12/schema",
 "$id": "http://x.example/root.json",
 "type": "object",
 "properties": {
  "a": {"$id": "http://x.example/a/s.json", "type": "object",
        "properties": {"p": {"$ref": "t.json"}, "q": {"type": "string", "maxLength": 3}}},
  "b": {"$id": "http://x.example/b/s.json", "type": "object",
        "properties": {"p": {"$ref": "t.json"}, "q": {"type": "string", "maxLength": 3}}}
 },
 "$defs": {
  "ta": {"$id": "http://x.example/a/t.json", "type": "integer", "maximum": 9},
  "tb": {"$id": "http://x.example/b/t.json", "type": "string", "maxLength": 2}
 }}
EOF
printf '%s\n' '{"a": {"p": 1, "q": "abcd"}, "b": {"p": "xy", "q": "abcd"}}' \
    '{"a": {"p": "xy"}, "b": {"p": 1}}' >"$tmp/ctx.ndjson"
cat >"$tmp/ctx.want" <<'EOF'
schema steps=11
  /a/q: "abcd" is longer than 3 characters (maxLength) at #/properties/a/properties/q/maxLength
  /b/q: "abcd" is longer than 3 characters (maxLength) at #/properties/b/properties/q/maxLength
schema steps=9
  /a/p: "xy" is not of type integer (type) at #/$defs/ta/type
  /b/p: 1 is not of type string (type) at #/$defs/tb/type
EOF
mkdir -p "$tmp/ctx"
: >"$tmp/err"
if "$codegen" --share always -o "$tmp/ctx/ctx" "$tmp/ctx.json" 2>"$tmp/err" &&
    runner ctx "$tmp/ctx/run" "$tmp/ctx/ctx.c" 2>"$tmp/err" &&
    "$tmp/ctx/run" --all-errors --locations "$tmp/ctx.ndjson" >"$tmp/ctx/out" &&
    grep -q '^/\* shared by 2 subschemas like #/properties/a/properties/q (' "$tmp/ctx/ctx.c" &&
    ! grep -q '^/\* shared by .* like #/properties/a (' "$tmp/ctx/ctx.c" &&
    cmp -s "$tmp/ctx/out" "$tmp/ctx.want"; then
    ok "the same text under two base URIs is not shared: each \$ref checks its own target"
else
    diff "$tmp/ctx.want" "$tmp/ctx/out" >>"$tmp/err" 2>&1 || true
    not_ok "the same text under two base URIs is not shared: each \$ref checks its own target"
fi

# --split 3: BASE.c, BASE.int.h and three parts, each a generated file
files_ok=1
for f in two.c two.h two.int.h two.1.c two.2.c two.3.c; do
    head -1 "$tmp/split/$f" 2>/dev/null | grep -q '^/\* generated by meshgate-codegen.*, do not edit \*/$' ||
        files_ok=
done
[ -e "$tmp/split/two.4.c" ] && files_ok=
if [ -n "$files_ok" ]; then
    ok "--split 3 writes BASE.c, BASE.int.h and BASE.1.c .. BASE.3.c, each marked generated"
else
    ls "$tmp/split" >"$tmp/err"
    not_ok "--split 3 writes BASE.c, BASE.int.h and BASE.1.c .. BASE.3.c, each marked generated"
fi

: >"$tmp/err"
clang_ok=1
if command -v clang >/dev/null; then
    (cd "$tmp/split" && clang "${cflags[@]}" -c two.c two.1.c two.2.c two.3.c) 2>"$tmp/err" ||
        clang_ok=
    rm -f "$tmp"/split/*.o
fi
if runner two "$tmp/split/run" "$tmp/split/two.c" "$tmp/split/two.1.c" "$tmp/split/two.2.c" \
    "$tmp/split/two.3.c" 2>>"$tmp/err" && [ -n "$clang_ok" ]; then
    "$tmp/split/run" --all-errors --locations "$tmp/in.ndjson" >"$tmp/split/out"
    ok "the parts compile with -Wall -Wextra -Werror (cc, clang) and link"
else
    not_ok "the parts compile with -Wall -Wextra -Werror (cc, clang) and link"
fi
if cmp -s "$tmp/split/out" "$tmp/plain/out"; then
    ok "split and one-file forms give the same verdicts, errors and locations"
else
    diff "$tmp/plain/out" "$tmp/split/out" >"$tmp/err" 2>&1 || true
    not_ok "split and one-file forms give the same verdicts, errors and locations"
fi

# a run with fewer parts removes the earlier run's extra parts, so no build picks them up
if "$codegen" --share always --split 2 -o "$tmp/split/two" "$tmp/two.json" 2>"$tmp/err" &&
    [ -e "$tmp/split/two.2.c" ] && [ ! -e "$tmp/split/two.3.c" ] &&
    "$codegen" -o "$tmp/split/two" "$tmp/two.json" 2>"$tmp/err" &&
    [ ! -e "$tmp/split/two.1.c" ] && [ ! -e "$tmp/split/two.int.h" ]; then
    ok "a smaller output removes the parts an earlier run wrote"
else
    ls "$tmp/split" >>"$tmp/err"
    not_ok "a smaller output removes the parts an earlier run wrote"
fi

# --so with parts (and object tables in BASE.int.h): compiled in parallel (-j 2), linked,
# loaded by meshgate validate
: >"$tmp/err"
if CFLAGS="-O0 ${SANITIZE_CFLAGS:-}" "$codegen" --share always --tables always --split 3 -j 2 \
    --so "$tmp/split.so" "$tmp/two.json" \
    2>"$tmp/err" &&
    CFLAGS="-O0 ${SANITIZE_CFLAGS:-}" "$codegen" --share never --tables never --so "$tmp/plain.so" "$tmp/two.json" 2>"$tmp/err"; then
    rc=0
    "$meshgate" validate --schemas "$tmp/split.so" --schema two --all-errors "$tmp/in.ndjson" \
        >"$tmp/split.txt" 2>&1 || rc=$?
    "$meshgate" validate --schemas "$tmp/plain.so" --schema two --all-errors "$tmp/in.ndjson" \
        >"$tmp/plain.txt" 2>&1 || true
    sed -i 's/ in [0-9.]* s, .*//' "$tmp/split.txt" "$tmp/plain.txt" # timings differ
    if [ "$rc" -eq 1 ] && cmp -s "$tmp/split.txt" "$tmp/plain.txt" &&
        grep -q '4 rejected' "$tmp/split.txt"; then
        ok "--so builds split output in parallel; meshgate validate gives the one-file verdicts"
    else
        diff "$tmp/plain.txt" "$tmp/split.txt" >"$tmp/err" 2>&1 || true
        not_ok "--so builds split output in parallel; meshgate validate gives the one-file verdicts"
    fi
else
    not_ok "--so builds split output in parallel; meshgate validate gives the one-file verdicts"
fi

# a cc failure in one part fails --so, naming the part
printf '#!/bin/sh\ncase "$*" in *two.2.c*) echo "cc: no" >&2; exit 1;; esac\nexec %s "$@"\n' "$cc" \
    >"$tmp/cc-fails"
chmod +x "$tmp/cc-fails"
: >"$tmp/err"
rc=0
CC="$tmp/cc-fails" CFLAGS="-O0 ${SANITIZE_CFLAGS:-}" "$codegen" --share always --split 2 -o "$tmp/split/two" \
    --so "$tmp/x.so" "$tmp/two.json" 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/x.so" ] && grep -q 'cc failed on .*two\.2\.c' "$tmp/err"; then
    ok "--so fails (exit 1, said) when the compiler cannot build a part"
else
    not_ok "--so fails (exit 1, said) when the compiler cannot build a part (rc $rc)"
fi

# the defaults on a big generated schema: shared and tables without being asked
python3 bench/workloads/bigschema/gen_schema.py --resources 14 >"$tmp/big.json"
mkdir -p "$tmp/big" "$tmp/bigplain"
big_c=("$tmp/big/big.c")
if "$codegen" -o "$tmp/big/big" "$tmp/big.json" 2>"$tmp/err" &&
    "$codegen" --share never --tables never --split 1 -o "$tmp/bigplain/big" "$tmp/big.json" 2>"$tmp/err"; then
    for f in "$tmp"/big/big.[0-9]*.c; do [ ! -e "$f" ] || big_c+=("$f"); done
fi
if grep -q '^\(static \)\?bool mgsh_' "${big_c[@]}" 2>/dev/null &&
    grep -q 'return mg_obj_check(c, at, &mgo_' "${big_c[@]}" &&
    ! grep -q 'mgsh_\|mg_obj_check' "$tmp/bigplain/big.c"; then
    bytes=$(cat "${big_c[@]}" "$tmp"/big/big.int.h 2>/dev/null | wc -c)
    plain=$(wc -c <"$tmp/bigplain/big.c")
    if [ "$bytes" -lt "$plain" ]; then
        ok "a big set is shared and its objects tables by default ($bytes bytes of C against $plain)"
    else
        not_ok "a big set is shared and its objects tables by default, and smaller ($bytes against $plain)"
    fi
else
    not_ok "a big set is shared and its objects tables by default"
fi
# the functions of a bigger one (the bench's 50 resources) take parts of their own
python3 bench/workloads/bigschema/gen_schema.py --resources 50 >"$tmp/big50.json"
mkdir -p "$tmp/big50"
if "$codegen" -o "$tmp/big50/big" "$tmp/big50.json" 2>"$tmp/err" &&
    [ -e "$tmp/big50/big.int.h" ] && [ -e "$tmp/big50/big.1.c" ] && [ -e "$tmp/big50/big.2.c" ]; then
    ok "a bigger set is split into parts by default ($(find "$tmp/big50" -name 'big.[0-9]*.c' | wc -l) parts)"
else
    ls "$tmp/big50" >>"$tmp/err"
    not_ok "a bigger set is split into parts by default"
fi
# instances: the first resources' shapes, valid and broken
python3 - "$tmp/big.json" >"$tmp/big.ndjson" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
def inst(sch, d=0):
    if "$ref" in sch:
        return inst(s["$defs"][sch["$ref"].split("/")[-1]], d)
    if "const" in sch: return sch["const"]
    if "enum" in sch: return sch["enum"][0]
    if "anyOf" in sch: return 1
    t = sch.get("type")
    if t == "object":
        return {k: inst(v, d + 1) for k, v in sch.get("properties", {}).items()}
    if t == "array": return [inst(sch["items"], d + 1)] if "items" in sch else []
    if t == "integer": return 1
    if t == "boolean": return True
    if sch.get("format") == "date-time": return "2024-01-01T00:00:00Z"
    if sch.get("format") == "uri": return "https://x.example/"
    if sch.get("format") == "email": return "a@b.example"
    if sch.get("format") == "uuid": return "123e4567-e89b-12d3-a456-426614174000"
    return "a"
def breaks(v):
    if isinstance(v, dict):
        for k in v:
            yield {**v, k: {"bad": True}}
            for b in breaks(v[k]):
                yield {**v, k: b}
    elif isinstance(v, list) and v:
        for b in breaks(v[0]):
            yield [b]
for i in range(14):
    good = inst(s["$defs"]["Resource%d" % i])
    print(json.dumps(good))
    for n, b in enumerate(breaks(good)):
        if n % 7 == i % 7: print(json.dumps(b))
EOF
: >"$tmp/err"
if runner big "$tmp/big/run" "${big_c[@]}" 2>"$tmp/err" &&
    runner big "$tmp/bigplain/run" "$tmp/bigplain/big.c" 2>"$tmp/err"; then
    "$tmp/big/run" --all-errors --locations "$tmp/big.ndjson" >"$tmp/big/out"
    "$tmp/bigplain/run" --all-errors --locations "$tmp/big.ndjson" >"$tmp/bigplain/out"
    lines=$(wc -l <"$tmp/big.ndjson")
    errors=$(grep -c ' at #' "$tmp/big/out" || true)
    valid=$(grep -c '^ok ' "$tmp/big/out" || true)
    if cmp -s "$tmp/big/out" "$tmp/bigplain/out" && [ "$errors" -ge 100 ] && [ "$valid" -ge 10 ]; then
        ok "the big set's shared parts and object tables give the plain form's verdicts and locations ($lines messages, $errors errors)"
    else
        { diff "$tmp/bigplain/out" "$tmp/big/out" 2>&1 | head -20; echo "errors $errors valid $valid"; } >"$tmp/err" || true
        not_ok "the big set's shared parts and object tables give the plain form's verdicts and locations"
    fi
else
    not_ok "the big set's shared parts and object tables give the plain form's verdicts and locations (build)"
fi

# a failed union explains its closest branch (mg_fail_union takes its branches as function
# pointers): with sharing on, the branches are called through their wrappers, and each copy of
# the union reports its own branch's locations, as the plain form does
cat >"$tmp/union.json" <<'EOF'
{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
 "properties": {"a": {"$ref": "#/$defs/u"},
  "b": {"anyOf": [{"type": "object", "properties": {"k": {"const": "x"}, "n": {"type": "integer"}}, "required": ["k"]},
                  {"type": "object", "properties": {"k": {"const": "y"}, "s": {"type": "string"}}, "required": ["k"]}]}},
 "$defs": {"u": {"anyOf": [{"type": "object", "properties": {"k": {"const": "x"}, "n": {"type": "integer"}}, "required": ["k"]},
                           {"type": "object", "properties": {"k": {"const": "y"}, "s": {"type": "string"}}, "required": ["k"]}]}}}
EOF
printf '%s\n' '{"a": {"k": "y", "s": 1}, "b": {"k": "y", "s": 2}}' '{"a": {"k": "x", "n": "1"}, "b": {"k": "x"}}' >"$tmp/union.ndjson"
mkdir -p "$tmp/ushared" "$tmp/uplain"
: >"$tmp/err"
if "$codegen" --share always -o "$tmp/ushared/union" "$tmp/union.json" 2>"$tmp/err" &&
    "$codegen" --share never -o "$tmp/uplain/union" "$tmp/union.json" 2>>"$tmp/err" &&
    runner union "$tmp/ushared/run" "$tmp/ushared/union.c" 2>>"$tmp/err" &&
    runner union "$tmp/uplain/run" "$tmp/uplain/union.c" 2>>"$tmp/err"; then
    "$tmp/ushared/run" --all-errors --locations "$tmp/union.ndjson" >"$tmp/ushared/out"
    "$tmp/uplain/run" --all-errors --locations "$tmp/union.ndjson" >"$tmp/uplain/out"
    if grep -q 'mgsh_' "$tmp/ushared/union.c" && cmp -s "$tmp/ushared/out" "$tmp/uplain/out" &&
        grep -qF '/a/s: 1 is not of type string (type) at #/$defs/u/anyOf/1/properties/s/type' "$tmp/ushared/out" &&
        grep -qF '/b/s: 2 is not of type string (type) at #/properties/b/anyOf/1/properties/s/type' "$tmp/ushared/out"; then
        ok "a failed union in a shared set explains each copy's closest branch at its own location"
    else
        diff "$tmp/uplain/out" "$tmp/ushared/out" >>"$tmp/err" 2>&1 || true
        not_ok "a failed union in a shared set explains each copy's closest branch at its own location"
    fi
else
    not_ok "a failed union in a shared set explains each copy's closest branch at its own location (build)"
fi

# objects and arrays checked from tables (mg_obj_check, mg_arr_check) against the code form,
# on the golden case made for them (every keyword the tables hold, and schemas that stay
# code) and on two.json
# shared: the same verdicts, errors, locations and order, with all errors and with the first
objcase=tests/golden/cases/objtables
cut -f2 "$objcase.instances.ndjson" >"$tmp/obj.ndjson"
objs_ok=1
: >"$tmp/err"
for form in tables code shtables; do
    mkdir -p "$tmp/obj-$form"
    case $form in
    tables) args=(--tables always) src=$objcase.schema.json ;;
    code) args=(--tables never) src=$objcase.schema.json ;;
    shtables) args=(--tables always --share always) src=$tmp/two.json ;;
    esac
    name=$(basename "$src" .json)
    name=${name%.schema}
    if "$codegen" "${args[@]}" -o "$tmp/obj-$form/$name" "$src" 2>>"$tmp/err" &&
        runner "$name" "$tmp/obj-$form/run" "$tmp/obj-$form/$name.c" 2>>"$tmp/err"; then
        in=$tmp/obj.ndjson
        [ "$form" != shtables ] || in=$tmp/in.ndjson
        "$tmp/obj-$form/run" --all-errors --locations "$in" >"$tmp/obj-$form/all"
        "$tmp/obj-$form/run" --locations "$in" >"$tmp/obj-$form/first"
    else
        objs_ok=
    fi
done
if [ -n "$objs_ok" ] && [ "$(grep -c 'return mg_obj_check' "$tmp/obj-tables/objtables.c")" -eq 5 ] &&
    [ "$(grep -c 'return mg_arr_check' "$tmp/obj-tables/objtables.c")" -eq 2 ] &&
    ! grep -q 'mg_obj_check\|mg_arr_check' "$tmp/obj-code/objtables.c" &&
    grep -q 'return mg_obj_check' "$tmp/obj-shtables/two.c" &&
    cmp -s "$tmp/obj-tables/all" "$tmp/obj-code/all" && cmp -s "$tmp/obj-tables/first" "$tmp/obj-code/first" &&
    cmp -s "$tmp/obj-shtables/all" "$tmp/plain/out" &&
    [ "$(grep -c ' at #' "$tmp/obj-tables/all")" -ge 20 ]; then
    ok "objects and arrays checked from tables give the code form's verdicts, errors, locations and order"
else
    diff "$tmp/obj-code/all" "$tmp/obj-tables/all" >>"$tmp/err" 2>&1 || true
    not_ok "objects and arrays checked from tables give the code form's verdicts, errors, locations and order"
fi

# bad values are usage errors that name the option
rc=0
"$codegen" --split 0 -o "$tmp/x" "$tmp/two.json" 2>"$tmp/err" || rc=$?
rc2=0
"$codegen" --share sometimes -o "$tmp/x" "$tmp/two.json" 2>>"$tmp/err" || rc2=$?
rc3=0
"$codegen" --tables yes -o "$tmp/x" "$tmp/two.json" 2>>"$tmp/err" || rc3=$?
if [ "$rc" -eq 2 ] && [ "$rc2" -eq 2 ] && [ "$rc3" -eq 2 ] &&
    grep -q -- '--split wants a number from 1 to 64' "$tmp/err" &&
    grep -q -- '--share wants auto, always or never, got sometimes' "$tmp/err" &&
    grep -q -- '--tables wants auto, always or never, got yes' "$tmp/err" && [ ! -e "$tmp/x.c" ]; then
    ok "--split 0, --share sometimes and --tables yes are usage errors (exit 2) that say what is wanted"
else
    not_ok "--split 0, --share sometimes and --tables yes are usage errors (exit 2) that say what is wanted"
fi

echo "1..$n"
exit "$failed"
