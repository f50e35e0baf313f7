#!/bin/sh
test_description='a NODE argument is found by any of its keys; an ambiguous one lists the candidates (64), an unknown one is 66'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/graph"

id_of() { xsm --format=json graph show "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"node\"][\"NodeId\"])"; }

test_expect_success 'five sources built' '
	for s in cmdb qualys tenable defender; do
		xsm -q ingest --no-build --format records --source $s "$F/$s.jsonl" || return 1
	done &&
	xsm -q ingest --format records --source entra "$F/entra.jsonl" &&
	web=$(id_of web01.corp.example.com) && test -n "$web" && echo "$web" >web
'

test_expect_success 'the same node by NodeId, name, FQDN in any case, host name, source id, MAC, serial and IP' '
	web=$(cat web) &&
	for k in "$web" WEB01.Corp.Example.COM. web01 qualys:101 tenable:t-1 00:50:56:ab:cd:ef VMW-42-11 f00dcafe; do
		test "$(id_of "$k")" = "$web" || { echo "not found by $k"; return 1; }
	done
'

test_expect_success 'an identity by UPN in any case and by its object id' '
	a=$(id_of alice@corp.example.com) && test -n "$a" &&
	test "$(id_of ALICE@CORP.EXAMPLE.COM)" = "$a" &&
	test "$(id_of 1111-aaaa)" = "$a"
'

test_expect_success 'an address two hosts were seen at is ambiguous: the candidates are listed, exit 64' '
	test_expect_code 64 xsm graph show 10.0.0.5 2>err &&
	test_grep "names 2 nodes; give a NodeId" err &&
	test_grep "web01.corp.example.com (device)" err &&
	test_grep "alice-laptop (device)" err
'

test_expect_success 'an unknown NODE is 66 in every command that takes one' '
	test_expect_code 66 xsm graph show nosuch-host 2>err &&
	test_grep "no node with id, name or key .nosuch-host." err &&
	test_expect_code 66 xsm paths blast-radius nosuch-host &&
	test_expect_code 66 xsm critical set nosuch-host 1
'

test_expect_success 'critical set and blast-radius take any key too' '
	xsm paths blast-radius qualys:101 >br && test_grep "blast radius of web01.corp.example.com" br &&
	xsm critical set alice@corp.example.com 0 &&
	xsm --format=json graph show alice@corp.example.com >a.json &&
	test "$(json_get a.json "j[\"node\"][\"NodeProperties\"][\"rawData\"][\"manualCriticalityLevel\"]")" = 0
'

test_expect_success 'paths list --target and --entry take any key of a node; an unknown one is 66' '
	xsm paths list --format=jsonl >all &&
	test -s all &&
	xsm paths list --target "$(cat web)" --format=jsonl >by-id &&
	xsm paths list --target qualys:101 --format=jsonl >by-key &&
	test_cmp by-id by-key &&
	xsm paths list --target WEB01.corp.example.com --format=jsonl >by-fqdn &&
	test_cmp by-id by-fqdn &&
	test_expect_code 66 xsm paths list --target nosuch-host
'

test_expect_success '--label with a label no node has says so' '
	test_expect_code 66 xsm graph nodes --label devcie 2>err &&
	test_grep "no node has label .devcie.; labels: Cve, device, group, user" err
'

test_done
