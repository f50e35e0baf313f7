#!/usr/bin/env python3
"""Loopback emulators of the cloud security APIs for xsm tests: Wiz
(OAuth token + GraphQL) and Palo Alto Prisma Cloud (CSPM /login JWT, RQL
config search; Compute console /api/v1/authenticate, hosts and images).

    python3 cloudemu.py wiz|prisma [--seed 1] [--hosts 40] [--findings-per-host 5]
                        [--page-size N] [--fault SPEC] [--port-file PATH] [--token-ttl S]

The cloud is the seeded enterprise of enterprise.py seen from the cloud: the
Azure VMs are the very ones msemu.py's Azure Resource Graph serves (same ARM
ids, mixed case), the web servers among them are internet facing, and the
other virtual servers run in AWS (instance ids, private addresses and host
names as the scanners see them), so a test can merge the same machine
across sources.  Wire shapes: Wiz as elastic/integrations'
packages/wiz/_dev/deploy/docker/files/config-vulnerability.yml (token and a
vulnerabilityFindings page) and demisto/content's
Packs/Wiz/Integrations/Wiz/Wiz_test.py (cloudResources, graphSearch);
Prisma Cloud as reference/vendor-apis.md section 6.1 (pan.dev OpenAPI specs).
Faults (--fault KIND@N[+]): 429, 500, 503, 401, drop, garble, slow (emu.py),
and gqlerror (GraphQL errors with HTTP 200), ratelimit (RATE_LIMIT_EXCEEDED
with HTTP 200), expire (every token issued so far expires).
"""

import base64
import hashlib
import json
import os
import random
import signal
import sys
import threading
import time
from http.server import ThreadingHTTPServer

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu as U  # noqa: E402
import enterprise as E  # noqa: E402
import msemu as M  # noqa: E402

U.FAULT_KINDS = U.FAULT_KINDS + ("gqlerror", "ratelimit", "expire")

WIZ_CLIENT_ID = "emu-wiz-client"
WIZ_SECRET = "emu-wiz-secret"
AWS_ACCOUNT = "998231069301"
PROJECTS = {"payments": ("5c2f6b9e-1d7a-4b8e-9f3c-2a6d8e0b1c4f", "Payments"),
            "corporate": ("8e1d4c7a-3b9f-4e2d-a6c5-0f7b9d2e4a18", "Corporate")}


def b64(obj):
    return base64.b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()


def unb64(text):
    try:
        return json.loads(base64.b64decode(text.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None


# ====================================================================== the cloud

class Cloud:
    """What the cloud holds, derived from the enterprise: machines and resources."""

    def __init__(self, ent):
        self.ent, seed = ent, ent.seed
        self.vms, self.others = [], []
        for i in range(ent.n):
            c = ent.cores[i]
            if not (c.virtual and c.platform in ("linux", "windows")):
                continue
            h = ent.host(i)
            if M.azure_vm(ent, i):
                vm = {"i": i, "cloud": "Azure", "pid": M.vm_resource_id(ent, i), "name": h.name.upper(),
                      "region": "westeurope", "account": M.SUBSCRIPTION, "vmid": M.vm_id(ent, i)}
            elif random.Random(seed * 4099 + i).random() < 0.6:
                iid = "i-0" + M.hexid(seed, "ec2", i, n=16)
                vm = {"i": i, "cloud": "AWS", "iid": iid, "name": h.name,
                      "pid": "arn:aws:ec2:us-east-1:%s:instance/%s" % (AWS_ACCOUNT, iid),
                      "region": "us-east-1", "account": AWS_ACCOUNT}
            else:
                continue
            vm.update(host=h, public=h.role == "web", project="payments" if h.environment == "production" else "corporate",
                      id=M.guid(seed, "wiz-entity", i), rid=M.guid(seed, "wiz-resource", i),
                      ephemeral=False, container=False, admin=h.role == "web")
            self.vms.append(vm)
        # of the private AWS machines, the first is an autoscaled (ephemeral) one, the second a container host
        private_aws = [v for v in self.vms if v["cloud"] == "AWS" and not v["public"]]
        for flag, vm in zip(("ephemeral", "container"), private_aws):
            vm[flag] = True
        arm = M.arm
        self.others = [
            {"id": M.guid(seed, "wiz-entity", "kv-payments"), "name": "kv-payments", "type": "SECRET_CONTAINER",
             "cloud": "Azure", "nativeType": "Microsoft.KeyVault/vaults", "project": "payments",
             "pid": arm("RG-SECURITY", "Microsoft.KeyVault/vaults", "kv-payments"), "sensitive": True, "public": False},
            {"id": M.guid(seed, "wiz-entity", "stpayments"), "name": "stpayments", "type": "BUCKET",
             "cloud": "Azure", "nativeType": "Microsoft.Storage/storageAccounts", "project": "payments",
             "pid": arm("RG-PRODUCTION", "Microsoft.Storage/storageAccounts", "stpayments"), "sensitive": True,
             "public": False},
            {"id": M.guid(seed, "wiz-entity", "sql-payments"), "name": "payments", "type": "DATABASE",
             "cloud": "Azure", "nativeType": "Microsoft.Sql/servers/databases", "project": "payments",
             "pid": arm("RG-PRODUCTION", "Microsoft.Sql/servers/databases", "sql-payments/payments"),
             "sensitive": True, "public": True},
            {"id": M.guid(seed, "wiz-entity", "s3-exports"), "name": "acme-payroll-exports", "type": "BUCKET",
             "cloud": "AWS", "nativeType": "s3#bucket", "project": "corporate",
             "pid": "arn:aws:s3:::acme-payroll-exports", "sensitive": True, "public": True},
        ]
        # a container image only the findings name (no inventory entry)
        self.image = {"id": M.guid(seed, "wiz-entity", "image"), "type": "CONTAINER_IMAGE",
                      "name": "acr.example.com/payments/api:1.4.2", "cloud": "Azure", "project": "payments"}

    def vm_findings(self, vm):
        """(check, status, first, last) of a machine's CVE findings."""
        out = []
        for f in self.ent.findings(vm["i"]):
            if f["check"]["cve"]:
                out.append(f)
        return out


# ====================================================================== Wiz

class Wiz(U.Emulator):
    vendor = "wiz"

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.cloud = Cloud(ent)
        self.tokens = {}   # token -> expiry (epoch)
        self.fault_now = None
        self.resources = self.build_resources()
        self.findings = self.build_findings()

    # ---- data, in the wire shapes
    def build_resources(self):
        out = []
        for vm in self.cloud.vms:
            h = vm["host"]
            props = {"externalId": vm["pid"], "providerUniqueId": vm["pid"], "cloudPlatform": vm["cloud"],
                     "nativeType": "virtualMachine" if vm["cloud"] == "Azure" else "ec2#instance",
                     "region": vm["region"], "subscriptionExternalId": vm["account"], "name": vm["name"],
                     "status": "Active", "operatingSystem": "Windows" if h.os_family == "Windows" else "Linux",
                     "hostname": h.name if vm["cloud"] == "AWS" else None,
                     "privateIpAddresses": [h.ip],
                     "hasWideInternetExposure": vm["public"], "hasLimitedInternetExposure": False,
                     "hasAdminPrivileges": vm["admin"], "hasHighPrivileges": vm["admin"],
                     "hasSensitiveData": False, "isEphemeral": vm["ephemeral"], "isContainerHost": vm["container"],
                     "tags": {"environment": h.environment, "owner": "team-%d" % (h.group + 1)},
                     "creationDate": E.iso(h.created), "updatedAt": E.iso(h.updated)}
            if vm["cloud"] == "Azure":
                props["vmId"] = vm["vmid"]
            pid, pname = PROJECTS[vm["project"]]
            out.append({"id": vm["rid"], "name": vm["name"], "type": "VIRTUAL_MACHINE",
                        "subscriptionId": M.guid(self.ent.seed, "wiz-sub", vm["account"]),
                        "subscriptionExternalId": vm["account"], "_project": pid,
                        "graphEntity": {"id": vm["id"], "providerUniqueId": vm["pid"], "name": vm["name"],
                                        "type": "VIRTUAL_MACHINE", "projects": [{"id": pid, "name": pname}],
                                        "properties": props, "firstSeen": E.iso(h.first_seen),
                                        "lastSeen": E.iso(h.scanned)}})
        for r in self.cloud.others:
            pid, pname = PROJECTS[r["project"]]
            props = {"externalId": r["pid"], "providerUniqueId": r["pid"], "cloudPlatform": r["cloud"],
                     "nativeType": r["nativeType"], "region": "westeurope" if r["cloud"] == "Azure" else "us-east-1",
                     "hasSensitiveData": r["sensitive"], "hasWideInternetExposure": r["public"],
                     "isPublic": r["public"], "tags": {"dataClassification": "Confidential"}}
            out.append({"id": M.guid(self.ent.seed, "wiz-resource", r["name"]), "name": r["name"], "type": r["type"],
                        "subscriptionId": M.guid(self.ent.seed, "wiz-sub", r["cloud"]),
                        "subscriptionExternalId": M.SUBSCRIPTION if r["cloud"] == "Azure" else AWS_ACCOUNT,
                        "_project": pid,
                        "graphEntity": {"id": r["id"], "providerUniqueId": r["pid"], "name": r["name"],
                                        "type": r["type"], "projects": [{"id": pid, "name": pname}],
                                        "properties": props, "firstSeen": E.iso(self.ent.now - 200 * E.DAY),
                                        "lastSeen": E.iso(self.ent.now - E.DAY)}})
        return out

    def build_findings(self):
        out, seed = [], self.ent.seed
        for vm in self.cloud.vms:
            h = vm["host"]
            pid, pname = PROJECTS[vm["project"]]
            asset = {"id": vm["id"], "type": "VIRTUAL_MACHINE", "name": vm["name"], "region": vm["region"],
                     "providerUniqueId": vm["pid"],
                     "cloudProviderURL": "https://portal.azure.com/#@/resource%s" % vm["pid"]
                     if vm["cloud"] == "Azure" else
                     "https://us-east-1.console.aws.amazon.com/ec2/v2/home?region=us-east-1#InstanceDetails:instanceId=%s"
                     % vm.get("iid"),
                     "cloudPlatform": vm["cloud"], "status": "Active", "subscriptionName": "production",
                     "subscriptionExternalId": vm["account"],
                     "subscriptionId": M.guid(seed, "wiz-sub", vm["account"]), "tags": {"environment": h.environment},
                     "hasLimitedInternetExposure": False, "hasWideInternetExposure": vm["public"],
                     "isAccessibleFromVPN": False, "isAccessibleFromOtherVnets": False,
                     "isAccessibleFromOtherSubscriptions": False,
                     "operatingSystem": "Windows" if h.os_family == "Windows" else "Linux", "ipAddresses": [h.ip]}
            for n, f in enumerate(self.cloud.vm_findings(vm)):
                ck = f["check"]
                sev = {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW"}.get(ck["tsev"], "NONE")
                out.append(self.finding(seed, (vm["i"], n), ck["cve"], ck["cvss3"], sev, ck["exploit"],
                                        ck["rce"] and ck["exploit"], "RESOLVED" if f["status"] == "Fixed" else "OPEN",
                                        f["first_found"], f["last_found"], ck["title"], asset, pid, pname))
        img = self.cloud.image
        pid, pname = PROJECTS[img["project"]]
        asset = {"id": img["id"], "type": "CONTAINER_IMAGE", "name": img["name"], "region": "westeurope",
                 "providerUniqueId": None, "cloudPlatform": "Azure", "status": "Active",
                 "subscriptionExternalId": M.SUBSCRIPTION, "imageId": "sha256:" + M.hexid(seed, "img", n=64)}
        out.append(self.finding(seed, "img", "CVE-2023-44487", 7.5, "HIGH", True, True, "OPEN",
                                self.ent.now - 30 * E.DAY, self.ent.now - E.DAY, "HTTP/2 Rapid Reset", asset, pid, pname))
        # a finding that is not a CVE (a vendor advisory): skipped by xsm
        out.append(self.finding(seed, "ghsa", "GHSA-xxxx-yyyy-zzzz", 5.0, "MEDIUM", False, False, "OPEN",
                                self.ent.now - 30 * E.DAY, self.ent.now - E.DAY, "advisory", asset, pid, pname))
        return out

    def finding(self, seed, key, cve, score, sev, exploit, kev, status, first, last, title, asset, pid, pname):
        fid = M.guid(seed, "wiz-finding", key, cve)
        return {"id": fid,
                "portalUrl": "https://app.wiz.io/explorer/vulnerability-findings#~(entity~(~'%s*2cSECURITY_TOOL_FINDING))" % fid,
                "name": cve, "CVEDescription": title, "CVSSSeverity": sev, "score": score,
                "exploitabilityScore": 3.9 if exploit else 1.8, "impactScore": 5.9, "dataSourceName": "Wiz",
                "hasExploit": exploit, "hasCisaKevExploit": kev, "status": status, "vendorSeverity": sev,
                "firstDetectedAt": E.iso_ms(first, 63), "lastDetectedAt": E.iso(last),
                "resolvedAt": E.iso(last) if status == "RESOLVED" else None,
                "description": "The package was detected vulnerable to %s." % cve, "remediation": "update",
                "detailedName": "pkg-%s" % cve.lower(), "version": "1.0.0", "fixedVersion": "1.0.1",
                "detectionMethod": "PACKAGE", "link": "https://nvd.nist.gov/vuln/detail/%s" % cve,
                "locationPath": None, "resolutionReason": None, "epssSeverity": "LOW", "epssPercentile": 46.2,
                "epssProbability": 0.1, "validatedInRuntime": None,
                "projects": [{"id": pid, "name": pname, "slug": pname.lower(), "businessUnit": "",
                              "riskProfile": {"businessImpact": "MBI"}}],
                "vulnerableAsset": asset}

    # ---- plumbing hooks
    def fault_for(self, n):
        self.fault_now = super().fault_for(n)
        return self.fault_now

    def gql_errors(self, status, message, code, extra=None, headers=()):
        err = {"message": message, "extensions": dict({"code": code}, **(extra or {}))}
        return U.Reply(status, U.json_body({"errors": [err], "data": None}), "application/json", headers)

    def authorized(self, req):
        if req.path == "/oauth/token":
            return True
        auth = req.headers.get("Authorization", "")
        exp = self.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        return exp is not None and exp > time.time()

    def unauthorized(self, req):
        return self.gql_errors(401, "Unauthorized: the access token is missing, invalid or expired", "UNAUTHENTICATED")

    def error(self, req, status):
        if status == 429:
            return self.gql_errors(429, "Rate limit exceeded", "RATE_LIMIT_EXCEEDED", {"retryAfter": 1},
                                   [("Retry-After", "1")])
        return U.Reply(status, "upstream error", "text/plain")

    def route(self, req):
        if req.path == "/oauth/token" and req.method == "POST":
            return self.token(req)
        if req.path != "/graphql" or req.method != "POST":
            return U.Reply(404, U.json_body({"message": "not found"}), "application/json")
        if self.fault_now == "expire":
            for t in self.tokens:
                self.tokens[t] = 0
            return self.unauthorized(req)
        if self.fault_now == "gqlerror":
            return self.gql_errors(200, "Internal server error: unexpected failure, request id 7f3c", "INTERNAL")
        if self.fault_now == "ratelimit":
            return self.gql_errors(200, "Rate limit exceeded", "RATE_LIMIT_EXCEEDED", {"retryAfter": 0.2})
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return self.gql_errors(400, "Must provide query string.", "BAD_REQUEST")
        q, v = body["query"], body.get("variables") or {}
        if "cloudResources" in q:
            items = [r for r in self.resources if self.in_projects(r["_project"], v)]
            return self.connection("cloudResources", items, v, lambda r: {k: x for k, x in r.items()
                                                                           if not k.startswith("_")})
        if "vulnerabilityFindings" in q:
            status = (v.get("filterBy") or {}).get("status")
            items = [f for f in self.findings if self.in_projects(f["projects"][0]["id"], v)
                     and (not status or f["status"] in status)]
            return self.connection("vulnerabilityFindings", items, v, lambda f: f)
        return self.gql_errors(400, "Cannot query this field on type \"Query\".", "GRAPHQL_VALIDATION_FAILED")

    def in_projects(self, project, v):
        wanted = (v.get("filterBy") or {}).get("projectId")
        return not wanted or project in wanted

    def connection(self, name, items, v, shape):
        first = v.get("first") or 50
        if not isinstance(first, int) or first < 1 or first > 500:
            return self.gql_errors(200, "Variable \"$first\" got invalid value %s; must be between 1 and 500" % first,
                                   "BAD_USER_INPUT")
        size = min(first, self.args.page_size or first)
        start = 0
        if v.get("after"):
            cur = unb64(v["after"])
            if not isinstance(cur, dict) or not isinstance(cur.get("offset"), int):
                return self.gql_errors(200, "invalid cursor", "BAD_USER_INPUT")
            start = cur["offset"]
        page = items[start:start + size]
        more = start + size < len(items)
        return U.Reply(200, U.json_body({"data": {name: {
            "nodes": [shape(x) for x in page],
            "pageInfo": {"hasNextPage": more, "endCursor": b64({"offset": start + size}) if page else None},
            "totalCount": len(items)}}}), "application/json")

    def token(self, req):
        form = dict(req.form)
        if form.get("grant_type") != "client_credentials" or form.get("audience") not in ("wiz-api", "beyond-api"):
            return U.Reply(400, U.json_body({"error": "invalid_request",
                                             "error_description": "grant_type and audience are required"}),
                           "application/json")
        if form.get("client_id") != (self.args.client_id or WIZ_CLIENT_ID) or \
                form.get("client_secret") != (self.args.client_secret or WIZ_SECRET):
            return U.Reply(401, U.json_body({"error": "access_denied", "error_description": "Unauthorized"}),
                           "application/json")
        tok = "wiz-%s" % hashlib.sha1(os.urandom(16)).hexdigest()
        ttl = self.args.token_ttl
        self.tokens[tok] = time.time() + ttl
        return U.Reply(200, U.json_body({"access_token": tok, "expires_in": ttl, "token_type": "Bearer",
                                         "refresh_token": "r-" + tok[4:20]}), "application/json")


# ====================================================================== main

VENDORS = {"wiz": Wiz}


def parse_args(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vendor", choices=sorted(VENDORS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=40)
    ap.add_argument("--findings-per-host", type=int, default=5)
    ap.add_argument("--page-size", type=int, default=0)
    ap.add_argument("--fault", default="")
    ap.add_argument("--port-file")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--token-ttl", type=float, default=3600)
    ap.add_argument("--now", help="base time, ISO-8601 (default 2026-11-20T00:00:00Z)")
    for flag in ("--client-id", "--client-secret", "--access-key", "--secret-key", "--user", "--password"):
        ap.add_argument(flag)
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    ent = E.Enterprise(args.seed, args.hosts, args.findings_per_host,
                       E.parse_iso(args.now) if args.now else E.BASE_NOW)
    emu = VENDORS[args.vendor](ent, args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), U.Handler)
    server.daemon_threads = True
    server.emu = emu
    emu.port = server.server_address[1]
    if args.port_file:
        tmp = "%s.tmp.%d" % (args.port_file, os.getpid())
        with open(tmp, "w") as fh:
            fh.write("%d\n" % emu.port)
        os.replace(tmp, args.port_file)
    print("listening 127.0.0.1:%d" % emu.port, flush=True)

    def stop(_sig, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
