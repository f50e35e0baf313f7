build-dev/obj/lib/graph_export.o: lib/graph_export.c lib/ctx.h \
 include/exposure/ctx.h include/exposure/common.h \
 include/exposure/config.h include/exposure/ctx.h \
 include/exposure/errors.h lib/graph.h include/exposure/graph.h \
 include/exposure/jsonw.h include/exposure/store.h \
 include/exposure/jsonw.h lib/util/strmap.h lib/util/arena.h \
 lib/util/vec.h lib/util/alloc.h lib/util/alloc.h lib/util/buf.h \
 include/exposure/common.h lib/util/fs.h
lib/ctx.h:
include/exposure/ctx.h:
include/exposure/common.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
lib/graph.h:
include/exposure/graph.h:
include/exposure/jsonw.h:
include/exposure/store.h:
include/exposure/jsonw.h:
lib/util/strmap.h:
lib/util/arena.h:
lib/util/vec.h:
lib/util/alloc.h:
lib/util/alloc.h:
lib/util/buf.h:
include/exposure/common.h:
lib/util/fs.h:
