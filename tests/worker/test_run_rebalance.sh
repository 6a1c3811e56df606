#!/usr/bin/env bash
# test_run_rebalance.sh - two worker processes in one consumer group: the second joins
# mid-run (cooperative rebalance: partitions move to it), later the first stops with SIGTERM
# (its partitions move back). Nothing may be lost and first occurrences keep their input
# order per partition (mgcheck --mode at-least-once); both partition moves are checked in the
# workers' logs.
#
# Usage: tests/worker/test_run_rebalance.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

setup_stream 8 31 100000
start_worker a
a=$worker_pid
port_a=$(worker_port "$tmp/a.log")
mgcheck --lines "$tmp/lines.ndjson" --malformed-every 89 --mode at-least-once \
    --window 3000 --timeout 300 >"$tmp/check.out" 2>&1 &
checker=$!
started+=("$checker")
for _ in $(seq 300); do
    [ "$(metric "$port_a" meshgate_messages_consumed_total)" -ge 10000 ] && break
    sleep 0.1
done
start_worker b
b=$worker_pid
port_b=$(worker_port "$tmp/b.log")
for _ in $(seq 300); do
    [ "$(metric "$port_b" meshgate_messages_consumed_total)" -ge 5000 ] && break
    sleep 0.1
done
consumed_a=$(metric "$port_a" meshgate_messages_consumed_total)
consumed_b=$(metric "$port_b" meshgate_messages_consumed_total)
kill -TERM "$a"
rc_a=0
wait "$a" || rc_a=$?
rc=0
wait "$checker" || rc=$?
sed 's/^/# /; s/^# # /# /' "$tmp/check.out"
echo "# worker a consumed $consumed_a, worker b $consumed_b before a stopped"
check "the second worker took partitions from the first while it ran (a revoked some, b consumed)" \
    bash -c "grep -q 'revoked' '$tmp/a.log' && [ $consumed_b -gt 0 ]"
check "the first worker stopped with SIGTERM and exit 0 (got $rc_a); its partitions moved to the second" \
    bash -c "[ $rc_a -eq 0 ] && [ \$(grep -c 'assigned' '$tmp/b.log') -ge 2 ]"
check "across both rebalances every message is on its output or dead-letter topic, none missing, first occurrences in order" \
    test "$rc" -eq 0
term_check "$b" "the second worker"
finish
