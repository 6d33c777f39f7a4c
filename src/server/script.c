/*
 * script.c — running a script (from -c, -f, a pipe or the shell) one statement at a time,
 * as psql does: each statement is split off, run, and its result or error printed before
 * the next one starts; with --bail the first error stops the script. Ctrl-C cancels the
 * running statement only.
 */
#include "server/cli.h"

#include "common/alloc.h"
#include "common/threadpool.h"
#include "server/server_int.h"
#include "parser/parser.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static CliBackend *g_backend;     /* the backend whose statement Ctrl-C cancels */
static atomic_bool g_running;     /* a statement is running */
static atomic_bool g_interrupted; /* Ctrl-C while idle */

static void on_sigint(int sig)
{
    (void)sig;
    if (atomic_load(&g_running) && g_backend)
        g_backend->ops->cancel(g_backend);
    else
        atomic_store(&g_interrupted, true);
}

void cli_install_sigint(CliBackend *backend)
{
    g_backend = backend;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
}

bool cli_take_interrupt(void)
{
    return atomic_exchange(&g_interrupted, false);
}

bool cli_run_script(CliBackend *backend, const CliOptions *opts, const char *text, size_t len)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    if (!arena) {
        fprintf(opts->diag, "ERROR:  out of memory\n");
        return false;
    }
    StatementSpan *spans;
    int n;
    Error err = ERROR_INIT;
    bool ok = true;
    if (parser_split(text, len, arena, &spans, &n, &err) != BS_OK) {
        cli_print_error(opts, &err, NULL, 0);
        error_clear(&err);
        arena_destroy(arena);
        return false;
    }
    for (int k = 0; k < n; k++) {
        const char *sql = text + spans[k].start;
        size_t sql_len = (size_t)(spans[k].end - spans[k].start);
        void *stmt = NULL;
        int64_t t0 = clock_now_ns();
        atomic_store(&g_running, true);
        Status st = backend->ops->start(backend, sql, sql_len, &stmt, &err);
        if (st == BS_OK) {
            /* Rows print as they arrive; Ctrl-C still cancels meanwhile. */
            if (!cli_print_statement(opts, backend, stmt, sql, sql_len)) st = BS_ERROR;
        } else {
            cli_print_error(opts, &err, sql, sql_len);
            error_clear(&err);
        }
        double ms = (double)(clock_now_ns() - t0) / 1e6;
        if (st == BS_OK && backend->ops->result(stmt)->elapsed_ms > 0)
            ms = backend->ops->result(stmt)->elapsed_ms;
        /* Not running before the close: a Ctrl-C from now on is not this statement's (the
           close drops a cancel that came before). */
        atomic_store(&g_running, false);
        if (stmt) backend->ops->close(stmt);
        if (st != BS_OK) ok = false;
        if (opts->timing) {
            fprintf(opts->diag, "Time: %.3f ms\n", ms);
            fflush(opts->diag);
        }
        if (st != BS_OK && opts->bail) break;
    }
    arena_destroy(arena);
    return ok;
}

/* ---- the embedded engine as a backend ---- */

typedef struct EmbeddedBackend {
    CliBackend base;
    Engine *engine;
} EmbeddedBackend;

static Status embedded_start(CliBackend *b, const char *sql, size_t len, void **stmt, Error *err)
{
    Cursor *cursor = NULL;
    Status st = engine_start(((EmbeddedBackend *)b)->engine, sql, len, &cursor, err);
    *stmt = cursor;
    return st;
}

static const Result *embedded_result(void *stmt)
{
    return cursor_result(stmt);
}

static Status embedded_next(void *stmt, const Chunk **out, Error *err)
{
    return cursor_next(stmt, out, err);
}

static void embedded_close(void *stmt)
{
    cursor_close(stmt);
}

static void embedded_cancel(CliBackend *b)
{
    engine_cancel(((EmbeddedBackend *)b)->engine);
}

static void embedded_destroy(CliBackend *b)
{
    bs_free(b);
}

static const CliBackendOps EMBEDDED_OPS = {
    .start = embedded_start,
    .result = embedded_result,
    .next = embedded_next,
    .close = embedded_close,
    .cancel = embedded_cancel,
    .destroy = embedded_destroy,
};

CliBackend *cli_backend_embedded(Engine *engine)
{
    EmbeddedBackend *b = bs_calloc(1, sizeof *b);
    if (!b) return NULL;
    b->base.ops = &EMBEDDED_OPS;
    b->engine = engine;
    return &b->base;
}

Status cli_backend_execute(CliBackend *backend, const char *sql, size_t len, Result **out,
                           Error *err)
{
    *out = NULL;
    const CliBackendOps *ops = backend->ops;
    void *stmt;
    BS_TRY(ops->start(backend, sql, len, &stmt, err));
    const Result *head = ops->result(stmt);
    Result *res = result_new(NULL, err);
    Status st = res ? BS_OK : BS_ERROR;
    if (st == BS_OK) {
        st = result_set_columns(res, head->n_cols, head->names, head->types, err);
        res->has_rows = head->has_rows;
        res->zone = head->zone;
    }
    if (st == BS_OK && head->has_rows) {
        for (;;) {
            const Chunk *chunk;
            st = ops->next(stmt, &chunk, err);
            if (st != BS_OK || !chunk) break;
            st = result_append(res, chunk, err);
            if (st != BS_OK) break;
        }
    }
    if (st == BS_OK) {
        head = ops->result(stmt); /* the status is known at the end */
        res->status = head->status ? arena_strdup(res->arena, head->status) : NULL;
        res->elapsed_ms = head->elapsed_ms;
        if (head->status && !res->status) st = arena_error(res->arena, err);
    }
    ops->close(stmt);
    if (st != BS_OK) {
        result_free(res);
        return BS_ERROR;
    }
    *out = res;
    return BS_OK;
}
