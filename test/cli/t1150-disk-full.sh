#!/bin/sh
test_description='a full disk: every writing command either commits (exit 0) or leaves the store byte for byte as it was'
. "$(dirname "$0")/../lib/test-lib.sh"

# A small tmpfs, filled so that only N pages stay free: each command meets
# the full disk at every point of its writes as N grows.  Needs root (CI).
MNT="$TRASH/mnt"
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=8m,mode=0700 tmpfs "$MNT" 2>/dev/null; then
	echo "1..0 # SKIP cannot mount a tmpfs (not root?)"
	trap - EXIT
	test_cleanup
	exit 0
fi
trap 'umount "$MNT" 2>/dev/null; test_cleanup' EXIT
XSM_STORE="$MNT/store" && export XSM_STORE
PRISTINE="$TRASH/pristine"

# leave N pages free: fill the file system, then give N pages back
fill_to() {
	rm -f "$MNT/fill"
	dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null
	dd if=/dev/zero of="$MNT/fill" bs=4k oflag=append conv=notrunc 2>/dev/null
	size=$(stat -c %s "$MNT/fill")
	truncate -s $((size - $1 * 4096)) "$MNT/fill"
}

# the store's logs: whole JSON lines only
logs_whole() {
	python3 - "$XSM_STORE" <<-'EOF'
	import json, os, sys
	for name in ("events.jsonl", "audit.jsonl"):
	    p = os.path.join(sys.argv[1], name)
	    if not os.path.exists(p):
	        continue
	    data = open(p, "rb").read()
	    assert not data or data.endswith(b"\n"), "%s ends in a cut line" % name
	    for line in data.splitlines():
	        json.loads(line)
	EOF
}

# run CMD... from the pristine store with N pages free: 0 when it committed,
# 1 when it failed and left the store as it was, 2 when anything is wrong
run_at() {
	n=$1
	shift
	rm -rf "$XSM_STORE" "$MNT/fill" && cp -a "$PRISTINE" "$XSM_STORE" || return 2
	fill_to "$n"
	"$@" >"$TRASH/cmd.out" 2>"$TRASH/cmd.err"
	rc=$?
	rm -f "$MNT/fill"
	if [ $rc -gt 128 ]; then
		echo "died by signal at $n free pages: $*" && cat "$TRASH/cmd.err"
		return 2
	fi
	# failed: nothing changed, same files, same bytes (the lock file aside, which a writer may create)
	if [ $rc != 0 ] && ! diff -r -x lock "$PRISTINE" "$XSM_STORE" >"$TRASH/diff"; then
		echo "exit $rc at $n free pages, but the store changed: $*"
		cat "$TRASH/cmd.err" "$TRASH/diff"
		return 2
	fi
	logs_whole || { echo "at $n free pages: $*"; return 2; }
	# a store left usable: it reads, and its HEAD names a whole snapshot
	xsm -q status >/dev/null || { echo "store unreadable after $* at $n free pages"; return 2; }
	if [ -f "$XSM_STORE/graph/HEAD" ]; then
		test -f "$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")/meta.json" ||
			{ echo "HEAD names a partial snapshot after $* at $n free pages"; return 2; }
	fi
	[ $rc = 0 ] && ok=$((ok + 1)) && return 0
	failed=$((failed + 1))
	return 1
}

# CMD... on a disk with less and less room: the fewest free pages it commits
# with is found (doubling, then bisecting), and the counts just below it,
# where its last writes are the ones that fail, are each tried
try_full() {
	ok=0 failed=0 lo=-1 hi=
	for n in 0 1 2 4 8 16 32 64 128 256 512 1024; do
		run_at $n "$@"
		case $? in 0) hi=$n && break ;; 1) lo=$n ;; *) return 1 ;; esac
	done
	[ -n "$hi" ] || { echo "never committed: $*"; cat "$TRASH/cmd.err"; return 1; }
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		run_at $mid "$@"
		case $? in 0) hi=$mid ;; 1) lo=$mid ;; *) return 1 ;; esac
	done
	for k in 2 3 4 5 6 8 10 12 16; do
		[ $((hi - k)) -ge 0 ] || break
		run_at $((hi - k)) "$@"
		[ $? -le 1 ] || return 1
	done
	say "$*: commits with $hi free pages; $failed runs failed cleanly, $ok committed"
	test "$ok" -gt 0 && { [ -n "$MAY_ALWAYS_FIT" ] || test "$failed" -gt 0; }
}

recs() {
	i=0
	while [ $i -lt "$2" ]; do
		i=$((i + 1))
		printf '{"type":"asset","label":"device","source_id":"%s:%d","name":"%s%d","keys":{"hostname":"%s%d"},"props":{"exposedToInternet":true,"lastSeen":"2026-11-20T10:00:00Z"}}\n' \
			"$1" $i "$1" $i "$1" $i
	done
}

test_expect_success 'setup: a store with two sources, a snapshot, a connector and old runs' '
	recs cmdb 150 >cmdb.jsonl && recs cmdb 200 >cmdb2.jsonl && recs scan 300 >scan.jsonl && recs scan 120 >scan2.jsonl &&
	recs old 50 | XSM_NOW=2026-10-01T00:00:00Z xsm -q ingest --no-build --format records --source old - &&
	recs old 50 | XSM_NOW=2026-10-02T00:00:00Z xsm -q ingest --no-build --format records --source old - &&
	xsm -q ingest --no-build --format records --source cmdb cmdb.jsonl &&
	xsm -q ingest --format records --source scan scan.jsonl &&
	QPW=x xsm -q connect add qualys q1 --url https://q.example --username u --password-env QPW &&
	xsm -q graph tag before &&
	# records newer than the snapshot: the next build has events to append
	recs scan 340 | xsm -q ingest --no-build --format records --source scan - &&
	printf "%s\n" "{\"time\":\"2026-09-01T00:00:00Z\",\"type\":\"data-stale\"}" >>"$XSM_STORE/events.jsonl" &&
	# each log ends at a page boundary, so that any append needs a page of its own
	python3 - "$XSM_STORE" <<-\EOF &&
	import os, sys
	for name in ("events.jsonl", "audit.jsonl"):
	    p = os.path.join(sys.argv[1], name)
	    size = os.path.getsize(p)
	    head = "{\"time\":\"2026-11-20T00:00:00Z\",\"type\":\"pad\",\"pad\":\""
	    n = -(size + len(head) + 3) % 4096
	    open(p, "a").write(head + "x" * n + "\"}\n")
	    assert os.path.getsize(p) % 4096 == 0
	EOF
	node=$(xsm --format=jsonl graph nodes --limit 1 | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())[\"NodeId\"])") &&
	echo "$node" >"$TRASH/node" &&
	cp -a "$XSM_STORE" "$PRISTINE"
'

test_expect_success 'ingest of records' '
	try_full xsm -q ingest --no-build --format records --source scan scan2.jsonl
'

test_expect_success 'ingest with its build' '
	try_full xsm -q ingest --format records --source cmdb cmdb2.jsonl
'

test_expect_success 'graph build' '
	try_full xsm -q graph build
'

test_expect_success 'critical rule add' '
	try_full xsm -q critical rule add pay --asset device --level 0 --when "name ~ \"^scan1\""
'

test_expect_success 'critical set' '
	try_full xsm -q critical set "$(cat "$TRASH/node")" 0
'

test_expect_success 'insights weight and target' '
	try_full xsm -q insights weight internet-facing-rce high &&
	try_full xsm -q insights target external 80
'

test_expect_success 'connect add and remove' '
	QPW=x try_full xsm -q connect add qualys q2 --url https://q.example --username u --password-env QPW &&
	MAY_ALWAYS_FIT=1 try_full xsm -q connect remove --purge q1
'

test_expect_success 'graph tag' '
	try_full xsm -q graph tag after &&
	MAY_ALWAYS_FIT=1 try_full xsm -q graph tag --delete before
'

test_expect_success 'gc' '
	try_full xsm -q -c retention.days=0 -c events.retention_days=1 gc
'

test_expect_success 'init of a new store leaves nothing when it fails' '
	for n in 0 1 2; do
		rm -f "$MNT/fill" && fill_to $n &&
		if xsm -q init "$MNT/new" 2>err; then rm -rf "$MNT/new"; else test ! -e "$MNT/new" || exit 1; fi
	done
'

test_done
