#!/usr/bin/env bash
# test_run_reload_watch.sh - `reload.watch: on` (issue 14.9): the worker reloads when its
# configuration file or schema set changes, with no SIGHUP. The configuration is mounted as
# a Kubernetes ConfigMap volume is (worker.yaml -> ..data/worker.yaml, ..data -> a timestamped
# directory, an update renames a new ..data link over the old one and deletes the old
# directory); the schema set is replaced by rename as a deploy would. HTTP ingest shows which
# set judges: first name X is valid for v1 (A-Z) and refused by v2 (A-M). Checked: a set
# replaced by rename reloads; a ConfigMap swap reloads and is followed again after the old
# directory is gone (three swaps, one of them a bad configuration that fails and changes
# nothing); a burst of changes within the debounce interval makes one reload; a Secret of
# bearer tokens (a route's token_file) rotated the same way reloads too; no SIGHUP.
#
# Usage: tests/worker/test_run_reload_watch.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
build_narrowed v2 A-M
mkdir "$tmp/sets" "$tmp/cm" "$tmp/secret"
cp "$tmp/identity.so" "$tmp/sets/v1.so"
cp "$tmp/v2.so" "$tmp/sets/v2.so"
cp "$tmp/identity.so" "$tmp/sets/identity.so"
start_broker --topics raw:2,out:2,dlq:2
write_config "$tmp/base.yaml"
sed -i "s|^schemas: .*|schemas: $tmp/sets/identity.so|" "$tmp/base.yaml"
sed -i '0,/^    attributes: all$/s//    attributes: all\n    ingest: on\n    auth: none/' "$tmp/base.yaml"
printf 'reload:\n  watch: on\n  debounce_ms: 1000\n' >>"$tmp/base.yaml"

# kube_update DIR FILE SOURCE: a ConfigMap or Secret volume update as the kubelet makes it:
# SOURCE copied as FILE into a new timestamped directory of DIR, a ..data link to it renamed
# over the old one, the old directory deleted; DIR/FILE is a link through ..data.
kube_n=0
kube_update() {
    kube_n=$((kube_n + 1))
    local d="..2026_12_02_08_00_0$kube_n.$RANDOM" old
    old=$(readlink "$1/..data" 2>/dev/null || true)
    mkdir "$1/$d"
    cp "$3" "$1/$d/$2"
    ln -s "$d" "$1/..data_tmp"
    mv -T "$1/..data_tmp" "$1/..data"
    [ -e "$1/$2" ] || ln -s "..data/$2" "$1/$2"
    if [ -n "$old" ]; then rm -rf "${1:?}/$old"; fi
}
# cm_update SCHEMAS [SCHEMA [SED]]: the configuration (schemas: SCHEMAS, raw's schema SCHEMA,
# then the sed script SED) as a ConfigMap update.
cm_update() {
    sed "s|^schemas: .*|schemas: $1|; s|^    schema: identity$|    schema: ${2:-identity}|; ${3:-}" \
        "$tmp/base.yaml" >"$tmp/next.yaml"
    kube_update "$tmp/cm" worker.yaml "$tmp/next.yaml"
}
# replace_set SO: the schema set replaced by rename.
replace_set() {
    cp "$1" "$tmp/sets/.next.so"
    mv -f "$tmp/sets/.next.so" "$tmp/sets/identity.so"
}
# post_x: the status of a POST of first name X (202 under v1, 400 under v2).
post_x() {
    curl -sS -o /dev/null -w '%{http_code}' -XPOST -H 'Content-Type: application/json' \
        -d '{"first":"Xw","Last":"Doe"}' "http://127.0.0.1:$port/ingest/raw" || echo none
}
gen() { metric "$port" meshgate_config_generation; }
# changed COMMAND...: runs COMMAND (a change of the files), then waits until the worker
# finished a reload (60 s at most).
changed() {
    local before
    before=$(reloads_done "$tmp/w.log")
    "$@"
    wait_reloads "$tmp/w.log" "$before" || true
}

cm_update "$tmp/sets/identity.so"
start_worker w "$tmp/cm/worker.yaml"
port=$(worker_port "$tmp/w.log")
wait_ready "$port"
check "the worker says what it watches" \
    grep -q "reload.watch: a change to $tmp/cm/worker.yaml or $tmp/sets/identity.so reloads" "$tmp/w.log"
check "generation 1 judges with v1: X is accepted (got $(post_x))" test "$(post_x)" = 202

# ---- the schema set replaced by rename ----
changed replace_set "$tmp/v2.so"
check "the set replaced by rename: the worker reloads by itself (generation 2)" \
    grep -q 'reload: generation 2 in use' "$tmp/w.log"
check "the log names the change that caused it" \
    grep -q 'reload.watch: identity.so changed: reloading' "$tmp/w.log"
check "generation 2 judges with v2: X is refused (got $(post_x))" test "$(post_x)" = 400

# ---- ConfigMap updates (..data swapped) ----
changed cm_update "$tmp/sets/v1.so"
check "a ConfigMap update naming another set: generation 3 in use" \
    grep -q "reload: generation 3 in use (schemas $tmp/sets/v1.so" "$tmp/w.log"
check "generation 3 judges with v1: X is accepted (got $(post_x))" test "$(post_x)" = 202

changed cm_update "$tmp/sets/v1.so" nosuch
check "a second update (the old directory gone) with an unknown schema: the reload fails, generation 3 kept" \
    bash -c "grep -q 'reload failed: .*routes\[0\].schema: no schema named \"nosuch\"' '$tmp/w.log' &&
        grep -q 'reload failed: still running generation 3' '$tmp/w.log'"
check "after the failed reload X is still accepted (got $(post_x))" test "$(post_x)" = 202

changed cm_update "$tmp/sets/identity.so"
check "a third update, back to the renamed set: generation 4 in use, X refused (got $(post_x))" \
    bash -c "grep -q 'reload: generation 4 in use' '$tmp/w.log' && test '$(post_x)' = 400"

# ---- a burst makes one reload ----
burst() {
    replace_set "$tmp/sets/v1.so"
    replace_set "$tmp/v2.so"
    touch "$tmp/cm/worker.yaml"
}
changed burst
sleep 3 # three debounce intervals: a second reload would have come by now
check "three changes within the debounce interval: one reload (generation $(gen), 5 expected)" \
    test "$(gen)" -eq 5
check "generation 5 judges with v2, the last set written: X refused (got $(post_x))" \
    test "$(post_x)" = 400

# ---- a Secret of bearer tokens rotated: the token file is watched too ----
post_token() { # post_token TOKEN: the status of a POST of first name B with that token
    curl -sS -o /dev/null -w '%{http_code}' -XPOST -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $1" -d '{"first":"Bw","Last":"Doe"}' \
        "http://127.0.0.1:$port/ingest/raw" || echo none
}
echo old-token >"$tmp/token.txt"
kube_update "$tmp/secret" token "$tmp/token.txt"
changed cm_update "$tmp/sets/identity.so" identity "s|^    auth: none$|    token_file: $tmp/secret/token|"
check "raw now takes the Secret's token (generation 6; got $(post_token old-token), $(post_token new-token))" \
    test "$(gen) $(post_token old-token) $(post_token new-token)" = "6 202 401"
echo new-token >"$tmp/token.txt"
changed kube_update "$tmp/secret" token "$tmp/token.txt"
check "the Secret rotated: the worker reloads by itself and the new token is the one taken (generation 7; got $(post_token old-token), $(post_token new-token))" \
    test "$(gen) $(post_token old-token) $(post_token new-token)" = "7 401 202"

check "no SIGHUP was sent" bash -c "! grep -q SIGHUP '$tmp/w.log'"
grep -E 'reload' "$tmp/w.log" | sed 's/^/# /'
term_check "$worker_pid" "the worker"
finish
