# tap.sh - what the codegen test scripts that source it share: the usage check
# (SCRIPT BUILD_DIR [--update]), the repository root as working directory, $build (absolute),
# $update, $codegen and $meshgate, a scratch folder $tmp (removed on exit), and ok/not_ok
# counting into $n and $failed (not_ok shows $tmp/err).
# Usage: . "$(dirname "${BASH_SOURCE[0]}")/tap.sh" (after `set -euo pipefail`).
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || { [ "$#" -eq 2 ] && [ "$2" != --update ]; }; then
    echo "usage: $0 BUILD_DIR [--update]" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=$(cd "$1" && pwd)
update=${2:-}
codegen=$build/meshgate-codegen
meshgate=$build/meshgate
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    failed=1
    if [ -s "$tmp/err" ]; then sed "s/^/#   /" "$tmp/err" | head -20 || true; fi
}
