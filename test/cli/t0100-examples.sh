#!/bin/sh
test_description='the C example builds against the public API and works'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'examples/sources lists the sources of a store' '
	printf "%s\n" "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"demo:1\",\"name\":\"a\"}" |
		xsm ingest --format records --source demo - &&
	"$BUILD/examples/sources" >out &&
	test_grep "^demo	ok	" out &&
	test_grep "	1 asset	0 findings	0 relations$" out
'

test_expect_success 'examples/sources reports a missing store' '
	test_must_fail "$BUILD/examples/sources" "$TRASH/none" 2>err &&
	test_grep "no store at" err
'

test_expect_success 'examples/live-demo.sh connects to the nine emulators, syncs, and syncs again incrementally' '
	sh "$XSM_TOP/examples/live-demo.sh" "$XSM" "$TRASH/live" 30 >live.out 2>&1 &&
	test_grep "^cmdb: stored run .* (incremental)" live.out &&
	for c in cmdb qualys rapid7 tenable mde entra azure wiz prisma; do test_grep "^$c: ok$" live.out || return 1; done &&
	sed -n "/^== the cloud path/,/^\$ xsm insights/p" live.out >cloud &&
	test_grep "^entry: .*internet-facing device with RCE" cloud &&
	test_grep "(managedidentity)" cloud && test_grep "has role on-->" cloud &&
	test_grep "kv-payments (microsoft.keyvault/vaults)" cloud &&
	test_grep "^  wiz  " cloud && test_grep "^  prisma  " cloud &&
	sed -n "/^entry: *frank.desk/,/^steps:/p" live.out >path &&
	test_grep "Service Desk (group)" path && test_grep "Cloud Ops (group)" path &&
	test_grep "kv-payments (microsoft.keyvault/vaults)" path &&
	test_grep "Vulnerability management" live.out &&
	test_grep "unknown references. counts findings and relations" live.out &&
	sed -n "/^== what changed in the graph/,/^== and the events/p" live.out >diff &&
	test_grep "^~ node " diff && test_grep "^      [A-Za-z.]*: .* -> " diff
'

test_expect_success 'only xsm_ symbols are exported by libexposure.so' '
	nm -D --defined-only "$BUILD/lib/libexposure.so" | awk "{print \$3}" | grep -v "^xsm_" | grep -v "^XSM_" >bad || true &&
	test ! -s bad
'

test_expect_success 'public headers compile alone as C99 and C++' '
	for h in "$XSM_TOP"/include/exposure.h "$XSM_TOP"/include/exposure/*.h; do
		cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$XSM_TOP/include" -fsyntax-only -x c "$h" || exit 1
		if command -v g++ >/dev/null; then
			g++ -Wall -Wextra -pedantic -Werror -I"$XSM_TOP/include" -fsyntax-only -x c++ "$h" || exit 1
		fi
	done
'

test_done
