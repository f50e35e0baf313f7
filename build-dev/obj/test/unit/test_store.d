build-dev/obj/test/unit/test_store.o: test/unit/test_store.c \
 test/lib/tap.h include/exposure.h include/exposure/common.h \
 include/exposure/errors.h include/exposure/common.h \
 include/exposure/version.h include/exposure/ctx.h \
 include/exposure/config.h include/exposure/ctx.h \
 include/exposure/connect.h include/exposure/store.h \
 include/exposure/jsonw.h include/exposure/store.h \
 include/exposure/records.h include/exposure/gc.h \
 include/exposure/graph.h include/exposure/jsonw.h \
 include/exposure/critical.h include/exposure/graph.h \
 include/exposure/paths.h include/exposure/insights.h \
 include/exposure/events.h include/exposure/graph.h lib/adapt/yaml.h \
 include/exposure/common.h include/exposure/ctx.h lib/record.h \
 lib/adapt/json.h include/exposure/records.h lib/util/fs.h \
 lib/util/strmap.h lib/util/arena.h lib/util/alloc.h
test/lib/tap.h:
include/exposure.h:
include/exposure/common.h:
include/exposure/errors.h:
include/exposure/common.h:
include/exposure/version.h:
include/exposure/ctx.h:
include/exposure/config.h:
include/exposure/ctx.h:
include/exposure/connect.h:
include/exposure/store.h:
include/exposure/jsonw.h:
include/exposure/store.h:
include/exposure/records.h:
include/exposure/gc.h:
include/exposure/graph.h:
include/exposure/jsonw.h:
include/exposure/critical.h:
include/exposure/graph.h:
include/exposure/paths.h:
include/exposure/insights.h:
include/exposure/events.h:
include/exposure/graph.h:
lib/adapt/yaml.h:
include/exposure/common.h:
include/exposure/ctx.h:
lib/record.h:
lib/adapt/json.h:
include/exposure/records.h:
lib/util/fs.h:
lib/util/strmap.h:
lib/util/arena.h:
lib/util/alloc.h:
