#!/usr/bin/env bash
# test_run_faults.sh - broker faults mid-run: produce requests fail with several error kinds
# (injected into the embedded broker through --control; one kind the client does not retry,
# so the worker's own rewind-and-retry runs), and one of three brokers goes down for a few
# seconds and comes back. Nothing may be lost and every envelope must be right (mgcheck
# --mode at-least-once); duplicates and order violations after the failed deliveries are
# reported (README, "Order").
#
# Usage: tests/worker/test_run_faults.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_control_broker --brokers 3 --topics raw:6,out:6,dlq:6
# Inputs led by broker 1, outputs by 2, dead letters by 3: errors pushed on broker 2 hit the
# worker's output produce requests only, not mgcheck's input ones.
for p in 0 1 2 3 4 5; do
    ctl leader "raw/$p" 1
    ctl leader "out/$p" 2
    ctl leader "dlq/$p" 3
done
"$build/bench/gen-identity" --seed 5 --count 80000 --invalid-fraction 0.2 >"$tmp/lines.ndjson"
write_config "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
# A delivery that fails for good (INVALID_RECORD below) is re-sent after the later messages
# of its partition that were already in flight, so first occurrences may be out of order:
# reported, not failed. Nothing may be missing.
mgcheck --lines "$tmp/lines.ndjson" --malformed-every 89 --mode at-least-once \
    --window 4000 --timeout 300 --allow-reorder 1 >"$tmp/check.out" 2>&1 &
checker=$!
started+=("$checker")
wait_consumed() { # wait_consumed N: until the worker consumed at least N
    for _ in $(seq 300); do
        [ "$(metric "$port" meshgate_messages_consumed_total)" -ge "$1" ] && return 0
        sleep 0.1
    done
}
wait_consumed 5000
for e in NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT NOT_ENOUGH_REPLICAS LEADER_NOT_AVAILABLE; do
    ctl produce-errors 30 "$e"
    sleep 0.3
done
wait_consumed 20000
ctl broker-down 2
sleep 4
ctl broker-up 2
wait_consumed 40000
ctl produce-errors 200 NOT_ENOUGH_REPLICAS_AFTER_APPEND
wait_consumed 50000
# Not retriable by the client: the deliveries fail, and the worker itself must retry.
ctl broker-produce-errors 2 20:INVALID_RECORD
rc=0
wait "$checker" || rc=$?
sed 's/^/# /; s/^# # /# /' "$tmp/check.out"
check "every fault was injected: $sent commands, each answered ok" \
    test "$(tail -n +2 "$tmp/broker.out" | grep -cx ok)" -eq "$sent"
check "after produce errors and a broker down/up, every message is on its output or dead-letter topic with a correct envelope, none missing" \
    test "$rc" -eq 0
errors=$(metric "$port" meshgate_produce_errors_total)
check "deliveries that failed for good were seen and retried by the worker ($errors failed deliveries)" \
    test "$errors" -gt 0
grep -E 'retrying from offset' "$tmp/w.log" | head -3 | sed 's/^/# /'
kill -TERM "$worker_pid"
rc=0
wait "$worker_pid" || rc=$?
check "the worker drains and exits 0 on SIGTERM after the faults (got $rc)" test "$rc" -eq 0
exec 3>&-
finish
