#!/bin/sh
test_description='graph match: pattern queries on a directory where every membership chain is known'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/ad"

# the names and hops of a jsonl match stream, as "u g hops" lines in output order
rows() {
	python3 -c '
import json, sys
for l in sys.stdin:
    m = json.loads(l)
    print(" ".join([n["NodeName"] for n in m["nodes"].values()] + [str(p["hops"]) for p in m["paths"]]))'
}

test_expect_success 'setup: the nested directory (Nest 1..6 under Domain Admins, a cycle, u1..u8)' '
	xsm -q ingest --format records --source ad "$F/ad.jsonl"
'

test_expect_success 'nested members of a group within 5 hops, projected, as in the issue' '
	xsm graph match "(u:user)-[e:\"member of\"*1..5]->(g:group) where g.name == \"Domain Admins\" project u.name, hops(e)" >out &&
	printf "%s\n" "u.name  hops(e)" "u2            4" >want &&
	test_cmp want out
'

test_expect_success 'the bound decides: u1 is 7 hops from Domain Admins, u2 4 (through the cycle)' '
	xsm graph match --format=jsonl "(u:user)-[e:\"member of\"*1..8]->(g:group {name == \"Domain Admins\"})" | rows >out &&
	sort out >sorted &&
	printf "%s\n" "u1 Domain Admins 7" "u2 Domain Admins 4" >want &&
	test_cmp want sorted &&
	xsm graph match --format=jsonl "(u:user)-[e:\"member of\"*1..6]->(g:group {name == \"Domain Admins\"})" | rows >out6 &&
	printf "%s\n" "u2 Domain Admins 4" >want6 &&
	test_cmp want6 out6
'

test_expect_success 'json: one document with its schema, each path with its NodeIds and EdgeIds in order' '
	xsm graph match --format=json "(u:user {name == \"u2\"})-[e:\"member of\"*1..8]->(g:group {name == \"Domain Admins\"})" >m.json &&
	test "$(json_get m.json "j[\"schema\"]")" = xsm.graph.match/1 &&
	test "$(json_get m.json "j[\"count\"]")" = 1 &&
	test "$(json_get m.json "len(j[\"matches\"][0][\"paths\"][0][\"NodeIds\"])")" = 5 &&
	test "$(json_get m.json "len(j[\"matches\"][0][\"paths\"][0][\"EdgeIds\"])")" = 4 &&
	xsm graph nodes --format=jsonl >nodes.jsonl &&
	python3 -c "
import json, sys
names = {}
for l in open(\"nodes.jsonl\"):
    n = json.loads(l); names[n[\"NodeId\"]] = n[\"NodeName\"]
m = json.load(open(\"m.json\"))[\"matches\"][0][\"paths\"][0]
print(\"/\".join(names[i] for i in m[\"NodeIds\"]))" >chain &&
	echo "u2/Cycle 3/Cycle 1/Cycle 2/Domain Admins" >want &&
	test_cmp want chain
'

test_expect_success 'the EdgeIds of a match are edges of the graph, joining its nodes in order' '
	xsm graph edges --format=jsonl >edges.jsonl &&
	python3 -c "
import json
e = {}
for l in open(\"edges.jsonl\"):
    x = json.loads(l); e[x[\"EdgeId\"]] = (x[\"SourceNodeId\"], x[\"TargetNodeId\"], x[\"EdgeLabel\"])
p = json.load(open(\"m.json\"))[\"matches\"][0][\"paths\"][0]
for k, eid in enumerate(p[\"EdgeIds\"]):
    assert e[eid] == (p[\"NodeIds\"][k], p[\"NodeIds\"][k + 1], \"member of\"), (eid, e[eid])
print(\"ok\")" >res &&
	test_grep ok res
'

test_expect_success 'direction: <- reverses, -- takes either, and an exact hop count *2' '
	xsm graph match --format=jsonl "(g:group {name == \"Domain Admins\"})<-[:\"member of\"]-(x)" | rows | sort >in &&
	printf "%s\n" "Domain Admins Cycle 2 1" "Domain Admins Nest 1 1" >want &&
	test_cmp want in &&
	xsm graph match --format=jsonl "(g:group {name == \"Domain Admins\"})-[:\"member of\"]-(x)" | rows | sort >either &&
	printf "%s\n" "Domain Admins Cycle 2 1" "Domain Admins Everyone Big 1" "Domain Admins Nest 1 1" >want &&
	test_cmp want either &&
	xsm graph match --format=jsonl "(x)-[:\"member of\"*2]->(g:group {name == \"Domain Admins\"})" | rows | sort >two &&
	printf "%s\n" "Cycle 1 Domain Admins 2" "Nest 2 Domain Admins 2" >want &&
	test_cmp want two
'

test_expect_success 'two patterns joined by a shared variable, a where over both, labels with |' '
	xsm graph match --format=jsonl "(g:group {name == \"Server Admins\"})-[:\"can authenticate to\"]->(d:device), (u:user|group)-[m:\"member of\"*1..3]->(g) where d.name == \"srv00.corp.example.com\" and hops(m) >= 1" | rows | sort >out &&
	printf "%s\n" "Server Admins srv00.corp.example.com Server Admins Sub 1 1" "Server Admins srv00.corp.example.com u7 1 2" >want &&
	test_cmp want out
'

test_expect_success 'a condition across variables is applied once both are bound' '
	xsm graph match --format=jsonl "(a:user)-[:\"member of\"]->(g:group {name == \"Domain Users\"}), (b:user {name == \"u3\"})-[:\"member of\"]->(g) where a.name > b.name" | rows >out &&
	printf "%s\n" u4 u5 u6 u7 u8 >want &&
	cut -d" " -f1 out | sort >got &&
	test_cmp want got
'

test_expect_success 'a cycle back to the same variable' '
	xsm graph match --format=jsonl "(a:group)-[:\"member of\"*2..3]->(a)" | rows | sort >out &&
	printf "%s\n" "Cycle 1 3" "Cycle 2 3" "Cycle 3 3" "Other cycle 1 2" "Other cycle 2 2" >want &&
	test_cmp want out
'

test_expect_success 'the order is deterministic (by NodeId) and --limit takes its head' '
	xsm graph match --format=jsonl "(u:user)-[:\"member of\"]->(g:group {name == \"Domain Users\"})" >all &&
	test "$(wc -l <all)" = 8 &&
	xsm graph match --format=jsonl "(u:user)-[:\"member of\"]->(g:group {name == \"Domain Users\"})" >again &&
	test_cmp all again &&
	python3 -c "
import json, sys
ids = [json.loads(l)[\"nodes\"][\"u\"][\"NodeId\"] for l in open(\"all\")]
assert ids == sorted(ids), ids" &&
	xsm graph match --limit 3 --format=jsonl "(u:user)-[:\"member of\"]->(g:group {name == \"Domain Users\"})" >head3 &&
	head -3 all >want &&
	test_cmp want head3 &&
	xsm graph match --limit 3 --format=json "(u:user)-[:\"member of\"]->(g:group {name == \"Domain Users\"})" >lim.json &&
	test "$(json_get lim.json "j[\"count\"]")" = 8 &&
	test "$(json_get lim.json "j[\"shown\"]")" = 3
'

test_expect_success 'table output is a table, never JSON; a single node pattern lists nodes' '
	xsm graph match "(g:group {name ~ \"^Nest [12]\$\"})" >t &&
	printf "%s\n" "g" "Nest 1" "Nest 2" >want &&
	sort t >got && sort want >w && test_cmp w got &&
	! grep -q "{" t
'

test_expect_success 'project a node (its NodeId), a property, and name a column with as' '
	xsm graph match --format=json "(g:group {name == \"Cloud Admins\"}) project g, g.props.assignedRoles as roles" >p.json &&
	test "$(json_get p.json "json.dumps(j[\"columns\"])")" = "[\"g\", \"roles\"]" &&
	test "$(json_get p.json "json.dumps(j[\"matches\"][0][\"values\"][\"roles\"])")" = "[\"Global Administrator\"]" &&
	test "$(json_get p.json "j[\"matches\"][0][\"values\"][\"g\"]")" = "$(json_get p.json "j[\"matches\"][0][\"nodes\"][\"g\"][\"NodeId\"]")"
'

test_expect_success 'a parse error gives the column and exits 64' '
	test_expect_code 64 xsm graph match "(u:user)-[e:\"member of\"*1..5]->(g:group" 2>err &&
	test_grep "col 40: expected .). to end the node pattern" err &&
	test_expect_code 64 xsm graph match "(u:user {name == })" 2>err &&
	test_grep "col 18: " err &&
	test_expect_code 64 xsm graph match "(u:user) where u.nosuch == 1" 2>err &&
	test_grep "col 16: unknown field" err &&
	test_expect_code 64 xsm graph match "(u:user) project x.name" 2>err &&
	test_grep "col 18: unknown variable" err &&
	test_expect_code 64 xsm graph match "(u:user)<-[e]->(v)" 2>err &&
	test_grep "one direction" err &&
	test_expect_code 64 xsm graph match "" 2>err &&
	test_grep "empty query" err
'

test_expect_success 'an unbounded or too long pattern is stopped with a clear message' '
	test_expect_code 64 xsm graph match "(u:user)-[:\"member of\"*]->(g)" 2>err &&
	test_grep "unbounded variable-length edge: give an upper bound, at most 8 hops" err &&
	test_expect_code 64 xsm graph match "(u:user)-[:\"member of\"*2..]->(g)" 2>err &&
	test_grep "unbounded" err &&
	test_expect_code 64 xsm graph match "(u:user)-[:\"member of\"*1..9]->(g)" 2>err &&
	test_grep "9 hops: at most 8 (paths.max_hops)" err &&
	xsm -c paths.max_hops=9 graph match "(u:user)-[:\"member of\"*1..9]->(g {name == \"Domain Admins\"})" >ok
'

test_expect_success 'a result over --max-results is stopped, not truncated' '
	test_expect_code 64 xsm graph match --max-results 5 "(u:user)-[:\"member of\"]->(g:group)" >out 2>err &&
	test_grep "matches more than 5 (--max-results)" err &&
	test ! -s out &&
	xsm graph match --max-results 20 --format=jsonl "(u:user)-[:\"member of\"]->(g:group)" >out &&
	xsm graph edges --label "member of" --format=jsonl >m.jsonl &&
	want=$(grep -c "\"SourceNodeLabel\":\"user\",.*\"TargetNodeLabel\":\"group\"" m.jsonl) &&
	test "$want" -gt 5 &&
	test "$(wc -l <out)" = "$want"
'

test_expect_success 'a relation in a node condition works; in where it is refused' '
	xsm graph match --format=jsonl "(u:user {memberOf(name == \"Domain Admins\")})" | rows | sort >out &&
	printf "%s\n" u1 u2 >want &&
	test_cmp want out &&
	test_expect_code 64 xsm graph match "(u:user) where memberOf(\"Domain Admins\")" 2>err &&
	test_grep "relation goes in a node" err
'

test_done
