#!/usr/bin/env python3
"""generate.py - writes the example enterprise (Contoso Manufacturing) as record files.

The company is hand-designed (see README.md in this folder); this script only spells it
out as records, deterministically: `python3 generate.py` rewrites run1/ and run2/.
"""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = "contoso.local"


def hexid(s, n=32):
    return hashlib.sha1(s.encode()).hexdigest()[:n]


def mac(i):
    return "00:50:56:%02x:%02x:%02x" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


# name, ip, role data (props), exposed, os
DEVICES = [
    # DMZ
    ("web01", "10.10.1.11", {"installedSoftware": ["nginx 1.18", "PHP 8.1.2"], "openPorts": [80, 443]}, True, "linux"),
    ("web02", "10.10.1.12", {"installedSoftware": ["Apache Tomcat 9.0.50", "Apache Log4j 2.14"], "openPorts": [443, 8080]}, True, "linux"),
    ("vpn01", "10.10.1.5", {"installedSoftware": ["FortiOS 7.2.4"], "openPorts": [443, 10443], "deviceType": "network"}, True, "network"),
    ("mail01", "10.10.1.20", {"installedSoftware": ["Microsoft Exchange Server 2019 CU12"], "openPorts": [25, 443]}, True, "windows"),
    # tier 0
    ("dc01", "10.20.0.10", {"deviceRole": ["DomainController"], "services": ["ldap", "kerberos", "dns"], "openPorts": [53, 88, 389, 636]}, False, "windows"),
    ("dc02", "10.20.0.11", {"deviceRole": ["DomainController"], "services": ["ldap", "kerberos", "dns"], "openPorts": [53, 88, 389, 636]}, False, "windows"),
    ("adfs01", "10.20.0.20", {"installedSoftware": ["Active Directory Federation Services"]}, False, "windows"),
    ("ca01", "10.20.0.21", {"installedSoftware": ["Active Directory Certificate Services"]}, False, "windows"),
    ("aadc01", "10.20.0.22", {"installedSoftware": ["Microsoft Azure AD Connect 2.1"]}, False, "windows"),
    # infrastructure
    ("ex01", "10.20.1.30", {"installedSoftware": ["Microsoft Exchange Server 2019 CU14"]}, False, "windows"),
    ("bkp01", "10.20.1.40", {"installedSoftware": ["Veeam Backup & Replication 12"]}, False, "windows"),
    ("vc01", "10.20.1.50", {"osName": "VMware vCenter Server Appliance 8.0"}, False, "linux"),
    ("esx01", "10.20.1.51", {"osName": "VMware ESXi 8.0"}, False, "esxi"),
    ("esx02", "10.20.1.52", {"osName": "VMware ESXi 8.0"}, False, "esxi"),
    ("hv01", "10.20.1.60", {"installedSoftware": ["Hyper-V"]}, False, "windows"),
    ("ns01", "10.20.1.70", {"installedSoftware": ["ISC BIND 9.18"], "openPorts": [53]}, False, "linux"),
    ("cm01", "10.20.1.80", {"installedSoftware": ["Microsoft Endpoint Configuration Manager"]}, False, "windows"),
    ("fs01", "10.20.2.10", {"deviceRole": ["FileServer"]}, False, "windows"),
    ("fs02", "10.20.2.11", {"deviceRole": ["FileServer"]}, False, "windows"),
    ("sql01", "10.20.3.10", {"installedSoftware": ["Microsoft SQL Server 2019"], "containsSensitiveData": True}, False, "windows"),
    ("sql02", "10.20.3.11", {"installedSoftware": ["Microsoft SQL Server 2016"]}, False, "windows"),
    ("jump01", "10.20.4.10", {"deviceRole": ["JumpHost"], "openPorts": [3389]}, False, "windows"),
    ("paw01", "10.20.4.20", {"deviceRole": ["PAW"]}, False, "windows"),
] + [("app%02d" % i, "10.30.0.%d" % (10 + i), {"installedSoftware": ["OpenJDK 17"]}, False, "linux") for i in range(1, 7)] \
  + [("ws%03d" % i, "10.40.%d.%d" % (i // 200, 10 + i % 200), {"deviceType": "workstation"}, False, "windows") for i in range(1, 61)]

# CVEs: id -> (severity, cvss, exploit, rce, privesc)
CVES = {
    "CVE-2024-4577": ("critical", 9.8, True, True, False),    # PHP CGI argument injection
    "CVE-2021-44228": ("critical", 10.0, True, True, False),  # Log4Shell
    "CVE-2024-21762": ("critical", 9.8, True, True, False),   # FortiOS SSL VPN
    "CVE-2021-26855": ("critical", 9.1, True, True, False),   # ProxyLogon
    "CVE-2020-1472": ("critical", 10.0, True, False, True),   # Zerologon
    "CVE-2021-34527": ("high", 8.8, True, True, True),        # PrintNightmare
    "CVE-2023-23397": ("critical", 9.8, True, False, True),   # Outlook
    "CVE-2023-4966": ("critical", 9.4, True, False, False),   # Citrix Bleed
    "CVE-2022-22965": ("critical", 9.8, True, True, False),   # Spring4Shell
    "CVE-2023-44487": ("high", 7.5, True, False, False),      # HTTP/2 rapid reset
    "CVE-2022-0847": ("high", 7.8, True, False, True),        # Dirty Pipe
    "CVE-2023-21716": ("critical", 9.8, False, True, False),  # Word RTF
    "CVE-2024-21413": ("critical", 9.8, True, True, False),   # Outlook MonikerLink
    "CVE-2023-36884": ("high", 8.8, True, True, False),
    "CVE-2022-41040": ("high", 8.8, True, False, True),       # ProxyNotShell
    "CVE-2021-3156": ("high", 7.8, True, False, True),        # sudo Baron Samedit
    "CVE-2023-38545": ("critical", 9.8, False, True, False),  # curl SOCKS5
    "CVE-2019-0708": ("critical", 9.8, True, True, False),    # BlueKeep
    "CVE-2022-26923": ("high", 8.8, True, False, True),       # Certifried (ADCS)
    "CVE-2023-20198": ("critical", 10.0, True, True, False),  # IOS XE
}

FINDINGS = {
    "web01": ["CVE-2024-4577", "CVE-2023-44487"],
    "web02": ["CVE-2021-44228", "CVE-2022-22965"],
    "vpn01": ["CVE-2024-21762"],
    "mail01": ["CVE-2021-26855", "CVE-2022-41040"],
    "dc01": ["CVE-2020-1472"],
    "dc02": ["CVE-2021-34527"],
    "ca01": ["CVE-2022-26923"],
    "ex01": ["CVE-2022-41040"],
    "sql02": ["CVE-2019-0708"],
    "app03": ["CVE-2022-0847", "CVE-2021-3156"],
    "ws007": ["CVE-2023-23397", "CVE-2024-21413"],
    "ws012": ["CVE-2023-36884"],
    "ws033": ["CVE-2023-21716"],
}

USERS = [("u%03d" % i, "User%03d" % i) for i in range(1, 41)] + [
    ("helpdesk.admin", "Helpdesk Admin"), ("jane.da", "Jane (Domain Admin)"), ("svc.backup", "Backup service"),
    ("ga.admin", "Global Admin"), ("j.doe", "John Doe"), ("old.admin", "Old Admin (disabled)"),
    ("svc.sql", "SQL service"), ("sec.ops", "SecOps analyst"), ("net.admin", "Network admin"),
]
GROUPS = ["Domain Admins", "Enterprise Admins", "Backup Operators", "Server Operators", "IT Admins", "Helpdesk",
          "Network Admins", "All Staff"]


def write(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r, sort_keys=False) + "\n")


def build(run):
    seen = "2026-11-23T06:00:00Z" if run == 1 else "2026-11-30T06:00:00Z"
    first = "2026-09-15T00:00:00Z"
    devices = [d for d in DEVICES if not (run == 2 and d[0] == "fs02")]           # decommissioned in run 2
    if run == 2:
        devices = devices + [("kiosk01", "10.10.1.40", {"installedSoftware": ["PHP 8.1.2"], "openPorts": [80]}, True, "windows")]
    findings = dict(FINDINGS)
    if run == 2:
        findings["web01"] = ["CVE-2023-44487"]                                       # the PHP RCE was patched
        findings["kiosk01"] = ["CVE-2024-4577"]
    cmdb, qualys, tenable, defender, entra, ad, cloud = [], [], [], [], [], [], []
    for idx, (name, ip, props, exposed, os_) in enumerate(devices):
        fqdn = "%s.%s" % (name, DOMAIN)
        p = dict(props)
        p.update({"osType": os_, "lastSeen": seen})
        crit = {"dc01": "very high", "dc02": "very high", "sql01": "high", "bkp01": "high", "web01": "medium"}.get(name)
        cm = {"osType": os_, "lastSeen": "2026-11-20T00:00:00Z", "cmdbClass": "cmdb_ci_%s_server" % ("win" if os_ == "windows" else "linux"),
              "businessService": "Manufacturing ERP" if name.startswith(("app", "sql")) else "IT Infrastructure"}
        if crit:
            cm["vendorCriticality"] = crit
        for k in ("deviceRole", "installedSoftware"):
            if k in props:
                cm[k] = props[k]
        # the renamed host: CMDB still has its old name, same serial and MAC
        cname = "FILESRV-OLD" if name == "fs01" else name.upper()
        cmdb.append({"type": "asset", "label": "device", "source_id": "cmdb:%s" % hexid("cmdb" + name),
                     "name": cname, "keys": {"hostname": cname, "fqdn": fqdn if name != "fs01" else "filesrv-old." + DOMAIN,
                                             "serial": "VMW-%s" % hexid("sn" + name, 10).upper(), "ipv4": [ip], "mac": [mac(idx)]},
                     "categories": ["device"], "props": cm})
        if not name.startswith("ws") or idx % 2 == 0:
            qp = {"osType": os_, "lastSeen": seen, "exposedToInternet": exposed}
            if "openPorts" in props:
                qp["openPorts"] = props["openPorts"]
            if "services" in props:
                qp["services"] = props["services"]
            if "osName" in props:
                qp["osName"] = props["osName"]
            qualys.append({"type": "asset", "label": "device", "source_id": "qualys:%d" % (100000 + idx),
                           "name": fqdn + ".", "keys": {"fqdn": fqdn.upper() + ".", "ipv4": [ip]}, "props": qp})
        if name in findings or exposed:
            tenable.append({"type": "asset", "label": "device", "source_id": "tenable:%s" % hexid("ten" + name, 8),
                            "name": name, "keys": {"hostname": name, "ipv4": [ip], "mac": [mac(idx).replace(":", "-").upper()]},
                            "props": {"lastSeen": seen, "exposedToInternet": exposed}})
        if os_ == "windows":
            dp = {"osType": "windows", "lastSeen": seen, "onboardingStatus": "Onboarded"}
            if "installedSoftware" in props:
                dp["installedSoftware"] = props["installedSoftware"]
            if "deviceRole" in props:
                dp["deviceRole"] = props["deviceRole"]
            defender.append({"type": "asset", "label": "device", "source_id": "defender:%s" % hexid("mde" + name, 40),
                             "name": fqdn, "keys": {"fqdn": fqdn, "mde_id": hexid("mde" + name, 40), "mac": [mac(idx)]}, "props": dp})
        for cve in findings.get(name, []):
            sev, cvss, expl, rce, pe = CVES[cve]
            f = {"type": "finding", "cve": cve, "severity": sev, "cvss": cvss, "exploitAvailable": expl, "rce": rce,
                 "privilegeEscalation": pe, "status": "open", "firstFound": first, "lastFound": seen}
            if not name.startswith("ws") or idx % 2 == 0:
                qualys.append(dict(f, asset="qualys:%d" % (100000 + idx)))
            if name in findings or exposed:
                tenable.append(dict(f, asset="tenable:%s" % hexid("ten" + name, 8)))
        if run == 2 and name == "web01":
            f = {"type": "finding", "cve": "CVE-2024-4577", "severity": "critical", "cvss": 9.8, "exploitAvailable": True,
                 "rce": True, "status": "fixed", "firstFound": first, "lastFound": seen}
            qualys.append(dict(f, asset="qualys:%d" % (100000 + idx)))
    # DHCP: two laptops that got the same address at different times; they must stay two nodes
    defender.append({"type": "asset", "label": "device", "source_id": "defender:" + hexid("laptop-a", 40), "name": "laptop-a." + DOMAIN,
                     "keys": {"fqdn": "laptop-a." + DOMAIN, "mde_id": hexid("laptop-a", 40), "ipv4": ["10.50.0.77"]}, "props": {"osType": "windows", "lastSeen": seen}})
    qualys.append({"type": "asset", "label": "device", "source_id": "qualys:999001", "name": "laptop-b." + DOMAIN,
                   "keys": {"fqdn": "laptop-b." + DOMAIN, "ipv4": ["10.50.0.77"]}, "props": {"osType": "windows", "lastSeen": seen}})
    # the renamed host as the scanners see it now
    tenable.append({"type": "asset", "label": "device", "source_id": "tenable:" + hexid("tenfs01new", 8), "name": "fs01",
                    "keys": {"hostname": "fs01", "mac": [mac([d[0] for d in devices].index("fs01")).replace(":", "")]},
                    "props": {"lastSeen": seen}})

    # identities: Entra users with roles, AD groups and SIDs
    members = {"Domain Admins": ["jane.da"], "Enterprise Admins": [], "Backup Operators": ["svc.backup"],
               "Server Operators": [], "IT Admins": ["j.doe", "net.admin"], "Helpdesk": ["helpdesk.admin"],
               "Network Admins": ["net.admin"], "All Staff": ["u%03d" % i for i in range(1, 41)]}
    if run == 2:
        members["Domain Admins"] = ["jane.da", "u017"]                                  # a new Domain Admin
    roles = {"ga.admin": ["Global Administrator"], "old.admin": ["Privileged Role Administrator"],
             "sec.ops": ["Security Operator"], "helpdesk.admin": ["Helpdesk Administrator"], "j.doe": ["Exchange Administrator"]}
    for uid, disp in USERS:
        upn = "%s@contoso.com" % uid
        props = {"accountEnabled": uid != "old.admin", "mfaEnabled": uid not in ("old.admin", "j.doe", "svc.sql"),
                 "primaryProvider": "AzureActiveDirectory", "department": "IT" if "." in uid else "Manufacturing"}
        if uid in roles:
            props["assignedRoles"] = roles[uid]
        if uid == "j.doe":
            props["hasLeakedCredentials"] = True
        entra.append({"type": "asset", "label": "user", "source_id": "entra:" + hexid("aad" + uid, 32), "name": disp,
                      "keys": {"upn": upn, "aad_object_id": hexid("aad" + uid, 32)}, "props": props})
        ad.append({"type": "asset", "label": "user", "source_id": "ad:S-1-5-21-1004-%d" % (1000 + USERS.index((uid, disp))),
                   "name": uid, "keys": {"sid": "S-1-5-21-1004-%d" % (1000 + USERS.index((uid, disp))), "upn": upn.upper()},
                   "props": {"primaryProvider": "ActiveDirectory", "accountEnabled": uid != "old.admin"}})
    for gi, grp in enumerate(GROUPS):
        gsid = "ad:S-1-5-21-1004-%d" % (500 + gi)
        ad.append({"type": "asset", "label": "group", "source_id": gsid, "name": grp, "keys": {"sid": gsid[3:]}})
        for uid in members[grp]:
            ad.append({"type": "relation", "label": "member of", "from": "ad:S-1-5-21-1004-%d" % (1000 + [u[0] for u in USERS].index(uid)), "to": gsid})
    ad.append({"type": "relation", "label": "member of", "from": "ad:S-1-5-21-1004-505", "to": "ad:S-1-5-21-1004-504"})  # Helpdesk in IT Admins
    ad.append({"type": "relation", "label": "member of", "from": "ad:S-1-5-21-1004-506", "to": "ad:S-1-5-21-1004-504"})  # Network Admins in IT Admins

    def dev_ref(name):
        return "defender:" + hexid("mde" + name, 40) if any(d[0] == name and d[4] == "windows" for d in devices) \
            else "cmdb:" + hexid("cmdb" + name)

    def user_ref(uid):
        return "entra:" + hexid("aad" + uid, 32)

    def group_ref(grp):
        return "ad:S-1-5-21-1004-%d" % (500 + GROUPS.index(grp))

    rel = defender
    # who logs on where (credential exposure)
    for dev, uid in [("web01", "helpdesk.admin"), ("jump01", "jane.da"), ("ws007", "j.doe"), ("paw01", "jane.da"),
                     ("mail01", "svc.backup"), ("ws012", "net.admin"), ("sql01", "svc.sql")] + \
            ([("kiosk01", "jane.da")] if run == 2 else []) + [("ws%03d" % i, "u%03d" % i) for i in range(1, 41)]:
        rel.append({"type": "relation", "label": "frequently logged in by", "from": dev_ref(dev), "to": user_ref(uid)})
    rel.append({"type": "relation", "label": "has credentials of", "from": dev_ref("web02"), "to": user_ref("svc.sql")})
    # who may log on where
    for grp, dev in [("IT Admins", "jump01"), ("Domain Admins", "dc01"), ("Domain Admins", "dc02"), ("Backup Operators", "bkp01"),
                     ("Server Operators", "fs01"), ("Helpdesk", "ws007")]:
        ad.append({"type": "relation", "label": "CanRemoteInteractiveLogonTo", "from": group_ref(grp), "to": dev_ref(dev)})
    for uid, dev in [("svc.sql", "sql01"), ("svc.sql", "sql02"), ("svc.backup", "bkp01")] + [("net.admin", "ws%03d" % i) for i in range(1, 8)]:
        ad.append({"type": "relation", "label": "can authenticate to", "from": user_ref(uid), "to": dev_ref(dev)})
    # network
    for a, b in [("vpn01", "app03"), ("vpn01", "jump01"), ("web02", "app01"), ("app01", "sql02")]:
        cmdb.append({"type": "relation", "label": "routes traffic to", "from": "cmdb:" + hexid("cmdb" + a), "to": "cmdb:" + hexid("cmdb" + b)})
    cmdb.append({"type": "relation", "label": "has credentials of", "from": "cmdb:" + hexid("cmdbapp03"), "to": user_ref("svc.backup")})
    # business application
    cmdb.append({"type": "asset", "label": "businessapplication", "source_id": "cmdb:bapp-erp", "name": "Manufacturing ERP",
                 "props": {"vendorCriticality": "high"}})
    for d in ("app01", "app02", "sql01"):
        cmdb.append({"type": "relation", "label": "belongs to", "from": "cmdb:" + hexid("cmdb" + d), "to": "cmdb:bapp-erp"})

    # cloud
    sub = "/subscriptions/7f0c0000-0000-4000-8000-000000000001/resourceGroups/prod"
    cloud += [
        {"type": "asset", "label": "microsoft.compute/virtualmachines", "source_id": "cloud:vm-web-eu", "name": "vm-web-eu",
         "keys": {"cloud_id": sub + "/providers/Microsoft.Compute/virtualMachines/vm-web-eu"}, "categories": ["compute", "virtual_machine"],
         "props": {"exposedToInternet": True, "osType": "linux", "lastSeen": seen}},
        {"type": "finding", "asset": "cloud:vm-web-eu", "cve": "CVE-2023-38545", "severity": "critical", "cvss": 9.8, "exploitAvailable": True, "rce": True},
        {"type": "asset", "label": "managedidentity", "source_id": "cloud:mi-web", "name": "mi-web-eu",
         "keys": {"aad_object_id": hexid("mi-web", 32)}, "props": {}},
        {"type": "asset", "label": "microsoft.keyvault/vaults", "source_id": "cloud:kv-prod", "name": "kv-prod-secrets",
         "keys": {"cloud_id": sub + "/providers/Microsoft.KeyVault/vaults/kv-prod-secrets"}, "categories": ["data"],
         "props": {"connectedIdentities": 14}},
        {"type": "asset", "label": "microsoft.sql/servers/databases", "source_id": "cloud:sqldb-orders", "name": "sqldb-orders",
         "keys": {"cloud_id": sub + "/providers/Microsoft.Sql/servers/sql-prod/databases/orders"}, "categories": ["data", "database"],
         "props": {"containsSensitiveData": True}},
        {"type": "asset", "label": "microsoft.containerservice/managedclusters", "source_id": "cloud:aks-prod", "name": "aks-prod",
         "keys": {"cloud_id": sub + "/providers/Microsoft.ContainerService/managedClusters/aks-prod"}, "props": {"nodeCount": 3, "sku": "Standard"}},
        {"type": "asset", "label": "microsoft.storage/storageaccounts", "source_id": "cloud:st-public", "name": "stpublicassets",
         "keys": {"cloud_id": sub + "/providers/Microsoft.Storage/storageAccounts/stpublicassets"}, "props": {"publicAccess": True, "exposedToInternet": True}},
        {"type": "relation", "label": "can authenticate as", "from": "cloud:vm-web-eu", "to": "cloud:mi-web"},
        {"type": "relation", "label": "has permissions to", "from": "cloud:mi-web", "to": "cloud:kv-prod"},
        {"type": "relation", "label": "has permissions to", "from": "cloud:mi-web", "to": "cloud:sqldb-orders"},
        {"type": "relation", "label": "has permissions to", "from": user_ref("ga.admin"), "to": "cloud:aks-prod"},
    ]
    out = os.path.join(HERE, "run%d" % run)
    for name, recs in [("cmdb", cmdb), ("qualys", qualys), ("tenable", tenable), ("defender", defender),
                       ("entra", entra), ("ad", ad), ("cloud", cloud)]:
        write(os.path.join(out, name + ".jsonl"), recs)


if __name__ == "__main__":
    build(1)
    build(2)
