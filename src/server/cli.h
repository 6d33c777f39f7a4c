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

typedef struct CliOptions {
    OutputFormat format;
    bool timing;
    bool bail;
    FILE *out;  /* results */
    FILE *diag; /* errors (table/csv/tsv), timing */
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

/* The interactive shell (shell.c): returns the process exit status. */
int shell_run(CliBackend *backend, CliOptions *opts);

#endif
