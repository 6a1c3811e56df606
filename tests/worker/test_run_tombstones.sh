#!/usr/bin/env bash
# test_run_tombstones.sh - tombstones (a key and a null value: the delete marker of a
# compacted topic) end to end, produced and read back with kcat: with the default
# `tombstones: forward` one reaches the output with its key, a null value and binary-mode
# CloudEvents attributes (no content-type or dataschema: there is no data), even on a
# structured route; with `tombstones: dead_letter` it is dead-lettered (reason empty); an
# empty non-null value and a null value without a key stay rejects.
#
# Usage: tests/worker/test_run_tombstones.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_broker --topics raw:1,out:1,dlq:1,deletes:1,deletes.out:1,deletes.dlq:1
write_config "$tmp/worker.yaml" structured
add_route "$tmp/worker.yaml" "input: deletes" "output: deletes.out" "dead_letter: deletes.dlq" \
    "source: urn:meshgate:test2" "tombstones: dead_letter"
start_worker w
port=$(worker_port "$tmp/w.log")
printf '%s\n' 'ok|{"first": "Ada", "Last": "Lovelace"}' | kcat -P -b "$bootstrap" -t raw -K '|'
printf '%s\n' 'del|' | kcat -P -b "$bootstrap" -t raw -K '|' -Z  # -Z: empty is null
printf '%s\n' 'emp|' | kcat -P -b "$bootstrap" -t raw -K '|'     # empty, not null
printf '|\n' | kcat -P -b "$bootstrap" -t raw -K '|' -Z          # no key, null value
printf '%s\n' 'del2|' | kcat -P -b "$bootstrap" -t deletes -K '|' -Z
for _ in $(seq 300); do
    [ "$(metric "$port" meshgate_messages_produced_total)" -ge 5 ] && break
    sleep 0.1
done
fmt='%k|%S|%h\n'
read_topic() { timeout 20 kcat -C -b "$bootstrap" -t "$1" -o beginning -e -q -Z -f "$fmt" 2>/dev/null || true; }
read_topic out >"$tmp/out"
read_topic dlq >"$tmp/dlq"
read_topic deletes.dlq >"$tmp/dlq2"
read_topic deletes.out >"$tmp/out2"
for t in out dlq out2 dlq2; do cut -c1-200 "$tmp/$t" | sed "s/^/# $t: /"; done
tomb=$(grep '^del|' "$tmp/out" || true)
check "a tombstone reaches the output of a structured route with its key and a null value" \
    bash -c "[[ '$tomb' == 'del|-1|'* ]]"
for h in 'ce_specversion=1.0' 'ce_id=raw/0/1' 'ce_source=urn:meshgate:test' 'ce_type=test.identity.v1' \
    'ce_partitionkey=del'; do
    check "the forwarded tombstone carries $h" bash -c "grep -q -- '$h' <<<'$tomb'"
done
check "the forwarded tombstone carries no content-type and no dataschema (there is no data)" \
    bash -c "! grep -qE 'content-type|ce_dataschema' <<<'$tomb'"
check "the valid message of the structured route is still a structured event" \
    grep -q '^ok|[0-9]*|.*content-type=application/cloudevents+json' "$tmp/out"
check "an empty non-null value is a reject (reason empty), not a tombstone" \
    grep -q '^emp|0|.*meshgate.reason=empty' "$tmp/dlq"
check "a null value without a key is a reject (reason empty)" \
    grep -q '^NULL|-1|.*meshgate.reason=empty' "$tmp/dlq"
check "with tombstones: dead_letter the tombstone is dead-lettered, saying why" \
    grep -q '^del2|-1|.*meshgate.reason=empty.*meshgate.message=a tombstone' "$tmp/dlq2"
check "nothing reached the output of the dead_letter route" test ! -s "$tmp/out2"
check "meshgate_tombstones_forwarded_total counts the one forwarded" \
    test "$(metric "$port" meshgate_tombstones_forwarded_total)" -eq 1
term_check "$worker_pid" "the worker"
finish
