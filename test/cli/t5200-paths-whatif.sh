#!/bin/sh
test_description='paths whatif: remediation simulated on the demo enterprise, checked against the stored paths, and nothing written'
. "$(dirname "$0")/../lib/test-lib.sh"

Q="'"
# whatif ARGS...: the JSON of a what-if
whatif() { xsm paths whatif --format=json "$@"; }
# field FILE EXPR
field() { json_get "$1" "$2"; }
# the stored paths as "PathId entry target step/step/..." lines
stored() {
	xsm paths list --format=jsonl | python3 -c '
import json, sys
for l in sys.stdin:
    p = json.loads(l)
    print(p["PathId"], p["entry"]["NodeName"], p["target"]["NodeName"], "/".join(s["NodeName"] for s in p["steps"]))'
}
# the PathIds a what-if removed, sorted
removed_ids() { python3 -c 'import json,sys; print("\n".join(sorted(p["PathId"] for p in json.load(open(sys.argv[1]))["removed"])))' "$1"; }

test_expect_success 'setup: the demo enterprise' '
	sh "$XSM_TOP/examples/demo.sh" "$XSM" "$TRASH/demo" >demo.out 2>&1 &&
	test -f "$TRASH/demo/store/graph/HEAD"
'
export XSM_STORE="$TRASH/demo/store"

test_expect_success 'a change that changes nothing: the paths and scores computed again are the stored ones' '
	whatif --set-critical dc01.contoso.local very-high >noop.json &&
	test "$(field noop.json "j[\"schema\"]")" = xsm.paths.whatif/1 &&
	test "$(field noop.json "j[\"paths\"][\"before\"]")" = "$(xsm paths list --format=jsonl | wc -l)" &&
	test "$(field noop.json "j[\"paths\"][\"after\"]")" = "$(field noop.json "j[\"paths\"][\"before\"]")" &&
	test "$(field noop.json "j[\"pairs_cut\"] + j[\"paths\"][\"added\"] + j[\"paths\"][\"rerouted\"]")" = 0 &&
	test "$(field noop.json "[s for s in j[\"initiatives\"] if s[\"before\"] != s[\"after\"]]")" = "[]" &&
	test "$(field noop.json "len(j[\"initiatives\"])")" -ge 5 &&
	test "$(field noop.json "j[\"chokepoints\"][\"before\"] == j[\"chokepoints\"][\"after\"]")" = True
'

test_expect_success 'nothing is written: the store is byte for byte what it was' '
	(cd "$XSM_STORE" && find . -type f | sort | xargs md5sum) >before.sum &&
	xsm paths whatif --isolate jump01.contoso.local --fix CVE-2024-21762 --top-fixes 3 >/dev/null &&
	(cd "$XSM_STORE" && find . -type f | sort | xargs md5sum) >after.sum &&
	test_cmp before.sum after.sum
'

test_expect_success '--isolate: exactly the stored paths through, from or to the node are cut' '
	stored >paths.txt &&
	whatif --isolate jump01.contoso.local >iso.json &&
	removed_ids iso.json >got &&
	grep -E "(^| |/)jump01.contoso.local(/| |\$)" paths.txt | cut -d" " -f1 | sort >want &&
	test -s want &&
	test_cmp want got &&
	test "$(field iso.json "j[\"pairs_cut\"]")" = "$(wc -l <want)" &&
	test "$(field iso.json "j[\"changes\"][0]")" = "isolated jump01.contoso.local: 3 edges cut"
'

test_expect_success '--fix CVE: the paths from the entry point it alone made are cut, and only those' '
	xsm graph show vpn01.contoso.local >vpn.txt &&
	test_grep "^cves  *CVE-2024-21762\$" vpn.txt &&
	whatif --fix CVE-2024-21762 >fix.json &&
	removed_ids fix.json >got &&
	awk "\$2 == \"vpn01.contoso.local\" { print \$1 }" paths.txt | sort >want &&
	test_cmp want got &&
	test "$(field fix.json "j[\"changes\"][0]")" = "fixed CVE-2024-21762 on the 1 asset it affected" &&
	test "$(field fix.json "[s[\"name\"] for s in j[\"initiatives\"] if s[\"after\"] > s[\"before\"]]" | grep -c "External attack surface")" = 1
'

test_expect_success '--fix CVE --on NODE patches one asset; everywhere patches all' '
	xsm graph edges --label affecting --format=jsonl >aff.jsonl &&
	cve=$(python3 -c "
import json, collections
c = collections.Counter(json.loads(l)[\"SourceNodeName\"] for l in open(\"aff.jsonl\"))
print(sorted(k for k, n in c.items() if n > 1)[0])") &&
	on=$(python3 -c "
import json, sys
print(sorted(json.loads(l)[\"TargetNodeName\"] for l in open(\"aff.jsonl\") if json.loads(l)[\"SourceNodeName\"] == sys.argv[1])[0])" "$cve") &&
	whatif --fix "$cve" --on "$on" >one.json &&
	test "$(field one.json "j[\"changes\"][0]")" = "fixed $cve on $on" &&
	whatif --fix "$cve" >all.json &&
	n=$(grep -c "\"SourceNodeName\":\"$cve\"" aff.jsonl) &&
	test "$(field all.json "j[\"changes\"][0]")" = "fixed $cve on the $n assets it affected" &&
	test_expect_code 66 xsm paths whatif --fix "$cve" --on dc01.contoso.local 2>err &&
	test_grep "does not affect dc01.contoso.local" err
'

test_expect_success '--remove EDGEID and --remove-edge FROM LABEL TO are the same change' '
	xsm graph edges --label CanRemoteInteractiveLogonTo --format=jsonl >rdp.jsonl &&
	eid=$(python3 -c "
import json
for l in open(\"rdp.jsonl\"):
    e = json.loads(l)
    if e[\"SourceNodeName\"] == \"IT Admins\" and e[\"TargetNodeName\"] == \"jump01.contoso.local\": print(e[\"EdgeId\"])") &&
	test -n "$eid" &&
	whatif --remove "$eid" >byid.json &&
	whatif --remove-edge "IT Admins" CanRemoteInteractiveLogonTo jump01.contoso.local >byends.json &&
	removed_ids byid.json >a && removed_ids byends.json >b &&
	test -s a && test_cmp a b &&
	test "$(field byid.json "j[\"changes\"][0]")" = "removed edge $eid: IT Admins -[CanRemoteInteractiveLogonTo]-> jump01.contoso.local"
'

test_expect_success '--remove NODE: its paths go, as entry, step or target, and those to the targets it made critical' '
	whatif --remove jane.da >rm.json &&
	removed_ids rm.json >got &&
	grep -E "(^| |/)jane.da(/| |\$)" paths.txt | cut -d" " -f1 | sort >through &&
	test -s through &&
	# jump01 is an admin workstation because jane.da (a Domain Admin) logs on to it
	test "$(field rm.json "[(l[\"NodeName\"], l[\"before\"], l[\"after\"]) for l in j[\"criticality\"] if l[\"NodeName\"] == \"jump01.contoso.local\"]")" = "[(${Q}jump01.contoso.local${Q}, 1, 4)]" &&
	field rm.json "\"\\n\".join(l[\"NodeName\"] for l in j[\"criticality\"] if l[\"after\"] > 1)" >uncritical &&
	grep -F -f uncritical paths.txt | awk "{ print \$1 }" >to_uncritical &&
	sort -u through to_uncritical >want &&
	test_cmp want got
'

test_expect_success '--set-critical: a node made critical becomes a target, the new paths end there' '
	xsm critical list --format=jsonl >crit.jsonl &&
	! grep -q "\"NodeName\":\"app03.contoso.local\"" crit.jsonl &&
	whatif --set-critical app03.contoso.local very-high >sc.json &&
	test "$(field sc.json "j[\"paths\"][\"added\"]")" -gt 0 &&
	test "$(field sc.json "sorted(set(p[\"target\"] for p in j[\"added\"])) == [\"app03.contoso.local\"]")" = True
'

test_expect_success '--top-fixes: the greedy proposals cut, applied together, the sum of their cuts or more' '
	whatif --top-fixes 5 >top.json &&
	test "$(field top.json "len(j[\"top_fixes\"])")" = 5 &&
	field top.json "[f[\"pairs_cut\"] for f in j[\"top_fixes\"]] == sorted([f[\"pairs_cut\"] for f in j[\"top_fixes\"]], reverse=True)" >sorted &&
	test "$(cat sorted)" = True &&
	python3 -c "
import json, shlex
j = json.load(open(\"top.json\"))
args = []
for f in j[\"top_fixes\"]:
    args += [\"--remove\", f[\"EdgeId\"]] if f[\"kind\"] == \"remove-edge\" else [\"--fix\", f[\"cve\"]]
print(\" \".join(shlex.quote(a) for a in args))
print(sum(f[\"pairs_cut\"] for f in j[\"top_fixes\"]))" >plan &&
	eval "whatif $(head -1 plan)" >applied.json &&
	# more when a removed edge made a target critical: the proposals count with criticality as it is
	test "$(field applied.json "j[\"pairs_cut\"]")" -ge "$(tail -1 plan)" &&
	test "$(field top.json "j[\"top_fixes\"][0][\"pairs_cut\"]")" -gt 0

'

test_expect_success 'the table shows the changes, the counts, choke points and scores, never JSON' '
	xsm paths whatif --isolate jump01.contoso.local --top-fixes 2 >t.txt &&
	test_grep "^what-if on snapshot .* (nothing written)\$" t.txt &&
	test_grep "^  isolated jump01.contoso.local: 3 edges cut\$" t.txt &&
	test_grep "^attack paths: [0-9]* before, [0-9]* after; [0-9]* entry-target pairs cut" t.txt &&
	test_grep "^choke points before:" t.txt &&
	test_grep "^choke points after:" t.txt &&
	test_grep "^initiative scores:" t.txt &&
	test_grep "^top fixes" t.txt &&
	! grep -q "[{][\"]" t.txt
'

test_expect_success 'jsonl: one changed path a line, then the proposals' '
	xsm paths whatif --isolate jump01.contoso.local --top-fixes 2 --format=jsonl >w.jsonl &&
	python3 -c "
import json
rows = [json.loads(l) for l in open(\"w.jsonl\")]
assert sum(1 for r in rows if r.get(\"change\") == \"removed\") == json.load(open(\"iso.json\"))[\"pairs_cut\"]
assert sum(1 for r in rows if \"rank\" in r) == 2
"
'

test_expect_success 'errors: no change, unknown names, bad levels and budgets' '
	test_expect_code 64 xsm paths whatif 2>err && test_grep "what if what" err &&
	test_expect_code 66 xsm paths whatif --isolate no-such-node 2>err && test_grep "no node .no-such-node." err &&
	test_expect_code 66 xsm paths whatif --remove e-0000000000000000 2>err && test_grep "no node or edge" err &&
	test_expect_code 66 xsm paths whatif --remove-edge jane.da "member of" dc01.contoso.local 2>err &&
	test_grep "no .member of. edge from jane.da to dc01.contoso.local" err &&
	test_expect_code 64 xsm paths whatif --fix dc01.contoso.local 2>err && test_grep "is a device, not a CVE" err &&
	test_expect_code 64 xsm paths whatif --set-critical dc01.contoso.local 7 2>err && test_grep "unknown level" err &&
	test_expect_code 64 xsm paths whatif --top-fixes 21 2>err && test_grep "1 to 20" err &&
	test_expect_code 64 xsm paths whatif --on dc01.contoso.local 2>err && test_grep "goes right after the --fix" err &&
	test_expect_code 64 xsm paths whatif --remove-edge a b 2>err && test_grep "three words" err
'

test_done
