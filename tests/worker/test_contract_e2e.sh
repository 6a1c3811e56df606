#!/usr/bin/env bash
# test_contract_e2e.sh - a contract end to end: the example AsyncAPI contracts compiled with
# --contract-out, the worker started on the generated routes.yaml against the embedded broker,
# known mixed traffic on two of the domain's raw topics, then exact counts on the SpecMesh
# output and dead-letter topics, the CloudEvents attributes the contract defines, the reasons
# of the dead letters, and the catalog the worker serves over HTTP.
#
# Usage: tests/worker/test_contract_e2e.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

d=london.hammersmith.olympia.bigdatalondon
att_raw=$d._private.attendee.raw att_out=$d._public.attendee att_dlq=$d._private.attendee.dlq
sub_raw=$d._private.retail.subscriptions.raw sub_out=$d._protected.retail.subscriptions
sub_dlq=$d._private.retail.subscriptions.dlq

"$build/meshgate-codegen" -o "$tmp/contracts" --contract-out "$tmp/catalog" \
    --schema-set "$tmp/contracts.so" examples/contracts 2>"$tmp/codegen.log"
# shellcheck disable=SC2086
cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
    -o "$tmp/contracts.so" "$tmp/contracts.c" "$build/libmgvalidator.a" \
    -lsimdjson -lidn2 -lstdc++ -lm
topics=
for t in $(grep -E '^    (input|output|dead_letter): ' "$tmp/catalog/routes.yaml" | tr -d '"' |
    awk '{print $2}'); do topics="$topics${topics:+,}$t:2"; done
start_broker --topics "$topics"
cp "$tmp/catalog/routes.yaml" "$tmp/worker.yaml"
cat >>"$tmp/worker.yaml" <<YAML
workers: 2
http:
  listen: 127.0.0.1:0
stats_interval_ms: 0
kafka:
  bootstrap.servers: $bootstrap
consumer:
  session.timeout.ms: "6000"
  heartbeat.interval.ms: "500"
  fetch.wait.max.ms: "10"
YAML
start_worker w
port=$(worker_port "$tmp/w.log")

# Attendees: 25 valid, 6 with a negative id, 4 without age, 3 with a text age, 2 malformed.
{
    for i in $(seq 1 25); do echo "a$i|{\"id\": $i, \"age\": $((20 + i))}"; done
    for i in $(seq 1 6); do echo "n$i|{\"id\": -$i, \"age\": 30}"; done
    for i in $(seq 1 4); do echo "m$i|{\"id\": $((100 + i))}"; done
    for i in $(seq 1 3); do echo "t$i|{\"id\": $((200 + i)), \"age\": \"old\"}"; done
    for i in $(seq 1 2); do echo "x$i|{\"id\": 3"; done
} >"$tmp/attendees.txt"
# Subscriptions: 7 valid, 3 with an unknown topic (enum).
{
    for i in $(seq 1 7); do echo "s$i|{\"attendee\": $i, \"topics\": [\"keynotes\"]}"; done
    for i in $(seq 1 3); do echo "u$i|{\"attendee\": $i, \"topics\": [\"parties\"]}"; done
} >"$tmp/subs.txt"
kcat -P -b "$bootstrap" -t "$att_raw" -K '|' <"$tmp/attendees.txt"
kcat -P -b "$bootstrap" -t "$sub_raw" -K '|' <"$tmp/subs.txt"
for _ in $(seq 300); do
    [ "$(metric "$port" meshgate_messages_produced_total)" -ge 50 ] && break
    sleep 0.1
done

count() { timeout 20 kcat -C -b "$bootstrap" -t "$1" -o beginning -e -q -f '%o\n' 2>/dev/null | wc -l; }
check "the worker validated the contract's traffic (50 messages produced to outputs and dead letters)" \
    test "$(metric "$port" meshgate_messages_produced_total)" -eq 50
check "$att_out holds exactly the 25 valid attendees" test "$(count "$att_out")" -eq 25
check "$att_dlq holds exactly the 15 rejected attendees" test "$(count "$att_dlq")" -eq 15
check "$sub_out holds exactly the 7 valid subscriptions" test "$(count "$sub_out")" -eq 7
check "$sub_dlq holds exactly the 3 rejected subscriptions" test "$(count "$sub_dlq")" -eq 3

fmt='%k %h\n'
timeout 20 kcat -C -b "$bootstrap" -t "$att_out" -o beginning -c 1 -f "$fmt" >"$tmp/env" 2>/dev/null || true
check "the envelope's source is the spec id" grep -q 'ce_source=urn:london:hammersmith:olympia:bigdatalondon' "$tmp/env"
check "the envelope's type comes from the message name and version" \
    grep -q "ce_type=$d.Attendee.v1" "$tmp/env"
check "the envelope's dataschema is the message's schema id" \
    grep -q 'ce_dataschema=urn:london:hammersmith:olympia:bigdatalondon:_public.attendee.Attendee' "$tmp/env"
timeout 20 kcat -C -b "$bootstrap" -t "$att_dlq" -o beginning -e -q -f '%k %h\n' >"$tmp/dlq" 2>/dev/null || true
reasons() { grep -c -- "$1" "$tmp/dlq" || true; }
check "6 dead letters say /id is below its minimum, at its place in the contract" \
    test "$(reasons 'keyword_location=#/components/messages/Attendee/payload/properties/id/minimum')" -eq 6
check "4 dead letters say age is required" test "$(reasons 'meshgate.keyword_location=[^,]*/required')" -eq 4
check "3 dead letters say /age has the wrong type" test "$(reasons 'meshgate.instance_location=/age')" -eq 3
check "2 dead letters are malformed JSON" test "$(reasons 'meshgate.reason=syntax')" -eq 2
check "every dead letter names its schema" \
    test "$(reasons "meshgate.schema=$d._public.attendee.Attendee")" -eq 15

get() { curl -fsS "http://127.0.0.1:$port$1"; }
check "/catalog serves the catalog (8 messages of 2 domains, 2 of them consumed)" \
    test "$(get /catalog | grep -c '"message":')" -eq 8
check "/schemas lists the 6 compiled bundles" test "$(get /schemas | tr ',' '\n' | grep -c '"')" -eq 6
check "/schemas/NAME serves a message's bundle" \
    sh -c "curl -fsS http://127.0.0.1:$port/schemas/$d._public.attendee.Attendee | grep -q '\"minimum\": 0'"
check "/openapi.json is an OpenAPI 3.1 document" sh -c "curl -fsS http://127.0.0.1:$port/openapi.json | grep -q '\"openapi\": \"3.1.0\"'"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/schemas/..%2Froutes.yaml")
check "an unknown schema name is 404, never a file read ($code)" test "$code" = 404

kill -TERM "$worker_pid"
wait "$worker_pid" && rc=0 || rc=$?
check "the worker stops cleanly on SIGTERM" test "$rc" -eq 0
finish
