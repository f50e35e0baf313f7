#!/bin/sh
test_description='README: after make demo, the "Using it" walk-through works as written, on the demo'"'"'s own store'
. "$(dirname "$0")/../lib/test-lib.sh"
README="$XSM_TOP/README.md"

# the first ```sh block after "## Using it", continuation lines joined
walkthrough() {
	awk '/^## Using it/ { s = 1 } s && /^```sh/ { b = 1; next } b && /^```/ { exit } b' "$README" |
		sed -e :a -e '/\\$/N; s/\\\n//; ta'
}

test_expect_success 'make demo keeps its own store under the build directory' '
	grep -A2 "^demo:" "$XSM_TOP/Makefile" | grep "examples/demo.sh \$(abspath \$(XSM)) \$(abspath \$(BUILD))/demo" &&
	# the user'"'"'s store (XSM_STORE here) is not touched, whatever XSM_STORE says
	sh "$XSM_TOP/examples/demo.sh" "$XSM" "$TRASH/build/demo" >demo.out 2>&1 &&
	test -f "$TRASH/build/demo/store/format" &&
	test ! -e "$XSM_STORE" &&
	test_grep "^export XSM_STORE=\"$TRASH/build/demo/store\"$" demo.out
'

test_expect_success 'the README says how to point xsm at the demo store' '
	walkthrough >walk.sh &&
	test "$(wc -l <walk.sh)" -ge 15 &&
	test_grep "^export XSM_STORE=\"\$PWD/build/demo/store\"" walk.sh &&
	test_grep "^export PATH=\"\$PWD/build/bin:\$PATH\"" walk.sh
'

# Every line runs as written from a directory laid out like the source tree
# after make demo: build/demo/store, build/bin/xsm (this build's), examples/.
# The README's own export lines set PATH and XSM_STORE.
mkdir -p "$TRASH/tree" "$TRASH/build/bin" &&
	ln -s "$XSM_TOP/examples" "$TRASH/tree/examples" &&
	ln -s "$TRASH/build" "$TRASH/tree/build" &&
	ln -s "$XSM" "$TRASH/build/bin/xsm"
walkthrough | while IFS= read -r line; do
	case "$line" in
	"export "*)
		continue ;; # run before every line below
	*"| jq"*)
		if ! command -v jq >/dev/null; then
			echo "skip	$line	jq is not installed"
			continue
		fi ;;
	*"--format=svg"*)
		if ! command -v dot >/dev/null; then
			echo "skip	$line	graphviz is not installed"
			continue
		fi ;;
	esac
	# "exit 1" in its comment: the line is meant to fail the gate
	case "$line" in *"exit 1"*) want=1 ;; *) want=0 ;; esac
	echo "run	$want	$line"
done >plan
walkthrough | grep "^export " >exports

test_expect_success 'the walk-through has commands to run' '
	test "$(grep -c "^run" plan)" -ge 15 &&
	test "$(wc -l <exports)" = 2
'

while IFS="	" read -r what a b; do
	if [ "$what" = skip ]; then
		test_skip "README: $(printf "%s" "$a" | sed "s/  *#.*//")" "$b"
		continue
	fi
	test_expect_success "README: $(printf "%s" "$b" | sed "s/  *#.*//")" '
		cd "$TRASH/tree" &&
		. "$TRASH/exports" &&
		test "$(sh -c "command -v xsm")" = "$TRASH/tree/build/bin/xsm" &&
		test "$XSM_STORE" = "$TRASH/tree/build/demo/store" &&
		unset XSM_NOW &&
		test_expect_code '"$a"' sh -c "$(printf "%s" "$b" | sed "s/  *#.*//")" >out 2>err ||
			{ cat err; false; }
	'
done <plan

test_expect_success 'every node the README names exists in the demo data' '
	grep -o "\(graph show\|blast-radius\|critical set\|--target\|--entry\) [A-Za-z0-9._-]*" "$README" |
		sed "s/.* //" | sort -u >nodes &&
	test -s nodes &&
	while read -r n; do
		XSM_STORE="$TRASH/build/demo/store" xsm graph show "$n" >/dev/null || { echo "no node $n"; exit 1; }
	done <nodes
'

test_expect_success 'the connector walk-through is skipped: it needs a live vendor account' '
	awk "/^## Using it/ { s = 1 } s && /^\`\`\`sh/ { n++ } n == 2" "$README" >live &&
	test_grep "xsm connect add servicenow" live
'

test_done
