/*
 * Unit tests of expression simplification (rule_simplify.c) without the executor: which
 * rewrites happen with no evaluator, that the evaluator is asked only about expressions
 * that read no column, that a refused evaluation leaves the expression, that a value of
 * another type is not taken, and that running out of memory in the evaluator fails the
 * statement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "parser/parser.h"
#include "planner/planner.h"

#include <string.h>

/* t(a INTEGER, b VARCHAR, c DECIMAL(15,2), d DATE) */
static Status fake_get_table(void *ctx, const char *catalog, const char *schema, const char *name,
                             Arena *arena, CatalogTable **out, Error *err)
{
    (void)ctx;
    *out = NULL;
    if (catalog || schema) return BS_OK;
    if (strcmp(name, "t") != 0) return BS_OK;
    static char *names[] = {"a", "b", "c", "d"};
    static LogicalType types[4];
    static bool not_null[4];
    types[0] = type_make(TYPE_INTEGER);
    types[1] = type_make(TYPE_VARCHAR);
    types[2] = type_decimal(15, 2);
    types[3] = type_make(TYPE_DATE);
    CatalogTable *t = arena_alloc_zero(arena, sizeof *t);
    if (!t) return arena_error(arena, err);
    t->name = arena_strdup(arena, name);
    t->id = 1;
    t->snapshot = 1;
    t->n_cols = 4;
    t->col_names = names;
    t->col_types = types;
    t->col_not_null = not_null;
    t->n_rows = 100;
    *out = t;
    return BS_OK;
}

/* What a fake evaluator saw and how it answers. */
typedef struct Fake {
    int calls;
    bool saw_column; /* was asked about an expression that reads a column */
    bool refuse;     /* answer "could not evaluate" */
    bool wrong_type; /* answer with a value of another type */
    bool out_of_mem; /* fail as if memory ran out */
    int64_t answer;  /* the INTEGER it answers with */
} Fake;

static bool has_column(Expr *e, void *arg)
{
    if (e->kind == EXPR_COLUMN) *(bool *)arg = true;
    return true;
}

static Status fake_eval(void *ctx, const Expr *expr, Arena *arena, Value *out, bool *folded,
                        Error *err)
{
    (void)arena;
    Fake *f = ctx;
    f->calls++;
    expr_visit((Expr *)expr, has_column, &f->saw_column);
    *folded = false;
    if (f->out_of_mem) return error_set(err, SQLSTATE_OUT_OF_MEMORY, -1, "out of memory (fake)");
    if (f->refuse) return BS_OK;
    if (f->wrong_type) {
        *out = value_bigint(f->answer);
        *folded = true;
        return BS_OK;
    }
    if (expr->type.id != TYPE_INTEGER) return BS_OK; /* only integers in these tests */
    *out = value_integer((int32_t)f->answer);
    *folded = true;
    return BS_OK;
}

/* EXPLAIN text of sql optimized with evaluator (may be NULL); NULL with *err on failure. */
static char *explain(const char *sql, const ExprEvaluator *evaluator, Arena *arena, Error *err)
{
    ParsedStatement *stmts;
    int n;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, err), BS_OK);
    Catalog catalog = {NULL, fake_get_table, NULL, NULL};
    BoundStatement *bs;
    if (planner_bind(stmts[0].stmt, &catalog, arena, &bs, err) != BS_OK)
        fail_msg("%s: %s", sql, err->message);
    if (planner_optimize(&bs->plan, evaluator, arena, err) != BS_OK) return NULL;
    QueryPlan *plan;
    if (planner_physical(bs, NULL, arena, &plan, err) != BS_OK) fail_msg("%s: %s", sql, err->message);
    Buffer b;
    buffer_init(&b);
    planner_explain(plan, &b);
    buffer_terminate(&b);
    char *text = arena_strdup(arena, (const char *)b.data);
    buffer_free(&b);
    return text;
}

static void expect_line(const char *sql, const ExprEvaluator *evaluator, const char *line)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    Error err = ERROR_INIT;
    char *text = explain(sql, evaluator, arena, &err);
    assert_non_null(text);
    if (!strstr(text, line)) fail_msg("%s\nexpected the line\n  %s\nin\n%s", sql, line, text);
    arena_destroy(arena);
}

static void test_without_evaluator(void **state)
{
    (void)state;
    /* Nothing is evaluated: arithmetic on constants stays. */
    expect_line("select a + (1 + 2) from t", NULL, "Project[(#0 + (1 + 2))]");
    /* Boolean logic, comparisons, IN lists and casts of columns need no evaluation. */
    expect_line("select a from t where true and a > 1 and not (a <> 2)", NULL,
                "Filter[((#0 > 1) AND (#0 = 2))]");
    expect_line("select a from t where 5 > a or a = 7 or a = 6 or a = 7", NULL,
                "Filter[((#0 < 5) OR (#0 IN (6, 7)))]");
    expect_line("select a from t where a < 2.5 and c >= 1.001", NULL,
                "Filter[((#0 <= 2) AND (#1 > 1.00))]");
    expect_line("select a from t where d < timestamp '2024-03-01 10:00:00'", NULL,
                "Filter[(#1 <= DATE '2024-03-01')]");
    expect_line("select a from t where a not between 1 and 3", NULL,
                "Filter[((#0 < 1) OR (#0 > 3))]");
    expect_line("select case when false then a when true then 2 else 3 end from t", NULL,
                "Project[2]");
    /* The filter that is always true is gone; the scan is all that is left. */
    expect_line("select a from t where 1 = 1 or a > 1", NULL, "      TableScan[t, columns: a]\n");
}

static void test_evaluator_sees_constants_only(void **state)
{
    (void)state;
    Fake fake = {.answer = 42};
    ExprEvaluator ev = {&fake, fake_eval};
    expect_line("select a + (1 + 2), (3 * 4) - a, b || 'x' from t", &ev,
                "Project[(#0 + 42), (42 - #0), (#1 || 'x')]");
    assert_int_equal(fake.calls, 2);
    assert_false(fake.saw_column);
}

static void test_refused_evaluation_stays(void **state)
{
    (void)state;
    Fake fake = {.refuse = true};
    ExprEvaluator ev = {&fake, fake_eval};
    expect_line("select a + 1 / 0 from t", &ev, "Project[(#0 + (1 / 0))]");
    assert_int_equal(fake.calls, 1);
    /* A value of another type than the expression's is not taken. */
    Fake wrong = {.wrong_type = true, .answer = 7};
    ExprEvaluator ev2 = {&wrong, fake_eval};
    expect_line("select a + (2 + 3) from t", &ev2, "Project[(#0 + (2 + 3))]");
    assert_int_equal(wrong.calls, 1);
}

static void test_evaluator_out_of_memory(void **state)
{
    (void)state;
    Fake fake = {.out_of_mem = true};
    ExprEvaluator ev = {&fake, fake_eval};
    Arena *arena = arena_create(NULL, NULL, 0);
    Error err = ERROR_INIT;
    assert_null(explain("select a + (2 + 3) from t", &ev, arena, &err));
    assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
    error_clear(&err);
    arena_destroy(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_evaluator),
        cmocka_unit_test(test_evaluator_sees_constants_only),
        cmocka_unit_test(test_refused_evaluation_stays),
        cmocka_unit_test(test_evaluator_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
