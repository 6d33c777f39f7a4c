/*
 * query_log.c — the statements an engine runs and ran, for system.runtime.queries: every
 * statement from its start (state "running") to its end ("finished" with its rows, or
 * "failed" with its error), the last QUERY_LOG_KEEP ended ones kept. Thread-safe.
 */
#include "server/server_int.h"

#include "common/alloc.h"

#include <pthread.h>
#include <string.h>

#define QUERY_LOG_KEEP 200
/* What is kept of a statement's text. */
#define QUERY_TEXT_MAX 4000

struct QueryLog {
    pthread_mutex_t mu;
    uint64_t next_id;
    QueryLogEntry *entries; /* oldest first */
    int n, cap;
};

QueryLog *query_log_create(void)
{
    QueryLog *log = bs_calloc(1, sizeof *log);
    if (log) pthread_mutex_init(&log->mu, NULL);
    return log;
}

static void entry_free(QueryLogEntry *q)
{
    bs_free(q->query);
    bs_free(q->error);
}

void query_log_destroy(QueryLog *log)
{
    if (!log) return;
    for (int k = 0; k < log->n; k++)
        entry_free(&log->entries[k]);
    bs_free(log->entries);
    pthread_mutex_destroy(&log->mu);
    bs_free(log);
}

uint64_t query_log_begin(QueryLog *log, uint64_t session_id, const char *sql, size_t len)
{
    if (!log) return 0;
    pthread_mutex_lock(&log->mu);
    uint64_t id = ++log->next_id;
    /* Drop the oldest ended entry once over the limit (running ones stay). */
    int ended = 0;
    for (int k = 0; k < log->n; k++)
        ended += log->entries[k].ended_us != 0;
    if (ended >= QUERY_LOG_KEEP) {
        for (int k = 0; k < log->n; k++)
            if (log->entries[k].ended_us != 0) {
                entry_free(&log->entries[k]);
                memmove(&log->entries[k], &log->entries[k + 1],
                        sizeof(QueryLogEntry) * (size_t)(log->n - k - 1));
                log->n--;
                break;
            }
    }
    if (log->n == log->cap) {
        int cap = log->cap ? log->cap * 2 : 16;
        QueryLogEntry *grown = bs_realloc(log->entries, sizeof(QueryLogEntry) * (size_t)cap);
        if (!grown) {
            pthread_mutex_unlock(&log->mu);
            return id; /* not listed: out of memory */
        }
        log->entries = grown;
        log->cap = cap;
    }
    QueryLogEntry *q = &log->entries[log->n++];
    memset(q, 0, sizeof *q);
    q->id = id;
    q->session_id = session_id;
    size_t keep = len < QUERY_TEXT_MAX ? len : QUERY_TEXT_MAX;
    q->query = bs_malloc(keep + 1);
    if (q->query) {
        memcpy(q->query, sql, keep);
        q->query[keep] = '\0';
    }
    q->created_us = clock_wall_us();
    pthread_mutex_unlock(&log->mu);
    return id;
}

void query_log_end(QueryLog *log, uint64_t id, uint64_t rows, const Error *err)
{
    if (!log || !id) return;
    pthread_mutex_lock(&log->mu);
    for (int k = log->n - 1; k >= 0; k--) {
        QueryLogEntry *q = &log->entries[k];
        if (q->id != id) continue;
        if (q->ended_us) break; /* ended already */
        q->ended_us = clock_wall_us();
        if (q->ended_us <= q->created_us) q->ended_us = q->created_us + 1;
        q->rows = rows;
        if (err && error_is_set(err)) {
            q->failed = true;
            memcpy(q->sqlstate, err->sqlstate, sizeof q->sqlstate);
            q->error = bs_strdup(err->message ? err->message : "");
        }
        break;
    }
    pthread_mutex_unlock(&log->mu);
}

Status query_log_snapshot(QueryLog *log, Arena *arena, QueryLogEntry **out, int *n, Error *err)
{
    *out = NULL;
    *n = 0;
    if (!log) return BS_OK;
    pthread_mutex_lock(&log->mu);
    QueryLogEntry *copy = arena_alloc(arena, sizeof(QueryLogEntry) * (size_t)(log->n ? log->n : 1));
    Status st = copy ? BS_OK : arena_error(arena, err);
    for (int k = 0; k < log->n && st == BS_OK; k++) {
        copy[k] = log->entries[k];
        copy[k].query = log->entries[k].query ? arena_strdup(arena, log->entries[k].query) : NULL;
        copy[k].error = log->entries[k].error ? arena_strdup(arena, log->entries[k].error) : NULL;
        if ((log->entries[k].query && !copy[k].query) || (log->entries[k].error && !copy[k].error))
            st = arena_error(arena, err);
    }
    if (st == BS_OK) {
        *out = copy;
        *n = log->n;
    }
    pthread_mutex_unlock(&log->mu);
    return st;
}
