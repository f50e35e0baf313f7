#!/usr/bin/env python3
"""ad_truth.py FILE|DIR: the true memberships of an `xsm-gen --shape ad` directory.

Reads ad.jsonl (or the file given) and prints one JSON object:

  groups   for each of "Domain Admins", "Enterprise Admins", "Backup
           Operators", "Server Operators": the source_ids of the users
           that are members, directly or through nested groups ("member
           of" followed transitively, cycle-safe), and of the groups nested
           in it (the group itself only if a cycle leads back to it);
  roles    for each role in a group's props.assignedRoles: the users that
           hold it through a group they are in, transitively (memberOfRoles);
  devices  for each of those group names: the devices "frequently logged in
           by" one of its user members (loggedOnByPrivileged), e.g. the
           "Domain Admin device" rule.

Each list is sorted and comes with its count.  Used to check the critical
asset results of a build against the generated data.
"""
import json
import os
import sys
from collections import defaultdict

GROUPS = ["Domain Admins", "Enterprise Admins", "Backup Operators", "Server Operators"]


def members(target, children):
    """every node with a "member of" path to target (reverse search, cycle-safe)"""
    seen, todo = set(), [target]
    while todo:
        for c in children[todo.pop()]:
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


def main():
    if len(sys.argv) != 2:
        print("usage: ad_truth.py FILE|DIR", file=sys.stderr)
        return 64
    path = sys.argv[1]
    if os.path.isdir(path):
        path = os.path.join(path, "ad.jsonl")
    label, by_name, roles = {}, {}, defaultdict(list)
    children, logged_by = defaultdict(set), defaultdict(set)
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r["type"] == "asset":
                sid = r["source_id"]
                label[sid] = r["label"]
                if r["label"] == "group":
                    by_name[r["name"]] = sid
                    for role in r.get("props", {}).get("assignedRoles", []):
                        roles[role].append(sid)
            elif r["type"] == "relation" and r["label"] == "member of":
                children[r["to"]].add(r["from"])
            elif r["type"] == "relation" and r["label"] == "frequently logged in by":
                logged_by[r["to"]].add(r["from"])

    def users(ids):
        return sorted(i for i in ids if label.get(i) == "user")

    out = {"source": os.path.abspath(path), "groups": {}, "roles": {}, "devices": {}}
    for name in GROUPS:
        if name not in by_name:
            continue
        m = members(by_name[name], children)
        u = users(m)
        g = sorted(i for i in m if label.get(i) == "group")
        d = sorted({dev for user in u for dev in logged_by[user]})
        out["groups"][name] = {"source_id": by_name[name], "users": u, "user_count": len(u),
                               "groups": g, "group_count": len(g)}
        out["devices"][name] = {"devices": d, "device_count": len(d)}
    for role in sorted(roles):
        m = set()
        for g in roles[role]:
            m |= members(g, children)
        u = users(m)
        out["roles"][role] = {"groups": sorted(roles[role]), "users": u, "user_count": len(u)}
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
