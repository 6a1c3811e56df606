#!/usr/bin/env bash
# demo.sh - what `make demo` runs: the main job end to end on the embedded broker.
#
# Compiles the identity schema into a shared object, starts `meshgate broker`, starts
# `meshgate run` with examples/identity/meshgate.yaml, POSTs one valid and one invalid event
# to its HTTP ingest path, produces a generated mix of valid,
# invalid and malformed messages with kcat, waits until the worker has handled them all, then
# shows the counts (from /metrics), one envelope, one dead letter with its reason headers and
# the latency percentiles, and stops everything it started.
#
# Usage: examples/demo.sh BUILD_DIR [COUNT]. Leaves its files under BUILD_DIR/demo.
set -euo pipefail
build=${1:-build}
count=${2:-50000}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$build/demo
mkdir -p "$out"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

metric() { # metric NAME: the summed value of a Prometheus series from /metrics
    curl -fsS "http://127.0.0.1:$port/metrics" |
        awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%d\n", s }'
}

echo "== 1. compile the identity schema to C, and into a shared object meshgate loads"
"$build/meshgate-codegen" -o "$out/identity" examples/identity/identity.schema.json
cc -std=c11 -O2 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator -o "$out/identity.so" \
    "$out/identity.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
echo "   $out/identity.so"

echo "== 2. start the embedded broker (librdkafka's mock cluster on loopback)"
"$build/meshgate" broker --topics raw.identity:4,identity.v1:4,identity.dlq:4 \
    >"$out/broker.out" 2>"$out/broker.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$out/broker.out" ] && break; sleep 0.1; done
bootstrap=$(head -n 1 "$out/broker.out")
echo "   bootstrap $bootstrap"

echo "== 3. start the worker: meshgate run --config examples/identity/meshgate.yaml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MESHGATE_KAFKA_BOOTSTRAP_SERVERS=$bootstrap MESHGATE_SCHEMAS=$out/identity.so \
    MESHGATE_HTTP_LISTEN=127.0.0.1:$port MESHGATE_STATS_INTERVAL_MS=2000 \
    "$build/meshgate" run --config examples/identity/meshgate.yaml 2>"$out/worker.log" &
worker=$!
pids+=($worker)
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
echo "   /readyz: $(curl -sS "http://127.0.0.1:$port/readyz")"

echo "== 4. HTTP ingest: one accepted and one refused POST to /ingest/raw.identity"
echo "   \$ curl -XPOST -d'{\"first\": \"John\",\"Last\": \"Doe\",\"Age\": 40}' http://127.0.0.1:$port/ingest/raw.identity"
echo "   $(curl -sS -XPOST -d'{"first": "John","Last": "Doe","Age": 40}' "http://127.0.0.1:$port/ingest/raw.identity")"
echo "   \$ curl -XPOST -d'{\"first\": \"John\",\"Last\": \"Doe\",\"Age\": 140}' http://127.0.0.1:$port/ingest/raw.identity"
echo "   $(curl -sS -XPOST -d'{"first": "John","Last": "Doe","Age": 140}' "http://127.0.0.1:$port/ingest/raw.identity")"

echo "== 5. produce $count generated messages (10% invalid) plus 4 malformed ones with kcat"
{
    "$build/bench/gen-identity" --seed 42 --count "$count" --invalid-fraction 0.1
    printf '%s\n' '{"first": "Ada", "Last": ' '' 'not json' $'{"first": "\xff", "Last": "X"}'
} | awk '{ printf "user-%d\t%s\n", NR % 1000, $0 }' >"$out/input.tsv"
total=$(wc -l <"$out/input.tsv")
kcat -P -b "$bootstrap" -t raw.identity -K $'\t' -z lz4 -l "$out/input.tsv" >/dev/null
for _ in $(seq 600); do
    [ "$(metric meshgate_messages_consumed_total)" -ge "$total" ] &&
        [ "$(metric meshgate_messages_produced_total)" -ge "$total" ] && break
    sleep 0.1
done

echo "== 6. counts (from /metrics)"
for m in consumed_total valid_total rejected_total produced_total; do
    printf '   %-36s %s\n' "meshgate_messages_$m" "$(metric "meshgate_messages_$m")"
done
curl -fsS "http://127.0.0.1:$port/metrics" | grep '^meshgate_messages_rejected_total' |
    grep -v ' 0$' | sed 's/^/   /'

echo "== 7. one envelope from identity.v1 (CloudEvents binary mode: ce_ headers, value unchanged)"
kcat -C -b "$bootstrap" -t identity.v1 -o beginning -c 1 -e -f '   key:     %k\n   headers: %h\n   value:   %s\n' 2>/dev/null |
    sed 's/,ce_/\n            ce_/g; s/,content-type/\n            content-type/'

echo "== 8. one dead letter from identity.dlq with its reason headers"
kcat -C -b "$bootstrap" -t identity.dlq -o beginning -c 1 -e -f '   key:     %k\n   headers: %h\n   value:   %s\n' 2>/dev/null |
    sed 's/,meshgate\./\n            meshgate./g'

echo "== 9. latency (stats line of the worker, then SIGTERM: drain, commit, leave the group)"
kill -TERM "$worker"
rc=0
wait "$worker" || rc=$?
grep -E 'stopped:' "$out/worker.log" | sed 's/.*stopped: /   /; s/ e2e_ms/\n   e2e_ms/; s/ validate_us/\n   validate_us/'
echo "   worker exited with $rc"
[ "$rc" -eq 0 ]
