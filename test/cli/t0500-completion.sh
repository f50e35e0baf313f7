#!/bin/sh
test_description='shell completion: commands, options, connector names, snapshot ids, tags, rules and node names (bash, zsh)'
. "$(dirname "$0")/../lib/test-lib.sh"
COMP="$XSM_TOP/config/completion"

# bash_complete WORD...: what the bash completion offers for the last WORD, one a line
bash_complete() {
	bash -c '
		. "$1/xsm.bash" || exit 1
		shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
		_xsm
		printf "%s\n" "${COMPREPLY[@]}" | sed "/^\$/d" | sort' bash "$COMP" "$XSM" "$@"
}

test_expect_success 'setup: the demo enterprise, a tag, a connector, a custom rule' '
	sh "$XSM_TOP/examples/demo.sh" "$XSM" "$TRASH/demo" >demo.out 2>&1 &&
	export XSM_STORE="$TRASH/demo/store" XSM_NOW=2026-12-01T00:00:00Z &&
	xsm -q graph tag before-kiosk 20261123T070000Z-0001 &&
	P=x xsm -q connect add servicenow my-cmdb --url https://cmdb.example.com --username u --password-env P &&
	xsm -q critical rule add "SQL servers" --asset device --level 1 --when "name ~ \"^sql\""
'
export XSM_STORE="$TRASH/demo/store" XSM_NOW=2026-12-01T00:00:00Z

test_expect_success 'bash: the script parses, and registers _xsm for xsm' '
	bash -n "$COMP/xsm.bash" &&
	bash -c ". \"$COMP/xsm.bash\" && complete -p xsm" >reg &&
	test_grep "complete -F _xsm xsm" reg
'

test_expect_success 'bash: commands, from xsm help' '
	bash_complete "" >out &&
	xsm help | sed -n "s/^  \([a-z][a-z-]*\) .*/\1/p" | sort >want &&
	test_cmp want out &&
	bash_complete cr >out && echo critical >want && test_cmp want out &&
	bash_complete --format json co >out && printf "config\nconnect\n" >want && test_cmp want out
'

test_expect_success 'bash: global options and -c keys' '
	bash_complete --st >out && echo --store >want && test_cmp want out &&
	bash_complete -c paths.max_h >out && echo paths.max_hops= >want && test_cmp want out &&
	bash_complete --format "" >out && printf "json\njsonl\ntable\n" >want && test_cmp want out
'

test_expect_success 'bash: subcommands and their options, from -h' '
	bash_complete graph "" >out &&
	printf "build\ndiff\nedges\nexport\nlog\nmatch\nnodes\nshow\nstats\ntag\n" >want && test_cmp want out &&
	bash_complete graph match -- >out &&
	printf -- "--format=\n--help\n--limit\n--max-results\n" >want && test_cmp want out &&
	bash_complete graph nodes -- >out &&
	printf -- "--format=\n--help\n--label\n--limit\n--where\n" >want && test_cmp want out &&
	bash_complete critical rule "" >out && test_grep "^list$" out && test_grep "^disable$" out &&
	bash_complete critical rule add x -- >out && test_grep "^--when$" out && test_grep ! "^--limit$" out &&
	bash_complete paths list --min-risk "" >out && printf "critical\nhigh\nlow\nmedium\n" >want && test_cmp want out &&
	bash_complete graph export --format "" >out && test_grep "^neo4j$" out &&
	bash_complete paths "" >out && test_grep "^whatif$" out &&
	bash_complete paths whatif --top >out && echo --top-fixes >want && test_cmp want out &&
	bash_complete paths whatif --isolate jump >out && echo jump01.contoso.local >want && test_cmp want out
'

test_expect_success 'bash: connector names' '
	bash_complete connect test "" >out && echo my-cmdb >want && test_cmp want out &&
	bash_complete ingest my >out && test_cmp want out &&
	bash_complete connect add "" >out && test_grep "^tenable$" out
'

test_expect_success 'bash: snapshot ids and tags' '
	bash_complete graph diff "" >out &&
	# the rule added in setup re-evaluated the graph as a third snapshot
	printf "20261123T070000Z-0001\n20261130T070000Z-0001\n20261201T000000Z-0001\nbefore-kiosk\n" >want && test_cmp want out &&
	bash_complete paths check --fail-on high --baseline be >out && echo before-kiosk >want && test_cmp want out &&
	bash_complete graph tag --delete "" >out && echo before-kiosk >want && test_cmp want out &&
	bash_complete graph tag v2 2026 >out && test "$(wc -l <out)" = 3
'

test_expect_success 'bash: node names, by prefix' '
	bash_complete graph show jump >out && echo jump01.contoso.local >want && test_cmp want out &&
	bash_complete paths blast-radius dc0 >out && printf "dc01.contoso.local\ndc02.contoso.local\n" >want && test_cmp want out &&
	bash_complete paths list --target kiosk >out && echo kiosk01.contoso.local >want && test_cmp want out &&
	bash_complete critical set jane >out && echo jane.da >want && test_cmp want out
'

test_expect_success 'bash: rule names with spaces come quoted' '
	bash_complete critical rule disable "SQL" >out && echo "SQL\\ servers" >want && test_cmp want out &&
	bash_complete critical rule level "Domain Controller" "" >out && test_grep "^very-high$" out
'

test_expect_success 'bash: --store given on the line is the store asked' '
	mkdir empty && (export XSM_STORE="$TRASH/empty"; bash_complete --store "$TRASH/demo/store" connect show "") >out &&
	echo my-cmdb >want && test_cmp want out &&
	bash_complete --store "$TRASH/none" connect show "" >out && test ! -s out &&
	test ! -e "$TRASH/none" # completing never creates a store
'

test_expect_success 'bash: node lookup is limited, so a large store stays responsive' '
	for i in $(seq 1 150); do
		printf "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"s:%d\",\"name\":\"host-%03d\"}\n" $i $i
	done >many.jsonl &&
	XSM_STORE="$TRASH/many" xsm -q ingest --format records --source s many.jsonl &&
	(export XSM_STORE="$TRASH/many"; bash_complete graph show host-) >out &&
	test "$(wc -l <out)" = 100 &&
	(export XSM_STORE="$TRASH/many"; bash_complete graph show host-14) >out &&
	test "$(wc -l <out)" = 10 && test_grep "^host-149$" out
'

test_expect_success 'bash: files after ingest --format records' '
	touch records.jsonl &&
	bash_complete ingest --format records --source x rec >out && echo records.jsonl >want && test_cmp want out
'

test_expect_success 'bash: access roles and grantees, audit users, the serve socket' '
	xsm -q access grant alice security-reader 2>/dev/null &&
	bash_complete access grant alice sec >out &&
	printf "security-admin\nsecurity-operator\nsecurity-reader\n" >want && test_cmp want out &&
	bash_complete access revoke "" >out && echo alice >want && test_cmp want out &&
	bash_complete access "" >out && printf "grant\nlist\nrevoke\nwhoami\n" >want && test_cmp want out &&
	bash_complete audit --us >out && echo --user >want && test_cmp want out &&
	bash_complete audit --user roo >out && test_grep "^root\$" out &&
	bash_complete serve --so >out && echo --socket >want && test_cmp want out
'

if command -v zsh >/dev/null; then
	# zsh_complete WORD...: what _xsm offers for the last WORD (compadd and _files stubbed)
	zsh_complete() {
		zsh -f -c '
			compadd() { while (( $# )) && [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done
				[[ $1 == -- ]] && shift; print -rl -- "$@" | grep -F -- "$PREFIX" | grep -- "^${(b)PREFIX}" }
			_files() { print -- "<files>" }
			source "$1/_xsm" >/dev/null 2>&1
			shift
			words=("$@"); CURRENT=$#words; PREFIX=$words[-1]
			_xsm | sort' zsh "$COMP" "$XSM" "$@"
	}
	test_expect_success 'zsh: the script parses' '
		zsh -n "$COMP/_xsm" && head -1 "$COMP/_xsm" | grep "^#compdef xsm$"
	'
	test_expect_success 'zsh: commands, subcommands, options and the store'"'"'s names, as bash offers them' '
		zsh_complete "" >out && bash_complete "" >want && test_cmp want out &&
		zsh_complete graph nodes -- >out && printf -- "--format=\n--help\n--label\n--limit\n--where\n" >want && test_cmp want out &&
		zsh_complete connect test "" >out && echo my-cmdb >want && test_cmp want out &&
		zsh_complete graph diff "" >out && bash_complete graph diff "" >want && test_cmp want out &&
		zsh_complete graph show jump >out && echo jump01.contoso.local >want && test_cmp want out &&
		zsh_complete critical rule disable SQL >out && echo "SQL servers" >want && test_cmp want out &&
		zsh_complete ingest --format records "" >out && echo "<files>" >want && test_cmp want out
	'
else
	test_skip 'zsh completion' 'zsh is not installed'
fi

test_done
