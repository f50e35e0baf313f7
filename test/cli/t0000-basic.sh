#!/bin/sh
test_description='version, help, usage and exit codes'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'xsm --version names the version' '
	xsm --version >out &&
	test_grep "^xsm 0\." out
'

test_expect_success 'xsm with no command prints usage and exits 64' '
	test_expect_code 64 xsm 2>err &&
	test_grep "usage: xsm" err
'

test_expect_success 'an unknown command exits 64 with a usage line' '
	test_expect_code 64 xsm frobnicate 2>err &&
	test_grep "not an xsm command" err &&
	test_grep "^usage: " err
'

test_expect_success 'an unknown global option exits 64' '
	test_expect_code 64 xsm --frob status 2>err &&
	test_grep "unknown option" err
'

test_expect_success 'an unknown command option exits 64 with the command usage' '
	xsm init &&
	test_expect_code 64 xsm status --bogus 2>err &&
	test_grep "usage: xsm status" err
'

test_expect_success 'xsm help lists the commands' '
	xsm help >out &&
	test_grep "ingest" out && test_grep "status" out
'

test_expect_success 'xsm help CMD prints its usage without a terminal' '
	xsm help ingest >out &&
	test_grep "usage: xsm ingest" out
'

test_expect_success 'xsm help of an unknown command is a usage error' '
	test_expect_code 64 xsm help nope 2>err
'

test_expect_success 'CMD -h prints the usage and exits 0, without a store' '
	XSM_STORE=$TRASH/none xsm status -h >out &&
	test_grep "usage: xsm status" out &&
	test ! -e "$TRASH/none"
'

test_expect_success 'a command that needs a store says so (exit 66)' '
	test_expect_code 66 xsm --store "$TRASH/missing" status 2>err &&
	test_grep "no store at" err
'

test_expect_success 'writing to a closed stdout is an I/O error, not a crash' '
	xsm init &&
	test_expect_code 74 xsm status >/dev/full
'

test_done
