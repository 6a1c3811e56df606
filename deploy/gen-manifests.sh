#!/usr/bin/env bash
# gen-manifests.sh - what `make deploy-manifests` runs: compiles the contracts the image bakes
# in (CONTRACTS, default examples/contracts) and writes what the Kubernetes manifests take
# from them:
#   deploy/k8s/base/meshgate.yaml              the worker configuration (ConfigMap): the
#                                              generated routes plus deploy/k8s/base/worker.yaml
#   deploy/k8s/components/contracts/*.yaml     Strimzi KafkaTopic and KafkaUser resources
# The files are committed; tests/deploy/test_manifests.sh regenerates them and fails when they
# are out of date, so the manifests never drift from the contracts.
#
# Usage: deploy/gen-manifests.sh BUILD_DIR [OUT_DIR]. Environment: CONTRACTS, GROUP,
# STRIMZI_CLUSTER.
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${2:-deploy/k8s}
contracts=${CONTRACTS:-examples/contracts}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
"$build/meshgate-codegen" -o "$tmp/contracts" --contract-out "$tmp/out" --group "${GROUP:-meshgate}" \
    --schema-set /opt/meshgate/contracts.so --catalog /opt/meshgate/catalog \
    --strimzi-cluster "${STRIMZI_CLUSTER:-my-cluster}" $contracts
mkdir -p "$out/base" "$out/components/contracts"
{
    sed -n '1,/^routes:/p' "$tmp/out/routes.yaml" | sed '$d'
    cat deploy/k8s/base/worker.yaml
    sed -n '/^routes:/,$p' "$tmp/out/routes.yaml"
} >"$out/base/meshgate.yaml"
cp "$tmp/out/kafkatopics.yaml" "$tmp/out/kafkausers.yaml" "$out/components/contracts/"
