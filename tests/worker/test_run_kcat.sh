#!/usr/bin/env bash
# test_run_kcat.sh - `meshgate run` seen through kcat, a Kafka client meshgate did not write:
# kcat produces keyed input (valid, schema-invalid, malformed), and kcat reads back the
# CloudEvents envelopes (binary mode headers; structured mode on a second route) and the dead
# letters with their reason headers.
#
# Usage: tests/worker/test_run_kcat.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_broker --topics raw:1,out:1,dlq:1,raw2:1,out2:1,dlq2:1
write_config "$tmp/worker.yaml"
# A second route, structured mode.
add_route "$tmp/worker.yaml" "input: raw2" 'schema_version: "2"' "output: out2" "dead_letter: dlq2" \
    "source: urn:meshgate:test2" "mode: structured"
start_worker w
printf '%s\n' \
    'ada|{"first": "Ada", "Last": "Lovelace", "Age": 36}' \
    'old|{"first": "Methuselah", "Last": "Old", "Age": 969}' \
    'bad|{"first": "Ada", "Last": ' |
    kcat -P -b "$bootstrap" -t raw -K '|' -H 'trace=abc123'
printf '%s\n' 'grace|{"first": "Grace", "Last": "Hopper"}' | kcat -P -b "$bootstrap" -t raw2 -K '|'
fmt='%k\t%h\t%s\n'
timeout 30 kcat -C -b "$bootstrap" -t out -o beginning -c 1 -f "$fmt" >"$tmp/out" 2>/dev/null || true
timeout 30 kcat -C -b "$bootstrap" -t dlq -o beginning -c 2 -f "$fmt" >"$tmp/dlq" 2>/dev/null || true
timeout 30 kcat -C -b "$bootstrap" -t out2 -o beginning -c 1 -f "$fmt" >"$tmp/out2" 2>/dev/null || true
sed 's/^/# out:  /' "$tmp/out"
sed 's/^/# dlq:  /' "$tmp/dlq"
sed 's/^/# out2: /' "$tmp/out2"

has() { grep -q -- "$2" "$1"; }
check "kcat reads the valid message from the output topic with its key and unchanged value" \
    has "$tmp/out" $'^ada\t.*\t{"first": "Ada", "Last": "Lovelace", "Age": 36}$'
for h in 'ce_specversion=1.0' 'ce_id=raw/0/0' 'ce_source=urn:meshgate:test' \
    'ce_type=test.identity.v1' 'ce_dataschema=https://schemas.meshgate.dev/identity' \
    'content-type=application/json' 'ce_partitionkey=ada' 'trace=abc123'; do
    check "envelope header $h" has "$tmp/out" "$h"
done
check "envelope has ce_time and ce_processingtime in RFC 3339" \
    has "$tmp/out" 'ce_time=20[0-9-]*T[0-9:.]*Z,.*ce_processingtime=20[0-9-]*T[0-9:.]*Z'
check "schema reject: dead letter keeps key and value, says where and why" \
    bash -c "grep '^old' '$tmp/dlq' | grep -q 'meshgate.reason=schema' &&
             grep '^old' '$tmp/dlq' | grep -q 'meshgate.instance_location=/Age' &&
             grep '^old' '$tmp/dlq' | grep -q 'meshgate.keyword_location=#/properties/Age/' &&
             grep '^old' '$tmp/dlq' | grep -q 'meshgate.origin.offset=1' &&
             grep '^old' '$tmp/dlq' | grep -q '\"Age\": 969}\$'"
check "malformed JSON: dead letter with reason syntax and the original bytes" \
    bash -c "grep '^bad' '$tmp/dlq' | grep -q 'meshgate.reason=syntax' &&
             grep '^bad' '$tmp/dlq' | grep -q '\"Last\": \$'"
check "dead letters keep the input headers" bash -c "[ \$(grep -c 'trace=abc123' '$tmp/dlq') -eq 2 ]"
check "structured mode: content-type application/cloudevents+json" \
    has "$tmp/out2" 'content-type=application/cloudevents+json'
check "structured mode: attributes as members and data as JSON (not base64)" \
    bash -c "grep -q '\"specversion\":\"1.0\",\"id\":\"raw2/0/0\",\"source\":\"urn:meshgate:test2\",\"type\":\"identity.v2\"' '$tmp/out2' &&
             grep -q '\"data\":{\"first\": \"Grace\", \"Last\": \"Hopper\"}}\$' '$tmp/out2'"
kill -TERM "$worker_pid"
rc=0
wait "$worker_pid" || rc=$?
check "the worker exits 0 on SIGTERM (got $rc)" test "$rc" -eq 0
finish
