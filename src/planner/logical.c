/*
 * logical.c — construction of bound expressions and logical operators, the output
 * columns (types and bindings) of each operator, and generic expression walks.
 */
#include "planner/planner_int.h"

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
        return expr_visit(e->u.aggregate.call->arg, fn, arg);
    }
    return true;
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
        return value_compare(&a->u.constant, &b->u.constant) == 0;
    case EXPR_COLUMN:
        return a->u.column.binding.table == b->u.column.binding.table &&
               a->u.column.binding.column == b->u.column.binding.column &&
               a->u.column.index == b->u.column.index;
    case EXPR_CALL:
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
    case EXPR_AGGREGATE: {
        const AggregateCall *x = a->u.aggregate.call, *y = b->u.aggregate.call;
        return x->func == y->func && x->distinct == y->distinct && expr_equal(x->arg, y->arg);
    }
    }
    return false;
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
            op->types[k] =
                op->u.values.n_rows ? op->u.values.rows[0][k]->type : type_make(TYPE_INTEGER);
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
