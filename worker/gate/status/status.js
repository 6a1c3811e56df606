// The status page: fetches /status every 2 s and shows it. Every text goes in with
// textContent (never as markup), so nothing a message holds can run here; the
// Content-Security-Policy allows this script and /status only.
"use strict";

const REFRESH_MS = 2000;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c));
  return e;
}

function link(l) {
  return el("a", { href: l.href }, l.name);
}

// A duration in seconds, with a unit that keeps three significant digits readable.
function duration(s) {
  if (s === null || s === undefined) return "-";
  const [v, unit] = s < 1e-3 ? [s * 1e6, "\u00b5s"] : s < 1 ? [s * 1e3, "ms"] : [s, "s"];
  return v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0) + " " + unit;
}

function rate(r, k) {
  return r ? r[k].toFixed(1) + "/s" : "-";
}

// A figure cell: data-figure names it; data-value holds the exact number when the text is
// rounded.
function fig(name, text, value, cls) {
  const attrs = { "data-figure": name, class: "num" + (cls ? " " + cls : "") };
  if (value !== undefined && value !== null) attrs["data-value"] = String(value);
  return el("td", attrs, text);
}

function table(head, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...head.map((h) =>
    el("th", { class: h.num ? "num" : "" }, h.name)))), el("tbody", {}, ...rows));
}

function counts(r) {
  return table(
    ["consumed", "valid", "rejected", "tombstones", "consumed/s", "valid/s", "rejected/s", "lag",
      "last reject"].map((n) => ({ name: n, num: true })),
    [el("tr", {},
      fig("consumed", r.consumed), fig("valid", r.valid),
      fig("rejected", r.rejected, null, r.rejected ? "rejected" : ""), fig("tombstones", r.tombstones),
      fig("rate-consumed", rate(r.rates, "consumed"), r.rates && r.rates.consumed),
      fig("rate-valid", rate(r.rates, "valid"), r.rates && r.rates.valid),
      fig("rate-rejected", rate(r.rates, "rejected"), r.rates && r.rates.rejected),
      fig("lag", r.lag === null ? "-" : r.lag),
      fig("last-reject", r.last_reject || "never"))]);
}

function latency(r) {
  const row = (name, key) => {
    const h = r.latency[key];
    return el("tr", {}, el("td", {}, name), fig(key + "-count", h.count),
      ...["p50", "p90", "p99"].map((p) => fig(key + "-" + p, duration(h[p]), h[p])));
  };
  return table([{ name: "latency" }, { name: "count", num: true }, { name: "p50", num: true },
    { name: "p90", num: true }, { name: "p99", num: true }],
  [row("validation", "validation"), row("end to end", "end_to_end")]);
}

function example(x) {
  if (!x) return el("td", { class: "example muted" }, "-");
  return el("td", { class: "example" },
    el("div", {}, (x.instance_location || "(root)") + ": " + x.error),
    el("div", { class: "muted" }, "partition " + x.partition + " offset " + x.offset + " at " + x.at));
}

function rejects(r) {
  if (!r.rejects.length) return el("p", { class: "muted" }, "No rejects.");
  return table([{ name: "reason" }, { name: "keyword location" }, { name: "count", num: true },
    { name: "latest example" }],
  r.rejects.map((j) => el("tr", { "data-reason": j.reason, "data-keyword": j.keyword_location || "" },
    el("td", {}, j.reason), el("td", {}, j.keyword_location || "-"),
    fig("reject-count", j.count, null, "rejected"), example(j.example))));
}

function route(r) {
  const meta = el("div", { class: "meta" },
    "schema ", el("b", {}, r.schema), " version ", el("b", {}, r.schema_version),
    ", mode " + r.mode + ", valid to ", el("b", {}, r.output), ", rejects to ",
    el("b", {}, r.dead_letter), ...r.links.map(link));
  return el("div", { class: "route", "data-topic": r.topic },
    el("h2", {}, r.topic), meta, counts(r), latency(r), rejects(r));
}

function uptime(s) {
  if (s === undefined) return "-";
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + Math.floor(s % 60) + "s";
}

function show(st) {
  const byId = (id) => document.getElementById(id);
  const ready = byId("ready");
  ready.textContent = st.ready ? "ready" : "not ready: " + st.not_ready;
  ready.className = "badge " + (st.ready ? "ok" : "bad");
  byId("version").textContent = st.version;
  byId("schema-set").textContent = st.schema_set;
  byId("workers").textContent = st.workers;
  byId("uptime").textContent = uptime(st.uptime_seconds);
  byId("generated-at").textContent = st.generated_at;
  byId("links").replaceChildren(...st.links.map(link));
  const t = st.totals;
  byId("totals").replaceChildren(el("h2", {}, "All routes"), table(
    ["consumed", "valid", "rejected", "tombstones", "produced", "dead letters"].map((n) =>
      ({ name: n, num: true })),
    [el("tr", {}, fig("total-consumed", t.consumed), fig("total-valid", t.valid),
      fig("total-rejected", t.rejected), fig("total-tombstones", t.tombstones),
      fig("total-produced", t.produced), fig("total-dead-letters", t.dead_letters))]));
  byId("routes").replaceChildren(...st.routes.map(route));
  document.body.setAttribute("data-loaded", st.generated_at);
}

async function refresh() {
  const error = document.getElementById("error");
  try {
    const resp = await fetch("/status", { cache: "no-store" });
    if (!resp.ok) throw new Error("/status answered " + resp.status);
    show(await resp.json());
    error.hidden = true;
  } catch (e) {
    error.textContent = "The worker does not answer: " + e.message;
    error.hidden = false;
  }
  setTimeout(refresh, REFRESH_MS);
}

document.addEventListener("DOMContentLoaded", refresh);
