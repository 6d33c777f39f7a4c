/*
 * Unit tests of the planner's constant evaluator as server/ fills it (fold.c over exec's
 * expr_eval_constant): values, types and scales are the executor's; an evaluation that
 * raises an error is reported as not folded; a lazy branch is not evaluated; string
 * results outlive the evaluation; running out of memory is an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "exec/exec.h"
#include "server/server_int.h"

#include <string.h>

static Arena *g_arena;

static Expr *node(ExprKind kind, LogicalType type)
{
    Expr *e = arena_alloc_zero(g_arena, sizeof *e);
    assert_non_null(e);
    e->kind = kind;
    e->type = type;
    e->pos = -1;
    return e;
}

static Expr *constant(Value v)
{
    Expr *e = node(EXPR_CONSTANT, v.type);
    e->u.constant = v;
    return e;
}

static Expr *call(ScalarFuncId func, LogicalType type, int n, Expr *a, Expr *b)
{
    Expr *e = node(EXPR_CALL, type);
    e->u.call.func = func;
    e->u.call.n_args = n;
    e->u.call.args = arena_alloc(g_arena, sizeof(Expr *) * 2);
    e->u.call.args[0] = a;
    e->u.call.args[1] = b;
    return e;
}

/* Evaluates through the evaluator server/ gives the planner. */
static bool eval(const Expr *e, Value *out)
{
    ExprEvaluator ev;
    evaluator_init(&ev);
    Error err = ERROR_INIT;
    bool folded = true;
    assert_int_equal(ev.eval(ev.ctx, e, g_arena, out, &folded, &err), BS_OK);
    assert_false(error_is_set(&err));
    return folded;
}

static int setup(void **state)
{
    (void)state;
    g_arena = arena_create(NULL, NULL, 0);
    return g_arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(g_arena);
    return 0;
}

static void test_decimal_and_date_arithmetic(void **state)
{
    (void)state;
    /* 0.06 - 0.01 as the binder types it: DECIMAL(2,2) operands, DECIMAL(3,2) result. */
    Value v;
    Expr *sub = call(FN_SUBTRACT, type_decimal(3, 2), 2, constant(value_decimal(6, 2, 2)),
                     constant(value_decimal(1, 2, 2)));
    assert_true(eval(sub, &v));
    assert_true(type_equals(v.type, type_decimal(3, 2)));
    assert_false(v.is_null);
    assert_int_equal(v.u.i64, 5);
    /* 1.5 * 2.25 keeps both scales: 3.375 as DECIMAL(5,3). */
    Expr *mul = call(FN_MULTIPLY, type_decimal(5, 3), 2, constant(value_decimal(15, 2, 1)),
                     constant(value_decimal(225, 3, 2)));
    assert_true(eval(mul, &v));
    assert_int_equal(v.u.i64, 3375);
    assert_int_equal(v.type.scale, 3);
    /* date '1994-01-01' + 365 = date '1995-01-01' */
    Expr *add =
        call(FN_ADD, type_make(TYPE_DATE), 2, constant(value_date(days_from_civil(1994, 1, 1))),
             constant(value_integer(365)));
    assert_true(eval(add, &v));
    assert_int_equal(v.type.id, TYPE_DATE);
    assert_int_equal(v.u.i32, days_from_civil(1995, 1, 1));
}

static void test_errors_are_not_folded(void **state)
{
    (void)state;
    Value v;
    Expr *overflow = call(FN_ADD, type_make(TYPE_INTEGER), 2, constant(value_integer(INT32_MAX)),
                          constant(value_integer(1)));
    assert_false(eval(overflow, &v));
    Expr *div0 = call(FN_DIVIDE, type_make(TYPE_BIGINT), 2, constant(value_bigint(1)),
                      constant(value_bigint(0)));
    assert_false(eval(div0, &v));
    Expr *bad_text = node(EXPR_CAST, type_make(TYPE_INTEGER));
    bad_text->u.cast.arg = constant(value_varchar("x1", 2));
    assert_false(eval(bad_text, &v));
    /* A call no kernel implements (a plan the executor refuses) is not folded either. */
    Expr *no_kernel = call(FN_ADD, type_make(TYPE_INTEGER), 2, constant(value_varchar("a", 1)),
                           constant(value_integer(1)));
    assert_false(eval(no_kernel, &v));
}

static void test_lazy_branches(void **state)
{
    (void)state;
    /* CASE WHEN false THEN 1/0 ELSE 5 END: the division is never evaluated. */
    Expr *c = node(EXPR_CASE, type_make(TYPE_INTEGER));
    c->u.case_.n_whens = 1;
    c->u.case_.whens = arena_alloc(g_arena, sizeof(Expr *));
    c->u.case_.thens = arena_alloc(g_arena, sizeof(Expr *));
    c->u.case_.whens[0] = constant(value_boolean(false));
    c->u.case_.thens[0] = call(FN_DIVIDE, type_make(TYPE_INTEGER), 2, constant(value_integer(1)),
                               constant(value_integer(0)));
    c->u.case_.else_expr = constant(value_integer(5));
    Value v;
    assert_true(eval(c, &v));
    assert_false(v.is_null);
    assert_int_equal(v.u.i32, 5);
    /* NULL results are values too. */
    Expr *null_add = call(FN_ADD, type_make(TYPE_INTEGER), 2, constant(value_integer(1)),
                          constant(value_null(type_make(TYPE_INTEGER))));
    assert_true(eval(null_add, &v));
    assert_true(v.is_null);
    assert_int_equal(v.type.id, TYPE_INTEGER);
}

static void test_in_list(void **state)
{
    (void)state;
    /* 4 IN (1, 2, NULL) is NULL; 2 IN (1, 2, NULL) is TRUE; 'b' IN ('a', 'c') is FALSE. */
    Value v;
    for (int k = 0; k < 2; k++) {
        Expr *in = node(EXPR_CALL, type_make(TYPE_BOOLEAN));
        in->u.call.func = FN_IN;
        in->u.call.n_args = 4;
        in->u.call.args = arena_alloc(g_arena, sizeof(Expr *) * 4);
        in->u.call.args[0] = constant(value_integer(k == 0 ? 4 : 2));
        in->u.call.args[1] = constant(value_integer(1));
        in->u.call.args[2] = constant(value_integer(2));
        in->u.call.args[3] = constant(value_null(type_make(TYPE_INTEGER)));
        assert_true(eval(in, &v));
        if (k == 0) {
            assert_true(v.is_null);
        } else {
            assert_false(v.is_null);
            assert_true(v.u.b);
        }
    }
    Expr *in = node(EXPR_CALL, type_make(TYPE_BOOLEAN));
    in->u.call.func = FN_IN;
    in->u.call.n_args = 3;
    in->u.call.args = arena_alloc(g_arena, sizeof(Expr *) * 3);
    in->u.call.args[0] = constant(value_varchar("b", 1));
    in->u.call.args[1] = constant(value_varchar("a", 1));
    in->u.call.args[2] = constant(value_varchar("c", 1));
    assert_true(eval(in, &v));
    assert_false(v.is_null);
    assert_false(v.u.b);
    /* Out of order: the executor refuses the list, so nothing is folded. */
    in->u.call.args[1] = constant(value_varchar("c", 1));
    in->u.call.args[2] = constant(value_varchar("a", 1));
    assert_false(eval(in, &v));
}

static void test_strings_outlive_evaluation(void **state)
{
    (void)state;
    const char *long_a = "a string longer than twelve bytes, ";
    const char *long_b = "and another one";
    Expr *cat = call(FN_CONCAT, type_make(TYPE_VARCHAR), 2,
                     constant(value_varchar(long_a, (uint32_t)strlen(long_a))),
                     constant(value_varchar(long_b, (uint32_t)strlen(long_b))));
    Value v;
    assert_true(eval(cat, &v));
    /* Allocate over the evaluation's freed scratch memory, then read the result. */
    for (int k = 0; k < 64; k++)
        memset(arena_alloc(g_arena, 4096), 'z', 4096);
    const char *want = "a string longer than twelve bytes, and another one";
    assert_int_equal(v.u.str.len, strlen(want));
    assert_memory_equal(v.u.str.data, want, strlen(want));
}

static void test_out_of_memory(void **state)
{
    (void)state;
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "tiny", 1024);
    Arena *tiny = arena_create(NULL, &tracker, 256);
    assert_non_null(tiny);
    Expr *add = call(FN_ADD, type_make(TYPE_INTEGER), 2, constant(value_integer(1)),
                     constant(value_integer(2)));
    ExprEvaluator ev;
    evaluator_init(&ev);
    Error err = ERROR_INIT;
    Value v;
    bool folded = true;
    assert_int_equal(ev.eval(ev.ctx, add, tiny, &v, &folded, &err), BS_ERROR);
    assert_false(folded);
    assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
    error_clear(&err);
    arena_destroy(tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_and_date_arithmetic),
        cmocka_unit_test(test_errors_are_not_folded),
        cmocka_unit_test(test_lazy_branches),
        cmocka_unit_test(test_in_list),
        cmocka_unit_test(test_strings_outlive_evaluation),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
