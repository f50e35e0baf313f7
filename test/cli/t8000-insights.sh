#!/bin/sh
test_description='exposure insights: metric counts, progress, scores, states, weights and targets'
. "$(dirname "$0")/../lib/test-lib.sh"
INI="$XSM_TOP/config/initiatives.yaml"

# a small enterprise whose every metric has something to count
test_expect_success 'setup: a store with devices, users, cloud resources' '
	python3 - <<-\PY &&
	import json
	def w(f, *recs):
	    with open(f, "a") as o:
	        for r in recs: o.write(json.dumps(r) + "\n")
	def dev(src, i, name, props, keys=None):
	    return {"type": "asset", "label": "device", "source_id": "%s:%s" % (src, i), "name": name,
	            "keys": keys or {"fqdn": name + ".corp.example.com"}, "props": props}
	def find(src, i, cve, sev, rce=False, expl=False, first="2026-11-01T00:00:00Z"):
	    return {"type": "finding", "asset": "%s:%s" % (src, i), "cve": cve, "severity": sev, "cvss": 9.8,
	            "exploitAvailable": expl, "rce": rce, "status": "open", "firstFound": first}
	# the CMDB knows every server; qualys (a scanner) sees some of them
	cm = [("web1", {"exposedToInternet": True}), ("web2", {"exposedToInternet": True}),
	      ("web3", {"exposedToInternet": True}), ("dc1", {"deviceRole": ["DomainController"]}),
	      ("app1", {}), ("app2", {}), ("db1", {}), ("old1", {})]
	for i, (n, p) in enumerate(cm):
	    p = dict(p, cmdbClass="cmdb_ci_server", lastSeen="2026-11-23T00:00:00Z" if n != "old1" else "2026-09-01T00:00:00Z")
	    w("cmdb.jsonl", dev("cmdb", i, n, p))
	for i, n in enumerate(["web1", "web2", "dc1", "app1"]):
	    w("qualys.jsonl", dev("qualys", i, n, {"onboardingStatus": "Onboarded" if n != "app1" else "InsufficientInfo"}))
	w("qualys.jsonl",
	  find("qualys", 0, "CVE-2024-3400", "critical", rce=True, expl=True, first="2026-09-01T00:00:00Z"),
	  find("qualys", 1, "CVE-2023-4966", "high", expl=True),
	  find("qualys", 2, "CVE-2020-1472", "critical", expl=True, first="2026-08-01T00:00:00Z"),
	  find("qualys", 3, "CVE-2021-44228", "critical", rce=True))
	w("qualys.jsonl", {"type": "relation", "label": "routes traffic to", "from": "qualys:0", "to": "qualys:2"})
	users = [("alice", True, None), ("bob", False, None), ("carol", True, ["Global Administrator"]),
	         ("dave", False, ["Exchange Administrator"]), ("erin", None, None), ("frank", False, None)]
	for i, (n, mfa, roles) in enumerate(users):
	    p = {"accountEnabled": n != "frank"}
	    if mfa is not None: p["mfaEnabled"] = mfa
	    if roles: p["assignedRoles"] = roles
	    if n == "erin": p["hasLeakedCredentials"] = True
	    w("entra.jsonl", {"type": "asset", "label": "user", "source_id": "entra:%d" % i, "name": n,
	                      "keys": {"upn": n + "@corp.example.com"}, "props": p})
	w("cloud.jsonl",
	  {"type": "asset", "label": "microsoft.storage/storageaccounts", "source_id": "cloud:s1", "name": "stpublic",
	   "keys": {"cloud_id": "/s/s1"}, "props": {"publicAccess": True, "containsSensitiveData": True}},
	  {"type": "asset", "label": "microsoft.storage/storageaccounts", "source_id": "cloud:s2", "name": "stprivate",
	   "keys": {"cloud_id": "/s/s2"}, "props": {"publicAccess": False}},
	  {"type": "asset", "label": "microsoft.sql/servers/databases", "source_id": "cloud:d1", "name": "sqlhr",
	   "keys": {"cloud_id": "/s/d1"}, "props": {"containsSensitiveData": True}})
	PY
	for s in cmdb qualys entra; do xsm -q ingest --no-build --format records --source $s $s.jsonl || exit 1; done &&
	xsm -q ingest --format records --source cloud cloud.jsonl &&
	xsm graph nodes --format=jsonl >nodes.jsonl &&
	test -f "$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")/insights.json"
'

# expect.py: every metric recomputed from the node JSON with Python predicates
# that mirror config/initiatives.yaml, and every score from the YAML weights
cat >expect.py <<\PY
import json, re, sys, yaml
nodes = [json.loads(l) for l in open("nodes.jsonl")]
edges = [json.loads(l) for l in open("edges.jsonl")]
byid = {n["NodeId"]: n for n in nodes}
def out(label):
    o = {}
    for e in edges:
        if e["EdgeLabel"] == label:
            o.setdefault(e["SourceNodeId"], []).append(e["TargetNodeId"])
    return o
member, logged = out("member of"), out("frequently logged in by")
def groups(n): # nested membership, cycle-safe, the node itself only through a cycle
    seen, todo = set(), list(member.get(n["NodeId"], []))
    while todo:
        x = todo.pop()
        if x not in seen:
            seen.add(x)
            todo += member.get(x, [])
    return [byid[x] for x in seen]
ini = yaml.safe_load(open(sys.argv[1]))
changes = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
def g(n, path):
    v = n["NodeProperties"]["rawData"]
    for k in path.split("."):
        if not isinstance(v, dict) or k not in v: return None
        v = v[k]
    return v
def num(v): return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None
def gt(v, x): return num(v) is not None and num(v) > x
def le(v, x): return num(v) is not None and num(v) <= x
lab = lambda n: n["NodeLabel"]
crit = lambda n: le(g(n, "criticalityLevel.criticalityLevel"), 1)
exp_dev = lambda n: lab(n) == "device" and g(n, "exposedToInternet") is True
M = {
 "internet-facing-rce": (exp_dev, lambda n: g(n, "vulnerableToRCE") is True),
 "internet-facing-exploitable": (exp_dev, lambda n: gt(g(n, "exploitableCves"), 0)),
 "internet-entry-points": (lambda n: g(n, "exposedToInternet") is True,
                           lambda n: g(n, "attackPath.entryType") is not None and gt(g(n, "attackPath.paths"), 0)),
 "critical-exploitable": (crit, lambda n: gt(g(n, "exploitableCves"), 0)),
 "critical-high-vulns": (crit, lambda n: g(n, "highRiskVulnerabilityInsights.hasHighOrCritical") is True),
 "critical-on-attack-paths": (crit, lambda n: g(n, "attackPath.isTarget") is True),
 "devices-rce": (lambda n: lab(n) == "device", lambda n: g(n, "vulnerableToRCE") is True),
 "devices-exploitable": (lambda n: lab(n) == "device", lambda n: gt(g(n, "exploitableCves"), 0)),
 "devices-old-critical": (lambda n: lab(n) == "device", lambda n: gt(g(n, "oldestCriticalDays"), 30)),
 "cmdb-unscanned": (lambda n: lab(n) == "device" and g(n, "cmdbClass") is not None,
                    lambda n: not gt(g(n, "scannerCount"), 0)),
 "stale-assets": (lambda n: g(n, "lastSeenDays") is not None, lambda n: gt(g(n, "lastSeenDays"), 30)),
 "devices-not-onboarded": (lambda n: lab(n) == "device" and g(n, "onboardingStatus") is not None,
                           lambda n: g(n, "onboardingStatus") != "Onboarded"),
 "users-no-mfa": (lambda n: lab(n) == "user" and g(n, "mfaEnabled") is not None and g(n, "accountEnabled") is not False,
                  lambda n: g(n, "mfaEnabled") is not True),
 "privileged-users-no-mfa": (lambda n: lab(n) == "user" and g(n, "mfaEnabled") is not None and g(n, "assignedRoles") is not None,
                             lambda n: g(n, "mfaEnabled") is not True),
 "users-leaked-credentials": (lambda n: lab(n) == "user", lambda n: g(n, "hasLeakedCredentials") is True),
 "identities-broad-admin": (lambda n: lab(n) in ("user", "group", "serviceprincipal", "managedidentity"),
                            lambda n: gt(g(n, "adminOnCount"), 10)),
 "cloud-internet-exposed": (lambda n: re.search(r"^(microsoft|aws|gcp)[.]", lab(n), re.I) is not None,
                            lambda n: g(n, "exposedToInternet") is True or g(n, "publicAccess") is True),
 "cloud-sensitive-exposed": (lambda n: g(n, "containsSensitiveData") is True,
                             lambda n: g(n, "exposedToInternet") is True or g(n, "publicAccess") is True or g(n, "attackPath.isTarget") is True),
 "devices-privesc": (lambda n: lab(n) == "device",
                     lambda n: g(n, "highRiskVulnerabilityInsights.vulnerableToPrivilegeEscalation") is True),
 "devices-cvss9": (lambda n: lab(n) == "device",
                   lambda n: num(g(n, "highRiskVulnerabilityInsights.maxCvssScore")) is not None and g(n, "highRiskVulnerabilityInsights.maxCvssScore") >= 9),
 "devices-eol-os": (lambda n: lab(n) == "device" and g(n, "osName") is not None,
                    lambda n: isinstance(g(n, "osName"), str) and re.search(r"(windows (xp|vista|7|8)( |$)|server 200[038]|server 2012|centos( linux)? [5-7]|ubuntu 1[0-6][.])", g(n, "osName"), re.I) is not None),
 "devices-privileged-logons": (lambda n: lab(n) == "device",
                               lambda n: any(groups(byid[u]) or g(byid[u], "assignedRoles") is not None for u in logged.get(n["NodeId"], []))),
 "devices-on-attack-paths": (lambda n: lab(n) == "device", lambda n: gt(g(n, "attackPath.paths"), 0)),
 "critical-stale": (crit, lambda n: gt(g(n, "lastSeenDays"), 30)),
 "critical-unscanned": (lambda n: lab(n) == "device" and crit(n), lambda n: not gt(g(n, "scannerCount"), 0)),
 "identities-on-attack-paths": (lambda n: lab(n) in ("user", "group", "serviceprincipal", "managedidentity"),
                                lambda n: gt(g(n, "attackPath.paths"), 0)),
 "disabled-users-with-roles": (lambda n: lab(n) == "user" and any(g(x, "assignedRoles") for x in groups(n)),
                               lambda n: g(n, "accountEnabled") is False),
}
assert sorted(M) == sorted(m["id"] for m in ini["metrics"]), "metric list changed: update expect.py"
W = {"high": 3, "medium": 2, "low": 1}
out = {"metrics": {}, "initiatives": {}}
prog = {}
for m in ini["metrics"]:
    pop, aff = M[m["id"]]
    tot = [n for n in nodes if lab(n) != "Cve" and pop(n)]
    a = [n for n in tot if aff(n)]
    p = 100.0 * (1 - len(a) / len(tot)) if tot else None
    ch = changes.get(m["id"], {})
    wt = 0 if ch.get("state") == "risk-accepted" else W[ch.get("weight", m["weight"])]
    prog[m["id"]] = (p, wt, ch.get("state") == "mitigated")
    out["metrics"][m["id"]] = [len(a), len(tot), p]
for i in ini["initiatives"]:
    sw = sum(prog[k][1] for k in i["metrics"] if prog[k][0] is not None)
    sp = sum(prog[k][1] * (100.0 if prog[k][2] else prog[k][0]) for k in i["metrics"] if prog[k][0] is not None)
    out["initiatives"][i["id"]] = sp / sw if sw else None
print(json.dumps(out, sort_keys=True))
PY

# got.py: the same shape from xsm insights metrics / list
cat >got.py <<\PY
import json, sys
ms = json.load(open(sys.argv[1]))["metrics"]
ins = json.load(open(sys.argv[2]))["initiatives"]
print(json.dumps({"metrics": {m["id"]: [m["affected"], m["total"], m["progress"]] for m in ms},
                  "initiatives": {i["id"]: i["score"] for i in ins}}, sort_keys=True))
PY

# compare: exact counts; progress and scores as printed, to two decimals
cat >cmp.py <<\PY
import json, sys
e, g = json.loads(open(sys.argv[1]).read()), json.loads(open(sys.argv[2]).read())
bad = 0
for k, v in e["metrics"].items():
    w = g["metrics"].get(k)
    if not w or v[:2] != w[:2] or (v[2] is None) != (w[2] is None) or (v[2] is not None and abs(v[2] - w[2]) > 0.005 + 1e-9):
        print("metric", k, "expected", v, "got", w); bad += 1
for k, v in e["initiatives"].items():
    w = g["initiatives"].get(k, "missing")
    if (v is None) != (w is None) or (v is not None and abs(v - w) > 0.005 + 1e-9):
        print("initiative", k, "expected", v, "got", w); bad += 1
sys.exit(bad)
PY

check_all() { # check_all [CHANGES-JSON]
	xsm graph nodes --format=jsonl >nodes.jsonl &&
	xsm graph edges --format=jsonl >edges.jsonl &&
	python3 expect.py "$INI" "${1:-{\}}" >expect &&
	xsm --format=json insights metrics >m.json &&
	xsm --format=json insights >l.json &&
	python3 got.py m.json l.json >got &&
	python3 cmp.py expect got
}

test_expect_success 'every metric and score matches an independent count' '
	check_all
'

test_expect_success 'hand-counted metrics: RCE, exposure, MFA, scanners, staleness' '
	# web1 has the RCE of the three internet-facing devices; web1 and web2 exploitable ones
	json_get m.json "[(m[\"affected\"], m[\"total\"], m[\"progress\"]) for m in j[\"metrics\"] if m[\"id\"] == \"internet-facing-rce\"][0]" >got &&
	echo "(1, 3, 66.67)" >want && test_cmp want got &&
	json_get m.json "[(m[\"affected\"], m[\"total\"]) for m in j[\"metrics\"] if m[\"id\"] == \"internet-facing-exploitable\"][0]" >got &&
	echo "(2, 3)" >want && test_cmp want got &&
	# bob is enabled without MFA; frank is disabled; erin has no MFA data; dave is privileged without MFA
	json_get m.json "[(m[\"affected\"], m[\"total\"]) for m in j[\"metrics\"] if m[\"id\"] == \"users-no-mfa\"][0]" >got &&
	echo "(2, 4)" >want && test_cmp want got &&
	json_get m.json "[(m[\"affected\"], m[\"total\"]) for m in j[\"metrics\"] if m[\"id\"] == \"privileged-users-no-mfa\"][0]" >got &&
	echo "(1, 2)" >want && test_cmp want got &&
	# web3, app2, db1, old1 are in the CMDB only
	json_get m.json "[(m[\"affected\"], m[\"total\"], m[\"state\"]) for m in j[\"metrics\"] if m[\"id\"] == \"cmdb-unscanned\"][0]" >got &&
	echo "(4, 8, '"'"'not-compliant'"'"')" >want && test_cmp want got &&
	json_get m.json "[(m[\"affected\"], m[\"total\"]) for m in j[\"metrics\"] if m[\"id\"] == \"stale-assets\"][0]" >got &&
	echo "(1, 8)" >want && test_cmp want got
'

test_expect_success 'a metric whose every asset is fine is compliant at 100' '
	json_get m.json "[(m[\"progress\"], m[\"state\"], m[\"total\"]) for m in j[\"metrics\"] if m[\"id\"] == \"identities-broad-admin\"][0]" >got &&
	echo "(100, '"'"'compliant'"'"', 6)" >want && test_cmp want got
'

test_expect_success 'custom definitions: a metric with nothing to count is not available and out of the score' '
	mkdir -p data && cp "$XSM_TOP"/config/*.yaml data/ &&
	python3 - data/initiatives.yaml <<-\PY &&
	import sys, yaml
	d = yaml.safe_load(open(sys.argv[1]))
	d["metrics"].append({"id": "nothing-here", "name": "Nothing here", "weight": "high",
	                     "assets": "label == \"nosuch\"", "affected": "true"})
	d["metrics"].append({"id": "all-users", "name": "All users", "weight": "low",
	                     "assets": "label == \"user\"", "affected": "name != \"alice\""})
	d["initiatives"] = [{"id": "t", "name": "Test", "target": 50, "metrics": ["nothing-here", "all-users"]}]
	yaml.safe_dump(d, open(sys.argv[1], "w"))
	PY
	xsm -q -c data.dir="$TRASH/data" graph build &&
	xsm --format=json insights show t >t.json &&
	json_get t.json "[(m[\"id\"], m[\"progress\"], m[\"state\"], m[\"affected\"], m[\"total\"]) for m in j[\"metrics\"]]" >got &&
	echo "[('"'"'nothing-here'"'"', None, '"'"'not-available'"'"', 0, 0), ('"'"'all-users'"'"', 16.67, '"'"'not-compliant'"'"', 5, 6)]" >want &&
	test_cmp want got &&
	test "$(json_get t.json "j[\"initiative\"][\"score\"]")" = 16.67 &&
	printf "metrics:\n  - id: bad\n    name: Bad\n    weight: high\n    assets: \"label ==\"\n    affected: \"true\"\ninitiatives: []\n" >data/initiatives.yaml &&
	test_expect_code 78 xsm -c data.dir="$TRASH/data" graph build 2>err &&
	test_grep "initiatives.yaml:5:13: metric .bad.: assets: col" err &&
	xsm -q graph build
'

test_expect_success 'devices not onboarded: only those an endpoint product reports count' '
	json_get m.json "[(m[\"affected\"], m[\"total\"], m[\"critical_affected\"]) for m in j[\"metrics\"] if m[\"id\"] == \"devices-not-onboarded\"][0]" >got &&
	echo "(1, 4, 0)" >want && test_cmp want got
'

test_expect_success 'initiatives are sorted by name; show lists the metrics in file order' '
	json_get l.json "[i[\"name\"] for i in j[\"initiatives\"]] == sorted(i[\"name\"] for i in j[\"initiatives\"])" >got &&
	echo True >want && test_cmp want got &&
	test "$(json_get l.json "len(j[\"initiatives\"])")" = 7 &&
	xsm --format=json insights show "Identity security" >s.json &&
	json_get s.json "[m[\"id\"] for m in j[\"metrics\"]]" >got &&
	python3 -c "import yaml; print([i for i in yaml.safe_load(open(\"$XSM_TOP/config/initiatives.yaml\"))[\"initiatives\"] if i[\"id\"] == \"identity\"][0][\"metrics\"])" >want &&
	test_cmp want got &&
	test "$(json_get s.json "j[\"schema\"]")" = xsm.insights.show/1
'

test_expect_success 'metric --assets lists exactly the affected assets' '
	xsm --format=json insights metric cmdb-unscanned --assets >a.json &&
	json_get a.json "sorted(a[\"NodeName\"] for a in j[\"assets\"])" >got &&
	python3 -c "
import json
print(sorted(json.loads(l)[\"NodeName\"] for l in open(\"nodes.jsonl\") if json.loads(l)[\"NodeLabel\"] == \"device\" and not json.loads(l)[\"NodeProperties\"][\"rawData\"].get(\"scannerCount\")))" >want &&
	test_cmp want got &&
	xsm insights metric cmdb-unscanned --assets --format=jsonl --limit 2 >a.jsonl &&
	test "$(wc -l <a.jsonl)" = 2 &&
	xsm insights metric "CMDB assets no scanner covers" >t.txt &&
	test_grep "4 of 8 assets affected" t.txt
'

test_expect_success 'risk-accepted weighs 0; scores change at once; audited' '
	xsm -q insights set users-no-mfa --state risk-accepted &&
	test_grep "\"action\":\"set metric\",\"target\":\"users-no-mfa\"" "$XSM_STORE/audit.jsonl" &&
	check_all "{\"users-no-mfa\": {\"state\": \"risk-accepted\"}}" &&
	json_get m.json "[(m[\"weight\"], m[\"weight_value\"], m[\"user_state\"]) for m in j[\"metrics\"] if m[\"id\"] == \"users-no-mfa\"][0]" >got &&
	echo "('"'"'risk accepted'"'"', 0, '"'"'risk-accepted'"'"')" >want && test_cmp want got
'

test_expect_success 'mitigated counts as 100 in scores and is shown as mitigated' '
	xsm -q insights set users-leaked-credentials --state mitigated &&
	check_all "{\"users-no-mfa\": {\"state\": \"risk-accepted\"}, \"users-leaked-credentials\": {\"state\": \"mitigated\"}}" &&
	xsm --format=json insights recommendations --state mitigated >r.json &&
	json_get r.json "[r[\"metric\"] for r in j[\"recommendations\"]]" >got &&
	echo "['"'"'users-leaked-credentials'"'"']" >want && test_cmp want got
'

test_expect_success 'a weight change applies in every initiative; default restores it' '
	xsm -q insights set devices-exploitable --weight low &&
	check_all "{\"users-no-mfa\": {\"state\": \"risk-accepted\"}, \"users-leaked-credentials\": {\"state\": \"mitigated\"}, \"devices-exploitable\": {\"weight\": \"low\"}}" &&
	xsm -q insights set devices-exploitable --weight default &&
	xsm -q insights set users-no-mfa --state active &&
	xsm -q insights set users-leaked-credentials --state active &&
	check_all &&
	test_grep ! "id:" "$XSM_STORE/rules/initiatives.yaml"
'

test_expect_success 'target: set, shown, survives a rebuild, default restores it' '
	xsm -q insights target identity 92.5 &&
	xsm --format=json insights >l.json &&
	test "$(json_get l.json "[i[\"target\"] for i in j[\"initiatives\"] if i[\"id\"] == \"identity\"][0]")" = 92.5 &&
	xsm -q graph build &&
	xsm --format=json insights >l.json &&
	test "$(json_get l.json "[i[\"target\"] for i in j[\"initiatives\"] if i[\"id\"] == \"identity\"][0]")" = 92.5 &&
	xsm -q insights target "Identity security" default &&
	xsm --format=json insights >l.json &&
	test "$(json_get l.json "[i[\"target\"] for i in j[\"initiatives\"] if i[\"id\"] == \"identity\"][0]")" = 85
'

test_expect_success 'bad input: exit codes' '
	test_expect_code 66 xsm insights show nosuch &&
	test_expect_code 66 xsm insights metric nosuch &&
	test_expect_code 66 xsm insights set nosuch --state mitigated &&
	test_expect_code 64 xsm insights set users-no-mfa --state sometimes &&
	test_expect_code 64 xsm insights set users-no-mfa &&
	test_expect_code 64 xsm insights target identity 101 &&
	test_expect_code 64 xsm insights recommendations --state maybe &&
	test_expect_code 64 xsm insights frobnicate
'

test_expect_success 'a broken rules/initiatives.yaml is a config error with its position' '
	cp "$XSM_STORE/rules/initiatives.yaml" keep.yaml &&
	printf "metrics:\n  - id: nosuch\n    state: mitigated\n" >"$XSM_STORE/rules/initiatives.yaml" &&
	test_expect_code 78 xsm graph build 2>err &&
	test_grep "initiatives.yaml:2:5: change to unknown metric" err &&
	cp keep.yaml "$XSM_STORE/rules/initiatives.yaml"
'

test_expect_success 'the same input gives byte-identical insights' '
	xsm -q graph build && a=$(cat "$XSM_STORE/graph/HEAD") &&
	xsm -q graph build && b=$(cat "$XSM_STORE/graph/HEAD") &&
	test "$a" != "$b" &&
	cmp "$XSM_STORE/graph/$a/insights.json" "$XSM_STORE/graph/$b/insights.json"
'

test_expect_success 'the spellings of the issue: metrics --initiative, metric show, weight, set-target' '
	xsm --format=jsonl insights metrics --initiative identity | python3 -c "import json,sys; print(sorted(json.loads(l)[\"id\"] for l in sys.stdin))" >got &&
	python3 -c "import yaml; print(sorted([i for i in yaml.safe_load(open(\"$XSM_TOP/config/initiatives.yaml\"))[\"initiatives\"] if i[\"id\"] == \"identity\"][0][\"metrics\"]))" >want &&
	test_cmp want got &&
	xsm insights metric show users-no-mfa >a && xsm insights metric users-no-mfa >b && test_cmp a b &&
	xsm -q insights weight users-no-mfa low &&
	xsm --format=jsonl insights metrics | grep "\"users-no-mfa\"" | test_grep "\"weight\":\"low\"" /dev/stdin &&
	xsm -q insights weight users-no-mfa accepted &&
	xsm --format=jsonl insights metrics | grep "\"users-no-mfa\"" | test_grep "\"user_state\":\"risk-accepted\"" /dev/stdin &&
	xsm -q insights set users-no-mfa --state active --weight default &&
	xsm -q insights set-target identity 91 &&
	xsm --format=json insights show identity | test_grep "\"target\":91" /dev/stdin &&
	xsm -q insights target identity default &&
	test_expect_code 66 xsm insights metrics --initiative nosuch
'

test_expect_success 'list carries the 14-day trend of each initiative, oldest snapshot first' '
	xsm --format=jsonl insights | head -1 >t.json &&
	json_get t.json "[x[\"snapshot\"] for x in j[\"trend\"]] == sorted(x[\"snapshot\"] for x in j[\"trend\"])" | test_grep True /dev/stdin &&
	json_get t.json "j[\"trend\"][-1][\"snapshot\"]" >last &&
	cat "$XSM_STORE/graph/HEAD" >head && test_cmp head last &&
	json_get t.json "j[\"trend\"][-1][\"score\"] == j[\"score\"]" | test_grep True /dev/stdin
'

test_expect_success 'no graph yet: insights says so' '
	XSM_STORE="$TRASH/empty" xsm -q init &&
	XSM_STORE="$TRASH/empty" test_expect_code 66 xsm insights 2>err &&
	test_grep "no graph yet" err
'

test_done
