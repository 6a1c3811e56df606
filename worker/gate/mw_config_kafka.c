/* mw_config_kafka.c - the librdkafka configurations of the worker's consumer and producer,
 * built from the loaded mw_config.
 *
 * Design: the user's kafka: properties, then the consumer:/producer: ones, then the properties
 * meshgate depends on (offsets stored only after acknowledgement, cooperative-sticky,
 * idempotence), which the user cannot set (mw_config_managed_why says why, for load-time
 * errors too); a few defaults (client.id, linger.ms, the producer's message.max.bytes from
 * limits.max_message_bytes) apply only where the user left them out. auto.offset.reset is
 * always error in librdkafka, so that no partition moves unnoticed; the user's value says
 * where a partition without a committed offset starts (mw_config_start_offset).
 * Pure functions of the config, but for mw_config_kafka_try, which makes a client once (with
 * no broker to contact) so that rd_kafka_new()'s own checks run at load time. Called at start
 * on the main thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mw_config.h"

static const struct managed {
    const char *key, *why;
} managed[] = {
    {"group.id", "set group: instead"},
    {"enable.auto.offset.store",
     "meshgate stores offsets only after the broker acknowledged the output"},
    {"enable.auto.commit", "meshgate stores offsets only after the broker acknowledged the output"},
    {"partition.assignment.strategy", "meshgate uses cooperative-sticky"},
    {"enable.partition.eof", "meshgate does not use end-of-partition events"},
    {"enable.idempotence", "required for per-partition order"},
    {"transactional.id", "not supported"},
};

const char *mw_config_managed_why(const char *key)
{
    for (size_t m = 0; m < sizeof managed / sizeof managed[0]; m++)
        if (strcmp(key, managed[m].key) == 0) return managed[m].why;
    return NULL;
}

static bool set_user(rd_kafka_conf_t *rc, const char *section, const mw_kv *kv, size_t n,
                     char *errstr, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *why_managed = mw_config_managed_why(kv[i].key);
        if (why_managed) {
            snprintf(errstr, errlen, "%s.%s: managed by meshgate (%s)", section, kv[i].key,
                     why_managed);
            return false;
        }
        char why[512];
        if (rd_kafka_conf_set(rc, kv[i].key, kv[i].value, why, sizeof why) != RD_KAFKA_CONF_OK) {
            snprintf(errstr, errlen, "%s.%s: %s", section, kv[i].key, why);
            return false;
        }
    }
    return true;
}

/* A property meshgate sets; unless_set: only if the user did not set it. */
typedef struct setting {
    const char *key, *value;
    bool unless_set;
} setting;

static bool user_set(const mw_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0) return true;
    return false;
}

const char *mw_config_prop(const mw_config *c, bool producer, const char *key, int *map,
                           size_t *idx)
{
    const mw_kv *maps[2] = {producer ? c->producer : c->consumer, c->kafka};
    size_t ns[2] = {producer ? c->n_producer : c->n_consumer, c->n_kafka};
    for (int m = 0; m < 2; m++)
        for (size_t i = 0; i < ns[m]; i++)
            if (strcmp(maps[m][i].key, key) == 0) {
                *map = m == 1 ? 0 : producer ? 2 : 1;
                *idx = i;
                return maps[m][i].value;
            }
    return NULL;
}

uint64_t mw_config_message_max_bytes(const mw_config *c)
{
    int m;
    size_t i;
    const char *v = mw_config_prop(c, true, "message.max.bytes", &m, &i);
    if (v) return strtoull(v, NULL, 10);
    uint64_t want = c->max_message_bytes + MW_RECORD_RESERVE;
    return want > 1000000 ? want : 1000000;
}

int64_t mw_config_start_offset(const mw_config *c)
{
    int m;
    size_t i;
    const char *v = mw_config_prop(c, false, "auto.offset.reset", &m, &i);
    if (!v) return RD_KAFKA_OFFSET_BEGINNING;
    if (strcmp(v, "largest") == 0 || strcmp(v, "latest") == 0 || strcmp(v, "end") == 0)
        return RD_KAFKA_OFFSET_END;
    return strcmp(v, "error") == 0 ? RD_KAFKA_OFFSET_INVALID : RD_KAFKA_OFFSET_BEGINNING;
}

rd_kafka_conf_t *mw_config_kafka(const mw_config *c, bool producer, char *errstr, size_t errlen)
{
    const mw_kv *own = producer ? c->producer : c->consumer;
    size_t n_own = producer ? c->n_producer : c->n_consumer;
    rd_kafka_conf_t *rc = rd_kafka_conf_new();
    if (!set_user(rc, "kafka", c->kafka, c->n_kafka, errstr, errlen) ||
        !set_user(rc, producer ? "producer" : "consumer", own, n_own, errstr, errlen)) {
        rd_kafka_conf_destroy(rc);
        return NULL;
    }
    char client_id[300], max_bytes[24];
    snprintf(client_id, sizeof client_id, "meshgate-%s", c->worker_id ? c->worker_id : "");
    snprintf(max_bytes, sizeof max_bytes, "%llu",
             (unsigned long long)mw_config_message_max_bytes(c));
    static const char *const consumer_keys[][2] = {
        {"partition.assignment.strategy", "cooperative-sticky"},
        {"enable.auto.offset.store", "false"},
        {"enable.auto.commit", "true"},
        {"enable.partition.eof", "false"},
        {"auto.offset.reset", "error"}, /* the user's value: mw_config_start_offset() */
    };
    setting ours[8];
    size_t n = 0;
    ours[n++] = (setting){"client.id", client_id, true};
    if (producer) {
        ours[n++] = (setting){"enable.idempotence", "true", false};
        ours[n++] = (setting){"linger.ms", "5", true};
        ours[n++] = (setting){"message.max.bytes", max_bytes, true};
    } else {
        ours[n++] = (setting){"group.id", c->group ? c->group : "", false};
        for (size_t i = 0; i < sizeof consumer_keys / sizeof consumer_keys[0]; i++)
            ours[n++] = (setting){consumer_keys[i][0], consumer_keys[i][1], false};
    }
    for (size_t i = 0; i < n; i++) {
        if (ours[i].unless_set &&
            (user_set(c->kafka, c->n_kafka, ours[i].key) || user_set(own, n_own, ours[i].key)))
            continue;
        char why[512];
        if (rd_kafka_conf_set(rc, ours[i].key, ours[i].value, why, sizeof why) !=
            RD_KAFKA_CONF_OK) {
            snprintf(errstr, errlen, "%s: %s", ours[i].key, why);
            rd_kafka_conf_destroy(rc);
            return NULL;
        }
    }
    return rc;
}

static void quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    (void)level;
    (void)fac;
    (void)buf;
}

/* Makes the client once and destroys it; false with errstr, and the user's property the
 * reason names in culprit ("" if none), if librdkafka refuses it. */
static bool kafka_try(const mw_config *c, bool producer, char *errstr, size_t errlen, char *culprit,
                      size_t cap)
{
    culprit[0] = 0;
    rd_kafka_conf_t *rc = mw_config_kafka(c, producer, errstr, errlen);
    if (!rc) return false;
    char why[512];
    rd_kafka_conf_set(rc, "bootstrap.servers", "", why, sizeof why); /* contact no broker */
    rd_kafka_conf_set_log_cb(rc, quiet);
    rd_kafka_t *rk =
        rd_kafka_new(producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, rc, errstr, errlen);
    if (rk) {
        rd_kafka_destroy(rk);
        return true;
    }
    rd_kafka_conf_destroy(rc);
    /* librdkafka quotes the properties it means ("`acks` must be set to `all` when ..."), or
     * names one ("ssl.ca.location failed: ..."): the first quoted one the user set, else the
     * longest the user set that the message names. */
    int m;
    size_t i;
    for (const char *p = strchr(errstr, '`'), *q; p && (q = strchr(p + 1, '`'));
         p = strchr(q + 1, '`')) {
        snprintf(culprit, cap, "%.*s", (int)(q - p - 1), p + 1);
        if (mw_config_prop(c, producer, culprit, &m, &i)) return false;
    }
    culprit[0] = 0;
    const mw_kv *maps[2] = {producer ? c->producer : c->consumer, c->kafka};
    size_t ns[2] = {producer ? c->n_producer : c->n_consumer, c->n_kafka};
    for (int k = 0; k < 2; k++)
        for (size_t j = 0; j < ns[k]; j++)
            if (strstr(errstr, maps[k][j].key) && strlen(maps[k][j].key) > strlen(culprit))
                snprintf(culprit, cap, "%s", maps[k][j].key);
    return false;
}

static const char *const map_names[3] = {"kafka", "consumer", "producer"};

/* Each property on a scratch configuration; clean[m]: map m had no problem. */
static void check_each(const mw_config *c, bool clean[3], mw_config_problem_fn fn, void *arg)
{
    const mw_kv *kvs[3] = {c->kafka, c->consumer, c->producer};
    size_t ns[3] = {c->n_kafka, c->n_consumer, c->n_producer};
    for (int m = 0; m < 3; m++) {
        clean[m] = true;
        rd_kafka_conf_t *rc = ns[m] ? rd_kafka_conf_new() : NULL;
        for (size_t i = 0; i < ns[m]; i++) {
            char path[300], why[512];
            snprintf(path, sizeof path, "%s.%s", map_names[m], kvs[m][i].key);
            const char *managed_reason = mw_config_managed_why(kvs[m][i].key);
            if (managed_reason)
                snprintf(why, sizeof why, "managed by meshgate (%s)", managed_reason);
            else if (rd_kafka_conf_set(rc, kvs[m][i].key, kvs[m][i].value, why, sizeof why) ==
                     RD_KAFKA_CONF_OK)
                continue;
            fn(arg, m, i, path, why);
            clean[m] = false;
        }
        if (rc) rd_kafka_conf_destroy(rc);
    }
}

/* bootstrap.servers, set and not blank, for both clients. */
static void check_brokers(const mw_config *c, mw_config_problem_fn fn, void *arg)
{
    static const char *const need =
        "meshgate needs the Kafka brokers to connect to (HOST:PORT,...)";
    bool missing[2];
    const char *seen = NULL; /* kafka:'s value is both clients' */
    char path[64], text[300];
    for (int producer = 0; producer < 2; producer++) {
        int m = 0;
        size_t i = 0;
        const char *v = mw_config_prop(c, producer, "bootstrap.servers", &m, &i);
        missing[producer] = !v;
        snprintf(path, sizeof path, "%s.bootstrap.servers", map_names[m]);
        snprintf(text, sizeof text, "empty; %s", need);
        if (v && v != seen && !v[strspn(v, " \t")]) fn(arg, m, i, path, text);
        seen = v;
    }
    if (!missing[0] && !missing[1]) return;
    snprintf(text, sizeof text,
             "missing%s; %s, in kafka: for both clients or MESHGATE_KAFKA_BOOTSTRAP_SERVERS",
             missing[0] && missing[1] ? ""
             : missing[0]             ? " for the consumer"
                                      : " for the producer",
             need);
    fn(arg, -1, 0, "kafka.bootstrap.servers", text);
}

/* Each client whose properties had no problem made once; the same refusal of both (a kafka:
 * property) is one problem. */
static void check_clients(const mw_config *c, const bool clean[3], mw_config_problem_fn fn,
                          void *arg)
{
    char why[2][1024], culprit[2][256], text[1200], path[300];
    bool refused[2];
    for (int producer = 0; producer < 2; producer++)
        refused[producer] = clean[0] && clean[producer ? 2 : 1] &&
                            !kafka_try(c, producer, why[producer], sizeof why[0], culprit[producer],
                                       sizeof culprit[0]);
    bool same = refused[0] && refused[1] && strcmp(why[0], why[1]) == 0 &&
                strcmp(culprit[0], culprit[1]) == 0;
    for (int producer = same ? 1 : 0; producer < 2; producer++) {
        if (!refused[producer]) continue;
        snprintf(text, sizeof text, "librdkafka refuses the %s: %s",
                 same       ? "consumer and the producer"
                 : producer ? "producer"
                            : "consumer",
                 why[producer]);
        int m = -1;
        size_t i = 0;
        if (culprit[producer][0] && mw_config_prop(c, producer, culprit[producer], &m, &i))
            snprintf(path, sizeof path, "%s.%s", map_names[m], culprit[producer]);
        else
            snprintf(path, sizeof path, "kafka");
        fn(arg, m, i, path, text);
    }
}

void mw_config_kafka_check(const mw_config *c, bool brokers, bool clients, mw_config_problem_fn fn,
                           void *arg)
{
    bool clean[3];
    check_each(c, clean, fn, arg);
    if (brokers) check_brokers(c, fn, arg);
    if (clients) check_clients(c, clean, fn, arg);
}
