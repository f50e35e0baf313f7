#!/bin/sh
test_description='graph build: identity resolution across sources, Cve nodes, edges, derived properties'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/graph"

ingest_all() {
	for s in cmdb qualys tenable defender entra; do
		xsm -q ingest --no-build --format records --source $s "$F/$s.jsonl" || return 1
	done
}

node_of() { # node_of SOURCE_ID: the NodeId whose EntityIds hold that source id
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    n = json.loads(l)
    if {"type": "SourceId", "id": sys.argv[2]} in n["EntityIds"]:
        print(n["NodeId"])' nodes.jsonl "$1"
}

test_expect_success 'ingest five sources and build' '
	ingest_all &&
	xsm --format=json graph build >build.json &&
	test "$(json_get build.json "j[\"sources\"]")" = 5 &&
	xsm graph nodes --format=jsonl >nodes.jsonl &&
	xsm graph edges --format=jsonl >edges.jsonl
'

test_expect_success '-v reports each build phase with its time; without it stderr stays quiet' '
	xsm -v graph build >/dev/null 2>phases &&
	for p in "build: read records" "build: resolve identities" "critical assets" "attack paths" \
		 "write: graph.bin and paths" "write snapshot" "events"; do
		grep "^xsm: $p: [0-9.]* s, CPU [0-9.]* s, peak RSS [0-9]* MB$" phases || return 1
	done &&
	xsm graph build >/dev/null 2>quiet &&
	test ! -s quiet
'

test_expect_success 'on a terminal, graph build shows its progress on one line, then its summary' '
	command -v script >/dev/null || { say "no script(1): skipped"; return 0; }
	script -qec "\"$XSM\" graph build 2>&1 >/dev/null" /dev/null >tty.out &&
	test_grep "building the graph: reading records" tty.out &&
	test_grep "building the graph: build: resolve identities done" tty.out &&
	! test_grep "peak RSS\|thread of its own" tty.out
'

test_expect_success 'a snapshot keeps its graph once, in graph.bin; the JSONL views are made from it' '
	head=$(cat "$XSM_STORE/graph/HEAD") &&
	test -s "$XSM_STORE/graph/$head/graph.bin" &&
	test ! -e "$XSM_STORE/graph/$head/nodes.jsonl" &&
	test ! -e "$XSM_STORE/graph/$head/edges.jsonl" &&
	xsm graph export --format=jsonl >export.jsonl &&
	sed "s/^{\"type\":\"[a-z]*\",/{/" export.jsonl >plain.jsonl &&
	cat nodes.jsonl edges.jsonl >both.jsonl &&
	test_cmp both.jsonl plain.jsonl
'

test_expect_success 'one host seen by a CMDB, two scanners and an EDR under four spellings is one node' '
	n=$(node_of cmdb:a1) && test -n "$n" &&
	test "$(node_of qualys:101)" = "$n" &&
	test "$(node_of tenable:t-1)" = "$n" &&
	test "$(node_of defender:f00d)" = "$n"
'

test_expect_success 'the merged host shows which records joined and through which keys' '
	xsm --format=json graph show "$(node_of cmdb:a1)" >show.json &&
	json_get show.json "\",\".join(j[\"node\"][\"Sources\"])" >srcs &&
	test "$(cat srcs)" = "cmdb,defender,qualys,tenable" &&
	json_get show.json "sorted(j[\"node\"][\"NodeProperties\"][\"rawData\"][\"sources\"][\"tenable:t-1\"][\"keys\"])" >keys &&
	test_grep "mac:00:50:56:ab:cd:ef" keys && test_grep "hostip:web01/10.0.0.5" keys
'

test_expect_success 'the most recently seen source wins each property; losers are kept' '
	json_get show.json "j[\"node\"][\"NodeProperties\"][\"rawData\"][\"osType\"]" >os &&
	test "$(cat os)" = linux &&
	json_get show.json "j[\"node\"][\"NodeProperties\"][\"rawData\"][\"sources\"][\"qualys:101\"][\"props\"][\"osType\"]" >qos &&
	test "$(cat qos)" = Linux &&
	json_get show.json "j[\"node\"][\"NodeName\"]" >name &&
	test "$(cat name)" = web01.corp.example.com
'

test_expect_success 'two hosts that share a DHCP address stay apart' '
	test -n "$(node_of cmdb:a2)" && test -n "$(node_of qualys:102)" &&
	test "$(node_of cmdb:a2)" != "$(node_of qualys:102)"
'

test_expect_success 'a hostname alone does not merge, nor an address alone' '
	test "$(node_of entra:dev-alice)" != "$(node_of cmdb:a1)"
'

test_expect_success 'a renamed host merges on its MAC, whatever the MAC spelling' '
	test "$(node_of cmdb:a3)" = "$(node_of tenable:t-2)"
'

test_expect_success 'placeholder serials never merge' '
	test "$(node_of cmdb:a4)" != "$(node_of cmdb:a5)"
'

test_expect_success 'identities merge on upn case-insensitively' '
	test "$(node_of cmdb:u1)" = "$(node_of entra:alice)"
'

test_expect_success 'the node count is exactly what the merges leave' '
	# devices: web01, laptop-7, desk-9, fs-old/fileserver-new, 2 placeholders, alice-laptop = 7
	# identities: alice, IT Admins, Tier 0 = 3; CVEs: 2 open (the fixed one makes none)
	test "$(grep -c "\"NodeLabel\":\"device\"" nodes.jsonl)" = 7 &&
	test "$(grep -c "\"NodeLabel\":\"Cve\"" nodes.jsonl)" = 2 &&
	test "$(wc -l <nodes.jsonl)" = 12
'

test_expect_success 'findings become shared Cve nodes with one affecting edge per asset' '
	n=$(node_of cmdb:a1) &&
	grep "\"EdgeLabel\":\"affecting\"" edges.jsonl >aff &&
	test "$(wc -l <aff)" = 2 &&
	grep "cve-CVE-2024-3400" aff >one &&
	test_grep "\"TargetNodeId\":\"$n\"" one &&
	test_grep "\"reportedBy\":\\[\"qualys\",\"tenable\"\\]" one &&
	test_grep "\"cvssScore\":10" one
'

test_expect_success 'devices get highRiskVulnerabilityInsights and derived props' '
	json_get show.json "j[\"node\"][\"NodeProperties\"][\"rawData\"][\"highRiskVulnerabilityInsights\"]" >hri &&
	test_grep "maxCvssScore.: 10" hri &&
	test_grep "vulnerableToRemoteCodeExecution.: True" hri &&
	test_grep "vulnerableToPrivilegeEscalation.: True" hri &&
	json_get show.json "j[\"node\"][\"NodeProperties\"][\"rawData\"][\"oldestCriticalDays\"]" >age &&
	test "$(cat age)" = 84 &&
	json_get show.json "j[\"node\"][\"NodeProperties\"][\"rawData\"][\"loggedOnBy\"]" >lob &&
	test_grep "Alice Admin" lob
'

test_expect_success 'memberOf() is transitive and survives a group cycle; rawData keeps direct groups; adminOnCount counts via groups' '
	xsm --format=json graph show "$(node_of entra:alice)" >alice.json &&
	json_get alice.json "j[\"node\"][\"NodeProperties\"][\"rawData\"][\"memberOf\"]" >mo &&
	test_grep "IT Admins" mo && ! test_grep "Tier 0" mo &&
	xsm graph nodes --where "memberOf(\"Tier 0\") and label == \"user\"" >tier0 &&
	test_grep "Alice" tier0 &&
	json_get alice.json "j[\"node\"][\"NodeProperties\"][\"rawData\"][\"adminOnCount\"]" >adm &&
	test "$(cat adm)" = 1
'

test_expect_success 'references to unknown assets are counted, not silently dropped' '
	test "$(json_get build.json "j[\"unknown_refs\"]")" = 2 &&
	xsm graph stats >stats &&
	test_grep "references to unknown assets 2" stats &&
	xsm --format=jsonl graph stats >stats.jsonl &&
	test "$(wc -l <stats.jsonl)" = 1 &&
	test "$(json_get stats.jsonl "j[\"build\"][\"unknown_refs\"]")" = 2
'

test_expect_success 'a rebuild of the same records is byte-identical, with the same ids' '
	head=$(cat "$XSM_STORE/graph/HEAD") &&
	XSM_NOW=2026-11-24T13:00:00Z xsm -q graph build &&
	head2=$(cat "$XSM_STORE/graph/HEAD") &&
	test "$head" != "$head2" &&
	cmp "$XSM_STORE/graph/$head/graph.bin" "$XSM_STORE/graph/$head2/graph.bin" &&
	xsm graph export --format=jsonl >export2.jsonl &&
	test_cmp export.jsonl export2.jsonl
'

test_expect_success 'ids do not depend on the order records arrive in' '
	mkdir -p other && cd other &&
	export XSM_STORE="$TRASH/other-store" &&
	for s in entra defender tenable qualys cmdb; do
		tac "$F/$s.jsonl" | xsm -q ingest --no-build --format records --source $s - || exit 1
	done &&
	xsm -q graph build &&
	xsm graph export --format=jsonl >export.jsonl &&
	test_cmp "$TRASH/export.jsonl" export.jsonl
'

test_expect_success 'a snapshot of an older xsm (nodes.jsonl and edges.jsonl, no graph.bin) is read as it is' '
	snap="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	xsm graph export --format=jsonl >from-bin &&
	xsm paths summary >paths-bin &&
	mv "$snap/graph.bin" saved.bin &&
	test_expect_code 65 xsm graph nodes --format=jsonl >/dev/null 2>&1 &&
	sed -n "s/^{\"type\":\"node\",/{/p" from-bin >"$snap/nodes.jsonl" &&
	sed -n "s/^{\"type\":\"edge\",/{/p" from-bin >"$snap/edges.jsonl" &&
	xsm graph export --format=jsonl >from-jsonl &&
	test_cmp from-bin from-jsonl &&
	head -c 1000 saved.bin >"$snap/graph.bin" &&
	xsm graph export --format=jsonl >from-short && test_cmp from-bin from-short &&
	rm "$snap/nodes.jsonl" "$snap/edges.jsonl" &&
	cp saved.bin "$snap/graph.bin" &&
	xsm paths summary >paths-again && test_cmp paths-bin paths-again
'

test_expect_success 'graph.bin is compressed; an uncompressed one (version 1, earlier snapshots) is read too' '
	snap="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	xsm graph export --format=jsonl >from-bin &&
	test "$(head -c 12 "$snap/graph.bin" | od -An -tu4 -j8 | tr -d " ")" = 2 &&
	if command -v zstd >/dev/null; then
		cp "$snap/graph.bin" saved.bin &&
		{ head -c 8 saved.bin; printf "\\001\\000\\000\\000"; head -c 80 saved.bin | tail -c +13;
		  tail -c +81 saved.bin | zstd -qdc; } >"$snap/graph.bin" &&
		test "$(wc -c <"$snap/graph.bin")" -gt "$(wc -c <saved.bin)" &&
		xsm graph export --format=jsonl >from-v1 &&
		test_cmp from-bin from-v1 &&
		cp saved.bin "$snap/graph.bin"
	fi
'

test_expect_success 'a snapshot whose graph.bin is damaged is refused, telling to rebuild' '
	snap="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	cp "$snap/graph.bin" saved.bin &&
	{ head -c 200 saved.bin; head -c 400 /dev/zero | tr "\\0" "\\377"; tail -c +601 saved.bin; } >"$snap/graph.bin" &&
	test "$(wc -c <"$snap/graph.bin")" = "$(wc -c <saved.bin)" &&
	test_expect_code 65 xsm graph export --format=jsonl >/dev/null 2>err &&
	test_grep "unreadable graph.bin; rebuild it with .xsm graph build." err &&
	rm "$snap/graph.bin" &&
	test_expect_code 65 xsm graph nodes 2>err &&
	test_grep "has no graph.bin" err &&
	cp saved.bin "$snap/graph.bin" &&
	xsm graph export --format=jsonl >from-again && test_cmp from-bin from-again
'

test_expect_success 'graph stats reads the counts the build stored; without them (earlier snapshots) it loads the graph' '
	snap="$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")" &&
	test -s "$snap/labels.json" &&
	xsm graph stats >stored.txt && xsm --format=json graph stats >stored.json &&
	mv "$snap/labels.json" labels.saved &&
	xsm graph stats >loaded.txt && xsm --format=json graph stats >loaded.json &&
	test_cmp loaded.txt stored.txt && test_cmp loaded.json stored.json &&
	mv "$snap/graph.bin" bin.saved &&
	mv labels.saved "$snap/labels.json" &&
	xsm graph stats >nobin.txt && test_cmp loaded.txt nobin.txt &&
	mv bin.saved "$snap/graph.bin"
'

test_expect_success 'graph commands before any build say so (exit 66)' '
	xsm init "$TRASH/empty" &&
	test_expect_code 66 xsm --store "$TRASH/empty" graph stats 2>err &&
	test_grep "no graph yet" err
'

test_expect_success 'build with no records exits 66' '
	xsm init "$TRASH/norec" &&
	test_expect_code 66 xsm --store "$TRASH/norec" graph build 2>err &&
	test_grep "no records" err
'

test_expect_success 'show of an unknown node exits 66' '
	test_expect_code 66 xsm graph show nope 2>err &&
	test_grep "no node" err
'

test_done
