#!/bin/sh
test_description='critical assets: predefined classifications, custom rules, levels, manual overrides'
. "$(dirname "$0")/../lib/test-lib.sh"
F="$XSM_TOP/test/fixtures/critical"
CLS="$XSM_TOP/config/classifications.yaml"

# rule names of one asset, from critical list --format=json
rules_of() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
for a in j["assets"]:
    if a["NodeName"] == sys.argv[2]:
        print("\n".join(a["ruleNames"]))' list.json "$1"
}
level_of() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print([a["criticalityLevel"] for a in j["assets"] if a["NodeName"] == sys.argv[2]] or [4])' list.json "$1"
}

test_expect_success 'setup: every identity classification gets a holder' '
	# one user per Entra role rule in the shipped file, holding that role
	python3 - "$CLS" >identities.jsonl <<-\PY &&
	import json, re, sys
	text = open(sys.argv[1]).read()
	for i, m in enumerate(re.finditer(r"- name: .(.*?).\n    asset: identity\n    level: (\d)\n(?:.*\n){1}    when: .props.assignedRoles contains \"([^\"]+)\"", text)):
	    print(json.dumps({"type": "asset", "label": "user", "source_id": "entra:u%d" % i, "name": "holder of " + m.group(3),
	                      "keys": {"upn": "u%d@corp.example.com" % i}, "props": {"assignedRoles": [m.group(3)]}}))
	PY
	test "$(wc -l <identities.jsonl)" -ge 45 &&
	xsm -q ingest --no-build --format records --source cmdb "$F/devices.jsonl" &&
	xsm -q ingest --format records --source entra identities.jsonl &&
	xsm --format=json critical list >list.json
'

while IFS="	" read -r node rule; do
	test_expect_success "'$rule' classifies $node" '
		rules_of "'"$node"'" >got && grep -qxF "'"$rule"'" got || { cat got; false; }
	'
done <"$F/expected-devices.txt"

test_expect_success 'every Entra role classification classifies its holder, at its level' '
	python3 - "$CLS" list.json <<-\PY
	import json, re, sys
	text = open(sys.argv[1]).read()
	assets = {a["NodeName"]: a for a in json.load(open(sys.argv[2]))["assets"]}
	bad = 0
	for m in re.finditer(r"- name: .(.*?).\n    asset: identity\n    level: (\d)\n(?:.*\n){1}    when: .props.assignedRoles contains \"([^\"]+)\"", text):
	    a = assets.get("holder of " + m.group(3))
	    if not a or m.group(1) not in a["ruleNames"] or a["criticalityLevel"] != int(m.group(2)):
	        print("not classified:", m.group(1)); bad += 1
	sys.exit(bad)
	PY
'

test_expect_success 'an ordinary workstation with no data is not critical' '
	test "$(level_of WS0042)" = "[3]" &&
	xsm --format=json critical list --level high >hi.json &&
	test_grep ! "WS0042" hi.json
'

test_expect_success 'the most critical matching rule wins' '
	# DC01 is a Domain Controller (0) and a DNS server (3)
	test "$(level_of DC01)" = "[0]" &&
	rules_of DC01 >r && test "$(head -1 r)" = "Domain Controller"
'

test_expect_success 'classifications lists every rule with its match count' '
	xsm --format=json critical classifications >cls.json &&
	test "$(json_get cls.json "len(j[\"rules\"])")" -ge 80 &&
	test "$(json_get cls.json "[r[\"matches\"] for r in j[\"rules\"] if r[\"name\"]==\"Domain Controller\"][0]")" = 2 &&
	test "$(json_get cls.json "len([r for r in j[\"rules\"] if r[\"asset\"]==\"identity\"])")" -ge 50
'

test_expect_success 'rule list: every rule with its level, state, kind and matches' '
	xsm -q critical rule level "Exchange server" very-high &&
	xsm -q critical rule disable "DNS server" &&
	xsm -q critical rule add "Workstations 0" --asset device --level 2 --when "name ~ \"^ws0\"" &&
	xsm critical rule list >rl &&
	head -1 rl | grep "^NAME  *ASSET  *LEVEL  *ENABLED  *TYPE  *MATCHES$" &&
	test_grep "^Domain Controller  *device  *0 very high  *yes  *predefined  *2$" rl &&
	test_grep "^Exchange server  *device  *0 very high (default 2)  *yes  *predefined  *1$" rl &&
	test_grep "^DNS server  *device  *3 low  *no  *predefined  *0$" rl &&
	test_grep "^Workstations 0  *device  *2 medium  *yes  *custom  *1$" rl &&
	test "$(tail -1 rl | cut -c1-14)" = "Workstations 0" &&
	xsm --format=json critical rule list >rl.json &&
	test "$(json_get rl.json "j[\"schema\"]")" = xsm.critical.rules/1 &&
	test "$(json_get rl.json "len(j[\"rules\"])")" = "$(($(wc -l <rl) - 1))" &&
	json_get rl.json "\";\".join(\"%s %s %s %s %s\" % (r[\"level\"], r[\"default_level\"], r[\"enabled\"], r[\"type\"], r[\"matches\"]) for r in j[\"rules\"] if r[\"name\"] in (\"Exchange server\", \"DNS server\", \"Workstations 0\"))" >got &&
	echo "3 3 False predefined 0;0 2 True predefined 1;2 2 True custom 1" >want &&
	test_cmp want got &&
	xsm --format=jsonl critical rule list >rl.jsonl &&
	test "$(wc -l <rl.jsonl)" = "$(json_get rl.json "len(j[\"rules\"])")" &&
	python3 -c "import json; [json.loads(l)[\"name\"] for l in open(\"rl.jsonl\")]" &&
	xsm -q critical rule remove "Workstations 0" &&
	xsm -q critical rule enable "DNS server" &&
	xsm -q critical rule level "Exchange server" 2
'

test_expect_success 'rule list before any graph: no match counts' '
	XSM_STORE="$TRASH/fresh" xsm -q init &&
	XSM_STORE="$TRASH/fresh" xsm critical rule list >fl 2>err &&
	test_grep "^Domain Controller  *device  *0 very high  *yes  *predefined  *-$" fl &&
	test_grep "no graph yet" err &&
	XSM_STORE="$TRASH/fresh" xsm --format=json critical rule list >fl.json &&
	test "$(json_get fl.json "set(r[\"matches\"] for r in j[\"rules\"])")" = "{None}" &&
	test "$(json_get fl.json "j[\"snapshot\"]")" = None
'

test_expect_success 'a disabled rule stops matching; enabling brings it back' '
	xsm -q critical rule disable "DNS server" &&
	xsm --format=json critical list >list.json &&
	test "$(level_of NS01)" = "[4]" &&
	test_grep "\"action\":\"rule disable\",\"target\":\"DNS server\"" "$XSM_STORE/audit.jsonl" &&
	xsm -q critical rule enable "DNS server" &&
	xsm --format=json critical list >list.json &&
	test "$(level_of NS01)" = "[3]"
'

test_expect_success 'a level change applies at once, to predefined rules too' '
	xsm -q critical rule level "Exchange server" very-high &&
	xsm --format=json critical list >list.json &&
	test "$(level_of EX01)" = "[0]" &&
	xsm -q critical rule level "Exchange server" 2
'

test_expect_success 'custom rules: preview, add, edit, remove' '
	xsm --format=json critical rule preview --when "name ~ \"^ws0\"" >pv.json &&
	test "$(json_get pv.json "[a[\"NodeName\"] for a in j[\"assets\"]]")" = "[${Q}WS0042${Q}]" ||
	test "$(json_get pv.json "[a[\"NodeName\"] for a in j[\"assets\"]]")" = "['"'"'WS0042'"'"']" &&
	xsm -q critical rule add "Workstations 0" --asset device --level high --when "name ~ \"^ws0\"" --description "test" &&
	xsm --format=json critical list >list.json &&
	test "$(level_of WS0042)" = "[1]" &&
	xsm -q critical rule edit "Workstations 0" --level 0 &&
	xsm --format=json critical list >list.json &&
	test "$(level_of WS0042)" = "[0]" &&
	xsm -q critical rule remove "Workstations 0" &&
	xsm --format=json critical list >list.json &&
	test "$(level_of WS0042)" = "[3]"
'

test_expect_success 'a manual level overrides the rules, and unset restores them' '
	xsm -q critical set DC01 low &&
	xsm --format=json critical list >list.json &&
	test "$(level_of DC01)" = "[3]" &&
	json_get list.json "[a for a in j[\"assets\"] if a[\"NodeName\"]==\"DC01\"][0][\"ruleBasedCriticalityLevel\"]" >rb &&
	test "$(cat rb)" = 0 &&
	xsm -q critical unset DC01 &&
	xsm --format=json critical list >list.json &&
	test "$(level_of DC01)" = "[0]"
'

test_expect_success 'manual levels and rule changes survive a full rebuild' '
	xsm -q critical set WS0042 0 &&
	xsm -q critical rule disable "Backup server" &&
	xsm -q graph build &&
	xsm --format=json critical list >list.json &&
	test "$(level_of WS0042)" = "[0]" && test "$(level_of BKP01)" = "[4]" &&
	test_grep "Backup server" "$XSM_STORE/rules/criticality.yaml"
'

snap() { cat "$XSM_STORE/graph/HEAD"; }

test_expect_success 'bad input: clear errors, nothing changed' '
	before=$(snap) && cp "$XSM_STORE/rules/criticality.yaml" rules.before &&
	test_expect_code 64 xsm critical rule add X --asset device --level 9 --when "true" 2>err &&
	test_grep "unknown level" err &&
	test_expect_code 64 xsm critical rule add X --asset printer --level 1 --when "true" 2>err &&
	test_grep "asset must be" err &&
	test_expect_code 64 xsm critical rule add X --asset device --level 1 --when "name ~" 2>err &&
	test_grep "col 7: expected an operand" err &&
	test_expect_code 65 xsm critical rule add "DNS server" --asset device --level 1 --when "true" 2>err &&
	test_grep "exists already" err &&
	test_expect_code 77 xsm critical rule remove "Domain Controller" 2>err &&
	test_grep "predefined" err &&
	test_expect_code 77 xsm critical rule edit "Domain Controller" --level 1 2>err &&
	test_expect_code 66 xsm critical rule disable "No such rule" 2>err &&
	test_expect_code 66 xsm critical set no-such-node 1 2>err &&
	test_grep "no node" err &&
	test_expect_code 66 xsm critical unset DC01 2>err &&
	test_expect_code 64 xsm critical set DC01 urgent 2>err &&
	test "$(snap)" = "$before" &&
	cmp rules.before "$XSM_STORE/rules/criticality.yaml"
'

test_expect_success 'a broken rules file is a configuration error with its position' '
	cp "$XSM_STORE/rules/criticality.yaml" keep.yaml &&
	printf "custom:\n  - name: X\n    asset: device\n    level: 1\n    when: \"name ~\"\n" >"$XSM_STORE/rules/criticality.yaml" &&
	test_expect_code 78 xsm critical classifications 2>err &&
	test_grep "criticality.yaml:5:11: rule .X.: col 7" err &&
	cp keep.yaml "$XSM_STORE/rules/criticality.yaml"
'

test_done
