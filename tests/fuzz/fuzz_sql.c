/*
 * fuzz_sql.c — libFuzzer target: SQL through the whole embedded engine (parse → bind →
 * optimize → plan → fragments → execute) over a small fixed database made at start-up in a
 * temporary directory:
 *
 *   t (a integer, b integer, c varchar)          40 rows, NULLs in every column
 *   u (a integer, d bigint, e varchar)           15 rows
 *   w (a integer, f integer)                      8 rows
 *   v (k integer, x double, m decimal(10,2), dt date, ts timestamp, ok boolean)   6 rows
 *
 * An input is either SQL text (the seed corpus: queries of tests/sql and of the benchmarks;
 * libFuzzer mutates them) or, when its first byte is 0x01, bytes that drive a small query
 * generator (joins of every kind, IN/EXISTS/scalar subqueries, set operations, CTEs,
 * window functions, GROUP BY, ORDER BY … LIMIT) so that mutations stay well-formed.
 * Only read-only statements run (SELECT, SHOW TABLES, DESCRIBE and EXPLAIN, each statement
 * of the input by itself, as split at ';'): anything else would change the database between
 * inputs.
 *
 * A statement may fail, but only cleanly: an error must carry a well-formed SQLSTATE and
 * never XX000 (internal error) — either aborts, so libFuzzer keeps the input as a crash.
 * A watchdog cancels a statement after FUZZ_SQL_TIMEOUT_MS (57014 is a clean error), at
 * most FUZZ_SQL_MAX_ROWS rows are read, and each query may use 256 MB. With FUZZ_SQL_VERBOSE
 * in the environment each statement is printed with its outcome; FUZZ_SQL_KNOWN lets known
 * internal errors through (below).
 *
 * Built with -DFUZZ_SQL_REPLAY (no libFuzzer, any compiler) it is a program that runs the
 * files and directories named on its command line once each: the ctest fuzz/sql_replay
 * replays tests/fuzz/regressions/sql under the normal build.
 */
#include "parser/parser.h"
#include "server/engine.h"

#include <dirent.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FUZZ_SQL_TIMEOUT_MS 2000
#define FUZZ_SQL_MAX_ROWS 5000

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Engine *g_engine;
static bool g_verbose; /* FUZZ_SQL_VERBOSE set: each statement and its outcome on stderr */
static char g_dir[64];

/* ---- the watchdog: one thread, cancelling the running statement past its deadline ---- */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static bool g_running;
static struct timespec g_deadline;

static void *watchdog(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_mu);
    for (;;) {
        if (!g_running) {
            pthread_cond_wait(&g_cv, &g_mu);
            continue;
        }
        struct timespec deadline = g_deadline;
        if (pthread_cond_timedwait(&g_cv, &g_mu, &deadline) != 0 && g_running) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            if (now.tv_sec > g_deadline.tv_sec ||
                (now.tv_sec == g_deadline.tv_sec && now.tv_nsec >= g_deadline.tv_nsec))
                engine_cancel(g_engine); /* the statement fails with 57014 */
        }
    }
    return NULL;
}

static void watch(bool on)
{
    pthread_mutex_lock(&g_mu);
    g_running = on;
    if (on) {
        clock_gettime(CLOCK_REALTIME, &g_deadline);
        g_deadline.tv_sec += FUZZ_SQL_TIMEOUT_MS / 1000;
        g_deadline.tv_nsec += (long)(FUZZ_SQL_TIMEOUT_MS % 1000) * 1000000L;
        if (g_deadline.tv_nsec >= 1000000000L) {
            g_deadline.tv_sec++;
            g_deadline.tv_nsec -= 1000000000L;
        }
    }
    pthread_cond_signal(&g_cv);
    pthread_mutex_unlock(&g_mu);
}

/* ---- the fixed database ---- */

static const char *SETUP[] = {
    "create table t (a integer, b integer, c varchar)",
    "insert into t values (1, 1, 'ant'), (1, 2, 'bee'), (2, null, 'cat'), (null, 3, 'dog'), "
    "(3, 3, null), (4, -1, 'eel'), (4, -1, 'eel'), (5, 0, ''), (-2, 7, 'fox'), (null, null, null), "
    "(6, 2, 'gnu'), (7, 9, 'hen'), (8, -5, 'Ant'), (9, 4, 'bee'), (10, 10, 'cat'), (2, 1, 'dog'), "
    "(3, 8, 'x y'), (0, 0, 'zz'), (-7, 3, 'ant'), (11, null, 'bee'), (12, 6, 'cat'), "
    "(2147483647, 1, 'max'), (-2147483648, 2, 'min'), (13, 5, 'eel'), (14, 5, 'fox'), "
    "(15, -3, null), (1, 1, 'ant'), (16, 2, 'gnu'), (17, 2, 'hen'), (null, 4, 'ant'), "
    "(18, 7, 'bee'), (19, 1, 'cat'), (20, -8, 'dog'), (3, 3, 'eel'), (5, 5, 'fox'), "
    "(6, 6, 'gnu'), (7, 7, 'hen'), (8, 8, 'ant'), (9, 9, 'bee'), (0, null, 'cat')",
    "create table u (a integer, d bigint, e varchar)",
    "insert into u values (1, 10, 'ant'), (1, 20, 'bee'), (2, null, 'cat'), (null, 5, 'dog'), "
    "(3, 30, null), (4, -10, 'eel'), (9, 9223372036854775807, 'big'), (10, -9223372036854775807, "
    "'small'), (21, 1, 'fox'), (null, null, null), (5, 0, 'gnu'), (6, 6, 'hen'), (7, 7, 'ant'), "
    "(3, 3, 'bee'), (-2, 2, 'cat')",
    "create table w (a integer, f integer)",
    "insert into w values (1, 1), (2, 2), (null, 3), (3, null), (4, 4), (1, 5), (0, 0), (-2, -2)",
    "create table v (k integer, x double, m decimal(10,2), dt date, ts timestamp, ok boolean)",
    "insert into v values (1, 1.5, 10.25, date '2024-01-31', timestamp '2024-01-31 10:00:00', "
    "true), (2, -0.0, -3.50, date '1999-12-31', timestamp '1999-12-31 23:59:59', false), "
    "(3, null, null, null, null, null), (4, 1e300, 99999999.99, date '0001-01-01', "
    "timestamp '2262-04-11 00:00:00', true), (5, 0.1, 0.01, date '2024-02-29', "
    "timestamp '1970-01-01 00:00:00', null), (null, 2.0, 1.00, date '2000-01-01', null, false)",
};

static void remove_dir(void);

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_dir(void)
{
    if (g_engine) engine_close(g_engine);
    g_engine = NULL;
    if (g_dir[0]) nftw(g_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *what, const Error *err)
{
    fprintf(stderr, "fuzz_sql: %s: %s %s\n", what, err ? err->sqlstate : "",
            err && err->message ? err->message : "");
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    g_verbose = getenv("FUZZ_SQL_VERBOSE") != NULL;
    snprintf(g_dir, sizeof g_dir, "/tmp/basalt-fuzz-sql-XXXXXX");
    if (!mkdtemp(g_dir)) die("mkdtemp", NULL);
    EngineConfig cfg = {.data_dir = g_dir, .threads = 2, .workers = 1,
                        .memory_limit = INT64_C(256) << 20};
    Error err = ERROR_INIT;
    if (engine_open(&cfg, &g_engine, &err) != BS_OK) die("engine_open", &err);
    atexit(remove_dir);
    for (size_t k = 0; k < sizeof SETUP / sizeof SETUP[0]; k++) {
        Result *res;
        if (engine_execute(g_engine, SETUP[k], strlen(SETUP[k]), &res, &err) != BS_OK)
            die(SETUP[k], &err);
        result_free(res);
    }
    pthread_t th;
    if (pthread_create(&th, NULL, watchdog, NULL) != 0) die("pthread_create", NULL);
    pthread_detach(th);
    return 0;
}

/* ---- the generator: bytes → a query over the fixed tables ---- */

/*
 * Tables are bits of a scope mask: a query's columns come from the tables of its FROM and
 * of the queries around it (correlation), so most generated queries bind and run.
 */
typedef struct Gen {
    const uint8_t *p, *end;
    Buffer *out;
    int depth;
    unsigned scope; /* 1 << table index, over TABLES */
    bool has_cte;   /* q is defined */
    bool one_col;   /* the query being generated is a subquery in an expression */
} Gen;

static const char *const TABLES[] = {"t", "u", "w", "v", "q"};
static const char *const TABLE_COLS[][6] = {
    {"t.a", "t.b", "t.c"},
    {"u.a", "u.d", "u.e"},
    {"w.a", "w.f"},
    {"v.k", "v.x", "v.m", "v.dt", "v.ts", "v.ok"},
    {"q.a", "q.b", "q.c"},
};
static const int TABLE_N_COLS[] = {3, 3, 2, 6, 3};

static bool gen_done(const Gen *g)
{
    return g->p >= g->end;
}

static int gpick(Gen *g, int n)
{
    if (gen_done(g)) return 0;
    return *g->p++ % n;
}

static void gput(Gen *g, const char *s)
{
    buffer_put_bytes(g->out, s, strlen(s));
}

static void gen_query(Gen *g);

static void gen_column(Gen *g)
{
    const char *cols[32];
    int n = 0;
    for (int tab = 0; tab < 5; tab++)
        if (g->scope & (1u << tab))
            for (int c = 0; c < TABLE_N_COLS[tab]; c++)
                cols[n++] = TABLE_COLS[tab][c];
    gput(g, n ? cols[gpick(g, n)] : "1");
}

/* A subquery; in an expression (one_col) it has one column. */
static void gen_subquery(Gen *g, bool one_col)
{
    unsigned saved = g->scope;
    bool saved_one = g->one_col;
    g->one_col = one_col;
    gen_query(g); /* sees the outer tables too: correlated subqueries */
    g->one_col = saved_one;
    g->scope = saved;
}

static void gen_expr(Gen *g);

/* A boolean: comparisons, IS NULL, IN/EXISTS, AND/OR/NOT of those. */
static void gen_pred(Gen *g)
{
    static const char *const cmp[] = {" = ", " < ", " <> ", " >= ", " <= "};
    int choice = g->depth > 4 || gen_done(g) ? 0 : gpick(g, 8);
    g->depth++;
    switch (choice) {
    case 0:
    case 1:
    case 2:
        gput(g, "(");
        gen_expr(g);
        gput(g, cmp[gpick(g, 5)]);
        gen_expr(g);
        gput(g, ")");
        break;
    case 3:
        gen_expr(g);
        gput(g, gpick(g, 2) ? " is null" : " is not null");
        break;
    case 4:
        gen_expr(g);
        gput(g, gpick(g, 2) ? " in (" : " not in (");
        gen_subquery(g, true);
        gput(g, ")");
        break;
    case 5:
        gput(g, gpick(g, 2) ? "exists (" : "not exists (");
        gen_subquery(g, false);
        gput(g, ")");
        break;
    case 6:
        gput(g, "(");
        gen_pred(g);
        gput(g, gpick(g, 2) ? " and " : " or ");
        gen_pred(g);
        gput(g, ")");
        break;
    default:
        gput(g, "not (");
        gen_pred(g);
        gput(g, ")");
        break;
    }
    g->depth--;
}

static void gen_expr(Gen *g)
{
    static const char *const consts[] = {"0", "1", "-1", "null", "'ant'", "2147483647", "0.5",
                                         "date '2024-01-01'", "true", "9223372036854775807"};
    static const char *const ops[] = {" + ", " - ", " * ", " / ", " % ", " = ", " < ", " <> ",
                                      " and ", " or ", " || ", " >= "};
    static const char *const funcs[] = {"abs(", "coalesce(", "count(", "sum(", "min(", "max(",
                                        "avg(", "lower(", "length(", "not (", "-(",
                                        "row_number() over (order by "};
    int choice = g->depth > 4 || gen_done(g) ? gpick(g, 2) : gpick(g, 12);
    g->depth++;
    switch (choice) {
    case 0:
    case 9:
    case 10:
        gen_column(g);
        break;
    case 1:
        gput(g, consts[gpick(g, 10)]);
        break;
    case 2:
    case 3:
        gput(g, "(");
        gen_expr(g);
        gput(g, ops[gpick(g, 12)]);
        gen_expr(g);
        gput(g, ")");
        break;
    case 4:
        gput(g, funcs[gpick(g, 12)]);
        gen_expr(g);
        gput(g, ")");
        break;
    case 5:
    case 6:
        gen_pred(g);
        break;
    case 7:
        gput(g, "(");
        gen_subquery(g, true);
        gput(g, ")");
        break;
    default:
        gput(g, "case when ");
        gen_pred(g);
        gput(g, " then ");
        gen_expr(g);
        gput(g, " else ");
        gen_expr(g);
        gput(g, " end");
        break;
    }
    g->depth--;
}

/* A table not yet in this FROM (names must be unique), or -1. */
static int gen_table(Gen *g, unsigned used)
{
    int first = gpick(g, g->has_cte ? 5 : 4);
    for (int k = 0; k < 5; k++) {
        int tab = (first + k) % 5;
        if (!(used & (1u << tab)) && (tab != 4 || g->has_cte)) return tab;
    }
    return -1;
}

/* Adds the FROM's tables to g->scope. */
static void gen_from(Gen *g)
{
    static const char *const joins[] = {" join ", " left join ", " right join ", " full join ",
                                        " cross join ", ", "};
    unsigned used = 0;
    int tab = gen_table(g, used);
    gput(g, TABLES[tab]);
    used |= 1u << tab;
    g->scope |= 1u << tab;
    int n = gpick(g, 3);
    for (int k = 0; k < n; k++) {
        int kind = gpick(g, 6);
        if (gpick(g, 4) == 0 && g->depth < 4) {
            gput(g, joins[kind]);
            gput(g, "(");
            gen_subquery(g, false);
            gput(g, ") as s");
        } else {
            tab = gen_table(g, used);
            if (tab < 0) break;
            gput(g, joins[kind]);
            gput(g, TABLES[tab]);
            used |= 1u << tab;
            g->scope |= 1u << tab;
        }
        if (kind < 4) {
            if (gpick(g, 3) == 0) {
                gput(g, " using (a)");
            } else {
                gput(g, " on ");
                gen_pred(g);
            }
        }
    }
}

static void gen_query(Gen *g)
{
    g->depth++;
    if (g->depth == 1 && gpick(g, 3) == 0) {
        gput(g, "with q as (select * from t where a > 2) ");
        g->has_cte = true;
    }
    gput(g, gpick(g, 4) == 0 ? "select distinct " : "select ");
    /* the FROM first, so the select list reads its tables; spliced in after */
    Buffer *outer = g->out;
    Buffer from;
    buffer_init(&from);
    g->out = &from;
    gput(g, " from ");
    gen_from(g);
    g->out = outer;
    int n = g->one_col ? 1 : 1 + gpick(g, 3);
    for (int k = 0; k < n; k++) {
        if (k) gput(g, ", ");
        gen_expr(g);
    }
    buffer_put_bytes(g->out, from.data, from.len);
    buffer_free(&from);
    if (gpick(g, 2)) {
        gput(g, " where ");
        gen_pred(g);
    }
    if (gpick(g, 4) == 0) {
        gput(g, " group by 1");
        if (gpick(g, 2)) {
            gput(g, " having ");
            gen_pred(g);
        }
    }
    int setop = gen_done(g) ? 7 : gpick(g, 8);
    if (setop < 4 && g->depth < 4) {
        static const char *const ops[] = {" union ", " union all ", " intersect ", " except "};
        gput(g, ops[setop]);
        unsigned saved = g->scope;
        g->scope = 0;
        gen_query(g);
        g->scope = saved;
    } else if (setop == 4) {
        gput(g, " order by 1 limit 3");
    }
    g->depth--;
}

/* ---- running one input ---- */

/*
 * FUZZ_SQL_KNOWN="text|text…": XX000 errors whose message contains one of the texts are
 * bugs already reported, let through so that a long run looks for others.
 */
static bool known_internal_error(const char *message)
{
    const char *known = getenv("FUZZ_SQL_KNOWN");
    if (!known || !message) return false;
    while (*known) {
        const char *bar = strchr(known, '|');
        size_t n = bar ? (size_t)(bar - known) : strlen(known);
        for (const char *m = message; n && *m; m++)
            if (strncmp(m, known, n) == 0) return true;
        if (!bar) break;
        known = bar + 1;
    }
    return false;
}

static void check_error(const char *sql, size_t len, const Error *err)
{
    const char *s = err->sqlstate;
    bool well_formed = strlen(s) == 5;
    for (int k = 0; well_formed && k < 5; k++)
        well_formed = (s[k] >= '0' && s[k] <= '9') || (s[k] >= 'A' && s[k] <= 'Z');
    if (well_formed && strcmp(s, SQLSTATE_INTERNAL_ERROR) != 0) return;
    if (well_formed && known_internal_error(err->message)) return;
    fprintf(stderr, "fuzz_sql: %s on: %.*s\n", well_formed ? "internal error" : "bad SQLSTATE",
            (int)len, sql);
    die("statement", err);
}

static void run_statement(const char *sql, size_t len)
{
    Error err = ERROR_INIT;
    Cursor *cur;
    watch(true);
    if (engine_start(g_engine, sql, len, &cur, &err) == BS_OK) {
        uint64_t rows = 0;
        const Chunk *chunk;
        while (rows < FUZZ_SQL_MAX_ROWS && cursor_next(cur, &chunk, &err) == BS_OK && chunk)
            rows += chunk->n_rows;
        cursor_close(cur);
    }
    watch(false);
    if (g_verbose)
        fprintf(stderr, "fuzz_sql: %s%s%s: %.*s\n", err.sqlstate[0] ? err.sqlstate : "ok",
                err.message ? " " : "", err.message ? err.message : "", (int)len, sql);
    if (err.sqlstate[0]) check_error(sql, len, &err);
    error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Buffer text;
    buffer_init(&text);
    if (size > 0 && data[0] == 0x01) {
        Gen g = {data + 1, data + size, &text, 0, 0, false, false};
        gen_query(&g);
    } else {
        buffer_put_bytes(&text, data, size);
    }
    Arena *arena = arena_create(NULL, NULL, 0);
    if (!arena) {
        buffer_free(&text);
        return 0;
    }
    Error err = ERROR_INIT;
    const char *sql = (const char *)text.data;
    StatementSpan *spans;
    int n_spans;
    if (parser_split(sql, text.len, arena, &spans, &n_spans, &err) != BS_OK) {
        check_error(sql, text.len, &err);
        n_spans = 0;
    }
    for (int k = 0; k < n_spans; k++) {
        const char *one = sql + spans[k].start;
        size_t len = (size_t)(spans[k].end - spans[k].start);
        ParsedStatement *stmts;
        int n;
        error_clear(&err);
        if (parser_parse(one, len, arena, &stmts, &n, &err) != BS_OK) {
            if (g_verbose) fprintf(stderr, "fuzz_sql: %s %s: %.*s\n", err.sqlstate, err.message, (int)len, one);
            check_error(one, len, &err);
            continue;
        }
        if (n != 1) continue;
        const AstStatement *stmt = stmts[0].stmt;
        if (stmt->kind == STMT_EXPLAIN) stmt = stmt->u.explain.stmt; /* ANALYZE runs it */
        if (stmt && (stmt->kind == STMT_SELECT || stmt->kind == STMT_SHOW_TABLES ||
                     stmt->kind == STMT_DESCRIBE))
            run_statement(one, len);
    }
    error_clear(&err);
    arena_destroy(arena);
    buffer_free(&text);
    return 0;
}

#ifdef FUZZ_SQL_REPLAY
/* Runs each file (or each file of each directory) once; exit status 0 unless one aborts. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_sql: cannot open %s\n", path);
        return 1;
    }
    Buffer b;
    buffer_init(&b);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buffer_put_bytes(&b, chunk, got);
    fclose(f);
    LLVMFuzzerTestOneInput(b.data, b.len);
    buffer_free(&b);
    return 0;
}

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    int failed = 0, files = 0;
    for (int arg = 1; arg < argc; arg++) {
        struct stat st;
        if (stat(argv[arg], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[arg]);
            struct dirent *ent;
            while (d && (ent = readdir(d))) {
                if (ent->d_name[0] == '.') continue;
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[arg], ent->d_name);
                failed |= replay_file(path);
                files++;
            }
            if (d) closedir(d);
        } else {
            failed |= replay_file(argv[arg]);
            files++;
        }
    }
    printf("fuzz_sql: %d inputs replayed\n", files);
    return failed || files == 0;
}
#endif
