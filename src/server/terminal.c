/*
 * terminal.c — what the table format needs to know of the terminal it writes to: its
 * size (for \x auto and for deciding to page) and the pager a tall or wide result is
 * written through, as psql pages its results.
 */
#include "server/cli.h"

#include "common/alloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void cli_terminal_size(FILE *f, int *rows, int *cols)
{
    *rows = 0;
    *cols = 0;
    int fd = f ? fileno(f) : -1;
    if (fd >= 0 && isatty(fd)) {
        struct winsize ws;
        if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
            *rows = ws.ws_row;
            *cols = ws.ws_col;
        }
    }
    const char *env = getenv("COLUMNS");
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v > 0 && v < 100000) *cols = (int)v;
    }
}

/* True when an executable `name` is in a directory of $PATH. */
static bool on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path) return false;
    while (*path) {
        size_t len = strcspn(path, ":");
        char *candidate = bs_asprintf("%.*s/%s", (int)len, path, name);
        bool found = candidate && access(candidate, X_OK) == 0;
        bs_free(candidate);
        if (found) return true;
        path += len;
        if (*path == ':') path++;
    }
    return false;
}

static struct sigaction g_saved_sigpipe;
static int g_pagers_open;

FILE *cli_pager_open(void)
{
    const char *cmd = getenv("PAGER");
    if (cmd && !*cmd) return NULL;
    if (!cmd) {
        if (!on_path("less")) return NULL;
        cmd = "less -S";
    }
    fflush(stdout);
    FILE *pager = popen(cmd, "w");
    if (!pager) return NULL;
    if (g_pagers_open++ == 0) {
        struct sigaction ign;
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, &g_saved_sigpipe);
    }
    return pager;
}

void cli_pager_close(FILE *pager)
{
    if (!pager) return;
    pclose(pager);
    if (--g_pagers_open == 0) sigaction(SIGPIPE, &g_saved_sigpipe, NULL);
}
