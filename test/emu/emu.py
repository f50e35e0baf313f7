#!/usr/bin/env python3
"""Loopback HTTP emulators of ServiceNow, Qualys, Rapid7 and Tenable for xsm tests.

    python3 emu.py VENDOR [--seed 1] [--hosts 40] [--findings-per-host 5]
                   [--page-size N] [--fault SPEC] [--port-file PATH] [--delay-ms N]

Binds 127.0.0.1 on a free port, prints "listening 127.0.0.1:PORT", serves until
SIGTERM/SIGINT. Wire shapes follow /work/shared/reference/vendor-apis.md
sections 1-4 and the recorded responses in shared/fixtures/real. See README.md.
"""

import argparse
import base64
import functools
import gzip
import json
import os
import signal
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit
from xml.sax.saxutils import escape

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import enterprise as E  # noqa: E402

FAULT_KINDS = ("429", "500", "503", "garble", "drop", "401", "slow", "badtext")


# ====================================================================== plumbing

class Reply:
    """An HTTP answer: status, header list and body bytes."""

    def __init__(self, status, body=b"", ctype=None, headers=()):
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = list(headers)
        if ctype:
            self.headers.insert(0, ("Content-Type", ctype))


class Request:
    """A parsed request; `params` keeps query order, `form` the urlencoded body."""

    def __init__(self, handler, base):
        split = urlsplit(handler.path)
        self.method, self.path, self.query = handler.command, split.path, split.query
        self.params = parse_qsl(split.query, keep_blank_values=True)
        self.headers = handler.headers
        length = int(handler.headers.get("Content-Length") or 0)
        self.body = handler.rfile.read(length) if length else b""
        ctype = handler.headers.get("Content-Type", "")
        self.form = parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True) \
            if ctype.startswith("application/x-www-form-urlencoded") else []
        self.base = base

    def arg(self, name, default=None):
        for k, v in self.params + self.form:
            if k == name:
                return v
        return default

    def json(self):
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None

    def basic(self):
        """(user, password) from a Basic Authorization header, or None."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None
        try:
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            return user, pw
        except ValueError:
            return None


def parse_faults(spec):
    """'429@3,garble@5+' -> [(kind, n, every_from_n)]."""
    faults = []
    for part in filter(None, (spec or "").split(",")):
        kind, _, at = part.strip().partition("@")
        if kind not in FAULT_KINDS or not at.rstrip("+").isdigit():
            raise SystemExit("bad --fault item %r (KIND@N or KIND@N+, KIND in %s)" % (part, ",".join(FAULT_KINDS)))
        faults.append((kind, int(at.rstrip("+")), at.endswith("+")))
    return faults


def json_body(obj):
    return json.dumps(obj, separators=(",", ":"))


def jackson(value, level=0):
    """JSON in Jackson's default pretty-printer style ("key" : value, 2-space indent)."""
    pad = "  " * level
    if isinstance(value, dict):
        if not value:
            return "{ }"
        items = ",\n".join("%s  %s : %s" % (pad, json.dumps(k), jackson(v, level + 1)) for k, v in value.items())
        return "{\n%s\n%s}" % (items, pad)
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ %s ]" % ", ".join(jackson(v, level) for v in value)
    return json.dumps(value)


def cdata(text):
    return "<![CDATA[%s]]>" % text.replace("]]>", "]]]]><![CDATA[>")


class Emulator:
    """Vendor-independent part: counting, faults, logging, gzip, control endpoints."""

    vendor = None

    def __init__(self, ent, args):
        self.ent, self.args = ent, args
        self.faults = parse_faults(args.fault)
        self.lock = threading.Lock()
        self.count = 0
        self.log = []
        self.port = 0

    # ---- hooks for vendors
    def authorized(self, req):
        raise NotImplementedError

    def unauthorized(self, req):
        raise NotImplementedError

    def error(self, req, status):
        """Vendor error reply for injected 429/500/503."""
        raise NotImplementedError

    def route(self, req):
        raise NotImplementedError

    # ---- request flow
    def fault_for(self, n):
        for kind, at, plus in self.faults:
            if n == at or (plus and n >= at):
                return kind
        return None

    def pace(self, handler, fault):
        """The answer's delay (--delay-ms) and the drop and slow faults;
        False when the connection was dropped (nothing to answer)."""
        if self.args.delay_ms:
            time.sleep(self.args.delay_ms / 1000.0)
        if fault == "drop":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return False
        if fault == "slow":
            time.sleep(3)
        return True

    def serve(self, handler):
        req = Request(handler, "http://127.0.0.1:%d" % self.port)
        if req.path.startswith("/_emu/"):
            return self.send(handler, req, self.control(req))
        with self.lock:
            self.count += 1
            n = self.count
            entry = {"n": n, "method": req.method, "path": req.path, "query": req.query,
                     "status": None, "fault": self.fault_for(n)}
            self.log.append(entry)
        fault = entry["fault"]
        if not self.pace(handler, fault):
            return
        if fault in ("429", "500", "503"):
            reply = self.error(req, int(fault))
        elif fault == "401" or not self.authorized(req):
            reply = self.unauthorized(req)
        else:
            reply = self.route(req)
        if fault == "badtext":
            # vendor text as some APIs send it: bytes that are not UTF-8 and an escaped NUL in each
            # JSON name, bytes that are not UTF-8 and a control character in each XML OS
            reply.body = reply.body.replace(b'"name":"', b'"name":"\xff\xc3(\\u0000')
            reply.body = reply.body.replace(b"<OS><![CDATA[", b"<OS><![CDATA[\xff\x01")
        entry["status"] = reply.status
        self.send(handler, req, reply, garble=fault == "garble")

    def send(self, handler, req, reply, garble=False):
        body = reply.body
        if body and "gzip" in req.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=1)
            reply.headers.append(("Content-Encoding", "gzip"))
        handler.send_response_only(reply.status)
        handler.send_header("Date", handler.date_time_string())
        for k, v in reply.headers:
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if garble:
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if req.method != "HEAD":
            handler.wfile.write(body)

    # ---- control endpoints (no auth)
    def control(self, req):
        if req.path == "/_emu/requests" and req.method == "GET":
            with self.lock:
                return Reply(200, json_body(self.log), "application/json")
        if req.path == "/_emu/touch" and req.method == "POST":
            with self.lock:
                names = self.ent.touch(self.vendor, int(req.arg("n", "1")))
                self.touched()
            return Reply(200, json_body(names), "application/json")
        return Reply(404, json_body({"error": "unknown control endpoint"}), "application/json")

    def touched(self):
        """Hook: drop caches that depend on host timestamps."""


# ====================================================================== ServiceNow

CI_FIELDS = (
    "firewall_status", "os_address_width", "attested_date", "operational_status", "os_service_pack",
    "cpu_core_thread", "cpu_manufacturer", "sys_updated_on", "discovery_source", "first_discovered", "due_in",
    "used_for", "gl_account", "invoice_number", "sys_created_by", "ram", "warranty_expiration", "cpu_name",
    "cpu_speed", "owned_by", "checked_out", "classification", "disk_space", "sys_domain_path", "business_unit",
    "object_id", "maintenance_schedule", "cost_center", "attested_by", "dns_domain", "assigned",
    "life_cycle_stage", "purchase_date", "cd_speed", "short_description", "floppy", "managed_by", "os_domain",
    "can_print", "last_discovered", "sys_class_name", "cpu_count", "manufacturer", "life_cycle_stage_status",
    "vendor", "model_number", "assigned_to", "start_date", "os_version", "serial_number", "cd_rom",
    "support_group", "correlation_id", "unverified", "attributes", "asset", "cpu_core_count", "form_factor",
    "skip_sync", "most_frequent_user", "attestation_score", "sys_updated_by", "sys_created_on", "cpu_type",
    "sys_domain", "install_date", "asset_tag", "dr_backup", "hardware_substatus", "fqdn", "change_control",
    "internet_facing", "delivery_date", "hardware_status", "install_status", "supported_by", "name",
    "subcategory", "default_gateway", "chassis_type", "virtual", "assignment_group", "managed_by_group",
    "sys_id", "po_number", "checked_in", "sys_class_path", "mac_address", "company", "justification",
    "department", "comments", "cost", "os", "attestation_status", "sys_mod_count", "monitor", "ip_address",
    "model_id", "duplicate_of", "sys_tags", "cost_cc", "order_date", "schedule", "environment", "due",
    "attested", "location", "category", "fault_count", "host_name", "lease_id", "u_criticality",
    "u_primary_business_application")
SERVER_CLASSES = {"cmdb_ci_server", "cmdb_ci_linux_server", "cmdb_ci_win_server", "cmdb_ci_esx_server"}
HOST_TABLES = {  # table -> classes it returns (parent tables return their subclasses)
    "cmdb_ci_computer": SERVER_CLASSES | {"cmdb_ci_computer"},
    "cmdb_ci_server": SERVER_CLASSES,
    "cmdb_ci_linux_server": {"cmdb_ci_linux_server"},
    "cmdb_ci_win_server": {"cmdb_ci_win_server"},
    "cmdb_ci_esx_server": {"cmdb_ci_esx_server"},
}
REL_TYPES = (  # key, sys_id, parent descriptor, child descriptor
    ("depends", "1a9cb166f1571100a92eb60da2bce5c5", "Depends on", "Used by"),
    ("uses", "cb5592603751200032ff8c00dfbe5d17", "Uses", "Used by"),
    ("runs", "60bc4e22c0a8010e01f074cbe6bd73c3", "Runs on", "Runs"),
    ("hosted", "5f985e0ec0a8010e00a9714f2a172815", "Hosted on", "Hosts"),
)
REL_TYPE_ID = {k: sid for k, sid, _, _ in REL_TYPES}
COMPANY_ID = "81fd65ecac1d55eb42a426568fc87a63"


class Ref:
    """A reference field value (rendered as {"link","value"} or a bare sys_id)."""
    __slots__ = ("table", "sys_id")

    def __init__(self, table, sid):
        self.table, self.sys_id = table, sid

    def __str__(self):
        return self.sys_id


class ServiceNow(Emulator):
    vendor = "servicenow"

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.tokens = set()
        self.match_cache = {}
        self.user_ids = [E.sys_id(ent.seed, "user", u[0]) for u in E.USERS]
        self.group_ids = [E.sys_id(ent.seed, "group", g) for g in E.GROUPS]
        self.location_ids = [E.sys_id(ent.seed, "location", loc) for loc in E.LOCATIONS]
        self.bizapp_ids = [E.sys_id(ent.seed, "bizapp", b[0]) for b in E.BUSINESS_APPS]
        self.hosts = ent.covered["servicenow"]
        self.appl_hosts = [i for i in self.hosts if ent.cores[i].role in E.APPL]
        self.rels = self._relations()
        self.tables = {
            "cmdb_rel_ci": (lambda: range(len(self.rels)), self.rel_row),
            "cmdb_rel_type": (lambda: range(len(REL_TYPES)), self.rel_type_row),
            "cmdb_ci_appl": (lambda: self.appl_hosts, self.appl_row),
            "cmdb_ci_business_app": (lambda: range(len(E.BUSINESS_APPS)), self.bizapp_row),
            "sys_user": (lambda: range(len(E.USERS)), self.user_row),
        }
        for table, classes in HOST_TABLES.items():
            self.tables[table] = (self._host_keys(classes), self.ci_row)
        self.by_id = {}

    def _host_keys(self, classes):
        keys = [i for i in self.hosts if E.OS_TABLE[self.ent.cores[i].platform][0] in classes]
        return lambda: keys

    # ---- auth
    def authorized(self, req):
        if req.path == "/oauth_token.do":
            return True
        auth = req.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth[7:] in self.tokens
        return req.basic() == (self.args.user or "xsm", self.args.password or "emu-sn-pass")

    def unauthorized(self, req):
        return self._error(401, "User Not Authenticated", "Required to provide Auth information",
                           [("WWW-Authenticate", 'Basic realm="Service-now"')])

    def error(self, req, status):
        if status == 429:
            return self._error(429, "Rate limit exceeded", "Too many requests for rate limit rule xsm-emu",
                               [("Retry-After", "1")])
        if status == 500:
            return self._error(500, "Transaction cancelled: maximum execution time exceeded",
                               "Transaction cancelled: maximum execution time exceeded")
        return self._error(503, "Service Unavailable", "The instance is temporarily unavailable")

    def _error(self, status, message, detail, headers=()):
        body = {"error": {"message": message, "detail": detail}, "status": "failure"}
        return Reply(status, json_body(body), "application/json;charset=UTF-8", self._std_headers() + list(headers))

    def _std_headers(self):
        return [("Server", "ServiceNow"), ("X-Is-Logged-In", "true"),
                ("Cache-Control", "no-cache,no-store,must-revalidate,max-age=-1"),
                ("X-RateLimit-Limit", "100000"), ("X-RateLimit-Reset", str(self.ent.now + 3600)),
                ("X-RateLimit-Rule", "2c1f0cfb1b2a6410e3b5a9f1b24bcb51")]

    # ---- routing
    def route(self, req):
        if req.path == "/oauth_token.do" and req.method == "POST":
            return self.oauth(req)
        parts = req.path.strip("/").split("/")
        if parts[:3] == ["api", "now", "v2"]:
            parts = ["api", "now"] + parts[3:]
        if len(parts) in (4, 5) and parts[:3] == ["api", "now", "table"] and req.method == "GET":
            if parts[3] not in self.tables:
                return self._error(400, "Invalid table %s" % parts[3], None)
            if req.arg("sysparm_display_value", "false") != "false":
                return self._error(400, "sysparm_display_value=%s is not supported by the emulator"
                                   % req.arg("sysparm_display_value"), None)
            return self.get_one(req, parts[3], parts[4]) if len(parts) == 5 else self.list(req, parts[3])
        return self._error(400, "Requested URI does not represent any resource", None)

    def oauth(self, req):
        form = dict(req.form)
        ok_client = form.get("client_id") == "emu-client" and form.get("client_secret") == "emu-client-secret"
        grant = form.get("grant_type")
        user_ok = (form.get("username"), form.get("password")) == (self.args.user or "xsm",
                                                                   self.args.password or "emu-sn-pass")
        if ok_client and grant == "password" and user_ok:
            access, refresh = self._token("a"), self._token("r")
            body = {"access_token": access, "refresh_token": refresh, "scope": "useraccount",
                    "token_type": "Bearer", "expires_in": 1799}
        elif ok_client and grant == "refresh_token" and form.get("refresh_token") in self.tokens:
            body = {"access_token": self._token("a"), "scope": "useraccount", "token_type": "Bearer",
                    "expires_in": 1799}
        else:
            return Reply(401, json_body({"error": "server_error", "error_description": "access_denied"}),
                         "application/json;charset=UTF-8")
        return Reply(200, json_body(body), "application/json;charset=UTF-8")

    def _token(self, kind):
        with self.lock:
            tok = E.sys_id(self.ent.seed, "token-" + kind, len(self.tokens)) * 2
            self.tokens.add(tok)
        return tok

    # ---- table reads
    def list(self, req, table):
        keys = self.matching(table, req)
        try:
            limit = int(req.arg("sysparm_limit", "10000"))
            offset = int(req.arg("sysparm_offset", "0"))
        except ValueError:
            return self._error(400, "Invalid sysparm_limit or sysparm_offset", None)
        if offset < 0:
            return self._error(400, "Negative offset is not supported", "offset is %d" % offset)
        if self.args.page_size:
            limit = min(limit, self.args.page_size)
        limit = max(limit, 1)
        rows = [self.render(req, self.tables[table][1](k)) for k in keys[offset:offset + limit]]
        headers = self._std_headers() + [("X-Total-Count", str(len(keys)))]
        link = self.link_header(req, len(keys), limit, offset)
        if link:
            headers.append(("Link", link))
        return Reply(200, json_body({"result": rows}), "application/json;charset=UTF-8", headers)

    def get_one(self, req, table, sid):
        if table not in self.by_id:
            keys, row = self.tables[table]
            self.by_id[table] = {row(k)["sys_id"]: k for k in keys()}
        key = self.by_id[table].get(sid)
        if key is None:
            return self._error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")
        return Reply(200, json_body({"result": self.render(req, self.tables[table][1](key))}),
                     "application/json;charset=UTF-8", self._std_headers())

    def link_header(self, req, total, limit, offset):
        """Link exactly like the real instance: only with >1 page, first/prev/next/last."""
        if total <= limit:
            return None
        links = [("first", 0)]
        if offset > 0:
            links.append(("prev", max(0, offset - limit)))
        if offset + limit < total:
            links.append(("next", offset + limit))
        links.append(("last", (total - 1) // limit * limit))
        return ",".join('<%s>;rel="%s"' % (self._url(req, off), rel) for rel, off in links)

    def _url(self, req, offset):
        params = [(k, v) for k, v in req.params]
        if any(k == "sysparm_offset" for k, _ in params):
            params = [(k, str(offset) if k == "sysparm_offset" else v) for k, v in params]
        else:
            params.append(("sysparm_offset", str(offset)))
        return "%s%s?%s" % (req.base, req.path, "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe=""))
                                                        for k, v in params))

    def render(self, req, row):
        fields = req.arg("sysparm_fields")
        if fields:
            wanted = [f.strip() for f in fields.split(",") if f.strip()]
            row = {f: row[f] for f in wanted if f in row}
        bare = req.arg("sysparm_exclude_reference_link", "false") == "true"
        out = {}
        for k, v in row.items():
            if isinstance(v, Ref):
                v = v.sys_id if bare else {"link": "%s/api/now/table/%s/%s" % (req.base, v.table, v.sys_id),
                                           "value": v.sys_id}
            out[k] = "" if v is None else v
        return out

    # ---- encoded query
    def matching(self, table, req):
        """Keys of `table` matching sysparm_query and plain field=value params, in order (cached)."""
        keys_fn, row_fn = self.tables[table]
        query = req.arg("sysparm_query", "")
        terms = [t for t in query.split("^") if t]
        terms += ["%s=%s" % (k, v) for k, v in req.params if not k.startswith("sysparm_")]
        if not terms:
            return list(keys_fn())
        cache_key = (table, tuple(terms), self.ent.touch_calls)
        with self.lock:
            hit = self.match_cache.get(cache_key)
        if hit is not None:
            return hit
        conds, order = self.parse_query(terms)
        rows = [(k, row_fn(k)) for k in keys_fn()]
        rows = [(k, r) for k, r in rows if all(self.test(r, c) for c in conds)]
        for field, desc in reversed(order):
            rows.sort(key=lambda kr: str(kr[1].get(field, "")), reverse=desc)
        keys = [k for k, _ in rows]
        with self.lock:
            if len(self.match_cache) > 64:
                self.match_cache.clear()
            self.match_cache[cache_key] = keys
        return keys

    @staticmethod
    def parse_query(terms):
        """Supports field=v, !=, >=, <=, >, <, fieldINa,b, fieldISEMPTY, fieldISNOTEMPTY, ORDERBYf,
        ORDERBYDESCf; other terms are ignored."""
        conds, order = [], []
        for term in terms:
            if term.startswith("ORDERBYDESC"):
                order.append((term[11:], True))
            elif term.startswith("ORDERBY"):
                order.append((term[7:], False))
            elif term.endswith("ISNOTEMPTY") and term[:-10].replace("_", "").isalnum():
                conds.append((term[:-10], "ISNOTEMPTY", ""))
            elif term.endswith("ISEMPTY") and term[:-7].replace("_", "").isalnum():
                conds.append((term[:-7], "ISEMPTY", ""))
            elif "IN" in term and term.split("IN", 1)[0].replace("_", "").isalnum() and term.split("IN", 1)[0].islower():
                field, _, values = term.partition("IN")
                conds.append((field, "IN", values))
            else:
                for op in ("!=", ">=", "<=", "=", ">", "<"):
                    field, sep, value = term.partition(op)
                    if sep and field and field.replace("_", "").isalnum():
                        conds.append((field, op, value))
                        break
        return conds, order

    @staticmethod
    def test(row, cond):
        field, op, value = cond
        if field not in row:
            return True  # a real instance ignores a condition on a field the table does not have
        have = str(row[field] or "")
        if op == "IN":
            return have in value.split(",")
        if op in ("ISEMPTY", "ISNOTEMPTY"):
            return (have == "") == (op == "ISEMPTY")
        return {"=": have == value, "!=": have != value, ">=": have >= value, "<=": have <= value,
                ">": have > value, "<": have < value}[op]

    # ---- rows
    def _common(self, sid, cls, created, updated):
        return {"sys_id": sid, "sys_class_name": cls, "sys_created_on": E.sn_time(created),
                "sys_updated_on": E.sn_time(updated), "sys_created_by": "admin", "sys_updated_by": "discovery",
                "sys_mod_count": "3", "sys_tags": "", "sys_domain": Ref("sys_user_group", "global"),
                "sys_domain_path": "/"}

    def ci_row(self, i):
        h = self.ent.host(i)
        row = dict.fromkeys(CI_FIELDS, "")
        server = h.sn_class != "cmdb_ci_computer"
        row.update(self._common(h.sys_id, h.sn_class, h.created, h.updated))
        row.update({
            "name": h.name.upper(), "host_name": h.name, "fqdn": h.fqdn, "dns_domain": E.DOMAIN,
            "ip_address": self.ent.vendor_ip("servicenow", i), "mac_address": h.mac.upper(),
            "serial_number": h.serial, "os": h.sn_os, "os_version": h.os_version,
            "os_domain": E.DOMAIN if h.os_family == "Windows" else "", "asset_tag": "P%07d" % (i + 1),
            "virtual": "true" if h.virtual else "false", "install_status": "1", "operational_status": "1",
            "used_for": h.environment, "environment": h.environment, "classification": h.environment,
            "u_criticality": E.CRITICALITY[h.criticality - 1],
            "u_primary_business_application": Ref("cmdb_ci_business_app", self.bizapp_ids[self.ent.business_app(i)])
            if E.BIZAPP_VIA.get(h.role) == "field" else "",
            "company": Ref("core_company", COMPANY_ID),
            "location": Ref("cmn_location", self.location_ids[h.location]),
            "owned_by": Ref("sys_user", self.user_ids[h.owner]),
            "managed_by": Ref("sys_user", self.user_ids[(h.owner + 1) % len(E.USERS)]),
            "support_group": Ref("sys_user_group", self.group_ids[h.group]),
            "first_discovered": E.sn_time(h.first_seen), "last_discovered": E.sn_time(h.scanned),
            "discovery_source": "ServiceNow", "sys_mod_count": str(3 + self.ent.touched.get(i, (0,))[0]),
            "short_description": "%s %s" % (h.role, "server" if server else "workstation"),
            "category": "Hardware", "subcategory": "Computer", "firewall_status": "Intranet",
            "cpu_count": "4" if server else "1", "cpu_type": "GenuineIntel", "cpu_speed": "2600",
            "ram": "16384" if server else "8192", "disk_space": "200", "cost_cc": "USD", "fault_count": "0",
            "internet_facing": "true" if h.role == "web" else "false", "install_date": E.sn_time(h.created),
            "can_print": "false", "cd_rom": "false", "monitor": "false", "attested": "false",
            "unverified": "false", "skip_sync": "false", "cd_speed": "-1",
        })
        return row

    def appl_row(self, i):
        h = self.ent.host(i)
        row = self._common(E.sys_id(self.ent.seed, "appl", i), "cmdb_ci_appl", h.created, h.updated)
        row.update({"name": "%s@%s" % (E.APPL[h.role], h.name), "version": "1.%d" % (i % 9),
                    "install_directory": "/opt/%s" % E.APPL[h.role].split()[0].lower(), "running_process": "",
                    "tcp_port": str(h.services[-1][0]), "used_for": h.environment, "install_status": "1",
                    "operational_status": "1", "company": Ref("core_company", COMPANY_ID),
                    "owned_by": Ref("sys_user", self.user_ids[h.owner]), "short_description": ""})
        return row

    def bizapp_row(self, j):
        name, crit = E.BUSINESS_APPS[j]
        row = self._common(self.bizapp_ids[j], "cmdb_ci_business_app", self.ent.now - 900 * E.DAY,
                           self.ent.now - (30 + j) * E.DAY)
        row.update({"name": name, "number": "APM%07d" % (1001 + j), "busines_criticality": E.CRITICALITY[crit],
                    "application_manager": Ref("sys_user", self.user_ids[j % len(E.USERS)]),
                    "it_application_owner": Ref("sys_user", self.user_ids[(j + 2) % len(E.USERS)]),
                    "data_classification": ("confidential", "internal", "public")[min(crit, 2)],
                    "life_cycle_stage": "Operational", "install_status": "1", "operational_status": "1",
                    "short_description": "%s business application" % name})
        return row

    def rel_type_row(self, j):
        key, sid, parent, child = REL_TYPES[j]
        row = self._common(sid, "cmdb_rel_type", self.ent.now - 4000 * E.DAY, self.ent.now - 4000 * E.DAY)
        row.update({"name": "%s::%s" % (parent, child), "parent_descriptor": parent, "child_descriptor": child})
        return row

    def user_row(self, j):
        user, first, last = E.USERS[j]
        row = self._common(self.user_ids[j], "sys_user", self.ent.now - 800 * E.DAY, self.ent.now - 20 * E.DAY)
        row.update({"user_name": user, "first_name": first, "last_name": last, "name": "%s %s" % (first, last),
                    "email": "%s@%s" % (user, E.DOMAIN), "active": "true", "title": "", "department": "",
                    "company": Ref("core_company", COMPANY_ID), "location": "", "manager": "",
                    "locked_out": "false", "vip": "false"})
        return row

    def _relations(self):
        """All cmdb_rel_ci edges as (parent Ref, child Ref, type key, port)."""
        ent, rels = self.ent, []
        ci = lambda i: Ref("cmdb_ci", E.sys_id(ent.seed, "ci", i))  # noqa: E731
        for i in self.hosts:
            core = ent.cores[i]
            partner = {"web": "app", "app": "db"}.get(core.role)
            if partner:
                j = ent._peer(i, partner)
                if j is not None:
                    rels.append((ci(i), ci(j), "depends", "5432" if partner == "db" else "8443"))
            if core.virtual:
                hv = ent._peer(i, "hv")
                if hv is not None:
                    rels.append((ci(i), ci(hv), "runs", ""))
            if core.role in E.APPL:
                appl = Ref("cmdb_ci", E.sys_id(ent.seed, "appl", i))
                rels.append((appl, ci(i), "runs", ""))
            if E.BIZAPP_VIA.get(core.role) == "hop":
                rels.append((Ref("cmdb_ci", self.bizapp_ids[ent.business_app(i)]), appl, "depends", ""))
            elif E.BIZAPP_VIA.get(core.role) == "rel":
                rels.append((Ref("cmdb_ci", self.bizapp_ids[ent.business_app(i)]), ci(i), "depends", ""))
        return rels

    def rel_row(self, k):
        parent, child, kind, port = self.rels[k]
        row = self._common(E.sys_id(self.ent.seed, "rel", k), "cmdb_rel_ci", self.ent.now - 300 * E.DAY,
                           self.ent.now - 100 * E.DAY)
        row.update({"parent": parent, "child": child, "type": Ref("cmdb_rel_type", REL_TYPE_ID[kind]),
                    "connection_strength": "Always", "port": port, "percent_outage": ""})
        return row


# ====================================================================== Qualys

QUALYS_DTD = "https://qualysapi.qg3.apps.qualys.com/api/2.0"
QUALYS_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE %s SYSTEM "%s/%s">\n'
EVAL_COMMENT = "<!-- This report was generated with an evaluation version of Qualys //--> \n"
TAIL_COMMENT = ('<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. Qualys provides the QualysGuard Service "As Is," '
                "without any warranty of any kind. Qualys makes no warranty that the information contained in this "
                "report is complete or error-free. Copyright 2026, Qualys, Inc. //--> \n")
HLD_PARAMS = {"action", "truncation_limit", "id_min", "id_max", "ids", "show_igs", "show_tags", "output_format",
              "status", "vm_processed_after", "vm_scan_since", "show_results", "severities", "qids",
              "include_vuln_type", "echo_request", "show_reopened_info", "suppress_duplicated_data_from_csv"}
KB_PARAMS = {"action", "ids", "id_min", "id_max", "details", "echo_request", "last_modified_after",
             "published_after", "is_patchable", "show_pci_reasons", "show_supported_modules_info"}
HOST_PARAMS = {"action", "details", "truncation_limit", "ids", "id_min", "id_max", "echo_request",
               "vm_scan_date_after", "vm_scan_date_before", "show_tags"}
THREAT_INTEL = ((2, "Exploit_Public", "exploit"), (15, "Remote_Code_Execution", "rce"))


def parse_ranges(text):
    """'1-5,9' -> [(1,5),(9,9)]; raises ValueError naming the bad item."""
    out = []
    for item in filter(None, text.split(",")):
        lo, sep, hi = item.strip().partition("-")
        if not lo.isdigit() or (sep and not hi.isdigit()):
            raise ValueError(item)
        out.append((int(lo), int(hi) if sep else int(lo)))
    return out


def in_ranges(value, ranges):
    return any(lo <= value <= hi for lo, hi in ranges)


class Qualys(Emulator):
    vendor = "qualys"

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.remaining = 300
        self.running = 0

    def serve(self, handler):
        with self.lock:
            self.running += 1
        try:
            super().serve(handler)
        finally:
            with self.lock:
                self.running -= 1

    # ---- envelope helpers
    def _headers(self, towait=0):
        with self.lock:
            self.remaining = max(0, self.remaining - 1)
            remaining, running = self.remaining, self.running
        return [("Server", "Qualys"), ("X-RateLimit-Limit", "300"), ("X-RateLimit-Window-Sec", "3600"),
                ("X-RateLimit-Remaining", str(remaining)), ("X-RateLimit-ToWait-Sec", str(towait)),
                ("X-Concurrency-Limit-Limit", "2"), ("X-Concurrency-Limit-Running", str(running)),
                ("Keep-Alive", "timeout=300")]

    def simple_return(self, status, code, text, ctype="application/xml", towait=0, xml_decl=False):
        body = (QUALYS_HEAD % ("SIMPLE_RETURN", QUALYS_DTD, "simple_return.dtd") if xml_decl else
                '<!DOCTYPE SIMPLE_RETURN SYSTEM "%s/simple_return.dtd">\n' % QUALYS_DTD)
        body += ("<SIMPLE_RETURN>\n  <RESPONSE>\n    <DATETIME>%s</DATETIME>\n    <CODE>%d</CODE>\n"
                 "    <TEXT>%s</TEXT>\n  </RESPONSE>\n</SIMPLE_RETURN>\n") % (E.iso(self.ent.now), code, escape(text))
        headers = self._headers(towait) if ctype == "application/xml" else [("Server", "Qualys")]
        return Reply(status, body, ctype, headers)

    def document(self, root, dtd, inner, keepalive=True):
        """A full v2 document: declaration, DOCTYPE, comments around the root, keep-alive inside."""
        body = [QUALYS_HEAD % (root, QUALYS_DTD, dtd), EVAL_COMMENT, "<%s>\n  <RESPONSE>\n" % root,
                "    <DATETIME>%s</DATETIME>\n" % E.iso(self.ent.now)]
        if keepalive and inner:
            body.append("<!-- keep-alive for %s -->\n" % root)
        body += inner
        body += ["  </RESPONSE>\n</%s>\n" % root, EVAL_COMMENT, TAIL_COMMENT]
        return Reply(200, "".join(body), "application/xml", self._headers())

    def warning(self, req, limit, next_id):
        params = [(k, v) for k, v in req.params + req.form if k != "id_min"] + [("id_min", str(next_id))]
        url = "%s%s?%s" % (req.base, req.path, "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe=",-"))
                                                        for k, v in params))
        return ("    <WARNING>\n      <CODE>1980</CODE>\n      <TEXT>%d record limit exceeded. Use URL to get next "
                "batch of results.</TEXT>\n      <URL>%s</URL>\n    </WARNING>\n") % (limit, cdata(url))

    # ---- auth and errors
    def authorized(self, req):
        return req.basic() == (self.args.user or "xsm", self.args.password or "emu-q-pass")

    def unauthorized(self, req):
        return self.simple_return(401, 2000, "Bad Login/Password", "text/xml;charset=UTF-8", xml_decl=True)

    def error(self, req, status):
        if status == 429:
            return self.simple_return(409, 1965, "This API cannot be run again for another 1 second(s). "
                                      "API rate limit exceeded.", towait=1)
        if status == 500:
            return self.simple_return(500, 999, "Internal error. Please contact customer support.")
        return self.simple_return(503, 999, "Service temporarily unavailable. Please try again later.")

    # ---- routing
    def route(self, req):
        if not req.headers.get("X-Requested-With"):
            return self.simple_return(400, 1903, "Missing required header: X-Requested-With")
        with self.lock:
            busy = self.running > 2
        if busy:
            return self.simple_return(409, 1960, "Concurrency Limit of 2 exceeded. Please wait for one or more "
                                      "of the 2 running calls to complete.", towait=0)
        endpoints = {"/api/2.0/fo/asset/host/vm/detection/": (HLD_PARAMS, self.detections),
                     "/api/2.0/fo/knowledge_base/vuln/": (KB_PARAMS, self.knowledge_base),
                     "/api/2.0/fo/asset/host/": (HOST_PARAMS, self.host_list)}
        path = req.path if req.path.endswith("/") else req.path + "/"
        if path not in endpoints or req.method not in ("GET", "POST"):
            return self.simple_return(404, 1901, "Unrecognized API path %s" % req.path)
        allowed, handler = endpoints[path]
        names = [k for k, _ in req.params + req.form]
        unknown = sorted(set(names) - allowed)
        if unknown:
            return self.simple_return(400, 1901, "Unrecognized parameter(s): %s" % ", ".join(unknown))
        if req.arg("action") is None:
            return self.simple_return(400, 1903, "Missing required parameter(s): action")
        if req.arg("action") != "list":
            return self.simple_return(400, 1905, "parameter action has invalid value: %s" % req.arg("action"))
        try:
            return handler(req)
        except ValueError as exc:
            return self.simple_return(400, 1905, str(exc))

    def _ranges(self, req, name):
        text = req.arg(name)
        if text is None:
            return None
        try:
            return parse_ranges(text)
        except ValueError as bad:
            raise ValueError("parameter %s has invalid value: %s (neither a positive integer nor a range: %s)"
                             % (name, text, bad))

    def _int(self, req, name, default):
        text = req.arg(name)
        if text is None:
            return default
        if not text.isdigit():
            raise ValueError("parameter %s has invalid value: %s" % (name, text))
        return int(text)

    def _time(self, req, name):
        text = req.arg(name)
        if text is None:
            return None
        try:
            return E.parse_iso(text)
        except ValueError:
            raise ValueError("parameter %s has invalid value: %s" % (name, text))

    def _page(self, req, accept):
        """Walk covered hosts by Qualys id from id_min; returns (hosts, next_id, limit).

        `accept(i)` returns the per-host payload or None to skip the host."""
        limit = self._int(req, "truncation_limit", 1000)
        if self.args.page_size:
            limit = min(limit or self.args.page_size, self.args.page_size)
        id_min, id_max = self._int(req, "id_min", 0), self._int(req, "id_max", None)
        ids = self._ranges(req, "ids")
        start = max(0, (id_min - 1000000) // 4)
        out = []
        for i in range(start, self.ent.n):
            if "qualys" not in self.ent.cores[i].cover:
                continue
            qid = self.ent.host(i).qualys_id
            if qid < id_min or (ids is not None and not in_ranges(qid, ids)):
                continue
            if id_max is not None and qid > id_max:
                break
            payload = accept(i)
            if payload is None:
                continue
            if limit and len(out) == limit:
                return out, qid, limit
            out.append(payload)
        return out, None, limit

    # ---- host list detection
    def detections(self, req):
        statuses = set((req.arg("status") or "New,Active,Re-Opened").split(","))
        show_igs, show_tags = req.arg("show_igs") == "1", req.arg("show_tags") == "1"
        severities = self._ranges(req, "severities")
        qids = self._ranges(req, "qids")
        processed_after, scan_since = self._time(req, "vm_processed_after"), self._time(req, "vm_scan_since")

        def accept(i):
            seen = self.ent.scanned(i)
            if (processed_after is not None and seen <= processed_after) or \
                    (scan_since is not None and seen < scan_since):
                return None
            dets = [f for f in self.ent.findings(i) if f["status"] in statuses
                    and (show_igs or not f["check"]["info"])
                    and (severities is None or in_ranges(f["check"]["qsev"], severities))
                    and (qids is None or in_ranges(f["check"]["qid"], qids))]
            return self.hld_host(i, dets, show_tags) if dets else None

        hosts, next_id, limit = self._page(req, accept)
        inner = []
        if hosts:
            inner = ["    <HOST_LIST>\n"] + hosts + ["    </HOST_LIST>\n"]
        if next_id is not None:
            inner.append(self.warning(req, limit, next_id))
        return self.document("HOST_LIST_VM_DETECTION_OUTPUT", "fo/asset/host/vm/detection/"
                             "host_list_vm_detection_output.dtd", inner)

    def hld_host(self, i, dets, show_tags):
        h, ent = self.ent.host(i), self.ent
        seen = ent.scanned(i)
        agent = h.agent_uuid is not None
        x = ["      <HOST>\n        <ID>%d</ID>\n        <IP>%s</IP>\n" % (h.qualys_id, ent.vendor_ip("qualys", i)),
             "        <TRACKING_METHOD>%s</TRACKING_METHOD>\n" % ("QAGENT" if agent else "IP"),
             "        <OS>%s</OS>\n        <DNS>%s</DNS>\n" % (cdata(h.os_name), cdata(h.fqdn)),
             "        <DNS_DATA>\n          <HOSTNAME>%s</HOSTNAME>\n          <DOMAIN>%s</DOMAIN>\n"
             "          <FQDN>%s</FQDN>\n        </DNS_DATA>\n" % (cdata(h.name), cdata(E.DOMAIN), cdata(h.fqdn)),
             "        <NETBIOS>%s</NETBIOS>\n" % cdata(h.name.upper())]
        if agent:
            x.append("        <QG_HOSTID>%s</QG_HOSTID>\n" % h.agent_uuid)
        x.append("        <LAST_SCAN_DATETIME>%s</LAST_SCAN_DATETIME>\n        <LAST_VM_SCANNED_DATE>%s"
                 "</LAST_VM_SCANNED_DATE>\n        <LAST_VM_SCANNED_DURATION>%d</LAST_VM_SCANNED_DURATION>\n"
                 % (E.iso(seen), E.iso(seen - 60), 300 + i % 900))
        if show_tags:
            x.append("        <TAGS>\n" + "".join(
                "          <TAG>\n            <TAG_ID>%d</TAG_ID>\n            <NAME>%s</NAME>\n          </TAG>\n"
                % (tid, cdata(name)) for tid, name in (
                    (7000 + h.criticality, "Criticality %d" % (5 - h.criticality)),
                    (7100 + E.ENVIRONMENTS.index(h.environment), h.environment))) + "        </TAGS>\n")
        x.append("        <DETECTION_LIST>\n")
        x += [self.detection(h, f, seen) for f in dets]
        x.append("        </DETECTION_LIST>\n      </HOST>\n")
        return "".join(x)

    @staticmethod
    def detection(h, f, seen):
        c = f["check"]
        kind = "Info" if c["info"] else ("Potential" if c["qtype"].startswith("Potential") else "Confirmed")
        x = ["          <DETECTION>\n            <QID>%d</QID>\n            <TYPE>%s</TYPE>\n"
             "            <SEVERITY>%d</SEVERITY>\n" % (c["qid"], kind, c["qsev"])]
        if f["port"]:
            x.append("            <PORT>%d</PORT>\n            <PROTOCOL>%s</PROTOCOL>\n            <SSL>%d</SSL>\n"
                     % (f["port"], c["proto"], 1 if f["port"] == 443 else 0))
        results = ("%s detected on %s:\n\tInstalled version:\t%s\n\tPath:\t/opt/app &amp; &lt;default&gt;\n"
                   "\tReference:\t%s" % (c["title"], h.name, h.os_version, c["cve"] or "n/a"))
        x.append("            <RESULTS>%s</RESULTS>\n            <STATUS>%s</STATUS>\n" % (cdata(results), f["status"]))
        x.append("            <FIRST_FOUND_DATETIME>%s</FIRST_FOUND_DATETIME>\n            <LAST_FOUND_DATETIME>%s"
                 "</LAST_FOUND_DATETIME>\n            <TIMES_FOUND>%d</TIMES_FOUND>\n            <LAST_TEST_DATETIME>"
                 "%s</LAST_TEST_DATETIME>\n            <LAST_UPDATE_DATETIME>%s</LAST_UPDATE_DATETIME>\n"
                 % (E.iso(f["first_found"]), E.iso(f["last_found"]), f["times_found"], E.iso(seen - 60), E.iso(seen)))
        if f["last_fixed"]:
            x.append("            <LAST_FIXED_DATETIME>%s</LAST_FIXED_DATETIME>\n" % E.iso(f["last_fixed"]))
        x.append("            <IS_IGNORED>0</IS_IGNORED>\n            <IS_DISABLED>0</IS_DISABLED>\n"
                 "            <LAST_PROCESSED_DATETIME>%s</LAST_PROCESSED_DATETIME>\n          </DETECTION>\n"
                 % E.iso(seen))
        return "".join(x)

    # ---- knowledge base
    def knowledge_base(self, req):
        ids = self._ranges(req, "ids")
        id_min, id_max = self._int(req, "id_min", 0), self._int(req, "id_max", None)
        vulns = [c for c in sorted(E.CHECKS, key=lambda c: c["qid"])
                 if (ids is None or in_ranges(c["qid"], ids)) and c["qid"] >= id_min
                 and (id_max is None or c["qid"] <= id_max)]
        inner = ["    <VULN_LIST>\n"] + [self.kb_vuln(c) for c in vulns] + ["    </VULN_LIST>\n"] if vulns else []
        return self.document("KNOWLEDGE_BASE_VULN_LIST_OUTPUT",
                             "fo/knowledge_base/vuln/knowledge_base_vuln_list_output.dtd", inner)

    @staticmethod
    def kb_vuln(c):
        vendor, _, product = (c["cpe"] or "cpe:/a:generic:generic")[7:].partition(":")
        x = ["      <VULN>\n        <QID>%d</QID>\n        <VULN_TYPE>%s</VULN_TYPE>\n        <SEVERITY_LEVEL>%d"
             "</SEVERITY_LEVEL>\n        <TITLE>%s</TITLE>\n        <CATEGORY>%s</CATEGORY>\n"
             % (c["qid"], c["qtype"], c["qsev"], cdata(c["title"]), escape(c["category"])),
             "        <LAST_SERVICE_MODIFICATION_DATETIME>%s</LAST_SERVICE_MODIFICATION_DATETIME>\n"
             "        <PUBLISHED_DATETIME>%s</PUBLISHED_DATETIME>\n        <PATCHABLE>%d</PATCHABLE>\n"
             % (E.iso(c["published"] + 20 * E.DAY), E.iso(c["published"]), 0 if c["info"] else 1)]
        if c["cve"]:
            x.append("        <SOFTWARE_LIST>\n          <SOFTWARE>\n            <PRODUCT>%s</PRODUCT>\n"
                     "            <VENDOR>%s</VENDOR>\n          </SOFTWARE>\n        </SOFTWARE_LIST>\n"
                     % (cdata(product), cdata(vendor)))
            x.append("        <CVE_LIST>\n          <CVE>\n            <ID>%s</ID>\n            <URL>%s</URL>\n"
                     "          </CVE>\n        </CVE_LIST>\n"
                     % (cdata(c["cve"]), cdata("https://nvd.nist.gov/vuln/detail/" + c["cve"])))
        x.append("        <DIAGNOSIS>%s</DIAGNOSIS>\n        <CONSEQUENCE>%s</CONSEQUENCE>\n        <SOLUTION>%s"
                 "</SOLUTION>\n" % (cdata("%s.<P>\nDetected by version check." % c["title"]),
                                    cdata("Successful exploitation may compromise the host."),
                                    cdata("Apply the vendor update.")))
        if c["exploit"]:
            x.append("        <CORRELATION>\n          <EXPLOITS>\n            <EXPLT_SRC>\n              <SRC_NAME>"
                     "%s</SRC_NAME>\n              <EXPLT_LIST>\n                <EXPLT>\n                  <REF>%s"
                     "</REF>\n                  <DESC>%s</DESC>\n                  <LINK>%s</LINK>\n"
                     "                </EXPLT>\n              </EXPLT_LIST>\n            </EXPLT_SRC>\n"
                     "          </EXPLOITS>\n        </CORRELATION>\n"
                     % (cdata("The Exploit-DB"), cdata(c["cve"] or ""), cdata("Public exploit"),
                        cdata("https://www.exploit-db.com/")))
        if not c["info"]:
            x.append("        <CVSS>\n          <BASE>%.1f</BASE>\n          <TEMPORAL>%.1f</TEMPORAL>\n"
                     "          <VECTOR_STRING>%s</VECTOR_STRING>\n        </CVSS>\n"
                     "        <CVSS_V3>\n          <BASE>%.1f</BASE>\n          <TEMPORAL>%.1f</TEMPORAL>\n"
                     "          <VECTOR_STRING>%s</VECTOR_STRING>\n        </CVSS_V3>\n"
                     % (c["cvss2"], max(0.0, c["cvss2"] - 0.5), "CVSS:2.0/" + c["v2vector"],
                        c["cvss3"], max(0.0, c["cvss3"] - 0.4), c["v3vector"]))
        x.append("        <PCI_FLAG>%d</PCI_FLAG>\n" % (1 if c["cvss3"] >= 4.0 else 0))
        intel = [(tid, name) for tid, name, key in THREAT_INTEL if c[key]]
        if intel:
            x.append("        <THREAT_INTELLIGENCE>\n" + "".join(
                '          <THREAT_INTEL id="%d">%s</THREAT_INTEL>\n' % (tid, cdata(name)) for tid, name in intel)
                + "        </THREAT_INTELLIGENCE>\n")
        x.append("        <DISCOVERY>\n          <REMOTE>%d</REMOTE>\n        </DISCOVERY>\n      </VULN>\n"
                 % (1 if c["port"] else 0))
        return "".join(x)

    # ---- host list (ids)
    def host_list(self, req):
        details = req.arg("details", "Basic")
        if details not in ("None", "Basic", "All"):
            raise ValueError("parameter details has invalid value: %s" % details)
        if details == "None":
            hosts, next_id, limit = self._page(req, lambda i: "      <ID>%d</ID>\n" % self.ent.host(i).qualys_id)
            inner = ["    <ID_SET>\n"] + hosts + ["    </ID_SET>\n"] if hosts else []
        else:
            hosts, next_id, limit = self._page(req, self.basic_host)
            inner = ["    <HOST_LIST>\n"] + hosts + ["    </HOST_LIST>\n"] if hosts else []
        if next_id is not None:
            inner.append(self.warning(req, limit, next_id))
        return self.document("HOST_LIST_OUTPUT", "fo/asset/host/host_list_output.dtd", inner, keepalive=False)

    def basic_host(self, i):
        h = self.ent.host(i)
        return ("      <HOST>\n        <ID>%d</ID>\n        <IP>%s</IP>\n        <TRACKING_METHOD>IP</TRACKING_METHOD>\n"
                "        <DNS>%s</DNS>\n        <NETBIOS>%s</NETBIOS>\n        <OS>%s</OS>\n      </HOST>\n"
                % (h.qualys_id, self.ent.vendor_ip("qualys", i), cdata(h.fqdn), cdata(h.name.upper()),
                   cdata(h.os_name)))


# ====================================================================== Rapid7

R7_JSON = "application/json;charset=UTF-8"


def r7_mac(h):
    return "-".join("%02X" % b for b in h.mac_bytes)


class Rapid7(Emulator):
    vendor = "rapid7"

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.assets = ent.covered["rapid7"]
        self.asset_pos = {ent.host(i).rapid7_id: i for i in self.assets}

    def _v4(self, req):
        return req.path.startswith("/vm/v4/")

    def authorized(self, req):
        if self._v4(req):
            return req.headers.get("X-Api-Key") == (self.args.api_key or "emu-r7-key")
        return req.basic() == (self.args.user or "xsm", self.args.password or "emu-r7-pass")

    def unauthorized(self, req):
        if self._v4(req):
            return Reply(401, json_body({"message": "Unauthorized"}), "application/json")
        return self._error(req, 401, "Authentication required. Please log in.")

    def error(self, req, status):
        messages = {429: "Too many requests. Please try again later.",
                    500: "An unexpected error occurred.", 503: "The console is starting up or unavailable."}
        reply = self._error(req, status, messages[status])
        if status == 429:
            reply.headers.append(("Retry-After", "1"))
        return reply

    def _error(self, req, status, message):
        body = {"status": str(status), "message": message,
                "links": [{"href": req.base + req.path, "rel": "self"}]}
        return self._json(body, status)

    def _json(self, obj, status=200):
        return Reply(status, jackson(obj), R7_JSON, [("Server", "Security Console")])

    # ---- routing
    def route(self, req):
        parts = req.path.strip("/").split("/")
        if self._v4(req):
            if req.method != "POST" or len(parts) != 4 or parts[3] not in ("assets", "vulnerabilities"):
                return Reply(404, json_body({"message": "Not Found"}), "application/json")
            return self.v4_assets(req) if parts[3] == "assets" else self.v4_vulns(req)
        if parts[:2] != ["api", "3"] or req.method != "GET":
            return self._error(req, 404, "The requested resource could not be found.")
        rest = parts[2:]
        try:
            if rest == ["administration", "info"]:
                return self._json(self.info())
            if rest == ["sites"]:
                return self.paged(req, self.sites(req), "/api/3/sites")
            if rest == ["assets"]:
                return self.asset_page(req)
            if len(rest) == 2 and rest[0] == "assets":
                return self._json(self.asset(req, self._asset_index(rest[1])))
            if len(rest) == 3 and rest[0] == "assets" and rest[2] == "vulnerabilities":
                i = self._asset_index(rest[1])
                return self.paged(req, self.asset_vulns(req, i), req.path)
            if rest == ["vulnerabilities"]:
                checks = [c for c in E.CHECKS if c["r7id"]]
                return self.paged(req, [lambda c=c: self.vuln(req, c) for c in checks], req.path)
            if len(rest) == 2 and rest[0] == "vulnerabilities" and rest[1] in E.CHECKS_BY_R7:
                return self._json(self.vuln(req, E.CHECKS_BY_R7[rest[1]]))
        except KeyError:
            pass
        return self._error(req, 404, "The requested resource could not be found.")

    def _asset_index(self, text):
        if not text.isdigit() or int(text) not in self.asset_pos:
            raise KeyError(text)
        return self.asset_pos[int(text)]

    def _page_args(self, req):
        try:
            page, size = int(req.arg("page", "0")), int(req.arg("size", "10"))
        except ValueError:
            page, size = 0, 10
        size = max(1, min(size, 500, self.args.page_size or 500))
        return max(0, page), size

    def paged(self, req, makers, path, descending=False):
        """A v3 page: resources[], page{}, links[] (self, plus first/prev/next/last when >1 page)."""
        page, size = self._page_args(req)
        total = len(makers)
        pages = (total + size - 1) // size
        if descending:
            makers = makers[::-1]
        resources = [m() for m in makers[page * size:(page + 1) * size]]
        sort = "id,%s" % ("desc" if descending else "asc")
        href = lambda p: "%s%s?page=%d&size=%d&sort=%s" % (req.base, path, p, size, sort)  # noqa: E731
        links = []
        if pages > 1:
            links.append({"href": href(0), "rel": "first"})
            if page > 0:
                links.append({"href": href(page - 1), "rel": "prev"})
        links.append({"href": href(page), "rel": "self"})
        if pages > 1:
            if page + 1 < pages:
                links.append({"href": href(page + 1), "rel": "next"})
            links.append({"href": href(pages - 1), "rel": "last"})
        return self._json({"resources": resources,
                           "page": {"number": page, "size": size, "totalResources": total, "totalPages": pages},
                           "links": links})

    # ---- resources
    def info(self):
        return {"cpu": {"clockSpeed": 2600, "count": 8}, "distinguishedName": "CN=Rapid7 Security Console/ O=Rapid7",
                "fqdn": "console.%s" % E.DOMAIN, "host": "console", "ip": "10.0.0.5",
                "jvm": {"name": "OpenJDK 64-Bit Server VM", "version": "17.0.9"},
                "memory": {"free": {"bytes": 8589934592, "formatted": "8 GB"},
                           "total": {"bytes": 34359738368, "formatted": "32 GB"}},
                "operatingSystem": "Ubuntu Linux 22.04", "serial": "emu-console",
                "superuser": True, "user": "xsm", "version": {"semantic": "6.6.240", "build": "emu"}}

    def sites(self, req):
        def site(sid, name, n):
            return {"assets": n, "id": sid, "importance": "normal", "lastScanTime": E.iso_ms(self.ent.now - E.HOUR),
                    "links": [{"href": "%s/api/3/sites/%d" % (req.base, sid), "rel": "self"},
                              {"href": "%s/api/3/sites/%d/assets" % (req.base, sid), "rel": "Assets"}],
                    "name": name, "riskScore": 0.0, "scanEngine": 3, "scanTemplate": "full-audit-without-web-spider",
                    "type": "static",
                    "vulnerabilities": {"critical": 0, "moderate": 0, "severe": 0, "total": 0}}
        wks = sum(1 for i in self.assets if self.ent.cores[i].role == "wks")
        return [lambda: site(1, "Corp Servers", len(self.assets) - wks), lambda: site(2, "Corp Workstations", wks)]

    def asset_page(self, req):
        desc = (req.arg("sort") or "id,ASC").lower().endswith(",desc")
        return self.paged(req, [lambda i=i: self.asset(req, i) for i in self.assets], "/api/3/assets", desc)

    def _open(self, i):
        return [f for f in self.ent.findings(i) if f["status"] != "Fixed" and f["check"]["r7id"]]

    def asset(self, req, i):
        h = self.ent.host(i)
        base = "%s/api/3/assets/%d" % (req.base, h.rapid7_id)
        found = self._open(i)
        count = lambda sev: sum(1 for f in found if f["check"]["r7sev"] == sev)  # noqa: E731
        gen = self.ent.touched.get(i, (0,))[0]
        host_name = h.name.upper() + "." + E.DOMAIN
        mac = r7_mac(h)
        risk = round(sum(f["check"]["cvss3"] ** 2 * 10 for f in found), 5)
        return {
            "addresses": [{"ip": h.ip, "mac": mac}], "assessedForPolicies": False, "assessedForVulnerabilities": True,
            "history": [{"date": E.iso_ms(self.ent.scanned(i) if v == gen else self.ent.cores[i].scanned, 0),
                         "scanId": 1000 + i * 3 + v, "type": "SCAN", "version": v + 1} for v in range(gen + 1)],
            "hostName": host_name,
            "hostNames": [{"name": host_name, "source": "dns"}, {"name": h.name.upper(), "source": "netbios"}],
            "id": h.rapid7_id, "ip": h.ip,
            "links": [{"href": base, "rel": "self"}] + [
                {"href": "%s/%s" % (base, p), "rel": r} for p, r in (
                    ("software", "Software"), ("files", "Files"), ("users", "Users"),
                    ("user_groups", "User Groups"), ("databases", "Databases"), ("services", "Services"),
                    ("tags", "Tags"))],
            "mac": mac, "os": h.os_name, "osCertainty": "0.85",
            "osFingerprint": {"description": h.os_name, "family": h.os_family, "id": 10 + i % 50,
                              "product": h.os_product, "systemName": h.os_name, "vendor": h.os_vendor},
            "rawRiskScore": risk, "riskScore": risk,
            "services": [self.service(base, s) for s in h.services],
            "vulnerabilities": {"critical": count("Critical"), "exploits": sum(1 for f in found if f["check"]["exploit"]),
                                "malwareKits": 0, "moderate": count("Moderate"), "severe": count("Severe"),
                                "total": len(found)}}

    @staticmethod
    def service(base, s):
        port, proto, name, product, vendor = s
        sbase = "%s/services/%s/%d" % (base, proto, port)
        return {"configurations": [], "family": vendor,
                "links": [{"href": sbase, "rel": "self"}, {"href": sbase + "/configurations", "rel": "Configurations"}],
                "name": name, "port": port, "product": product, "protocol": proto, "vendor": vendor}

    def asset_vulns(self, req, i):
        h = self.ent.host(i)
        base = "%s/api/3/assets/%d/vulnerabilities" % (req.base, h.rapid7_id)

        def finding(f):
            c = f["check"]
            vid = c["r7id"]
            result = {"port": f["port"], "proof": "<p><ul><li>Vulnerable version of %s found on %s</li></ul></p>"
                      % (escape(c["title"].split(" (")[0]), h.name), "protocol": c["proto"],
                      "since": E.iso_ms(f["first_found"]), "status": "vulnerable-version"}
            if not f["port"]:
                del result["port"], result["protocol"]
            return {"id": vid, "instances": 1,
                    "links": [{"href": "%s/%s" % (base, vid), "rel": "self"},
                              {"id": vid, "href": "%s/api/3/vulnerabilities/%s" % (req.base, vid), "rel": "Vulnerability"},
                              {"id": vid, "href": "%s/%s/validations" % (base, vid), "rel": "Vulnerability Validations"},
                              {"id": vid, "href": "%s/%s/solution" % (base, vid), "rel": "Vulnerability Solutions"}],
                    "results": [result], "since": E.iso_ms(f["first_found"]), "status": "vulnerable"}
        found = sorted(self._open(i), key=lambda f: f["check"]["r7id"])
        return [lambda f=f: finding(f) for f in found]

    def vuln(self, req, c):
        base = "%s/api/3/vulnerabilities/%s" % (req.base, c["r7id"])
        v2 = dict(zip(("accessVector", "accessComplexity", "authentication", "confidentialityImpact",
                       "integrityImpact", "availabilityImpact"), (p.split(":")[1] for p in c["v2vector"].split("/"))))
        v3 = dict(zip(("attackVector", "attackComplexity", "privilegeRequired", "userInteraction", "scope",
                       "confidentialityImpact", "integrityImpact", "availabilityImpact"),
                      (p.split(":")[1] for p in c["v3vector"].split("/")[1:])))
        v2.update(score=c["cvss2"], vector=c["v2vector"], exploitScore=8.5888, impactScore=6.4429)
        v3.update(score=c["cvss3"], vector=c["v3vector"], exploitScore=3.887, impactScore=5.8731)
        text = "%s. Detected by version check." % c["title"]
        return {"added": E.day(c["published"] + 5 * E.DAY), "categories": self.r7_categories(c),
                "cves": [c["cve"]] if c["cve"] else [],
                "cvss": {"links": [], "v2": dict(sorted(v2.items())), "v3": dict(sorted(v3.items()))},
                "denialOfService": "Denial of Service" in c["title"],
                "description": {"html": "<p>%s</p>" % escape(text), "text": text},
                "exploits": 1 if c["exploit"] else 0, "id": c["r7id"],
                "links": [{"href": base, "rel": "self"}, {"href": base + "/solutions", "rel": "Vulnerability Solutions"}],
                "malwareKits": 0, "modified": E.day(c["published"] + 40 * E.DAY),
                "published": E.day(c["published"]), "riskScore": round(c["cvss3"] * 80.5, 2),
                "severity": c["r7sev"], "severityScore": c["r7score"], "title": c["title"]}

    # ---- v4 integration API (cloud)
    def _cursor_page(self, req, items):
        try:
            size = max(1, min(int(req.arg("size", "500")), 500, self.args.page_size or 500))
        except ValueError:
            size = 500
        cursor = req.arg("cursor")
        try:
            start = int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[1]) if cursor else 0
        except (ValueError, IndexError):
            raise KeyError(cursor)
        chunk = items[start:start + size]
        nxt = start + size if start + size < len(items) else None
        keep = [(k, v) for k, v in req.params if k not in ("size", "cursor")]
        path = "%s%s?%s" % (req.base, req.path, "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe=""))
                                                         for k, v in [("size", str(size))] + keep))
        meta = {"number": start // size, "size": size, "totalResources": len(items),
                "totalPages": (len(items) + size - 1) // size}
        links = [{"href": path, "rel": "first"}, {"href": path + ("&cursor=" + cursor if cursor else ""), "rel": "self"}]
        if nxt is not None:
            token = base64.urlsafe_b64encode(("%d:%d" % (self.ent.seed, nxt)).encode()).decode()
            meta["cursor"] = token
            links.append({"href": "%s&cursor=%s" % (path, token), "rel": "next"})
        return chunk, meta, links

    def v4_assets(self, req):
        same = req.arg("includeSame", "false") == "true"
        try:
            chunk, meta, links = self._cursor_page(req, self.assets)
        except KeyError:
            return Reply(400, json_body({"message": "Invalid cursor"}), "application/json")
        data = [self.v4_asset(i, same) for i in chunk]
        return Reply(200, json_body({"data": data, "metadata": meta, "links": links}), "application/json")

    def v4_asset(self, i, same):
        h = self.ent.host(i)
        found = self._open(i)
        seen = self.ent.scanned(i)
        asset = {"id": h.rapid7_v4, "host_name": (h.name.upper() + "." + E.DOMAIN), "ip": h.ip, "mac": r7_mac(h),
                 "os_name": h.os_product, "os_family": h.os_family, "os_version": h.os_version,
                 "os_description": h.os_name, "os_type": "General", "last_scan_start": E.iso_ms(seen - 600),
                 "last_scan_end": E.iso_ms(seen), "risk_score": round(sum(f["check"]["cvss3"] ** 2 * 10 for f in found), 5),
                 "critical_vulnerabilities": sum(1 for f in found if f["check"]["r7sev"] == "Critical"),
                 "severe_vulnerabilities": sum(1 for f in found if f["check"]["r7sev"] == "Severe"),
                 "moderate_vulnerabilities": sum(1 for f in found if f["check"]["r7sev"] == "Moderate"),
                 "tags": [{"name": ("Very High", "High", "Medium", "Low")[h.criticality - 1], "type": "criticality"},
                          {"name": "Corp Workstations" if h.role == "wks" else "Corp Servers", "type": "site"}]}
        if same:
            asset["same"] = [{"vulnerability_id": f["check"]["r7id"], "check_id": None, "status": "VULNERABLE_VERS",
                              "proof": "<p>Vulnerable version found on %s</p>" % h.name, "port": f["port"] or None,
                              "protocol": f["check"]["proto"].upper() if f["port"] else None,
                              "first_found": E.iso_ms(f["first_found"]), "last_found": E.iso_ms(seen),
                              "solution_id": "upgrade-" + f["check"]["r7id"]} for f in found]
        return asset

    def v4_vulns(self, req):
        checks = [c for c in E.CHECKS if c["r7id"]]
        try:
            chunk, meta, links = self._cursor_page(req, checks)
        except KeyError:
            return Reply(400, json_body({"message": "Invalid cursor"}), "application/json")
        data = [self.v4_vuln(c) for c in chunk]
        return Reply(200, json_body({"data": data, "metadata": meta, "links": links}), "application/json")

    def v4_vuln(self, c):
        """A v4 catalogue entry in the real shape (elastic/integrations test-vulnerability.log): flat CVSS with
        words for the metrics, cves and categories one comma-separated string ("" when none), exploits and
        malware_kits lists, RFC 3339 midnight dates. --rapid7-cves array serves lists instead (older docs)."""
        v2 = dict(p.split(":") for p in c["v2vector"].split("/"))
        v3 = dict(p.split(":") for p in c["v3vector"].split("/")[1:])
        cia = {"N": "none", "P": "partial", "C": "complete", "L": "low", "H": "high"}
        flat = {
            "cvss_v2_access_complexity": {"L": "low", "M": "medium", "H": "high"}[v2["AC"]],
            "cvss_v2_access_vector": {"N": "network", "A": "adjacent_network", "L": "local"}[v2["AV"]],
            "cvss_v2_authentication": {"N": "none", "S": "single", "M": "multiple"}[v2["Au"]],
            "cvss_v2_availability_impact": cia[v2["A"]], "cvss_v2_confidentiality_impact": cia[v2["C"]],
            "cvss_v2_exploit_score": 8.5888, "cvss_v2_impact_score": 6.4429, "cvss_v2_integrity_impact": cia[v2["I"]],
            "cvss_v2_score": c["cvss2"], "cvss_v2_vector": "(%s)" % c["v2vector"],
            "cvss_v3_attack_complexity": cia[v3["AC"]],
            "cvss_v3_attack_vector": {"N": "network", "A": "adjacent", "L": "local", "P": "physical"}[v3["AV"]],
            "cvss_v3_availability_impact": cia[v3["A"]], "cvss_v3_confidentiality_impact": cia[v3["C"]],
            "cvss_v3_exploit_score": 3.887, "cvss_v3_impact_score": 5.8731, "cvss_v3_integrity_impact": cia[v3["I"]],
            "cvss_v3_privileges_required": cia[v3["PR"]], "cvss_v3_scope": {"U": "unchanged", "C": "changed"}[v3["S"]],
            "cvss_v3_score": c["cvss3"], "cvss_v3_user_interaction": {"N": "none", "R": "required"}[v3["UI"]],
            "cvss_v3_vector": c["v3vector"].replace("CVSS:3.1", "CVSS:3.0")}
        cves = [c["cve"]] if c["cve"] else []
        categories = self.r7_categories(c)
        if self.args.rapid7_cves != "array":
            cves, categories = ",".join(cves), ",".join(categories)
        text = "%s. Detected by version check." % c["title"]
        entry = {"added": E.day(c["published"] + 5 * E.DAY) + "T00:00:00Z", "categories": categories, "cves": cves}
        entry.update(flat)
        entry.update({
            "denial_of_service": "Denial of Service" in c["title"], "description": text,
            "exploits": [{"id": "xsm-%s" % c["r7id"], "source": "exploitdb", "title": "Public exploit for %s" % c["cve"]}]
            if c["exploit"] else [],
            "id": c["r7id"],
            "links": [{"href": "http://nvd.nist.gov/vuln/detail/%s" % c["cve"], "id": c["cve"], "rel": "advisory",
                       "source": "cve"}] if c["cve"] else [],
            "malware_kits": [], "modified": E.day(c["published"] + 40 * E.DAY) + "T00:00:00Z",
            "pci_cvss_score": c["cvss2"], "pci_fail": c["cvss2"] >= 4.0, "pci_severity_score": min(5, int(c["cvss2"] // 2)),
            "pci_special_notes": "", "pci_status": "fail" if c["cvss2"] >= 4.0 else "pass",
            "published": E.day(c["published"]) + "T00:00:00Z",
            "references": "cve:%s" % c["cve"] if c["cve"] else "", "risk_score": round(c["cvss3"] * 80.5, 2),
            "severity": c["r7sev"].lower(), "severity_score": c["r7score"], "title": c["title"]})
        return entry

    @staticmethod
    def r7_categories(c):
        """Rapid7 categories of a check: its family and category, and the impact ones Rapid7 adds."""
        cats = [c["family"], c["category"]]
        if c["rce"]:
            cats.append("Remote Execution")
        if "Privilege Escalation" in c["title"]:
            cats.append("Privilege Escalation")
        return cats


# ====================================================================== Tenable

T_JSON = "application/json; charset=utf-8"
ASSET_NULLS = ("terminated_at", "terminated_by", "deleted_at", "deleted_by")
CLOUD_NULLS = ("azure_vm_id", "azure_resource_id", "gcp_project_id", "gcp_zone", "gcp_instance_id",
               "aws_ec2_instance_ami_id", "aws_ec2_instance_id")
AWS_NULLS = ("aws_owner_id", "aws_availability_zone", "aws_region", "aws_vpc_id", "aws_ec2_instance_group_name",
             "aws_ec2_instance_state_name", "aws_ec2_instance_type", "aws_subnet_id", "aws_ec2_product_code",
             "aws_ec2_name", "mcafee_epo_guid", "mcafee_epo_agent_guid", "servicenow_sysid", "bigfix_asset_id")
NETWORK_ID = "00000000-0000-0000-0000-000000000000"


class Tenable(Emulator):
    vendor = "tenable"

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.exports = {}

    def authorized(self, req):
        keys = dict(p.strip().partition("=")[::2] for p in req.headers.get("X-ApiKeys", "").split(";"))
        return (keys.get("accessKey"), keys.get("secretKey")) == (self.args.access_key or "emu-t-access",
                                                                  self.args.secret_key or "emu-t-secret")

    def _json(self, obj, status=200, ctype=T_JSON, headers=()):
        return Reply(status, json_body(obj), ctype, [("Server", "tenable.io"), ("X-Request-Uuid", "emu")]
                     + list(headers))

    def _err(self, status, error, message):
        return self._json({"statusCode": status, "error": error, "message": message}, status)

    def unauthorized(self, req):
        return self._err(401, "Unauthorized", "Invalid Credentials")

    def error(self, req, status):
        if status == 429:
            return Reply(429, "<html><body><h1>429 Too Many Requests</h1>You have sent too many requests in a "
                         "given amount of time.</body></html>\n", "text/html", [("retry-after", "1")])
        if status == 500:
            return self._err(500, "Internal Server Error", "An internal server error occurred")
        return self._err(503, "Service Unavailable", "Service temporarily unavailable")

    # ---- routing
    def route(self, req):
        parts = req.path.strip("/").split("/")
        if req.method == "GET" and parts == ["server", "status"]:
            return self._json({"code": 200, "status": "ready"})
        if req.method == "GET" and parts == ["session"]:
            return self._json(self.session())
        if len(parts) >= 2 and parts[0] in ("assets", "vulns") and parts[1] == "export":
            kind = parts[0]
            if req.method == "POST" and len(parts) == 2:
                return self.start_export(req, kind)
            exp = self.exports.get(parts[2]) if len(parts) >= 3 else None
            if exp is None or exp["kind"] != kind:
                return self._err(404, "Not Found", "Export not found")
            if req.method == "GET" and len(parts) == 4 and parts[3] == "status":
                return self.status(exp)
            if req.method == "GET" and len(parts) == 5 and parts[3] == "chunks" and parts[4].isdigit():
                return self.chunk(exp, int(parts[4]))
        return self._err(404, "Not Found", "Route not found")

    def updated_at(self, i):
        """Tenable's updated_at: last scan or last property change, whichever is later."""
        return max(self.ent.updated(i), self.ent.scanned(i))

    def session(self):
        return {"id": 2, "uuid": "6a4b5b6e-6d4a-4c1c-9a43-0b2c5f1a7e01", "username": "xsm@" + E.DOMAIN,
                "email": "xsm@" + E.DOMAIN, "name": "xsm integration", "type": "local", "permissions": 64,
                "enabled": True, "container_uuid": "4b5a0a2e-0e2c-4d8e-9d8c-3f2d1b6f9a10", "lockout": 0,
                "login_fail_count": 0, "lastlogin": self.ent.now * 1000}

    # ---- export workflow
    def start_export(self, req, kind):
        body = req.json()
        if not isinstance(body, dict):
            return self._err(400, "Bad Request", "Invalid JSON body")
        filters = body.get("filters") or {}
        size = body.get("chunk_size" if kind == "assets" else "num_assets", 1000 if kind == "assets" else 50)
        if not isinstance(size, int) or size < 1 or size > 10000:
            return self._err(400, "Bad Request", "%s must be between 1 and 10000"
                             % ("chunk_size" if kind == "assets" else "num_assets"))
        size = min(size, self.args.page_size or size)
        if kind == "assets":
            since = filters.get("updated_at") or 0
            hosts = [i for i in self.ent.covered["tenable"] if self.updated_at(i) >= since]
            states = None
        else:
            since = filters.get("since") or 0
            states = [s.upper() for s in filters.get("state") or ["OPEN", "REOPENED"]]
            hosts = [i for i in self.ent.covered["tenable"] if self.ent.scanned(i) >= since]
        with self.lock:
            uid = str(uuid.UUID(E.sys_id(self.ent.seed, "export", len(self.exports)), version=4))
            self.exports[uid] = {"kind": kind, "uuid": uid, "chunks": [hosts[k:k + size] for k in range(0, len(hosts), size)],
                                 "polls": 0, "states": states, "since": since, "size": size,
                                 "created": (self.ent.now + len(self.exports)) * 1000}
        return self._json({"export_uuid": uid})

    def _progress(self, exp):
        """(status, chunks available) after `polls` status calls: QUEUED, PROCESSING..., FINISHED."""
        total, polls = len(exp["chunks"]), exp["polls"]
        if polls <= 1:
            return "QUEUED", 0
        if polls == 2:
            return "PROCESSING", 0
        ready = min(total, (polls - 2) * max(1, -(-total // 3)))
        return ("FINISHED" if ready == total else "PROCESSING"), ready

    def status(self, exp):
        with self.lock:
            exp["polls"] += 1
            state, ready = self._progress(exp)
        avail = list(range(1, ready + 1))
        if exp["kind"] == "assets":
            return self._json({"status": state, "chunks_available": avail})
        return self._json({
            "uuid": exp["uuid"], "status": state, "chunks_available": avail, "chunks_failed": [],
            "chunks_cancelled": [], "total_chunks": len(exp["chunks"]), "chunks_available_count": len(avail),
            "empty_chunks_count": 0, "finished_chunks": len(avail),
            "filters": {"state": exp["states"], "tags": {}, "since": exp["since"], "first_found": 0, "last_found": 0,
                        "last_fixed": 0, "first_seen": 0, "last_seen": 0, "indexed_at": 0},
            "num_assets_per_chunk": exp["size"], "created": exp["created"]})

    def chunk(self, exp, n):
        with self.lock:
            _, ready = self._progress(exp)
        if n < 1 or n > ready:
            return self._err(404, "Not Found", "Chunk %d for export %s is not available" % (n, exp["uuid"]))
        hosts = exp["chunks"][n - 1]
        if exp["kind"] == "assets":
            return self._json([self.asset(i) for i in hosts], ctype="application/json;charset=utf-8")
        items = [v for i in hosts for v in self.vulns(i, exp["states"], exp["since"])]
        return Reply(200, "[%s]" % ",".join(items), "application/octet-stream", [
            ("Server", "tenable.io"), ("X-Request-Uuid", "emu"),
            ("Content-Disposition", "attachment; filename=%s-%d-vulndoc.json" % (exp["uuid"], n))])

    # ---- documents
    def asset(self, i):
        h, ent = self.ent.host(i), self.ent
        seen, updated = ent.scanned(i), self.updated_at(i)
        agent = h.agent_uuid is not None
        ip = ent.vendor_ip("tenable", i)
        doc = {"id": h.tenable_id, "has_agent": agent, "has_plugin_results": True,
               "created_at": E.iso_ms(h.first_seen, 359)}
        doc.update({k: None for k in ASSET_NULLS[:2]})
        doc["updated_at"] = E.iso_ms(updated, 583)
        doc.update({k: None for k in ASSET_NULLS[2:]})
        doc.update({"first_seen": E.iso_ms(h.first_seen, 39), "last_seen": E.iso_ms(seen, 216),
                    "first_scan_time": E.iso_ms(h.first_seen, 39), "last_scan_time": E.iso_ms(seen, 216),
                    "last_authenticated_scan_date": E.iso_ms(seen, 175), "last_licensed_scan_date": E.iso_ms(seen, 175),
                    "last_scan_id": str(uuid.UUID(E.sys_id(ent.seed, "scan", h.role), version=4)),
                    "last_schedule_id": "template-" + E.sys_id(ent.seed, "sched", h.role)})
        doc.update({k: None for k in CLOUD_NULLS})
        doc.update({"agent_uuid": h.agent_uuid, "bios_uuid": h.bios_uuid, "network_id": NETWORK_ID,
                    "network_name": "Default"})
        doc.update({k: None for k in AWS_NULLS})
        windows = h.os_family == "Windows"
        doc.update({
            "agent_names": [h.name] if agent else [],
            "installed_software": sorted({f["check"]["cpe"] for f in ent.findings(i) if f["check"]["cpe"]}),
            "ipv4s": [ip], "ipv6s": [], "fqdns": [h.fqdn + "."], "mac_addresses": [h.mac],
            "netbios_names": [h.name.upper()] if windows else [], "operating_systems": [self.os(h)],
            "system_types": ["general-purpose"] if h.role != "hv" else ["hypervisor"], "hostnames": [h.name],
            "ssh_fingerprints": [], "qualys_asset_ids": [], "qualys_host_ids": [], "manufacturer_tpm_ids": [],
            "symantec_ep_hardware_keys": [],
            "sources": [{"name": "NESSUS_AGENT" if agent else "NESSUS_SCAN", "first_seen": E.iso_ms(h.first_seen, 39),
                         "last_seen": E.iso_ms(seen, 216)}],
            "tags": [{"uuid": str(uuid.UUID(E.sys_id(ent.seed, "tag", h.environment), version=4)), "key": "Environment",
                      "value": h.environment, "added_by": "f711b3ad-aa99-4482-8fec-91aefc3205e5",
                      "added_at": E.iso_ms(h.first_seen, 751)}],
            "network_interfaces": [{"name": "Ethernet0" if windows else "eth0", "virtual": None, "aliased": None,
                                    "fqdns": [h.fqdn + "."], "mac_addresses": [h.mac], "ipv4s": [ip], "ipv6s": []}],
            "acr_score": (9, 7, 5, 3)[h.criticality - 1]})
        return doc

    @staticmethod
    def os(h):
        if h.platform == "linux":
            return "Linux Kernel 4.18.0 on %s" % h.os_name
        return h.os_name if h.platform != "workstation" else "Microsoft %s Build %s" % (h.os_product, h.os_version)

    def vulns(self, i, states, since):
        h, ent = self.ent.host(i), self.ent
        seen = ent.scanned(i)
        asset = {"agent_uuid": h.agent_uuid, "device_type": "general-purpose", "fqdn": h.fqdn, "hostname": h.name,
                 "uuid": h.tenable_id, "ipv4": ent.vendor_ip("tenable", i),
                 "last_authenticated_results": E.iso(seen), "mac_address": h.mac, "operating_system": [self.os(h)],
                 "network_id": NETWORK_ID, "tracked": True}
        if h.agent_uuid is None:
            del asset["agent_uuid"]
        if h.os_family == "Windows":
            asset["netbios_name"] = h.name.upper()
        scan = {"completed_at": E.iso_ms(seen, 175), "schedule_uuid": "template-" + E.sys_id(ent.seed, "sched", h.role),
                "started_at": E.iso_ms(seen - 3600, 522), "uuid": str(uuid.UUID(E.sys_id(ent.seed, "scan", h.role), version=4))}
        asset_json, scan_json = json_body(asset), json_body(scan)
        state_of = {"New": "OPEN", "Active": "OPEN", "Re-Opened": "REOPENED", "Fixed": "FIXED"}
        out = []
        for f in ent.findings(i):
            state = state_of[f["status"]]
            if state not in states or (state == "FIXED" and (f["last_fixed"] or 0) < since):
                continue
            out.append(self.vuln(h, f, state, asset_json, scan_json))
        return out

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def plugin_json(key):
        """The plugin object of one check, serialised once (it does not vary per host)."""
        c = next(x for x in E.CHECKS if x["key"] == key)
        plugin = {"checks_for_default_account": False, "checks_for_malware": False}
        if c["cpe"]:
            plugin["cpe"] = [c["cpe"]]
        if c["cve"]:
            plugin["cve"] = [c["cve"]]
        plugin.update({"cvss3_base_score": c["cvss3"], "cvss3_temporal_score": max(0.0, round(c["cvss3"] - 0.4, 1))})
        if c["cve"]:
            plugin["cvss3_vector"] = {"raw": c["v3vector"][9:]}
        plugin.update({"cvss_base_score": c["cvss2"], "cvss_temporal_score": max(0.0, round(c["cvss2"] - 0.5, 1))})
        if c["cve"]:
            plugin["cvss_vector"] = {"raw": c["v2vector"]}
        plugin.update({"description": "%s.\n\nNote that Nessus has not tested for this issue but has instead relied "
                                      "only on the application's self-reported version number." % c["title"],
                       "exploit_available": c["exploit"], "exploit_framework_canvas": False,
                       "exploit_framework_core": False, "exploit_framework_d2_elliot": False,
                       "exploit_framework_exploithub": False, "exploit_framework_metasploit": c["rce"]})
        if c["exploit"]:
            plugin["exploitability_ease"] = "Exploits are available"
        plugin.update({"exploited_by_malware": False, "exploited_by_nessus": False, "family": c["family"],
                       "family_id": 20 + len(c["family"]), "has_patch": not c["info"], "id": c["plugin"],
                       "in_the_news": c["rce"] and c["cvss3"] >= 9.5})
        if c["rce"]:
            plugin["metasploit_name"] = "%s remote exploit" % c["title"].split(" ")[0]
        plugin["name"] = c["title"]
        if c["cve"]:
            plugin["patch_publication_date"] = E.iso(c["published"])
        plugin.update({"modification_date": E.iso(c["published"] + 40 * E.DAY), "publication_date": E.iso(c["published"]),
                       "risk_factor": c["risk"], "see_also": [], "solution": "Apply the vendor update." if not c["info"]
                       else "N/A", "synopsis": "The remote host is affected by %s." % c["title"],
                       "type": "remote" if c["port"] else "local", "unsupported_by_vendor": False, "version": "1.%d"
                       % (c["plugin"] % 17)})
        if c["cve"]:
            plugin["vuln_publication_date"] = E.iso(c["published"] - 10 * E.DAY)
            plugin["vpr"] = {"score": c["vpr"], "updated": E.iso(c["published"] + 60 * E.DAY)}
        return json_body(plugin)

    def vuln(self, h, f, state, asset_json, scan_json):
        """One vuln export element as JSON text, keys in the recorded order."""
        c = f["check"]
        port = {"port": f["port"], "protocol": c["proto"].upper()}
        if c["service"]:
            port["service"] = c["service"]
        output = "%s\n\n  Path              : /opt/%s\n  Installed version : %s\n" % (c["title"], h.role, h.os_version)
        head = '{"asset":%s,"output":%s,"plugin":%s,"port":%s,"scan":%s,' % (
            asset_json, json.dumps(output), self.plugin_json(c["key"]), json_body(port), scan_json)
        rest = {"severity": c["tsev"], "severity_id": c["tsev_id"], "severity_default_id": c["tsev_id"],
               "severity_modification_type": "NONE", "first_found": E.iso_ms(f["first_found"]),
               "last_found": E.iso_ms(f["last_found"]), "state": state, "indexed": E.iso_ms(f["last_found"] + 30)}
        if f["last_fixed"] and state != "OPEN":
            rest["last_fixed"] = E.iso_ms(f["last_fixed"])
        return head + json_body(rest)[1:]


# ====================================================================== main

VENDOR_CLASSES = {"servicenow": ServiceNow, "qualys": Qualys, "rapid7": Rapid7, "tenable": Tenable}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "emu"

    def _dispatch(self):
        try:
            self.server.emu.serve(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def log_message(self, fmt, *args):
        """Quiet: the request log is available at /_emu/requests."""


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vendor", choices=sorted(VENDOR_CLASSES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=40)
    ap.add_argument("--findings-per-host", type=int, default=5)
    ap.add_argument("--page-size", type=int, default=0, help="cap on the server-side page/chunk size")
    ap.add_argument("--fault", default="", help="KIND@N[+],... KIND in " + ",".join(FAULT_KINDS))
    ap.add_argument("--port-file")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--now", help="base time, ISO-8601 (default 2026-11-20T00:00:00Z)")
    ap.add_argument("--rapid7-cves", choices=("string", "array"), default="string",
                    help="Rapid7 v4 cves/categories: one comma-separated string (as the real API) or lists")
    for flag in ("--user", "--password", "--api-key", "--access-key", "--secret-key"):
        ap.add_argument(flag)
    return ap.parse_args(argv)


def run_server(emu, port_file=None):
    """Serve emu on 127.0.0.1 (a free port, written to port_file when given)
    until SIGTERM or SIGINT; every emulator's main ends here."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.emu = emu
    emu.port = server.server_address[1]
    if port_file:
        tmp = "%s.tmp.%d" % (port_file, os.getpid())
        with open(tmp, "w") as fh:
            fh.write("%d\n" % emu.port)
        os.replace(tmp, port_file)
    print("listening 127.0.0.1:%d" % emu.port, flush=True)

    def stop(_sig, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    return 0


def main(argv=None):
    args = parse_args(argv)
    ent = E.Enterprise(args.seed, args.hosts, args.findings_per_host,
                       E.parse_iso(args.now) if args.now else E.BASE_NOW)
    emu = VENDOR_CLASSES[args.vendor](ent, args)
    return run_server(emu, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
