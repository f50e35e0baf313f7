#!/bin/sh
test_description='the store: creation, permissions, format, lock, configuration'
. "$(dirname "$0")/../lib/test-lib.sh"

sample_records() {
	printf '%s\n' '{"type":"asset","label":"device","source_id":"s:1","name":"a"}'
}

test_expect_success 'xsm init creates the store with private permissions' '
	xsm init >out &&
	test_grep "store ready" out &&
	test "$(stat -c %a "$XSM_STORE")" = 700 &&
	test "$(stat -c %a "$XSM_STORE/format")" = 600 &&
	test "$(cat "$XSM_STORE/format")" = "xsm-store 1.0"
'

test_expect_success 'xsm init DIR and --store choose the place' '
	xsm init "$TRASH/other" &&
	test -f "$TRASH/other/format" &&
	xsm --store "$TRASH/third" init &&
	test -f "$TRASH/third/format"
'

test_expect_success 'the store defaults to XDG_DATA_HOME/xsm' '
	(unset XSM_STORE && xsm init) &&
	test -f "$XDG_DATA_HOME/xsm/format"
'

test_expect_success 'stored runs are private files' '
	sample_records | xsm ingest --format records --source s - &&
	for f in "$XSM_STORE"/records/s/*.jsonl "$XSM_STORE"/connectors/s.state; do
		test "$(stat -c %a "$f")" = 600 || exit 1
	done
'

test_expect_success 'a newer store format is refused clearly' '
	xsm init "$TRASH/new" &&
	echo "xsm-store 2.0" >"$TRASH/new/format" &&
	test_expect_code 65 xsm --store "$TRASH/new" status 2>err &&
	test_grep "newer than this xsm" err
'

test_expect_success 'a directory that is not a store is not used' '
	mkdir -p "$TRASH/plain" &&
	test_expect_code 66 xsm --store "$TRASH/plain" status 2>err &&
	test_grep "not an xsm store" err
'

test_expect_success 'a held lock makes a second writer wait, then exit 75 naming the lock' '
	xsm init && sample_records >r.jsonl
	flock "$XSM_STORE/lock" sleep 3 &
	sleep 0.3 &&
	start=$(date +%s) &&
	test_expect_code 75 xsm -c lock.timeout=1 ingest --format records --source s r.jsonl 2>err &&
	test_grep "lock" err && test_grep "$XSM_STORE/lock" err &&
	test $(( $(date +%s) - start )) -ge 1 &&
	wait
'

test_expect_success 'readers do not wait for the lock' '
	flock "$XSM_STORE/lock" sleep 2 &
	sleep 0.3 &&
	xsm status >out &&
	test_grep "store:" out &&
	wait
'

test_expect_success 'a writer waits for the lock to be released' '
	flock "$XSM_STORE/lock" sleep 1 &
	sleep 0.2 &&
	sample_records | xsm -c lock.timeout=10 ingest --format records --source s - &&
	wait
'

test_expect_success 'invalid configuration exits 78 with file:line:col' '
	mkdir -p "$XDG_CONFIG_HOME/xsm" &&
	printf "paths:\n  max_hops: lots\n" >"$XDG_CONFIG_HOME/xsm/config.yaml" &&
	test_expect_code 78 xsm status 2>err &&
	test_grep "config.yaml:2:13: .paths.max_hops. must be an integer" err &&
	rm "$XDG_CONFIG_HOME/xsm/config.yaml"
'

test_expect_success 'broken yaml exits 78 with the position' '
	printf "a: [1, 2\nb: c\n" >bad.yaml &&
	test_expect_code 78 xsm --config bad.yaml status 2>err &&
	test_grep "bad.yaml:[0-9]*:[0-9]*:" err
'

test_expect_success 'an unreadable config file exits 78' '
	printf "lock:\n  timeout: 3\n" >unreadable.yaml &&
	chmod 000 unreadable.yaml &&
	if [ "$(id -u)" = 0 ]; then
		# root reads anything: use a directory instead
		mkdir -p dir.yaml && test_expect_code 78 xsm --config dir.yaml status 2>err
	else
		test_expect_code 78 xsm --config unreadable.yaml status 2>err
	fi
'

test_expect_success 'a missing --config file exits 78' '
	test_expect_code 78 xsm --config nope.yaml status 2>err &&
	test_grep "does not exist" err
'

test_expect_success 'environment overrides files, and -c overrides environment' '
	printf "lock:\n  timeout: 30\n" >c.yaml &&
	rm -f held released || return 1
	# the lock is held until both commands are done, however slow they are (valgrind)
	flock "$XSM_STORE/lock" sh -c "touch held; while [ ! -e released ]; do sleep 0.1; done" &
	while [ ! -e held ]; do sleep 0.1; done &&
	sample_records >r.jsonl &&
	XSM_LOCK_TIMEOUT=1 test_expect_code 75 xsm --config c.yaml ingest --format records --source s r.jsonl 2>err &&
	XSM_LOCK_TIMEOUT=30 test_expect_code 75 xsm --config c.yaml -c lock.timeout=0 ingest --format records --source s r.jsonl 2>err
	rc=$?
	touch released
	wait
	test $rc = 0
'

test_expect_success 'a bad XSM_* value is a configuration error' '
	XSM_PATHS_MAX_HOPS=zero test_expect_code 78 xsm status 2>err &&
	test_grep "XSM_PATHS_MAX_HOPS" err
'

test_expect_success 'the store config.yaml is read' '
	printf "lock:\n  timeout: nonsense\n" >"$XSM_STORE/config.yaml" &&
	test_expect_code 78 xsm status 2>err &&
	test_grep "$XSM_STORE/config.yaml:2:12" err &&
	rm "$XSM_STORE/config.yaml"
'

test_expect_success 'status shows data freshness, paths by risk and scores' '
	XSM_STORE="$TRASH/fresh" && export XSM_STORE &&
	printf "%s\n" "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"s:1\",\"name\":\"a\"}" |
		XSM_NOW=2026-11-20T00:00:00Z xsm -q ingest --format records --source s - &&
	XSM_NOW=2026-11-24T12:00:00Z xsm --format=json status >st.json &&
	test "$(json_get st.json "(j[\"sources\"][0][\"age_hours\"], j[\"sources\"][0][\"stale\"])")" = "(108, True)" &&
	test "$(json_get st.json "j[\"attack_paths\"][\"total\"]")" = 0 &&
	test "$(json_get st.json "len(j[\"initiatives\"]) > 0")" = True &&
	XSM_NOW=2026-11-24T12:00:00Z xsm status >st.txt &&
	test_grep "108h (stale)" st.txt && test_grep "^attack paths: 0" st.txt && test_grep "^scores:" st.txt
'

test_done
