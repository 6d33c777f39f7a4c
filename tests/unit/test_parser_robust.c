/*
 * Unit tests: the parser on real and hostile input — all 22 TPC-H queries of
 * bench/tpch/queries parse (and their canonical rendering parses back to itself), and
 * thousands of random byte strings, token soups, truncations and mutations of valid
 * statements never crash it (the ASan build checks memory), allocation failures at every
 * point are clean 53200 errors, and a memory limit on the arena is honored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "parser/parser.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUERIES 22

typedef struct Corpus {
    char *text[MAX_QUERIES];
    char name[MAX_QUERIES][64];
    int count;
} Corpus;

static Corpus tpch;

/* Statements that together use every construct of the grammar. */
static const char *const SEEDS[] = {
    "select distinct a, b as c, t.*, count(*) from s.t as x (a, b) where a between 1 and 2 "
    "and b not like 'x%' escape '!' group by a having sum(b) > 1 order by 1 desc nulls last "
    "limit 10 offset 5",
    "with w (n) as (select 1) select * from w join u on w.n = u.n left join v using (n) cross "
    "join z natural full join q",
    "select 1 union all select 2 intersect select 3 except select 4 order by 1",
    "select case when a then 1 else 2 end, case x when 1 then 'a' end, cast(a as decimal(15,2)), "
    "a::double precision, extract(year from d), substring(s from 1 for 2), interval '1' day, "
    "date '2024-01-02', timestamp with time zone '2024-01-01 00:00+00', e'a\\n\\x41', -1.5e3",
    "select x in (select 1), x not in (1, 2), exists (select 1), not exists (select 2), a is "
    "null, b is not null, -9223372036854775808, 99999999999999999999, \"lower\"",
    "create table if not exists t (a int not null, b varchar(10) null, c timestamp without time "
    "zone, d character varying(3))",
    "create table t as select * from (values (1, 'a'), (2, 'b')) as v(n, s)",
    "drop table if exists a, b; insert into t (a, b) values (1, 2), (3, 4); insert into t "
    "select * from u",
    "copy t (a, b) from '/tmp/x.csv' with (format csv, delimiter '|', header, null '', quote "
    "'\"', escape '\\', skip -1)",
    "explain analyze select * from a where x ilike 'y' fetch first 3 rows only; /* c */ -- d",
};

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[size] = '\0';
    fclose(f);
    return buf;
}

/*
 * Loads bench/tpch/queries/q01.sql … q22.sql from the source tree (BASALT_SOURCE_DIR is
 * set by tests/unit/CMakeLists.txt). A missing file is not skipped: the first one missing
 * is remembered and test_tpch_queries_parse fails naming it.
 */
static char tpch_missing[1200];

static int load_tpch(void **state)
{
    (void)state;
    const char *dir = BASALT_SOURCE_DIR "/bench/tpch/queries";
    for (int q = 1; q <= 22; q++) {
        char path[1100];
        snprintf(path, sizeof(path), "%s/q%02d.sql", dir, q);
        char *text = read_file(path);
        if (!text) {
            if (!tpch_missing[0])
                snprintf(tpch_missing, sizeof(tpch_missing), "%s: %s", path, strerror(errno));
            continue;
        }
        tpch.text[tpch.count] = text;
        snprintf(tpch.name[tpch.count], sizeof(tpch.name[0]), "q%02d.sql", q);
        tpch.count++;
    }
    return 0;
}

static int free_tpch(void **state)
{
    (void)state;
    for (int k = 0; k < tpch.count; k++)
        free(tpch.text[k]);
    tpch.count = 0;
    return 0;
}

/* Formats every statement of sql into out (cleared first); BS_ERROR if it does not parse. */
static Status format_all(const char *sql, size_t len, Buffer *out, Error *err)
{
    buffer_clear(out);
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Status st = parser_parse(sql, len, arena, &stmts, &n, err);
    if (st == BS_OK) {
        for (int k = 0; k < n; k++) {
            if (k) buffer_printf(out, ";\n");
            ast_format_statement(stmts[k].stmt, out);
        }
    }
    buffer_terminate(out);
    arena_destroy(arena);
    return st;
}

static void test_tpch_queries_parse(void **state)
{
    (void)state;
    if (tpch_missing[0]) fail_msg("TPC-H query missing: %s", tpch_missing);
    assert_int_equal(tpch.count, 22);
    Buffer first, second;
    buffer_init(&first);
    buffer_init(&second);
    for (int k = 0; k < tpch.count; k++) {
        const char *sql = tpch.text[k];
        Arena *arena = arena_create(NULL, NULL, 0);
        ParsedStatement *stmts;
        int n;
        Error err = ERROR_INIT;
        Status st = parser_parse(sql, strlen(sql), arena, &stmts, &n, &err);
        if (st != BS_OK)
            fprintf(stderr, "%s: %s at %d: %s\n", tpch.name[k], err.sqlstate, err.position,
                    err.message);
        assert_int_equal(st, BS_OK);
        assert_int_equal(n, 1);
        assert_int_equal(stmts[0].stmt->kind, STMT_SELECT);
        assert_true(stmts[0].start >= 0 && stmts[0].end <= (int)strlen(sql));
        assert_true(sql[stmts[0].end] == ';');
        assert_true(stmts[0].stmt->u.select.query->select_list.count > 0);
        arena_destroy(arena);

        /* The canonical text is valid SQL that parses to the same tree. */
        assert_int_equal(format_all(sql, strlen(sql), &first, &err), BS_OK);
        assert_int_equal(format_all((char *)first.data, first.len, &second, &err), BS_OK);
        assert_string_equal((char *)first.data, (char *)second.data);
    }
    buffer_free(&first);
    buffer_free(&second);
}

static void test_seeds_round_trip(void **state)
{
    (void)state;
    Buffer first, second;
    buffer_init(&first);
    buffer_init(&second);
    Error err = ERROR_INIT;
    for (size_t k = 0; k < sizeof(SEEDS) / sizeof(SEEDS[0]); k++) {
        Status st = format_all(SEEDS[k], strlen(SEEDS[k]), &first, &err);
        if (st != BS_OK) fprintf(stderr, "seed %zu: %s\n", k, err.message);
        assert_int_equal(st, BS_OK);
        st = format_all((char *)first.data, first.len, &second, &err);
        if (st != BS_OK) fprintf(stderr, "seed %zu again: %s\n%s\n", k, err.message, first.data);
        assert_int_equal(st, BS_OK);
        assert_string_equal((char *)first.data, (char *)second.data);
    }
    buffer_free(&first);
    buffer_free(&second);
}

/* ---- random input ---------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t rnd(size_t n)
{
    return n ? (size_t)(rng() % n) : 0;
}

/* Parses and checks the result is well formed, whatever the input. */
static void parse_anything(const char *sql, size_t len)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    assert_non_null(arena);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    Status st = parser_parse(sql, len, arena, &stmts, &n, &err);
    if (st == BS_OK) {
        assert_false(error_is_set(&err));
        int prev_end = 0;
        Buffer b;
        buffer_init(&b);
        for (int k = 0; k < n; k++) {
            assert_non_null(stmts[k].stmt);
            assert_true(stmts[k].start >= prev_end && stmts[k].start < stmts[k].end);
            assert_true(stmts[k].end <= (int)len);
            prev_end = stmts[k].end;
            ast_format_statement(stmts[k].stmt, &b);
        }
        buffer_free(&b);
    } else {
        assert_int_equal(st, BS_ERROR);
        assert_true(error_is_set(&err));
        assert_non_null(err.message);
        assert_true(err.position >= -1 && err.position <= (int)len);
        assert_int_equal(n, 0);
    }
    error_clear(&err);
    arena_destroy(arena);
}

static void test_random_bytes(void **state)
{
    (void)state;
    static const char ALPHABET[] = "selctfromwhrinxyz ()'\",.;*+-/<>=|:!e012345789\n\t\\_$%#";
    char buf[256];
    for (int iter = 0; iter < 4000; iter++) {
        size_t len = rnd(sizeof(buf));
        bool any_byte = iter % 2 == 0;
        for (size_t k = 0; k < len; k++)
            buf[k] = any_byte ? (char)rnd(256) : ALPHABET[rnd(sizeof(ALPHABET) - 1)];
        parse_anything(buf, len);
        (void)parser_is_complete(buf, len);
    }
}

static void test_token_soup(void **state)
{
    (void)state;
    static const char *const VOCAB[] = {
        "select",   "from",     "where",   "group",   "by",        "having",    "order",
        "limit",    "offset",   "union",   "all",     "intersect", "except",    "with",
        "as",       "join",     "left",    "on",      "using",     "natural",   "cross",
        "values",   "insert",   "into",    "create",  "table",     "drop",      "if",
        "not",      "exists",   "copy",    "explain", "analyze",   "case",      "when",
        "then",     "else",     "end",     "cast",    "extract",   "substring", "for",
        "interval", "day",      "year",    "to",      "between",   "and",       "or",
        "in",       "like",     "ilike",   "escape",  "is",        "null",      "true",
        "false",    "distinct", "fetch",   "first",   "rows",      "only",      "nulls",
        "last",     "desc",     "asc",     "double",  "precision", "varying",   "timestamp",
        "time",     "zone",     "without", "filter",  "within",    "a",         "t",
        "x",        "count",    "(",       ")",       ",",         ".",         ";",
        "*",        "+",        "-",       "/",       "%",         "||",        "=",
        "<>",       "<",        ">=",      "::",      "1",         "2.5",       "'s'",
        "\"Q\"",    "e'\\n'",
    };
    char buf[1024];
    for (int iter = 0; iter < 6000; iter++) {
        size_t len = 0;
        int n_tokens = 1 + (int)rnd(40);
        for (int k = 0; k < n_tokens; k++) {
            const char *tok = VOCAB[rnd(sizeof(VOCAB) / sizeof(VOCAB[0]))];
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s ", tok);
        }
        parse_anything(buf, len);
    }
}

static void test_truncations(void **state)
{
    (void)state;
    for (int q = 0; q < tpch.count; q++) {
        size_t len = strlen(tpch.text[q]);
        for (size_t cut = 0; cut <= len; cut++)
            parse_anything(tpch.text[q], cut);
    }
    for (size_t s = 0; s < sizeof(SEEDS) / sizeof(SEEDS[0]); s++) {
        size_t len = strlen(SEEDS[s]);
        for (size_t cut = 0; cut <= len; cut++)
            parse_anything(SEEDS[s], cut);
    }
}

static void test_mutations(void **state)
{
    (void)state;
    static const char *const INSERTS[] = {"(",  ")",    "'",    "\"",      "/*",
                                          "--", ";",    "not ", "e'\\",    "select ",
                                          "\0", "\xff", "::",   " union ", "1e"};
    size_t n_seeds = sizeof(SEEDS) / sizeof(SEEDS[0]);
    char buf[4096];
    for (int iter = 0; iter < 6000; iter++) {
        size_t pick = rnd(n_seeds + (size_t)tpch.count);
        const char *src = pick < n_seeds ? SEEDS[pick] : tpch.text[pick - n_seeds];
        size_t len = strlen(src);
        if (len >= sizeof(buf) / 2) len = sizeof(buf) / 2;
        memcpy(buf, src, len);
        int n_mut = 1 + (int)rnd(4);
        for (int m = 0; m < n_mut && len > 0; m++) {
            size_t at = rnd(len);
            switch (rnd(4)) {
            case 0:
                buf[at] = (char)rnd(256);
                break;
            case 1: { /* delete a range */
                size_t n = 1 + rnd(BS_MIN(len - at, (size_t)20));
                memmove(buf + at, buf + at + n, len - at - n);
                len -= n;
                break;
            }
            case 2: { /* duplicate a range */
                size_t n = 1 + rnd(BS_MIN(len - at, (size_t)30));
                if (len + n >= sizeof(buf)) break;
                memmove(buf + at + n, buf + at, len - at);
                len += n;
                break;
            }
            default: { /* insert a troublesome token */
                const char *ins = INSERTS[rnd(sizeof(INSERTS) / sizeof(INSERTS[0]))];
                size_t n = ins[0] ? strlen(ins) : 1;
                if (len + n >= sizeof(buf)) break;
                memmove(buf + at + n, buf + at, len - at);
                memcpy(buf + at, ins, n);
                len += n;
                break;
            }
            }
        }
        parse_anything(buf, len);
        (void)parser_is_complete(buf, len);
    }
}

/* ---- allocation failures ---------------------------------------------------------------- */

static void test_allocation_failures(void **state)
{
    (void)state;
    /* Fail the k-th allocation (and, in the second pass, all after it) for every k. */
    const char *sql = tpch.count > 2 ? tpch.text[2] : SEEDS[0];
    for (int pass = 0; pass < 2; pass++) {
        bool succeeded = false;
        for (long k = 0; k < 5000 && !succeeded; k++) {
            Arena *arena = arena_create(NULL, NULL, 4096);
            assert_non_null(arena);
            ParsedStatement *stmts;
            int n;
            Error err = ERROR_INIT;
            bs_alloc_fail_after(k, pass == 0 ? 1 : -1);
            Status st = parser_parse(sql, strlen(sql), arena, &stmts, &n, &err);
            long injected = bs_alloc_injected_failures();
            bs_alloc_fail_after(-1, 0);
            if (st == BS_OK) {
                assert_int_equal(n, 1);
                succeeded = injected == 0;
            } else {
                assert_true(injected > 0);
                assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
                assert_int_equal(n, 0);
            }
            error_clear(&err);
            arena_destroy(arena);
        }
        assert_true(succeeded);
    }
}

static void test_memory_limit(void **state)
{
    (void)state;
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "query", 32 * 1024);
    Arena *arena = arena_create(NULL, &tracker, 4096);
    assert_non_null(arena);
    /* A long IN list needs more than 32 kB of nodes. */
    size_t cap = 200000;
    char *sql = malloc(cap);
    size_t len = (size_t)snprintf(sql, cap, "select 1 where x in (0");
    for (int k = 1; k < 20000; k++)
        len += (size_t)snprintf(sql + len, cap - len, ",%d", k);
    len += (size_t)snprintf(sql + len, cap - len, ")");
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse(sql, len, arena, &stmts, &n, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
    error_clear(&err);
    arena_destroy(arena);

    /* Without the limit the same statement parses, with all 20000 items. */
    arena = arena_create(NULL, NULL, 0);
    assert_int_equal(parser_parse(sql, len, arena, &stmts, &n, &err), BS_OK);
    AstExpr *in = stmts[0].stmt->u.select.query->where;
    assert_int_equal(in->kind, AST_IN_LIST);
    assert_int_equal(in->u.in_list.list.count, 20000);
    arena_destroy(arena);
    free(sql);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tpch_queries_parse),  cmocka_unit_test(test_seeds_round_trip),
        cmocka_unit_test(test_random_bytes),        cmocka_unit_test(test_token_soup),
        cmocka_unit_test(test_truncations),         cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_allocation_failures), cmocka_unit_test(test_memory_limit),
    };
    return cmocka_run_group_tests(tests, load_tpch, free_tpch);
}
