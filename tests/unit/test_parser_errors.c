/*
 * Unit tests: syntax errors (PostgreSQL's wording, the byte position of the offending
 * token or the end of input), the errors grammar actions raise (multiple ORDER BY,
 * LIMIT, OFFSET, WITH; VALUES lengths; interval ranges), and deep nesting, which must
 * fail cleanly with 54001 instead of exhausting any stack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "parser/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses sql; returns the statements formatted ("; "-joined) or "ERROR <state> @<pos>: msg". */
static const char *parse_fmt(const char *sql)
{
    static char result[16384];
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    if (parser_parse(sql, strlen(sql), arena, &stmts, &n, &err) != BS_OK) {
        snprintf(result, sizeof(result), "ERROR %s @%d: %s", err.sqlstate, err.position,
                 err.message);
        assert_int_equal(n, 0);
        assert_null(stmts);
    } else {
        Buffer b;
        buffer_init(&b);
        for (int k = 0; k < n; k++) {
            if (k) buffer_printf(&b, "; ");
            ast_format_statement(stmts[k].stmt, &b);
        }
        buffer_terminate(&b);
        snprintf(result, sizeof(result), "%.*s", 16000, b.len ? (char *)b.data : "");
        buffer_free(&b);
    }
    error_clear(&err);
    arena_destroy(arena);
    return result;
}

/* A heap string of `prefix`, `unit` repeated n times, `middle`, `close` n times, `suffix`. */
static char *nested(const char *prefix, const char *unit, int n, const char *middle,
                    const char *close, const char *suffix)
{
    size_t len = strlen(prefix) + (strlen(unit) + strlen(close)) * (size_t)n + strlen(middle) +
                 strlen(suffix) + 1;
    char *s = malloc(len);
    assert_non_null(s);
    char *p = s;
    p += sprintf(p, "%s", prefix);
    for (int k = 0; k < n; k++)
        p += sprintf(p, "%s", unit);
    p += sprintf(p, "%s", middle);
    for (int k = 0; k < n; k++)
        p += sprintf(p, "%s", close);
    sprintf(p, "%s", suffix);
    return s;
}

static void test_syntax_error_positions(void **state)
{
    (void)state;
    /* `frm` is an alias of a, so the error is at t. */
    assert_string_equal(parse_fmt("select a frm t"),
                        "ERROR 42601 @13: syntax error at or near \"t\"");
    assert_string_equal(parse_fmt("select * from"),
                        "ERROR 42601 @13: syntax error at end of input");
    assert_string_equal(parse_fmt("select * from   \n -- trailing\n"),
                        "ERROR 42601 @30: syntax error at end of input");
    assert_string_equal(parse_fmt("select * from;"),
                        "ERROR 42601 @13: syntax error at or near \";\"");
    assert_string_equal(parse_fmt("select * from; select 1"),
                        "ERROR 42601 @13: syntax error at or near \";\"");
    assert_string_equal(parse_fmt("selec 1"), "ERROR 42601 @0: syntax error at or near \"selec\"");
    assert_string_equal(parse_fmt("select 1 from t where"),
                        "ERROR 42601 @21: syntax error at end of input");
    assert_string_equal(parse_fmt("select (1"), "ERROR 42601 @9: syntax error at end of input");
    assert_string_equal(parse_fmt("select 1)"), "ERROR 42601 @8: syntax error at or near \")\"");
    assert_string_equal(parse_fmt("select a,"), "ERROR 42601 @9: syntax error at end of input");
    assert_string_equal(parse_fmt("select a, from t"),
                        "ERROR 42601 @10: syntax error at or near \"from\"");
    assert_string_equal(parse_fmt("select a::"), "ERROR 42601 @10: syntax error at end of input");
    assert_string_equal(parse_fmt("select x not y"),
                        "ERROR 42601 @9: syntax error at or near \"not\"");
    /* NOT after an operand must begin NOT BETWEEN/IN/LIKE/ILIKE. */
    assert_string_equal(parse_fmt("select * from t where a not"),
                        "ERROR 42601 @24: syntax error at or near \"not\"");
    assert_string_equal(parse_fmt("select * from t where x in ()"),
                        "ERROR 42601 @28: syntax error at or near \")\"");
    assert_string_equal(parse_fmt("insert t values (1)"),
                        "ERROR 42601 @7: syntax error at or near \"t\"");
    assert_string_equal(parse_fmt("select 'a' 'b'"),
                        "ERROR 42601 @11: syntax error at or near \"'b'\"");
    assert_string_equal(parse_fmt("select \"Col\" \"Alias\" \"x\""),
                        "ERROR 42601 @21: syntax error at or near \"\"x\"\"");
    assert_string_equal(parse_fmt("select * from t order a"),
                        "ERROR 42601 @22: syntax error at or near \"a\"");
    assert_string_equal(parse_fmt("select * from t limit"),
                        "ERROR 42601 @21: syntax error at end of input");
    assert_string_equal(parse_fmt("select * from a join b"),
                        "ERROR 42601 @22: syntax error at end of input");
    assert_string_equal(parse_fmt("select * from a natural join b on x"),
                        "ERROR 42601 @31: syntax error at or near \"on\"");
    assert_string_equal(parse_fmt("select case end"),
                        "ERROR 42601 @12: syntax error at or near \"end\"");
    assert_string_equal(parse_fmt("select cast(a)"),
                        "ERROR 42601 @13: syntax error at or near \")\"");
    assert_string_equal(parse_fmt("select a from t union"),
                        "ERROR 42601 @21: syntax error at end of input");
    assert_string_equal(parse_fmt("select a from t order by a union select 1"),
                        "ERROR 42601 @27: syntax error at or near \"union\"");
    assert_string_equal(parse_fmt("select 1 1"), "ERROR 42601 @9: syntax error at or near \"1\"");
    /* Valid SQL that Basalt does not run yet is 0A000, not a syntax error. */
    assert_string_equal(parse_fmt("update t set a = 1"),
                        "ERROR 0A000 @0: UPDATE is not supported yet");
    assert_string_equal(parse_fmt("create index i on t (a)"),
                        "ERROR 0A000 @7: CREATE INDEX is not supported yet");
    assert_string_equal(parse_fmt("create view v as select 1"),
                        "CREATE VIEW v AS SELECT 1");
    assert_string_equal(parse_fmt("create or replace view v (a, b) as select 1, 2"),
                        "CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2");
    assert_string_equal(parse_fmt("drop view if exists v, w"), "DROP VIEW IF EXISTS v, w");
    assert_string_equal(parse_fmt("create tablex t (a int)"),
                        "ERROR 42601 @7: syntax error at or near \"tablex\"");
    /* An error in a later statement reports that statement's position in the script. */
    assert_string_equal(parse_fmt("select 1;\nselect 2 +;"),
                        "ERROR 42601 @20: syntax error at or near \";\"");
}

static void test_error_struct(void **state)
{
    (void)state;
    const char *sql = "select 1;\nselect a frm t";
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts = (ParsedStatement *)1;
    int n = 7;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_ERROR);
    assert_true(error_is_set(&err));
    assert_string_equal(err.sqlstate, SQLSTATE_SYNTAX_ERROR);
    assert_int_equal(err.position, 23);
    assert_string_equal(err.message, "syntax error at or near \"t\"");
    assert_null(stmts);
    assert_int_equal(n, 0);
    error_clear(&err);

    /* Empty input and NULL text with length 0 are fine: no statements. */
    assert_int_equal(parser_parse(NULL, 0, arena, &stmts, &n, &err), BS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(parser_parse("select 1", 0, arena, &stmts, &n, &err), BS_OK);
    assert_int_equal(n, 0);
    /* The length bounds the text: "select 1; garbage" cut after the ';'. */
    assert_int_equal(parser_parse("select 1; garbage", 9, arena, &stmts, &n, &err), BS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(stmts[0].end, 8);
    arena_destroy(arena);
}

static void test_action_errors(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("(select 1 order by 1) order by 1"),
                        "ERROR 42601 @22: multiple ORDER BY clauses not allowed");
    assert_string_equal(parse_fmt("(select 1 limit 1) limit 2"),
                        "ERROR 42601 @19: multiple LIMIT clauses not allowed");
    assert_string_equal(parse_fmt("(select 1 offset 1) offset 2"),
                        "ERROR 42601 @20: multiple OFFSET clauses not allowed");
    assert_string_equal(parse_fmt("(select 1 fetch first 1 row only) limit 2"),
                        "ERROR 42601 @34: multiple LIMIT clauses not allowed");
    assert_string_equal(parse_fmt("with a as (select 1) (with b as (select 2) select 3)"),
                        "ERROR 42601 @0: multiple WITH clauses not allowed");
    /* Different clauses at two levels combine. */
    assert_string_equal(parse_fmt("(select 1 order by 1) limit 2"), "SELECT 1 ORDER BY 1 LIMIT 2");
    assert_string_equal(parse_fmt("select (select 1 limit 1) limit 2"),
                        "SELECT (SELECT 1 LIMIT 1) LIMIT 2");
    assert_string_equal(parse_fmt("values (1, 2), (3)"),
                        "ERROR 42601 @16: VALUES lists must all be the same length");
    assert_string_equal(parse_fmt("select interval '1' month to year"),
                        "ERROR 42601 @29: syntax error at or near \"year\"");
    assert_string_equal(parse_fmt("select interval '1' year to day"),
                        "ERROR 42601 @28: syntax error at or near \"day\"");
    assert_string_equal(parse_fmt("select interval '1' day to second"),
                        "SELECT INTERVAL '1' DAY TO SECOND");
    assert_string_equal(parse_fmt("select int with time zone '1'"),
                        "ERROR 42601 @11: syntax error at or near \"with\"");
}

static void test_deep_parentheses(void **state)
{
    (void)state;
    /* 100000 opening parentheses: the parser stack fills up, a clean 54001. */
    char *sql = nested("select ", "(", 100000, "1", ")", "");
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "54001");
    assert_string_equal(err.message, "statement is too complex");
    assert_true(err.position > 7 && err.position < 100007);
    error_clear(&err);
    free(sql);

    /* Unclosed: the same. */
    sql = nested("select ", "(", 100000, "", "", "");
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "54001");
    error_clear(&err);
    free(sql);

    /* Redundant parentheses build no nodes: a thousand of them are fine. */
    sql = nested("select ", "(", 1000, "1", ")", "");
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_OK);
    assert_int_equal(n, 1);
    free(sql);
    arena_destroy(arena);
}

static void test_deep_trees(void **state)
{
    (void)state;
    static const struct {
        const char *prefix, *unit, *middle, *close;
        int n;
    } CASES[] = {
        {"select ", "1 + ", "1", "", 5000},      /* left-deep, no parser stack */
        {"select ", "not ", "true", "", 100000}, /* right recursion */
        {"select ", "- ", "a", "", 100000},
        {"select ", "(1 + ", "1", ")", 2000},
        {"select ", "(select ", "1", ")", 600}, /* nested scalar subqueries */
        {"select * from ", "(select * from ", "t", ") s", 800},
        {"select ", "case when a then ", "1", " end", 1500},
        {"select ", "f(", "1", ")", 1500},
        {"select 1 ", "union select 1 ", "", "", 3000}, /* left-deep set operations */
        {"select * from t ", "join t on true ", "", "", 2000},
        {"select ", "a in (", "1", ")", 1500},
    };
    for (size_t k = 0; k < sizeof(CASES) / sizeof(CASES[0]); k++) {
        char *sql =
            nested(CASES[k].prefix, CASES[k].unit, CASES[k].n, CASES[k].middle, CASES[k].close, "");
        Arena *arena = arena_create(NULL, NULL, 0);
        ParsedStatement *stmts;
        int n;
        Error err = ERROR_INIT;
        Status st = parser_parse(sql, strlen(sql), arena, &stmts, &n, &err);
        if (st != BS_ERROR || strcmp(err.sqlstate, "54001") != 0)
            fprintf(stderr, "case %zu: status %d, %s %s\n", k, st, err.sqlstate,
                    err.message ? err.message : "");
        assert_int_equal(st, BS_ERROR);
        assert_string_equal(err.sqlstate, "54001");
        assert_true(err.position >= 0 && err.position <= (int)strlen(sql));
        error_clear(&err);
        arena_destroy(arena);
        free(sql);
    }
}

static void test_moderate_depth_is_fine(void **state)
{
    (void)state;
    static const struct {
        const char *prefix, *unit, *middle, *close;
        int n;
    } CASES[] = {
        {"select ", "1 + ", "1", "", 900},
        {"select ", "not ", "true", "", 900},
        {"select ", "(select ", "1", ")", 300},
        {"select * from ", "(select * from ", "t", ") s", 300},
        {"select ", "case when a then ", "1", " end", 400},
        {"select 1 ", "union all select 1 ", "", "", 900},
        {"select * from t ", "left join t on true ", "", "", 400},
    };
    for (size_t k = 0; k < sizeof(CASES) / sizeof(CASES[0]); k++) {
        char *sql =
            nested(CASES[k].prefix, CASES[k].unit, CASES[k].n, CASES[k].middle, CASES[k].close, "");
        Arena *arena = arena_create(NULL, NULL, 0);
        ParsedStatement *stmts;
        int n;
        Error err = ERROR_INIT;
        Status st = parser_parse(sql, strlen(sql), arena, &stmts, &n, &err);
        if (st != BS_OK) fprintf(stderr, "case %zu: %s %s\n", k, err.sqlstate, err.message);
        assert_int_equal(st, BS_OK);
        assert_int_equal(n, 1);
        /* Formatting a deep tree recurses safely. */
        Buffer b;
        buffer_init(&b);
        ast_format_statement(stmts[0].stmt, &b);
        assert_true(buffer_ok(&b));
        assert_true(b.len > (size_t)CASES[k].n);
        buffer_free(&b);
        arena_destroy(arena);
        free(sql);
    }
}

static void test_format_guards_hand_built_trees(void **state)
{
    (void)state;
    /* A tree no parser would return (100000 deep): formatting stops with "...". */
    Arena *arena = arena_create(NULL, NULL, 0);
    AstExpr *e = arena_alloc_zero(arena, sizeof(AstExpr));
    e->kind = AST_LITERAL;
    e->u.lit.kind = LIT_INTEGER;
    e->u.lit.ival = 1;
    for (int k = 0; k < 100000; k++) {
        AstExpr *u = arena_alloc_zero(arena, sizeof(AstExpr));
        u->kind = AST_UNARY;
        u->u.unary.op = OP_NOT;
        u->u.unary.arg = e;
        e = u;
    }
    Buffer b;
    buffer_init(&b);
    ast_format_expr(e, &b);
    buffer_terminate(&b);
    assert_true(buffer_ok(&b));
    assert_non_null(strstr((char *)b.data, "(NOT ...)"));
    buffer_free(&b);

    /* NULL parts print as "?" rather than crashing. */
    buffer_init(&b);
    ast_format_expr(NULL, &b);
    ast_format_statement(NULL, &b);
    buffer_terminate(&b);
    assert_string_equal((char *)b.data, "??");
    buffer_free(&b);
    arena_destroy(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_error_positions),
        cmocka_unit_test(test_error_struct),
        cmocka_unit_test(test_action_errors),
        cmocka_unit_test(test_deep_parentheses),
        cmocka_unit_test(test_deep_trees),
        cmocka_unit_test(test_moderate_depth_is_fine),
        cmocka_unit_test(test_format_guards_hand_built_trees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
