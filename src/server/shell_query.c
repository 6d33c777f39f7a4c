/*
 * shell_query.c — catalog queries the shell runs for itself (table and column names for
 * completion, whether \d's relation exists): through the backend like any statement, but
 * quietly, with their rows kept as text, and canceled when they take too long so that a
 * Tab key never hangs on a slow or unreachable coordinator.
 */
#include "server/shell_int.h"

#include "common/alloc.h"
#include "common/threadpool.h"

#include <errno.h>
#include <string.h>

/* Cancels the backend's statement unless it ends before the deadline. */
typedef struct Watchdog {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    CliBackend *backend;
    struct timespec deadline; /* CLOCK_MONOTONIC */
    bool done;
} Watchdog;

static void *watchdog_main(void *arg)
{
    Watchdog *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->done) {
        if (pthread_cond_timedwait(&w->cv, &w->mu, &w->deadline) == ETIMEDOUT && !w->done) {
            w->backend->ops->cancel(w->backend);
            break;
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

void shell_timer_init(pthread_mutex_t *mu, pthread_cond_t *cv)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(mu, NULL);
    pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
}

void shell_deadline_in(struct timespec *ts, int64_t ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    int64_t total = ts->tv_nsec + ns;
    ts->tv_sec += total / 1000000000;
    ts->tv_nsec = total % 1000000000;
}

static bool watchdog_start(Watchdog *w, pthread_t *thread, CliBackend *backend, int timeout_ms)
{
    memset(w, 0, sizeof *w);
    w->backend = backend;
    shell_timer_init(&w->mu, &w->cv);
    shell_deadline_in(&w->deadline, (int64_t)timeout_ms * 1000000);
    if (pthread_create(thread, NULL, watchdog_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        return false;
    }
    return true;
}

static void watchdog_stop(Watchdog *w, pthread_t thread)
{
    pthread_mutex_lock(&w->mu);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
}

void shell_rows_free(ShellRows *rows)
{
    if (!rows->cells) return;
    for (size_t k = 0; k < rows->n_rows * (size_t)rows->n_cols; k++)
        bs_free(rows->cells[k]);
    bs_free(rows->cells);
    memset(rows, 0, sizeof *rows);
}

/* Appends a chunk's rows (up to max_rows in all) to out as text. */
static Status collect_chunk(const Result *r, const Chunk *chunk, size_t max_rows, size_t *cap,
                            ShellRows *out, Error *err)
{
    for (idx_t row = 0; row < chunk->n_rows && out->n_rows < max_rows; row++) {
        size_t n_cols = (size_t)out->n_cols;
        if (out->n_rows == *cap) {
            size_t grown = *cap ? *cap * 2 : 64;
            char **cells = bs_realloc(out->cells, grown * n_cols * sizeof(char *));
            if (!cells) return error_oom(err);
            out->cells = cells;
            *cap = grown;
        }
        char **cells = out->cells + out->n_rows * n_cols;
        for (size_t c = 0; c < n_cols; c++) {
            Value v;
            vector_get_value(&chunk->cols[c], row, &v);
            cells[c] = NULL;
            if (v.is_null) continue;
            if (type_is_string(v.type) && v.type.id != TYPE_ARRAY) {
                cells[c] = bs_strndup(v.u.str.data, v.u.str.len);
            } else {
                char buf[VALUE_TEXT_MAX];
                int n = format_value_in_zone(&v, r->zone, buf);
                cells[c] = bs_strndup(buf, (size_t)n);
            }
            if (!cells[c]) {
                for (size_t k = 0; k < c; k++)
                    bs_free(cells[k]);
                return error_oom(err);
            }
        }
        out->n_rows++;
    }
    return BS_OK;
}

Status shell_query(CliBackend *backend, const char *sql, size_t max_rows, int timeout_ms,
                   ShellRows *out, Error *err)
{
    memset(out, 0, sizeof *out);
    Watchdog w;
    pthread_t thread;
    bool watched = timeout_ms > 0 && watchdog_start(&w, &thread, backend, timeout_ms);
    void *stmt = NULL;
    Status st = backend->ops->start(backend, sql, strlen(sql), &stmt, err);
    if (st == BS_OK) {
        const Result *r = backend->ops->result(stmt);
        out->n_cols = r->has_rows ? r->n_cols : 0;
        size_t cap = 0;
        const Chunk *chunk;
        while (r->has_rows && (st = backend->ops->next(stmt, &chunk, err)) == BS_OK && chunk &&
               out->n_rows < max_rows) {
            st = collect_chunk(r, chunk, max_rows, &cap, out, err);
            if (st != BS_OK) break;
        }
        backend->ops->close(stmt);
    }
    if (watched) watchdog_stop(&w, thread);
    if (st != BS_OK) shell_rows_free(out);
    return st;
}
