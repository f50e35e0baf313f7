#!/bin/sh
test_description='human output: counts right-aligned at any width, "1 hop" not "1 hops"'
. "$(dirname "$0")/../lib/test-lib.sh"

# aligned FILE FIRST LAST: lines FIRST..LAST of FILE all end at the same column
aligned() {
	sed -n "$2,$3p" "$1" | awk "{ print length(\$0) }" | sort -u >widths &&
	test "$(wc -l <widths)" = 1 || { cat "$1"; false; }
}

asset() { # asset SOURCE N LABEL: one asset record
	printf '{"type":"asset","label":"%s","source_id":"%s:%s","name":"%s-%s"}\n' "$3" "$1" "$2" "$1" "$2"
}

test_expect_success 'setup: the demo enterprise, and a store with a long label and counts of 1 and 12' '
	sh "$XSM_TOP/examples/demo.sh" "$XSM" "$TRASH/demo" >demo.out 2>&1 &&
	asset one 1 device >one.jsonl &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do asset many $i device; done >many.jsonl &&
	asset long 1 "microsoft.containerservice/managedclusters/agentpools/extra" >long.jsonl &&
	xsm -q ingest --no-build --format records --source one one.jsonl &&
	xsm -q ingest --no-build --format records --source long long.jsonl &&
	xsm ingest --format records --source many many.jsonl >ingest.out
'

test_expect_success 'table columns of counts are right-aligned' '
	xsm status >st &&
	sed -n "/^SOURCE/,/^\$/p" st | sed "/^\$/d" >table &&
	test "$(wc -l <table)" = 4 &&
	# the ASSETS column: header and every row end at the same offset
	python3 -c "
import sys
rows = open(\"table\").read().splitlines()
end = rows[0].index(\"ASSETS\") + len(\"ASSETS\")
cells = [r[:end].rstrip() for r in rows[1:]]
assert all(c.endswith((\" 1\", \"12\")) and len(r) >= end and r[end] == \" \" for c, r in zip(cells, rows[1:])), rows
assert [r[end - 2:end] for r in rows[1:]] == [\" 1\", \"12\", \" 1\"], rows
"
'

test_expect_success 'graph stats lines up counts whatever the longest label' '
	xsm graph stats >gs &&
	test_grep "microsoft.containerservice/managedclusters/agentpools/extra  *1$" gs &&
	first=$(grep -n "^nodes by label" gs | cut -d: -f1) &&
	last=$(grep -n "^edges by label" gs | cut -d: -f1) &&
	aligned gs $((first + 1)) $((last - 2)) &&
	test_grep "^  device  *13$" gs
'

test_expect_success 'graph stats of the demo: label and count never run together' '
	XSM_STORE="$TRASH/demo/store" xsm graph stats >ds &&
	test_grep "^  microsoft.containerservice/managedclusters  *1$" ds &&
	test_grep ! "[a-z][0-9]*$(printf "\\t")" ds &&
	first=$(grep -n "^nodes by label" ds | cut -d: -f1) &&
	aligned ds $((first + 1)) $((first + 11))
'

test_expect_success 'choke points: a table with the counts right-aligned and names whole' '
	XSM_STORE="$TRASH/demo/store" xsm paths chokepoints >cp &&
	head -1 cp | grep "^NODEID  *NAME  *PATHS  PAIRS CUT$" &&
	aligned cp 1 "$(wc -l <cp)"
'

test_expect_success 'paths summary: the counts of the top lists share one width' '
	XSM_STORE="$TRASH/demo/store" xsm paths summary >ps &&
	grep "^  *[0-9][0-9]*  " ps | sed "s/^\\( *[0-9]*  \\).*/\\1/" | awk "{ print length(\$0) }" | sort -u >w &&
	test "$(wc -l <w)" = 1
'

test_expect_success 'one of a thing is singular: 1 asset, 1 hop' '
	test_grep "many: stored run .*: 12 assets, 0 findings, 0 relations$" ingest.out &&
	xsm ingest --format records --source one one.jsonl >one.out &&
	test_grep "one: stored run .*: 1 asset, 0 findings, 0 relations$" one.out &&
	XSM_STORE="$TRASH/demo/store" xsm --format=jsonl events --type new-attack-path >ev &&
	grep "\"hops\":1," ev >ev1 && test -s ev1 &&
	test_grep "(critical, 1 hop)\"" ev1 &&
	test_grep ! "1 hops" ev
'

test_expect_success 'no "1 things" anywhere in the demo or the human views of its store' '
	for c in status "graph stats" "paths summary" events insights "gc -n" "critical list" \
		"critical rule list" "paths list" "graph log" "insights metrics"; do
		XSM_STORE="$TRASH/demo/store" xsm $c 2>&1 || exit 1
	done >all.out &&
	cat demo.out >>all.out &&
	test "$(wc -l <all.out)" -gt 200 &&
	test_grep ! "\(^\|[^0-9.]\)1 [a-zA-Z]*s\b" all.out
'

test_done
