#!/usr/bin/env bash
# test_run_crash.sh - crash safety: the worker is killed with SIGKILL at random moments, at
# least 5 times, while it processes a paced stream, and restarted each time. Afterwards every
# input message is on its output or dead-letter topic at least once (mgcheck
# --mode at-least-once); duplicates are counted and reported, none may be missing, and first
# occurrences keep their input order per partition.
#
# Usage: tests/worker/test_run_crash.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

setup_stream 8 23 120000
start_worker w
mgcheck --lines "$tmp/lines.ndjson" --malformed-every 101 --mode at-least-once \
    --window 3000 --timeout 400 >"$tmp/check.out" 2>&1 &
checker=$!
started+=("$checker")
RANDOM=7
kills=0
for _ in $(seq 6); do
    # Wait until this worker is processing (has consumed something), then a random moment.
    port=$(worker_port "$tmp/w.log")
    for _ in $(seq 300); do
        [ "$(metric "$port" meshgate_messages_consumed_total)" -gt 0 ] && break
        kill -0 "$checker" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$checker" 2>/dev/null || break
    sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
    consumed=$(metric "$port" meshgate_messages_consumed_total)
    kill -KILL "$worker_pid"
    wait "$worker_pid" 2>/dev/null || true
    kills=$((kills + 1))
    echo "# kill -9 number $kills: the worker had consumed $consumed messages"
    cat "$tmp/w.log" >>"$tmp/all.log"
    : >"$tmp/w.log"
    start_worker w
done
rc=0
wait "$checker" || rc=$?
sed 's/^/# /; s/^# # /# /' "$tmp/check.out"
check "the worker was killed with SIGKILL while processing at least 5 times (got $kills)" \
    test "$kills" -ge 5
check "after the kills every message is on its output or dead-letter topic at least once, none missing, first occurrences in order" \
    test "$rc" -eq 0
dups=$(sed -n 's/.*duplicates=\([0-9]*\).*/\1/p' "$tmp/check.out")
echo "# duplicates after $kills kills: ${dups:-?}"
term_check "$worker_pid" "the last worker"
finish
