#!/usr/bin/env bash
# test_manifests.sh - TAP tests of deploy/: the Kustomize base and every overlay render
# (kubectl kustomize, offline) and parse; the custom resources (KafkaTopic, KafkaUser,
# ScaledObject, TriggerAuthentication, ServiceMonitor) validate against the schemas in
# ../shared/k8s-schemas with meshgate's own validator; the core objects pass the hardening and
# probe checks of tests/deploy/check_manifests.py (which is also shown failing on broken
# copies); yamllint passes with the repository's .yamllint; the manifests generated from the
# contracts are up to date; the worker configuration of the ConfigMap passes
# `meshgate run --check`; and the Containerfile keeps its promises (non-root numeric user,
# exec-form entrypoint).
#
# Usage: tests/deploy/test_manifests.sh BUILD_DIR. Prints TAP lines.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
    local d=$1
    shift
    if "$@" >"$tmp/out" 2>&1; then ok "$d"; else not_ok "$d"; sed 's/^/#   /' "$tmp/out" | head -20; fi
}
y2j=$build/tests/tools/yaml2json
k8s=../shared/k8s-schemas

for o in base overlays/dev overlays/prod overlays/prod-kafka; do
    name=${o//\//-}
    if kubectl kustomize "deploy/k8s/$o" >"$tmp/$name.yaml" 2>"$tmp/err" &&
        "$y2j" "$tmp/$name.yaml" >"$tmp/$name.ndjson" 2>>"$tmp/err" &&
        [ -s "$tmp/$name.ndjson" ]; then
        ok "deploy/k8s/$o renders and parses ($(wc -l <"$tmp/$name.ndjson") objects)"
    else
        not_ok "deploy/k8s/$o renders and parses"
        sed 's/^/#   /' "$tmp/err"
    fi
done

# ---- custom resources against their CRD schemas
"$build/meshgate-codegen" --default-dialect draft7 -o "$tmp/crds" \
    "$k8s/kafka.strimzi.io/kafkatopic_v1.json" "$k8s/kafka.strimzi.io/kafkauser_v1.json" \
    "$k8s/keda.sh/scaledobject_v1alpha1.json" "$k8s/keda.sh/triggerauthentication_v1alpha1.json" \
    "$k8s/monitoring.coreos.com/servicemonitor_v1.json" 2>"$tmp/err"
# shellcheck disable=SC2086
cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
    -o "$tmp/crds.so" "$tmp/crds.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
crd_check() { # NDJSON: every custom resource in it validates against its CRD schema
    local kind schema total=0
    for pair in KafkaTopic:kafkatopic_v1 KafkaUser:kafkauser_v1 ScaledObject:scaledobject_v1alpha1 \
        TriggerAuthentication:triggerauthentication_v1alpha1 ServiceMonitor:servicemonitor_v1; do
        kind=${pair%%:*}
        schema=${pair##*:}
        grep "\"kind\": \"$kind\"" "$1" >"$tmp/kind.ndjson" || continue
        total=$((total + $(wc -l <"$tmp/kind.ndjson")))
        "$build/meshgate" validate --schemas "$tmp/crds.so" --schema "$schema" "$tmp/kind.ndjson" ||
            return 1
    done
    echo "$total custom resources"
    [ "$total" -gt 0 ]
}
for name in overlays-dev overlays-prod overlays-prod-kafka; do
    check "$name: every custom resource validates against its CRD schema" crd_check "$tmp/$name.ndjson"
done
sed 's/"maxReplicaCount": 20/"maxReplicaCount": "many"/' "$tmp/overlays-prod.ndjson" >"$tmp/bad-crd.ndjson"
if ! crd_check "$tmp/bad-crd.ndjson" >"$tmp/out" 2>&1 && grep -q '/spec/maxReplicaCount' "$tmp/out"; then
    ok "a ScaledObject with a text maxReplicaCount is rejected by its CRD schema"
else
    not_ok "a ScaledObject with a text maxReplicaCount is rejected by its CRD schema"
fi

# ---- hardening, probes, scaling bounds
partitions=$(grep '"kind": "KafkaTopic"' "$tmp/overlays-prod-kafka.ndjson" |
    grep '"meshgate.io/role": "raw"' | sed 's/.*"partitions": \([0-9]*\).*/\1/' | paste -sd+ | bc)
check "overlays/dev: hardening, probes, grace period, spread, ScaledObject bound" \
    python3 tests/deploy/check_manifests.py <"$tmp/overlays-dev.ndjson"
check "overlays/prod: the same, maxReplicaCount within the $partitions input partitions" \
    python3 tests/deploy/check_manifests.py --partitions "$partitions" <"$tmp/overlays-prod.ndjson"
broken() { # DESCRIPTION SED EXPECTED: the checker must fail on the changed render, naming it
    sed "$2" "$tmp/overlays-prod.ndjson" >"$tmp/broken.ndjson"
    if python3 tests/deploy/check_manifests.py --partitions "$partitions" <"$tmp/broken.ndjson" \
        >"$tmp/out" 2>&1; then
        not_ok "the check fails on $1"
    elif grep -q -- "$3" "$tmp/out"; then
        ok "the check fails on $1: $(grep -- "$3" "$tmp/out" | head -1)"
    else
        not_ok "the check fails on $1 with \"$3\""
        sed 's/^/#   /' "$tmp/out"
    fi
}
broken "a missing readiness probe" 's/"readinessProbe"/"readinessProbeX"/' "readinessProbe missing"
broken "a root user" 's/"runAsUser": 10001/"runAsUser": 0/g' "runAsUser"
broken "capabilities not dropped" 's/"drop": \[[^]]*\]/"drop": []/' "do not drop ALL"
broken "a writable root filesystem" 's/"readOnlyRootFilesystem": true/"readOnlyRootFilesystem": false/' "readOnlyRootFilesystem"
broken "a grace period under the drain bound" 's/"terminationGracePeriodSeconds": 45/"terminationGracePeriodSeconds": 20/' "terminationGracePeriodSeconds 20"
broken "more replicas than partitions" 's/"maxReplicaCount": 20/"maxReplicaCount": 40/' "above the $partitions input partitions"
broken "a password in plain text" 's/"valueFrom": {[^{}]*"secretKeyRef": {[^}]*}[^{}]*}/"value": "hunter2"/' "plain value"

# ---- yamllint, freshness, the ConfigMap's configuration
check "yamllint deploy examples (.yamllint)" yamllint deploy examples
deploy/gen-manifests.sh "$build" "$tmp/gen" 2>"$tmp/err"
fresh() {
    diff -u deploy/k8s/base/meshgate.yaml "$tmp/gen/base/meshgate.yaml" &&
        diff -u deploy/k8s/components/contracts/kafkatopics.yaml "$tmp/gen/components/contracts/kafkatopics.yaml" &&
        diff -u deploy/k8s/components/contracts/kafkausers.yaml "$tmp/gen/components/contracts/kafkausers.yaml"
}
check "the manifests generated from the contracts are up to date (make deploy-manifests)" fresh
"$build/meshgate-codegen" -o "$tmp/contracts" --contract-out "$tmp/catalog" examples/contracts 2>"$tmp/err"
# shellcheck disable=SC2086
cc -std=c11 -O1 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator ${SANITIZE_CFLAGS:-} \
    -o "$tmp/contracts.so" "$tmp/contracts.c" "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
python3 - "$tmp/overlays-prod.ndjson" >"$tmp/cm.yaml" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["kind"] == "ConfigMap":
        sys.stdout.write(d["data"]["meshgate.yaml"])
PY
sed -i -e "s#/opt/meshgate/contracts.so#$tmp/contracts.so#" -e "s#/opt/meshgate/catalog#$tmp/catalog#" \
    -e "s#/etc/meshgate/kafka-ca/ca.crt#$tmp/ca.crt#" "$tmp/cm.yaml"
# --check makes the clients once, so librdkafka loads the CA file: a real one, made here.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=kafka-ca -days 1 -keyout "$tmp/ca.key" \
    -out "$tmp/ca.crt" 2>/dev/null
check "the ConfigMap's meshgate.yaml passes meshgate run --check (with the pod's variables)" \
    env MESHGATE_KAFKA_BOOTSTRAP_SERVERS=kafka:9093 MESHGATE_KAFKA_SASL_PASSWORD=x MESHGATE_WORKERS=2 \
    MESHGATE_WORKER_ID=meshgate-0 "$build/meshgate" run --config "$tmp/cm.yaml" --check

# ---- the Containerfile
cf=deploy/Containerfile
check "Containerfile: multi-stage, codegen in the build stage" \
    sh -c "grep -c '^FROM ' $cf | grep -qx 2 && grep -q 'meshgate-codegen' $cf"
check "Containerfile: bookworm-slim runtime with a numeric non-root USER" \
    sh -c "grep -q '^FROM debian:\${DEBIAN}-slim' $cf && grep -Eq '^USER [1-9][0-9]*:[1-9][0-9]*$' $cf"
check "Containerfile: exec-form ENTRYPOINT (meshgate is PID 1 and gets SIGTERM)" \
    grep -Eq '^ENTRYPOINT \["/usr/bin/meshgate"\]$' $cf
[ "$fails" -eq 0 ]
