#!/usr/bin/env bash
# test_check_topic.sh - `meshgate check-topic` against the embedded broker: a topic with a
# known mix (valid under the new version, refused by it for its schema, malformed JSON, a
# tombstone), spread over partitions, must be counted exactly, by reason, with the first
# refusal of each reason located; exit 1 when something is refused, 0 when nothing is, 2 on
# usage errors with a message. A topic of Confluent-framed messages is read with --schema-id:
# the payload past each id is checked against the new version, unframed messages are
# missing_schema_id. Nothing is committed: the consumer has no group offsets afterwards.
#
# Usage: tests/worker/test_check_topic.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

# so_of NAME: $tmp/NAME.so from $tmp/NAME.c.
so_of() {
    # shellcheck disable=SC2086
    cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
        -o "$tmp/$1.so" "$tmp/$1.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
}
# The new version of identity: Age now required, and below 120.
python3 - examples/identity/identity.schema.json "$tmp/identity2.schema.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["$id"] = "https://schemas.meshgate.dev/identity/v2"
s["properties"]["Age"]["exclusiveMaximum"] = 120
s["required"].append("Age")
json.dump(s, open(sys.argv[2], "w"))
PY
"$build/meshgate-codegen" -o "$tmp/identity2" "$tmp/identity2.schema.json"
so_of identity2
"$build/meshgate-codegen" -o "$tmp/reg" --prefix reg --registry-url https://sr.acme.example:8081 \
    --registry tests/codegen/registry/export 2>/dev/null
so_of reg

start_broker --topics raw:3,clean:2,raw.orders:1
# 5 valid under v2, 3 without Age, 2 too old, 2 malformed, 1 tombstone: 13 messages.
{
    for i in 1 2 3 4 5; do echo "ok$i|{\"first\":\"Ada\",\"Last\":\"Lovelace\",\"Age\":3$i}"; done
    for i in 1 2 3; do echo "noage$i|{\"first\":\"Grace\",\"Last\":\"Hopper\"}"; done
    for i in 1 2; do echo "old$i|{\"first\":\"Methuselah\",\"Last\":\"Old\",\"Age\":969}"; done
    for i in 1 2; do echo "bad$i|{\"first\":\"Ada\",\"Last\":"; done
} | kcat -P -b "$bootstrap" -t raw -K '|'
printf 'gone|\n' | kcat -P -b "$bootstrap" -t raw -K '|' -Z
for i in 1 2 3; do echo "k$i|{\"first\":\"Ada\",\"Last\":\"Lovelace\",\"Age\":36}"; done |
    kcat -P -b "$bootstrap" -t clean -K '|'

ct() { "$build/meshgate" check-topic --brokers "$bootstrap" "$@"; }
rc=0
ct --schemas "$tmp/identity2.so" --schema https://schemas.meshgate.dev/identity/v2 --topic raw \
    >"$tmp/ct.out" 2>"$tmp/ct.err" || rc=$?
sed 's/^/# /' "$tmp/ct.out" "$tmp/ct.err"
check "exit 1 when the new version would refuse messages (got $rc)" [ "$rc" -eq 1 ]
check "the totals: 13 read over 3 partitions, 5 accepted, 7 refused, 1 tombstone" grep -qE \
    '^check-topic: identity2 over raw \(3 partitions, from beginning\): 13 read, 5 accepted, 7 refused, 1 tombstones forwarded, in [0-9.]+ s$' \
    "$tmp/ct.out"
check "5 refused for the schema, the first located at its keyword" grep -qE \
    '^ +5  schema +first raw/[0-9]@[0-9]+: (: )?.*(required|exclusiveMaximum)' "$tmp/ct.out"
check "2 refused as malformed JSON" grep -qE '^ +2  syntax +first raw/[0-9]@[0-9]+: ' "$tmp/ct.out"
check "no other reason" [ "$(grep -cE '^ +[0-9]+  [a-z_]+ +first ' "$tmp/ct.out")" -eq 2 ]

rc=0
ct --schemas "$tmp/identity2.so" --schema identity2 --topic raw --tombstones dead_letter \
    >"$tmp/ct.out" 2>&1 || rc=$?
check "--tombstones dead_letter counts the tombstone as empty" grep -qE '^ +1  empty ' "$tmp/ct.out"

rc=0
ct --schemas "$tmp/identity2.so" --schema identity2 --topic clean >"$tmp/ct.out" 2>&1 || rc=$?
sed 's/^/# /' "$tmp/ct.out"
check "exit 0 when nothing would be refused (got $rc)" [ "$rc" -eq 0 ]
check "3 read, 3 accepted, 0 refused" grep -q ': 3 read, 3 accepted, 0 refused' "$tmp/ct.out"

rc=0
ct --schemas "$tmp/identity2.so" --schema identity2 --topic clean --from 2 >"$tmp/ct.out" 2>&1 ||
    rc=$?
check "--from OFFSET starts each partition there (exit $rc)" grep -qE \
    ': ([0-2]) read, \1 accepted, 0 refused' "$tmp/ct.out"

# Confluent-framed orders: id 2 (v1, a number amount), id 6 (v3, an object amount), one plain.
put() {
    # shellcheck disable=SC2059 # \xHH escapes are the point
    printf "$2" >"$tmp/msg"
    kcat -P -b "$bootstrap" -t raw.orders -k "$1" "$tmp/msg"
}
put v1 '\x00\x00\x00\x00\x02{"orderId":"o1","customer":{"id":"c1","name":"Ada"},"amount":12.5}'
put v3 '\x00\x00\x00\x00\x06{"orderId":"o3","customer":{"id":"c2","name":"Bob"},"amount":{"units":5,"currency":"EUR"}}'
put v3b '\x00\x00\x00\x00\x06{"orderId":"o4","customer":{"id":"c2","name":"Bo"},"amount":{"units":7,"currency":"USD"}}'
put plain '{"orderId":"o5","customer":{"id":"c2","name":"Bo"},"amount":{"units":7,"currency":"USD"}}'
rc=0
ct --schemas "$tmp/reg.so" --schema orders-value/versions/3 --topic raw.orders \
    --schema-id confluent >"$tmp/ct.out" 2>&1 || rc=$?
sed 's/^/# /' "$tmp/ct.out"
check "framed topic: 4 read, 2 accepted, 2 refused (exit $rc)" \
    grep -q ': 4 read, 2 accepted, 2 refused' "$tmp/ct.out"
check "framed topic: v1's amount refused by v3 at /amount" \
    grep -qE '^ +1  schema +first raw.orders/0@0: /amount: ' "$tmp/ct.out"
check "framed topic: the unframed message is missing_schema_id" \
    grep -qE '^ +1  missing_schema_id +first raw.orders/0@3: ' "$tmp/ct.out"
rc=0
ct --schemas "$tmp/reg.so" --schema orders-value/versions/3 --topic raw.orders \
    >"$tmp/ct.out" 2>&1 || rc=$?
check "without --schema-id the framed messages are malformed JSON" \
    grep -qE '^ +3  syntax ' "$tmp/ct.out"

# usage errors: exit 2 and one line saying what
usage_check() { # DESCRIPTION EXPECTED-TEXT ARGS...
    local d=$1 want=$2 rc=0
    shift 2
    "$build/meshgate" check-topic "$@" >"$tmp/u.out" 2>&1 || rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$want" "$tmp/u.out"; then ok "$d"; else
        not_ok "$d (exit $rc)"
        sed 's/^/#   /' "$tmp/u.out" | head -5
    fi
}
usage_check "usage: --topic missing" "--topic T is required" --brokers "$bootstrap" \
    --schemas "$tmp/identity2.so" --schema identity2
usage_check "usage: unknown schema" 'no schema named "nope"' --brokers "$bootstrap" \
    --schemas "$tmp/identity2.so" --schema nope --topic raw
usage_check "usage: bad --schema-id" '"glue" is not none, confluent, apicurio or auto' \
    --brokers "$bootstrap" --schemas "$tmp/identity2.so" --schema identity2 --topic raw \
    --schema-id glue
usage_check "usage: bad --from" '"yesterday" is not beginning' --brokers "$bootstrap" \
    --schemas "$tmp/identity2.so" --schema identity2 --topic raw --from yesterday
usage_check "usage: a schema set that cannot be loaded" "cannot load schema set" \
    --brokers "$bootstrap" --schemas "$tmp/none.so" --schema identity2 --topic raw
usage_check "usage: unknown option" "unknown option or missing value: --colour" --colour
finish
