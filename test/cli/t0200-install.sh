#!/bin/sh
test_description='make install puts a usable library, headers, pkg-config file, man pages and xsm in PREFIX'
. "$(dirname "$0")/../lib/test-lib.sh"

if [ -n "$XSM_SANITIZED" ] || [ "$BUILD" != "$XSM_TOP/build" ]; then
	test_skip 'install' 'only for the default build tree'
	test_done
fi

P="$TRASH/prefix"

test_expect_success 'make install into a prefix' '
	make -s -C "$XSM_TOP" install PREFIX="$P" >out 2>&1 &&
	test -x "$P/bin/xsm" &&
	test -f "$P/lib/libexposure.so.0.1.0" &&
	test "$(readlink "$P/lib/libexposure.so.0")" = libexposure.so.0.1.0 &&
	test -f "$P/include/exposure.h" && test -f "$P/include/exposure/store.h" &&
	test -f "$P/share/man/man1/xsm.1" && test -f "$P/share/man/man5/xsm-store.5" &&
	test -f "$P/lib/pkgconfig/libexposure.pc"
'

test_expect_success 'the soname is libexposure.so.0' '
	objdump -p "$P/lib/libexposure.so.0.1.0" | grep SONAME >so &&
	test_grep "libexposure.so.0" so
'

test_expect_success 'a program builds with pkg-config against the installed library' '
	PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --cflags --libs libexposure >flags &&
	cc "$XSM_TOP/examples/sources.c" $(cat flags) -Wl,-rpath,"$P/lib" -o sources &&
	LD_LIBRARY_PATH= "$P/bin/xsm" init >/dev/null &&
	LD_LIBRARY_PATH= ./sources >out
'

test_expect_success 'make uninstall removes it again' '
	make -s -C "$XSM_TOP" uninstall PREFIX="$P" >out 2>&1 &&
	test ! -e "$P/bin/xsm" && test ! -e "$P/lib/libexposure.so.0" &&
	test ! -e "$P/include/exposure.h" && test ! -e "$P/share/man/man1/xsm.1"
'

test_done
