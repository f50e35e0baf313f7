#!/usr/bin/env python3
"""A hostile HTTP server for xsm tests, on 127.0.0.1 only.

    python3 hostile.py MODE [--port-file PATH] [--interval S] [--size N]

It speaks just enough of each vendor's API to bring a connector to the
point of its attack, then misbehaves.  MODE is one of:

  paging that does not advance (every connector must stop with exit 76):
    servicenow-self     Link rel="next" names the page just served
    servicenow-cycle    Link rel="next" goes offset 0 -> 1 -> 0
    servicenow-stuck    Link rel="next" advances, the same page comes back
    servicenow-total    X-Total-Count: 2, but a next page after every page
    qualys-self         the truncation WARNING's URL is the request's own
    qualys-stuck        the WARNING's id_min advances, the same hosts come back
    rapid7-cycle        v4 cursors A -> B -> A
    rapid7-stuck        v3 ignores page= (totalPages 1000): the same page
    tenable-stuck       every export chunk holds the same assets
    defender-stuck      $skip is ignored: the same page of the catalogue
    entra-self          @odata.nextLink names the page just served
    azure-self          Resource Graph's $skipToken never changes

  transfers that do not end:
    drip                200 and a JSON body of --size bytes, one byte per --interval
    stall               no answer at all after the request (the socket stays open)
    huge-header         a response header line of --size bytes (default 1 MiB)
    many-headers        --size bytes of response headers, 100 bytes a line
    endless-body        200 without a length, then a body that never ends

Secrets: whatever credentials a client sends are accepted and never logged.
GET /_emu/requests lists the requests served ("METHOD PATH?QUERY").
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

MODES = ("servicenow-self", "servicenow-cycle", "servicenow-stuck", "servicenow-total", "qualys-self",
         "qualys-stuck", "rapid7-cycle", "rapid7-stuck", "tenable-stuck", "defender-stuck", "entra-self",
         "azure-self", "drip", "stall", "huge-header", "many-headers", "endless-body")


def sn_row(n):
    return {"sys_id": "%032x" % (n + 1), "name": "loop-%04d" % n, "sys_class_name": "cmdb_ci_linux_server",
            "host_name": "loop-%04d" % n, "ip_address": "10.9.0.%d" % (n % 250 + 1),
            "sys_updated_on": "2026-11-01 00:00:00"}


QUALYS_PAGE = """<?xml version="1.0" encoding="UTF-8" ?>
<HOST_LIST_VM_DETECTION_OUTPUT><RESPONSE><DATETIME>2026-11-20T00:00:00Z</DATETIME>
<HOST_LIST><HOST><ID>%(id)d</ID><IP>10.9.1.%(id)d</IP><TRACKING_METHOD>IP</TRACKING_METHOD>
<DNS><![CDATA[loop-%(id)d.corp.example.com]]></DNS></HOST></HOST_LIST>
<WARNING><CODE>1980</CODE><TEXT>1 record limit exceeded. Use URL to get next batch of results.</TEXT>
<URL><![CDATA[%(url)s]]></URL></WARNING></RESPONSE></HOST_LIST_VM_DETECTION_OUTPUT>
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    # ---- helpers
    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def query(self):
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

    def with_query(self, **kw):
        u = urlsplit(self.path)
        q = self.query()
        q.update({k: str(v) for k, v in kw.items()})
        return self.base() + u.path + "?" + urlencode(q)

    def send(self, status, body, ctype="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def handle_any(self, method):
        path = urlsplit(self.path).path
        if path == "/_emu/requests":
            return self.send(200, self.server.log)
        if method == "POST":
            self.body()
        self.server.log.append("%s %s" % (method, self.path))
        mode = self.server.mode
        if path.endswith("/oauth2/v2.0/token"):
            return self.send(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                   "access_token": "hostile-token"})
        getattr(self, "m_" + mode.replace("-", "_"))(method, path)

    # ---- paging that does not advance
    def m_servicenow_self(self, method, path):
        self.send(200, {"result": [sn_row(0)]}, headers=[("Link", '<%s>;rel="next"' % (self.base() + self.path))])

    def m_servicenow_cycle(self, method, path):
        off = int(self.query().get("sysparm_offset", "0") or 0)
        nxt = self.with_query(sysparm_offset=1 - off if off in (0, 1) else 0)
        self.send(200, {"result": [sn_row(off)]}, headers=[("Link", '<%s>;rel="next"' % nxt)])

    def m_servicenow_stuck(self, method, path):
        off = int(self.query().get("sysparm_offset", "0") or 0)
        self.send(200, {"result": [sn_row(0)]},
                  headers=[("Link", '<%s>;rel="next"' % self.with_query(sysparm_offset=off + 1))])

    def m_servicenow_total(self, method, path):
        off = int(self.query().get("sysparm_offset", "0") or 0)
        self.send(200, {"result": [sn_row(off)]},
                  headers=[("X-Total-Count", "2"), ("Link", '<%s>;rel="next"' % self.with_query(sysparm_offset=off + 1))])

    def m_qualys_self(self, method, path):
        self.send(200, QUALYS_PAGE % {"id": 1, "url": self.base() + self.path}, "text/xml")

    def m_qualys_stuck(self, method, path):
        nxt = int(self.query().get("id_min", "1")) + 1
        self.send(200, QUALYS_PAGE % {"id": 1, "url": self.with_query(id_min=nxt)}, "text/xml")

    def m_rapid7_cycle(self, method, path):
        cur = self.query().get("cursor", "")
        nxt = {"": "A", "A": "B", "B": "A"}.get(cur, "A")
        data = [{"id": "vuln-%s" % (cur or "0"), "title": "t", "cves": "", "severity": "low"}]
        self.send(200, {"data": data, "metadata": {"cursor": nxt},
                        "links": [{"rel": "self", "href": self.base() + self.path},
                                  {"rel": "next", "href": self.with_query(cursor=nxt)}]})

    def m_rapid7_stuck(self, method, path):
        if path == "/api/3/assets":
            res = [{"id": 1, "ip": "10.9.2.1", "hostName": "loop-1.corp.example.com"}]
            total = 1000
        else:
            res, total = [], 1
        self.send(200, {"resources": res, "page": {"number": 0, "size": 1, "totalResources": total,
                                                   "totalPages": total}, "links": []})

    def m_tenable_stuck(self, method, path):
        if method == "POST" and path.endswith("/export"):
            return self.send(200, {"export_uuid": "0b4c1e2d-3f4a-4b5c-8d6e-7f8091a2b3c4"})
        if path.endswith("/status"):
            return self.send(200, {"status": "FINISHED", "chunks_available": [1, 2, 3]})
        if "/chunks/" in path:
            return self.send(200, [{"id": "0b4c1e2d-0000-4b5c-8d6e-000000000001", "hostnames": ["loop-1"],
                                    "ipv4s": ["10.9.3.1"], "fqdns": ["loop-1.corp.example.com"]}])
        self.send(200, {})

    def m_defender_stuck(self, method, path):
        self.send(200, {"@odata.context": self.base() + "/api/$metadata#Vulnerabilities",
                        "value": [{"id": "CVE-2024-0001", "name": "CVE-2024-0001", "severity": "High",
                                   "cvssV3": 7.5, "publicExploit": False}]})

    def m_entra_self(self, method, path):
        self.send(200, {"@odata.context": "x", "@odata.nextLink": self.base() + self.path,
                        "value": [{"id": "ra-1", "principalId": "p-1", "directoryScopeId": "/",
                                   "roleDefinition": {"displayName": "Reader"}}]})

    def m_azure_self(self, method, path):
        self.send(200, {"totalRecords": 1000, "count": 1, "facets": [], "resultTruncated": "false",
                        "$skipToken": "always-the-same",
                        "data": [{"id": "/subscriptions/s/resourceGroups/rg-loop", "name": "rg-loop",
                                  "type": "microsoft.resources/subscriptions/resourcegroups"}]})

    # ---- transfers that do not end
    def m_drip(self, method, path):
        body = b"{" + b" " * max(0, self.server.size - 2) + b"}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(self.server.interval)
        except OSError:
            pass
        self.close_connection = True

    def m_stall(self, method, path):
        try:
            while self.connection.recv(1):
                pass
        except OSError:
            pass
        self.close_connection = True

    def m_huge_header(self, method, path):
        self.send(200, "{}", headers=[("X-Hostile", "a" * self.server.size)])

    def m_many_headers(self, method, path):
        self.send_response(200)
        for i in range(max(1, self.server.size // 100)):
            self.send_header("X-Hostile-%07d" % i, "b" * 80)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def m_endless_body(self, method, path):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b'{"result":[' + b" " * 65536
        try:
            while True:
                self.wfile.write(chunk)
                chunk = b" " * 65536
        except OSError:
            pass
        self.close_connection = True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=MODES)
    ap.add_argument("--port-file")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between dripped bytes")
    ap.add_argument("--size", type=int, default=1 << 20, help="bytes of header (huge-header, many-headers) or body (drip)")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.mode, srv.interval, srv.size, srv.log = args.mode, args.interval, args.size, []
    port = srv.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(args.port_file + ".tmp", args.port_file)
    print("listening 127.0.0.1:%d" % port, flush=True)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown).start())
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(None)
    sys.exit(main())
