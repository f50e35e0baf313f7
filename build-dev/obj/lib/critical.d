build-dev/obj/lib/critical.o: lib/critical.c lib/adapt/yaml.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/ctx.h include/exposure/config.h \
 include/exposure/ctx.h include/exposure/errors.h \
 include/exposure/critical.h include/exposure/graph.h \
 include/exposure/jsonw.h include/exposure/store.h lib/expr.h lib/graph.h \
 include/exposure/graph.h include/exposure/jsonw.h lib/util/strmap.h \
 lib/util/arena.h lib/util/vec.h lib/util/alloc.h lib/store.h \
 include/exposure/store.h lib/util/fs.h lib/util/alloc.h lib/util/buf.h
lib/adapt/yaml.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/errors.h:
include/exposure/critical.h:
include/exposure/graph.h:
include/exposure/jsonw.h:
include/exposure/store.h:
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
lib/util/buf.h:
