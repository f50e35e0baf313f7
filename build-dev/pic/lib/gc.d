build-dev/pic/lib/gc.o: lib/gc.c lib/adapt/json.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/ctx.h include/exposure/config.h \
 include/exposure/ctx.h include/exposure/errors.h include/exposure/gc.h \
 include/exposure/store.h lib/store.h include/exposure/store.h \
 lib/util/fs.h lib/util/alloc.h lib/util/buf.h lib/util/vec.h \
 lib/util/alloc.h
lib/adapt/json.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
include/exposure/gc.h:
include/exposure/store.h:
lib/store.h:
include/exposure/store.h:
lib/util/fs.h:
lib/util/alloc.h:
lib/util/buf.h:
lib/util/vec.h:
lib/util/alloc.h:
