#!/usr/bin/env bash
# test_run_stuck.sh - a partition that stops moving is reported: the brokers leading the output
# and dead-letter topics go down, so the messages consumed meanwhile stay in flight; once the
# oldest is older than health.stuck_after_ms the worker logs it, /readyz turns 503 naming the
# partition and its oldest message's age, and meshgate_partitions_stuck counts it; when the
# broker is back everything is delivered and /readyz is 200 again.
#
# Usage: tests/worker/test_run_stuck.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_control_broker --brokers 3 --topics raw:2,out:2,dlq:2
for p in 0 1; do # inputs on broker 1, outputs and dead letters on broker 2
    ctl leader "raw/$p" 1
    ctl leader "out/$p" 2
    ctl leader "dlq/$p" 2
done
ctl coordinator meshgate-test 1 # the group goes on while broker 2 is down
write_config "$tmp/worker.yaml"
sed -i 's/^stats_interval_ms: 0$/stats_interval_ms: 0\nhealth:\n  stuck_after_ms: 2000/' "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"
send() { # send N: N valid messages, spread over both partitions
    for i in $(seq "$1"); do echo "{\"first\": \"Ada\", \"Last\": \"L$i\"}"; done |
        kcat -P -b "$bootstrap" -t raw
}
send 10
for _ in $(seq 300); do [ "$(metric "$port" meshgate_messages_produced_total)" -ge 10 ] && break; sleep 0.1; done
readyz() { curl -s -w ' %{http_code}' "http://127.0.0.1:$port/readyz"; }
check "healthy at first: /readyz 200, nothing stuck" \
    bash -c "[[ '$(readyz)' == 'ready'*' 200' ]] && [ $(metric "$port" meshgate_partitions_stuck) -eq 0 ]"

ctl broker-down 2
send 10
r=
for _ in $(seq 300); do
    r=$(readyz)
    [[ "$r" == *stuck* ]] && break
    sleep 0.1
done
echo "# /readyz with the output's broker down: $r"
check "/readyz turns 503 naming a stuck partition and its oldest message's age" \
    bash -c "[[ '$r' =~ ^not\ ready:\ raw/[01]\ stuck:\ its\ oldest\ message\ in\ flight\ is\ [0-9.]+\ s\ old.*\ 503$ ]]"
check "meshgate_partitions_stuck counts it, and meshgate_ready is 0" \
    bash -c "[ $(metric "$port" meshgate_partitions_stuck) -ge 1 ] && [ $(metric "$port" meshgate_ready) -eq 0 ]"
check "the worker logged which partition is stuck and from which offset" \
    grep -qE 'raw/[01]: stuck: its oldest message in flight \(offset [0-9]+\) is [0-9.]+ s old' "$tmp/w.log"
check "the worker still runs meanwhile (/healthz 200)" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200

ctl broker-up 2
# The producer reconnects with backoff; generous under sanitizers and a loaded machine.
for _ in $(seq 1800); do [ "$(metric "$port" meshgate_messages_produced_total)" -ge 20 ] && break; sleep 0.1; done
sleep 1.5 # the table /readyz reads is published once a second
check "with the broker back every message is delivered (20) and /readyz is 200 again" \
    bash -c "[ $(metric "$port" meshgate_messages_produced_total) -eq 20 ] && [[ '$(readyz)' == 'ready'*' 200' ]]"
check "the worker logged that the partition is no longer stuck" grep -qE 'raw/[01]: no longer stuck' "$tmp/w.log"
check "every control command was answered ok ($sent)" \
    test "$(tail -n +2 "$tmp/broker.out" | grep -cx ok)" -eq "$sent"
[ "$fails" -eq 0 ] || grep -vE '^%7' "$tmp/w.log" | tail -n 15 | sed 's/^/# w.log: /'
term_check "$worker_pid" "the worker"
exec 3>&-
finish
