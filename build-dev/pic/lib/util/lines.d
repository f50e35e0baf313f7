build-dev/pic/lib/util/lines.o: lib/util/lines.c lib/util/lines.h \
 include/exposure/errors.h include/exposure/common.h lib/util/alloc.h
lib/util/lines.h:
include/exposure/errors.h:
include/exposure/common.h:
lib/util/alloc.h:
