#!/usr/bin/env bash
# test_validate_hostile.sh - `meshgate validate` on hostile messages (issue 13, items 2, 5 and
# 7, "also check"): a 100 MB line, a million keys, nesting 100000 deep, numbers beyond every
# range, each class of invalid UTF-8, NUL bytes, a BOM, reasons carrying control characters,
# and a message that cannot be checked within its work budget.
#
# Usage: tests/worker/test_validate_hostile.sh BUILD_DIR. Prints TAP lines.
# Design: every case is a reject with a clear reason (or valid), one output line per reject,
# in bounded time (each run has a timeout, so a hang fails) and memory (peak resident set
# measured by /usr/bin/time, against a bound proportional to --max-bytes). Speed is not
# asserted here; bench/ measures it.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh # $tmp, check (no broker or worker is started here)

mkdir -p "$tmp/schemas"
cat >"$tmp/schemas/ints.json" <<'EOF'
{"type": "array", "items": {"type": "integer", "minimum": 0}}
EOF
cat >"$tmp/schemas/text.json" <<'EOF'
{"type": "string", "pattern": "^a*$"}
EOF
cat >"$tmp/schemas/keys.json" <<'EOF'
{"type": "object", "propertyNames": {"pattern": "^k[0-9]+$"},
 "additionalProperties": {"type": "integer"}}
EOF
cat >"$tmp/schemas/reasons.json" <<'EOF'
{"$schema": "https://json-schema.org/draft/2020-12/schema",
 "properties": {"\u001b[31mred": {"type": "integer"}, "code": {"pattern": "^a\nb$"},
                "maximum": {"type": "string"}},
 "dependentRequired": {"polynomial_names": ["x"]}}
EOF
cat >"$tmp/schemas/tree.json" <<'EOF'
{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/tree",
 "$dynamicAnchor": "node",
 "oneOf": [{"items": {"$dynamicRef": "#node"}}, {"items": {"$dynamicRef": "#node"}, "minItems": 1}]}
EOF
"$build/meshgate-codegen" -o "$tmp/set" "$tmp/schemas"
# shellcheck disable=SC2086
cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
    -o "$tmp/set.so" "$tmp/set.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm

# mg SCHEMA FILE [OPTIONS...]: validate, output in $tmp/out, summary in $tmp/err, peak RSS
# (KB) in $tmp/rss, exit status in $rc
mg() {
    local schema=$1 file=$2
    shift 2
    rc=0
    timeout 600 /usr/bin/time -f %M -o "$tmp/rss" "$build/meshgate" validate \
        --schemas "$tmp/set.so" --schema "$schema" "$@" "$file" >"$tmp/out" 2>"$tmp/err" || rc=$?
    sed 's/^/# /' "$tmp/err"
}
has() { grep -qF -- "$1" "$tmp/out"; }
rss() { tail -n 1 "$tmp/rss"; }
# ThreadSanitizer keeps shadow memory for every byte the program touches (several times its
# size): the bounds are four times as large in a TSan build. (grep reads all of nm's output: with
# -q it can stop first, and pipefail turns nm's SIGPIPE into "not a TSan build".)
mem_scale=1
if nm "$build/meshgate" 2>/dev/null | grep ' __tsan_init$' >/dev/null; then mem_scale=4; fi
rss_below_mb() { [ "$(rss)" -lt $(($1 * 1024 * mem_scale)) ]; }

# A 100 MB line: 50 million integers.
python3 -c "import sys; n = 50_000_000; sys.stdout.write('[' + '0,' * (n - 1) + '0]\n')" >"$tmp/big.ndjson"
mg ints "$tmp/big.ndjson" --max-bytes 120000000
check "100 MB line, --max-bytes 120000000: valid (status $rc)" test "$rc" -eq 0
check "100 MB line: peak memory $(rss) KB, below 20 times --max-bytes (x$mem_scale)" rss_below_mb 2400
mg ints "$tmp/big.ndjson"
check "100 MB line, default --max-bytes: rejected as too_large" has "(root): message larger than the configured maximum (too_large)"
check "100 MB line, default --max-bytes: peak memory $(rss) KB, below $((64 * mem_scale)) MB" rss_below_mb 64
# the same line with its last item taken out: the byte where it went wrong
python3 -c "import sys; n = 50_000_000; sys.stdout.write('[' + '0,' * (n - 1) + ']\n')" >"$tmp/big.ndjson"
mg ints "$tmp/big.ndjson" --max-bytes 120000000
check "100 MB malformed line: the byte where it went wrong and what was expected" \
    has "(root): malformed JSON at byte 99999999: expected a value, found ']' (syntax)"
python3 -c "import sys; sys.stdout.write('\"' + 'a' * 99_999_990 + 'b\"\n')" >"$tmp/big.ndjson"
mg text "$tmp/big.ndjson" --max-bytes 120000000
check "100 MB string against a pattern: rejected with the value cut short" \
    bash -c "grep -qE '^[^:]*:1: \\(root\\): \"a{64}...\" does not match pattern \\^a\\*\\$ \\(pattern\\)$' '$tmp/out'"
rm -f "$tmp/big.ndjson"

# A million keys, and one that propertyNames refuses.
python3 -c "
import sys
keys = ','.join('\"k%d\":%d' % (k, k) for k in range(1_000_000))
sys.stdout.write('{' + keys + '}\n{' + keys + ',\"x\":1}\n')" >"$tmp/keys.ndjson"
mg keys "$tmp/keys.ndjson" --max-bytes 20000000
check "a million keys: the valid one passes, the other names its key" \
    bash -c "grep -q '2 lines, 1 valid, 1 rejected' '$tmp/err' &&
             grep -qF ':2: /x: \"x\" does not match pattern ^k[0-9]+\$ (pattern)' '$tmp/out'"

# Nesting 100000 deep, numbers, UTF-8, NUL bytes, a BOM: one line each.
{
    python3 -c "print('[' * 100000 + ']' * 100000)"
    printf '%s\n' '1e999999' '-1e999999' '[123456789012345678901234567890]' '[1e-999999]'
    printf '"\xc0\xaf"\n"\xed\xa0\x80"\n"\xf4\x90\x80\x80"\n"\xe2\x82"\n"\x80"\n"\xfe"\n"\xff"\n'
    printf '["a\0b"]\n[1,\0 2]\n\xef\xbb\xbf[]\n'
    printf '%s\n' 'xyz{"a":1}'
} >"$tmp/small.ndjson"
mg ints "$tmp/small.ndjson"
sed 's/^/# /' "$tmp/out"
check "16 lines, 1 valid, 15 rejects, one output line each" \
    bash -c "grep -q '16 lines, 1 valid, 15 rejected' '$tmp/err' && [ \$(wc -l <'$tmp/out') -eq 15 ]"
for want in \
    ":1: (root): nested deeper than the configured limit at byte 256: this '[' opens level 257; the limit is 256 (depth)" \
    ":2: (root): number out of range (beyond 64-bit integers or double) or malformed at byte 0: a number beyond the range of a double" \
    ":3: (root): number out of range (beyond 64-bit integers or double) or malformed at byte 0: a number beyond the range of a double" \
    ":4: (root): number out of range (beyond 64-bit integers or double) or malformed at byte 1: an integer beyond the 64-bit range" \
    ":6: (root): invalid UTF-8 at byte 1: byte 0xc0: an overlong encoding (utf8)" \
    ":7: (root): invalid UTF-8 at byte 1: byte 0xed: a UTF-16 surrogate" \
    ":8: (root): invalid UTF-8 at byte 1: byte 0xf4: a code point beyond U+10FFFF (utf8)" \
    ":9: (root): invalid UTF-8 at byte 1: byte 0xe2: a truncated sequence" \
    ":10: (root): invalid UTF-8 at byte 1: byte 0x80: a continuation byte without a lead byte (utf8)" \
    ":11: (root): invalid UTF-8 at byte 1: byte 0xfe: byte 0xfe or 0xff, which UTF-8 never uses (utf8)" \
    ":12: (root): invalid UTF-8 at byte 1: byte 0xff" \
    ":13: (root): bad escape or unescaped control character in a string at byte 3: unescaped control character 0x00 in a string (string)" \
    ":14: (root): malformed JSON at byte 3: expected a value, found byte 0x00 (syntax)" \
    ":15: (root): malformed JSON at byte 0: expected a JSON value, found a UTF-8 byte order mark" \
    ":16: (root): malformed JSON at byte 0: expected a JSON value, found 'x' (syntax)"; do
    check "reports '${want#:}'" has "$want"
done

# Reasons with control characters stay on one line; keywords are keywords.
printf '%s\n' '{"\u001b[31mred": "x"}' '{"code": "a\rb"}' '{"polynomial_names": 1}' \
    '{"maximum": 5}' >"$tmp/reasons.ndjson"
mg reasons "$tmp/reasons.ndjson" --all-errors
sed 's/^/# /' "$tmp/out"
check "reasons: one line per reject, no control byte" \
    bash -c "[ \$(wc -l <'$tmp/out') -eq 4 ] && ! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' '$tmp/out'"
check "reasons: the key with ESC escaped" has ':1: /\x1b[31mred: "x" is not of type integer (type)'
check "reasons: CR and the newline of the pattern escaped" has ':2: /code: "a\rb" does not match pattern ^a\nb$ (pattern)'
check "reasons: dependentRequired named as the keyword" \
    has ':3: (root): property polynomial_names requires x, which is missing (dependentRequired)'
check "reasons: a property named maximum does not change the keyword" \
    has ':4: /maximum: 5 is not of type string (type)'

# A message the budget cuts: reason limit, counted in the summary.
python3 -c "print('[' * 4 + ']' * 4); print('[' * 40 + ']' * 40)" >"$tmp/tree.ndjson"
mg tree "$tmp/tree.ndjson"
check "recursive \$dynamicRef 40 deep: rejected as limit, in the summary" \
    bash -c "grep -qF '2 lines, 0 valid, 2 rejected (1 schema, 1 limit)' '$tmp/err' &&
             grep -qF 'could not be checked: out of validation steps (max_steps) (limit)' '$tmp/out'"
echo "1..$n"
[ "$fails" -eq 0 ]
