#!/bin/sh
test_description='a store is trusted only if safe: owner and mode checked, no link followed; dead writers'"'"' temp files collected'
. "$(dirname "$0")/../lib/test-lib.sh"

rec() { printf '{"type":"asset","label":"device","source_id":"%s:1","name":"a"}\n' "$1"; }

# each test from a copy of the store that setup made
fresh() {
	rm -rf "$XSM_STORE" && cp -a "$TRASH/base" "$XSM_STORE"
}

test_expect_success 'setup: a store with a source and a snapshot' '
	rec cmdb | xsm -q ingest --format records --source cmdb - &&
	cp -a "$XSM_STORE" "$TRASH/base" &&
	echo "secret" >"$TRASH/victim" && chmod 600 "$TRASH/victim"
'

# each planted link: the command refuses (77), says so, and the target is untouched
for f in audit.jsonl events.jsonl lock connectors/cmdb.state rules/criticality.yaml graph/HEAD config.yaml; do
	test_expect_success "a planted $f link is not followed" '
		fresh &&
		rm -f "$XSM_STORE/'"$f"'" && ln -s "$TRASH/victim" "$XSM_STORE/'"$f"'" &&
		{
			case '"$f"' in
			audit.jsonl) test_expect_code 77 xsm critical rule add r --asset device --level 1 --when "name == \"a\"" 2>err ;;
			events.jsonl) test_expect_code 77 xsm events 2>err ;;
			graph/HEAD) test_expect_code 77 xsm graph build 2>err ;;
			lock) test_expect_code 77 xsm graph build 2>err ;;
			connectors/cmdb.state | config.yaml) test_expect_code 77 xsm status 2>err ;;
			rules/criticality.yaml) test_expect_code 77 xsm critical rule list 2>err ;;
			esac
		} &&
		test_grep "symbolic link" err &&
		test "$(cat "$TRASH/victim")" = secret &&
		test -L "$XSM_STORE/'"$f"'"
	'
done

test_expect_success 'a file replaced whole replaces a planted link, never writes through it' '
	fresh &&
	rm "$XSM_STORE/connectors/cmdb.state" && ln -s "$TRASH/victim" "$XSM_STORE/connectors/cmdb.state" &&
	rec cmdb | xsm -q ingest --no-build --format records --source cmdb - &&
	test "$(cat "$TRASH/victim")" = secret &&
	test ! -L "$XSM_STORE/connectors/cmdb.state" && test_grep "\"status\":\"ok\"" "$XSM_STORE/connectors/cmdb.state"
'


test_expect_success 'a linked directory in the store is not followed either' '
	fresh &&
	mkdir "$TRASH/elsewhere" && mv "$XSM_STORE/records" "$TRASH/elsewhere/records" &&
	ln -s "$TRASH/elsewhere/records" "$XSM_STORE/records" &&
	rec cmdb | test_expect_code 77 xsm ingest --no-build --format records --source cmdb - 2>err &&
	test_grep "symbolic link" err &&
	test "$(ls "$TRASH/elsewhere/records/cmdb" | wc -l)" = 1
'

test_expect_success 'a FIFO planted as audit.jsonl does not hang a writer' '
	fresh &&
	rm -f "$XSM_STORE/audit.jsonl" && mkfifo "$XSM_STORE/audit.jsonl" &&
	test_expect_code 77 timeout 20 "$XSM" graph tag t1 2>err &&
	test_grep "not a regular file" err
'

test_expect_success 'a store writable by others is refused, and taken with store.safe' '
	fresh &&
	chmod 0777 "$XSM_STORE" &&
	test_expect_code 77 xsm status 2>err &&
	test_grep "writable by others" err && test_grep "XSM_STORE_SAFE" err &&
	XSM_STORE_SAFE="$XSM_STORE" xsm -q status >/dev/null &&
	xsm -q -c store.safe="/elsewhere:$XSM_STORE/" status >/dev/null &&
	xsm -q -c "store.safe=*" status >/dev/null &&
	test_expect_code 77 xsm -c store.safe=/elsewhere status 2>err &&
	chmod 0770 "$XSM_STORE" &&
	test_expect_code 77 xsm status 2>err &&
	chmod 0700 "$XSM_STORE" && xsm -q status >/dev/null
'

test_expect_success 'a store cannot vouch for itself in its own config.yaml' '
	printf "store:\n  safe: \"*\"\n" >"$XSM_STORE/config.yaml" &&
	chmod 0777 "$XSM_STORE" &&
	test_expect_code 77 xsm status 2>err &&
	chmod 0700 "$XSM_STORE" && rm "$XSM_STORE/config.yaml"
'

test_expect_success 'a store owned by another user is refused' '
	chown -R 12345 "$XSM_STORE" 2>/dev/null || { echo "# cannot chown: skipped"; exit 0; }
	test_expect_code 77 xsm status 2>err &&
	test_grep "owned by uid 12345" err &&
	XSM_STORE_SAFE="$XSM_STORE" xsm -q status >/dev/null &&
	chown -R "$(id -u)" "$XSM_STORE"
'

test_expect_success 'temp files of dead writers go with the next writer; a live one stays' '
	fresh &&
	{ sleep 300 & live=$!; } &&
	{ (exit 0) & dead=$!; } && wait $dead &&
	while kill -0 $dead 2>/dev/null; do sleep 0.1; done &&
	head -c 100000 /dev/zero >"$XSM_STORE/records/cmdb/20261124T000000Z-0009.jsonl.tmp.$dead" &&
	echo x >"$XSM_STORE/graph/HEAD.tmp.$dead" &&
	echo x >"$XSM_STORE/connectors/cmdb.state.tmp.$live" &&
	mkdir -p "$XSM_STORE/graph/20261124T000000Z-0099" &&
	echo x >"$XSM_STORE/graph/20261124T000000Z-0099/nodes.jsonl.tmp.$dead" &&
	echo x >"$XSM_STORE/records/cmdb/not-a-temp.tmp.x1" &&
	xsm -q graph tag t2 &&
	test ! -e "$XSM_STORE/records/cmdb/20261124T000000Z-0009.jsonl.tmp.$dead" &&
	test ! -e "$XSM_STORE/graph/HEAD.tmp.$dead" &&
	test ! -e "$XSM_STORE/graph/20261124T000000Z-0099/nodes.jsonl.tmp.$dead" &&
	test -e "$XSM_STORE/connectors/cmdb.state.tmp.$live" &&
	test -e "$XSM_STORE/records/cmdb/not-a-temp.tmp.x1" &&
	kill $live && rm "$XSM_STORE/connectors/cmdb.state.tmp.$live"
'

test_expect_success 'gc removes them too, and counts them' '
	{ (exit 0) & dead=$!; } && wait $dead &&
	echo x >"$XSM_STORE/rules/criticality.yaml.tmp.$dead" &&
	echo x >"$XSM_STORE/events.jsonl.tmp.$dead" &&
	xsm --format=json gc >out.json &&
	test "$(json_get out.json "j[\"temp_removed\"]")" = 2 &&
	test ! -e "$XSM_STORE/rules/criticality.yaml.tmp.$dead"
'

test_expect_success 'a killed ingest leaves its temp file; the next one removes it' '
	python3 -c "
import json, sys
for i in range(400000):
    sys.stdout.write(json.dumps({\"type\": \"asset\", \"label\": \"device\", \"source_id\": \"big:%d\" % i, \"name\": \"h%d\" % i}) + \"\\n\")
" >big.jsonl &&
	{ "$XSM" -q ingest --no-build --format records --source big big.jsonl & pid=$!; } &&
	i=0 && while [ $i -lt 200 ] && ! ls "$XSM_STORE/records/big/"*.tmp.$pid >/dev/null 2>&1; do sleep 0.05; i=$((i + 1)); done &&
	kill -9 $pid && wait $pid; ls "$XSM_STORE/records/big/" >left &&
	test_grep "\.tmp\.$pid" left &&
	rec big | xsm -q ingest --no-build --format records --source big - &&
	ls "$XSM_STORE/records/big/" >left &&
	test_grep ! "\.tmp\." left
'

test_done
