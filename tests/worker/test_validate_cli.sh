#!/usr/bin/env bash
# test_validate_cli.sh - `meshgate validate` end to end: compiled schema set, NDJSON files
# (including ones that span many io_uring read chunks), stdin, exit codes and reasons.
#
# Usage: tests/worker/test_validate_cli.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
tap() { # tap OK|FAIL description
    n=$((n + 1))
    if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
check() { # check description command...
    local d=$1
    shift
    if "$@"; then tap OK "$d"; else tap FAIL "$d"; fi
}

"$build/meshgate-codegen" -o "$tmp/identity" examples/identity/identity.schema.json
cc -std=c11 -O2 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator -o "$tmp/identity.so" \
    "$tmp/identity.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
mg() { "$build/meshgate" validate --schemas "$tmp/identity.so" --schema identity "$@"; }

set +e
mg examples/identity/sample.ndjson >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
check "sample: exit status 1 when lines are rejected" [ "$rc" -eq 1 ]
want=(
    "sample.ndjson:3: /Age: 140 is not less than 130 (exclusiveMaximum)"
    "sample.ndjson:4: /first: \"edsger\" does not match pattern ^[A-Z] (pattern)"
    "sample.ndjson:5: (root): required property \"Last\" is missing (required)"
    "sample.ndjson:6: /Age: \"eighty\" is not of type number (type)"
    "sample.ndjson:7: (root): malformed JSON"
    "sample.ndjson:8: (root): empty message (empty)"
    "sample.ndjson:11: (root): number out of range"
    "sample.ndjson:12: (root): invalid UTF-8"
)
for w in "${want[@]}"; do
    check "sample: reports '$w'" grep -qF "$w" "$tmp/out"
done
check "sample: valid lines are not reported" bash -c "! grep -qE ':(1|2|10): ' '$tmp/out'"
check "sample: summary counts" grep -qF "12 lines, 3 valid, 9 rejected" "$tmp/err"

# Large file: many 4 MiB read chunks, so lines straddle chunk boundaries.
"$build/bench/gen-identity" --seed 3 --count 200000 --invalid-fraction 0 >"$tmp/big.ndjson"
set +e
mg --quiet "$tmp/big.ndjson" 2>"$tmp/err"
rc=$?
set -e
check "28 MB all-valid file: exit 0" [ "$rc" -eq 0 ]
check "28 MB all-valid file: every line counted once" grep -qF "200000 lines, 200000 valid, 0 rejected" "$tmp/err"
"$build/bench/gen-identity" --seed 5 --count 100000 --invalid-fraction 0.25 >"$tmp/mixed.ndjson"
set +e
mg --quiet "$tmp/mixed.ndjson" 2>"$tmp/err1"
mg --quiet - <"$tmp/mixed.ndjson" 2>"$tmp/err2"
set -e
check "file (io_uring) and stdin (read) give the same counts" \
    [ "$(cut -d' ' -f1-7 "$tmp/err1")" = "$(cut -d' ' -f1-7 "$tmp/err2")" ]

# A line over --max-bytes is a reject, not a crash, and reading goes on after it.
{
    echo '{"first": "Ada", "Last": "Lovelace"}'
    printf '{"first": "%s", "Last": "X"}\n' "$(head -c 5000 /dev/zero | tr '\0' A)"
    echo '{"first": "Alan", "Last": "Turing"}'
} >"$tmp/long.ndjson"
set +e
mg --max-bytes 1024 "$tmp/long.ndjson" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
check "oversize line: exit 1, reported as too_large" grep -qF "long.ndjson:2: (root): message larger" "$tmp/out"
check "oversize line: the lines after it are still read" grep -qF "3 lines, 2 valid, 1 rejected" "$tmp/err"

set +e
mg --schema nosuch examples/identity/sample.ndjson 2>"$tmp/err" >/dev/null
rc=$?
"$build/meshgate" validate --schemas "$tmp/nope.so" --schema identity </dev/null 2>"$tmp/err2"
rc2=$?
set -e
check "unknown schema name: exit 2, names it and lists the set" \
    bash -c "[ $rc -eq 2 ] && grep -q 'no schema named nosuch' '$tmp/err' && grep -q identity '$tmp/err'"
check "missing schema set: exit 2 with the path" bash -c "[ $rc2 -eq 2 ] && grep -q 'nope.so' '$tmp/err2'"
[ "$fails" -eq 0 ]
