build-dev/pic/lib/adapt/json.o: lib/adapt/json.c lib/adapt/json.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/ctx.h include/exposure/config.h \
 include/exposure/ctx.h include/exposure/errors.h lib/util/buf.h
lib/adapt/json.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
lib/util/buf.h:
