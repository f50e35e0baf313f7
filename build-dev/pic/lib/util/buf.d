build-dev/pic/lib/util/buf.o: lib/util/buf.c lib/util/buf.h \
 include/exposure/common.h include/exposure/errors.h \
 include/exposure/common.h lib/util/alloc.h
lib/util/buf.h:
include/exposure/common.h:
include/exposure/errors.h:
include/exposure/common.h:
lib/util/alloc.h:
