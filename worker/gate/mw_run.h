/* mw_run.h - the `meshgate run` subcommand: the worker process (see mw_run.c). */
#ifndef MW_RUN_H
#define MW_RUN_H

/* argv[0] is "run". Returns the process exit status (0 after a clean drain, 2 for a bad
 * configuration, 1 for other failures). */
int mw_run_main(int argc, char **argv);

#endif
