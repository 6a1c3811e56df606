#!/usr/bin/env bash
# test_regex_diff.sh - meshgate's patterns against JavaScript's own RegExp on random cases.
#
# Usage: tests/regex/test_regex_diff.sh BUILD_DIR [COUNT] [SEED]
#   COUNT patterns (default 3000, or REGEX_DIFF_CASES), from seed SEED (default 15, or
#   REGEX_DIFF_SEED). `make test` runs the default sample; `make regex-diff` 100,000.
# Design: node tests/regex/gen_cases.js writes the cases with RegExp's verdicts (see there),
# BUILD_DIR/tests/regex/re_diff checks syntax and every string's verdict with each of
# meshgate's engines. One TAP line: ok when there is no disagreement; otherwise the
# disagreements (JSON lines, each ready to become a unit test) are shown. Work files stay in
# BUILD_DIR/regex-diff/.
set -euo pipefail

if [ "$#" -lt 1 ]; then
    echo "usage: tests/regex/test_regex_diff.sh BUILD_DIR [COUNT] [SEED]" >&2
    exit 2
fi
build=$1
count=${2:-${REGEX_DIFF_CASES:-3000}}
seed=${3:-${REGEX_DIFF_SEED:-15}}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=$build/regex-diff
mkdir -p "$out"
echo "1..1"
if ! command -v node >/dev/null; then
    echo "not ok 1 - regex differential: node is not installed (make deps installs it)"
    exit 1
fi
if [ ! -x "$build/tests/regex/re_diff" ]; then
    echo "not ok 1 - regex differential: $build/tests/regex/re_diff is missing (run make first)"
    exit 1
fi
start=$(date +%s)
node tests/regex/gen_cases.js "$seed" "$count" >"$out/cases.jsonl" 2>"$out/gen.log"
sed 's/^/# /' "$out/gen.log"
rc=0
"$build/tests/regex/re_diff" "$out/cases.jsonl" >"$out/result.txt" || rc=$?
summary=$(tail -n 1 "$out/result.txt")
echo "# $summary ($(($(date +%s) - start)) s, node $(node --version))"
if [ "$rc" -eq 0 ]; then
    echo "ok 1 - regex differential against node's RegExp, seed $seed: ${summary#re_diff: }"
else
    head -n 20 "$out/result.txt" | sed 's/^/# /'
    echo "not ok 1 - regex differential against node's RegExp, seed $seed: ${summary#re_diff: }"
    exit 1
fi
