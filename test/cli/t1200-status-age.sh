#!/bin/sh
test_description='status and connect list agree on last sync, age and staleness; a connector shows from connect add on'
. "$(dirname "$0")/../lib/test-lib.sh"

rec() { printf '{"type":"asset","label":"device","source_id":"%s:1","name":"h1","keys":{"fqdn":"h1.example.com"}}\n' "$1"; }

age_of() { # age_of COMMAND... : NAME=age_hours/stale lines from a json listing
	xsm --format=json "$@" | python3 -c "
import json, sys
j = json.load(sys.stdin)
for s in j.get(\"sources\", j.get(\"connectors\", [])):
    print(\"%s=%s/%s\" % (s[\"name\"], s.get(\"age_hours\"), s.get(\"stale\")))"
}

test_expect_success 'a record source ingested now is fresh in status' '
	rec hr >hr.jsonl &&
	xsm -q ingest --format records --source hr hr.jsonl &&
	age_of status >st && test_grep "^hr=0/False$" st
'

test_expect_success 'four days on, it is stale, in json and in the table' '
	XSM_NOW=2026-11-28T13:00:00Z age_of status >st && test_grep "^hr=97/True$" st &&
	XSM_NOW=2026-11-28T13:00:00Z xsm status >st.txt && test_grep "^hr .* 97h (stale)" st.txt
'

test_expect_success 'a connector shows in status and connect list from connect add on, never synced, not fresh' '
	xsm connect add servicenow cmdb --url http://127.0.0.1:9 --username u --password-env NOPE >/dev/null &&
	age_of status >st && test_grep "^cmdb=None/True$" st &&
	age_of connect list >cl && test_grep "^cmdb=None/True$" cl &&
	xsm status >st.txt && test_grep "^cmdb  *never synced" st.txt &&
	xsm connect list >cl.txt && test_grep "^cmdb .*never synced .*never synced" cl.txt
'

test_expect_success 'a sync that failed does not make it fresh' '
	NOPE=x xsm -q ingest cmdb --no-build 2>/dev/null; test $? -ne 0 &&
	age_of status >st && test_grep "^cmdb=None/True$" st &&
	age_of connect list >cl && test_grep "^cmdb=None/True$" cl
'

test_expect_success 'connect add over a source of hand-ingested records asks for --force' '
	test_expect_code 64 xsm connect add servicenow hr --url http://127.0.0.1:9 --username u --password-env NOPE 2>err &&
	test_grep "records ingested by hand" err && test_grep "force" err &&
	xsm connect add servicenow hr --url http://127.0.0.1:9 --username u --password-env NOPE --force >/dev/null
'

test_done
