#!/usr/bin/env bash
# libcmp.sh - issue 19.6: libmicrohttpd against h2o on HTTP ingest's workload, by measurement.
# build/bench/http_libcmp serves POSTs with either library on one event-loop thread and
# validates each event with the compiled identity schema (no Kafka: that part is the same for
# both); wrk sends single events and NDJSON batches of 100 on 16 and on 64 keep-alive
# connections for DURATION seconds each, after a 2 s warm-up. Each server is alone on the
# machine while wrk drives it, but wrk shares its cores.
#
# Usage: bench/http/libcmp.sh BUILD_DIR [DURATION]. Prints lines:
#   lib=L conns=C body=B req_per_s=X p50_ms=.. p99_ms=.. non2xx=N
set -euo pipefail
build=${1:-build}
duration=${2:-10}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh
bin=$build/bench/http_libcmp
[ -x "$bin" ] || make --no-print-directory "$bin" >/dev/null
if ! command -v wrk >/dev/null; then echo "lib=all missing: wrk is not installed"; exit 0; fi
build_schema
"$build/bench/gen-identity" --seed 3 --count 100 --invalid-fraction 0.1 >"$tmp/batch.ndjson"
head -n 1 "$tmp/batch.ndjson" | tr -d '\n' >"$tmp/single.json"
for lib in mhd h2o; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" --lib "$lib" --schemas "$tmp/identity.so" --schema identity --port "$port" \
        >"$tmp/$lib.out" 2>"$tmp/$lib.log" &
    pid=$!
    started+=("$pid")
    for _ in $(seq 100); do grep -q listening "$tmp/$lib.out" 2>/dev/null && break; sleep 0.1; done
    for conns in 16 64; do
        for body in single batch; do
            file=$tmp/single.json ct=application/json
            [ "$body" = batch ] && file=$tmp/batch.ndjson ct=application/x-ndjson
            BODY_FILE=$file CONTENT_TYPE=$ct wrk -t2 -c"$conns" -d2s -s bench/http/post.lua \
                "http://127.0.0.1:$port/ingest" >/dev/null 2>&1 || true
            BODY_FILE=$file CONTENT_TYPE=$ct wrk -t2 -c"$conns" -d"${duration}s" --latency \
                -s bench/http/post.lua "http://127.0.0.1:$port/ingest" >"$tmp/wrk.out" 2>&1 || true
            python3 - "$tmp/wrk.out" "$lib" "$conns" "$body" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)$", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else -1
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
bad = re.search(r"non2xx=(\d+)", text)
if rps and p50 and p99:
    print("lib=%s conns=%s body=%s req_per_s=%.0f p50_ms=%.3f p99_ms=%.3f non2xx=%s" % (
        sys.argv[2], sys.argv[3], sys.argv[4], float(rps.group(1)), ms(p50.group(1)),
        ms(p99.group(1)), bad.group(1) if bad else "?"))
else:
    print("lib=%s conns=%s body=%s failed" % (sys.argv[2], sys.argv[3], sys.argv[4]))
PY
        done
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
