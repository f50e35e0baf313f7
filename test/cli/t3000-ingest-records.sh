#!/bin/sh
test_description='xsm ingest --format records: validation, atomic runs, streaming'
. "$(dirname "$0")/../lib/test-lib.sh"

cat >good.jsonl <<'JSON'
{"type":"asset","label":"device","source_id":"cmdb:1","name":"web01","keys":{"fqdn":"web01.corp.example.com","ipv4":["10.0.0.5"],"mac":["00:11:22:33:44:55"]},"categories":["device"],"props":{"osType":"linux","lastSeen":"2026-11-20T10:00:00Z"}}

{"type":"finding","asset":"cmdb:1","cve":"CVE-2024-3400","severity":"critical","cvss":10.0,"exploitAvailable":true,"rce":true,"status":"open"}
{"type":"relation","label":"member of","from":"cmdb:1","to":"entra:group:7","props":{}}
JSON

runs() { ls "$XSM_STORE/records/$1" 2>/dev/null | grep -c 'jsonl$'; }

test_expect_success 'a valid file is stored as one run' '
	xsm ingest --format records --source cmdb good.jsonl >out &&
	test_grep "1 asset, 1 finding, 1 relation$" out &&
	test "$(runs cmdb)" = 1 &&
	grep -c . "$XSM_STORE"/records/cmdb/*.jsonl >n && test "$(cat n)" = 3
'

test_expect_success 'records can come from standard input' '
	xsm ingest --format records --source cmdb - <good.jsonl &&
	test "$(runs cmdb)" = 2
'

test_expect_success 'status counts the latest run' '
	xsm --format=json status >st.json &&
	test "$(json_get st.json "j[\"sources\"][0][\"assets\"]")" = 1 &&
	test "$(json_get st.json "j[\"sources\"][0][\"runs\"]")" = 2
'

test_expect_success 'a bad line rejects the whole run, naming file:line and the reason' '
	cp good.jsonl mixed.jsonl &&
	echo "{\"type\":\"finding\",\"asset\":\"cmdb:1\",\"cve\":\"CVE-2024-1\",\"cvss\":\"high\"}" >>mixed.jsonl &&
	test_expect_code 65 xsm ingest --format records --source cmdb mixed.jsonl 2>err &&
	test_grep "mixed.jsonl:5: .cve. is not a CVE id" err &&
	test_grep "nothing stored" err &&
	test "$(runs cmdb)" = 2
'

test_expect_success '--skip-invalid stores the good lines and counts the bad' '
	xsm ingest --format records --source cmdb --skip-invalid mixed.jsonl >out 2>err &&
	test_grep "skipped 1 invalid line" err &&
	test "$(runs cmdb)" = 3
'

test_expect_success 'wrong types are reported with the field' '
	cat >types.jsonl <<-\JSON &&
	{"type":"asset","label":"device","source_id":"t:1","keys":{"ipv4":"10.0.0.1"}}
	{"type":"asset","label":"device","source_id":"t:2","keys":{"ipv4":["999.0.0.1"]}}
	{"type":"asset","label":"device","source_id":"t:3","keys":{"mac":["00:11:22"]}}
	{"type":"asset","label":7,"source_id":"t:4"}
	{"type":"finding","asset":"t:1","cve":"CVE-2024-0001","exploitAvailable":"yes"}
	{"type":"finding","asset":"t:1","cve":"CVE-2024-0001","severity":"urgent"}
	{"type":"finding","asset":"t:1","cve":"CVE-2024-0001","cvss":11}
	{"type":"relation","label":"member of","from":"t:1"}
	{"type":"thing"}
	[1,2]
	{"type":"relation","label":"","from":"a","to":"b"}
	{"type":"asset","label":"device","source_id":"other:9"}
	{"type":"asset","label":"device","source_id":"t:5","props":{"lastSeen":"yesterday"}}
	{"type":"asset","label":"device","source_id":"t:7"}
	{"type":"asset","label":"device","source_id":"t:7"}
	JSON
	test_expect_code 65 xsm ingest --format records --source t types.jsonl 2>err &&
	test_grep "types.jsonl:1: .keys.ipv4. must be an array" err &&
	test_grep "types.jsonl:2: .keys.ipv4. holds an invalid value" err &&
	test_grep "types.jsonl:3: .keys.mac. holds an invalid value" err &&
	test_grep "types.jsonl:4: .label. must be a string, not number" err &&
	test_grep "types.jsonl:5: .exploitAvailable. must be true or false" err &&
	test_grep "types.jsonl:6: .severity. must be" err &&
	test_grep "types.jsonl:7: .cvss. must be a number from 0 to 10" err &&
	test_grep "types.jsonl:8: missing .to." err &&
	test_grep "types.jsonl:9: unknown record type" err &&
	test_grep "types.jsonl:10: a record must be a json object" err &&
	test_grep "types.jsonl:11: .label. is empty" err &&
	test_grep "types.jsonl:15: duplicate source_id .t:7." err &&
	test_grep "types.jsonl:12: source_id .other:9. must start with .t:." err &&
	test_grep "types.jsonl:13: .props.lastSeen. is not an RFC 3339 time" err &&
	test "$(runs t)" = 0
'

test_expect_success 'a truncated file (cut mid-record) is rejected' '
	head -c 120 good.jsonl >cut.jsonl &&
	test_expect_code 65 xsm ingest --format records --source cut cut.jsonl 2>err &&
	test_grep "cut.jsonl:1:" err
'

test_expect_success 'a corrupt file (binary junk) is rejected, not crashed on' '
	head -c 4096 /dev/urandom >junk.jsonl &&
	test_must_fail xsm ingest --format records --source junk junk.jsonl 2>err
'

test_expect_success 'a line over records.max_line stops a refused run at once; with --skip-invalid the rest is checked' '
	python3 -c "print(\"{\\\"type\\\":\\\"asset\\\",\\\"label\\\":\\\"device\\\",\\\"source_id\\\":\\\"h:1\\\",\\\"name\\\":\\\"\" + \"x\"*5000 + \"\\\"}\")" >huge.jsonl &&
	echo "{\"type\":\"oops\"}" >>huge.jsonl &&
	echo "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"h:2\"}" >>huge.jsonl &&
	test_expect_code 65 xsm -c records.max_line=2048 ingest --format records --source h huge.jsonl 2>err &&
	test_grep "huge.jsonl:1: line longer than 2048 bytes (1 invalid line when reading stopped; nothing stored)" err &&
	test_grep ! "huge.jsonl:2:" err &&
	xsm -c records.max_line=2048 ingest --no-build --skip-invalid --format records --source h huge.jsonl >out 2>err &&
	test_grep "huge.jsonl:1: line longer than 2048 bytes" err &&
	test_grep "huge.jsonl:2: unknown record type" err &&
	test_grep "1 asset," out
'

test_expect_success 'input with no newline ends: /dev/zero is refused (65) at once, with --skip-invalid too' '
	test_expect_code 65 timeout 60 "$XSM" ingest --format records --source z /dev/zero 2>err &&
	test_grep "/dev/zero:1: line longer than" err &&
	test_expect_code 65 timeout 60 "$XSM" ingest --format records --skip-invalid --source z /dev/zero 2>err &&
	test_grep "/dev/zero:1: no newline in [0-9]* bytes: not records" err &&
	! ls "$XSM_STORE"/records/z/*.jsonl 2>/dev/null
'

test_expect_success 'endless junk lines: a refused run stops reading after 100 bad lines' '
	yes "not json" | test_expect_code 65 timeout 60 "$XSM" ingest --format records --source y - 2>err &&
	test_grep "(100 invalid lines when reading stopped; nothing stored)" err
'

test_expect_success 'strings are UTF-8 without NUL, and a record has each key once: else 65 with the position' '
	printf "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"u:1\",\"name\":\"caf\303\251\"}\n" >utf.jsonl &&
	xsm -q ingest --no-build --format records --source u utf.jsonl &&
	printf "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"u:1\",\"name\":\"caf\351\"}\n" >latin1.jsonl &&
	test_expect_code 65 xsm ingest --format records --source u latin1.jsonl 2>err &&
	test_grep "latin1.jsonl:1: col 63: invalid UTF-8" err &&
	printf "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"u:1\",\"name\":\"web\000-evil\"}\n" >nul.jsonl &&
	test_expect_code 65 xsm ingest --format records --source u nul.jsonl 2>err &&
	test_grep "nul.jsonl:1: col 63: a raw NUL byte in a string" err &&
	printf "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"u:1\",\"name\":\"web\\\\u0000-evil\"}\n" >esc.jsonl &&
	test_expect_code 65 xsm ingest --format records --source u esc.jsonl 2>err &&
	test_grep "esc.jsonl:1: col 63: .u0000 (a NUL) in a string" err &&
	printf "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"u:1\",\"name\":\"a\",\"name\":\"b\"}\n" >dup.jsonl &&
	test_expect_code 65 xsm ingest --format records --source u dup.jsonl 2>err &&
	test_grep "dup.jsonl:1: col 63: duplicate key .name." err &&
	printf "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"u:1\",\"props\":{\"raw\":{\"x\":1,\"x\":2}}}\n" >dup2.jsonl &&
	test_expect_code 65 xsm ingest --format records --source u dup2.jsonl 2>err &&
	test_grep "dup2.jsonl:1: col 74: duplicate key .x." err
'

test_expect_success 'empty input does not wipe a source: refused (66) unless --allow-empty' '
	for i in 1 2 3 4; do echo "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"e:$i\"}"; done >four.jsonl &&
	xsm -q ingest --format records --source e four.jsonl &&
	printf "" | test_expect_code 66 xsm ingest --format records --source e - 2>err &&
	test_grep "no records: an empty run would remove source .e. from the graph; nothing stored" err &&
	printf "\n  \n" | test_expect_code 66 xsm ingest --format records --source e - 2>err &&
	echo junk | test_expect_code 66 xsm ingest --skip-invalid --format records --source e - 2>err &&
	test_grep "no valid records" err &&
	xsm graph nodes --label device >nodes && test "$(wc -l <nodes)" -ge 4 &&
	printf "" | xsm ingest --allow-empty --format records --source e - >out 2>err &&
	test_grep "0 assets" out && test_grep ! "warning" err &&
	test_expect_code 64 xsm ingest --allow-empty e 2>err
'

test_expect_success 'a run that shrinks by more than half warns; with ingest.fail_on_shrink it is refused (65)' '
	xsm -q ingest --format records --source e four.jsonl &&
	head -2 four.jsonl | xsm ingest --no-build --format records --source e - 2>err &&
	test_grep ! "warning" err &&
	xsm -q ingest --no-build --format records --source e four.jsonl &&
	head -1 four.jsonl | xsm ingest --no-build --format records --source e - 2>err &&
	test_grep "^xsm: warning: source .e. shrank from 4 to 1 records, more than half since its previous run" err &&
	xsm -q ingest --no-build --format records --source e four.jsonl &&
	head -1 four.jsonl | test_expect_code 65 xsm -c ingest.fail_on_shrink=true ingest --format records --source e - 2>err &&
	test_grep "source .e. shrank from 4 to 1 records, more than half: nothing stored (ingest.fail_on_shrink)" err &&
	xsm --format=json status >st.json &&
	test "$(json_get st.json "[s for s in j[\"sources\"] if s[\"name\"]==\"e\"][0][\"assets\"]")" = 4
'

test_expect_success 'deep nesting is refused' '
	python3 -c "print(\"{\\\"type\\\":\\\"asset\\\",\\\"label\\\":\\\"d\\\",\\\"source_id\\\":\\\"n:1\\\",\\\"props\\\":\" + \"[\"*200 + \"]\"*200 + \"}\")" >deep.jsonl &&
	test_expect_code 65 xsm ingest --format records --source n deep.jsonl 2>err &&
	test_grep "nesting deeper" err
'

test_expect_success 'a missing input file exits 66' '
	test_expect_code 66 xsm ingest --format records --source cmdb nope.jsonl 2>err &&
	test_grep "cannot open .nope.jsonl." err
'

test_expect_success 'bad usage: no source, bad source name, no file' '
	test_expect_code 64 xsm ingest --format records good.jsonl 2>err &&
	test_expect_code 64 xsm ingest --format records --source "Bad Name" good.jsonl 2>err &&
	test_expect_code 64 xsm ingest --format records --source ok 2>err
'

test_expect_success 'input larger than a buffer streams through in constant memory' '
	python3 -c "
import json
for i in range(200000):
    print(json.dumps({\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"big:%d\" % i,\"name\":\"host%d\" % i,\"keys\":{\"ipv4\":[\"10.%d.%d.%d\" % (i>>16&255, i>>8&255, i&255)]}}))
" >big.jsonl &&
	max_rss_kb "$XSM" ingest --no-build --format records --source big big.jsonl >rss &&
	# sanitizers multiply memory use: the bound is for normal builds
	{ test -n "$XSM_SANITIZED" || test "$(cat rss)" -lt 120000; } &&
	xsm --format=json status >st.json &&
	test "$(json_get st.json "[s for s in j[\"sources\"] if s[\"name\"]==\"big\"][0][\"assets\"]")" = 200000
'

test_expect_success 'a run that fails leaves no partial file behind' '
	! ls "$XSM_STORE"/records/*/*.tmp.* 2>/dev/null
'

test_done
