/*
 * logical_copy.c — deep copies of logical plans and bound expressions.
 *
 * Decorrelation (bind_dependent_join.c) needs a plan twice: the outer query's rows once
 * as themselves and once as the source of the distinct values its subqueries depend on.
 * A copy gets fresh table indexes for every operator that makes columns, so that the two
 * never share a binding; a map from old index to new one rebinds the copied expressions.
 * References to columns the copied tree does not make (an enclosing query's) are kept.
 */
#include "planner/planner_int.h"

#include <string.h>

static uint32_t map_index(const IndexMap *m, uint32_t index)
{
    for (int k = 0; k < m->count; k++)
        if (m->from[k] == index) return m->to[k];
    return index;
}

/* A fresh table index standing for `old` in the copy. */
static Status map_new(Binder *b, IndexMap *m, uint32_t old, uint32_t *out, Error *err)
{
    if (m->count == m->capacity) {
        int cap = m->capacity ? m->capacity * 2 : 16;
        uint32_t *from = arena_grow(b->arena, m->from, sizeof(uint32_t) * (size_t)m->capacity,
                                    sizeof(uint32_t) * (size_t)cap);
        uint32_t *to = arena_grow(b->arena, m->to, sizeof(uint32_t) * (size_t)m->capacity,
                                  sizeof(uint32_t) * (size_t)cap);
        if (!from || !to) return arena_error(b->arena, err);
        m->from = from;
        m->to = to;
        m->capacity = cap;
    }
    m->from[m->count] = old;
    m->to[m->count] = b->next_table_index++;
    *out = m->to[m->count++];
    return BS_OK;
}

static Status copy_exprs(Binder *b, Expr *const *src, int n, const IndexMap *m, Expr ***out,
                         Error *err)
{
    *out = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    if (!*out) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++)
        BS_TRY(binder_copy_expr(b, src[k], m, &(*out)[k], err));
    return BS_OK;
}

static Status copy_agg_call(Binder *b, const AggregateCall *src, const IndexMap *m,
                            AggregateCall **out, Error *err)
{
    AggregateCall *c = arena_memdup(b->arena, src, sizeof *src);
    if (!c) return arena_error(b->arena, err);
    if (src->arg) BS_TRY(binder_copy_expr(b, src->arg, m, &c->arg, err));
    if (src->n_order > 0) {
        c->order = arena_memdup(b->arena, src->order, sizeof(AggOrderKey) * (size_t)src->n_order);
        if (!c->order) return arena_error(b->arena, err);
        for (int k = 0; k < src->n_order; k++)
            BS_TRY(binder_copy_expr(b, src->order[k].expr, m, &c->order[k].expr, err));
    }
    *out = c;
    return BS_OK;
}

static Status copy_sort_keys(Binder *b, const LogicalSortKey *src, int n, const IndexMap *m,
                             LogicalSortKey **out, Error *err)
{
    *out = arena_alloc(b->arena, sizeof(LogicalSortKey) * (size_t)(n ? n : 1));
    if (!*out) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        (*out)[k] = src[k];
        BS_TRY(binder_copy_expr(b, src[k].expr, m, &(*out)[k].expr, err));
    }
    return BS_OK;
}

static Status copy_window_call(Binder *b, const WindowCall *src, const IndexMap *m,
                               WindowCall **out, Error *err)
{
    WindowCall *w = arena_memdup(b->arena, src, sizeof *src);
    if (!w) return arena_error(b->arena, err);
    for (int k = 0; k < src->n_args; k++)
        if (src->args[k]) BS_TRY(binder_copy_expr(b, src->args[k], m, &w->args[k], err));
    BS_TRY(copy_exprs(b, src->partitions, src->n_partitions, m, &w->partitions, err));
    BS_TRY(copy_sort_keys(b, src->order, src->n_order, m, &w->order, err));
    *out = w;
    return BS_OK;
}

Status binder_copy_expr(Binder *b, const Expr *e, const IndexMap *m, Expr **out, Error *err)
{
    *out = NULL;
    if (!e) return BS_OK;
    Expr *c = arena_memdup(b->arena, e, sizeof *e);
    if (!c) return arena_error(b->arena, err);
    *out = c;
    switch (e->kind) {
    case EXPR_CONSTANT:
        return BS_OK;
    case EXPR_COLUMN:
        if (m) c->u.column.binding.table = map_index(m, e->u.column.binding.table);
        return BS_OK;
    case EXPR_CALL:
        return copy_exprs(b, e->u.call.args, e->u.call.n_args, m, &c->u.call.args, err);
    case EXPR_AND:
    case EXPR_OR:
        return copy_exprs(b, e->u.conj.args, e->u.conj.n_args, m, &c->u.conj.args, err);
    case EXPR_CAST:
        return binder_copy_expr(b, e->u.cast.arg, m, &c->u.cast.arg, err);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return binder_copy_expr(b, e->u.unary.arg, m, &c->u.unary.arg, err);
    case EXPR_CASE:
        BS_TRY(copy_exprs(b, e->u.case_.whens, e->u.case_.n_whens, m, &c->u.case_.whens, err));
        BS_TRY(copy_exprs(b, e->u.case_.thens, e->u.case_.n_whens, m, &c->u.case_.thens, err));
        return binder_copy_expr(b, e->u.case_.else_expr, m, &c->u.case_.else_expr, err);
    case EXPR_AGGREGATE:
        return copy_agg_call(b, e->u.aggregate.call, m, &c->u.aggregate.call, err);
    case EXPR_WINDOW:
        return copy_window_call(b, e->u.window.call, m, &c->u.window.call, err);
    case EXPR_SUBQUERY:
        break;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, e->pos,
                     "planner: a subquery expression left in a plan being copied");
}

Status binder_copy_plan(Binder *b, const LogicalOp *op, IndexMap *m, LogicalOp **out, Error *err)
{
    LogicalOp *c = arena_memdup(b->arena, op, sizeof *op);
    if (!c) return arena_error(b->arena, err);
    /* This operator's own indexes first: a working table's scan below reads its id. */
    switch (op->kind) {
    case LOP_GET:
        BS_TRY(map_new(b, m, op->u.get.table_index, &c->u.get.table_index, err));
        break;
    case LOP_VALUES:
        BS_TRY(map_new(b, m, op->u.values.table_index, &c->u.values.table_index, err));
        break;
    case LOP_CSV_READ:
        BS_TRY(map_new(b, m, op->u.csv.table_index, &c->u.csv.table_index, err));
        break;
    case LOP_PROJECT:
        BS_TRY(map_new(b, m, op->u.project.table_index, &c->u.project.table_index, err));
        break;
    case LOP_AGGREGATE:
        BS_TRY(map_new(b, m, op->u.aggregate.group_index, &c->u.aggregate.group_index, err));
        BS_TRY(map_new(b, m, op->u.aggregate.agg_index, &c->u.aggregate.agg_index, err));
        break;
    case LOP_JOIN:
        if (op->u.join.type == LJ_MARK)
            BS_TRY(map_new(b, m, op->u.join.mark_index, &c->u.join.mark_index, err));
        break;
    case LOP_UNION:
        BS_TRY(map_new(b, m, op->u.set.table_index, &c->u.set.table_index, err));
        break;
    case LOP_RANGE:
        BS_TRY(map_new(b, m, op->u.range.table_index, &c->u.range.table_index, err));
        break;
    case LOP_EXPAND:
        BS_TRY(map_new(b, m, op->u.expand.table_index, &c->u.expand.table_index, err));
        break;
    case LOP_RECURSIVE_CTE:
        BS_TRY(map_new(b, m, op->u.recursive.table_index, &c->u.recursive.table_index, err));
        BS_TRY(map_new(b, m, op->u.recursive.id, &c->u.recursive.id, err));
        break;
    case LOP_CTE_SCAN:
        BS_TRY(map_new(b, m, op->u.cte_scan.table_index, &c->u.cte_scan.table_index, err));
        c->u.cte_scan.id = map_index(m, op->u.cte_scan.id);
        break;
    case LOP_WINDOW:
        BS_TRY(map_new(b, m, op->u.window.table_index, &c->u.window.table_index, err));
        break;
    case LOP_UNNEST:
        BS_TRY(map_new(b, m, op->u.unnest.table_index, &c->u.unnest.table_index, err));
        break;
    case LOP_FILTER:
    case LOP_ORDER:
    case LOP_LIMIT:
    case LOP_INSERT:
        break;
    }
    if (op->n_children > 0) {
        c->children = arena_alloc(b->arena, sizeof(LogicalOp *) * (size_t)op->n_children);
        if (!c->children) return arena_error(b->arena, err);
        for (int k = 0; k < op->n_children; k++)
            BS_TRY(binder_copy_plan(b, op->children[k], m, &c->children[k], err));
    }
    switch (op->kind) {
    case LOP_GET:
        c->u.get.columns = arena_memdup(b->arena, op->u.get.columns,
                                        sizeof(int) * (size_t)(op->u.get.n_columns ? op->u.get.n_columns : 1));
        if (!c->u.get.columns) return arena_error(b->arena, err);
        break;
    case LOP_VALUES: {
        int rows = op->u.values.n_rows;
        c->u.values.rows = arena_alloc(b->arena, sizeof(Expr **) * (size_t)(rows ? rows : 1));
        if (!c->u.values.rows) return arena_error(b->arena, err);
        for (int r = 0; r < rows; r++)
            BS_TRY(copy_exprs(b, op->u.values.rows[r], op->u.values.n_cols, m, &c->u.values.rows[r],
                              err));
        break;
    }
    case LOP_FILTER:
        BS_TRY(binder_copy_expr(b, op->u.filter.predicate, m, &c->u.filter.predicate, err));
        break;
    case LOP_PROJECT:
        BS_TRY(copy_exprs(b, op->u.project.exprs, op->u.project.n_exprs, m, &c->u.project.exprs,
                          err));
        break;
    case LOP_AGGREGATE: {
        int n = op->u.aggregate.n_aggs;
        BS_TRY(copy_exprs(b, op->u.aggregate.groups, op->u.aggregate.n_groups, m,
                          &c->u.aggregate.groups, err));
        c->u.aggregate.aggs = arena_alloc(b->arena, sizeof(AggregateCall *) * (size_t)(n ? n : 1));
        if (!c->u.aggregate.aggs) return arena_error(b->arena, err);
        for (int k = 0; k < n; k++)
            BS_TRY(copy_agg_call(b, op->u.aggregate.aggs[k], m, &c->u.aggregate.aggs[k], err));
        break;
    }
    case LOP_ORDER:
        BS_TRY(copy_sort_keys(b, op->u.order.keys, op->u.order.n_keys, m, &c->u.order.keys, err));
        break;
    case LOP_JOIN:
        BS_TRY(binder_copy_expr(b, op->u.join.condition, m, &c->u.join.condition, err));
        break;
    case LOP_RANGE:
        BS_TRY(binder_copy_expr(b, op->u.range.start, m, &c->u.range.start, err));
        BS_TRY(binder_copy_expr(b, op->u.range.stop, m, &c->u.range.stop, err));
        BS_TRY(binder_copy_expr(b, op->u.range.step, m, &c->u.range.step, err));
        break;
    case LOP_EXPAND:
        BS_TRY(copy_exprs(b, op->u.expand.groups, op->u.expand.n_groups, m, &c->u.expand.groups,
                          err));
        break;
    case LOP_UNNEST:
        BS_TRY(copy_exprs(b, op->u.unnest.arrays, op->u.unnest.n_arrays, m, &c->u.unnest.arrays,
                          err));
        break;
    case LOP_WINDOW: {
        int n = op->u.window.n_funcs;
        c->u.window.funcs = arena_alloc(b->arena, sizeof(WindowCall *) * (size_t)(n ? n : 1));
        if (!c->u.window.funcs) return arena_error(b->arena, err);
        for (int k = 0; k < n; k++)
            BS_TRY(copy_window_call(b, op->u.window.funcs[k], m, &c->u.window.funcs[k], err));
        break;
    }
    default:
        break;
    }
    BS_TRY(logical_resolve(c, b->arena, err));
    *out = c;
    return BS_OK;
}
