/*
 * script.c — running a script (from -c, -f, a pipe or the shell) one statement at a time,
 * as psql does: each statement is split off, run, and its result or error printed before
 * the next one starts; with --bail the first error stops the script. Ctrl-C cancels the
 * running statement only.
 */
#include "server/cli.h"

#include "common/threadpool.h"
#include "parser/parser.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static Engine *g_engine;          /* the engine whose statement Ctrl-C cancels */
static atomic_bool g_running;     /* a statement is running */
static atomic_bool g_interrupted; /* Ctrl-C while idle */

static void on_sigint(int sig)
{
    (void)sig;
    if (atomic_load(&g_running) && g_engine)
        engine_cancel(g_engine);
    else
        atomic_store(&g_interrupted, true);
}

void cli_install_sigint(Engine *engine)
{
    g_engine = engine;
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

bool cli_run_script(Engine *engine, const CliOptions *opts, const char *text, size_t len)
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
        Cursor *cursor = NULL;
        int64_t t0 = clock_now_ns();
        atomic_store(&g_running, true);
        Status st = engine_start(engine, sql, sql_len, &cursor, &err);
        if (st == BS_OK) {
            /* Rows print as they arrive; Ctrl-C still cancels meanwhile. */
            if (!cli_print_cursor(opts, cursor, sql, sql_len)) st = BS_ERROR;
        } else {
            cli_print_error(opts, &err, sql, sql_len);
            error_clear(&err);
        }
        double ms = (double)(clock_now_ns() - t0) / 1e6;
        if (st == BS_OK && cursor_result(cursor)->elapsed_ms > 0)
            ms = cursor_result(cursor)->elapsed_ms;
        cursor_close(cursor);
        atomic_store(&g_running, false);
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
