#!/usr/bin/env bash
# test_run_signals.sh - signals and versions of the commands: SIGHUP reloads `meshgate run`'s
# configuration without stopping it (routes changed live: a new input topic subscribed in the
# same group, a removed one given up; restart-only keys named and kept; a bad configuration
# refused with its key and the old one kept), SIGTERM after it still drains and exits 0;
# `meshgate --version`, `meshgate-codegen --version` and `meshgate help`. The reload under
# load is tests/worker/test_run_reload.sh.
#
# Usage: tests/worker/test_run_signals.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

# ---- versions and help
v1=$("$build/meshgate" --version)
v2=$("$build/meshgate-codegen" --version)
check "meshgate --version prints the version and the librdkafka version ($v1)" \
    bash -c "[[ '$v1' =~ ^meshgate\ [^\ ]+\ \(librdkafka\ [0-9.]+\)$ ]]"
check "meshgate-codegen --version prints the same version ($v2)" \
    test "${v2#meshgate-codegen }" = "$(echo "$v1" | cut -d' ' -f2)"
if git rev-parse --git-dir >/dev/null 2>&1; then
    check "in a git checkout the version is not 'unknown'" test "${v2#meshgate-codegen }" != unknown
fi
"$build/meshgate" help >"$tmp/help" && rc=0 || rc=$?
check "meshgate help lists the commands on stdout, exit 0" \
    bash -c "[ $rc -eq 0 ] && grep -q '^  run ' '$tmp/help' && grep -q '^  dlq ' '$tmp/help'"
"$build/meshgate" help run >"$tmp/help_run" && rc=0 || rc=$?
check "meshgate help run shows run's options" \
    bash -c "[ $rc -eq 0 ] && grep -q -- '--check' '$tmp/help_run'"
"$build/meshgate" help nope >/dev/null 2>"$tmp/help_err" && rc=0 || rc=$?
check "meshgate help with an unknown command: exit 2, names it" \
    bash -c "[ $rc -eq 2 ] && grep -q 'unknown command nope' '$tmp/help_err'"

# ---- SIGHUP
build_schema
start_broker --topics raw:2,out:2,dlq:2,raw2:2,out2:2,dlq2:2
write_config "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"
hup
check "SIGHUP with the same configuration: generation 2 in use" \
    grep -q 'reload: generation 2 in use' "$tmp/w.log"
check "after SIGHUP the worker still runs" kill -0 "$worker_pid"
# produced_reaches N: waits until the worker's produced count is N; true if it is.
produced_reaches() {
    for _ in $(seq 300); do
        [ "$(metric "$port" meshgate_messages_produced_total)" -ge "$1" ] && break
        sleep 0.1
    done
    test "$(metric "$port" meshgate_messages_produced_total)" -eq "$1"
}
printf '%s\n' '{"first": "Ada", "Last": "Lovelace"}' '{"first": "Alan", "Last": "Turing"}' |
    kcat -P -b "$bootstrap" -t raw -p 0
check "after SIGHUP the worker still consumes and produces" produced_reaches 2

# A second route on a new input topic, and a key that only a restart applies.
cp "$tmp/worker.yaml" "$tmp/worker.v1.yaml"
add_route "$tmp/worker.yaml" "input: raw2" "output: out2" "dead_letter: dlq2" \
    "source: urn:meshgate:test2"
sed -i 's/max_inflight_messages: 5000/max_inflight_messages: 4000/' "$tmp/worker.yaml"
hup
check "SIGHUP with a new route: generation 3 in use" \
    grep -q 'reload: generation 3 in use.*2 route(s)' "$tmp/w.log"
check "the new input topic is subscribed in the same group" \
    grep -q 'reload: the input topics changed: subscribed again (group meshgate-test)' "$tmp/w.log"
check "a changed restart-only key is named, and kept until a restart" \
    grep -q 'reload: limits.max_inflight_messages changed: it takes effect at the next restart' \
    "$tmp/w.log"
printf '%s\n' '{"first": "Grace", "Last": "Hopper"}' | kcat -P -b "$bootstrap" -t raw2 -p 1
got=
for _ in $(seq 300); do
    got=$(kcat -C -b "$bootstrap" -t out2 -o beginning -e -q -f '%s\n' 2>/dev/null | head -n 1)
    [ -n "$got" ] && break
    sleep 0.2
done
check "a message on the new route's input reaches its output without a restart" \
    test "$got" = '{"first": "Grace", "Last": "Hopper"}'

# A bad configuration: an unknown schema name. Refused, named, the running one kept.
sed 's/schema: identity$/schema: nosuch/' "$tmp/worker.v1.yaml" >"$tmp/worker.yaml"
hup
check "SIGHUP with an unknown schema: the reload fails naming the key, generation 3 kept" \
    bash -c "grep -q 'reload failed: .*routes\[0\].schema: no schema named \"nosuch\"' '$tmp/w.log' &&
        grep -q 'reload failed: still running generation 3' '$tmp/w.log'"
check "after the failed reload /readyz is still 200" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200

# Back to one route: raw2 is given up, raw still served.
cp "$tmp/worker.v1.yaml" "$tmp/worker.yaml"
hup
for _ in $(seq 300); do
    grep -q 'revoked 2 partition(s)' "$tmp/w.log" && break
    sleep 0.1
done
check "SIGHUP without the second route: generation 4, raw2's partitions revoked" \
    bash -c "grep -q 'reload: generation 4 in use.*1 route(s)' '$tmp/w.log' &&
        grep -q 'revoked 2 partition(s), 2 left' '$tmp/w.log'"
printf '%s\n' '{"first": "Edsger", "Last": "Dijkstra"}' | kcat -P -b "$bootstrap" -t raw -p 1
check "after it the first route still consumes and produces" produced_reaches 4
grep -E 'reload|SIGHUP|revoked|assigned' "$tmp/w.log" | sed 's/^/# /'
kill -TERM "$worker_pid"
rc=0
wait "$worker_pid" || rc=$?
check "SIGTERM after SIGHUP: drains and exits 0 (got $rc)" test "$rc" -eq 0
finish
