#!/usr/bin/env bash
# test_contract_multi.sh - channels that carry several messages (issue 17 item 9), from the
# contract tests/worker/contracts/multi-message.yaml, the worker on its generated routes against
# the embedded broker:
# - payments, told apart by a const `kind` property: each valid message gets its own CloudEvents
#   type and dataschema; a bad message of one kind is dead-lettered with that message's error; a
#   kind no message has is a reject naming the property and the kinds there are;
# - chargebacks, told apart by an event-kind header (const in one message, enum in the other):
#   the same, and a message without the header is a reject naming it;
# - disputes, with no discriminator: the union, one type, and rejects that carry the closest
#   message's error (meshgate.errors: it, then the union's summary), never only "does not match
#   any of the anyOf schemas".
# HTTP ingest gives the same verdicts; meshgate dlq (and --revalidate) and meshgate validate
# --all-errors show the same errors.
#
# Usage: tests/worker/test_contract_multi.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh
contract=tests/worker/contracts/multi-message.yaml

"$build/meshgate-codegen" -o "$tmp/cards" --contract-out "$tmp/catalog" \
    --schema-set "$tmp/cards.so" "$contract" 2>"$tmp/codegen.log"
compile_so cards
d=acme.cards msgs='#/components/messages'
routes_setup "$tmp/catalog/routes.yaml" 1 1
sed -i 's/^    type: .*/&\n    dead_letter_errors: 8/' "$tmp/worker.yaml"
# payments (the first route) also takes HTTP POSTs
sed -i '0,/^    dead_letter_errors: 8$/s//&\n    ingest: on\n    auth: none/' "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"

kcat -P -b "$bootstrap" -t $d._private.payments.raw -K '|' <<'TXT'
auth|{"kind":"authorized","payment_id":"P1","amount":10}
capt|{"kind":"captured","payment_id":"P1"}
refund|{"kind":"refunded","payment_id":"P1","amount":10,"reason":"customer"}
bad_refund|{"kind":"refunded","payment_id":"P2","amount":5,"reason":"weather"}
bad_auth|{"kind":"authorized","payment_id":"P3","amount":-1}
voided|{"kind":"voided","payment_id":"P4"}
no_kind|{"payment_id":"P5"}
TXT
# chargebacks: KEY HEADER-VALUE-OR-EMPTY JSON
cb() {
    printf '%s' "$3" >"$tmp/msg"
    if [ -n "$2" ]; then
        kcat -P -b "$bootstrap" -t $d._private.chargebacks.raw -k "$1" -H "event-kind=$2" "$tmp/msg"
    else
        kcat -P -b "$bootstrap" -t $d._private.chargebacks.raw -k "$1" "$tmp/msg"
    fi
}
cb filed filed '{"payment_id":"P6"}'
cb withdrawn withdrawn '{"payment_id":"P7","note":"customer called"}'
cb bad_reversed reversed '{"payment_id":"P8"}'
cb unknown_kind lost '{"payment_id":"P9"}'
cb no_header '' '{"payment_id":"P10"}'
kcat -P -b "$bootstrap" -t $d._private.disputes.raw -K '|' <<'TXT'
opened|{"dispute_id":"D1","payment_id":"P1","amount":3}
closed|{"dispute_id":"D1","outcome":"won"}
bad_closed|{"dispute_id":"D2","outcome":"pending"}
bad_opened|{"dispute_id":"D3","payment_id":"X","amount":3}
TXT

fmt='%k\t%h\n'
consume() { # TOPIC COUNT FILE
    timeout 60 kcat -C -b "$bootstrap" -t "$1" -o beginning -c "$2" -f "$fmt" >"$3" 2>/dev/null || true
    sed "s/^/# $(basename "$3"): /" "$3"
}
# HTTP ingest, the same verdict: a capture POSTed, and an unknown kind
u=http://127.0.0.1:$port/ingest/$d._private.payments.raw
curl -sS -o /dev/null -w '%{http_code}' -XPOST -H 'content-type: application/json' \
    -d '{"kind":"captured","payment_id":"P11"}' "$u" >"$tmp/post1.code" || true
curl -sS -o "$tmp/post2.json" -w '%{http_code}' -XPOST -H 'content-type: application/json' \
    -d '{"kind":"voided","payment_id":"P12"}' "$u" >"$tmp/post2.code" || true
sed 's/^/# POST voided: /' "$tmp/post2.json"
consume $d._public.payments 4 "$tmp/pay.out"
consume $d._private.payments.dlq 4 "$tmp/pay.dlq"
consume $d._public.chargebacks 2 "$tmp/cb.out"
consume $d._private.chargebacks.dlq 3 "$tmp/cb.dlq"
consume $d._public.disputes 2 "$tmp/dis.out"
consume $d._private.disputes.dlq 2 "$tmp/dis.dlq"
# has FILE KEY TEXT: the record of KEY in FILE carries TEXT in its headers
has() { grep -a "^$2	" "$1" | grep -qF -- "$3"; }

check "payments: each kind gets its own CloudEvents type" \
    bash -c "grep -q '^auth	.*ce_type=$d.Authorized.v1,' '$tmp/pay.out' &&
             grep -q '^capt	.*ce_type=$d.Captured.v1,' '$tmp/pay.out' &&
             grep -q '^refund	.*ce_type=$d.Refunded.v1,' '$tmp/pay.out'"
check "payments: a capture POSTed to HTTP ingest gets Captured's type ($(cat "$tmp/post1.code"))" \
    bash -c "grep -q 'ce_type=$d.Captured.v1,.*ce_dataschema=urn:acme:cards:_public.payments.Captured' '$tmp/pay.out' &&
             [ \$(grep -c 'ce_type=$d.Captured.v1,' '$tmp/pay.out') -eq 2 ]"
check "payments: an unknown kind POSTed is refused with the discriminator's reason ($(cat "$tmp/post2.code"))" \
    grep -qF 'property kind \"voided\" names no message of this channel' "$tmp/post2.json"
check "payments: and its own dataschema" \
    has "$tmp/pay.out" refund "ce_dataschema=urn:acme:cards:_public.payments.Refunded,"
check "payments: a refund with a bad reason has Refunded's error at /reason" \
    has "$tmp/pay.dlq" bad_refund "meshgate.instance_location=/reason,meshgate.keyword_location=$msgs/Refunded/payload/properties/reason/enum,meshgate.message=\"weather\" is not one of [\"customer\",\"fraud\",\"duplicate\"],"
check "payments: an authorization with a negative amount has Authorized's error" \
    has "$tmp/pay.dlq" bad_auth "meshgate.instance_location=/amount,meshgate.keyword_location=$msgs/Authorized/payload/properties/amount/exclusiveMinimum,"
check "payments: only the message's own errors in meshgate.errors (no union summary)" \
    bash -c "grep -a '^bad_auth	' '$tmp/pay.dlq' | grep -q 'meshgate.errors={\"valid\":false,\"errors\":\[{[^]]*}\]}' &&
             ! grep -a '^bad_auth	' '$tmp/pay.dlq' | grep -q anyOf"
check "payments: an unknown kind is a reject naming the property and the kinds there are" \
    has "$tmp/pay.dlq" voided 'meshgate.reason=schema,meshgate.instance_location=/kind,meshgate.keyword_location=,meshgate.message=property kind "voided" names no message of this channel; expected one of "authorized", "captured", "refunded",'
check "payments: its meshgate.errors says the same, in the basic output format" \
    has "$tmp/pay.dlq" voided 'meshgate.errors={"valid":false,"errors":[{"keywordLocation":"","instanceLocation":"/kind","error":"property kind \"voided\" names no message of this channel; expected one of \"authorized\", \"captured\", \"refunded\""}]}'
check "payments: a message without kind: the union's reason, kind is required" \
    has "$tmp/pay.dlq" no_kind 'required property "kind" is missing'

check "chargebacks: the header selects the type (a const and an enum value)" \
    bash -c "grep -q '^filed	.*ce_type=$d.ChargebackFiled.v1,' '$tmp/cb.out' &&
             grep -q '^withdrawn	.*ce_type=$d.ChargebackReversed.v1,' '$tmp/cb.out'"
check "chargebacks: a reversal without its note has ChargebackReversed's error" \
    has "$tmp/cb.dlq" bad_reversed "meshgate.keyword_location=#/channels/chargebacks/messages/ChargebackReversed/payload/required,meshgate.message=required property \"note\" is missing"
check "chargebacks: an unknown header value is a reject naming the header" \
    has "$tmp/cb.dlq" unknown_kind 'meshgate.message=header event-kind "lost" names no message of this channel; expected one of "filed", "reversed", "withdrawn",'
check "chargebacks: a message without the header is a reject naming it" \
    has "$tmp/cb.dlq" no_header 'meshgate.message=header event-kind, the discriminator that tells this channel'"'"'s messages apart, is missing (or not a string); expected one of "filed", "reversed", "withdrawn",'

check "disputes (no discriminator): one type for the union" \
    test "$(grep -c "ce_type=$d.disputes.v1," "$tmp/dis.out")" -eq 2
check "disputes: a reject carries the closest message's error, not the union's summary" \
    has "$tmp/dis.dlq" bad_closed "meshgate.instance_location=/outcome,meshgate.keyword_location=#/channels/disputes/messages/DisputeClosed/payload/properties/outcome/enum,"
check "disputes: the closest by depth: a bad payment id is DisputeOpened's" \
    has "$tmp/dis.dlq" bad_opened "meshgate.instance_location=/payment_id,meshgate.keyword_location=#/channels/disputes/messages/DisputeOpened/payload/properties/payment_id/pattern,"
check "disputes: meshgate.errors lists the branch's error, then the union's summary" \
    has "$tmp/dis.dlq" bad_closed '"keywordLocation":"/anyOf","instanceLocation":"","error":"object (2 properties) does not match any of the anyOf schemas"}]}'

"$build/meshgate" dlq --brokers "$bootstrap" --topic $d._private.payments.dlq >"$tmp/dlq.txt" 2>"$tmp/dlq.err" || true
sed 's/^/# meshgate dlq: /' "$tmp/dlq.txt"
check "meshgate dlq shows the message's own error" \
    grep -qF "bad_refund $d._public.payments schema at /reason ($msgs/Refunded/payload/properties/reason/enum)" "$tmp/dlq.txt"
check "meshgate dlq shows the discriminator's reject" \
    grep -qF 'schema at /kind (): property kind "voided" names no message' "$tmp/dlq.txt"

"$build/meshgate" dlq --config "$tmp/worker.yaml" --topic $d._private.payments.dlq --replay \
    --revalidate --schemas "$tmp/cards.so" --dry-run >"$tmp/reval.txt" 2>&1 || true
sed 's/^/# revalidate: /' "$tmp/reval.txt"
check "dlq --revalidate judges by the variant, as the worker: the message's own error" \
    grep -qF "at /reason ($msgs/Refunded/payload/properties/reason/enum)" "$tmp/reval.txt"
check "dlq --revalidate: the unknown kind is still the discriminator's reject" \
    grep -qF 'property kind "voided" names no message of this channel' "$tmp/reval.txt"

printf '%s\n' '{"dispute_id":"D2","outcome":"pending"}' >"$tmp/in.ndjson"
"$build/meshgate" validate --schemas "$tmp/cards.so" --schema $d._public.disputes --all-errors "$tmp/in.ndjson" \
    >"$tmp/validate.txt" 2>&1 || true
sed 's/^/# validate: /' "$tmp/validate.txt"
check "validate --all-errors: the closest message's error, then the union's summary" \
    bash -c "grep -A1 -F '/outcome: \"pending\" is not one of' '$tmp/validate.txt' | grep -qF '(root): object (2 properties) does not match any of the anyOf schemas (anyOf)'"
term_check "$worker_pid" "the worker"
finish
