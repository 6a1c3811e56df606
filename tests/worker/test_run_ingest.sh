#!/usr/bin/env bash
# test_run_ingest.sh - HTTP ingest (issue 19) with curl against a worker on the embedded
# broker: every status code a producer can get, each with the body asserted, and the output
# topic read back to see that what was acknowledged is there and what was refused is not.
# Valid (202 with id, topic, partition, offset), invalid (400 problem+json whose errors are
# JSON Schema's basic output), NDJSON and CloudEvents batches (a result per event), binary and
# structured CloudEvents kept as such, 415, 405, oversize (413 before the body is read, and
# one event of a batch), in-flight bound (429 with Retry-After), a slow body cut at the request
# deadline, a repeated Idempotency-Key
# (the first answer again, nothing new produced; 422 with another body), GET of the schema
# and of the OpenAPI document, keep-alive, the counters on /metrics, the brokers down
# (503 with Retry-After, then 202 again once they are back), and SIGTERM while a request waits
# for the broker (answered 503, the worker drains and exits 0).
#
# Usage: tests/worker/test_run_ingest.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_control_broker --topics raw:2,out:2,dlq:2
write_config "$tmp/worker.yaml"
sed -i 's/^  listen: 127.0.0.1:0$/  listen: 127.0.0.1:0\n  request_timeout_ms: 4000\n  max_request_bytes: 4096\n  max_inflight_requests: 1/' \
    "$tmp/worker.yaml"
sed -i 's/^    attributes: all$/    attributes: all\n    ingest: on\n    auth: none/' "$tmp/worker.yaml"
sed -i 's/^  max_inflight_messages: 5000$/  max_inflight_messages: 5000\n  max_message_bytes: 300/' \
    "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"
u=http://127.0.0.1:$port/ingest/raw

# post NAME CURL-ARGS...: the answer's status in $tmp/NAME.code, headers in NAME.h, body in
# NAME.json.
post() {
    local name=$1
    shift
    curl -sS -o "$tmp/$name.json" -D "$tmp/$name.h" -w '%{http_code}' -XPOST "$@" "$u" \
        >"$tmp/$name.code" || echo "# curl failed on $name" >&2
}
code() { cat "$tmp/$1.code"; }
# js NAME EXPR: a Python expression over the answer's JSON (j) and headers (h, lower-cased).
js() {
    python3 - "$tmp/$1.json" "$tmp/$1.h" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
h = {}
for line in open(sys.argv[2]):
    if ":" in line:
        k, v = line.split(":", 1)
        h[k.strip().lower()] = v.strip()
print(eval(sys.argv[3]))
PY
}
jcheck() { # jcheck DESCRIPTION NAME EXPR: EXPR must be True
    local got
    got=$(js "$2" "$3" 2>&1 || true)
    if [ "$got" = True ]; then ok "$1"; else
        not_ok "$1"
        echo "# $(code "$2") $(cat "$tmp/$2.json")" | head -c 2000
        echo
    fi
}

# ---- one valid event ----
post valid -H 'Content-Type: application/json' -d '{"first":"Xvalid-1","Last":"Doe","Age":40}'
check "a valid event is answered 202 (got $(code valid))" test "$(code valid)" = 202
jcheck "the 202 names the CloudEvent id, the output topic, the partition and the offset" valid \
    "j['topic'] == 'out' and len(j['id']) == 36 and j['partition'] in (0, 1) and j['offset'] >= 0"

# ---- the seed example, as a user would type it (curl -d: form content type) ----
post seed -d '{"first": "John","Last": "Doe","Age": 140}'
check "an invalid event is answered 400 (got $(code seed))" test "$(code seed)" = 400
jcheck "the 400 is application/problem+json (RFC 9457) with type, title, status, detail, instance" seed \
    "h['content-type'] == 'application/problem+json' and j['status'] == 400 and j['type'].startswith('urn:meshgate:problem:') and j['title'] and j['instance'] == '/ingest/raw' and '130' in j['detail']"
jcheck "its errors are JSON Schema's basic output (valid, errors: keywordLocation, instanceLocation, error)" seed \
    "j['valid'] is False and j['errors'][0]['instanceLocation'] == '/Age' and j['errors'][0]['keywordLocation'].startswith('/properties/Age/') and 'error' in j['errors'][0]"

post malformed -H 'Content-Type: application/json' -d '{"first": '
jcheck "malformed JSON is a 400 with one error at the root" malformed \
    "j['status'] == 400 and len(j['errors']) == 1 and j['errors'][0]['instanceLocation'] == ''"

# ---- batches ----
printf '{"first":"Xnd-1","Last":"B"}\n\n{"first":2,"Last":"nd-2"}\n{"first":"Xnd-3","Last":"B"}\n' >"$tmp/batch.ndjson"
post nd -H 'Content-Type: application/x-ndjson' --data-binary "@$tmp/batch.ndjson"
jcheck "an NDJSON batch gets a result per event: 202, 400 with its errors, 202 (blank lines skipped)" nd \
    "$(code nd) == 200 and j['accepted'] == 2 and j['rejected'] == 1 and [r['status'] for r in j['results']] == [202, 400, 202] and j['results'][1]['errors'][0]['instanceLocation'] == '/first' and [r['index'] for r in j['results']] == [0, 1, 2]"
post ndok -H 'Content-Type: application/x-ndjson' --data-binary $'{"first":"Xnd-4","Last":"B"}\n{"first":"Xnd-5","Last":"B"}'
check "a batch whose events are all accepted is a 202 (got $(code ndok))" test "$(code ndok)" = 202
batch='[{"specversion":"1.0","id":"cb-1","source":"/t","type":"t.v1","data":{"first":"Xcb-1","Last":"B"}},
 {"specversion":"1.0","id":"cb-2","source":"/t","type":"t.v1","data":{"first":"Xcb-2"}},
 {"specversion":"1.0","id":"cb-3","source":"/t","type":"t.v1"}]'
post cebatch -H 'Content-Type: application/cloudevents-batch+json' -d "$batch"
jcheck "a CloudEvents batch gets a result per event (its id in the 202; no data is a 400)" cebatch \
    "$(code cebatch) == 200 and [r['status'] for r in j['results']] == [202, 400, 400] and j['results'][0]['id'] == 'cb-1' and 'data' in j['results'][2]['errors'][0]['error']"
post cebad -H 'Content-Type: application/cloudevents-batch+json' -d '{"not":"an array"}'
check "a CloudEvents batch that is no JSON array is a 400 (got $(code cebad))" test "$(code cebad)" = 400
post empty -H 'Content-Type: application/x-ndjson' --data-binary $'\n\n'
check "an empty batch is a 400 (got $(code empty))" test "$(code empty)" = 400

# ---- CloudEvents HTTP binding: structured and binary mode ----
post structured -H 'Content-Type: application/cloudevents+json' \
    -d '{"specversion":"1.0","id":"st-1","source":"/producer","type":"t.v1","data":{"first":"Xst-1","Last":"B"}}'
jcheck "a structured CloudEvent is accepted with its own id" structured "$(code structured) == 202 and j['id'] == 'st-1'"
post binary -H 'ce-specversion: 1.0' -H 'ce-id: bin-1' -H 'ce-source: /producer%20a' -H 'ce-type: t.v1' \
    -H 'ce-partitionkey: user-7' -H 'Content-Type: application/json' -d '{"first":"Xbin-1","Last":"B"}'
jcheck "a binary-mode CloudEvent (ce- headers) is accepted with its own id" binary "$(code binary) == 202 and j['id'] == 'bin-1'"
post binbad -H 'ce-specversion: 1.0' -H 'ce-source: /p' -H 'ce-type: t' -H 'Content-Type: application/json' \
    -d '{"first":"Xbin-2","Last":"B"}'
jcheck "a binary-mode CloudEvent without ce-id is a 400 naming it" binbad "$(code binbad) == 400 and 'ce_id' in j['detail']"

# ---- what is refused before validation ----
post ctype -H 'Content-Type: text/csv' -d 'a,b'
check "an unsupported Content-Type is a 415 (got $(code ctype))" test "$(code ctype)" = 415
curl -sS -o /dev/null -w '%{http_code}' -XPUT -d '{}' "$u" >"$tmp/put.code" || true
check "PUT is a 405 (got $(code put))" test "$(code put)" = 405
head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/big.json"
post big -H 'Content-Type: application/json' --data-binary "@$tmp/big.json"
jcheck "a body over http.max_request_bytes is a 413 before it is read" big "$(code big) == 413 and 'max_request_bytes' in j['detail']"
python3 -c 'import json; print(json.dumps({"first": "x" * 400, "Last": "B"}))' >"$tmp/large.ndjson"
echo '{"first":"Xnd-6","Last":"B"}' >>"$tmp/large.ndjson"
post large -H 'Content-Type: application/x-ndjson' --data-binary "@$tmp/large.ndjson"
jcheck "an event over limits.max_message_bytes in a batch is a 413 of its own; the rest is produced" large \
    "[r['status'] for r in j['results']] == [413, 202] and 'max_message_bytes' in j['results'][0]['detail']"

# ---- the in-flight bound: a client that holds the one slot (max_inflight_requests: 1) ----
python3 - "$port" >"$tmp/hold.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /ingest/raw HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"first\"")
time.sleep(3)
s.close()
PY
holder=$!
started+=("$holder")
sleep 1
post busy -H 'Content-Type: application/json' -d '{"first":"Xbusy-1","Last":"B"}'
jcheck "past http.max_inflight_requests a POST is a 429 with Retry-After" busy "$(code busy) == 429 and h.get('retry-after') == '1'"
wait "$holder" || true

# ---- a client sending its body a byte every half second is cut at the request deadline ----
python3 - "$port" >"$tmp/slow.out" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.5)
t0 = time.monotonic()
s.sendall(b"POST /ingest/raw HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n")
end = "still open"
for i in range(200):
    if time.monotonic() - t0 > 20:
        break
    try:
        s.send(b" ")
        if s.recv(4096) == b"":
            end = "closed"
            break
    except socket.timeout:
        continue
    except OSError:
        end = "closed"
        break
print("%s after %.1f s" % (end, time.monotonic() - t0))
PY
slow=$(cat "$tmp/slow.out")
check "a body sent a byte every half second is cut at the 4 s request deadline ($slow)" \
    python3 -c 'import sys; w = sys.argv[1].split(); assert w[0] == "closed" and float(w[2]) <= 8' "$slow"

# ---- idempotency ----
post idem1 -H 'Idempotency-Key: order-42' -H 'Content-Type: application/json' -d '{"first":"Xidem-1","Last":"B"}'
post idem2 -H 'Idempotency-Key: order-42' -H 'Content-Type: application/json' -d '{"first":"Xidem-1","Last":"B"}'
check "a repeated Idempotency-Key gets the first answer again" cmp -s "$tmp/idem1.json" "$tmp/idem2.json"
jcheck "the repeat is marked Idempotent-Replayed" idem2 "$(code idem2) == 202 and h.get('idempotent-replayed') == 'true'"
post idem3 -H 'Idempotency-Key: order-42' -H 'Content-Type: application/json' -d '{"first":"Xidem-3","Last":"B"}'
check "the key with another body is a 422 (got $(code idem3))" test "$(code idem3)" = 422
post st2 -H 'Content-Type: application/cloudevents+json' \
    -d '{"specversion":"1.0","id":"st-1","source":"/producer","type":"t.v1","data":{"first":"Xst-1","Last":"B"}}'
check "a structured CloudEvent sent again (same source and id) gets the first answer" cmp -s "$tmp/structured.json" "$tmp/st2.json"

# ---- GET: schema and OpenAPI; keep-alive ----
curl -sS "$u" -o "$tmp/schema.json" || true
curl -sS "$u/openapi.json" -o "$tmp/openapi.json" || true
check "GET on the path serves the route's schema" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['properties']['Age']" "$tmp/schema.json"
check "GET PATH/openapi.json serves an OpenAPI 3.1 document of the path" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['openapi']=='3.1.0' and '/ingest/raw' in d['paths'] and 'post' in d['paths']['/ingest/raw']" "$tmp/openapi.json"
curl -sS -v -XPOST -H 'Content-Type: application/json' -H 'Idempotency-Key: ka' \
    -d '{"first":"Xka-1","Last":"B"}' "$u" "$u" -o /dev/null -o /dev/null 2>"$tmp/ka.log" || true
check "two POSTs on one connection (keep-alive)" grep -q 'Re-using existing connection' "$tmp/ka.log"

# a reload (SIGHUP) while ingest is on: ingest keeps the start-up schemas, which stay loaded
kill -HUP "$worker_pid"
for _ in $(seq 300); do grep -q 'reload: generation 2 in use' "$tmp/w.log" && break; sleep 0.1; done
post reloaded -H 'Content-Type: application/json' -d '{"first":"Xreload-1","Last":"B"}'
check "after a reload a valid event is still answered 202 (got $(code reloaded))" \
    test "$(code reloaded)" = 202

# ---- what reached Kafka ----
kafka_firsts() {
    kcat -C -b "$bootstrap" -t out -o beginning -e -q -f '%s\n' 2>/dev/null |
        python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    v = json.loads(line)
    if "specversion" in v: v = v["data"]
    print(v.get("first"))' | sort
}
kafka_firsts >"$tmp/firsts.txt"
want=$(printf 'X%s\n' bin-1 cb-1 idem-1 ka-1 nd-1 nd-3 nd-4 nd-5 nd-6 reload-1 st-1 valid-1 | sort)
check "the output holds exactly the acknowledged events, each once (none refused, no repeat)" \
    test "$(cat "$tmp/firsts.txt")" = "$want"
[ "$(cat "$tmp/firsts.txt")" = "$want" ] || diff <(echo "$want") "$tmp/firsts.txt" | sed 's/^/# /'
kcat -C -b "$bootstrap" -t out -o beginning -e -q -f '%k|%h|%s\n' 2>/dev/null | grep '"Xbin-1"' >"$tmp/bin.txt" || true
check "the binary event kept its attributes as ce_ headers (decoded) and ce-partitionkey as its key" \
    grep -q '^user-7|.*ce_id=bin-1.*ce_source=/producer a' "$tmp/bin.txt"
kcat -C -b "$bootstrap" -t out -o beginning -e -q -f '%h|%s\n' 2>/dev/null | grep '"Xst-1"' >"$tmp/st.txt" || true
check "the structured event stayed structured" grep -q '^content-type=application/cloudevents+json|{.*"id":"st-1"' "$tmp/st.txt"
check "nothing was dead-lettered (HTTP rejects are answered, not produced)" \
    test "$(kcat -C -b "$bootstrap" -t dlq -o beginning -e -q -f '%s\n' 2>/dev/null | wc -l)" -eq 0

curl -sS "http://127.0.0.1:$port/metrics" >"$tmp/metrics.txt"
check "/metrics counts the ingest answers by code" \
    grep -q '^meshgate_http_ingest_requests_total{route="raw",code="429"} 1$' "$tmp/metrics.txt"
check "/metrics counts the events accepted" \
    grep -q '^meshgate_http_ingest_events_total{route="raw",result="accepted"} 12$' "$tmp/metrics.txt"

# ---- the brokers down ----
ctl broker-down 1
# The first POST waits for an acknowledgement that cannot come and is answered 503 "may have
# been written" at its bound; from then on the brokers are known down and POSTs are refused at
# once ("unreachable": nothing is produced).
codes=
for i in $(seq 20); do
    post down -H 'Content-Type: application/json' -d "{\"first\":\"Xdown-$i\",\"Last\":\"B\"}"
    codes="$codes $(code down)"
    [ "$(code down)" = 503 ] && grep -q unreachable "$tmp/down.json" && break
    sleep 0.5
done
down_first=Xdown-$i
jcheck "with the brokers down a POST is a 503 with Retry-After (codes:$codes)" down \
    "$(code down) == 503 and h.get('retry-after') == '1' and j['status'] == 503 and 'unreachable' in j['detail']"
ctl broker-up 1
codes=
for i in $(seq 60); do
    post up -H 'Content-Type: application/json' -d "{\"first\":\"Xup-$i\",\"Last\":\"B\"}"
    codes="$codes $(code up)"
    [ "$(code up)" = 202 ] && break
    sleep 0.5
done
check "once the brokers are back POSTs are accepted again (codes:$codes)" test "$(code up)" = 202
kafka_firsts >"$tmp/firsts2.txt"
check "the event refused while the brokers were down ($down_first) is not in the output" \
    test "$(grep -cx "$down_first" "$tmp/firsts2.txt" || true)" -eq 0

# ---- SIGTERM while a request waits for the broker: it is answered, the worker still drains ----
# (Produce requests fail with a retriable error, so the event stays in flight; the consumer's
# requests still work, so the group is left as usual.)
ctl produce-errors 100000 NOT_ENOUGH_REPLICAS
curl -sS -o "$tmp/term.json" -w '%{http_code}' -XPOST -H 'Content-Type: application/json' \
    -d '{"first":"Xterm-1","Last":"B"}' "$u" >"$tmp/term.code" 2>/dev/null &
client=$!
sleep 0.5
term_check "$worker_pid" "the worker, with a request waiting for the broker,"
wait "$client" || true
check "that request was answered 503 (got $(code term))" test "$(code term)" = 503
finish
