#!/bin/sh
test_description='the vendor emulators speak their protocols (test/emu/selftest.py)'
. "$(dirname "$0")/../lib/test-lib.sh"

# the self-test prints its own TAP; here it is one test that fails when any of its checks do
test_expect_success 'emulator self-test: auth, paging, faults, gzip, incremental, shapes of the real fixtures' '
	python3 "$XSM_TOP/test/emu/selftest.py" >selftest.tap 2>&1 || { cat selftest.tap; false; } &&
	! grep "^not ok" selftest.tap &&
	test "$(grep -c "^ok" selftest.tap)" -ge 50
'

test_done
