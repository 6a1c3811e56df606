#!/usr/bin/env bash
# test_run_ingest_load.sh - HTTP ingest under concurrent clients (issue 19): 8 clients on
# keep-alive connections each send 220 single events and 80 NDJSON batches of 10 (8160 events,
# a tenth of them invalid), with http.max_inflight_requests small enough that some requests are
# refused with 429 and retried. Then the output topic is read back: every event acknowledged
# to a client (202) is there exactly once, no event refused (400, 413, 429, 503) is there, and
# the counts on /metrics agree. Bounded by count (and a generous time limit), not by speed.
#
# Usage: tests/worker/test_run_ingest_load.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_broker --topics raw:4,out:4,dlq:4
write_config "$tmp/worker.yaml"
sed -i 's/^  listen: 127.0.0.1:0$/  listen: 127.0.0.1:0\n  max_inflight_requests: 4/' "$tmp/worker.yaml"
sed -i 's/^    attributes: all$/    attributes: all\n    ingest: on\n    auth: none/' "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"

timeout 600 python3 - "$port" >"$tmp/load.out" 2>"$tmp/load.err" <<'PY'
import http.client, json, sys, threading, time
port = int(sys.argv[1])
acked, refused, codes, lock = set(), set(), {}, threading.Lock()

def event(c, i):
    valid = (c * 1000 + i) % 10 != 7
    e = {"first": "C%d-%d" % (c, i), "Last": "Load"}
    if not valid:
        e["Age"] = 500
    return json.dumps(e)

def client(c):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = 0
    for r in range(300):
        batch = r % 3 == 2 and r < 240   # 80 batches of 10, 220 single events
        n = 10 if batch else 1
        body = "\n".join(event(c, i + k) for k in range(n))
        names = ["C%d-%d" % (c, i + k) for k in range(n)]
        i += n
        for attempt in range(100):
            try:
                conn.request("POST", "/ingest/raw", body, {"Content-Type":
                             "application/x-ndjson" if batch else "application/json"})
                resp = conn.getresponse()
                status, data = resp.status, resp.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, data = 0, b""
            with lock:
                codes[status] = codes.get(status, 0) + 1
            if status in (429, 503, 0):
                if status == 503 and b"may have been written" in data:
                    break  # neither acked nor refused for sure
                time.sleep(0.01 * (attempt + 1))
                continue
            break
        else:
            with lock:
                refused.update(names)
            continue
        if status == 0 or (status == 503 and b"may have been written" in data):
            continue
        j = json.loads(data)
        results = j["results"] if "results" in j else [j]
        with lock:
            for name, res in zip(names, results):
                (acked if res.get("status", status) == 202 else refused).add(name)

threads = [threading.Thread(target=client, args=(c,)) for c in range(8)]
t0 = time.time()
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"acked": sorted(acked), "refused": sorted(refused),
                  "codes": {str(k): v for k, v in codes.items()}, "seconds": time.time() - t0}))
PY
summary=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["acked"]), len(d["refused"]), d["codes"], round(d["seconds"],1))' "$tmp/load.out" 2>/dev/null || echo "no result")
echo "# acked refused codes seconds: $summary"
kcat -C -b "$bootstrap" -t out -o beginning -e -q -f '%s\n' 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    l = l.strip()
    if l: print(json.loads(l)["first"])' >"$tmp/kafka.txt"
python3 - "$tmp/load.out" "$tmp/kafka.txt" >"$tmp/verdict.txt" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1]))
acked, refused = set(d["acked"]), set(d["refused"])
seen = collections.Counter(l.strip() for l in open(sys.argv[2]) if l.strip())
print("events", len(acked) + len(refused))
print("missing", len(acked - set(seen)))
print("refused_present", len(refused & set(seen)))
print("duplicates", sum(1 for k, v in seen.items() if v > 1 and k in acked))
print("unexplained", len(set(seen) - acked - refused))
PY
sed 's/^/# /' "$tmp/verdict.txt"
v() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/verdict.txt"; }
check "every one of the 8160 events got a definite answer" test "$(v events)" = 8160
check "no event acknowledged to a client is missing from the output topic" test "$(v missing)" = 0
check "no refused event is in the output topic" test "$(v refused_present)" = 0
check "no acknowledged event is there twice" test "$(v duplicates)" = 0
check "the output holds nothing no client sent" test "$(v unexplained)" = 0
acked=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["acked"]))' "$tmp/load.out")
counted=$(curl -fsS "http://127.0.0.1:$port/metrics" |
    sed -n 's/^meshgate_http_ingest_events_total{route="raw",result="accepted"} //p')
check "/metrics counts the accepted events ($counted, clients were told $acked)" \
    test "$counted" = "$acked"
check "some requests met the in-flight bound (429) and were retried" \
    python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["codes"].get("429",0) > 0' "$tmp/load.out"
term_check "$worker_pid" "the worker"
finish
