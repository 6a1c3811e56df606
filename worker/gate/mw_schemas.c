/* mw_schemas.c - loads a compiled schema set from a shared object built from codegen output.
 *
 * Design: dlopen(RTLD_NOW | RTLD_LOCAL) so a missing symbol fails at load, not mid-message;
 * the set is found by its one exported symbol (MG_SCHEMA_SET_SYMBOL) and refused unless it
 * was built against this runtime's ABI. The handle stays open for the life of the set.
 * `meshgate run` loads a snapshot (mw_schemas_load_copy): the file copied into a memfd and
 * loaded from /proc/self/fd/N, the fd kept open while the set is. So a reload loads the new
 * file beside the old one even at the same path (the dynamic loader would hand back the
 * object it already has under that name), and a file overwritten in place cannot change or
 * crash the set in use. Before dlopen the file's ELF headers are checked against its size: the
 * loader maps segments without that check, and touching a segment past the end of a truncated
 * file (a copy cut short) is a SIGBUS, which would end the worker instead of failing the load.
 * Not thread-safe: one caller at a time (the main thread).
 */
#include "mw_schemas.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct mw_schemas {
    void *handle;
    const mg_schema_set *set;
    int fd; /* the snapshot's memfd, or -1 */
};

static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

/* Whether fd holds an ELF shared object of this machine's class whose headers and segments all
 * lie within the file; else why, into errstr. */
static bool elf_complete(int fd, const char *shown, char *errstr, size_t errlen)
{
    struct stat st;
    ElfW(Ehdr) eh;
    const char *why = NULL;
    if (fstat(fd, &st) != 0 || pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        why = "not an ELF file";
    else if (eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
             eh.e_phentsize != sizeof(ElfW(Phdr)))
        why = "an ELF file of another class";
    else if (!in_file(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(ElfW(Phdr)), (uint64_t)st.st_size))
        why = "truncated (its program headers lie past its end)";
    for (ElfW(Half) i = 0; !why && i < eh.e_phnum; i++) {
        ElfW(Phdr) ph;
        if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != (ssize_t)sizeof ph)
            why = "unreadable";
        else if (ph.p_type != PT_NULL && !in_file(ph.p_offset, ph.p_filesz, (uint64_t)st.st_size))
            why = "truncated (a segment lies past its end)";
    }
    if (why) snprintf(errstr, errlen, "cannot load schema set %s: %s", shown, why);
    return !why;
}

static mw_schemas *load(const char *path, const char *shown, char *errstr, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errstr, errlen, "cannot load schema set %s: %s", shown, strerror(errno));
        return NULL;
    }
    bool complete = elf_complete(fd, shown, errstr, errlen);
    close(fd);
    if (!complete) return NULL;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(errstr, errlen, "cannot load schema set %s: %s", shown, dlerror());
        return NULL;
    }
    mg_schema_set_fn fn = (mg_schema_set_fn)dlsym(h, MG_SCHEMA_SET_SYMBOL);
    if (!fn) {
        snprintf(errstr, errlen,
                 "%s is not a meshgate schema set (no %s(); build it with -DMG_SHARED_OBJECT)",
                 shown, MG_SCHEMA_SET_SYMBOL);
        dlclose(h);
        return NULL;
    }
    const mg_schema_set *set = fn();
    if (!set || set->abi != MG_RT_ABI) {
        snprintf(errstr, errlen, "%s was built for runtime ABI %u, this meshgate has ABI %u", shown,
                 set ? set->abi : 0, MG_RT_ABI);
        dlclose(h);
        return NULL;
    }
    mw_schemas *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errstr, errlen, "out of memory");
        dlclose(h);
        return NULL;
    }
    s->handle = h;
    s->set = set;
    s->fd = -1;
    return s;
}

mw_schemas *mw_schemas_load(const char *path, char *errstr, size_t errlen)
{
    /* dlopen searches the library path for a name without '/': a file here is "./name" */
    char local[4096];
    if (!strchr(path, '/') && (size_t)snprintf(local, sizeof local, "./%s", path) < sizeof local)
        path = local;
    return load(path, path, errstr, errlen);
}

/* Copies the file at path into a new memfd; -1 and errstr on failure. */
static int snapshot(const char *path, char *errstr, size_t errlen)
{
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        snprintf(errstr, errlen, "cannot load schema set %s: %s", path, strerror(errno));
        return -1;
    }
    int fd = memfd_create("meshgate-schemas", MFD_CLOEXEC);
    if (fd < 0) {
        snprintf(errstr, errlen, "cannot load schema set %s: memfd_create: %s", path,
                 strerror(errno));
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t got;
    while ((got = read(in, buf, sizeof buf)) > 0)
        for (ssize_t off = 0, w; off < got; off += w)
            if ((w = write(fd, buf + off, (size_t)(got - off))) < 0) {
                got = -1;
                break;
            }
    if (got < 0) {
        snprintf(errstr, errlen, "cannot load schema set %s: copying it: %s", path,
                 strerror(errno));
        close(fd);
        fd = -1;
    }
    close(in);
    return fd;
}

mw_schemas *mw_schemas_load_copy(const char *path, char *errstr, size_t errlen)
{
    int fd = snapshot(path, errstr, errlen);
    if (fd < 0) return NULL;
    char name[64];
    snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
    mw_schemas *s = load(name, path, errstr, errlen);
    if (!s) {
        close(fd);
        return NULL;
    }
    s->fd = fd;
    return s;
}

bool mw_schemas_has(const mw_schemas *s, const char *name, char *have, size_t cap)
{
    if (mg_schema_find(s->set, name)) return true;
    size_t len = 0;
    if (cap) have[0] = 0;
    for (uint32_t k = 0; k < s->set->count && len < cap; k++) {
        int w = snprintf(have + len, cap - len, "%s%s", k ? ", " : "", s->set->schemas[k].name);
        if (w < 0 || (size_t)w >= cap - len) break;
        len += (size_t)w;
    }
    return false;
}

const mg_schema_set *mw_schemas_set(const mw_schemas *s)
{
    return s->set;
}

void mw_schemas_free(mw_schemas *s)
{
    if (!s) return;
    dlclose(s->handle);
    if (s->fd >= 0) close(s->fd); /* after dlclose: the name stays unique while loaded */
    free(s);
}
