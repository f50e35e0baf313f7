#!/bin/sh
test_description='graph nodes/edges filters, show, export formats, log and diff'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/graph"

test_expect_success 'setup: two runs a day apart' '
	for s in cmdb qualys tenable defender entra; do
		xsm -q ingest --no-build --format records --source $s "$F/$s.jsonl" || exit 1
	done &&
	xsm -q graph build &&
	grep -v "CVE-2023-4966" "$F/tenable.jsonl" >tenable2.jsonl &&
	echo "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"tenable:t-9\",\"name\":\"new-host\",\"keys\":{\"fqdn\":\"new-host.corp.example.com\"}}" >>tenable2.jsonl &&
	grep -v "LAPTOP-7" "$F/cmdb.jsonl" >cmdb2.jsonl &&
	XSM_NOW=2026-11-25T12:00:00Z xsm -q ingest --no-build --format records --source tenable tenable2.jsonl &&
	XSM_NOW=2026-11-25T12:00:00Z xsm -q ingest --format records --source cmdb cmdb2.jsonl
'

test_expect_success '--label filters, with lists' '
	xsm graph nodes --label Cve --format=jsonl >cve &&
	test "$(wc -l <cve)" = 1 &&
	xsm graph nodes --label user,group --format=jsonl >ids &&
	test "$(wc -l <ids)" = 3
'

test_expect_success '--where filters with the expression language' '
	xsm graph nodes --where "props.exposedToInternet and props.highRiskVulnerabilityInsights.maxCvssScore >= 9" --format=jsonl >hit &&
	test "$(wc -l <hit)" = 1 && test_grep "web01.corp.example.com" hit &&
	xsm graph nodes --where "sources contains \"qualys\" and label == \"device\"" --format=jsonl >q &&
	test "$(wc -l <q)" = 2 &&
	xsm graph nodes --where "name ~ \"^web\"" --limit 1 --format=jsonl >lim &&
	test "$(wc -l <lim)" = 1
'

test_expect_success 'a bad --where is a usage error with the column' '
	test_expect_code 64 xsm graph nodes --where "label == " 2>err &&
	test_grep "col 10: expected an operand" err &&
	test_expect_code 64 xsm graph nodes --where "nosuch == 1" 2>err &&
	test_grep "unknown field" err
'

test_expect_success 'edges --label and json output' '
	xsm --format=json graph edges --label "member of" >m.json &&
	test "$(json_get m.json "len(j[\"edges\"])")" = 3 &&
	test "$(json_get m.json "j[\"schema\"]")" = xsm.graph.edges/1
'

test_expect_success 'export json parses and holds every node and edge' '
	xsm graph export --format=json >g.json &&
	test "$(json_get g.json "len(j[\"nodes\"])")" = "$(xsm graph nodes --format=jsonl | wc -l)" &&
	test "$(json_get g.json "len(j[\"edges\"])")" = "$(xsm graph edges --format=jsonl | wc -l)"
'

test_expect_success 'export graphml is well-formed XML' '
	xsm graph export --format=graphml >g.xml &&
	python3 -c "import xml.etree.ElementTree as E, sys; r = E.parse(sys.argv[1]).getroot(); print(len(r[-1]))" g.xml >count &&
	test "$(cat count)" -gt 10
'

test_expect_success 'export dot renders with graphviz (when installed)' '
	xsm graph export --format=dot >g.dot &&
	test_grep "^digraph xsm" g.dot &&
	if command -v dot >/dev/null; then dot -Tsvg g.dot >g.svg && test_grep "<svg" g.svg; fi
'

test_expect_success 'export neo4j writes the CSV headers neo4j-admin reads' '
	xsm graph export --format=neo4j -o neo >out 2>&1 &&
	head -1 neo/nodes.csv >h1 && test "$(cat h1)" = "nodeId:ID,name,label,categories:string[],properties,:LABEL" &&
	head -1 neo/relationships.csv >h2 && test "$(cat h2)" = ":START_ID,:END_ID,:TYPE,edgeId,label" &&
	test_grep "MEMBER_OF" neo/relationships.csv &&
	python3 -c "import csv,sys; rows=list(csv.reader(open(sys.argv[1]))); assert all(len(r)==6 for r in rows)" neo/nodes.csv
'

test_expect_success 'export neo4j needs -o, and an unknown format is a usage error' '
	test_expect_code 64 xsm graph export --format=neo4j 2>err &&
	test_expect_code 64 xsm graph export --format=xls 2>err
'

test_expect_success 'log lists the snapshots, the current one marked' '
	xsm graph log >log &&
	test "$(grep -c "^[ *] 2026" log)" = 2 &&
	test_grep "^\* 20261125T120000Z" log &&
	test_grep "^    created 2026-11-25T12:00:00Z, [0-9]* sources, nodes [0-9]*, edges [0-9]*" log &&
	! test_grep "{" log
'

test_expect_success 'diff between the two snapshots is exact' '
	xsm graph diff --format=jsonl >d &&
	test_grep "\"change\":\"added\",\"id\":\"dev-[0-9a-f]*\",\"label\":\"device\",\"name\":\"new-host\"" d &&
	test_grep "\"change\":\"removed\",.*\"name\":\"LAPTOP-7\"" d &&
	test_grep "\"change\":\"removed\",\"id\":\"cve-CVE-2023-4966\"" d &&
	test_grep "\"type\":\"edge\",\"change\":\"removed\",\"id\":\"affecting|cve-CVE-2023-4966" d &&
	xsm --format=json graph diff >d.json &&
	test "$(json_get d.json "j[\"summary\"][\"nodes_added\"]")" = 1 &&
	test "$(json_get d.json "j[\"summary\"][\"nodes_removed\"]")" = 2 &&
	test "$(json_get d.json "j[\"summary\"][\"edges_removed\"]")" = 1
'

test_expect_success 'diff says what changed in a changed node: property, old value, new value' '
	json_get d.json "[c[\"properties\"] for c in j[\"changes\"] if c[\"name\"] == \"web01.corp.example.com\"][0]" >p &&
	test_grep "{.key.: .cves., .old.: .CVE-2023-4966, CVE-2024-3400., .new.: .CVE-2024-3400.}" p &&
	xsm graph diff >d.txt &&
	test_grep "^      cves: CVE-2023-4966, CVE-2024-3400 -> CVE-2024-3400$" d.txt
'

test_expect_success 'diff of a snapshot with itself is empty; unknown snapshots are errors' '
	s=$(cat "$XSM_STORE/graph/HEAD") &&
	xsm --format=json graph diff "$s" "$s" >same.json &&
	test "$(json_get same.json "len(j[\"changes\"])")" = 0 &&
	test_expect_code 66 xsm graph diff 20200101T000000Z-0001 2>err &&
	test_expect_code 64 xsm graph diff "../../etc" 2>err
'

test_done
