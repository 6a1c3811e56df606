#!/usr/bin/env bash
# test_contract_schema_ids.sh - AsyncAPI Kafka message bindings (schemaIdLocation,
# schemaIdPayloadEncoding, schemaLookupStrategy) set each generated route's schema_id
# (tests/worker/contracts/schema-ids.yaml): confluent, apicurio, auto, and none without a
# binding; bindings meshgate cannot honour fail codegen with the file, the JSON Pointer and what
# is wrong. Then the worker runs on the generated routes against the embedded broker: a
# Confluent-framed invoice (produced with kcat) is validated with the contract's schema and
# enveloped without its framing, a framed invalid one and an unframed one are dead-lettered
# (schema, missing_schema_id).
#
# Usage: tests/worker/test_contract_schema_ids.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh
contract=tests/worker/contracts/schema-ids.yaml

"$build/meshgate-codegen" -o "$tmp/billing" --contract-out "$tmp/catalog" \
    --schema-set "$tmp/billing.so" "$contract" 2>"$tmp/codegen.log"
routes=$tmp/catalog/routes.yaml
# schema_id_of CHANNEL: the schema_id line of the route of channel CHANNEL ("" if none).
schema_id_of() {
    awk -v ch="channel $1" 'index($0, ch) {p = 1; next} /^  #/ {p = 0} p && /schema_id:/ {print $2}' \
        "$routes"
}
check "payload + confluent encoding: schema_id confluent" [ "$(schema_id_of _public/invoices)" = confluent ]
check "header + apicurio-new: schema_id apicurio" [ "$(schema_id_of _public/refunds)" = apicurio ]
check "a lookup strategy alone: schema_id auto" [ "$(schema_id_of _public/credits)" = auto ]
check "no binding: no schema_id (none)" [ -z "$(schema_id_of _public/plain)" ]

# broken bindings: BAD-SED DESCRIPTION EXPECTED-ERROR
bad_binding() {
    sed "$1" "$contract" >"$tmp/bad.yaml"
    local rc=0
    "$build/meshgate-codegen" -o "$tmp/bad" --contract-out "$tmp/badcat" "$tmp/bad.yaml" \
        2>"$tmp/bad.err" || rc=$?
    if [ "$rc" -ne 0 ] && grep -qF -- "$3" "$tmp/bad.err"; then ok "$2"; else
        not_ok "$2 (exit $rc)"
        sed 's/^/#   /' "$tmp/bad.err" | head -5
    fi
}
bad_binding 's/schemaIdPayloadEncoding: confluent/schemaIdPayloadEncoding: glue/' \
    "an encoding meshgate does not read fails with file, pointer, line and column" \
    "$tmp/bad.yaml: /channels/invoices/messages/InvoiceIssued/bindings/kafka/schemaIdPayloadEncoding (line 23, column 38): schemaIdPayloadEncoding \"glue\": meshgate reads confluent, apicurio-new, apicurio-legacy, 4 or 8"
bad_binding 's/schemaIdLocation: payload/schemaIdLocation: body/' \
    "an unknown schemaIdLocation fails" 'schemaIdLocation "body": header or payload'
bad_binding 's/schemaIdLocation: payload/schemaIdLocation: 4/' \
    "a schemaIdLocation that is no string fails" 'schemaIdLocation must be a string'

# ---- the worker on the generated routes
# shellcheck disable=SC2086
cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
    -o "$tmp/billing.so" "$tmp/billing.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
raw=acme.billing._private.invoices.raw out=acme.billing._public.invoices
dlq=acme.billing._private.invoices.dlq
routes_setup "$routes" 1 1
rc=0
"$build/meshgate" run --check --config "$tmp/worker.yaml" >"$tmp/check.out" 2>&1 || rc=$?
check "the generated routes pass run --check (exit $rc)" [ "$rc" -eq 0 ]
sed 's/^/# /' "$tmp/check.out"
start_worker w
put() { # KEY BYTES: one message on the invoices raw topic
    # shellcheck disable=SC2059 # \xHH escapes are the point
    printf "$2" >"$tmp/msg"
    kcat -P -b "$bootstrap" -t "$raw" -k "$1" "$tmp/msg"
}
inv='{"invoice_id":"INV-7","total":12.5}'
put good '\x00\x00\x00\x00\x2a'"$inv"
put bad '\x00\x00\x00\x00\x2a{"invoice_id":"7","total":12.5}'
put unframed "$inv"
fmt='%k\t%h\t%s\n'
timeout 60 kcat -C -b "$bootstrap" -t "$out" -o beginning -c 1 -f "$fmt" >"$tmp/out" 2>/dev/null || true
timeout 60 kcat -C -b "$bootstrap" -t "$dlq" -o beginning -c 2 -f "$fmt" >"$tmp/dlq" 2>/dev/null || true
sed 's/^/# out: /' "$tmp/out" | cat -v
sed 's/^/# dlq: /' "$tmp/dlq" | cat -v
check "a framed valid invoice is enveloped without its framing" \
    grep -qaE "^good	.*	$(printf '%s' "$inv" | sed 's/[.[]/\\&/g')\$" "$tmp/out"
check "its ce_dataschema is the contract's schema" \
    grep -qa 'ce_dataschema=urn:acme:billing:_public.invoices.InvoiceIssued,' "$tmp/out"
check "a framed invalid invoice is a schema reject at /invoice_id" \
    bash -c "grep -a '^bad	' '$tmp/dlq' | grep -q 'meshgate.reason=schema,meshgate.instance_location=/invoice_id'"
check "an unframed invoice is missing_schema_id" \
    bash -c "grep -a '^unframed	' '$tmp/dlq' | grep -q 'meshgate.reason=missing_schema_id'"
term_check "$worker_pid" "the worker"
finish
