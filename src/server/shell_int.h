/*
 * shell_int.h — the interactive shell's pieces, shared by shell.c (reading lines,
 * Ctrl-C, statements), shell_meta.c (backslash commands), shell_complete.c (tab
 * completion), shell_query.c (catalog queries run quietly through the backend) and
 * shell_progress.c (the progress line). Everything reaches the database through the
 * CliBackend only, so the shell works the same over the embedded engine and a
 * coordinator.
 */
#ifndef BASALT_SERVER_SHELL_INT_H
#define BASALT_SERVER_SHELL_INT_H

#include "server/cli.h"

#include "common/buffer.h"

#include <pthread.h>
#include <time.h>

/* Backslash commands' \i files may include others this deep. */
#define SHELL_MAX_INCLUDE_DEPTH 16

typedef struct ShellCompletion ShellCompletion;

typedef struct Shell {
    CliBackend *backend; /* the caller's: catalog queries, cancel */
    CliBackend *run;     /* what statements run through: the progress backend or `backend` */
    CliOptions *opts;
    FILE *out_file; /* \o FILE (opts->out then), NULL for stdout */
    Buffer stmt;    /* the statement typed so far, over lines */
    int include_depth;
    bool quit;
    ShellCompletion *completion;
} Shell;

/* ---- shell.c ---- */

/*
 * One line of input, typed (interactive: kept in the history) or read from an \i file:
 * a backslash command when no statement is pending, else a part of the statement, which
 * runs once complete (';').
 */
void shell_feed_line(Shell *sh, const char *line, bool interactive);
/* Runs what is pending (an \i file's last statement without ';'). */
void shell_flush_statement(Shell *sh);

/* ---- shell_meta.c ---- */

/* Runs a backslash command line (starting with '\'); sets sh->quit for \q. */
void shell_meta_command(Shell *sh, const char *line);
/*
 * Appends s to b as an SQL string literal: quoted, with its single quotes doubled.
 */
void shell_put_literal(Buffer *b, const char *s);

/* ---- shell_query.c ---- */

/* A small result as text: n_rows × n_cols cells, row by row (NULL for SQL NULL). */
typedef struct ShellRows {
    int n_cols;
    size_t n_rows;
    char **cells;
} ShellRows;

/*
 * Runs one statement through `backend` without printing anything and collects up to
 * max_rows rows as text. With timeout_ms > 0 the statement is canceled when it runs
 * longer. On failure err is set and *out is empty. Free *out with shell_rows_free.
 */
Status shell_query(CliBackend *backend, const char *sql, size_t max_rows, int timeout_ms,
                   ShellRows *out, Error *err);
void shell_rows_free(ShellRows *rows);
/* A mutex and a condition variable whose timed waits use CLOCK_MONOTONIC deadlines. */
void shell_timer_init(pthread_mutex_t *mu, pthread_cond_t *cv);
/* *ts = CLOCK_MONOTONIC now + ns, for pthread_cond_timedwait on shell_timer_init's cv. */
void shell_deadline_in(struct timespec *ts, int64_t ns);
static inline const char *shell_rows_get(const ShellRows *rows, size_t row, int col)
{
    return rows->cells[row * (size_t)rows->n_cols + (size_t)col];
}

/* ---- shell_complete.c ---- */

/* Sets up libedit's completion of keywords, table and column names. NULL when out of
   memory (the shell then completes nothing). */
ShellCompletion *shell_completion_create(Shell *sh);
void shell_completion_destroy(ShellCompletion *c);
/* The cached table and column names are fetched again at the next completion. */
void shell_completion_invalidate(ShellCompletion *c);

/* ---- shell_progress.c ---- */

/*
 * A backend over `inner` (which stays the caller's) that draws a one-line progress
 * indicator on stderr — elapsed time, rows received, and the inner backend's progress
 * numbers when it has them — for a statement running longer than a second. The line is
 * erased before the result prints: set opts->before_output to shell_progress_erase with
 * the returned backend as its argument. NULL when stderr is not a terminal or out of
 * memory (statements then run through `inner` directly).
 */
CliBackend *shell_progress_backend(CliBackend *inner);
void shell_progress_erase(void *progress_backend);

#endif
