#!/usr/bin/env python3
"""A seeded fake enterprise shared by the four vendor emulators.

Everything is derived from the seed, lazily and per host:

* a cheap "core" pass over all hosts at construction time (role, vendor
  coverage, virtualisation, base timestamps) so that paging and filtering never
  have to build full records;
* `host(i)` builds one host's identity (names, addresses, OS, vendor ids);
* `findings(i)` builds one host's findings from a separate random stream.

Every vendor spells identity differently (see the emulators); the ground truth
used by tests is printed by `enterprise.py ... truth`.

Usage:  python3 enterprise.py --seed N --hosts N [--findings-per-host K] truth
"""

import argparse
import calendar
import hashlib
import json
import random
import sys
import time
import uuid

DOMAIN = "corp.example.com"
BASE_NOW = calendar.timegm((2026, 11, 20, 0, 0, 0))
DAY = 86400
HOUR = 3600
VENDORS = ("servicenow", "qualys", "rapid7", "tenable")
COVERAGE = {"servicenow": 0.90, "qualys": 0.80, "rapid7": 0.60, "tenable": 0.70}
CRITICALITY = ("1 - most critical", "2 - somewhat critical", "3 - less critical", "4 - not critical")

# ---------------------------------------------------------------- time helpers


def parse_iso(text):
    """'2026-11-20T00:00:00Z' (or without Z / with fraction) -> epoch seconds."""
    text = text.strip().rstrip("Z").split(".")[0].replace(" ", "T")
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%S"))


def sn_time(epoch):
    """ServiceNow glide date-time: 'YYYY-MM-DD HH:MM:SS' UTC, no T, no zone."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def iso(epoch):
    """ISO-8601 UTC with seconds (Qualys style)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def iso_ms(epoch, millis=0):
    """ISO-8601 UTC with milliseconds (Rapid7 / Tenable style)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + ".%03dZ" % millis


def day(epoch):
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


# ---------------------------------------------------------------- check pool

# (vendor, product, platform, port, protocol, service, tenable family, qualys category)
PRODUCTS = (
    ("apache", "httpd", "linux", 443, "tcp", "www", "Web Servers", "Web server"),
    ("openssl", "openssl", "any", 443, "tcp", "www", "General", "General remote services"),
    ("openbsd", "openssh", "linux", 22, "tcp", "ssh", "Misc.", "General remote services"),
    ("microsoft", "windows", "windows", 445, "tcp", "cifs", "Windows : Microsoft Bulletins", "Windows"),
    ("microsoft", "iis", "windows", 80, "tcp", "www", "Web Servers", "Web server"),
    ("oracle", "mysql", "linux", 3306, "tcp", "mysql", "Databases", "Database"),
    ("postgresql", "postgresql", "linux", 5432, "tcp", "postgresql", "Databases", "Database"),
    ("microsoft", "sql_server", "windows", 1433, "tcp", "mssql", "Databases", "Database"),
    ("linux", "kernel", "linux", 0, "tcp", "", "Red Hat Local Security Checks", "Local"),
    ("oracle", "jdk", "any", 0, "tcp", "", "Misc.", "Local"),
    ("mozilla", "firefox", "workstation", 0, "tcp", "", "Windows", "Local"),
    ("google", "chrome", "workstation", 0, "tcp", "", "Windows", "Local"),
    ("vmware", "esxi", "esx", 443, "tcp", "www", "Misc.", "VMware"),
    ("samba", "samba", "linux", 445, "tcp", "cifs", "Misc.", "SMB / NETBIOS"),
    ("f5", "nginx", "linux", 80, "tcp", "www", "Web Servers", "Web server"),
    ("microsoft", "active_directory", "dc", 389, "tcp", "ldap", "Windows", "Windows"),
)
IMPACTS = ("Remote Code Execution", "Denial of Service", "Information Disclosure",
           "Privilege Escalation", "Memory Corruption", "Security Bypass")
V3_VECTORS = (  # (minimum score, vector) - coarse but plausible
    (9.0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
    (7.0, "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N"),
    (4.0, "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N"),
    (0.0, "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"),
)
V2_VECTORS = ((7.0, "AV:N/AC:L/Au:N/C:P/I:P/A:P"), (4.0, "AV:N/AC:M/Au:N/C:P/I:N/A:N"),
              (0.0, "AV:L/AC:H/Au:S/C:P/I:N/A:N"))
# Findings without a CVE: (key, title, qualys type, qualys sev, cvss3, platform, port, service, info?)
NO_CVE_CHECKS = (
    ("ssl-self-signed", "SSL Certificate - Self-Signed Certificate", "Vulnerability", 2, 6.5, "any", 443, "www", False),
    ("ssl-weak-ciphers", "SSL/TLS Server supports weak cipher suites", "Vulnerability", 3, 5.3, "any", 443, "www", False),
    ("smb-signing-off", "SMB Signing not required", "Vulnerability", 2, 5.3, "windows", 445, "cifs", False),
    ("http-header-missing", "Missing HTTP header: X-Content-Type-Options", "Potential Vulnerability", 1, 0.0, "any", 443, "www", False),
    ("open-tcp-services", "Open TCP Services List", "Information Gathered", 1, 0.0, "any", 0, "", True),
    ("os-detected", "Operating System Detected", "Information Gathered", 1, 0.0, "any", 0, "", True),
    ("scan-info", "Host Scan Time - Scanner", "Information Gathered", 1, 0.0, "any", 0, "", True),
)


def _severity_names(cvss3):
    """Vendor severity spellings for one CVSS v3 base score."""
    if cvss3 >= 9.0:
        return 5, "critical", 4, "Critical", "Critical"
    if cvss3 >= 7.0:
        return 4, "high", 3, "High", "Critical" if cvss3 >= 8.0 else "Severe"
    if cvss3 >= 4.0:
        return 3, "medium", 2, "Medium", "Severe"
    if cvss3 > 0.0:
        return 2, "low", 1, "Low", "Moderate"
    return 1, "info", 0, "None", "Moderate"


def _pick(table, score):
    return next(v for lo, v in table if score >= lo)


def build_checks():
    """The fixed pool of ~200 CVE checks plus a few CVE-less checks (seed independent)."""
    rng = random.Random(20261120)
    checks, seen = [], set()
    for k in range(200):
        vendor, product, platform, port, proto, service, family, category = PRODUCTS[k % len(PRODUCTS)]
        while True:
            year, num = rng.randint(2020, 2025), rng.randint(10000, 49999)
            if (year, num) not in seen:
                seen.add((year, num))
                break
        cve = "CVE-%d-%d" % (year, num)
        cvss3 = round(rng.uniform(3.1, 10.0), 1)
        rce = rng.random() < (0.35 if port else 0.1)
        impact = "Remote Code Execution" if rce else rng.choice(IMPACTS[1:])
        checks.append(_check(
            key=cve, cve=cve, platform=platform, port=port, proto=proto, service=service,
            title="%s %s (%s)" % (_product_name(vendor, product), impact, cve),
            qid=100000 + k * 13, qtype="Vulnerability", cvss3=cvss3,
            cvss2=round(min(10.0, max(1.0, cvss3 - rng.uniform(0, 1.5))), 1),
            exploit=rce or rng.random() < 0.2, rce=rce,
            r7id="%s-%s-%s" % (vendor, product.replace("_", "-"), cve.lower()),
            plugin=150000 + k * 37, family=family, category=category,
            published=calendar.timegm((year, 1, 1, 0, 0, 0)) + rng.randint(20, 330) * DAY, info=False,
            cpe="cpe:/a:%s:%s" % (vendor, product)))
    for k, (key, title, qtype, qsev, cvss3, platform, port, service, info) in enumerate(NO_CVE_CHECKS):
        checks.append(_check(
            key=key, cve=None, platform=platform, port=port, proto="tcp", service=service, title=title,
            qid=90001 + k, qtype=qtype, cvss3=cvss3, cvss2=cvss3, exploit=False, rce=False,
            r7id=None if info else "generic-" + key, plugin=10100 + k * 11,
            family="Settings" if info else "General", category="Information gathering" if info else "General remote services",
            published=BASE_NOW - (3000 + k) * DAY, info=info, cpe=None, qsev=qsev))
    return checks


def _product_name(vendor, product):
    """'apache','httpd' -> 'Apache Httpd'; 'openssl','openssl' -> 'Openssl'."""
    name = product.replace("_", " ").title()
    return name if vendor == product else "%s %s" % (vendor.title(), name)


def _check(qsev=None, **kw):
    """One check record; derived vendor severities are added here."""
    q, tsev, tsev_id, risk, r7sev = _severity_names(kw["cvss3"])
    kw.update(qsev=qsev or q, tsev="info" if kw["info"] else tsev, tsev_id=0 if kw["info"] else tsev_id,
              risk="None" if kw["info"] else risk, r7sev=r7sev,
              r7score=max(1, min(10, int(round(kw["cvss3"])))),
              v3vector=_pick(V3_VECTORS, kw["cvss3"]), v2vector=_pick(V2_VECTORS, kw["cvss2"]),
              vpr=round(min(10.0, kw["cvss3"] * 0.9 + (1.0 if kw["exploit"] else 0.0)), 1))
    return kw


CHECKS = build_checks()
CHECKS_BY_QID = {c["qid"]: c for c in CHECKS}
CHECKS_BY_R7 = {c["r7id"]: c for c in CHECKS if c["r7id"]}
CVE_CHECKS = [c for c in CHECKS if c["cve"]]

# ---------------------------------------------------------------- roles

# role: (weight, server?, platforms it can run)
ROLES = {
    "web": (15, True, ("linux",)),
    "app": (15, True, ("linux", "windows")),
    "db": (10, True, ("linux", "windows")),
    "fs": (6, True, ("windows",)),
    "dc": (3, True, ("windows",)),
    "hv": (4, True, ("esx",)),
    "wks": (47, False, ("workstation",)),
}
ROLE_NAMES = tuple(ROLES)
ROLE_WEIGHTS = tuple(ROLES[r][0] for r in ROLE_NAMES)
OS_TABLE = {  # platform: (sn class, sn os, family, vendor, product, base version, patch base)
    "linux": ("cmdb_ci_linux_server", "Linux Red Hat", "Linux", "Red Hat", "Enterprise Linux", "8", 6),
    "windows": ("cmdb_ci_win_server", "Windows 2019 Standard", "Windows", "Microsoft", "Windows Server 2019 Standard", "10.0.17763", 4000),
    "esx": ("cmdb_ci_esx_server", "ESXi", "VMware", "VMware", "ESXi", "7.0.3", 20000),
    "workstation": ("cmdb_ci_computer", "Windows 10 Enterprise", "Windows", "Microsoft", "Windows 10 Enterprise", "10.0.19045", 3000),
}
SERVICES = {  # role -> [(port, protocol, service name, product, vendor)]
    "web": [(22, "tcp", "SSH", "OpenSSH", "OpenBSD"), (80, "tcp", "HTTP", "HTTPD", "Apache"), (443, "tcp", "HTTPS", "HTTPD", "Apache")],
    "app": [(22, "tcp", "SSH", "OpenSSH", "OpenBSD"), (8443, "tcp", "HTTPS", "Tomcat", "Apache")],
    "db": [(22, "tcp", "SSH", "OpenSSH", "OpenBSD"), (5432, "tcp", "PostgreSQL", "PostgreSQL", "PostgreSQL")],
    "fs": [(135, "tcp", "DCE Endpoint Resolution", "Windows", "Microsoft"), (445, "tcp", "CIFS", "Windows", "Microsoft")],
    "dc": [(53, "udp", "DNS", "DNS Server", "Microsoft"), (88, "tcp", "Kerberos", "Kerberos", "Microsoft"),
           (389, "tcp", "LDAP", "Active Directory", "Microsoft"), (445, "tcp", "CIFS", "Windows", "Microsoft")],
    "hv": [(443, "tcp", "HTTPS", "ESXi", "VMware"), (902, "tcp", "VMware Authentication Daemon", "ESXi", "VMware")],
    "wks": [(135, "tcp", "DCE Endpoint Resolution", "Windows", "Microsoft"), (445, "tcp", "CIFS", "Windows", "Microsoft")],
}
APPL = {"web": "Apache HTTPD", "app": "Tomcat", "db": "PostgreSQL"}
ENVIRONMENTS = ("Production", "Production", "Production", "Test", "Development")
LOCATIONS = ("Frankfurt DC1", "London DC2", "Boston HQ", "Singapore Office")
USERS = (("alice.admin", "Alice", "Admin"), ("bob.ops", "Bob", "Ops"), ("carol.dba", "Carol", "Dba"),
         ("dave.net", "Dave", "Net"), ("erin.sec", "Erin", "Sec"), ("frank.desk", "Frank", "Desk"))
GROUPS = ("Linux Ops", "Windows Ops", "Database Team", "Service Desk", "Virtualization")
BUSINESS_APPS = (("Online Shop", 0), ("Payroll", 1), ("CRM", 1), ("Intranet Wiki", 2), ("Build Farm", 3))
# how a ServiceNow host serves its business application: web/app/db through the application CI that runs on
# it (cmdb_rel_ci, one hop), file servers by their u_primary_business_application field, hypervisors by a
# cmdb_rel_ci row of their own
BIZAPP_VIA = {"web": "hop", "app": "hop", "db": "hop", "fs": "field", "hv": "rel"}


def sys_id(seed, kind, key):
    """Deterministic 32-hex ServiceNow sys_id."""
    return hashlib.md5(("%d|%s|%s" % (seed, kind, key)).encode()).hexdigest()


class Core:
    """What is known about a host without building it (computed for all hosts)."""
    __slots__ = ("role", "platform", "cover", "virtual", "updated", "scanned")


class Host:
    """One host's identity; built lazily by Enterprise.host()."""


class Enterprise:
    def __init__(self, seed=1, hosts=40, findings_per_host=5, now=BASE_NOW):
        self.seed, self.n, self.k, self.now = seed, hosts, findings_per_host, now
        self.cores = [self._core(i) for i in range(hosts)]
        self._force_layout()
        self.by_role = {r: [i for i, c in enumerate(self.cores) if c.role == r] for r in ROLE_NAMES}
        self.covered = {v: [i for i, c in enumerate(self.cores) if v in c.cover] for v in VENDORS}
        self.touched = {}          # host index -> (generation, epoch)
        self.touch_calls = 0
        self._cache = {}
        self._pools = {}

    # ------------------------------------------------------------ core pass

    def _rng(self, i, stream=0):
        return random.Random((self.seed * 1000003 + i) * 4 + stream)

    def _core(self, i):
        rng = self._rng(i)
        c = Core()
        c.cover = {v for v in VENDORS if rng.random() < COVERAGE[v]}
        c.role = rng.choices(ROLE_NAMES, ROLE_WEIGHTS)[0]
        c.platform = rng.choice(ROLES[c.role][2])
        c.virtual = ROLES[c.role][1] and c.role not in ("hv", "dc") and rng.random() < 0.6
        c.updated = self.now - rng.randint(2, 200) * DAY - rng.randint(0, DAY)
        c.scanned = self.now - rng.randint(1, 72) * HOUR - rng.randint(0, HOUR)
        return c

    def _force_layout(self):
        """Guarantee coverage, scanner-only hosts and one DHCP collision pair."""
        for c in self.cores:
            if not c.cover:
                c.cover.add("qualys")
        for c in self.cores[-2:] if self.n >= 10 else ():
            c.cover = (c.cover - {"servicenow"}) | {"qualys", "tenable"}
        self.dhcp_pair = None
        wks = [i for i, c in enumerate(self.cores[:-2]) if c.role == "wks"]
        if len(wks) >= 2:
            a, b = wks[0], wks[1]
            self.cores[a].cover = (self.cores[a].cover - {"tenable"}) | {"qualys"}
            self.cores[b].cover = (self.cores[b].cover - {"qualys"}) | {"tenable"}
            self.dhcp_pair = (a, b)

    # ------------------------------------------------------------ time state

    def updated(self, i):
        """Last change time of host i (touch aware)."""
        t = self.touched.get(i)
        return t[1] if t else self.cores[i].updated

    def scanned(self, i):
        """Last scan / processing time of host i (touch aware)."""
        t = self.touched.get(i)
        return t[1] if t else self.cores[i].scanned

    def touch(self, vendor, count):
        """Mark `count` deterministic hosts covered by `vendor` as changed now+1h*call."""
        self.touch_calls += 1
        when = self.now + self.touch_calls * HOUR
        pool = self.covered[vendor]
        picked = sorted(random.Random(self.seed * 7919 + self.touch_calls).sample(pool, min(count, len(pool))))
        for i in picked:
            self.touched[i] = (self.touched.get(i, (0, 0))[0] + 1, when)
        return [self.host(i).name for i in picked]

    # ------------------------------------------------------------ identity

    def host(self, i):
        """Full identity of host i (cached; rebuilt after a touch)."""
        gen = self.touched.get(i, (0, 0))[0]
        key = (i, gen)
        h = self._cache.get(key)
        if h is None:
            if len(self._cache) > 20000:
                self._cache.clear()
            h = self._cache[key] = self._build_host(i, gen)
        return h

    def _build_host(self, i, gen):
        c, rng, h = self.cores[i], self._rng(i, 1), Host()
        h.index, h.role, h.platform, h.virtual = i, c.role, c.platform, c.virtual
        h.name = "%s-%04d" % (c.role, i + 1)
        h.fqdn = "%s.%s" % (h.name, DOMAIN)
        a = i // 254
        h.ip = "10.%d.%d.%d" % (a // 256 + 1, a % 256, i % 254 + 1)
        low = (i * 2654435761 + self.seed * 40503) & 0xFFFFFF
        oui = (0x00, 0x50, 0x56) if c.virtual else rng.choice(((0x00, 0x1A, 0x4B), (0x3C, 0xA8, 0x2A), (0xF4, 0x8E, 0x38)))
        h.mac_bytes = oui + ((low >> 16) & 255, (low >> 8) & 255, low & 255)
        h.mac = ":".join("%02x" % b for b in h.mac_bytes)
        h.serial = ("VMware-42 %02x %02x" % (low >> 8 & 255, low & 255) + " %08x" % rng.getrandbits(32)) if c.virtual \
            else "%s%07d%s" % (rng.choice(("CZ", "5CG", "MXQ", "SGH")), i, "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)))
        h.bios_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        h.criticality = rng.choices((1, 2, 3, 4), (1, 2, 3, 4) if c.role != "wks" else (0, 1, 3, 6))[0]
        h.environment = rng.choice(ENVIRONMENTS)
        h.location = rng.randrange(len(LOCATIONS))
        h.owner = rng.randrange(len(USERS))
        h.group = rng.randrange(len(GROUPS))
        h.created = c.updated - rng.randint(100, 1500) * DAY
        h.first_seen = h.created + rng.randint(0, 30) * DAY
        sn_class, sn_os, family, os_vendor, product, version, patch = OS_TABLE[c.platform]
        h.sn_class, h.sn_os, h.os_family, h.os_vendor, h.os_product = sn_class, sn_os, family, os_vendor, product
        h.os_version = "%s.%d" % (version, patch + rng.randint(0, 20) + gen)
        h.os_name = "%s %s" % (product, h.os_version) if c.platform != "linux" else "Red Hat Enterprise Linux %s" % h.os_version
        h.services = SERVICES[c.role]
        h.sys_id = sys_id(self.seed, "ci", i)
        h.qualys_id = 1000000 + i * 4 + rng.randint(0, 3)
        h.rapid7_id = i + 1
        h.rapid7_v4 = "%s-default" % uuid.UUID(int=rng.getrandbits(128), version=4)
        h.tenable_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        h.agent_uuid = uuid.UUID(int=rng.getrandbits(128), version=4).hex if c.role == "wks" else None
        h.hypervisor = self._peer(i, "hv") if c.virtual else None
        h.updated, h.scanned, h.cover = self.updated(i), self.scanned(i), c.cover
        return h

    def business_app(self, i):
        """Index into BUSINESS_APPS of the application host i serves in ServiceNow, or None."""
        c = self.cores[i]
        return i % len(BUSINESS_APPS) if "servicenow" in c.cover and c.role in BIZAPP_VIA else None

    def _peer(self, i, role, vendor="servicenow"):
        """Deterministic partner host of `role` covered by `vendor` (or None)."""
        key = (role, vendor)
        if key not in self._pools:
            self._pools[key] = [j for j in self.by_role[role] if vendor in self.cores[j].cover]
        pool = self._pools[key]
        if not pool or pool == [i]:
            return None
        pos = (i * 7919 + self.seed) % len(pool)
        return pool[pos] if pool[pos] != i else pool[(pos + 1) % len(pool)]

    def vendor_ip(self, vendor, i):
        """The IPv4 a vendor reports for host i (the DHCP collision lives here)."""
        if self.dhcp_pair and vendor == "tenable" and i == self.dhcp_pair[1]:
            return self.host(self.dhcp_pair[0]).ip
        return self.host(i).ip

    # ------------------------------------------------------------ findings

    def findings(self, i):
        """Host i's findings: K open CVE findings, maybe a fixed one, CVE-less and info checks.

        Each finding is a dict: check, port, status (New|Active|Re-Opened|Fixed),
        first_found, last_found, times_found, last_fixed.
        """
        h, rng = self.host(i), self._rng(i, 2)
        platforms = {"any", h.platform} | ({"windows", "dc"} if h.role == "dc" else set()) \
            | ({"windows"} if h.platform == "workstation" else set())
        pool = [c for c in CVE_CHECKS if c["platform"] in platforms]
        chosen = rng.sample(pool, min(len(pool), self.k + 1))
        out = []
        for n, check in enumerate(chosen):
            fixed = n == self.k
            if fixed and rng.random() >= 0.15:
                break
            out.append(self._finding(rng, h, check, "Fixed" if fixed else None))
        for check in CHECKS[len(CVE_CHECKS):]:
            if check["platform"] in platforms and (check["info"] or rng.random() < 0.3):
                out.append(self._finding(rng, h, check, None))
        return out

    def _finding(self, rng, h, check, status):
        first = h.scanned - rng.randint(0, 400) * DAY - rng.randint(0, DAY)
        if status is None:
            roll = rng.random()
            status = "New" if first > h.scanned - 7 * DAY else ("Re-Opened" if roll < 0.08 else "Active")
        last = h.scanned if status != "Fixed" else max(first, h.scanned - rng.randint(10, 60) * DAY)
        return {"check": check, "port": check["port"], "status": status, "first_found": first, "last_found": last,
                "times_found": rng.randint(1, 300),
                "last_fixed": (last + DAY if status == "Fixed" else first + rng.randint(1, 5) * DAY
                               if status == "Re-Opened" else None)}

    # ------------------------------------------------------------ truth

    def truth(self, i):
        """Ground truth for host i (what a correct merge must produce)."""
        h = self.host(i)
        f = self.findings(i)
        ids = {"servicenow": h.sys_id, "qualys": str(h.qualys_id), "rapid7": str(h.rapid7_id),
               "tenable": h.tenable_id}
        rec = {"host": h.name, "fqdn": h.fqdn, "ipv4": h.ip, "mac": h.mac, "serial": h.serial,
               "role": h.role, "criticality": h.criticality,
               "ids": {v: (ids[v] if v in h.cover else None) for v in VENDORS},
               "rapid7_v4_id": h.rapid7_v4 if "rapid7" in h.cover else None,
               "business_app": None if self.business_app(i) is None else BUSINESS_APPS[self.business_app(i)][0],
               "cves": sorted({x["check"]["cve"] for x in f if x["check"]["cve"] and x["status"] != "Fixed"}),
               "fixed_cves": sorted({x["check"]["cve"] for x in f if x["check"]["cve"] and x["status"] == "Fixed"})}
        if self.dhcp_pair and i in self.dhcp_pair:
            other = self.dhcp_pair[1] if i == self.dhcp_pair[0] else self.dhcp_pair[0]
            rec["dhcp_collision_with"] = self.host(other).name
        return rec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=40)
    ap.add_argument("--findings-per-host", type=int, default=5)
    ap.add_argument("--now", default=None, help="base time, ISO-8601 (default 2026-11-20T00:00:00Z)")
    ap.add_argument("command", choices=("truth",))
    args = ap.parse_args(argv)
    ent = Enterprise(args.seed, args.hosts, args.findings_per_host, parse_iso(args.now) if args.now else BASE_NOW)
    out = sys.stdout
    for i in range(ent.n):
        out.write(json.dumps(ent.truth(i), sort_keys=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
