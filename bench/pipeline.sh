#!/usr/bin/env bash
# pipeline.sh - the worker end to end through the embedded broker, for the gate (binary
# CloudEvents mode) and for the same pipeline with validation and envelope switched off
# (mode: passthrough).
#
# For each mode: (1) sustained throughput: N identity messages preloaded into 8 partitions,
# then the worker started; messages/s from its first consumed message until every message is
# acknowledged on its destination (read from /metrics). (2) latency: a fresh stream paced at
# RATE messages/s by mgcheck; end-to-end latency (Kafka timestamp of the input to the broker's
# ack of the output) from the worker's own histogram, p50/p99/p99.9/max.
#
# The embedded broker keeps only the newest 5 MiB of a partition, so N is kept below what 8
# partitions hold (200,000 identity messages are about 3.7 MiB each).
# Usage: bench/pipeline.sh BUILD_DIR [N] [RATE] [WORKERS]. Prints one line per mode:
#   mode=... msgs_per_s=... mb_per_s=... rate=... p50_us=... p99_us=... p999_us=... max_us=...
set -euo pipefail
build=${1:-build}
count=${2:-200000}
rate=${3:-10000}
threads=${4:-2}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tests/worker/lib.sh

build_schema
"$build/bench/gen-identity" --seed 99 --count "$count" --invalid-fraction 0.1 >"$tmp/lines.ndjson"
awk '{ printf "user-%d\t%s\n", NR % 997, $0 }' "$tmp/lines.ndjson" >"$tmp/in.tsv"
bytes=$(wc -c <"$tmp/lines.ndjson")

now() { date +%s.%N; }
run_mode() { # run_mode MODE
    local mode=$1 t0 t1 port p
    start_broker --topics raw:8,out:8,dlq:8
    write_config "$tmp/worker.yaml" "$mode"
    sed -i "s/^workers: .*/workers: $threads/; s/max_inflight_messages: .*/max_inflight_messages: 20000/" \
        "$tmp/worker.yaml"
    kcat -P -b "$bootstrap" -t raw -K $'\t' -l "$tmp/in.tsv"
    : >"$tmp/$mode.log"
    start_worker "$mode"
    port=$(worker_port "$tmp/$mode.log")
    until [ "$(metric "$port" meshgate_messages_consumed_total)" -gt 0 ]; do sleep 0.01; done
    t0=$(now)
    local limit=$((SECONDS + 300))
    until [ "$(metric "$port" meshgate_messages_produced_total)" -ge "$count" ]; do
        if [ "$SECONDS" -gt "$limit" ]; then
            echo "pipeline.sh: $mode: only $(metric "$port" meshgate_messages_produced_total) of $count acknowledged after 300 s" >&2
            exit 1
        fi
        sleep 0.01
    done
    t1=$(now)
    kill -TERM "$worker_pid"
    wait "$worker_pid" || true
    kill -TERM "$broker_pid"
    wait "$broker_pid" || true
    local tput
    tput=$(echo "$count / ($t1 - $t0)" | bc)
    # Latency at a fixed rate, on a fresh broker.
    start_broker --topics raw:8,out:8,dlq:8
    write_config "$tmp/worker.yaml" "$mode"
    sed -i "s/^workers: .*/workers: $threads/" "$tmp/worker.yaml"
    : >"$tmp/$mode-lat.log"
    start_worker "$mode-lat"
    port=$(worker_port "$tmp/$mode-lat.log")
    until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.05; done
    local n=$((rate * 20))
    [ "$n" -gt "$count" ] && n=$count
    mgcheck --lines "$tmp/lines.ndjson" --count "$n" --rate "$rate" --mode at-least-once \
        --timeout 120 >"$tmp/lat-check.out" 2>&1 || true
    kill -TERM "$worker_pid"
    wait "$worker_pid" || true
    kill -TERM "$broker_pid"
    wait "$broker_pid" || true
    p=$(grep -o 'e2e_ms p50=[0-9.]* p99=[0-9.]* p99.9=[0-9.]* max=[0-9.]*' "$tmp/$mode-lat.log" | tail -n 1)
    echo "mode=$mode msgs_per_s=$tput mb_per_s=$(echo "scale=1; $bytes * $tput / $count / 1000000" | bc)" \
        "rate=$rate $(echo "$p" | awk '{ for (i = 2; i <= 5; i++) { split($i, a, "="); k = a[1];
            sub(/\./, "", k); printf "%s_us=%d ", k, a[2] * 1000 } }')"
}
run_mode binary
run_mode passthrough
