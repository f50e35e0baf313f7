#!/bin/sh
test_description='machine output: every --format=json is one document with a schema, every --format=jsonl one value a line, every human table free of raw JSON'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/graph"

test_expect_success 'a store with a graph, a tag and a second snapshot' '
	for s in cmdb qualys tenable defender; do
		xsm -q ingest --no-build --format records --source $s "$F/$s.jsonl" || return 1
	done &&
	xsm -q ingest --format records --source entra "$F/entra.jsonl" &&
	xsm graph tag first &&
	xsm connect add servicenow snow --url http://127.0.0.1:9 --username u --password-env NOPE >/dev/null &&
	xsm -q graph build &&
	xsm paths list --format=jsonl >paths.jsonl &&
	pid=$(head -1 paths.jsonl | python3 -c "import json,sys; print(json.load(sys.stdin)[\"PathId\"])") &&
	test -n "$pid" && echo "$pid" >pid
'

# one command a line: the arguments after xsm (the format is added)
cat >commands <<'CMDS'
status
graph stats
graph nodes --limit 3
graph edges --limit 3
graph show web01.corp.example.com
graph log
graph diff
graph tag
graph match (c:Cve)-[e:affecting*1..2]-(d:device)
graph match (d:device)-->(x)
critical list
critical classifications
paths list
paths show PID
paths chokepoints
paths blast-radius web01.corp.example.com
paths summary
paths check --fail-on low
paths whatif --isolate web01.corp.example.com --top-fixes 2
insights
insights metrics
insights recommendations
events
connect list
connect show snow
access list
access list --roles
access whoami
audit
CMDS

test_expect_success 'every --format=json output is exactly one JSON document with a schema' '
	sed "s/PID/$(cat pid)/" commands >cmds &&
	while read -r c; do
		xsm --format=json $c >out.json 2>err; code=$?
		if [ $code -ne 0 ] && [ $code -ne 1 ]; then echo "xsm $c: exit $code: $(cat err)"; return 1; fi
		python3 -c "
import json, sys
t = open(\"out.json\").read()
j, end = json.JSONDecoder().raw_decode(t)
assert t[end:].strip() == \"\", \"more than one document\"
assert isinstance(j, dict) and isinstance(j.get(\"schema\"), str) and j[\"schema\"].startswith(\"xsm.\"), \"no schema\"
" || { echo "xsm --format=json $c:"; head -c 300 out.json; echo; return 1; }
	done <cmds
'

test_expect_success 'every --format=jsonl output is one JSON value a line' '
	while read -r c; do
		xsm --format=jsonl $c >out.jsonl 2>err; code=$?
		if [ $code -ne 0 ] && [ $code -ne 1 ]; then echo "xsm $c: exit $code: $(cat err)"; return 1; fi
		python3 -c "
import json
for n, l in enumerate(open(\"out.jsonl\"), 1):
    json.loads(l)
" || { echo "xsm --format=jsonl $c:"; head -c 300 out.jsonl; echo; return 1; }
	done <cmds
'

test_expect_success 'human output never prints raw JSON' '
	while read -r c; do
		xsm $c >out.txt 2>err; code=$?
		if [ $code -ne 0 ] && [ $code -ne 1 ]; then echo "xsm $c: exit $code: $(cat err)"; return 1; fi
		if grep -n "[{][\"]\|[\"]:[\"{\[]" out.txt >raw; then echo "xsm $c prints JSON:"; head -3 raw; return 1; fi
	done <cmds
'

test_expect_success 'an unknown format, or one the command cannot write, is a usage error (64)' '
	test_expect_code 64 xsm --format=josn paths list 2>err &&
	test_grep "unknown format .josn." err &&
	test_expect_code 64 xsm graph stats --format=svg 2>err &&
	test_grep "cannot write --format=svg" err &&
	test_expect_code 64 xsm paths list --format=graphml
'

test_expect_success 'usage errors are 64 with no store; a good command without a store is 66' '
	(
		XSM_STORE="$PWD/none" && export XSM_STORE &&
		test_expect_code 64 xsm paths check --fail-on &&
		test_expect_code 64 xsm paths list --limit -1 &&
		test_expect_code 64 xsm --format=josn status &&
		test_expect_code 66 xsm paths check --fail-on high
	) &&
	test ! -e "$PWD/none"
'

test_expect_success 'the output and the input format are two names: both can be given' '
	xsm --format=json ingest --format records --source cmdb "$F/cmdb.jsonl" >ing.json &&
	test "$(json_get ing.json "j[\"schema\"]")" = xsm.ingest/1 &&
	test_expect_code 64 xsm ingest --format nessus2 --source x "$F/cmdb.jsonl" 2>err &&
	test_grep "unknown format .nessus2." err
'

test_done
