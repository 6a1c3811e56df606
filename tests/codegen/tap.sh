# tap.sh - TAP helpers for the codegen test scripts that source it: a scratch folder $tmp
# (removed on exit), ok/not_ok counting into $n and $failed (not_ok shows $tmp/err).
# Usage: . tests/codegen/tap.sh (from the repository root, after `set -euo pipefail`).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    failed=1
    if [ -s "$tmp/err" ]; then sed 's/^/#   /' "$tmp/err" | head -20; fi
}
