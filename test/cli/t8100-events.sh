#!/bin/sh
test_description='exposure events: each type from a snapshot comparison, filters, the cap, retention'
. "$(dirname "$0")/../lib/test-lib.sh"

dev() { # dev NAME [entry|dc|plain]
	case "$2" in
	entry) props='"exposedToInternet":true' ;;
	dc) props='"deviceRole":["DomainController"]' ;;
	*) props='"osType":"linux"' ;;
	esac
	printf '{"type":"asset","label":"device","source_id":"t:%s","name":"%s","keys":{"fqdn":"%s.example.com"},"props":{%s}}\n' "$1" "$1" "$1" "$props"
	if [ "$2" = entry ]; then
		printf '{"type":"finding","asset":"t:%s","cve":"CVE-2024-3400","severity":"critical","cvss":10,"exploitAvailable":true,"rce":true}\n' "$1"
	fi
}
edge() { printf '{"type":"relation","label":"routes traffic to","from":"t:%s","to":"t:%s"}\n' "$1" "$2"; }
types() { xsm events --format=jsonl "$@" | python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print(e["type"], (e["subject"] or {}).get("name") or "-")'; }

test_expect_success 'the first build has nothing to compare with: no events' '
	{ dev e1 entry; dev a; dev dc1 dc; edge e1 a; edge a dc1; } >run1.jsonl &&
	xsm -q ingest --format records --source t run1.jsonl &&
	xsm events >out && test_grep "no events" out &&
	xsm --format=json events >e.json &&
	test "$(json_get e.json "(j[\"schema\"], j[\"events\"])")" = "('"'"'xsm.events/1'"'"', [])"
'

test_expect_success 'a second run: new exposed device, new critical asset, new path, score drops' '
	{ dev e1 entry; dev a; dev dc1 dc; dev e2 entry; dev dc2 dc; edge e1 a; edge a dc1; edge e2 dc2; } >run2.jsonl &&
	XSM_NOW=2026-11-24T13:00:00Z xsm -q ingest --format records --source t run2.jsonl &&
	types >got &&
	cat >want <<-\EOF &&
	metric-score-drop Devices with a CVSS 9 or higher vulnerability
	metric-score-drop Devices with exploitable vulnerabilities
	metric-score-drop Devices with RCE vulnerabilities
	initiative-score-drop Endpoint security
	initiative-score-drop Vulnerability management
	new-critical-asset dc2
	new-attack-path internet-facing device with RCE -> Domain Controller
	new-internet-exposed-device e2
	EOF
	test_cmp want got
'

test_expect_success 'events carry snapshot, previous, subject and the numbers of a drop' '
	xsm events --format=jsonl --type metric-score-drop | grep "\"devices-exploitable\"" >d.json &&
	json_get d.json "(j[\"from\"], j[\"to\"], j[\"subject\"][\"id\"], j[\"time\"])" >got &&
	echo "(66.67, 60, '"'"'devices-exploitable'"'"', '"'"'2026-11-24T13:00:00Z'"'"')" >want && test_cmp want got &&
	test "$(json_get d.json "j[\"snapshot\"]")" = "$(cat "$XSM_STORE/graph/HEAD")" &&
	test "$(json_get d.json "j[\"previous\"]")" = 20261124T120000Z-0001 &&
	xsm events --format=jsonl --type new-attack-path >p.json &&
	test "$(json_get p.json "(j[\"entry\"], j[\"target\"], j[\"risk\"], j[\"hops\"])")" = "('"'"'e2'"'"', '"'"'dc2'"'"', '"'"'critical'"'"', 1)"
'

test_expect_success 'an unchanged rebuild adds no events' '
	wc -l <"$XSM_STORE/events.jsonl" >before &&
	XSM_NOW=2026-11-24T14:00:00Z xsm -q graph build &&
	wc -l <"$XSM_STORE/events.jsonl" >after && test_cmp before after
'

test_expect_success 'a removed relation resolves its path' '
	{ dev e1 entry; dev a; dev dc1 dc; dev e2 entry; dev dc2 dc; edge e1 a; edge a dc1; } >run3.jsonl &&
	XSM_NOW=2026-11-24T15:00:00Z xsm -q ingest --format records --source t run3.jsonl &&
	types --since 2026-11-24T15:00:00Z >got &&
	grep "^resolved-attack-path internet-facing device with RCE -> Domain Controller$" got &&
	xsm events --format=jsonl --type resolved-attack-path >r.json &&
	test "$(json_get r.json "(j[\"entry\"], j[\"target\"])")" = "('"'"'e2'"'"', '"'"'dc2'"'"')"
'

test_expect_success 'a failed connector is reported once' '
	cat >"$XSM_STORE/connectors/t.state" <<-\EOF &&
	{"schema":"xsm.state/1","source":"t","status":"error","time":"2026-11-24T15:30:00Z","run":"20261124T150000Z-0001","assets":5,"findings":2,"relations":2,"invalid":0,"cursor":null,"error":"HTTP 503 from the API"}
	EOF
	XSM_NOW=2026-11-24T16:00:00Z xsm -q graph build &&
	types --type connector-failed >got && echo "connector-failed t" >want && test_cmp want got &&
	xsm events --format=jsonl --type connector-failed >c.json &&
	test "$(json_get c.json "(j[\"error\"], j[\"failed_at\"], j[\"last_data\"])")" = "('"'"'HTTP 503 from the API'"'"', '"'"'2026-11-24T15:30:00Z'"'"', '"'"'2026-11-24T15:00:00Z'"'"')" &&
	XSM_NOW=2026-11-24T17:00:00Z xsm -q graph build &&
	types --type connector-failed >got && test_cmp want got
'

test_expect_success 'data older than 72 hours is stale, reported when it becomes so' '
	XSM_NOW=2026-11-27T14:00:00Z xsm -q graph build &&
	test -z "$(types --type data-stale)" &&
	XSM_NOW=2026-11-27T16:00:00Z xsm -q graph build &&
	types --type data-stale >got && echo "data-stale t" >want && test_cmp want got &&
	xsm events --format=jsonl --type data-stale >s.json &&
	test "$(json_get s.json "j[\"age_hours\"]")" = 73 &&
	XSM_NOW=2026-11-27T18:00:00Z xsm -q graph build &&
	types --type data-stale >got && test_cmp want got
'

test_expect_success 'events.stale_hours changes the threshold' '
	xsm -q init "$TRASH/s2" && XSM_STORE="$TRASH/s2" &&
	export XSM_STORE &&
	xsm -q ingest --format records --source t run1.jsonl &&
	XSM_NOW=2026-11-24T14:00:00Z xsm -q -c events.stale_hours=1 graph build &&
	types --type data-stale >got && echo "data-stale t" >want && test_cmp want got
'

test_expect_success 'score changes by a metric state change are events too' '
	# mitigated counts as 100: the scores rise, no drop
	XSM_NOW=2026-11-27T19:00:00Z xsm -q insights set devices-rce --state mitigated &&
	test -z "$(types --since 2026-11-27T19:00:00Z)" &&
	# back to active: they fall again; the metric itself did not change
	XSM_NOW=2026-11-27T20:00:00Z xsm -q insights set devices-rce --state active &&
	types --since 2026-11-27T20:00:00Z >got &&
	grep "^initiative-score-drop Endpoint security$" got &&
	test_grep ! "^metric-score-drop" got
'

test_expect_success 'filters: --type, --since (time and age), --limit keeps the newest' '
	xsm events --format=jsonl >all &&
	n=$(wc -l <all) && test "$n" -ge 12 &&
	xsm events --format=jsonl --limit 2 >two &&
	tail -2 all >want && test_cmp want two &&
	XSM_NOW=2026-11-27T20:30:00Z xsm events --format=jsonl --since 1h >recent &&
	grep -c . recent >n && test "$(cat n)" = "$(grep -c "2026-11-27T20:00:00Z" all)" &&
	xsm events --format=jsonl --since 2026-11-24T15:00:00Z --type new-attack-path >none &&
	test ! -s none &&
	xsm --format=json events --type new-critical-asset >e.json &&
	test "$(json_get e.json "[e[\"subject\"][\"name\"] for e in j[\"events\"]]")" = "['"'"'dc2'"'"']" &&
	xsm events --type new-critical-asset >t.txt &&
	test_grep "device .dc2. is now a critical asset (level 0, very high)" t.txt
'

test_expect_success 'bad filters are usage errors' '
	test_expect_code 64 xsm events --type nosuch &&
	test_expect_code 64 xsm events --since yesterday &&
	test_expect_code 64 xsm events --limit -1
'

test_expect_success 'events.max_per_type caps a comparison and says how many were left out' '
	{ dev e1 entry; dev a; dev dc1 dc; dev x1 dc; dev x2 dc; dev x3 dc; edge e1 a; edge a dc1; } >run4.jsonl &&
	XSM_NOW=2026-11-27T21:00:00Z xsm -q -c events.max_per_type=1 ingest --format records --source t run4.jsonl &&
	xsm events --format=jsonl --since 2026-11-27T21:00:00Z --type new-critical-asset >cap &&
	test "$(wc -l <cap)" = 2 &&
	tail -1 cap >more.json &&
	test "$(json_get more.json "(j[\"more\"], j[\"subject\"])")" = "(2, None)"
'

test_expect_success 'gc drops events older than events.retention_days (30), keeps the rest' '
	n=$(wc -l <"$XSM_STORE/events.jsonl") &&
	old=$(grep -c "\"time\":\"2026-11-24" "$XSM_STORE/events.jsonl") &&
	XSM_NOW=2026-12-25T00:00:00Z xsm --format=json gc >gc.json &&
	test "$(json_get gc.json "(j[\"events_removed\"], j[\"events_kept\"])")" = "($old, $((n - old)))" &&
	test_grep ! "\"time\":\"2026-11-24" "$XSM_STORE/events.jsonl" &&
	XSM_NOW=2026-12-25T00:00:00Z xsm -q -c events.retention_days=1 gc &&
	test ! -s "$XSM_STORE/events.jsonl" &&
	xsm events >out && test_grep "no events" out
'

test_expect_success 'the feed is private: 0600' '
	test "$(stat -c %a "$XSM_STORE/events.jsonl")" = 600
'

test_done
