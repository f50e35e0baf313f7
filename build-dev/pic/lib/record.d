build-dev/pic/lib/record.o: lib/record.c lib/record.h lib/adapt/json.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h include/exposure/records.h \
 include/exposure/ctx.h include/exposure/store.h lib/util/fs.h \
 lib/util/strmap.h lib/util/arena.h lib/ctx.h include/exposure/config.h \
 include/exposure/errors.h lib/store.h include/exposure/store.h \
 lib/util/alloc.h lib/util/buf.h include/exposure/jsonw.h \
 lib/util/lines.h lib/util/vec.h lib/util/alloc.h
lib/record.h:
lib/adapt/json.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
include/exposure/records.h:
include/exposure/ctx.h:
include/exposure/store.h:
lib/util/fs.h:
lib/util/strmap.h:
lib/util/arena.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/errors.h:
lib/store.h:
include/exposure/store.h:
lib/util/alloc.h:
lib/util/buf.h:
include/exposure/jsonw.h:
lib/util/lines.h:
lib/util/vec.h:
lib/util/alloc.h:
