#!/usr/bin/env python3
"""fake_registry.py - a Confluent-compatible Schema Registry that answers GETs from an export.

Usage: fake_registry.py DIR PORTFILE
Serves DIR, laid out as meshgate-codegen --registry reads it (codegen/cg_export.h), on
127.0.0.1 at a free port, which it writes into PORTFILE once it listens:
  GET /subjects                       -> DIR/subjects.json
  GET /subjects/S/versions            -> DIR/subjects/S/versions.json
  GET /subjects/S/versions/N|latest|-1 -> DIR/subjects/S/versions/N.json (the highest N)
  GET /schemas/ids/N                  -> DIR/schemas/ids/N.json
S is taken as sent (percent-encoded, as the export names its folders). Anything else is a 404
with the registry's error body ({"error_code": 40401, ...}). Each request is logged to stderr.
There is no registry server on the build machines: tests/codegen/test_registry.sh runs this.
"""
import http.server
import json
import os
import re
import sys

ROOT, PORTFILE = sys.argv[1], sys.argv[2]


def answer_file(path):
    """The export file that answers a request path, or None."""
    m = re.fullmatch(r"/subjects/([^/]+)/versions/(latest|-1)", path)
    if m:
        vdir = os.path.join(ROOT, "subjects", m.group(1), "versions")
        if not os.path.isdir(vdir):
            return None
        nums = [int(f[:-5]) for f in os.listdir(vdir) if re.fullmatch(r"[0-9]+\.json", f)]
        return os.path.join(vdir, "%d.json" % max(nums)) if nums else None
    for pattern, fmt in (
        (r"/subjects", "subjects.json"),
        (r"/subjects/([^/]+)/versions", "subjects/{0}/versions.json"),
        (r"/subjects/([^/]+)/versions/([0-9]+)", "subjects/{0}/versions/{1}.json"),
        (r"/schemas/ids/([0-9]+)", "schemas/ids/{0}.json"),
    ):
        m = re.fullmatch(pattern, path)
        if m and not any(g.startswith(".") for g in m.groups()):
            return os.path.join(ROOT, fmt.format(*m.groups()))
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        f = answer_file(path)
        if f and os.path.isfile(f):
            with open(f, "rb") as fh:
                body = fh.read()
            status = 200
        else:
            body = json.dumps({"error_code": 40401, "message": "Subject not found."}).encode()
            status = 404
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("fake_registry: " + (fmt % args) + "\n")


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as pf:
    pf.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
