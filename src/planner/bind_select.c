/*
 * bind_select.c — binds a query (SELECT, VALUES, WITH) into a logical plan.
 *
 * The plan of a SELECT is built in SQL's logical order:
 *
 *   FROM → Filter(WHERE) → Aggregate(GROUP BY, aggregates) → Filter(HAVING)
 *        → Project(select list + hidden ORDER BY keys) → Aggregate(DISTINCT)
 *        → Order → Limit → Project(drop hidden keys)
 *
 * Expressions above the aggregation are rewritten so that each GROUP BY expression and
 * each aggregate call becomes a column of the Aggregate; a column left over is a
 * grouping error (42803), as in PostgreSQL.
 */
#include "planner/planner_int.h"

#include <stdio.h>
#include <string.h>

Status scope_add(Binder *b, Scope *scope, const char *qualifier, const char *name,
                 ColumnBinding binding, LogicalType type, Error *err)
{
    if (scope->n_cols == scope->capacity) {
        int cap = scope->capacity ? scope->capacity * 2 : 16;
        ScopeColumn *cols =
            arena_grow(b->arena, scope->cols, sizeof(ScopeColumn) * (size_t)scope->capacity,
                       sizeof(ScopeColumn) * (size_t)cap);
        if (!cols) return arena_error(b->arena, err);
        scope->cols = cols;
        scope->capacity = cap;
    }
    ScopeColumn *col = &scope->cols[scope->n_cols++];
    col->qualified_only = false;
    col->lateral_invalid = false;
    col->qualifier = qualifier ? arena_strdup(b->arena, qualifier) : NULL;
    col->name = arena_strdup(b->arena, name);
    col->binding = binding;
    col->type = type;
    if ((qualifier && !col->qualifier) || !col->name) return arena_error(b->arena, err);
    return BS_OK;
}

/* Adds the outputs of op under `qualifier` with the given names. */
Status binder_scope_add_outputs(Binder *b, Scope *scope, const char *qualifier, LogicalOp *op,
                                char **names, Error *err)
{
    for (int k = 0; k < op->n_out; k++)
        BS_TRY(scope_add(b, scope, qualifier, names[k], op->bindings[k], op->types[k], err));
    return BS_OK;
}

/* Applies AS t(a, b, …) column aliases to names[] (in place, a fresh array). */
Status binder_apply_col_aliases(Binder *b, const AstList *aliases, int n_cols, char ***names,
                                const char *what, int pos, Error *err)
{
    if (aliases->count == 0) return BS_OK;
    if (aliases->count > n_cols)
        return error_set(err, SQLSTATE_INVALID_COLUMN_REF, pos,
                         "%s has %d columns available but %d columns specified", what, n_cols,
                         aliases->count);
    char **renamed = arena_alloc(b->arena, sizeof(char *) * (size_t)(n_cols ? n_cols : 1));
    if (!renamed) return arena_error(b->arena, err);
    for (int k = 0; k < n_cols; k++)
        renamed[k] = k < aliases->count ? aliases->items[k] : (*names)[k];
    *names = renamed;
    return BS_OK;
}

/* Finds WITH query `name` visible here; NULL if none. */
static const AstCte *find_cte(Binder *b, const char *name, CteFrame **frame_out)
{
    for (CteFrame *frame = b->ctes; frame; frame = frame->parent) {
        for (int k = frame->n_visible - 1; k >= 0; k--) {
            const AstCte *cte = frame->ctes->items[k];
            if (strcmp(cte->name, name) == 0) {
                *frame_out = frame;
                return cte;
            }
        }
    }
    return NULL;
}

/* Binds a query in its own nesting level (depth-checked). */
static Status bind_subquery(Binder *b, const AstSelect *query, LogicalOp **plan, char ***names,
                            Error *err)
{
    return bind_query(b, query, plan, names, err);
}

static Status bind_table_ref(Binder *b, const AstTableRef *ref, Scope *scope, LogicalOp **plan,
                             Error *err);

static Status scope_append(Binder *b, Scope *to, const Scope *from, Error *err)
{
    for (int k = 0; k < from->n_cols; k++) {
        const ScopeColumn *c = &from->cols[k];
        BS_TRY(scope_add(b, to, c->qualifier, c->name, c->binding, c->type, err));
        to->cols[to->n_cols - 1].qualified_only = c->qualified_only;
        to->cols[to->n_cols - 1].lateral_invalid = c->lateral_invalid;
    }
    return BS_OK;
}

/*
 * Binds the right side of a join so that a LATERAL item in it sees the FROM items before
 * the join (b->lateral_scope) and the join's left side ls — whose columns a reference
 * across a RIGHT or FULL join may not read (42P10, as in PostgreSQL). A series reading
 * the left side may instead become an Unnest over *left (*right NULL).
 */
static Status bind_join_right(Binder *b, const AstTableRef *join, const Scope *ls, Scope *rs,
                              LogicalOp **left, LogicalOp **right, Error *err)
{
    const AstTableRef *ref = join->u.join.right;
    bool forbid = join->u.join.type == JOIN_RIGHT || join->u.join.type == JOIN_FULL;
    Scope seen = {0};
    if (b->lateral_scope) BS_TRY(scope_append(b, &seen, b->lateral_scope, err));
    int first = seen.n_cols;
    BS_TRY(scope_append(b, &seen, ls, err));
    for (int k = first; k < seen.n_cols && forbid; k++)
        seen.cols[k].lateral_invalid = true;
    seen.parent = b->outer_scope;
    if (binder_is_series_join(join))
        return binder_bind_series_join(b, join, &seen, left, rs, right, err);
    const Scope *saved = b->lateral_scope;
    b->lateral_scope = &seen;
    Status st = bind_table_ref(b, ref, rs, right, err);
    b->lateral_scope = saved;
    return st;
}

/* A table name or alias used twice in one FROM level is an error (42712). */
static Status check_qualifiers(const Scope *left, const Scope *right, int pos, Error *err)
{
    for (int i = 0; i < right->n_cols; i++) {
        const char *q = right->cols[i].qualifier;
        if (!q) continue;
        for (int k = 0; k < left->n_cols; k++)
            if (left->cols[k].qualifier && strcmp(left->cols[k].qualifier, q) == 0)
                return error_set(err, SQLSTATE_DUPLICATE_ALIAS, pos,
                                 "table name \"%s\" specified more than once", q);
    }
    return BS_OK;
}

/* The column of `scope` visible as `name` without a qualifier; NULL if none; 42702 if two. */
static Status find_using_column(const Scope *scope, const char *name, const char *side, int pos,
                                const ScopeColumn **out, Error *err)
{
    *out = NULL;
    for (int k = 0; k < scope->n_cols; k++) {
        const ScopeColumn *c = &scope->cols[k];
        if (c->qualified_only || strcmp(c->name, name) != 0) continue;
        if (*out)
            return error_set(err, SQLSTATE_AMBIGUOUS_COLUMN, pos,
                             "common column name \"%s\" appears more than once in %s table", name,
                             side);
        *out = c;
    }
    return BS_OK;
}

/* Marks the columns of scope bound to `binding` as reachable only through their qualifier. */
static void hide_unqualified(Scope *scope, ColumnBinding binding)
{
    for (int k = 0; k < scope->n_cols; k++)
        if (scope->cols[k].binding.table == binding.table &&
            scope->cols[k].binding.column == binding.column)
            scope->cols[k].qualified_only = true;
}

/*
 * Binds `left JOIN right` (ON, USING, NATURAL, CROSS). Both sides are bound in scopes of
 * their own; the join's scope holds the USING columns merged (once, no qualifier: the left
 * one, the right one for RIGHT, COALESCE of both for FULL), then the left side's columns,
 * then the right side's, as PostgreSQL lists them for *.
 */
static Status bind_join(Binder *b, const AstTableRef *ref, Scope *scope, LogicalOp **plan,
                        Error *err)
{
    Scope ls = {0}, rs = {0};
    LogicalOp *left, *right;
    BS_TRY(bind_table_ref(b, ref->u.join.left, &ls, &left, err));
    BS_TRY(bind_join_right(b, ref, &ls, &rs, &left, &right, err));
    bool expanded = !right; /* the right side: an Unnest over left */
    BS_TRY(check_qualifiers(&ls, &rs, ref->u.join.right->pos, err));
    static const LogicalJoinType types[] = {LJ_INNER, LJ_LEFT, LJ_RIGHT, LJ_FULL, LJ_INNER};
    LogicalJoinType type = types[ref->u.join.type];
    /* USING columns: named, or for NATURAL every name both sides have. */
    int n_using = 0;
    const char **using = NULL;
    if (ref->u.join.natural) {
        using = arena_alloc(b->arena, sizeof(char *) * (size_t)(ls.n_cols ? ls.n_cols : 1));
        if (!using) return arena_error(b->arena, err);
        for (int k = 0; k < ls.n_cols; k++) {
            const ScopeColumn *c = &ls.cols[k], *other;
            if (c->qualified_only) continue;
            bool seen = false;
            for (int j = 0; j < n_using && !seen; j++)
                seen = strcmp(using[j], c -> name) == 0;
            if (seen) continue;
            BS_TRY(find_using_column(&rs, c->name, "right", ref->pos, &other, err));
            if (other) using[n_using++] = c->name;
        }
    } else if (ref->u.join.using.count > 0) {
        n_using = ref->u.join.using.count;
        using = (const char **)ref->u.join.using.items;
        for (int k = 0; k < n_using; k++)
            for (int j = 0; j < k; j++)
                if (strcmp(using[j], using[k]) == 0)
                    return error_set(err, SQLSTATE_DUPLICATE_COLUMN, ref->pos,
                                     "column name \"%s\" appears more than once in USING clause",
                                     using[k]);
    }
    Expr *condition = NULL;
    Expr **merged = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_using ? n_using : 1));
    if (!merged) return arena_error(b->arena, err);
    for (int k = 0; k < n_using; k++) {
        const ScopeColumn *lc, *rc;
        BS_TRY(find_using_column(&ls, using[k], "left", ref->pos, &lc, err));
        BS_TRY(find_using_column(&rs, using[k], "right", ref->pos, &rc, err));
        if (!lc || !rc)
            return error_set(err, SQLSTATE_UNDEFINED_COLUMN, ref->pos,
                             "column \"%s\" specified in USING clause does not exist in %s table",
                             using[k], lc ? "right" : "left");
        Expr *args[2] = {expr_new_column(b->arena, lc->binding, lc->type, ref->pos),
                         expr_new_column(b->arena, rc->binding, rc->type, ref->pos)};
        if (!args[0] || !args[1]) return arena_error(b->arena, err);
        Expr *eq;
        BS_TRY(binder_bind_scalar(b, FN_EQ, args, 2, ref->pos, &eq, err));
        condition = condition ? binder_make_and(b, condition, eq) : eq;
        if (!condition) return arena_error(b->arena, err);
        /* The merged column: the kept side's value (FULL: the first that is not NULL). */
        if (type == LJ_FULL) {
            LogicalType t;
            if (!binder_common_type(args[0], args[1], &t))
                return error_set(err, SQLSTATE_DATATYPE_MISMATCH, ref->pos,
                                 "JOIN/USING types cannot be matched for \"%s\"", using[k]);
            Expr *l = expr_new_column(b->arena, lc->binding, lc->type, ref->pos);
            Expr *r = expr_new_column(b->arena, rc->binding, rc->type, ref->pos);
            if (!l || !r) return arena_error(b->arena, err);
            BS_TRY(binder_cast(b, &l, t, false, err));
            BS_TRY(binder_cast(b, &r, t, false, err));
            Expr *both[2] = {l, r};
            merged[k] = expr_new_call(b->arena, FN_COALESCE, t, both, 2, ref->pos);
        } else {
            const ScopeColumn *kept = type == LJ_RIGHT ? rc : lc;
            merged[k] = expr_new_column(b->arena, kept->binding, kept->type, ref->pos);
        }
        if (!merged[k]) return arena_error(b->arena, err);
        hide_unqualified(&ls, lc->binding);
        hide_unqualified(&rs, rc->binding);
    }
    if (ref->u.join.on) {
        Scope both = {0};
        BS_TRY(scope_append(b, &both, &ls, err));
        BS_TRY(scope_append(b, &both, &rs, err));
        both.parent = b->outer_scope;
        BS_TRY(bind_expr(b, ref->u.join.on, &both, CLAUSE_JOIN_ON, &condition, err));
        BS_TRY(binder_require_boolean(b, &condition, "JOIN/ON", err));
    }
    Expr *above = NULL;          /* an inner join's ON condition with subqueries: a filter above */
    LogicalOp *dependent = NULL; /* an outer join's, reading the kept side and the other */
    if (expanded) {
        above = type == LJ_INNER ? condition : NULL; /* LEFT: ON true */
        condition = NULL;
    } else if (condition && expr_has_subquery(condition)) {
        if (type == LJ_INNER) {
            above = condition;
            condition = NULL;
        } else {
            BS_TRY(binder_outer_join_subqueries(b, type, &left, &right, &condition,
                                                ref->u.join.on->pos, &dependent, err));
        }
    }
    LogicalOp *join;
    if (expanded) {
        join = left; /* the Unnest over it */
    } else if (dependent) {
        join = dependent;
    } else if (type == LJ_INNER || type == LJ_LEFT) {
        /* A LATERAL right side may read the left's columns: a dependent join. */
        join = left;
        DependentJoin dj = {type, condition, 0, false, 0, NULL, NULL, ref->pos};
        BS_TRY(binder_dependent_join(b, &join, right, &dj, err));
    } else {
        join = logical_join(b->arena, type, left, right, condition);
        if (!join) return arena_error(b->arena, err);
    }
    *plan = join;
    if (above) {
        BS_TRY(bind_plan_subqueries(b, plan, &above, true, err));
        if (above) {
            LogicalOp *filter = logical_create(b->arena, LOP_FILTER, *plan);
            if (!filter) return arena_error(b->arena, err);
            filter->u.filter.predicate = above;
            BS_TRY(logical_resolve(filter, b->arena, err));
            *plan = filter;
        }
    }
    if (type == LJ_FULL && n_using > 0) {
        /* Every joined column, then the merged ones. */
        LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, join);
        if (!proj) return arena_error(b->arena, err);
        int n = join->n_out + n_using;
        proj->u.project.table_index = b->next_table_index++;
        proj->u.project.n_exprs = n;
        proj->u.project.exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        if (!proj->u.project.exprs) return arena_error(b->arena, err);
        for (int k = 0; k < join->n_out; k++) {
            proj->u.project.exprs[k] =
                expr_new_column(b->arena, join->bindings[k], join->types[k], -1);
            if (!proj->u.project.exprs[k]) return arena_error(b->arena, err);
        }
        for (int k = 0; k < n_using; k++)
            proj->u.project.exprs[join->n_out + k] = merged[k];
        BS_TRY(logical_resolve(proj, b->arena, err));
        for (int k = 0; k < n_using; k++)
            merged[k] = expr_new_column(b->arena, proj->bindings[join->n_out + k],
                                        proj->types[join->n_out + k], -1);
        /* The sides' columns are now the projection's. */
        Scope *sides[2] = {&ls, &rs};
        for (int s = 0; s < 2; s++)
            for (int c = 0; c < sides[s]->n_cols; c++)
                for (int k = 0; k < join->n_out; k++)
                    if (sides[s]->cols[c].binding.table == join->bindings[k].table &&
                        sides[s]->cols[c].binding.column == join->bindings[k].column) {
                        sides[s]->cols[c].binding = proj->bindings[k];
                        break;
                    }
        *plan = proj;
    }
    for (int k = 0; k < n_using; k++)
        BS_TRY(scope_add(b, scope, NULL, using[k], merged[k] -> u.column.binding, merged[k]->type,
                         err));
    BS_TRY(scope_append(b, scope, &ls, err));
    return scope_append(b, scope, &rs, err);
}

static Status bind_table_ref(Binder *b, const AstTableRef *ref, Scope *scope, LogicalOp **plan,
                             Error *err)
{
    switch (ref->kind) {
    case TREF_TABLE: {
        const char *qualifier = ref->alias ? ref->alias : ref->u.table.name;
        CteFrame *frame;
        /* WITH queries hide relations of the same bare name. */
        const AstCte *cte = ref->u.table.schema ? NULL : find_cte(b, ref->u.table.name, &frame);
        if (cte) {
            /* Inline the WITH query; it sees only the WITH queries before it (and itself
               in WITH RECURSIVE). */
            int index = 0;
            while (frame->ctes->items[index] != cte)
                index++;
            char **names;
            RecursiveCte *rc = b->recursive;
            while (rc && rc->cte != cte)
                rc = rc->parent;
            if (rc) {
                BS_TRY(bind_recursive_ref(b, ref, rc, plan, &names, err));
                BS_TRY(binder_apply_col_aliases(b, &ref->col_aliases, (*plan)->n_out, &names,
                                                qualifier, ref->pos, err));
                return binder_scope_add_outputs(b, scope, qualifier, *plan, names, err);
            }
            Status st;
            if (frame->recursive) {
                st = bind_recursive_cte(b, cte, frame, index, plan, &names, err);
            } else {
                CteFrame inner = {frame->ctes, index, frame->parent, false};
                CteFrame *saved = b->ctes;
                b->ctes = &inner;
                st = bind_subquery(b, cte->query, plan, &names, err);
                b->ctes = saved;
            }
            BS_TRY(st);
            BS_TRY(binder_apply_col_aliases(b, &cte->col_aliases, (*plan)->n_out, &names, cte->name,
                                            cte->pos, err));
            BS_TRY(binder_apply_col_aliases(b, &ref->col_aliases, (*plan)->n_out, &names, qualifier,
                                            ref->pos, err));
            return binder_scope_add_outputs(b, scope, qualifier, *plan, names, err);
        }
        return binder_bind_relation(b, ref, qualifier, scope, plan, err);
    }
    case TREF_SUBQUERY:
    case TREF_VALUES: {
        char **names;
        /* A derived table sees the enclosing queries' columns, not its sibling FROM items
           — unless LATERAL: then those to its left too. */
        const Scope *saved = b->subquery_parent;
        b->subquery_parent = ref->lateral && b->lateral_scope ? b->lateral_scope : b->outer_scope;
        Status st = bind_subquery(b, ref->u.subquery.query, plan, &names, err);
        b->subquery_parent = saved;
        BS_TRY(st);
        BS_TRY(binder_apply_col_aliases(b, &ref->col_aliases, (*plan)->n_out, &names,
                                        ref->alias ? ref->alias : "subquery", ref->pos, err));
        return binder_scope_add_outputs(b, scope, ref->alias, *plan, names, err);
    }
    case TREF_JOIN:
        return bind_join(b, ref, scope, plan, err);
    case TREF_FUNCTION:
        return binder_bind_table_function(b, ref, scope, plan, err);
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, ref->pos, "unknown FROM item");
}

/* ---- aggregation rewrite ----------------------------------------------------------- */

typedef struct AggContext {
    Binder *b;
    LogicalOp *agg; /* the LOP_AGGREGATE being filled */
    int aggs_capacity;
    const Scope *scope;     /* the FROM scope, to name a column in errors */
    const GroupingSets *gs; /* the query's grouping sets (active: more than one) */
} AggContext;

static const char *binding_name(const Scope *scope, ColumnBinding binding, char *buf, size_t size)
{
    for (int k = 0; k < scope->n_cols; k++) {
        const ScopeColumn *col = &scope->cols[k];
        if (col->binding.table == binding.table && col->binding.column == binding.column) {
            if (col->qualifier)
                snprintf(buf, size, "%s.%s", col->qualifier, col->name);
            else
                snprintf(buf, size, "%s", col->name);
            return buf;
        }
    }
    return "?";
}

/* Replaces group expressions and aggregate calls inside *e by aggregate output columns. */
static Status rewrite_for_aggregate(AggContext *ctx, Expr **e, Error *err)
{
    Binder *b = ctx->b;
    LogicalOp *agg = ctx->agg;
    Expr *x = *e;
    for (int k = 0; k < agg->u.aggregate.n_groups; k++) {
        if (expr_equal(x, agg->u.aggregate.groups[k])) {
            ColumnBinding binding = {agg->u.aggregate.group_index, (uint32_t)k};
            *e = expr_new_column(b->arena, binding, x->type, x->pos);
            return *e ? BS_OK : arena_error(b->arena, err);
        }
    }
    switch (x->kind) {
    case EXPR_AGGREGATE: {
        int found = -1;
        for (int k = 0; k < agg->u.aggregate.n_aggs && found < 0; k++) {
            AggregateCall *have = agg->u.aggregate.aggs[k];
            AggregateCall *want = x->u.aggregate.call;
            if (agg_call_equal(have, want)) found = k;
        }
        if (found < 0) {
            if (agg->u.aggregate.n_aggs == ctx->aggs_capacity) {
                int cap = ctx->aggs_capacity ? ctx->aggs_capacity * 2 : 8;
                AggregateCall **grown =
                    arena_grow(b->arena, agg->u.aggregate.aggs,
                               sizeof(AggregateCall *) * (size_t)ctx->aggs_capacity,
                               sizeof(AggregateCall *) * (size_t)cap);
                if (!grown) return arena_error(b->arena, err);
                agg->u.aggregate.aggs = grown;
                ctx->aggs_capacity = cap;
            }
            found = agg->u.aggregate.n_aggs++;
            agg->u.aggregate.aggs[found] = x->u.aggregate.call;
        }
        ColumnBinding binding = {agg->u.aggregate.agg_index, (uint32_t)found};
        *e = expr_new_column(b->arena, binding, x->type, x->pos);
        return *e ? BS_OK : arena_error(b->arena, err);
    }
    case EXPR_SUBQUERY:
        /* Planned after the aggregation, over its output; x of x IN (…) reads it too, and
           a correlated subquery reads the group keys. */
        BS_TRY(binder_rebind_grouped_subquery(b, x->u.subquery.sub, agg, ctx->scope, err));
        if (x->u.subquery.sub->left)
            return rewrite_for_aggregate(ctx, &x->u.subquery.sub->left, err);
        return BS_OK;
    case EXPR_COLUMN: {
        char name[160];
        /* A column of an enclosing query is a constant here. */
        bool local = false;
        for (int k = 0; k < ctx->scope->n_cols && !local; k++)
            local = ctx->scope->cols[k].binding.table == x->u.column.binding.table &&
                    ctx->scope->cols[k].binding.column == x->u.column.binding.column;
        if (!local) return BS_OK;
        return error_set(err, SQLSTATE_GROUPING_ERROR, x->pos,
                         "column \"%s\" must appear in the GROUP BY clause or be used in an "
                         "aggregate function",
                         binding_name(ctx->scope, x->u.column.binding, name, sizeof name));
    }
    case EXPR_CONSTANT:
        return BS_OK;
    case EXPR_WINDOW: {
        /* A window over a grouped query reads the aggregation's outputs. */
        WindowCall *w = x->u.window.call;
        for (int k = 0; k < w->n_args; k++)
            BS_TRY(rewrite_for_aggregate(ctx, &w->args[k], err));
        for (int k = 0; k < w->n_partitions; k++)
            BS_TRY(rewrite_for_aggregate(ctx, &w->partitions[k], err));
        for (int k = 0; k < w->n_order; k++)
            BS_TRY(rewrite_for_aggregate(ctx, &w->order[k].expr, err));
        return BS_OK;
    }
    case EXPR_CALL:
        if (x->u.call.func == FN_GROUPING) return binder_rewrite_grouping(b, ctx->gs, agg, e, err);
        for (int k = 0; k < x->u.call.n_args; k++)
            BS_TRY(rewrite_for_aggregate(ctx, &x->u.call.args[k], err));
        return BS_OK;
    case EXPR_CAST:
        return rewrite_for_aggregate(ctx, &x->u.cast.arg, err);
    case EXPR_AND:
    case EXPR_OR:
        for (int k = 0; k < x->u.conj.n_args; k++)
            BS_TRY(rewrite_for_aggregate(ctx, &x->u.conj.args[k], err));
        return BS_OK;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return rewrite_for_aggregate(ctx, &x->u.unary.arg, err);
    case EXPR_CASE:
        for (int k = 0; k < x->u.case_.n_whens; k++) {
            BS_TRY(rewrite_for_aggregate(ctx, &x->u.case_.whens[k], err));
            BS_TRY(rewrite_for_aggregate(ctx, &x->u.case_.thens[k], err));
        }
        return rewrite_for_aggregate(ctx, &x->u.case_.else_expr, err);
    }
    return BS_OK;
}

static bool find_aggregate(Expr *e, void *arg)
{
    if (e->kind == EXPR_AGGREGATE || (e->kind == EXPR_CALL && e->u.call.func == FN_GROUPING)) {
        *(bool *)arg = true;
        return false;
    }
    return true;
}

static bool has_aggregate(Expr *e)
{
    bool found = false;
    expr_visit(e, find_aggregate, &found);
    return found;
}

/* ---- SELECT ----------------------------------------------------------------------- */

/*
 * SELECT DISTINCT ON (…): the first row of each group of equal ON columns in the order of
 * the ORDER BY keys — row_number() over (partition by the ON columns order by the keys),
 * kept where it is 1. Columns are positions in *root (the projection); the row number
 * goes last.
 */
static Status first_of_each(Binder *b, LogicalOp **root, const int *on_col, int n_on,
                            const LogicalSortKey *keys, const int *key_col, int n_keys, Error *err)
{
    LogicalOp *in = *root;
    Expr **parts = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n_on);
    LogicalSortKey *order = arena_alloc(b->arena, sizeof(LogicalSortKey) * (size_t)(n_keys + 1));
    if (!parts || !order) return arena_error(b->arena, err);
    for (int k = 0; k < n_on; k++) {
        parts[k] = expr_new_column(b->arena, in->bindings[on_col[k]], in->types[on_col[k]], -1);
        if (!parts[k]) return arena_error(b->arena, err);
    }
    for (int k = 0; k < n_keys; k++) {
        order[k] = keys[k];
        order[k].expr =
            expr_new_column(b->arena, in->bindings[key_col[k]], in->types[key_col[k]], -1);
        if (!order[k].expr) return arena_error(b->arena, err);
    }
    BS_TRY(binder_row_number(b, root, parts, n_on, order, n_keys, err));
    LogicalOp *win = *root;
    Value one = value_bigint(1);
    Expr *args[2] = {
        expr_new_column(b->arena, win->bindings[win->n_out - 1], type_make(TYPE_BIGINT), -1),
        expr_new_constant(b->arena, &one, -1)};
    if (!args[0] || !args[1]) return arena_error(b->arena, err);
    LogicalOp *filter = logical_create(b->arena, LOP_FILTER, win);
    if (!filter) return arena_error(b->arena, err);
    filter->u.filter.predicate =
        expr_new_call(b->arena, FN_EQ, type_make(TYPE_BOOLEAN), args, 2, -1);
    if (!filter->u.filter.predicate) return arena_error(b->arena, err);
    BS_TRY(logical_resolve(filter, b->arena, err));
    *root = filter;
    return BS_OK;
}

/* A bound item of the select list. */
typedef struct SelectItem {
    Expr *expr;
    char *name;
    const AstExpr *ast; /* NULL for columns expanded from * */
} SelectItem;

typedef struct ItemList {
    int count, capacity;
    SelectItem *items;
} ItemList;

static Status items_add(Binder *b, ItemList *list, Expr *expr, const char *name, const AstExpr *ast,
                        Error *err)
{
    if (list->count == list->capacity) {
        int cap = list->capacity ? list->capacity * 2 : 16;
        SelectItem *grown =
            arena_grow(b->arena, list->items, sizeof(SelectItem) * (size_t)list->capacity,
                       sizeof(SelectItem) * (size_t)cap);
        if (!grown) return arena_error(b->arena, err);
        list->items = grown;
        list->capacity = cap;
    }
    SelectItem *item = &list->items[list->count++];
    item->expr = expr;
    item->name = arena_strdup(b->arena, name);
    item->ast = ast;
    return item->name ? BS_OK : arena_error(b->arena, err);
}

static Status expand_star(Binder *b, const AstExpr *star, const Scope *scope, ItemList *items,
                          Error *err)
{
    const char *qualifier = star->u.star.qualifier;
    if (scope->n_cols == 0 && !qualifier)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, star->pos,
                         "SELECT * with no tables specified is not valid");
    bool any = false;
    for (int k = 0; k < scope->n_cols; k++) {
        const ScopeColumn *col = &scope->cols[k];
        if (qualifier && (!col->qualifier || strcmp(col->qualifier, qualifier) != 0)) continue;
        if (!qualifier && col->qualified_only) continue;
        Expr *e = expr_new_column(b->arena, col->binding, col->type, star->pos);
        if (!e) return arena_error(b->arena, err);
        BS_TRY(items_add(b, items, e, col->name, NULL, err));
        any = true;
    }
    if (!any && qualifier)
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, star->pos,
                         "missing FROM-clause entry for table \"%s\"", qualifier);
    return BS_OK;
}

/* A constant non-negative integer for LIMIT/OFFSET; -1 for NULL (no limit). */
static Status bind_limit_value(Binder *b, const AstExpr *ast, const char *what, int64_t *out,
                               Error *err)
{
    Scope empty = {0};
    Expr *e;
    BS_TRY(bind_expr(b, ast, &empty, CLAUSE_LIMIT, &e, err));
    BS_TRY(binder_cast(b, &e, type_make(TYPE_BIGINT), false, err));
    if (e->kind != EXPR_CONSTANT)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos, "%s must be a constant",
                         what);
    if (e->u.constant.is_null) {
        *out = -1;
        return BS_OK;
    }
    if (e->u.constant.u.i64 < 0)
        return error_set(err, "2201W", ast->pos, "%s must not be negative", what);
    *out = e->u.constant.u.i64;
    return BS_OK;
}

/* Puts the query's LIMIT/OFFSET, if any, on top of *root. */
static Status add_limit(Binder *b, const AstSelect *q, LogicalOp **root, Error *err)
{
    if (!q->limit && !q->offset) return BS_OK;
    LogicalOp *limit = logical_create(b->arena, LOP_LIMIT, *root);
    if (!limit) return arena_error(b->arena, err);
    limit->u.limit.limit = -1;
    if (q->limit) BS_TRY(bind_limit_value(b, q->limit, "LIMIT", &limit->u.limit.limit, err));
    if (q->offset) {
        BS_TRY(bind_limit_value(b, q->offset, "OFFSET", &limit->u.limit.offset, err));
        if (limit->u.limit.offset < 0) limit->u.limit.offset = 0;
    }
    BS_TRY(logical_resolve(limit, b->arena, err));
    *root = limit;
    return BS_OK;
}

static bool note_column(Expr *e, void *arg)
{
    if (e->kind != EXPR_COLUMN) return true;
    *(bool *)arg = true;
    return false;
}

/* Whether e reads a column (in VALUES: one of an enclosing query). */
static bool reads_column(Expr *e)
{
    bool found = false;
    expr_visit(e, note_column, &found);
    return found;
}

/* Binds VALUES rows: every row the same width, each column unified to one type. */
static Status bind_values(Binder *b, const AstSelect *q, LogicalOp **plan, char ***names,
                          Error *err)
{
    const AstList *rows = q->values;
    int n_rows = rows->count;
    int n_cols = ((AstList *)rows->items[0])->count;
    LogicalOp *op = logical_create(b->arena, LOP_VALUES, NULL);
    Expr ***bound = arena_alloc(b->arena, sizeof(Expr **) * (size_t)n_rows);
    Expr **column = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n_rows);
    if (!op || !bound || !column) return arena_error(b->arena, err);
    /* The rows see the enclosing queries' columns (a correlated or LATERAL VALUES). */
    Scope outer = {0};
    outer.parent = b->subquery_parent;
    const Scope *saved_parent = b->subquery_parent, *saved_outer = b->outer_scope;
    b->subquery_parent = NULL;
    b->outer_scope = outer.parent;
    Status st = BS_OK;
    for (int r = 0; r < n_rows && st == BS_OK; r++) {
        const AstList *row = rows->items[r];
        if (row->count != n_cols)
            st = error_set(err, SQLSTATE_SYNTAX_ERROR, ((AstExpr *)row->items[0])->pos,
                           "VALUES lists must all be the same length");
        else
            st = bind_list_values(b, row, &outer, &bound[r], err);
    }
    b->subquery_parent = saved_parent;
    b->outer_scope = saved_outer;
    BS_TRY(st);
    for (int c = 0; c < n_cols; c++) {
        for (int r = 0; r < n_rows; r++)
            column[r] = bound[r][c];
        BS_TRY(binder_unify_types(b, column, n_rows, "VALUES", err));
        for (int r = 0; r < n_rows; r++)
            bound[r][c] = column[r];
    }
    bool subqueries = false;
    for (int r = 0; r < n_rows && !subqueries; r++)
        for (int c = 0; c < n_cols && !subqueries; c++)
            subqueries = expr_has_subquery(bound[r][c]) || reads_column(bound[r][c]);
    if (subqueries) {
        /* A row with subqueries, or reading the enclosing queries, is a projection over one
           row (that they join onto); the rows are the UNION ALL of such projections. */
        LogicalOp **parts = arena_alloc(b->arena, sizeof(LogicalOp *) * (size_t)n_rows);
        if (!parts) return arena_error(b->arena, err);
        for (int r = 0; r < n_rows; r++) {
            LogicalOp *one = logical_create(b->arena, LOP_VALUES, NULL);
            if (!one) return arena_error(b->arena, err);
            one->u.values.table_index = b->next_table_index++;
            one->u.values.n_rows = 1;
            BS_TRY(logical_resolve(one, b->arena, err));
            for (int c = 0; c < n_cols; c++)
                if (expr_has_subquery(bound[r][c]))
                    BS_TRY(bind_plan_subqueries(b, &one, &bound[r][c], false, err));
            LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, one);
            if (!proj) return arena_error(b->arena, err);
            proj->u.project.table_index = b->next_table_index++;
            proj->u.project.n_exprs = n_cols;
            proj->u.project.exprs = bound[r];
            BS_TRY(logical_resolve(proj, b->arena, err));
            parts[r] = proj;
        }
        op = parts[0];
        if (n_rows > 1) {
            op = arena_alloc_zero(b->arena, sizeof *op);
            if (!op) return arena_error(b->arena, err);
            op->kind = LOP_UNION;
            op->n_children = n_rows;
            op->children = parts;
            op->est_rows = -1;
            op->u.set.table_index = b->next_table_index++;
            BS_TRY(logical_resolve(op, b->arena, err));
        }
    } else {
        op->u.values.table_index = b->next_table_index++;
        op->u.values.n_cols = n_cols;
        op->u.values.n_rows = n_rows;
        op->u.values.rows = bound;
        BS_TRY(logical_resolve(op, b->arena, err));
    }
    char **out = arena_alloc(b->arena, sizeof(char *) * (size_t)n_cols);
    if (!out) return arena_error(b->arena, err);
    for (int c = 0; c < n_cols; c++) {
        out[c] = arena_sprintf(b->arena, "column%d", c + 1);
        if (!out[c]) return arena_error(b->arena, err);
    }
    *plan = op;
    *names = out;
    return BS_OK;
}

Status bind_list_values(Binder *b, const AstList *row, const Scope *scope, Expr ***out, Error *err)
{
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(row->count ? row->count : 1));
    if (!exprs) return arena_error(b->arena, err);
    for (int k = 0; k < row->count; k++)
        BS_TRY(bind_expr(b, row->items[k], scope, CLAUSE_VALUES, &exprs[k], err));
    *out = exprs;
    return BS_OK;
}

/* Which select item an ORDER BY / GROUP BY name or ordinal refers to; -1 if none. */
static Status match_select_item(const AstExpr *ast, const ItemList *items, const char *clause,
                                bool names_too, int *out, Error *err)
{
    *out = -1;
    if (ast->kind == AST_LITERAL && ast->u.lit.kind == LIT_INTEGER) {
        int64_t pos = ast->u.lit.ival;
        if (pos < 1 || pos > items->count)
            return error_set(err, SQLSTATE_INVALID_COLUMN_REF, ast->pos,
                             "%s position %lld is not in select list", clause, (long long)pos);
        *out = (int)(pos - 1);
        return BS_OK;
    }
    if (names_too && ast->kind == AST_COLUMN && !ast->u.column.qualifier) {
        for (int k = 0; k < items->count; k++) {
            if (strcmp(items->items[k].name, ast->u.column.name) != 0) continue;
            /* Two items of one name are ambiguous unless they are the same expression. */
            if (*out >= 0 && !expr_equal(items->items[*out].expr, items->items[k].expr))
                return error_set(err, SQLSTATE_AMBIGUOUS_COLUMN, ast->pos, "%s \"%s\" is ambiguous",
                                 clause, ast->u.column.name);
            if (*out < 0) *out = k;
        }
    }
    return BS_OK;
}

static Status bind_select_body(Binder *b, const AstSelect *q, Scope *scope_in, LogicalOp **plan,
                               char ***names, Error *err);

static Status bind_select_core(Binder *b, const AstSelect *q, LogicalOp **plan, char ***names,
                               Error *err)
{
    Scope scope = {0};
    /* A subquery in an expression sees the enclosing query's columns; FROM items do not,
       except derived tables and ON conditions, which see the enclosing queries'. */
    scope.parent = b->subquery_parent;
    b->subquery_parent = NULL;
    const Scope *saved_outer = b->outer_scope, *saved_lateral = b->lateral_scope;
    b->outer_scope = scope.parent;
    b->lateral_scope = NULL;
    Status core = bind_select_body(b, q, &scope, plan, names, err);
    b->outer_scope = saved_outer;
    b->lateral_scope = saved_lateral;
    return core;
}

static Status bind_select_body(Binder *b, const AstSelect *q, Scope *scope_in, LogicalOp **plan,
                               char ***names, Error *err)
{
    Scope scope = *scope_in;
    const AstList *outer_windows = b->windows;
    BS_TRY(binder_check_windows(&q->windows, err));
    LogicalOp *root;
    /* FROM */
    if (q->from.count == 0) {
        /* One row of no columns. */
        root = logical_create(b->arena, LOP_VALUES, NULL);
        if (!root) return arena_error(b->arena, err);
        root->u.values.table_index = b->next_table_index++;
        root->u.values.n_rows = 1;
        root->u.values.rows = arena_alloc_zero(b->arena, sizeof(Expr **));
        if (!root->u.values.rows) return arena_error(b->arena, err);
        BS_TRY(logical_resolve(root, b->arena, err));
    } else {
        BS_TRY(bind_table_ref(b, q->from.items[0], &scope, &root, err));
        /* FROM a, b, …: cross joins, which the optimizer turns into joins on WHERE's
           conditions. */
        for (int k = 1; k < q->from.count; k++) {
            Scope next = {0};
            LogicalOp *right;
            const AstTableRef *ref = q->from.items[k];
            const char *fn = ref->kind == TREF_FUNCTION ? ref->u.func.name : "";
            bool unnest = strcmp(fn, "unnest") == 0;
            if (unnest || strcmp(fn, "generate_series") == 0 || strcmp(fn, "range") == 0) {
                /* they read the items before them (an implicit LATERAL): an Unnest over them
                   (a series that reads no column is joined) */
                next.parent = scope.parent;
                right = NULL;
                BS_TRY(unnest
                           ? binder_bind_unnest_lateral(b, ref, &scope, &root, &next, err)
                           : binder_bind_series_lateral(b, ref, &scope, &root, &next, &right, err));
                BS_TRY(check_qualifiers(&scope, &next, ref->pos, err));
                DependentJoin dj = {LJ_INNER, NULL, 0, false, 0, NULL, NULL, ref->pos};
                if (right) BS_TRY(binder_dependent_join(b, &root, right, &dj, err));
                BS_TRY(scope_append(b, &scope, &next, err));
                continue;
            }
            /* A LATERAL item (at any depth of this one) sees the items to its left; a
               plan that reads them is a dependent join. */
            b->lateral_scope = &scope;
            Status st = bind_table_ref(b, ref, &next, &right, err);
            b->lateral_scope = NULL;
            BS_TRY(st);
            BS_TRY(check_qualifiers(&scope, &next, ref->pos, err));
            DependentJoin dj = {LJ_INNER, NULL, 0, false, 0, NULL, NULL, ref->pos};
            BS_TRY(binder_dependent_join(b, &root, right, &dj, err));
            BS_TRY(scope_append(b, &scope, &next, err));
        }
    }
    /* WHERE */
    if (q->where) {
        Expr *pred;
        BS_TRY(bind_expr(b, q->where, &scope, CLAUSE_WHERE, &pred, err));
        if (pred->type.id != TYPE_BOOLEAN) {
            if (pred->flags & EXPR_FLAG_UNTYPED || pred->type.id == TYPE_NULL) {
                BS_TRY(binder_cast(b, &pred, type_make(TYPE_BOOLEAN), false, err));
            } else {
                char t[40];
                return error_set(err, SQLSTATE_DATATYPE_MISMATCH, pred->pos,
                                 "argument of WHERE must be type boolean, not type %s",
                                 type_sql_name(pred->type, t, sizeof t));
            }
        }
        if (expr_has_subquery(pred)) BS_TRY(bind_plan_subqueries(b, &root, &pred, true, err));
        if (pred) {
            LogicalOp *filter = logical_create(b->arena, LOP_FILTER, root);
            if (!filter) return arena_error(b->arena, err);
            filter->u.filter.predicate = pred;
            BS_TRY(logical_resolve(filter, b->arena, err));
            root = filter;
        }
    }
    /* select list */
    b->windows = &q->windows;
    ItemList items = {0};
    for (int k = 0; k < q->select_list.count; k++) {
        const AstSelectItem *item = q->select_list.items[k];
        if (item->expr->kind == AST_STAR) {
            BS_TRY(expand_star(b, item->expr, &scope, &items, err));
            continue;
        }
        Expr *e;
        BS_TRY(bind_expr(b, item->expr, &scope, CLAUSE_SELECT, &e, err));
        BS_TRY(items_add(b, &items, e, item->alias ? item->alias : bind_default_name(item->expr),
                         item->expr, err));
    }
    /* GROUP BY: ordinals and output names refer to select items. ROLLUP, CUBE and
       GROUPING SETS: the distinct expressions they name, and the sets over them. */
    GroupingSets gs = {0};
    const AstList *group_asts = &q->group_by;
    if (q->group_items.count > 0) {
        BS_TRY(binder_expand_grouping_sets(b, &q->group_items, &gs, err));
        group_asts = &gs.asts;
    }
    int n_groups = group_asts->count;
    Expr **groups = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_groups ? n_groups : 1));
    if (!groups) return arena_error(b->arena, err);
    for (int k = 0; k < n_groups; k++) {
        const AstExpr *g = group_asts->items[k];
        int item = -1;
        BS_TRY(match_select_item(g, &items, "GROUP BY", false, &item, err));
        if (item < 0 && g->kind == AST_COLUMN && !g->u.column.qualifier) {
            /* An input column wins over an output name, as in PostgreSQL. */
            bool is_input = false;
            for (int c = 0; c < scope.n_cols && !is_input; c++)
                is_input = strcmp(scope.cols[c].name, g->u.column.name) == 0;
            if (!is_input) BS_TRY(match_select_item(g, &items, "GROUP BY", true, &item, err));
        }
        if (item >= 0) {
            groups[k] = items.items[item].expr;
            if (has_aggregate(groups[k]))
                return error_set(err, SQLSTATE_GROUPING_ERROR, g->pos,
                                 "aggregate functions are not allowed in GROUP BY");
            if (expr_has_window(groups[k]))
                return error_set(err, "42P20", g->pos,
                                 "window functions are not allowed in GROUP BY");
        } else {
            BS_TRY(bind_expr(b, g, &scope, CLAUSE_GROUP_BY, &groups[k], err));
        }
        if (groups[k]->type.id == TYPE_NULL || (groups[k]->flags & EXPR_FLAG_UNTYPED))
            BS_TRY(binder_cast(b, &groups[k],
                               groups[k]->type.id == TYPE_NULL ? type_make(TYPE_INTEGER)
                                                               : type_make(TYPE_VARCHAR),
                               false, err));
    }
    if (q->group_items.count > 0)
        BS_TRY(binder_merge_grouping_sets(b, &gs, groups, &n_groups, err));
    /* HAVING */
    Expr *having = NULL;
    if (q->having) {
        BS_TRY(bind_expr(b, q->having, &scope, CLAUSE_HAVING, &having, err));
        if (having->type.id != TYPE_BOOLEAN) {
            char t[40];
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH, having->pos,
                             "argument of HAVING must be type boolean, not type %s",
                             type_sql_name(having->type, t, sizeof t));
        }
    }
    /* ORDER BY: select items by ordinal or name, else expressions over the input. */
    int n_keys = q->order_by.count;
    LogicalSortKey *keys =
        arena_alloc(b->arena, sizeof(LogicalSortKey) * (size_t)(n_keys ? n_keys : 1));
    int *key_item = arena_alloc(b->arena, sizeof(int) * (size_t)(n_keys ? n_keys : 1));
    if (!keys || !key_item) return arena_error(b->arena, err);
    for (int k = 0; k < n_keys; k++) {
        const AstOrderItem *o = q->order_by.items[k];
        keys[k].descending = o->descending;
        keys[k].nulls_first = o->nulls == 1 || (o->nulls == 0 && o->descending);
        BS_TRY(match_select_item(o->expr, &items, "ORDER BY", true, &key_item[k], err));
        keys[k].expr = NULL;
        if (key_item[k] < 0)
            BS_TRY(bind_expr(b, o->expr, &scope, CLAUSE_ORDER_BY, &keys[k].expr, err));
    }
    /* DISTINCT ON (…): select items by ordinal or name, else expressions over the input,
       as in ORDER BY; they must lead the ORDER BY, as in PostgreSQL. */
    int n_on = q->distinct_on.count;
    LogicalSortKey *on = arena_alloc(b->arena, sizeof(LogicalSortKey) * (size_t)(n_on ? n_on : 1));
    int *on_item = arena_alloc(b->arena, sizeof(int) * (size_t)(n_on ? n_on : 1));
    if (!on || !on_item) return arena_error(b->arena, err);
    for (int k = 0; k < n_on; k++) {
        const AstExpr *o = q->distinct_on.items[k];
        on[k].expr = NULL;
        on[k].descending = false;
        on[k].nulls_first = false;
        BS_TRY(match_select_item(o, &items, "DISTINCT ON", true, &on_item[k], err));
        if (on_item[k] < 0) BS_TRY(bind_expr(b, o, &scope, CLAUSE_ORDER_BY, &on[k].expr, err));
    }
    for (int k = 0; k < n_on && k < n_keys; k++) {
        bool same = on_item[k] >= 0 ? key_item[k] == on_item[k]
                                    : keys[k].expr && expr_equal(keys[k].expr, on[k].expr);
        if (!same && on_item[k] >= 0 && keys[k].expr)
            same = expr_equal(keys[k].expr, items.items[on_item[k]].expr);
        if (!same && on_item[k] < 0 && key_item[k] >= 0)
            same = expr_equal(items.items[key_item[k]].expr, on[k].expr);
        if (!same)
            return error_set(err, SQLSTATE_INVALID_COLUMN_REF,
                             ((AstExpr *)q->distinct_on.items[k])->pos,
                             "SELECT DISTINCT ON expressions must match initial ORDER BY "
                             "expressions");
    }
    /* Aggregation */
    bool aggregating = n_groups > 0 || having != NULL || q->group_items.count > 0;
    for (int k = 0; k < items.count && !aggregating; k++)
        aggregating = has_aggregate(items.items[k].expr);
    for (int k = 0; k < n_keys && !aggregating; k++)
        aggregating = keys[k].expr && has_aggregate(keys[k].expr);
    for (int k = 0; k < n_on && !aggregating; k++)
        aggregating = on[k].expr && has_aggregate(on[k].expr);
    if (aggregating) {
        LogicalOp *agg = logical_create(b->arena, LOP_AGGREGATE, root);
        if (!agg) return arena_error(b->arena, err);
        agg->u.aggregate.group_index = b->next_table_index++;
        agg->u.aggregate.agg_index = b->next_table_index++;
        agg->u.aggregate.n_groups = n_groups;
        agg->u.aggregate.groups = groups;
        AggContext ctx = {b, agg, 0, &scope, &gs};
        for (int k = 0; k < items.count; k++)
            BS_TRY(rewrite_for_aggregate(&ctx, &items.items[k].expr, err));
        if (having) BS_TRY(rewrite_for_aggregate(&ctx, &having, err));
        for (int k = 0; k < n_keys; k++)
            if (keys[k].expr) BS_TRY(rewrite_for_aggregate(&ctx, &keys[k].expr, err));
        for (int k = 0; k < n_on; k++)
            if (on[k].expr) BS_TRY(rewrite_for_aggregate(&ctx, &on[k].expr, err));
        if (!agg->u.aggregate.aggs) {
            agg->u.aggregate.aggs = arena_alloc(b->arena, sizeof(AggregateCall *));
            if (!agg->u.aggregate.aggs) return arena_error(b->arena, err);
        }
        /* Subqueries in group keys and aggregate arguments join onto the input. */
        for (int k = 0; k < n_groups; k++)
            if (expr_has_subquery(groups[k]))
                BS_TRY(bind_plan_subqueries(b, &agg->children[0], &groups[k], false, err));
        for (int k = 0; k < agg->u.aggregate.n_aggs; k++) {
            AggregateCall *call = agg->u.aggregate.aggs[k];
            if (call->arg && expr_has_subquery(call->arg))
                BS_TRY(bind_plan_subqueries(b, &agg->children[0], &call->arg, false, err));
        }
        if (gs.active) BS_TRY(binder_add_expand(b, agg, &gs, err));
        BS_TRY(logical_resolve(agg, b->arena, err));
        root = agg;
        if (gs.active) {
            /* Everything above reads the aggregation's columns: rebound past the join. */
            int n_above = items.count + n_keys + n_on + 1;
            Expr ***above = arena_alloc(b->arena, sizeof(Expr **) * (size_t)n_above);
            if (!above) return arena_error(b->arena, err);
            int m = 0;
            for (int k = 0; k < items.count; k++)
                above[m++] = &items.items[k].expr;
            for (int k = 0; k < n_keys; k++)
                above[m++] = &keys[k].expr;
            for (int k = 0; k < n_on; k++)
                above[m++] = &on[k].expr;
            above[m++] = &having;
            BS_TRY(binder_add_empty_sets(b, &root, &gs, above, m, err));
        }
        if (having && expr_has_subquery(having))
            BS_TRY(bind_plan_subqueries(b, &root, &having, true, err));
        if (having) {
            LogicalOp *filter = logical_create(b->arena, LOP_FILTER, root);
            if (!filter) return arena_error(b->arena, err);
            filter->u.filter.predicate = having;
            BS_TRY(logical_resolve(filter, b->arena, err));
            root = filter;
        }
    }
    /* Subqueries in the select list and ORDER BY join onto what is below the projection. */
    for (int k = 0; k < items.count; k++)
        if (expr_has_subquery(items.items[k].expr))
            BS_TRY(bind_plan_subqueries(b, &root, &items.items[k].expr, false, err));
    for (int k = 0; k < n_keys; k++)
        if (keys[k].expr && expr_has_subquery(keys[k].expr))
            BS_TRY(bind_plan_subqueries(b, &root, &keys[k].expr, false, err));
    for (int k = 0; k < n_on; k++)
        if (on[k].expr && expr_has_subquery(on[k].expr))
            BS_TRY(bind_plan_subqueries(b, &root, &on[k].expr, false, err));
    b->windows = outer_windows;
    /* Window calls in the select list and ORDER BY: windows over what is below. */
    Expr ***slots =
        arena_alloc(b->arena, sizeof(Expr **) * (size_t)(items.count + n_keys + n_on + 1));
    if (!slots) return arena_error(b->arena, err);
    int n_slots = 0;
    for (int k = 0; k < items.count; k++)
        slots[n_slots++] = &items.items[k].expr;
    for (int k = 0; k < n_keys; k++)
        if (keys[k].expr) slots[n_slots++] = &keys[k].expr;
    for (int k = 0; k < n_on; k++)
        if (on[k].expr) slots[n_slots++] = &on[k].expr;
    BS_TRY(bind_plan_windows(b, &root, slots, n_slots, err));
    /* unnest() in the select list and ORDER BY: one Unnest over what is below. */
    BS_TRY(binder_plan_select_unnest(b, &root, slots, n_slots, err));
    /* Projection: visible items, then ORDER BY keys that are not items (hidden). */
    int n_hidden = 0;
    for (int k = 0; k < n_keys; k++) {
        if (key_item[k] >= 0) continue;
        /* An ORDER BY expression equal to a select item uses that item. */
        for (int i = 0; i < items.count && key_item[k] < 0; i++)
            if (expr_equal(keys[k].expr, items.items[i].expr)) key_item[k] = i;
        if (key_item[k] < 0) n_hidden++;
    }
    for (int k = 0; k < n_on; k++) {
        if (on_item[k] >= 0) continue;
        for (int i = 0; i < items.count && on_item[k] < 0; i++)
            if (expr_equal(on[k].expr, items.items[i].expr)) on_item[k] = i;
        if (on_item[k] < 0) n_hidden++;
    }
    if (q->distinct && n_hidden > 0)
        return error_set(err, SQLSTATE_INVALID_COLUMN_REF,
                         ((AstOrderItem *)q->order_by.items[0])->pos,
                         "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
    LogicalOp *project = logical_create(b->arena, LOP_PROJECT, root);
    if (!project) return arena_error(b->arena, err);
    int n_exprs = items.count + n_hidden;
    project->u.project.table_index = b->next_table_index++;
    project->u.project.n_exprs = n_exprs;
    project->u.project.exprs =
        arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_exprs ? n_exprs : 1));
    if (!project->u.project.exprs) return arena_error(b->arena, err);
    for (int k = 0; k < items.count; k++) {
        Expr *e = items.items[k].expr;
        if (e->type.id == TYPE_NULL || (e->flags & EXPR_FLAG_UNTYPED))
            BS_TRY(binder_cast(
                b, &e, e->type.id == TYPE_NULL ? type_make(TYPE_INTEGER) : type_make(TYPE_VARCHAR),
                false, err));
        project->u.project.exprs[k] = e;
    }
    int next_hidden = items.count;
    for (int k = 0; k < n_keys; k++) {
        if (key_item[k] >= 0) continue;
        Expr *e = keys[k].expr;
        if (e->type.id == TYPE_NULL)
            BS_TRY(binder_cast(b, &e, type_make(TYPE_INTEGER), false, err));
        key_item[k] = next_hidden;
        project->u.project.exprs[next_hidden++] = e;
    }
    for (int k = 0; k < n_on; k++) {
        if (on_item[k] >= 0) continue;
        on_item[k] = next_hidden;
        project->u.project.exprs[next_hidden++] = on[k].expr;
    }
    BS_TRY(logical_resolve(project, b->arena, err));
    root = project;
    if (n_on > 0) BS_TRY(first_of_each(b, &root, on_item, n_on, keys, key_item, n_keys, err));
    if (q->distinct) {
        LogicalOp *distinct = logical_create(b->arena, LOP_AGGREGATE, root);
        if (!distinct) return arena_error(b->arena, err);
        distinct->u.aggregate.group_index = b->next_table_index++;
        distinct->u.aggregate.agg_index = b->next_table_index++;
        distinct->u.aggregate.n_groups = project->n_out;
        distinct->u.aggregate.groups =
            arena_alloc(b->arena, sizeof(Expr *) * (size_t)(project->n_out ? project->n_out : 1));
        distinct->u.aggregate.aggs = arena_alloc(b->arena, sizeof(AggregateCall *));
        if (!distinct->u.aggregate.groups || !distinct->u.aggregate.aggs)
            return arena_error(b->arena, err);
        for (int k = 0; k < project->n_out; k++) {
            distinct->u.aggregate.groups[k] =
                expr_new_column(b->arena, project->bindings[k], project->types[k], -1);
            if (!distinct->u.aggregate.groups[k]) return arena_error(b->arena, err);
        }
        BS_TRY(logical_resolve(distinct, b->arena, err));
        root = distinct;
    }
    if (n_keys > 0) {
        LogicalOp *order = logical_create(b->arena, LOP_ORDER, root);
        if (!order) return arena_error(b->arena, err);
        order->u.order.n_keys = n_keys;
        order->u.order.keys = keys;
        for (int k = 0; k < n_keys; k++) {
            int col = key_item[k];
            keys[k].expr = expr_new_column(b->arena, root->bindings[col], root->types[col], -1);
            if (!keys[k].expr) return arena_error(b->arena, err);
        }
        BS_TRY(logical_resolve(order, b->arena, err));
        root = order;
    }
    BS_TRY(add_limit(b, q, &root, err));
    if (n_hidden > 0 || n_on > 0) {
        LogicalOp *strip = logical_create(b->arena, LOP_PROJECT, root);
        if (!strip) return arena_error(b->arena, err);
        strip->u.project.table_index = b->next_table_index++;
        strip->u.project.n_exprs = items.count;
        strip->u.project.exprs =
            arena_alloc(b->arena, sizeof(Expr *) * (size_t)(items.count ? items.count : 1));
        if (!strip->u.project.exprs) return arena_error(b->arena, err);
        for (int k = 0; k < items.count; k++) {
            strip->u.project.exprs[k] =
                expr_new_column(b->arena, root->bindings[k], root->types[k], -1);
            if (!strip->u.project.exprs[k]) return arena_error(b->arena, err);
        }
        BS_TRY(logical_resolve(strip, b->arena, err));
        root = strip;
    }
    char **out = arena_alloc(b->arena, sizeof(char *) * (size_t)(items.count ? items.count : 1));
    if (!out) return arena_error(b->arena, err);
    for (int k = 0; k < items.count; k++)
        out[k] = items.items[k].name;
    *plan = root;
    *names = out;
    return BS_OK;
}

/* ORDER BY / LIMIT over a query's output (VALUES, set operations): keys name its columns. */
Status binder_bind_output_order(Binder *b, const AstSelect *q, LogicalOp **plan, char ***names,
                                Error *err)
{
    LogicalOp *root = *plan;
    if (q->order_by.count > 0) {
        Scope scope = {0};
        BS_TRY(binder_scope_add_outputs(b, &scope, NULL, root, *names, err));
        int n_keys = q->order_by.count;
        LogicalOp *order = logical_create(b->arena, LOP_ORDER, root);
        LogicalSortKey *keys = arena_alloc(b->arena, sizeof(LogicalSortKey) * (size_t)n_keys);
        if (!order || !keys) return arena_error(b->arena, err);
        for (int k = 0; k < n_keys; k++) {
            const AstOrderItem *o = q->order_by.items[k];
            keys[k].descending = o->descending;
            keys[k].nulls_first = o->nulls == 1 || (o->nulls == 0 && o->descending);
            if (o->expr->kind == AST_LITERAL && o->expr->u.lit.kind == LIT_INTEGER) {
                int64_t pos = o->expr->u.lit.ival;
                if (pos < 1 || pos > root->n_out)
                    return error_set(err, SQLSTATE_INVALID_COLUMN_REF, o->expr->pos,
                                     "ORDER BY position %lld is not in select list",
                                     (long long)pos);
                keys[k].expr =
                    expr_new_column(b->arena, root->bindings[pos - 1], root->types[pos - 1], -1);
                if (!keys[k].expr) return arena_error(b->arena, err);
            } else {
                BS_TRY(bind_expr(b, o->expr, &scope, CLAUSE_ORDER_BY, &keys[k].expr, err));
                if (keys[k].expr->kind != EXPR_COLUMN)
                    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, o->expr->pos,
                                     q->values ? "ORDER BY on VALUES must name a column"
                                               : "ORDER BY on UNION/INTERSECT/EXCEPT must name "
                                                 "a result column");
            }
        }
        order->u.order.n_keys = n_keys;
        order->u.order.keys = keys;
        BS_TRY(logical_resolve(order, b->arena, err));
        root = order;
    }
    BS_TRY(add_limit(b, q, &root, err));
    *plan = root;
    return BS_OK;
}

static Status bind_values_query(Binder *b, const AstSelect *q, LogicalOp **plan, char ***names,
                                Error *err)
{
    BS_TRY(bind_values(b, q, plan, names, err));
    return binder_bind_output_order(b, q, plan, names, err);
}

Status bind_query(Binder *b, const AstSelect *q, LogicalOp **plan, char ***names, Error *err)
{
    if (++b->depth > BINDER_MAX_DEPTH) {
        b->depth--;
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, q->pos, "query is too deeply nested");
    }
    CteFrame frame = {&q->ctes, q->ctes.count, b->ctes, q->ctes_recursive};
    if (q->ctes.count > 0) {
        for (int k = 0; k < q->ctes.count; k++) {
            const AstCte *cte = q->ctes.items[k];
            for (int j = 0; j < k; j++)
                if (strcmp(((AstCte *)q->ctes.items[j])->name, cte->name) == 0) {
                    b->depth--;
                    return error_set(err, SQLSTATE_DUPLICATE_TABLE, cte->pos,
                                     "WITH query name \"%s\" specified more than once", cte->name);
                }
        }
        b->ctes = &frame;
    }
    Status st;
    if (q->set_op != SETOP_NONE)
        st = binder_bind_setop(b, q, plan, names, err);
    else if (q->values)
        st = bind_values_query(b, q, plan, names, err);
    else
        st = bind_select_core(b, q, plan, names, err);
    b->ctes = frame.parent;
    b->depth--;
    return st;
}
