#!/bin/sh
test_description='attack paths on small graphs where every path, choke point and blast radius is known'
. "$(dirname "$0")/../lib/test-lib.sh"

# dev NAME [entry|dc|high|plain]: one device record
dev() {
	case "$2" in
	entry) props='"exposedToInternet":true' ;;
	dc) props='"deviceRole":["DomainController"]' ;;
	high) props='"vendorCriticality":"high"' ;;
	both) props='"exposedToInternet":true,"vendorCriticality":"high"' ;;
	*) props='"osType":"linux"' ;;
	esac
	printf '{"type":"asset","label":"device","source_id":"t:%s","name":"%s","keys":{"fqdn":"%s.example.com"},"props":{%s}}\n' "$1" "$1" "$1" "$props"
	if [ "$2" = entry ] || [ "$2" = both ]; then
		printf '{"type":"finding","asset":"t:%s","cve":"CVE-2024-3400","severity":"critical","cvss":10,"exploitAvailable":true,"rce":true}\n' "$1"
	fi
}
edge() { printf '{"type":"relation","label":"routes traffic to","from":"t:%s","to":"t:%s"}\n' "$1" "$2"; }

load() { # load FILE: a fresh store with just these records
	rm -rf "$XSM_STORE" && xsm -q ingest --format records --source t "$1"
}
pairs() { xsm paths list --format=jsonl | python3 -c '
import json, sys
for l in sys.stdin:
    p = json.loads(l)
    print(p["entry"]["NodeName"], p["target"]["NodeName"], p["hops"], p["risk"], "/".join(s["NodeName"] for s in p["steps"]))' | sort; }

test_expect_success 'a chain: one path, every step in order' '
	{ dev e entry; dev a; dev b; dev dc dc; edge e a; edge a b; edge b dc; } >chain.jsonl &&
	load chain.jsonl &&
	pairs >got && echo "e dc 3 critical e/a/b/dc" >want && test_cmp want got
'

test_expect_success 'risk follows the documented formula' '
	# target level 0 (t=4) + RCE (e=2) - 3 hops (h=1) = 5: critical
	xsm --format=json paths summary >s.json &&
	test "$(json_get s.json "j[\"by_risk\"][\"critical\"]")" = 1
'

test_expect_success 'a diamond: of two shortest paths the one through the smaller NodeId' '
	{ dev e entry; dev m1; dev m2; dev dc dc; edge e m1; edge e m2; edge m1 dc; edge m2 dc; } >diamond.jsonl &&
	load diamond.jsonl &&
	xsm graph nodes --format=jsonl | python3 -c "
import json, sys
ids = {json.loads(l)[\"NodeName\"]: json.loads(l)[\"NodeId\"] for l in sys.stdin}
print(\"m1\" if ids[\"m1\"] < ids[\"m2\"] else \"m2\")" >smaller &&
	pairs >got && echo "e dc 2 critical e/$(cat smaller)/dc" >want && test_cmp want got
'

test_expect_success 'cycles do not loop; unreachable targets give nothing' '
	{ dev e entry; dev a; dev b; dev dc dc; dev lonely dc; edge e a; edge a b; edge b a; edge b e; edge b dc; } >cyc.jsonl &&
	load cyc.jsonl &&
	pairs >got && echo "e dc 3 critical e/a/b/dc" >want && test_cmp want got
'

test_expect_success 'a target that is also an entry is a 0-hop path' '
	{ dev x both; } >self.jsonl &&
	load self.jsonl &&
	pairs >got && echo "x x 0 critical x" >want && test_cmp want got
'

test_expect_success 'max_hops cuts paths exactly at the limit' '
	{ dev e entry; dev a; dev b; dev c; dev dc dc; edge e a; edge a b; edge b c; edge c dc; } >long.jsonl &&
	load long.jsonl &&
	pairs | grep -c . >n && test "$(cat n)" = 1 &&
	xsm -q -c paths.max_hops=4 graph build && pairs | grep -c . >n && test "$(cat n)" = 1 &&
	xsm -q -c paths.max_hops=3 graph build && test -z "$(pairs)"
'

test_expect_success 'max_per_target keeps the shortest paths and counts the cut' '
	{ dev e1 entry; dev e2 entry; dev e3 entry; dev hub; dev dc dc; edge e1 dc; edge e2 hub; edge hub dc; edge e3 hub; } >many.jsonl &&
	load many.jsonl &&
	pairs | grep -c . >n && test "$(cat n)" = 3 &&
	xsm -q -c paths.max_per_target=1 graph build &&
	pairs >got && echo "e1 dc 1 critical e1/dc" >want && test_cmp want got &&
	xsm --format=json paths summary >s.json &&
	test "$(json_get s.json "j[\"paths_cut\"]")" = 2
'

test_expect_success 'choke points: crossings and the pairs their removal cuts' '
	# e1,e2 -> hub -> dc1, dc2 (4 pairs through hub); e3 -> alt -> dc1 and e3 -> hub too
	{ dev e1 entry; dev e2 entry; dev e3 entry; dev hub; dev alt; dev dc1 dc; dev dc2 high;
	  edge e1 hub; edge e2 hub; edge hub dc1; edge hub dc2; edge e3 alt; edge alt dc1; edge e3 hub; } >choke.jsonl &&
	load choke.jsonl &&
	xsm --format=json paths chokepoints >c.json &&
	test "$(json_get c.json "j[\"chokepoints\"][0][\"NodeName\"]")" = hub &&
	# all 6 stored paths cross hub (e3 -> dc1 ties between hub and alt; hub has the smaller id or
	# not, but either way removing hub leaves e3 -> dc1 through alt): 5 pairs cut
	test "$(json_get c.json "j[\"chokepoints\"][0][\"pairs_cut\"]")" = 5 &&
	test "$(json_get c.json "j[\"chokepoints\"][0][\"paths\"]")" -ge 5
'

test_expect_success 'a node with an alternative route cuts nothing' '
	{ dev e entry; dev m1; dev m2; dev dc dc; edge e m1; edge e m2; edge m1 dc; edge m2 dc; } >d2.jsonl &&
	load d2.jsonl &&
	xsm --format=json paths chokepoints >c.json &&
	test "$(json_get c.json "j[\"chokepoints\"][0][\"pairs_cut\"]")" = 0
'

test_expect_success 'blast radius: the targets a node reaches, with hops' '
	load choke.jsonl &&
	xsm --format=json paths blast-radius hub >b.json &&
	test "$(json_get b.json "sorted((t[\"NodeName\"], t[\"hops\"]) for t in j[\"targets\"])")" = "[(${Q}dc1${Q}, 1), (${Q}dc2${Q}, 1)]" ||
	test "$(json_get b.json "\",\".join(sorted(\"%s:%d\" % (t[\"NodeName\"], t[\"hops\"]) for t in j[\"targets\"]))")" = "dc1:1,dc2:1" &&
	xsm --format=json paths blast-radius e3 --max-hops 1 >b1.json &&
	test "$(json_get b1.json "len(j[\"targets\"])")" = 0 &&
	xsm --format=json paths blast-radius e3 >b2.json &&
	test "$(json_get b2.json "len(j[\"targets\"])")" = 2
'

test_expect_success 'check: exit 1 at or above the risk, 0 below, with the paths printed' '
	load choke.jsonl &&
	test_expect_code 1 xsm paths check --fail-on high >out &&
	test_grep "attack paths\? at risk high or above" out &&
	xsm -q -c paths.target_level=0 graph build &&
	test_expect_code 0 xsm paths check --fail-on critical >out2 || test_expect_code 1 xsm paths check --fail-on critical >out2
'

test_expect_success 'check --fail-on-new fails only on paths the previous snapshot lacked' '
	load chain.jsonl &&
	test_expect_code 1 xsm paths check --fail-on low --fail-on-new >out &&
	XSM_NOW=2026-11-24T12:00:01Z xsm -q graph build &&
	test_expect_code 0 xsm paths check --fail-on low --fail-on-new >out &&
	test_grep "no new attack path" out
'

test_expect_success 'paths are stored as compressed records with their index, not as text' '
	load choke.jsonl &&
	snap="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	test -s "$snap/paths.bin.zst" &&
	test ! -e "$snap/paths.jsonl.zst" && test ! -e "$snap/paths.idx.zst" &&
	test ! -e "$snap/paths.jsonl" && test ! -e "$snap/paths.idx" &&
	xsm --format=jsonl paths list >listed &&
	test "$(wc -l <listed)" -gt 2 &&
	if command -v zstd >/dev/null; then
		# a seekable zstd file: zstd -d gives the records, the trailer last
		zstd -qdc "$snap/paths.bin.zst" | tail -c 208 | head -c 8 >magic &&
		printf XSMPATH1 | test_cmp - magic
	fi
'

test_expect_success 'a snapshot of an earlier version (plain paths.jsonl, no index) is read as it is' '
	snap="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	xsm paths summary >summary.bin &&
	xsm paths list >table.bin &&
	for r in critical high medium low; do
		xsm --format=jsonl paths check --fail-on $r >check.$r; echo $? >>codes.bin
	done &&
	grep -q 1 codes.bin &&
	mv "$snap/paths.bin.zst" . &&
	cp listed "$snap/paths.jsonl" &&
	xsm --format=jsonl paths list >listed.plain && test_cmp listed listed.plain &&
	xsm paths list >table.plain && test_cmp table.bin table.plain &&
	xsm paths summary >summary.plain && test_cmp summary.bin summary.plain &&
	for r in critical high medium low; do
		xsm --format=jsonl paths check --fail-on $r >plain.$r; echo $? >>codes.plain
		test_cmp check.$r plain.$r || return 1
	done &&
	test_cmp codes.bin codes.plain &&
	rm "$snap/paths.jsonl" && mv paths.bin.zst "$snap/"
'

test_expect_success 'a damaged paths.bin.zst is refused, naming it' '
	snap="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	cp "$snap/paths.bin.zst" saved.zst &&
	printf "\\377\\377\\377\\377" | dd of="$snap/paths.bin.zst" bs=1 seek=20 conv=notrunc 2>/dev/null &&
	test_expect_code 65 xsm --format=jsonl paths list 2>err &&
	test_grep "paths.bin.zst" err &&
	head -c 100 saved.zst >"$snap/paths.bin.zst" &&
	test_expect_code 65 xsm paths list 2>err &&
	test_grep "is not a sound compressed file" err &&
	cp saved.zst "$snap/paths.bin.zst" &&
	xsm --format=jsonl paths list >again && test_cmp listed again
'

test_expect_success 'paths.bin.zst of another graph is refused when a path is made from it, not misread' '
	snap="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	cp "$snap/paths.bin.zst" saved.zst &&
	load chain.jsonl &&
	snap2="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	cp saved.zst "$snap2/paths.bin.zst" &&
	test_expect_code 65 xsm --format=jsonl paths list 2>err &&
	test_grep "does not match the snapshot.s graph" err &&
	load chain.jsonl
'

test_expect_success 'bad usage of check' '
	test_expect_code 64 xsm paths check 2>err &&
	test_expect_code 64 xsm paths check --fail-on severe 2>err &&
	test_expect_code 66 xsm paths show ap-0000000000000000 2>err
'

test_expect_success 'dot output marks entries and targets; svg renders when graphviz is there' '
	load choke.jsonl &&
	xsm paths list --format=dot >p.dot &&
	test_grep "^digraph attack_paths" p.dot && test_grep "doubleoctagon" p.dot && test_grep "shape=cds" p.dot &&
	if command -v dot >/dev/null; then
		xsm paths list --format=svg >p.svg && test_grep "<svg" p.svg
	else
		test_expect_code 69 xsm paths list --format=svg 2>err && test_grep "apt-get install graphviz" err
	fi
'

test_expect_success 'property: every pair and hop count equals a reference BFS on random graphs' '
	python3 - "$XSM" <<-\PY
	import json, os, random, subprocess, sys, collections
	xsm = sys.argv[1]
	bad = 0
	for seed in range(12):
	    r = random.Random(seed)
	    n = r.randint(8, 40)
	    kind = {}
	    lines = []
	    for i in range(n):
	        k = r.choice(["plain"] * 5 + ["entry", "dc", "high"])
	        kind[i] = k
	        props = {"osType": "linux"}
	        if k == "entry": props = {"exposedToInternet": True}
	        if k == "dc": props = {"deviceRole": ["DomainController"]}
	        if k == "high": props = {"vendorCriticality": "high"}
	        lines.append({"type": "asset", "label": "device", "source_id": "t:%d" % i, "name": "n%d" % i,
	                      "keys": {"fqdn": "n%d.example.com" % i}, "props": props})
	        if k == "entry":
	            lines.append({"type": "finding", "asset": "t:%d" % i, "cve": "CVE-2024-3400", "severity": "critical", "rce": True, "exploitAvailable": True})
	    adj = collections.defaultdict(set)
	    for _ in range(r.randint(n, 3 * n)):
	        a, b = r.randrange(n), r.randrange(n)
	        if a == b: continue
	        adj[a].add(b)
	        lines.append({"type": "relation", "label": "routes traffic to", "from": "t:%d" % a, "to": "t:%d" % b})
	    store = os.path.abspath("prop%d" % seed)
	    env = dict(os.environ, XSM_STORE=store)
	    subprocess.run([xsm, "-q", "ingest", "--format", "records", "--source", "t", "-"], input="\n".join(json.dumps(l) for l in lines).encode(), env=env, check=True)
	    got = {}
	    out = subprocess.run([xsm, "paths", "list", "--format=jsonl"], env=env, check=True, capture_output=True).stdout.decode()
	    for l in out.splitlines():
	        p = json.loads(l)
	        steps = [s["NodeName"] for s in p["steps"]]
	        # a valid walk over existing edges, from the entry to the target
	        for x, y in zip(steps, steps[1:]):
	            if int(y[1:]) not in adj[int(x[1:])]: print("not an edge", x, y); bad += 1
	        got[(p["entry"]["NodeName"], p["target"]["NodeName"])] = p["hops"]
	    want = {}
	    for e in [i for i in range(n) if kind[i] == "entry"]:
	        dist = {e: 0}; q = collections.deque([e])
	        while q:
	            u = q.popleft()
	            if dist[u] == 8: continue
	            for v in adj[u]:
	                if v not in dist: dist[v] = dist[u] + 1; q.append(v)
	        for t, d in dist.items():
	            if kind[t] in ("dc", "high"): want[("n%d" % e, "n%d" % t)] = d
	    if got != want:
	        print("seed", seed, "differs:", sorted(set(got.items()) ^ set(want.items()))[:5]); bad += 1
	sys.exit(bad)
	PY
'

test_done
