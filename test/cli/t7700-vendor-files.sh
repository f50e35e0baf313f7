#!/bin/sh
test_description='ingest --format nessus|qualys-xml|rapid7-csv|tenable-csv: offline vendor exports, and the file connector'
. "$(dirname "$0")/../lib/test-lib.sh"

FILES="$FIXTURES/files"

# runs stored for a source (0 when none)
runs() {
	ls "$XSM_STORE/records/$1" 2>/dev/null | grep -c jsonl
}

if [ -f "$FILES/ruby-nessus_example_v2.nessus" ]; then
test_expect_success 'a real .nessus: hosts from HostProperties, one finding per cve of a ReportItem' '
	xsm ingest --format nessus --source nes --no-build "$FILES/ruby-nessus_example_v2.nessus" >out &&
	test_grep "2 assets, 3 findings" out &&
	records nes >recs &&
	python3 - recs "$FILES/ruby-nessus_example_v2.nessus" <<-\EOF
	import json, sys, xml.etree.ElementTree as ET
	recs = [json.loads(l) for l in open(sys.argv[1])]
	root = ET.parse(sys.argv[2]).getroot()
	assets = {r["source_id"]: r for r in recs if r["type"] == "asset"}
	want = 0
	for h in root.iter("ReportHost"):
	    tags = {t.get("name"): t.text for t in h.find("HostProperties")}
	    a = assets["nes:" + tags["host-ip"]]
	    assert a["keys"]["ipv4"] == [tags["host-ip"]], a
	    assert a["keys"]["fqdn"] == tags["host-fqdn"].lower(), a
	    assert a["keys"]["hostname"] == tags["host-fqdn"].split(".")[0].lower(), a
	    assert a["props"]["osName"] == tags["operating-system"], a
	    for it in h.iter("ReportItem"):
	        for c in it.findall("cve"):
	            want += 1
	            f = [r for r in recs if r["type"] == "finding" and r["asset"] == a["source_id"] and r["cve"] == c.text]
	            assert f and f[0]["props"]["pluginId"] == int(it.get("pluginID")), (c.text, f)
	            if it.findtext("cvss_base_score"):
	                assert f[0]["cvss"] == float(it.findtext("cvss_base_score")), f
	assert want == sum(1 for r in recs if r["type"] == "finding"), want
	EOF
'
else
	test_skip 'a real .nessus' "no $FILES/ruby-nessus_example_v2.nessus"
fi

if [ -f "$FILES/qualys_asset_data_report.xml" ]; then
test_expect_success 'a real Qualys ASSET_DATA_REPORT: CVEs from its glossary, Ig skipped, DOCTYPE not fetched' '
	xsm --format=json ingest --format qualys-xml --source qadr --no-build "$FILES/qualys_asset_data_report.xml" >sum.json &&
	test "$(json_get sum.json "j[\"sources\"][0][\"format\"]")" = qualys-xml &&
	records qadr >recs &&
	python3 - recs "$FILES/qualys_asset_data_report.xml" <<-\EOF
	import json, sys, collections, xml.etree.ElementTree as ET
	recs = [json.loads(l) for l in open(sys.argv[1])]
	root = ET.parse(sys.argv[2]).getroot()
	kb = {v.findtext("QID"): [c.findtext("ID") for c in v.iter("CVE_ID")] for v in root.iter("VULN_DETAILS")}
	want = collections.Counter()
	hosts = root.findall("./HOST_LIST/HOST")
	for h in hosts:
	    for vi in h.iter("VULN_INFO"):
	        if vi.findtext("TYPE") in ("Vuln", "Practice"):
	            for c in kb.get(vi.findtext("QID"), []):
	                want[("qadr:" + h.findtext("IP"), c)] += 1
	got = collections.Counter((r["asset"], r["cve"]) for r in recs if r["type"] == "finding")
	assert got == want, (got - want, want - got)
	assets = [r for r in recs if r["type"] == "asset"]
	assert len(assets) == len(hosts)
	for a in assets:
	    h = [h for h in hosts if "qadr:" + h.findtext("IP") == a["source_id"]][0]
	    assert a["keys"]["fqdn"] == h.findtext("DNS").lower(), a
	    assert a["props"]["osName"] == h.findtext("OPERATING_SYSTEM"), a
	rdp = [r for r in recs if r["type"] == "finding" and r["cve"] == "CVE-2019-0708"]
	assert rdp and all(r["exploitAvailable"] for r in rdp), rdp
	EOF
'
else
	test_skip 'a real Qualys ASSET_DATA_REPORT' "no $FILES/qualys_asset_data_report.xml"
fi

test_expect_success 'a Qualys scan report (<SCAN>): hosts by IP, CVEs of VULN and PRACTICE' '
	cat >scan.xml <<-\EOF &&
	<?xml version="1.0" encoding="UTF-8" ?>
	<!DOCTYPE SCAN SYSTEM "https://qualysapi.qualys.com/scan-1.dtd">
	<SCAN value="scan/1700000000.12345">
	<HEADER><KEY value="USERNAME">user0001</KEY><KEY value="DATE">2024-01-10T10:00:00Z</KEY></HEADER>
	<IP value="10.20.0.5" name="web05.corp.example.com">
	<OS><![CDATA[Windows 2016]]></OS>
	<NETBIOS_HOSTNAME><![CDATA[WEB05]]></NETBIOS_HOSTNAME>
	<INFOS><CAT value="Information gathering"><INFO number="6" severity="1"><TITLE>DNS Host Name</TITLE></INFO></CAT></INFOS>
	<VULNS>
	<CAT value="Windows" port="445" protocol="tcp">
	<VULN number="91345" severity="5" cveid="CVE-2017-0144,CVE-2017-0145"><TITLE><![CDATA[MS17-010]]></TITLE>
	<CVSS_BASE>9.3</CVSS_BASE><CVSS3_BASE>8.1</CVSS3_BASE></VULN>
	<VULN number="91346" severity="4"><TITLE>Other</TITLE><CVE_ID_LIST><CVE_ID><ID>CVE-2019-0708</ID></CVE_ID></CVE_ID_LIST></VULN>
	<VULN number="91347" severity="3"><TITLE>No CVE</TITLE></VULN>
	</CAT>
	</VULNS>
	</IP>
	</SCAN>
	EOF
	xsm ingest --format qualys-xml --source qscan --no-build scan.xml >out &&
	test_grep "1 asset, 3 findings" out &&
	records qscan >recs &&
	test_grep "\"source_id\":\"qscan:10.20.0.5\",\"name\":\"web05.corp.example.com\"" recs &&
	test_grep "\"hostname\":\"web05\"" recs &&
	test_grep "\"cve\":\"CVE-2017-0145\",\"severity\":\"high\",\"cvss\":8.1" recs &&
	test_grep "\"cve\":\"CVE-2019-0708\"" recs &&
	test_grep "\"port\":445" recs
'

test_expect_success 'a Qualys report host reads as the API connector reads it: names, status, port' '
	cat >adr.xml <<-\EOF &&
	<?xml version="1.0" encoding="UTF-8" ?>
	<ASSET_DATA_REPORT>
	<HOST_LIST>
	<HOST>
	<IP>10.30.0.9</IP>
	<TRACKING_METHOD>IP</TRACKING_METHOD>
	<DNS><![CDATA[10.30.0.9]]></DNS>
	<NETBIOS><![CDATA[APP09]]></NETBIOS>
	<OPERATING_SYSTEM><![CDATA[Windows 2019]]></OPERATING_SYSTEM>
	<VULN_INFO_LIST>
	<VULN_INFO><QID id="qid_1">1</QID><TYPE>Vuln</TYPE><PORT>70000</PORT><VULN_STATUS>Re-Opened</VULN_STATUS>
	<FIRST_FOUND>2024-01-01T00:00:00Z</FIRST_FOUND><LAST_FOUND>2024-02-01T00:00:00Z</LAST_FOUND></VULN_INFO>
	</VULN_INFO_LIST>
	</HOST>
	<HOST>
	<IP>10.30.0.10</IP>
	<DNS><![CDATA[app10]]></DNS>
	<NETBIOS><![CDATA[OTHER]]></NETBIOS>
	</HOST>
	</HOST_LIST>
	<GLOSSARY><VULN_DETAILS_LIST><VULN_DETAILS><QID>1</QID><TITLE>T</TITLE><SEVERITY>5</SEVERITY>
	<CVE_ID_LIST><CVE_ID><ID>cve-2024-1111</ID></CVE_ID><CVE_ID><ID>not-a-cve</ID></CVE_ID></CVE_ID_LIST></VULN_DETAILS></VULN_DETAILS_LIST></GLOSSARY>
	</ASSET_DATA_REPORT>
	EOF
	xsm ingest --format qualys-xml --source qadr2 --no-build adr.xml >out &&
	test_grep "2 assets, 1 finding" out &&
	records qadr2 >recs &&
	python3 - recs <<-\EOF
	import json, sys
	recs = {r.get("source_id") or r["cve"]: r for r in map(json.loads, open(sys.argv[1]))}
	a = recs["qadr2:10.30.0.9"]
	assert a["keys"].get("hostname") == "app09" and "fqdn" not in a["keys"], a   # a DNS that is an address names nothing
	assert recs["qadr2:10.30.0.10"]["keys"]["hostname"] == "app10", recs          # a short DNS name is the host name
	f = recs["CVE-2024-1111"]
	assert f["status"] == "reopened" and "port" not in f["props"], f
	EOF
'

test_expect_success 'a Tenable CSV with a BOM, CRLF, quoted newlines and quotes; header case does not matter' '
	printf "\357\273\277plugin id,CVE,CVSS V3.0 Base Score,Risk,HOST,Protocol,Port,Name,Plugin Output,Exploit?\r\n" >t.csv &&
	printf "19506,,,None,10.0.0.5,tcp,0,Nessus Scan Information,\"a\r\nmulti-line\r\noutput\",\r\n" >>t.csv &&
	printf "97833,\"CVE-2017-0144\nCVE-2017-0145\",8.1,Critical,10.0.0.5,tcp,445,\"MS17-010 \"\"EternalBlue\"\"\",\"x\",true\r\n" >>t.csv &&
	printf "97834,CVE-2024-3400,10.0,Critical,fw01.corp.example.com,tcp,443,PAN-OS,,false\r\n" >>t.csv &&
	xsm ingest --format tenable-csv --source tcsv --no-build t.csv >out &&
	test_grep "2 assets, 3 findings" out &&
	records tcsv >recs &&
	test_grep "\"title\":\"MS17-010 \\\\\"EternalBlue\\\\\"\"" recs &&
	test_grep "\"cve\":\"CVE-2017-0145\",\"severity\":\"critical\",\"cvss\":8.1,\"exploitAvailable\":true" recs &&
	test_grep "\"source_id\":\"tcsv:fw01.corp.example.com\",\"name\":\"fw01.corp.example.com\",\"keys\":{\"hostname\":\"fw01\",\"fqdn\":\"fw01.corp.example.com\"}" recs &&
	test_grep "\"keys\":{\"ipv4\":\[\"10.0.0.5\"\]}" recs
'

test_expect_success 'a Rapid7 CSV from standard input: names, MAC, CVE list, exploit count' '
	cat >r.csv <<-\EOF &&
	Asset IP Address,Asset Names,Asset MAC Addresses,Asset OS Name,Asset OS Version,Vulnerability ID,Vulnerability Title,Vulnerability CVE IDs,Vulnerability CVSSv3 Score,Exploit Count,Vulnerability Test Result Code
	10.0.0.7,"db01.corp.example.com, db01",00-11-22-33-44-55,Ubuntu Linux,22.04,openssl-cve-1,"OpenSSL, a title","CVE-2024-0001, CVE-2024-0002",9.8,2,VE
	10.0.0.7,"db01.corp.example.com, db01",00-11-22-33-44-55,Ubuntu Linux,22.04,old-1,Fixed one,CVE-2020-0001,5.0,0,NV
	EOF
	xsm ingest --format rapid7-csv --source r7csv --no-build - <r.csv >out &&
	test_grep "1 asset, 2 findings" out &&
	records r7csv >recs &&
	test_grep "\"keys\":{\"hostname\":\"db01\",\"fqdn\":\"db01.corp.example.com\",\"ipv4\":\[\"10.0.0.7\"\],\"mac\":\[\"00:11:22:33:44:55\"\]}" recs &&
	test_grep "\"osName\":\"Ubuntu Linux 22.04\"" recs &&
	test_grep "\"cve\":\"CVE-2024-0002\",\"severity\":\"critical\",\"cvss\":9.8,\"exploitAvailable\":true" recs &&
	test_grep ! "CVE-2020-0001" recs
'

test_expect_success 'a missing required column is named; exit 65, nothing stored' '
	printf "Plugin ID,Host\n1,a\n" >nocve.csv &&
	test_expect_code 65 xsm ingest --format tenable-csv --source bad1 nocve.csv 2>err &&
	test_grep "nocve.csv:1: missing required column .cve." err &&
	printf "Plugin ID,CVE,Port\n1,CVE-2024-1,80\n" >nohost.csv &&
	test_expect_code 65 xsm ingest --format tenable-csv --source bad1 nohost.csv 2>err &&
	test_grep "one of .host. .ip address. .fqdn." err &&
	printf "Asset Names,Vulnerability Title\nx,y\n" >r7bad.csv &&
	test_expect_code 65 xsm ingest --format rapid7-csv --source bad1 r7bad.csv 2>err &&
	test_grep "missing required column .vulnerability cve ids." err &&
	test "$(runs bad1)" = 0
'

test_expect_success 'truncated CSV and XML are refused with the line; the previous run stays' '
	xsm ingest --format tenable-csv --source keep --no-build t.csv &&
	before=$(ls "$XSM_STORE/records/keep") &&
	head -c 200 t.csv >trunc.csv &&
	test_expect_code 65 xsm ingest --format tenable-csv --source keep --no-build trunc.csv 2>err &&
	test_grep "trunc.csv:[0-9]*: a quoted field is not closed (it opens on line [0-9]*)" err &&
	head -c $(($(wc -c <scan.xml) - 40)) scan.xml >trunc.xml &&
	test_expect_code 65 xsm ingest --format qualys-xml --source keep --no-build trunc.xml 2>err &&
	test_grep "trunc.xml:[0-9]*: .*nothing stored" err &&
	printf "<NessusClientData_v2><Report><ReportHost name=\"a\"><HostProperties></ReportHost>" >bad.nessus &&
	test_expect_code 65 xsm ingest --format nessus --source keep --no-build bad.nessus 2>err &&
	test_grep "bad.nessus:1: " err &&
	test_expect_code 65 xsm ingest --format nessus --source keep --no-build scan.xml 2>err &&
	test_grep "not a .nessus file" err &&
	test_expect_code 65 xsm ingest --format nessus --source keep --no-build t.csv 2>err &&
	test "$(ls "$XSM_STORE/records/keep")" = "$before"
'

test_expect_success 'DOCTYPE, external and nested entities: nothing fetched, nothing expanded' '
	echo SECRET-MARKER >secret.txt &&
	python3 -c "
import http.server, socketserver, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(\"fetched\", \"a\").write(self.path + \"\\n\")
        self.send_response(200); self.end_headers(); self.wfile.write(b\"<!ENTITY leak \\\"FETCHED\\\">\")
    def log_message(self, *a): pass
s = socketserver.TCPServer((\"127.0.0.1\", 0), H)
open(\"port\", \"w\").write(str(s.server_address[1]))
s.serve_forever()
" &
	echo $! >>"$TRASH/.emu-pids" &&
	i=0 && while [ ! -s port ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done &&
	port=$(cat port) &&
	cat >xxe.nessus <<-EOF &&
	<?xml version="1.0"?>
	<!DOCTYPE NessusClientData_v2 SYSTEM "http://127.0.0.1:$port/dtd" [
	  <!ENTITY xxe SYSTEM "file://$PWD/secret.txt">
	  <!ENTITY net SYSTEM "http://127.0.0.1:$port/entity">
	  <!ENTITY % pe SYSTEM "http://127.0.0.1:$port/pe"> %pe;
	  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
	  <!ENTITY f "&a;&a;">
	]>
	<NessusClientData_v2><Report name="r"><ReportHost name="10.9.9.9"><HostProperties>
	<tag name="host-ip">10.9.9.9</tag><tag name="operating-system">Linux &xxe;&net;</tag><tag name="hostname">h&f;</tag>
	</HostProperties>
	<ReportItem port="22" severity="3" pluginID="1" pluginName="p"><cve>CVE-2024-6387</cve><risk_factor>High</risk_factor></ReportItem>
	</ReportHost></Report></NessusClientData_v2>
	EOF
	xsm ingest --format nessus --source xxe --no-build xxe.nessus >out &&
	test_grep "1 asset, 1 finding" out &&
	records xxe >recs &&
	test_grep ! SECRET-MARKER recs &&
	test_grep ! FETCHED recs &&
	test_grep ! aaaaaaaaaa recs &&
	test ! -e fetched
'

test_expect_success 'entities that multiply themselves (a billion laughs) are never expanded' '
	cat >laughs.nessus <<-\EOF &&
	<?xml version="1.0"?>
	<!DOCTYPE NessusClientData_v2 [
	  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
	  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
	  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
	  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
	  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
	  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
	  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
	]>
	<NessusClientData_v2><Report name="r"><ReportHost name="10.9.9.8"><HostProperties>
	<tag name="host-ip">10.9.9.8</tag><tag name="hostname">h&g;</tag>
	</HostProperties>
	<ReportItem port="22" severity="3" pluginID="1" pluginName="p"><cve>CVE-2024-6387</cve></ReportItem>
	</ReportHost></Report></NessusClientData_v2>
	EOF
	rss=$(max_rss_kb "$XSM" ingest --format nessus --source laughs --no-build laughs.nessus 2>err || :) &&
	echo "peak RSS $rss KiB" && cat err &&
	if test -s err
	then
		test_grep "laughs.nessus:[0-9]*: .*nothing stored" err && test "$(runs laughs)" = 0
	else
		records laughs >recs && test_grep ! aaaaaaaaaa recs
	fi &&
	{ test -n "$XSM_SANITIZED" || test "$rss" -lt 200000; }
'

test_expect_success 'one machine across a .nessus, a Qualys scan and a CSV merges in the graph' '
	cat >m.nessus <<-\EOF &&
	<NessusClientData_v2><Report name="r"><ReportHost name="10.20.0.5"><HostProperties>
	<tag name="host-ip">10.20.0.5</tag><tag name="host-fqdn">web05.corp.example.com</tag>
	</HostProperties>
	<ReportItem port="445" severity="4" pluginID="97833" pluginName="MS17-010"><cve>CVE-2017-0144</cve></ReportItem>
	</ReportHost></Report></NessusClientData_v2>
	EOF
	xsm ingest --format nessus --source mn --no-build m.nessus &&
	xsm ingest --format qualys-xml --source mq scan.xml &&
	xsm --format=json graph show web05.corp.example.com >node.json &&
	python3 - node.json <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	s = json.dumps(j)
	assert "mn:10.20.0.5" in j["node"]["NodeProperties"]["rawData"]["sources"], s[:2000]
	assert "mq:10.20.0.5" in j["node"]["NodeProperties"]["rawData"]["sources"], s[:2000]
	EOF
'

test_expect_success 'the file connector: a glob of exports in ingest --all, each host once' '
	mkdir exports &&
	cp m.nessus exports/a.nessus &&
	sed -e "s/10.20.0.5/10.20.0.6/g" -e "s/web05/web06/" m.nessus >exports/b.nessus &&
	cp m.nessus exports/c.nessus &&
	xsm connect add file scans --set "path=$PWD/exports/*.nessus" --set format=nessus &&
	xsm connect test scans &&
	xsm --format=json ingest --all --no-build >sum.json &&
	test "$(json_get sum.json "[c[\"assets\"] for c in j[\"connectors\"] if c[\"name\"] == \"scans\"][0]")" = 2 &&
	records scans >recs &&
	test "$(grep -c "\"type\":\"finding\"" recs)" = 3 &&
	xsm connect show scans >show &&
	test_grep "3 nessus files" show
'

test_expect_success 'the file connector: no match, or a broken file, fails with the previous run kept' '
	before=$(ls "$XSM_STORE/records/scans") &&
	echo "<NessusClientData_v2><Report>" >exports/d.nessus &&
	test_expect_code 65 xsm ingest scans --no-build 2>err &&
	test_grep "d.nessus:" err &&
	test "$(ls "$XSM_STORE/records/scans")" = "$before" &&
	xsm connect add file none --set "path=$PWD/nothing/*.csv" --set format=tenable-csv &&
	test_expect_code 66 xsm connect test none 2>err &&
	test_grep "no file matches" err &&
	test_expect_code 78 xsm connect add file odd --set "path=$PWD/x" --set format=pdf 2>err ||
	{ xsm connect add file odd2 --set "path=$PWD/exports/a.nessus" --set format=pdf && test_expect_code 78 xsm ingest odd2 --no-build; }
'

test_expect_success 'the file connector reads a records file too' '
	printf "%s\n" "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"recs:1\",\"name\":\"a\"}" >r.jsonl &&
	xsm connect add file recs --set "path=$PWD/r.jsonl" --set format=records &&
	xsm ingest recs --no-build >out &&
	test_grep "^recs: stored run .*: 1 asset, 0 findings" out &&
	printf "%s\n" "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"other:1\",\"name\":\"a\"}" >r.jsonl &&
	test_expect_code 65 xsm ingest recs --no-build 2>err &&
	test_grep "r.jsonl:1: " err
'

test_expect_success 'usage: --source is required, --skip-invalid is for records' '
	test_expect_code 64 xsm ingest --format nessus m.nessus 2>err &&
	test_grep "source NAME is required with --format nessus" err &&
	test_expect_code 64 xsm ingest --format nessus --source x --skip-invalid m.nessus
'

test_expect_success 'memory does not grow with the .nessus: one host at a time' '
	python3 "$XSM_TOP/test/bench/gen_nessus.py" 4 >small.nessus &&
	python3 "$XSM_TOP/test/bench/gen_nessus.py" 48 >large.nessus &&
	small=$(max_rss_kb "$XSM" ingest --format nessus --source rs1 --no-build small.nessus) &&
	large=$(max_rss_kb "$XSM" ingest --format nessus --source rs2 --no-build large.nessus) &&
	echo "peak RSS: 4 MB file $small KiB, 48 MB file $large KiB" &&
	# ASan keeps freed memory in quarantine: no bound to check under it
	{ test -n "$XSM_SANITIZED" || test $large -lt $((small + 8192)); } &&
	rm -f small.nessus large.nessus
'

test_done
