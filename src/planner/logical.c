/*
 * logical.c — construction of bound expressions and logical operators, the output
 * columns (types and bindings) of each operator, and generic expression walks.
 */
#include "planner/planner_int.h"

#include "common/hash.h"

#include <stdlib.h>
#include <string.h>

Expr *expr_new(Arena *arena, ExprKind kind, LogicalType type, int pos)
{
    Expr *e = arena_alloc_zero(arena, sizeof *e);
    if (!e) return NULL;
    e->kind = kind;
    e->type = type;
    e->pos = pos;
    return e;
}

Expr *expr_new_constant(Arena *arena, const Value *value, int pos)
{
    Expr *e = expr_new(arena, EXPR_CONSTANT, value->type, pos);
    if (!e) return NULL;
    e->u.constant = *value;
    return e;
}

Expr *expr_new_column(Arena *arena, ColumnBinding binding, LogicalType type, int pos)
{
    Expr *e = expr_new(arena, EXPR_COLUMN, type, pos);
    if (!e) return NULL;
    e->u.column.binding = binding;
    e->u.column.index = -1;
    return e;
}

Expr *expr_new_call(Arena *arena, ScalarFuncId func, LogicalType type, Expr **args, int n_args,
                    int pos)
{
    Expr *e = expr_new(arena, EXPR_CALL, type, pos);
    if (!e) return NULL;
    e->u.call.func = func;
    e->u.call.n_args = n_args;
    e->u.call.args = arena_alloc(arena, sizeof(Expr *) * (size_t)(n_args ? n_args : 1));
    if (!e->u.call.args) return NULL;
    for (int k = 0; k < n_args; k++)
        e->u.call.args[k] = args[k];
    return e;
}

static int compare_value_items(const void *a, const void *b)
{
    return value_compare(a, b);
}

Status expr_new_in(Arena *arena, Expr *x, const Value *values, int n, int pos, Expr **out,
                   Error *err)
{
    if (n < 1) return error_set(err, SQLSTATE_INTERNAL_ERROR, pos, "planner: empty IN list");
    for (int k = 0; k < n; k++)
        if (!type_equals(values[k].type, x->type))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, pos, "planner: IN list type mismatch");
    Value *sorted = arena_memdup(arena, values, sizeof(Value) * (size_t)n);
    if (!sorted) return arena_error(arena, err);
    qsort(sorted, (size_t)n, sizeof(Value), compare_value_items); /* NULLs sort last */
    int distinct = 0;
    for (int k = 0; k < n; k++)
        if (distinct == 0 || value_compare(&sorted[distinct - 1], &sorted[k]) != 0)
            sorted[distinct++] = sorted[k];
    Expr **args = arena_alloc(arena, sizeof(Expr *) * (size_t)(distinct + 1));
    if (!args) return arena_error(arena, err);
    args[0] = x;
    for (int k = 0; k < distinct; k++) {
        args[k + 1] = expr_new_constant(arena, &sorted[k], pos);
        if (!args[k + 1]) return arena_error(arena, err);
    }
    /* One value that is not NULL: a plain equality. */
    bool single = distinct == 1 && !sorted[0].is_null;
    *out = expr_new_call(arena, single ? FN_EQ : FN_IN, type_make(TYPE_BOOLEAN), args, distinct + 1,
                         pos);
    return *out ? BS_OK : arena_error(arena, err);
}

bool expr_visit(Expr *e, ExprVisitor fn, void *arg)
{
    if (!e) return true;
    if (!fn(e, arg)) return false;
    switch (e->kind) {
    case EXPR_CONSTANT:
    case EXPR_COLUMN:
        return true;
    case EXPR_CALL:
        for (int k = 0; k < e->u.call.n_args; k++)
            if (!expr_visit(e->u.call.args[k], fn, arg)) return false;
        return true;
    case EXPR_CAST:
        return expr_visit(e->u.cast.arg, fn, arg);
    case EXPR_AND:
    case EXPR_OR:
        for (int k = 0; k < e->u.conj.n_args; k++)
            if (!expr_visit(e->u.conj.args[k], fn, arg)) return false;
        return true;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return expr_visit(e->u.unary.arg, fn, arg);
    case EXPR_CASE:
        for (int k = 0; k < e->u.case_.n_whens; k++) {
            if (!expr_visit(e->u.case_.whens[k], fn, arg)) return false;
            if (!expr_visit(e->u.case_.thens[k], fn, arg)) return false;
        }
        return expr_visit(e->u.case_.else_expr, fn, arg);
    case EXPR_AGGREGATE:
        for (int k = 0; k < e->u.aggregate.call->n_order; k++)
            if (!expr_visit(e->u.aggregate.call->order[k].expr, fn, arg)) return false;
        return expr_visit(e->u.aggregate.call->arg, fn, arg);
    case EXPR_SUBQUERY:
        return true;
    case EXPR_WINDOW: {
        const WindowCall *w = e->u.window.call;
        for (int k = 0; k < w->n_args; k++)
            if (!expr_visit(w->args[k], fn, arg)) return false;
        for (int k = 0; k < w->n_partitions; k++)
            if (!expr_visit(w->partitions[k], fn, arg)) return false;
        for (int k = 0; k < w->n_order; k++)
            if (!expr_visit(w->order[k].expr, fn, arg)) return false;
        return true;
    }
    }
    return true;
}

void logical_window_visit(const LogicalOp *op, ExprVisitor fn, void *arg)
{
    for (int f = 0; f < op->u.window.n_funcs; f++) {
        const WindowCall *w = op->u.window.funcs[f];
        for (int k = 0; k < w->n_args; k++)
            if (!expr_visit(w->args[k], fn, arg)) return;
        for (int k = 0; k < w->n_partitions; k++)
            if (!expr_visit(w->partitions[k], fn, arg)) return;
        for (int k = 0; k < w->n_order; k++)
            if (!expr_visit(w->order[k].expr, fn, arg)) return;
    }
}

bool window_spec_equal(const WindowCall *a, const WindowCall *b)
{
    if (a->n_partitions != b->n_partitions || a->n_order != b->n_order) return false;
    for (int k = 0; k < a->n_partitions; k++)
        if (!expr_equal(a->partitions[k], b->partitions[k])) return false;
    for (int k = 0; k < a->n_order; k++)
        if (a->order[k].descending != b->order[k].descending ||
            a->order[k].nulls_first != b->order[k].nulls_first ||
            !expr_equal(a->order[k].expr, b->order[k].expr))
            return false;
    return true;
}

static bool bound_equal(WindowBound kind, const Value *a, const Value *b)
{
    if (kind != WBOUND_PRECEDING && kind != WBOUND_FOLLOWING) return true;
    return type_equals(a->type, b->type) && value_compare(a, b) == 0;
}

bool window_call_equal(const WindowCall *a, const WindowCall *b)
{
    if (a->func != b->func || a->n_args != b->n_args || !type_equals(a->type, b->type))
        return false;
    if (a->func == WIN_AGGREGATE && a->agg != b->agg) return false;
    if (a->distinct != b->distinct || a->ignore_nulls != b->ignore_nulls ||
        a->n_agg_order != b->n_agg_order || a->param.type.id != b->param.type.id ||
        a->param.is_null != b->param.is_null)
        return false;
    if (a->param.type.id != TYPE_INVALID && !a->param.is_null &&
        value_compare(&a->param, &b->param) != 0)
        return false;
    for (int k = 0; k < a->n_agg_order; k++)
        if (a->agg_order_desc[k] != b->agg_order_desc[k] ||
            a->agg_order_nulls_first[k] != b->agg_order_nulls_first[k])
            return false;
    for (int k = 0; k < a->n_args; k++)
        if (!expr_equal(a->args[k], b->args[k])) return false;
    const WindowFrame *x = &a->frame, *y = &b->frame;
    return window_spec_equal(a, b) && x->unit == y->unit && x->start == y->start &&
           x->exclude == y->exclude &&
           x->end == y->end && bound_equal(x->start, &x->start_offset, &y->start_offset) &&
           bound_equal(x->end, &x->end_offset, &y->end_offset);
}

static bool exprs_equal(Expr *const *a, Expr *const *b, int n)
{
    for (int k = 0; k < n; k++)
        if (!expr_equal(a[k], b[k])) return false;
    return true;
}

bool expr_equal(const Expr *a, const Expr *b)
{
    if (a == b) return true;
    if (!a || !b) return false;
    if (a->kind != b->kind || !type_equals(a->type, b->type)) return false;
    switch (a->kind) {
    case EXPR_CONSTANT:
        if (a->u.constant.is_null || b->u.constant.is_null)
            return a->u.constant.is_null == b->u.constant.is_null;
        /* Doubles by their bits: -0.0 and 0.0 compare equal but do not compute alike. */
        if (type_physical(a->type) == PHYS_DOUBLE)
            return memcmp(&a->u.constant.u.f64, &b->u.constant.u.f64, sizeof(double)) == 0;
        /* Intervals by their fields: '1 mon' and '30 days' compare equal but add differently. */
        if (type_physical(a->type) == PHYS_INTERVAL)
            return a->u.constant.u.iv.months == b->u.constant.u.iv.months &&
                   a->u.constant.u.iv.days == b->u.constant.u.iv.days &&
                   a->u.constant.u.iv.micros == b->u.constant.u.iv.micros;
        return value_compare(&a->u.constant, &b->u.constant) == 0;
    case EXPR_COLUMN:
        return a->u.column.binding.table == b->u.column.binding.table &&
               a->u.column.binding.column == b->u.column.binding.column &&
               a->u.column.index == b->u.column.index;
    case EXPR_CALL:
        /* two calls of random() are two values: never merged into one */
        if (a->u.call.func == FN_RANDOM) return false;
        return a->u.call.func == b->u.call.func && a->u.call.n_args == b->u.call.n_args &&
               exprs_equal(a->u.call.args, b->u.call.args, a->u.call.n_args);
    case EXPR_CAST:
        return expr_equal(a->u.cast.arg, b->u.cast.arg);
    case EXPR_AND:
    case EXPR_OR:
        return a->u.conj.n_args == b->u.conj.n_args &&
               exprs_equal(a->u.conj.args, b->u.conj.args, a->u.conj.n_args);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return expr_equal(a->u.unary.arg, b->u.unary.arg);
    case EXPR_CASE:
        return a->u.case_.n_whens == b->u.case_.n_whens &&
               exprs_equal(a->u.case_.whens, b->u.case_.whens, a->u.case_.n_whens) &&
               exprs_equal(a->u.case_.thens, b->u.case_.thens, a->u.case_.n_whens) &&
               expr_equal(a->u.case_.else_expr, b->u.case_.else_expr);
    case EXPR_AGGREGATE:
        return agg_call_equal(a->u.aggregate.call, b->u.aggregate.call);
    case EXPR_SUBQUERY:
        return a->u.subquery.sub == b->u.subquery.sub;
    case EXPR_WINDOW:
        return window_call_equal(a->u.window.call, b->u.window.call);
    }
    return false;
}

bool agg_call_equal(const AggregateCall *x, const AggregateCall *y)
{
    if (x->func != y->func || x->distinct != y->distinct || !expr_equal(x->arg, y->arg) ||
        x->n_order != y->n_order || x->param.type.id != y->param.type.id ||
        x->param.is_null != y->param.is_null)
        return false;
    if (x->param.type.id != TYPE_INVALID && !x->param.is_null &&
        value_compare(&x->param, &y->param) != 0)
        return false;
    for (int k = 0; k < x->n_order; k++)
        if (x->order[k].descending != y->order[k].descending ||
            x->order[k].nulls_first != y->order[k].nulls_first ||
            !expr_equal(x->order[k].expr, y->order[k].expr))
            return false;
    return true;
}

static uint64_t value_hash(const Value *v)
{
    if (v->is_null) return 0x6e756c6cu;
    switch (type_physical(v->type)) {
    case PHYS_BOOL:
        return hash_u64(v->u.b ? 2 : 1);
    case PHYS_INT32:
        return hash_u64((uint64_t)(int64_t)v->u.i32);
    case PHYS_INT64:
        return hash_u64((uint64_t)v->u.i64);
    case PHYS_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->u.f64, sizeof bits);
        return hash_u64(bits);
    }
    case PHYS_STRING:
        return hash_bytes(v->u.str.data, v->u.str.len);
    case PHYS_INTERVAL:
        return hash_combine(
            hash_u64(((uint64_t)(uint32_t)v->u.iv.months << 32) | (uint32_t)v->u.iv.days),
            hash_u64((uint64_t)v->u.iv.micros));
    case PHYS_INT8:
        return hash_u64((uint64_t)(int64_t)v->u.i8);
    case PHYS_INT16:
        return hash_u64((uint64_t)(int64_t)v->u.i16);
    case PHYS_FLOAT: {
        uint32_t bits;
        memcpy(&bits, &v->u.f32, sizeof bits);
        return hash_u64(bits);
    }
    case PHYS_INT128:
        return hash_combine(hash_u64((uint64_t)v->u.i128),
                            hash_u64((uint64_t)((uint128_t)v->u.i128 >> 64)));
    case PHYS_INVALID:
        break;
    }
    return 0;
}

static uint64_t hash_list(uint64_t h, Expr *const *args, int n)
{
    for (int k = 0; k < n; k++)
        h = hash_combine(h, expr_hash(args[k]));
    return h;
}

uint64_t expr_hash(const Expr *e)
{
    uint64_t h = hash_u64(((uint64_t)e->kind << 24) | ((uint64_t)e->type.id << 16) |
                          ((uint64_t)e->type.precision << 8) | e->type.scale);
    switch (e->kind) {
    case EXPR_CONSTANT:
        return hash_combine(h, value_hash(&e->u.constant));
    case EXPR_COLUMN:
        return hash_combine(
            h, hash_u64(((uint64_t)e->u.column.binding.table << 32) | e->u.column.binding.column) ^
                   (uint64_t)(int64_t)e->u.column.index);
    case EXPR_CALL:
        return hash_list(hash_combine(h, (uint64_t)e->u.call.func), e->u.call.args,
                         e->u.call.n_args);
    case EXPR_CAST:
        return hash_combine(h, expr_hash(e->u.cast.arg));
    case EXPR_AND:
    case EXPR_OR:
        return hash_list(h, e->u.conj.args, e->u.conj.n_args);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return hash_combine(h, expr_hash(e->u.unary.arg));
    case EXPR_CASE:
        h = hash_list(h, e->u.case_.whens, e->u.case_.n_whens);
        h = hash_list(h, e->u.case_.thens, e->u.case_.n_whens);
        return hash_combine(h, expr_hash(e->u.case_.else_expr));
    case EXPR_AGGREGATE: {
        const AggregateCall *call = e->u.aggregate.call;
        h = hash_combine(h, ((uint64_t)call->func << 1) | call->distinct);
        return call->arg ? hash_combine(h, expr_hash(call->arg)) : h;
    }
    case EXPR_SUBQUERY:
        return hash_combine(h, (uint64_t)(uintptr_t)e->u.subquery.sub);
    case EXPR_WINDOW: {
        const WindowCall *w = e->u.window.call;
        h = hash_combine(h, ((uint64_t)w->func << 8) | (uint64_t)w->agg);
        return hash_list(h, w->args, w->n_args);
    }
    }
    return h;
}

/* Casts that succeed for every value of `from`: exact widenings and text forms. */
static bool cast_cannot_fail(LogicalType from, LogicalType to)
{
    if (type_equals(from, to)) return true;
    if (to.id == TYPE_VARCHAR) return true; /* every value has a text form */
    switch ((TypeId)from.id) {
    case TYPE_BOOLEAN:
        return type_is_integral(to);
    case TYPE_TINYINT:
    case TYPE_SMALLINT: {
        /* to a wider integer, to a float, or to a decimal with room for 5 digits */
        bool wider = to.id == TYPE_INTEGER || to.id == TYPE_BIGINT || to.id == TYPE_HUGEINT ||
                     (to.id == TYPE_SMALLINT && from.id == TYPE_TINYINT);
        return wider || type_is_float(to) || to.id == TYPE_BOOLEAN ||
               (to.id == TYPE_DECIMAL && to.precision - to.scale >= 5);
    }
    case TYPE_REAL:
        return to.id == TYPE_DOUBLE;
    case TYPE_INTEGER:
        return to.id == TYPE_BIGINT || to.id == TYPE_HUGEINT || to.id == TYPE_DOUBLE ||
               to.id == TYPE_BOOLEAN || (to.id == TYPE_DECIMAL && to.precision - to.scale >= 10);
    case TYPE_BIGINT:
        return to.id == TYPE_HUGEINT || to.id == TYPE_DOUBLE || to.id == TYPE_BOOLEAN ||
               (to.id == TYPE_DECIMAL && to.precision - to.scale >= 19);
    case TYPE_HUGEINT:
        return to.id == TYPE_DOUBLE || to.id == TYPE_BOOLEAN;
    case TYPE_DECIMAL:
        return to.id == TYPE_DOUBLE ||
               (to.id == TYPE_BIGINT && from.precision - from.scale <= 18) ||
               (to.id == TYPE_HUGEINT) ||
               (to.id == TYPE_DECIMAL && to.scale >= from.scale &&
                to.precision - to.scale >= from.precision - from.scale);
    case TYPE_DATE:
        return to.id == TYPE_TIMESTAMP;
    case TYPE_TIMESTAMP:
        return to.id == TYPE_DATE;
    default:
        return false;
    }
}

/* A divisor that can never make / or % fail: a constant other than 0 (and -1 for integers,
   where MIN / -1 overflows). */
static bool safe_divisor(const Expr *d)
{
    if (d->kind != EXPR_CONSTANT || d->u.constant.is_null) return false;
    const Value *v = &d->u.constant;
    switch ((TypeId)v->type.id) {
    case TYPE_INTEGER:
        return v->u.i32 != 0 && v->u.i32 != -1;
    case TYPE_SMALLINT:
        return v->u.i16 != 0 && v->u.i16 != -1;
    case TYPE_TINYINT:
        return v->u.i8 != 0 && v->u.i8 != -1;
    case TYPE_REAL:
        return v->u.f32 != 0;
    case TYPE_BIGINT:
        return v->u.i64 != 0 && v->u.i64 != -1;
    case TYPE_DECIMAL:
    case TYPE_HUGEINT: {
        int128_t x = value_as_int128(v);
        return x != 0 && x != -1;
    }
    case TYPE_DOUBLE:
        return v->u.f64 != 0;
    default:
        return false;
    }
}

static bool call_can_fail(const Expr *e)
{
    switch (e->u.call.func) {
    case FN_EQ:
    case FN_NE:
    case FN_LT:
    case FN_LE:
    case FN_GT:
    case FN_GE:
    case FN_LIKE:
    case FN_NOT_LIKE:
        return e->u.call.n_args > 2; /* a bad ESCAPE fails */
    case FN_LOWER:
    case FN_UPPER:
    case FN_LENGTH:
    case FN_COALESCE:
    case FN_EXTRACT_YEAR:
    case FN_EXTRACT_MONTH:
    case FN_EXTRACT_DAY:
    case FN_IN:
        return false;
    case FN_ADD:
    case FN_SUBTRACT:
    case FN_MULTIPLY:
        return e->type.id != TYPE_DOUBLE; /* integers, decimals and dates overflow */
    case FN_NEGATE:
    case FN_ABS:
        return e->type.id != TYPE_DOUBLE && e->type.id != TYPE_DECIMAL;
    case FN_DIVIDE:
    case FN_MODULO:
        return e->u.call.n_args != 2 || !safe_divisor(e->u.call.args[1]);
    default:
        return true; /* concat (length limit), substring, round: they can raise errors */
    }
}

bool expr_can_fail(const Expr *e)
{
    switch (e->kind) {
    case EXPR_CONSTANT:
    case EXPR_COLUMN:
        return false;
    case EXPR_CALL:
        for (int k = 0; k < e->u.call.n_args; k++)
            if (expr_can_fail(e->u.call.args[k])) return true;
        return call_can_fail(e);
    case EXPR_CAST:
        return expr_can_fail(e->u.cast.arg) || !cast_cannot_fail(e->u.cast.arg->type, e->type);
    case EXPR_AND:
    case EXPR_OR:
        for (int k = 0; k < e->u.conj.n_args; k++)
            if (expr_can_fail(e->u.conj.args[k])) return true;
        return false;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return expr_can_fail(e->u.unary.arg);
    case EXPR_CASE:
        for (int k = 0; k < e->u.case_.n_whens; k++)
            if (expr_can_fail(e->u.case_.whens[k]) || expr_can_fail(e->u.case_.thens[k]))
                return true;
        return expr_can_fail(e->u.case_.else_expr);
    case EXPR_AGGREGATE:
    case EXPR_SUBQUERY:
    case EXPR_WINDOW:
        return true;
    }
    return true;
}

LogicalOp *logical_create(Arena *arena, LogicalKind kind, LogicalOp *child)
{
    LogicalOp *op = arena_alloc_zero(arena, sizeof *op);
    if (!op) return NULL;
    op->kind = kind;
    op->est_rows = -1;
    if (child) {
        op->children = arena_alloc(arena, sizeof(LogicalOp *));
        if (!op->children) return NULL;
        op->children[0] = child;
        op->n_children = 1;
    }
    return op;
}

/* Allocates the output arrays for n columns. */
static Status alloc_outputs(LogicalOp *op, int n, Arena *arena, Error *err)
{
    op->n_out = n;
    op->types = arena_alloc(arena, sizeof(LogicalType) * (size_t)(n ? n : 1));
    op->bindings = arena_alloc(arena, sizeof(ColumnBinding) * (size_t)(n ? n : 1));
    if (!op->types || !op->bindings) return arena_error(arena, err);
    return BS_OK;
}

/* Output columns numbered 0..n-1 under one table index. */
static void number_outputs(LogicalOp *op, uint32_t table_index)
{
    for (int k = 0; k < op->n_out; k++) {
        op->bindings[k].table = table_index;
        op->bindings[k].column = (uint32_t)k;
    }
}

/* The same outputs as the first child. */
static Status copy_child_outputs(LogicalOp *op, Arena *arena, Error *err)
{
    LogicalOp *child = op->children[0];
    BS_TRY(alloc_outputs(op, child->n_out, arena, err));
    memcpy(op->types, child->types, sizeof(LogicalType) * (size_t)child->n_out);
    memcpy(op->bindings, child->bindings, sizeof(ColumnBinding) * (size_t)child->n_out);
    return BS_OK;
}

Status logical_resolve(LogicalOp *op, Arena *arena, Error *err)
{
    switch (op->kind) {
    case LOP_GET: {
        BS_TRY(alloc_outputs(op, op->u.get.n_columns, arena, err));
        for (int k = 0; k < op->n_out; k++) {
            int col = op->u.get.columns[k];
            op->types[k] = op->u.get.table->col_types[col];
            /* The binding names the table column, so pruning keeps bindings stable. */
            op->bindings[k].table = op->u.get.table_index;
            op->bindings[k].column = (uint32_t)col;
        }
        return BS_OK;
    }
    case LOP_VALUES:
        BS_TRY(alloc_outputs(op, op->u.values.n_cols, arena, err));
        for (int k = 0; k < op->n_out; k++)
            op->types[k] = op->u.values.col_types ? op->u.values.col_types[k]
                           : op->u.values.n_rows  ? op->u.values.rows[0][k]->type
                                                  : type_make(TYPE_INTEGER);
        number_outputs(op, op->u.values.table_index);
        return BS_OK;
    case LOP_CSV_READ:
        BS_TRY(alloc_outputs(op, op->u.csv.n_cols, arena, err));
        memcpy(op->types, op->u.csv.col_types, sizeof(LogicalType) * (size_t)op->n_out);
        number_outputs(op, op->u.csv.table_index);
        return BS_OK;
    case LOP_PROJECT:
        BS_TRY(alloc_outputs(op, op->u.project.n_exprs, arena, err));
        for (int k = 0; k < op->n_out; k++)
            op->types[k] = op->u.project.exprs[k]->type;
        number_outputs(op, op->u.project.table_index);
        return BS_OK;
    case LOP_AGGREGATE: {
        int n_groups = op->u.aggregate.n_groups;
        BS_TRY(alloc_outputs(op, n_groups + op->u.aggregate.n_aggs, arena, err));
        for (int k = 0; k < n_groups; k++) {
            op->types[k] = op->u.aggregate.groups[k]->type;
            op->bindings[k].table = op->u.aggregate.group_index;
            op->bindings[k].column = (uint32_t)k;
        }
        for (int k = 0; k < op->u.aggregate.n_aggs; k++) {
            op->types[n_groups + k] = op->u.aggregate.aggs[k]->type;
            op->bindings[n_groups + k].table = op->u.aggregate.agg_index;
            op->bindings[n_groups + k].column = (uint32_t)k;
        }
        return BS_OK;
    }
    case LOP_FILTER:
    case LOP_ORDER:
    case LOP_LIMIT:
        return copy_child_outputs(op, arena, err);
    case LOP_JOIN: {
        const LogicalOp *l = op->children[0], *r = op->children[1];
        LogicalJoinType t = op->u.join.type;
        int n = l->n_out;
        if (t == LJ_INNER || t == LJ_LEFT || t == LJ_RIGHT || t == LJ_FULL) n += r->n_out;
        if (t == LJ_MARK) n++;
        BS_TRY(alloc_outputs(op, n, arena, err));
        memcpy(op->types, l->types, sizeof(LogicalType) * (size_t)l->n_out);
        memcpy(op->bindings, l->bindings, sizeof(ColumnBinding) * (size_t)l->n_out);
        if (t == LJ_MARK) {
            op->types[l->n_out] = type_make(TYPE_BOOLEAN);
            op->bindings[l->n_out] = (ColumnBinding){op->u.join.mark_index, 0};
        } else if (n > l->n_out) {
            memcpy(op->types + l->n_out, r->types, sizeof(LogicalType) * (size_t)r->n_out);
            memcpy(op->bindings + l->n_out, r->bindings, sizeof(ColumnBinding) * (size_t)r->n_out);
        }
        return BS_OK;
    }
    case LOP_EXPAND: {
        const LogicalOp *c = op->children[0];
        int n = op->u.expand.n_groups;
        BS_TRY(alloc_outputs(op, c->n_out + n + 1, arena, err));
        memcpy(op->types, c->types, sizeof(LogicalType) * (size_t)c->n_out);
        memcpy(op->bindings, c->bindings, sizeof(ColumnBinding) * (size_t)c->n_out);
        for (int k = 0; k <= n; k++) {
            op->types[c->n_out + k] =
                k < n ? op->u.expand.groups[k]->type : type_make(TYPE_BIGINT);
            op->bindings[c->n_out + k] = (ColumnBinding){op->u.expand.table_index, (uint32_t)k};
        }
        return BS_OK;
    }
    case LOP_UNNEST: {
        const LogicalOp *c = op->children[0];
        bool ranges = op->u.unnest.mode != UNNEST_ARRAYS;
        int n = ranges ? 1 : op->u.unnest.n_arrays, extra = n + (op->u.unnest.ordinality ? 1 : 0);
        BS_TRY(alloc_outputs(op, c->n_out + extra, arena, err));
        memcpy(op->types, c->types, sizeof(LogicalType) * (size_t)c->n_out);
        memcpy(op->bindings, c->bindings, sizeof(ColumnBinding) * (size_t)c->n_out);
        for (int k = 0; k < extra; k++) {
            op->types[c->n_out + k] = k >= n   ? type_make(TYPE_BIGINT)
                                      : ranges ? op->u.unnest.arrays[0]->type /* the start's */
                                               : type_array_elem(op->u.unnest.arrays[k]->type);
            op->bindings[c->n_out + k] = (ColumnBinding){op->u.unnest.table_index, (uint32_t)k};
        }
        return BS_OK;
    }
    case LOP_RANGE:
        BS_TRY(alloc_outputs(op, 1, arena, err));
        op->types[0] = op->u.range.start->type; /* BIGINT or TIMESTAMP */
        number_outputs(op, op->u.range.table_index);
        return BS_OK;
    case LOP_WINDOW: {
        const LogicalOp *c = op->children[0];
        BS_TRY(alloc_outputs(op, c->n_out + op->u.window.n_funcs, arena, err));
        memcpy(op->types, c->types, sizeof(LogicalType) * (size_t)c->n_out);
        memcpy(op->bindings, c->bindings, sizeof(ColumnBinding) * (size_t)c->n_out);
        for (int k = 0; k < op->u.window.n_funcs; k++) {
            op->types[c->n_out + k] = op->u.window.funcs[k]->type;
            op->bindings[c->n_out + k] = (ColumnBinding){op->u.window.table_index, (uint32_t)k};
        }
        return BS_OK;
    }
    case LOP_UNION:
        BS_TRY(alloc_outputs(op, op->children[0]->n_out, arena, err));
        memcpy(op->types, op->children[0]->types, sizeof(LogicalType) * (size_t)op->n_out);
        number_outputs(op, op->u.set.table_index);
        return BS_OK;
    case LOP_RECURSIVE_CTE:
        BS_TRY(alloc_outputs(op, op->children[0]->n_out, arena, err));
        memcpy(op->types, op->children[0]->types, sizeof(LogicalType) * (size_t)op->n_out);
        number_outputs(op, op->u.recursive.table_index);
        return BS_OK;
    case LOP_CTE_SCAN:
        BS_TRY(alloc_outputs(op, op->u.cte_scan.n_cols, arena, err));
        memcpy(op->types, op->u.cte_scan.types, sizeof(LogicalType) * (size_t)op->n_out);
        number_outputs(op, op->u.cte_scan.table_index);
        return BS_OK;
    case LOP_INSERT:
        /* One BIGINT: the number of rows written. */
        BS_TRY(alloc_outputs(op, 1, arena, err));
        op->types[0] = type_make(TYPE_BIGINT);
        op->bindings[0].table = UINT32_MAX;
        op->bindings[0].column = 0;
        return BS_OK;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "unknown logical operator %d", op->kind);
}

Status logical_resolve_tree(LogicalOp *op, Arena *arena, Error *err)
{
    for (int k = 0; k < op->n_children; k++)
        BS_TRY(logical_resolve_tree(op->children[k], arena, err));
    return logical_resolve(op, arena, err);
}

LogicalOp *logical_join(Arena *arena, LogicalJoinType type, LogicalOp *left, LogicalOp *right,
                        Expr *condition)
{
    LogicalOp *op = arena_alloc_zero(arena, sizeof *op);
    LogicalOp **children = arena_alloc(arena, sizeof(LogicalOp *) * 2);
    if (!op || !children) return NULL;
    children[0] = left;
    children[1] = right;
    op->kind = LOP_JOIN;
    op->n_children = 2;
    op->children = children;
    op->est_rows = -1;
    op->u.join.type = type;
    op->u.join.condition = condition;
    Error err = ERROR_INIT;
    if (logical_resolve(op, arena, &err) != BS_OK) {
        error_clear(&err);
        return NULL;
    }
    return op;
}

uint32_t logical_max_table_index(const LogicalOp *op)
{
    uint32_t max = 0;
    switch (op->kind) {
    case LOP_GET:
        max = op->u.get.table_index;
        break;
    case LOP_VALUES:
        max = op->u.values.table_index;
        break;
    case LOP_CSV_READ:
        max = op->u.csv.table_index;
        break;
    case LOP_PROJECT:
        max = op->u.project.table_index;
        break;
    case LOP_AGGREGATE:
        max = op->u.aggregate.group_index > op->u.aggregate.agg_index ? op->u.aggregate.group_index
                                                                      : op->u.aggregate.agg_index;
        break;
    case LOP_JOIN:
        if (op->u.join.type == LJ_MARK) max = op->u.join.mark_index;
        break;
    case LOP_UNION:
        max = op->u.set.table_index;
        break;
    case LOP_RANGE:
        max = op->u.range.table_index;
        break;
    case LOP_EXPAND:
        max = op->u.expand.table_index;
        break;
    case LOP_UNNEST:
        max = op->u.unnest.table_index;
        break;
    case LOP_RECURSIVE_CTE:
        max = op->u.recursive.table_index > op->u.recursive.id ? op->u.recursive.table_index
                                                               : op->u.recursive.id;
        break;
    case LOP_CTE_SCAN:
        max = op->u.cte_scan.table_index;
        break;
    case LOP_WINDOW:
        max = op->u.window.table_index;
        break;
    default:
        break;
    }
    for (int k = 0; k < op->n_children; k++) {
        uint32_t m = logical_max_table_index(op->children[k]);
        if (m > max) max = m;
    }
    return max;
}

typedef struct Sources {
    const LogicalOp *a, *b;
    bool in_a, in_b, other;
} Sources;

static bool outputs(const LogicalOp *op, ColumnBinding b)
{
    for (int k = 0; op && k < op->n_out; k++)
        if (op->bindings[k].table == b.table && op->bindings[k].column == b.column) return true;
    return false;
}

static bool note_source(Expr *e, void *arg)
{
    Sources *s = arg;
    if (e->kind == EXPR_AGGREGATE) {
        s->other = true;
        return false;
    }
    if (e->kind != EXPR_COLUMN) return true;
    if (outputs(s->a, e->u.column.binding))
        s->in_a = true;
    else if (outputs(s->b, e->u.column.binding))
        s->in_b = true;
    else
        s->other = true;
    return true;
}

void expr_column_sources(const Expr *e, const LogicalOp *a, const LogicalOp *b, bool *in_a,
                         bool *in_b, bool *other)
{
    Sources s = {a, b, false, false, false};
    expr_visit((Expr *)e, note_source, &s);
    *in_a = s.in_a;
    *in_b = s.in_b;
    *other = s.other;
}
