# test-lib.sh - git-style shell tests producing TAP.  Source it from a
# test/cli/tNNNN-*.sh script, then call test_expect_success and test_done.
#
# Each script runs in its own trash directory with HOME, XDG_* and
# XSM_STORE inside it, LC_ALL=C and a fixed clock (XSM_NOW), so tests
# never touch the user's files and output is reproducible.

: "${XSM_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BUILD:=$XSM_TOP/build}"
: "${XSM:=$BUILD/bin/xsm}"
export LD_LIBRARY_PATH="$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
SHARED="$XSM_TOP/../shared"
FIXTURES="$SHARED/fixtures/real"

test_name=$(basename "$0" .sh)
TRASH="${TMPDIR:-/tmp}/xsm-test.$test_name.$$"
rm -rf "$TRASH" && mkdir -p "$TRASH" || exit 1
trap 'test_cleanup' EXIT
test_cleanup() {
	# emulators started inside a test body (a subshell) are listed in .emu-pids
	for p in $TEST_PIDS $(cat "$TRASH/.emu-pids" 2>/dev/null); do kill "$p" 2>/dev/null; done
	cd / && [ -z "$XSM_KEEP_TRASH" ] && rm -rf "$TRASH"
}
cd "$TRASH" || exit 1
export HOME="$TRASH/home" XDG_CONFIG_HOME="$TRASH/home/.config" XDG_DATA_HOME="$TRASH/home/.local/share"
export XDG_CACHE_HOME="$TRASH/home/.cache" XDG_STATE_HOME="$TRASH/home/.local/state"
export XSM_STORE="$TRASH/store" XSM_SYSTEM_CONFIG="$TRASH/etc-xsm-config.yaml"
export XSM_NOW="${XSM_NOW:-2026-11-24T12:00:00Z}" LC_ALL=C TZ=UTC XSM_NO_MAN=1
unset XSM_CONFIG NO_COLOR
mkdir -p "$HOME"

test_count=0
test_failed=0
TEST_PIDS=

# the command under test (under valgrind with XSM_VALGRIND=1)
xsm() {
	$XSM_WRAP "$XSM" "$@"
}

say() { printf '# %s\n' "$*"; }

_run_body() {
	# the body runs in a subshell so a failing step cannot change the script's state
	( set -e; eval "$1" ) >"$TRASH/.out" 2>&1
}

test_expect_success() {
	test_count=$((test_count + 1))
	if _run_body "$2"; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out"
	fi
}

test_expect_failure_known() { # a known bug: reported, not counted
	test_count=$((test_count + 1))
	echo "not ok $test_count - $1 # TODO known breakage"
}

test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count # skip $1 ($2)"
}

# test_expect_code CODE CMD...: CMD must exit with exactly CODE
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		return 1
	fi
	return 0
}

# test_must_fail CMD...: CMD must fail, but not crash (signal exits > 128)
test_must_fail() {
	"$@"
	got=$?
	if [ "$got" = 0 ]; then
		echo "expected failure: $*" >&2
		return 1
	elif [ "$got" -gt 128 ]; then
		echo "died by signal ($got): $*" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# test_grep PATTERN FILE: like grep -q, but shows the file when nothing matches
test_grep() {
	if [ "$1" = "!" ]; then
		shift
		if grep -q -e "$1" "$2"; then echo "unexpected '$1' in $2:" >&2; cat "$2" >&2; return 1; fi
		return 0
	fi
	grep -q -e "$1" "$2" && return 0
	echo "no '$1' in $2:" >&2
	cat "$2" >&2
	return 1
}

# json_get FILE EXPR: evaluate a python expression over the parsed JSON j
json_get() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# max_rss_kb CMD...: run CMD (output discarded), print its peak RSS in KiB; fails when CMD fails
max_rss_kb() {
	python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$@"
}

# start_emulator VENDOR [ARGS]: start test/emu/emu.py (msemu.py for defender, entra and azure,
# cloudemu.py for wiz and prisma) on a free loopback port; sets EMU_PORT.
# Each call starts a new emulator (its own port file); all stop when the script ends.
emu_count=0
start_emulator() {
	vendor=$1
	shift
	emu_count=$((emu_count + 1))
	pf="$TRASH/.emu-port.$vendor.$emu_count.$$"
	rm -f "$pf"
	case $vendor in
	defender | entra | azure) script=msemu.py ;;
	wiz | prisma) script=cloudemu.py ;;
	*) script=emu.py ;;
	esac
	python3 "$XSM_TOP/test/emu/$script" "$vendor" --port-file "$pf" "$@" >"$pf.out" 2>&1 &
	echo $! >>"$TRASH/.emu-pids"
	TEST_PIDS="$TEST_PIDS $!"
	i=0
	while [ ! -s "$pf" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	EMU_PORT=$(cat "$pf" 2>/dev/null)
	[ -n "$EMU_PORT" ]
}

# add_ms TYPE NAME PORT [ARGS]: a Microsoft connector (defender, entra, azure) whose login and
# API are the emulator at PORT, tenant $TENANT and client $CLIENT, the secret in $MS_SECRET
add_ms() {
	t=$1 n=$2 p=$3
	shift 3
	xsm connect add "$t" "$n" --url http://127.0.0.1:$p --set authority=http://127.0.0.1:$p \
		--set tenant=$TENANT --set client_id=$CLIENT --set calls_per_minute=0 --client-secret-env MS_SECRET "$@"
}

# latest_run SOURCE: the file name of SOURCE's newest stored run
latest_run() {
	ls "$XSM_STORE/records/$1" | tail -1
}

# records SOURCE: the records of SOURCE's newest stored run
records() {
	cat "$XSM_STORE/records/$1/$(latest_run "$1")"
}

# emu_requests PORT: the requests an emulator served, one line each:
# "METHOD PATH?QUERY STATUS FAULT" (python3, so no curl is needed)
emu_requests() {
	python3 -c '
import json, sys, urllib.request
for r in json.load(urllib.request.urlopen("http://127.0.0.1:%s/_emu/requests" % sys.argv[1])):
    print(r["method"], r["path"] + ("?" + r["query"] if r["query"] else ""), r["status"], r.get("fault") or "-")' "$1"
}

# emu_touch PORT N: the emulator changes N hosts (for incremental syncs)
emu_touch() {
	python3 -c '
import sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s/_emu/touch?n=%s" % (sys.argv[1], sys.argv[2]), method="POST")
sys.stdout.write(urllib.request.urlopen(req).read().decode())' "$1" "$2"
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" = 0 ]
	exit $?
}
