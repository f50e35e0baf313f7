#!/bin/sh
test_description='a hostile server: paging that does not advance, credentials in URLs, drips, huge headers, endless bodies'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 XSM_HTTP_RETRIES=1 PW=hostile-Pa55word-7f3e
TENANT=6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10
CLIENT=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c

# start_hostile MODE [ARGS]: test/emu/hostile.py on a free loopback port; sets HX
start_hostile() {
	# a file of its own (a test body runs in a subshell: no counter survives it)
	pf=$(mktemp "$TRASH/.hx-port.XXXXXX") && rm -f "$pf" || return 1
	python3 "$XSM_TOP/test/emu/hostile.py" "$@" --port-file "$pf" >/dev/null 2>&1 &
	echo $! >>"$TRASH/.emu-pids"
	TEST_PIDS="$TEST_PIDS $!"
	i=0
	while [ ! -s "$pf" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	HX=$(cat "$pf" 2>/dev/null)
	[ -n "$HX" ]
}

# hx_requests PORT: the requests a hostile server served, one a line
hx_requests() {
	python3 -c '
import json, sys, urllib.request
for r in json.load(urllib.request.urlopen("http://127.0.0.1:%s/_emu/requests" % sys.argv[1])):
    print(r)' "$1"
}

# loops NAME: the sync of NAME stops with 76 (within 30 s, never looping), stores nothing, and says why
loops() {
	timeout 30 $XSM_WRAP "$XSM" ingest "$1" --no-build 2>err
	rc=$?
	test "$rc" = 76 || { echo "exit $rc, not 76" >&2; cat err >&2; return 1; }
	test -z "$(ls "$XSM_STORE/records/$1" 2>/dev/null)" &&
	grep -q -e "$2" err || { echo "no '$2' in:" >&2; cat err >&2; return 1; }
}

add_ms_hx() {
	xsm connect add "$1" "$2" --url http://127.0.0.1:$HX --set authority=http://127.0.0.1:$HX --set tenant=$TENANT \
		--set client_id=$CLIENT --set calls_per_minute=0 --client-secret-env PW
}

start_hostile drip --interval 60 || {
	echo "1..0 # skip the hostile server did not start"
	exit 0
}

# --- paging always advances: each connector, each way a server can fail to -------------------

for how in self cycle stuck total; do
	case $how in
	self | cycle) why="sends a next page it sent before" ;;
	stuck) why="repeats an earlier page" ;;
	total) why="more pages than the 2 it announced" ;;
	esac
	test_expect_success "servicenow: a Link that does not advance ($how) stops the sync (76)" '
		start_hostile servicenow-$how &&
		xsm connect add servicenow sn-$how --url http://127.0.0.1:$HX --username xsm --password-env PW \
			--set relations=false --set business_apps=false --set lookback_days=0 &&
		loops sn-$how "$why"
	'
done

test_expect_success 'qualys: a truncation URL naming the same batch stops the sync (76)' '
	start_hostile qualys-self &&
	xsm connect add qualys ql-self --url http://127.0.0.1:$HX --username xsm --password-env PW &&
	loops ql-self "sends a next page it sent before"
'

test_expect_success 'qualys: a server ignoring id_min (the same hosts again) stops the sync (76)' '
	start_hostile qualys-stuck &&
	xsm connect add qualys ql-stuck --url http://127.0.0.1:$HX --username xsm --password-env PW &&
	loops ql-stuck "duplicate source_id"
'

test_expect_success 'rapid7 v4: cursors that cycle (A, B, A) stop the sync (76)' '
	start_hostile rapid7-cycle &&
	xsm connect add rapid7 r7-cycle --url http://127.0.0.1:$HX --api-key-env PW &&
	loops r7-cycle "sends a next page it sent before"
'

test_expect_success 'rapid7 v3: a server ignoring page= stops the sync (76)' '
	start_hostile rapid7-stuck &&
	xsm connect add rapid7 r7-stuck --url http://127.0.0.1:$HX --username xsm --password-env PW &&
	loops r7-stuck "repeats an earlier page"
'

test_expect_success 'tenable: chunks that all hold the same assets stop the sync (76)' '
	start_hostile tenable-stuck &&
	xsm connect add tenable tn-stuck --url http://127.0.0.1:$HX --access-key-env PW --secret-key-env PW \
		--set poll_interval_ms=10 &&
	loops tn-stuck "duplicate source_id\\|repeats an earlier page"
'

test_expect_success 'defender: a server ignoring $skip stops the sync (76)' '
	start_hostile defender-stuck &&
	add_ms_hx defender df-stuck &&
	loops df-stuck "repeats an earlier page"
'

test_expect_success 'entra: an @odata.nextLink naming the same page stops the sync (76)' '
	start_hostile entra-self &&
	add_ms_hx entra en-self &&
	loops en-self "sends a next page it sent before"
'

test_expect_success 'azure: a $skipToken that never changes stops the sync (76)' '
	start_hostile azure-self &&
	add_ms_hx azure az-self &&
	loops az-self "does not advance\\|sends a next page it sent before"
'

test_expect_success 'a looping sync is recorded as failed, with its reason' '
	xsm --format=json connect list >list.json &&
	json_get list.json "[c[\"status\"] for c in j[\"connectors\"] if c[\"name\"] == \"sn-self\"]" >st &&
	test_grep error st &&
	test_grep "sends a next page it sent before" "$XSM_STORE/connectors/sn-self.state"
'

# --- credentials in a URL ------------------------------------------------------------------------

test_expect_success 'connect add refuses a URL with credentials (64), naming the secret options, not the password' '
	test_expect_code 64 xsm connect add servicenow leak --url "https://admin:$PW@example.service-now.com" \
		--username xsm --password-env PW 2>err &&
	test_grep "holds credentials" err && test_grep "password-env VAR" err &&
	test_grep "https://\[redacted\]@example.service-now.com" err &&
	test_expect_code 64 xsm connect add defender leakms --set "authority=https://x:$PW@login.example.com" \
		--set tenant=$TENANT --set client_id=$CLIENT --client-secret-env PW 2>>err &&
	test_grep "client-secret-env VAR" err &&
	test_expect_code 64 xsm connect add servicenow leak --url "http://admin:$PW@192.0.2.1" \
		--username xsm --password-env PW 2>>err &&
	test_expect_code 64 xsm connect add servicenow leak --url "https:/admin:$PW@example.service-now.com" \
		--username xsm --password-env PW 2>>err &&
	! grep -F "$PW" err &&
	test_must_fail xsm connect show leak 2>/dev/null &&
	! grep -rF "$PW" "$XSM_STORE"
'

test_expect_success 'a URL with credentials in a hand-edited file: never used, never shown (show, -v, errors, state, events)' '
	printf "%s\n" "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"manual:1\",\"name\":\"h1\",\"keys\":{\"hostname\":\"h1\"},\"categories\":[\"device\"],\"props\":{}}" |
		xsm -q ingest --format records --source manual - &&
	start_hostile servicenow-self &&
	xsm connect add servicenow edited --url http://127.0.0.1:$HX --username xsm --password-env PW &&
	sed "s|http://127.0.0.1|http://admin:$PW@127.0.0.1|" "$XSM_STORE/connectors/edited.yaml" >y &&
	cp y "$XSM_STORE/connectors/edited.yaml" && grep -q -F "$PW" "$XSM_STORE/connectors/edited.yaml" &&
	xsm connect show edited >show && xsm --format=json connect show edited >>show &&
	test_grep "http://\[redacted\]@127.0.0.1:$HX" show &&
	test_expect_code 78 xsm -v ingest edited >out 2>err &&
	test_grep "edited.yaml:[0-9]*:[0-9]*: .url. holds credentials" err &&
	test_expect_code 78 xsm -v connect test edited >>out 2>>err &&
	xsm -v graph build >>out 2>>err &&
	xsm --format=json connect list >>out 2>>err && xsm --format=jsonl events >>out 2>>err &&
	test_grep "connector-failed" out &&
	test_grep "holds credentials" "$XSM_STORE/connectors/edited.state" &&
	test "$(hx_requests $HX | wc -l)" = 0 &&
	! grep -F "$PW" show out err &&
	! grep -rlF "$PW" "$XSM_STORE" | grep -v "connectors/edited.yaml$"
'

# --- transfers that do not end -------------------------------------------------------------------

test_expect_success 'a dripping server fails each attempt by the low-speed limit; the retries end within http.max_retry_time' '
	start_hostile drip --interval 0.5 &&
	xsm connect add tenable drip --url http://127.0.0.1:$HX --access-key-env PW --secret-key-env PW &&
	start=$(date +%s) &&
	XSM_HTTP_RETRIES=10 test_expect_code 69 xsm -c http.low_speed_limit=100 -c http.low_speed_time=2 \
		-c http.max_retry_time=3 connect test drip 2>err &&
	took=$(( $(date +%s) - start )) &&
	test_grep "slower than 100 bytes/s" err && test_grep "http.low_speed_limit" err &&
	test "$took" -le 10 &&
	test "$(hx_requests $HX | wc -l)" -ge 2
'

test_expect_success 'a server that never answers is cut the same way' '
	start_hostile stall &&
	xsm connect add tenable stall --url http://127.0.0.1:$HX --access-key-env PW --secret-key-env PW &&
	start=$(date +%s) &&
	test_expect_code 69 xsm -c http.low_speed_time=1 -c http.max_retry_time=1 connect test stall 2>err &&
	test $(( $(date +%s) - start )) -le 8 &&
	test_grep "slower than" err
'

test_expect_success 'a slow but steady transfer is never cut: 3 s of bytes above the limit pass a 2 s window' '
	start_hostile drip --interval 0.001 --size 3000 &&
	xsm connect add tenable steady --url http://127.0.0.1:$HX --access-key-env PW --secret-key-env PW &&
	start=$(date +%s) &&
	xsm -c http.low_speed_limit=10 -c http.low_speed_time=2 connect test steady &&
	test $(( $(date +%s) - start )) -ge 2 &&
	test "$(hx_requests $HX | wc -l)" = 1
'

test_expect_success 'an oversized response header is a protocol error (76), not out of memory (71)' '
	start_hostile huge-header &&
	xsm connect add tenable hh --url http://127.0.0.1:$HX --access-key-env PW --secret-key-env PW &&
	test_expect_code 76 xsm connect test hh 2>err &&
	test_grep "response headers larger than" err &&
	start_hostile many-headers --size 2000000 &&
	xsm connect add tenable mh --url http://127.0.0.1:$HX --access-key-env PW --secret-key-env PW &&
	test_expect_code 76 xsm connect test mh 2>err &&
	test_grep "response headers larger than 262144" err
'

test_expect_success 'an endless body stops at http.max_body (76)' '
	start_hostile endless-body &&
	xsm connect add servicenow endless --url http://127.0.0.1:$HX --username xsm --password-env PW &&
	test_expect_code 76 xsm -c http.max_body=1048576 ingest endless --no-build 2>err &&
	test_grep "http.max_body" err
'

test_done
