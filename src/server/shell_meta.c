/*
 * shell_meta.c — the shell's backslash commands, psql's where they exist:
 *
 *   \q                 quit
 *   \?                 the list of commands
 *   \timing [on|off]   statement timing
 *   \x [on|off|auto]   expanded display (auto: when a result is wider than the terminal)
 *   \pset pager [on|off]  paging of results taller or wider than the terminal
 *   \o [FILE]          results to FILE (truncated), or back to stdout
 *   \i FILE            run FILE's lines as if typed (statements and commands)
 *   \d                 relations; \dt tables; \dv views
 *   \d NAME            the columns of a table or view: name, type, nullable
 *
 * The catalog commands are SQL over information_schema (PostgreSQL's column names) run
 * through the backend, so they work the same embedded and against a coordinator; their
 * errors print as any statement's.
 */
#include "server/shell_int.h"

#include "common/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

/*
 * The next argument of a command line at *p: a word up to white space, or a quoted one —
 * '…' (with '' for a quote) or "…" (an identifier kept as written: *quoted set). NULL at
 * the end of the line or out of memory (*oom then).
 */
static char *next_arg(const char **p, bool *quoted, bool *oom)
{
    const char *s = *p;
    *quoted = false;
    *oom = false;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s) {
        *p = s;
        return NULL;
    }
    Buffer b;
    buffer_init(&b);
    while (*s && !isspace((unsigned char)*s)) {
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            if (q == '"') *quoted = true;
            while (*s) {
                if (*s == q && s[1] == q) {
                    buffer_put_u8(&b, (uint8_t)q);
                    s += 2;
                } else if (*s == q) {
                    s++;
                    break;
                } else {
                    buffer_put_u8(&b, (uint8_t)*s++);
                }
            }
        } else {
            buffer_put_u8(&b, (uint8_t)*s++);
        }
    }
    *p = s;
    buffer_terminate(&b);
    if (!buffer_ok(&b)) {
        buffer_free(&b);
        *oom = true;
        return NULL;
    }
    size_t len;
    return (char *)buffer_steal(&b, &len);
}

static void put_text(Buffer *b, const char *s)
{
    buffer_put_bytes(b, s, strlen(s));
}

void shell_put_literal(Buffer *b, const char *s)
{
    buffer_put_u8(b, '\'');
    for (; *s; s++) {
        if (*s == '\'') buffer_put_u8(b, '\'');
        buffer_put_u8(b, (uint8_t)*s);
    }
    buffer_put_u8(b, '\'');
}

/* Runs SQL built by a command, printing its result as a statement's. */
static void run_sql(Shell *sh, Buffer *sql)
{
    buffer_terminate(sql);
    if (!buffer_ok(sql)) {
        fprintf(sh->opts->diag, "ERROR:  out of memory\n");
        return;
    }
    cli_run_script(sh->backend, sh->opts, (const char *)sql->data, sql->len);
}

/* \d, \dt, \dv: the relations of the public schema (of one table_type unless NULL). */
static void list_relations(Shell *sh, const char *type)
{
    Buffer sql;
    buffer_init(&sql);
    put_text(&sql, "select table_name, table_type from information_schema.tables "
                   "where table_schema = 'public'");
    if (type) {
        put_text(&sql, " and table_type = ");
        shell_put_literal(&sql, type);
    }
    put_text(&sql, " order by table_name");
    run_sql(sh, &sql);
    buffer_free(&sql);
}

/* \d NAME: a name as written with "…", else in lower case (as SQL folds it); SCHEMA.NAME
   picks the schema. */
static void describe(Shell *sh, char *name, bool quoted)
{
    if (!quoted) {
        for (char *c = name; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    char *dot = quoted ? NULL : strchr(name, '.');
    const char *table = dot ? dot + 1 : name;
    Buffer where;
    buffer_init(&where);
    put_text(&where, " from information_schema.columns where table_name = ");
    shell_put_literal(&where, table);
    if (dot) {
        *dot = '\0';
        put_text(&where, " and table_schema = ");
        shell_put_literal(&where, name);
        *dot = '.';
    }
    buffer_terminate(&where);
    Buffer sql;
    buffer_init(&sql);
    if (buffer_ok(&where)) {
        /* psql's message for a name it does not know, instead of an empty table; when
           the check itself fails, the query below prints why. */
        buffer_printf(&sql, "select count(*)%s", (const char *)where.data);
        buffer_terminate(&sql);
        ShellRows rows;
        Error err = ERROR_INIT;
        if (buffer_ok(&sql) &&
            shell_query(sh->backend, (const char *)sql.data, 1, 0, &rows, &err) == BS_OK) {
            bool none = rows.n_rows == 1 && rows.n_cols == 1 && shell_rows_get(&rows, 0, 0) &&
                        strcmp(shell_rows_get(&rows, 0, 0), "0") == 0;
            shell_rows_free(&rows);
            if (none) {
                fprintf(sh->opts->diag, "Did not find any relation named \"%s\".\n", name);
                buffer_free(&sql);
                buffer_free(&where);
                return;
            }
        }
        error_clear(&err);
        buffer_clear(&sql);
        buffer_printf(&sql,
                      "select column_name, data_type, is_nullable%s order by ordinal_position",
                      (const char *)where.data);
    }
    run_sql(sh, &sql);
    buffer_free(&sql);
    buffer_free(&where);
}

/* "on"/"off" (and psql's synonyms) into *out; false if neither. */
static bool parse_bool(const char *s, bool *out)
{
    static const char *const on[] = {"on", "true", "yes", "1"};
    static const char *const off[] = {"off", "false", "no", "0"};
    for (size_t k = 0; k < 4; k++) {
        if (strcasecmp(s, on[k]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, off[k]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static void set_output(Shell *sh, const char *path)
{
    CliOptions *opts = sh->opts;
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "w");
        if (!f) {
            fprintf(opts->diag, "%s: %s\n", path, strerror(errno));
            return;
        }
    }
    if (sh->out_file) fclose(sh->out_file);
    sh->out_file = f;
    opts->out = f ? f : stdout;
}

/* \i FILE: its lines as if typed, then what is pending at its end. */
static void include_file(Shell *sh, const char *path)
{
    if (sh->include_depth >= SHELL_MAX_INCLUDE_DEPTH) {
        fprintf(sh->opts->diag, "%s: \\i files nested too deeply\n", path);
        return;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(sh->opts->diag, "%s: %s\n", path, strerror(errno));
        return;
    }
    /* What was typed before \i stays out of the file's statements. */
    Buffer saved = sh->stmt;
    buffer_init(&sh->stmt);
    sh->include_depth++;
    Buffer line;
    buffer_init(&line);
    int ch;
    bool interrupted = false;
    while (!sh->quit) {
        /* Ctrl-C between two statements stops the file (during one, it cancels it). */
        if (cli_take_interrupt()) {
            fprintf(sh->opts->diag, "%s: interrupted\n", path);
            interrupted = true;
            break;
        }
        buffer_clear(&line);
        while ((ch = fgetc(f)) != EOF && ch != '\n')
            buffer_put_u8(&line, (uint8_t)ch);
        if (ch == EOF && line.len == 0) break;
        if (line.len && line.data[line.len - 1] == '\r') line.len--;
        buffer_terminate(&line);
        if (!buffer_ok(&line)) {
            fprintf(sh->opts->diag, "ERROR:  out of memory\n");
            break;
        }
        shell_feed_line(sh, (const char *)line.data, false);
        if (ch == EOF) break;
    }
    if (ferror(f)) fprintf(sh->opts->diag, "%s: could not read the file\n", path);
    if (!sh->quit && !interrupted) shell_flush_statement(sh);
    buffer_free(&line);
    fclose(f);
    sh->include_depth--;
    buffer_free(&sh->stmt);
    sh->stmt = saved;
    /* The file may have changed the catalog. */
    if (sh->completion) shell_completion_invalidate(sh->completion);
}

static void help(FILE *out)
{
    fputs("General\n"
          "  \\q                     quit basalt\n"
          "  \\?                     this help\n"
          "  \\i FILE                run the statements and commands of FILE\n"
          "Informational (information_schema)\n"
          "  \\d                     list tables and views\n"
          "  \\dt                    list tables\n"
          "  \\dv                    list views\n"
          "  \\d NAME                describe the columns of table or view NAME\n"
          "Formatting\n"
          "  \\x [on|off|auto]       toggle or set expanded display (auto: when too wide)\n"
          "  \\pset pager [on|off]   toggle or set paging of long or wide results\n"
          "  \\timing [on|off]       toggle or set timing of statements\n"
          "  \\o [FILE]              send results to FILE, or back to stdout\n"
          "End SQL statements with ';'. Tab completes keywords and names.\n"
          "Ctrl-C cancels the running statement or clears the input; Ctrl-D quits.\n",
          out);
}

/* The command names, longest first where one is a prefix of another. */
typedef enum MetaCommand {
    META_QUIT,
    META_HELP,
    META_TIMING,
    META_EXPANDED,
    META_PSET,
    META_OUTPUT,
    META_INCLUDE,
    META_DESCRIBE,
    META_TABLES,
    META_VIEWS,
} MetaCommand;

static const struct {
    const char *name;
    MetaCommand cmd;
} COMMANDS[] = {
    {"q", META_QUIT},     {"quit", META_QUIT},       {"?", META_HELP},     {"timing", META_TIMING},
    {"x", META_EXPANDED}, {"pset", META_PSET},       {"o", META_OUTPUT},   {"out", META_OUTPUT},
    {"i", META_INCLUDE},  {"include", META_INCLUDE}, {"d", META_DESCRIBE}, {"dt", META_TABLES},
    {"dv", META_VIEWS},
};

void shell_meta_command(Shell *sh, const char *line)
{
    CliOptions *opts = sh->opts;
    const char *p = line + 1; /* after the backslash */
    size_t len = strcspn(p, " \t");
    int found = -1;
    for (size_t k = 0; k < sizeof COMMANDS / sizeof COMMANDS[0]; k++) {
        if (strlen(COMMANDS[k].name) == len && strncmp(p, COMMANDS[k].name, len) == 0)
            found = (int)k;
    }
    if (found < 0) {
        fprintf(opts->diag, "invalid command \\%.*s; try \\? for help\n", (int)len, p);
        return;
    }
    p += len;
    bool quoted, oom;
    char *arg = next_arg(&p, &quoted, &oom);
    if (oom) {
        fprintf(opts->diag, "ERROR:  out of memory\n");
        return;
    }
    bool on;
    switch (COMMANDS[found].cmd) {
    case META_QUIT:
        sh->quit = true;
        break;
    case META_HELP:
        help(stdout);
        break;
    case META_TIMING:
        if (!arg)
            opts->timing = !opts->timing;
        else if (parse_bool(arg, &on))
            opts->timing = on;
        else {
            fprintf(opts->diag, "unrecognized value \"%s\" for \\timing: on or off\n", arg);
            break;
        }
        printf("Timing is %s.\n", opts->timing ? "on" : "off");
        break;
    case META_EXPANDED:
        if (!arg)
            opts->expanded = opts->expanded == EXPANDED_ON ? EXPANDED_OFF : EXPANDED_ON;
        else if (strcasecmp(arg, "auto") == 0)
            opts->expanded = EXPANDED_AUTO;
        else if (parse_bool(arg, &on))
            opts->expanded = on ? EXPANDED_ON : EXPANDED_OFF;
        else {
            fprintf(opts->diag, "unrecognized value \"%s\" for \\x: on, off or auto\n", arg);
            break;
        }
        printf("Expanded display is %s.\n", opts->expanded == EXPANDED_AUTO ? "used automatically"
                                            : opts->expanded == EXPANDED_ON ? "on"
                                                                            : "off");
        break;
    case META_PSET: {
        if (!arg || strcmp(arg, "pager") != 0) {
            fprintf(opts->diag, "\\pset: only \"pager\" can be set\n");
            break;
        }
        char *value = next_arg(&p, &quoted, &oom);
        if (!value)
            opts->pager = !opts->pager;
        else if (parse_bool(value, &on))
            opts->pager = on;
        else
            fprintf(opts->diag, "unrecognized value \"%s\" for \\pset pager: on or off\n", value);
        if (!value || parse_bool(value, &on))
            printf("%s\n", opts->pager ? "Pager is used for long output." : "Pager usage is off.");
        bs_free(value);
        break;
    }
    case META_OUTPUT:
        set_output(sh, arg);
        break;
    case META_INCLUDE:
        if (!arg)
            fprintf(opts->diag, "\\i: missing required argument\n");
        else
            include_file(sh, arg);
        break;
    case META_DESCRIBE:
        if (arg)
            describe(sh, arg, quoted);
        else
            list_relations(sh, NULL);
        break;
    case META_TABLES:
        list_relations(sh, "BASE TABLE");
        break;
    case META_VIEWS:
        list_relations(sh, "VIEW");
        break;
    }
    bs_free(arg);
    fflush(stdout);
}
