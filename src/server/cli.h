/*
 * cli.h — what the `basalt` command shares between main.c and shell.c: output formats
 * (table, csv, tsv, json), error display with a caret under the position, and running a
 * script statement by statement.
 */
#ifndef BASALT_SERVER_CLI_H
#define BASALT_SERVER_CLI_H

#include "server/engine.h"

#include <stdio.h>

/*
 * Where the statements of the shell and of scripts run: the embedded engine's session
 * (cli_backend_embedded) or a session on a coordinator (cli_backend_connect, --connect).
 * A statement is the backend's own object; its Result gives the columns, their types and
 * time zone, and at the end the status, row count and execution time.
 */
typedef struct CliBackend CliBackend;

/* What a backend may know of a running statement's progress; a field it does not know is
   negative. */
typedef struct CliProgress {
    double percent;         /* of the whole statement, 0..100 */
    int64_t stages_done;    /* stages (fragments) finished … */
    int64_t stages_total;   /* … of this many */
    int64_t rows_processed; /* input rows read so far */
} CliProgress;

typedef struct CliBackendOps {
    /* Starts one statement; on failure err is set (position: a byte offset into sql). */
    Status (*start)(CliBackend *b, const char *sql, size_t len, void **stmt, Error *err);
    const Result *(*result)(void *stmt);
    /* The next chunk of rows (NULL at the end); as cursor_next. */
    Status (*next)(void *stmt, const Chunk **out, Error *err);
    /* Ends the statement (stopping a query whose rows were not all read). */
    void (*close)(void *stmt);
    /* Asks the running statement to stop; async-signal-safe. */
    void (*cancel)(CliBackend *b);
    void (*destroy)(CliBackend *b);
    /* Optional (NULL when the backend knows nothing more than the rows it returned): fills
       *out for the running statement and returns true, or false when there is nothing to
       show. Called from another thread while one is in start or next, so it must be
       thread-safe; never after close. */
    bool (*progress)(void *stmt, CliProgress *out);
} CliBackendOps;
struct CliBackend {
    const CliBackendOps *ops;
};

/* The backend over an embedded engine (which stays the caller's). NULL when out of memory. */
CliBackend *cli_backend_embedded(Engine *engine);

/*
 * Runs one statement on a backend and collects its rows (as engine_execute does): on
 * success *out holds the result (result_free it); on failure err is set.
 */
Status cli_backend_execute(CliBackend *backend, const char *sql, size_t len, Result **out,
                           Error *err);

typedef enum OutputFormat { FORMAT_TABLE, FORMAT_CSV, FORMAT_TSV, FORMAT_JSON } OutputFormat;

/* The table format's expanded display (psql's \x): one "-[ RECORD n ]" block per row. */
typedef enum CliExpanded { EXPANDED_OFF, EXPANDED_ON, EXPANDED_AUTO } CliExpanded;

typedef struct CliOptions {
    OutputFormat format;
    bool timing;
    bool bail;
    FILE *out;  /* results */
    FILE *diag; /* errors (table/csv/tsv), timing */
    /* Table format only: expanded display; AUTO expands a result wider than the terminal
       (cli_terminal_size of out) when it has more than one column. */
    CliExpanded expanded;
    /* Table format only: when out is a terminal, a result taller or wider than it is
       written through the pager (cli_pager_open). Off unless the shell turns it on. */
    bool pager;
    /* When set, called before anything of a statement's result or error is written (the
       shell erases its progress line then); may be called more than once. */
    void (*before_output)(void *arg);
    void *before_output_arg;
} CliOptions;

/* Parses "table", "csv", "tsv", "json"; false if unknown. */
bool cli_parse_format(const char *name, OutputFormat *out);

/*
 * Prints a statement's result in the chosen format as its rows arrive (memory stays
 * bounded whatever their number). A failure — before the first row or after some — is
 * printed too (sql[0..len) for its position); returns false then.
 */
bool cli_print_statement(const CliOptions *opts, CliBackend *backend, void *stmt, const char *sql,
                         size_t len);
/*
 * Prints an error: in json format one object on `out`; otherwise PostgreSQL-style on
 * `diag` ("ERROR:  message", then "LINE n: …" with a caret under the position within the
 * statement text sql[0..len), then DETAIL/HINT lines).
 */
void cli_print_error(const CliOptions *opts, const Error *err, const char *sql, size_t len);

/*
 * Runs every statement of a script in order, printing each result or error. With bail,
 * stops at the first error. Returns true when every statement succeeded.
 */
bool cli_run_script(CliBackend *backend, const CliOptions *opts, const char *text, size_t len);

/* Installs the SIGINT handler that cancels the running statement of `backend`. */
void cli_install_sigint(CliBackend *backend);
/* True (and cleared) when Ctrl-C was pressed while no statement ran. */
bool cli_take_interrupt(void);

/*
 * The size of the terminal `f` writes to (terminal.c): *rows and *cols, 0 when unknown
 * (f is not a terminal). A positive COLUMNS in the environment gives the columns, as in
 * psql.
 */
void cli_terminal_size(FILE *f, int *rows, int *cols);
/*
 * Starts the pager — $PAGER, or "less -S" when $PAGER is unset and less is on the PATH;
 * an empty $PAGER means none — and returns the pipe to write to, or NULL when there is no
 * pager or it could not start. SIGPIPE is ignored until cli_pager_close, so a pager that
 * quits early makes writes fail (ferror) instead of ending the process.
 */
FILE *cli_pager_open(void);
/* Closes the pipe and waits for the pager to exit. */
void cli_pager_close(FILE *pager);

/* The interactive shell (shell.c): returns the process exit status. */
int shell_run(CliBackend *backend, CliOptions *opts);

#endif
