/* main.c - the meshgate command: dispatches to its subcommands.
 *
 * Design: a table of subcommands, each a function taking the arguments after the command
 * name; main() owns nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "mw_broker.h"
#include "mw_dlq.h"
#include "mw_run.h"
#include "mw_validate.h"

typedef struct command {
    const char *name, *summary;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"run", "the worker: consume, validate, envelope, dead-letter, commit", mw_run_main},
    {"validate", "check NDJSON lines against a compiled schema", mw_validate_main},
    {"broker", "run the embedded Kafka broker (mock cluster) on loopback", mw_broker_main},
    {"dlq", "inspect, summarise and replay dead letters", mw_dlq_main},
};

static void usage(FILE *o)
{
    fputs("usage: meshgate COMMAND [options]\n\ncommands:\n", o);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(o, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'meshgate COMMAND --help' describes a command's options.\n", o);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "meshgate: unknown command %s\n", argv[1]);
    usage(stderr);
    return 2;
}
