#!/bin/sh
test_description='stored paths as records: every reader prints what it printed when paths were stored as text, earlier snapshots are read as they are, and a target, an entry point or a PathId reads only its records'
. "$(dirname "$0")/../lib/test-lib.sh"

# test/fixtures/paths-store: readers.sh runs every reader of a store's
# paths; demo.md5 and gen.md5 are the md5 sums of their outputs from the
# build that stored paths.jsonl.zst and paths.idx.zst (the demo enterprise,
# and the generated store made below), demo-old/ that build's files.
fx="$XSM_TOP/test/fixtures/paths-store"

test_expect_success 'the demo enterprise: every reader prints the same bytes as from paths stored as text' '
	sh "$XSM_TOP/examples/demo.sh" "$XSM" "$TRASH/demo" >demo.out 2>&1 &&
	XSM_STORE="$TRASH/demo/store" sh "$fx/readers.sh" "$XSM" out-demo &&
	(cd out-demo && md5sum -c --quiet "$fx/demo.md5")
'

test_expect_success 'a generated store (two passes of targets, paths cut per target): the same bytes' '
	"$BUILD/bin/xsm-gen" --seed 3 --shape paths --identities 2000 --targets 300 --entries 25 --out gen >/dev/null 2>&1 &&
	XSM_STORE="$TRASH/gen/store" &&
	export XSM_STORE &&
	xsm -q init &&
	for f in gen/*.jsonl; do xsm -q ingest --no-build --format records --source "$(basename "$f" .jsonl)" "$f" || return 1; done &&
	xsm -q graph build && XSM_NOW=2026-11-24T12:00:01Z xsm -q graph build &&
	sh "$fx/readers.sh" "$XSM" out-gen &&
	(cd out-gen && md5sum -c --quiet "$fx/gen.md5")
'

test_expect_success 'snapshots of the earlier version (paths.jsonl.zst and paths.idx.zst) are read as they are' '
	cp -R "$TRASH/demo" old &&
	for d in old/store/graph/2026*; do
		rm "$d/paths.bin.zst" &&
		cp "$fx/demo-old/$(basename "$d")/paths.jsonl.zst" "$fx/demo-old/$(basename "$d")/paths.idx.zst" "$d/" || return 1
	done &&
	XSM_STORE="$TRASH/old/store" sh "$fx/readers.sh" "$XSM" out-old &&
	(cd out-old && md5sum -c --quiet "$fx/demo.md5")
'

# records read, from the -v line
reads() { sed -n "s/^xsm: paths: \([0-9]*\) of [0-9]* path records read$/\1/p" "$1"; }

test_expect_success 'list --target, --entry, --limit and show read only their paths'"'"' records' '
	XSM_STORE="$TRASH/gen/store" &&
	export XSM_STORE &&
	total=$(xsm --format=jsonl paths list | wc -l) &&
	test "$total" -gt 1000 &&
	xsm --format=jsonl paths list | sed -n 100p >one &&
	t=$(sed "s/.*\"target\":{\"NodeId\":\"\([^\"]*\)\".*/\1/" one) &&
	e=$(sed "s/.*\"entry\":{\"NodeId\":\"\([^\"]*\)\".*/\1/" one) &&
	id=$(sed "s/.*\"PathId\":\"\([^\"]*\)\".*/\1/" one) &&
	xsm -v --format=jsonl paths list --target "$t" >t.out 2>t.err &&
	test "$(reads t.err)" = "$(wc -l <t.out)" && test "$(wc -l <t.out)" -lt 100 &&
	xsm -v --format=jsonl paths list --entry "$e" >e.out 2>e.err &&
	test "$(reads e.err)" = "$(wc -l <e.out)" && test "$(wc -l <e.out)" -lt 1000 &&
	xsm -v --format=jsonl paths list --entry "$e" --target "$t" >et.out 2>et.err &&
	test "$(reads et.err)" = 1 && test_cmp one et.out &&
	xsm -v paths show "$id" >s.out 2>s.err &&
	test "$(reads s.err)" = 1 &&
	xsm -v paths list --limit 10 >l.out 2>l.err &&
	test "$(reads l.err)" = 10 &&
	xsm -v paths list >all.out 2>all.err &&
	test "$(reads all.err)" = "$total"
'

test_done
