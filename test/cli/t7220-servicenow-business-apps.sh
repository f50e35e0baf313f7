#!/bin/sh
test_description='ServiceNow business applications: assets, "belongs to" edges from the devices that serve them, their criticality carried to those devices'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 SN_PASS=emu-sn-pass
EMU="--seed 7 --hosts 40 --findings-per-host 5 --page-size 7"

start_emulator servicenow $EMU && SN=$EMU_PORT || {
	echo "1..0 # skip the emulator did not start"
	exit 0
}
python3 "$XSM_TOP/test/emu/enterprise.py" --seed 7 --hosts 40 --findings-per-host 5 truth >truth.jsonl

test_expect_success 'sync: each business application is an asset with its number and criticality' '
	xsm connect add servicenow cmdb --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS --set lookback_days=0 &&
	xsm --format=json ingest cmdb >sum.json &&
	records cmdb >recs &&
	python3 - recs sum.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	apps = {r["name"]: r for r in recs if r["type"] == "asset" and r["label"] == "businessapplication"}
	want = {"Online Shop": "very high", "Payroll": "high", "CRM": "high", "Intranet Wiki": "medium", "Build Farm": "low"}
	assert sorted(apps) == sorted(want), sorted(apps)
	for name, level in want.items():
	    a = apps[name]
	    assert a["source_id"].startswith("cmdb:app:") and a["categories"] == ["application"], a
	    assert a["props"]["vendorCriticality"] == level, a
	    assert a["props"]["businessCriticality"][0] in "1234" and a["props"]["number"].startswith("APM"), a
	s = json.load(open(sys.argv[2]))["connectors"][0]
	assert s["billable"]["applications"] == 5, s
	EOF
'

test_expect_success 'every device that serves an application has one "belongs to" edge to it, through all three ways' '
	xsm graph edges --label "belongs to" --format=jsonl >edges.jsonl &&
	records cmdb >recs &&
	python3 - edges.jsonl recs truth.jsonl <<-\EOF
	import json, sys
	edges = [json.loads(l) for l in open(sys.argv[1])]
	recs = [json.loads(l) for l in open(sys.argv[2])]
	truth = [json.loads(l) for l in open(sys.argv[3])]
	got = sorted((e["SourceNodeName"].lower(), e["TargetNodeName"]) for e in edges
	             if e["SourceNodeLabel"] == "device" and e["TargetNodeLabel"] == "businessapplication")
	want = sorted((t["host"], t["business_app"]) for t in truth if t["business_app"])
	assert got == want, (got, want)
	# the three ways: the CI field, a cmdb_rel_ci row of the CI, one hop from an application CI that runs on it
	via = {r["props"]["via"].split(" ")[0] if "Runs" not in r["props"]["via"] else "hop"
	       for r in recs if r["type"] == "relation" and r["label"] == "belongs to"}
	assert via == {"u_primary_business_application", "cmdb_rel_ci", "hop"}, via
	EOF
'

test_expect_success 'a device takes the application criticality when more critical than its own, and a rule classifies it' '
	xsm graph nodes --label device --format=jsonl >nodes.jsonl &&
	python3 - nodes.jsonl truth.jsonl <<-\EOF
	import json, sys
	nodes = {n["NodeName"].lower(): n for n in (json.loads(l) for l in open(sys.argv[1]))}
	levels = ["very high", "high", "medium", "low"]
	apps = {"Online Shop": 0, "Payroll": 1, "CRM": 1, "Intranet Wiki": 2, "Build Farm": 3}
	carried = 0
	for t in (json.loads(l) for l in open(sys.argv[2])):
	    if t["ids"]["servicenow"] is None:
	        continue
	    raw = nodes[t["host"]]["NodeProperties"]["rawData"]
	    own = t["criticality"] - 1
	    best = min(own, apps[t["business_app"]]) if t["business_app"] else own
	    assert raw["vendorCriticality"] == levels[best], (t["host"], raw["vendorCriticality"], best)
	    if best < own:
	        carried += 1
	        assert raw["vendorCriticalityFrom"] == t["business_app"], raw
	        rule = "Vendor criticality %s (device)" % levels[best]
	        assert rule in raw["criticalityLevel"]["ruleNames"], raw["criticalityLevel"]
	    else:
	        assert "vendorCriticalityFrom" not in raw, (t["host"], raw)
	assert carried > 0
	EOF
'

test_expect_success 'graph show DEVICE names its business application among the edges out' '
	host=$(python3 -c "import json,sys; print([t[\"host\"] for t in map(json.loads, open(\"truth.jsonl\")) if t[\"business_app\"] == \"Online Shop\"][0])") &&
	xsm graph show "$(echo $host | tr a-z A-Z)" >show &&
	sed -n "/^edges out:/,/^edges in:/p" show >out &&
	test_grep "belongs to .* Online Shop (businessapplication)" out
'

test_expect_success 'the hop asks cmdb_rel_ci by parent, the field pass by ISNOTEMPTY, the CIs come last' '
	emu_requests $SN >req &&
	test_grep "cmdb_rel_ci?.*sysparm_query=parentIN" req &&
	test_grep "cmdb_ci_computer?.*u_primary_business_applicationISNOTEMPTY" req &&
	grep -n "/api/now/table/" req | tail -1 | test_grep "cmdb_ci_computer?.*ORDERBYsys_id" /dev/stdin &&
	grep "cmdb_ci_business_app?" req | head -1 | test_grep "sysparm_offset=0" /dev/stdin
'

test_expect_success 'an incremental sync keeps every edge and criticality (applications and edges are read in full)' '
	xsm graph edges --label "belongs to" --format=jsonl | sort >before &&
	emu_touch $SN 3 >/dev/null &&
	xsm --format=json ingest cmdb >inc.json &&
	json_get inc.json "j[\"connectors\"][0][\"incremental\"]" | test_grep True /dev/stdin &&
	xsm graph edges --label "belongs to" --format=jsonl | sort >after &&
	test_cmp before after &&
	test "$(grep -c . after)" -gt 0
'

test_expect_success 'an instance without the reference field: its first page stops the field pass' '
	xsm connect add servicenow nofield --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS \
		--set lookback_days=0 --set business_app_field=u_no_such_field &&
	xsm ingest nofield --no-build &&
	emu_requests $SN | grep "u_no_such_fieldISNOTEMPTY" >q &&
	test "$(grep -c . q)" = 1 &&
	records nofield | grep "\"belongs to\"" >e &&
	test_grep ! "u_primary_business_application\|u_no_such_field" e &&
	test "$(grep -c . e)" -gt 0
'

test_expect_success 'a business_app_field that is not a field name is refused, not put into the query' '
	xsm connect add servicenow badfield --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS \
		--set "business_app_field=u_x^ORDERBYname" &&
	test_expect_code 78 xsm ingest badfield --no-build 2>err &&
	test_grep "business_app_field .u_x^ORDERBYname. is not a field name" err
'

test_expect_success 'business_apps=false reads no application table' '
	xsm connect add servicenow noapps --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS \
		--set lookback_days=0 --set business_apps=false &&
	xsm ingest noapps --no-build &&
	records noapps >r &&
	test_grep ! "businessapplication" r &&
	test_grep ! "belongs to" r &&
	test_grep "\"type\":\"asset\"" r
'

test_done
