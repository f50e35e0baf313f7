build-dev/obj/lib/graph.o: lib/graph.c lib/graph.h \
 include/exposure/graph.h include/exposure/common.h \
 include/exposure/ctx.h include/exposure/jsonw.h include/exposure/store.h \
 include/exposure/jsonw.h lib/util/strmap.h lib/util/arena.h \
 lib/util/vec.h lib/util/alloc.h lib/ctx.h include/exposure/ctx.h \
 include/exposure/config.h include/exposure/errors.h lib/util/alloc.h \
 lib/util/buf.h include/exposure/common.h
lib/graph.h:
include/exposure/graph.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/jsonw.h:
include/exposure/store.h:
include/exposure/jsonw.h:
lib/util/strmap.h:
lib/util/arena.h:
lib/util/vec.h:
lib/util/alloc.h:
lib/ctx.h:
include/exposure/ctx.h:
include/exposure/config.h:
include/exposure/errors.h:
lib/util/alloc.h:
lib/util/buf.h:
include/exposure/common.h:
