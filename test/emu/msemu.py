#!/usr/bin/env python3
"""Loopback emulators of the Microsoft sources for xsm tests: the identity
platform's token endpoint plus Defender for Endpoint, Microsoft Graph or
Azure Resource Manager.

    python3 msemu.py defender|entra|azure [--seed 1] [--hosts 40] [--findings-per-host 5]
                     [--page-size N] [--fault SPEC] [--deny PERM,...] [--cert PEM]
                     [--token-lifetime S] [--rate-per-minute N] [--port-file PATH]

One process serves both the token endpoint (/{tenant}/oauth2/v2.0/token) and
the API, on 127.0.0.1 only.  Wire shapes follow the real recorded responses
in ../shared/fixtures/real/defender/ and vendor-apis.md section 7.  The
machines are the hosts of enterprise.py (the same names, addresses and
CVEs), so identity resolution can be checked against the truth.  See
README.md.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import sys
import time
import uuid
from urllib.parse import quote

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu as X  # noqa: E402
import enterprise as E  # noqa: E402

TENANT = "6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10"
CLIENT_ID = "0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c"
CLIENT_SECRET = "emu-ms-secret"
SUBSCRIPTION = "3f2b8a4e-6c1d-4e5f-9a7b-8c9d0e1f2a3b"
AD_DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"
FAULT_KINDS = ("429", "503", "500", "401", "403", "garble", "truncate", "drop", "slow", "revoke")
RESOURCES = {  # the audiences each API takes tokens for
    "defender": ("https://api.securitycenter.microsoft.com", "https://api.security.microsoft.com"),
    "entra": ("https://graph.microsoft.com",),
    "azure": ("https://management.azure.com", "https://management.core.windows.net"),
}
ODATA_CT = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"
DEFENDER_CTX = "%s/api/$metadata#"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hexid(*parts, n=40):
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:n]


def guid(*parts):
    return str(uuid.UUID(hashlib.md5("|".join(str(p) for p in parts).encode()).hexdigest(), version=4))


def parse_faults(spec):
    faults = []
    for part in filter(None, (spec or "").split(",")):
        kind, _, at = part.strip().partition("@")
        if kind not in FAULT_KINDS or not at.rstrip("+").isdigit():
            raise SystemExit("bad --fault item %r (KIND@N or KIND@N+, KIND in %s)" % (part, ",".join(FAULT_KINDS)))
        faults.append((kind, int(at.rstrip("+")), at.endswith("+")))
    return faults


class Microsoft(X.Emulator):
    """The identity platform and one Microsoft API (a subclass)."""

    vendor = None
    permissions = ()  # (path regex, permission) - the first match names what a call needs

    def __init__(self, ent, args):
        args.fault, faults = "", args.fault
        super().__init__(ent, args)
        self.faults = parse_faults(faults)
        self.tokens = {}          # token -> expiry (epoch seconds)
        self.jtis = set()
        self.revoked = False
        self.api_count = 0
        self.calls = []           # times of API calls (rate limit)
        self.deny = set(filter(None, (args.deny or "").split(",")))
        self.lifetime = args.token_lifetime
        self.cert_x5t = self.cert_key = None
        if args.cert:
            from cryptography import x509
            with open(args.cert, "rb") as f:
                cert = x509.load_pem_x509_certificate(f.read())
            from cryptography.hazmat.primitives.serialization import Encoding
            self.cert_x5t = b64url(hashlib.sha1(cert.public_bytes(Encoding.DER)).digest())
            self.cert_key = cert.public_key()

    # ---- the token endpoint
    def token_error(self, status, error, code, text):
        now = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        body = {"error": error, "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s"
                % (code, text, trace, corr, now), "error_codes": [code], "timestamp": now, "trace_id": trace,
                "correlation_id": corr, "error_uri": "https://login.microsoftonline.com/error?code=%d" % code}
        return X.Reply(status, X.json_body(body), "application/json; charset=utf-8")

    def token(self, req, tenant):
        form = dict(req.form)
        if not re.fullmatch(r"[A-Za-z0-9.-]+", tenant) or "." not in tenant and len(tenant) != 36:
            return self.token_error(400, "invalid_request", 900023, "Specified tenant identifier '%s' is neither a "
                                    "valid DNS name, nor a valid external domain." % tenant)
        if tenant != TENANT:
            return self.token_error(400, "invalid_tenant", 90002, "Tenant '%s' not found." % tenant)
        if form.get("grant_type") != "client_credentials":
            return self.token_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        if form.get("client_id") != CLIENT_ID:
            return self.token_error(400, "unauthorized_client", 700016, "Application with identifier '%s' was not "
                                    "found in the directory." % form.get("client_id"))
        scope = form.get("scope", "")
        if not scope.endswith("/.default") or scope[:-9] not in RESOURCES[self.vendor]:
            return self.token_error(400, "invalid_scope", 1002012, "The provided value for scope %s is not valid."
                                    % scope)
        if self.revoked:
            return self.token_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        if "client_assertion" in form:
            why = self.check_assertion(req, form)
            if why:
                return self.token_error(401, "invalid_client", 700027, why)
        elif form.get("client_secret") != (self.args.password or CLIENT_SECRET):
            return self.token_error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the "
                                    "secret being sent in the request is the client secret value, not the client "
                                    "secret ID, for a secret added to app '%s'." % CLIENT_ID)
        tok = b64url(os.urandom(30))
        with self.lock:
            self.tokens[tok] = time.time() + self.lifetime
        return X.Reply(200, X.json_body({"token_type": "Bearer", "expires_in": self.lifetime,
                                         "ext_expires_in": self.lifetime, "access_token": tok}),
                       "application/json; charset=utf-8")

    def check_assertion(self, req, form):
        """A client assertion: RS256 JWT naming the registered certificate (x5t), for this endpoint."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return "Client assertion type is not supported."
        if not self.cert_key:
            return "Client assertion contains an invalid signature: no certificate is registered for the app."
        try:
            head, claims, sig = form["client_assertion"].split(".")
            h, c = json.loads(unb64url(head)), json.loads(unb64url(claims))
        except ValueError:
            return "Client assertion is not a valid JWT."
        if h.get("alg") != "RS256" or h.get("x5t") != self.cert_x5t:
            return "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of " \
                   "key used by client: '%s']" % h.get("x5t")
        try:
            self.cert_key.verify(unb64url(sig), ("%s.%s" % (head, claims)).encode(), padding.PKCS1v15(),
                                 hashes.SHA256())
        except InvalidSignature:
            return "Client assertion failed signature validation."
        now = time.time()
        aud = "%s%s" % (req.base, req.path)
        if c.get("aud") != aud:
            return "The audience claim value is invalid '%s'." % c.get("aud")
        if c.get("iss") != CLIENT_ID or c.get("sub") != CLIENT_ID:
            return "The issuer and subject of the client assertion must be the client id."
        if not isinstance(c.get("exp"), int) or c["exp"] < now - 300 or c.get("nbf", 0) > now + 300 \
                or c["exp"] - c.get("nbf", c["exp"]) > 3600:
            return "The client assertion is expired or not yet valid."
        with self.lock:
            if c.get("jti") in self.jtis:
                return "The jti claim was already used (replay)."
            self.jtis.add(c.get("jti"))
        return None

    # ---- the request flow
    def serve(self, handler):
        req = X.Request(handler, "http://127.0.0.1:%d" % self.port)
        if req.path.startswith("/_emu/"):
            return self.send(handler, req, self.control(req))
        token_call = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", req.path)
        with self.lock:
            self.count += 1
            n = None
            if not token_call:
                self.api_count += 1
                n = self.api_count
            entry = {"n": self.count, "method": req.method, "path": req.path, "query": req.query, "status": None,
                     "fault": self.fault_for(n) if n else None}
            self.log.append(entry)
        fault = entry["fault"]
        if not self.pace(handler, fault):
            return
        if fault == "revoke":
            self.revoked = True
            with self.lock:
                self.tokens.clear()
        if token_call and req.method == "POST":
            reply = self.token(req, token_call.group(1))
        elif fault in ("429", "503", "500"):
            reply = self.error(req, int(fault))
        elif fault in ("401", "revoke") or not self.authorized(req):
            if fault == "401":
                with self.lock:  # every token issued so far has expired
                    self.tokens.clear()
            reply = self.unauthorized(req)
        elif fault == "403" or self.needs(req) in self.deny:
            reply = self.forbidden(req)
        elif self.throttled():
            reply = self.error(req, 429, retry=self.throttled())
        else:
            reply = self.route(req)
        entry["status"] = reply.status
        if fault == "truncate" and reply.status == 200:
            reply.body = reply.body[: len(reply.body) // 2]
        self.send(handler, req, reply, garble=fault == "garble")

    def needs(self, req):
        for pattern, perm in self.permissions:
            if re.search(pattern, req.path):
                return perm
        return None

    def throttled(self):
        """Seconds to wait when more than --rate-per-minute calls came in the last minute, else 0."""
        if not self.args.rate_per_minute:
            return 0
        now = time.time()
        with self.lock:
            self.calls = [t for t in self.calls if t > now - 60]
            if len(self.calls) >= self.args.rate_per_minute:
                return max(1, int(self.calls[0] + 60 - now + 1))
            self.calls.append(now)
        return 0

    def authorized(self, req):
        auth = req.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return False
        with self.lock:
            exp = self.tokens.get(auth[7:])
        return exp is not None and exp > time.time()

    def api_error(self, status, code, message, headers=()):
        body = {"error": {"code": code, "message": message,
                          "innerError": {"date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
                                         "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())}}}
        return X.Reply(status, X.json_body(body), "application/json; charset=utf-8", list(headers))

    def unauthorized(self, req):
        return self.api_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.",
                              [("WWW-Authenticate", 'Bearer authorization_uri="https://login.microsoftonline.com/%s", '
                                                    'error="invalid_token"' % TENANT)])

    def forbidden(self, req):
        return self.api_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    def error(self, req, status, retry=1):
        if status == 429:
            return self.api_error(429, "TooManyRequests", "Too many requests, retry after %d seconds." % retry,
                                  [("Retry-After", str(retry))])
        if status == 503:
            return self.api_error(503, "ServiceUnavailable", "The service is temporarily unavailable.",
                                  [("Retry-After", "1")])
        return self.api_error(500, "InternalServerError", "An internal error occurred.")

    def odata(self, ctx, items, next_link=None, count=None):
        body = {"@odata.context": ctx}
        if count is not None:
            body["@odata.count"] = count
        body["value"] = items
        if next_link:
            body["@odata.nextLink"] = next_link
        return X.Reply(200, X.json_body(body), ODATA_CT, [("OData-Version", "4.0")])

    def top_skip(self, req, maximum, default=None):
        try:
            top = int(req.arg("$top", str(default or maximum)))
            skip = int(req.arg("$skip", "0"))
        except ValueError:
            return None, None
        if top < 1 or top > maximum or skip < 0:
            return None, None
        return min(top, self.args.page_size or top), skip


# ====================================================================== Defender for Endpoint

def defender_covers(ent, i):
    """Defender is on every Windows and Linux host but the hypervisors, about 85% of them."""
    return ent.cores[i].platform != "esx" and random.Random(ent.seed * 31337 + i).random() < 0.85


def azure_vm(ent, i):
    """Virtual Linux and Windows servers are Azure VMs (about half of the virtual ones)."""
    c = ent.cores[i]
    return c.virtual and c.platform in ("linux", "windows") and random.Random(ent.seed * 7907 + i).random() < 0.5


def vm_resource_id(ent, i):
    h = ent.host(i)
    # ARM spells ids in mixed case; resolution lower-cases them
    return "/subscriptions/%s/resourceGroups/RG-%s/providers/Microsoft.Compute/virtualMachines/%s" % (
        SUBSCRIPTION, h.environment.upper(), h.name.upper())


def vm_id(ent, i):
    return guid(ent.seed, "vmid", i)


def machine_id(ent, i):
    return hexid(ent.seed, "mde", i)


def user_sid(j):
    return "%s-%d" % (AD_DOMAIN_SID, 1100 + j)


def logons(ent, i):
    """(user index, logon count, last logon epoch) of the accounts that log on to host i interactively."""
    h, rng = ent.host(i), random.Random(ent.seed * 4049 + i)
    out = [(h.owner, rng.randint(5, 60), ent.scanned(i) - rng.randint(0, 3) * E.DAY)]
    if h.role != "wks":
        admin = 0 if h.platform == "windows" or h.role == "dc" else 1  # alice.admin on Windows, bob.ops on Linux
        if admin != h.owner:
            out.append((admin, rng.randint(2, 20), ent.scanned(i) - rng.randint(0, 10) * E.DAY))
    return out


class Defender(Microsoft):
    vendor = "defender"
    permissions = ((r"^/api/machines/[^/]+/logonusers$", "User.Read.All"), (r"^/api/machines", "Machine.Read.All"),
                   (r"^/api/vulnerabilities", "Vulnerability.Read.All"),
                   (r"^/api/advancedqueries", "AdvancedQuery.Read.All"))

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.hosts = [i for i in range(ent.n) if defender_covers(ent, i)]
        self.by_mid = {machine_id(ent, i): i for i in self.hosts}
        self._rows = None

    def forbidden(self, req):
        return self.api_error(403, "Forbidden", "The application does not have the required permissions to access "
                                                "this resource.")

    def route(self, req):
        p = req.path
        if req.method == "GET" and p == "/api/machines":
            return self.machines(req)
        if req.method == "GET" and re.fullmatch(r"/api/machines/[0-9a-f]{40}", p):
            i = self.by_mid.get(p.rsplit("/", 1)[1])
            if i is None:
                return self.api_error(404, "ResourceNotFound", "Machine %s was not found" % p.rsplit("/", 1)[1])
            body = dict({"@odata.context": DEFENDER_CTX % req.base + "Machines/$entity"}, **self.machine(i))
            return X.Reply(200, X.json_body(body), ODATA_CT, [("OData-Version", "4.0")])
        if req.method == "GET" and re.fullmatch(r"/api/machines/[0-9a-f]{40}/logonusers", p):
            return self.logonusers(req, p.split("/")[3])
        if req.method == "GET" and p == "/api/vulnerabilities":
            return self.catalogue(req)
        if req.method == "GET" and p == "/api/vulnerabilities/machinesVulnerabilities":
            return self.machine_vulns(req)
        if req.method == "POST" and p == "/api/advancedqueries/run":
            return self.hunting(req)
        return self.api_error(404, "ResourceNotFound", "Resource not found: %s" % p)

    # ---- machines (the recorded 2024 key set and order)
    def machine(self, i):
        h, ent = self.ent.host(i), self.ent
        rng = random.Random(ent.seed * 6007 + i)
        windows = h.os_family == "Windows"
        mac = h.mac.replace(":", "").upper()
        tags = []
        if h.role != "wks" and rng.random() < 0.7:
            tags.append("Criticality: %s" % ("Very High", "High", "Medium", "Low")[h.criticality - 1])
        tags.append(h.environment)
        cloud = azure_vm(ent, i)
        return {
            "id": machine_id(ent, i), "mergedIntoMachineId": None, "isPotentialDuplication": False,
            "isExcluded": False, "exclusionReason": None,
            "computerDnsName": ("%s.%s" % (h.name.upper(), E.DOMAIN)) if windows else h.fqdn,
            "firstSeen": E.iso_ms(h.first_seen, 688)[:-1] + "814Z", "lastSeen": E.iso_ms(ent.scanned(i), 188),
            "osPlatform": ("Windows10" if h.platform == "workstation" else "WindowsServer2019") if windows
            else "RedHatEnterpriseLinux",
            "osVersion": None, "osProcessor": "x64", "version": "22H2" if h.platform == "workstation"
            else ("1809" if windows else h.os_version.split(".")[0]),
            "lastIpAddress": h.ip, "lastExternalIpAddress": "203.0.113.%d" % (10 + i % 19) if h.role == "web" else None,
            "agentVersion": "10.8750.19041.%d" % (3000 + i % 500) if windows else "101.24032.0007",
            "osBuild": 19045 if h.platform == "workstation" else (17763 if windows else None),
            "healthStatus": "Active", "deviceValue": "High" if h.criticality == 1 else "Normal", "rbacGroupId": 0,
            "rbacGroupName": None, "riskScore": ("High", "Medium", "Low", "None")[rng.randrange(4)],
            "exposureLevel": ("High", "Medium", "Low")[rng.randrange(3)], "isAadJoined": h.platform == "workstation",
            "aadDeviceId": guid(ent.seed, "aad-device", i) if h.platform == "workstation" else None,
            "machineTags": tags, "defenderAvStatus": "Updated" if windows else "NotSupported",
            "onboardingStatus": "Onboarded", "osArchitecture": "64-bit", "managedBy": "Intune" if windows else "Unknown",
            "managedByStatus": "Success" if windows else "Unknown",
            "ipAddresses": [
                {"ipAddress": h.ip, "macAddress": mac, "type": "Ethernet" if windows else "Other", "operationalStatus": "Up"},
                {"ipAddress": "fe80::%x:%x" % (i & 0xffff, len(h.name)), "macAddress": mac,
                 "type": "Ethernet" if windows else "Other", "operationalStatus": "Up"},
                {"ipAddress": "127.0.0.1", "macAddress": "000000000000", "type": "SoftwareLoopback" if windows else "Other",
                 "operationalStatus": "Up"}],
            "vmMetadata": {"vmId": vm_id(ent, i), "cloudProvider": "Azure", "resourceId": vm_resource_id(ent, i),
                           "subscriptionId": SUBSCRIPTION} if cloud else None,
        }

    def machines(self, req):
        top, skip = self.top_skip(req, 10000)
        if top is None:
            return self.api_error(400, "InvalidRequestBody", "Invalid $top or $skip (at most 10000).")
        page = [self.machine(i) for i in self.hosts[skip:skip + top]]
        return self.odata(DEFENDER_CTX % req.base + "Machines", page)

    # ---- vulnerabilities
    def open_findings(self, i):
        return [f for f in self.ent.findings(i) if f["check"]["cve"] and f["status"] != "Fixed"]

    def rows(self):
        """(host, check) for every machine vulnerability, in order (built once)."""
        if self._rows is None:
            self._rows = [(i, f["check"]) for i in self.hosts for f in self.open_findings(i)]
        return self._rows

    def catalogue(self, req):
        top, skip = self.top_skip(req, 8000)
        if top is None:
            return self.api_error(400, "InvalidRequestBody", "Invalid $top or $skip (at most 8000).")
        exposed = {}
        for i, c in self.rows():
            exposed[c["cve"]] = exposed.get(c["cve"], 0) + 1
        page = [self.vuln_dto(c, exposed.get(c["cve"], 0)) for c in E.CVE_CHECKS[skip:skip + top]]
        return self.odata(DEFENDER_CTX % req.base + "Vulnerabilities", page)

    @staticmethod
    def vuln_dto(c, exposed):
        """PublicVulnerabilityDto, the recorded key set and order."""
        return {"@odata.type": "#microsoft.windowsDefenderATP.api.PublicVulnerabilityDto", "id": c["cve"],
                "name": c["cve"], "description": "Summary: %s. Generated by AI" % c["title"],
                "severity": ("Low", "Medium", "High", "Critical")[min(3, int(c["cvss3"] // 3))]
                if c["cvss3"] < 9 else "Critical",
                "cvssV3": c["cvss3"], "cvssVector": c["v3vector"].replace("CVSS:3.1", "CVSS:3.0") + "/E:U/RL:O/RC:C",
                "exposedMachines": exposed, "publishedOn": E.iso(c["published"]),
                "updatedOn": E.iso_ms(c["published"] + 40 * E.DAY, 577), "firstDetected": E.iso(c["published"] + E.DAY),
                "publicExploit": c["exploit"], "exploitVerified": c["rce"], "exploitInKit": False,
                "exploitTypes": ["Remote"] if c["port"] else ["Local"], "exploitUris": [],
                "cveSupportability": "Supported"}

    def machine_vulns(self, req):
        top, skip = self.top_skip(req, 10000)
        if top is None:
            return self.api_error(400, "InvalidRequestBody", "Invalid $top or $skip (at most 10000).")
        rows = self.rows()
        page = []
        for i, c in rows[skip:skip + top]:
            mid, vendor, product = machine_id(self.ent, i), c["r7id"].split("-")[0], c["cpe"].rsplit(":", 1)[1]
            version = "%d.%d.%d" % (1 + c["plugin"] % 9, c["plugin"] % 17, c["plugin"] % 101)
            page.append({"id": "%s-_-%s-_-%s-_-%s-_-%s-_-" % (mid, c["cve"], vendor, product, version), "cveId": c["cve"],
                         "machineId": mid, "fixingKbId": "KB50%05d" % (c["plugin"] % 100000)
                         if c["platform"] in ("windows", "workstation", "dc") else None,
                         "productName": product, "productVendor": vendor, "productVersion": version,
                         "severity": "Critical" if c["cvss3"] >= 9 else "High" if c["cvss3"] >= 7 else
                         "Medium" if c["cvss3"] >= 4 else "Low"})
        # the bulk endpoint sends a nextLink while more rows remain (the $top/$skip one of the request)
        nxt = None
        if skip + top < len(rows):
            nxt = "%s%s?%%24top=%d&%%24skip=%d" % (req.base, req.path, top, skip + top)
        return self.odata(DEFENDER_CTX % req.base + "MachineVulnerabilities", page, nxt)

    # ---- logged-on users
    def account(self, j):
        return E.USERS[j][0], "corp", user_sid(j)

    def logonusers(self, req, mid):
        i = self.by_mid.get(mid)
        if i is None:
            return self.api_error(404, "ResourceNotFound", "Machine %s was not found" % mid)
        users = []
        for j, n, last in logons(self.ent, i):
            name, dom, sid = self.account(j)
            users.append({"id": "%s\\%s" % (dom, name), "accountName": name, "accountDomain": dom, "accountSid": sid,
                          "firstSeen": E.iso(last - 90 * E.DAY), "lastSeen": E.iso(last),
                          "mostPrevalentMachineId": None, "leastPrevalentMachineId": None,
                          "logonTypes": "Interactive", "logOnMachinesCount": 1,
                          "isDomainAdmin": j == 0, "isOnlyNetworkUser": False})
        return self.odata(DEFENDER_CTX % req.base + "Users", users)

    def hunting(self, req):
        q = (req.json() or {}).get("Query")
        if not isinstance(q, str) or not q.strip():
            return self.api_error(400, "BadRequest", "Query is missing.")
        if not q.lstrip().startswith("DeviceLogonEvents"):
            return self.api_error(400, "BadRequest", "The emulator answers DeviceLogonEvents queries only.")
        m = re.search(r"hash\(DeviceId, *(\d+)\) *== *(\d+)", q)
        parts, part = (int(m.group(1)), int(m.group(2))) if m else (1, 0)
        m = re.search(r"Logons *>= *(\d+)", q)
        least = int(m.group(1)) if m else 1
        take = re.search(r"\| *take +(\d+)", q)
        results = []
        for i in self.hosts:
            mid = machine_id(self.ent, i)
            if int(hashlib.md5(mid.encode()).hexdigest(), 16) % parts != part:
                continue
            for j, n, last in logons(self.ent, i):
                if n < least:
                    continue
                name, dom, sid = self.account(j)
                results.append({"DeviceId": mid, "AccountSid": sid, "AccountDomain": dom, "AccountName": name,
                                "Logons": n, "LastLogon": E.iso_ms(last, 0).replace(".000Z", ".0000000Z")})
        if take:
            results = [{"DeviceId": r["DeviceId"]} for r in results[:int(take.group(1))]]
        schema = [{"Name": k, "Type": "String" if k not in ("Logons", "LastLogon") else
                   ("Int64" if k == "Logons" else "DateTime")} for k in (results[0] if results else {"DeviceId": 1})]
        body = {"Stats": {"ExecutionTime": 0.31, "resource_usage": {"cache": {"memory": {"hits": 12, "misses": 0,
                                                                                        "total": 12}}},
                          "dataset_statistics": [{"table_row_count": len(results), "table_size": 100 * len(results)}]},
                "Schema": schema, "Results": results[:100000]}
        return X.Reply(200, X.json_body(body), "application/json; charset=utf-8")


# ====================================================================== Microsoft Graph (Entra ID)

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
MICROSOFT_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
ROLE_MGMT_RW = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"  # RoleManagement.ReadWrite.Directory
# groups: (name, nested in, role-assignable); the enterprise's five teams, then three more
GROUPS = [(g, None, False) for g in E.GROUPS] + [("IT Admins", "Cloud Ops", True), ("Cloud Ops", None, False),
                                                  ("All Staff", None, False)]
NESTED = {"Service Desk": "IT Admins"}  # Service Desk -> IT Admins -> Cloud Ops: a nested chain
ROLES = {"alice.admin": ["Global Administrator"], "erin.sec": ["Security Administrator"],
         "group:IT Admins": ["User Administrator"], "sp:deploy-pipeline": ["Application Administrator"]}
LEAKED = "frank.desk"


def user_id(seed, name):
    return guid(seed, "aad-user", name)


def group_id(seed, name):
    return guid(seed, "aad-group", name)


def sp_id(seed, name):
    return guid(seed, "aad-sp", name)


def directory(seed, extra):
    """Users (name, on-premises SID or None), groups, memberships (member kind, member, group)."""
    users = [(u[0], user_sid(j)) for j, u in enumerate(E.USERS)] + [("cloud.user%03d" % k, None) for k in range(extra)]
    members = []
    for j, (name, _) in enumerate(users):
        members.append(("user", name, "All Staff"))
        team = E.GROUPS[j % len(E.GROUPS)] if j < len(E.USERS) else E.GROUPS[(j * 7 + seed) % len(E.GROUPS)]
        members.append(("user", name, team))
    members.append(("user", LEAKED, "Service Desk"))
    for child, parent in NESTED.items():
        members.append(("group", child, parent))
    for g, parent, _ in GROUPS:
        if parent:
            members.append(("group", g, parent))
    members.append(("servicePrincipal", "deploy-pipeline", "Cloud Ops"))
    return users, sorted(set(members))


class Entra(Microsoft):
    vendor = "entra"

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.users, self.members = directory(ent.seed, args.users)
        self.groups = list(GROUPS)          # (name, parent, role-assignable)
        self.renamed = {}                   # user or group name -> display name set by a change
        self.disabled = set()               # users whose account was disabled by a change
        self.roles = {k: list(v) for k, v in ROLES.items()}
        # delta queries: the directory as it was at each version; tokens older than min_version are gone
        self.version, self.min_version = 0, 0
        self.history = {0: self.snapshot()}

    def control(self, req):
        if req.path == "/_emu/change" and req.method == "POST":
            with self.lock:
                self.change()
            return X.Reply(200, X.json_body({"version": self.version}), "application/json")
        if req.path == "/_emu/expire-delta" and req.method == "POST":
            with self.lock:  # every delta link handed out so far is no longer honoured
                self.min_version = self.version + 1
                self.version += 1
                self.history[self.version] = self.snapshot()
            return X.Reply(200, X.json_body({"version": self.version}), "application/json")
        return super().control(req)

    def change(self):
        """One round of directory changes: users and groups added, changed and deleted, memberships and roles."""
        gone_user, changed_user, unjoined = "cloud.user000", "cloud.user001", "cloud.user002"
        self.users = [(n, s) for n, s in self.users if n != gone_user] + [("new.hire", None)]
        members = {m for m in self.members if not (m[0] == "user" and m[1] == gone_user)}
        members.discard(("user", unjoined, "All Staff"))
        members |= {("user", "new.hire", "All Staff"), ("user", "new.hire", "Contractors"),
                    ("user", "cloud.user003", "Contractors"), ("user", "frank.desk", "Database Team")}
        gone_group = "Virtualization"
        members = {m for m in members if m[2] != gone_group and not (m[0] == "group" and m[1] == gone_group)}
        self.members = sorted(members)
        self.groups = [g for g in self.groups if g[0] != gone_group] + [("Contractors", None, False)]
        self.renamed.update({changed_user: "Cloud User001 (left)", "Cloud Ops": "Cloud Operations"})
        self.disabled.add(changed_user)
        self.roles.pop("erin.sec", None)          # a role removed from a user the delta does not name
        self.roles["new.hire"] = ["Security Reader"]
        self.version += 1
        self.history[self.version] = self.snapshot()

    def unfold(self, req):
        """A $skiptoken carries the query of the round it continues, as Graph's do: put it back in req."""
        if getattr(req, "unfolded", False):
            return
        req.unfolded, req.skip_off = True, 0
        tok = req.arg("$skiptoken")
        if not tok:
            return
        try:
            t = json.loads(unb64url(tok))
            req.params = [(k, v) for k, v in t["q"]] + [("$skiptoken", tok)]
            req.skip_off = int(t["o"])
        except (ValueError, KeyError, TypeError):
            req.skip_off = None

    def needs(self, req):
        self.unfold(req)
        p = req.path
        if p.startswith("/v1.0/users") and "signInActivity" in (req.arg("$select") or ""):
            return "AuditLog.Read.All"
        for prefix, perm in (("/v1.0/users", "User.Read.All"), ("/v1.0/groups", "GroupMember.Read.All"),
                             ("/v1.0/roleManagement", "RoleManagement.Read.Directory"),
                             ("/v1.0/servicePrincipals", "Application.Read.All"),
                             ("/v1.0/applications", "Application.Read.All"),
                             ("/v1.0/identityProtection/riskyUsers", "IdentityRiskyUser.Read.All"),
                             ("/v1.0/identityProtection/riskDetections", "IdentityRiskEvent.Read.All")):
            if p.startswith(prefix):
                return perm
        return None

    def unlicensed(self, req):
        return self.args.unlicensed and (req.path.startswith("/v1.0/identityProtection")
                                         or "signInActivity" in (req.arg("$select") or ""))

    def route(self, req):
        self.unfold(req)
        if self.unlicensed(req):
            return self.api_error(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                                  "Neither tenant is B2C or tenant doesn't have premium license")
        p = req.path
        routes = {"/v1.0/users": self.list_users, "/v1.0/users/delta": self.users_delta,
                  "/v1.0/groups": self.list_groups, "/v1.0/groups/delta": self.groups_delta,
                  "/v1.0/roleManagement/directory/roleAssignments": self.role_assignments,
                  "/v1.0/identityProtection/riskyUsers": self.risky_users,
                  "/v1.0/identityProtection/riskDetections": self.risk_detections,
                  "/v1.0/servicePrincipals": self.service_principals, "/v1.0/applications": self.applications}
        if req.method == "GET" and p in routes:
            return routes[p](req)
        return self.api_error(400, "BadRequest", "Resource not found for the segment '%s'." % p.rsplit("/", 1)[-1])

    # ---- paging: the nextLink is "?$skiptoken=" alone, the token holding the offset and the query (as
    # Graph's recorded nextLinks are: JupiterOne/graph-azure ad-service-principals recording)
    def page(self, req, items, ctx, maximum=999, delta=None):
        self.unfold(req)
        off = req.skip_off
        try:
            top = int(req.arg("$top", "100"))
        except ValueError:
            off = None
        if off is None:
            return self.api_error(400, "BadRequest", "Invalid $skiptoken or $top.")
        if top < 1 or top > maximum:
            return self.api_error(400, "Request_UnsupportedQuery", "Invalid page size specified: '%d'. Must be between "
                                  "1 and %d inclusive." % (top, maximum))
        top = min(top, self.args.page_size or top)
        body = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#" + ctx}
        chunk = items[off:off + top]
        if off + top < len(items):
            query = [(k, v) for k, v in req.params if k != "$skiptoken"]
            tok = b64url(json.dumps({"o": off + top, "q": query}).encode())
            body["@odata.nextLink"] = "%s%s?$skiptoken=%s" % (req.base, req.path, tok)
        elif delta is not None:
            # the state token carries the version reached and the query ($select), as Graph's does
            body["@odata.deltaLink"] = "%s%s?$deltatoken=%s" % (req.base, req.path, delta)
        body["value"] = chunk
        return X.Reply(200, X.json_body(body), "application/json;odata.metadata=minimal;odata.streaming=true;"
                       "IEEE754Compatible=false;charset=utf-8", [("OData-Version", "4.0")])

    def user(self, j, name, sid, select=None):
        seed = self.ent.seed
        first, _, last = name.partition(".")
        u = {"id": user_id(seed, name), "displayName": self.renamed.get(name, "%s %s" % (first.title(), last.title())),
             "userPrincipalName": "%s@%s" % (name, E.DOMAIN), "mail": "%s@%s" % (name, E.DOMAIN),
             "accountEnabled": name not in self.disabled, "userType": "Member", "onPremisesSecurityIdentifier": sid,
             "onPremisesSyncEnabled": True if sid else None, "onPremisesSamAccountName": name if sid else None}
        if select and "signInActivity" in select:
            u["signInActivity"] = {"lastSignInDateTime": E.iso(self.ent.now - (j % 9) * E.DAY - 3600 * (j % 5)),
                                   "lastSignInRequestId": guid(seed, "signin", j),
                                   "lastNonInteractiveSignInDateTime": E.iso(self.ent.now - 600),
                                   "lastNonInteractiveSignInRequestId": guid(seed, "signin-ni", j)}
        if select:
            u = {k: v for k, v in u.items() if k in select or k == "id"}
        return u

    def snapshot(self):
        """The directory now: users and groups by id (every property), members by group id."""
        users = {user_id(self.ent.seed, n): self.user(j, n, s) for j, (n, s) in enumerate(self.users)}
        groups = {group_id(self.ent.seed, n): self.group(n, ra) for n, _, ra in self.groups}
        members = {gid: {} for gid in groups}
        for k, m, g in self.members:
            ref = self.member_ref(k, m)
            members.setdefault(group_id(self.ent.seed, g), {})[ref["id"]] = ref
        return {"users": users, "groups": groups, "members": members}

    def state_token(self, select):
        return b64url(json.dumps({"v": self.version, "s": select}).encode())

    def delta_since(self, req):
        """(version, $select) of a $deltatoken, or an error reply when Graph would not honour it."""
        try:
            tok = json.loads(unb64url(req.arg("$deltatoken")))
            v, select = int(tok["v"]), tok["s"]
        except (ValueError, KeyError, TypeError):
            return None, None, self.api_error(400, "BadRequest", "Invalid $deltatoken.")
        if v < self.min_version or v not in self.history:
            # the state behind the token is gone: restart with a full round (Location), as Graph says
            reply = self.api_error(410, "resyncRequired", "The sync state is no longer available; a full "
                                   "synchronization is required.",
                                   [("Location", "%s%s" % (req.base, req.path))])
            return None, None, reply
        return v, select, None

    def list_users(self, req):
        select = (req.arg("$select") or "").split(",") if req.arg("$select") else None
        items = [self.user(j, n, s, select) for j, (n, s) in enumerate(self.users)]
        return self.page(req, items, "users")

    def users_delta(self, req):
        if req.arg("$deltatoken"):
            v, select, err = self.delta_since(req)
            if err:
                return err
            old, new = self.history[v]["users"], self.history[self.version]["users"]
            items = []
            for uid, u in new.items():
                if uid not in old:
                    items.append({k: x for k, x in u.items() if not select or k in select or k == "id"})
                elif u != old[uid]:
                    # a changed user: its id and at least the properties that changed
                    items.append(dict([("id", uid)] + [(k, x) for k, x in u.items()
                                                       if k != "id" and old[uid].get(k) != x
                                                       and (not select or k in select)]))
            items += [{"id": uid, "@removed": {"reason": "changed"}} for uid in old if uid not in new]
        else:
            select = (req.arg("$select") or "").split(",") if req.arg("$select") else None
            items = [self.user(j, n, s, select) for j, (n, s) in enumerate(self.users)]
        return self.page(req, items, "users(%s)" % ",".join(select or []), maximum=999,
                         delta=self.state_token(select))

    def group(self, name, role_assignable, members=None):
        g = {"id": group_id(self.ent.seed, name), "displayName": self.renamed.get(name, name), "securityEnabled": True,
             "mailEnabled": False, "onPremisesSecurityIdentifier": None, "isAssignableToRole": role_assignable}
        if members is not None:
            g["members@delta"] = members
        return g

    def member_ref(self, kind, name):
        seed = self.ent.seed
        mid = {"user": user_id, "group": group_id, "servicePrincipal": sp_id}[kind](seed, name)
        return {"@odata.type": "#microsoft.graph.%s" % kind, "id": mid}

    def list_groups(self, req):
        return self.page(req, [self.group(n, ra) for n, _, ra in self.groups], "groups")

    def groups_delta(self, req):
        items = []
        if req.arg("$deltatoken"):
            v, select, err = self.delta_since(req)
            if err:
                return err
            old, new = self.history[v], self.history[self.version]
            for gid, g in new["groups"].items():
                was = old["groups"].get(gid)
                entry = dict(g) if was is None else dict([("id", gid)] + [(k, x) for k, x in g.items()
                                                                          if k != "id" and was.get(k) != x])
                om, nm = old["members"].get(gid, {}), new["members"].get(gid, {})
                refs = [nm[m] for m in nm if m not in om]
                refs += [dict(om[m], **{"@removed": {"reason": "deleted"}}) for m in om if m not in nm]
                if refs:
                    entry["members@delta"] = refs[:3]
                if len(entry) > 1 or was is None:
                    items.append(entry)
                for k in range(3, len(refs), 3):  # many member changes: several entries, as in a full round
                    items.append({"id": gid, "members@delta": refs[k:k + 3]})
            items += [{"id": gid, "@removed": {"reason": "changed"}} for gid in old["groups"]
                      if gid not in new["groups"]]
        else:
            select = (req.arg("$select") or "").split(",") if req.arg("$select") else None
            # a group with many members is split over several entries (as Graph does): 3 members each
            for name, _, ra in self.groups:
                refs = [self.member_ref(k, m) for k, m, g in self.members if g == name]
                for k in range(0, max(1, len(refs)), 3):
                    items.append(self.group(name, ra, refs[k:k + 3]) if k == 0
                                 else {"id": group_id(self.ent.seed, name), "members@delta": refs[k:k + 3]})
        return self.page(req, items, "groups", delta=self.state_token(select))

    def role_assignments(self, req):
        seed, items = self.ent.seed, []
        for who, roles in sorted(self.roles.items()):
            kind, _, name = who.rpartition(":")
            pid = {"": user_id, "group": group_id, "sp": sp_id}[kind](seed, name)
            for r in roles:
                rid = guid("role", r)
                a = {"id": guid(seed, "assignment", who, r), "principalId": pid, "roleDefinitionId": rid,
                     "directoryScopeId": "/"}
                if "roleDefinition" in (req.arg("$expand") or ""):
                    a["roleDefinition"] = {"id": rid, "displayName": r}
                items.append(a)
        return self.page(req, items, "roleManagement/directory/roleAssignments")

    def risky_users(self, req):
        seed = self.ent.seed
        items = [{"id": user_id(seed, LEAKED), "isDeleted": False, "isProcessing": False,
                  "riskLastUpdatedDateTime": E.iso(self.ent.now - 2 * E.DAY), "riskLevel": "high",
                  "riskState": "atRisk", "riskDetail": "none", "userDisplayName": "Frank Desk",
                  "userPrincipalName": "%s@%s" % (LEAKED, E.DOMAIN)},
                 {"id": user_id(seed, "dave.net"), "isDeleted": False, "isProcessing": False,
                  "riskLastUpdatedDateTime": E.iso(self.ent.now - 40 * E.DAY), "riskLevel": "none",
                  "riskState": "remediated", "riskDetail": "userPerformedSecuredPasswordChange",
                  "userDisplayName": "Dave Net", "userPrincipalName": "dave.net@%s" % E.DOMAIN}]
        return self.page(req, items, "identityProtection/riskyUsers", maximum=500)

    def risk_detections(self, req):
        seed = self.ent.seed
        items = []
        for user, kind in ((LEAKED, "leakedCredentials"), ("dave.net", "unfamiliarFeatures")):
            items.append({"id": guid(seed, "detection", user), "requestId": None, "correlationId": None,
                          "riskEventType": kind, "riskState": "atRisk", "riskLevel": "high", "riskDetail": "none",
                          "source": "IdentityProtection", "detectionTimingType": "offline", "activity": "user",
                          "tokenIssuerType": "AzureAD", "ipAddress": None, "location": None,
                          "activityDateTime": E.iso(self.ent.now - 3 * E.DAY),
                          "detectedDateTime": E.iso(self.ent.now - 2 * E.DAY),
                          "lastUpdatedDateTime": E.iso(self.ent.now - 2 * E.DAY), "userId": user_id(seed, user),
                          "userDisplayName": user.replace(".", " ").title(),
                          "userPrincipalName": "%s@%s" % (user, E.DOMAIN), "additionalInfo": "[]"})
        f = req.arg("$filter") or ""
        m = re.fullmatch(r"riskEventType eq '(\w+)'", f.strip())
        if f and not m:
            return self.api_error(400, "BadRequest", "Invalid filter clause")
        if m:
            items = [d for d in items if d["riskEventType"] == m.group(1)]
        return self.page(req, items, "identityProtection/riskDetections", maximum=500)

    def service_principals(self, req):
        seed = self.ent.seed
        graph = sp_id(seed, "Microsoft Graph")
        sps = [("Microsoft Graph", GRAPH_APP_ID, "Application", MICROSOFT_TENANT, []),
               ("deploy-pipeline", guid(seed, "app", "deploy-pipeline"), "Application", TENANT,
                [{"id": b64url(hashlib.sha256(b"ara").digest()[:24]), "appRoleId": ROLE_MGMT_RW,
                  "principalDisplayName": "deploy-pipeline", "principalId": sp_id(seed, "deploy-pipeline"),
                  "principalType": "ServicePrincipal", "resourceDisplayName": "Microsoft Graph", "resourceId": graph,
                  "createdDateTime": E.iso(self.ent.now - 300 * E.DAY), "deletedDateTime": None}]),
               ("mi-web-prod", guid(seed, "app", "mi-web-prod"), "ManagedIdentity", None, [])]
        expand = "appRoleAssignments" in (req.arg("$expand") or "")
        items = []
        for name, app, kind, owner, aras in sps:
            sp = {"id": sp_id(seed, name), "appId": app, "displayName": name, "servicePrincipalType": kind,
                  "accountEnabled": True, "appOwnerOrganizationId": owner}
            if expand:
                sp["appRoleAssignments"] = aras
            items.append(sp)
        return self.page(req, items, "servicePrincipals")

    def applications(self, req):
        seed = self.ent.seed
        app = {"id": guid(seed, "app-object", "deploy-pipeline"), "appId": guid(seed, "app", "deploy-pipeline"),
               "displayName": "deploy-pipeline", "signInAudience": "AzureADMyOrg"}
        if "owners" in (req.arg("$expand") or ""):
            app["owners"] = [{"@odata.type": "#microsoft.graph.user", "id": user_id(seed, "bob.ops")}]
        return self.page(req, [app], "applications")


# ====================================================================== Azure Resource Manager (Resource Graph)

def arm(*parts):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s" % (SUBSCRIPTION, parts[0], "/".join(parts[1:]))


def role_def(name):
    return "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s" % (SUBSCRIPTION, guid("roledef", name))


class Azure(Microsoft):
    vendor = "azure"

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.rows = self.inventory()

    def forbidden(self, req):
        return self.api_error(403, "AuthorizationFailed", "The client '%s' with object id '%s' does not have "
                              "authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope "
                              "'/providers/Microsoft.ResourceGraph' or the scope is invalid. If access was recently "
                              "granted, please refresh your credentials." % (CLIENT_ID, sp_id(self.ent.seed, "xsm")))

    def needs(self, req):
        q = ((req.json() or {}).get("query") or "") if req.method == "POST" else ""
        if q.startswith("authorizationresources"):
            return "Microsoft.Authorization/roleAssignments/read"
        if q.startswith("resourcecontainers"):
            return "Microsoft.Resources/subscriptions/read"
        return "Microsoft.Resources/subscriptions/resources/read"

    def inventory(self):
        """Every row the three tables hold: (table, row)."""
        ent, seed, rows = self.ent, self.ent.seed, []
        sub = "/subscriptions/%s" % SUBSCRIPTION
        groups = sorted({"RG-%s" % e.upper() for e in E.ENVIRONMENTS} | {"RG-SECURITY"})

        def res(rg, rtype, name, props, sku=None, tags=None, identity=None, location="westeurope"):
            r = {"id": arm(rg, rtype, name), "name": name, "type": rtype.lower(), "tenantId": TENANT, "kind": "",
                 "location": location, "resourceGroup": rg.lower(), "subscriptionId": SUBSCRIPTION,
                 "managedBy": "", "sku": sku, "plan": None, "properties": props, "tags": tags or {},
                 "identity": identity, "zones": None, "extendedLocation": None}
            rows.append(("resources", r))
            return r
        rows.append(("resourcecontainers", {"id": sub, "name": "Production", "type": "microsoft.resources/subscriptions",
                                            "tenantId": TENANT, "subscriptionId": SUBSCRIPTION, "resourceGroup": "",
                                            "tags": {}, "properties": {"state": "Enabled"}}))
        for rg in groups:
            rows.append(("resourcecontainers", {"id": "%s/resourceGroups/%s" % (sub, rg), "name": rg,
                                                "type": "microsoft.resources/subscriptions/resourcegroups",
                                                "tenantId": TENANT, "subscriptionId": SUBSCRIPTION,
                                                "resourceGroup": rg.lower(), "tags": {}, "location": "westeurope",
                                                "properties": {"provisioningState": "Succeeded"}}))
        rule = lambda n, port, src, pri: {"name": n, "properties": {  # noqa: E731
            "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": port, "sourceAddressPrefix": src,
            "destinationAddressPrefix": "*", "access": "Allow", "priority": pri, "direction": "Inbound"}}
        res("RG-PRODUCTION", "Microsoft.Network/networkSecurityGroups", "nsg-web",
            {"securityRules": [rule("allow-https", "443", "Internet", 100)]})
        res("RG-PRODUCTION", "Microsoft.Network/networkSecurityGroups", "nsg-internal",
            {"securityRules": [rule("allow-ssh-internal", "22", "10.0.0.0/8", 100)]})
        for i in range(ent.n):
            if not azure_vm(ent, i):
                continue
            h = ent.host(i)
            rg = "RG-%s" % h.environment.upper()
            nic = arm(rg, "Microsoft.Network/networkInterfaces", "nic-" + h.name)
            public = h.role == "web"
            ipconf = {"name": "ipconfig1", "properties": {"privateIPAddress": h.ip, "primary": True}}
            if public:
                pip = res(rg, "Microsoft.Network/publicIPAddresses", "pip-" + h.name,
                          {"ipAddress": "203.0.113.%d" % (10 + i % 19), "publicIPAllocationMethod": "Static",
                           "ipConfiguration": {"id": nic + "/ipConfigurations/ipconfig1"}}, sku={"name": "Standard"})
                ipconf["properties"]["publicIPAddress"] = {"id": pip["id"]}
            res(rg, "Microsoft.Network/networkInterfaces", "nic-" + h.name,
                {"ipConfigurations": [ipconf], "virtualMachine": {"id": vm_resource_id(ent, i)},
                 "networkSecurityGroup": {"id": arm("RG-PRODUCTION", "Microsoft.Network/networkSecurityGroups",
                                                    "nsg-web" if public else "nsg-internal")}})
            vm = {"vmId": vm_id(ent, i), "hardwareProfile": {"vmSize": "Standard_D4s_v5"},
                  "osProfile": {"computerName": h.name.upper() if h.os_family == "Windows" else h.name},
                  "storageProfile": {"osDisk": {"osType": "Windows" if h.os_family == "Windows" else "Linux"}},
                  "networkProfile": {"networkInterfaces": [{"id": nic}]}, "provisioningState": "Succeeded"}
            ident = {"type": "SystemAssigned", "principalId": guid(seed, "vm-mi", i), "tenantId": TENANT} \
                if public else None
            r = res(rg, "Microsoft.Compute/virtualMachines", h.name.upper(), vm, identity=ident)
            r["id"] = vm_resource_id(ent, i)
        uai = res("RG-SECURITY", "Microsoft.ManagedIdentity/userAssignedIdentities", "uai-deploy",
                  {"principalId": guid(seed, "uai", "deploy"), "clientId": guid(seed, "uai-client", "deploy"),
                   "tenantId": TENANT})
        res("RG-SECURITY", "Microsoft.KeyVault/vaults", "kv-payments",
            {"sku": {"family": "A", "name": "premium"}, "tenantId": TENANT, "enableRbacAuthorization": True,
             "publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
             "vaultUri": "https://kv-payments.vault.azure.net/"}, tags={"criticality": "very high"})
        res("RG-DEVELOPMENT", "Microsoft.KeyVault/vaults", "kv-dev",
            {"sku": {"family": "A", "name": "standard"}, "tenantId": TENANT, "enableRbacAuthorization": True,
             "publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Allow"}})
        res("RG-PRODUCTION", "Microsoft.Storage/storageAccounts", "stpayments",
            {"allowBlobPublicAccess": False, "publicNetworkAccess": "Disabled",
             "networkAcls": {"defaultAction": "Deny"}, "immutableStorageWithVersioning": {"enabled": True}},
            sku={"name": "Standard_GRS", "tier": "Standard"})
        res("RG-PRODUCTION", "Microsoft.Storage/storageAccounts", "stpublicweb",
            {"allowBlobPublicAccess": True, "publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Allow"}},
            sku={"name": "Standard_LRS", "tier": "Standard"})
        res("RG-PRODUCTION", "Microsoft.ContainerService/managedClusters", "aks-prod",
            {"kubernetesVersion": "1.30.4", "agentPoolProfiles": [{"name": "system", "count": 3},
                                                                    {"name": "user", "count": 4}],
             "apiServerAccessProfile": {"enablePrivateCluster": False}},
            sku={"name": "Base", "tier": "Premium"}, identity={"type": "UserAssigned", "userAssignedIdentities": {
                uai["id"]: {"principalId": guid(seed, "uai", "deploy"), "clientId": guid(seed, "uai-client", "deploy")}}})
        res("RG-PRODUCTION", "Microsoft.Sql/servers", "sql-payments",
            {"publicNetworkAccess": "Enabled", "version": "12.0", "administratorLogin": "sqladmin"})
        res("RG-PRODUCTION", "Microsoft.Sql/servers/databases", "sql-payments/payments",
            {"status": "Online"}, sku={"name": "GP_Gen5", "tier": "GeneralPurpose"},
            tags={"dataClassification": "Confidential"})
        kv = arm("RG-SECURITY", "Microsoft.KeyVault/vaults", "kv-payments")
        for who, kind, role, scope in (
                (user_id(seed, "alice.admin"), "User", "Owner", "/subscriptions/%s" % SUBSCRIPTION),
                (group_id(seed, "Cloud Ops"), "Group", "Key Vault Administrator", kv),
                (group_id(seed, "Cloud Ops"), "Group", "Contributor", "/subscriptions/%s/resourceGroups/RG-PRODUCTION"
                 % SUBSCRIPTION),
                (sp_id(seed, "deploy-pipeline"), "ServicePrincipal", "Contributor",
                 "/subscriptions/%s/resourceGroups/RG-PRODUCTION" % SUBSCRIPTION),
                (sp_id(seed, "mi-web-prod"), "ServicePrincipal", "Storage Blob Data Reader",
                 arm("RG-PRODUCTION", "Microsoft.Storage/storageAccounts", "stpayments")),
                (guid(seed, "uai", "deploy"), "ServicePrincipal", "Reader", "/subscriptions/%s" % SUBSCRIPTION),
                (group_id(seed, "All Staff"), "Group", "Reader", "/providers/Microsoft.Management/managementGroups/root")):
            rid = "%s/providers/Microsoft.Authorization/roleAssignments/%s" % (scope, guid(seed, "ra", who, role))
            rows.append(("authorizationresources", {
                "id": rid, "name": rid.rsplit("/", 1)[1], "type": "microsoft.authorization/roleassignments",
                "properties": {"principalId": who, "principalType": kind, "roleDefinitionId": role_def(role),
                               "scope": scope, "createdOn": E.iso(ent.now - 100 * E.DAY)}, "roleName": role}))
        return rows

    def route(self, req):
        """Resource Graph's own quota (--arg-quota N a window of --arg-window S seconds): every answer says what
        is left (x-ms-user-quota-remaining) and when it resets (x-ms-user-quota-resets-after, hh:mm:ss); past it, 429
        with those headers and no Retry-After, as ARG throttles."""
        quota = self.args.arg_quota
        if not quota:
            return self.query(req)
        now, window = time.time(), self.args.arg_window
        with self.lock:
            if not getattr(self, "quota_start", None) or now >= self.quota_start + window:
                self.quota_start, self.quota_used = now, 0
            self.quota_used += 1
            left = quota - self.quota_used
            reset = max(0, int(self.quota_start + window - now + 0.999))
        hdrs = [("x-ms-user-quota-remaining", str(max(0, left))),
                ("x-ms-user-quota-resets-after", "%02d:%02d:%02d" % (reset // 3600, reset // 60 % 60, reset % 60))]
        if left < 0:
            reply = X.Reply(429, X.json_body({"error": {
                "code": "RateLimiting", "message": "Please provide below info when asking for support: timestamp = %s, "
                "correlationId = %s." % (time.strftime("%Y-%m-%dT%H:%M:%S"), uuid.uuid4()),
                "details": [{"code": "RateLimiting", "message": "Client application has been throttled and should not "
                             "attempt to repeat the request until an amount of time has elapsed. Please see "
                             "https://aka.ms/resourcegraph-throttling for help."}]}}), "application/json; charset=utf-8")
        else:
            reply = self.query(req)
        reply.headers = list(reply.headers or []) + hdrs
        return reply

    def query(self, req):
        if req.method != "POST" or req.path != "/providers/Microsoft.ResourceGraph/resources":
            return self.api_error(404, "NotFound", "The resource was not found.")
        if req.arg("api-version") not in ("2021-03-01", "2022-10-01", "2024-04-01"):
            return self.api_error(400, "InvalidApiVersionParameter", "The api-version '%s' is invalid."
                                  % req.arg("api-version"))
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return self.api_error(400, "BadRequest", "Please provide a query.")
        q = body["query"].strip()
        table = q.split("|", 1)[0].strip()
        if table not in ("resources", "resourcecontainers", "authorizationresources"):
            # the real shape (Azure/azure-powershell ResourceGraph.Test SessionRecords QueryError.json): the
            # top-level message is generic, details say what is wrong
            return X.Reply(400, X.json_body({"error": {
                "code": "InvalidQuery", "message": "Query validation error",
                "details": [{"code": "ParserFailure" if not table else "InvalidTable",
                             "message": "Parser failure" if not table else "Table '%s' could not be found" % table,
                             "line": 1, "characterPositionInLine": 0}]}}), "application/json; charset=utf-8")
        opts = body.get("options") or {}
        top = int(opts.get("$top") or 100)
        if top < 1 or top > 1000:
            return self.api_error(400, "BadRequest", "$top must be between 1 and 1000.")
        top = min(top, self.args.page_size or top)
        m = re.search(r"where type (?:in~|=~) \(?([^)|]*)\)?", q)
        types = set(re.findall(r"'([^']+)'", m.group(1))) if m else None
        rows = [r for t, r in self.rows if t == table and (types is None or r["type"] in types)]
        if table == "authorizationresources":
            rows = [{"id": r["id"], "principalId": r["properties"]["principalId"],
                     "principalType": r["properties"]["principalType"], "scope": r["properties"]["scope"].lower(),
                     "roleName": r["roleName"]} for r in rows]
        take = re.search(r"\| *take +(\d+)", q)
        if take:
            rows = rows[:int(take.group(1))]
        m = re.search(r"\| *project ([^|]+)", q)
        if m and table != "authorizationresources":
            keep = [k.strip() for k in m.group(1).split(",")]
            rows = [{k: r.get(k) for k in keep} for r in rows]
        rows.sort(key=lambda r: r["id"])
        try:
            off = int(base64.urlsafe_b64decode(opts["$skipToken"].encode()).decode()) if opts.get("$skipToken") else 0
        except ValueError:
            return self.api_error(400, "BadRequest", "The $skipToken is invalid.")
        page = rows[off:off + top]
        out = {"totalRecords": len(rows), "count": len(page), "data": page, "facets": [],
               "resultTruncated": "false"}
        if off + top < len(rows):
            out["$skipToken"] = base64.urlsafe_b64encode(str(off + top).encode()).decode()
        return X.Reply(200, X.json_body(out), "application/json; charset=utf-8")


EMULATORS = {"defender": Defender, "entra": Entra, "azure": Azure}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vendor", choices=sorted(EMULATORS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=40)
    ap.add_argument("--findings-per-host", type=int, default=5)
    ap.add_argument("--page-size", type=int, default=0, help="cap on $top")
    ap.add_argument("--fault", default="", help="KIND@N[+],... over API calls; KIND in " + ",".join(FAULT_KINDS))
    ap.add_argument("--deny", default="", help="permissions the application lacks (403 on their endpoints)")
    ap.add_argument("--cert", help="PEM certificate registered for the application (client assertions)")
    ap.add_argument("--password", help="the client secret (default %s)" % CLIENT_SECRET)
    ap.add_argument("--token-lifetime", type=int, default=3599)
    ap.add_argument("--rate-per-minute", type=int, default=0, help="429 past this many API calls a minute")
    ap.add_argument("--users", type=int, default=20, help="entra: cloud-only users besides the six synced ones")
    ap.add_argument("--unlicensed", action="store_true",
                    help="entra: the tenant has no Entra ID P1/P2 (no sign-in activity, no Identity Protection)")
    ap.add_argument("--arg-quota", type=int, default=0,
                    help="azure: Resource Graph queries allowed a window (x-ms-user-quota-*; 429 past it)")
    ap.add_argument("--arg-window", type=int, default=5, help="azure: seconds of a quota window (5 in Azure)")
    ap.add_argument("--port-file")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--now", help="base time, ISO-8601 (default 2026-11-20T00:00:00Z)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    ent = E.Enterprise(args.seed, args.hosts, args.findings_per_host,
                       E.parse_iso(args.now) if args.now else E.BASE_NOW)
    emu = EMULATORS[args.vendor](ent, args)
    return X.run_server(emu, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
