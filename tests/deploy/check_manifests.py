#!/usr/bin/env python3
"""check_manifests.py - reads rendered Kubernetes manifests (one JSON object per line, as
tests/tools/yaml2json writes them) and checks what meshgate's deployment promises: Restricted
pod security, the probes on /healthz and /readyz, a grace period above the drain bound of the
ConfigMap's meshgate.yaml, requests and limits, zone spreading, config from a ConfigMap and
credentials from a Secret, a policy/v1 PodDisruptionBudget, and a KEDA ScaledObject that
targets the Deployment and the worker's consumer group with maxReplicaCount no higher than the
input topics' partitions (from the KafkaTopics with role raw, or --partitions N).

Usage: check_manifests.py [--partitions N] < manifests.ndjson. Prints one line per problem
("Deployment/meshgate: container meshgate: readinessProbe missing") and exits 1 if any.
"""
import json
import re
import sys


def main():
    partitions = None
    if len(sys.argv) == 3 and sys.argv[1] == "--partitions":
        partitions = int(sys.argv[2])
    docs = [json.loads(line) for line in sys.stdin if line.strip()]
    problems = []

    def bad(obj, what):
        problems.append("%s/%s: %s" % (obj.get("kind"), obj.get("metadata", {}).get("name"), what))

    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)

    config = ""
    for cm in by_kind.get("ConfigMap", []):
        config += cm.get("data", {}).get("meshgate.yaml", "")
    m = re.search(r"^drain_timeout_ms:\s*(\d+)", config, re.M)
    drain_s = int(m.group(1)) / 1000 if m else 20.0
    m = re.search(r'^group:\s*"?([^"\n]+)"?', config, re.M)
    group = m.group(1).strip() if m else None
    if not config:
        problems.append("ConfigMap: no meshgate.yaml")

    deployments = by_kind.get("Deployment", [])
    if len(deployments) != 1:
        problems.append("expected one Deployment, found %d" % len(deployments))
    for dep in deployments:
        pod = dep["spec"]["template"]["spec"]
        psc = pod.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            bad(dep, "pod securityContext.runAsNonRoot is not true")
        if not isinstance(psc.get("runAsUser"), int) or psc.get("runAsUser") == 0:
            bad(dep, "pod securityContext.runAsUser is not a non-zero number")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            bad(dep, "pod seccompProfile is not RuntimeDefault")
        for k in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.get(k):
                bad(dep, "%s is set" % k)
        if pod.get("automountServiceAccountToken") is not False:
            bad(dep, "automountServiceAccountToken is not false")
        grace = pod.get("terminationGracePeriodSeconds", 30)
        if grace <= drain_s + 5:
            bad(dep, "terminationGracePeriodSeconds %s is not above the drain bound %.0f s + 5 s"
                % (grace, drain_s))
        keys = [c.get("topologyKey") for c in pod.get("topologySpreadConstraints", [])]
        if "topology.kubernetes.io/zone" not in keys:
            bad(dep, "no topology spread across zones")
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        if not any("configMap" in v for v in volumes.values()):
            bad(dep, "no ConfigMap volume for the configuration")
        for c in pod.get("containers", []):
            where = "container %s: " % c.get("name")
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False:
                bad(dep, where + "allowPrivilegeEscalation is not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                bad(dep, where + "readOnlyRootFilesystem is not true")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                bad(dep, where + "capabilities do not drop ALL")
            if sc.get("privileged"):
                bad(dep, where + "privileged")
            if sc.get("runAsUser") == 0:
                bad(dep, where + "runs as root (runAsUser 0)")
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"),
                                ("startupProbe", "/healthz")):
                p = c.get(probe)
                if not p:
                    bad(dep, where + probe + " missing")
                elif p.get("httpGet", {}).get("path") != path:
                    bad(dep, where + "%s is not an HTTP GET of %s" % (probe, path))
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in res.get(part, {}):
                        bad(dep, where + "no %s.%s" % (part, r))
            if ":" not in c.get("image", "") or c.get("image", "").endswith(":latest"):
                bad(dep, where + "image %r has no fixed tag" % c.get("image"))
            env = c.get("env", [])
            for e in env:
                if re.search(r"PASSWORD|SECRET|TOKEN", e.get("name", "")) and "value" in e:
                    bad(dep, where + "%s is a plain value, not from a Secret" % e["name"])
            if not any("secretKeyRef" in e.get("valueFrom", {}) for e in env):
                bad(dep, where + "no Kafka credential from a Secret")
            mounts = [m["name"] for m in c.get("volumeMounts", [])]
            if not any(n in volumes and "configMap" in volumes[n] for n in mounts):
                bad(dep, where + "the ConfigMap is not mounted")

    pdbs = by_kind.get("PodDisruptionBudget", [])
    if not pdbs:
        problems.append("no PodDisruptionBudget")
    for pdb in pdbs:
        if pdb.get("apiVersion") != "policy/v1":
            bad(pdb, "apiVersion is not policy/v1")
        if "maxUnavailable" not in pdb.get("spec", {}):
            bad(pdb, "no maxUnavailable")
    if not by_kind.get("Service"):
        problems.append("no Service for the HTTP port")
    if not by_kind.get("ServiceMonitor"):
        problems.append("no ServiceMonitor")

    raw = [t for t in by_kind.get("KafkaTopic", [])
           if t["metadata"].get("annotations", {}).get("meshgate.io/role") == "raw"]
    if partitions is None and raw:
        partitions = sum(t["spec"].get("partitions", 1) for t in raw)
    for so in by_kind.get("ScaledObject", []):
        spec = so["spec"]
        if deployments and spec.get("scaleTargetRef", {}).get("name") != \
                deployments[0]["metadata"]["name"]:
            bad(so, "scaleTargetRef is not the Deployment")
        mx = spec.get("maxReplicaCount")
        if mx is None:
            bad(so, "no maxReplicaCount")
        elif partitions is not None and mx > partitions:
            bad(so, "maxReplicaCount %d is above the %d input partitions" % (mx, partitions))
        for t in spec.get("triggers", []):
            if t.get("type") == "kafka" and group and t["metadata"].get("consumerGroup") != group:
                bad(so, "consumerGroup %r is not the worker's group %r"
                    % (t["metadata"].get("consumerGroup"), group))
            if not t.get("authenticationRef"):
                bad(so, "trigger without authenticationRef")
    if not by_kind.get("ScaledObject"):
        problems.append("no ScaledObject")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
