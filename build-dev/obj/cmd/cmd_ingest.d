build-dev/obj/cmd/cmd_ingest.o: cmd/cmd_ingest.c cmd/cli.h cmd/exit.h \
 include/exposure.h include/exposure/common.h include/exposure/errors.h \
 include/exposure/common.h include/exposure/version.h \
 include/exposure/ctx.h include/exposure/config.h include/exposure/ctx.h \
 include/exposure/connect.h include/exposure/store.h \
 include/exposure/jsonw.h include/exposure/store.h \
 include/exposure/records.h include/exposure/gc.h \
 include/exposure/graph.h include/exposure/jsonw.h \
 include/exposure/critical.h include/exposure/graph.h \
 include/exposure/paths.h include/exposure/insights.h \
 include/exposure/events.h
cmd/cli.h:
cmd/exit.h:
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
