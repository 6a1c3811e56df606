#!/usr/bin/env bash
# test_run_signals.sh - signals and versions of the commands: SIGHUP does not stop `meshgate
# run` (reloading is not supported yet: it says so and keeps consuming), SIGTERM after it still
# drains and exits 0; `meshgate --version`, `meshgate-codegen --version` and `meshgate help`.
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
start_broker --topics raw:2,out:2,dlq:2
write_config "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"
hups() { grep -c 'SIGHUP: reloading is not supported yet' "$tmp/w.log" || true; }
for k in 1 2; do # one at a time: two pending SIGHUPs are one signal
    kill -HUP "$worker_pid"
    for _ in $(seq 100); do
        [ "$(hups)" -ge "$k" ] && break
        sleep 0.1
    done
done
check "SIGHUP twice: the worker logs that reloading is not supported yet, each time" \
    test "$(hups)" -eq 2
check "after SIGHUP the worker still runs" kill -0 "$worker_pid"
printf '%s\n' '{"first": "Ada", "Last": "Lovelace"}' '{"first": "Alan", "Last": "Turing"}' |
    kcat -P -b "$bootstrap" -t raw -p 0
for _ in $(seq 300); do
    [ "$(metric "$port" meshgate_messages_produced_total)" -ge 2 ] && break
    sleep 0.1
done
check "after SIGHUP the worker still consumes and produces" \
    test "$(metric "$port" meshgate_messages_produced_total)" -eq 2
kill -TERM "$worker_pid"
rc=0
wait "$worker_pid" || rc=$?
check "SIGTERM after SIGHUP: drains and exits 0 (got $rc)" test "$rc" -eq 0
finish
