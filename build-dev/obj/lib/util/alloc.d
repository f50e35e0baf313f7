build-dev/obj/lib/util/alloc.o: lib/util/alloc.c lib/util/alloc.h
lib/util/alloc.h:
