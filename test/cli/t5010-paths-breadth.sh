#!/bin/sh
test_description='attack paths at breadth: many target lanes across passes and threads, the per-target cut and choke point cuts, against a plain BFS oracle'
. "$(dirname "$0")/../lib/test-lib.sh"

# A random graph with more targets than one pass carries (256 lanes), so
# the targets span several passes on both threads, and a small
# max_per_target, so most pairs are counted as cut rather than kept.
# Checked against a BFS from every entry point:
# - kept paths are valid walks and shortest; per target, kept = min(pairs, max_per_target),
#   and no dropped pair is shorter than a kept one;
# - kept plus cut equals the oracle's pairs;
# - each choke point's pairs_cut equals the number of its paths' pairs that no longer
#   connect within max_hops once it is removed (a longer path may survive).
test_expect_success 'pairs, hop counts, cuts and choke point cuts equal a BFS oracle across passes' '
	python3 - "$XSM" <<-\PY
	import json, os, random, subprocess, sys, collections
	xsm = sys.argv[1]
	MAXH, PER = 8, 4
	bad = 0
	for seed, n, ntarget, nentry, m in ((1, 1500, 600, 60, 3600), (2, 900, 520, 40, 2000)):
	    r = random.Random(seed)
	    ids = list(range(n)); r.shuffle(ids)
	    targets = set(ids[:ntarget]); entries = set(ids[ntarget:ntarget + nentry])
	    lines = []
	    for i in range(n):
	        props = {"osType": "linux"}
	        if i in targets: props = {"vendorCriticality": "high"}
	        if i in entries: props = {"exposedToInternet": True}
	        lines.append({"type": "asset", "label": "device", "source_id": "t:%d" % i, "name": "n%d" % i,
	                      "keys": {"fqdn": "n%d.example.com" % i}, "props": props})
	        if i in entries:
	            lines.append({"type": "finding", "asset": "t:%d" % i, "cve": "CVE-2024-3400", "severity": "critical", "rce": True, "exploitAvailable": True})
	    adj = collections.defaultdict(set)
	    hub = ids[-1]
	    for k in range(m):
	        # sparse enough that hop counts vary; one node in ten edges is a hub
	        a, b = r.randrange(n), (hub if k % 10 == 0 else r.randrange(n))
	        if a == b: continue
	        adj[a].add(b)
	        lines.append({"type": "relation", "label": "routes traffic to", "from": "t:%d" % a, "to": "t:%d" % b})
	    store = os.path.abspath("breadth%d" % seed)
	    env = dict(os.environ, XSM_STORE=store)
	    subprocess.run([xsm, "-q", "init"], env=env, check=True)
	    with open(os.path.join(store, "attack-model.yaml"), "w") as f:
	        f.write("max_per_target: %d\n" % PER)
	    subprocess.run([xsm, "-q", "ingest", "--format", "records", "--source", "t", "-"], input="\n".join(json.dumps(l) for l in lines).encode(), env=env, check=True)
	    out = subprocess.run([xsm, "paths", "list", "--format=jsonl"], env=env, check=True, capture_output=True).stdout.decode()
	    ch = json.loads(subprocess.run([xsm, "paths", "chokepoints", "--format=json"], env=env, check=True, capture_output=True).stdout)
	    num = lambda name: int(name[1:])
	    def bfs(src, removed=None):
	        dist = {src: 0}; q = collections.deque([src])
	        while q:
	            u = q.popleft()
	            if dist[u] == MAXH: continue
	            for v in adj[u]:
	                if v != removed and v not in dist: dist[v] = dist[u] + 1; q.append(v)
	        return dist
	    dist = {e: bfs(e) for e in entries}
	    want = collections.defaultdict(dict)
	    for e in entries:
	        for t, d in dist[e].items():
	            if t in targets: want[t][e] = d
	    kept = collections.defaultdict(dict); paths = []
	    for l in out.splitlines():
	        p = json.loads(l)
	        steps = [num(s["NodeName"]) for s in p["steps"]]
	        e, t = steps[0], steps[-1]
	        for x, y in zip(steps, steps[1:]):
	            if y not in adj[x]: print("not an edge", x, y); bad += 1
	        if p["hops"] != len(steps) - 1 or want[t].get(e) != p["hops"]:
	            print("seed", seed, "pair", e, t, "hops", p["hops"], "oracle", want[t].get(e)); bad += 1
	        kept[t][e] = p["hops"]; paths.append(steps)
	    total = sum(len(v) for v in want.values()); nkept = sum(len(v) for v in kept.values())
	    for t in targets:
	        if len(kept[t]) != min(len(want[t]), PER):
	            print("seed", seed, "target", t, "kept", len(kept[t]), "of", len(want[t])); bad += 1
	        dropped = [d for e, d in want[t].items() if e not in kept[t]]
	        if kept[t] and dropped and min(dropped) < max(kept[t].values()):
	            print("seed", seed, "target", t, "dropped a shorter pair"); bad += 1
	    if ch["paths"] != nkept or ch["paths_cut"] != total - nkept:
	        print("seed", seed, "paths", ch["paths"], nkept, "cut", ch["paths_cut"], total - nkept); bad += 1
	    print("# seed %d: %d kept, %d cut" % (seed, nkept, total - nkept))
	    if nkept < 1000 or total - nkept < 2000:
	        print("seed", seed, "too few paths to test the cut:", nkept, total); bad += 1
	    checked = 0
	    for c in ch["chokepoints"]:
	        if c["pairs_cut"] is None: continue
	        node = num(c["NodeName"])
	        aff = [(s[0], s[-1]) for s in paths if node in s[1:-1]]
	        if len(aff) != c["paths"]:
	            print("seed", seed, "choke", node, "paths", c["paths"], len(aff)); bad += 1
	        after = {}
	        cut = 0
	        for e, t in aff:
	            if e not in after: after[e] = bfs(e, node)
	            cut += t not in after[e]
	        if cut != c["pairs_cut"]:
	            print("seed", seed, "choke", node, "pairs_cut", c["pairs_cut"], "oracle", cut); bad += 1
	        checked += 1
	    if checked < 3:
	        print("seed", seed, "only", checked, "choke points with a cut"); bad += 1
	sys.exit(bad)
	PY
'

test_done
