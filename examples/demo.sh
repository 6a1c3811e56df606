#!/usr/bin/env bash
# demo.sh - what `make demo` runs until the Kafka worker exists: compile the identity schema,
# build it into a shared object, and validate a sample NDJSON file with `meshgate validate`.
#
# Usage: examples/demo.sh BUILD_DIR. Leaves its output under BUILD_DIR/demo.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$build/demo
mkdir -p "$out"

echo "== 1. compile the identity schema to C"
"$build/meshgate-codegen" -o "$out/identity" examples/identity/identity.schema.json
echo "   $out/identity.c: $(grep -c '^static bool mgv_' "$out/identity.c") schema functions"

echo "== 2. build it into a shared object meshgate loads at start"
cc -std=c11 -O2 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator -o "$out/identity.so" \
    "$out/identity.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
echo "   $out/identity.so"

echo "== 3. validate examples/identity/sample.ndjson: each line, valid or rejected with its reason"
set +e
"$build/meshgate" validate --show-valid --schemas "$out/identity.so" --schema identity \
    examples/identity/sample.ndjson
rc=$?
set -e
echo "   meshgate validate exited with $rc (1: some lines were rejected, as this sample intends)"
[ "$rc" -eq 1 ]
