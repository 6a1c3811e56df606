/* cg_so.h - building the generated C into a shared object (`--so`, cg_so.c). */
#ifndef CG_SO_H
#define CG_SO_H

#include <stdbool.h>
#include <stdio.h>

/* Compiles c_path (generated with its header beside it) with -DMG_SHARED_OBJECT and links it
 * with the runtime library into so_path, using $CC and $CFLAGS (default cc -O2). Errors go to
 * err; false on any. */
bool cg_build_so(const char *c_path, const char *so_path, FILE *err);

#endif
