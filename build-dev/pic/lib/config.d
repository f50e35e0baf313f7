build-dev/pic/lib/config.o: lib/config.c lib/adapt/yaml.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/ctx.h include/exposure/config.h \
 include/exposure/ctx.h include/exposure/errors.h lib/util/alloc.h \
 lib/util/buf.h lib/util/vec.h lib/util/alloc.h
lib/adapt/yaml.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
lib/util/alloc.h:
lib/util/buf.h:
lib/util/vec.h:
lib/util/alloc.h:
