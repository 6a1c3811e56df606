/* mw_log.c - the log lines of `meshgate run`: text for people or JSON for a log pipeline, at a
 * configured level, and librdkafka's own lines written the same way.
 *
 * Design: a line is formatted into a stack buffer and written with one write(2) to stderr, so
 * lines from the main thread, the worker threads and librdkafka's threads never interleave
 * and no lock is taken. The message part is escaped for the format: mg_escape() in text (a
 * topic, a path or a broker's error text cannot split the line), mg_json_quote() in JSON. A
 * message longer than the buffer is cut (at a character boundary, by the escapers). librdkafka
 * is given this as its log callback, so each of its events is written once, in the same format,
 * under the same level filter as meshgate's own lines.
 */
#include "mw_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mg_escape.h"
#include "mg_output.h"
#include "mw_clock.h"
#include "mw_envelope.h"

/* A message is cut at MSG_MAX bytes before escaping; escaping grows a byte at most 6 times
 * (\u00xx), so a line always fits whole and a JSON line is always complete; names (the
 * logger's, librdkafka's client and facility) are cut at NAME_MAX_. */
enum { MSG_MAX = 4096, NAME_MAX_ = 256, LINE_CAP = 6 * (MSG_MAX + 3 * NAME_MAX_) + 256 };

static const char *const level_names[] = {"error", "warn", "info", "debug"};

const char *mw_log_level_name(mw_log_level lv)
{
    return level_names[lv];
}

typedef struct lbuf {
    char *b;
    size_t len;
} lbuf;

/* Each writer keeps len <= LINE_CAP - 1 whatever the sizes (they fit by the arithmetic above;
 * this only makes that a bound rather than a hope). */
static void grow(lbuf *l, size_t n)
{
    l->len = l->len + n < LINE_CAP - 1 ? l->len + n : LINE_CAP - 1;
}

static void put(lbuf *l, const char *s)
{
    size_t n = strlen(s);
    if (n > LINE_CAP - 1 - l->len) n = LINE_CAP - 1 - l->len;
    memcpy(l->b + l->len, s, n);
    grow(l, n);
}

static void quote(lbuf *l, const char *s, size_t max)
{
    grow(l, mg_json_quote(l->b + l->len, LINE_CAP - l->len, s, strnlen(s, max)));
}

static void esc(lbuf *l, const char *s, size_t max)
{
    grow(l, mg_escape(l->b + l->len, LINE_CAP - l->len, s, strnlen(s, max), 0));
}

/* Writes the line for an already formatted message; for librdkafka's lines, its client name
 * and facility (else NULL). */
static void emit(const mw_log *lg, mw_log_level lv, const char *msg, const char *client,
                 const char *facility)
{
    char ts[40], line[LINE_CAP];
    mw_rfc3339(ts, sizeof ts, mw_real_us(), 3);
    lbuf l = {line, 0};
    if (lg->format == MW_LOG_JSON) {
        put(&l, "{\"time\":\"");
        put(&l, ts);
        put(&l, "\",\"level\":\"");
        put(&l, level_names[lv]);
        put(&l, "\",\"logger\":");
        quote(&l, client ? "rdkafka" : lg->name, NAME_MAX_);
        if (client) {
            put(&l, ",\"client\":");
            quote(&l, client, NAME_MAX_);
            put(&l, ",\"facility\":");
            quote(&l, facility, NAME_MAX_);
        }
        put(&l, ",\"msg\":");
        quote(&l, msg, MSG_MAX);
        put(&l, "}\n");
    } else {
        put(&l, ts);
        put(&l, " ");
        esc(&l, lg->name, NAME_MAX_);
        put(&l, ": ");
        put(&l, lv == MW_LOG_ERROR ? "error: " : lv == MW_LOG_WARN ? "warning: " : "");
        if (client) {
            put(&l, "rdkafka ");
            esc(&l, client, NAME_MAX_);
            put(&l, " ");
            esc(&l, facility, NAME_MAX_);
            put(&l, ": ");
        }
        esc(&l, msg, MSG_MAX);
        put(&l, "\n");
    }
    if (line[l.len - 1] != '\n') line[l.len++] = '\n'; /* cut at LINE_CAP: still one line */
    if (write(STDERR_FILENO, line, l.len) < 0) return;
}

void mw_log_at(const mw_log *lg, mw_log_level lv, const char *fmt, ...)
{
    if (lv > lg->level) return;
    char msg[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emit(lg, lv, msg, NULL, NULL);
}

void mw_log_kafka(const mw_log *lg, int syslog_level, const char *client, const char *facility,
                  const char *text)
{
    mw_log_level lv = syslog_level <= 3   ? MW_LOG_ERROR
                      : syslog_level == 4 ? MW_LOG_WARN
                      : syslog_level <= 6 ? MW_LOG_INFO
                                          : MW_LOG_DEBUG;
    if (lv > lg->level) return;
    emit(lg, lv, text, client ? client : "", facility ? facility : "");
}
