#!/usr/bin/env python3
"""Serve the real recorded vendor responses (../shared/fixtures/real/VENDOR/)
on 127.0.0.1, so the connectors' parsers run over bytes real servers sent.

    python3 test/emu/replay.py VENDOR FIXTURE_DIR --port-file PATH

Requests are routed by path (and by query where a route names one, as
Defender's $top/$skip pages) to the recorded body that answers them; the
body is sent exactly as recorded, with the recorded Content-Type and status.  Any Authorization or key header is accepted: the recordings
carry no credentials.  Unknown paths get 404.  The fixtures are read where
they are, never copied.
"""
import argparse
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ODATA = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"
GRAPH = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
ARG = r"/providers/Microsoft\.ResourceGraph/resources$"
ARG_CT = "application/json; charset=utf-8"
# pages whose links name https://graph.microsoft.com: the links name the replay instead, so a client
# that keeps its token on the API's own host follows them
REBASE = {"entra-shape"}
TOKEN = r"/[^/]+/oauth2/v2\.0/token$"

# (method, path regex, file, content type[, status]); the first match answers.  A regex
# with "\?" is matched against the path and the query as sent.
ROUTES = {
    "servicenow": [
        ("GET", r"/api/now/table/cmdb_ci_(computer|server)$", "cmdb_ci_server.page1.json", "application/json"),
        ("GET", r"/api/now/table/cmdb_rel_(type|ci)$", "sys_db_object.name=invalid.empty.json", "application/json"),
    ],
    "qualys": [
        ("GET", r"/api/2\.0/fo/asset/host/vm/detection/$", "hld.detections.xml", "text/xml"),
        ("POST", r"/api/2\.0/fo/knowledge_base/vuln/$", "kb.threat-intel.xml", "text/xml"),
        ("GET", r"/api/2\.0/fo/asset/host/$", "host_list.ids.xml", "text/xml"),
    ],
    "rapid7": [
        ("GET", r"/api/3/administration/info$", "administration.info.json", "application/json"),
        ("GET", r"/api/3/assets$", "assets.page0.json", "application/json"),
        ("GET", r"/api/3/assets/1/vulnerabilities$", "assets.1.vulnerabilities.page0.json", "application/json"),
        ("GET", r"/api/3/vulnerabilities/(?P<id>[a-z0-9.-]+)$", "vulnerability.{id}.json", "application/json"),
    ],
    # xsm's own pages in the real v4 shape (test/fixtures/rapid7-v4/README.md): no v4 recording is public
    "rapid7-v4": [
        ("POST", r"/vm/v4/integration/vulnerabilities$", "vulnerabilities.json", "application/json"),
        ("POST", r"/vm/v4/integration/assets$", "assets.json", "application/json"),
    ],
    "tenable": [
        ("POST", r"/assets/export$", "assets.export.json", "application/json"),
        ("GET", r"/assets/export/[0-9a-f-]+/status$", "assets.status.finished.json", "application/json"),
        ("GET", r"/assets/export/[0-9a-f-]+/chunks/1$", "assets.chunk1.json", "application/json"),
        ("POST", r"/vulns/export$", "vulns.export.json", "application/json"),
        ("GET", r"/vulns/export/[0-9a-f-]+/status$", "vulns.status.finished.json", "application/json"),
        ("GET", r"/vulns/export/[0-9a-f-]+/chunks/1$", "vulns.chunk1.json", "application/octet-stream"),
    ],
    # Defender: $top=1 pages until an empty one; the catalogue is the recorded vulnerability list
    # (PublicVulnerabilityDto); the bulk machine vulnerabilities answer is the recorded empty page
    "defender": [
        ("POST", TOKEN, "token.json", "application/json; charset=utf-8"),
        ("GET", r"/api/machines\?%24top=1&%24skip=(?P<k>[0-9])$", "machines.top1.skip{k}.json", ODATA),
        ("GET", r"/api/machines/(?P<id>[0-9a-f]{8})[0-9a-f]{32}$", "machine.{id}.json", ODATA),
        ("GET", r"/api/vulnerabilities\?%24top=[0-9]+&%24skip=0$", "machine.6dd3f7ce.vulnerabilities.json", ODATA),
        ("GET", r"/api/vulnerabilities\?%24top=[0-9]+&%24skip=[1-9][0-9]*$", "machine.241056b6.vulnerabilities.json",
         ODATA),
        ("GET", r"/api/vulnerabilities/machinesVulnerabilities$", "machine.241056b6.vulnerabilities.json", ODATA),
    ],
    # xsm's own pages in the real Graph and Resource Graph shapes (test/fixtures/ms-shapes/README.md)
    "entra-shape": [
        ("POST", TOKEN, "graph/token.json", "application/json; charset=utf-8"),
        ("GET", r"/v1\.0/roleManagement/directory/roleAssignments$", "graph/roleAssignments.json", GRAPH),
        ("GET", r"/v1\.0/identityProtection/", "graph/unlicensed.403.json", "application/json", 403),
        ("GET", r"/v1\.0/users\?%24select=id,signInActivity", "graph/unlicensed.403.json", "application/json", 403),
        ("GET", r"/v1\.0/users/delta\?%24select=", "graph/users.delta.page1.json", GRAPH),
        ("GET", r"/v1\.0/users/delta\?\$skiptoken=", "graph/users.delta.page2.json", GRAPH),
        ("GET", r"/v1\.0/groups/delta$", "graph/groups.delta.json", GRAPH),
        ("GET", r"/v1\.0/servicePrincipals\?%24select=", "graph/servicePrincipals.page1.json", GRAPH),
        ("GET", r"/v1\.0/servicePrincipals\?\$skiptoken=", "graph/servicePrincipals.page2.json", GRAPH),
        ("GET", r"/v1\.0/applications$", "graph/applications.json", GRAPH),
    ],
    "azure-shape": [
        ("POST", TOKEN, "graph/token.json", "application/json; charset=utf-8"),
        ("POST", (ARG, r'"query":"authorizationresources'), "arg/roles.json", ARG_CT),
        ("POST", (ARG, r'"query":"resourcecontainers'), "arg/containers.json", ARG_CT),
        ("POST", (ARG, r"microsoft\.network/publicipaddresses"), "arg/network.json", ARG_CT),
        ("POST", (ARG, r'"\$skipToken":'), "arg/resources.page2.json", ARG_CT),
        ("POST", (ARG, r"microsoft\.compute/virtualmachines"), "arg/resources.page1.json", ARG_CT),
    ],
    "azure-shape-truncated": [
        ("POST", TOKEN, "graph/token.json", "application/json; charset=utf-8"),
        ("POST", (ARG, r'"query":"authorizationresources'), "arg/roles.json", ARG_CT),
        ("POST", (ARG, r'"query":"resourcecontainers'), "arg/containers.json", ARG_CT),
        ("POST", (ARG, r"microsoft\.network/publicipaddresses"), "arg/network.json", ARG_CT),
        ("POST", (ARG, r"microsoft\.compute/virtualmachines"), "arg/resources.truncated.json", ARG_CT),
    ],
    "azure-shape-error": [
        ("POST", TOKEN, "graph/token.json", "application/json; charset=utf-8"),
        ("POST", (ARG, r"."), "arg/query-error.400.json", ARG_CT, 400),
    ],
    "defender-bad-secret": [
        ("POST", TOKEN, "token.401.invalid-client.json", "application/json; charset=utf-8", 401),
    ],
    "defender-bad-tenant": [
        ("POST", TOKEN, "token.400.invalid-tenant.json", "application/json; charset=utf-8", 400),
    ],
}


def make_handler(vendor, fixtures):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet: tests read their own logs
            pass

        def answer(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            path = self.path.split("?", 1)[0]
            for m, pattern, name, ctype, *status in ROUTES[vendor]:
                # (path regex, body regex): a POST told apart by what it asks (Resource Graph queries)
                pattern, want = pattern if isinstance(pattern, tuple) else (pattern, None)
                hit = re.match(pattern, self.path if "\\?" in pattern else path)
                if m == method and hit and (want is None or re.search(want, body)):
                    file = os.path.join(fixtures, name.format(**hit.groupdict()))
                    if os.path.isfile(file):
                        with open(file, "rb") as f:
                            data = f.read()
                        if vendor in REBASE:
                            data = data.replace(b"https://graph.microsoft.com",
                                                ("http://127.0.0.1:%d" % self.server.server_address[1]).encode())
                        return self.reply(status[0] if status else 200, data, ctype)
            return self.reply(404, b'{"error":"not recorded"}', "application/json")

        def reply(self, status, body, ctype):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.answer("GET")

        def do_POST(self):
            self.answer("POST")

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vendor", choices=sorted(ROUTES))
    ap.add_argument("fixtures", help="the vendor's folder of recorded responses")
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(a.vendor, a.fixtures))
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    print("listening 127.0.0.1:%d" % srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    srv.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
