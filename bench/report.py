#!/usr/bin/env python3
"""report.py - turns the key=value lines of bench/run.sh into the final table,
bench/results/latest.json (the previous latest.json is kept beside it, named by its date) and
PNG plots (gnuplot): throughput per workload against the peers, and the pipeline latency.

Usage: bench/report.py RESULTS.txt RESULTS_DIR
"""
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys


def parse(path):
    rows = []
    for line in open(path):
        kv = {}
        for tok in line.split():
            if "=" in tok:
                k, v = tok.split("=", 1)
                kv[k] = v
        kv["_tokens"] = line
        if line.startswith("pipeline "):
            kv["kind"] = "pipeline"
        elif line.startswith("recursive "):
            kv["kind"] = "recursive"
        elif line.startswith("redos "):
            kv["kind"] = "redos"
        elif line.startswith("bigschema "):
            kv["kind"] = "bigschema"
        elif line.startswith("bigschema-validate "):
            kv["kind"] = "bigschema_validate"
        elif line.startswith("file "):
            kv["kind"] = "file"
        elif line.startswith("http "):
            kv["kind"] = "http"
        elif "impl" in kv:
            kv["kind"] = "validator"
        elif "agreement" in kv:
            kv["kind"] = "agreement"
        elif "peak_rss_kb" in kv and "workload" in kv:
            kv["kind"] = "rss"
        else:
            continue
        rows.append(kv)
    return rows


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def machine():
    model = platform.processor() or "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count()}


def main():
    rows = parse(sys.argv[1])
    outdir = sys.argv[2]
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "workloads": {}, "agreement": {}, "pipeline": {}, "file": {},
              "recursive": {}, "redos": {}, "http": {}, "bigschema": {}}
    for r in rows:
        if r["kind"] == "validator" and num(r.get("ns_per_msg")) is not None:
            w = result["workloads"].setdefault(r["workload"], {})
            m = {k: num(r.get(k)) for k in ("ns_per_msg", "mb_per_s", "msgs_per_s", "allocs_per_msg")
                 if num(r.get(k)) is not None}
            m.setdefault("msgs_per_s", round(1e9 / m["ns_per_msg"]))
            w[r["impl"]] = m
        elif r["kind"] == "rss":  # mgbench's process: the file in memory, parse and meshgate
            m = result["workloads"].get(r["workload"], {}).get("meshgate")
            if m is not None:
                m.update({k: num(r.get(k)) for k in ("peak_rss_kb", "input_kb")})
        elif r["kind"] == "agreement":
            result["agreement"].setdefault(r["workload"], {})[r["agreement"]] = int(r["disagreements"])
        elif r["kind"] == "pipeline":
            mode = r.get("mode")
            if "latency" in r.get("_tokens", ""):
                result["pipeline"].setdefault("latency", {}).setdefault(mode, {})[r["rate"]] = {
                    k: num(r.get(k)) for k in ("p50_us", "p99_us", "p999_us", "max_us")}
            else:
                result["pipeline"].setdefault("throughput", {}).setdefault(mode, {})[
                    r["threads"]] = {k: num(r[k]) for k in ("msgs_per_s", "mb_per_s",
                                                            "worker_cpu_us_per_msg") if k in r}
        elif r["kind"] == "file":
            result["file"] = {k: num(v) for k, v in r.items() if k != "kind"}
        elif r["kind"] == "http" and "req_per_s" in r:  # HTTP ingest with wrk (bench/http)
            result["http"].setdefault(r["impl"], {}).setdefault(r["mode"], {})[r["body"]] = {
                k: num(r.get(k)) for k in ("req_per_s", "events_per_s", "p50_ms", "p99_ms",
                                           "non2xx")}
        elif r["kind"] == "recursive":  # issue 13: time per message by depth, memo on and off
            result["recursive"].setdefault("memo_" + r["memo"], {})[r["depth"]] = {
                k: num(r.get(k)) for k in ("ns_per_msg", "steps_per_msg", "rejected_limit",
                                           "allocs_per_msg")}
        elif r["kind"] == "bigschema":  # issue 16: build time of the biggest schemas
            result["bigschema"][r["schema"]] = {
                k: num(r.get(k)) for k in ("schema_bytes", "c_bytes", "functions", "shared", "tus",
                                           "jobs", "codegen_s", "so_O2_wall_s", "so_O2_cpu_s",
                                           "load")}
        elif r["kind"] == "bigschema_validate":  # objects from tables or code: the best round
            forms = result["bigschema"].setdefault("validate_ns_per_msg", {})
            ns = num(r.get("ns_per_msg"))
            if ns is not None and (r["form"] not in forms or ns < forms[r["form"]]):
                forms[r["form"]] = ns
        elif r["kind"] == "redos":  # per pattern and input size: ns per byte and the verdict
            p = result["redos"].setdefault(r["pattern"], {"input": r["input"], "sizes": {}})
            p["sizes"][r["bytes"]] = {"ns_per_byte": num(r["ns_per_byte"]), "result": r["result"]}
    tp = result["pipeline"].get("throughput", {})
    lat = result["pipeline"].get("latency", {})
    if tp.get("binary") and tp.get("passthrough"):
        gate = max(v["msgs_per_s"] for v in tp["binary"].values())
        passthrough = max(v["msgs_per_s"] for v in tp["passthrough"].values())
        summary = {"msgs_per_s": gate, "passthrough_msgs_per_s": passthrough,
                   "ratio": round(gate / passthrough, 3)}
        rates = sorted(lat.get("binary", {}), key=float)
        if rates:  # the summary latency is the one at the lower (50%) load
            summary.update(lat["binary"][rates[0]])
            summary["latency_rate"] = float(rates[0])
        result["pipeline"]["summary"] = summary
    latest = os.path.join(outdir, "latest.json")
    if os.path.exists(latest):
        old = json.load(open(latest))
        stamp = old.get("date", "previous").replace(":", "").replace("+0000", "Z")
        shutil.copy(latest, os.path.join(outdir, "%s.json" % stamp))
    with open(latest, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")

    print()
    if result["workloads"]:
        print("%-9s %-15s %12s %10s %12s %9s %9s %8s" %
              ("workload", "impl", "ns/msg", "MB/s", "msgs/s", "x limit", "x ajv", "allocs"))
    for wname, impls in result["workloads"].items():
        limit = impls.get("simdjson-parse", {}).get("ns_per_msg")
        ajv = impls.get("ajv", {}).get("msgs_per_s")
        for iname, m in impls.items():
            xl = "%.2f" % (m["ns_per_msg"] / limit) if limit else "-"
            xa = "%.1f" % (m["msgs_per_s"] / ajv) if ajv and m.get("msgs_per_s") else "-"
            allocs = "%.3f" % m["allocs_per_msg"] if "allocs_per_msg" in m else "-"
            print("%-9s %-15s %12.1f %10.1f %12.0f %9s %9s %8s" %
                  (wname, iname, m["ns_per_msg"], m.get("mb_per_s") or 0, m.get("msgs_per_s") or 0,
                   xl, xa, allocs))
    for wname, impls in result["workloads"].items():
        m = impls.get("meshgate", {})
        if m.get("peak_rss_kb") is not None and m.get("input_kb") is not None:
            print("memory    %-9s mgbench peak RSS %.1f MB, of which the input file %.1f MB" %
                  (wname, m["peak_rss_kb"] / 1024, m["input_kb"] / 1024))
    for wname, peers in result["agreement"].items():
        for peer, n in peers.items():
            print("agreement %-9s meshgate vs %-9s disagreements: %d" % (wname, peer, n))
    s = result["pipeline"].get("summary")
    if s:
        print("pipeline: gate %.0f msgs/s, passthrough %.0f msgs/s (ratio %.2f)" %
              (s["msgs_per_s"], s["passthrough_msgs_per_s"], s["ratio"]))
    for mode, threads in tp.items():
        for t, v in sorted(threads.items()):
            cpu = v.get("worker_cpu_us_per_msg")
            print("pipeline throughput %-11s %s thread(s): %.0f msgs/s%s" %
                  (mode, t, v["msgs_per_s"], ", worker CPU %.2f us/msg" % cpu if cpu else ""))
    for mode, rates in lat.items():
        for rate, v in sorted(rates.items(), key=lambda kv: float(kv[0])):
            print("pipeline latency %-11s at %s msgs/s: p50 %.1f ms p99 %.1f ms p99.9 %.1f ms "
                  "max %.1f ms" % (mode, rate, v["p50_us"] / 1e3, v["p99_us"] / 1e3,
                                   v["p999_us"] / 1e3, v["max_us"] / 1e3))
    for pat, v in result["redos"].items():
        sizes = sorted(v["sizes"].items(), key=lambda kv: int(kv[0]))
        label = lambda b: "%d %s" % ((b >> 20, "MB") if b >= 1 << 20 else (b >> 10, "KB"))
        cells = "  ".join("%s %.1f" % (label(int(b)), m["ns_per_byte"]) for b, m in sizes)
        verdicts = sorted({m["result"] for _, m in sizes})
        print("redos     %-28s %-11s ns/byte: %s (%s)" % (
            pat if len(pat) <= 28 else pat[:25] + "...", v["input"], cells, ", ".join(verdicts)))
    if result["file"]:
        print("file mode: read %s MB/s, meshgate validate %s MB/s" %
              (result["file"].get("read_mb_per_s"), result["file"].get("validate_mb_per_s")))
    for impl, modes in sorted(result["http"].items()):
        for mode, bodies in sorted(modes.items()):
            for body, m in sorted(bodies.items()):
                print("http      %-17s %-11s %-6s %8.0f req/s %9.0f events/s p50 %7.2f ms "
                      "p99 %7.2f ms non-2xx %d" % (impl, mode, body, m["req_per_s"],
                                                   m["events_per_s"], m["p50_ms"], m["p99_ms"],
                                                   m["non2xx"] or 0))
    recursive(result["recursive"])
    plots(result, outdir)


def recursive(rec):
    """The recursive-oneOf rows: ns and steps per message by depth, and the growth from each
    depth to the next (per doubling of the depth with the memo)."""
    for memo in ("memo_on", "memo_off"):
        rows = sorted(rec.get(memo, {}).items(), key=lambda kv: int(kv[0]))
        if not rows:
            continue
        print("recursive oneOf, %s: %s" % (memo.replace("_", " "), ", ".join(
            "depth %s %.0f ns/msg (%.0f steps%s)" % (
                d, v["ns_per_msg"], v["steps_per_msg"] or 0,
                ", rejected as limit" if v.get("rejected_limit") else "")
            for d, v in rows)))
        checked = [(d, v) for d, v in rows if not v.get("rejected_limit")]
        growth = ["%s->%s x%.1f" % (a[0], b[0], b[1]["ns_per_msg"] / a[1]["ns_per_msg"])
                  for a, b in zip(checked, checked[1:])]
        if growth:
            print("recursive oneOf, %s: time ratio %s" % (memo.replace("_", " "), ", ".join(growth)))


def plots(result, outdir):
    if not shutil.which("gnuplot"):
        print("plots: gnuplot not installed, skipped")
        return
    data = os.path.join(outdir, "throughput.dat")
    impls = ["simdjson-parse", "meshgate", "ajv", "valijson"]
    with open(data, "w") as f:
        f.write("workload " + " ".join(impls) + "\n")
        for w, m in result["workloads"].items():
            f.write(w + " " + " ".join(str(m.get(i, {}).get("msgs_per_s", 0) or 0)
                                       for i in impls) + "\n")
    script = """set terminal png size 900,500
set output '%s'
set title 'Validator throughput, one core (messages/s, log scale)'
set style data histogram
set style histogram cluster gap 1
set style fill solid border -1
set logscale y
set key top right noenhanced
plot for [i=2:5] '%s' using i:xtic(1) title columnhead
""" % (os.path.join(outdir, "throughput.png"), data)
    subprocess.run(["gnuplot"], input=script.encode(), check=False)
    lat = result["pipeline"].get("latency", {})
    if lat.get("binary") and lat.get("passthrough"):
        data = os.path.join(outdir, "latency.dat")
        rates = sorted(lat["binary"], key=float)
        with open(data, "w") as f:
            f.write("percentile " + " ".join("gate-%s/s passthrough-%s/s" % (r, r) for r in rates) + "\n")
            for k, label in (("p50_us", "p50"), ("p99_us", "p99"), ("p999_us", "p99.9"),
                             ("max_us", "max")):
                f.write(label + " " + " ".join("%s %s" % ((lat["binary"][r][k] or 0) / 1000,
                                                          (lat["passthrough"].get(r, {}).get(k) or 0) / 1000)
                                               for r in rates) + "\n")
        script = """set terminal png size 800,450
set output '%s'
set title 'Pipeline end-to-end latency (ms) at 50%% and 90%% of the gate sustained rate'
set yrange [0:*]
set key left top noenhanced
set style data histogram
set style histogram cluster gap 1
set style fill solid border -1
plot for [i=2:%d] '%s' using i:xtic(1) title columnhead
""" % (os.path.join(outdir, "latency.png"), 1 + 2 * len(rates), data)
        subprocess.run(["gnuplot"], input=script.encode(), check=False)
    print("plots: %s/throughput.png, %s/latency.png" % (outdir, outdir))


if __name__ == "__main__":
    main()
