build-dev/obj/lib/ctx.o: lib/ctx.c lib/ctx.h include/exposure/ctx.h \
 include/exposure/common.h include/exposure/config.h \
 include/exposure/ctx.h include/exposure/errors.h \
 include/exposure/version.h lib/util/alloc.h
lib/ctx.h:
include/exposure/ctx.h:
include/exposure/common.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
include/exposure/version.h:
lib/util/alloc.h:
