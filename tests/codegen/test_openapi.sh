#!/usr/bin/env bash
# test_openapi.sh - TAP tests of OpenAPI documents as codegen input (issue 16 item 6).
#
# Usage: tests/codegen/test_openapi.sh BUILD_DIR [--update]
# Design: tests/codegen/openapi holds an OpenAPI 3.0 document (YAML) and a 3.1 document
# (JSON). For each: codegen's output equals expected/<name>.c/.h (golden; --update rewrites
# them), --so builds it, and every line of <name>.instances.ndjson ("SCHEMA<TAB>valid|invalid
# <TAB>json") gets its verdict from `meshgate validate --schema SCHEMA`: each
# components.schemas entry is a schema named after it. Then: a worker route names a
# component (`meshgate run --check`); meshgate's own OpenAPI output (--contract-out) compiles
# back; and a broken 3.0 document fails with every mistake named by file and JSON Pointer.
set -euo pipefail
# shellcheck source=tests/codegen/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
dir=tests/codegen/openapi
export CFLAGS="-O1 ${SANITIZE_CFLAGS:-}"

for doc in petstore30.yaml petstore31.json; do
    name=${doc%%.*}
    if "$codegen" -o "$tmp/$name" --so "$tmp/$name.so" "$dir/$doc" 2>"$tmp/err"; then
        ok "$doc compiles into a schema set"
    else
        not_ok "$doc compiles into a schema set"
        continue
    fi
    if [ "$update" = --update ]; then
        mkdir -p "$dir/expected"
        cp "$tmp/$name.c" "$dir/expected/$name.c"
        cp "$tmp/$name.h" "$dir/expected/$name.h"
    fi
    if diff -u "$dir/expected/$name.c" "$tmp/$name.c" >"$tmp/err" 2>&1 &&
        diff -u "$dir/expected/$name.h" "$tmp/$name.h" >>"$tmp/err" 2>&1; then
        ok "golden: $doc gives expected/$name.c and .h"
    else
        not_ok "golden: $doc gives expected/$name.c and .h (diff above)"
    fi
    wrong=0
    total=0
    : >"$tmp/err"
    while IFS=$'\t' read -r schema want json; do
        total=$((total + 1))
        rc=0
        printf '%s\n' "$json" | "$meshgate" validate --schemas "$tmp/$name.so" --schema "$schema" \
            >"$tmp/out" 2>&1 || rc=$?
        got=valid
        [ "$rc" -eq 1 ] && got=invalid
        [ "$rc" -gt 1 ] && got="error (exit $rc)"
        if [ "$got" != "$want" ]; then
            wrong=$((wrong + 1))
            echo "$schema: expected $want, got $got: $json" >>"$tmp/err"
            sed 's/^/    /' "$tmp/out" >>"$tmp/err"
        fi
    done <"$dir/$name.instances.ndjson"
    if [ "$wrong" -eq 0 ] && [ "$total" -gt 0 ]; then
        ok "$doc: $total instances get their verdicts, each against the component it names"
    else
        not_ok "$doc: $wrong of $total instances get the wrong verdict"
    fi
done

# ---- the 3.0 semantics in the generated C: nullable adds null; the exclusive bounds are strict
if grep -q 't == MG_TAPE_STRING || t == MG_TAPE_NULL' "$tmp/petstore30.c" &&
    grep -q 'MG_E_EXCL_MINIMUM' "$tmp/petstore30.c" && grep -q 'MG_E_EXCL_MAXIMUM' "$tmp/petstore30.c" &&
    ! grep -q '"\^x-"' "$tmp/petstore30.c"; then
    ok "3.0: nullable adds null to type, boolean exclusive bounds, patternProperties ignored"
else
    not_ok "3.0: nullable adds null to type, boolean exclusive bounds, patternProperties ignored"
fi

# ---- a worker route names a component
cat >"$tmp/meshgate.yaml" <<YAML
schemas: $tmp/petstore30.so
group: openapi-test
routes:
  - input: pets.raw
    schema: Pet
    output: pets
    dead_letter: pets.dlq
    source: urn:example:pets
YAML
if MESHGATE_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 "$meshgate" run --config "$tmp/meshgate.yaml" \
    --check >"$tmp/err" 2>&1; then
    ok "a worker route names the component Pet (meshgate run --check)"
else
    not_ok "a worker route names the component Pet (meshgate run --check)"
fi

# ---- meshgate's own OpenAPI 3.1 output compiles back, one schema per component
src=tests/codegen/contracts/expected/acme.retail.openapi.json
if "$codegen" -o "$tmp/retail" --so "$tmp/retail.so" "$src" 2>"$tmp/err" &&
    echo '{"order_id":"not-a-uuid","lines":[],"total":{}}' |
    "$meshgate" validate --schemas "$tmp/retail.so" --schema acme.retail._public.orders.OrderPlaced \
        >"$tmp/out" 2>&1; then
    not_ok "--contract-out's OpenAPI 3.1 document compiles back and rejects a bad order"
elif grep -q '/order_id' "$tmp/out"; then
    ok "--contract-out's OpenAPI 3.1 document compiles back and rejects a bad order"
else
    cat "$tmp/out" >>"$tmp/err"
    not_ok "--contract-out's OpenAPI 3.1 document compiles back and rejects a bad order"
fi

# ---- a schema in another OpenAPI 3.0 file keeps the 3.0 semantics (nullable, boolean bounds)
mkdir -p "$tmp/split"
printf '%s\n' 'openapi: 3.0.3' 'info: {title: common, version: "1"}' 'paths: {}' \
    'components:' '  schemas:' '    Nick: {type: string, nullable: true}' \
    '    Score: {type: number, maximum: 10, exclusiveMaximum: true}' >"$tmp/split/common.yaml"
printf '%s\n' 'openapi: 3.0.3' 'info: {title: main, version: "1"}' 'paths: {}' 'components:' \
    '  schemas:' '    Player:' '      type: object' '      properties:' \
    "        nick: {\$ref: 'common.yaml#/components/schemas/Nick'}" \
    "        score: {\$ref: 'common.yaml#/components/schemas/Score'}" >"$tmp/split/main.yaml"
if "$codegen" --so "$tmp/split.so" "$tmp/split/main.yaml" 2>"$tmp/err" &&
    printf '%s\n' '{"nick":null,"score":9.5}' '{"nick":1}' '{"score":10}' |
    "$meshgate" validate --schemas "$tmp/split.so" --schema Player >"$tmp/out" 2>&1; then
    not_ok "a \$ref into another 3.0 file keeps nullable and the boolean exclusive bound"
elif [ "$(cut -d: -f2 "$tmp/out" | grep -c '^[23]$')" -eq 2 ] && ! grep -q '^-:1:' "$tmp/out"; then
    ok "a \$ref into another 3.0 file keeps nullable and the boolean exclusive bound"
else
    cat "$tmp/out" >>"$tmp/err"
    not_ok "a \$ref into another 3.0 file keeps nullable and the boolean exclusive bound"
fi

# ---- a broken document: every mistake with its file and JSON Pointer, nothing written
rc=0
"$codegen" -o "$tmp/broken" "$dir/broken30.yaml" >/dev/null 2>"$tmp/log" || rc=$?
f=$dir/broken30.yaml
missing=
pos=' \(line [0-9]+, column [0-9]+\)' # where in the YAML text
for want in \
    "$f: /info \(line 5, column 1\): info: missing \"version\"" \
    "$f: /components/schemas/Pet/discriminator/mapping/dog$pos: no schema \"Dog\" in components.schemas" \
    "$f: /components/schemas/Cat/type$pos: OpenAPI 3.0: type is one type name" \
    "$f: /components/schemas/Cat/properties/name/type$pos: OpenAPI 3.0 has no type \"null\": use nullable: true" \
    "$f: /components/schemas/Cat/properties/lives/nullable \(line 25, column 22\): nullable must be true or false" \
    "$f: /components/schemas/Cat/properties/toys/items$pos: OpenAPI 3.0: items is one schema" \
    "$f: /components/schemas/Bad Name$pos: schema name \"Bad Name\"" \
    "$f: /components/schemas/Flag$pos: a schema must be an object" \
    "$f: /components/schemas/Pet/oneOf/1/\\\$ref$pos: cannot resolve reference #/components/schemas/Parrot" \
    "meshgate-codegen: 9 errors, nothing written"; do
    grep -Eq -- "^$want" "$tmp/log" || missing="$missing [$want]"
done
cp "$tmp/log" "$tmp/err"
if [ "$rc" -eq 1 ] && [ -z "$missing" ] && [ ! -e "$tmp/broken.c" ]; then
    ok "a broken 3.0 document: exit 1, every mistake in one run named with file, pointer and line, nothing written"
else
    echo "# exit status $rc; missing:$missing"
    not_ok "a broken 3.0 document: exit 1, every mistake in one run named with file, pointer and line, nothing written"
fi
# (references are resolved once the document loads without errors)
printf '%s\n' '{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},' \
    '"components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}}}}' >"$tmp/ref.json"
if ! "$codegen" -o "$tmp/ref" "$tmp/ref.json" >/dev/null 2>"$tmp/err" &&
    grep -q 'ref.json: /components/schemas/A/\$ref: cannot resolve reference #/components/schemas/B' "$tmp/err"; then
    ok "a reference to a missing component is named with file and pointer"
else
    not_ok "a reference to a missing component is named with file and pointer"
fi
for doc in '{"openapi": 3.1, "info": {"title": "t", "version": "1"}}' \
    '{"openapi": "2.0", "info": {"title": "t", "version": "1"}}' \
    '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}'; do
    printf '%s\n' "$doc" >"$tmp/v.json"
    "$codegen" -o "$tmp/v" "$tmp/v.json" >/dev/null 2>>"$tmp/versions" || true
done
cp "$tmp/versions" "$tmp/err"
if grep -q "v.json: /openapi: must be a string such as \"3.0.3\" (quote it" "$tmp/versions" &&
    grep -q "v.json: /openapi: OpenAPI 2.0 is not supported (3.0 and 3.1 are)" "$tmp/versions" &&
    grep -q "v.json: (root): no components.schemas" "$tmp/versions"; then
    ok "an unquoted or unsupported version and a document without schemas are named"
else
    not_ok "an unquoted or unsupported version and a document without schemas are named"
fi
exit "$failed"
