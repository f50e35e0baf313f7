build-dev/obj/lib/store.o: lib/store.c lib/store.h \
 include/exposure/store.h include/exposure/common.h \
 include/exposure/ctx.h lib/util/fs.h include/exposure/common.h \
 include/exposure/ctx.h lib/ctx.h include/exposure/config.h \
 include/exposure/errors.h lib/util/alloc.h lib/util/buf.h \
 include/exposure/jsonw.h lib/util/vec.h lib/util/alloc.h
lib/store.h:
include/exposure/store.h:
include/exposure/common.h:
include/exposure/ctx.h:
lib/util/fs.h:
include/exposure/common.h:
include/exposure/ctx.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/errors.h:
lib/util/alloc.h:
lib/util/buf.h:
include/exposure/jsonw.h:
lib/util/vec.h:
lib/util/alloc.h:
