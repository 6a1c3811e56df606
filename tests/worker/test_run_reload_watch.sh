#!/usr/bin/env bash
# test_run_reload_watch.sh - `reload.watch: on` (issue 14.9): the worker reloads when its
# configuration file or schema set changes, with no SIGHUP. The configuration is mounted as
# a Kubernetes ConfigMap volume is (worker.yaml -> ..data/worker.yaml, ..data -> a timestamped
# directory, an update renames a new ..data link over the old one and deletes the old
# directory); the schema set is replaced by rename as a deploy would. HTTP ingest shows which
# set judges: first name X is valid for v1 (A-Z) and refused by v2 (A-M). Checked: a set
# replaced by rename reloads; a ConfigMap swap reloads and is followed again after the old
# directory is gone (three swaps, one of them a bad configuration that fails and changes
# nothing); a burst of changes within the debounce interval makes one reload; no SIGHUP.
#
# Usage: tests/worker/test_run_reload_watch.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
build_narrowed v2 A-M
mkdir "$tmp/sets" "$tmp/cm"
cp "$tmp/identity.so" "$tmp/sets/v1.so"
cp "$tmp/v2.so" "$tmp/sets/v2.so"
cp "$tmp/identity.so" "$tmp/sets/identity.so"
start_broker --topics raw:2,out:2,dlq:2
write_config "$tmp/base.yaml"
sed -i "s|^schemas: .*|schemas: $tmp/sets/identity.so|" "$tmp/base.yaml"
sed -i '0,/^    attributes: all$/s//    attributes: all\n    ingest: on\n    auth: none/' "$tmp/base.yaml"
printf 'reload:\n  watch: on\n  debounce_ms: 1000\n' >>"$tmp/base.yaml"

# cm_update SCHEMAS [SCHEMA]: a ConfigMap update as the kubelet makes it: the configuration
# (schemas: SCHEMAS, raw's schema SCHEMA) written into a new timestamped directory, a ..data
# link to it renamed over the old one, the old directory deleted.
cm_n=0
cm_update() {
    cm_n=$((cm_n + 1))
    local d="..2026_12_02_08_00_0$cm_n.$RANDOM" old
    old=$(readlink "$tmp/cm/..data" 2>/dev/null || true)
    mkdir "$tmp/cm/$d"
    sed "s|^schemas: .*|schemas: $1|; s|^    schema: identity$|    schema: ${2:-identity}|" \
        "$tmp/base.yaml" >"$tmp/cm/$d/worker.yaml"
    ln -s "$d" "$tmp/cm/..data_tmp"
    mv -T "$tmp/cm/..data_tmp" "$tmp/cm/..data"
    [ -e "$tmp/cm/worker.yaml" ] || ln -s ..data/worker.yaml "$tmp/cm/worker.yaml"
    if [ -n "$old" ]; then rm -rf "${tmp:?}/cm/$old"; fi
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

check "no SIGHUP was sent" bash -c "! grep -q SIGHUP '$tmp/w.log'"
grep -E 'reload' "$tmp/w.log" | sed 's/^/# /'
term_check "$worker_pid" "the worker"
finish
