/*
 * shell.c — the interactive shell: libedit line editing with a history file
 * (~/.basalt_history), statements that span lines until a ';' ends them, Ctrl-C to
 * cancel the running statement (or to drop a half-typed one), Ctrl-D to leave.
 * Backslash commands: \q quits, \timing toggles timing, \? lists them.
 */
#include "server/cli.h"

#include "common/alloc.h"
#include "common/buffer.h"
#include "parser/parser.h"

#include <editline/readline.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_FILE ".basalt_history"

static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home || !*home) return NULL;
    return bs_asprintf("%s/%s", home, HISTORY_FILE);
}

/* Handles a backslash command; false when the shell should exit. */
static bool meta_command(CliOptions *opts, const char *line)
{
    while (*line == ' ')
        line++;
    if (strncmp(line, "\\q", 2) == 0) return false;
    if (strncmp(line, "\\timing", 7) == 0) {
        opts->timing = !opts->timing;
        fprintf(opts->out, "Timing is %s.\n", opts->timing ? "on" : "off");
    } else if (strncmp(line, "\\?", 2) == 0) {
        fprintf(
            opts->out,
            "  \\q        quit\n  \\timing   toggle timing of statements\n"
            "  \\?        this help\nEnd SQL statements with ';'. Ctrl-C cancels, Ctrl-D quits.\n");
    } else {
        fprintf(opts->diag, "invalid command %s; try \\?\n", line);
    }
    return true;
}

int shell_run(CliBackend *backend, CliOptions *opts)
{
    char *hist = history_path();
    using_history();
    stifle_history(2000);
    if (hist) read_history(hist);
    printf("basalt — type SQL ending with ';', \\? for help, Ctrl-D to quit.\n");
    Buffer stmt;
    buffer_init(&stmt);
    bool failed = false;
    for (;;) {
        char *line = readline(stmt.len ? "   ...> " : "basalt> ");
        if (cli_take_interrupt()) {
            /* Ctrl-C at the prompt drops what was typed so far. */
            buffer_clear(&stmt);
            if (line) {
                free(line);
                continue;
            }
        }
        if (!line) {
            printf("\n");
            break;
        }
        if (stmt.len == 0 && line[0] == '\\') {
            add_history(line);
            bool go_on = meta_command(opts, line);
            free(line);
            if (!go_on) break;
            continue;
        }
        if (stmt.len) buffer_put_u8(&stmt, '\n');
        buffer_put_bytes(&stmt, line, strlen(line));
        free(line);
        if (!buffer_ok(&stmt)) {
            fprintf(opts->diag, "ERROR:  out of memory\n");
            buffer_free(&stmt);
            continue;
        }
        if (!parser_is_complete((const char *)stmt.data, stmt.len)) continue;
        buffer_terminate(&stmt);
        add_history((const char *)stmt.data);
        if (!cli_run_script(backend, opts, (const char *)stmt.data, stmt.len)) failed = true;
        buffer_clear(&stmt);
    }
    if (hist) write_history(hist);
    bs_free(hist);
    buffer_free(&stmt);
    (void)failed; /* an interactive session ends well, as psql's does */
    return 0;
}
