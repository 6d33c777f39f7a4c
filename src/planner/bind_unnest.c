/*
 * bind_unnest.c — binds unnest, the set-returning function of arrays, as a LOP_UNNEST:
 *
 *   FROM unnest(a [, b …]) [WITH ORDINALITY] [AS u(x [, y …] [, n])]
 *       as the first FROM item (or inside a JOIN): over one row of no columns, its arrays
 *       constant or correlated; after earlier FROM items (`FROM t, unnest(t.a) u(x)`):
 *       over their rows, its arrays reading their columns — PostgreSQL lets a function in
 *       FROM refer to the items before it without LATERAL.
 *   SELECT unnest(a), … FROM …
 *       each call is bound as an FN_UNNEST marker (so that the rewrites of aggregates and
 *       windows reach its argument); just below the select list's projection the markers
 *       become the element columns of one LOP_UNNEST over the query, which zips several
 *       calls to the longest array as PostgreSQL 10+ does.
 */
#include "planner/planner_int.h"

#include <string.h>

/* Binds the arrays of unnest(args) in scope; 42804 for a non-array. */
static Status bind_arrays(Binder *b, const AstTableRef *ref, const Scope *scope, Expr ***out,
                          Error *err)
{
    int n = ref->u.func.args.count;
    if (n < 1)
        return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ref->pos,
                         "function unnest() does not exist");
    Expr **arrays = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!arrays) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        BS_TRY(bind_expr(b, ref->u.func.args.items[k], scope, CLAUSE_VALUES, &arrays[k], err));
        if (arrays[k]->type.id != TYPE_ARRAY) {
            char t[40];
            bool untyped = (arrays[k]->flags & EXPR_FLAG_UNTYPED) || arrays[k]->type.id == TYPE_NULL;
            error_set(err, untyped ? "42P18" : SQLSTATE_UNDEFINED_FUNCTION, arrays[k]->pos,
                      untyped ? "could not determine polymorphic type because input has type "
                                "unknown"
                              : "function unnest(%s) does not exist",
                      type_sql_name(arrays[k]->type, t, sizeof t));
            return BS_ERROR;
        }
    }
    *out = arrays;
    return BS_OK;
}

/* A LOP_UNNEST of ref's arrays over child; its new columns are added to scope. */
static Status make_unnest(Binder *b, const AstTableRef *ref, LogicalOp *child, Expr **arrays,
                          Scope *scope, LogicalOp **out, Error *err)
{
    int n = ref->u.func.args.count;
    LogicalOp *op = logical_create(b->arena, LOP_UNNEST, child);
    if (!op) return arena_error(b->arena, err);
    op->u.unnest.table_index = b->next_table_index++;
    op->u.unnest.n_arrays = n;
    op->u.unnest.arrays = arrays;
    op->u.unnest.ordinality = ref->u.func.ordinality;
    BS_TRY(logical_resolve(op, b->arena, err));
    int extra = n + (ref->u.func.ordinality ? 1 : 0);
    char **names = arena_alloc(b->arena, sizeof(char *) * (size_t)extra);
    if (!names) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++)
        names[k] = n == 1 && ref->alias && ref->col_aliases.count == 0 ? ref->alias : "unnest";
    if (ref->u.func.ordinality) names[n] = "ordinality";
    const char *qualifier = ref->alias ? ref->alias : "unnest";
    BS_TRY(binder_apply_col_aliases(b, &ref->col_aliases, extra, &names, qualifier, ref->pos, err));
    /* the new columns only: a view of the op's last outputs */
    LogicalOp tail = *op;
    tail.n_out = extra;
    tail.types = op->types + (op->n_out - extra);
    tail.bindings = op->bindings + (op->n_out - extra);
    BS_TRY(binder_scope_add_outputs(b, scope, qualifier, &tail, names, err));
    *out = op;
    return BS_OK;
}

Status binder_bind_unnest_from(Binder *b, const AstTableRef *ref, Scope *scope, LogicalOp **plan,
                               Error *err)
{
    /* Arguments see no FROM item, but may be correlated with enclosing queries. */
    Scope args_scope = {0};
    args_scope.parent = scope->parent;
    Expr **arrays;
    BS_TRY(bind_arrays(b, ref, &args_scope, &arrays, err));
    LogicalOp *one = logical_create(b->arena, LOP_VALUES, NULL);
    if (!one) return arena_error(b->arena, err);
    one->u.values.table_index = b->next_table_index++;
    one->u.values.n_rows = 1;
    one->u.values.rows = arena_alloc_zero(b->arena, sizeof(Expr **));
    if (!one->u.values.rows) return arena_error(b->arena, err);
    BS_TRY(logical_resolve(one, b->arena, err));
    return make_unnest(b, ref, one, arrays, scope, plan, err);
}

Status binder_bind_unnest_lateral(Binder *b, const AstTableRef *ref, const Scope *left,
                                  LogicalOp **root, Scope *added, Error *err)
{
    Expr **arrays;
    BS_TRY(bind_arrays(b, ref, left, &arrays, err));
    for (int k = 0; k < ref->u.func.args.count; k++)
        if (expr_has_subquery(arrays[k]))
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, arrays[k]->pos,
                             "subqueries in the arguments of unnest are not supported yet");
    return make_unnest(b, ref, *root, arrays, added, root, err);
}

Status binder_bind_unnest_call(Binder *b, const AstExpr *ast, const Scope *scope,
                               BindClause clause, Expr **out, Error *err)
{
    if (clause != CLAUSE_SELECT && clause != CLAUSE_ORDER_BY)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                         "set-returning functions are not allowed in %s",
                         clause == CLAUSE_AGGREGATE_ARG ? "aggregate function calls"
                         : clause == CLAUSE_HAVING      ? "HAVING"
                                                        : binder_clause_name(clause));
    if (ast->u.func.star || ast->u.func.distinct || ast->u.func.order.count > 0 ||
        ast->u.func.filter || ast->u.func.over)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos, "unnest is not an aggregate function");
    if (ast->u.func.args.count != 1)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                         "unnest of several arrays is supported in FROM only");
    Expr **args = arena_alloc(b->arena, sizeof(Expr *));
    if (!args) return arena_error(b->arena, err);
    BS_TRY(bind_expr(b, ast->u.func.args.items[0], scope, clause, &args[0], err));
    return binder_bind_scalar(b, FN_UNNEST, args, 1, ast->pos, out, err);
}

/* Collects the FN_UNNEST markers of e (each node once), turned into columns of `op`. */
typedef struct UnnestCollect {
    Binder *b;
    Expr **arrays;
    int n, cap;
    uint32_t table_index;
    Status st;
    Error *err;
} UnnestCollect;

static void collect_marker(Expr *e, UnnestCollect *c)
{
    if (c->st != BS_OK || !e) return;
    switch (e->kind) {
    case EXPR_CALL:
        for (int k = 0; k < e->u.call.n_args; k++)
            collect_marker(e->u.call.args[k], c);
        if (e->u.call.func != FN_UNNEST) return;
        if (c->n == c->cap) {
            int cap = c->cap ? c->cap * 2 : 4;
            Expr **grown = arena_alloc(c->b->arena, sizeof(Expr *) * (size_t)cap);
            if (!grown) {
                c->st = arena_error(c->b->arena, c->err);
                return;
            }
            if (c->n) memcpy(grown, c->arrays, sizeof(Expr *) * (size_t)c->n);
            c->arrays = grown;
            c->cap = cap;
        }
        {
            Expr *array = e->u.call.args[0];
            c->arrays[c->n] = array;
            LogicalType t = e->type;
            int pos = e->pos;
            memset(e, 0, sizeof *e); /* the call becomes the element column, in place */
            e->kind = EXPR_COLUMN;
            e->type = t;
            e->pos = pos;
            e->u.column.binding = (ColumnBinding){c->table_index, (uint32_t)c->n};
            c->n++;
        }
        return;
    case EXPR_CAST:
        collect_marker(e->u.cast.arg, c);
        return;
    case EXPR_AND:
    case EXPR_OR:
        for (int k = 0; k < e->u.conj.n_args; k++)
            collect_marker(e->u.conj.args[k], c);
        return;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        collect_marker(e->u.unary.arg, c);
        return;
    case EXPR_CASE:
        for (int k = 0; k < e->u.case_.n_whens; k++) {
            collect_marker(e->u.case_.whens[k], c);
            collect_marker(e->u.case_.thens[k], c);
        }
        collect_marker(e->u.case_.else_expr, c);
        return;
    default:
        return;
    }
}

Status binder_plan_select_unnest(Binder *b, LogicalOp **root, Expr ***slots, int n_slots,
                                 Error *err)
{
    UnnestCollect c = {b, NULL, 0, 0, b->next_table_index, BS_OK, err};
    for (int k = 0; k < n_slots && c.st == BS_OK; k++)
        collect_marker(*slots[k], &c);
    BS_TRY(c.st);
    if (c.n == 0) return BS_OK;
    b->next_table_index++;
    LogicalOp *op = logical_create(b->arena, LOP_UNNEST, *root);
    if (!op) return arena_error(b->arena, err);
    op->u.unnest.table_index = c.table_index;
    op->u.unnest.n_arrays = c.n;
    op->u.unnest.arrays = c.arrays;
    BS_TRY(logical_resolve(op, b->arena, err));
    *root = op;
    return BS_OK;
}
