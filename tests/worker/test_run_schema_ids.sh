#!/usr/bin/env bash
# test_run_schema_ids.sh - `meshgate run` on messages framed with Schema Registry ids, produced
# by kcat: the Confluent prefix (0x00 + 4-byte id), Confluent's GUID prefix and
# __value_schema_id header, Apicurio's 8-byte payload id and its globalId header. The schema
# set is the registry export of tests/codegen/registry (written from the registry API's
# documentation: there is no registry server here), whose orders-value versions reference
# customer versions; the worker must validate each message with the version its id names,
# envelope it without the framing (ce_dataschema = the registry's /schemas/ids/N) and
# dead-letter unknown, missing and wrong-subject ids with those reasons, counted in /metrics.
#
# Usage: tests/worker/test_run_schema_ids.sh BUILD_DIR. Prints TAP lines.
# kcat writes one message per file (-P FILE), so framing bytes (0x00, 0x0a) pass unchanged;
# header values come from the command line, where a zero byte cannot be written: the Apicurio
# header case uses an id without one (the zero-byte ids are covered by test_wire.c).
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

"$build/meshgate-codegen" -o "$tmp/reg" --prefix reg --registry-url https://sr.acme.example:8081 \
    --registry tests/codegen/registry/export 2>"$tmp/codegen.err"
# shellcheck disable=SC2086
cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
    -o "$tmp/reg.so" "$tmp/reg.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm

start_broker --topics raw.orders:1,orders:1,orders.dlq:1,raw.pay:1,pay:1,pay.dlq:1
write_config "$tmp/worker.yaml"
python3 - "$tmp/worker.yaml" "$tmp/reg.so" <<'PY'
import sys
p, so = sys.argv[1], sys.argv[2]
s = open(p).read()
head, rest = s.split("routes:\n", 1)
head = "\n".join("schemas: " + so if l.startswith("schemas:") else l for l in head.split("\n"))
routes = """routes:
  - input: raw.orders
    schema: orders-value
    schema_version: "3"
    output: orders
    dead_letter: orders.dlq
    source: urn:shop:orders
    schema_id: confluent
  - input: raw.pay
    schema: com.acme/payments-value
    output: pay
    dead_letter: pay.dlq
    source: urn:shop:payments
    mode: structured
    schema_id: auto
"""
open(p, "w").write(head + routes + "kafka:" + rest.split("kafka:", 1)[1])
PY
rc=0
"$build/meshgate" run --check --config "$tmp/worker.yaml" >"$tmp/check.out" 2>&1 || rc=$?
check "run --check accepts schema_id routes on registry versions (exit $rc)" [ "$rc" -eq 0 ]
sed 's/^/# /' "$tmp/check.out"
start_worker w
port=$(worker_port "$tmp/w.log")

# put TOPIC KEY BYTES [-H NAME=VALUE...]: one message whose value is BYTES (printf format).
put() {
    local topic=$1 key=$2 bytes=$3
    shift 3
    # shellcheck disable=SC2059 # the format is the point: \xHH escapes
    printf "$bytes" >"$tmp/msg"
    kcat -P -b "$bootstrap" -t "$topic" -k "$key" "$@" "$tmp/msg"
}
v1='{"orderId":"o1","customer":{"id":"c1","name":"Ada"},"amount":12.5}'
v3='{"orderId":"o3","customer":{"id":"c2","name":"Bob","email":"bob@example.com"},"amount":{"units":5,"currency":"EUR"}}'
put raw.orders v1 '\x00\x00\x00\x00\x02'"$v1"            # id 2: orders-value v1
put raw.orders v3 '\x00\x00\x00\x00\x06'"$v3"            # id 6: orders-value v3
put raw.orders v1-as-v3 '\x00\x00\x00\x00\x06'"$v1"      # v1's amount under v3: schema reject
put raw.orders unknown '\x00\x00\x00\x00\x63'"$v1"       # id 99: not in the export
put raw.orders customer '\x00\x00\x00\x00\x03{"id":"c1","name":"Ada"}' # id 3: subject customer
put raw.orders plain "$v1"                                # no framing
put raw.orders short '\x00\x00\x0a'                       # truncated prefix (with a newline byte)
pay='{"paymentId":"P17","orderId":"o1"}'
guid='\x8f\x1c\x55\x02\x9e\x47\x4a\x10\xb3\x2d\x6e\x0a\x61\x7b\x90\x44'
# shellcheck disable=SC2059
put raw.pay guid-header "$pay" -H "__value_schema_id=$(printf '\x01'"$guid")"
put raw.pay guid-prefix '\x01'"$guid$pay"
put raw.pay apicurio8 '\x00\x00\x00\x00\x00\x00\x00\x00\x07'"$pay"
put raw.pay apicurio-header "$pay" -H "apicurio.value.globalId=$(printf '\x01\x01\x01\x01\x01\x01\x01\x01')"
put raw.pay bad-pay '\x00\x00\x00\x00\x07{"paymentId":"X","orderId":"o1"}'

fmt='%k\t%h\t%s\n'
read_topic() { timeout 60 kcat -C -b "$bootstrap" -t "$1" -o beginning -c "$2" -f "$fmt" >"$tmp/$1" 2>/dev/null || true; }
read_topic orders 2
read_topic orders.dlq 5
read_topic pay 3
read_topic pay.dlq 2
for t in orders orders.dlq pay pay.dlq; do sed "s/^/# $t: /" "$tmp/$t" | cat -v; done
# Values and headers hold framing bytes: grep -a. GUID bytes include 0x0a, so the guid-header
# record spans two lines of kcat's output: its checks read the value's line, not the key's.
line() { grep -a "^$2	" "$tmp/$1"; }
has() { line "$1" "$2" | grep -qF -- "$3"; }
ends() { line "$1" "$2" | grep -qF -- "	$3" && line "$1" "$2" | grep -q -- "$3\$"; }

check "id 2 is validated with orders-value v1 and enveloped without its framing" ends orders v1 "$v1"
check "id 2: ce_dataschema is the registry's /schemas/ids/2" \
    has orders v1 'ce_dataschema=https://sr.acme.example:8081/schemas/ids/2'
check "id 6 (v3, which references customer v2) validates its object amount" \
    has orders v3 'ce_dataschema=https://sr.acme.example:8081/schemas/ids/6'
check "v1's number amount under id 6 is a schema reject at /amount" \
    has orders.dlq v1-as-v3 'meshgate.reason=schema,meshgate.instance_location=/amount'
check "id 99: unknown_schema_id" has orders.dlq unknown 'meshgate.reason=unknown_schema_id'
check "id 3 (subject customer): wrong_subject, naming both subjects" \
    has orders.dlq customer 'registered under subject "customer", not the route'"'"'s subject "orders-value"'
check "plain JSON on a confluent route: missing_schema_id" \
    has orders.dlq plain 'meshgate.reason=missing_schema_id'
check "a truncated prefix: missing_schema_id saying so" \
    has orders.dlq short 'shorter than a Confluent prefix'
prefix=$(line orders.dlq unknown | cut -f3 | head -c 5 | od -An -tx1 | tr -d ' \n')
check "a dead letter keeps the framed value as it came (starts $prefix)" [ "$prefix" = 0000000063 ]
check "Confluent GUID header: valid, structured, dataschema /schemas/ids/7, data the JSON" \
    bash -c "grep -a '\"partitionkey\":\"guid-header\"' '$tmp/pay' |
             grep -aF '\"dataschema\":\"https://sr.acme.example:8081/schemas/ids/7\"' |
             grep -aqF '\"data\":$pay}'"
check "the input's __value_schema_id header travels with the envelope" \
    bash -c "grep -a '^guid-header	' '$tmp/pay' | grep -qa '__value_schema_id='"
check "Confluent GUID prefix (auto): valid, the prefix stripped from data" \
    has pay guid-prefix "\"data\":$pay}"
check "Apicurio 8-byte payload id (auto): valid" has pay apicurio8 "\"data\":$pay}"
check "Apicurio globalId header with an id not in the export: unknown_schema_id" \
    has pay.dlq apicurio-header 'schema id 72340172838076673 (header apicurio.value.globalId)'
check "a framed payment that fails its version: schema reject" \
    has pay.dlq bad-pay 'meshgate.reason=schema'
rejected() { metric "$port" "meshgate_messages_rejected_total{reason=\"$1\"}"; }
check "metrics: 2 unknown_schema_id, 2 missing_schema_id, 1 wrong_subject, 2 schema" \
    [ "$(rejected unknown_schema_id) $(rejected missing_schema_id) $(rejected wrong_subject) $(rejected schema)" = "2 2 1 2" ]
curl -fsS "http://127.0.0.1:$port/metrics" | grep 'rejected_total{' | sed 's/^/# /'
term_check "$worker_pid" "the worker"
finish
