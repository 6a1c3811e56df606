#!/usr/bin/env bash
# test_discriminator.sh - TAP tests of the discriminator meshgate-codegen finds for a channel
# that carries several messages (issue 17 item 9; cg_discriminator.c).
#
# Usage: tests/codegen/test_discriminator.sh BUILD_DIR [--update]
# Design: tests/codegen/discriminator/cases.yaml has one channel per case: a property found by
# const (one through $refs), by enum (the first property that tells the messages apart, each
# message's type with its own major version), by header (the messages' headers schemas), by
# identity (x-message-header: the messages' names and messageIds in a header), and
# none where values overlap, the property is not required in one message, missing from one, or
# not a string. The generated routes.yaml and catalog.json (each message's own CloudEvents
# type) are diffed against discriminator/*.expected.* (golden; --update rewrites them), each
# case is checked on its own, the routes pass
# `meshgate run --check` with the compiled set (every variant's schema found), and a variant
# naming a schema the set lacks fails the check with the file, line and key.
set -euo pipefail

# shellcheck source=tests/codegen/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
dir=tests/codegen/discriminator
out=$tmp/out

if "$codegen" -o "$tmp/cases" --so "$tmp/cases.so" --contract-out "$out" \
    --schema-set /opt/meshgate/cases.so --catalog /opt/meshgate/catalog \
    "$dir/cases.yaml" 2>"$tmp/err"; then
    ok "the cases compile"
else
    not_ok "the cases compile"
fi
for f in routes.yaml catalog.json; do
    want=$dir/${f%.*}.expected.${f##*.}
    [ "$update" = --update ] && cp "$out/$f" "$want"
    if diff -u "$want" "$out/$f" >"$tmp/err" 2>&1; then
        ok "golden: $f"
    else
        not_ok "golden: $f differs from $want"
    fi
done

# route CHANNEL: the generated route of channel CHANNEL, from its comment to the next
route() {
    awk -v ch="channel $1" '$0 ~ /^  #/ {p = index($0, ch) > 0} p' "$out/routes.yaml"
}
# case CHANNEL DESCRIPTION TEXT...: the route of CHANNEL has every TEXT line
case_has() {
    local ch=$1 what=$2 t
    shift 2
    route "$ch" >"$tmp/route"
    for t in "$@"; do
        if ! grep -qxF -- "$t" "$tmp/route"; then
            cp "$tmp/route" "$tmp/err"
            not_ok "$what (no line: $t)"
            return
        fi
    done
    ok "$what"
}
case_none() { # CHANNEL DESCRIPTION: the route of CHANNEL has no discriminator
    route "$1" >"$tmp/err"
    if grep -qE '^    (discriminator|variants):' "$tmp/err"; then not_ok "$2"; else ok "$2"; fi
}
case_has _public/by-const "by const: property kind, a message's const through \$refs" \
    '    discriminator: "property:kind"' \
    '      - values: ["b"]' \
    '        schema: "acme.cases._public.by-const.B"' \
    '        type: "acme.cases.B.v2"'
case_has _public/by-enum "by enum: property size (type has one value in both), Large's own major version" \
    '    discriminator: "property:size"' \
    '      - values: ["xs", "s"]' \
    '      - values: ["l", "xl", "xxl"]' \
    '        type: "acme.cases.Large.v3"'
case_has _public/by-header "by header: ce_type in the headers schemas (one through a \$ref)" \
    '    discriminator: "header:ce_type"' \
    '      - values: ["acme.created"]' \
    '      - values: ["acme.deleted", "acme.purged"]'
case_has _public/by-identity "by identity: x-message-header names the header, each message's name and messageId its values" \
    '    discriminator: "header:ce_type"' \
    '      - values: ["Joined", "member.joined"]' \
    '      - values: ["Left"]'
case_none _public/overlapping "a value two messages share: no discriminator, the union"
case_none _public/not-required "a property one message does not require: no discriminator"
case_none _public/missing "a property one message lacks: no discriminator"
case_none _public/numbers "values that are not strings: no discriminator"

# the union carries the discriminator too (OpenAPI's form): a large box with a bad weight is
# explained by Large, though Small's error (its size enum) is as deep and Small comes first
printf '%s\n' '{"type":"box","size":"xl","weight":"heavy"}' >"$tmp/box.ndjson"
"$meshgate" validate --schemas "$tmp/cases.so" --schema acme.cases._public.by-enum \
    "$tmp/box.ndjson" >"$tmp/err" 2>&1 || true
if grep -qF 'box.ndjson:1: /weight: "heavy" is not of type number (type)' "$tmp/err"; then
    ok "the union's rejects are explained by the message its discriminator names"
else
    not_ok "the union's rejects are explained by the message its discriminator names"
fi

sed -e "s#/opt/meshgate/cases.so#$tmp/cases.so#" -e "s#/opt/meshgate/catalog#$out#" \
    "$out/routes.yaml" >"$tmp/routes.yaml"
if MESHGATE_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 "$meshgate" run --config "$tmp/routes.yaml" \
    --check >"$tmp/err" 2>&1; then
    ok "the routes pass meshgate run --check (every variant's schema is in the set)"
else
    not_ok "the routes pass meshgate run --check"
fi
sed 's/schema: "acme.cases._public.by-header.Deleted"/schema: "acme.cases.nope"/' \
    "$tmp/routes.yaml" >"$tmp/bad.yaml"
line=$(grep -n 'acme.cases.nope' "$tmp/bad.yaml" | cut -d: -f1)
rc=0
MESHGATE_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 "$meshgate" run --config "$tmp/bad.yaml" --check \
    >"$tmp/err" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] && grep -qF "$tmp/bad.yaml:$((line - 1)): routes[2].variants[1].schema: no schema named \"acme.cases.nope\"" "$tmp/err"; then
    ok "a variant's schema the set lacks fails the check with file, line and key"
else
    not_ok "a variant's schema the set lacks fails the check with file, line and key (exit $rc)"
fi
[ "$failed" -eq 0 ]
