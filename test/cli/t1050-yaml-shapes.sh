#!/bin/sh
test_description='YAML files: a value of the wrong kind (a list, a mapping or a value where another is expected) is an error with file:line:col (78), not ignored'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'setup' '
	xsm -q init &&
	echo "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"c:1\",\"name\":\"web01\"}" >one.jsonl &&
	xsm -q ingest --format records --source c one.jsonl
'

test_expect_success 'config.yaml: a section given a list or a value, a setting given a list' '
	printf "lock: [1, 2]\n" >"$XSM_STORE/config.yaml" &&
	test_expect_code 78 xsm status 2>err &&
	test_grep "config.yaml:1:7: .lock. must be a mapping of settings (lock.\*), not a list" err &&
	printf "paths: 3\n" >"$XSM_STORE/config.yaml" &&
	test_expect_code 78 xsm status 2>err &&
	test_grep "config.yaml:1:8: .paths. must be a mapping of settings" err &&
	printf "lock:\n  timeout: [1]\n" >"$XSM_STORE/config.yaml" &&
	test_expect_code 78 xsm status 2>err &&
	test_grep "config.yaml:2:12: .lock.timeout. must be a value, not a list" err &&
	printf -- "- lock\n" >"$XSM_STORE/config.yaml" &&
	test_expect_code 78 xsm status 2>err &&
	test_grep "config.yaml:1:1: expected a mapping of settings, not a list" err &&
	printf "lock:\n" >"$XSM_STORE/config.yaml" &&
	xsm status >/dev/null &&
	rm "$XSM_STORE/config.yaml"
'

test_expect_success 'rules/criticality.yaml: custom as a value, the document as a list, a rule field as a list' '
	mkdir -p "$XSM_STORE/rules" &&
	printf "custom: \"x\"\n" >"$XSM_STORE/rules/criticality.yaml" &&
	test_expect_code 78 xsm graph build 2>err &&
	test_grep "criticality.yaml:1:9: .custom. must be a list, not a value" err &&
	printf -- "- name: x\n" >"$XSM_STORE/rules/criticality.yaml" &&
	test_expect_code 78 xsm critical rule add Z --asset device --level 1 --when true 2>err &&
	test_grep "criticality.yaml:1:1: the document must be a mapping, not a list" err &&
	printf "overrides:\n  name: x\n" >"$XSM_STORE/rules/criticality.yaml" &&
	test_expect_code 78 xsm graph build 2>err &&
	test_grep "criticality.yaml:2:3: .overrides. must be a list, not a mapping" err &&
	printf "custom:\n  - name: A\n    asset: device\n    level: 1\n    when: \"true\"\n    enabled: [no]\n" >"$XSM_STORE/rules/criticality.yaml" &&
	test_expect_code 78 xsm graph build 2>err &&
	test_grep "criticality.yaml:6:14: .enabled. must be a value, not a list" err &&
	printf "custom:\noverrides: ~\n" >"$XSM_STORE/rules/criticality.yaml" &&
	xsm -q graph build &&
	rm "$XSM_STORE/rules/criticality.yaml"
'

test_expect_success 'rules/initiatives.yaml and the data files: the same' '
	printf "metrics: {id: x}\n" >"$XSM_STORE/rules/initiatives.yaml" &&
	test_expect_code 78 xsm graph build 2>err &&
	test_grep "initiatives.yaml:1:10: .metrics. must be a list, not a mapping" err &&
	rm "$XSM_STORE/rules/initiatives.yaml" &&
	mkdir -p data && cp "$XSM_TOP"/config/*.yaml data/ &&
	printf "target_level: 1\nedges: \"member of\"\n" >data/attack-model.yaml &&
	test_expect_code 78 xsm -c data.dir="$TRASH/data" graph build 2>err &&
	test_grep "attack-model.yaml:2:8: .edges. must be a list, not a value" err &&
	printf "entry_points:\n  - [a, b]\n" >data/attack-model.yaml &&
	test_expect_code 78 xsm -c data.dir="$TRASH/data" graph build 2>err &&
	test_grep "attack-model.yaml:2:5: an entry point must be a mapping, not a list" err &&
	cp "$XSM_TOP"/config/attack-model.yaml data/ &&
	printf -- "- classifications\n" >data/classifications.yaml &&
	test_expect_code 78 xsm -c data.dir="$TRASH/data" graph build 2>err &&
	test_grep "classifications.yaml:1:1: the document must be a mapping, not a list" err
'

test_done
