#!/usr/bin/env bash
# test_config_yaml_bomb.sh - the worker's configuration reader refuses a YAML alias bomb.
#
# Usage: tests/worker/test_config_yaml_bomb.sh BUILD_DIR
# Design: an 8- and a 9-level "billion laughs" configuration (each level aliases the one
# below nine times; under 700 bytes) goes to `meshgate run --check`, under a 2 GiB address
# space limit (not for sanitizer builds) and a 30 s timeout: it must exit 2 at once with the file, the line and the
# limit (common/mg_yaml.h), not grow to gigabytes first. The same guard protects
# meshgate-codegen (tests/codegen/test_limits.sh).
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: tests/worker/test_config_yaml_bomb.sh BUILD_DIR" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
meshgate=$1/meshgate
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
memlimit=2097152 # KiB; ASan and TSan reserve terabytes of address space for their shadow
if nm "$meshgate" 2>/dev/null | grep -E ' __(a|t)san_init$' >/dev/null; then memlimit=unlimited; fi
n=0
failed=0
for levels in 8 9; do
    cfg=$tmp/bomb$levels.yaml
    {
        echo 'group: x'
        echo 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'
        for ((i = 1; i < levels; i++)); do
            echo "a$i: &a$i [*a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1)), *a$((i - 1))]"
        done
    } >"$cfg"
    rc=0
    (ulimit -v "$memlimit" && timeout 30 "$meshgate" run --check --config "$cfg") >"$tmp/out" 2>&1 || rc=$?
    n=$((n + 1))
    if [ "$rc" -eq 2 ] && grep -Eq "bomb$levels.yaml:[0-9]+: YAML with more than [0-9]+ nodes once its aliases are expanded" "$tmp/out"; then
        echo "ok $n - a $levels-level alias bomb ($(wc -c <"$cfg") bytes) in the configuration is refused with its line"
    else
        echo "not ok $n - a $levels-level alias bomb ($(wc -c <"$cfg") bytes) in the configuration is refused with its line (exit $rc)"
        sed 's/^/#   /' "$tmp/out" | head -n 10
        failed=1
    fi
done
echo "1..$n"
exit "$failed"
