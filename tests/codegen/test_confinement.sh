#!/usr/bin/env bash
# test_confinement.sh - codegen reads only regular files inside the folders it was given.
#
# Usage: tests/codegen/test_confinement.sh BUILD_DIR
# Design: a scratch tree holds an input folder (in/), a folder beside it (outside/), a --map
# folder (mapped/) and odd files: a FIFO, a sparse file over the size limit, symbolic links
# leading in and out. References ($ref, $schema) that leave the allowed folders - by "..",
# by a file: URI, through a symbolic link, to /etc/passwd or /dev/zero - must fail with exit
# 1, an error naming the schema file and JSON Pointer, nothing written and nothing of the
# named file's content in the message; a FIFO, a device and an oversized file must be
# refused (not read, not waited on: each run has a 20 s timeout) even where reading is
# allowed; references inside the folders keep working.
# shellcheck disable=SC2016
set -euo pipefail

# shellcheck source=tests/codegen/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

mkdir -p "$tmp/in/sub" "$tmp/outside" "$tmp/mapped" "$tmp/out"
echo '{"type": "string"}' >"$tmp/outside/x.json"
echo '{"type": "string"}' >"$tmp/in/sub/inner.json"
echo '{"type": "string"}' >"$tmp/mapped/m.json"
mkfifo "$tmp/in/fifo.json"
truncate -s 65M "$tmp/in/big.json"
ln -s ../outside/x.json "$tmp/in/escape.json"
ln -s sub/inner.json "$tmp/in/inlink.json"

# run NAME JSON [OPTIONS...]: writes in/NAME.json and runs codegen on it (stderr in $tmp/err).
run() {
    local name=$1 json=$2
    shift 2
    printf '%s\n' "$json" >"$tmp/in/$name.json"
    rc=0
    timeout 20 "$codegen" -o "$tmp/out/$name" "$@" "$tmp/in/$name.json" >/dev/null 2>"$tmp/err" || rc=$?
}

# refused NAME JSON POINTER WHY [OPTIONS...]: exit 1, "in/NAME.json: POINTER: ...WHY", nothing
# written, no line of /etc/passwd in the output.
refused() {
    local name=$1 json=$2 ptr=$3 why=$4
    shift 4
    run "$name" "$json" "$@"
    if [ "$rc" -eq 1 ] && grep -Eq -- "in/$name.json: $ptr: .*$why" "$tmp/err" &&
        [ ! -e "$tmp/out/$name.c" ] && ! grep -q 'root:' "$tmp/err"; then
        ok "$name: refused with exit 1 at $ptr ($why), nothing written"
    else
        not_ok "$name: refused with exit 1 at $ptr ($why), nothing written (exit $rc)"
    fi
}

# accepted NAME JSON [OPTIONS...]: exit 0 and C written.
accepted() {
    local name=$1 json=$2
    shift 2
    run "$name" "$json" "$@"
    if [ "$rc" -eq 0 ] && [ -s "$tmp/out/$name.c" ]; then
        ok "$name: compiles (exit 0)"
    else
        not_ok "$name: compiles (exit $rc)"
    fi
}

outside='outside the folders codegen reads'
refused dotdot '{"$ref": "../outside/x.json"}' '/\$ref' "$outside"
refused file_uri "{\"properties\": {\"a\": {\"\$ref\": \"file://$tmp/outside/x.json\"}}}" \
    '/properties/a/\$ref' "$outside"
refused passwd '{"$ref": "file:///etc/passwd"}' '/\$ref' "$outside"
refused passwd_schema '{"$schema": "file:///etc/passwd", "type": "string"}' '/\$schema' "$outside"
refused dev_zero '{"$ref": "/dev/zero"}' '/\$ref' "$outside"
refused symlink_out '{"$ref": "escape.json"}' '/\$ref' 'symbolic link outside the folders'
refused to_fifo '{"$ref": "fifo.json"}' '/\$ref' 'no schema at'
if grep -q 'fifo.json: not a regular file (a FIFO)' "$tmp/err"; then
    ok "to_fifo: the FIFO is named and not read"
else
    not_ok "to_fifo: the FIFO is named and not read"
fi
refused too_big '{"$ref": "big.json"}' '/\$ref' 'no schema at'
if grep -q 'big.json: larger than 67108864 bytes' "$tmp/err"; then
    ok "too_big: a 65 MiB file is refused by its size, not read"
else
    not_ok "too_big: a 65 MiB file is refused by its size, not read"
fi
refused mapped_device '{"$ref": "http://example.com/dev/zero"}' '/\$ref' 'no schema at' \
    --map "http://example.com/dev/=/dev/"
if grep -q '/dev/zero: not a regular file (a character device)' "$tmp/err"; then
    ok "mapped_device: /dev/zero in a --map folder is refused as a device, not read"
else
    not_ok "mapped_device: /dev/zero in a --map folder is refused as a device, not read"
fi
refused mapped_dotdot '{"$ref": "http://example.com/s/..%2F..%2Foutside/x.json"}' '/\$ref' \
    'no schema at' --map "http://example.com/s/=$tmp/mapped/"

accepted inside '{"properties": {"a": {"$ref": "sub/inner.json"}, "b": {"$ref": "inlink.json"}}}'
accepted mapped '{"$ref": "http://example.com/s/m.json"}' --map "http://example.com/s/=$tmp/mapped/"
# A folder given whole: a file in one of its subfolders may refer to a sibling subfolder.
mkdir -p "$tmp/whole/a" "$tmp/whole/b"
echo '{"$ref": "../b/y.schema.json"}' >"$tmp/whole/a/x.schema.json"
echo '{"type": "integer"}' >"$tmp/whole/b/y.schema.json"
rc=0
timeout 20 "$codegen" -o "$tmp/out/whole" "$tmp/whole" >/dev/null 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 0 ]; then
    ok "a folder given whole: references between its subfolders resolve"
else
    not_ok "a folder given whole: references between its subfolders resolve (exit $rc)"
fi

# Inputs themselves: only regular files.
for input in "$tmp/in/fifo.json" /dev/zero; do
    rc=0
    timeout 20 "$codegen" -o "$tmp/out/input" "$input" >/dev/null 2>"$tmp/err" || rc=$?
    if [ "$rc" -eq 1 ] && grep -q "not a regular file" "$tmp/err" && [ ! -e "$tmp/out/input.c" ]; then
        ok "input $input: refused as not a regular file, exit 1"
    else
        not_ok "input $input: refused as not a regular file, exit 1 (exit $rc)"
    fi
done
echo "1..$n"
exit "$failed"
