#!/usr/bin/env bash
# test_run_http.sh - the worker's HTTP endpoint under hostile clients while it works: ten
# clients from one address each sending a request one byte every half second (only
# http.max_connections_per_ip of them get in, each cut off at http.request_timeout_ms however
# slowly it keeps sending), URLs with control bytes (/metrics%00.json must not be /metrics),
# and meanwhile /metrics still answers another address and the worker keeps consuming:
# mgcheck must find every message where its verdict says.
#
# Usage: tests/worker/test_run_http.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

setup_stream 4 53 100000
sed -i 's/^  listen: 127.0.0.1:0$/  listen: 127.0.0.1:0\n  max_connections: 16\n  max_connections_per_ip: 4\n  request_timeout_ms: 2000/' \
    "$tmp/worker.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
# Everything this test reads itself comes from another loopback address than the attack.
metric_from() { # metric_from NAME: the summed series, asked from 127.0.0.9
    curl -fsS --interface 127.0.0.9 "http://127.0.0.1:$port/metrics" 2>/dev/null |
        awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%d\n", s }'
}
mgcheck --lines "$tmp/lines.ndjson" --malformed-every 97 --mode exact --window 3000 \
    --timeout 300 >"$tmp/check.out" 2>&1 &
checker=$!
started+=("$checker")
for _ in $(seq 300); do
    [ "$(metric_from meshgate_messages_consumed_total)" -ge 1000 ] && break
    sleep 0.1
done

# Ten slow clients from 127.0.0.1, for at most 20 s each; each line says how it ended.
python3 - "$port" >"$tmp/slow.out" 2>&1 <<'PY' &
import socket, sys, threading, time
port = int(sys.argv[1])
request = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
out = []
def slow(i):
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(0.5)
    end = "still open"
    for b in request:
        if time.monotonic() - t0 > 20:
            break
        try:
            s.send(bytes([b]))
            if s.recv(4096) == b"":
                end = "closed"
                break
        except socket.timeout:
            continue
        except OSError:
            end = "closed"
            break
    out.append("client %d %s after %.1f s" % (i, end, time.monotonic() - t0))
threads = [threading.Thread(target=slow, args=(i,)) for i in range(10)]
for t in threads:
    t.start()
    time.sleep(0.05)
for t in threads:
    t.join()
print("\n".join(sorted(out)))
PY
slow=$!
started+=("$slow")
sleep 1
before=$(metric_from meshgate_messages_consumed_total)
codes=
for u in '/metrics%00.json' '/metrics%00' '/healthz%0d%0aSet-Cookie:%20x' '/readyz%1b'; do
    codes="$codes $(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.8 "http://127.0.0.1:$port$u")"
done
served=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.9 "http://127.0.0.1:$port/metrics")
sleep 3
after=$(metric_from meshgate_messages_consumed_total)
wait "$slow" || true
sed 's/^/# /' "$tmp/slow.out"
check "URLs that decode to control bytes are refused with 400 (got$codes)" \
    test "$(echo "$codes" | tr -s ' ')" = " 400 400 400 400"
check "during the attack /metrics answers another address (got $served)" test "$served" = 200
check "during the attack the worker kept consuming ($before, then $after)" test "$after" -gt "$before"
check "every slow client was cut off" test "$(grep -c ' closed after ' "$tmp/slow.out")" -eq 10
longest=$(sed -n 's/.* closed after \([0-9.]*\) s/\1/p' "$tmp/slow.out" | sort -n | tail -n 1)
check "no slow client held its connection past the 2 s request deadline by much (longest ${longest:-?} s, bound 6 s)" \
    awk -v t="${longest:-99}" 'BEGIN { exit !(t <= 6) }'
check "only max_connections_per_ip (4) of them got in; the others were closed at once" \
    test "$(awk '$4 == "after" && $5 < 1 { n++ } END { print n + 0 }' "$tmp/slow.out")" -ge 6
wait_checker
check "through the attack every message is on its output or dead-letter topic exactly once, none missing" \
    test "$check_rc" -eq 0
term_check "$worker_pid" "the worker"
finish
