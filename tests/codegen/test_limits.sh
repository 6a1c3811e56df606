#!/usr/bin/env bash
# test_limits.sh - absurd schemas are refused at once; big but sane ones compile.
#
# Usage: tests/codegen/test_limits.sh BUILD_DIR
# Design: the inputs of issue 13 are generated here (none is committed): anyOf and oneOf of
# 2.2 million schemas, 1 million patternProperties, 10,001 distinct patterns, a 600-byte YAML
# alias bomb, JSON and YAML nested 100,000 deep - each must fail with exit 1, the file, the
# JSON Pointer or line where the limit was crossed and the limit's words, and nothing
# written; 20,000 bad patterns must stop after 100 printed errors; 100,000 properties, a 100,000-long $ref chain and an enum of 100,000 strings must
# compile (exit 0), the first two checked by cc -fsyntax-only -Werror (compiling 100,000
# functions takes gcc minutes, which is the C compiler's time, not codegen's), the enum built
# at -O1 and its verdicts checked (it is one sorted table, not a 100,000-term expression).
# Tests assert behaviour; the timeouts (60 s per codegen run, 120 s per compile, five times
# that for sanitizer builds, which a loaded 2-core machine runs ten times slower) only turn a
# regression to minutes or to unbounded memory (2 GiB address space, but for sanitizer
# builds) into a failure.
set -euo pipefail

# shellcheck source=tests/codegen/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
# ulimit -v for the codegen runs (KiB), or none for a sanitizer build: ASan and TSan reserve
# terabytes of address space for their shadow.
memlimit=2097152 cg_secs=60 cc_secs=120
if nm "$codegen" 2>/dev/null | grep -E ' __(a|t)san_init$' >/dev/null; then
    memlimit=unlimited cg_secs=300 cc_secs=600
fi
cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ivalidator)

python3 - "$tmp" <<'EOF'
import json, os, sys
tmp = sys.argv[1]
def w(name, text):
    with open(os.path.join(tmp, name), "w") as f:
        f.write(text)
w("anyof.json", '{"anyOf":[' + ",".join(["{}"] * 2200000) + "]}")
w("oneof.json", '{"oneOf":[' + ",".join(["{}"] * 2200000) + "]}")
w("patprops.json", json.dumps({"patternProperties": {"^p%d$" % i: {} for i in range(1000000)}}))
w("patterns.json", json.dumps({"properties": {"p%d" % i: {"pattern": "^x%d$" % i} for i in range(10001)}}))
bomb = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
for i in range(1, 9):
    bomb.append("a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 9)))
w("bomb.yaml", "\n".join(bomb) + "\ntype: object\n")
n = 100000
w("deep.json", '{"items":' * n + "{}" + "}" * n)
w("deep.yaml", "[" * n + "]" * n + "\n")
w("props.json", json.dumps({"type": "object", "properties": {"p%d" % i: {"type": "string"} for i in range(n)},
                            "required": ["p%d" % i for i in range(0, n, 1000)]}))
defs = {"d%d" % i: {"$ref": "#/$defs/d%d" % (i + 1)} for i in range(n - 1)}
defs["d%d" % (n - 1)] = {"type": "string"}
w("chain.json", json.dumps({"$ref": "#/$defs/d0", "$defs": defs}))
w("enum.json", json.dumps({"enum": ["v%d" % i for i in range(n)]}))
w("errors.json", json.dumps({"properties": {"p%d" % i: {"pattern": "(x%d" % i} for i in range(20000)}}))
w("enum.instances.ndjson", "valid\t\"v0\"\nvalid\t\"v99999\"\nvalid\t\"v4711\"\ninvalid\t\"v100000\"\n"
  "invalid\t\"v\"\ninvalid\t1\ninvalid\tnull\n")
EOF

# codegen_run NAME FILE: codegen under the limits above; sets rc, stderr in $tmp/err.
codegen_run() {
    rc=0
    (ulimit -v "$memlimit" && timeout "$cg_secs" "$codegen" -o "$tmp/out_$1" "$2") >/dev/null 2>"$tmp/err" || rc=$?
}

# refused NAME FILE WHERE WHY: exit 1, "FILE: WHERE: ...WHY" on stderr, nothing written.
refused() {
    local name=$1 file=$2 where=$3 why=$4
    codegen_run "$name" "$tmp/$file"
    if [ "$rc" -eq 1 ] && grep -Eq -- "$file: $where: .*$why" "$tmp/err" && [ ! -e "$tmp/out_$name.c" ]; then
        ok "$name: refused at once with exit 1 and where ($where) and why ($why)"
    else
        not_ok "$name: refused at once with exit 1 and where ($where) and why ($why) (exit $rc)"
    fi
}

refused anyof anyof.json '/anyOf/[0-9]+' 'more than 1000000 schemas'
refused oneof oneof.json '/oneOf/[0-9]+' 'more than 1000000 schemas'
refused patprops patprops.json '/patternProperties/\^p[0-9]+\$' 'more than 1000000 schemas'
refused patterns patterns.json '/properties/p[0-9]+/pattern' 'more than 10000 distinct patterns'
refused yaml_bomb bomb.yaml 'line [0-9]+, column [0-9]+' 'YAML with more than 2000000 nodes once its aliases are expanded'
refused deep_json deep.json 'line 1, column [0-9]+' 'nesting deeper than 1000 levels'
refused deep_yaml deep.yaml 'line 1, column [0-9]+' 'YAML nested deeper than 1000 levels'

codegen_run errors "$tmp/errors.json"
if [ "$rc" -eq 1 ] && [ "$(grep -c 'errors.json: /properties/p[0-9]*/pattern: ' "$tmp/err")" -eq 100 ] &&
    tail -n 1 "$tmp/err" | grep -q 'more than 100 errors (the first 100 shown), nothing written'; then
    ok "errors: 20,000 bad patterns give the first 100 errors, then a stop, not 20,000 lines"
else
    not_ok "errors: 20,000 bad patterns give the first 100 errors, then a stop, not 20,000 lines (exit $rc)"
fi

# compiles NAME FILE: exit 0, then the C passes cc -fsyntax-only -Werror.
compiles() {
    local name=$1 file=$2
    codegen_run "$name" "$tmp/$file"
    if [ "$rc" -eq 0 ] && timeout "$cc_secs" "${CC:-cc}" "${cflags[@]}" -I"$tmp" -fsyntax-only "$tmp/out_$name.c" 2>"$tmp/err"; then
        ok "$name: compiles (exit 0) into C that cc -fsyntax-only -Werror accepts"
    else
        not_ok "$name: compiles (exit 0) into C that cc -fsyntax-only -Werror accepts (exit $rc)"
    fi
}

compiles props props.json
# (searched by the generated member loop, or by mg_obj_check from the object's table)
if grep -Eq 'mg_name_find\(mgt_[A-Za-z0-9_]*_names, 100000, ks, kl\)|^    \.nnames = 100000,$' "$tmp/out_props.c" 2>/dev/null; then
    ok "props: 100,000 property names are one sorted table searched by binary search"
else
    not_ok "props: 100,000 property names are one sorted table searched by binary search"
fi
compiles chain chain.json

codegen_run enum "$tmp/enum.json"
# shellcheck disable=SC2086 # SANITIZE_CFLAGS (exported by the Makefile) is a list of flags
if [ "$rc" -eq 0 ] && timeout "$cc_secs" "${CC:-cc}" "${cflags[@]}" -O1 ${SANITIZE_CFLAGS:-} -I"$tmp" '-DMG_GEN_HEADER="out_enum.h"' \
    -DMG_GEN_SET=mg_set_out_enum -o "$tmp/enum_runner" tests/golden/golden_runner.c "$tmp/out_enum.c" \
    "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm 2>"$tmp/err" &&
    "$tmp/enum_runner" "$tmp/enum.instances.ndjson" >"$tmp/err" 2>&1; then
    ok "enum of 100,000 strings: compiles, builds at -O1 and gives each instance its verdict"
else
    not_ok "enum of 100,000 strings: compiles, builds at -O1 and gives each instance its verdict (exit $rc)"
fi
echo "1..$n"
exit "$failed"
