#!/bin/sh
test_description='connectors: ServiceNow, Qualys, Rapid7 and Tenable over real HTTP against the emulators'
. "$(dirname "$0")/../lib/test-lib.sh"

# retries wait milliseconds, not seconds, here
export XSM_HTTP_BACKOFF_MS=20
export SN_PASS=emu-sn-pass Q_PASS=emu-q-pass R7_KEY=emu-r7-key T_ACCESS=emu-t-access T_SECRET=emu-t-secret
EMU="--seed 7 --hosts 40 --findings-per-host 5 --page-size 7"

start_emulator servicenow $EMU && SN=$EMU_PORT &&
start_emulator qualys $EMU && QL=$EMU_PORT &&
start_emulator rapid7 $EMU && R7=$EMU_PORT &&
start_emulator tenable $EMU && TN=$EMU_PORT || {
	echo "1..0 # skip the emulators did not start"
	exit 0
}
python3 "$XSM_TOP/test/emu/enterprise.py" --seed 7 --hosts 40 --findings-per-host 5 truth >truth.jsonl

requests() {
	emu_requests "$1"
}

test_expect_success 'the catalog lists the four connector types' '
	xsm connect list >out &&
	for t in servicenow qualys rapid7 tenable; do test_grep "^  $t " out || return 1; done &&
	test_grep "no connectors configured" out
'

test_expect_success 'add: unknown type, unknown setting, missing secret, non-loopback http are refused' '
	test_expect_code 64 xsm connect add nosuch x &&
	test_expect_code 64 xsm connect add servicenow cmdb --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS --set colour=blue &&
	test_expect_code 64 xsm connect add servicenow cmdb --url http://127.0.0.1:$SN --username xsm &&
	test_expect_code 64 xsm connect add servicenow cmdb --url http://example.com --username xsm --password-env SN_PASS 2>err &&
	test_grep "not allowed" err &&
	test_expect_code 64 xsm connect add servicenow Bad/Name --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS
'

test_expect_success 'a secret file readable by others is refused; a 0600 one is taken' '
	printf "%s\n" emu-t-secret >secret && chmod 644 secret &&
	test_expect_code 77 xsm connect add tenable tvm --url http://127.0.0.1:$TN --access-key-env T_ACCESS --secret-key-file "$PWD/secret" 2>err &&
	test_grep "readable by group or others" err &&
	chmod 600 secret &&
	xsm connect add tenable tvm --url http://127.0.0.1:$TN --access-key-env T_ACCESS --secret-key-file "$PWD/secret" --set poll_interval_ms=20
'

test_expect_success 'add the others; a secret from stdin is stored 0600 and never shown' '
	xsm connect add servicenow cmdb --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS --set lookback_days=0 &&
	echo emu-q-pass | xsm connect add qualys qualys --url http://127.0.0.1:$QL --username xsm --password-stdin &&
	xsm connect add rapid7 r7 --url http://127.0.0.1:$R7 --api-key-env R7_KEY &&
	test "$(stat -c %a "$XSM_STORE/connectors/qualys.yaml")" = 600 &&
	xsm --format=json connect show qualys >show &&
	test_grep "^{\"schema\":\"xsm.connect.show/1\"" show &&
	test_grep "\"password\":\"\[redacted\]\"" show &&
	test_grep ! emu-q-pass show &&
	xsm connect show qualys >show.txt &&
	test_grep "^password  *\[redacted\]$" show.txt && ! test_grep "{" show.txt &&
	test_grep ! emu-q-pass show.txt &&
	xsm --format=json connect show cmdb >show &&
	test_grep "\"password_env\":\"SN_PASS\"" show &&
	test_expect_code 65 xsm connect add qualys qualys --url http://127.0.0.1:$QL --username xsm --password-env Q_PASS 2>err &&
	test_grep "exists already" err
'

test_expect_success 'connect test makes one authenticated call per connector' '
	for c in cmdb qualys r7 tvm; do xsm connect test $c >>out || return 1; done &&
	test "$(grep -c ": ok$" out)" = 4 &&
	requests $SN >req && test "$(wc -l <req)" = 1 &&
	test_grep "sysparm_limit=1&" req
'

test_expect_success 'a wrong password exits 77 with a hint, and the vendor message' '
	SN_PASS=wrong test_expect_code 77 xsm connect test cmdb 2>err &&
	test_grep "User Not Authenticated" err &&
	test_grep "^hint:" err &&
	xsm connect add qualys qbad --url http://127.0.0.1:$QL --username xsm --password-env T_SECRET &&
	test_expect_code 77 xsm connect test qbad 2>err &&
	test_grep "2000" err &&
	xsm connect remove qbad
'

test_expect_success 'ingest --all syncs the four, reports each, builds once' '
	xsm --format=json ingest --all >sum.json 2>err &&
	json_get sum.json "[c[\"name\"] + \":\" + c[\"status\"] for c in j[\"connectors\"]]" >got &&
	test_grep "cmdb:ok" got && test_grep "qualys:ok" got && test_grep "r7:ok" got && test_grep "tvm:ok" got &&
	test "$(ls "$XSM_STORE/graph" | grep -c -v HEAD)" = 1
'

test_expect_success 'asset counts equal the vendors'"'"' coverage in the truth' '
	python3 - sum.json truth.jsonl <<-\EOF
	import json, sys
	s = {c["name"]: c for c in json.load(open(sys.argv[1]))["connectors"]}
	t = [json.loads(l) for l in open(sys.argv[2])]
	want = {"cmdb": "servicenow", "qualys": "qualys", "r7": "rapid7", "tvm": "tenable"}
	for name, vendor in want.items():
	    n = sum(1 for h in t if h["ids"][vendor] is not None)
	    apps = 5 if vendor == "servicenow" else 0  # and the CMDB business applications
	    assert s[name]["assets"] == n + apps, (name, s[name]["assets"], n)
	    assert s[name]["billable"]["devices"] == n, name
	    assert s[name]["billable"]["applications"] == apps, name
	assert s["cmdb"]["relations"] > 0 and s["qualys"]["findings"] > 0
	EOF
'

test_expect_success 'the graph merges every host the four vendors spell differently, with its exact CVEs' '
	xsm graph nodes --label device --format=jsonl >nodes.jsonl &&
	python3 - nodes.jsonl truth.jsonl <<-\EOF
	import json, sys
	nodes = [json.loads(l) for l in open(sys.argv[1])]
	truth = [json.loads(l) for l in open(sys.argv[2])]
	prefix = {"servicenow": "cmdb", "qualys": "qualys", "rapid7": "r7", "tenable": "tvm"}
	def sids(n):
	    return {e["id"] for e in n["EntityIds"] if e["type"] == "SourceId"}
	assert len(nodes) == len(truth), (len(nodes), len(truth))
	for h in truth:
	    want = set()
	    for v, i in h["ids"].items():
	        if i is not None:
	            want.add(prefix[v] + ":" + (h["rapid7_v4_id"] if v == "rapid7" else i))
	    hit = [n for n in nodes if sids(n) & want]
	    assert len(hit) == 1, (h["host"], [n["NodeName"] for n in hit])
	    assert sids(hit[0]) == want, (h["host"], sids(hit[0]) ^ want)
	    # every scanner that covers a host reports all its open CVEs; the CMDB none
	    scanned = any(h["ids"][v] for v in ("qualys", "rapid7", "tenable"))
	    cves = sorted(hit[0]["NodeProperties"]["rawData"].get("cves", []))
	    assert cves == (sorted(h["cves"]) if scanned else []), (h["host"], cves, h["cves"])
	EOF
'

test_expect_success 'ServiceNow paged by Link rel=next; Qualys by the WARNING URL; KB asked once per QID' '
	requests $SN >sn && test_grep "cmdb_ci_computer?.*sysparm_offset=7" sn &&
	requests $QL >ql && test_grep "detection/?.*id_min=" ql &&
	test "$(grep -c knowledge_base ql)" -ge 1 &&
	test "$(grep -c knowledge_base ql)" -le "$(grep -c "detection/" ql)"
'

test_expect_success 'records carry the vocabulary: keys, osType, cmdbClass, CVE findings with reportedBy' '
	run=$(ls "$XSM_STORE/records/cmdb" | tail -1) &&
	grep -m1 "\"label\":\"device\"" "$XSM_STORE/records/cmdb/$run" >rec &&
	test_grep "\"cmdbClass\":\"cmdb_ci_" rec && test_grep "\"hostname\":" rec &&
	run=$(ls "$XSM_STORE/records/tvm" | tail -1) &&
	grep "\"type\":\"finding\"" "$XSM_STORE/records/tvm/$run" | head -1 >rec &&
	test_grep "\"reportedBy\":\"tenable\"" rec && test_grep "\"cve\":\"CVE-" rec
'

test_expect_success 'connect list shows status, last sync, counts and billable assets' '
	xsm --format=json connect list >list.json &&
	json_get list.json "sorted((c[\"name\"], c[\"status\"]) for c in j[\"connectors\"])" >got &&
	test_grep "(.cmdb., .connected.)" got &&
	json_get list.json "[c[\"last_sync\"] for c in j[\"connectors\"]]" | test_grep ! None /dev/stdin
'

test_expect_success 'the second ServiceNow sync is incremental: only touched CIs are fetched and merged' '
	before=$(ls "$XSM_STORE/records/cmdb" | tail -1) &&
	emu_touch $SN 3 >touched &&
	xsm --format=json ingest cmdb >inc.json &&
	json_get inc.json "j[\"connectors\"][0][\"incremental\"]" | test_grep True /dev/stdin &&
	json_get sum.json "[c[\"assets\"] for c in j[\"connectors\"] if c[\"name\"]==\"cmdb\"][0]" >a1 &&
	json_get inc.json "j[\"connectors\"][0][\"assets\"]" >a2 &&
	test_cmp a1 a2 &&
	requests $SN | tail -n +2 | grep cmdb_ci_computer | tail -1 >last &&
	test_grep "sys_updated_on%3E%3D" last &&
	after=$(ls "$XSM_STORE/records/cmdb" | tail -1) &&
	test "$before" != "$after"
'

test_expect_success 'ingest --full fetches everything again' '
	xsm --format=json ingest cmdb --full >full.json &&
	json_get full.json "j[\"connectors\"][0][\"incremental\"]" | test_grep False /dev/stdin
'

test_expect_success 'ServiceNow with OAuth: a token from /oauth_token.do, then Bearer' '
	export SN_CLIENT_SECRET=emu-client-secret &&
	xsm connect add servicenow oauth --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS \
		--set client_id=emu-client --client-secret-env SN_CLIENT_SECRET --set relations=false &&
	xsm connect test oauth &&
	requests $SN | tail -2 >req &&
	test_grep "^POST /oauth_token.do 200" req &&
	SN_CLIENT_SECRET=wrong test_expect_code 77 xsm connect test oauth &&
	xsm connect remove oauth
'

test_expect_success 'a secret file made readable by others after add is refused at sync' '
	chmod 644 secret &&
	test_expect_code 77 xsm ingest tvm --no-build 2>err &&
	test_grep "chmod 600" err &&
	chmod 600 secret
'

test_expect_success 'remove --purge drops the records and the next build drops the assets' '
	xsm connect add servicenow extra --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS --set lookback_days=0 &&
	xsm ingest extra &&
	test -d "$XSM_STORE/records/extra" &&
	xsm connect remove extra --purge &&
	test ! -e "$XSM_STORE/records/extra" &&
	test ! -e "$XSM_STORE/connectors/extra.yaml" &&
	xsm --format=json connect list >list.json &&
	json_get list.json "[c[\"name\"] for c in j[\"connectors\"]]" | test_grep ! extra /dev/stdin
'

test_expect_success 'secrets never appear in output, traces or the store (outside a stdin secret)' '
	xsm -v ingest --all >v.out 2>v.err &&
	test_grep "\[redacted\]" v.err &&
	for s in emu-sn-pass emu-r7-key emu-t-access emu-t-secret; do
		test_grep ! "$s" v.out && test_grep ! "$s" v.err || return 1
		! grep -r -l "$s" "$XSM_STORE" || return 1
	done &&
	test "$(grep -r -l emu-q-pass "$XSM_STORE")" = "$XSM_STORE/connectors/qualys.yaml"
'

test_done
