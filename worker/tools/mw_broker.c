/* mw_broker.c - `meshgate broker`: the embedded development broker, librdkafka's mock cluster
 * on loopback, reachable by any Kafka client (kcat included).
 *
 * Design: a producer handle owns the mock cluster (librdkafka requires one); topics named on
 * the command line are created up front (the mock cluster has no CreateTopics, and unknown
 * topics would appear with 4 partitions). The bootstrap address is the first line of stdout,
 * flushed, so scripts can read it. The main thread then blocks in sigwait() until SIGTERM or
 * SIGINT and tears everything down. The cluster's own threads belong to librdkafka. With
 * --control, a thread reads fault-injection commands from stdin (for tests).
 */
#include "mw_broker.h"
#include "mw_signal.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *o)
{
    fputs("usage: meshgate broker [--brokers N] [--topics NAME[:PARTITIONS],...] [--control]\n"
          "  Runs librdkafka's mock Kafka cluster on loopback (plaintext) until SIGTERM or\n"
          "  SIGINT. The first line of stdout is the bootstrap address.\n"
          "  --brokers N   number of brokers (default 1)\n"
          "  --topics ...  topics to create, with partition counts (default 4)\n"
          "  --control     read fault-injection commands from stdin, one per line, each\n"
          "                answered \"ok\" or \"error: ...\" on stdout:\n"
          "                  produce-errors COUNT ERROR   the next COUNT Produce requests fail\n"
          "                                               with ERROR (e.g. "
          "NOT_LEADER_FOR_PARTITION)\n"
          "                  broker-produce-errors ID COUNT:ERROR  the same, on one broker\n"
          "                  leader TOPIC/PARTITION ID    move a partition's leadership\n"
          "                  broker-down ID | broker-up ID\n"
          "                  coordinator GROUP ID         the group's coordinator\n"
          "                  create-topic NAME PARTITIONS\n",
          o);
}

/* The error code named NAME (as rd_kafka_err2name gives it, without the leading '_'). */
static bool error_named(const char *name, rd_kafka_resp_err_t *out)
{
    const struct rd_kafka_err_desc *d;
    size_t n;
    rd_kafka_get_err_descs(&d, &n);
    for (size_t i = 0; i < n; i++)
        if (d[i].name && strcmp(d[i].name, name) == 0 && d[i].code > 0) {
            *out = d[i].code;
            return true;
        }
    return false;
}

typedef struct control {
    rd_kafka_mock_cluster_t *mc;
    int brokers;
} control;

/* Runs one command line; writes the answer into ans. */
static void command(control *c, char *line, char *ans, size_t cap)
{
    char verb[64] = "", a[256] = "", b[256] = "";
    int n = sscanf(line, "%63s %255s %255s", verb, a, b);
    rd_kafka_resp_err_t err;
    long v = strtol(a, NULL, 10);
    if (n == 3 && strcmp(verb, "produce-errors") == 0 && v > 0 && v <= 100000) {
        if (!error_named(b, &err)) {
            snprintf(ans, cap, "error: unknown error name %s", b);
            return;
        }
        rd_kafka_resp_err_t *errs = malloc((size_t)v * sizeof *errs);
        for (long i = 0; errs && i < v; i++)
            errs[i] = err;
        if (errs) rd_kafka_mock_push_request_errors_array(c->mc, 0 /* Produce */, (size_t)v, errs);
        free(errs);
        snprintf(ans, cap, errs ? "ok" : "error: out of memory");
    } else if (n == 3 && strcmp(verb, "broker-produce-errors") == 0 && v >= 1 && v <= c->brokers) {
        char e[64] = "";
        long count = 0;
        if (sscanf(b, "%ld:%63s", &count, e) != 2 || count < 1 || count > 100000 ||
            !error_named(e, &err)) {
            snprintf(ans, cap, "error: want broker-produce-errors ID COUNT:ERROR");
            return;
        }
        for (long i = 0; i < count; i++)
            rd_kafka_mock_broker_push_request_error_rtts(c->mc, (int32_t)v, 0 /* Produce */, 1, err,
                                                         0);
        snprintf(ans, cap, "ok");
    } else if (n == 3 && strcmp(verb, "leader") == 0) {
        char topic[256];
        int partition;
        long id = strtol(b, NULL, 10);
        if (sscanf(a, "%255[^/]/%d", topic, &partition) != 2 || id < 1 || id > c->brokers) {
            snprintf(ans, cap, "error: want leader TOPIC/PARTITION BROKER_ID");
            return;
        }
        err = rd_kafka_mock_partition_set_leader(c->mc, topic, partition, (int32_t)id);
        snprintf(ans, cap, err ? "error: %s" : "ok", rd_kafka_err2str(err));
    } else if (n == 2 && (strcmp(verb, "broker-down") == 0 || strcmp(verb, "broker-up") == 0) &&
               v >= 1 && v <= c->brokers) {
        err = verb[7] == 'd' ? rd_kafka_mock_broker_set_down(c->mc, (int32_t)v)
                             : rd_kafka_mock_broker_set_up(c->mc, (int32_t)v);
        snprintf(ans, cap, err ? "error: %s" : "ok", rd_kafka_err2str(err));
    } else if (n == 3 && strcmp(verb, "coordinator") == 0) {
        long id = strtol(b, NULL, 10);
        if (id < 1 || id > c->brokers) {
            snprintf(ans, cap, "error: want coordinator GROUP BROKER_ID");
            return;
        }
        err = rd_kafka_mock_coordinator_set(c->mc, "group", a, (int32_t)id);
        snprintf(ans, cap, err ? "error: %s" : "ok", rd_kafka_err2str(err));
    } else if (n == 3 && strcmp(verb, "create-topic") == 0 && strtol(b, NULL, 10) > 0) {
        err = rd_kafka_mock_topic_create(c->mc, a, (int)strtol(b, NULL, 10),
                                         c->brokers < 3 ? c->brokers : 3);
        snprintf(ans, cap, err ? "error: %s" : "ok", rd_kafka_err2str(err));
    } else {
        snprintf(ans, cap, "error: unknown command or bad arguments: %s", line);
    }
}

static void *control_main(void *arg)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) > 0) {
        if (line[got - 1] == '\n') line[got - 1] = 0;
        if (!line[0]) continue;
        char ans[512];
        command(arg, line, ans, sizeof ans);
        printf("%s\n", ans);
        fflush(stdout);
    }
    free(line);
    return NULL;
}

/* Creates each NAME[:PARTITIONS] of a comma-separated list. */
static int create_topics(rd_kafka_mock_cluster_t *mc, const char *list, int brokers)
{
    char *copy = strdup(list), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(t, ':');
        long parts = 4;
        if (colon) {
            char *end;
            *colon = 0;
            errno = 0;
            parts = strtol(colon + 1, &end, 10);
            if (errno || *end || parts < 1 || parts > 10000) {
                fprintf(stderr, "meshgate broker: --topics: %s: partitions must be 1..10000\n", t);
                rc = 2;
                break;
            }
        }
        if (!*t) {
            fprintf(stderr, "meshgate broker: --topics: empty topic name\n");
            rc = 2;
            break;
        }
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mc, t, (int)parts, brokers < 3 ? brokers : 3);
        if (err) {
            fprintf(stderr, "meshgate broker: cannot create topic %s: %s\n", t,
                    rd_kafka_err2str(err));
            rc = 1;
        }
    }
    free(copy);
    return rc;
}

int mw_broker_main(int argc, char **argv)
{
    long brokers = 1;
    const char *topics = NULL;
    bool with_control = false;
    for (int i = 1; i < argc; i++) {
        bool val = i + 1 < argc;
        if (strcmp(argv[i], "--brokers") == 0 && val) {
            char *end;
            brokers = strtol(argv[++i], &end, 10);
            if (*end || brokers < 1 || brokers > 16) {
                fprintf(stderr, "meshgate broker: --brokers: want 1..16, got %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--topics") == 0 && val) {
            topics = argv[++i];
        } else if (strcmp(argv[i], "--control") == 0) {
            with_control = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "meshgate broker: unknown option or missing value: %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    sigset_t set = mw_block_stop_signals(); /* taken by sigwait() only */

    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "meshgate broker: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, (int)brokers);
    if (!mc) {
        fprintf(stderr, "meshgate broker: cannot start the mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    int rc = topics ? create_topics(mc, topics, (int)brokers) : 0;
    if (rc == 0) {
        printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
        fflush(stdout);
        control ctl = {mc, (int)brokers};
        pthread_t ct;
        if (with_control && pthread_create(&ct, NULL, control_main, &ctl) == 0)
            pthread_detach(ct); /* ends with stdin, or with the process */
        int sig = 0;
        sigwait(&set, &sig);
        fprintf(stderr, "meshgate broker: %s, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return rc;
}
