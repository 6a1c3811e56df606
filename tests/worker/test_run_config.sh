#!/usr/bin/env bash
# test_run_config.sh - what `meshgate run` refuses at start, `run --check` finds, all at once and
# in file order as FILE:LINE: key: problem (an unknown schema, a ${VAR} nobody expanded, an
# empty bootstrap.servers, a producer property librdkafka refuses with idempotence, a route
# cycle); and the size limits agree: a valid message just under limits.max_message_bytes (the
# default 1 MiB) reaches the output topic instead of being dead-lettered as too large for the
# producer, and one over the limit is dead-lettered with its value.
#
# Usage: tests/worker/test_run_config.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
cat >"$tmp/bad.yaml" <<YAML
schemas: $tmp/identity.so
group: g
routes:
  - input: raw.a
    schema: identity
    output: raw.b
    dead_letter: a.dlq
    source: urn:a
  - input: raw.b
    schema: identiti
    output: raw.a
    dead_letter: b.dlq
    source: \${B_SOURCE}
kafka:
  bootstrap.servers: ""
producer:
  acks: 1
YAML
want=(
    "$tmp/bad.yaml:10: routes[1].schema: no schema named \"identiti\" in $tmp/identity.so; it has: identity"
    "$tmp/bad.yaml:11: routes[1].output: raw.a leads back to this route: a cycle routes[0] -> routes[1] -> routes[0], so every message would be produced again and again; no output or dead-letter topic may lead back to its route"
    "$tmp/bad.yaml:13: routes[1].source: \"\${B_SOURCE}\" looks like a variable nobody expanded; meshgate does not expand \${...} in the file: set MESHGATE_ROUTES_1_SOURCE instead, or expand the file before (envsubst)"
    "$tmp/bad.yaml:15: kafka.bootstrap.servers: empty; meshgate needs the Kafka brokers to connect to (HOST:PORT,...)"
    "$tmp/bad.yaml:17: producer.acks: librdkafka refuses the producer: \`acks\` must be set to \`all\` when \`enable.idempotence\` is true"
    "5 problem(s) in the configuration"
)
printf '%s\n' "${want[@]}" >"$tmp/want"
"$build/meshgate" run --config "$tmp/bad.yaml" --check >"$tmp/check.txt" 2>&1 && rc=0 || rc=$?
check "--check: exit 2 (got $rc)" test "$rc" -eq 2
check "--check names every problem at once, in file order, as FILE:LINE: key: problem" \
    diff "$tmp/want" "$tmp/check.txt"
timeout 30 "$build/meshgate" run --config "$tmp/bad.yaml" >"$tmp/run.txt" 2>&1 && rc=0 || rc=$?
check "run refuses the same file with exit 2 and the same lines (got $rc)" \
    bash -c "[ $rc -eq 2 ] && diff '$tmp/want' '$tmp/run.txt'"

# ---- sizes: the producer's message.max.bytes follows limits.max_message_bytes
start_broker --topics raw:1,out:1,dlq:1
write_config "$tmp/worker.yaml"
"$build/meshgate" run --config "$tmp/worker.yaml" --check >"$tmp/ok.txt" 2>&1 && rc=0 || rc=$?
check "--check passes a good configuration (got $rc: $(head -c 200 "$tmp/ok.txt"))" test "$rc" -eq 0
start_worker w
port=$(worker_port "$tmp/w.log")
big() { # big LEN: a valid identity object of exactly LEN bytes, keyed
    python3 -c 'import sys
n = int(sys.argv[1]); head = "{\"first\": \"Ada\", \"Last\": \"Lovelace\", \"pad\": \""
print("k" + sys.argv[1] + "|" + head + "x" * (n - len(head) - 2) + "\"}")' "$1"
}
{ big 1016007; big 1048577; } | kcat -P -b "$bootstrap" -t raw -K '|' -X message.max.bytes=2000000
for _ in $(seq 300); do
    [ "$(metric "$port" meshgate_messages_produced_total)" -ge 2 ] && break
    sleep 0.1
done
timeout 30 kcat -C -b "$bootstrap" -t out -o beginning -e -q -f '%k %S\n' >"$tmp/out.txt" 2>/dev/null || true
timeout 30 kcat -C -b "$bootstrap" -t dlq -o beginning -e -q -f '%k %S %h\n' >"$tmp/dlq.txt" 2>/dev/null || true
cut -c1-120 "$tmp/out.txt" "$tmp/dlq.txt" | sed 's/^/# /'
check "a valid 1,016,007-byte message (within the 1 MiB limit) is on the output topic, whole" \
    grep -qx 'k1016007 1016007' "$tmp/out.txt"
check "a 1,048,577-byte message (over the limit) is dead-lettered as too_large, with its value" \
    grep -q '^k1048577 1048577 .*meshgate.reason=too_large' "$tmp/dlq.txt"
term_check "$worker_pid" "the worker"
finish
