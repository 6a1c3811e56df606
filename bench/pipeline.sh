#!/usr/bin/env bash
# pipeline.sh - the worker end to end through the embedded broker, for the gate (binary
# CloudEvents mode) and for the same pipeline with validation and envelope switched off
# (mode: passthrough).
#
# (1) Sustained throughput: N identity messages preloaded into 8 partitions, then the worker
# started; messages/s from its first consumed message until every message is acknowledged on
# its destination (read from /metrics), and the worker's CPU time over the same span (user
# plus system, /metrics polling included) per message. For the gate with 1 and 2 worker
# threads (and more where the machine has more cores): binary mode with every CloudEvents
# attribute (9 Kafka headers), with only the required ones (attributes: required, 4 headers,
# mode "binary-required") and structured mode (the attributes written into the value with a
# copy of it, 1 header); and for passthrough.
# (2) Latency: a fresh stream paced by mgcheck at 50% and 90% of the gate's sustained rate;
# end-to-end latency (Kafka timestamp of the input to the broker's ack of the output) from the
# worker's own histogram, p50/p99/p99.9/max, for both modes at the same rates.
# The embedded broker keeps only the newest 5 MiB of a partition, so N is kept below what 8
# partitions hold (200,000 identity messages are about 3.7 MiB each). The broker, the worker
# and mgcheck share this machine's cores. BROKERS=N runs an N-broker embedded cluster;
# INFLIGHT=N sets limits.max_inflight_messages (by default the worker's default applies).
#
# Usage: bench/pipeline.sh BUILD_DIR [N]. Prints lines:
#   mode=M threads=T msgs_per_s=X mb_per_s=Y worker_cpu_us_per_msg=C
#   mode=M latency rate=R p50_us=.. p99_us=.. p999_us=.. max_us=..
set -euo pipefail
build=${1:-build}
count=${2:-200000}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tests/worker/lib.sh
cores=$(nproc)
brokers=${BROKERS:-1}

build_schema
"$build/bench/gen-identity" --seed 99 --count "$count" --invalid-fraction 0.1 >"$tmp/lines.ndjson"
awk '{ printf "user-%d\t%s\n", NR % 997, $0 }' "$tmp/lines.ndjson" >"$tmp/in.tsv"
bytes=$(wc -c <"$tmp/lines.ndjson")

now() { date +%s.%N; }
stop_all() {
    kill -TERM "$worker_pid" 2>/dev/null || true
    wait "$worker_pid" 2>/dev/null || true
    kill -TERM "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
}

cpu_us() { # cpu_us PID: the process's user plus system CPU time so far, in microseconds
    local f
    f=$(sed 's/.*) //' "/proc/$1/stat") # from the state field on (field 3 of proc(5))
    # shellcheck disable=SC2086
    set -- $f
    echo $(((${12} + ${13}) * 1000000 / $(getconf CLK_TCK)))
}

# bench_config MODE THREADS [ATTRIBUTES]: $tmp/worker.yaml for one run. lib.sh's in-flight
# bound of 5000 is for the tests: it is set to $INFLIGHT when given and dropped otherwise, so
# the worker's own default applies.
bench_config() {
    write_config "$tmp/worker.yaml" "$1" "${3:-all}"
    sed -i "s/^workers: .*/workers: $2/" "$tmp/worker.yaml"
    if [ -n "${INFLIGHT:-}" ]; then
        sed -i "s/max_inflight_messages: .*/max_inflight_messages: $INFLIGHT/" "$tmp/worker.yaml"
    else
        sed -i '/^limits:$/d; /^  max_inflight_messages:/d' "$tmp/worker.yaml"
    fi
}

throughput() { # throughput MODE THREADS [ATTRIBUTES]: prints a line, sets $tput
    local mode=$1 threads=$2 attrs=${3:-all} t0 t1 port limit label=$1 cpu
    [ "$attrs" = all ] || label=$mode-$attrs
    start_broker --brokers "$brokers" --topics raw:8,out:8,dlq:8
    bench_config "$mode" "$threads" "$attrs"
    kcat -P -b "$bootstrap" -t raw -K $'\t' -l "$tmp/in.tsv"
    : >"$tmp/t.log"
    start_worker t
    port=$(worker_port "$tmp/t.log")
    until [ "$(metric "$port" meshgate_messages_consumed_total)" -gt 0 ]; do sleep 0.01; done
    t0=$(now)
    cpu=$(cpu_us "$worker_pid")
    limit=$((SECONDS + 300))
    until [ "$(metric "$port" meshgate_messages_produced_total)" -ge "$count" ]; do
        if [ "$SECONDS" -gt "$limit" ]; then
            echo "pipeline.sh: $mode: only $(metric "$port" meshgate_messages_produced_total) of $count acknowledged after 300 s" >&2
            exit 1
        fi
        sleep 0.01
    done
    t1=$(now)
    cpu=$(($(cpu_us "$worker_pid") - cpu))
    stop_all
    tput=$(echo "$count / ($t1 - $t0)" | bc)
    echo "mode=$label threads=$threads msgs_per_s=$tput" \
        "mb_per_s=$(echo "scale=1; $bytes * $tput / $count / 1000000" | bc)" \
        "worker_cpu_us_per_msg=$(echo "scale=2; $cpu / $count" | bc)"
}

latency() { # latency MODE RATE
    local mode=$1 rate=$2 port n p
    start_broker --brokers "$brokers" --topics raw:8,out:8,dlq:8
    bench_config "$mode" "$cores"
    : >"$tmp/l.log"
    start_worker l
    port=$(worker_port "$tmp/l.log")
    for _ in $(seq 1200); do
        curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
        sleep 0.05
    done
    if ! curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
        echo "pipeline.sh: $mode: the worker is not ready after 60 s" >&2
        exit 1
    fi
    n=$((rate * 10)) # ten seconds of traffic
    [ "$n" -gt "$count" ] && n=$count
    mgcheck --lines "$tmp/lines.ndjson" --count "$n" --rate "$rate" --mode at-least-once \
        --window "$count" --timeout 120 >/dev/null 2>&1 || true
    stop_all
    p=$(grep -o 'e2e_ms p50=[0-9.]* p99=[0-9.]* p99.9=[0-9.]* max=[0-9.]*' "$tmp/l.log" | tail -n 1)
    echo "mode=$mode latency rate=$rate $(echo "$p" | awk '{ for (i = 2; i <= 5; i++) {
        split($i, a, "="); k = a[1]; sub(/\./, "", k); printf "%s_us=%d ", k, a[2] * 1000 } }')"
}

gate=0
for threads in $(seq 1 "$cores"); do
    throughput binary "$threads"
    gate=$tput
done
throughput binary "$cores" required
throughput structured "$cores"
throughput passthrough "$cores"
for pct in 50 90; do
    rate=$((gate * pct / 100))
    latency binary "$rate"
    latency passthrough "$rate"
done
