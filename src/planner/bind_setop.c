/*
 * bind_setop.c — UNION [ALL], INTERSECT [ALL] and EXCEPT [ALL]: both queries bound, their
 * columns cast to common types, then a LOP_UNION (and its DISTINCT) or a SEMI / ANTI join on
 * every column with NULL matching NULL (ALL: copies numbered on both sides by row_number(),
 * so that they match one to one).
 */
#include "planner/planner_int.h"

/* *out = references to op's first n columns, in order. */
static Status column_refs(Binder *b, const LogicalOp *op, int n, Expr ***out, Error *err)
{
    Expr **e = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    if (!e) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        e[k] = expr_new_column(b->arena, op->bindings[k], op->types[k], -1);
        if (!e[k]) return arena_error(b->arena, err);
    }
    *out = e;
    return BS_OK;
}

/* Makes *op's column k of type `to` (a projection of casts over it, when needed). */
static Status cast_outputs(Binder *b, LogicalOp **op, const LogicalType *to, Error *err)
{
    bool same = true;
    for (int k = 0; k < (*op)->n_out && same; k++)
        same = type_equals((*op)->types[k], to[k]);
    if (same) return BS_OK;
    LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, *op);
    if (!proj) return arena_error(b->arena, err);
    int n = (*op)->n_out;
    proj->u.project.table_index = b->next_table_index++;
    proj->u.project.n_exprs = n;
    BS_TRY(column_refs(b, *op, n, &proj->u.project.exprs, err));
    for (int k = 0; k < n; k++)
        BS_TRY(binder_cast(b, &proj->u.project.exprs[k], to[k], false, err));
    BS_TRY(logical_resolve(proj, b->arena, err));
    *op = proj;
    return BS_OK;
}

/* DISTINCT over all of op's columns. */
static Status distinct_of(Binder *b, LogicalOp **op, Error *err)
{
    LogicalOp *d = logical_create(b->arena, LOP_AGGREGATE, *op);
    if (!d) return arena_error(b->arena, err);
    int n = (*op)->n_out;
    d->u.aggregate.group_index = b->next_table_index++;
    d->u.aggregate.agg_index = b->next_table_index++;
    d->u.aggregate.n_groups = n;
    d->u.aggregate.aggs = arena_alloc(b->arena, sizeof(AggregateCall *));
    if (!d->u.aggregate.aggs) return arena_error(b->arena, err);
    BS_TRY(column_refs(b, *op, n, &d->u.aggregate.groups, err));
    BS_TRY(logical_resolve(d, b->arena, err));
    *op = d;
    return BS_OK;
}

/*
 * Appends row_number() over (partition by every column) to *op: the k-th copy of a row
 * gets k, so that INTERSECT ALL and EXCEPT ALL can match copies one to one.
 */
static Status number_copies(Binder *b, LogicalOp **op, Error *err)
{
    Expr **parts;
    BS_TRY(column_refs(b, *op, (*op)->n_out, &parts, err));
    return binder_row_number(b, op, parts, (*op)->n_out, NULL, 0, err);
}

/*
 * UNION [ALL], INTERSECT, EXCEPT: both queries' columns unified to common types (named by
 * the left query). UNION ALL concatenates; UNION is its DISTINCT; INTERSECT and EXCEPT are
 * the left's distinct rows with (without) an equal row on the right, NULL matching NULL.
 */
Status binder_bind_setop(Binder *b, const AstSelect *q, LogicalOp **plan, char ***names, Error *err)
{
    static const char *what[] = {"", "UNION", "INTERSECT", "EXCEPT"};
    LogicalOp *left, *right;
    char **lnames, **rnames;
    /* Both operands see the enclosing query's columns (a correlated subquery's). */
    const Scope *parent = b->subquery_parent;
    BS_TRY(bind_query(b, q->left, &left, &lnames, err));
    b->subquery_parent = parent;
    Status st = bind_query(b, q->right, &right, &rnames, err);
    b->subquery_parent = NULL;
    BS_TRY(st);
    if (left->n_out != right->n_out)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, q->right->pos,
                         "each %s query must have the same number of columns", what[q->set_op]);
    int n = left->n_out;
    LogicalType *types = arena_alloc(b->arena, sizeof(LogicalType) * (size_t)(n ? n : 1));
    if (!types) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        Expr *l = expr_new_column(b->arena, left->bindings[k], left->types[k], -1);
        Expr *r = expr_new_column(b->arena, right->bindings[k], right->types[k], -1);
        if (!l || !r) return arena_error(b->arena, err);
        if (left->types[k].id == TYPE_NULL && right->types[k].id == TYPE_NULL) {
            types[k] = type_make(TYPE_INTEGER);
        } else if (!binder_common_type(l, r, &types[k])) {
            char lt[40], rt[40];
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH, q->right->pos,
                             "%s types %s and %s cannot be matched", what[q->set_op],
                             type_sql_name(left->types[k], lt, sizeof lt),
                             type_sql_name(right->types[k], rt, sizeof rt));
        }
    }
    BS_TRY(cast_outputs(b, &left, types, err));
    BS_TRY(cast_outputs(b, &right, types, err));
    LogicalOp *root;
    if (q->set_op == SETOP_UNION) {
        root = arena_alloc_zero(b->arena, sizeof *root);
        LogicalOp **children = arena_alloc(b->arena, sizeof(LogicalOp *) * 2);
        if (!root || !children) return arena_error(b->arena, err);
        children[0] = left;
        children[1] = right;
        root->kind = LOP_UNION;
        root->n_children = 2;
        root->children = children;
        root->est_rows = -1;
        root->u.set.table_index = b->next_table_index++;
        BS_TRY(logical_resolve(root, b->arena, err));
        if (!q->set_all) BS_TRY(distinct_of(b, &root, err));
    } else {
        /* INTERSECT / EXCEPT: a SEMI / ANTI join of the distinct left rows on every column
           (NULL matching NULL). ALL: copies numbered on both sides match one to one, so a
           row m times on the left and r times on the right stays min(m, r) times
           (INTERSECT ALL) or max(m - r, 0) times (EXCEPT ALL). */
        root = left;
        if (q->set_all) {
            BS_TRY(number_copies(b, &root, err));
            BS_TRY(number_copies(b, &right, err));
        } else {
            BS_TRY(distinct_of(b, &root, err));
        }
        Expr *cond = NULL;
        for (int k = 0; k < n + (q->set_all ? 1 : 0); k++) {
            Expr *args[2] = {expr_new_column(b->arena, root->bindings[k], root->types[k], -1),
                             expr_new_column(b->arena, right->bindings[k], right->types[k], -1)};
            if (!args[0] || !args[1]) return arena_error(b->arena, err);
            Expr *eq = expr_new_call(b->arena, FN_EQ, type_make(TYPE_BOOLEAN), args, 2, q->pos);
            if (!eq) return arena_error(b->arena, err);
            cond = cond ? binder_make_and(b, cond, eq) : eq;
            if (!cond) return arena_error(b->arena, err);
        }
        LogicalOp *j = logical_join(b->arena, q->set_op == SETOP_INTERSECT ? LJ_SEMI : LJ_ANTI,
                                    root, right, cond);
        if (!j) return arena_error(b->arena, err);
        j->u.join.null_equal = true;
        root = j;
        if (q->set_all) {
            /* The copy numbers go. */
            LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, root);
            if (!proj) return arena_error(b->arena, err);
            BS_TRY(column_refs(b, root, n, &proj->u.project.exprs, err));
            proj->u.project.table_index = b->next_table_index++;
            proj->u.project.n_exprs = n;
            BS_TRY(logical_resolve(proj, b->arena, err));
            root = proj;
        }
    }
    *plan = root;
    *names = lnames;
    return binder_bind_output_order(b, q, plan, names, err);
}
