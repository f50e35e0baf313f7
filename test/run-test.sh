#!/bin/sh
# run-test.sh - how prove runs each test: C unit binaries, shell CLI tests,
# Python emulator tests and fuzz replays, with the build tree on the paths.
# XSM_VALGRIND=1 runs the C programs under valgrind.
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
export BUILD XSM_TOP="$top"
export LD_LIBRARY_PATH="$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export XSM="${XSM:-$BUILD/bin/xsm}"
# leaks that are third parties', not xsm's (fontconfig's, under cairo): told
# to LeakSanitizer (make check-asan) and to valgrind
export LSAN_OPTIONS="suppressions=$top/test/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
vg=
if [ -n "$XSM_VALGRIND" ]; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$top/test/valgrind.supp"
	export XSM_WRAP="$vg"
fi
case "$1" in
*.sh) exec sh "$1" ;;
*.py) exec python3 "$1" ;;
*.replay) exec $vg "${1%.replay}" "$top/test/fuzz/corpus/$(basename "${1%.replay}" | sed 's/^fuzz_//')" ;;
*) exec $vg "$1" ;;
esac
