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

# A CRLF line of exactly --max-bytes bytes is judged by its content wherever reads split it:
# here the 4 MiB read boundary (io_uring) falls between its CR and LF, and through a pipe the
# writer pauses between the two. One byte more is too_large in both cases.
crlf_file() { # crlf_file OUT LEN: filler lines, then a valid line of LEN bytes whose CR is
    # the last byte of the first 4 MiB, then two more lines; every line ends in CRLF
    python3 - "$1" "$2" <<'PY'
import sys
out, n = sys.argv[1], int(sys.argv[2])
def obj(length):  # a valid identity object of exactly length bytes
    head, tail = '{"first": "Ada", "Last": "Lovelace"', '}'
    return head + ' ' * (length - len(head) - len(tail)) + tail
prefix = 4 * 1024 * 1024 - 1 - n  # bytes before the line
lines = [obj(998)] * (prefix // 1000)
rest = prefix - 1000 * len(lines)
if rest:
    lines.append(obj(rest - 2))
data = ''.join(l + '\r\n' for l in lines)
assert len(data) == prefix
with open(out, 'w', newline='') as f:
    f.write(data + obj(n) + '\r\n' + obj(100) + '\r\n' + obj(200) + '\r\n')
print(len(lines) + 3)
PY
}
slow_pipe() { # slow_pipe FILE: writes FILE to stdout, pausing between the CR and the LF
    # that end at the 4 MiB mark
    python3 - "$1" <<'PY'
import sys, time
data = open(sys.argv[1], 'rb').read()
cut = 4 * 1024 * 1024
out = sys.stdout.buffer
out.write(data[:cut]); out.flush(); time.sleep(0.5)
out.write(data[cut:]); out.flush()
PY
}
lines=$(crlf_file "$tmp/crlf.ndjson" 1000)
set +e
mg --quiet --max-bytes 1000 "$tmp/crlf.ndjson" 2>"$tmp/err"
rc=$?
slow_pipe "$tmp/crlf.ndjson" | mg --quiet --max-bytes 1000 - 2>"$tmp/err2"
rc2=$?
set -e
check "CRLF line of exactly --max-bytes, read boundary between CR and LF (file): valid ($(head -c 60 "$tmp/err"))" \
    bash -c "[ $rc -eq 0 ] && grep -qF '$lines lines, $lines valid, 0 rejected' '$tmp/err'"
check "CRLF line of exactly --max-bytes, a read ending between CR and LF (pipe): valid ($(head -c 60 "$tmp/err2"))" \
    bash -c "[ $rc2 -eq 0 ] && grep -qF '$lines lines, $lines valid, 0 rejected' '$tmp/err2'"
lines=$(crlf_file "$tmp/crlf2.ndjson" 1001)
set +e
mg --max-bytes 1000 "$tmp/crlf2.ndjson" >"$tmp/out" 2>"$tmp/err"
slow_pipe "$tmp/crlf2.ndjson" | mg --max-bytes 1000 - >"$tmp/out2" 2>"$tmp/err2"
set -e
check "a CRLF line one byte over --max-bytes at the same place: too_large, in a file and a pipe" \
    bash -c "grep -qF '1 rejected (1 too_large)' '$tmp/err' && grep -qF '1 rejected (1 too_large)' '$tmp/err2' &&
             [ \$(grep -c 'message larger' '$tmp/out') -eq 1 ] && [ \$(grep -c 'message larger' '$tmp/out2') -eq 1 ]"

# Memory follows what is read, not --max-bytes: peak RSS (getrusage of the child) to validate
# '{}' with a 1 GiB limit, and a 3 MB line with the same limit.
peak_kb() { # peak_kb COMMAND...: runs it (stdout/stderr dropped), prints its peak RSS in KiB
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
echo '{}' >"$tmp/tiny.ndjson"
python3 -c 'print("{\"first\": \"Ada\", \"Last\": \"" + "L" * 3000000 + "\"}")' >"$tmp/big_line.ndjson"
so_args=(--schemas "$tmp/identity.so" --schema identity --max-bytes 1073741824)
kb_tiny=$(peak_kb "$build/meshgate" validate "${so_args[@]}" "$tmp/tiny.ndjson")
kb_big=$(peak_kb "$build/meshgate" validate "${so_args[@]}" "$tmp/big_line.ndjson")
mg --max-bytes 1073741824 "$tmp/big_line.ndjson" >/dev/null 2>"$tmp/err" && rc=0 || rc=$?
echo "# peak RSS with --max-bytes 1GiB: {} $kb_tiny KiB, a 3 MB line $kb_big KiB"
check "--max-bytes 1GiB to validate {}: peak RSS under 200 MiB (got $kb_tiny KiB)" \
    test "$kb_tiny" -lt 204800
check "--max-bytes 1GiB, one 3 MB line: validated (exit 0) with peak RSS under 300 MiB (got $kb_big KiB)" \
    bash -c "[ $rc -eq 0 ] && [ $kb_big -lt 307200 ]"

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
