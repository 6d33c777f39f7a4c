/*
 * shell_complete.c — Tab completion in the shell (libedit's readline-compatible
 * rl_attempted_completion_function): SQL keywords in the case of what was typed, table
 * names, and column names.
 *
 * Names come from information_schema through the backend, cached until a statement that
 * may change the catalog (CREATE, DROP, ALTER, an \i file) invalidates them; the fetch is
 * canceled after FETCH_TIMEOUT_MS and a failed one (a backend without information_schema,
 * a coordinator gone) leaves keywords only, tried again after RETRY_AFTER_NS.
 *
 * What is offered depends on the word before: after FROM, JOIN, INTO, UPDATE, TABLE or
 * \d, table names; after "name." the columns of that table (of all tables when the name
 * is an alias); elsewhere keywords, table and column names.
 */
#include "server/shell_int.h"

#include "common/alloc.h"
#include "common/threadpool.h"

#include <ctype.h>
#include <editline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FETCH_TIMEOUT_MS 1000
#define FETCH_MAX_ROWS   20000
#define RETRY_AFTER_NS   (INT64_C(30) * 1000000000)

static const char *const KEYWORDS[] = {
    "all",       "alter",  "analyze",   "and",       "array",        "as",       "asc",
    "between",   "bigint", "boolean",   "by",        "case",         "cast",     "char",
    "copy",      "count",  "create",    "cross",     "current_date", "date",     "decimal",
    "default",   "delete", "desc",      "distinct",  "double",       "drop",     "else",
    "end",       "except", "exists",    "explain",   "false",        "filter",   "first",
    "following", "format", "from",      "full",      "group",        "having",   "header",
    "in",        "inner",  "insert",    "integer",   "intersect",    "interval", "into",
    "is",        "join",   "last",      "left",      "like",         "limit",    "not",
    "null",      "nulls",  "numeric",   "offset",    "on",           "or",       "order",
    "outer",     "over",   "partition", "preceding", "range",        "real",     "recursive",
    "reset",     "right",  "rows",      "select",    "set",          "show",     "smallint",
    "table",     "text",   "then",      "time",      "timestamp",    "true",     "union",
    "unbounded", "update", "using",     "values",    "varchar",      "view",     "when",
    "where",     "window", "with",      "zone",
};

/* Words after which only a table name makes sense. */
static const char *const TABLE_CONTEXT[] = {"from",  "join", "into",     "update",
                                            "table", "\\d",  "describe", "truncate"};

typedef struct NamePair {
    char *table;
    char *column; /* NULL for a table's own entry */
} NamePair;

struct ShellCompletion {
    Shell *sh;
    NamePair *names;
    size_t n_names;
    bool fetched;
    int64_t fetched_at;
    bool fetch_failed;
    /* The candidates of the current completion, handed out by generate(). */
    char **candidates;
    size_t n_candidates, next;
};

static ShellCompletion *g_completion; /* libedit's callbacks have no argument */

static void free_names(ShellCompletion *c)
{
    for (size_t k = 0; k < c->n_names; k++) {
        bs_free(c->names[k].table);
        bs_free(c->names[k].column);
    }
    bs_free(c->names);
    c->names = NULL;
    c->n_names = 0;
}

void shell_completion_invalidate(ShellCompletion *c)
{
    if (c) c->fetched = false;
}

/* Adds rows' (table[, column]) pairs; false when out of memory. */
static bool add_names(ShellCompletion *c, const ShellRows *rows, bool with_column)
{
    NamePair *grown = bs_realloc(c->names, (c->n_names + rows->n_rows + 1) * sizeof(NamePair));
    if (!grown) return false;
    c->names = grown;
    for (size_t row = 0; row < rows->n_rows; row++) {
        const char *table = shell_rows_get(rows, row, 0);
        const char *column = with_column ? shell_rows_get(rows, row, 1) : NULL;
        if (!table || (with_column && !column)) continue;
        NamePair *p = &c->names[c->n_names];
        p->table = bs_strdup(table);
        p->column = column ? bs_strdup(column) : NULL;
        if (!p->table || (column && !p->column)) {
            bs_free(p->table);
            bs_free(p->column);
            return false;
        }
        c->n_names++;
    }
    return true;
}

/* The table and column names, fetched when the cache is stale. */
static void refresh_names(ShellCompletion *c)
{
    int64_t now = clock_now_ns();
    if (c->fetched && (!c->fetch_failed || now - c->fetched_at < RETRY_AFTER_NS)) return;
    free_names(c);
    c->fetched = true;
    c->fetched_at = now;
    c->fetch_failed = true;
    CliBackend *b = c->sh->backend;
    ShellRows tables, columns;
    Error err = ERROR_INIT;
    if (shell_query(b,
                    "select table_name, table_type from information_schema.tables "
                    "where table_schema = 'public' order by table_name",
                    FETCH_MAX_ROWS, FETCH_TIMEOUT_MS, &tables, &err) != BS_OK) {
        error_clear(&err);
        return;
    }
    bool ok = add_names(c, &tables, false);
    shell_rows_free(&tables);
    if (ok && shell_query(b,
                          "select table_name, column_name from information_schema.columns "
                          "where table_schema = 'public' order by table_name, ordinal_position",
                          FETCH_MAX_ROWS, FETCH_TIMEOUT_MS, &columns, &err) == BS_OK) {
        ok = add_names(c, &columns, true);
        shell_rows_free(&columns);
    } else {
        error_clear(&err);
    }
    c->fetch_failed = !ok;
}

static void clear_candidates(ShellCompletion *c)
{
    for (size_t k = c->next; k < c->n_candidates; k++)
        free(c->candidates[k]);
    free(c->candidates);
    c->candidates = NULL;
    c->n_candidates = c->next = 0;
}

/* Adds a candidate (once) when it starts with the typed prefix, in any case; keywords
   take the case of the prefix's first letter. Candidates are malloc'd: libedit frees
   them. */
static void offer(ShellCompletion *c, const char *word, const char *prefix, bool keyword)
{
    size_t plen = strlen(prefix);
    if (strncasecmp(word, prefix, plen) != 0) return;
    char *s = strdup(word);
    if (!s) return;
    if (keyword && plen && isupper((unsigned char)prefix[0])) {
        for (char *p = s; *p; p++)
            *p = (char)toupper((unsigned char)*p);
    }
    for (size_t k = 0; k < c->n_candidates; k++) {
        if (strcmp(c->candidates[k], s) == 0) {
            free(s);
            return;
        }
    }
    char **grown = realloc(c->candidates, (c->n_candidates + 1) * sizeof(char *));
    if (!grown) {
        free(s);
        return;
    }
    c->candidates = grown;
    c->candidates[c->n_candidates++] = s;
}

/* rl_completion_matches' generator: the candidates one by one, then NULL. */
static char *generate(const char *text, int state)
{
    (void)text;
    ShellCompletion *c = g_completion;
    if (state == 0) c->next = 0;
    if (!c->candidates || c->next >= c->n_candidates) return NULL;
    return c->candidates[c->next++];
}

/* The word before position `end` of s (skipping the word being typed): lower case into
   out. */
static void previous_word(const char *s, size_t end, char *out, size_t cap)
{
    size_t k = end;
    while (k > 0 && !isspace((unsigned char)s[k - 1]))
        k--;
    while (k > 0 && isspace((unsigned char)s[k - 1]))
        k--;
    size_t stop = k;
    while (k > 0 && !isspace((unsigned char)s[k - 1]) && s[k - 1] != '(' && s[k - 1] != ',')
        k--;
    size_t n = stop - k < cap - 1 ? stop - k : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)s[k + i]);
    out[n] = '\0';
}

static char **attempt(const char *text, int start, int end)
{
    (void)end;
    ShellCompletion *c = g_completion;
    rl_attempted_completion_over = 1; /* never file names instead */
    clear_candidates(c);
    const char *line = rl_line_buffer ? rl_line_buffer : "";
    /* \i and \o take file names: libedit's own completion. */
    if (c->sh->stmt.len == 0 && line[0] == '\\' &&
        (strncmp(line, "\\i ", 3) == 0 || strncmp(line, "\\o ", 3) == 0)) {
        rl_attempted_completion_over = 0;
        return NULL;
    }
    /* The context: the statement so far and this line up to the word. */
    Buffer ctx;
    buffer_init(&ctx);
    if (c->sh->stmt.len) {
        buffer_put_bytes(&ctx, c->sh->stmt.data, c->sh->stmt.len);
        buffer_put_u8(&ctx, '\n');
    }
    buffer_put_bytes(&ctx, line, (size_t)start);
    char prev[32] = "";
    char qualifier[128] = "";
    if (buffer_ok(&ctx)) {
        const char *s = (const char *)ctx.data;
        size_t len = ctx.len;
        if (len > 0 && s[len - 1] == '.') {
            size_t k = len - 1;
            while (k > 0 && (isalnum((unsigned char)s[k - 1]) || s[k - 1] == '_'))
                k--;
            size_t n = len - 1 - k < sizeof qualifier - 1 ? len - 1 - k : sizeof qualifier - 1;
            memcpy(qualifier, s + k, n);
            qualifier[n] = '\0';
        } else {
            previous_word(s, len, prev, sizeof prev);
        }
    }
    buffer_free(&ctx);

    bool tables_only = false;
    for (size_t k = 0; k < sizeof TABLE_CONTEXT / sizeof TABLE_CONTEXT[0]; k++)
        tables_only |= strcmp(prev, TABLE_CONTEXT[k]) == 0;
    refresh_names(c);
    if (*qualifier) {
        bool known = false;
        for (size_t k = 0; k < c->n_names; k++)
            known |= !c->names[k].column && strcasecmp(c->names[k].table, qualifier) == 0;
        for (size_t k = 0; k < c->n_names; k++) {
            if (c->names[k].column && (!known || strcasecmp(c->names[k].table, qualifier) == 0))
                offer(c, c->names[k].column, text, false);
        }
    } else {
        for (size_t k = 0; k < c->n_names; k++) {
            if (!c->names[k].column) offer(c, c->names[k].table, text, false);
        }
        if (!tables_only) {
            for (size_t k = 0; k < c->n_names; k++) {
                if (c->names[k].column) offer(c, c->names[k].column, text, false);
            }
            for (size_t k = 0; k < sizeof KEYWORDS / sizeof KEYWORDS[0]; k++)
                offer(c, KEYWORDS[k], text, true);
        }
    }
    if (c->n_candidates == 0) return NULL;
    return rl_completion_matches(text, generate);
}

ShellCompletion *shell_completion_create(Shell *sh)
{
    ShellCompletion *c = bs_calloc(1, sizeof *c);
    if (!c) return NULL;
    c->sh = sh;
    g_completion = c;
    rl_attempted_completion_function = attempt;
    /* SQL's punctuation ends a word, and "t." leaves the column to complete. */
    rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(),.*+-/%";
    return c;
}

void shell_completion_destroy(ShellCompletion *c)
{
    if (!c) return;
    rl_attempted_completion_function = NULL;
    clear_candidates(c);
    free_names(c);
    if (g_completion == c) g_completion = NULL;
    bs_free(c);
}
