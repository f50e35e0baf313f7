build-dev/obj/lib/insights.o: lib/insights.c lib/adapt/json.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/adapt/yaml.h lib/ctx.h \
 include/exposure/config.h include/exposure/ctx.h \
 include/exposure/errors.h include/exposure/critical.h \
 include/exposure/graph.h include/exposure/jsonw.h \
 include/exposure/store.h include/exposure/insights.h lib/expr.h \
 lib/graph.h include/exposure/graph.h include/exposure/jsonw.h \
 lib/util/strmap.h lib/util/arena.h lib/util/vec.h lib/util/alloc.h \
 lib/store.h include/exposure/store.h lib/util/fs.h lib/util/alloc.h \
 lib/util/arena.h lib/util/buf.h
lib/adapt/json.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/adapt/yaml.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
include/exposure/critical.h:
include/exposure/graph.h:
include/exposure/jsonw.h:
include/exposure/store.h:
include/exposure/insights.h:
lib/expr.h:
lib/graph.h:
include/exposure/graph.h:
include/exposure/jsonw.h:
lib/util/strmap.h:
lib/util/arena.h:
lib/util/vec.h:
lib/util/alloc.h:
lib/store.h:
include/exposure/store.h:
lib/util/fs.h:
lib/util/alloc.h:
lib/util/arena.h:
lib/util/buf.h:
