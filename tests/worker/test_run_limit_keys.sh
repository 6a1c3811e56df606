#!/usr/bin/env bash
# test_run_limit_keys.sh - the validation limits of `meshgate run` are configuration:
# limits.max_steps and limits.max_depth reach the validator, so a message over them is
# dead-lettered with reason limit or depth, while the same messages pass a worker on the
# defaults.
#
# Usage: tests/worker/test_run_limit_keys.sh BUILD_DIR. Prints TAP lines.
# Design: three messages on the identity schema: a plain one, a "wide" one of 2,000 extra
# members (a call costs 1 + its member count: over a 1,000-step budget, far under the default
# of 1000000 + 100 per byte) and a "deep" one nested 6 levels (over max_depth 4, under 256).
# A worker with the limits reads them, then a second one in another group on the defaults;
# the output and dead-letter topics say what each did.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_broker --topics raw:1,out:1,dlq:1
write_config "$tmp/limited.yaml"
python3 - "$tmp/limited.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("limits:\n", "limits:\n  max_steps: 1000\n  max_depth: 4\n", 1)
open(p, "w").write(s)
PY
sed 's/^group: meshgate-test$/group: meshgate-defaults/' "$tmp/limited.yaml" |
    sed '/max_steps: 1000/d; /max_depth: 4/d' >"$tmp/defaults.yaml"
wide=$(python3 -c 'import json; d={"first":"Ann","Last":"Lee"}; d.update({"x%d"%i: i for i in range(2000)}); print(json.dumps(d))')
printf '%s\n' \
    'plain|{"first": "Ann", "Last": "Lee"}' \
    "wide|$wide" \
    'deep|{"first": "Ann", "Last": "Lee", "n": [[[[[1]]]]]}' |
    kcat -P -b "$bootstrap" -t raw -K '|'

start_worker limited "$tmp/limited.yaml"
timeout 60 kcat -C -b "$bootstrap" -t dlq -o beginning -c 2 -f '%k\t%h\n' >"$tmp/dlq" 2>/dev/null || true
timeout 60 kcat -C -b "$bootstrap" -t out -o beginning -c 1 -f '%k\n' >"$tmp/out1" 2>/dev/null || true
sed 's/^/# dlq: /' "$tmp/dlq" | cut -c1-300
check "limits.max_steps 1000: the wide message is dead-lettered with reason limit" \
    bash -c "grep '^wide' '$tmp/dlq' | grep -q 'meshgate.reason=limit' &&
             grep '^wide' '$tmp/dlq' | grep -qF 'out of validation steps (max_steps)'"
check "limits.max_depth 4: the deep message is dead-lettered with reason depth" \
    bash -c "grep '^deep' '$tmp/dlq' | grep -q 'meshgate.reason=depth'"
check "the plain message passes the limited worker" test "$(cat "$tmp/out1")" = plain
term_check "$worker_pid" "the limited worker"

start_worker defaults "$tmp/defaults.yaml"
timeout 60 kcat -C -b "$bootstrap" -t out -o beginning -c 4 -f '%k\n' >"$tmp/out" 2>/dev/null || true
sed 's/^/# out: /' "$tmp/out"
check "on the defaults all three pass (the budget and depth were the keys' doing)" \
    test "$(sort "$tmp/out" | tr '\n' ' ')" = "deep plain plain wide "
# (once, under load, the worker on the defaults passed nothing within the 60 s: its log then)
[ "$(sort "$tmp/out" | tr '\n' ' ')" = "deep plain plain wide " ] ||
    grep -v '|rdkafka#' "$tmp/defaults.log" | tail -n 30 | sed 's/^/# defaults log: /' || true
term_check "$worker_pid" "the worker on the defaults"
finish
echo "1..$n"
