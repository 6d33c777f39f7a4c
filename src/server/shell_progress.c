/*
 * shell_progress.c — the shell's progress line: a backend that passes every call to the
 * real one and, for a statement running longer than PROGRESS_DELAY_NS, lets a thread
 * draw "elapsed, rows received" (and the real backend's progress numbers when its
 * optional progress op gives some) on stderr, a terminal, redrawn every
 * PROGRESS_TICK_NS. The line is erased before anything of the result is written
 * (CliOptions.before_output) and is not drawn again for that statement, so output and
 * progress never mix.
 *
 * States, under `mu`: idle (no statement) → running (start: clock starts, nothing shown)
 * → shown (the line is on screen) → quiet (erased because output began) → idle (close).
 */
#include "server/shell_int.h"

#include "common/alloc.h"
#include "common/threadpool.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PROGRESS_DELAY_NS (INT64_C(1000) * 1000000)
#define PROGRESS_TICK_NS  (INT64_C(200) * 1000000)

typedef enum ProgressState {
    PROGRESS_IDLE,
    PROGRESS_RUNNING,
    PROGRESS_SHOWN,
    PROGRESS_QUIET
} ProgressState;

typedef struct ProgressBackend {
    CliBackend base;
    CliBackend *inner;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ProgressState state;
    bool stopping;
    int64_t started_ns;
    void *stmt;                /* the inner statement while running */
    atomic_uint_fast64_t rows; /* received so far */
} ProgressBackend;

/* The one statement of the backend: ops get it back as their `stmt`. */
#define STMT_OF(pb) ((void *)(pb))

static void erase_locked(ProgressBackend *pb)
{
    if (pb->state == PROGRESS_SHOWN) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

static void draw_locked(ProgressBackend *pb, int64_t now)
{
    char line[160];
    double secs = (double)(now - pb->started_ns) / 1e9;
    unsigned long long rows = (unsigned long long)atomic_load(&pb->rows);
    int n = snprintf(line, sizeof line, "%.1f s, %llu row%s received", secs, rows,
                     rows == 1 ? "" : "s");
    CliProgress p = {.percent = -1, .stages_done = -1, .stages_total = -1, .rows_processed = -1};
    if (pb->inner->ops->progress && pb->stmt && pb->inner->ops->progress(pb->stmt, &p)) {
        if (p.stages_total > 0 && p.stages_done >= 0 && n > 0 && (size_t)n < sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, ", stage %lld of %lld",
                          (long long)p.stages_done, (long long)p.stages_total);
        if (p.rows_processed >= 0 && n > 0 && (size_t)n < sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, ", %lld rows read",
                          (long long)p.rows_processed);
        if (p.percent >= 0 && n > 0 && (size_t)n < sizeof line)
            n += snprintf(line + n, sizeof line - (size_t)n, ", %.0f%%", p.percent);
    }
    if (n < 0) return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && len >= ws.ws_col)
        len = (size_t)ws.ws_col - 1; /* one line, never wrapped */
    fprintf(stderr, "\r\033[K%.*s", (int)len, line);
    fflush(stderr);
    pb->state = PROGRESS_SHOWN;
}

static void *progress_main(void *arg)
{
    ProgressBackend *pb = arg;
    pthread_mutex_lock(&pb->mu);
    while (!pb->stopping) {
        if (pb->state != PROGRESS_RUNNING && pb->state != PROGRESS_SHOWN) {
            pthread_cond_wait(&pb->cv, &pb->mu);
            continue;
        }
        int64_t now = clock_now_ns();
        int64_t wait = PROGRESS_TICK_NS;
        if (now - pb->started_ns >= PROGRESS_DELAY_NS)
            draw_locked(pb, now);
        else
            wait = PROGRESS_DELAY_NS - (now - pb->started_ns);
        struct timespec ts;
        shell_deadline_in(&ts, wait);
        pthread_cond_timedwait(&pb->cv, &pb->mu, &ts);
    }
    pthread_mutex_unlock(&pb->mu);
    return NULL;
}

void shell_progress_erase(void *arg)
{
    ProgressBackend *pb = arg;
    pthread_mutex_lock(&pb->mu);
    erase_locked(pb);
    if (pb->state != PROGRESS_IDLE) pb->state = PROGRESS_QUIET;
    pthread_mutex_unlock(&pb->mu);
}

static Status progress_start(CliBackend *b, const char *sql, size_t len, void **stmt, Error *err)
{
    ProgressBackend *pb = (ProgressBackend *)b;
    pthread_mutex_lock(&pb->mu);
    pb->state = PROGRESS_RUNNING;
    pb->started_ns = clock_now_ns();
    pb->stmt = NULL;
    atomic_store(&pb->rows, 0);
    pthread_cond_signal(&pb->cv);
    pthread_mutex_unlock(&pb->mu);
    void *inner = NULL;
    Status st = pb->inner->ops->start(pb->inner, sql, len, &inner, err);
    pthread_mutex_lock(&pb->mu);
    if (st == BS_OK) {
        pb->stmt = inner;
    } else {
        erase_locked(pb);
        pb->state = PROGRESS_IDLE;
    }
    pthread_mutex_unlock(&pb->mu);
    *stmt = st == BS_OK ? STMT_OF(pb) : NULL;
    return st;
}

static const Result *progress_result(void *stmt)
{
    ProgressBackend *pb = stmt;
    return pb->inner->ops->result(pb->stmt);
}

static Status progress_next(void *stmt, const Chunk **out, Error *err)
{
    ProgressBackend *pb = stmt;
    Status st = pb->inner->ops->next(pb->stmt, out, err);
    if (st == BS_OK && *out) atomic_fetch_add(&pb->rows, (*out)->n_rows);
    return st;
}

static void progress_close(void *stmt)
{
    ProgressBackend *pb = stmt;
    pthread_mutex_lock(&pb->mu);
    erase_locked(pb);
    pb->state = PROGRESS_IDLE;
    void *inner = pb->stmt;
    pb->stmt = NULL;
    pthread_mutex_unlock(&pb->mu);
    pb->inner->ops->close(inner);
}

static void progress_cancel(CliBackend *b)
{
    ProgressBackend *pb = (ProgressBackend *)b;
    pb->inner->ops->cancel(pb->inner);
}

static void progress_destroy(CliBackend *b)
{
    ProgressBackend *pb = (ProgressBackend *)b;
    pthread_mutex_lock(&pb->mu);
    pb->stopping = true;
    pthread_cond_signal(&pb->cv);
    pthread_mutex_unlock(&pb->mu);
    pthread_join(pb->thread, NULL);
    pthread_cond_destroy(&pb->cv);
    pthread_mutex_destroy(&pb->mu);
    bs_free(pb);
}

/* The inner backend's numbers, for whoever wraps this one. */
static bool progress_progress(void *stmt, CliProgress *out)
{
    ProgressBackend *pb = stmt;
    const CliBackendOps *ops = pb->inner->ops;
    return ops->progress && pb->stmt && ops->progress(pb->stmt, out);
}

static const CliBackendOps PROGRESS_OPS = {
    .start = progress_start,
    .result = progress_result,
    .next = progress_next,
    .close = progress_close,
    .cancel = progress_cancel,
    .destroy = progress_destroy,
    .progress = progress_progress,
};

CliBackend *shell_progress_backend(CliBackend *inner)
{
    if (!isatty(STDERR_FILENO)) return NULL;
    ProgressBackend *pb = bs_calloc(1, sizeof *pb);
    if (!pb) return NULL;
    pb->base.ops = &PROGRESS_OPS;
    pb->inner = inner;
    atomic_init(&pb->rows, 0);
    shell_timer_init(&pb->mu, &pb->cv);
    if (pthread_create(&pb->thread, NULL, progress_main, pb) != 0) {
        pthread_cond_destroy(&pb->cv);
        pthread_mutex_destroy(&pb->mu);
        bs_free(pb);
        return NULL;
    }
    return &pb->base;
}
