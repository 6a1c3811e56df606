#!/usr/bin/env bash
# test_run_reload.sh - hot reload under load (issue 14.9): 100,000 messages over 4 partitions
# while the worker's schema set is replaced three times by SIGHUP: by v2 (first names A-M
# only, so it refuses about half of what v1 accepts), by a broken shared object (the reload
# fails, v2 stays, /readyz stays 200, meshgate_reload_total{result="failed"} counts it), and by
# v3 (first names N-Z only). mgcheck checks that nothing is missing and judges every message
# by the set the worker says was in use for its input offset (the switch points it logs), so a
# message judged by the old set after a switch, or by the new one before it, is a failure.
# make asan and make tsan run it under their sanitizers (the shared objects too).
#
# Usage: tests/worker/test_run_reload.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

setup_stream 4 14 100000
sed 's/"first": { "type": "string", "pattern": "^\[A-Z\]" }/"first": { "type": "string", "pattern": "^[A-M]" }/' \
    examples/identity/identity.schema.json >"$tmp/v2.schema.json"
sed 's/"first": { "type": "string", "pattern": "^\[A-Z\]" }/"first": { "type": "string", "pattern": "^[N-Z]" }/' \
    examples/identity/identity.schema.json >"$tmp/v3.schema.json"
grep -q 'A-M' "$tmp/v2.schema.json" && grep -q 'N-Z' "$tmp/v3.schema.json"
build_so v2 "$tmp/v2.schema.json" identity
build_so v3 "$tmp/v3.schema.json" identity
head -c 4096 "$tmp/v2.so" >"$tmp/broken.so"

start_worker w
port=$(worker_port "$tmp/w.log")
mgcheck --lines "$tmp/lines.ndjson" --malformed-every 97 --mode at-least-once --timeout 600 \
    --switches "$tmp/switches" >"$tmp/check.out" 2>&1 &
checker=$!
started+=("$checker")

consumed() { metric "$port" meshgate_messages_consumed_total; }
reloads() { curl -fsS "http://127.0.0.1:$port/metrics" | awk -v l="result=\"$1\"" 'index($1, l) { print $2 }'; }
wait_consumed() { # wait_consumed N: until the worker consumed N messages (10 min at most)
    for _ in $(seq 6000); do
        [ "$(consumed)" -ge "$1" ] && return 0
        kill -0 "$worker_pid" || return 1
        sleep 0.1
    done
    return 1
}
wait_log() { # wait_log PATTERN COUNT: until the worker's log has COUNT lines matching it
    for _ in $(seq 600); do
        [ "$(grep -c -- "$1" "$tmp/w.log" || true)" -ge "$2" ] && return 0
        kill -0 "$worker_pid" || return 1
        sleep 0.1
    done
    return 1
}
# replace SO: installs SO as the configured schema set (a rename, as a deploy would) and
# sends SIGHUP.
replace() {
    cp "$1" "$tmp/next.so"
    mv -f "$tmp/next.so" "$tmp/identity.so"
    kill -HUP "$worker_pid"
}
# switch_points GEN SO: the switch points the worker logged for generation GEN, as lines of
# the switches file.
switch_points() {
    grep "reload: generation $1 in use" "$tmp/w.log" | sed 's/.*switch points://' |
        tr ' ' '\n' | sed -n 's|^raw/\([0-9]*\)@\(-\{0,1\}[0-9]*\)$|'"$2"' \1 \2|p'
}

: >"$tmp/switches"
schema_set() { curl -fsS "http://127.0.0.1:$port/metrics" | sed -n 's/^meshgate_build_info{.*schema_set="\([^"]*\)".*/\1/p'; }
set1=$(schema_set)
wait_consumed 25000
replace "$tmp/v2.so"
check "SIGHUP with v2: generation 2 in use, with its switch points" \
    wait_log 'reload: generation 2 in use' 1
set2=$(schema_set)
check "meshgate_build_info names the new schema set ($set1 -> $set2)" \
    test -n "$set1" -a -n "$set2" -a "$set1" != "$set2"
switch_points 2 "$tmp/v2.so" >>"$tmp/switches"
check "the switch points name each of the 4 input partitions" \
    test "$(wc -l <"$tmp/switches")" -eq 4

wait_consumed 50000
replace "$tmp/broken.so"
check "SIGHUP with a broken shared object: the reload fails, generation 2 kept" \
    wait_log 'reload failed: still running generation 2' 1
check "the failed reload says why (the loader's error, the configuration key)" \
    grep -q 'reload failed: .*schemas: cannot load schema set' "$tmp/w.log"
check "after the failed reload /readyz is still 200" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200
check "meshgate_reload_total counts it: ok 1, failed 1" \
    test "$(reloads ok) $(reloads failed)" = "1 1"

wait_consumed 70000
replace "$tmp/v3.so"
check "SIGHUP with v3: generation 3 in use" wait_log 'reload: generation 3 in use' 1
switch_points 3 "$tmp/v3.so" >>"$tmp/switches"
echo end >>"$tmp/switches"
grep -E 'reload|SIGHUP' "$tmp/w.log" | sed 's/^/# /'

wait_checker
check "100,000 messages through two switches: none missing, each judged by the set in use at its offset" \
    test "$check_rc" -eq 0
# Each switch must have mattered: some messages after it got another verdict than v1 gives.
for v in v2 v3; do
    d=$(awk -v so="$tmp/$v.so" '$2 == "switch:" && $3 == so { s += $(NF - 8) } END { print s + 0 }' \
        "$tmp/check.out")
    check "messages after the switch to $v were judged by $v ($d verdicts differ from v1's)" \
        test "$d" -gt 0
done
check "the old generations were unloaded once their last message was reported" \
    wait_log 'reload: generation [12] unloaded' 2
check "meshgate_config_generation is 3" test "$(metric "$port" meshgate_config_generation)" -eq 3
term_check "$worker_pid" "the worker"
finish
