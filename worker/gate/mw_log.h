/* mw_log.h - the log lines of `meshgate run` (see mw_log.c). */
#ifndef MW_LOG_H
#define MW_LOG_H

#include <stdbool.h>

/* log.level: a line is written when its level is at or above the configured one. */
typedef enum mw_log_level { MW_LOG_ERROR = 0, MW_LOG_WARN, MW_LOG_INFO, MW_LOG_DEBUG } mw_log_level;

/* log.format */
typedef enum mw_log_format { MW_LOG_TEXT = 0, MW_LOG_JSON } mw_log_format;

/* A logger: immutable once set up, so any thread may use it. */
typedef struct mw_log {
    mw_log_format format;
    mw_log_level level;
    const char *name; /* who writes: "meshgate run" */
} mw_log;

/* Writes one line at level lv if the logger lets it through: text
 * ("2026-12-02T05:00:06.778Z meshgate run: MESSAGE", with "error: " or "warning: " before
 * MESSAGE at those levels) or one JSON object ({"time":...,"level":...,"logger":...,"msg":...}).
 * The formatted message is escaped for the format (mg_escape, mg_json_quote): no value inside
 * it can split the line or forge another. One write(2) per line. */
void mw_log_at(const mw_log *lg, mw_log_level lv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A line of librdkafka's (its log callback): syslog level, client name, facility, text. The
 * levels map to error (0-3), warn (4), info (5-6), debug (7). */
void mw_log_kafka(const mw_log *lg, int syslog_level, const char *client, const char *facility,
                  const char *text);
/* The names of the levels and formats, as in the configuration ("error", ..., "json"). */
const char *mw_log_level_name(mw_log_level lv);

#endif
