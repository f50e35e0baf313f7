#!/bin/sh
test_description='documentation: every command has a man page whose SYNOPSIS is its -h'
. "$(dirname "$0")/../lib/test-lib.sh"
MAN="$XSM_TOP/man"

commands() {
	xsm help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

# the SYNOPSIS block of a page, one form a line, roff escapes undone
synopsis() {
	sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$1" | sed '1d;$d' | grep -v '^\.' |
		sed 's/^\.br$//' |
		sed 's/\\-/-/g; s/\\(bu/*/g; s/\\&//g'
}

test_expect_success 'the command list is not empty' '
	commands >cmds && test -s cmds
'

for c in $(commands); do
	[ "$c" = help ] && continue
	test_expect_success "xsm $c has a man page" '
		test -f "$MAN/man1/xsm-'"$c"'.1"
	'
	test_expect_success "xsm $c -h equals its SYNOPSIS" '
		xsm '"$c"' -h | sed "s/^usage: //; s/^   or: //" >actual &&
		synopsis "$MAN/man1/xsm-'"$c"'.1" >expect &&
		test_cmp expect actual
	'
	test_expect_success "xsm(1) lists $c" '
		grep -q "xsm\\\\-'"$c"' (1)\|^\.B '"$c"'\$" "$MAN/man1/xsm.1"
	'
done

# groff is not in APT_PACKAGES (groff-base comes with man-db on most systems)
if command -v groff >/dev/null; then
	test_expect_success 'every man page renders without a troff warning, in print and on an 80-column terminal' '
		for f in "$MAN"/man*/*.[157]; do
			for dev in ps utf8 ascii; do
				groff -man -T$dev -ww -z "$f" 2>err || exit 1
				test ! -s err || { echo "$f (-T$dev):"; cat err; exit 1; }
			done
		done
	'
else
	test_skip 'every man page renders without a troff warning' 'no groff'
fi

test_expect_success 'mandoc -Tlint finds no errors (when installed)' '
	if command -v mandoc >/dev/null; then
		for f in "$MAN"/man*/*.[157]; do
			mandoc -Tlint -Werror "$f" || exit 1
		done
	fi
'

test_done
