build-dev/obj/lib/graph_bin.o: lib/graph_bin.c lib/ctx.h \
 include/exposure/ctx.h include/exposure/common.h \
 include/exposure/config.h include/exposure/ctx.h \
 include/exposure/errors.h lib/graph.h include/exposure/graph.h \
 include/exposure/jsonw.h include/exposure/store.h \
 include/exposure/jsonw.h lib/util/strmap.h lib/util/arena.h \
 lib/util/vec.h lib/util/alloc.h lib/store.h include/exposure/store.h \
 lib/util/fs.h include/exposure/common.h lib/util/alloc.h lib/util/buf.h
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
lib/store.h:
include/exposure/store.h:
lib/util/fs.h:
include/exposure/common.h:
lib/util/alloc.h:
lib/util/buf.h:
