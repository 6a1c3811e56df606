#!/usr/bin/env bash
# test_broker.sh - `meshgate broker`: prints its bootstrap address first, serves the Kafka
# protocol to a client meshgate did not write (kcat), creates the topics it is given, and
# stops cleanly on SIGTERM; --port N gives the stable bootstrap address 127.0.0.1:N and fails
# with the port named when it is taken.
#
# Usage: tests/worker/test_broker.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0
fails=0
check() { # check description command...
    local d=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fails=$((fails + 1)); fi
}

"$build/meshgate" broker --topics raw:3,out >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 50); do
    [ -s "$tmp/out" ] && break
    sleep 0.1
done
bootstrap=$(head -n 1 "$tmp/out")
check "first line of stdout is a loopback bootstrap address" \
    bash -c "[[ '$bootstrap' =~ ^127\\.0\\.0\\.1:[0-9]+$ ]]"
timeout 20 kcat -L -b "$bootstrap" >"$tmp/meta" 2>&1 || true
check "kcat reads metadata: topic raw has 3 partitions" grep -q 'topic "raw" with 3 partitions' "$tmp/meta"
check "kcat reads metadata: topic out has the default 4 partitions" \
    grep -q 'topic "out" with 4 partitions' "$tmp/meta"
printf '%s\n' '{"first": "Ada", "Last": "Lovelace"}' '{"first": "Alan", "Last": "Turing"}' |
    timeout 20 kcat -P -b "$bootstrap" -t raw -p 1
timeout 20 kcat -C -b "$bootstrap" -t raw -p 1 -o beginning -e -q >"$tmp/consumed" 2>/dev/null || true
check "messages produced with kcat are consumed back in order" \
    diff <(printf '%s\n' '{"first": "Ada", "Last": "Lovelace"}' '{"first": "Alan", "Last": "Turing"}') \
    "$tmp/consumed"
kill -TERM "$pid"
rc=0
for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
    rc=124
else
    wait "$pid" || rc=$?
fi
pid=
check "SIGTERM stops the broker with exit status 0 within 10 s (got $rc)" [ "$rc" -eq 0 ]
set +e
"$build/meshgate" broker --topics raw:0 >/dev/null 2>"$tmp/err"
rc=$?
set -e
check "a bad --topics value fails at start with the option named" \
    bash -c "[ $rc -eq 2 ] && grep -q -- '--topics' '$tmp/err'"

# --control: fault injection from stdin, one answer line per command.
mkfifo "$tmp/ctl"
"$build/meshgate" broker --brokers 3 --control --topics t:3 <"$tmp/ctl" >"$tmp/cout" 2>"$tmp/cerr" &
pid=$!
exec 3>"$tmp/ctl"
for _ in $(seq 50); do [ -s "$tmp/cout" ] && break; sleep 0.1; done
bootstrap=$(head -n 1 "$tmp/cout")
answer() { # answer N: waits for the Nth line of stdout (after the bootstrap line)
    for _ in $(seq 50); do [ "$(wc -l <"$tmp/cout")" -gt "$1" ] && break; sleep 0.1; done
    sed -n "$(($1 + 1))p" "$tmp/cout"
}
echo "produce-errors 2 NOT_LEADER_FOR_PARTITION" >&3
check "control: produce-errors with a known error name answers ok" [ "$(answer 1)" = ok ]
echo "produce-errors 1 NO_SUCH_ERROR" >&3
check "control: an unknown error name is refused with the name" \
    bash -c "[[ '$(answer 2)' == 'error: unknown error name NO_SUCH_ERROR' ]]"
echo "broker-down 2" >&3
check "control: broker-down answers ok" [ "$(answer 3)" = ok ]
echo "broker-up 2" >&3
check "control: broker-up answers ok" [ "$(answer 4)" = ok ]
echo "coordinator g 3" >&3
check "control: coordinator moves a group's coordinator, answers ok" [ "$(answer 5)" = ok ]
echo "broker-down 9" >&3
check "control: a broker id out of range is refused" bash -c "[[ '$(answer 6)' == error:* ]]"
printf 'x\n' | timeout 20 kcat -P -b "$bootstrap" -t t -p 0 2>/dev/null
check "control: the cluster still serves after the injected errors (produce retried)" \
    bash -c "timeout 20 kcat -C -b '$bootstrap' -t t -p 0 -o beginning -c 1 -e -q 2>/dev/null | grep -qx x"
exec 3>&-
kill -TERM "$pid"
wait "$pid" || true
pid=

# --port: a stable bootstrap address (a free port, found by binding port 0).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$build/meshgate" broker --port "$port" --topics raw:2 >"$tmp/pout" 2>"$tmp/perr" &
pid=$!
for _ in $(seq 50); do [ -s "$tmp/pout" ] && break; sleep 0.1; done
check "--port $port: the first line of stdout is 127.0.0.1:$port" \
    test "$(head -n 1 "$tmp/pout")" = "127.0.0.1:$port"
printf '%s\n' p1 p2 | timeout 20 kcat -P -b "127.0.0.1:$port" -t raw -p 1
check "--port: kcat produces and consumes through 127.0.0.1:$port" \
    bash -c "timeout 20 kcat -C -b 127.0.0.1:$port -t raw -p 1 -o beginning -c 2 -e -q 2>/dev/null |
        tr '\n' ' ' | grep -qx 'p1 p2 '"
"$build/meshgate" broker --port "$port" >/dev/null 2>"$tmp/perr2" && rc=0 || rc=$?
check "--port with the port taken: exit 1, the address and the reason named" \
    bash -c "[ $rc -eq 1 ] && grep -q '127.0.0.1:$port: Address already in use' '$tmp/perr2'"
"$build/meshgate" broker --port 70000 >/dev/null 2>"$tmp/perr3" && rc=0 || rc=$?
check "--port 70000: refused at start with the option named" \
    bash -c "[ $rc -eq 2 ] && grep -q -- '--port' '$tmp/perr3'"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
check "with --port, SIGTERM stops the broker with exit status 0 (got $rc)" [ "$rc" -eq 0 ]
[ "$fails" -eq 0 ]
