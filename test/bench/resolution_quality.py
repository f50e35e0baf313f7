#!/usr/bin/env python3
"""resolution_quality.py - pairwise precision and recall of device merges.

Makes a multi-source estate with known truth (a CMDB, an EDR and two
vulnerability scanners over a few hundred machines), ingests it with
`xsm ingest --format records`, builds, and compares the device nodes with
the truth: over every pair of device records, precision is the share of
pairs put in one node that are one machine, recall the share of pairs
that are one machine put in one node.

The estate follows what the sources see in the field, not the resolver:
  - sites whose domains repeat short names (web01.corp and web01.lab) and
    whose private ranges overlap, laptops on DHCP pools whose addresses
    move between machines from one scan to the next;
  - servers rebuilt on new hardware under the same FQDN: a new serial,
    MAC and EDR id, often a new address; the CMDB may keep the retired CI,
    the EDR its stale device, the scanners their old asset;
  - renamed hosts: same hardware (serial, MAC, EDR id), a new name that
    the CMDB has and the scanners' older records do not;
  - each source's own spelling: upper-case FQDNs with a trailing dot, short
    names, dashed or dotted MACs, missing fields.

usage: resolution_quality.py [--seed N] [--hosts N] [--gaps X] [--xsm PATH] [--keep DIR] [--min X]
Prints one JSON line; with --min, exits 1 when precision or recall is below X.
reachable_recall is the recall of a resolver that joined every chain of
shared keys within a machine and nothing else: the ceiling the evidence
allows (a laptop record with a short name and a lease nobody else saw
cannot be placed by any rule that keeps "a hostname alone never merges").
"""
import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

DAY = 86400
NOW = 1795521600  # 2026-11-24T12:00:00Z


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Machine:
    """one physical or virtual machine (the truth), possibly retired"""
    n = 0

    def __init__(self, rnd, short, domain, kind, ip, last_seen):
        Machine.n += 1
        self.id = Machine.n
        self.short = short
        self.domain = domain
        self.kind = kind
        self.serial = "%s%08X" % (rnd.choice(["VMW-", "DELL-", "HP-", "LEN-"]), rnd.getrandbits(32))
        self.macs = ["%02x:%02x:%02x:%02x:%02x:%02x" % tuple([0x00, 0x50] + [rnd.getrandbits(8) for _ in range(4)])]
        if kind == "server" and rnd.random() < 0.3:
            self.macs.append("%02x:%02x:%02x:%02x:%02x:%02x" % tuple([0x00, 0x50] + [rnd.getrandbits(8) for _ in range(4)]))
        self.mde = "%040x" % rnd.getrandbits(160)
        self.ip = ip
        self.last_seen = last_seen
        self.old_short = None  # before a rename
        # servers are in DNS; laptops when dynamic DNS registered them
        self.in_dns = rnd.random() < (0.98 if kind == "server" else 0.85)

    @property
    def fqdn(self):
        return "%s.%s" % (self.short, self.domain)


def spell_mac(rnd, m):
    h = m.replace(":", "")
    return rnd.choice([m, m.upper(), "-".join(h[i:i + 2] for i in range(0, 12, 2)).upper(),
                       "%s.%s.%s" % (h[:4], h[4:8], h[8:])])


def spell_fqdn(rnd, f):
    return rnd.choice([f, f.upper() + ".", f + ".", f])


def estate(seed, hosts):
    rnd = random.Random(seed)
    domains = ["corp.example.com", "lab.example.com", "eu.example.com"]
    roles = ["web", "app", "db", "file", "mail", "dc", "print", "build", "proxy", "log", "mon", "sql"]
    machines = []   # every machine, current or retired
    current = []
    used = set()
    per_role = max(12, hosts // 20)  # role numbers a domain: names repeat across domains
    for i in range(hosts):
        domain = rnd.choices(domains, weights=[6, 2, 2])[0]
        if rnd.random() < 0.6:  # servers: a few role names, repeated in every domain
            kind = "server"
            while True:
                short = "%s%02d" % (rnd.choice(roles), rnd.randint(1, per_role))
                if (short, domain) not in used:
                    break
            # static address; sites reuse the same private ranges
            ip = "10.%d.%d.%d" % (rnd.randint(0, 3), rnd.randint(0, 3), rnd.randint(2, 60))
        else:
            kind = "laptop"
            while True:
                short = "lt-%04d" % rnd.randint(1, 2 * hosts)
                if (short, domain) not in used:
                    break
            ip = None  # DHCP, drawn per observation
        used.add((short, domain))
        m = Machine(rnd, short, domain, kind, ip, NOW - rnd.randint(0, 3) * DAY)
        machines.append(m)
        current.append(m)
    # servers rebuilt on new hardware under the same FQDN: the old one retired
    retired = []
    for m in list(current):
        if m.kind == "server" and rnd.random() < 0.12:
            old = Machine(rnd, m.short, m.domain, "server",
                          m.ip if rnd.random() < 0.3 else "10.%d.%d.%d" % (rnd.randint(0, 3), rnd.randint(0, 3), rnd.randint(2, 60)),
                          NOW - rnd.randint(40, 200) * DAY)
            machines.append(old)
            retired.append(old)
    # renamed hosts: the older records of some sources still carry the old name
    for m in current:
        if rnd.random() < 0.06:
            m.old_short = m.short
            m.short = m.short + "-n" if m.kind == "server" else "lt-%04d" % rnd.randint(2 * hosts + 1, 4 * hosts)
    return rnd, machines, current, retired


def dhcp_ip(rnd, m, t):
    """the address m's lease gave it at time t: a lease lasts days, then the
    address goes back to a small pool per site and another machine may get it"""
    if not hasattr(m, "leases"):
        pool = "10.9.%d.%%d" % (len(m.domain) % 2)
        start, m.leases = NOW - rnd.randint(0, 8) * DAY, []
        while start > NOW - 400 * DAY:
            m.leases.append((start, pool % rnd.randint(10, 200)))
            start -= rnd.randint(3, 30) * DAY
    for start, ip in m.leases:
        if t >= start:
            return ip
    return m.leases[-1][1]


def observe(seed, hosts, gaps=1.0):
    """the sources' records and the truth (source_id -> machine); gaps scales how often a source misses a field"""
    rnd, machines, current, retired = estate(seed, hosts)

    def have(p):
        return rnd.random() < 1 - (1 - p) * gaps

    recs = {"cmdb": [], "defender": [], "qualys": [], "tenable": []}
    truth = {}
    seq = itertools.count(1)

    def add(src, m, keys, name, seen):
        sid = "%s:%d" % (src, next(seq) * 7919 % 1000003)
        keys = {k: v for k, v in keys.items() if v not in (None, [], "")}
        recs[src].append({"type": "asset", "label": "device", "source_id": sid, "name": name or sid,
                          "keys": keys, "props": {"lastSeen": iso(seen)}})
        truth[sid] = m.id

    def ip_of(m, t):
        return m.ip if m.ip else dhcp_ip(rnd, m, t)

    for m in machines:
        is_retired = m in retired
        seen = m.last_seen
        renamed = m.old_short is not None
        # CMDB: the current estate, and retired CIs it was never told to drop
        if (not is_retired and rnd.random() < 0.95) or (is_retired and rnd.random() < 0.5):
            t = seen - rnd.randint(0, 5) * DAY
            keys = {"hostname": m.short.upper(),
                    "fqdn": m.fqdn if have(0.8) else None,
                    "serial": m.serial if have(0.9) else None,
                    "ipv4": [ip_of(m, t)] if have(0.8) else [],
                    "mac": [spell_mac(rnd, x) for x in m.macs] if have(0.6) else []}
            add("cmdb", m, keys, m.short.upper(), t)
        # EDR: onboarded machines; a rebuilt machine's old sensor stays until it ages out
        if rnd.random() < (0.85 if not is_retired else 0.7):
            name = m.fqdn if not (renamed and rnd.random() < 0.3) else "%s.%s" % (m.old_short, m.domain)
            keys = {"mde_id": m.mde,
                    "fqdn": name if have(0.9) else None,
                    "hostname": name.split(".")[0],
                    "ipv4": [ip_of(m, seen)] if have(0.7) else [],
                    "mac": [spell_mac(rnd, x) for x in m.macs] if have(0.5) else [],
                    "serial": m.serial if have(0.4) else None}
            add("defender", m, keys, name, seen)
        # network scanners: what DNS and the wire say at scan time
        # the scanners' names come from reverse DNS, so both have one or neither
        for src, p_seen, p_fqdn, p_mac in (("qualys", 0.7, 0.95, 0.3), ("tenable", 0.6, 0.9, 0.7)):
            if rnd.random() >= (p_seen if not is_retired else 0.6):
                continue
            short = m.old_short if renamed and rnd.random() < 0.5 else m.short
            fqdn = "%s.%s" % (short, m.domain)
            scan_seen = seen - rnd.randint(0, 10) * DAY
            keys = {"fqdn": spell_fqdn(rnd, fqdn) if m.in_dns and have(p_fqdn) else None,
                    "ipv4": [ip_of(m, scan_seen)] if have(0.97) else [],
                    "mac": [spell_mac(rnd, m.macs[0])] if have(p_mac) else []}
            if not keys["fqdn"] or rnd.random() < 0.3:
                keys["hostname"] = short if src == "tenable" else short.upper()
            add(src, m, keys, keys["fqdn"] or short, scan_seen)
    for v in recs.values():
        rnd.shuffle(v)
    return recs, truth


def merge_keys(keys):
    """a record's keys as xsm normalises them, less the short hostname alone (which never merges)"""
    out = set()
    for k in ("serial", "mde_id", "cloud_id"):
        if keys.get(k):
            out.add((k, keys[k].lower()))
    for m in keys.get("mac", []):
        out.add(("mac", "".join(c for c in m.lower() if c in "0123456789abcdef")))
    fqdn = (keys.get("fqdn") or "").lower().rstrip(".")
    if "." in fqdn:
        out.add(("fqdn", fqdn))
    host = (keys.get("hostname") or fqdn).lower().split(".")[0]
    for ip in keys.get("ipv4", []):
        if host:
            out.add(("hostip", host + "/" + ip))
    return out


def linkable(by_machine, keys_of):
    """the pairs of records of one machine that some chain of shared keys joins: what any rule can reach"""
    out = set()
    for sids in by_machine.values():
        parent = {s: s for s in sids}

        def find(x):
            while parent[x] != x:
                x = parent[x]
            return x
        first = {}
        for s in sids:
            for k in keys_of[s]:
                if k in first:
                    parent[find(s)] = find(first[k])
                else:
                    first[k] = s
        comp = {}
        for s in sids:
            comp.setdefault(find(s), []).append(s)
        out |= pairs_of(comp.values())
    return out


def pairs_of(groups):
    out = set()
    for g in groups:
        g = sorted(g)
        for a, b in itertools.combinations(g, 2):
            out.add((a, b))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=400)
    ap.add_argument("--gaps", type=float, default=0.25,
                    help="how often sources miss a field, as a share of the rates in observe() (1: the worst seen)")
    ap.add_argument("--xsm", default=os.environ.get("XSM", "build/bin/xsm"))
    ap.add_argument("--keep")
    ap.add_argument("--min", type=float)
    a = ap.parse_args()
    recs, truth = observe(a.seed, a.hosts, a.gaps)
    work = a.keep or tempfile.mkdtemp(prefix="xsm-resq.")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, XSM_STORE=os.path.join(work, "store"), XSM_NOW=iso(NOW))
    try:
        for src, lines in recs.items():
            f = os.path.join(work, src + ".jsonl")
            with open(f, "w") as fh:
                for r in lines:
                    fh.write(json.dumps(r) + "\n")
            subprocess.run([a.xsm, "-q", "ingest", "--no-build", "--format", "records", "--source", src, f],
                           env=env, check=True)
        subprocess.run([a.xsm, "-q", "graph", "build"], env=env, check=True)
        out = subprocess.run([a.xsm, "graph", "nodes", "--format=jsonl", "--label", "device"], env=env,
                             check=True, capture_output=True, text=True).stdout
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    pred = []
    for line in out.splitlines():
        n = json.loads(line)
        pred.append([e["id"] for e in n["EntityIds"] if e["type"] == "SourceId"])
    by_machine = {}
    for sid, m in truth.items():
        by_machine.setdefault(m, []).append(sid)
    p, t = pairs_of(pred), pairs_of(by_machine.values())
    both = len(p & t)
    keys_of = {r["source_id"]: merge_keys(r["keys"]) for v in recs.values() for r in v}
    reach = len(linkable(by_machine, keys_of))
    res = {"seed": a.seed, "hosts": a.hosts, "gaps": a.gaps, "records": len(truth), "machines": len(by_machine),
           "nodes": len(pred), "pred_pairs": len(p), "true_pairs": len(t),
           "precision": round(both / len(p), 4) if p else 1.0, "recall": round(both / len(t), 4) if t else 1.0,
           "reachable_recall": round(reach / len(t), 4) if t else 1.0}
    print(json.dumps(res))
    if a.min is not None and (res["precision"] < a.min or res["recall"] < a.min):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
