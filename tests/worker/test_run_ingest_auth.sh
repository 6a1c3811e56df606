#!/usr/bin/env bash
# test_run_ingest_auth.sh - who may write through HTTP ingest (issue 19.3): TLS with a server
# certificate and client certificates made here with openssl (no key is committed), three
# routes: one with a bearer token stored as its SHA-256, one with tokens read from a file (a
# mounted Secret) and client certificate CN producer-a, one with auth: none. Asserts 202 for
# the right credentials, 401 without any or with an unknown token, 403 with another route's
# token or an unmapped certificate, that plain HTTP gets no answer from the TLS port, and that
# bad credential configuration fails at start and in --check naming the key.
#
# Usage: tests/worker/test_run_ingest_auth.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/worker/lib.sh

# ---- certificates: a CA, the server (127.0.0.1), two clients ----
pki=$tmp/pki
mkdir -p "$pki"
ossl() { openssl "$@" >>"$tmp/openssl.log" 2>&1; }
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=meshgate-test-ca \
    -keyout "$pki/ca.key" -out "$pki/ca.pem"
cert() { # cert NAME CN [SAN]: a key and a certificate signed by the CA
    ossl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$pki/$1.key" -out "$pki/$1.csr"
    if [ -n "${3:-}" ]; then echo "subjectAltName=$3" >"$pki/$1.ext"; else : >"$pki/$1.ext"; fi
    ossl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
        -days 2 -extfile "$pki/$1.ext" -out "$pki/$1.pem"
}
cert server 127.0.0.1 IP:127.0.0.1
cert a producer-a
cert b producer-b
# a client certificate from a CA the worker does not trust
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=producer-a -keyout "$pki/rogue.key" \
    -out "$pki/rogue.pem"

token1=route-one-secret-$RANDOM$RANDOM
token2=route-two-secret-$RANDOM$RANDOM
printf '# tokens of the orders team\n%s\n\n' "$token2" >"$tmp/tokens"
hash1=$(printf '%s' "$token1" | sha256sum | cut -d' ' -f1)

build_schema
start_broker --topics raw:1,out:1,dlq:1,raw2:1,out2:1,dlq2:1,raw3:1,out3:1,dlq3:1
write_config "$tmp/worker.yaml"
sed -i "s|^  listen: 127.0.0.1:0\$|  listen: 127.0.0.1:0\n  tls_cert: $pki/server.pem\n  tls_key: $pki/server.key\n  tls_client_ca: $pki/ca.pem|" \
    "$tmp/worker.yaml"
sed -i "s/^    attributes: all\$/    attributes: all\n    ingest: on\n    tokens_sha256: $hash1/" "$tmp/worker.yaml"
add_route "$tmp/worker.yaml" "input: raw2" "output: out2" "dead_letter: dlq2" "source: urn:t2" \
    "ingest: on" "token_file: $tmp/tokens" "client_cns: producer-a"
add_route "$tmp/worker.yaml" "input: raw3" "output: out3" "dead_letter: dlq3" "source: urn:t3" \
    "ingest: on" "auth: none"
cp "$tmp/worker.yaml" "$tmp/good.yaml"
start_worker w
port=$(worker_port "$tmp/w.log")
base=https://127.0.0.1:$port/ingest
body='{"first":"Ada","Last":"Lovelace"}'
# req URL CURL-ARGS...: the status code (000: no answer); the body in $tmp/r.json
req() {
    local url=$1
    shift
    curl -sS -o "$tmp/r.json" -w '%{http_code}' --cacert "$pki/ca.pem" -XPOST \
        -H 'Content-Type: application/json' -d "$body" "$@" "$url" 2>>"$tmp/curl.log" || true
}
for _ in $(seq 100); do [ "$(req "$base/raw3")" = 202 ] && break; sleep 0.2; done

check "over TLS, auth: none takes anyone's POST" test "$(req "$base/raw3")" = 202
check "a route with credentials: none given is a 401" test "$(req "$base/raw")" = 401
check "the 401 says what is missing" grep -q 'credentials required' "$tmp/r.json"
check "the route's bearer token (stored as its SHA-256) is a 202" \
    test "$(req "$base/raw" -H "Authorization: Bearer $token1")" = 202
check "an unknown token is a 401" test "$(req "$base/raw" -H 'Authorization: Bearer nope')" = 401
check "its reason: invalid_token" grep -q invalid_token "$tmp/r.json"
check "another route's token is a 403" \
    test "$(req "$base/raw" -H "Authorization: Bearer $token2")" = 403
check "a token read from token_file (a mounted Secret) is a 202" \
    test "$(req "$base/raw2" -H "Authorization: Bearer $token2")" = 202
check "a client certificate mapped to the route (CN producer-a) is a 202" \
    test "$(req "$base/raw2" --cert "$pki/a.pem" --key "$pki/a.key")" = 202
check "a trusted client certificate not mapped to the route is a 403" \
    test "$(req "$base/raw2" --cert "$pki/b.pem" --key "$pki/b.key")" = 403
check "its reason names the certificate's CN" grep -q 'CN producer-b' "$tmp/r.json"
code=$(req "$base/raw2" --cert "$pki/rogue.pem" --key "$pki/rogue.key")
check "a client certificate from an untrusted CA is refused (got $code)" \
    test "$code" = 401 -o "$code" = 000
check "a certificate does not open a route that maps no CN (got $(req "$base/raw" --cert "$pki/a.pem" --key "$pki/a.key"))" \
    test "$(req "$base/raw" --cert "$pki/a.pem" --key "$pki/a.key")" = 403
plain=$(curl -sS -o /dev/null -w '%{http_code}' -XPOST -d "$body" "http://127.0.0.1:$port/ingest/raw3" 2>/dev/null || true)
check "plain HTTP to the TLS port gets no answer (got $plain)" test "$plain" = 000
nout=$(kcat -C -b "$bootstrap" -t out -o beginning -e -q -f '%s\n' 2>/dev/null | wc -l)
n2=$(kcat -C -b "$bootstrap" -t out2 -o beginning -e -q -f '%s\n' 2>/dev/null | wc -l)
check "only the authorised POSTs were produced (out: $nout of 1, out2: $n2 of 2)" \
    test "$nout" -eq 1 -a "$n2" -eq 2
term_check "$worker_pid" "the worker"

# ---- bad credential configuration fails at start and in --check, naming the key ----
bad() { # bad NAME SED-EXPR WANT: the good config changed by SED-EXPR must fail naming WANT
    sed "$2" "$tmp/good.yaml" >"$tmp/$1.yaml"
    local rc=0
    "$build/meshgate" run --check --config "$tmp/$1.yaml" >"$tmp/$1.out" 2>&1 || rc=$?
    if [ "$rc" -eq 2 ] && grep -q "$3" "$tmp/$1.out"; then ok "--check refuses $1 naming $3"; else
        not_ok "--check refuses $1 naming $3 (exit $rc)"
        sed 's/^/# /' "$tmp/$1.out" | head -5
    fi
    rc=0
    timeout 60 "$build/meshgate" run --config "$tmp/$1.yaml" >"$tmp/$1.run" 2>&1 || rc=$?
    check "run refuses $1 at start (exit $rc)" test "$rc" -eq 2
}
bad no-credentials "/^    tokens_sha256: /d" 'routes\[0\].auth: .*no credentials'
bad bad-hash "s/^    tokens_sha256: .*/    tokens_sha256: abc123/" 'routes\[0\].tokens_sha256: item 1 is not a SHA-256'
bad missing-token-file "s|^    token_file: .*|    token_file: $tmp/nowhere|" 'routes\[1\].token_file: .*No such file'
bad none-and-token "s/^    auth: none/    auth: none\n    tokens_sha256: $hash1/" 'routes\[2\].auth: none, but'
bad cns-without-ca "/^  tls_client_ca: /d" 'routes\[1\].client_cns: .*tls_client_ca'
bad key-without-cert "/^  tls_cert: /d" 'http.tls_key: TLS needs both.*tls_cert is not set'
finish
