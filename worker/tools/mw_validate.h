/* mw_validate.h - the `meshgate validate` subcommand (see mw_validate.c). */
#ifndef MW_VALIDATE_H
#define MW_VALIDATE_H

/* argv[0] is "validate". Returns the process exit status. */
int mw_validate_main(int argc, char **argv);

#endif
