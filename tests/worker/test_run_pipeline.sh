#!/usr/bin/env bash
# test_run_pipeline.sh - `meshgate run` end to end on the embedded broker: 200,000 mixed
# messages (valid, schema rejects, malformed JSON, invalid UTF-8, empty values) over 8
# partitions; every valid one is on the output topic exactly once with a correct envelope,
# every reject on the dead-letter topic with correct headers, none missing, input order kept
# per partition (mgcheck); then SIGTERM drains and exits 0 within the drain bound.
#
# Usage: tests/worker/test_run_pipeline.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

setup_stream 8 11 200000
start_worker w1
if mgcheck --lines "$tmp/lines.ndjson" --malformed-every 97 --mode exact --timeout 600 \
    >"$tmp/check.out" 2>&1; then
    ok "200,000 messages: each valid one on the output exactly once with its envelope, each reject on the dead-letter topic with its reason, none missing, order kept"
else
    not_ok "200,000 messages: each valid one on the output exactly once with its envelope, each reject on the dead-letter topic with its reason, none missing, order kept"
fi
sed 's/^/# /; s/^# # /# /' "$tmp/check.out"

start=$(date +%s)
kill -TERM "$worker_pid"
rc=0
wait "$worker_pid" || rc=$?
took=$(($(date +%s) - start))
check "SIGTERM: exit 0 (got $rc) within the 15 s drain bound (took ${took} s)" \
    test "$rc" -eq 0 -a "$took" -le 15
check "the worker logged its final stats line" grep -q 'stopped: consumed=' "$tmp/w1.log"
grep -E 'stopped:' "$tmp/w1.log" | sed 's/^/# /'
finish
