#!/bin/sh
test_description='xsm gc: retention keeps recent and current data, drops the rest'
. "$(dirname "$0")/../lib/test-lib.sh"

bytes() { # bytes SNAPSHOT...: what their files take, a file with several names once
	python3 - "$XSM_STORE/graph" "$@" <<-\PY
	import os, sys
	seen, total = set(), 0
	for snap in sys.argv[2:]:
	    for f in os.scandir(os.path.join(sys.argv[1], snap)):
	        st = f.stat(follow_symlinks=False)
	        if f.is_file(follow_symlinks=False) and (st.st_dev, st.st_ino) not in seen:
	            seen.add((st.st_dev, st.st_ino))
	            total += st.st_size
	print(total)
	PY
}
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

test_expect_success 'gc.max_bytes keeps the newest snapshots that fit, whatever their age; current and tagged stay' '
	XSM_STORE="$TRASH/budget" && export XSM_STORE &&
	for i in 1 2 3 4 5 6; do
		printf "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"cmdb:%s\",\"name\":\"h%s\"}\n" $i $i >>recs.jsonl &&
		XSM_NOW=2026-09-0${i}T00:00:00Z xsm -q -c retention.days=1000 ingest --format records --source cmdb recs.jsonl || return 1
	done &&
	ls "$XSM_STORE/graph" | grep "^2" >all &&
	test "$(wc -l <all)" = 6 &&
	oldest=$(sed -n 1p all) && second=$(sed -n 2p all) && cur=$(cat "$XSM_STORE/graph/HEAD") &&
	xsm graph tag keep "$oldest" &&
	# a re-evaluation: its graph.bin is that of the current snapshot, counted once
	XSM_NOW=2026-09-07T00:00:00Z xsm -q -c retention.days=1000 critical set h6 0 &&
	shared=$(cat "$XSM_STORE/graph/HEAD") &&
	test "$(stat -c %i "$XSM_STORE/graph/$shared/graph.bin")" = "$(stat -c %i "$XSM_STORE/graph/$cur/graph.bin")" &&
	pinned=$(bytes "$shared" "$oldest") &&
	pair=$(bytes "$shared" "$oldest" "$cur") &&
	test "$pair" -gt "$pinned" &&
	budget=$((pair + 1000)) &&
	xsm -c gc.max_bytes=$budget --format=json gc >gc.json &&
	ls "$XSM_STORE/graph" | grep "^2" >left &&
	printf "%s\n" "$oldest" "$cur" "$shared" | sort >want &&
	test_cmp want left &&
	test "$(json_get gc.json "j[\"snapshots_over_budget\"]")" = 4 &&
	test "$(json_get gc.json "j[\"snapshot_bytes\"]")" = "$pair" &&
	xsm graph log >/dev/null
'

test_expect_success 'gc says how many snapshots the budget removed; a budget below the pinned ones keeps just those' '
	XSM_STORE="$TRASH/budget" && export XSM_STORE &&
	oldest=$(sed -n 1p all) && shared=$(cat "$XSM_STORE/graph/HEAD") &&
	xsm -c gc.max_bytes=1 gc >out &&
	test_grep "1 snapshot beyond gc.max_bytes; the snapshots kept take [0-9]* bytes" out &&
	ls "$XSM_STORE/graph" | grep "^2" >left &&
	printf "%s\n" "$oldest" "$shared" | sort >want &&
	test_cmp want left &&
	xsm graph export --format=jsonl >/dev/null
'

test_expect_success 'gc needs a store' '
	test_expect_code 66 xsm --store "$TRASH/none" gc 2>err
'

test_done
