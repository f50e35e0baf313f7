build-dev/pic/lib/connect/tenable.o: lib/connect/tenable.c \
 lib/connect/conn.h lib/adapt/http.h include/exposure/common.h \
 include/exposure/ctx.h include/exposure/common.h lib/adapt/json.h \
 lib/adapt/yaml.h include/exposure/connect.h include/exposure/ctx.h \
 include/exposure/store.h include/exposure/jsonw.h lib/record.h \
 lib/adapt/json.h include/exposure/records.h lib/util/fs.h \
 lib/util/strmap.h lib/util/arena.h lib/util/strmap.h lib/ctx.h \
 include/exposure/config.h include/exposure/errors.h lib/util/alloc.h \
 lib/util/buf.h
lib/connect/conn.h:
lib/adapt/http.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/adapt/json.h:
lib/adapt/yaml.h:
include/exposure/connect.h:
include/exposure/ctx.h:
include/exposure/store.h:
include/exposure/jsonw.h:
lib/record.h:
lib/adapt/json.h:
include/exposure/records.h:
lib/util/fs.h:
lib/util/strmap.h:
lib/util/arena.h:
lib/util/strmap.h:
lib/ctx.h:
include/exposure/config.h:
include/exposure/errors.h:
lib/util/alloc.h:
lib/util/buf.h:
