/*
 * Unit tests: the tokenizer seen through parser_parse — identifier folding and quoting,
 * keywords used as names, literal kinds and values, string escapes, comments, lexical
 * errors with their positions — and parser_is_complete for the shell.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "parser/parser.h"

#include <stdio.h>
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
    } else {
        Buffer b;
        buffer_init(&b);
        for (int k = 0; k < n; k++) {
            if (k) buffer_printf(&b, "; ");
            ast_format_statement(stmts[k].stmt, &b);
        }
        buffer_terminate(&b);
        snprintf(result, sizeof(result), "%s", b.len ? (char *)b.data : "");
        buffer_free(&b);
    }
    error_clear(&err);
    arena_destroy(arena);
    return result;
}

/* Parses `SELECT <text>` in arena and returns the first select item's expression. */
static AstExpr *first_expr(Arena *arena, const char *text)
{
    char sql[4096];
    snprintf(sql, sizeof(sql), "SELECT %s", text);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    Status st = parser_parse(sql, strlen(sql), arena, &stmts, &n, &err);
    if (st != BS_OK) fprintf(stderr, "parse failed: %s\n", err.message);
    assert_int_equal(st, BS_OK);
    assert_int_equal(n, 1);
    error_clear(&err);
    AstSelect *q = stmts[0].stmt->u.select.query;
    AstSelectItem *item = q->select_list.items[0];
    return item->expr;
}

static void test_identifier_folding(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("SELECT MyCol, \"MyCol\", \"a\"\"b\", \"select\" FROM Tab"),
                        "SELECT mycol, MyCol, a\"b, select FROM tab");
    assert_string_equal(parse_fmt("select T.A from S.T"), "SELECT t.a FROM s.t");
    assert_string_equal(parse_fmt("select _x1$, élan from t"), "SELECT _x1$, élan FROM t");
    /* Only ASCII letters fold; others are kept (as in PostgreSQL with UTF-8). */
    assert_string_equal(parse_fmt("select ÉLAN from t"), "SELECT Élan FROM t");

    Arena *arena = arena_create(NULL, NULL, 0);
    AstExpr *e = first_expr(arena, "\"Quoted Name\"");
    assert_int_equal(e->kind, AST_COLUMN);
    assert_null(e->u.column.qualifier);
    assert_string_equal(e->u.column.name, "Quoted Name");
    e = first_expr(arena, "Sch.\"Col\"");
    assert_string_equal(e->u.column.qualifier, "sch");
    assert_string_equal(e->u.column.name, "Col");
    assert_int_equal(e->pos, 7);
    arena_destroy(arena);
}

static void test_keywords_as_names(void **state)
{
    (void)state;
    /* Non-reserved keywords are names wherever the keyword would not parse. */
    assert_string_equal(parse_fmt("select year, month, day, first, last, rows, zone from copy"),
                        "SELECT year, month, day, first, last, rows, zone FROM copy");
    assert_string_equal(parse_fmt("select a year from t"), "SELECT a AS year FROM t");
    assert_string_equal(parse_fmt("select date, time from t"), "SELECT date, time FROM t");
    assert_string_equal(parse_fmt("create table explain (analyze int, insert text)"),
                        "CREATE TABLE explain (analyze int, insert text)");
    assert_string_equal(parse_fmt("SeLeCt 1 FrOm t WhErE x"), "SELECT 1 FROM t WHERE x");
    /* Reserved words need quotes. */
    assert_string_equal(parse_fmt("select from from t"),
                        "ERROR 42601 @7: syntax error at or near \"from\"");
    assert_string_equal(parse_fmt("select \"from\" from t"), "SELECT from FROM t");
}

static void test_integer_literals(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    AstExpr *e = first_expr(arena, "42");
    assert_int_equal(e->kind, AST_LITERAL);
    assert_int_equal(e->u.lit.kind, LIT_INTEGER);
    assert_int_equal(e->u.lit.ival, 42);
    assert_int_equal(e->pos, 7);

    e = first_expr(arena, "9223372036854775807");
    assert_int_equal(e->u.lit.kind, LIT_INTEGER);
    assert_true(e->u.lit.ival == INT64_MAX);

    e = first_expr(arena, "9223372036854775808");
    assert_int_equal(e->u.lit.kind, LIT_NUMBER);
    assert_string_equal(e->u.lit.text, "9223372036854775808");
    assert_int_equal(e->u.lit.len, 19);

    /* A minus folds into the literal: INT64_MIN is an integer. */
    e = first_expr(arena, "-9223372036854775808");
    assert_int_equal(e->u.lit.kind, LIT_INTEGER);
    assert_true(e->u.lit.ival == INT64_MIN);
    assert_int_equal(e->pos, 7);

    e = first_expr(arena, "- 17");
    assert_int_equal(e->u.lit.kind, LIT_INTEGER);
    assert_int_equal(e->u.lit.ival, -17);

    e = first_expr(arena, "-99999999999999999999");
    assert_int_equal(e->u.lit.kind, LIT_NUMBER);
    assert_string_equal(e->u.lit.text, "-99999999999999999999");

    e = first_expr(arena, "007");
    assert_int_equal(e->u.lit.kind, LIT_INTEGER);
    assert_int_equal(e->u.lit.ival, 7);
    arena_destroy(arena);
}

static void test_decimal_literals(void **state)
{
    (void)state;
    static const char *const CASES[] = {"1.5", ".5",   "1e10",        "1.5E-3",
                                        "2.",  "3e+2", "0.0001000000"};
    Arena *arena = arena_create(NULL, NULL, 0);
    for (size_t k = 0; k < sizeof(CASES) / sizeof(CASES[0]); k++) {
        AstExpr *e = first_expr(arena, CASES[k]);
        assert_int_equal(e->kind, AST_LITERAL);
        assert_int_equal(e->u.lit.kind, LIT_NUMBER);
        assert_string_equal(e->u.lit.text, CASES[k]);
        assert_int_equal(e->u.lit.len, strlen(CASES[k]));
    }
    AstExpr *e = first_expr(arena, "-1.5");
    assert_string_equal(e->u.lit.text, "-1.5");
    e = first_expr(arena, "- -1.5");
    assert_string_equal(e->u.lit.text, "1.5");
    arena_destroy(arena);
    assert_string_equal(parse_fmt("select 1.5.5"),
                        "ERROR 42601 @10: syntax error at or near \".5\"");
}

static void test_string_literals(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    AstExpr *e = first_expr(arena, "'it''s'");
    assert_int_equal(e->u.lit.kind, LIT_STRING);
    assert_string_equal(e->u.lit.text, "it's");
    assert_int_equal(e->u.lit.len, 4);

    e = first_expr(arena, "''");
    assert_string_equal(e->u.lit.text, "");
    assert_int_equal(e->u.lit.len, 0);

    /* Standard strings keep backslashes. */
    e = first_expr(arena, "'a\\nb'");
    assert_string_equal(e->u.lit.text, "a\\nb");

    /* E'' strings resolve escapes. */
    e = first_expr(arena, "E'a\\nb\\t\\\\\\'\\x41\\101\\u00e9\\U0001F600'");
    assert_string_equal(e->u.lit.text, "a\nb\t\\'AA\xc3\xa9\xf0\x9f\x98\x80");
    e = first_expr(arena, "e'\\uD83D\\uDE00'");
    assert_string_equal(e->u.lit.text, "\xf0\x9f\x98\x80");
    e = first_expr(arena, "e'x''y\\qz'");
    assert_string_equal(e->u.lit.text, "x'yqz");

    /* Literals separated by a newline are one literal. */
    e = first_expr(arena, "'foo'\n   'bar'");
    assert_string_equal(e->u.lit.text, "foobar");
    assert_int_equal(e->u.lit.len, 6);
    arena_destroy(arena);

    /* Without a newline they are two tokens. */
    assert_string_equal(parse_fmt("select 'foo' 'bar'"),
                        "ERROR 42601 @13: syntax error at or near \"'bar'\"");
    assert_string_equal(parse_fmt("select 'a''b', 'x'"), "SELECT 'a''b', 'x'");
}

static void test_other_literals(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    AstExpr *e = first_expr(arena, "TRUE");
    assert_int_equal(e->u.lit.kind, LIT_BOOLEAN);
    assert_true(e->u.lit.bval);
    e = first_expr(arena, "false");
    assert_int_equal(e->u.lit.kind, LIT_BOOLEAN);
    assert_false(e->u.lit.bval);
    e = first_expr(arena, "null");
    assert_int_equal(e->u.lit.kind, LIT_NULL);

    e = first_expr(arena, "DATE '2024-01-02'");
    assert_int_equal(e->kind, AST_CAST);
    assert_true(e->u.cast.is_literal);
    assert_string_equal(e->u.cast.type->name, "date");
    assert_int_equal(e->u.cast.arg->kind, AST_LITERAL);
    assert_int_equal(e->u.cast.arg->u.lit.kind, LIT_STRING);
    assert_string_equal(e->u.cast.arg->u.lit.text, "2024-01-02");
    assert_int_equal(e->pos, 7);

    e = first_expr(arena, "timestamp with time zone '2024-01-02 03:04:05+00'");
    assert_string_equal(e->u.cast.type->name, "timestamp with time zone");
    e = first_expr(arena, "timestamp without time zone '2024-01-02'");
    assert_string_equal(e->u.cast.type->name, "timestamp");

    e = first_expr(arena, "interval '90' day");
    assert_int_equal(e->kind, AST_INTERVAL);
    assert_string_equal(e->u.interval.text, "90");
    assert_string_equal(e->u.interval.unit, "day");
    e = first_expr(arena, "INTERVAL '1 year'");
    assert_string_equal(e->u.interval.text, "1 year");
    assert_null(e->u.interval.unit);
    e = first_expr(arena, "interval '1-2' YEAR TO MONTH");
    assert_string_equal(e->u.interval.unit, "year to month");
    arena_destroy(arena);
}

static void test_comments_and_blanks(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("select -- a comment\n 1 /* block /* nested */ still */ + 2"),
                        "SELECT (1 + 2)");
    assert_string_equal(parse_fmt("select 1--x"), "SELECT 1");
    assert_string_equal(parse_fmt("select 4/2, 5-3, 1 - -1"), "SELECT (4 / 2), (5 - 3), (1 - -1)");
    assert_string_equal(parse_fmt("\t\r\n select\f1\v"), "SELECT 1");
    assert_string_equal(parse_fmt(""), "");
    assert_string_equal(parse_fmt("  -- nothing\n /* at all */ ; ;"), "");
}

static void test_operator_tokens(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("select a<>b, a!=b, a<=b, a>=b, a<b, a>b, a=b, a||b, a%b"),
                        "SELECT (a <> b), (a <> b), (a <= b), (a >= b), (a < b), (a > b), "
                        "(a = b), (a || b), (a % b)");
    assert_string_equal(parse_fmt("select a::int"), "SELECT CAST(a AS int)");
}

static void test_lexical_errors(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("select 'abc"),
                        "ERROR 42601 @7: unterminated quoted string at or near \"'abc\"");
    assert_string_equal(parse_fmt("select e'abc\\'"),
                        "ERROR 42601 @7: unterminated quoted string at or near \"e'abc\\'\"");
    assert_string_equal(parse_fmt("select \"abc"),
                        "ERROR 42601 @7: unterminated quoted identifier at or near \"\"abc\"");
    assert_string_equal(parse_fmt("select 1 /* a /* b */"),
                        "ERROR 42601 @9: unterminated /* comment at or near \"/* a /* b */\"");
    assert_string_equal(parse_fmt("select \"\""),
                        "ERROR 42601 @7: zero-length delimited identifier at or near \"\"\"\"");
    assert_string_equal(parse_fmt("select 12abc"),
                        "ERROR 42601 @7: trailing junk after numeric literal at or near \"12abc\"");
    assert_string_equal(parse_fmt("select 1.5e"),
                        "ERROR 42601 @7: trailing junk after numeric literal at or near \"1.5e\"");
    assert_string_equal(parse_fmt("select a # b"), "ERROR 42601 @9: syntax error at or near \"#\"");
    assert_string_equal(parse_fmt("select a ! b"), "ERROR 42601 @9: syntax error at or near \"!\"");
    assert_string_equal(parse_fmt("select $1"), "ERROR 42601 @7: syntax error at or near \"$\"");
    assert_string_equal(parse_fmt("select a : b"), "ERROR 42601 @9: syntax error at or near \":\"");
    assert_string_equal(parse_fmt("select e'\\u12'"),
                        "ERROR 42601 @9: invalid Unicode escape value at or near \"\\u12\"");
    assert_string_equal(parse_fmt("select e'ok \\uD800 x'"),
                        "ERROR 42601 @12: invalid Unicode escape value at or near \"\\uD800\"");
    assert_string_equal(parse_fmt("select e'\\x00'"),
                        "ERROR 22021 @9: invalid byte sequence for encoding \"UTF8\": 0x00");
    /* The first error in the text wins, even in a later statement. */
    assert_string_equal(parse_fmt("select 1; select 'x"),
                        "ERROR 42601 @17: unterminated quoted string at or near \"'x\"");

    /* A NUL byte inside the text is an invalid character, not the end. */
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse("select 1\0 + 2", 13, arena, &stmts, &n, &err), BS_ERROR);
    assert_int_equal(err.position, 8);
    assert_int_equal(n, 0);
    assert_null(stmts);
    error_clear(&err);

    /* Long tokens are quoted in part. */
    char sql[1200];
    memset(sql, 'x', sizeof(sql));
    memcpy(sql, "select '", 8);
    sql[sizeof(sql) - 1] = '\0';
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_ERROR);
    assert_int_equal(err.position, 7);
    assert_true(strlen(err.message) < 300);
    assert_non_null(strstr(err.message, "xxx...\""));
    error_clear(&err);
    arena_destroy(arena);
}

static void test_is_complete(void **state)
{
    (void)state;
#define COMPLETE(s) parser_is_complete(s, strlen(s))
    assert_true(COMPLETE("select 1;"));
    assert_true(COMPLETE("select 1;  \n\t"));
    assert_true(COMPLETE("select 1; -- done"));
    assert_true(COMPLETE("select 1; /* done */ "));
    assert_true(COMPLETE("select ';'; "));
    assert_true(COMPLETE("select 1; select 2;"));
    assert_true(COMPLETE(";"));
    assert_false(COMPLETE(""));
    assert_false(COMPLETE("select 1"));
    assert_false(COMPLETE("select 1; select 2"));
    assert_false(COMPLETE("select ';"));
    assert_false(COMPLETE("select 'a'';"));
    assert_false(COMPLETE("select \"x;\" "));
    assert_false(COMPLETE("select \"x;"));
    assert_false(COMPLETE("select 1 -- ;"));
    assert_false(COMPLETE("select 1 /* ; */"));
    assert_false(COMPLETE("select 1; /* unterminated"));
    assert_false(COMPLETE("select 1 /* /* */ ; */"));
    assert_true(COMPLETE("select 1 /* /* */ */ ;"));
    assert_false(COMPLETE("select e'\\';"));
    assert_true(COMPLETE("select e'\\'';"));
    /* Invalid characters do not confuse it. */
    assert_true(COMPLETE("select # ;"));
    assert_false(COMPLETE("select 1; #"));
#undef COMPLETE
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identifier_folding),  cmocka_unit_test(test_keywords_as_names),
        cmocka_unit_test(test_integer_literals),    cmocka_unit_test(test_decimal_literals),
        cmocka_unit_test(test_string_literals),     cmocka_unit_test(test_other_literals),
        cmocka_unit_test(test_comments_and_blanks), cmocka_unit_test(test_operator_tokens),
        cmocka_unit_test(test_lexical_errors),      cmocka_unit_test(test_is_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
