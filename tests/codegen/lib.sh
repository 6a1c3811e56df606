# lib.sh - shared by the tests/codegen/test_*.sh scripts: the codegen under test, a scratch
# folder removed on exit, and TAP output (not_ok shows $tmp/err, where the scripts keep the
# last command's stderr).
#
# Usage: source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@" (the script's arguments: BUILD_DIR
# first); it moves to the repository root and sets build and codegen.
# shellcheck disable=SC2034
if [ "$#" -lt 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=$1
codegen=$build/meshgate-codegen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    failed=1
    if [ -s "$tmp/err" ]; then sed 's/^/#   /' "$tmp/err" | head -n 40 || true; fi
}

# memlimit: the ulimit -v (KiB) to run BUILD_DIR's binaries under, or "unlimited" for a
# sanitizer build (ASan and TSan reserve terabytes of address space for their shadow).
if nm "$codegen" 2>/dev/null | grep -E ' __(a|t)san_init$' >/dev/null; then
    memlimit=unlimited
else
    memlimit=2097152
fi
