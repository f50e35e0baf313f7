build-dev/obj/lib/util/jsonw.o: lib/util/jsonw.c include/exposure/jsonw.h \
 include/exposure/common.h include/exposure/errors.h lib/util/buf.h \
 include/exposure/common.h
include/exposure/jsonw.h:
include/exposure/common.h:
include/exposure/errors.h:
lib/util/buf.h:
include/exposure/common.h:
