build-dev/pic/lib/util/arena.o: lib/util/arena.c lib/util/arena.h \
 lib/util/alloc.h
lib/util/arena.h:
lib/util/alloc.h:
