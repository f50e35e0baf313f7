#!/bin/sh
test_description='a re-evaluation (critical set/unset, rule changes) shares graph.bin with the snapshot it starts from'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/graph"

head_dir() { echo "$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")"; }
inode() { stat -c %i "$1"; }

test_expect_success 'setup: five sources, one build' '
	for s in cmdb qualys tenable defender entra; do
		xsm -q ingest --no-build --format records --source $s "$F/$s.jsonl" || return 1
	done &&
	xsm -q graph build &&
	built=$(head_dir) && echo "$built" >built &&
	test ! -e "$built/graph.overlay" &&
	xsm --format=jsonl graph nodes | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())[\"NodeId\"])" >node &&
	test -s node
'

test_expect_success 'critical set writes graph.overlay and links graph.bin to the one it loaded' '
	XSM_NOW=2026-11-24T12:00:01Z xsm -v critical set "$(cat node)" 0 2>err &&
	snap=$(head_dir) && test "$snap" != "$(cat built)" &&
	test_grep "graph.bin shared with snapshot $(basename "$(cat built)"), [1-9][0-9]* nodes changed" err &&
	test -s "$snap/graph.overlay" &&
	test "$(inode "$snap/graph.bin")" = "$(inode "$(cat built)/graph.bin")" &&
	test "$(stat -c %h "$snap/graph.bin")" = 2 &&
	test "$(wc -c <"$snap/graph.overlay")" -lt "$(wc -c <"$snap/graph.bin")" &&
	xsm --format=json critical list >list.json &&
	grep -q "$(cat node)" list.json
'

test_expect_success 'the shared snapshot reads as the whole graph a build writes' '
	xsm graph export --format=jsonl >shared.jsonl &&
	xsm --format=jsonl paths list >shared.paths &&
	XSM_NOW=2026-11-24T12:00:02Z xsm -q graph build &&
	test ! -e "$(head_dir)/graph.overlay" &&
	xsm graph export --format=jsonl >built.jsonl &&
	xsm --format=jsonl paths list >built.paths &&
	test_cmp built.jsonl shared.jsonl &&
	test_cmp built.paths shared.paths
'

test_expect_success 'a re-evaluation of a shared snapshot shares the same graph.bin; unset undoes set' '
	base=$(head_dir) &&
	xsm graph export --format=jsonl >before.jsonl &&
	XSM_NOW=2026-11-24T12:00:03Z xsm -q critical set "$(cat node)" 1 &&
	one=$(head_dir) &&
	XSM_NOW=2026-11-24T12:00:04Z xsm -q critical unset "$(cat node)" &&
	two=$(head_dir) &&
	test "$(inode "$two/graph.bin")" = "$(inode "$base/graph.bin")" &&
	test "$(inode "$one/graph.bin")" = "$(inode "$base/graph.bin")" &&
	xsm --format=jsonl critical list >unset.list &&
	! grep -q "\"criticalityLevel\":1.*$(cat node)\|$(cat node).*manualCriticalityLevel" unset.list &&
	XSM_NOW=2026-11-24T12:00:05Z xsm -q graph build &&
	xsm graph export --format=jsonl >rebuilt.jsonl &&
	XSM_NOW=2026-11-24T12:00:06Z xsm -q critical set "$(cat node)" 1 &&
	XSM_NOW=2026-11-24T12:00:07Z xsm -q critical unset "$(cat node)" &&
	xsm graph export --format=jsonl >again.jsonl &&
	test_cmp rebuilt.jsonl again.jsonl
'

test_expect_success 'status shows what the store takes by part, a shared graph.bin once' '
	xsm --format=json status >status.json &&
	python3 - "$XSM_STORE" status.json <<-\PY
	import json, os, sys
	store, j = sys.argv[1], json.load(open(sys.argv[2]))["bytes"]
	def size(top):
	    seen, total = set(), 0
	    for d, dirs, files in os.walk(top):
	        for f in files:
	            st = os.lstat(os.path.join(d, f))
	            if (st.st_dev, st.st_ino) not in seen:
	                seen.add((st.st_dev, st.st_ino))
	                total += st.st_size
	    return total
	assert j["snapshots"] == size(os.path.join(store, "graph")), j
	assert j["records"] == size(os.path.join(store, "records")), j
	assert j["total"] == size(store) == j["snapshots"] + j["records"] + j["cache"] + j["other"], j
	PY
	xsm status >status.txt &&
	test_grep "^size:     [0-9.]* [kMG]*B (snapshots [0-9.]* [kMG]*B, records [0-9.]* [kMG]*B, other " status.txt
'

test_expect_success 'removing the snapshot a graph.bin came from leaves the ones sharing it whole' '
	snap=$(head_dir) &&
	xsm graph export --format=jsonl >keep.jsonl &&
	for d in "$XSM_STORE"/graph/2*; do
		test "$d" = "$snap" || rm -rf "$d" || return 1
	done &&
	test "$(stat -c %h "$snap/graph.bin")" = 1 &&
	xsm graph export --format=jsonl >after.jsonl &&
	test_cmp keep.jsonl after.jsonl
'

test_expect_success 'a re-evaluation that runs out of memory anywhere leaves the current snapshot whole' '
	xsm graph export --format=jsonl >whole.jsonl &&
	cur=$(cat "$XSM_STORE/graph/HEAD") &&
	n=1 && done_at= &&
	while test $n -lt 4000000 && test -z "$done_at"; do
		XSM_NOW=2026-11-24T12:01:00Z XSM_TEST_FAILALLOC=$n xsm -q critical set "$(cat node)" 2 2>/dev/null
		code=$?
		test $code -lt 128 || { echo "allocation $n: exit $code"; exit 1; }
		# the level is saved first (the commit); a re-evaluation that fails after it is a
		# warning (exit 0, HEAD where it was), and one that fails after HEAD moved left it complete
		if test "$(cat "$XSM_STORE/graph/HEAD")" != "$cur"; then
			xsm graph export --format=jsonl >/dev/null || { echo "allocation $n: new HEAD unreadable"; exit 1; }
			done_at=$n
		fi
		for d in "$XSM_STORE"/graph/2*; do
			test -e "$d/meta.json" || { echo "allocation $n: partial $d"; exit 1; }
		done
		n=$((n + 1 + n / 3))
	done &&
	test -n "$done_at" && test "$done_at" -gt 100 &&
	test "$(cat "$XSM_STORE/graph/HEAD")" != "$cur" &&
	XSM_NOW=2026-11-24T12:02:00Z xsm -q critical unset "$(cat node)" &&
	xsm graph export --format=jsonl >back.jsonl &&
	test_cmp whole.jsonl back.jsonl
'

test_expect_success 'a damaged graph.overlay is refused, telling to rebuild' '
	snap=$(head_dir) &&
	cp "$snap/graph.overlay" saved &&
	head -c 30 saved >"$snap/graph.overlay" &&
	test_expect_code 65 xsm graph nodes 2>err &&
	test_grep "graph.overlay" err &&
	cp saved "$snap/graph.overlay" &&
	xsm graph nodes >/dev/null
'

test_done
