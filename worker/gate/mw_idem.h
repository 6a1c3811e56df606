/* mw_idem.h - the idempotency cache of HTTP ingest: a request key seen again within a window
 * gets the first result (see mw_idem.c). */
#ifndef MW_IDEM_H
#define MW_IDEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mw_idem mw_idem;

/* At most max_keys keys and max_bytes of keys and stored answers; a key is remembered for
 * window_us after its request began. NULL on out of memory. */
mw_idem *mw_idem_new(uint32_t max_keys, uint64_t max_bytes, int64_t window_us);
void mw_idem_free(mw_idem *c);

/* What a lookup found. */
typedef enum mw_idem_state {
    MW_IDEM_NEW = 0,  /* not seen (or forgotten): the caller goes on and owns the ticket */
    MW_IDEM_PENDING,  /* the first request with this key is still in progress */
    MW_IDEM_DONE,     /* answered: *status, *body, *len are the first answer */
    MW_IDEM_MISMATCH, /* the key was used with another request body */
    MW_IDEM_FULL      /* no room: every key is pending (more requests in flight than keys) */
} mw_idem_state;

/* A claim on one key, to be finished with mw_idem_finish (or mw_idem_forget). */
typedef struct mw_idem_ticket {
    uint32_t slot;
    uint64_t gen; /* 0: no ticket */
} mw_idem_ticket;

/* Looks key[0..key_len) up at time now_us; fingerprint identifies the request body. For NEW, a
 * pending entry is made (evicting the oldest expired or finished entries when full) and *t set;
 * for DONE, the stored answer is returned (valid until the next call). */
mw_idem_state mw_idem_begin(mw_idem *c, const void *key, size_t key_len, uint64_t fingerprint,
                            int64_t now_us, mw_idem_ticket *t, unsigned *status, const char **body,
                            size_t *len);
/* Stores the answer of a ticket's request (copied). A ticket whose entry was evicted meanwhile
 * is ignored. */
void mw_idem_finish(mw_idem *c, mw_idem_ticket t, unsigned status, const char *body, size_t len);
/* Forgets the key of a ticket: its request failed in a way worth retrying (429, 503). */
void mw_idem_forget(mw_idem *c, mw_idem_ticket t);
/* Forgets every key that starts with prefix[0..n) (pending ones too: their answers are then
 * not stored); returns how many. */
size_t mw_idem_forget_prefix(mw_idem *c, const void *prefix, size_t n);
/* Keys held (pending or done), and bytes held, for tests and metrics. */
size_t mw_idem_count(const mw_idem *c);
uint64_t mw_idem_bytes(const mw_idem *c);

/* FNV-1a 64 of s[0..n), continued from h (start with MW_IDEM_FNV_INIT). */
#define MW_IDEM_FNV_INIT 0xcbf29ce484222325ull
uint64_t mw_idem_fnv(uint64_t h, const void *s, size_t n);

#endif
