#!/usr/bin/env bash
# test_run_restart.sh - a member restarted into its group and stopped with SIGTERM while it
# waits for its assignment (a Kubernetes rollout): it must exit 0, not abort in librdkafka
# 2.0.2's cooperative-sticky assignor (rd_kafka_sticky_assignor_state_destroy: Assertion
# 'assignor_state' failed; confluentinc/librdkafka#4312), and nothing may be lost.
#
# How the window is made: two workers consume; the group leader (the oldest member) is frozen
# with SIGSTOP, so it stays a member but never answers; a third worker joins, gets its
# JoinGroup response (seen in its cgrp debug log) and then waits in SyncGroup for the frozen
# leader's assignment until the session times out. SIGTERM lands in that wait. Three rounds,
# each freezing the member the cgrp logs name as leader; the frozen one is resumed after (if
# its session expired meanwhile, its partitions were lost and are consumed again, at least
# once). mgcheck runs throughout and must find every message on its output or dead-letter
# topic.
#
# Usage: tests/worker/test_run_restart.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

setup_stream 4 41 60000
# A session long enough that the frozen leader is still a member when the leader is elected.
sed -i 's/session.timeout.ms: "6000"/session.timeout.ms: "10000"/' "$tmp/worker.yaml"
# cgrp debug logs show who leads the group and when a JoinGroup response arrives (librdkafka's
# debug lines pass meshgate's logger at log.level debug).
sed -i 's/^consumer:$/consumer:\n  debug: cgrp/' "$tmp/worker.yaml"
printf 'log:\n  level: debug\n' >>"$tmp/worker.yaml"
start_worker a
members=("$worker_pid")
names=(a)
port_a=$(worker_port "$tmp/a.log")
wait_ready "$port_a"
start_worker b
members+=("$worker_pid")
names+=(b)

# The member that was elected leader last: the highest timestamp of "I am elected leader".
leader_index() {
    local i best=0 best_ts=0 ts
    for i in "${!names[@]}"; do
        ts=$(grep 'I am elected leader' "$tmp/${names[$i]}.log" | tail -n 1 | cut -d' ' -f1)
        ts=${ts//[^0-9]/} # the line's UTC time to the millisecond: compare its digits as an integer
        if [ -n "$ts" ] && [ "$ts" -gt "$best_ts" ]; then
            best=$i
            best_ts=$ts
        fi
    done
    echo "$best"
}
mgcheck --lines "$tmp/lines.ndjson" --malformed-every 89 --mode at-least-once \
    --window 3000 --timeout 400 >"$tmp/check.out" 2>&1 &
checker=$!
started+=("$checker")
sleep 3

hit=0
rcs=
for round in 1 2 3; do
    leader=${members[$(leader_index)]}
    kill -STOP "$leader"
    start_worker "c$round"
    c=$worker_pid
    for _ in $(seq 300); do
        grep -q 'JoinGroup response' "$tmp/c$round.log" && break
        sleep 0.1
    done
    # A follower's response carries no member metadata; it now waits for the leader.
    follower=0
    grep -q 'JoinGroup response.*member metadata count 0' "$tmp/c$round.log" && follower=1
    kill -TERM "$c"
    rc=0
    wait "$c" || rc=$?
    rcs="$rcs $rc"
    if [ "$follower" = 1 ] && ! grep -q 'SyncGroup response: Success' "$tmp/c$round.log"; then
        hit=$((hit + 1))
    fi
    kill -CONT "$leader"
    sleep 4
done
echo "# exit statuses of the stopped joiners:$rcs; $hit of 3 were stopped between JoinGroup and their assignment"
grep -h 'Assertion' "$tmp"/c*.log | head -3 | sed 's/^/# /' || true
check "each joiner stopped while it waited for its assignment exits 0 (got$rcs)" \
    test "$(echo "$rcs" | tr -d ' 0')" = ""
check "the wait for the assignment was hit at least twice ($hit of 3 rounds)" test "$hit" -ge 2
check "each of them said why its consumer is not destroyed" \
    test "$(grep -l 'stopped before the group assigned partitions' "$tmp"/c*.log | wc -l)" -ge "$hit"
wait_checker
check "through the frozen leaders and the stopped joiners every message is on its output or dead-letter topic, none missing" \
    test "$check_rc" -eq 0
for m in "${members[@]}"; do
    term_check "$m" "worker $m"
done
finish
