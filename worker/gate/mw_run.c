/* mw_run.c - `meshgate run --config FILE`: the worker process. One consumer-group member
 * (cooperative-sticky), a pool of worker threads, one idempotent producer.
 *
 * Design: everything that can be checked is checked before connecting (configure(): the file,
 * the schema set, the catalog, what librdkafka would refuse), all problems at once, so that
 * --check refuses what run would. Start-up then makes the metrics, the HTTP server and ingest
 * (when http.listen is set), the Kafka clients, generation 1 of the routes and schemas
 * (mw_reload.c) and the worker threads (mw_pool.c), and subscribes; the main loop and the drain
 * are mw_run_loop.c. Teardown runs in one order whatever failed (teardown() says why). A
 * consumer stopped before its first assignment is not destroyed (consumer_destroy_asserts()).
 * The state is one mw_run on mw_run_main()'s stack (mw_run_int.h); main thread only.
 */
#include "mw_run.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "mw_build.h"
#include "mw_rmetrics.h"
#include "mw_run_int.h"
#include "mw_signal.h"

/* ---- start-up ---- */

static void usage(FILE *o)
{
    fputs("usage: meshgate run --config FILE [--check]\n"
          "  Consumes the input topics of the configured routes in a consumer group, validates\n"
          "  every message against its route's compiled schema, produces valid ones wrapped in\n"
          "  CloudEvents to the output topic and rejects to the dead-letter topic, and commits\n"
          "  offsets only for messages the broker acknowledged. Runs until SIGTERM or SIGINT;\n"
          "  SIGHUP reloads the configuration and the schema set (routes and schemas apply\n"
          "  live, other keys at the next restart); so does a change to those files with\n"
          "  reload.watch: on.\n"
          "  --config FILE  the YAML configuration (or MESHGATE_CONFIG); MESHGATE_* variables\n"
          "                 override its keys (docs/configuration.md)\n"
          "  --check        load and check the configuration and the schemas, then exit\n",
          o);
}

/* ---- the checks of the configuration that need the schema set and the catalog ---- */

static bool open_schemas(void *arg, const char *path, char *why, size_t cap)
{
    mw_run *r = arg;
    r->schemas = mw_schemas_load_copy(path, why, cap);
    return r->schemas != NULL;
}

static bool has_schema(void *arg, const char *name, char *have, size_t cap)
{
    return mw_schemas_has(((mw_run *)arg)->schemas, name, have, cap);
}

static bool open_catalog(void *arg, const char *dir, char *why, size_t cap)
{
    mw_run *r = arg;
    r->catalog = mw_catalog_load(dir, why, cap);
    return r->catalog != NULL;
}

static rd_kafka_t *new_client(mw_run *r, bool producer)
{
    char errstr[1024];
    rd_kafka_conf_t *conf = mw_config_kafka(&r->cfg, producer, errstr, sizeof errstr);
    if (!conf) {
        fprintf(stderr, "meshgate run: %s: %s\n", r->cfg.path, errstr);
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, r);
    mw_run_kafka_callbacks(conf, producer);
    rd_kafka_t *rk =
        rd_kafka_new(producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "meshgate run: %s: kafka: %s\n", r->cfg.path, errstr);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

static int start_kafka(mw_run *r)
{
    if (!(r->producer = new_client(r, true)) || !(r->consumer = new_client(r, false))) return 2;
    rd_kafka_poll_set_consumer(r->consumer);
    size_t n = r->cfg.n_routes;
    char errstr[512];
    r->gen = mw_gen_new(1, &r->cfg, false, r->schemas, r->producer, NULL, errstr, sizeof errstr);
    if (!r->gen) {
        fprintf(stderr, "meshgate run: %s: %s\n", r->cfg.path, errstr);
        return 1;
    }
    r->schemas = NULL; /* the generation's now */
    r->gen->refs = 1;  /* current */
    atomic_store(&r->metrics->generation, 1);
    rd_kafka_topic_partition_list_t *sub = mw_gen_inputs(r->gen);
    /* Learn the destination topics' leaders now, not on the first message. */
    for (size_t i = 0; i < 2 * n; i++) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *t = i < n ? r->gen->bind[i].out_rkt : r->gen->bind[i - n].dlq_rkt;
        if (rd_kafka_metadata(r->producer, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR)
            rd_kafka_metadata_destroy(md);
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(r->consumer, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (err) {
        fprintf(stderr, "meshgate run: subscribe: %s\n", rd_kafka_err2str(err));
        return 1;
    }
    if (pipe2(r->wake, O_NONBLOCK | O_CLOEXEC) != 0) return 1;
    r->cq = rd_kafka_queue_get_consumer(r->consumer);
    r->pq = rd_kafka_queue_get_main(r->producer);
    rd_kafka_queue_io_event_enable(r->cq, r->wake[1], "c", 1);
    rd_kafka_queue_io_event_enable(r->pq, r->wake[1], "p", 1);
    return 0;
}

/* librdkafka before 2.3.0 aborts the process in rd_kafka_destroy() of a cooperative-sticky
 * consumer that had a JoinGroup response but never an assignment: the assignor is chosen then,
 * its state is made only by the first assignment, and the destroy asserts that state
 * (rdkafka_sticky_assignor.c: rd_kafka_sticky_assignor_state_destroy: Assertion
 * 'assignor_state' failed; confluentinc/librdkafka#4312, fixed by #4381 after 2.0.2). That is
 * a member restarted into a group and stopped while it waits for its assignment, which
 * Kubernetes does on every rollout. Such a consumer has consumed nothing, so nothing is lost
 * by leaving it to the process exit: it has left the group (closed), and the process ends with
 * _exit() once everything else is torn down. Incremental rebalancing stays on: once assigned,
 * the destroy is safe. */
static bool consumer_destroy_asserts(const mw_run *r)
{
    return !r->assigned_once && rd_kafka_version() < 0x020300ff;
}

/* Order matters: the consumer leaves the group while the pool still exists (its revoke
 * callback uses it), the producer's last delivery reports still find their slots, and the
 * consumed messages are all destroyed before the consumer is. */
static void teardown(mw_run *r)
{
    if (r->consumer && !r->closed) rd_kafka_consumer_close(r->consumer);
    mw_pool_stop(r->pool);
    r->pool = NULL;
    if (r->cq) {
        rd_kafka_queue_io_event_enable(r->cq, -1, NULL, 0);
        rd_kafka_queue_destroy(r->cq);
    }
    if (r->pq) {
        rd_kafka_queue_io_event_enable(r->pq, -1, NULL, 0);
        rd_kafka_queue_destroy(r->pq);
    }
    if (r->producer) rd_kafka_flush(r->producer, 5000);
    mw_watch_free(r->watch);
    mw_http_stop(r->http); /* ingest and the HTTP thread before the schemas they use */
    r->http = NULL;
    mw_ingest_free(r->ingest);
    r->ingest = NULL;
    mw_parts_free(r->parts); /* before the generations its partitions refer to */
    mw_retired_free(&r->retired);
    mw_gen_free(r->gen);
    if (r->producer) rd_kafka_destroy(r->producer);
    if (r->consumer && consumer_destroy_asserts(r)) {
        r->keep_consumer = true;
        logf_("stopped before the group assigned partitions: the consumer is left to the process "
              "exit (librdkafka %s asserts in its destroy; confluentinc/librdkafka#4312)",
              rd_kafka_version_str());
    } else if (r->consumer) {
        rd_kafka_destroy(r->consumer);
    }
    mw_tls_pem_free(&r->tls);
    mw_metrics_free(r->metrics);
    free(r->load);
    mw_schemas_free(r->schemas);
    mw_catalog_free(r->catalog);
    mw_config_free(&r->cfg);
    for (int i = 0; i < 2; i++)
        if (r->wake[i] > 0) close(r->wake[i]);
    if (r->sigfd > 0) close(r->sigfd);
}

/* Loads and checks everything that can be checked before connecting (the file, the schema
 * set, the catalog, what librdkafka would refuse): all problems at once, in file order, so
 * that --check refuses what run would. 0, or an exit status. */
static int configure(mw_run *r, const char *path)
{
    char errstr[16384];
    mw_config_checks checks = {.brokers = true,
                               .clients = true,
                               .arg = r,
                               .open_schemas = open_schemas,
                               .has_schema = has_schema,
                               .open_catalog = open_catalog};
    int bad = mw_config_load(&r->cfg, path, environ, &checks, errstr, sizeof errstr);
    if (bad) {
        fprintf(stderr, "%s%s%d problem(s) in the configuration\n", errstr,
                errstr[0] && errstr[strlen(errstr) - 1] != '\n' ? "\n" : "", bad);
        return 2;
    }
    return 0;
}

/* What /metrics and /status name: the routes, the version, the schema set. */
static bool describe(mw_run *r)
{
    size_t n = r->cfg.n_routes;
    mw_route_desc *d = calloc(n ? n : 1, sizeof *d);
    if (!d) return false;
    for (size_t i = 0; i < n; i++) {
        const mw_route *rt = &r->cfg.routes[i];
        d[i] = (mw_route_desc){rt->input,  rt->schema,      rt->schema_version,
                               rt->output, rt->dead_letter, mw_config_mode_name(rt->mode)};
    }
    bool ok = mw_metrics_set_routes(r->metrics, d, n);
    free(d);
    char id[192];
    if (!mw_build_schema_set_id(r->cfg.schemas, id, sizeof id)) {
        logf_("schema set identity: %s", id);
        snprintf(id, sizeof id, "unknown");
    }
    mw_metrics_set_build(r->metrics, mw_build_version(), id);
    return ok;
}

static int start(mw_run *r)
{
    char errstr[512];
    uint32_t n = r->cfg.workers;
    r->start_offset = mw_config_start_offset(&r->cfg);
    if (!(r->metrics = mw_metrics_new(n)) ||
        !(r->parts = mw_parts_new(r->cfg.max_inflight_messages)) ||
        !(r->load = calloc(n, sizeof *r->load)))
        return 1;
    r->metrics->stuck_after_us = (int64_t)r->cfg.stuck_after_ms * 1000;
    if (!describe(r)) return 1;
    mw_ingest_view *view = NULL; /* generation 1's, pinned once it exists */
    if (r->cfg.http_listen && r->cfg.http_listen[0]) {
        if (!mw_variants_bind(&r->cfg, mw_schemas_set(r->schemas), errstr, sizeof errstr)) {
            fprintf(stderr, "meshgate run: %s: %s\n", r->cfg.path, errstr);
            return 2;
        }
        r->ingest = mw_ingest_new(&r->cfg, errstr, sizeof errstr);
        if (r->ingest)
            view = mw_ingest_view_new(r->ingest, &r->cfg, mw_schemas_set(r->schemas), r->catalog,
                                      NULL, errstr, sizeof errstr);
        if (view) mw_ingest_publish(r->ingest, view); /* the ingest's now */
        if (!view || !mw_tls_pem_load(&r->tls, &r->cfg, errstr, sizeof errstr)) {
            fprintf(stderr, "meshgate run: %s: %s\n", r->cfg.path, errstr);
            return 2;
        }
        mw_http_opts ho = {r->cfg.http_listen,
                           r->cfg.http_max_connections,
                           r->cfg.http_max_connections_per_ip,
                           r->cfg.http_request_timeout_ms,
                           r->ingest,
                           r->tls.cert,
                           r->tls.key,
                           r->tls.client_ca};
        r->http = mw_http_start(&ho, r->metrics, r->catalog, errstr, sizeof errstr);
        if (!r->http) {
            fprintf(stderr, "meshgate run: %s: %s\n", r->cfg.path, errstr);
            return 2;
        }
    }
    int rc = start_kafka(r);
    if (rc) return rc;
    if (view) mw_ingest_view_pin(view, &r->gen->refs); /* its schemas are generation 1's */
    if (r->cfg.reload_watch == MW_WATCH_ON &&
        (!(r->watch = mw_watch_new(r->cfg.reload_debounce_ms, errstr, sizeof errstr)) ||
         !mw_run_watch_arm(r, errstr, sizeof errstr))) {
        fprintf(stderr, "meshgate run: %s: %s\n", r->cfg.path, errstr);
        return 2;
    }
    if (r->watch)
        logf_("reload.watch: a change to %s or %s reloads (after %u ms of quiet)", r->cfg.path,
              r->cfg.schemas, r->cfg.reload_debounce_ms);
    r->pool = mw_pool_start(&r->cfg, r->producer, r->metrics, n, r->cfg.max_inflight_messages,
                            errstr, sizeof errstr);
    if (!r->pool) {
        fprintf(stderr, "meshgate run: %s\n", errstr);
        return 1;
    }
    logf_("group %s, %zu route(s), %u worker thread(s), http %s%s%u", r->cfg.group, r->cfg.n_routes,
          n, r->http ? "port " : "off", r->http ? "" : "", r->http ? mw_http_port(r->http) : 0);
    return 0;
}

int mw_run_main(int argc, char **argv)
{
    const char *path = getenv("MESHGATE_CONFIG");
    bool check = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            check = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "meshgate run: unknown option or missing value: %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "meshgate run: no configuration: give --config FILE or MESHGATE_CONFIG\n");
        usage(stderr);
        return 2;
    }
    sigset_t set = mw_block_run_signals(); /* taken by the signalfd only */
    signal(SIGPIPE, SIG_IGN);

    mw_run r = {.wake = {-1, -1}, .sigfd = -1, .log = {MW_LOG_TEXT, MW_LOG_INFO, "meshgate run"}};
    int rc = configure(&r, path);
    r.log.format = r.cfg.log_format;
    r.log.level = r.cfg.log_level;
    if (rc == 0 && check) {
        printf("%s: configuration and schemas OK (%zu route(s))\n", path, r.cfg.n_routes);
    } else if (rc == 0) {
        r.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        rc = r.sigfd < 0 ? 1 : start(&r);
        if (rc == 0) {
            mw_run_loop(&r);
            rc = mw_run_drain(&r);
        }
    }
    teardown(&r);
    if (r.keep_consumer) { /* no exit handlers: the consumer's threads still run */
        fflush(NULL);
        _exit(rc);
    }
    return rc;
}
