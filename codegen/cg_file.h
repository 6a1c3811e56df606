/* cg_file.h - the one way meshgate-codegen reads a file.
 *
 * Design: schemas and contracts come from many teams and references inside them name files,
 * so a read must never hang (a FIFO), never stream without end (/dev/zero) and never grow
 * without bound: only regular files are read, opened non-blocking, and only up to
 * CG_MAX_FILE_BYTES. Which files a reference may name at all is decided in cg_registry.c
 * (cg_path_allowed); this layer only reads. Messages say what is wrong with the file, never
 * what is in it. No state.
 */
#ifndef CG_FILE_H
#define CG_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* The largest schema, contract or metaschema file codegen reads. */
#define CG_MAX_FILE_BYTES ((size_t)64 << 20)

/* Reads the regular file at path into a malloc'd buffer (NUL-terminated; *len excludes the
 * NUL). false with the reason in err ("cannot open: ...", "not a regular file (a FIFO)",
 * "larger than ... bytes"); errno is ENOENT when the file does not exist. */
bool cg_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen);

#endif
