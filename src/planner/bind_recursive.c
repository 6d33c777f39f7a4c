/*
 * bind_recursive.c — WITH RECURSIVE: a WITH query that reads its own name.
 *
 * Its query must be `anchor UNION [ALL] term`. The anchor is bound first and fixes the
 * column types; then the term, where the query's name stands for the working table (the
 * rows the previous evaluation produced): a LOP_CTE_SCAN typed as the anchor. The result
 * is a LOP_RECURSIVE_CTE over both, which the executor evaluates per iteration
 * (exec/op_recursive_cte.c). A WITH RECURSIVE query that does not read itself binds as a
 * plain WITH query. Each reference from the rest of the statement binds it anew (WITH
 * queries are inlined), as a recursive query of its own.
 *
 * The rules are PostgreSQL's (42P19): the reference appears once, only in the term, not
 * in a subquery of it, not on the nullable side of an outer join, not under an aggregate.
 */
#include "planner/planner_int.h"

#include <string.h>

static Status not_here(const RecursiveCte *rc, int pos, const char *where, Error *err)
{
    return error_set(err, SQLSTATE_INVALID_RECURSION, pos,
                     "recursive reference to query \"%s\" must not appear within %s",
                     rc->cte->name, where);
}

Status bind_recursive_ref(Binder *b, const AstTableRef *ref, RecursiveCte *rc, LogicalOp **plan,
                          char ***names, Error *err)
{
    const AstSelect *q = rc->cte->query;
    switch (rc->part) {
    case REC_NOT_UNION:
        if (q->set_op == SETOP_UNION && q->order_by.count > 0)
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ref->pos,
                             "ORDER BY in a recursive query is not implemented");
        if (q->set_op == SETOP_UNION && (q->limit || q->offset))
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ref->pos,
                             "OFFSET/LIMIT in a recursive query is not implemented");
        if (q->set_op == SETOP_UNION && q->ctes.count > 0)
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ref->pos,
                             "WITH inside a recursive query's UNION is not implemented");
        if (q->set_op == SETOP_INTERSECT || q->set_op == SETOP_EXCEPT)
            return error_set(err, SQLSTATE_INVALID_RECURSION, ref->pos,
                             "recursive query \"%s\" does not have the form non-recursive-term "
                             "UNION [ALL] recursive-term (it is %s)",
                             rc->cte->name, q->set_op == SETOP_INTERSECT ? "INTERSECT" : "EXCEPT");
        return error_set(err, SQLSTATE_INVALID_RECURSION, ref->pos,
                         "recursive query \"%s\" does not have the form non-recursive-term "
                         "UNION [ALL] recursive-term",
                         rc->cte->name);
    case REC_ANCHOR:
        return not_here(rc, ref->pos, "its non-recursive term", err);
    case REC_TERM:
        break;
    }
    if (b->depth != rc->depth) return not_here(rc, ref->pos, "a subquery", err);
    if (rc->n_refs > 0)
        return error_set(err, SQLSTATE_INVALID_RECURSION, ref->pos,
                         "recursive reference to query \"%s\" must not appear more than once",
                         rc->cte->name);
    rc->n_refs++;
    LogicalOp *scan = logical_create(b->arena, LOP_CTE_SCAN, NULL);
    if (!scan) return arena_error(b->arena, err);
    scan->u.cte_scan.table_index = b->next_table_index++;
    scan->u.cte_scan.id = rc->id;
    scan->u.cte_scan.n_cols = rc->n_cols;
    scan->u.cte_scan.types = rc->types;
    scan->u.cte_scan.name = rc->cte->name;
    scan->est_rows = -1;
    BS_TRY(logical_resolve(scan, b->arena, err));
    *plan = scan;
    *names = rc->names;
    return BS_OK;
}

/* Whether the tree under op holds the working table scan `id`. */
static bool reads_working_table(const LogicalOp *op, uint32_t id)
{
    if (op->kind == LOP_CTE_SCAN) return op->u.cte_scan.id == id;
    for (int k = 0; k < op->n_children; k++)
        if (reads_working_table(op->children[k], id)) return true;
    return false;
}

/* The term's operators between its root and the working table scan, as PostgreSQL
   checks them: not under an aggregate, not on an outer join's nullable side. */
static Status check_term(const LogicalOp *op, const RecursiveCte *rc, int pos, Error *err)
{
    if (op->kind == LOP_CTE_SCAN) return BS_OK;
    for (int k = 0; k < op->n_children; k++) {
        const LogicalOp *c = op->children[k];
        if (!reads_working_table(c, rc->id)) continue;
        if (op->kind == LOP_AGGREGATE && op->u.aggregate.n_aggs > 0)
            return error_set(err, SQLSTATE_INVALID_RECURSION, pos,
                             "aggregate functions are not allowed in a recursive query's "
                             "recursive term");
        if (op->kind == LOP_JOIN) {
            LogicalJoinType t = op->u.join.type;
            if (t == LJ_FULL || (t == LJ_LEFT && k == 1) || (t == LJ_RIGHT && k == 0))
                return not_here(rc, pos, "an outer join", err);
        }
        BS_TRY(check_term(c, rc, pos, err));
    }
    return BS_OK;
}

/* The term's columns cast to the anchor's types where that is an implicit cast. */
static Status cast_term(Binder *b, LogicalOp **term, const RecursiveCte *rc, int pos,
                        Error *err)
{
    bool same = true;
    for (int k = 0; k < rc->n_cols && same; k++)
        same = type_equals((*term)->types[k], rc->types[k]);
    if (same) return BS_OK;
    LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, *term);
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)rc->n_cols);
    if (!proj || !exprs) return arena_error(b->arena, err);
    for (int k = 0; k < rc->n_cols; k++) {
        exprs[k] = expr_new_column(b->arena, (*term)->bindings[k], (*term)->types[k], -1);
        if (!exprs[k]) return arena_error(b->arena, err);
        if (type_equals(exprs[k]->type, rc->types[k])) continue;
        if (binder_cast(b, &exprs[k], rc->types[k], false, err) != BS_OK) {
            if (strcmp(err->sqlstate, SQLSTATE_OUT_OF_MEMORY) == 0) return BS_ERROR;
            error_clear(err);
            char at[40], rt[40];
            error_set(err, SQLSTATE_DATATYPE_MISMATCH, pos,
                      "recursive query \"%s\" column %d has type %s in non-recursive term but "
                      "type %s in its recursive term",
                      rc->cte->name, k + 1, type_sql_name(rc->types[k], at, sizeof at),
                      type_sql_name((*term)->types[k], rt, sizeof rt));
            error_set_hint(err, "Cast the output of the non-recursive term to the correct type.");
            return BS_ERROR;
        }
    }
    proj->u.project.table_index = b->next_table_index++;
    proj->u.project.n_exprs = rc->n_cols;
    proj->u.project.exprs = exprs;
    BS_TRY(logical_resolve(proj, b->arena, err));
    *term = proj;
    return BS_OK;
}

/* The anchor's untyped NULL columns become INTEGER, as a UNION of NULLs does. */
static Status type_anchor(Binder *b, LogicalOp **anchor, Error *err)
{
    bool has_null = false;
    for (int k = 0; k < (*anchor)->n_out; k++)
        has_null |= (*anchor)->types[k].id == TYPE_NULL;
    if (!has_null) return BS_OK;
    int n = (*anchor)->n_out;
    LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, *anchor);
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!proj || !exprs) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        exprs[k] = expr_new_column(b->arena, (*anchor)->bindings[k], (*anchor)->types[k], -1);
        if (!exprs[k]) return arena_error(b->arena, err);
        if ((*anchor)->types[k].id == TYPE_NULL)
            BS_TRY(binder_cast(b, &exprs[k], type_make(TYPE_INTEGER), false, err));
    }
    proj->u.project.table_index = b->next_table_index++;
    proj->u.project.n_exprs = n;
    proj->u.project.exprs = exprs;
    BS_TRY(logical_resolve(proj, b->arena, err));
    *anchor = proj;
    return BS_OK;
}

Status bind_recursive_cte(Binder *b, const AstCte *cte, const CteFrame *frame, int index,
                          LogicalOp **plan, char ***names, Error *err)
{
    const AstSelect *q = cte->query;
    CteFrame inner = {frame->ctes, index + 1, frame->parent, true};
    CteFrame *saved = b->ctes;
    b->ctes = &inner;
    RecursiveCte rc = {.cte = cte, .parent = b->recursive, .id = b->next_table_index++};
    b->recursive = &rc;
    Status st;
    bool form = q->set_op == SETOP_UNION && q->order_by.count == 0 && !q->limit && !q->offset &&
                q->ctes.count == 0;
    if (!form) {
        rc.part = REC_NOT_UNION;
        st = bind_query(b, q, plan, names, err);
        goto done;
    }
    LogicalOp *anchor, *term;
    char **anames, **tnames;
    rc.part = REC_ANCHOR;
    st = bind_query(b, q->left, &anchor, &anames, err);
    if (st == BS_OK) st = type_anchor(b, &anchor, err);
    if (st != BS_OK) goto done;
    rc.n_cols = anchor->n_out;
    rc.types = anchor->types;
    rc.names = anames;
    st = binder_apply_col_aliases(b, &cte->col_aliases, anchor->n_out, &rc.names, cte->name,
                                  cte->pos, err);
    if (st != BS_OK) goto done;
    rc.part = REC_TERM;
    rc.depth = b->depth + 1; /* bind_query's own level */
    st = bind_query(b, q->right, &term, &tnames, err);
    if (st != BS_OK) goto done;
    if (rc.n_refs == 0) {
        /* Not recursive after all: an ordinary WITH query. */
        b->recursive = rc.parent;
        st = bind_query(b, q, plan, names, err);
        goto done;
    }
    if (term->n_out != anchor->n_out) {
        st = error_set(err, SQLSTATE_SYNTAX_ERROR, q->right->pos,
                       "each UNION query must have the same number of columns");
        goto done;
    }
    st = check_term(term, &rc, q->right->pos, err);
    if (st == BS_OK) st = cast_term(b, &term, &rc, q->right->pos, err);
    if (st != BS_OK) goto done;
    LogicalOp *rec = logical_create(b->arena, LOP_RECURSIVE_CTE, anchor);
    LogicalOp **children = arena_alloc(b->arena, sizeof(LogicalOp *) * 2);
    if (!rec || !children) {
        st = arena_error(b->arena, err);
        goto done;
    }
    children[0] = anchor;
    children[1] = term;
    rec->children = children;
    rec->n_children = 2;
    rec->est_rows = -1;
    rec->u.recursive.table_index = b->next_table_index++;
    rec->u.recursive.id = rc.id;
    rec->u.recursive.union_all = q->set_all;
    rec->u.recursive.name = cte->name;
    st = logical_resolve(rec, b->arena, err);
    *plan = rec;
    *names = anames;
done:
    b->recursive = rc.parent;
    b->ctes = saved;
    return st;
}
