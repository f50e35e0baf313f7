build-dev/obj/lib/adapt/yaml.o: lib/adapt/yaml.c lib/adapt/yaml.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/ctx.h include/exposure/config.h \
 include/exposure/ctx.h include/exposure/errors.h lib/util/alloc.h \
 lib/util/buf.h lib/util/fs.h
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
lib/util/fs.h:
