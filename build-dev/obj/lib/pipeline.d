build-dev/obj/lib/pipeline.o: lib/pipeline.c lib/ctx.h \
 include/exposure/ctx.h include/exposure/common.h \
 include/exposure/config.h include/exposure/ctx.h \
 include/exposure/errors.h lib/events.h include/exposure/events.h \
 include/exposure/store.h include/exposure/graph.h \
 include/exposure/jsonw.h include/exposure/critical.h \
 include/exposure/graph.h include/exposure/insights.h \
 include/exposure/paths.h lib/graph.h include/exposure/jsonw.h \
 lib/util/strmap.h lib/util/arena.h lib/util/vec.h lib/util/alloc.h \
 lib/paths.h lib/store.h include/exposure/store.h lib/util/fs.h \
 include/exposure/common.h lib/util/buf.h
lib/ctx.h:
include/exposure/ctx.h:
include/exposure/common.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
lib/events.h:
include/exposure/events.h:
include/exposure/store.h:
include/exposure/graph.h:
include/exposure/jsonw.h:
include/exposure/critical.h:
include/exposure/graph.h:
include/exposure/insights.h:
include/exposure/paths.h:
lib/graph.h:
include/exposure/jsonw.h:
lib/util/strmap.h:
lib/util/arena.h:
lib/util/vec.h:
lib/util/alloc.h:
lib/paths.h:
lib/store.h:
include/exposure/store.h:
lib/util/fs.h:
include/exposure/common.h:
lib/util/buf.h:
