#!/bin/sh
test_description='xsm gc: retention keeps recent and current data, drops the rest'
. "$(dirname "$0")/../lib/test-lib.sh"

rec() { printf '{"type":"asset","label":"device","source_id":"%s:1","name":"a"}\n' "$1"; }

test_expect_success 'setup: runs over 40 days, two snapshots, old and new events' '
	for d in 01 10 20 30; do
		rec cmdb | XSM_NOW=2026-10-${d}T00:00:00Z xsm ingest --no-build --format records --source cmdb - || exit 1
	done &&
	rec old | XSM_NOW=2026-09-01T00:00:00Z xsm ingest --no-build --format records --source old - &&
	for s in 20260901T000000Z-0001 20261120T000000Z-0001 20261001T000000Z-0001; do
		mkdir -p "$XSM_STORE/graph/$s" && echo "{}" >"$XSM_STORE/graph/$s/meta.json" || exit 1
	done &&
	# what a build that crashed leaves: a recent snapshot without meta.json
	mkdir -p "$XSM_STORE/graph/20261123T000000Z-0001" &&
	echo partial >"$XSM_STORE/graph/20261123T000000Z-0001/paths.jsonl.tmp.99" &&
	echo 20260901T000000Z-0001 >"$XSM_STORE/graph/HEAD" &&
	printf "%s\n" "{\"time\":\"2026-09-01T00:00:00Z\",\"type\":\"a\"}" "not json" \
		"{\"time\":\"2026-11-20T00:00:00Z\",\"type\":\"b\"}" >"$XSM_STORE/events.jsonl"
'

test_expect_success 'graph log lists only complete snapshots' '
	xsm graph log >log &&
	test_grep 20261120T000000Z-0001 log &&
	test_grep ! 20261123T000000Z-0001 log
'

test_expect_success 'a dry run removes nothing and says what it would do' '
	xsm --format=json gc --dry-run >out.json &&
	test "$(json_get out.json "j[\"runs_removed\"]")" = 3 &&
	test "$(ls "$XSM_STORE/records/cmdb" | wc -l)" = 4
'

test_expect_success 'gc keeps the latest run of each source, the current snapshot and recent events' '
	xsm gc >out &&
	test_grep "removed 3 record runs" out &&
	ls "$XSM_STORE/records/cmdb" >runs &&
	test "$(wc -l <runs)" = 1 && test_grep "20261030T" runs &&
	test "$(ls "$XSM_STORE/records/old" | wc -l)" = 1 &&
	test -d "$XSM_STORE/graph/20260901T000000Z-0001" &&
	test -d "$XSM_STORE/graph/20261120T000000Z-0001" &&
	test ! -d "$XSM_STORE/graph/20261001T000000Z-0001" &&
	test ! -d "$XSM_STORE/graph/20261123T000000Z-0001" &&
	test_grep "not json" "$XSM_STORE/events.jsonl" &&
	test_grep "2026-11-20" "$XSM_STORE/events.jsonl" &&
	test_grep ! "2026-09-01" "$XSM_STORE/events.jsonl"
'

test_expect_success 'retention.days is configurable' '
	rec cmdb | XSM_NOW=2026-11-23T00:00:00Z xsm ingest --no-build --format records --source cmdb - &&
	xsm -c retention.days=0 gc &&
	ls "$XSM_STORE/records/cmdb" >runs && test "$(wc -l <runs)" = 1 && test_grep "20261123T" runs
'

test_expect_success 'every build runs retention too: old runs and snapshots go, the new current stays' '
	XSM_STORE="$TRASH/auto" && export XSM_STORE &&
	rec cmdb | XSM_NOW=2026-10-01T00:00:00Z xsm -q ingest --format records --source cmdb - &&
	old=$(cat "$XSM_STORE/graph/HEAD") &&
	rec cmdb | XSM_NOW=2026-11-20T00:00:00Z xsm -q ingest --format records --source cmdb - &&
	new=$(cat "$XSM_STORE/graph/HEAD") &&
	test ! -e "$XSM_STORE/graph/$old" && test -d "$XSM_STORE/graph/$new" &&
	test "$(ls "$XSM_STORE/records/cmdb" | wc -l)" = 1
'

test_expect_success 'gc needs a store' '
	test_expect_code 66 xsm --store "$TRASH/none" gc 2>err
'

test_done
