/* main.c - the meshgate command: dispatches to its subcommands.
 *
 * Design: a table of subcommands, each a function taking the arguments after the command
 * name; main() owns nothing else. The version comes from the Makefile (mw_build_version()).
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

#include "mw_broker.h"
#include "mw_build.h"
#include "mw_check_topic.h"
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
    {"check-topic", "count what a new schema version would refuse of a topic's history",
     mw_check_topic_main},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *o)
{
    fputs("usage: meshgate COMMAND [options]\n\ncommands:\n", o);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(o, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("  help       this list, or 'meshgate help COMMAND': a command's options\n"
          "\n'meshgate COMMAND --help' describes a command's options; 'meshgate --version'\n"
          "prints the version.\n",
          o);
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0) return &commands[i];
    return NULL;
}

/* `meshgate help [COMMAND]`. */
static int help(int argc, char **argv)
{
    if (argc < 3) {
        usage(stdout);
        return 0;
    }
    const command *c = find(argv[2]);
    if (!c) {
        fprintf(stderr, "meshgate: help: unknown command %s\n", argv[2]);
        usage(stderr);
        return 2;
    }
    char *args[] = {argv[2], "--help", NULL};
    return c->run(2, args);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("meshgate %s (librdkafka %s)\n", mw_build_version(), rd_kafka_version_str());
        return 0;
    }
    if (strcmp(argv[1], "help") == 0) return help(argc, argv);
    const command *c = find(argv[1]);
    if (c) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "meshgate: unknown command %s\n", argv[1]);
    usage(stderr);
    return 2;
}
