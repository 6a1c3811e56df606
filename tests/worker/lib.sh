# lib.sh - shared by the tests/worker/test_run_*.sh scripts: a scratch folder, the identity
# schema compiled into a shared object, the embedded broker, worker processes with a config,
# TAP output, and cleanup of every process started (even on failure).
#
# Usage: build=BUILD_DIR; source tests/worker/lib.sh (from the repository root).

tmp=$(mktemp -d)
started=()
n=0
fails=0
cleanup() {
    for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${KEEP_TMP:-}" ] && cp -r "$tmp" /tmp/keep || true
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
    local d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# build_so NAME SCHEMA [SCHEMA_NAME]: SCHEMA compiled into $tmp/NAME.so (the schema named
# SCHEMA_NAME, default NAME), built with the same sanitizer as the build.
build_so() {
    "$build/meshgate-codegen" -o "$tmp/$1" --name "${3:-$1}" "$2"
    compile_so "$1"
}

# compile_so NAME: codegen's $tmp/NAME.c compiled into $tmp/NAME.so, with the build's sanitizer.
compile_so() {
    # shellcheck disable=SC2086
    cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
        -o "$tmp/$1.so" "$tmp/$1.c" "$build/libmgvalidator.a" \
        -lsimdjson -lidn2 -lstdc++ -lm
}

# The identity schema as $tmp/identity.so.
build_schema() {
    build_so identity examples/identity/identity.schema.json
}

# build_narrowed NAME RANGE: the identity schema with first names matching ^[RANGE] only (A-M:
# "Xavier" valid before is now refused), compiled into $tmp/NAME.so.
build_narrowed() {
    sed 's/"first": { "type": "string", "pattern": "^\[A-Z\]" }/"first": { "type": "string", "pattern": "^['"$2"']" }/' \
        examples/identity/identity.schema.json >"$tmp/$1.schema.json"
    grep -qF "\"^[$2]\"" "$tmp/$1.schema.json"
    build_so "$1" "$tmp/$1.schema.json" identity
}

# start_broker ARGS...: sets $bootstrap and $broker_pid.
# The previous broker's address file is removed first: the redirection truncates it only once
# the child runs, and reading the old one in between gave an empty bootstrap address.
start_broker() {
    rm -f "$tmp/broker.out"
    "$build/meshgate" broker "$@" >"$tmp/broker.out" 2>"$tmp/broker.log" &
    broker_pid=$!
    started+=("$broker_pid")
    bootstrap=
    for _ in $(seq 100); do
        [ -s "$tmp/broker.out" ] && bootstrap=$(head -n 1 "$tmp/broker.out")
        [ -n "$bootstrap" ] && return 0
        sleep 0.1
    done
    echo "start_broker: no bootstrap address from meshgate broker within 10 s:" >&2
    cat "$tmp/broker.log" >&2
    return 1
}

# start_control_broker ARGS...: the embedded broker with --control and ARGS, commands written
# with `ctl COMMAND...` (counted in $sent; each is answered on $tmp/broker.out); sets
# $bootstrap.
start_control_broker() {
    mkfifo "$tmp/ctl"
    "$build/meshgate" broker --control "$@" <"$tmp/ctl" >"$tmp/broker.out" 2>"$tmp/broker.log" &
    started+=($!)
    exec 3>"$tmp/ctl"
    for _ in $(seq 100); do [ -s "$tmp/broker.out" ] && break; sleep 0.1; done
    bootstrap=$(head -n 1 "$tmp/broker.out")
    sent=0
}
ctl() {
    echo "$*" >&3
    sent=$((sent + 1))
}

# write_config FILE [MODE [ATTRIBUTES]]: a worker config for route raw -> out / dlq.
write_config() {
    cat >"$1" <<YAML
schemas: $tmp/identity.so
group: meshgate-test
workers: 2
http:
  listen: 127.0.0.1:0
limits:
  max_inflight_messages: 5000
drain_timeout_ms: 15000
stats_interval_ms: 0
retry:
  backoff_ms: 50
  backoff_max_ms: 1000
routes:
  - input: raw
    schema: identity
    output: out
    dead_letter: dlq
    source: urn:meshgate:test
    type: test.identity.v1
    mode: ${2:-binary}
    attributes: ${3:-all}
kafka:
  bootstrap.servers: $bootstrap
  topic.metadata.refresh.interval.ms: "1000"
consumer:
  session.timeout.ms: "6000"
  heartbeat.interval.ms: "500"
  # The mock broker's fetch long-poll does not wake when data arrives; a real broker does.
  fetch.wait.max.ms: "10"
YAML
}

# add_route FILE "KEY: VALUE"...: one more route, on the identity schema, in a configuration
# written by write_config.
add_route() {
    python3 - "$@" <<'PY'
import sys
p, keys = sys.argv[1], sys.argv[2:]
route = "  - schema: identity\n" + "".join("    %s\n" % k for k in keys)
s = open(p).read()
open(p, "w").write(s.replace("kafka:\n", route + "kafka:\n", 1))
PY
}

# routes_setup ROUTES PARTITIONS WORKERS: for a routes.yaml that meshgate-codegen generated
# from contracts, the embedded broker with each of its topics (PARTITIONS each) and
# $tmp/worker.yaml: those routes with WORKERS threads, a loopback HTTP port and the broker.
routes_setup() {
    local topics='' t
    for t in $(grep -E '^    (input|output|dead_letter): ' "$1" | tr -d '"' | awk '{print $2}'); do
        topics="$topics${topics:+,}$t:$2"
    done
    start_broker --topics "$topics"
    cp "$1" "$tmp/worker.yaml"
    cat >>"$tmp/worker.yaml" <<YAML
workers: $3
http:
  listen: 127.0.0.1:0
stats_interval_ms: 0
kafka:
  bootstrap.servers: $bootstrap
consumer:
  session.timeout.ms: "6000"
  heartbeat.interval.ms: "500"
  fetch.wait.max.ms: "10"
YAML
}

# setup_stream PARTITIONS SEED COUNT: the identity schema, a broker with topics raw, out and
# dlq of PARTITIONS partitions each, COUNT generated lines (20% invalid) in $tmp/lines.ndjson
# and the worker configuration $tmp/worker.yaml.
setup_stream() {
    build_schema
    start_broker --topics "raw:$1,out:$1,dlq:$1"
    "$build/bench/gen-identity" --seed "$2" --count "$3" --invalid-fraction 0.2 >"$tmp/lines.ndjson"
    write_config "$tmp/worker.yaml"
}

# start_worker NAME [CONFIG]: starts a worker, logs to $tmp/NAME.log; sets $worker_pid.
start_worker() {
    "$build/meshgate" run --config "${2:-$tmp/worker.yaml}" 2>>"$tmp/$1.log" &
    worker_pid=$!
    started+=("$worker_pid")
}

# worker_port LOG: the HTTP port the last worker started with LOG logged (waits for it).
worker_port() {
    local p=
    for _ in $(seq 100); do
        p=$(sed -n 's/.*http port \([0-9]*\).*/\1/p' "$1" 2>/dev/null | tail -n 1)
        [ -n "$p" ] && break
        sleep 0.1
    done
    echo "$p"
}

# wait_ready PORT: until /readyz answers 200 (30 s at most).
wait_ready() {
    for _ in $(seq 300); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ] && return 0
        sleep 0.1
    done
}

# metric PORT NAME: the summed value of a Prometheus series (0 if unreachable).
metric() {
    curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null |
        awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%d\n", s }'
}

# mgcheck ARGS...: the checker against route raw -> out / dlq.
mgcheck() {
    "$build/tests/worker/mgcheck" --brokers "$bootstrap" --input raw --output out \
        --dead-letter dlq --source urn:meshgate:test --type test.identity.v1 \
        --schemas "$tmp/identity.so" --schema identity "$@"
}

# wait_checker: waits for the background mgcheck ($checker), shows its report as TAP comments
# and sets $check_rc to its exit status.
wait_checker() {
    check_rc=0
    wait "$checker" || check_rc=$?
    sed 's/^/# /; s/^# # /# /' "$tmp/check.out"
}

# term_check PID WHAT: SIGTERM to PID, then one test that WHAT drained and exited 0.
term_check() {
    local rc=0
    kill -TERM "$1"
    wait "$1" || rc=$?
    check "$2 drains and exits 0 on SIGTERM (got $rc)" test "$rc" -eq 0
}

# reloads_done LOG: how many reloads the worker that logs to LOG finished (in use or failed).
reloads_done() { grep -c 'reload: generation .* in use\|reload failed: still' "$1" || true; }
# wait_reloads LOG N: until that worker finished more than N reloads (60 s at most).
wait_reloads() {
    for _ in $(seq 600); do
        [ "$(reloads_done "$1")" -gt "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
# hup [LOG]: SIGHUP to $worker_pid, then waits until it finished that reload (LOG: its log,
# default $tmp/w.log).
hup() {
    local before
    before=$(reloads_done "${1:-$tmp/w.log}")
    kill -HUP "$worker_pid"
    wait_reloads "${1:-$tmp/w.log}" "$before" || true # the checks after it say what went wrong
}

# finish: one more test, that no process logged a sanitizer report (make asan/ubsan/tsan
# build every program with one); then the exit status.
finish() {
    local reports
    reports=$(cat "$tmp"/*.log "$tmp"/*.out 2>/dev/null |
        grep -E 'WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer|runtime error:' || true)
    if [ -n "$reports" ]; then
        not_ok "no sanitizer report in the logs of the broker, the workers and mgcheck"
        echo "$reports" | head -20 | sed 's/^/# /'
    else
        ok "no sanitizer report in the logs of the broker, the workers and mgcheck"
    fi
    [ "$fails" -eq 0 ]
}
