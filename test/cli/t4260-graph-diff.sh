#!/bin/sh
test_description='graph diff: the exact report of nodes and edges added, removed and changed, property changes of every value type, parallel edges, and properties stored apart that print alike'
. "$(dirname "$0")/../lib/test-lib.sh"

S1=20261124T120000Z-0001 S2=20261125T120000Z-0001

test_expect_success 'setup: two builds; a node removed, added, renamed, re-sourced, its properties of every type changed' '
	cat >cmdb1.jsonl <<-\EOF &&
	{"type":"asset","label":"device","source_id":"cmdb:d1","name":"alpha","keys":{"hostname":"alpha","fqdn":"alpha.corp.example.com"},"props":{"n":1.5,"b":true,"s":"x","arr":["a","b"],"obj":{"k":1},"nul":null,"objs":[{"a":1}],"same":7}}
	{"type":"asset","label":"device","source_id":"cmdb:d2","name":"beta","keys":{"hostname":"beta","fqdn":"beta.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"cmdb:d3","name":"gamma","keys":{"hostname":"gamma","fqdn":"gamma.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"cmdb:d4","name":"delta","keys":{"hostname":"delta","fqdn":"delta.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"cmdb:d6","name":"zeta","keys":{"hostname":"zeta","fqdn":"zeta.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"cmdb:d7","name":"eta","keys":{"hostname":"eta","fqdn":"eta.corp.example.com"}}
	{"type":"relation","label":"routes traffic to","from":"cmdb:d1","to":"cmdb:d2"}
	{"type":"relation","label":"routes traffic to","from":"cmdb:d2","to":"cmdb:d3"}
	{"type":"relation","label":"routes traffic to","from":"cmdb:d1","to":"cmdb:d4"}
	{"type":"relation","label":"routes traffic","from":"cmdb:d4","to":"cmdb:d1"}
	{"type":"relation","label":"routes traffic","from":"cmdb:d4","to":"cmdb:d2"}
	{"type":"relation","label":"routes traffic to","from":"cmdb:d6","to":"cmdb:d7"}
	EOF
	cat >cmdb2.jsonl <<-\EOF &&
	{"type":"asset","label":"device","source_id":"cmdb:d1","name":"alpha","keys":{"hostname":"alpha","fqdn":"alpha.corp.example.com"},"props":{"n":2,"b":false,"s":"y","arr":["a"],"obj":{"k":2},"nul":"now","objs":[{"a":2}],"same":7.0}}
	{"type":"asset","label":"device","source_id":"cmdb:d2","name":"beta2","keys":{"hostname":"beta","fqdn":"beta.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"cmdb:d4","name":"delta","keys":{"hostname":"delta","fqdn":"delta.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"cmdb:d5","name":"epsilon","keys":{"hostname":"epsilon","fqdn":"epsilon.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"cmdb:d6","name":"zeta","keys":{"hostname":"zeta","fqdn":"zeta.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"cmdb:d7","name":"eta","keys":{"hostname":"eta","fqdn":"eta.corp.example.com"}}
	{"type":"relation","label":"routes traffic to","from":"cmdb:d1","to":"cmdb:d2"}
	{"type":"relation","label":"routes traffic to","from":"cmdb:d2","to":"cmdb:d5"}
	{"type":"relation","label":"routes traffic","from":"cmdb:d4","to":"cmdb:d1"}
	{"type":"relation","label":"routes traffic","from":"cmdb:d4","to":"cmdb:d2"}
	{"type":"relation","label":"routes traffic to","from":"cmdb:d6","to":"cmdb:d7"}
	EOF
	cat >scan2.jsonl <<-\EOF &&
	{"type":"asset","label":"device","source_id":"scan:d4","name":"delta","keys":{"hostname":"delta","fqdn":"delta.corp.example.com"}}
	{"type":"asset","label":"device","source_id":"scan:d1","name":"alpha","keys":{"hostname":"alpha","fqdn":"alpha.corp.example.com"}}
	{"type":"relation","label":"routes traffic","from":"scan:d4","to":"scan:d1"}
	EOF
	xsm -q ingest --format records --source cmdb cmdb1.jsonl &&
	XSM_NOW=2026-11-25T12:00:00Z xsm -q ingest --no-build --format records --source cmdb cmdb2.jsonl &&
	XSM_NOW=2026-11-25T12:00:00Z xsm -q ingest --format records --source scan scan2.jsonl &&
	test "$(cat "$XSM_STORE/graph/HEAD")" = $S2
'

# edges: one removed with its node, one removed alone, one added to a new
# node, two changed by a renamed end, one by a second source reporting it;
# zeta -> eta is the same in both
cat >expect.txt <<\EOF
diff 20261124T120000Z-0001 -> 20261125T120000Z-0001
~ node dev-3ef84419a330afdd  alpha (device)
      arr: a, b -> a
      b: true -> false
      n: 1.5 -> 2
      nul: null -> now
      obj.k: 1 -> 2
      s: x -> y
~ node dev-4fd4c781acb8758c  delta (device)
+ node dev-c06a23f1a50fdcbf  epsilon (device)
- node dev-e21bc5e1a1992c54  gamma (device)
~ node dev-e8c6078d36d6d6b6  beta2 (device)
- edge routes traffic to|dev-3ef84419a330afdd|dev-4fd4c781acb8758c  alpha -> delta (routes traffic to)
~ edge routes traffic to|dev-3ef84419a330afdd|dev-e8c6078d36d6d6b6  alpha -> beta2 (routes traffic to)
+ edge routes traffic to|dev-e8c6078d36d6d6b6|dev-c06a23f1a50fdcbf  beta2 -> epsilon (routes traffic to)
- edge routes traffic to|dev-e8c6078d36d6d6b6|dev-e21bc5e1a1992c54  beta -> gamma (routes traffic to)
~ edge routes traffic|dev-4fd4c781acb8758c|dev-3ef84419a330afdd  delta -> alpha (routes traffic)
~ edge routes traffic|dev-4fd4c781acb8758c|dev-e8c6078d36d6d6b6  delta -> beta2 (routes traffic)
nodes: 1 added, 1 removed, 3 changed; edges: 1 added, 2 removed, 3 changed
EOF

test_expect_success 'the report is exact: nodes by NodeId, then edges by key ("routes traffic to|" before "routes traffic|")' '
	xsm graph diff >out &&
	test_cmp expect.txt out &&
	xsm graph diff $S1 $S2 >out2 &&
	test_cmp expect.txt out2 &&
	xsm graph diff $S1 >out3 &&
	test_cmp expect.txt out3 &&
	xsm graph tag before $S1 &&
	xsm graph diff before HEAD >out4 &&
	test_cmp expect.txt out4
'

test_expect_success 'the JSON and JSONL reports say the same, property old and new values with them' '
	cat >expect.jsonl <<-\EOF &&
	{"type":"node","change":"changed","id":"dev-3ef84419a330afdd","label":"device","name":"alpha","properties":[{"key":"arr","old":"a, b","new":"a"},{"key":"b","old":"true","new":"false"},{"key":"n","old":"1.5","new":"2"},{"key":"nul","old":"null","new":"now"},{"key":"obj.k","old":"1","new":"2"},{"key":"s","old":"x","new":"y"}]}
	{"type":"node","change":"changed","id":"dev-4fd4c781acb8758c","label":"device","name":"delta","properties":[]}
	{"type":"node","change":"added","id":"dev-c06a23f1a50fdcbf","label":"device","name":"epsilon"}
	{"type":"node","change":"removed","id":"dev-e21bc5e1a1992c54","label":"device","name":"gamma"}
	{"type":"node","change":"changed","id":"dev-e8c6078d36d6d6b6","label":"device","name":"beta2","properties":[]}
	{"type":"edge","change":"removed","id":"routes traffic to|dev-3ef84419a330afdd|dev-4fd4c781acb8758c","label":"routes traffic to","name":"alpha -> delta"}
	{"type":"edge","change":"changed","id":"routes traffic to|dev-3ef84419a330afdd|dev-e8c6078d36d6d6b6","label":"routes traffic to","name":"alpha -> beta2"}
	{"type":"edge","change":"added","id":"routes traffic to|dev-e8c6078d36d6d6b6|dev-c06a23f1a50fdcbf","label":"routes traffic to","name":"beta2 -> epsilon"}
	{"type":"edge","change":"removed","id":"routes traffic to|dev-e8c6078d36d6d6b6|dev-e21bc5e1a1992c54","label":"routes traffic to","name":"beta -> gamma"}
	{"type":"edge","change":"changed","id":"routes traffic|dev-4fd4c781acb8758c|dev-3ef84419a330afdd","label":"routes traffic","name":"delta -> alpha"}
	{"type":"edge","change":"changed","id":"routes traffic|dev-4fd4c781acb8758c|dev-e8c6078d36d6d6b6","label":"routes traffic","name":"delta -> beta2"}
	EOF
	xsm --format=jsonl graph diff >out.jsonl &&
	test_cmp expect.jsonl out.jsonl &&
	xsm --format=json graph diff >out.json &&
	python3 - out.json expect.jsonl <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	want = [json.loads(l) for l in open(sys.argv[2])]
	assert j["schema"] == "xsm.graph.diff/1" and j["from"] == "20261124T120000Z-0001", j
	assert j["changes"] == want, j["changes"]
	assert j["summary"] == {"nodes_added": 1, "nodes_removed": 1, "nodes_changed": 3,
	                        "edges_added": 1, "edges_removed": 2, "edges_changed": 3}, j["summary"]
	EOF
'

test_expect_success 'the other way round, added and removed swap' '
	xsm graph diff $S2 $S1 >back &&
	test_grep "^- node dev-c06a23f1a50fdcbf  epsilon (device)$" back &&
	test_grep "^+ node dev-e21bc5e1a1992c54  gamma (device)$" back &&
	test_grep "^      n: 2 -> 1.5$" back &&
	test_grep "^~ edge routes traffic to|dev-3ef84419a330afdd|dev-e8c6078d36d6d6b6  alpha -> beta (routes traffic to)$" back &&
	test_grep "^nodes: 1 added, 1 removed, 3 changed; edges: 2 added, 1 removed, 3 changed$" back
'

test_expect_success 'a re-evaluation (both snapshots mapped from one image) reports the node it changed, and only it' '
	XSM_NOW=2026-11-26T12:00:00Z xsm -q critical set alpha 2 &&
	xsm -v --format=jsonl graph diff $S2 2>err >reeval &&
	test "$(grep -c "graph image mapped" err)" = 2 &&
	cat >expect.reeval <<-\EOF &&
	{"type":"node","change":"changed","id":"dev-3ef84419a330afdd","label":"device","name":"alpha","properties":[{"key":"criticalityLevel.criticalityLevel","old":null,"new":"2"},{"key":"criticalityLevel.ruleBasedCriticalityLevel","old":null,"new":"4"},{"key":"criticalityLevel.ruleNames","old":null,"new":""},{"key":"manualCriticalityLevel","old":null,"new":"2"}]}
	EOF
	test_cmp expect.reeval reeval &&
	xsm graph diff $S1 >all &&
	test_grep "^~ edge routes traffic to|dev-3ef84419a330afdd|dev-e8c6078d36d6d6b6  alpha -> beta2 (routes traffic to)$" all &&
	test_grep "^nodes: 1 added, 1 removed, 3 changed; edges: 1 added, 2 removed, 3 changed$" all
'

# snapshots as an earlier version wrote them (JSONL, no graph.bin): edges
# that share a key, and properties stored in two forms that print alike
P1=20261201T000000Z-0001 P2=20261202T000000Z-0001
snap() {
	mkdir -m 700 "$XSM_STORE/graph/$1" &&
	printf "{\"schema\":\"xsm.snapshot/1\",\"snapshot\":\"%s\",\"created\":\"2026-12-01T00:00:00Z\"}\n" "$1" >"$XSM_STORE/graph/$1/meta.json"
}
node() {
	printf "{\"NodeId\":\"%s\",\"NodeLabel\":\"device\",\"NodeName\":\"%s\",\"Categories\":[],\"NodeProperties\":{\"rawData\":%s},\"EntityIds\":[],\"Sources\":[\"t\"]}\n" "$1" "$2" "$3"
}
edge() {
	printf "{\"EdgeId\":\"e-%016x\",\"EdgeLabel\":\"%s\",\"SourceNodeId\":\"%s\",\"TargetNodeId\":\"%s\",\"EdgeProperties\":{\"rawData\":{\"w\":%s}}}\n" "$1" "$2" "$3" "$4" "$5"
}

test_expect_success 'setup: two JSONL snapshots' '
	snap $P1 && snap $P2 &&
	{
		node n-a a "{\"raw\":{\"x\":1},\"k\":1}" &&
		node n-b b "{\"deep\":{\"x\":-0.0},\"big\":100000000000000000000}" &&
		node n-c c "{\"c\":[\"x\"]}"
	} >"$XSM_STORE/graph/$P1/nodes.jsonl" &&
	{
		node n-a a "{\"raw.x\":1,\"k\":1.0}" &&
		node n-b b "{\"deep\":{\"x\":0},\"big\":1e20}" &&
		node n-c c "{\"c\":[\"y\"]}"
	} >"$XSM_STORE/graph/$P2/nodes.jsonl" &&
	{
		edge 1 L n-a n-b 1 && edge 2 L n-a n-b 2 && edge 3 L n-a n-c 1 &&
		edge 8 L n-b n-c 1 && edge 9 L n-b n-c 2 && edge 6 M n-b n-c 1 &&
		edge 10 L n-c n-a 1 && edge 11 L n-c n-a 1
	} >"$XSM_STORE/graph/$P1/edges.jsonl" &&
	{
		edge 1 L n-a n-b 1 && edge 2 L n-a n-b 3 && edge 5 L n-a n-b 5 &&
		edge 3 L n-a n-c 1 && edge 4 L n-a n-c 1 &&
		edge 9 L n-b n-c 2 && edge 7 M n-b n-c 1 &&
		edge 10 L n-c n-a 1 && edge 11 L n-c n-a 1
	} >"$XSM_STORE/graph/$P2/edges.jsonl"
'

test_expect_success 'parallel edges pair up in their order (the same pair twice: no change); the extra ones are added or removed after the pairs' '
	cat >expect.par <<-\EOF &&
	diff 20261201T000000Z-0001 -> 20261202T000000Z-0001
	~ node n-c  c (device)
	      c: x -> y
	~ edge L|n-a|n-b  a -> b (L)
	+ edge L|n-a|n-b  a -> b (L)
	+ edge L|n-a|n-c  a -> c (L)
	~ edge L|n-b|n-c  b -> c (L)
	- edge L|n-b|n-c  b -> c (L)
	~ edge M|n-b|n-c  b -> c (M)
	nodes: 0 added, 0 removed, 1 changed; edges: 2 added, 1 removed, 3 changed
	EOF
	xsm graph diff $P1 $P2 >par &&
	test_cmp expect.par par &&
	xsm graph diff $P2 $P1 >par.back &&
	test_grep "^nodes: 0 added, 0 removed, 1 changed; edges: 1 added, 2 removed, 3 changed$" par.back
'

test_expect_success 'a raw subtree and its dotted keys, 1 and 1.0, 1e20 and its digits print alike: no change' '
	xsm --format=jsonl graph diff $P1 $P2 >par.jsonl &&
	! grep "\"type\":\"node\",\"change\":\"changed\",\"id\":\"n-a\"" par.jsonl &&
	! grep "\"id\":\"n-b\"" par.jsonl &&
	test "$(grep -c "\"type\":\"node\"" par.jsonl)" = 1
'

test_done
