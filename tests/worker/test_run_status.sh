#!/usr/bin/env bash
# test_run_status.sh - what an operator sees, against the embedded broker: two routes (data
# products), one fed by mgcheck (20,000 generated messages, 20% invalid, every 97th malformed),
# the other by kcat (valid, schema rejects, malformed, and a value with HTML in it). Then:
#  - /metrics: per-route counts equal what mgcheck produced and judged; the routes sum to the
#    process-wide counters; rejects by keyword location sum to the schema rejects;
#    meshgate_build_info names the version and the schema set's SHA-256; process_* match /proc;
#    no consumer lag of -1; the histogram buckets are the ones README documents;
#  - /status: the same figures as /metrics, percentiles as histogram_quantile() gives them from
#    the /metrics buckets, the largest reject kinds with an escaped example each;
#  - the status page at / in headless Chromium: the figures it shows equal /metrics, the links
#    to the catalog, OpenAPI and schemas are there, the HTML in a message is text and no
#    element; a screenshot is saved as BUILD_DIR/status-page.png. The Content-Security-Policy
#    header is on the page.
#
# Usage: tests/worker/test_run_status.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

build_schema
start_broker --topics "raw:2,out:2,dlq:2,raw2:1,out2:1,dlq2:1"
"$build/bench/gen-identity" --seed 61 --count 20000 --invalid-fraction 0.2 >"$tmp/lines.ndjson"
write_config "$tmp/worker.yaml"
# A catalog (the files the worker serves; their content does not matter here).
mkdir -p "$tmp/catalog/schemas"
echo '{"routes": []}' >"$tmp/catalog/catalog.json"
echo '{"openapi": "3.1.0"}' >"$tmp/catalog/openapi.json"
cp examples/identity/identity.schema.json "$tmp/catalog/schemas/identity.json"
echo "catalog: $tmp/catalog" >>"$tmp/worker.yaml"
add_route "$tmp/worker.yaml" "input: raw2" "schema_version: \"2\"" "output: out2" \
    "dead_letter: dlq2" "source: urn:meshgate:test2"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"
url="http://127.0.0.1:$port"

mgcheck --lines "$tmp/lines.ndjson" --malformed-every 97 --mode exact --window 3000 \
    --timeout 300 >"$tmp/check.out" 2>&1 &
checker=$!
started+=("$checker")
# raw2: 5 valid, 3 over the age bound, 2 malformed, 1 whose value holds HTML.
{
    for i in 1 2 3 4 5; do echo "v$i|{\"first\": \"Ada\", \"Last\": \"L$i\"}"; done
    for i in 1 2 3; do echo "a$i|{\"first\": \"Ada\", \"Last\": \"L\", \"Age\": 14$i}"; done
    for i in 1 2; do echo "m$i|{\"first\": "; done
    echo 'h1|{"first": "<img src=x onerror=alert(1)>", "Last": "L"}'
} >"$tmp/raw2.txt"
kcat -P -b "$bootstrap" -t raw2 -K '|' <"$tmp/raw2.txt"
wait_checker
check "mgcheck: every message where its verdict says (exit $check_rc)" test "$check_rc" -eq 0
read -r produced valid rejected < <(sed -n 's/.*# produced=\([0-9]*\) valid=\([0-9]*\) rejected=\([0-9]*\).*/\1 \2 \3/p' \
    "$tmp/check.out")
echo "# mgcheck: produced=$produced valid=$valid rejected=$rejected"

# Until every message of both routes is counted and acknowledged (the figures then stand).
R1='topic="raw",schema="identity",schema_version="1"'
R2='topic="raw2",schema="identity",schema_version="2"'
for _ in $(seq 600); do
    [ "$(metric "$port" "meshgate_route_messages_consumed_total{$R1}")" -eq "$produced" ] &&
        [ "$(metric "$port" "meshgate_route_messages_consumed_total{$R2}")" -eq 11 ] &&
        [ "$(metric "$port" meshgate_inflight_messages)" -eq 0 ] && break
    sleep 0.1
done
sleep 1.2 # one more sample for the rates
curl -fsS "$url/metrics" >"$tmp/metrics.txt"
curl -fsS -D "$tmp/status.head" "$url/status" >"$tmp/status.json"

# ---- /metrics ----
m() { awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print "absent" }' "$tmp/metrics.txt"; }
check "route raw consumed = mgcheck produced ($produced)" \
    test "$(m "meshgate_route_messages_consumed_total{$R1}")" = "$produced"
check "route raw valid = mgcheck valid ($valid)" \
    test "$(m "meshgate_route_messages_valid_total{$R1}")" = "$valid"
rej1=$(awk -v p="meshgate_route_messages_rejected_total{$R1," 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$tmp/metrics.txt")
check "route raw rejects by reason sum to mgcheck rejected ($rejected, got $rej1)" \
    test "$rej1" = "$rejected"
check "route raw2: 5 valid, 4 schema rejects, 2 syntax rejects" \
    test "$(m "meshgate_route_messages_valid_total{$R2}")/$(m "meshgate_route_messages_rejected_total{$R2,reason=\"schema\"}")/$(m "meshgate_route_messages_rejected_total{$R2,reason=\"syntax\"}")" = 5/4/2
check "the routes sum to meshgate_messages_consumed_total" \
    test "$(m meshgate_messages_consumed_total)" = "$((produced + 11))"
for R in "$R1" "$R2"; do
    kw=$(awk -v p="meshgate_route_schema_rejects_total{$R," 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$tmp/metrics.txt")
    check "schema rejects by keyword location sum to the schema rejects ($R)" \
        test "$kw" = "$(m "meshgate_route_messages_rejected_total{$R,reason=\"schema\"}")"
done
check "raw2's age rejects under their keyword location" \
    test "$(m "meshgate_route_schema_rejects_total{$R2,keyword_location=\"#/properties/Age/exclusiveMaximum\"}")" = 3
version=$("$build/meshgate" --version | awk '{print $2}')
sha=$(sha256sum "$tmp/identity.so" | cut -c1-12)
check "meshgate_build_info{version=\"$version\",schema_set=\"identity.so@$sha\"} 1" \
    test "$(m "meshgate_build_info{version=\"$version\",schema_set=\"identity.so@$sha\"}")" = 1
fds=$(m process_open_fds) real_fds=$(ls "/proc/$worker_pid/fd" | wc -l)
check "process_open_fds ($fds) near /proc's count ($real_fds; HTTP connections come and go)" \
    test "$fds" -gt 5 -a "$fds" -le $((real_fds + 4)) -a "$fds" -ge $((real_fds - 4))
rss=$(m process_resident_memory_bytes) vmrss=$(awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$worker_pid/status")
check "process_resident_memory_bytes ($rss) within 25% of VmRSS ($vmrss)" \
    python3 -c "import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); sys.exit(not (abs(a - b) <= b / 4))" "$rss" "$vmrss"
check "process_cpu_seconds_total and process_start_time_seconds are there" \
    bash -c "[ '$(m process_cpu_seconds_total)' != absent ] && [ '$(m process_start_time_seconds)' != absent ]"
check "no consumer lag of -1 (unknown lags are left out)" \
    bash -c "! grep -E '^meshgate_consumer_lag\\{.*\\} -1$' '$tmp/metrics.txt'"
check "a lag per assigned partition of raw" \
    test "$(grep -c '^meshgate_consumer_lag{topic="raw",' "$tmp/metrics.txt")" -eq 2
# README's documented buckets are the exported ones.
doc=$(sed -n 's/^    le bounds (seconds): //p' README.md | tr ' ' ',')
real=$(awk -F'le="' '/^meshgate_validation_latency_seconds_bucket/ { split($2, a, "\""); printf "%s%s", sep, a[1]; sep = "," }' "$tmp/metrics.txt")
check "README's bucket list ($doc) is the exported one" test "$doc,+Inf" = "$real"

# ---- /status, and the page in Chromium ----
check "/status is JSON (application/json)" grep -qi '^content-type: application/json' "$tmp/status.head"
check "responses carry the Content-Security-Policy" \
    bash -c "curl -fsS -D - -o /dev/null '$url/' | grep -qi \"^content-security-policy: default-src 'none'; script-src 'self'\""
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ]; then
    flags=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$tmp/chrome"
        --virtual-time-budget=15000 --window-size=1400,1200)
    timeout 120 "$chromium" "${flags[@]}" --dump-dom "$url/" >"$tmp/page.html" 2>"$tmp/chrome.log" || true
    rm -f "$build/status-page.png"
    timeout 120 "$chromium" "${flags[@]}" --screenshot="$tmp/status-page.png" "$url/" \
        >>"$tmp/chrome.log" 2>&1 || true
    [ -s "$tmp/status-page.png" ] && cp "$tmp/status-page.png" "$build/status-page.png"
    check "a screenshot of the status page in $build/status-page.png" \
        bash -c "head -c 8 '$build/status-page.png' 2>/dev/null | od -An -tx1 | grep -q '89 50 4e 47'"
else
    not_ok "chromium is not installed (make deps installs it)"
fi
# The figures of /status and of the page against /metrics (tests/worker/status_check.py).
while IFS= read -r line; do
    case $line in
    "PASS "*) ok "${line#PASS }" ;;
    "FAIL "*) not_ok "${line#FAIL }" ;;
    *) echo "# $line" ;;
    esac
done < <(python3 tests/worker/status_check.py "$tmp/metrics.txt" "$tmp/status.json" \
    "$tmp/page.html" 2>&1 || echo "FAIL status_check.py ended with an error")
term_check "$worker_pid" "the worker"
finish
