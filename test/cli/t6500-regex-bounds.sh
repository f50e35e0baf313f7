#!/bin/sh
test_description='regular expressions have a bound: back-references and blown-up repeats are refused where they enter, any other pattern matches in linear time'
. "$(dirname "$0")/../lib/test-lib.sh"

# a pattern is given to the expression language in a string literal, so its backslash is doubled there
BACKREF='name ~ "(a*)\\1b"'
NESTED='name ~ "((a{1,100}){1,100}){1,100}"'

test_expect_success 'setup: devices named with 10,000 and 1,000,000 characters' '
	python3 - >devices.jsonl <<-\PY &&
	import json
	for i, n in enumerate((10000, 1000000)):
	    print(json.dumps({"type": "asset", "label": "device", "source_id": "cmdb:%d" % i, "name": "a" * n}))
	print(json.dumps({"type": "asset", "label": "device", "source_id": "cmdb:web", "name": "pay-web01"}))
	PY
	xsm -q ingest --format records --source cmdb devices.jsonl
'

test_expect_success 'a rule with a back-reference is refused when added (64), with the column' '
	test_expect_code 64 xsm critical rule add Bomb --asset device --level 0 --when "$BACKREF" 2>err &&
	test_grep "col 13: invalid regular expression: back-references" err &&
	xsm -q critical rule add Fine --asset device --level 3 --when "name == \"x\"" &&
	test_expect_code 64 xsm critical rule edit Fine --when "$BACKREF" 2>err &&
	test_grep "back-references" err &&
	xsm -q critical rule remove Fine
'

test_expect_success 'nested counted repeats are refused when added (64), before anything is built' '
	test_expect_code 64 xsm critical rule add Nested --asset device --level 0 --when "$NESTED" 2>err &&
	test_grep "col 9: invalid regular expression: too complex" err &&
	test_expect_code 64 xsm critical rule add Big --asset device --level 0 --when "name ~ \"a{5000}\"" 2>err &&
	test_grep "repeat count over 1000" err
'

test_expect_success '--where and rule preview refuse them (64), even before a graph is read' '
	test_expect_code 64 xsm graph nodes --where "$BACKREF" 2>err &&
	test_grep "^xsm: --where: col 13: invalid regular expression" err &&
	test_expect_code 64 xsm critical rule preview --when "$NESTED" 2>err &&
	test_grep "too complex" err &&
	xsm --store "$TRASH/empty" init >/dev/null &&
	test_expect_code 64 xsm --store "$TRASH/empty" graph nodes --where "$BACKREF"
'

test_expect_success 'a rule saved in the store with one is refused when the file is read (78), not run by a build' '
	mkdir -p "$XSM_STORE/rules" &&
	cat >"$XSM_STORE/rules/criticality.yaml" <<-\EOF &&
	custom:
	  - name: Bomb
	    asset: device
	    level: 0
	    when: '"'"'name ~ "(a*)\\1b"'"'"'
	EOF
	test_expect_code 78 timeout 60 "$XSM" graph build 2>err &&
	test_grep "criticality.yaml:5:11: rule .Bomb.: col 13: invalid regular expression: back-references" err &&
	rm "$XSM_STORE/rules/criticality.yaml"
'

test_expect_success 'config: an attack model entry point or a metric with one is refused when loaded (78)' '
	mkdir -p data && cp "$XSM_TOP"/config/*.yaml data/ &&
	python3 - data/attack-model.yaml <<-\PY &&
	import sys, yaml
	d = yaml.safe_load(open(sys.argv[1]))
	d["entry_points"].append({"name": "bomb", "when": "name ~ \"(a*)\\\\1b\"", "exploitability": 1})
	yaml.safe_dump(d, open(sys.argv[1], "w"))
	PY
	test_expect_code 78 timeout 60 "$XSM" -c data.dir="$TRASH/data" graph build 2>err &&
	test_grep "attack-model.yaml:[0-9]*:[0-9]*: entry point .bomb.: col 13: invalid regular expression" err &&
	cp "$XSM_TOP"/config/attack-model.yaml data/ &&
	python3 - data/initiatives.yaml <<-\PY &&
	import sys, yaml
	d = yaml.safe_load(open(sys.argv[1]))
	d["metrics"].append({"id": "bomb", "name": "Bomb", "weight": "high",
	                     "assets": "label == \"device\"", "affected": "name ~ \"((a{1,100}){1,100}){1,100}\""})
	yaml.safe_dump(d, open(sys.argv[1], "w"))
	PY
	test_expect_code 78 timeout 60 "$XSM" -c data.dir="$TRASH/data" graph build 2>err &&
	test_grep "initiatives.yaml:[0-9]*:[0-9]*: metric .bomb.: affected: col 9: invalid regular expression: too complex" err
'

# the regex bomb: patterns that send a backtracking matcher into exponential
# time, over a 1,000,000-character name, as rules, a filter and a metric
test_expect_success 'the regex bomb: catastrophic patterns over a 1,000,000-character name finish in time' '
	xsm -q critical rule add Star --asset device --level 0 --when "name ~ \"(a*)*x\"" &&
	xsm -q critical rule add Alt --asset device --level 0 --when "name ~ \"^(a|aa)+\$x\"" &&
	xsm -q critical rule add Wide --asset device --level 1 --when "name ~ \"(a|b)*a(a|b){12}c\" or name ~ \"^pay-\"" &&
	timeout 120 "$XSM" -q graph build &&
	timeout 60 "$XSM" --format=json critical list >list.json &&
	json_get list.json "sorted((a[\"NodeName\"][:9], a[\"ruleNames\"]) for a in j[\"assets\"])" >got &&
	echo "[('"'"'pay-web01'"'"', ['"'"'Wide'"'"'])]" >want && test_cmp want got &&
	timeout 60 "$XSM" --format=jsonl graph nodes --where "name ~ \"(a|aa)*b\" or name ~ \"\\\\bpay\"" >nodes.jsonl &&
	test "$(wc -l <nodes.jsonl)" = 1
'

test_done
