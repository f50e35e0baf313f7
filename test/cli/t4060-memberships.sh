#!/bin/sh
test_description='memberships are edges: nested membership through cycles and deep nesting drives rules, none is stored'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/ad"

# source ids of the nodes whose criticality rules include $1, sorted, one a line
ruled() {
	python3 -c '
import json, sys
out = []
for l in open("nodes.jsonl"):
    n = json.loads(l)
    raw = n["NodeProperties"]["rawData"]
    if sys.argv[1] in raw.get("criticalityLevel", {}).get("ruleNames", []):
        out += [e["id"] for e in n["EntityIds"] if e["type"] == "SourceId"]
print("\n".join(sorted(out)))' "$1"
}

prop_of() { # prop_of SOURCE_ID KEY: rawData[KEY] of that node, as JSON
	python3 -c '
import json, sys
for l in open("nodes.jsonl"):
    n = json.loads(l)
    if {"type": "SourceId", "id": sys.argv[1]} in n["EntityIds"]:
        print(json.dumps(n["NodeProperties"]["rawData"].get(sys.argv[2])))' "$1" "$2"
}

test_expect_success 'a directory with nesting six deep, cycles and a group everyone is in builds' '
	xsm -q ingest --format records --source ad "$F/ad.jsonl" &&
	xsm graph nodes --format=jsonl >nodes.jsonl &&
	test "$(wc -l <nodes.jsonl)" = 42
'

test_expect_success 'the nested members of Domain Admins, through six levels and through a cycle, and no other identity, are Domain Administrators' '
	ruled "Domain Administrator" >got &&
	printf "%s\n" ad:c1 ad:c2 ad:c3 ad:da ad:n1 ad:n2 ad:n3 ad:n4 ad:n5 ad:n6 ad:u1 ad:u2 >want &&
	test_cmp want got
'

test_expect_success 'a role held through nested groups makes its holders critical, and only them' '
	ruled "Global Administrator" >got &&
	printf "%s\n" ad:ga ad:gasub ad:u6 >want &&
	test_cmp want got
'

test_expect_success 'a device a nested Domain Admin logs on to is a Domain Admin device; one used by others is not' '
	ruled "Domain Admin device" >got &&
	echo ad:ws1 >want &&
	test_cmp want got
'

test_expect_success 'rawData keeps the direct memberships only: no closure is stored' '
	test "$(prop_of ad:u1 memberOf)" = "[\"Domain Users\", \"Nest 6\"]" &&
	test "$(prop_of ad:n6 memberOf)" = "[\"Nest 5\"]" &&
	! grep -q "memberOfRoles\|loggedOnByPrivileged" nodes.jsonl
'

test_expect_success 'memberOf() is nested and cycle-safe in filters; a string is short for a name' '
	xsm graph nodes --where "label == \"user\" and memberOf(\"Domain Admins\")" --format=jsonl >da.jsonl &&
	test "$(grep -c . da.jsonl)" = 2 &&
	xsm graph nodes --where "label == \"user\" and memberOf(name == \"Domain Admins\")" --format=jsonl >da2.jsonl &&
	test_cmp da.jsonl da2.jsonl &&
	xsm graph nodes --where "label == \"user\" and memberOf(name ~ \"^other cycle\")" --format=jsonl >x.jsonl &&
	grep -q "\"u4\"" x.jsonl && test "$(grep -c . x.jsonl)" = 1
'

test_expect_success 'filters written for the stored closure keep their nested meaning' '
	xsm graph nodes --where "label == \"user\" and props.memberOf contains \"Domain Admins\"" --format=jsonl >legacy.jsonl &&
	test_cmp da.jsonl legacy.jsonl &&
	xsm graph nodes --where "label == \"user\" and props.memberOfRoles contains \"Global Administrator\"" --format=jsonl >roles.jsonl &&
	grep -q "\"u6\"" roles.jsonl && test "$(grep -c . roles.jsonl)" = 1 &&
	xsm graph nodes --where "props.loggedOnByPrivileged contains \"Domain Admins\"" --format=jsonl >dev.jsonl &&
	grep -q "WS1" dev.jsonl && test "$(grep -c . dev.jsonl)" = 1 &&
	xsm graph nodes --where "label == \"user\" and props.memberOf != \"Domain Admins\"" --format=jsonl >not.jsonl &&
	test "$(grep -c . not.jsonl)" = 6
'

test_expect_success 'adminOnCount counts each device once, directly or through nested groups' '
	test "$(prop_of ad:u7 adminOnCount)" = 12 &&
	test "$(prop_of ad:sasub adminOnCount)" = 12 &&
	test "$(prop_of ad:u8 adminOnCount)" = 5 &&
	test "$(prop_of ad:u3 adminOnCount)" = null
'

test_expect_success 'graph show says why a user is critical: the chain of groups to the privileged one' '
	xsm graph show u1 >show.txt &&
	test_grep "Domain Administrator, memberOf: u1 -> Nest 6 -> Nest 5 -> Nest 4 -> Nest 3 -> Nest 2 -> Nest 1 -> Domain Admins" show.txt &&
	xsm --format=json graph show u2 >show.json &&
	json_get show.json "\" > \".join(c[\"NodeName\"] for w in j[\"why\"] if w[\"rule\"] == \"Domain Administrator\" for c in w[\"chain\"])" >chain &&
	test "$(cat chain)" = "u2 > Cycle 3 > Cycle 1 > Cycle 2 > Domain Admins"
'

test_expect_success 'a device is explained through the user logged on to it, then that user groups' '
	xsm graph show ws1.corp.example.com >ws.txt &&
	test_grep "Domain Admin device, loggedOnBy: .* -> u1" ws.txt &&
	test_grep "Domain Admin device, memberOf: u1 -> Nest 6" ws.txt
'

test_expect_success 'an unknown function is a clear error with its column' '
	test_expect_code 64 xsm graph nodes --where "label == \"user\" and nestedIn(\"x\")" 2>err &&
	test_grep "col 21: unknown function .nestedIn." err
'

test_done
