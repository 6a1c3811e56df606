#!/usr/bin/env bash
# test_run_hostile_reasons.sh - `meshgate run` on messages whose reject reasons carry hostile
# text, and on one that cannot be checked within its work budget (issue 13, items 2 and 5).
#
# Usage: tests/worker/test_run_hostile_reasons.sh BUILD_DIR. Prints TAP lines.
# Design: a schema with a property name holding ESC, a pattern holding a newline and a
# recursive oneOf over a $dynamicRef (which the memo cannot cover, so the step budget cuts
# it); kcat produces one message for each, then reads the dead letters back. Every
# meshgate.* header must be free of control bytes (one dead letter per line in kcat's
# output), the budget reject must carry reason `limit` into the headers, the
# rejects-by-reason metric and `meshgate dlq`.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

cat >"$tmp/hostile.schema.json" <<'EOF'
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://example.com/hostile",
  "type": "object",
  "properties": {
    "\u001b[31mred": { "type": "integer" },
    "code": { "type": "string", "pattern": "^a\nb$" },
    "tree": { "$ref": "tree" }
  },
  "$defs": {
    "tree": {
      "$id": "tree",
      "$dynamicAnchor": "node",
      "oneOf": [
        { "items": { "$dynamicRef": "#node" } },
        { "items": { "$dynamicRef": "#node" }, "minItems": 1 }
      ]
    }
  }
}
EOF
"$build/meshgate-codegen" -o "$tmp/hostile" "$tmp/hostile.schema.json"
# built where lib.sh's write_config points (identity.so), then the route names this schema
# shellcheck disable=SC2086
cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
    -o "$tmp/identity.so" "$tmp/hostile.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
start_broker --topics raw:1,out:1,dlq:1
write_config "$tmp/worker.yaml"
sed -i 's/    schema: identity/    schema: hostile/' "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
deep=$(python3 -c "print('[' * 40 + ']' * 40)")
printf '%s\n' \
    'esc|{"\u001b[31mred": "x"}' \
    'cr|{"code": "a\rb"}' \
    "deep|{\"tree\": $deep}" |
    kcat -P -b "$bootstrap" -t raw -K '|'
timeout 60 kcat -C -b "$bootstrap" -t dlq -o beginning -c 3 -f '%k\t%h\n' >"$tmp/dlq" 2>/dev/null || true
sed 's/^/# dlq: /' "$tmp/dlq" | cat -v

check "three dead letters, one line each (no header splits a line)" test "$(wc -l <"$tmp/dlq")" -eq 3
check "no control byte in any header (ESC, CR, DEL, C1)" \
    bash -c "! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' '$tmp/dlq'"
check "the key with ESC is escaped in the instance and keyword locations" \
    bash -c "grep '^esc' '$tmp/dlq' | grep -qF 'meshgate.instance_location=/\\x1b[31mred' &&
             grep '^esc' '$tmp/dlq' | grep -qF 'meshgate.keyword_location=#/properties/\\x1b[31mred/type'"
check "the value with CR and the pattern with a newline are escaped in the message" \
    bash -c "grep '^cr' '$tmp/dlq' | grep -qF 'meshgate.message=\"a\\rb\" does not match pattern ^a\\nb\$'"
check "out of steps: reason limit, naming the budget" \
    bash -c "grep '^deep' '$tmp/dlq' | grep -q 'meshgate.reason=limit' &&
             grep '^deep' '$tmp/dlq' | grep -qF 'could not be checked: out of validation steps (max_steps)'"
check "rejected_total{reason=\"limit\"} counts it" \
    test "$(metric "$port" 'meshgate_messages_rejected_total{reason="limit"}')" -eq 1
"$build/meshgate" dlq --brokers "$bootstrap" --topic dlq >"$tmp/dlq.txt" 2>>"$tmp/dlq.log" || true
sed 's/^/# meshgate dlq: /' "$tmp/dlq.txt"
check "meshgate dlq: one line per dead letter, no control byte" \
    bash -c "[ \$(wc -l <'$tmp/dlq.txt') -eq 3 ] && ! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' '$tmp/dlq.txt'"
check "meshgate dlq: the limit reject shows reason limit" grep -q ' hostile limit at ' "$tmp/dlq.txt"
kill -TERM "$worker_pid"
rc=0
wait "$worker_pid" || rc=$?
check "the worker exits 0 on SIGTERM (got $rc)" test "$rc" -eq 0
echo "1..$n"
finish
