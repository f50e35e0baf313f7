build-dev/pic/lib/adapt/http.o: lib/adapt/http.c lib/adapt/http.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/ctx.h include/exposure/config.h \
 include/exposure/ctx.h include/exposure/errors.h lib/util/alloc.h \
 include/exposure/version.h lib/util/buf.h
lib/adapt/http.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
lib/util/alloc.h:
include/exposure/version.h:
lib/util/buf.h:
