#!/bin/sh
test_description='connectors read the real recorded vendor responses (../shared/fixtures/real)'
. "$(dirname "$0")/../lib/test-lib.sh"

if [ ! -d "$FIXTURES/tenable" ]; then
	echo "1..0 # skip no recorded responses at $FIXTURES"
	exit 0
fi
export XSM_HTTP_BACKOFF_MS=20 XSM_HTTP_RETRIES=0 ANY=recorded-responses-need-no-secret

# start_replay VENDOR [DIR]: serve the vendor's recorded bodies (from DIR, default its own); sets PORT
start_replay() {
	pf="$TRASH/.replay.$1"
	python3 "$XSM_TOP/test/emu/replay.py" "$1" "$FIXTURES/${2:-$1}" --port-file "$pf" >"$pf.out" 2>&1 &
	echo $! >>"$TRASH/.emu-pids"
	i=0
	while [ ! -s "$pf" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	PORT=$(cat "$pf" 2>/dev/null)
	[ -n "$PORT" ]
}

test_expect_success 'ServiceNow: 40 CIs of five classes from one page, string values, references' '
	start_replay servicenow &&
	xsm connect add servicenow sn --url http://127.0.0.1:$PORT --username u --password-env ANY --set lookback_days=0 &&
	xsm ingest sn --no-build &&
	records sn >recs &&
	test "$(grep -c "\"type\":\"asset\"" recs)" = 40 &&
	grep -o "\"cmdbClass\":\"[a-z_]*\"" recs | sort | uniq -c | sed "s/^ *//" >classes &&
	cat >expect <<-\EOF &&
	2 "cmdbClass":"cmdb_ci_aix_server"
	4 "cmdbClass":"cmdb_ci_linux_server"
	19 "cmdbClass":"cmdb_ci_server"
	7 "cmdbClass":"cmdb_ci_unix_server"
	8 "cmdbClass":"cmdb_ci_win_server"
	EOF
	test_cmp expect classes
'

test_expect_success 'Qualys: hosts of a real Host List Detection with DNS_DATA, CDATA and comments' '
	start_replay qualys &&
	xsm connect add qualys q --url http://127.0.0.1:$PORT --username u --password-env ANY &&
	xsm --format=json ingest q --no-build >sum.json &&
	records q >recs &&
	test "$(grep -c "\"type\":\"asset\"" recs)" = "$(grep -c "<HOST>" "$FIXTURES/qualys/hld.detections.xml")" &&
	python3 - recs "$FIXTURES/qualys/hld.detections.xml" <<-\EOF
	import json, sys, xml.etree.ElementTree as ET
	recs = [json.loads(l) for l in open(sys.argv[1])]
	hosts = ET.parse(sys.argv[2]).getroot().findall("./RESPONSE/HOST_LIST/HOST")
	ids = sorted("q:" + h.findtext("ID") for h in hosts)
	assert sorted(r["source_id"] for r in recs if r["type"] == "asset") == ids
	for r in recs:
	    h = [h for h in hosts if "q:" + h.findtext("ID") == r["source_id"]][0]
	    assert r["keys"]["ipv4"] == [h.findtext("IP")], r
	    assert r["props"].get("osName") == ((h.findtext("OS") or "").strip() or None), r
	    assert r["keys"]["fqdn"] == h.findtext("DNS_DATA/FQDN"), r
	EOF
'

test_expect_success 'Rapid7 v3: the recorded asset, its 52 findings and each vulnerability'"'"'s CVEs' '
	start_replay rapid7 &&
	xsm connect add rapid7 r7 --url http://127.0.0.1:$PORT --username u --password-env ANY &&
	xsm ingest r7 --no-build &&
	records r7 >recs &&
	python3 - recs "$FIXTURES/rapid7" <<-\EOF
	import json, sys, os
	recs = [json.loads(l) for l in open(sys.argv[1])]
	d = sys.argv[2]
	asset = json.load(open(os.path.join(d, "assets.page0.json")))["resources"][0]
	a = [r for r in recs if r["type"] == "asset"]
	assert len(a) == 1 and a[0]["keys"]["ipv4"] == [asset["ip"]], a
	want = []
	for f in json.load(open(os.path.join(d, "assets.1.vulnerabilities.page0.json")))["resources"]:
	    v = json.load(open(os.path.join(d, "vulnerability.%s.json" % f["id"])))
	    want += sorted(v.get("cves", []))
	got = [r["cve"] for r in recs if r["type"] == "finding"]
	assert sorted(got) == sorted(want), (len(got), len(want))
	EOF
'

test_expect_success 'Tenable: a real asset chunk and a real octet-stream vulnerability chunk' '
	start_replay tenable &&
	xsm connect add tenable t --url http://127.0.0.1:$PORT --access-key-env ANY --secret-key-env ANY --set poll_interval_ms=10 &&
	xsm --format=json ingest t --no-build >sum.json &&
	records t >recs &&
	python3 - recs "$FIXTURES/tenable" sum.json <<-\EOF
	import json, sys, os
	recs = [json.loads(l) for l in open(sys.argv[1])]
	d = sys.argv[2]
	assets = json.load(open(os.path.join(d, "assets.chunk1.json")))
	vulns = json.load(open(os.path.join(d, "vulns.chunk1.json")))
	got = sorted(r["source_id"] for r in recs if r["type"] == "asset")
	assert got == sorted("t:" + a["id"] for a in assets), got
	want = sorted(c for v in vulns for c in v["plugin"].get("cve", []))
	assert sorted(r["cve"] for r in recs if r["type"] == "finding") == want
	s = json.load(open(sys.argv[3]))["connectors"][0]
	assert s["skipped"] == sum(1 for v in vulns if not v["plugin"].get("cve")), s
	EOF
'

MS="--set tenant=19ae0f99-6fc6-444b-bd54-97504efc66ad --set client_id=3d7e133b-9537-49e5-9006-1408cda46f55 --client-secret-env ANY"

test_expect_success 'Defender: real $top/$skip pages until the empty one, the real machine shape, the real catalogue' '
	start_replay defender &&
	xsm connect add defender mde --url http://127.0.0.1:$PORT --set authority=http://127.0.0.1:$PORT $MS \
		--set page_size=1 --set logons=off --set calls_per_minute=0 &&
	xsm --format=json ingest mde --no-build >sum.json &&
	records mde >recs &&
	python3 - recs "$FIXTURES/defender" sum.json <<-\EOF
	import ipaddress, json, sys, os
	recs = [json.loads(l) for l in open(sys.argv[1])]
	d = sys.argv[2]
	want = []
	for k in range(10):
	    want += json.load(open(os.path.join(d, "machines.top1.skip%d.json" % k)))["value"]
	assert len(want) == 9, len(want)
	assets = {r["source_id"]: r for r in recs if r["type"] == "asset"}
	assert sorted(assets) == sorted("mde:" + m["id"] for m in want), sorted(assets)
	for m in want:
	    r = assets["mde:" + m["id"]]
	    k = r["keys"]
	    assert k["mde_id"] == m["id"], k
	    vm = m.get("vmMetadata") or {}
	    if (vm.get("resourceId") or "").startswith("/subscriptions/"):
	        assert k["cloud_id"] == vm["resourceId"].lower(), k
	        assert k.get("azure_vm_id") == vm["vmId"], k
	    v4 = lambda a: bool(a) and ipaddress.ip_address(a).version == 4 and not a.startswith("127.")
	    ips = sorted({a["ipAddress"] for a in m["ipAddresses"] if v4(a["ipAddress"])} | ({m["lastIpAddress"]} if v4(m["lastIpAddress"]) else set()))
	    assert sorted(k.get("ipv4", [])) == ips, (k, ips)
	    assert "000000000000" not in json.dumps(k) and all(len(x) == 17 for x in k.get("mac", [])), k
	    assert r["name"] == m["computerDnsName"], r["name"]
	    assert r["props"]["onboardingStatus"] == m["onboardingStatus"]
	s = json.load(open(sys.argv[3]))["connectors"][0]
	assert s["requests"] >= 10 + 2 + 1, s
	EOF
'

test_expect_success 'Defender: the real token errors give 77 (wrong secret) and 78 (bad tenant), with the AADSTS text' '
	start_replay defender-bad-secret defender &&
	xsm connect add defender bad1 --url http://127.0.0.1:$PORT --set authority=http://127.0.0.1:$PORT $MS &&
	test_expect_code 77 xsm ingest bad1 --no-build 2>err &&
	test_grep "invalid_client: AADSTS7000215" err &&
	test_grep ! "Trace ID" err &&
	start_replay defender-bad-tenant defender &&
	xsm connect add defender bad2 --url http://127.0.0.1:$PORT --set authority=http://127.0.0.1:$PORT $MS &&
	test_expect_code 78 xsm connect test bad2 2>err &&
	test_grep "AADSTS900023" err
'

test_expect_success 'the real sources build into one graph' '
	xsm graph build &&
	xsm graph stats >stats &&
	test_grep "device" stats && test_grep "Cve" stats
'

test_done
