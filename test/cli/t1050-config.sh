#!/bin/sh
test_description='xsm config show: the effective configuration and where each value comes from; -c checks its key'
. "$(dirname "$0")/../lib/test-lib.sh"

# origin KEY: the ORIGIN xsm config show --format=jsonl gives for KEY
origin() {
	xsm --format=jsonl config show "$@" | python3 -c '
import json, sys
for l in sys.stdin:
    s = json.loads(l)
    if s["key"] == "'"$KEY"'": print(s["value"] + " | " + s["origin"])'
}

test_expect_success 'config show works before there is a store, as a table' '
	test ! -e "$XSM_STORE" &&
	xsm config show >out &&
	head -1 out | grep "^KEY  *VALUE  *ORIGIN$" &&
	test_grep "^lock.timeout  *10  *default$" out &&
	test_grep "^paths.max_hops  *8  *default$" out &&
	test_grep "^store.path  *$XSM_STORE  *env XSM_STORE$" out &&
	test_grep ! "{" out &&
	test ! -e "$XSM_STORE"
'

test_expect_success 'xsm config (no subcommand) is config show' '
	xsm config >a && xsm config show >b && test_cmp a b
'

test_expect_success 'every layer is named as the origin of the value it sets' '
	xsm -q init &&
	printf "lock:\n  timeout: 11\nretention:\n  days: 3\nhttp:\n  retries: 1\n" >"$XSM_SYSTEM_CONFIG" &&
	printf "retention:\n  days: 4\nhttp:\n  timeout: 60\n" >"$XSM_STORE/config.yaml" &&
	mkdir -p "$XDG_CONFIG_HOME/xsm" &&
	printf "http:\n  timeout: 61\n  max_retry_time: 7\n" >"$XDG_CONFIG_HOME/xsm/config.yaml" &&
	XSM_HTTP_MAX_RETRY_TIME=8 xsm -c http.backoff_ms=5 config show >out &&
	test_grep "^lock.timeout  *11  *$XSM_SYSTEM_CONFIG$" out &&
	test_grep "^retention.days  *4  *$XSM_STORE/config.yaml$" out &&
	test_grep "^http.retries  *1  *$XSM_SYSTEM_CONFIG$" out &&
	test_grep "^http.timeout  *61  *$XDG_CONFIG_HOME/xsm/config.yaml$" out &&
	test_grep "^http.max_retry_time  *8  *env XSM_HTTP_MAX_RETRY_TIME$" out &&
	test_grep "^http.backoff_ms  *5  *command line -c$" out &&
	test_grep "^events.retention_days  *30  *default$" out
'

test_expect_success '--config replaces the user file and is named' '
	printf "http:\n  timeout: 62\n" >mine.yaml &&
	xsm --config mine.yaml config show >out &&
	test_grep "^http.timeout  *62  *mine.yaml$" out
'

test_expect_success 'store.path: --store, then XSM_STORE, then the setting, then the default' '
	KEY=store.path origin >o1 &&
	test "$(cat o1)" = "$XSM_STORE | env XSM_STORE" || { cat o1; false; } &&
	xsm --store "$TRASH/other" --format=jsonl config show | grep "\"store.path\"" >o2 &&
	test_grep "\"value\":\"$TRASH/other\",\"origin\":\"command line --store\"" o2 &&
	printf "store:\n  path: %s\n" "$TRASH/set" >"$XSM_SYSTEM_CONFIG" &&
	(unset XSM_STORE; xsm config show) >o3 &&
	test_grep "^store.path  *$TRASH/set  *$XSM_SYSTEM_CONFIG$" o3 &&
	rm "$XSM_SYSTEM_CONFIG" &&
	(unset XSM_STORE XDG_DATA_HOME; xsm config show) >o4 &&
	test_grep "^store.path  *$HOME/.local/share/xsm  *default" o4
'

test_expect_success 'XSM_DATA_DIR sets data.dir, and xsm(1) documents it' '
	KEY=data.dir; export KEY &&
	XSM_DATA_DIR="$TRASH/data" origin >o &&
	test "$(cat o)" = "$TRASH/data | env XSM_DATA_DIR" || { cat o; false; } &&
	origin >o2 &&
	test "$(cat o2)" = "$XSM_TOP/config | build tree" || { cat o2; false; } &&
	sed -n "/^\.SH ENVIRONMENT/,/^\.SH FILES/p" "$XSM_TOP/man/man1/xsm.1" >env.man &&
	test_grep "^\.B XSM_DATA_DIR$" env.man
'

test_expect_success '--format=json is one document with a schema; jsonl one setting a line' '
	xsm config show --format=json >j &&
	test "$(wc -l <j)" = 1 &&
	test "$(json_get j "j[\"schema\"]")" = xsm.config.show/1 &&
	test "$(json_get j "[s[\"key\"] for s in j[\"settings\"]] == sorted(s[\"key\"] for s in j[\"settings\"])")" = True &&
	test "$(json_get j "len(j[\"settings\"])")" -ge 20 &&
	xsm --format=jsonl config show >l &&
	test "$(wc -l <l)" = "$(json_get j "len(j[\"settings\"])")" &&
	python3 -c "
import json, sys
for line in open(\"l\"):
    s = json.loads(line)
    assert list(s) == [\"key\", \"value\", \"origin\", \"known\"], s
"
'

test_expect_success 'a key xsm does not know in a file is shown as ignored' '
	printf "lock:\n  timout: 5\n" >typo.yaml &&
	xsm --config typo.yaml config show >out &&
	test_grep "^lock.timout  *5  *typo.yaml (unknown key: ignored)$" out &&
	xsm --config typo.yaml --format=json config show >j &&
	test "$(json_get j "[s[\"known\"] for s in j[\"settings\"] if s[\"key\"] == \"lock.timout\"]")" = "[False]"
'

test_expect_success '-c with an unknown key is a usage error naming the key' '
	test_expect_code 64 xsm -c lock.timout=5 status 2>err &&
	test_grep "unknown configuration key .lock.timout." err &&
	test_expect_code 64 xsm -c nosuch=1 config show 2>err &&
	test_grep "nosuch" err
'

test_expect_success '-c with a bad value is a usage error naming the key' '
	test_expect_code 64 xsm -c lock.timeout=soon status 2>err &&
	test_grep "lock.timeout" err &&
	test_expect_code 64 xsm -c paths.max_hops=99 status 2>err &&
	test_grep "between 1 and 64" err &&
	test_expect_code 64 xsm -c store.fsync=perhaps status 2>err
'

test_expect_success 'the documented -c keys are all accepted' '
	for kv in events.score_drop=5 events.stale_hours=1 events.max_per_type=1 events.critical_level=0 \
		events.retention_days=1 retention.days=0 data.dir=/x store.path=/y http.max_body=2048; do
		xsm -c "$kv" config show >/dev/null || { echo "rejected $kv"; exit 1; }
	done
'

test_done
