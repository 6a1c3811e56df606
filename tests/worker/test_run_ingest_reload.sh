#!/usr/bin/env bash
# test_run_ingest_reload.sh - HTTP ingest follows a hot reload (issues 14.9 and 19): after
# SIGHUP, POSTs are judged by the new generation's routes and schemas, like Kafka input.
# Generation 1: route raw takes POSTs with the identity schema (first names A-Z); route raw2
# does not (404). Generation 2 (the set replaced by rename, raw2's ingest turned on): a first
# name X accepted before is now a 400, B still a 202, raw2 takes POSTs; a request whose headers
# came before the reload and its body after finishes with generation 1 (202), and generation
# 1 is unloaded only after it; an Idempotency-Key answered before the reload gets the same
# answer. A broken set (the reload fails) changes nothing for HTTP. Generation 3 turns raw's
# ingest off (404) and keeps raw2's; generation 4 turns it on again, and the keys of its first
# time are gone. The output topics are read back: what was acknowledged is there, what was
# refused is not. A second worker starts without ingest routes and a reload turns ingest on.
# make tsan / make asan builds run it under their sanitizers.
#
# Usage: tests/worker/test_run_ingest_reload.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
build_narrowed v2 A-M
head -c 4096 "$tmp/v2.so" >"$tmp/broken.so"
cp "$tmp/identity.so" "$tmp/identity-v1.so"
start_broker --topics raw:2,out:2,dlq:2,raw2:1,out2:1,dlq2:1
write_config "$tmp/worker.yaml"
sed -i 's/^  listen: 127.0.0.1:0$/  listen: 127.0.0.1:0\n  request_timeout_ms: 60000/' "$tmp/worker.yaml"
sed -i '0,/^    attributes: all$/s//    attributes: all\n    ingest: on\n    auth: none/' "$tmp/worker.yaml"
add_route "$tmp/worker.yaml" "input: raw2" "output: out2" "dead_letter: dlq2" \
    "source: urn:meshgate:test2" "type: test.identity.v1" "ingest: off" "auth: none"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"

# post NAME PATH CURL-ARGS...: the answer's status in $tmp/NAME.code, headers in NAME.h, body
# in NAME.json.
post() {
    local name=$1 path=$2
    shift 2
    curl -sS -o "$tmp/$name.json" -D "$tmp/$name.h" -w '%{http_code}' -XPOST \
        -H 'Content-Type: application/json' "$@" "http://127.0.0.1:$port$path" \
        >"$tmp/$name.code" || echo "# curl failed on $name" >&2
}
code() { cat "$tmp/$1.code"; }
# install_set SO: the schema set replaced by rename, as a deploy would.
install_set() {
    cp "$1" "$tmp/next.so"
    mv -f "$tmp/next.so" "$tmp/identity.so"
}
wait_log() { # wait_log PATTERN: until the worker's log has a line matching it (60 s at most)
    for _ in $(seq 600); do
        grep -q -- "$1" "$tmp/w.log" && return 0
        sleep 0.1
    done
    return 1
}
# out_values TOPIC: the first names of the events on TOPIC, one a line, sorted.
out_values() {
    kcat -C -b "$bootstrap" -t "$1" -o beginning -e -q -f '%s\n' 2>/dev/null |
        sed -n 's/.*"first":"\([^"]*\)".*/\1/p' | sort
}

# ---- generation 1 ----
post g1x /ingest/raw -H 'Idempotency-Key: k-1' -d '{"first":"Xg1","Last":"Doe"}'
check "generation 1: a first name X is accepted on raw (202, got $(code g1x))" test "$(code g1x)" = 202
post g1off /ingest/raw2 -d '{"first":"Bg1","Last":"Doe"}'
check "generation 1: raw2 takes no POSTs (404, got $(code g1off))" test "$(code g1off)" = 404

# A request in progress across the reload: its headers now, its body once generation 2 is in
# use. It started with generation 1, so generation 1 judges it.
python3 - "$port" "$tmp/slow" <<'PY' &
import os, socket, sys, time
port, base = int(sys.argv[1]), sys.argv[2]
body = b'{"first":"Xslow","Last":"Doe"}'
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /ingest/raw HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
          b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
# libmicrohttpd sends "100 Continue" once the handler has seen the headers: the request has
# started (with the view current then)
s.settimeout(60)
interim = b""
while b"\r\n\r\n" not in interim:
    chunk = s.recv(1)
    if not chunk:
        break
    interim += chunk
open(base + ".started", "w").write(interim.split(b"\r\n")[0].decode())
for _ in range(1200):
    if os.path.exists(base + ".go"):
        break
    time.sleep(0.05)
s.sendall(body)
data = b""
while b"\r\n\r\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
open(base + ".code", "w").write(data.split(b" ")[1].decode() if data else "none")
PY
slow=$!
started+=("$slow")
for _ in $(seq 600); do [ -s "$tmp/slow.started" ] && break; sleep 0.1; done
check "a request whose body is held back has started (got \"$(cat "$tmp/slow.started" 2>/dev/null)\")" \
    grep -q '^HTTP/1.1 100' "$tmp/slow.started"

# ---- generation 2: the schema refuses X, raw2 takes POSTs ----
install_set "$tmp/v2.so"
sed -i 's/^    ingest: off$/    ingest: on/' "$tmp/worker.yaml"
hup
check "SIGHUP with v2 and raw2's ingest on: generation 2 in use" \
    grep -q 'reload: generation 2 in use' "$tmp/w.log"
post g2x /ingest/raw -d '{"first":"Xg2","Last":"Doe"}'
check "generation 2: the same first name X is now refused on raw (400, got $(code g2x))" \
    test "$(code g2x)" = 400
check "the 400 names the schema's pattern" grep -q '"keywordLocation":"/properties/first/pattern"' "$tmp/g2x.json"
post g2b /ingest/raw -d '{"first":"Bg2","Last":"Doe"}'
check "generation 2: a first name B is accepted on raw (202, got $(code g2b))" test "$(code g2b)" = 202
post g2on /ingest/raw2 -d '{"first":"Bg2-raw2","Last":"Doe"}'
check "generation 2: raw2's ingest turned on by the reload accepts (202, got $(code g2on))" \
    test "$(code g2on)" = 202
check "its 202 names raw2's output topic" grep -q '"topic":"out2"' "$tmp/g2on.json"
post g2bad /ingest/raw2 -d '{"first":"Xg2-raw2","Last":"Doe"}'
check "raw2 judges with generation 2's schema (400, got $(code g2bad))" test "$(code g2bad)" = 400
post g2idem /ingest/raw -H 'Idempotency-Key: k-1' -d '{"first":"Xg1","Last":"Doe"}'
check "an Idempotency-Key answered before the reload gets the same answer (202 replayed, got $(code g2idem))" \
    bash -c "test '$(code g2idem)' = 202 && grep -qi '^idempotent-replayed: true' '$tmp/g2idem.h'"
check "generation 1 is still loaded while its request is in progress" \
    bash -c "! grep -q 'reload: generation 1 unloaded' '$tmp/w.log'"

touch "$tmp/slow.go"
wait "$slow" || true
check "the request that started before the reload is judged by generation 1 (202, got $(cat "$tmp/slow.code" 2>/dev/null))" \
    test "$(cat "$tmp/slow.code" 2>/dev/null)" = 202
check "then generation 1 is unloaded (no request and no message uses it)" \
    wait_log 'reload: generation 1 unloaded'

# ---- a failed reload changes nothing for HTTP ----
install_set "$tmp/broken.so"
sed -i '0,/^    ingest: on$/s//    ingest: off/' "$tmp/worker.yaml" # would turn raw's off
hup
check "SIGHUP with a broken set: the reload fails, generation 2 kept" \
    grep -q 'reload failed: still running generation 2' "$tmp/w.log"
post f2x /ingest/raw -d '{"first":"Xf2","Last":"Doe"}'
post f2b /ingest/raw -d '{"first":"Bf2","Last":"Doe"}'
post f2on /ingest/raw2 -d '{"first":"Bf2-raw2","Last":"Doe"}'
check "after the failed reload raw still judges with v2 and raw2 still takes POSTs (400 202 202, got $(code f2x) $(code f2b) $(code f2on))" \
    test "$(code f2x) $(code f2b) $(code f2on)" = "400 202 202"

# ---- generation 3: raw's ingest off ----
install_set "$tmp/v2.so"
hup
check "SIGHUP with raw's ingest off: generation 3 in use" \
    grep -q 'reload: generation 3 in use' "$tmp/w.log"
post g3off /ingest/raw -d '{"first":"Bg3","Last":"Doe"}'
check "generation 3: raw's ingest turned off answers 404 (got $(code g3off))" test "$(code g3off)" = 404
post g3on /ingest/raw2 -d '{"first":"Bg3-raw2","Last":"Doe"}'
check "generation 3: raw2 still accepts (202, got $(code g3on))" test "$(code g3on)" = 202
check "generation 2 is unloaded once no request uses it" \
    wait_log 'reload: generation 2 unloaded'

# ---- generation 4: raw's ingest on again; its keys went with it ----
sed -i '0,/^    ingest: off$/s//    ingest: on/' "$tmp/worker.yaml"
hup
post g4idem /ingest/raw -H 'Idempotency-Key: k-1' -d '{"first":"Xg1","Last":"Doe"}'
check "generation 4: raw takes POSTs again, and a key of its first time is judged anew (400, got $(code g4idem))" \
    bash -c "test '$(code g4idem)' = 400 && ! grep -qi '^idempotent-replayed' '$tmp/g4idem.h'"

# ---- what reached the output topics ----
check "out holds exactly what raw acknowledged: Bf2 Bg2 Xg1 Xslow" \
    test "$(out_values out | tr '\n' ' ')" = "Bf2 Bg2 Xg1 Xslow "
check "out2 holds exactly what raw2 acknowledged: Bf2-raw2 Bg2-raw2 Bg3-raw2" \
    test "$(out_values out2 | tr '\n' ' ')" = "Bf2-raw2 Bg2-raw2 Bg3-raw2 "
curl -fsS "http://127.0.0.1:$port/metrics" -o "$tmp/metrics.txt" || true
ingest_events() { # ingest_events ROUTE RESULT
    awk -v l="meshgate_http_ingest_events_total{route=\"$1\",result=\"$2\"}" '$1 == l { print $2 }' \
        "$tmp/metrics.txt"
}
check "the start-up routes' series count across the reloads (raw 4 accepted 3 rejected, raw2 3 and 1; got $(ingest_events raw accepted) $(ingest_events raw rejected), $(ingest_events raw2 accepted) $(ingest_events raw2 rejected))" \
    test "$(ingest_events raw accepted) $(ingest_events raw rejected) $(ingest_events raw2 accepted) $(ingest_events raw2 rejected)" = "4 3 3 1"
grep -E 'reload|SIGHUP' "$tmp/w.log" | sed 's/^/# /'
term_check "$worker_pid" "the worker"

# ---- a worker that starts without any ingest route: a reload turns ingest on ----
install_set "$tmp/identity-v1.so"
sed 's/^    ingest: on$/    ingest: off/; s/^group: meshgate-test$/group: meshgate-test-2/' \
    "$tmp/worker.yaml" >"$tmp/w2.yaml"
start_worker w2 "$tmp/w2.yaml"
port=$(worker_port "$tmp/w2.log")
wait_ready "$port"
post w2off /ingest/raw2 -d '{"first":"Xw2","Last":"Doe"}'
check "a worker started without ingest routes answers 404 (got $(code w2off))" test "$(code w2off)" = 404
sed -i '0,/^    ingest: off$/s//    ingest: on/' "$tmp/w2.yaml"
kill -HUP "$worker_pid"
for _ in $(seq 600); do grep -q 'reload: generation 2 in use' "$tmp/w2.log" && break; sleep 0.1; done
post w2on /ingest/raw -d '{"first":"Xw2","Last":"Doe"}'
check "its reload turning ingest on starts ingest: the route accepts (202, got $(code w2on))" \
    test "$(code w2on)" = 202
term_check "$worker_pid" "the second worker"
finish
