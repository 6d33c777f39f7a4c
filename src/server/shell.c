/*
 * shell.c — the interactive shell: libedit line editing with a history file
 * (~/.basalt_history), statements that span lines until a ';' ends them, backslash
 * commands (shell_meta.c), tab completion (shell_complete.c), a progress line for long
 * statements (shell_progress.c). Ctrl-C cancels the running statement, or drops what was
 * typed and gives a fresh prompt; Ctrl-D on an empty line leaves.
 *
 * Lines are read with libedit's callback interface, so that the shell waits for input
 * itself (pselect) and Ctrl-C can interrupt that wait: readline() restarts its read after
 * the signal and the line could not be dropped. States of the loop:
 *
 *   waiting   pselect on stdin with SIGINT and SIGWINCH unblocked only inside it
 *             → a key: rl_callback_read_char (editing; at Enter, on_line)
 *             → Ctrl-C (the flag of cli_take_interrupt): drop the line and the pending
 *               statement, new prompt
 *             → a resize: libedit told of the new size
 *             → back from Ctrl-Z: the terminal put back in libedit's mode, line redrawn
 *   on_line   libedit has put the terminal back to normal; the line is fed to
 *             shell_feed_line (statements run there, Ctrl-C cancels them through the
 *             backend), then the next prompt is installed (raw mode again)
 *   done      Ctrl-D on an empty line, \q, or the terminal gone
 */
#include "server/shell_int.h"

#include "common/alloc.h"
#include "parser/parser.h"

#include <ctype.h>
#include <editline/readline.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>

#define HISTORY_FILE ".basalt_history"

static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home || !*home) return NULL;
    return bs_asprintf("%s/%s", home, HISTORY_FILE);
}

/* True when the text has a word that changes the catalog: CREATE, DROP or ALTER (a
   mention in a string or comment only makes the completion cache refresh once more). */
static bool changes_catalog(const char *s, size_t len)
{
    static const char *const words[] = {"create", "drop", "alter"};
    for (size_t k = 0; k < len; k++) {
        if (k > 0 && (isalnum((unsigned char)s[k - 1]) || s[k - 1] == '_')) continue;
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
            size_t n = strlen(words[w]);
            if (k + n <= len && strncasecmp(s + k, words[w], n) == 0 &&
                (k + n == len || !(isalnum((unsigned char)s[k + n]) || s[k + n] == '_')))
                return true;
        }
    }
    return false;
}

static bool all_space(const char *s, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (!isspace((unsigned char)s[k])) return false;
    return true;
}

void shell_flush_statement(Shell *sh)
{
    Buffer *stmt = &sh->stmt;
    if (all_space((const char *)stmt->data, stmt->len)) {
        buffer_clear(stmt);
        return;
    }
    buffer_terminate(stmt);
    if (!buffer_ok(stmt)) {
        fprintf(sh->opts->diag, "ERROR:  out of memory\n");
        buffer_free(stmt);
        buffer_init(stmt);
        return;
    }
    const char *text = (const char *)stmt->data;
    cli_run_script(sh->run, sh->opts, text, stmt->len);
    if (sh->completion && changes_catalog(text, stmt->len))
        shell_completion_invalidate(sh->completion);
    buffer_clear(stmt);
}

void shell_feed_line(Shell *sh, const char *line, bool interactive)
{
    Buffer *stmt = &sh->stmt;
    if (stmt->len == 0) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\\') {
            if (interactive) add_history(line);
            shell_meta_command(sh, p);
            return;
        }
        if (all_space(line, strlen(line))) return;
    }
    if (stmt->len) buffer_put_u8(stmt, '\n');
    buffer_put_bytes(stmt, line, strlen(line));
    if (!buffer_ok(stmt)) {
        fprintf(sh->opts->diag, "ERROR:  out of memory\n");
        buffer_free(stmt);
        buffer_init(stmt);
        return;
    }
    if (!parser_is_complete((const char *)stmt->data, stmt->len)) return;
    if (interactive) {
        buffer_terminate(stmt);
        if (buffer_ok(stmt)) add_history((const char *)stmt->data);
    }
    shell_flush_statement(sh);
}

/* ---- reading lines ---- */

static Shell *g_shell; /* libedit's line callback has no argument */
static volatile sig_atomic_t g_resized, g_continued;
static struct termios g_editing; /* the terminal's mode while libedit edits a line */
static bool g_has_editing;

static void on_signal(int sig)
{
    if (sig == SIGWINCH) g_resized = 1;
    if (sig == SIGCONT) g_continued = 1;
}

static const char *prompt_of(const Shell *sh)
{
    return sh->stmt.len ? "   ...> " : "basalt> ";
}

static void on_line(char *line);

/* Installs the prompt (libedit resets its line, draws the prompt and puts the terminal in
   its editing mode, which is remembered for a return from Ctrl-Z). */
static void install_prompt(const char *prompt)
{
    rl_callback_handler_install(prompt, on_line);
    g_has_editing = tcgetattr(STDIN_FILENO, &g_editing) == 0;
}

static void on_line(char *line)
{
    Shell *sh = g_shell;
    if (!line) {
        /* Ctrl-D on an empty line */
        fputc('\n', stdout);
        sh->quit = true;
    } else {
        shell_feed_line(sh, line, true);
        free(line); /* libedit's */
    }
    fflush(stdout);
    /* The next prompt: installing it resets libedit's line and draws the prompt. */
    install_prompt(sh->quit ? "" : prompt_of(sh));
}

/* Ctrl-C while typing: what was typed (this line and the pending statement) is dropped. */
static void drop_input(Shell *sh)
{
    buffer_clear(&sh->stmt);
    rl_callback_handler_remove();
    fputs("^C\n", stdout);
    fflush(stdout);
    install_prompt(prompt_of(sh));
}

/* Waits for a key, Ctrl-C or a resize; false when the terminal is gone. */
static bool wait_for_input(Shell *sh)
{
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGWINCH);
    sigaddset(&block, SIGCONT);
    sigprocmask(SIG_BLOCK, &block, &orig);
    for (;;) {
        if (cli_take_interrupt()) {
            drop_input(sh);
            continue;
        }
        if (g_resized) {
            g_resized = 0;
            rl_resize_terminal();
            continue;
        }
        if (g_continued) {
            /* Back from Ctrl-Z: the shell that resumed us has set the terminal its way. */
            g_continued = 0;
            if (g_has_editing) tcsetattr(STDIN_FILENO, TCSADRAIN, &g_editing);
            rl_forced_update_display();
            continue;
        }
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(STDIN_FILENO, &readable);
        sigset_t waiting = orig;
        sigdelset(&waiting, SIGINT);
        sigdelset(&waiting, SIGWINCH);
        sigdelset(&waiting, SIGCONT);
        int rc = pselect(STDIN_FILENO + 1, &readable, NULL, NULL, NULL, &waiting);
        if (rc < 0 && errno == EINTR) continue;
        sigprocmask(SIG_SETMASK, &orig, NULL);
        if (rc < 0) return false;
        /* Readable with nothing to read: the terminal hung up. */
        int pending = 0;
        return ioctl(STDIN_FILENO, FIONREAD, &pending) == 0 && pending > 0;
    }
}

int shell_run(CliBackend *backend, CliOptions *opts)
{
    Shell sh = {.backend = backend, .run = backend, .opts = opts};
    buffer_init(&sh.stmt);
    g_shell = &sh;
    opts->pager = true;
    CliBackend *progress = shell_progress_backend(backend);
    if (progress) {
        sh.run = progress;
        opts->before_output = shell_progress_erase;
        opts->before_output_arg = progress;
    }

    char *hist = history_path();
    /* libedit reads multibyte characters in the terminal's encoding only (else it drops
       them): the character type from the environment; numbers keep the C locale. */
    setlocale(LC_CTYPE, "");
    rl_catch_signals = 0; /* our own SIGINT handler; libedit's would re-raise it */
    rl_catch_sigwinch = 0;
    struct sigaction sa, old_winch, old_cont;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, &old_winch);
    sigaction(SIGCONT, &sa, &old_cont);
    using_history();
    stifle_history(2000);
    if (hist) read_history(hist);
    sh.completion = shell_completion_create(&sh);

    printf("basalt — type SQL ending with ';', \\? for help, Ctrl-D to quit.\n");
    fflush(stdout);
    (void)cli_take_interrupt();
    install_prompt(prompt_of(&sh));
    while (!sh.quit) {
        if (!wait_for_input(&sh)) {
            fputc('\n', stdout);
            break;
        }
        rl_callback_read_char();
    }
    rl_callback_handler_remove();

    if (hist) write_history(hist);
    bs_free(hist);
    shell_completion_destroy(sh.completion);
    if (sh.out_file) {
        fclose(sh.out_file);
        opts->out = stdout;
    }
    if (progress) {
        opts->before_output = NULL;
        opts->before_output_arg = NULL;
        progress->ops->destroy(progress);
    }
    sigaction(SIGWINCH, &old_winch, NULL);
    sigaction(SIGCONT, &old_cont, NULL);
    buffer_free(&sh.stmt);
    g_shell = NULL;
    /* an interactive session ends well, as psql's does */
    return 0;
}
