#!/usr/bin/env python3
"""status_check.py - the figures of /status and of the status page (as headless Chromium
rendered it: --dump-dom) against /metrics, for tests/worker/test_run_status.sh.

Usage: status_check.py METRICS.txt STATUS.json PAGE.html
Prints one line per check, "PASS what" or "FAIL what" (then "detail: ..."); the caller turns
them into TAP. Percentiles are compared with Prometheus' histogram_quantile() computed here
from the /metrics buckets, so the page shows what a dashboard on /metrics would.
"""
import html.parser, json, math, sys

metrics, status_file, page_file = sys.argv[1:4]
def check(what, ok, detail=""):
    """One TAP test, as a line the calling script turns into ok / not ok."""
    print(("PASS " if ok else "FAIL ") + what.replace("\n", " "))
    if not ok and detail:
        print("detail: " + str(detail).replace("\n", " ")[:400])

def labels(s):
    out, i = {}, 0
    while i < len(s):
        k, rest = s[i:].split("=", 1)
        j, v = 1, ""
        while rest[j] != '"':
            if rest[j] == "\\":
                v += {"n": "\n"}.get(rest[j + 1], rest[j + 1]); j += 2
            else:
                v += rest[j]; j += 1
        out[k] = v
        i += len(k) + 1 + j + 2
    return out

series = {}
for line in open(metrics):
    if line.startswith("#") or not line.strip():
        continue
    name_labels, value = line.rstrip("\n").rsplit(" ", 1)
    if "{" in name_labels:
        name, l = name_labels.split("{", 1)
        series.setdefault(name, []).append((labels(l[:-1]), float(value)))
    else:
        series.setdefault(name_labels, []).append(({}, float(value)))

def get(name, **want):
    vals = [v for l, v in series.get(name, []) if all(l.get(k) == w for k, w in want.items())]
    return sum(vals) if vals else None

def quantile(name, q, **want):
    """Prometheus' histogram_quantile() over the /metrics buckets."""
    b = sorted(((float(l["le"]), v) for l, v in series[name + "_bucket"]
                if all(l.get(k) == w for k, w in want.items())), key=lambda x: x[0])
    count = b[-1][1]
    if count == 0:
        return None
    rank = q * count
    i = next(i for i, (_, c) in enumerate(b) if c >= rank)
    if i == len(b) - 1:
        return b[-2][0]
    start, below = (b[i - 1][0], b[i - 1][1]) if i else (0.0, 0.0)
    return start + (b[i][0] - start) * (rank - below) / (b[i][1] - below)

def close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and
                                         math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12))

st = json.load(open(status_file))
routes = {r["topic"]: r for r in st["routes"]}
check("/status lists both routes", sorted(routes) == ["raw", "raw2"], str(sorted(routes)))
for topic, r in routes.items():
    lab = {"topic": topic, "schema": r["schema"], "schema_version": r["schema_version"]}
    for field, metric in (("consumed", "meshgate_route_messages_consumed_total"),
                          ("valid", "meshgate_route_messages_valid_total"),
                          ("tombstones", "meshgate_route_tombstones_forwarded_total"),
                          ("rejected", "meshgate_route_messages_rejected_total"),
                          ("bytes", "meshgate_route_bytes_consumed_total")):
        check("/status %s.%s = /metrics" % (topic, field), r[field] == get(metric, **lab),
              "%s vs %s" % (r[field], get(metric, **lab)))
    for h, metric in (("validation", "meshgate_route_validation_latency_seconds"),
                      ("end_to_end", "meshgate_route_end_to_end_latency_seconds")):
        for p, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
            want = quantile(metric, q, **lab)
            check("/status %s %s %s = histogram_quantile(%s) over /metrics" % (topic, h, p, q),
                  close(r["latency"][h][p], want), "%s vs %s" % (r["latency"][h][p], want))
    check("/status %s: a rate over the last seconds" % topic,
          r["rates"] is not None and r["rates"]["window_seconds"] > 0, str(r["rates"]))
    check("/status %s: rejects listed largest first, each with an example" % topic,
          r["rejects"] and all(j["example"] for j in r["rejects"]) and
          [j["count"] for j in r["rejects"]] == sorted((j["count"] for j in r["rejects"]), reverse=True),
          json.dumps(r["rejects"])[:300])
    check("/status %s: a last reject time" % topic, r["last_reject"] is not None)
    kinds = sum(j["count"] for j in r["rejects"])
    check("/status %s: the reject kinds add up to its rejects" % topic, kinds == r["rejected"],
          "%d vs %d" % (kinds, r["rejected"]))
age = [j for j in routes["raw2"]["rejects"] if j["keyword_location"] == "#/properties/Age/exclusiveMaximum"]
check("/status raw2: the age rejects with their example",
      len(age) == 1 and age[0]["count"] == 3 and age[0]["example"]["instance_location"] == "/Age",
      json.dumps(age))
check("/status totals = /metrics", st["totals"]["consumed"] == get("meshgate_messages_consumed_total")
      and st["totals"]["produced"] == get("meshgate_messages_produced_total", kind="output"),
      json.dumps(st["totals"]))
check("/status: ready, with the version and schema set of build_info",
      st["ready"] is True and get("meshgate_build_info", version=st["version"], schema_set=st["schema_set"]) == 1)

# ---- the page as Chromium rendered it ----
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.figures, self.links, self.tags, self.text = [], [], [], [], []
        self.route = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag in ("br", "meta", "link", "img", "input"):
            return
        if "data-topic" in a:
            self.route = a["data-topic"]
        reason = a.get("data-reason")
        self.stack.append((tag, a, len(self.text), reason))
        if tag == "a":
            self.links.append(a.get("href"))
    def handle_endtag(self, tag):
        while self.stack:
            t, a, start, _ = self.stack.pop()
            if "data-figure" in a:
                row = next((s[1] for s in reversed(self.stack) if "data-reason" in s[1]), None)
                self.figures.append((self.route, a["data-figure"], a.get("data-value"),
                                     "".join(self.text[start:]).strip(), row))
            if t == tag:
                break
    def handle_data(self, d):
        self.text.append(d)

try:
    page_html = open(page_file).read()
except OSError:
    page_html = ""
p = Page()
p.feed(page_html)
check("the page was filled in by its script", 'data-loaded="' in page_html and p.figures,
      page_html[:300])
fig = {}
for route, name, value, text, row in p.figures:
    fig[(route, name, row["data-keyword"] if row else None, row["data-reason"] if row else None)] = (value, text)

def shown(route, name, row=None):
    return fig.get((route, name, row[0] if row else None, row[1] if row else None), (None, None))

for topic, r in routes.items():
    lab = {"topic": topic, "schema": r["schema"], "schema_version": r["schema_version"]}
    for name, metric in (("consumed", "meshgate_route_messages_consumed_total"),
                         ("valid", "meshgate_route_messages_valid_total"),
                         ("rejected", "meshgate_route_messages_rejected_total"),
                         ("tombstones", "meshgate_route_tombstones_forwarded_total")):
        v, text = shown(topic, name)
        check("page %s %s (%s) = /metrics" % (topic, name, text),
              text is not None and int(text) == get(metric, **lab), "%s vs %s" % (text, get(metric, **lab)))
    for h, metric in (("validation", "meshgate_route_validation_latency_seconds"),
                      ("end_to_end", "meshgate_route_end_to_end_latency_seconds")):
        v, text = shown(topic, h + "-count")
        check("page %s %s count = /metrics" % (topic, h),
              text is not None and int(text) == get(metric + "_count", **lab))
        for pq, q in (("p50", 0.5), ("p99", 0.99)):
            v, text = shown(topic, "%s-%s" % (h, pq))
            want = quantile(metric, q, **lab)
            unit = {"\u00b5s": 1e-6, "ms": 1e-3, "s": 1.0}
            ok = v is not None and close(float(v), want)
            if ok:  # the text is the same figure, rounded to its unit
                num, u = text.split(" ")
                ok = math.isclose(float(num) * unit[u], want, rel_tol=0.01)
            check("page %s %s %s (%s) = histogram_quantile over /metrics (%s)" % (topic, h, pq, text, want), ok)
    for j in r["rejects"]:
        kw = j["keyword_location"] or ""
        v, text = shown(topic, "reject-count", (kw, j["reason"]))
        check("page %s reject %s %s count (%s) = /status" % (topic, j["reason"], kw, text),
              text is not None and int(text) == j["count"])
for name, metric in (("total-consumed", "meshgate_messages_consumed_total"),
                     ("total-valid", "meshgate_messages_valid_total")):
    v, text = shown(None, name)
    if text is None:
        v, text = next(((v, t) for (r_, n_, _, _), (v, t) in fig.items() if n_ == name), (None, None))
    check("page %s (%s) = /metrics" % (name, text), text is not None and int(text) == get(metric))
for href in ("/metrics", "/status", "/catalog", "/openapi.json", "/schemas", "/schemas/identity"):
    check("page links to %s" % href, href in p.links, str(p.links))
check("the HTML in a message is text on the page, no element",
      "img" not in p.tags and "&lt;img src=x onerror=alert(1)&gt;" in page_html)
