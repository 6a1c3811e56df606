#!/usr/bin/env bash
# test_process_contract.sh - what the Kubernetes manifests rely on, tested against the real
# binary on the embedded broker: /healthz answers at once while /readyz says "not ready" until
# partitions are assigned (the input topic is created meanwhile) and "ready"
# after; a real Prometheus server (Debian's prometheus, on loopback) scrapes /metrics and a
# histogram query returns data; and SIGTERM under load drains and exits 0 within the drain
# bound, after which a second worker finishes the stream with nothing lost.
#
# Usage: tests/deploy/test_process_contract.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
mkfifo "$tmp/ctl"
"$build/meshgate" broker --control --topics out:4,dlq:4 <"$tmp/ctl" >"$tmp/broker.out" \
    2>"$tmp/broker.log" &
started+=($!)
exec 3>"$tmp/ctl"
for _ in $(seq 100); do [ -s "$tmp/broker.out" ] && break; sleep 0.1; done
bootstrap=$(head -n 1 "$tmp/broker.out")
write_config "$tmp/worker.yaml"
start_worker w1
port=$(worker_port "$tmp/w1.log")
url=http://127.0.0.1:$port

# ---- readiness follows the assignment
code() { curl -s -o "$tmp/body" -w '%{http_code}' "$url$1"; }
check "/healthz is 200 as soon as the worker listens" test "$(code /healthz)" = 200
# The embedded broker creates an unknown topic when a client asks for its metadata, so the
# worker may get its assignment before the test creates the topic: what is asserted is the
# order - only "no partition assignment yet" answers, then "ready" - not how many polls fit.
echo "create-topic raw 4" >&3
not_ready=0 other=0 ready=
for _ in $(seq 300); do
    got=$(code /readyz)
    if [ "$got" = 200 ]; then ready=1; break; fi
    if [ "$got" = 503 ] && grep -q 'no partition assignment' "$tmp/body"; then
        not_ready=$((not_ready + 1))
    else
        other=$((other + 1))
        echo "# /readyz answered $got: $(head -c 200 "$tmp/body" | tr -d '\n')"
    fi
    sleep 0.1
done
echo "# /readyz: $not_ready answers \"no partition assignment yet\", $other others, then ready=${ready:-no}"
check "/readyz is 503 \"no partition assignment yet\" until partitions are assigned, nothing else" \
    test "$not_ready" -ge 1 -a "$other" -eq 0
check "/readyz turns 200 once the topic exists and its partitions are assigned" test -n "$ready"
check "the worker logged the assignment before it was ready" grep -q 'assigned 4 partition' "$tmp/w1.log"

# ---- a real Prometheus scrapes /metrics
pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: meshgate
    static_configs:
      - targets: ["127.0.0.1:$port"]
YAML
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom" \
    --web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.log" 2>&1 &
started+=($!)
"$build/bench/gen-identity" --seed 3 --count 60000 --invalid-fraction 0.1 >"$tmp/lines.ndjson"
mgcheck --lines "$tmp/lines.ndjson" --rate 4000 --mode at-least-once --window 60000 \
    --timeout 300 >"$tmp/check.out" 2>&1 &
check_pid=$!
started+=("$check_pid")
query() {
    curl -fsS "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" 2>/dev/null || true
}
q='histogram_quantile(0.99, sum by (le) (rate(meshgate_end_to_end_latency_seconds_bucket[5s])))'
got=
for _ in $(seq 60); do
    got=$(query "$q")
    echo "$got" | grep -q '"status":"success".*"value":\[[0-9.]*,"[0-9.e+-]*"\]' && break
    got=
    sleep 0.5
done
check "Prometheus scraped /metrics: up{job=\"meshgate\"} is 1" \
    sh -c "curl -fsS 'http://127.0.0.1:$pport/api/v1/query?query=up' | grep -q '\"job\":\"meshgate\"}.*\"1\"'"
check "a histogram query (p99 end-to-end latency) returns data: $(echo "$got" | grep -o '"value":\[[^]]*\]')" \
    test -n "$got"

# ---- SIGTERM under load
for _ in $(seq 300); do [ "$(metric "$port" meshgate_messages_consumed_total)" -ge 15000 ] && break; sleep 0.1; done
inflight=$(metric "$port" meshgate_messages_consumed_total)
start=$(date +%s%N)
kill -TERM "$worker_pid"
rc=0
wait "$worker_pid" || rc=$?
took_ms=$((($(date +%s%N) - start) / 1000000))
check "SIGTERM under load ($inflight consumed so far): exit 0 (got $rc) within the 15 s drain bound (${took_ms} ms)" \
    test "$rc" -eq 0 -a "$took_ms" -le 15000
check "the drain was logged" grep -q 'SIGTERM: draining' "$tmp/w1.log"
start_worker w2
rc=0
wait "$check_pid" || rc=$?
check "a second worker finished the stream: nothing lost ($(grep -o 'missing=[0-9]*' "$tmp/check.out" | tail -1))" \
    sh -c "[ $rc -eq 0 ] && grep -q 'missing=0' '$tmp/check.out'"
sed 's/^/# /' "$tmp/check.out" | tail -3
kill -TERM "$worker_pid"
wait "$worker_pid" || true
finish
