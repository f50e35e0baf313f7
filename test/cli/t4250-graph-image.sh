#!/bin/sh
test_description='the graph image (cache/graph.img): reads through it print what reads of the snapshot print; a stale, foreign, cut or garbage image is not used; gc removes a stale one'
. "$(dirname "$0")/../lib/test-lib.sh"
IMG="$XSM_STORE/cache/graph.img"

# every read command of the file cmds (one a line, arguments for xsm): its
# stdout, stderr and exit code into directory $1
reads() {
	rm -rf "$1" && mkdir -p "$1" && i=0 && list=${2:-cmds}
	while IFS= read -r cmd; do
		i=$((i + 1))
		eval "xsm $cmd" >"$1/$i.out" 2>"$1/$i.err"
		echo "$? $cmd" >"$1/$i.rc"
	done <"$list"
	test "$i" -gt 0
}

# the reads print the same bytes with the image (used: -v says it is mapped) and without it
same_as_snapshot() {
	test -f "$IMG" &&
	xsm -v graph show "$(head -1 ids)" 2>&1 >/dev/null | grep -q "graph image mapped" &&
	reads with &&
	mv "$IMG" "$TRASH/img.aside" &&
	reads without &&
	mv "$TRASH/img.aside" "$IMG" &&
	diff -r with without
}

# the image is there but not used: the reads print what they print without it
not_used() {
	test -f "$IMG" &&
	! xsm -v graph show "$(head -1 ids)" 2>&1 >/dev/null | grep "graph image mapped" &&
	reads with cmds.small &&
	mv "$IMG" "$TRASH/img.aside" &&
	reads without cmds.small &&
	mv "$TRASH/img.aside" "$IMG" &&
	diff -r with without
}

# the read commands for the current graph: every node looked up by its keys
# (NodeId, name, names in another case and with a trailing dot, EntityIds
# ids, host names), unknown and ambiguous words, blast radius, critical
# list, listings, filters, export, match
make_cmds() {
	xsm --format=jsonl graph nodes >nodes.jsonl &&
	python3 - "$1" <<-\EOF >cmds
	import json, sys, shlex
	nodes = [json.loads(l) for l in open("nodes.jsonl")]
	step = max(1, len(nodes) // int(sys.argv[1]))
	q = shlex.quote
	ids = open("ids", "w")
	for n in nodes[::step]:
	    ids.write(n["NodeId"] + "\n")
	    keys = [n["NodeId"], n["NodeName"], n["NodeName"].upper(), n["NodeName"] + "."]
	    keys += [e["id"] for e in n["EntityIds"]] + [e["id"].swapcase() for e in n["EntityIds"]]
	    keys += [n["NodeName"].split(".")[0]]
	    for k in keys:
	        print("--format=json graph show " + q(k))
	    print("graph show " + q(n["NodeId"]))
	    print("paths blast-radius " + q(n["NodeId"]))
	    print("--format=json paths blast-radius " + q(n["NodeId"]))
	    print("--format=dot paths blast-radius --max-hops 2 " + q(n["NodeId"]))
	for w in ("nosuch-host", "10.0.0.5", "10.9.9.9", "Domain Admins", "dev-0000000000000000", ""):
	    print("--format=json graph show " + q(w))
	    print("paths blast-radius " + q(w))
	EOF
	cat >>cmds <<-\EOF
	critical list
	critical list --level 0
	critical list --level high --label device
	--format=json critical list
	--format=jsonl critical list --level 2
	graph nodes
	--format=jsonl graph nodes
	graph nodes --where 'label == "device"'
	--format=jsonl graph nodes --where 'props.criticalityLevel.criticalityLevel <= 1 or name ~ "^web"'
	graph edges
	--format=jsonl graph edges
	graph stats
	graph export --format=json
	graph export --format=jsonl
	graph export --format=dot
	graph export --format=graphml
	graph match '(u:user)-[e:"member of"]->(g:group)'
	--format=jsonl graph match '(d:device)-[e*1..3]->(t) where t.label == "user" project d.name, t.name, hops(e)'
	EOF
	# the checks of an image not used: fewer nodes
	{ head -40 cmds && tail -18 cmds; } >cmds.small
}

test_expect_success 'setup: the example enterprise, built (its image written)' '
	for f in "$XSM_TOP"/examples/enterprise/run1/*.jsonl; do
		xsm -q ingest --no-build --format records --source "$(basename "$f" .jsonl)" "$f" || return 1
	done &&
	xsm -q graph build &&
	test -f "$IMG" &&
	make_cmds 10 &&
	test "$(wc -l <cmds)" -gt 100
'

test_expect_success 'reads through the image print what reads of the snapshot print' '
	same_as_snapshot
'

TOP="$XSM_STORE/cache/graph.top"

test_expect_success 'critical set, then reads give the new level: the image stays, a top layer over it has the change' '
	cp "$IMG" "$TRASH/img.old" &&
	node=$(sed -n 3p ids) &&
	xsm -q critical set "$node" 0 &&
	cmp "$IMG" "$TRASH/img.old" && test -f "$TOP" &&
	test "$(stat -c %s "$TOP")" -lt 4096 &&
	xsm --format=jsonl critical list --level 0 | grep -q "\"NodeId\":\"$node\"" &&
	xsm -v critical list --level 0 2>&1 >/dev/null | grep -q "graph image mapped" &&
	same_as_snapshot &&
	cp "$TOP" "$TRASH/top.set" &&
	xsm -q critical unset "$node" &&
	cmp "$IMG" "$TRASH/img.old" && ! cmp -s "$TOP" "$TRASH/top.set" &&
	! xsm --format=jsonl critical list --level 0 | grep "\"NodeId\":\"$node\",.*\"manualCriticalityLevel\":0" &&
	same_as_snapshot
'

test_expect_success 'a top layer of another snapshot, or a damaged one, is not used' '
	cp "$TOP" "$TRASH/top.good" &&
	cp "$TRASH/top.set" "$TOP" && not_used &&
	cp "$TRASH/top.good" "$TOP" && truncate -s 100 "$TOP" && not_used &&
	cp "$TRASH/top.good" "$TOP" && printf x >>"$TOP" && not_used &&
	cp "$TRASH/top.good" "$TOP" && printf "\377" | dd of="$TOP" bs=1 seek=20 conv=notrunc 2>/dev/null && not_used &&
	# a critical list entry (after the 160-byte header, outside its hash) naming no node of the image
	test "$(stat -c %s "$TOP")" -gt 168 &&
	cp "$TRASH/top.good" "$TOP" && printf "\377\377\377\377" | dd of="$TOP" bs=1 seek=160 conv=notrunc 2>/dev/null && not_used &&
	rm "$TOP" && not_used &&
	ln -s "$TRASH/top.good" "$TOP" && not_used && rm "$TOP" &&
	cp "$TRASH/top.good" "$TOP" && same_as_snapshot
'

test_expect_success 'a graph.overlay that does not fit under a top layer: the read loads the snapshot and says so, as without the image' '
	snap=$(cat "$XSM_STORE/graph/HEAD") &&
	ovl="$XSM_STORE/graph/$snap/graph.overlay" &&
	cp -p "$ovl" "$TRASH/ovl.good" &&
	printf "\377\377\377\377" | dd of="$ovl" bs=1 seek=20 conv=notrunc 2>/dev/null &&
	touch -r "$TRASH/ovl.good" "$ovl" &&
	test_expect_code 65 xsm critical list >out1 2>err1 &&
	mv "$IMG" "$TRASH/img.aside" &&
	test_expect_code 65 xsm critical list >out2 2>err2 &&
	mv "$TRASH/img.aside" "$IMG" &&
	test_cmp err1 err2 && test_grep graph.overlay err1 &&
	cp -p "$TRASH/ovl.good" "$ovl" &&
	same_as_snapshot
'

test_expect_success 'gc keeps the image and its top layer while they serve HEAD, and removes a top layer that does not' '
	cp "$TOP" "$TRASH/top.good" &&
	xsm -q gc && cmp "$IMG" "$TRASH/img.old" && cmp "$TOP" "$TRASH/top.good" &&
	cp "$TRASH/top.set" "$TOP" &&
	xsm -q gc && test ! -e "$TOP" && test ! -e "$IMG" &&
	xsm -q graph build && test -f "$IMG" && test ! -e "$TOP"
'

test_expect_success 'an image of another snapshot is not used' '
	cp "$TRASH/img.old" "$IMG" &&
	not_used &&
	xsm -q graph build && same_as_snapshot
'

test_expect_success 'an image whose graph.bin changed since is not used' '
	xsm -q graph build &&
	snap=$(cat "$XSM_STORE/graph/HEAD") &&
	touch -d "2026-01-01 00:00:00" "$XSM_STORE/graph/$snap/graph.bin" &&
	not_used &&
	xsm -q graph build && same_as_snapshot
'

test_expect_success 'a cut, a grown or a garbage image is ignored with the same output' '
	cp "$IMG" "$TRASH/img.good" &&
	size=$(stat -c %s "$IMG") &&
	truncate -s $((size - 4096)) "$IMG" && not_used &&
	cp "$TRASH/img.good" "$IMG" && truncate -s 100 "$IMG" && not_used &&
	cp "$TRASH/img.good" "$IMG" && printf x >>"$IMG" && not_used &&
	head -c $size /dev/urandom >"$IMG" && not_used &&
	: >"$IMG" && not_used &&
	# a header byte changed: its hash no longer matches
	cp "$TRASH/img.good" "$IMG" && printf "\377" | dd of="$IMG" bs=1 seek=200 conv=notrunc 2>/dev/null && not_used &&
	cp "$TRASH/img.good" "$IMG" && same_as_snapshot
'

test_expect_success 'a link in place of the image is not followed' '
	mv "$IMG" "$TRASH/img.good" &&
	ln -s "$TRASH/img.good" "$IMG" &&
	not_used &&
	rm "$IMG" && mv "$TRASH/img.good" "$IMG"
'

test_expect_success 'an image that cannot be written is a warning: the build succeeds, reads load the snapshot' '
	rm -rf "$XSM_STORE/cache" && echo not-a-directory >"$XSM_STORE/cache" &&
	xsm graph build >out 2>err &&
	test_grep "warning: the graph image was not written" err &&
	xsm graph show "$(head -1 ids)" >/dev/null &&
	rm "$XSM_STORE/cache" &&
	xsm -q graph build && test -f "$IMG" &&
	! ls "$XSM_STORE/cache" | grep tmp
'

test_expect_success 'gc removes an image that does not match HEAD, and keeps the current one' '
	cp "$IMG" "$TRASH/img.cur" &&
	xsm -q gc && cmp "$IMG" "$TRASH/img.cur" &&
	cp "$TRASH/img.old" "$IMG" &&
	xsm -q gc && test ! -e "$IMG" &&
	xsm -q graph build && test -f "$IMG"
'

test_expect_success 'store.image false: no image written, the last one and its top layer removed, reads load the snapshot' '
	test -f "$IMG" &&
	xsm -q critical set "$(sed -n 3p ids)" 1 && test -f "$TOP" &&
	xsm -q -c store.image=false critical unset "$(sed -n 3p ids)" 2>err &&
	test ! -e "$IMG" && test ! -e "$TOP" && test ! -s err &&
	xsm -q graph build && test -f "$IMG" &&
	xsm -q -c store.image=false graph build 2>err &&
	test ! -e "$IMG" && test ! -s err &&
	xsm --format=json graph show "$(head -1 ids)" >shown.json &&
	! xsm -v graph show "$(head -1 ids)" 2>&1 >/dev/null | grep "graph image mapped" &&
	xsm -q graph build && test -f "$IMG" &&
	xsm --format=json graph show "$(head -1 ids)" >shown2.json &&
	test_cmp shown.json shown2.json
'

test_expect_success 'status counts the image as cache' '
	xsm --format=json status >st.json &&
	python3 -c "
import json, os, sys
s = json.load(open(\"st.json\"))[\"bytes\"]
assert s[\"cache\"] == os.path.getsize(sys.argv[1]), s
assert s[\"total\"] == s[\"snapshots\"] + s[\"records\"] + s[\"cache\"] + s[\"other\"], s
" "$IMG"
'

test_expect_success 'a generated store: reads through the image print what reads of the snapshot print' '
	rm -rf "$XSM_STORE" gen && xsm -q init &&
	"$BUILD/bin/xsm-gen" --seed 7 --assets 3000 --out gen >/dev/null &&
	for f in gen/*.jsonl; do
		xsm -q ingest --no-build --format records --source "$(basename "$f" .jsonl)" "$f" || return 1
	done &&
	xsm -q graph build &&
	make_cmds 6 &&
	same_as_snapshot &&
	cp "$IMG" "$TRASH/img.gen" &&
	xsm -q critical set "$(sed -n 2p ids)" 0 &&
	xsm -q critical set "$(sed -n 4p ids)" 3 &&
	cmp "$IMG" "$TRASH/img.gen" && test -f "$TOP" &&
	same_as_snapshot
'

test_expect_success 'kill -9 during a build and its image write leaves a store that reads the same' '
	cut=0 &&
	for d in 0.2 0.3 0.4 0.5 0.6 0.8 1.0; do
		"$XSM" -q graph build & pid=$! &&
		sleep $d && kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		xsm graph show "$(head -1 ids)" >/dev/null || return 1
		if test -f "$IMG"; then reads with cmds.small && mv "$IMG" "$TRASH/img.aside" &&
			reads without cmds.small && mv "$TRASH/img.aside" "$IMG" && diff -r with without || return 1; fi
	done &&
	# killed once the temp file of its image is there: the snapshot is current, the old image not used
	for k in 1 2 3; do
		"$XSM" -q graph build & pid=$!
		while kill -0 $pid 2>/dev/null; do
			test -e "$XSM_STORE/cache/graph.img.tmp.$pid" && kill -9 $pid && cut=$((cut + 1)) && break
		done
		wait $pid
		xsm graph show "$(head -1 ids)" >/dev/null || return 1
		if test -f "$IMG"; then reads with cmds.small && mv "$IMG" "$TRASH/img.aside" &&
			reads without cmds.small && mv "$TRASH/img.aside" "$IMG" && diff -r with without || return 1; fi
	done
	test "$cut" -gt 0 &&
	xsm -q graph build && same_as_snapshot &&
	! ls "$XSM_STORE/cache" | grep tmp
'

test_done
