#!/bin/sh
test_description='connectors under faults: retries, rate limits, broken bodies, and failures that keep the previous run'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20
export SN_PASS=emu-sn-pass Q_PASS=emu-q-pass R7_PASS=emu-r7-pass T_ACCESS=emu-t-access T_SECRET=emu-t-secret
EMU="--seed 3 --hosts 25 --findings-per-host 4 --page-size 10"

requests() {
	emu_requests "$1"
}

start_emulator servicenow $EMU --fault 429@2,500@3,drop@4 && SN=$EMU_PORT || {
	echo "1..0 # skip the emulators did not start"
	exit 0
}

test_expect_success '429, 500 and a dropped connection are retried, and the sync completes' '
	xsm connect add servicenow cmdb --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS --set lookback_days=0 &&
	xsm --format=json ingest cmdb >sum.json &&
	requests $SN >req &&
	test_grep " 429 429$" req && test_grep " 500 500$" req &&
	test_grep "None drop$" req &&
	json_get sum.json "j[\"connectors\"][0][\"requests\"] >= 7" | test_grep True /dev/stdin &&
	json_get sum.json "j[\"connectors\"][0][\"assets\"]" | test_grep "^2[0-9]$" /dev/stdin
'

test_expect_success 'a failing sync stores nothing and keeps the previous run byte for byte' '
	before=$(latest_run cmdb) &&
	cp "$XSM_STORE/records/cmdb/$before" saved &&
	start_emulator servicenow $EMU --fault garble@1+ &&
	xsm connect add servicenow cmdb --replace --url http://127.0.0.1:$EMU_PORT --username xsm --password-env SN_PASS &&
	test_expect_code 76 xsm ingest cmdb 2>err &&
	test "$(latest_run cmdb)" = "$before" &&
	test_cmp saved "$XSM_STORE/records/cmdb/$before" &&
	xsm --format=json connect list >list.json &&
	json_get list.json "[c[\"status\"] for c in j[\"connectors\"]]" | test_grep error /dev/stdin &&
	xsm graph stats >stats && test_grep "device" stats
'

test_expect_success 'still rate limited after the retries: exit 75' '
	start_emulator servicenow $EMU --fault 429@1+ &&
	xsm connect add servicenow busy --url http://127.0.0.1:$EMU_PORT --username xsm --password-env SN_PASS &&
	XSM_HTTP_RETRIES=2 test_expect_code 75 xsm ingest busy 2>err &&
	test_grep "rate limited" err &&
	test "$(requests $EMU_PORT | wc -l)" = 3
'

test_expect_success 'an unreachable host: exit 69 after bounded retries' '
	xsm connect add servicenow gone --url http://127.0.0.1:9 --username xsm --password-env SN_PASS &&
	XSM_HTTP_RETRIES=1 test_expect_code 69 xsm ingest gone 2>err &&
	test_grep "after 2 attempts" err
'

test_expect_success 'one connector failing does not stop the others; the exit code is the worst' '
	xsm connect add servicenow cmdb --replace --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS &&
	SN_PASS=wrong test_expect_code 77 xsm --format=json ingest cmdb gone >two.json 2>err &&
	json_get two.json "[(c[\"name\"], c[\"status\"]) for c in j[\"connectors\"]]" >got &&
	test_grep "(.cmdb., .error.)" got && test_grep "(.gone., .error.)" got
'

test_expect_success 'a failed connector next to a good one: the build that follows records a connector-failed event' '
	test_expect_code 69 xsm ingest cmdb gone 2>err &&
	xsm --format=jsonl events --type connector-failed >ev &&
	test_grep "gone" ev &&
	test_grep ! "\"cmdb\"" ev
'

test_expect_success 'a body over http.max_body fails clearly (exit 76)' '
	xsm connect add servicenow big --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS --set lookback_days=0 &&
	XSM_HTTP_MAX_BODY=2048 test_expect_code 76 xsm ingest big 2>err &&
	test_grep "http.max_body" err
'

test_expect_success 'Qualys: a 409 waits X-RateLimit-ToWait-Sec and retries; errors with HTTP 200 fail' '
	start_emulator qualys $EMU --fault 429@2 && QL=$EMU_PORT &&
	xsm connect add qualys ql --url http://127.0.0.1:$QL --username xsm --password-env Q_PASS &&
	xsm ingest ql --no-build &&
	requests $QL >req && test_grep " 409 429$" req &&
	test "$(sed -n 3p req | cut -d" " -f3)" = 200
'

test_expect_success 'Qualys: a page cut short fails the sync (76) and stores nothing' '
	start_emulator qualys $EMU --fault garble@1+ &&
	xsm connect add qualys qlbad --url http://127.0.0.1:$EMU_PORT --username xsm --password-env Q_PASS &&
	test_expect_code 76 xsm ingest qlbad --no-build 2>err &&
	test_grep "detection/.*partial" err &&
	test -z "$(ls "$XSM_STORE/records/qlbad" 2>/dev/null)"
'

test_expect_success 'Tenable: chunks are fetched while the export is still PROCESSING' '
	start_emulator tenable $EMU && TN=$EMU_PORT &&
	xsm connect add tenable tvm --url http://127.0.0.1:$TN --access-key-env T_ACCESS --secret-key-env T_SECRET --set poll_interval_ms=10 &&
	xsm ingest tvm --no-build &&
	requests $TN >req &&
	first_chunk=$(grep -n "/assets/export/.*/chunks/1 " req | head -1 | cut -d: -f1) &&
	last_status=$(grep -n "/assets/export/.*/status " req | tail -1 | cut -d: -f1) &&
	test "$first_chunk" -lt "$last_status"
'

test_expect_success 'Tenable: a truncated chunk fails, nothing stored' '
	start_emulator tenable $EMU --fault garble@4+ &&
	xsm connect add tenable tbad --url http://127.0.0.1:$EMU_PORT --access-key-env T_ACCESS --secret-key-env T_SECRET --set poll_interval_ms=10 &&
	test_expect_code 76 xsm ingest tbad --no-build 2>err &&
	test_grep "partial" err &&
	test -z "$(ls "$XSM_STORE/records/tbad" 2>/dev/null)"
'

test_expect_success 'Rapid7 console v3: assets by page, each vulnerability fetched once' '
	start_emulator rapid7 $EMU && R7=$EMU_PORT &&
	xsm connect add rapid7 console --url http://127.0.0.1:$R7 --username xsm --password-env R7_PASS &&
	xsm --format=json ingest console --no-build >r7.json &&
	requests $R7 >req &&
	grep -o "/api/3/vulnerabilities/[^ ?]*" req | sort >ids &&
	sort -u ids >uids && test_cmp uids ids &&
	test -s ids &&
	json_get r7.json "j[\"connectors\"][0][\"findings\"] > 0" | test_grep True /dev/stdin
'

test_expect_success 'vendor text that is not UTF-8 or holds a NUL is mended (U+FFFD), counted and warned of; the sync completes' '
	start_emulator servicenow $EMU --fault badtext@1+ &&
	xsm connect add servicenow sntext --url http://127.0.0.1:$EMU_PORT --username xsm --password-env SN_PASS --set lookback_days=0 &&
	xsm --format=json ingest sntext --no-build >sum.json 2>err &&
	json_get sum.json "j[\"connectors\"][0][\"assets\"]" | test_grep "^2[0-9]$" /dev/stdin &&
	test_grep "^xsm: warning: sntext: the vendor sent text that is not UTF-8, NULs or repeated keys: [0-9]* replaced by U+FFFD or dropped ([0-9]* records mended)" err &&
	run=$(latest_run sntext) &&
	python3 - "$XSM_STORE/records/sntext/$run" <<-\PY
	import json, sys
	data = open(sys.argv[1], "rb").read()
	data.decode("utf-8")  # strict: every byte is UTF-8 now
	assert b"\\u0000" not in data and b"\0" not in data, "a NUL is left"
	names = [json.loads(l).get("name", "") for l in data.splitlines()]
	assert any(n.startswith("\ufffd\ufffd(\ufffd") for n in names), names[:3]
	PY
'

test_expect_success 'Qualys: an XML body with bytes that are not UTF-8 or control characters is mended, not fatal' '
	start_emulator qualys $EMU --fault badtext@1+ &&
	xsm connect add qualys qltext --url http://127.0.0.1:$EMU_PORT --username xsm --password-env Q_PASS &&
	xsm --format=json ingest qltext --no-build >sum.json 2>err &&
	json_get sum.json "j[\"connectors\"][0][\"assets\"] > 0" | test_grep True /dev/stdin &&
	test_grep "^xsm: warning: qltext: the vendor sent text that is not UTF-8" err &&
	run=$(latest_run qltext) &&
	python3 - "$XSM_STORE/records/qltext/$run" <<-\PY
	import json, sys
	lines = open(sys.argv[1], "rb").read().decode("utf-8").splitlines()
	oses = [json.loads(l).get("props", {}).get("osName", "") for l in lines]
	assert any(o.startswith("\ufffd\ufffd") for o in oses), oses[:3]
	PY
'

test_expect_success 'a sync that shrinks the source by more than half warns; with ingest.fail_on_shrink it fails and keeps the run' '
	start_emulator servicenow --seed 3 --hosts 25 --page-size 10 &&
	xsm connect add servicenow shrink --url http://127.0.0.1:$EMU_PORT --username xsm --password-env SN_PASS --set lookback_days=0 &&
	xsm -q ingest shrink --no-build &&
	before=$(latest_run shrink) &&
	start_emulator servicenow --seed 3 --hosts 5 --page-size 10 &&
	xsm connect add servicenow shrink --replace --url http://127.0.0.1:$EMU_PORT --username xsm --password-env SN_PASS --set lookback_days=0 &&
	test_expect_code 65 xsm -c ingest.fail_on_shrink=true ingest shrink --full --no-build 2>err &&
	test_grep "source .shrink. shrank from [0-9]* to [0-9]* records, more than half: nothing stored" err &&
	test "$(latest_run shrink)" = "$before" &&
	xsm ingest shrink --full --no-build 2>err &&
	test_grep "^xsm: warning: source .shrink. shrank from" err &&
	test "$(latest_run shrink)" != "$before"
'

test_done
