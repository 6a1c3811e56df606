/* mw_broker.h - the `meshgate broker` subcommand (see mw_broker.c). */
#ifndef MW_BROKER_H
#define MW_BROKER_H

/* argv[0] is "broker". Returns the process exit status. */
int mw_broker_main(int argc, char **argv);

#endif
