#!/bin/sh
test_description='xsm report (one HTML page) and xsm insights export (PDF): every section, every path drawn, grouping at 1,000 paths, escaping, errors; the page opened in a headless browser, the PDF read back with poppler'
. "$(dirname "$0")/../lib/test-lib.sh"

# the tools that read the results: a headless browser, poppler's pdfinfo and pdftotext
CHROME=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null 2>&1 && CHROME=$c && break
done

# missing TOOL WHAT: the tests of WHAT cannot run without TOOL: skipped, but
# under CI (XSM_CI=1, .ci/run installs every tool) a failure
missing() {
	if [ -n "$XSM_CI" ]; then
		test_expect_success "$1 is installed, as CI needs for $2" 'false'
	else
		test_skip "$2" "$1 is not installed"
	fi
}

# browse FLAGS... URL: the browser, headless, in the trash, never waiting long
browse() {
	timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
		--user-data-dir="$TRASH/chrome" --hide-scrollbars "$@" 2>>"$TRASH/chrome.err"
}

# on_tty CMD...: CMD with its standard output a terminal; its output, its exit code
on_tty() {
	python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.WEXITSTATUS(os.waitpid(pid, 0)[1]))' "$@"
}

E="$XSM_TOP/examples/enterprise"
test_expect_success 'setup: the example enterprise, two runs a week apart (make demo)' '
	for f in "$E"/run1/*.jsonl; do
		XSM_NOW=2026-11-23T07:00:00Z xsm -q ingest --no-build --format records --source "$(basename "$f" .jsonl)" "$f" || return 1
	done &&
	XSM_NOW=2026-11-23T07:00:00Z xsm -q graph build &&
	for f in "$E"/run2/*.jsonl; do
		XSM_NOW=2026-11-30T07:00:00Z xsm -q ingest --no-build --format records --source "$(basename "$f" .jsonl)" "$f" || return 1
	done &&
	XSM_NOW=2026-11-30T07:00:00Z xsm -q graph build &&
	P=x xsm -q connect add servicenow cmdb-live --url https://cmdb.example.com --username u --password-env P
'
export XSM_NOW=2026-12-01T00:00:00Z

test_expect_success 'report -o writes one HTML page with every section, 0600' '
	xsm report -o r.html 2>err &&
	test_grep "^wrote r.html (" err &&
	test "$(stat -c %a r.html)" = 600 &&
	for id in summary initiatives trend-chart initiatives-table attack-paths map map-caption paths-table \
		chokepoints chokepoints-table critical-assets critical-table events events-table connectors connectors-table; do
		test_grep "id=\"$id\"" r.html || return 1
	done &&
	head -1 r.html | grep -q "^<!DOCTYPE html>$" && tail -1 r.html | grep -q "^</html>$"
'

test_expect_success 'the page is whole: no script, nothing from the network, a policy that forbids both' '
	test_grep ! "<script" r.html &&
	test_grep ! "https\?://" r.html &&
	test_grep ! " src=" r.html &&
	test_grep "Content-Security-Policy\" content=\"default-src .none.; style-src .unsafe-inline.\"" r.html
'

test_expect_success 'the map draws every path paths list gives, each with its steps; nothing else' '
	xsm paths list --format=json >paths.json &&
	python3 - r.html paths.json <<-\EOF
	import json, re, sys
	page = open(sys.argv[1]).read()
	paths = json.load(open(sys.argv[2]))["paths"]
	svg = page[page.index("<svg class=\"map"):page.index("</svg>", page.index("<svg class=\"map"))]
	drawn = re.findall(r"<g class=\"path risk-(\w+)\" data-path-id=\"([^\"]+)\"", svg)
	assert len(paths) == 32, len(paths)
	assert sorted(i for _, i in drawn) == sorted(p["PathId"] for p in paths), "drawn and listed paths differ"
	risk = {p["PathId"]: p["risk"] for p in paths}
	assert all(risk[i] == r for r, i in drawn), "a path drawn with another risk"
	nodes = set(re.findall(r"<g class=\"node[^\"]*\" data-node-id=\"([^\"]+)\"", svg))
	for p in paths:
	    for s in p["steps"]:
	        assert s["NodeId"] in nodes, (p["PathId"], s["NodeId"])
	    # a path of h hops has h segments in its group (a path of none, a dot)
	    g = svg[svg.index("data-path-id=\"%s\"" % p["PathId"]):]
	    g = g[:g.index("</g>")]
	    assert g.count("<path ") == p["hops"] and (p["hops"] or "<circle" in g), p["PathId"]
	cap = re.search(r"id=\"map-caption\">([^<]*)", page).group(1)
	assert cap.startswith("32 paths across %d nodes, every one drawn" % len(nodes)), cap
	EOF
'

test_expect_success 'the scores: every initiative with its target, its points on the 14-day chart' '
	xsm insights --format=json >ins.json &&
	python3 - r.html ins.json <<-\EOF
	import json, re, sys
	page = open(sys.argv[1]).read()
	chart = page[page.index("id=\"trend-chart\""):]
	chart = chart[:chart.index("</svg>")]
	for i in json.load(open(sys.argv[2]))["initiatives"]:
	    row = page[page.index("<tr class=\"initiative\" data-initiative=\"%s\"" % i["id"]):]
	    row = row[:row.index("</tr>")]
	    assert i["name"] in row and "%.2f" % i["score"] in row and ">%.0f<" % i["target"] in row, row
	    series = chart[chart.index("data-initiative=\"%s\"" % i["id"]):]
	    series = series[:series.index("</g>")]
	    assert series.count("<circle") == len(i["trend"]) == 2, (i["id"], series)
	EOF
'

test_expect_success 'choke points, critical assets and why, events, sources and connectors' '
	xsm critical list --format=json >crit.json &&
	xsm paths chokepoints --format=json >chokes.json &&
	python3 - r.html crit.json chokes.json <<-\EOF
	import json, re, sys
	page = open(sys.argv[1]).read()
	def section(i):
	    s = page[page.index("<section id=\"%s\"" % i):]
	    return s[:s.index("</section>")]
	crit, chokes = json.load(open(sys.argv[2]))["assets"], json.load(open(sys.argv[3]))["chokepoints"]
	rows = re.findall(r"<tr data-node-id=\"([^\"]+)\"><td class=\"level\d\">[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>",
	                  section("critical-assets"))
	assert [r[0] for r in rows] == [a["NodeId"] for a in crit][:100], "critical assets differ"
	why = dict(rows)
	for a in crit:
	    assert why[a["NodeId"]] == ", ".join(a["ruleNames"]), (a, why[a["NodeId"]])
	ch = re.findall(r"<tr data-node-id=\"([^\"]+)\">", section("chokepoints"))
	assert ch == [c["NodeId"] for c in chokes][:20], ch
	assert "jump01.contoso.local" in section("chokepoints")
	ev = section("events")
	assert ev.count("<tr class=\"event\">") > 10 and "new-attack-path" in ev and "kiosk01.contoso.local" in ev
	src = section("connectors")
	for s in ("ad", "cloud", "cmdb", "defender", "entra", "qualys", "tenable"):
	    assert "<td>%s</td><td>records</td><td>ok</td>" % s in src, s
	assert "<td>cmdb-live</td><td>servicenow</td><td>never synced</td>" in src, src
	EOF
'

test_expect_success 'the same store and clock give the same bytes; without -o the page goes to stdout' '
	xsm report >r2.html &&
	test_cmp r.html r2.html &&
	xsm report -o - >r3.html && test_cmp r.html r3.html
'

test_expect_success 'a page is not written to a terminal (64), nor as JSON' '
	test_expect_code 64 on_tty "$XSM" report >tty.out &&
	test_grep "not writing HTML to a terminal" tty.out &&
	test_grep ! "<html" tty.out &&
	test_expect_code 64 xsm report --format=json 2>err &&
	test_grep "a report is HTML" err &&
	test_expect_code 64 xsm report --format=svg &&
	test_expect_code 64 xsm report extra
'

if [ -n "$CHROME" ]; then
	test_expect_success 'a headless browser opens the page: the sections and every path are in its DOM' '
		browse --dump-dom "file://$TRASH/r.html" >dom.html &&
		python3 - dom.html paths.json <<-\EOF
		import json, re, sys
		dom = open(sys.argv[1]).read()
		for i in ("summary", "initiatives", "trend-chart", "attack-paths", "map", "chokepoints",
		          "critical-assets", "events", "connectors"):
		    assert "id=\"%s\"" % i in dom, i
		drawn = set(re.findall(r"<g class=\"path [^\"]*\" data-path-id=\"([^\"]+)\"", dom))
		assert drawn == {p["PathId"] for p in json.load(open(sys.argv[2]))["paths"]}, "the DOM lacks paths"
		assert "<script" not in dom
		EOF
	'
	test_expect_success 'its screenshot is a PNG of the window, not blank' '
		browse --screenshot="$TRASH/r.png" --window-size=1280,1600 "file://$TRASH/r.html" >/dev/null &&
		python3 "$XSM_TOP/test/lib/png_stats.py" r.png >stats &&
		read w h colours inked <stats &&
		test "$w" = 1280 && test "$h" = 1600 &&
		test "$colours" -gt 50 && test "$inked" -gt 20 &&
		test "$(stat -c %s r.png)" -gt 20000
	'
else
	missing chromium 'the report in a headless browser'
fi

test_expect_success 'xsm report takes a second at most on the example' '
	python3 -c "
import subprocess, sys, time
t = time.time()
subprocess.check_call([sys.argv[1], \"report\", \"-o\", \"timed.html\"], stderr=subprocess.DEVNULL)
t = time.time() - t
print(\"xsm report: %.3f s\" % t)
assert t < 1, t" "$XSM" >timing && cat timing
'

# --- 1,000 paths ------------------------------------------------------------------
test_expect_success 'setup: 1,078 paths (xsm-gen --shape paths)' '
	"$BUILD/bin/xsm-gen" --shape paths --identities 2000 --targets 22 --entries 50 --edges 12000 --out gen 2>/dev/null &&
	XSM_STORE="$TRASH/many" xsm -q ingest --format records --source iam gen/iam.jsonl &&
	XSM_STORE="$TRASH/many" xsm --format=json paths summary >many.json &&
	test "$(json_get many.json "j[\"paths\"]")" = 1078
'

test_expect_success 'at 1,078 paths the map groups them by choke point, says so, and stays under 150 kB' '
	XSM_STORE="$TRASH/many" xsm report -o many.html &&
	XSM_STORE="$TRASH/many" xsm paths chokepoints --format=json >many-chokes.json &&
	python3 - many.html many-chokes.json <<-\EOF
	import json, os, re, sys
	page = open(sys.argv[1]).read()
	svg = page[page.index("<svg class=\"map grouped\""):]
	svg = svg[:svg.index("</svg>")]
	assert "<g class=\"path" not in svg, "paths drawn one by one"
	groups = re.findall(r"<g class=\"group\" data-choke-id=\"([^\"]+)\" data-paths=\"(\d+)\"", svg)
	assert sum(int(n) for _, n in groups) == 1078, groups
	cap = re.search(r"id=\"map-caption\">([^<]*)", page).group(1)
	assert cap.startswith("1,078 paths shown as %d groups by choke point" % len(groups)), cap
	top = json.load(open(sys.argv[2]))["chokepoints"][0]["NodeId"]
	assert top in dict(groups), "the top choke point is not a group"
	assert len(groups) <= 22 and svg.count("<g class=\"node") <= 22 + 32
	rows = page[page.index("id=\"paths-table\""):].count("<tr data-path-id=")
	assert rows == 100 and "and 978 more paths" in page, rows
	size = os.path.getsize(sys.argv[1])
	print("HTML at 1,078 paths: %d bytes" % size)
	assert size < 150000, size
	EOF
'

# --- hostile names ----------------------------------------------------------------
test_expect_success 'names from hostile sources are escaped everywhere on the page' '
	cat >evil.jsonl <<-\EOF &&
	{"type":"asset","label":"device","source_id":"x:1","name":"<script>alert(1)</script>","keys":{"fqdn":"e1.example.com"},"props":{"exposedToInternet":true}}
	{"type":"finding","asset":"x:1","cve":"CVE-2024-3400","severity":"critical","cvss":10,"exploitAvailable":true,"rce":true}
	{"type":"asset","label":"device","source_id":"x:2","name":"\"&'"'"'<b>mid","keys":{"fqdn":"e2.example.com"},"props":{"osType":"linux"}}
	{"type":"asset","label":"device","source_id":"x:3","name":"<img src=x onerror=alert(2)>","keys":{"fqdn":"e3.example.com"},"props":{"deviceRole":["DomainController"]}}
	{"type":"relation","label":"routes traffic to","from":"x:1","to":"x:2"}
	{"type":"relation","label":"routes traffic to","from":"x:2","to":"x:3"}
	EOF
	XSM_STORE="$TRASH/evil" xsm -q ingest --format records --source x evil.jsonl &&
	XSM_STORE="$TRASH/evil" xsm paths list --format=json >evil-paths.json &&
	test "$(json_get evil-paths.json "len(j[\"paths\"])")" = 1 &&
	XSM_STORE="$TRASH/evil" xsm report -o evil.html &&
	test_grep ! "<script" evil.html &&
	test_grep ! "<img" evil.html &&
	test_grep ! "<b>mid" evil.html &&
	test_grep "&lt;script&gt;alert(1)&lt;/script&gt;" evil.html &&
	test_grep "&lt;img src=x onerror=alert(2)&gt;" evil.html &&
	test_grep "&quot;&amp;&#39;&lt;b&gt;mid" evil.html &&
	test_grep "<td>x</td><td>records</td>" evil.html
'

if [ -n "$CHROME" ]; then
	test_expect_success 'in the browser the hostile names are text: no element came from them' '
		browse --dump-dom "file://$TRASH/evil.html" >evil-dom.html &&
		test_grep ! "<script" evil-dom.html &&
		test_grep ! "<img" evil-dom.html &&
		test_grep "&lt;script&gt;alert(1)&lt;/script&gt;" evil-dom.html
	'
else
	missing chromium 'hostile names in a headless browser'
fi

# --- errors -------------------------------------------------------------------------
test_expect_success 'no snapshot: 66 and the message every read command gives; nothing written' '
	XSM_STORE="$TRASH/empty" xsm -q init &&
	(
		export XSM_STORE="$TRASH/empty" &&
		test_expect_code 66 xsm report -o none.html 2>err &&
		test_expect_code 66 xsm paths list 2>err2 &&
		test_cmp err2 err &&
		test_grep "no graph yet" err &&
		test_expect_code 66 xsm insights export -o none.pdf
	) &&
	XSM_STORE="$TRASH/nostore" test_expect_code 66 xsm report -o none.html &&
	test ! -e none.html && test ! -e none.pdf && test ! -e "$TRASH/nostore"
'

test_expect_success 'an -o that cannot be written: 73, nothing left behind' '
	test_expect_code 73 xsm report -o "$TRASH/no/such/dir/r.html" 2>err &&
	test_grep "cannot create" err &&
	mkdir adir &&
	test_expect_code 73 xsm report -o adir 2>err &&
	test_expect_code 73 xsm insights export ransomware -o adir &&
	ls -A adir >left && test ! -s left &&
	ls -A | grep "xsm-" >left; test ! -s left
'

test_expect_success 'an unknown initiative or metric: 66, no file' '
	test_expect_code 66 xsm insights export no-such-thing -o x.pdf 2>err &&
	test_grep "no initiative or metric .no-such-thing." err &&
	test_expect_code 66 xsm insights export no-such-thing --format=csv -o x.csv &&
	test ! -e x.pdf && test ! -e x.csv &&
	test_expect_code 64 xsm insights export --format=table &&
	test_expect_code 64 xsm insights export --format=svg &&
	test_expect_code 64 on_tty "$XSM" insights export ransomware >tty.out &&
	test_grep "not writing a PDF to a terminal" tty.out
'

# fail_at CMD...: CMD run with the N-th allocation and every later one failing
# (XSM_TEST_FAILALLOC), for N = 1, 1 + step, ... until CMD succeeds: each run must
# exit 71 (out of memory) and leave no OUT behind, never crash or half-write
fail_at() {
	step=$1 out=$2
	shift 2
	n=1
	while [ $n -lt 400000 ]; do
		rm -f "$out"
		(XSM_TEST_FAILALLOC=$n && export XSM_TEST_FAILALLOC && xsm "$@") 2>fa.err
		rc=$?
		[ $rc = 0 ] && return 0
		if [ $rc != 71 ] || [ -e "$out" ]; then
			echo "XSM_TEST_FAILALLOC=$n xsm $*: exit $rc$(test -e "$out" && echo ", $out left")"
			cat fa.err
			return 1
		fi
		n=$((n + step))
	done
	return 1
}

test_expect_success 'out of memory at any point: exit 71 and nothing written, or the whole page' '
	fail_at 97 fa.html report -o fa.html && test_cmp r.html fa.html &&
	fail_at 97 fa.pdf insights export ransomware -o fa.pdf &&
	fail_at 97 fa.csv insights export --format=csv -o fa.csv
'

# --- the PDF ------------------------------------------------------------------------
test_expect_success 'insights export INITIATIVE: a PDF, the same bytes each time' '
	xsm insights export ransomware -o rw.pdf 2>err &&
	test_grep "^wrote rw.pdf" err &&
	head -c 5 rw.pdf | grep -q "^%PDF-" &&
	xsm insights export ransomware >rw2.pdf && cmp rw.pdf rw2.pdf
'

if command -v pdfinfo >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
	test_expect_success 'pdfinfo: pages, title, creator and producer' '
		pdfinfo rw.pdf >info &&
		test_grep "^Title: *Ransomware protection$" info &&
		test_grep "^Creator: *xsm " info &&
		test_grep "^Producer: *cairo" info &&
		test_grep "^CreationDate: .* 2026" info &&
		pages=$(sed -n "s/^Pages: *//p" info) && test "$pages" -ge 1
	'
	test_expect_success 'pdftotext: the initiative, its score and target, every metric and recommendation' '
		pdftotext rw.pdf rw.txt &&
		xsm insights show ransomware --format=json >show.json &&
		python3 - rw.txt show.json <<-\EOF
		import json, sys
		text = " ".join(open(sys.argv[1]).read().split())
		show = json.load(open(sys.argv[2]))
		i = show["initiative"]
		assert i["name"] in text and "%.2f" % i["score"] in text and "target of %.0f" % i["target"] in text, text[:300]
		assert "scope: all assets of snapshot %s" % show["snapshot"] in text
		for m in show["metrics"]:
		    assert m["name"] in text, m["name"]
		    assert m["recommendation"] in text, m["recommendation"]
		    assert "%d of %d" % (m["affected"], m["total"]) in text, m["name"]
		EOF
	'
	test_expect_success 'every initiative: a cover page and one part each; a metric alone' '
		xsm insights export -o all.pdf && pdfinfo all.pdf >info &&
		pages=$(sed -n "s/^Pages: *//p" info) && test "$pages" -ge 8 &&
		test_grep "^Title: *Exposure insights$" info &&
		pdftotext all.pdf - | tr -s " \n" "  " >all.txt &&
		for n in "Cloud security" "Critical asset protection" "Endpoint security" "External attack surface" \
			"Identity security" "Ransomware protection" "Vulnerability management"; do
			test_grep "$n" all.txt || return 1
		done &&
		xsm insights export internet-facing-rce -o m.pdf && pdftotext m.pdf - | tr -s " \n" "  " >m.txt &&
		test_grep "Internet-facing devices with RCE vulnerabilities" m.txt &&
		test_grep "assets: label == \"device\"" m.txt &&
		test_grep "in initiatives external, ransomware" m.txt
	'
else
	missing pdftotext 'reading the PDF back (poppler-utils)'
fi

test_expect_success 'insights export --format=json and csv: the same data, one document, one row a metric' '
	xsm insights export ransomware --format=json >ex.json &&
	test "$(json_get ex.json "j[\"schema\"]")" = xsm.insights.export/1 &&
	test "$(json_get ex.json "[i[\"id\"] for i in j[\"initiatives\"]] == [\"ransomware\"]")" = True &&
	test "$(json_get ex.json "len(j[\"metrics\"]) == j[\"initiatives\"][0][\"metric_count\"] == 9")" = True &&
	test "$(json_get ex.json "len(j[\"initiatives\"][0][\"trend\"])")" = 2 &&
	xsm insights export ransomware --format=csv -o ex.csv &&
	python3 -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline=\"\")))
assert len(rows) == 9 and rows[0][\"initiative\"] == \"ransomware\" and rows[0][\"score\"] == \"76.75\", rows[0]" ex.csv &&
	xsm insights export internet-facing-rce --format=json >exm.json &&
	test "$(json_get exm.json "sorted(i[\"id\"] for i in j[\"initiatives\"]) == [\"external\", \"ransomware\"]")" = True
'

test_done
