/*
 * Unit tests: compiled expressions (expr_compile, expr_eval, expr_select) over hand-built
 * Expr trees (planner/plan.h) and chunks — constant folding, three-valued AND/OR/NOT,
 * short-circuit evaluation (x <> 0 AND 10 / x > 1 never divides by zero), CASE, IS [NOT]
 * NULL, coalesce, chunks with a selection vector, dictionary and constant input vectors,
 * and plans that must be refused (bad column index, mismatched types).
 *
 * Rows are fed in chunks of at most BASALT_VECTOR_SIZE, so the tests run with any vector
 * size, 2 included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "exec/exec_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static Arena *arena;

static int setup(void **state)
{
    (void)state;
    arena = arena_create(NULL, NULL, 0);
    return arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(arena);
    return 0;
}

#define T_INT     type_make(TYPE_INTEGER)
#define T_BIGINT  type_make(TYPE_BIGINT)
#define T_DOUBLE  type_make(TYPE_DOUBLE)
#define T_VARCHAR type_make(TYPE_VARCHAR)
#define T_BOOL    type_make(TYPE_BOOLEAN)

#define I32(x)   value_integer(x)
#define I64(x)   value_bigint(x)
#define BOOLV(b) value_boolean(b)
#define NUL(t)   value_null(t)
#define STR(s)   value_varchar(s, (uint32_t)strlen(s))

/* ---- building expressions -------------------------------------------------------------- */

static Expr *new_expr(ExprKind kind, LogicalType type)
{
    Expr *e = arena_alloc_zero(arena, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->pos = -1;
    return e;
}

static Expr *col(int index, LogicalType type)
{
    Expr *e = new_expr(EXPR_COLUMN, type);
    e->u.column.index = index;
    return e;
}

static Expr *lit(Value v)
{
    Expr *e = new_expr(EXPR_CONSTANT, v.type);
    e->u.constant = v;
    return e;
}

static Expr **list(int n, va_list ap)
{
    Expr **args = arena_alloc(arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    for (int k = 0; k < n; k++)
        args[k] = va_arg(ap, Expr *);
    return args;
}

static Expr *call(ScalarFuncId func, LogicalType ret, int n, ...)
{
    Expr *e = new_expr(EXPR_CALL, ret);
    va_list ap;
    va_start(ap, n);
    e->u.call.func = func;
    e->u.call.n_args = n;
    e->u.call.args = list(n, ap);
    va_end(ap);
    return e;
}

static Expr *cmp(ScalarFuncId func, Expr *a, Expr *b)
{
    return call(func, T_BOOL, 2, a, b);
}

static Expr *logic(ExprKind kind, int n, ...)
{
    Expr *e = new_expr(kind, T_BOOL);
    va_list ap;
    va_start(ap, n);
    e->u.conj.n_args = n;
    e->u.conj.args = list(n, ap);
    va_end(ap);
    return e;
}

static Expr *unary(ExprKind kind, Expr *arg)
{
    Expr *e = new_expr(kind, T_BOOL);
    e->u.unary.arg = arg;
    return e;
}

static Expr *cast(Expr *arg, LogicalType to)
{
    Expr *e = new_expr(EXPR_CAST, to);
    e->u.cast.arg = arg;
    return e;
}

/* CASE WHEN w0 THEN t0 … ELSE else_expr END with n whens. */
static Expr *case_of(LogicalType type, int n, Expr **whens, Expr **thens, Expr *else_expr)
{
    Expr *e = new_expr(EXPR_CASE, type);
    e->u.case_.n_whens = n;
    e->u.case_.whens = arena_memdup(arena, whens, sizeof(Expr *) * (size_t)n);
    e->u.case_.thens = arena_memdup(arena, thens, sizeof(Expr *) * (size_t)n);
    e->u.case_.else_expr = else_expr;
    return e;
}

/* ---- values ---------------------------------------------------------------------------- */

static void describe(const Value *v, char *buf, size_t size)
{
    if (v->is_null) {
        snprintf(buf, size, "NULL");
    } else if (v->type.id == TYPE_VARCHAR) {
        snprintf(buf, size, "'%.*s'", (int)v->u.str.len, v->u.str.data);
    } else {
        char text[VALUE_TEXT_MAX];
        format_value(v, text);
        snprintf(buf, size, "%s", text);
    }
}

static bool same_value(const Value *a, const Value *b)
{
    if (!type_equals(a->type, b->type) || a->is_null != b->is_null) return false;
    if (a->is_null) return true;
    switch (type_physical(a->type)) {
    case PHYS_BOOL:
        return a->u.b == b->u.b;
    case PHYS_INT32:
        return a->u.i32 == b->u.i32;
    case PHYS_INT64:
        return a->u.i64 == b->u.i64;
    case PHYS_INT128:
        return a->u.i128 == b->u.i128;
    case PHYS_INT8:
        return a->u.i8 == b->u.i8;
    case PHYS_INT16:
        return a->u.i16 == b->u.i16;
    case PHYS_FLOAT:
        return a->u.f32 == b->u.f32 || (isnan(a->u.f32) && isnan(b->u.f32));
    case PHYS_DOUBLE:
        return a->u.f64 == b->u.f64 || (isnan(a->u.f64) && isnan(b->u.f64));
    case PHYS_STRING:
        return a->u.str.len == b->u.str.len &&
               memcmp(a->u.str.data, b->u.str.data, a->u.str.len) == 0;
    case PHYS_INTERVAL:
        return a->u.iv.months == b->u.iv.months && a->u.iv.days == b->u.iv.days &&
               a->u.iv.micros == b->u.iv.micros;
    case PHYS_INVALID:
        break;
    }
    return false;
}

/* ---- compiling and evaluating ---------------------------------------------------------- */

static ExprState *compile(const Expr *e, int n_cols, const LogicalType *types)
{
    ExprState *s;
    Error err = ERROR_INIT;
    if (expr_compile(e, n_cols, types, arena, &s, &err) != BS_OK)
        fail_msg("expr_compile: %s %s", err.sqlstate, err.message);
    return s;
}

/* Fills chunk c (reset first) with rows [first, first+n) of rows (row-major). */
static void fill(Chunk *c, const Value *rows, int n_cols, idx_t first, idx_t n)
{
    Error err = ERROR_INIT;
    chunk_reset(c);
    for (idx_t r = 0; r < n; r++)
        for (int k = 0; k < n_cols; k++)
            assert_int_equal(
                vector_set_value(&c->cols[k], r, &rows[(first + r) * (idx_t)n_cols + k], &err),
                BS_OK);
    c->n_rows = n;
}

/*
 * Evaluates e over rows (n rows of n_cols values) in chunks of BASALT_VECTOR_SIZE and
 * checks each result against want[row]. Also checks expr_select for boolean expressions:
 * the rows selected are those whose value is TRUE.
 */
static void check_expr(const Expr *e, int n_cols, const LogicalType *types, const Value *rows,
                       idx_t n, const Value *want)
{
    ExprState *s = compile(e, n_cols, types);
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, types, n_cols, &err);
    assert_non_null(c);
    for (idx_t first = 0; first < n; first += BASALT_VECTOR_SIZE) {
        idx_t m = BS_MIN((idx_t)BASALT_VECTOR_SIZE, n - first);
        fill(c, rows, n_cols, first, m);
        Vector *result;
        if (expr_eval(s, c, &result, &err) != BS_OK)
            fail_msg("expr_eval: %s %s", err.sqlstate, err.message);
        for (idx_t r = 0; r < m; r++) {
            Value got;
            vector_get_value(result, r, &got);
            if (!same_value(&got, &want[first + r])) {
                char g[256], w[256];
                describe(&got, g, sizeof g);
                describe(&want[first + r], w, sizeof w);
                fail_msg("row %llu: got %s, want %s", (unsigned long long)(first + r), g, w);
            }
        }
        if (e->type.id != TYPE_BOOLEAN) continue;
        sel_t sel[BASALT_VECTOR_SIZE];
        idx_t n_sel = 0;
        if (expr_select(s, c, sel, &n_sel, &err) != BS_OK)
            fail_msg("expr_select: %s %s", err.sqlstate, err.message);
        idx_t k = 0;
        for (idx_t r = 0; r < m; r++) {
            const Value *w = &want[first + r];
            if (w->is_null || !w->u.b) continue;
            if (k >= n_sel || sel[k] != r)
                fail_msg("expr_select: row %llu should be selected",
                         (unsigned long long)(first + r));
            k++;
        }
        assert_int_equal(n_sel, k);
    }
    chunk_destroy(c);
}

/* e over a chunk of one row of no columns (a constant expression). */
static void check_constant(const Expr *e, Value want, bool folds)
{
    ExprState *s = compile(e, 0, NULL);
    Value v;
    assert_int_equal(expr_constant_value(s, &v), folds);
    if (folds) {
        char g[256], w[256];
        describe(&v, g, sizeof g);
        describe(&want, w, sizeof w);
        if (!same_value(&v, &want)) fail_msg("folded to %s, want %s", g, w);
    }
    /* Evaluated, it gives the same value on every row. */
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, NULL, 0, &err);
    c->n_rows = BASALT_VECTOR_SIZE;
    Vector *result;
    if (expr_eval(s, c, &result, &err) != BS_OK)
        fail_msg("expr_eval: %s %s", err.sqlstate, err.message);
    for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++) {
        vector_get_value(result, r, &v);
        assert_true(same_value(&v, &want));
    }
    chunk_destroy(c);
}

static void expect_eval_error(const Expr *e, int n_cols, const LogicalType *types,
                              const Value *rows, idx_t n, const char *sqlstate)
{
    ExprState *s = compile(e, n_cols, types);
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, types, n_cols, &err);
    Status st = BS_OK;
    for (idx_t first = 0; first < n && st == BS_OK; first += BASALT_VECTOR_SIZE) {
        fill(c, rows, n_cols, first, BS_MIN((idx_t)BASALT_VECTOR_SIZE, n - first));
        Vector *result;
        st = expr_eval(s, c, &result, &err);
    }
    assert_int_equal(st, BS_ERROR);
    assert_string_equal(err.sqlstate, sqlstate);
    error_clear(&err);
    chunk_destroy(c);
}

static void expect_compile_error(const Expr *e, int n_cols, const LogicalType *types,
                                 const char *sqlstate, const char *msg)
{
    ExprState *s;
    Error err = ERROR_INIT;
    if (expr_compile(e, n_cols, types, arena, &s, &err) != BS_ERROR)
        fail_msg("expr_compile accepted an invalid plan (%s)", msg);
    assert_string_equal(err.sqlstate, sqlstate);
    if (!strstr(err.message, msg)) fail_msg("message \"%s\" lacks \"%s\"", err.message, msg);
    error_clear(&err);
}

/* ---- constant folding ------------------------------------------------------------------ */

static void test_constant_folding(void **state)
{
    (void)state;
    /* (1 + 2) * 3 */
    check_constant(
        call(FN_MULTIPLY, T_INT, 2, call(FN_ADD, T_INT, 2, lit(I32(1)), lit(I32(2))), lit(I32(3))),
        I32(9), true);
    check_constant(call(FN_CONCAT, T_VARCHAR, 2, lit(STR("a string made ")),
                        call(FN_LOWER, T_VARCHAR, 1, lit(STR("LONG BY FOLDING")))),
                   STR("a string made long by folding"), true);
    check_constant(cast(lit(STR(" 42 ")), T_INT), I32(42), true);
    check_constant(call(FN_ADD, T_INT, 2, lit(NUL(T_INT)), lit(I32(1))), NUL(T_INT), true);
    check_constant(call(FN_COALESCE, T_INT, 2, lit(NUL(T_INT)), lit(I32(5))), I32(5), true);
    check_constant(logic(EXPR_AND, 2, lit(BOOLV(true)), lit(BOOLV(false))), BOOLV(false), true);
    check_constant(logic(EXPR_OR, 2, lit(NUL(T_BOOL)), lit(BOOLV(true))), BOOLV(true), true);
    check_constant(unary(EXPR_NOT, lit(NUL(T_BOOL))), NUL(T_BOOL), true);
    check_constant(unary(EXPR_IS_NULL, lit(NUL(T_VARCHAR))), BOOLV(true), true);
    /* CASE whose ELSE would fail is not folded, and its ELSE never runs. */
    Expr *div0 = call(FN_DIVIDE, T_INT, 2, lit(I32(1)), lit(I32(0)));
    Expr *w[1] = {lit(BOOLV(true))}, *t[1] = {lit(I32(1))};
    check_constant(case_of(T_INT, 1, w, t, div0), I32(1), false);

    /* A folded predicate selects every row, or none. */
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, NULL, 0, &err);
    c->n_rows = BASALT_VECTOR_SIZE;
    sel_t sel[BASALT_VECTOR_SIZE];
    idx_t n_sel;
    ExprState *always = compile(cmp(FN_LT, lit(I32(1)), lit(I32(2))), 0, NULL);
    assert_int_equal(expr_select(always, c, sel, &n_sel, &err), BS_OK);
    assert_int_equal(n_sel, BASALT_VECTOR_SIZE);
    assert_int_equal(sel[BASALT_VECTOR_SIZE - 1], BASALT_VECTOR_SIZE - 1);
    ExprState *never = compile(cmp(FN_LT, lit(NUL(T_INT)), lit(I32(2))), 0, NULL);
    assert_int_equal(expr_select(never, c, sel, &n_sel, &err), BS_OK);
    assert_int_equal(n_sel, 0);
    chunk_destroy(c);

    /* 1 / 0 does not fold (it may sit in a branch that never runs) but fails when run. */
    ExprState *s = compile(div0, 0, NULL);
    Value v;
    assert_false(expr_constant_value(s, &v));
    expect_eval_error(div0, 0, NULL, NULL, 1, "22012");

    /* Folded parts of an expression over a column: a + (2 * 3). */
    LogicalType types[1] = {T_INT};
    Expr *e = call(FN_ADD, T_INT, 2, col(0, T_INT),
                   call(FN_MULTIPLY, T_INT, 2, lit(I32(2)), lit(I32(3))));
    assert_false(expr_constant_value(compile(e, 1, types), &v));
    Value rows[4] = {I32(1), I32(-6), NUL(T_INT), I32(100)};
    Value want[4] = {I32(7), I32(0), NUL(T_INT), I32(106)};
    check_expr(e, 1, types, rows, 4, want);
}

/* ---- three-valued logic ---------------------------------------------------------------- */

static void test_three_valued_logic(void **state)
{
    (void)state;
    LogicalType types[3] = {T_BOOL, T_BOOL, T_BOOL};
    Value tv[3] = {BOOLV(true), BOOLV(false), NUL(T_BOOL)};
    /* All 27 combinations of a, b, c. */
    Value rows[27 * 3], and2[27], or2[27], not_a[27], and3[27], or3[27], mixed[27];
    for (int k = 0; k < 27; k++) {
        Value a = tv[k % 3], b = tv[k / 3 % 3], c = tv[k / 9];
        rows[k * 3] = a;
        rows[k * 3 + 1] = b;
        rows[k * 3 + 2] = c;
        /* SQL: FALSE dominates AND, TRUE dominates OR, otherwise NULL is unknown. */
#define IS_T(v) (!(v).is_null && (v).u.b)
#define IS_F(v) (!(v).is_null && !(v).u.b)
        and2[k] = IS_F(a) || IS_F(b)   ? BOOLV(false)
                  : IS_T(a) && IS_T(b) ? BOOLV(true)
                                       : NUL(T_BOOL);
        or2[k] = IS_T(a) || IS_T(b) ? BOOLV(true) : IS_F(a) && IS_F(b) ? BOOLV(false) : NUL(T_BOOL);
        not_a[k] = a.is_null ? NUL(T_BOOL) : BOOLV(!a.u.b);
        and3[k] = IS_F(a) || IS_F(b) || IS_F(c)   ? BOOLV(false)
                  : IS_T(a) && IS_T(b) && IS_T(c) ? BOOLV(true)
                                                  : NUL(T_BOOL);
        or3[k] = IS_T(a) || IS_T(b) || IS_T(c)   ? BOOLV(true)
                 : IS_F(a) && IS_F(b) && IS_F(c) ? BOOLV(false)
                                                 : NUL(T_BOOL);
        /* (a OR b) AND NOT c */
        Value not_c = c.is_null ? NUL(T_BOOL) : BOOLV(!c.u.b);
        mixed[k] = IS_F(or2[k]) || IS_F(not_c)   ? BOOLV(false)
                   : IS_T(or2[k]) && IS_T(not_c) ? BOOLV(true)
                                                 : NUL(T_BOOL);
#undef IS_T
#undef IS_F
    }
    Expr *a = col(0, T_BOOL), *b = col(1, T_BOOL), *c = col(2, T_BOOL);
    check_expr(logic(EXPR_AND, 2, a, b), 3, types, rows, 27, and2);
    check_expr(logic(EXPR_OR, 2, a, b), 3, types, rows, 27, or2);
    check_expr(unary(EXPR_NOT, a), 3, types, rows, 27, not_a);
    check_expr(logic(EXPR_AND, 3, a, b, c), 3, types, rows, 27, and3);
    check_expr(logic(EXPR_OR, 3, a, b, c), 3, types, rows, 27, or3);
    check_expr(logic(EXPR_AND, 2, logic(EXPR_OR, 2, a, b), unary(EXPR_NOT, c)), 3, types, rows, 27,
               mixed);
    /* A constant in a conjunction: TRUE AND a is a; FALSE OR a is a; NULL AND FALSE. */
    Value just_a[27], null_and_b[27];
    for (int k = 0; k < 27; k++) {
        just_a[k] = rows[k * 3];
        Value bv = rows[k * 3 + 1];
        null_and_b[k] = !bv.is_null && !bv.u.b ? BOOLV(false) : NUL(T_BOOL);
    }
    check_expr(logic(EXPR_AND, 2, lit(BOOLV(true)), a), 3, types, rows, 27, just_a);
    check_expr(logic(EXPR_OR, 2, a, lit(BOOLV(false))), 3, types, rows, 27, just_a);
    check_expr(logic(EXPR_AND, 2, lit(NUL(T_BOOL)), b), 3, types, rows, 27, null_and_b);
}

/* ---- short circuit --------------------------------------------------------------------- */

static void test_short_circuit(void **state)
{
    (void)state;
    LogicalType types[1] = {T_INT};
    Expr *x = col(0, T_INT);
    Value rows[6] = {I32(0), I32(5), I32(20), NUL(T_INT), I32(-3), I32(0)};
    /* Without a guard, 10 / x fails on these rows. */
    Expr *ratio = cmp(FN_GT, call(FN_DIVIDE, T_INT, 2, lit(I32(10)), x), lit(I32(1)));
    expect_eval_error(ratio, 1, types, rows, 6, "22012");
    /* x <> 0 AND 10 / x > 1: the division only sees the rows where x <> 0. */
    Value want_and[6] = {BOOLV(false), BOOLV(true),  BOOLV(false),
                         NUL(T_BOOL),  BOOLV(false), BOOLV(false)};
    check_expr(logic(EXPR_AND, 2, cmp(FN_NE, x, lit(I32(0))), ratio), 1, types, rows, 6, want_and);
    /* x = 0 OR 10 / x > 1 */
    Value want_or[6] = {BOOLV(true), BOOLV(true),  BOOLV(false),
                        NUL(T_BOOL), BOOLV(false), BOOLV(true)};
    check_expr(logic(EXPR_OR, 2, cmp(FN_EQ, x, lit(I32(0))), ratio), 1, types, rows, 6, want_or);
    /* CASE WHEN x = 0 THEN 0 ELSE 100 / x END */
    Expr *w[1] = {cmp(FN_EQ, x, lit(I32(0)))}, *t[1] = {lit(I32(0))};
    Value want_case[6] = {I32(0), I32(20), I32(5), NUL(T_INT), I32(-33), I32(0)};
    check_expr(case_of(T_INT, 1, w, t, call(FN_DIVIDE, T_INT, 2, lit(I32(100)), x)), 1, types, rows,
               6, want_case);
    /* A guard deeper down: (x IS NOT NULL AND x <> 0) AND 10 / x > 1, and an OR of ANDs. */
    check_expr(logic(EXPR_AND, 2,
                     logic(EXPR_AND, 2, unary(EXPR_IS_NOT_NULL, x), cmp(FN_NE, x, lit(I32(0)))),
                     ratio),
               1, types, rows, 6,
               (Value[]){BOOLV(false), BOOLV(true), BOOLV(false), BOOLV(false), BOOLV(false),
                         BOOLV(false)});
    check_expr(
        logic(EXPR_OR, 2, logic(EXPR_AND, 2, cmp(FN_NE, x, lit(I32(0))), ratio),
              cmp(FN_LT, x, lit(I32(0)))),
        1, types, rows, 6,
        (Value[]){BOOLV(false), BOOLV(true), BOOLV(false), NUL(T_BOOL), BOOLV(true), BOOLV(false)});
}

/* ---- CASE, IS NULL, coalesce ----------------------------------------------------------- */

static void test_case(void **state)
{
    (void)state;
    LogicalType types[2] = {T_INT, T_VARCHAR};
    Expr *x = col(0, T_INT), *s = col(1, T_VARCHAR);
    Value rows[] = {I32(50),    STR("a value longer than twelve bytes"),
                    I32(5),     STR("short"),
                    I32(0),     NUL(T_VARCHAR),
                    NUL(T_INT), STR("x"),
                    I32(-1),    STR("")};
    idx_t n = 5;
    /* CASE WHEN x > 10 THEN 'big, and long enough to live out of line' WHEN x > 0 THEN s
       ELSE 'none' END */
    Expr *w[2] = {cmp(FN_GT, x, lit(I32(10))), cmp(FN_GT, x, lit(I32(0)))};
    Expr *t[2] = {lit(STR("big, and long enough to live out of line")), s};
    Value want[] = {STR("big, and long enough to live out of line"), STR("short"), STR("none"),
                    STR("none"), STR("none")};
    check_expr(case_of(T_VARCHAR, 2, w, t, lit(STR("none"))), 2, types, rows, n, want);
    /* Without ELSE (ELSE NULL), and a branch that is NULL on some rows. */
    Expr *w2[1] = {cmp(FN_LE, x, lit(I32(5)))}, *t2[1] = {s};
    Value want2[] = {NUL(T_VARCHAR), STR("short"), NUL(T_VARCHAR), NUL(T_VARCHAR), STR("")};
    check_expr(case_of(T_VARCHAR, 1, w2, t2, lit(NUL(T_VARCHAR))), 2, types, rows, n, want2);
    /* CASE inside arithmetic: x + CASE WHEN x < 0 THEN 100 ELSE 0 END */
    Expr *w3[1] = {cmp(FN_LT, x, lit(I32(0)))}, *t3[1] = {lit(I32(100))};
    Value want3[] = {I32(50), I32(5), I32(0), NUL(T_INT), I32(99)};
    check_expr(call(FN_ADD, T_INT, 2, x, case_of(T_INT, 1, w3, t3, lit(I32(0)))), 2, types, rows, n,
               want3);
    /* A boolean CASE used as a predicate. */
    Expr *w4[1] = {unary(EXPR_IS_NULL, s)}, *t4[1] = {lit(BOOLV(true))};
    Value want4[] = {BOOLV(true), BOOLV(false), BOOLV(true), NUL(T_BOOL), BOOLV(false)};
    check_expr(case_of(T_BOOL, 1, w4, t4, cmp(FN_GT, x, lit(I32(10)))), 2, types, rows, n, want4);
}

static void test_is_null_and_coalesce(void **state)
{
    (void)state;
    LogicalType types[3] = {T_INT, T_INT, T_VARCHAR};
    Value rows[] = {I32(1),     NUL(T_INT), STR("a"),
                    NUL(T_INT), I32(2),     NUL(T_VARCHAR),
                    NUL(T_INT), NUL(T_INT), STR("a string stored out of line"),
                    I32(4),     I32(5),     STR("")};
    Expr *a = col(0, T_INT), *b = col(1, T_INT), *s = col(2, T_VARCHAR);
    check_expr(unary(EXPR_IS_NULL, a), 3, types, rows, 4,
               (Value[]){BOOLV(false), BOOLV(true), BOOLV(true), BOOLV(false)});
    check_expr(unary(EXPR_IS_NOT_NULL, s), 3, types, rows, 4,
               (Value[]){BOOLV(true), BOOLV(false), BOOLV(true), BOOLV(true)});
    /* IS NULL of a strict call that is NULL when an argument is. */
    check_expr(unary(EXPR_IS_NULL, call(FN_ADD, T_INT, 2, a, b)), 3, types, rows, 4,
               (Value[]){BOOLV(true), BOOLV(true), BOOLV(true), BOOLV(false)});
    check_expr(call(FN_COALESCE, T_INT, 3, a, b, lit(I32(0))), 3, types, rows, 4,
               (Value[]){I32(1), I32(2), I32(0), I32(4)});
    check_expr(call(FN_COALESCE, T_INT, 2, a, b), 3, types, rows, 4,
               (Value[]){I32(1), I32(2), NUL(T_INT), I32(4)});
    check_expr(call(FN_COALESCE, T_VARCHAR, 2, s, lit(STR("default, also out of line"))), 3, types,
               rows, 4,
               (Value[]){STR("a"), STR("default, also out of line"),
                         STR("a string stored out of line"), STR("")});
    /* coalesce with more arguments than a call keeps on the stack (12). */
    Expr *many = new_expr(EXPR_CALL, T_INT);
    many->u.call.func = FN_COALESCE;
    many->u.call.n_args = 12;
    many->u.call.args = arena_alloc(arena, sizeof(Expr *) * 12);
    for (int k = 0; k < 12; k++)
        many->u.call.args[k] = k == 10 ? lit(I32(10)) : k % 2 ? b : a;
    check_expr(many, 3, types, rows, 4, (Value[]){I32(1), I32(2), I32(10), I32(4)});
    /* NOT (a IS NULL) is a IS NOT NULL: never NULL itself. */
    check_expr(unary(EXPR_NOT, unary(EXPR_IS_NULL, a)), 3, types, rows, 4,
               (Value[]){BOOLV(true), BOOLV(false), BOOLV(false), BOOLV(true)});
}

/* ---- selections and vector kinds ------------------------------------------------------- */

static void test_chunk_with_selection(void **state)
{
    (void)state;
    LogicalType types[2] = {T_BIGINT, T_VARCHAR};
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, types, 2, &err);
    idx_t n = BASALT_VECTOR_SIZE;
    for (idx_t r = 0; r < n; r++) {
        Value a = r % 3 == 0 ? NUL(T_BIGINT) : I64((int64_t)r);
        assert_int_equal(vector_set_value(&c->cols[0], r, &a, &err), BS_OK);
        char text[64];
        snprintf(text, sizeof text, "row %llu, a long enough string", (unsigned long long)r);
        Value s = STR(text);
        assert_int_equal(vector_set_value(&c->cols[1], r, &s, &err), BS_OK);
    }
    /* Logical rows are the physical rows n-1, n-3, …: row i of a result is row sel[i]. */
    sel_t sel[BASALT_VECTOR_SIZE];
    idx_t n_sel = 0;
    for (idx_t r = n; r-- > 0;)
        if (r % 2 == 1) sel[n_sel++] = (sel_t)r;
    c->sel = sel;
    c->n_rows = n_sel;

    Expr *a = col(0, T_BIGINT), *s = col(1, T_VARCHAR);
    ExprState *sum = compile(call(FN_ADD, T_BIGINT, 2, a, lit(I64(1000))), 2, types);
    ExprState *str = compile(call(FN_SUBSTRING, T_VARCHAR, 2, s, lit(I64(5))), 2, types);
    ExprState *column = compile(s, 2, types);
    ExprState *pred = compile(cmp(FN_GT, a, lit(I64(0))), 2, types);
    Vector *ra, *rs, *rc;
    assert_int_equal(expr_eval(sum, c, &ra, &err), BS_OK);
    assert_int_equal(expr_eval(str, c, &rs, &err), BS_OK);
    assert_int_equal(expr_eval(column, c, &rc, &err), BS_OK);
    for (idx_t i = 0; i < n_sel; i++) {
        idx_t r = sel[i];
        Value v;
        vector_get_value(ra, i, &v);
        if (r % 3 == 0)
            assert_true(v.is_null);
        else
            assert_int_equal(v.u.i64, (int64_t)r + 1000);
        char text[64];
        snprintf(text, sizeof text, "row %llu, a long enough string", (unsigned long long)r);
        vector_get_value(rs, i, &v);
        assert_int_equal(v.u.str.len, strlen(text) - 4);
        assert_memory_equal(v.u.str.data, text + 4, v.u.str.len);
        vector_get_value(rc, i, &v);
        assert_int_equal(v.u.str.len, strlen(text));
        assert_memory_equal(v.u.str.data, text, v.u.str.len);
    }
    /* expr_select returns logical row numbers. */
    sel_t out[BASALT_VECTOR_SIZE];
    idx_t n_out;
    assert_int_equal(expr_select(pred, c, out, &n_out, &err), BS_OK);
    idx_t k = 0;
    for (idx_t i = 0; i < n_sel; i++) {
        if (sel[i] % 3 == 0) continue; /* NULL: not selected */
        assert_true(k < n_out);
        assert_int_equal(out[k], i);
        k++;
    }
    assert_int_equal(n_out, k);
    chunk_destroy(c);
}

static void test_dictionary_and_constant_inputs(void **state)
{
    (void)state;
    LogicalType types[3] = {T_INT, T_VARCHAR, T_INT};
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, types, 3, &err);
    idx_t n = BASALT_VECTOR_SIZE;
    /* Column 0: a dictionary over {7, NULL} (row r → entry r % 2); column 1: a dictionary
       over two strings; column 2: the constant 3. */
    Vector ints, strs;
    assert_int_equal(vector_init(&ints, T_INT, arena, arena, &err), BS_OK);
    assert_int_equal(vector_init(&strs, T_VARCHAR, arena, arena, &err), BS_OK);
    Value seven = I32(7), null_int = NUL(T_INT);
    Value w0 = STR("first word, out of line"), w1 = STR("second");
    assert_int_equal(vector_set_value(&ints, 0, &seven, &err), BS_OK);
    assert_int_equal(vector_set_value(&ints, 1, &null_int, &err), BS_OK);
    assert_int_equal(vector_set_value(&strs, 0, &w0, &err), BS_OK);
    assert_int_equal(vector_set_value(&strs, 1, &w1, &err), BS_OK);
    sel_t *idx = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    sel_t *idx_rev = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    for (idx_t r = 0; r < n; r++) {
        idx[r] = (sel_t)(r % 2);
        idx_rev[r] = (sel_t)((r + 1) % 2);
    }
    c->cols[0].kind = VEC_DICTIONARY;
    c->cols[0].data = idx;
    c->cols[0].child = &ints;
    c->cols[1].kind = VEC_DICTIONARY;
    c->cols[1].data = idx_rev;
    c->cols[1].child = &strs;
    Value three = I32(3);
    assert_int_equal(vector_set_constant(&c->cols[2], &three, &err), BS_OK);
    c->n_rows = n;

    Expr *a = col(0, T_INT), *s = col(1, T_VARCHAR), *k = col(2, T_INT);
    ExprState *mul = compile(call(FN_MULTIPLY, T_INT, 2, a, k), 3, types);
    ExprState *up = compile(call(FN_UPPER, T_VARCHAR, 1, s), 3, types);
    ExprState *both = compile(logic(EXPR_AND, 2, unary(EXPR_IS_NOT_NULL, a),
                                    call(FN_LIKE, T_BOOL, 2, s, lit(STR("sec%")))),
                              3, types);
    for (int pass = 0; pass < 2; pass++) {
        /* Pass 1 adds a selection over the dictionaries: the even rows, from the last. */
        sel_t sel[BASALT_VECTOR_SIZE];
        idx_t n_rows = n;
        if (pass == 1) {
            n_rows = 0;
            for (idx_t r = n; r-- > 0;)
                if (r % 2 == 0) sel[n_rows++] = (sel_t)r;
            c->sel = sel;
            c->n_rows = n_rows;
        }
        Vector *rm, *ru;
        assert_int_equal(expr_eval(mul, c, &rm, &err), BS_OK);
        assert_int_equal(expr_eval(up, c, &ru, &err), BS_OK);
        for (idx_t i = 0; i < n_rows; i++) {
            idx_t r = pass == 1 ? sel[i] : i;
            Value v;
            vector_get_value(rm, i, &v);
            if (r % 2 == 1)
                assert_true(v.is_null);
            else
                assert_int_equal(v.u.i32, 21);
            vector_get_value(ru, i, &v);
            const char *want = r % 2 == 1 ? "FIRST WORD, OUT OF LINE" : "SECOND";
            assert_int_equal(v.u.str.len, strlen(want));
            assert_memory_equal(v.u.str.data, want, v.u.str.len);
        }
        /* a IS NOT NULL AND s LIKE 'sec%': every row where r is even. */
        sel_t out[BASALT_VECTOR_SIZE];
        idx_t n_out;
        assert_int_equal(expr_select(both, c, out, &n_out, &err), BS_OK);
        idx_t expected = 0;
        for (idx_t i = 0; i < n_rows; i++) {
            idx_t r = pass == 1 ? sel[i] : i;
            if (r % 2 != 0) continue;
            assert_int_equal(out[expected], i);
            expected++;
        }
        assert_int_equal(n_out, expected);
    }
    chunk_destroy(c);
}

/* Many batches: results of one evaluation stay right while the next chunk is read. */
static void test_many_batches(void **state)
{
    (void)state;
    LogicalType types[2] = {T_INT, T_VARCHAR};
    idx_t n = 3 * BASALT_VECTOR_SIZE + 1;
    Value *rows = arena_alloc(arena, sizeof(Value) * n * 2);
    Value *want = arena_alloc(arena, sizeof(Value) * n);
    char(*texts)[48] = arena_alloc(arena, 48 * n);
    char(*wants)[64] = arena_alloc(arena, 64 * n);
    for (idx_t r = 0; r < n; r++) {
        snprintf(texts[r], 48, "text %llu", (unsigned long long)r);
        rows[r * 2] = r % 5 == 4 ? NUL(T_INT) : I32((int32_t)r);
        rows[r * 2 + 1] = STR(texts[r]);
        if (r % 5 == 4) {
            want[r] = NUL(T_VARCHAR);
        } else {
            snprintf(wants[r], 64, "TEXT %llu / %d", (unsigned long long)r, (int)r * 2);
            want[r] = STR(wants[r]);
        }
    }
    /* upper(s) || ' / ' || cast(a * 2 as varchar) */
    Expr *e = call(FN_CONCAT, T_VARCHAR, 2,
                   call(FN_CONCAT, T_VARCHAR, 2, call(FN_UPPER, T_VARCHAR, 1, col(1, T_VARCHAR)),
                        lit(STR(" / "))),
                   cast(call(FN_MULTIPLY, T_INT, 2, col(0, T_INT), lit(I32(2))), T_VARCHAR));
    check_expr(e, 2, types, rows, n, want);
}

/* ---- invalid plans --------------------------------------------------------------------- */

static void test_invalid_plans(void **state)
{
    (void)state;
    LogicalType types[2] = {T_INT, T_VARCHAR};
    const char *xx = SQLSTATE_INTERNAL_ERROR;
    expect_compile_error(col(2, T_INT), 2, types, xx, "column index out of range");
    expect_compile_error(col(-1, T_INT), 2, types, xx, "column index out of range");
    expect_compile_error(col(0, T_BIGINT), 2, types, xx, "column type");
    expect_compile_error(call(FN_ADD, T_INT, 2, col(0, T_INT), col(1, T_VARCHAR)), 2, types, xx,
                         "no kernel for add");
    expect_compile_error(call(FN_ADD, T_BIGINT, 2, col(0, T_INT), col(0, T_INT)), 2, types, xx,
                         "no kernel");
    /* lower() said to return INTEGER: refused (the kernel writes strings). */
    expect_compile_error(call(FN_LOWER, T_INT, 1, col(1, T_VARCHAR)), 2, types, xx, "no kernel");
    Expr *bad_const = lit(I32(1));
    bad_const->type = T_BIGINT;
    expect_compile_error(bad_const, 2, types, xx, "constant type");
    expect_compile_error(logic(EXPR_AND, 2, lit(BOOLV(true)), col(0, T_INT)), 2, types, xx,
                         "conjunction");
    Expr *int_and = logic(EXPR_OR, 1, lit(BOOLV(true)));
    int_and->type = T_INT;
    expect_compile_error(int_and, 2, types, xx, "conjunction");
    expect_compile_error(logic(EXPR_AND, 0), 2, types, xx, "conjunction");
    expect_compile_error(unary(EXPR_NOT, col(0, T_INT)), 2, types, xx, "NOT argument");
    Expr *is_null_int = unary(EXPR_IS_NULL, col(0, T_INT));
    is_null_int->type = T_INT;
    expect_compile_error(is_null_int, 2, types, xx, "boolean operator type");
    Expr *w[1] = {col(0, T_INT)}, *t[1] = {lit(I32(1))};
    expect_compile_error(case_of(T_INT, 1, w, t, lit(I32(0))), 2, types, xx, "CASE branch types");
    Expr *w2[1] = {lit(BOOLV(true))}, *t2[1] = {lit(STR("x"))};
    expect_compile_error(case_of(T_INT, 1, w2, t2, lit(I32(0))), 2, types, xx, "CASE branch types");
    Expr *t3[1] = {lit(I32(1))};
    expect_compile_error(case_of(T_INT, 1, w2, t3, lit(STR("x"))), 2, types, xx, "CASE ELSE type");
    Expr *untyped = col(0, T_INT);
    untyped->type = type_make(TYPE_NULL);
    expect_compile_error(untyped, 2, types, xx, "expression type");
    Expr *bad_kind = lit(I32(1));
    bad_kind->kind = EXPR_AGGREGATE;
    expect_compile_error(bad_kind, 2, types, xx, "expression kind");
    /* An error deep in a tree is the tree's error. */
    expect_compile_error(
        logic(EXPR_AND, 2, lit(BOOLV(true)), cmp(FN_EQ, col(0, T_INT), col(5, T_INT))), 2, types,
        xx, "column index out of range");
    /* A cast no kernel does. */
    expect_compile_error(cast(col(0, T_INT), type_make(TYPE_DATE)), 2, types,
                         SQLSTATE_CANNOT_COERCE, "cannot cast type INTEGER to DATE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_constant_folding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_three_valued_logic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_circuit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_is_null_and_coalesce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunk_with_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dictionary_and_constant_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_plans, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
