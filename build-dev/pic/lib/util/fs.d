build-dev/pic/lib/util/fs.o: lib/util/fs.c lib/util/fs.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/ctx.h include/exposure/config.h \
 include/exposure/ctx.h include/exposure/errors.h lib/util/alloc.h \
 lib/util/buf.h
lib/util/fs.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
lib/util/alloc.h:
lib/util/buf.h:
