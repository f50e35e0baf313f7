build-dev/pic/lib/connect/qualys.o: lib/connect/qualys.c lib/adapt/xml.h \
 include/exposure/common.h include/exposure/ctx.h \
 include/exposure/common.h lib/connect/conn.h lib/adapt/http.h \
 lib/adapt/json.h lib/adapt/yaml.h include/exposure/connect.h \
 include/exposure/ctx.h include/exposure/store.h include/exposure/jsonw.h \
 lib/record.h lib/adapt/json.h include/exposure/records.h lib/util/fs.h \
 lib/util/strmap.h lib/util/arena.h lib/util/strmap.h lib/ctx.h \
 include/exposure/config.h include/exposure/errors.h lib/util/alloc.h \
 lib/util/buf.h lib/util/vec.h
lib/adapt/xml.h:
include/exposure/common.h:
include/exposure/ctx.h:
include/exposure/common.h:
lib/connect/conn.h:
lib/adapt/http.h:
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
lib/util/vec.h:
