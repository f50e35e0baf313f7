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
with HTTP 200), expire (every token issued so far expires), repeat (the
cursor or page token is ignored: the first page again).
"""

import base64
import hashlib
import json
import os
import random
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu as U  # noqa: E402
import enterprise as E  # noqa: E402
import msemu as M  # noqa: E402

U.FAULT_KINDS = U.FAULT_KINDS + ("gqlerror", "ratelimit", "expire", "repeat")

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
            if vm["public"]:
                # what makes it an entry point: an exploitable remote code execution on the internet-facing server
                out.append(self.finding(seed, (vm["i"], "entry"), "CVE-2024-6387", 8.1, "HIGH", True, False, "OPEN",
                                        h.scanned - 20 * E.DAY, h.scanned, "OpenSSH regreSSHion", asset, pid, pname))
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
        if self.fault_now == "repeat":
            start = 0  # a server that ignores the cursor: the first page again
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


# ====================================================================== Prisma Cloud

PC_KEY_ID = "emu-pc-key-id"
PC_SECRET = "emu-pc-secret"
COMPUTE_PREFIX = "/us-1-111111111"


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Prisma(U.Emulator):
    """CSPM (api[N].prismacloud.io) and the Compute console on one port, Compute under COMPUTE_PREFIX."""
    vendor = "prisma"

    def __init__(self, ent, args):
        super().__init__(ent, args)
        self.cloud = Cloud(ent)
        self.tokens = {}           # CSPM JWT -> expiry
        self.ctokens = {}          # Compute token -> expiry
        self.fault_now = None
        self.items = self.build_items()
        self.hosts, self.images = self.build_compute()
        self.permissions = self.build_permissions()

    def build_permissions(self):
        """IAM rows: each internet-facing Azure VM's managed identity reads the payments key vault's secrets."""
        seed, rows = self.ent.seed, []
        kv = next(r for r in self.cloud.others if r["name"] == "kv-payments")
        for vm in self.cloud.vms:
            if not (vm["public"] and vm["cloud"] == "Azure"):
                continue
            mi = M.guid(seed, "vm-mi", vm["i"])
            for action in ("Microsoft.KeyVault/vaults/secrets/getSecret/action",
                           "Microsoft.KeyVault/vaults/secrets/readMetadata/action"):
                rows.append({"id": M.hexid(seed, "perm", vm["i"], action, n=32), "sourceCloudType": "AZURE",
                             "sourceCloudAccount": M.SUBSCRIPTION, "sourceResourceName": vm["name"],
                             "sourceResourceType": "Managed Identity", "sourceResourceId": mi,
                             "sourceCloudServiceName": "Azure Active Directory", "destCloudType": "AZURE",
                             "destCloudAccount": M.SUBSCRIPTION, "destResourceName": kv["name"],
                             "destResourceType": "Vault", "destResourceId": kv["pid"],
                             "destCloudServiceName": "Microsoft.KeyVault", "destCloudRegion": "westeurope",
                             "grantedByCloudType": "AZURE", "grantedByCloudPolicyName": "Key Vault Secrets User",
                             "grantedByCloudPolicyType": "Built-in Role", "grantedByCloudEntityType": "Managed Identity",
                             "grantedByCloudEntityName": vm["name"], "effectiveActionName": action,
                             "isWildCardDestCloudResourceName": False, "lastAccessDate": None})
        return rows

    def fault_for(self, n):
        self.fault_now = super().fault_for(n)
        return self.fault_now

    # ---- data
    def build_items(self):
        seed, ms = self.ent.seed, lambda t: int(t) * 1000
        out = []
        for vm in self.cloud.vms:
            h = vm["host"]
            common = {"name": vm["name"], "accountName": "Production" if vm["cloud"] == "Azure" else "aws-prod",
                      "assetId": M.hexid(seed, "pc-asset", vm["i"], n=32), "insertTs": ms(h.updated),
                      "createdTs": ms(h.created), "deleted": False, "hasNetwork": True, "hasExternalFinding": False,
                      "riskGrade": "A", "vpcId": None, "vpcName": None, "dynamicData": {}}
            if vm["cloud"] == "Azure":
                nic = M.arm("RG-%s" % h.environment.upper(), "Microsoft.Network/networkInterfaces", "nic-" + h.name)
                data = {"id": vm["pid"], "name": vm["name"], "type": "Microsoft.Compute/virtualMachines",
                        "location": "westeurope", "tags": {"environment": h.environment},
                        "properties": {"vmId": vm["vmid"], "hardwareProfile": {"vmSize": "Standard_D4s_v5"},
                                       "storageProfile": {"osDisk": {"osType": "Windows" if h.os_family == "Windows"
                                                                     else "Linux"}},
                                       "networkProfile": {"networkInterfaces": [{"id": nic}]},
                                       "provisioningState": "Succeeded"}}
                if vm["public"]:
                    data["identity"] = {"type": "SystemAssigned", "principalId": M.guid(seed, "vm-mi", vm["i"]),
                                        "tenantId": M.TENANT}
                out.append(dict(common, id=vm["pid"], cloudType="azure", accountId=M.SUBSCRIPTION,
                                regionId="westeurope", regionName="Azure West Europe", service="Azure Virtual Machines",
                                resourceType="Azure Virtual Machine", resourceTypeId=51,
                                rrn="rrn::instance:westeurope:%s:%s" % (M.SUBSCRIPTION, M.hexid(seed, "rrn", vm["i"])),
                                url="https://portal.azure.com/#@/resource%s" % vm["pid"], data=data))
            else:
                data = {"instanceId": vm["iid"], "instanceType": "m5.large", "privateIpAddress": h.ip,
                        "privateDnsName": "ip-%s.ec2.internal" % h.ip.replace(".", "-"),
                        "state": {"code": 16, "name": "running"}, "tags": [{"key": "Name", "value": vm["name"]},
                                                                            {"key": "environment", "value": h.environment}],
                        "networkInterfaces": [{"networkInterfaceId": "eni-0" + M.hexid(seed, "eni", vm["i"], n=16),
                                               "privateIpAddress": h.ip}]}
                if h.os_family == "Windows":
                    data["platform"] = "windows"
                if vm["public"]:
                    data["publicIpAddress"] = "203.0.113.%d" % (40 + vm["i"] % 50)
                out.append(dict(common, id=vm["iid"], cloudType="aws", accountId=AWS_ACCOUNT, regionId="us-east-1",
                                regionName="AWS Virginia", service="Amazon EC2", resourceType="Instance",
                                resourceTypeId=1, rrn="rrn::instance:us-east-1:%s:%s" % (AWS_ACCOUNT, vm["iid"]),
                                url="https://console.aws.amazon.com/ec2/v2/home?region=us-east-1#Instances:"
                                    "instanceId=%s" % vm["iid"], data=data))
        for r in self.cloud.others:
            azure = r["cloud"] == "Azure"
            out.append({"id": r["pid"], "name": r["name"], "cloudType": "azure" if azure else "aws",
                        "accountId": M.SUBSCRIPTION if azure else AWS_ACCOUNT, "regionId": "westeurope" if azure
                        else "us-east-1", "resourceType": {"SECRET_CONTAINER": "Azure Key Vault", "BUCKET": "Storage Account"
                                                           if azure else "Managed Bucket",
                                                           "DATABASE": "Azure SQL Database"}[r["type"]],
                        "service": "Azure Key Vault" if r["type"] == "SECRET_CONTAINER" else "Storage",
                        "assetId": M.hexid(seed, "pc-asset", r["name"], n=32), "deleted": False,
                        "data": {"id": r["pid"], "name": r["name"], "type": r["nativeType"]} if azure
                        else {"name": r["name"], "acl": {"grants": []}}})
        return out

    def build_compute(self):
        seed, hosts = self.ent.seed, []
        for vm in self.cloud.vms:
            h = vm["host"]
            vulns = []
            for f in self.cloud.vm_findings(vm):
                if f["status"] == "Fixed":
                    continue
                ck = f["check"]
                rf = {"Attack vector: network": {}, "Has fix": {}}
                if ck["exploit"]:
                    rf["Exploit exists - POC"] = {}
                if ck["rce"]:
                    rf["Remote execution"] = {}
                vulns.append({"cve": ck["cve"], "cvss": ck["cvss3"], "vecStr": ck["v3vector"],
                              "severity": ck["tsev"] if ck["tsev"] != "info" else "low",
                              "status": "fixed in 1.0.1", "packageName": "pkg-%s" % ck["cve"].lower(),
                              "packageVersion": "1.0.0", "riskFactors": rf,
                              "exploit": "exploit-db" if ck["exploit"] else "",
                              "discovered": E.iso(f["first_found"]), "link": "https://nvd.nist.gov/vuln/detail/%s"
                              % ck["cve"], "type": "os"})
            cm = {"provider": vm["cloud"].lower(), "resourceID": vm["pid"] if vm["cloud"] == "Azure" else vm["iid"],
                  "accountID": vm["account"], "region": vm["region"], "name": vm["name"],
                  "type": "Standard_D4s_v5" if vm["cloud"] == "Azure" else "m5.large"}
            hosts.append({"_id": h.name, "hostname": h.name, "type": "host", "distro": h.os_name,
                          "osDistro": h.os_family.lower(), "scanTime": E.iso(h.scanned), "cloudMetadata": cm,
                          "collections": ["All"], "riskFactors": {"Internet exposure": {}} if vm["public"] else {},
                          "vulnerabilities": vulns or None, "vulnerabilitiesCount": len(vulns),
                          "vulnerabilityDistribution": {"total": len(vulns)}})
        img = self.cloud.image
        images = [{"_id": "sha256:" + M.hexid(seed, "img", n=64), "type": "image",
                   "repoTag": {"registry": "acr.example.com", "repo": "payments/api", "tag": "1.4.2"},
                   "instances": [{"image": img["name"], "host": self.cloud.vms[0]["host"].name if self.cloud.vms else "",
                                  "modified": E.iso(self.ent.now - E.DAY)}],
                   "scanTime": E.iso(self.ent.now - E.DAY), "distro": "Debian GNU/Linux 12",
                   "vulnerabilities": [{"cve": "CVE-2023-44487", "cvss": 7.5, "severity": "high",
                                        "status": "fixed in 1.56.3", "packageName": "grpc", "packageVersion": "1.50.0",
                                        "riskFactors": {"Attack vector: network": {}, "Exploit exists - in the wild": {},
                                                        "DoS - High": {}}, "exploit": "in-the-wild",
                                        "discovered": E.iso(self.ent.now - 30 * E.DAY)},
                                       {"cve": "PRISMA-2022-0227", "cvss": 7.5, "severity": "high",
                                        "packageName": "x", "riskFactors": {}}]}]
        return hosts, images

    # ---- plumbing hooks
    def jwt(self, ttl):
        now = int(time.time())
        head = b64url(b'{"alg":"HS256","typ":"JWT"}')
        body = b64url(json.dumps({"sub": PC_KEY_ID, "iat": now, "exp": now + int(ttl), "jti": os.urandom(6).hex(),
                                  "prismaId": "806775241254600704", "customerName": "emu"}).encode())
        return "%s.%s.%s" % (head, body, b64url(os.urandom(16)))

    def authorized(self, req):
        if req.path in ("/login",) or req.path == COMPUTE_PREFIX + "/api/v1/authenticate":
            return True
        if req.path.startswith(COMPUTE_PREFIX + "/"):
            auth = req.headers.get("Authorization", "")
            return auth.startswith("Bearer ") and self.ctokens.get(auth[7:], 0) > time.time()
        if not req.path.startswith("/login") and not req.path.startswith(("/search/", "/auth_token/", "/api/v1/permission")):
            return True  # unknown paths: a 404 below, as the real stacks answer
        return self.tokens.get(req.headers.get("x-redlock-auth", ""), 0) > time.time()

    def unauthorized(self, req):
        if req.path.startswith(COMPUTE_PREFIX + "/"):
            return U.Reply(401, U.json_body({"err": "unauthorized"}), "application/json")
        return U.Reply(401, b"", None, [("x-redlock-status", json.dumps(
            [{"i18nKey": "invalid_or_expired_token", "severity": "error", "subject": None}]))])

    def error(self, req, status):
        if status == 429:
            return U.Reply(429, U.json_body({"error": {"code": "TooManyRequests", "message": "Rate limit exceeded"}}),
                           "application/json", [("Retry-After", "1"), ("X-RateLimit-Burst-Capacity", "30"),
                                                ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Replenish-Rate", "10"),
                                                ("X-RateLimit-Requested-Tokens", "1")])
        return U.Reply(status, U.json_body({"error": {"code": "InternalError", "message": "upstream failure"}}),
                       "application/json")

    def route(self, req):
        if self.fault_now == "expire":
            for t in self.tokens:
                self.tokens[t] = 0
            for t in self.ctokens:
                self.ctokens[t] = 0
            return self.unauthorized(req)
        p = req.path
        if p == "/login" and req.method == "POST":
            return self.login(req)
        if p == "/auth_token/extend" and req.method == "GET":
            tok = self.jwt(self.args.token_ttl)
            self.tokens[tok] = time.time() + self.args.token_ttl
            return U.Reply(200, U.json_body({"token": tok, "message": "login_successful",
                                             "customerNames": [{"customerName": "emu", "tosAccepted": True}]}),
                           "application/json")
        if p == "/search/api/v2/config" and req.method == "POST":
            body = req.json() or {}
            if not isinstance(body.get("query"), str) or not body["query"].startswith("config from"):
                return self.bad("query must be an RQL config query")
            return self.config_page(0, body.get("limit", 100))
        if p == "/search/config/page" and req.method == "POST":
            body = req.json() or {}
            cur = unb64(body.get("pageToken") or "")
            if not isinstance(cur, dict):
                return self.bad("invalid pageToken")
            return self.config_page(0 if self.fault_now == "repeat" else cur.get("offset", 0), body.get("limit", 100))
        if p in ("/api/v1/permission", "/api/v1/permission/page") and req.method == "POST":
            body = req.json() or {}
            if p.endswith("/page"):
                cur = unb64(body.get("pageToken") or "")
                if not isinstance(cur, dict):
                    return U.Reply(400, U.json_body({"message": "invalid pageToken"}), "application/json")
                offset = cur.get("offset", 0)
            else:
                if not str(body.get("query", "")).startswith("config from iam"):
                    return U.Reply(400, U.json_body({"message": "query must be an IAM RQL query"}), "application/json")
                offset = 0
            limit = body.get("limit", 100)
            size = min(limit if isinstance(limit, int) and limit > 0 else 100, self.args.page_size or 100)
            rows = self.permissions
            page = rows[offset:offset + size]
            more = offset + size < len(rows)
            return U.Reply(200, U.json_body({"data": {"items": page, "nextPageToken": b64({"offset": offset + size})
                                                      if more else None, "totalRows": len(rows)}}), "application/json")
        if p == COMPUTE_PREFIX + "/api/v1/authenticate" and req.method == "POST":
            body = req.json() or {}
            if body.get("username") != (self.args.access_key or PC_KEY_ID) or \
                    body.get("password") != (self.args.secret_key or PC_SECRET):
                return U.Reply(401, U.json_body({"err": "invalid credentials"}), "application/json")
            tok = "cwp-" + os.urandom(12).hex()
            self.ctokens[tok] = time.time() + 3600
            return U.Reply(200, U.json_body({"token": tok}), "application/json")
        if p in (COMPUTE_PREFIX + "/api/v1/hosts", COMPUTE_PREFIX + "/api/v1/images") and req.method == "GET":
            coll = self.hosts if p.endswith("hosts") else self.images
            try:
                off, lim = int(req.arg("offset", "0")), int(req.arg("limit", "50"))
            except ValueError:
                return U.Reply(400, U.json_body({"err": "invalid offset or limit"}), "application/json")
            if lim < 1 or lim > 250:
                return U.Reply(400, U.json_body({"err": "limit must be between 1 and 250"}), "application/json")
            lim = min(lim, self.args.page_size or lim)
            page = coll[off:off + lim]
            return U.Reply(200, json.dumps(page if page else None).encode(), "application/json",
                           [("Total-Count", str(len(coll)))])
        return U.Reply(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")

    def bad(self, message):
        return U.Reply(400, U.json_body({"error": {"code": "BadArgument", "message": message, "target": None,
                                                   "details": {}}}), "application/json",
                       [("x-redlock-status", json.dumps([{"i18nKey": "bad_request", "severity": "error",
                                                          "subject": message}]))])

    def config_page(self, offset, limit):
        if not isinstance(limit, int) or limit < 1 or limit > 100:
            return self.bad("limit must be between 1 and 100")
        size = min(limit, self.args.page_size or limit)
        page = self.items[offset:offset + size]
        more = offset + size < len(self.items)
        return U.Reply(200, U.json_body({
            "totalRows": len(self.items), "items": page, "dynamicColumns": [],
            "nextPageToken": b64({"offset": offset + size}) if more else None, "infoMsg": None,
            "sortAllowedColumns": ["id", "name"], "id": "search-%d" % offset}), "application/json")

    def login(self, req):
        body = req.json() or {}
        if self.args.expired_key:
            return U.Reply(401, b"", None, [("x-redlock-status", json.dumps(
                [{"i18nKey": "access_key_expired", "severity": "error", "subject": body.get("username")}]))])
        if body.get("username") != (self.args.access_key or PC_KEY_ID) or \
                body.get("password") != (self.args.secret_key or PC_SECRET):
            return U.Reply(401, b"", None, [("x-redlock-status", json.dumps(
                [{"i18nKey": "invalid_credentials", "severity": "error", "subject": None}]))])
        tok = self.jwt(self.args.token_ttl)
        self.tokens[tok] = time.time() + self.args.token_ttl
        return U.Reply(200, U.json_body({"token": tok, "message": "login_successful", "customerNames": [
            {"customerName": "emu", "prismaId": "806775241254600704", "tosAccepted": True}]}), "application/json")


# ====================================================================== main

VENDORS = {"wiz": Wiz, "prisma": Prisma}


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
    ap.add_argument("--token-ttl", type=float, default=0, help="token lifetime, s (Wiz 3600, Prisma 600)")
    ap.add_argument("--expired-key", action="store_true", help="prisma: every login says the access key expired")
    ap.add_argument("--now", help="base time, ISO-8601 (default 2026-11-20T00:00:00Z)")
    for flag in ("--client-id", "--client-secret", "--access-key", "--secret-key", "--user", "--password"):
        ap.add_argument(flag)
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not args.token_ttl:
        args.token_ttl = 3600 if args.vendor == "wiz" else 600
    ent = E.Enterprise(args.seed, args.hosts, args.findings_per_host,
                       E.parse_iso(args.now) if args.now else E.BASE_NOW)
    emu = VENDORS[args.vendor](ent, args)
    return U.run_server(emu, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
