#!/bin/sh
test_description='Rapid7 v4 integration API: the real wire shape (cves and categories as comma-separated strings), and lists too'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 R7_KEY=emu-r7-key ANY=pages-need-no-secret
EMU="--seed 7 --hosts 40 --findings-per-host 5 --page-size 7"

# test/fixtures/rapid7-v4: xsm's own pages built field by field after the real v4 records (see its README)
test_expect_success 'the real v4 shape: CVEs from comma-separated strings, flat CVSS, categories, lists' '
	python3 "$XSM_TOP/test/emu/replay.py" rapid7-v4 "$XSM_TOP/test/fixtures/rapid7-v4" --port-file "$TRASH/.rp" >/dev/null 2>&1 &
	echo $! >>"$TRASH/.emu-pids" &&
	i=0 && while [ ! -s "$TRASH/.rp" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done &&
	xsm connect add rapid7 shape --url http://127.0.0.1:$(cat "$TRASH/.rp") --api-key-env ANY &&
	xsm --format=json ingest shape --no-build >sum.json &&
	records shape >recs &&
	python3 - recs sum.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	assets = {r["source_id"]: r for r in recs if r["type"] == "asset"}
	a1, a2 = (assets["shape:00000000-0000-4000-8000-00000000a001-default-asset-%d" % k] for k in (1, 2))
	assert a1["keys"]["hostname"] == "web01" and a1["keys"]["fqdn"] == "web01.corp.example.com", a1["keys"]
	assert a1["keys"]["mac"] == ["00:00:5e:00:53:10"] and a1["keys"]["ipv4"] == ["10.20.0.11"], a1["keys"]
	# os_name is only "Linux" / "Windows 11": the name is os_description
	assert a1["props"]["osName"] == "Ubuntu Linux 22.04" and a1["props"]["osType"] == "linux", a1["props"]
	assert a2["props"]["osName"] == "Microsoft Windows 11 22H2" and a2["props"]["osType"] == "windows"
	f = {(r["asset"].rsplit("-", 1)[1], r["cve"]): r for r in recs if r["type"] == "finding"}
	assert sorted(f) == [("1", "CVE-2008-6536"), ("1", "CVE-2016-2334"), ("1", "CVE-2016-2335"),
	                     ("2", "CVE-2025-21204")], sorted(f)
	x = f[("1", "CVE-2016-2334")]
	# "Remote Execution" among the categories although the v3 vector is local
	assert x["cvss"] == 7.8 and x["severity"] == "high" and x["rce"] and not x["exploitAvailable"], x
	assert "privilegeEscalation" not in x and x["firstFound"] == "2025-05-14T13:52:10Z", x
	assert x == dict(f[("1", "CVE-2016-2335")], cve=x["cve"]), "one vulnerability, two CVEs, one finding each"
	# no v3: cvss_v3_score 0 and a null vector mean v2 (10, a vector in parentheses); an exploit in the list
	x = f[("1", "CVE-2008-6536")]
	assert x["cvss"] == 10 and x["severity"] == "critical" and x["rce"] and x["exploitAvailable"], x
	assert x["props"]["port"] == 22 and x["status"] == "open", x
	# "Privilege Escalation" among the categories; a malware kit in the list
	x = f[("2", "CVE-2025-21204")]
	assert x["privilegeEscalation"] is True and x["exploitAvailable"] and not x["rce"], x
	assert "port" not in x["props"], x
	s = json.load(open(sys.argv[2]))["connectors"][0]
	assert s["assets"] == 2 and s["findings"] == 4 and s["skipped"] == 1, s  # cves "" is no finding
	EOF
'

# every CVE of every host the emulator gives Rapid7, as "<v4 id> <cve>" lines
truth_r7() {
	python3 "$XSM_TOP/test/emu/enterprise.py" --seed 7 --hosts 40 --findings-per-host 5 truth | python3 -c '
import json, sys
for l in sys.stdin:
    h = json.loads(l)
    if h["ids"]["rapid7"] is not None:
        for c in h["cves"]:
            print("%s %s" % (h["rapid7_v4_id"], c))' | sort
}

findings_of() {
	records "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["type"] == "finding":
        print("%s %s" % (r["asset"].split(":", 1)[1], r["cve"]))' | sort
}

test_expect_success 'v4 against the emulator (strings, as the real API): every CVE finding of the truth' '
	start_emulator rapid7 $EMU &&
	xsm connect add rapid7 r7s --url http://127.0.0.1:$EMU_PORT --api-key-env R7_KEY &&
	xsm ingest r7s --no-build &&
	truth_r7 >expect &&
	test -s expect &&
	findings_of r7s >actual &&
	test_cmp expect actual
'

test_expect_success 'v4 with cves and categories as lists (--rapid7-cves array): the same findings' '
	start_emulator rapid7 $EMU --rapid7-cves array &&
	xsm connect add rapid7 r7a --url http://127.0.0.1:$EMU_PORT --api-key-env R7_KEY &&
	xsm ingest r7a --no-build &&
	findings_of r7s >strings &&
	findings_of r7a >lists &&
	test -s lists &&
	test_cmp strings lists &&
	records r7a | grep "\"type\":\"finding\"" >f.a &&
	records r7s | grep "\"type\":\"finding\"" | sed "s/\"r7s:/\"r7a:/" >f.s &&
	test_cmp f.s f.a
'

test_done
