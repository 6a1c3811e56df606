#!/usr/bin/env bash
# run.sh - the HTTP row of `make bench` (issue 19): wrk against the HTTP ingest of a worker on
# the embedded broker, single identity events and NDJSON batches of 100, for the gate (binary
# CloudEvents, validated) and the same endpoint on a passthrough route (no validation, no
# envelope), beside a minimal Node.js peer (bench/peers/http-node: http + Ajv + KafkaJS), one
# after the other in one run, each answer waiting for the broker's acknowledgement.
#
# wrk runs 2 threads and 16 keep-alive connections for DURATION seconds after a 2 s warm-up; the
# worker, the broker, the peer and wrk share this machine's cores, so the figures are for this
# machine as it is (bench/README.md). Requests/s and the latency percentiles are wrk's; events/s
# is requests/s times the events per request; non-2xx answers are counted (a bound or a broker
# refusal would show there).
#
# Usage: bench/http/run.sh BUILD_DIR [DURATION]. Prints lines:
#   impl=I mode=M body=B events_per_req=E req_per_s=X events_per_s=Y p50_ms=.. p99_ms=.. non2xx=N
set -euo pipefail
build=${1:-build}
duration=${2:-10}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

if ! command -v wrk >/dev/null; then
    echo "impl=meshgate missing: wrk is not installed (make bench installs BENCH_PKGS)"
    exit 0
fi
build_schema
start_broker --topics raw:4,out:4,dlq:4,rawpt:4,outpt:4,dlqpt:4,nodeout:4
write_config "$tmp/worker.yaml"
sed -i 's/^  listen: 127.0.0.1:0$/  listen: 127.0.0.1:0\n  max_connections_per_ip: 64/' "$tmp/worker.yaml"
sed -i 's/^    attributes: all$/    attributes: all\n    ingest: on\n    auth: none/' "$tmp/worker.yaml"
add_route "$tmp/worker.yaml" "input: rawpt" "output: outpt" "dead_letter: dlqpt" "source: urn:pt" \
    "mode: passthrough" "ingest: on" "auth: none"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"

"$build/bench/gen-identity" --seed 3 --count 100 --invalid-fraction 0 >"$tmp/batch.ndjson"
head -n 1 "$tmp/batch.ndjson" | tr -d '\n' >"$tmp/single.json"

# wrk_row IMPL MODE URL: the single-event and the batch rows against URL
wrk_row() {
    local impl=$1 mode=$2 url=$3 body ct n file
    for body in single batch; do
        if [ "$body" = single ]; then file=$tmp/single.json ct=application/json n=1; else
            file=$tmp/batch.ndjson ct=application/x-ndjson n=100
        fi
        BODY_FILE=$file CONTENT_TYPE=$ct wrk -t2 -c16 -d2s -s bench/http/post.lua "$url" >/dev/null 2>&1 || true
        BODY_FILE=$file CONTENT_TYPE=$ct wrk -t2 -c16 -d"${duration}s" --latency -s bench/http/post.lua \
            "$url" >"$tmp/wrk.out" 2>&1 || true
        python3 - "$tmp/wrk.out" "$impl" "$mode" "$body" "$n" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
impl, mode, body, n = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)$", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else None
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
bad = re.search(r"non2xx=(\d+)", text)
if not rps or not p50 or not p99:
    print("impl=%s mode=%s body=%s failed: %s" % (impl, mode, body, text.strip().replace("\n", " | ")[:300]))
else:
    r = float(rps.group(1))
    print("impl=%s mode=%s body=%s events_per_req=%d req_per_s=%.0f events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%s"
          % (impl, mode, body, n, r, r * n, ms(p50.group(1)), ms(p99.group(1)), bad.group(1) if bad else "?"))
PY
    done
}

wrk_row meshgate gate "http://127.0.0.1:$port/ingest/raw"
wrk_row meshgate passthrough "http://127.0.0.1:$port/ingest/rawpt"
kill -TERM "$worker_pid" 2>/dev/null || true
wait "$worker_pid" 2>/dev/null || true

peer=bench/peers/http-node
if command -v node >/dev/null && [ -f "$peer/server.js" ]; then
    [ -d "$peer/node_modules/kafkajs" ] ||
        npm install --silent --no-audit --no-fund --prefix "$peer" >/dev/null 2>&1 || true
fi
if [ -d "$peer/node_modules/kafkajs" ]; then
    nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    node "$peer/server.js" examples/identity/identity.schema.json "$bootstrap" nodeout "$nport" \
        >"$tmp/node.out" 2>"$tmp/node.log" &
    started+=($!)
    for _ in $(seq 100); do grep -q listening "$tmp/node.out" 2>/dev/null && break; sleep 0.1; done
    wrk_row node-ajv-kafkajs gate "http://127.0.0.1:$nport/ingest"
else
    echo "impl=node-ajv-kafkajs missing: node or npm install of $peer failed"
fi
