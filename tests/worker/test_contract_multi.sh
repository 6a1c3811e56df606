#!/usr/bin/env bash
# test_contract_multi.sh - a channel that carries several messages (issue 17 item 9): the
# contract tests/worker/contracts/multi-message.yaml gates one channel by the union of three
# messages. The worker runs on the generated routes against the embedded broker: valid
# messages of each kind are forwarded; a reject's flat headers (and dead_letter_errors'
# meshgate.errors) carry the closest message's error - the one whose kind matched, else the
# one with the fewest errors - with its place in the contract, never only "does not match any
# of the anyOf schemas"; meshgate dlq and meshgate validate --all-errors show the same.
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
raw=acme.cards._private.payments.raw out=acme.cards._public.payments
dlq=acme.cards._private.payments.dlq
msgs='#/components/messages'
routes_setup "$tmp/catalog/routes.yaml" 1 1
sed -i 's/^    type: .*/&\n    dead_letter_errors: 8/' "$tmp/worker.yaml"
start_worker w

cat >"$tmp/in.txt" <<'TXT'
auth|{"kind":"authorized","payment_id":"P1","amount":10}
capt|{"kind":"captured","payment_id":"P1"}
refund|{"kind":"refunded","payment_id":"P1","amount":10,"reason":"customer"}
bad_refund|{"kind":"refunded","payment_id":"P2","amount":5,"reason":"weather"}
bad_auth|{"kind":"authorized","payment_id":"P3","amount":-1}
unknown|{"kind":"voided","payment_id":"P4"}
number|5
TXT
kcat -P -b "$bootstrap" -t "$raw" -K '|' <"$tmp/in.txt"
fmt='%k\t%h\n'
timeout 60 kcat -C -b "$bootstrap" -t "$out" -o beginning -c 3 -f '%k\n' >"$tmp/out" 2>/dev/null || true
timeout 60 kcat -C -b "$bootstrap" -t "$dlq" -o beginning -c 4 -f "$fmt" >"$tmp/dlq" 2>/dev/null || true
sed 's/^/# dlq: /' "$tmp/dlq"
check "the valid message of each kind is forwarded (3)" \
    test "$(sort "$tmp/out" | tr '\n' ' ')" = "auth capt refund "
# has KEY TEXT: the dead letter of KEY carries TEXT in its headers
has() { grep -a "^$1	" "$tmp/dlq" | grep -qF -- "$2"; }
check "a refund with a bad reason: Refunded's error at /reason, not the union's summary" \
    has bad_refund "meshgate.instance_location=/reason,meshgate.keyword_location=$msgs/Refunded/payload/properties/reason/enum"
check "its message says what is wrong with the value" \
    has bad_refund '"weather" is not one of ["customer","fraud","duplicate"]'
check "an authorization with a negative amount: Authorized's error at /amount" \
    has bad_auth "meshgate.instance_location=/amount,meshgate.keyword_location=$msgs/Authorized/payload/properties/amount/exclusiveMinimum"
check "a kind no message has: the closest message (fewest errors) says what kind it wants" \
    has unknown "meshgate.instance_location=/kind,meshgate.keyword_location=$msgs/Captured/payload/properties/kind/const"
check "a number: the first message's type error" \
    has number "meshgate.keyword_location=$msgs/Authorized/payload/type"
check "meshgate.errors lists the branch's error, then the union's summary under it" \
    has bad_refund '"keywordLocation":"/anyOf","instanceLocation":"","error":"object (4 properties) does not match any of the anyOf schemas"'
check "no dead letter's flat reason is only the union's summary" \
    bash -c "! grep -a 'meshgate.keyword_location=#/anyOf,' '$tmp/dlq'"

"$build/meshgate" dlq --brokers "$bootstrap" --topic "$dlq" >"$tmp/dlq.txt" 2>"$tmp/dlq.err" || true
sed 's/^/# meshgate dlq: /' "$tmp/dlq.txt"
check "meshgate dlq shows the closest message's error" \
    grep -qF "at /reason ($msgs/Refunded/payload/properties/reason/enum)" "$tmp/dlq.txt"

cut -d'|' -f2- "$tmp/in.txt" >"$tmp/in.ndjson"
"$build/meshgate" validate --schemas "$tmp/cards.so" --schema "$out" --all-errors "$tmp/in.ndjson" \
    >"$tmp/validate.txt" 2>&1 || true
sed 's/^/# validate: /' "$tmp/validate.txt"
check "validate --all-errors: the closest message's error, then the summary" \
    grep -A1 -F '/reason: "weather" is not one of' "$tmp/validate.txt" | grep -qF '(root): object (4 properties) does not match any of the anyOf schemas (anyOf)'
term_check "$worker_pid" "the worker"
finish
