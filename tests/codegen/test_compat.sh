#!/usr/bin/env bash
# test_compat.sh - TAP tests of meshgate-codegen --compat as a command: exit status, output,
# schema files and registry exports. The rules themselves are the table of
# tests/unit/codegen/test_cg_compat.c (compat_cases.json).
#
# Usage: tests/codegen/test_compat.sh BUILD_DIR
# Design: small schema files in a scratch folder, the registry export of test_registry.sh for
# the subject form; each check runs the command and looks at its exit status (0 compatible, 1
# incompatible, 2 usage or unreadable) and the lines a person reads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:?usage: tests/codegen/test_compat.sh BUILD_DIR}
# tmp, ok, not_ok, check
# shellcheck source=tests/worker/lib.sh
source tests/worker/lib.sh
codegen=$build/meshgate-codegen
export_dir=tests/codegen/registry/export

cat >"$tmp/v1.json" <<'EOF'
{"type": "object", "properties": {"id": {"type": "string"}, "qty": {"type": "integer"}},
 "required": ["id"], "additionalProperties": false}
EOF
cat >"$tmp/v2.json" <<'EOF'
{"type": "object", "properties": {"id": {"type": "string"}, "qty": {"type": "number"},
 "note": {"type": "string"}}, "required": ["id"], "additionalProperties": false}
EOF
cat >"$tmp/v3.json" <<'EOF'
{"type": "object", "properties": {"id": {"type": "string"}, "note": {"type": "string"}},
 "required": ["id", "note"], "additionalProperties": false}
EOF
echo '{"type": "object", "properties": {"id": {"$ref": "#/$defs/nope"}}}' >"$tmp/dangling.json"

# run EXPECTED_STATUS ARGS...: runs codegen, keeping stdout in $tmp/out and stderr in $tmp/err.
run() {
    local want=$1 rc=0
    shift
    "$codegen" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" -eq "$want" ]
}

check "compatible: exit 0" run 0 --compat BACKWARD "$tmp/v1.json" "$tmp/v2.json"
check "compatible: says so" grep -qxF "$tmp/v1.json -> $tmp/v2.json: compatible (BACKWARD)" "$tmp/out"
check "compatible: no change listed without --all-changes" [ "$(wc -l <"$tmp/out")" -eq 1 ]
check "--all-changes lists the compatible changes" run 0 --compat BACKWARD --all-changes \
    "$tmp/v1.json" "$tmp/v2.json"
check "--all-changes: a widened type, with both locations" grep -qxF \
    "  BACKWARD TYPE_EXTENDED at old #/properties/qty/type, new #/properties/qty/type" "$tmp/out"
check "incompatible: exit 1" run 1 --compat BACKWARD "$tmp/v2.json" "$tmp/v3.json"
check "incompatible: the verdict with the count" grep -qxF \
    "$tmp/v2.json -> $tmp/v3.json: incompatible (BACKWARD, 2 incompatible changes)" "$tmp/out"
check "incompatible: a property removed from a closed model, located in both schemas" grep -qxF \
    "  BACKWARD PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at old #/properties/qty, new #" "$tmp/out"
check "incompatible: a required attribute added" grep -qxF \
    "  BACKWARD REQUIRED_ATTRIBUTE_ADDED at old #/properties/note, new #/required/1" "$tmp/out"
check "FORWARD reads the other way: v2 -> v3 is forward compatible" run 0 --compat FORWARD \
    "$tmp/v2.json" "$tmp/v3.json"
check "BACKWARD checks the latest only: v1 v2 v3 like v2 v3" run 1 --compat BACKWARD \
    "$tmp/v1.json" "$tmp/v2.json" "$tmp/v3.json"
check "BACKWARD: one pair checked" [ "$(grep -c -- ' -> ' "$tmp/out")" -eq 1 ]
check "BACKWARD_TRANSITIVE checks every older version" run 1 --compat BACKWARD_TRANSITIVE \
    "$tmp/v1.json" "$tmp/v2.json" "$tmp/v3.json"
check "BACKWARD_TRANSITIVE: two pairs checked" [ "$(grep -c -- ' -> ' "$tmp/out")" -eq 2 ]
check "NONE: exit 0 whatever changed" run 0 --compat NONE "$tmp/v1.json" "$tmp/v3.json"
check "FULL: both directions" run 1 --compat FULL --all-changes "$tmp/v1.json" "$tmp/v2.json"
check "FULL: the FORWARD direction names its change" grep -qxF \
    "  FORWARD TYPE_NARROWED at old #/properties/qty/type, new #/properties/qty/type" "$tmp/out"

check "an export and a subject: the latest version against the ones before" run 1 \
    --compat BACKWARD_TRANSITIVE "$export_dir" orders-value
check "an export: versions are named" grep -qF \
    "orders-value/versions/1 -> orders-value/versions/3: incompatible" "$tmp/out"
check "an export: locations in the referenced version name their document" run 1 \
    --compat FULL_TRANSITIVE --all-changes "$export_dir" orders-value
check "an export: the referenced customer versions" grep -qF \
    "at old https://registry.invalid/subjects/customer/versions/1#, new https://registry.invalid/subjects/customer/versions/2#/properties/email" \
    "$tmp/out"
check "an export, a subject and a new file" run 1 --compat BACKWARD "$export_dir" customer \
    "$tmp/v1.json"
check "an export, a subject and a new file: against the latest version" grep -qF \
    "customer/versions/2 -> $tmp/v1.json: incompatible" "$tmp/out"

check "an unknown mode: exit 2" run 2 --compat SIDEWAYS "$tmp/v1.json" "$tmp/v2.json"
check "an unknown mode: named" grep -qF "SIDEWAYS is not a mode" "$tmp/err"
check "one schema only: exit 2 with the usage" run 2 --compat BACKWARD "$tmp/v1.json"
check "one schema only: the usage" grep -qF "usage: meshgate-codegen [options] --compat MODE" "$tmp/err"
check "a missing file: exit 2" run 2 --compat BACKWARD "$tmp/v1.json" "$tmp/none.json"
check "a missing file: named" grep -qF "$tmp/none.json" "$tmp/err"
check "an unresolvable reference: exit 2" run 2 --compat BACKWARD "$tmp/v1.json" \
    "$tmp/dangling.json"
check "an unresolvable reference: file and location" grep -qF \
    "$tmp/dangling.json: /properties/id/\$ref: cannot resolve reference #/\$defs/nope" "$tmp/err"
check "a subject the export does not have: exit 2" run 2 --compat BACKWARD "$export_dir" nobody
check "a subject the export does not have: named" grep -qF "no JSON Schema version of subject nobody" \
    "$tmp/err"
[ "$fails" -eq 0 ]
