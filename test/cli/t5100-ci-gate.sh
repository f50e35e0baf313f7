#!/bin/sh
test_description='the CI gate with a pinned baseline: tags, gc, one JSON document, most serious first'
. "$(dirname "$0")/../lib/test-lib.sh"

dev() { # dev NAME [entry|dc]
	case "$2" in
	entry|weak) props='"exposedToInternet":true' ;;
	dc) props='"deviceRole":["DomainController"]' ;;
	*) props='"osType":"linux"' ;;
	esac
	printf '{"type":"asset","label":"device","source_id":"t:%s","name":"%s","keys":{"fqdn":"%s.example.com"},"props":{%s}}\n' "$1" "$1" "$1" "$props"
	[ "$2" = entry ] && printf '{"type":"finding","asset":"t:%s","cve":"CVE-2024-3400","severity":"critical","cvss":10,"exploitAvailable":true,"rce":true}\n' "$1"
	[ "$2" = weak ] && printf '{"type":"finding","asset":"t:%s","cve":"CVE-2021-0001","severity":"high","cvss":7,"exploitAvailable":true}\n' "$1"
	return 0
}
edge() { printf '{"type":"relation","label":"routes traffic to","from":"t:%s","to":"t:%s"}\n' "$1" "$2"; }

test_expect_success 'a first build with one critical path, pinned as the baseline' '
	{ dev e1 entry; dev a; dev dc dc; edge e1 a; edge a dc; } >one.jsonl &&
	xsm -q ingest --format records --source t one.jsonl &&
	xsm graph tag base &&
	xsm graph tag >tags && test_grep "^base  *2026" tags &&
	xsm graph log >log && test_grep "(tag: base)" log
'

test_expect_success 'a new path fails the gate against the baseline' '
	{ dev e1 entry; dev e2 entry; dev a; dev dc dc; edge e1 a; edge a dc; edge e2 dc; } >two.jsonl &&
	xsm -q ingest --format records --source t two.jsonl &&
	test_expect_code 1 xsm paths check --fail-on high --baseline base >out &&
	test_grep "^1 attack path at risk high or above that are new" out
'

test_expect_success 're-running the job turns --fail-on-new green, never --baseline' '
	xsm -q ingest --format records --source t two.jsonl &&
	xsm paths check --fail-on high --fail-on-new >out &&
	test_grep "^ok: no new attack path" out &&
	test_expect_code 1 xsm paths check --fail-on high --baseline base
'

test_expect_success '--format=json is one document with a schema, on a pass and on a failure' '
	test_expect_code 1 xsm --format=json paths check --fail-on high --baseline base >fail.json &&
	test "$(wc -l <fail.json)" = 1 &&
	python3 -c "
import json
j = json.load(open(\"fail.json\"))
assert (j[\"schema\"], j[\"count\"], j[\"passed\"], len(j[\"paths\"]), j[\"paths\"][0][\"entry\"][\"NodeName\"]) == (\"xsm.paths.check/1\", 1, False, 1, \"e2\"), j" &&
	xsm --format=json paths check --fail-on high --fail-on-new >pass.json &&
	test "$(wc -l <pass.json)" = 1 &&
	python3 -c "
import json
j = json.load(open(\"pass.json\"))
assert (j[\"schema\"], j[\"count\"], j[\"passed\"], j[\"paths\"]) == (\"xsm.paths.check/1\", 0, True, []), j"
'

test_expect_success 'a baseline that is not there is an error (66), never a pass' '
	test_expect_code 66 xsm paths check --fail-on high --baseline nosuch 2>err &&
	test_grep "no tag or snapshot .nosuch." err
'

test_expect_success 'gc keeps a tagged snapshot past the retention, and drops it once untagged' '
	base=$(xsm --format=json graph tag | python3 -c "import json,sys; print(json.load(sys.stdin)[\"tags\"][0][\"snapshot\"])") &&
	XSM_NOW=2027-06-01T00:00:00Z xsm -q gc &&
	test -d "$XSM_STORE/graph/$base" &&
	xsm paths check --fail-on high --baseline base >/dev/null; test $? = 1 &&
	xsm graph tag --delete base &&
	XSM_NOW=2027-06-01T00:00:00Z xsm -q gc &&
	test ! -d "$XSM_STORE/graph/$base"
'

test_expect_success 'bad tag names and unknown snapshots are refused' '
	test_expect_code 64 xsm graph tag ../x 2>err && test_grep "bad tag name" err &&
	test_expect_code 64 xsm graph tag HEAD &&
	test_expect_code 66 xsm graph tag t1 20990101T000000Z-0001 &&
	test_expect_code 66 xsm graph tag --delete nosuch
'

test_expect_success 'paths list and check put the most serious path first' '
	{ dev e1 entry; dev far weak; dev a; dev b; dev c; dev dc dc; edge e1 dc; edge far a; edge a b; edge b c; edge c dc; } >mix.jsonl &&
	xsm -q ingest --format records --source t mix.jsonl &&
	xsm paths list --format=jsonl >all && test "$(wc -l <all)" -ge 2 &&
	python3 -c "
import json, sys
order = {\"critical\": 0, \"high\": 1, \"medium\": 2, \"low\": 3}
r = [order[json.loads(l)[\"risk\"]] for l in open(\"all\")]
assert r == sorted(r), r" &&
	xsm paths list --limit 1 --format=jsonl >first && test "$(head -1 all)" = "$(cat first)"
'

test_done
