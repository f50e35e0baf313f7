build-dev/pic/lib/util/strmap.o: lib/util/strmap.c lib/util/strmap.h \
 lib/util/arena.h include/exposure/errors.h include/exposure/common.h \
 lib/util/alloc.h
lib/util/strmap.h:
lib/util/arena.h:
include/exposure/errors.h:
include/exposure/common.h:
lib/util/alloc.h:
