#!/usr/bin/env bash
# test_run_retention.sh - a committed offset that no longer exists on the broker (retention; here
# the embedded broker's 5 MiB per-partition cap) is never skipped silently: with the default
# on_offset_reset: continue the worker logs an error with the range, counts the reset and the
# skipped offsets of that partition, and goes on from the oldest offset there is; with
# on_offset_reset: stop the partition stays paused, /readyz says why, and the other partition
# goes on. A partition without a committed offset still starts where auto.offset.reset says.
#
# Usage: tests/worker/test_run_retention.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_broker --topics raw:2,out:2,dlq:2
write_config "$tmp/worker.yaml"
lines() { # lines N PAD: N valid messages padded to about PAD bytes
    python3 -c 'import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"first": "Ada", "Last": "L%d" % i, "pad": "x" * int(sys.argv[2])}))' "$@"
}
produce() { lines "$2" "$3" | kcat -P -b "$bootstrap" -t raw -p "$1"; }
first_offset() { timeout 20 kcat -C -b "$bootstrap" -t raw -p "$1" -o beginning -c 1 -q -f '%o\n'; }
wait_metric() { # wait_metric PORT NAME N: until the metric reaches N
    for _ in $(seq 300); do
        [ "$(metric "$1" "$2")" -ge "$3" ] && return 0
        sleep 0.1
    done
}

# A first worker commits offset 100 on partition 0 (and 50 on partition 1) and stops.
produce 0 100 10
produce 1 50 10
start_worker w1
wait_metric "$(worker_port "$tmp/w1.log")" meshgate_messages_produced_total 150
term_check "$worker_pid" "the first worker"
# While no worker runs, 8 MiB more on partition 0: the broker keeps its newest 5 MiB only.
produce 0 8000 1000
lo=$(first_offset 0)
echo "# partition 0 now starts at offset $lo"
check "the broker deleted offsets the group had not read (log start $lo > committed 100)" \
    test "$lo" -gt 100

start_worker w2
port=$(worker_port "$tmp/w2.log")
wait_metric "$port" meshgate_messages_consumed_total $((8100 - lo))
sleep 1
grep 'error:' "$tmp/w2.log" | sed 's/^/# /'
check "on_offset_reset: continue logs an error with the range of offsets that were gone" \
    grep -q "error: raw/0: offsets 100\.\.$((lo - 1)) ($((lo - 100)) messages) no longer exist on the broker.*on_offset_reset: continue" "$tmp/w2.log"
check "meshgate_offset_resets_total counts the reset" \
    test "$(metric "$port" meshgate_offset_resets_total)" -eq 1
check "meshgate_offsets_skipped_total counts the $((lo - 100)) skipped offsets of raw/0" \
    test "$(metric "$port" 'meshgate_offsets_skipped_total{topic="raw",partition="0"}')" -eq $((lo - 100))
check "it went on from the oldest offset there is: every message still there was consumed, none twice" \
    test "$(metric "$port" meshgate_messages_consumed_total)" -eq $((8100 - lo))
term_check "$worker_pid" "the second worker"

# Again 8 MiB past the committed offset, and a worker with on_offset_reset: stop.
produce 0 8000 1000
sed -i 's/^stats_interval_ms: 0$/stats_interval_ms: 0\non_offset_reset: stop/' "$tmp/worker.yaml"
start_worker w3
port=$(worker_port "$tmp/w3.log")
for _ in $(seq 300); do
    grep -q 'on_offset_reset: stop' "$tmp/w3.log" && break
    sleep 0.1
done
sleep 1.5 # the table /readyz reads is published once a second
ready=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/readyz")
echo "# /readyz: $ready"
check "on_offset_reset: stop: /readyz is 503 and names the stopped partition and the gap" \
    bash -c "[[ '$ready' == 'not ready: raw/0 stopped: offsets 8100..'*' no longer exist'*' 503' ]]"
check "meshgate_partitions_stopped is 1 and meshgate_ready 0" \
    bash -c "[ $(metric "$port" meshgate_partitions_stopped) -eq 1 ] && [ $(metric "$port" meshgate_ready) -eq 0 ]"
consumed=$(metric "$port" meshgate_messages_consumed_total)
produce 1 20 10
wait_metric "$port" meshgate_messages_consumed_total $((consumed + 20))
sleep 1
check "the stopped partition is not consumed; the other one is ($consumed, then $(metric "$port" meshgate_messages_consumed_total))" \
    test "$(metric "$port" meshgate_messages_consumed_total)" -eq $((consumed + 20))
term_check "$worker_pid" "the stopped worker"

# A new group starts at the end when auto.offset.reset is latest (librdkafka itself runs with
# error; meshgate applies the user's value to partitions without a committed offset).
sed -i 's/^group: meshgate-test$/group: fresh/; s/^on_offset_reset: stop$//; s/^consumer:$/consumer:\n  auto.offset.reset: latest/' \
    "$tmp/worker.yaml"
start_worker w4
port=$(worker_port "$tmp/w4.log")
wait_ready "$port"
sleep 2
produce 1 7 10
wait_metric "$port" meshgate_messages_consumed_total 7
sleep 1
check "a new group with auto.offset.reset: latest consumes only what comes after it started" \
    test "$(metric "$port" meshgate_messages_consumed_total)" -eq 7
term_check "$worker_pid" "the worker of the new group"
finish
