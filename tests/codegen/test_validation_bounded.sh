#!/usr/bin/env bash
# test_validation_bounded.sh - validation work stays polynomial in the message, and what is not
# (dynamic references) is cut by the step budget (issue 13, item 2).
#
# Usage: tests/codegen/test_validation_bounded.sh BUILD_DIR. Prints TAP lines.
# Design: schemas that made validation exponential (a recursive oneOf/anyOf over a $ref: each
# level evaluates its children in both branches) are compiled with meshgate-codegen and linked
# with tests/codegen/bounded_runner.c, which prints each message's result, the steps it took
# and its errors. Steps are the validator's own measure of work (mg_rt.h), so the growth is
# asserted on them, not on time: with the memo, doubling the depth must at most triple the
# steps; without it (--no-memo) the same messages grow exponentially and then run out of the
# budget. Every run has a timeout, so an exponential run fails instead of hanging.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh # $tmp, check (no broker or worker is started here)

# compile NAME: $tmp/NAME.schema.json -> $tmp/NAME-runner
compile() {
    "$build/meshgate-codegen" -o "$tmp/$1" --prefix "$1" "$tmp/$1.schema.json" &&
        # shellcheck disable=SC2086
        cc -std=c11 -D_GNU_SOURCE -O1 -Ivalidator -I"$tmp" ${SANITIZE_CFLAGS:-} \
            "-DMG_GEN_HEADER=\"$1.h\"" "-DMG_GEN_SET=mg_set_$1" -o "$tmp/$1-runner" \
            tests/codegen/bounded_runner.c "$tmp/$1.c" "$build/libmgvalidator.a" \
            -lsimdjson -lidn2 -lstdc++ -lm
}
# run NAME ARGS...: the runner on $tmp/in.ndjson, output in $tmp/out (timeout: status 124)
run() {
    local name=$1
    shift
    timeout 120 "$tmp/$name-runner" "$@" "$tmp/in.ndjson" >"$tmp/out"
}
nested() { # nested DEPTH: [[[...]]]
    python3 -c "import sys; d = int(sys.argv[1]); print('[' * d + ']' * d)" "$1"
}
steps() { grep ' steps=' "$tmp/out" | sed -n "${1}s/.*=//p"; } # steps N: of the Nth message
# grows_at_most LIMIT: each steps line is at most LIMIT times the one before
grows_at_most() {
    awk -v lim="$1" '/ steps=/ { s = $2; sub("steps=", "", s); s += 0; if (p && s > lim * p) bad = 1; p = s }
                     END { exit bad }' "$tmp/out"
}

# 1. the issue's schema: depth 10..320, polynomial with the memo
cat >"$tmp/oneof.schema.json" <<'EOF'
{"oneOf": [{"items": {"$ref": "#"}}, {"items": {"$ref": "#"}, "minItems": 1}]}
EOF
compile oneof
for d in 10 20 40 80 160 320; do nested "$d"; done >"$tmp/in.ndjson"
rc=0
run oneof || rc=$?
sed 's/^/# /' "$tmp/out" | grep steps
check "recursive oneOf, depth 10 to 320: every message checked (no timeout, status $rc)" \
    test "$rc" -eq 0 -a "$(grep -c '^schema steps=' "$tmp/out")" -eq 6
check "recursive oneOf: doubling the depth at most triples the steps" grows_at_most 3
# (the union's closest branch leads down to the cause: the innermost [[]] matches both branches)
check "recursive oneOf: the reason is the schema's, where it fails" \
    test "$(grep -cE '^  (/0)+: array \(1 item\) matches more than one of the oneOf schemas \(oneOf\)$' "$tmp/out")" -eq 6

# 2. without the memo: exponential, then cut by the budget
for d in 10 12 14 16 40; do nested "$d"; done >"$tmp/in.ndjson"
rc=0
run oneof --no-memo || rc=$?
sed 's/^/# no memo: /' "$tmp/out" | grep steps
check "without the memo the steps grow exponentially (depth 10 to 16: over 20 times)" \
    test "$(steps 4)" -gt $((20 * $(steps 1)))
check "without the memo, depth 40 runs out of steps: rejected as limit, within the timeout" \
    grep -q '^  /0/0/[0/]*: array ([01] items\?) could not be checked: out of validation steps (max_steps) (limit)$' "$tmp/out"
check "... after at most the budget (1000000 + 100 per byte)" \
    test "$(grep '^limit steps=' "$tmp/out" | sed 's/.*=//')" -le $((1000000 + 100 * 81))

# 3. the same errors with and without the memo (every error recorded)
for d in 1 2 3 4 5 6 7 8 9 10 11 12; do nested "$d"; done >"$tmp/in.ndjson"
printf '%s\n' '[[], [[]], [1, [2]], {"a": [[]]}]' '[[[[]]], []]' '1' '"x"' >>"$tmp/in.ndjson"
run oneof --all-errors
grep -v steps= "$tmp/out" >"$tmp/with"
run oneof --all-errors --no-memo
grep -v steps= "$tmp/out" >"$tmp/without"
check "the same errors with and without the memo" cmp -s "$tmp/with" "$tmp/without"

# 4. a budget given in the configuration
nested 20 >"$tmp/in.ndjson"
run oneof --max-steps 50
check "max_steps 50: the message is rejected as limit, naming the budget" \
    grep -q '^limit steps=50$' "$tmp/out"

# 5. anyOf through properties and a $defs target: polynomial as well
cat >"$tmp/tree.schema.json" <<'EOF'
{"$ref": "#/$defs/node",
 "$defs": {"node": {"anyOf": [
    {"properties": {"kids": {"items": {"$ref": "#/$defs/node"}}}, "required": ["a"]},
    {"properties": {"kids": {"items": {"$ref": "#/$defs/node"}}}, "required": ["b"]}]}}}
EOF
compile tree
for d in 10 20 40 80 160; do
    python3 -c "import sys; d = int(sys.argv[1]); print('{\"kids\": [' * d + '{}' + ']}' * d)" "$d"
done >"$tmp/in.ndjson"
rc=0
run tree || rc=$?
sed 's/^/# tree: /' "$tmp/out" | grep steps
check "recursive anyOf through properties, depth 10 to 160: checked in time (status $rc)" \
    test "$rc" -eq 0 -a "$(grep -c '^schema steps=' "$tmp/out")" -eq 5
check "recursive anyOf: doubling the depth at most triples the steps" grows_at_most 3

# 6. a dynamic reference reads the dynamic scope, so it is not memoized: the budget bounds it
cat >"$tmp/dyn.schema.json" <<'EOF'
{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/tree",
 "$dynamicAnchor": "node",
 "oneOf": [{"items": {"$dynamicRef": "#node"}}, {"items": {"$dynamicRef": "#node"}, "minItems": 1}]}
EOF
compile dyn
for d in 4 40; do nested "$d"; done >"$tmp/in.ndjson"
rc=0
run dyn || rc=$?
sed 's/^/# dynamic: /' "$tmp/out" | grep steps
check "recursive oneOf over \$dynamicRef: depth 4 checked, depth 40 rejected as limit in time" \
    test "$rc" -eq 0 -a "$(sed -n 1p "$tmp/out" | cut -d' ' -f1)" = schema \
    -a "$(grep -c '^limit steps=' "$tmp/out")" -eq 1

# 7. a pattern whose backtracking budget runs out inside a speculative branch (not, anyOf)
# stops the whole message as limit: a quiet failure there would flip the verdict (the not of
# a failed check is a pass), so a hostile string would make the message valid
cat >"$tmp/backref.schema.json" <<'EOF'
{"properties": {"a": {"not": {"pattern": "(?:(?:(?<g>.)){2,}?\\k<g>)+"}},
                "b": {"anyOf": [{"pattern": "(?:(?:(?<g>.)){2,}?\\k<g>)+"}, {"type": "number"}]}}}
EOF
compile backref
hostile=$(python3 -c "print('ab' * 4000)")
printf '{"a": "%s"}\n{"b": "%s"}\n{"a": "abb"}\n' "$hostile" "$hostile" >"$tmp/in.ndjson"
rc=0
run backref || rc=$?
sed 's/^/# backref: /' "$tmp/out" | grep steps
check "a backreference pattern out of budget under not: the message is rejected as limit, not valid" \
    test "$rc" -eq 0 -a "$(sed -n 1p "$tmp/out" | cut -d' ' -f1)" = limit
check "... and under anyOf: limit as well" \
    test "$(grep -c '^limit steps=' "$tmp/out")" -eq 2
check "... while a string it decides in budget gets the schema's verdict" \
    test "$(grep -c '^schema steps=' "$tmp/out")" -eq 1

echo "1..$n"
[ "$fails" -eq 0 ]
