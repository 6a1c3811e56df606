/* mw_relay.h - a TCP relay on a fixed loopback port (see mw_relay.c). */
#ifndef MW_RELAY_H
#define MW_RELAY_H

#include <stddef.h>

typedef struct mw_relay mw_relay;

/* Listens on 127.0.0.1:port and relays every connection to target ("HOST:PORT", numeric IPv4).
 * NULL and errstr ("127.0.0.1:9092: Address already in use") on failure. */
mw_relay *mw_relay_start(int port, const char *target, char *errstr, size_t errlen);
/* Stops accepting and frees the relay (connections already relayed end with their peers). */
void mw_relay_stop(mw_relay *r);

#endif
