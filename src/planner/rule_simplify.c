/*
 * rule_simplify.c — expression simplification, the optimizer's first rule. Every
 * expression of every operator is rewritten bottom-up into a simpler equivalent, so that
 * the rules after it (zone-map conditions, common subexpressions) and EXPLAIN see the
 * simple form:
 *
 *   folding      a node whose inputs are all constant is evaluated once through the
 *                ExprEvaluator (the executor's own evaluation, planner.h); when that
 *                fails (1/0, overflow) the node stays, so the error happens at run time
 *                and only if a row reaches it
 *   comparisons  the constant goes right (`5 < x` → `x > 5`); a cast of x compared with
 *                a constant becomes x compared with the constant in x's type when the
 *                cast is an exact widening (`CAST(i AS DECIMAL(11,1)) < 24.5` → `i <= 24`)
 *   booleans     TRUE/FALSE/NULL in AND/OR (three-valued: `x AND NULL` stays), nested
 *                AND/OR flattened, repeated arguments dropped; NOT goes into comparisons,
 *                IS [NOT] NULL, LIKE and (De Morgan) AND/OR, so NOT BETWEEN becomes
 *                `x < a OR x > b`; NOT NOT x → x
 *   IN lists     equalities of one expression with constants in an OR become one FN_IN
 *                call (`x = 1 OR x = 2` → `x IN (1, 2)`), inequalities in an AND one
 *                NOT IN; duplicates go
 *   CASE         WHEN FALSE/NULL branches are dropped; a WHEN TRUE ends the CASE
 *   NULLs        a strict function with a NULL constant argument is NULL
 *   COALESCE     NULL constants dropped; one argument left is the result
 *   filters      a filter whose predicate folds to TRUE is removed
 *
 * No rewrite changes a result type, NULL semantics, or the errors a query raises: one
 * that would evaluate something that may fail (expr_can_fail) on other rows than before
 * is not made. The binder shares subtrees between expressions, so nodes are never
 * changed in place: a rewritten node is a new one.
 */
#include "planner/planner_int.h"

#include "common/cast.h"

#include <math.h>
#include <string.h>

typedef struct Simplifier {
    Arena *arena;
    const ExprEvaluator *evaluator;
    Error *err;
} Simplifier;

static Status simplify(Simplifier *s, Expr *e, Expr **out);

static Status oom(Simplifier *s)
{
    return arena_error(s->arena, s->err);
}

static bool is_constant(const Expr *e)
{
    return e->kind == EXPR_CONSTANT;
}

static bool is_null_constant(const Expr *e)
{
    return e->kind == EXPR_CONSTANT && e->u.constant.is_null;
}

/* A BOOLEAN constant TRUE (value true) or FALSE (value false). */
static bool is_bool(const Expr *e, bool value)
{
    return e->kind == EXPR_CONSTANT && !e->u.constant.is_null && e->type.id == TYPE_BOOLEAN &&
           e->u.constant.u.b == value;
}

static Status new_constant(Simplifier *s, const Value *v, int pos, Expr **out)
{
    *out = expr_new_constant(s->arena, v, pos);
    return *out ? BS_OK : oom(s);
}

static Status new_bool(Simplifier *s, bool value, int pos, Expr **out)
{
    Value v = value_boolean(value);
    return new_constant(s, &v, pos, out);
}

static Status new_null(Simplifier *s, LogicalType type, int pos, Expr **out)
{
    Value v = value_null(type);
    return new_constant(s, &v, pos, out);
}

static Status new_unary(Simplifier *s, ExprKind kind, Expr *arg, int pos, Expr **out)
{
    *out = expr_new(s->arena, kind, type_make(TYPE_BOOLEAN), pos);
    if (!*out) return oom(s);
    (*out)->u.unary.arg = arg;
    return BS_OK;
}

static Status new_call(Simplifier *s, ScalarFuncId func, LogicalType type, Expr **args, int n,
                       int pos, Expr **out)
{
    *out = expr_new_call(s->arena, func, type, args, n, pos);
    return *out ? BS_OK : oom(s);
}

/*
 * Evaluates e, whose inputs are all constant, through the evaluator: *out is the constant,
 * or e itself when there is no evaluator or the evaluation fails.
 */
static Status fold(Simplifier *s, Expr *e, Expr **out)
{
    *out = e;
    if (!s->evaluator) return BS_OK;
    Value v;
    bool folded = false;
    BS_TRY(s->evaluator->eval(s->evaluator->ctx, e, s->arena, &v, &folded, s->err));
    if (!folded || !type_equals(v.type, e->type)) return BS_OK;
    return new_constant(s, &v, e->pos, out);
}

/* Simplifies args[0..n); *out is args itself when nothing changed, else a new array. */
static Status simplify_list(Simplifier *s, Expr **args, int n, Expr ***out)
{
    Expr **list = args;
    for (int k = 0; k < n; k++) {
        Expr *c;
        BS_TRY(simplify(s, args[k], &c));
        if (c == args[k]) continue;
        if (list == args) {
            list = arena_memdup(s->arena, args, sizeof(Expr *) * (size_t)n);
            if (!list) return oom(s);
        }
        list[k] = c;
    }
    *out = list;
    return BS_OK;
}

/* ---- comparisons ---------------------------------------------------------------------- */

static bool is_comparison(ScalarFuncId f)
{
    return f >= FN_EQ && f <= FN_GE;
}

/* The comparison with its arguments swapped: a < b ⇔ b > a. */
static ScalarFuncId swap_comparison(ScalarFuncId f)
{
    switch (f) {
    case FN_LT:
        return FN_GT;
    case FN_LE:
        return FN_GE;
    case FN_GT:
        return FN_LT;
    case FN_GE:
        return FN_LE;
    default:
        return f;
    }
}

/* The comparison that is true exactly when f is false (both are NULL on NULL inputs;
   doubles order NaN above everything, so the order is total). */
static ScalarFuncId negate_comparison(ScalarFuncId f)
{
    switch (f) {
    case FN_EQ:
        return FN_NE;
    case FN_NE:
        return FN_EQ;
    case FN_LT:
        return FN_GE;
    case FN_LE:
        return FN_GT;
    case FN_GT:
        return FN_LE;
    case FN_GE:
        return FN_LT;
    default:
        return f;
    }
}

/* Where a constant of a widened type falls among the images of the narrow type's values. */
typedef enum FloorResult {
    FLOOR_NONE,  /* not an exact widening, or a constant (NaN, infinity) left alone */
    FLOOR_BELOW, /* below every image */
    FLOOR_FOUND, /* q is the greatest value whose image is <= the constant */
} FloorResult;

/*
 * For a cast from `from` to `to` that is exact and order-preserving (every value of
 * `from` converts, distinct values stay distinct and in order: integer → bigint, integer
 * → decimal with 10 integer digits, decimal widening, date → timestamp, integer →
 * double), the greatest value q of `from` whose image is <= c, and whether the image is c.
 */
static FloorResult floor_in_source(LogicalType from, LogicalType to, const Value *c, int64_t *q,
                                   bool *exact)
{
    int64_t lo, hi;
    /* 128-bit sides (HUGEINT, DECIMAL of more than 18 digits) are left as they are. */
    if (type_physical(from) == PHYS_INT128 || type_physical(to) == PHYS_INT128) return FLOOR_NONE;
    if (from.id == TYPE_INTEGER || from.id == TYPE_DATE) {
        lo = INT32_MIN;
        hi = INT32_MAX;
    } else if (from.id == TYPE_DECIMAL) {
        hi = POW10[from.precision] - 1;
        lo = -hi;
    } else {
        return FLOOR_NONE;
    }
    int64_t v, div;
    if (from.id == TYPE_INTEGER && to.id == TYPE_BIGINT) {
        v = c->u.i64;
        div = 1;
    } else if (from.id == TYPE_INTEGER && to.id == TYPE_DECIMAL && to.precision - to.scale >= 10) {
        v = c->u.i64;
        div = POW10[to.scale];
    } else if (from.id == TYPE_DECIMAL && to.id == TYPE_DECIMAL && to.scale >= from.scale &&
               to.precision - to.scale >= from.precision - from.scale) {
        v = c->u.i64;
        div = POW10[to.scale - from.scale];
    } else if (from.id == TYPE_DATE && to.id == TYPE_TIMESTAMP) {
        v = c->u.i64;
        div = MICROS_PER_DAY;
    } else if (from.id == TYPE_INTEGER && to.id == TYPE_DOUBLE) {
        /* Every int32 is a double exactly. */
        double d = c->u.f64;
        if (!isfinite(d)) return FLOOR_NONE;
        double f = floor(d);
        if (f < (double)lo) return FLOOR_BELOW;
        *exact = f == d;
        if (f > (double)hi) {
            *q = hi;
            *exact = false;
        } else {
            *q = (int64_t)f;
        }
        return FLOOR_FOUND;
    } else {
        return FLOOR_NONE;
    }
    int64_t quot = v / div, rem = v % div;
    if (rem < 0) quot--; /* floor, not truncation */
    *exact = rem == 0;
    if (quot < lo) return FLOOR_BELOW;
    if (quot > hi) {
        quot = hi;
        *exact = false;
    }
    *q = quot;
    return FLOOR_FOUND;
}

/* The Value of type `type` (INTEGER, DATE or DECIMAL) holding q. */
static Value source_value(LogicalType type, int64_t q)
{
    switch ((TypeId)type.id) {
    case TYPE_INTEGER:
        return value_integer((int32_t)q);
    case TYPE_DATE:
        return value_date((int32_t)q);
    default:
        return value_decimal(q, type.precision, type.scale);
    }
}

/* CAST(q) compared with c through the shared scalar cast, into *order (<0, 0, >0); false
   when the cast fails (it should not: the casts here are exact widenings). */
static bool compare_image(Simplifier *s, LogicalType from, LogicalType to, int64_t q,
                          const Value *c, int *order)
{
    Value in = source_value(from, q), image;
    Error local = ERROR_INIT;
    if (value_cast(&in, to, s->arena, &image, -1, &local) != BS_OK) {
        error_clear(&local);
        return false;
    }
    *order = value_compare(&image, c);
    return true;
}

/*
 * `CAST(x AS T) op c` → `x op' c'` with c' of x's type, when the cast is an exact widening
 * (floor_in_source). An exact c' keeps op; otherwise x < c and x <= c become x <= c',
 * x > c and x >= c become x > c' (c' the greatest value below c); = and <> with an inexact
 * constant stay. The new constant is checked through the cast the executor uses.
 */
static Status unwrap_cast(Simplifier *s, Expr *cmp, Expr **out)
{
    *out = cmp;
    Expr *l = cmp->u.call.args[0], *r = cmp->u.call.args[1];
    if (l->kind != EXPR_CAST || r->kind != EXPR_CONSTANT || r->u.constant.is_null) return BS_OK;
    LogicalType from = l->u.cast.arg->type, to = l->type;
    const Value *c = &r->u.constant;
    int64_t q;
    bool exact;
    if (floor_in_source(from, to, c, &q, &exact) != FLOOR_FOUND) return BS_OK;
    ScalarFuncId f = cmp->u.call.func;
    if (!exact) {
        if (f == FN_EQ || f == FN_NE) return BS_OK;
        f = f == FN_LT || f == FN_LE ? FN_LE : FN_GT;
    }
    /* Check: the image of q is c (exact) or below it, and the next value's is above. */
    int at, next;
    if (!compare_image(s, from, to, q, c, &at) || (exact ? at != 0 : at >= 0)) return BS_OK;
    int64_t hi = from.id == TYPE_DECIMAL ? POW10[from.precision] - 1 : INT32_MAX;
    if (q < hi && (!compare_image(s, from, to, q + 1, c, &next) || next <= 0)) return BS_OK;
    Value v = source_value(from, q);
    Expr *args[2] = {l->u.cast.arg, NULL};
    BS_TRY(new_constant(s, &v, r->pos, &args[1]));
    return new_call(s, f, cmp->type, args, 2, cmp->pos, out);
}

/*
 * `CAST(x AS T) IN (…)` → `x IN (…)` with the values in x's type, for an exact widening:
 * a value that is not the image of one of x's values can match nothing and goes. When
 * none is left (and no NULL), nothing is rewritten.
 */
static Status unwrap_cast_in(Simplifier *s, Expr *in, Expr **out)
{
    *out = in;
    Expr *x = in->u.call.args[0];
    if (x->kind != EXPR_CAST) return BS_OK;
    LogicalType from = x->u.cast.arg->type, to = x->type;
    int n = in->u.call.n_args - 1;
    Value *values = arena_alloc(s->arena, sizeof(Value) * (size_t)n);
    if (!values) return oom(s);
    int kept = 0, not_null = 0;
    for (int k = 0; k < n; k++) {
        const Value *c = &in->u.call.args[k + 1]->u.constant;
        if (c->is_null) {
            values[kept++] = value_null(from);
            continue;
        }
        int64_t q;
        bool exact;
        FloorResult where = floor_in_source(from, to, c, &q, &exact);
        if (where == FLOOR_NONE) return BS_OK;
        if (where == FLOOR_BELOW) continue;
        if (!exact) continue;
        int order;
        if (!compare_image(s, from, to, q, c, &order) || order != 0) return BS_OK;
        values[kept++] = source_value(from, q);
        not_null++;
    }
    if (not_null == 0) return BS_OK;
    return expr_new_in(s->arena, x->u.cast.arg, values, kept, in->pos, out, s->err);
}

/* ---- calls ---------------------------------------------------------------------------- */

static bool all_constant(Expr *const *args, int n)
{
    for (int k = 0; k < n; k++)
        if (!is_constant(args[k])) return false;
    return true;
}

static bool any_can_fail(Expr *const *args, int n)
{
    for (int k = 0; k < n; k++)
        if (expr_can_fail(args[k])) return true;
    return false;
}

/* COALESCE of simplified arguments. */
static Status finish_coalesce(Simplifier *s, Expr *c, Expr **out)
{
    int n = c->u.call.n_args;
    Expr **kept = arena_alloc(s->arena, sizeof(Expr *) * (size_t)n);
    if (!kept) return oom(s);
    int n_kept = 0;
    bool decided = false; /* a constant that is not NULL was kept: later values are unused */
    for (int k = 0; k < n; k++) {
        Expr *a = c->u.call.args[k];
        if (is_null_constant(a)) continue;
        /* Arguments are all evaluated: after the deciding one only those that may fail
           (and so must still be evaluated) stay. */
        if (decided && !expr_can_fail(a)) continue;
        kept[n_kept++] = a;
        if (is_constant(a)) decided = true;
    }
    if (n_kept == 0) return new_null(s, c->type, c->pos, out);
    if (n_kept == 1) {
        *out = kept[0];
        return BS_OK;
    }
    if (n_kept == n) {
        *out = c;
        return BS_OK;
    }
    return new_call(s, FN_COALESCE, c->type, kept, n_kept, c->pos, out);
}

/* The rules for a call whose arguments are simplified already. */
static Status finish_call(Simplifier *s, Expr *c, Expr **out)
{
    ScalarFuncId f = c->u.call.func;
    int n = c->u.call.n_args;
    if (is_comparison(f) && n == 2) {
        if (is_constant(c->u.call.args[0]) && !is_constant(c->u.call.args[1])) {
            Expr *swapped[2] = {c->u.call.args[1], c->u.call.args[0]};
            BS_TRY(new_call(s, swap_comparison(f), c->type, swapped, 2, c->pos, &c));
        }
        /* Casts nest (integer → bigint → …): unwrap as long as one does. */
        for (;;) {
            Expr *next;
            BS_TRY(unwrap_cast(s, c, &next));
            if (next == c) break;
            c = next;
        }
        f = c->u.call.func;
    }
    Expr **args = c->u.call.args;
    if (f == FN_COALESCE) return finish_coalesce(s, c, out);
    if (f == FN_IN) {
        /* NULL IN (…) is NULL; the list holds constants only. */
        if (is_null_constant(args[0])) return new_null(s, c->type, c->pos, out);
        Expr *unwrapped;
        BS_TRY(unwrap_cast_in(s, c, &unwrapped));
        if (unwrapped != c) return finish_call(s, unwrapped, out);
    } else if (scalar_func_is_strict(f)) {
        /* Strict: a NULL argument makes the result NULL — unless another argument may
           fail, which the executor would still evaluate. */
        for (int k = 0; k < n; k++)
            if (is_null_constant(args[k])) {
                if (any_can_fail(args, n)) break;
                return new_null(s, c->type, c->pos, out);
            }
    }
    if (n > 0 && all_constant(args, n)) return fold(s, c, out);
    *out = c;
    return BS_OK;
}

static Status simplify_call(Simplifier *s, Expr *e, Expr **out)
{
    Expr **args;
    BS_TRY(simplify_list(s, e->u.call.args, e->u.call.n_args, &args));
    Expr *c = e;
    if (args != e->u.call.args) {
        c = arena_memdup(s->arena, e, sizeof *e);
        if (!c) return oom(s);
        c->u.call.args = args;
    }
    return finish_call(s, c, out);
}

static Status simplify_cast(Simplifier *s, Expr *e, Expr **out)
{
    Expr *arg;
    BS_TRY(simplify(s, e->u.cast.arg, &arg));
    if (type_equals(arg->type, e->type)) {
        *out = arg;
        return BS_OK;
    }
    Expr *c = e;
    if (arg != e->u.cast.arg) {
        c = arena_memdup(s->arena, e, sizeof *e);
        if (!c) return oom(s);
        c->u.cast.arg = arg;
    }
    if (is_constant(arg)) return fold(s, c, out);
    *out = c;
    return BS_OK;
}

/* ---- AND, OR, NOT ------------------------------------------------------------------- */

static Status finish_conj(Simplifier *s, ExprKind kind, Expr **args, int n, int pos, Expr **out);

/* NOT a, for a simplified a. */
static Status negate(Simplifier *s, Expr *a, int pos, Expr **out)
{
    switch (a->kind) {
    case EXPR_CONSTANT:
        if (a->type.id != TYPE_BOOLEAN) break;
        if (a->u.constant.is_null) {
            *out = a;
            return BS_OK;
        }
        return new_bool(s, !a->u.constant.u.b, pos, out);
    case EXPR_NOT:
        *out = a->u.unary.arg;
        return BS_OK;
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return new_unary(s, a->kind == EXPR_IS_NULL ? EXPR_IS_NOT_NULL : EXPR_IS_NULL,
                         a->u.unary.arg, pos, out);
    case EXPR_CALL: {
        ScalarFuncId f = a->u.call.func;
        if (is_comparison(f) && a->u.call.n_args == 2)
            return new_call(s, negate_comparison(f), a->type, a->u.call.args, 2, pos, out);
        if (f == FN_LIKE || f == FN_NOT_LIKE)
            return new_call(s, f == FN_LIKE ? FN_NOT_LIKE : FN_LIKE, a->type, a->u.call.args,
                            a->u.call.n_args, pos, out);
        break;
    }
    case EXPR_AND:
    case EXPR_OR: {
        /* De Morgan. NOT (p AND q) evaluates q where p is not FALSE; NOT p OR NOT q where
           NOT p is not TRUE: the same rows, so the same errors. */
        int n = a->u.conj.n_args;
        Expr **args = arena_alloc(s->arena, sizeof(Expr *) * (size_t)n);
        if (!args) return oom(s);
        for (int k = 0; k < n; k++)
            BS_TRY(negate(s, a->u.conj.args[k], pos, &args[k]));
        return finish_conj(s, a->kind == EXPR_AND ? EXPR_OR : EXPR_AND, args, n, pos, out);
    }
    default:
        break;
    }
    return new_unary(s, EXPR_NOT, a, pos, out);
}

/* A set of expressions by structure (expr_hash + expr_equal), each with a number. */
typedef struct ExprSet {
    Expr **exprs;
    int *numbers;
    uint64_t mask;
} ExprSet;

static Status exprset_init(Simplifier *s, ExprSet *set, int n)
{
    uint64_t size = 8;
    while (size < (uint64_t)n * 2)
        size *= 2;
    set->exprs = arena_alloc_zero(s->arena, sizeof(Expr *) * size);
    set->numbers = arena_alloc(s->arena, sizeof(int) * size);
    set->mask = size - 1;
    return set->exprs && set->numbers ? BS_OK : oom(s);
}

/* Adds e with `number`; returns the number of a structurally equal member already there
   (e is then not added), or -1 if e is new. */
static int exprset_add(ExprSet *set, Expr *e, int number)
{
    for (uint64_t at = expr_hash(e) & set->mask;; at = (at + 1) & set->mask) {
        if (!set->exprs[at]) {
            set->exprs[at] = e;
            set->numbers[at] = number;
            return -1;
        }
        if (expr_equal(set->exprs[at], e)) return set->numbers[at];
    }
}

/*
 * One argument of an OR (`x = c`, `x IN (…)`) or of an AND (`x <> c`, `NOT x IN (…)`) that
 * tests x against constants: *key = x and the constants in values/n_values.
 */
static bool in_member(ExprKind kind, Expr *a, Expr **key, Expr *const **values, int *n_values)
{
    bool negated = false;
    if (kind == EXPR_AND) {
        if (a->kind == EXPR_NOT && a->u.unary.arg->kind == EXPR_CALL &&
            a->u.unary.arg->u.call.func == FN_IN) {
            a = a->u.unary.arg;
            negated = true;
        } else if (!(a->kind == EXPR_CALL && a->u.call.func == FN_NE)) {
            return false;
        }
    }
    if (a->kind != EXPR_CALL) return false;
    ScalarFuncId f = a->u.call.func;
    Expr *const *args = a->u.call.args;
    if (is_constant(args[0])) return false;
    if (f == FN_IN && (kind == EXPR_OR || negated)) {
        *key = args[0];
        *values = args + 1;
        *n_values = a->u.call.n_args - 1;
        return true;
    }
    if ((f == FN_EQ && kind == EXPR_OR) || (f == FN_NE && kind == EXPR_AND)) {
        if (a->u.call.n_args != 2 || !is_constant(args[1]) ||
            !type_equals(args[1]->type, args[0]->type))
            return false;
        *key = args[0];
        *values = args + 1;
        *n_values = 1;
        return true;
    }
    return false;
}

/*
 * Merges the members (in_member) of an OR/AND that test one expression into a single IN
 * (NOT IN) at the place of the first, with a NULL constant of the list absorbed into it
 * (`x IN (1, 2) OR NULL` is `x IN (1, 2, NULL)`). Only called when no argument can fail,
 * so moving tests around changes nothing but their number. args[] is rewritten in place.
 */
static Status group_in_lists(Simplifier *s, ExprKind kind, Expr **args, int *n_args, int pos)
{
    int n = *n_args;
    /* group[k]: index of the first member with the same key as args[k], or -1. */
    int *group = arena_alloc(s->arena, sizeof(int) * (size_t)n);
    int *members = arena_alloc_zero(s->arena, sizeof(int) * (size_t)n);
    int *n_vals = arena_alloc_zero(s->arena, sizeof(int) * (size_t)n);
    Expr **keys = arena_alloc_zero(s->arena, sizeof(Expr *) * (size_t)n);
    if (!group || !members || !n_vals || !keys) return oom(s);
    ExprSet set;
    BS_TRY(exprset_init(s, &set, n));
    int null_at = -1;
    for (int k = 0; k < n; k++) {
        group[k] = -1;
        Expr *key;
        Expr *const *values;
        int nv;
        if (is_null_constant(args[k])) {
            null_at = k;
            continue;
        }
        if (!in_member(kind, args[k], &key, &values, &nv)) continue;
        keys[k] = key;
        int first = exprset_add(&set, key, k);
        if (first < 0) first = k;
        group[k] = first;
        members[first]++;
        n_vals[first] += nv;
    }
    int first_group = -1;
    for (int k = 0; k < n && first_group < 0; k++)
        if (group[k] == k && members[k] >= 2) first_group = k;
    if (first_group < 0) return BS_OK;
    bool absorb_null = null_at >= 0;
    /* The values of each group of two or more members, gathered in one pass. */
    Value **group_values = arena_alloc_zero(s->arena, sizeof(Value *) * (size_t)n);
    int *filled = arena_alloc_zero(s->arena, sizeof(int) * (size_t)n);
    if (!group_values || !filled) return oom(s);
    for (int k = 0; k < n; k++) {
        if (group[k] < 0 || members[group[k]] < 2) continue;
        int g = group[k];
        if (!group_values[g]) {
            int total = n_vals[g] + (absorb_null && g == first_group);
            group_values[g] = arena_alloc(s->arena, sizeof(Value) * (size_t)total);
            if (!group_values[g]) return oom(s);
            if (absorb_null && g == first_group)
                group_values[g][filled[g]++] = value_null(keys[g]->type);
        }
        Expr *key;
        Expr *const *vals;
        int nv;
        in_member(kind, args[k], &key, &vals, &nv);
        for (int v = 0; v < nv; v++)
            group_values[g][filled[g]++] = vals[v]->u.constant;
    }
    int kept = 0;
    for (int k = 0; k < n; k++) {
        if (absorb_null && k == null_at) continue;
        if (group[k] < 0 || members[group[k]] < 2) {
            args[kept++] = args[k];
            continue;
        }
        if (group[k] != k) continue; /* merged into its first member */
        Expr *in;
        BS_TRY(expr_new_in(s->arena, keys[k], group_values[k], filled[k], pos, &in, s->err));
        if (kind == EXPR_AND) BS_TRY(negate(s, in, pos, &in)); /* x = c → x <> c */
        args[kept++] = in;
    }
    *n_args = kept;
    return BS_OK;
}

/*
 * AND/OR of simplified arguments: nested ones flattened; the neutral constant (TRUE for
 * AND) dropped; the deciding one (FALSE for AND) decides when nothing before it may fail,
 * and otherwise ends the list (the executor never evaluates past it); repeats dropped;
 * tests of one expression against constants merged into IN lists.
 */
static Status finish_conj(Simplifier *s, ExprKind kind, Expr **args, int n, int pos, Expr **out)
{
    bool decisive = kind == EXPR_OR;
    int total = 0;
    for (int k = 0; k < n; k++)
        total += args[k]->kind == kind ? args[k]->u.conj.n_args : 1;
    Expr **flat = arena_alloc(s->arena, sizeof(Expr *) * (size_t)total);
    Expr **kept = arena_alloc(s->arena, sizeof(Expr *) * (size_t)total);
    if (!flat || !kept) return oom(s);
    int n_flat = 0;
    for (int k = 0; k < n; k++) {
        if (args[k]->kind == kind)
            for (int j = 0; j < args[k]->u.conj.n_args; j++)
                flat[n_flat++] = args[k]->u.conj.args[j];
        else
            flat[n_flat++] = args[k];
    }
    ExprSet seen;
    BS_TRY(exprset_init(s, &seen, n_flat));
    int n_kept = 0;
    bool can_fail = false;
    for (int k = 0; k < n_flat; k++) {
        Expr *a = flat[k];
        if (is_bool(a, !decisive)) continue;
        if (is_bool(a, decisive)) {
            if (!can_fail) return new_bool(s, decisive, pos, out);
            kept[n_kept++] = a;
            break;
        }
        /* A repeat sees only rows on which its first occurrence gave the same answer. */
        if (exprset_add(&seen, a, k) >= 0) continue;
        kept[n_kept++] = a;
        can_fail = can_fail || expr_can_fail(a);
    }
    if (!can_fail && n_kept >= 2) BS_TRY(group_in_lists(s, kind, kept, &n_kept, pos));
    if (n_kept == 0) return new_bool(s, !decisive, pos, out);
    if (n_kept == 1) {
        *out = kept[0];
        return BS_OK;
    }
    Expr *e = expr_new(s->arena, kind, type_make(TYPE_BOOLEAN), pos);
    if (!e) return oom(s);
    e->u.conj.n_args = n_kept;
    e->u.conj.args = kept;
    *out = e;
    return BS_OK;
}

/* ---- CASE ----------------------------------------------------------------------------- */

static Status simplify_case(Simplifier *s, Expr *e, Expr **out)
{
    int n = e->u.case_.n_whens;
    Expr **whens, **thens, *else_expr;
    BS_TRY(simplify_list(s, e->u.case_.whens, n, &whens));
    BS_TRY(simplify_list(s, e->u.case_.thens, n, &thens));
    BS_TRY(simplify(s, e->u.case_.else_expr, &else_expr));
    Expr **kw = arena_alloc(s->arena, sizeof(Expr *) * (size_t)n);
    Expr **kt = arena_alloc(s->arena, sizeof(Expr *) * (size_t)n);
    if (!kw || !kt) return oom(s);
    int kept = 0;
    for (int k = 0; k < n; k++) {
        /* A constant condition: FALSE or NULL never selects its branch; TRUE always does,
           so its result is what every row left gets. */
        if (is_constant(whens[k]) && !is_bool(whens[k], true)) continue;
        if (is_bool(whens[k], true)) {
            else_expr = thens[k];
            break;
        }
        kw[kept] = whens[k];
        kt[kept++] = thens[k];
    }
    if (kept == 0) {
        *out = else_expr;
        return BS_OK;
    }
    bool same = kept == n && whens == e->u.case_.whens && thens == e->u.case_.thens &&
                else_expr == e->u.case_.else_expr;
    if (same) {
        *out = e;
        return BS_OK;
    }
    Expr *c = arena_memdup(s->arena, e, sizeof *e);
    if (!c) return oom(s);
    c->u.case_.n_whens = kept;
    c->u.case_.whens = kw;
    c->u.case_.thens = kt;
    c->u.case_.else_expr = else_expr;
    *out = c;
    return BS_OK;
}

/* ---- driver --------------------------------------------------------------------------- */

static Status simplify(Simplifier *s, Expr *e, Expr **out)
{
    switch (e->kind) {
    case EXPR_CONSTANT:
    case EXPR_COLUMN:
    case EXPR_AGGREGATE:
    case EXPR_SUBQUERY:
    case EXPR_WINDOW:
        *out = e;
        return BS_OK;
    case EXPR_CALL:
        return simplify_call(s, e, out);
    case EXPR_CAST:
        return simplify_cast(s, e, out);
    case EXPR_AND:
    case EXPR_OR: {
        Expr **args;
        BS_TRY(simplify_list(s, e->u.conj.args, e->u.conj.n_args, &args));
        return finish_conj(s, e->kind, args, e->u.conj.n_args, e->pos, out);
    }
    case EXPR_NOT: {
        Expr *arg;
        BS_TRY(simplify(s, e->u.unary.arg, &arg));
        return negate(s, arg, e->pos, out);
    }
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: {
        Expr *arg;
        BS_TRY(simplify(s, e->u.unary.arg, &arg));
        if (is_constant(arg))
            return new_bool(s, arg->u.constant.is_null == (e->kind == EXPR_IS_NULL), e->pos, out);
        if (arg == e->u.unary.arg) {
            *out = e;
            return BS_OK;
        }
        return new_unary(s, e->kind, arg, e->pos, out);
    }
    case EXPR_CASE:
        return simplify_case(s, e, out);
    }
    return error_set(s->err, SQLSTATE_INTERNAL_ERROR, e->pos, "planner: unknown expression kind");
}

static Status simplify_in_place(Simplifier *s, Expr **e)
{
    return simplify(s, *e, e);
}

static Status simplify_op(Simplifier *s, LogicalOp **slot)
{
    LogicalOp *op = *slot;
    for (int k = 0; k < op->n_children; k++)
        BS_TRY(simplify_op(s, &op->children[k]));
    switch (op->kind) {
    case LOP_FILTER:
        BS_TRY(simplify_in_place(s, &op->u.filter.predicate));
        /* Every row passes: the filter's output is its input's (same bindings). */
        if (is_bool(op->u.filter.predicate, true)) *slot = op->children[0];
        return BS_OK;
    case LOP_PROJECT:
        for (int k = 0; k < op->u.project.n_exprs; k++)
            BS_TRY(simplify_in_place(s, &op->u.project.exprs[k]));
        return BS_OK;
    case LOP_AGGREGATE:
        for (int k = 0; k < op->u.aggregate.n_groups; k++)
            BS_TRY(simplify_in_place(s, &op->u.aggregate.groups[k]));
        for (int k = 0; k < op->u.aggregate.n_aggs; k++) {
            AggregateCall *call = op->u.aggregate.aggs[k];
            if (!call->arg) continue;
            Expr *arg;
            BS_TRY(simplify(s, call->arg, &arg));
            if (arg == call->arg) continue;
            AggregateCall *copy = arena_memdup(s->arena, call, sizeof *call);
            if (!copy) return oom(s);
            copy->arg = arg;
            op->u.aggregate.aggs[k] = copy;
        }
        return BS_OK;
    case LOP_VALUES:
        for (int r = 0; r < op->u.values.n_rows; r++)
            for (int c = 0; c < op->u.values.n_cols; c++)
                BS_TRY(simplify_in_place(s, &op->u.values.rows[r][c]));
        return BS_OK;
    case LOP_UNNEST:
        for (int k = 0; k < op->u.unnest.n_arrays; k++)
            BS_TRY(simplify_in_place(s, &op->u.unnest.arrays[k]));
        return BS_OK;
    case LOP_RANGE:
        BS_TRY(simplify_in_place(s, &op->u.range.start));
        BS_TRY(simplify_in_place(s, &op->u.range.stop));
        return simplify_in_place(s, &op->u.range.step);
    case LOP_JOIN:
        if (op->u.join.condition) {
            BS_TRY(simplify_in_place(s, &op->u.join.condition));
            if (is_bool(op->u.join.condition, true)) op->u.join.condition = NULL;
        }
        return BS_OK;
    default:
        return BS_OK;
    }
}

Status rule_simplify(LogicalOp **root, const ExprEvaluator *evaluator, Arena *arena, Error *err)
{
    Simplifier s = {.arena = arena, .evaluator = evaluator, .err = err};
    return simplify_op(&s, root);
}
