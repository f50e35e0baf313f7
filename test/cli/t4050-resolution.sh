#!/bin/sh
test_description='identity resolution: conflicting identifiers keep machines apart, whatever weaker key links them'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/resolution"
SOURCES="cmdb defender entra qualys tenable"

ingest_dir() { # ingest_dir DIR: every source's file in DIR
	for s in $SOURCES; do
		xsm -q ingest --no-build --format records --source $s "$1/$s.jsonl" || return 1
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

same() { # same A B...: the records are one node
	n=$(node_of "$1") && test -n "$n" || return 1
	shift
	for s in "$@"; do
		test "$(node_of "$s")" = "$n" || { echo "$s is not with the others ($(node_of "$s") != $n)"; return 1; }
	done
}

apart() { # apart A B: two nodes
	a=$(node_of "$1") && b=$(node_of "$2") && test -n "$a" && test -n "$b" && test "$a" != "$b"
}

test_expect_success 'build the hand-made sources' '
	ingest_dir "$F" &&
	xsm --format=json graph build >build.json &&
	xsm graph nodes --format=jsonl >nodes.jsonl &&
	xsm graph edges --format=jsonl >edges.jsonl
'

test_expect_success 'an FQDN reused after a rebuild: the retired and the current machine stay two nodes' '
	same cmdb:app01-2019 defender:m-app01-old qualys:q-app01-old &&
	same cmdb:app01-2026 defender:m-app01-new qualys:q-app01-new &&
	apart cmdb:app01-2019 cmdb:app01-2026
'

test_expect_success 'a scanner record with FQDN and address joins the machine with that address' '
	same qualys:q-app01-old cmdb:app01-2019 && same qualys:q-app01-new cmdb:app01-2026
'

test_expect_success 'a scanner record with only the FQDN joins the current machine, not the retired one' '
	same tenable:t-app01 cmdb:app01-2026 defender:m-app01-new
'

test_expect_success 'one short name in two domains on one DHCP address: two machines' '
	same cmdb:web-corp qualys:q-web-corp &&
	same cmdb:web-lab qualys:q-web-lab &&
	apart cmdb:web-corp cmdb:web-lab
'

test_expect_success 'a short-name record with the shared address joins the machine its MAC names' '
	same tenable:t-web cmdb:web-lab
'

test_expect_success 'two FQDNs are never linked by hostname + address alone' '
	apart qualys:q-db-corp tenable:t-db-lab
'

test_expect_success 'a renamed host (same serial and MAC, new FQDN) stays one node' '
	same cmdb:renamed defender:m-renamed tenable:t-renamed
'

test_expect_success 'two records of one source with one FQDN stay two nodes, with two NodeIds' '
	apart qualys:dup-1 qualys:dup-2 &&
	test "$(python3 -c "import json,sys; ids=[json.loads(l)[\"NodeId\"] for l in open(sys.argv[1])]; print(len(ids) - len(set(ids)))" nodes.jsonl)" = 0
'

test_expect_success 'a shared serial with two EDR ids: two machines, the CMDB record joins the one it shares the FQDN with' '
	apart defender:m-twin-a defender:m-twin-b &&
	same cmdb:twin defender:m-twin-a
'

test_expect_success 'identities still merge on upn case-insensitively' '
	same cmdb:bob entra:bob
'

test_expect_success 'the node count is what the merges leave' '
	# app01 old and new, web corp and lab, renamed, twin-a, twin-b, dup-1, dup-2,
	# db corp and lab, host7 (scanner) and HOST0000007 (cmdb): 13 devices; bob
	test "$(grep -c "\"NodeLabel\":\"device\"" nodes.jsonl)" = 13 &&
	test "$(grep -c "\"NodeLabel\":\"user\"" nodes.jsonl)" = 1
'

test_expect_success 'graph show explains each refused merge' '
	old=$(node_of cmdb:app01-2019) && new=$(node_of cmdb:app01-2026) &&
	xsm graph show "$new" >show.txt &&
	test_grep "^not merged with $old: serial differs$" show.txt &&
	xsm graph show "$(node_of defender:m-twin-b)" >twin.txt &&
	test_grep "^not merged with $(node_of defender:m-twin-a): mde_id differs$" twin.txt &&
	xsm graph show "$(node_of qualys:dup-1)" >dup.txt &&
	test_grep "^not merged with $(node_of qualys:dup-2): both seen by qualys$" dup.txt &&
	xsm graph show "$(node_of qualys:q-db-corp)" >db.txt &&
	test_grep "^not merged with $(node_of tenable:t-db-lab): fqdn differs$" db.txt &&
	xsm --format=json graph show "$old" >old.json &&
	json_get old.json "\"|\".join(j[\"node\"][\"NodeProperties\"][\"rawData\"][\"notMergedWith\"])" >nm &&
	test "$(cat nm)" = "$new: serial differs"
'

test_expect_success 'a node nothing conflicts with has no notMergedWith' '
	xsm graph show "$(node_of cmdb:renamed)" >ren.txt &&
	! test_grep "not merged" ren.txt &&
	! grep "$(node_of cmdb:renamed)\"" nodes.jsonl | grep -q notMergedWith
'

test_expect_success 'build and stats count the conflicts' '
	test "$(json_get build.json "j[\"conflicts\"]")" = 5 &&
	xsm --format=json graph stats >stats.json &&
	test "$(json_get stats.json "j[\"build\"][\"conflicts\"]")" = 5 &&
	xsm graph stats >stats.txt &&
	test_grep "identity conflicts 5$" stats.txt
'

test_expect_success 'device names from DNS are lower case without the trailing dot; others keep their case' '
	grep "\"NodeName\":\"host0000007.corp.example.com\"" nodes.jsonl &&
	grep "\"NodeName\":\"HOST0000007\"" nodes.jsonl &&
	! grep -i "\"NodeName\":\"[^\"]*\.\"" nodes.jsonl &&
	grep "\"NodeName\":\"web.corp.example.com\"" nodes.jsonl &&
	grep "\"NodeName\":\"Bob.Smith@corp.example.com\"" nodes.jsonl
'

test_expect_success 'pairwise precision and recall of device merges reach 0.99 on a generated estate (seed 1)' '
	# test/bench/resolution_quality.py: CMDB, EDR and two scanners over 400 hosts with
	# rebuilds reusing FQDNs, short names repeated across domains, DHCP leases, renames
	python3 "$XSM_TOP/test/bench/resolution_quality.py" --seed 1 --xsm "$XSM" --keep "$TRASH/quality" \
		--min 0.99 >quality.json &&
	cat quality.json &&
	test "$(json_get quality.json "j[\"records\"] > 1000")" = True
'

test_expect_success 'an identifier more than 64 machines carry names none of them: it neither merges nor conflicts' '
	python3 -c "
import json
for i in range(70):
    print(json.dumps({\"type\": \"asset\", \"label\": \"device\", \"source_id\": \"cmdb:c%d\" % i, \"name\": \"pc%d\" % i,
                      \"keys\": {\"serial\": \"123456789\", \"fqdn\": \"pc%d.corp.example.com\" % i}}))" >clones.jsonl &&
	echo "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"edr:pc7\",\"name\":\"pc7\",\"keys\":{\"serial\":\"REAL-7\",\"mde_id\":\"m7\",\"fqdn\":\"pc7.corp.example.com\"}}" >edr.jsonl &&
	(
		export XSM_STORE="$TRASH/store-clones" &&
		xsm -q ingest --no-build --format records --source cmdb clones.jsonl &&
		xsm -q ingest --no-build --format records --source edr edr.jsonl &&
		xsm --format=json graph build >clones-build.json &&
		xsm graph nodes --format=jsonl >clones-nodes.jsonl &&
		xsm --format=json graph stats >clones-stats.json
	) &&
	test "$(wc -l <clones-nodes.jsonl)" = 70 &&
	grep "\"SourceId\",\"id\":\"edr:pc7\"" clones-nodes.jsonl >pc7 &&
	test_grep "cmdb:c7\"" pc7 &&
	test "$(json_get clones-build.json "j[\"conflicts\"]")" = 0 &&
	test "$(json_get clones-stats.json "j[\"build\"][\"ignored_keys\"]")" = 1
'

shuffle() { # shuffle SEED DIR: every fixture file, its lines in another order, into DIR
	mkdir -p "$2" &&
	for s in $SOURCES; do
		python3 -c "
import random, sys
lines = open(sys.argv[1]).readlines()
random.Random(int(sys.argv[2])).shuffle(lines)
sys.stdout.writelines(lines)" "$F/$s.jsonl" "$1" >"$2/$s.jsonl" || return 1
	done
}

for seed in 1 2 3; do
	test_expect_success "input order does not matter (shuffle $seed): byte-identical nodes and edges" '
		shuffle '$seed' shuf'$seed' &&
		! cmp -s shuf'$seed'/qualys.jsonl "$F/qualys.jsonl" &&
		(
			export XSM_STORE="$TRASH/store-shuf'$seed'" &&
			ingest_dir shuf'$seed' &&
			xsm -q graph build &&
			xsm graph nodes --format=jsonl >shuf'$seed'/nodes.jsonl &&
			xsm graph edges --format=jsonl >shuf'$seed'/edges.jsonl
		) &&
		test_cmp nodes.jsonl shuf'$seed'/nodes.jsonl &&
		test_cmp edges.jsonl shuf'$seed'/edges.jsonl
	'
done

test_expect_success 'input order does not matter for the graph fixtures either' '
	G="$XSM_TOP/test/fixtures/graph" &&
	(
		export XSM_STORE="$TRASH/store-g1" &&
		for s in cmdb qualys tenable defender entra; do
			xsm -q ingest --no-build --format records --source $s "$G/$s.jsonl" || exit 1
		done &&
		xsm -q graph build && xsm graph nodes --format=jsonl >g1.nodes && xsm graph edges --format=jsonl >g1.edges
	) &&
	(
		export XSM_STORE="$TRASH/store-g2" &&
		for s in entra defender tenable qualys cmdb; do
			python3 -c "
import random, sys
lines = open(sys.argv[1]).readlines()
random.Random(7).shuffle(lines)
sys.stdout.writelines(lines)" "$G/$s.jsonl" | xsm -q ingest --no-build --format records --source $s - || exit 1
		done &&
		xsm -q graph build && xsm graph nodes --format=jsonl >g2.nodes && xsm graph edges --format=jsonl >g2.edges
	) &&
	test_cmp g1.nodes g2.nodes && test_cmp g1.edges g2.edges
'

test_expect_success 'an Azure VM: its ARM id and its vmId are two keys; Defender joins by either, a different vmId stays apart' '
	(
		export XSM_STORE="$TRASH/store-vm" &&
		cat >azure.jsonl <<-\EOF &&
		{"type":"asset","label":"microsoft.compute/virtualmachines","source_id":"azure:vm1","name":"vm-pay-01","keys":{"cloud_id":"/subscriptions/s1/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/vm-pay-01","azure_vm_id":"1F2E3D4C-0000-4000-8000-000000000001"}}
		EOF
		cat >mde.jsonl <<-\EOF &&
		{"type":"asset","label":"device","source_id":"mde:a1","name":"vm-pay-01.corp.example.com","keys":{"mde_id":"aaaa1","azure_vm_id":"1f2e3d4c-0000-4000-8000-000000000001","fqdn":"vm-pay-01.corp.example.com"}}
		EOF
		cat >inv.jsonl <<-\EOF &&
		{"type":"asset","label":"device","source_id":"inv:a2","name":"vm-pay-02.corp.example.com","keys":{"cloud_id":"/subscriptions/s1/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm-pay-01","azure_vm_id":"1f2e3d4c-0000-4000-8000-000000000099"}}
		EOF
		xsm -q ingest --no-build --format records --source azure azure.jsonl &&
		xsm -q ingest --no-build --format records --source inv inv.jsonl &&
		xsm -q ingest --format records --source mde mde.jsonl &&
		xsm graph nodes --format=jsonl >nodes.jsonl
	) &&
	python3 -c "
import json
nodes = [json.loads(l) for l in open(\"nodes.jsonl\")]
by = {e[\"id\"]: n[\"NodeId\"] for n in nodes for e in n[\"EntityIds\"] if e[\"type\"] == \"SourceId\"}
assert by[\"azure:vm1\"] == by[\"mde:a1\"], \"the vmId joins Defender to the VM\"
assert by[\"inv:a2\"] != by[\"azure:vm1\"], \"a different vmId keeps a device apart, whatever its ARM id\"
n = [n for n in nodes if n[\"NodeId\"] == by[\"inv:a2\"]][0]
assert any(\"azure_vm_id differs\" in w for w in n[\"NodeProperties\"][\"rawData\"][\"notMergedWith\"]), n
assert {\"type\": \"AzureVmId\", \"id\": \"1f2e3d4c-0000-4000-8000-000000000001\"} in [n for n in nodes if n[\"NodeId\"] == by[\"mde:a1\"]][0][\"EntityIds\"]
"
'

test_done
