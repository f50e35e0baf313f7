#!/bin/sh
test_description='make install puts a usable library, headers, pkg-config file, man pages and xsm in PREFIX'
. "$(dirname "$0")/../lib/test-lib.sh"

if [ -n "$XSM_SANITIZED" ] || [ "$BUILD" != "$XSM_TOP/build" ]; then
	test_skip 'install' 'only for the default build tree'
	test_done
fi

P="$TRASH/prefix"
# a stand-in for ldconfig that says when and how it ran
printf '#!/bin/sh\necho "ldconfig $*" >>"%s/ldconfig.log"\n' "$TRASH" >fake-ldconfig && chmod +x fake-ldconfig

test_expect_success 'make install into a prefix' '
	make -s -C "$XSM_TOP" install PREFIX="$P" LDCONFIG="$TRASH/fake-ldconfig" >out 2>&1 &&
	test -x "$P/bin/xsm" &&
	test -f "$P/lib/libexposure.so.0.1.0" &&
	test "$(readlink "$P/lib/libexposure.so.0")" = libexposure.so.0.1.0 &&
	test -f "$P/include/exposure.h" && test -f "$P/include/exposure/store.h" &&
	test -f "$P/share/man/man1/xsm.1" && test -f "$P/share/man/man5/xsm-store.5" &&
	test -f "$P/share/man/man1/xsm-config.1" &&
	test -f "$P/share/bash-completion/completions/xsm" && test -f "$P/share/zsh/site-functions/_xsm" &&
	test -f "$P/share/xsm/classifications.yaml" && test ! -e "$P/share/xsm/completion" &&
	test -f "$P/lib/pkgconfig/libexposure.pc"
'

test_expect_success 'installing into the system (no DESTDIR) runs ldconfig, as root' '
	if [ "$(id -u)" = 0 ]; then
		test "$(cat ldconfig.log)" = "ldconfig "
	else
		test ! -e ldconfig.log && test_grep "run ldconfig as root" out
	fi
'

test_expect_success 'a staged install (DESTDIR) does not run ldconfig, and its pkg-config file names the PREFIX' '
	rm -f ldconfig.log &&
	make -s -C "$XSM_TOP" install DESTDIR="$TRASH/stage" PREFIX=/opt/xsm LDCONFIG="$TRASH/fake-ldconfig" >out 2>&1 &&
	test ! -e ldconfig.log &&
	test -x "$TRASH/stage/opt/xsm/bin/xsm" && test -f "$TRASH/stage/opt/xsm/lib/libexposure.a" &&
	test_grep "^prefix=/opt/xsm$" "$TRASH/stage/opt/xsm/lib/pkgconfig/libexposure.pc"
'

test_expect_success 'libexposure.a is installed, and a program links it statically' '
	test -f "$P/lib/libexposure.a" &&
	PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --static --libs libexposure >sflags &&
	test_grep "\-lcurl" sflags &&
	cc -I"$P/include" "$XSM_TOP/examples/sources.c" "$P/lib/libexposure.a" $(sed "s/-lexposure//" sflags) -o sources-static &&
	! ldd ./sources-static | grep -q libexposure &&
	"$P/bin/xsm" init >/dev/null &&
	./sources-static >sout
'

test_expect_success 'the soname is libexposure.so.0' '
	objdump -p "$P/lib/libexposure.so.0.1.0" | grep SONAME >so &&
	test_grep "libexposure.so.0" so
'

test_expect_success 'pkg-config needs none of the private dependencies'"'"' .pc files to link dynamically' '
	# PKG_CONFIG_LIBDIR replaces the system search path: only libexposure.pc is visible,
	# as on a machine without libcurl4-openssl-dev, libcjson-dev, libyaml-dev, libxml2-dev
	PKG_CONFIG_LIBDIR="$P/lib/pkgconfig" pkg-config --cflags --libs libexposure >flags &&
	test "$(echo $(cat flags))" = "-I$P/include -L$P/lib -lexposure" &&
	test_grep ! "Requires" "$P/lib/pkgconfig/libexposure.pc"
'

test_expect_success 'examples/sources.c builds with pkg-config against the installed tree and runs' '
	printf "%s\n" "{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"cmdb:1\",\"name\":\"a\"}" |
		LD_LIBRARY_PATH="$P/lib" "$P/bin/xsm" -q ingest --format records --source cmdb - &&
	cc "$XSM_TOP/examples/sources.c" $(PKG_CONFIG_LIBDIR="$P/lib/pkgconfig" pkg-config --cflags --libs libexposure) -o sources &&
	LD_LIBRARY_PATH="$P/lib" ./sources >out &&
	test_grep "^cmdb	ok	.*	1 asset	0 findings	0 relations$" out &&
	LD_LIBRARY_PATH="$P/lib" ldd ./sources | grep "libexposure.so.0 => $P/lib/libexposure.so.0"
'

test_expect_success 'the installed xsm finds the data installed beside it, whatever PREFIX the library was built for' '
	LD_LIBRARY_PATH= "$P/bin/xsm" config show >cfg &&
	test_grep "^data.dir  *$P/share/xsm  *installed beside xsm$" cfg &&
	XSM_STORE="$TRASH/s2" LD_LIBRARY_PATH= "$P/bin/xsm" -q init &&
	XSM_STORE="$TRASH/s2" LD_LIBRARY_PATH= "$P/bin/xsm" critical rule list >rules &&
	test_grep "^Domain Controller " rules
'

test_expect_success 'make uninstall removes it again' '
	make -s -C "$XSM_TOP" uninstall PREFIX="$P" LDCONFIG="$TRASH/fake-ldconfig" >out 2>&1 &&
	test ! -e "$P/bin/xsm" && test ! -e "$P/lib/libexposure.so.0" && test ! -e "$P/lib/libexposure.a" &&
	test ! -e "$P/include/exposure.h" && test ! -e "$P/share/man/man1/xsm.1" &&
	test ! -e "$P/share/bash-completion/completions/xsm" && test ! -e "$P/share/zsh/site-functions/_xsm"
'

test_done
