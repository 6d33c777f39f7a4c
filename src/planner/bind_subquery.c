/*
 * bind_subquery.c — subqueries in expressions become joins, never re-execution per row.
 *
 *   EXISTS / NOT EXISTS, a top-level conjunct of WHERE or HAVING   SEMI / ANTI join
 *   x IN (…), a top-level conjunct                                  SEMI join on x = column
 *   x NOT IN (…), or IN / EXISTS elsewhere in an expression         MARK join (null-aware for
 *                                                                   IN); the mark replaces it
 *   (SELECT agg(…) …) uncorrelated                                  join with its one row
 *   (SELECT agg(…) … WHERE inner = outer …) correlated              the aggregation grouped
 *                                                                   by the inner keys, joined
 *                                                                   on them (Kim / Dayal)
 *
 * A subquery is correlated when its plan reads columns no operator inside it produces (the
 * enclosing queries' columns). Correlation is decorrelated when it is a conjunct of the
 * subquery's WHERE: those conjuncts leave the subquery and become the join's condition
 * (for an aggregate: equalities inner = outer, which become its groups). Other forms fail
 * with 0A000 and say so.
 */
#include "planner/planner_int.h"

#include <string.h>

typedef struct Bindings {
    ColumnBinding *items;
    int count, capacity;
    Arena *arena;
    bool failed;
} Bindings;

static void bindings_add(Bindings *s, ColumnBinding b)
{
    for (int k = 0; k < s->count; k++)
        if (s->items[k].table == b.table && s->items[k].column == b.column) return;
    if (s->count == s->capacity) {
        int cap = s->capacity ? s->capacity * 2 : 16;
        ColumnBinding *grown = arena_grow(s->arena, s->items, sizeof(ColumnBinding) * (size_t)s->capacity,
                                          sizeof(ColumnBinding) * (size_t)cap);
        if (!grown) {
            s->failed = true;
            return;
        }
        s->items = grown;
        s->capacity = cap;
    }
    s->items[s->count++] = b;
}

static bool bindings_has(const Bindings *s, ColumnBinding b)
{
    for (int k = 0; k < s->count; k++)
        if (s->items[k].table == b.table && s->items[k].column == b.column) return true;
    return false;
}

static bool note_ref(Expr *e, void *arg)
{
    if (e->kind == EXPR_COLUMN) bindings_add(arg, e->u.column.binding);
    if (e->kind == EXPR_SUBQUERY && e->u.subquery.sub->left)
        expr_visit(e->u.subquery.sub->left, note_ref, arg);
    return true;
}

/* Every binding the expressions of op's tree read, and every one its operators produce. */
static void collect(const LogicalOp *op, Bindings *read, Bindings *made)
{
    for (int k = 0; k < op->n_out; k++)
        bindings_add(made, op->bindings[k]);
    switch (op->kind) {
    case LOP_FILTER:
        expr_visit(op->u.filter.predicate, note_ref, read);
        break;
    case LOP_PROJECT:
        for (int k = 0; k < op->u.project.n_exprs; k++)
            expr_visit(op->u.project.exprs[k], note_ref, read);
        break;
    case LOP_AGGREGATE:
        for (int k = 0; k < op->u.aggregate.n_groups; k++)
            expr_visit(op->u.aggregate.groups[k], note_ref, read);
        for (int k = 0; k < op->u.aggregate.n_aggs; k++) {
            expr_visit(op->u.aggregate.aggs[k]->arg, note_ref, read);
            for (int o = 0; o < op->u.aggregate.aggs[k]->n_order; o++)
                expr_visit(op->u.aggregate.aggs[k]->order[o].expr, note_ref, read);
        }
        break;
    case LOP_ORDER:
        for (int k = 0; k < op->u.order.n_keys; k++)
            expr_visit(op->u.order.keys[k].expr, note_ref, read);
        break;
    case LOP_JOIN:
        expr_visit(op->u.join.condition, note_ref, read);
        break;
    case LOP_VALUES:
        for (int r = 0; r < op->u.values.n_rows; r++)
            for (int c = 0; c < op->u.values.n_cols; c++)
                expr_visit(op->u.values.rows[r][c], note_ref, read);
        break;
    default:
        break;
    }
    for (int k = 0; k < op->n_children; k++)
        collect(op->children[k], read, made);
}

typedef struct OuterCheck {
    const Bindings *made; /* produced inside the subquery */
    bool outer, inner;
} OuterCheck;

static bool check_outer(Expr *e, void *arg)
{
    OuterCheck *c = arg;
    if (e->kind == EXPR_COLUMN) {
        if (bindings_has(c->made, e->u.column.binding))
            c->inner = true;
        else
            c->outer = true;
    }
    return true;
}

static void classify(Expr *e, const Bindings *made, bool *outer, bool *inner)
{
    OuterCheck c = {made, false, false};
    expr_visit(e, check_outer, &c);
    *outer = c.outer;
    *inner = c.inner;
}

static Status not_supported(int pos, const char *what, Error *err)
{
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, pos,
                     "correlated subqueries %s are not supported yet", what);
}

static Status split(Binder *b, Expr *e, Expr ***items, int *n, Error *err)
{
    int count = e->kind == EXPR_AND ? e->u.conj.n_args : 1;
    *items = arena_alloc(b->arena, sizeof(Expr *) * (size_t)count);
    if (!*items) return arena_error(b->arena, err);
    if (e->kind == EXPR_AND)
        memcpy(*items, e->u.conj.args, sizeof(Expr *) * (size_t)count);
    else
        (*items)[0] = e;
    *n = count;
    return BS_OK;
}

static Expr *and_of(Binder *b, Expr **items, int n)
{
    Expr *e = NULL;
    for (int k = 0; k < n; k++)
        e = e ? binder_make_and(b, e, items[k]) : items[k];
    return e;
}

/*
 * Takes the correlated conjuncts out of the WHERE filter of a subquery plan
 * (Project → [Aggregate →] Filter → …): *corr gets them, the filter keeps the rest (or
 * goes). Fails when correlation is anywhere else.
 */
static Status extract_correlation(Binder *b, const BoundSubquery *sub, LogicalOp *project,
                                  const Bindings *made, Expr **corr, Error *err)
{
    *corr = NULL;
    if (project->kind != LOP_PROJECT) return not_supported(sub->pos, "of this form", err);
    LogicalOp **slot = &project->children[0];
    if ((*slot)->kind == LOP_AGGREGATE) {
        if ((*slot)->u.aggregate.n_groups > 0)
            return not_supported(sub->pos, "with GROUP BY", err);
        slot = &(*slot)->children[0];
    }
    if ((*slot)->kind != LOP_FILTER)
        return not_supported(sub->pos, "outside the subquery's WHERE clause", err);
    LogicalOp *filter = *slot;
    Expr **items;
    int n;
    BS_TRY(split(b, filter->u.filter.predicate, &items, &n, err));
    Expr **keep = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    Expr **take = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!keep || !take) return arena_error(b->arena, err);
    int n_keep = 0, n_take = 0;
    for (int k = 0; k < n; k++) {
        bool outer, inner;
        classify(items[k], made, &outer, &inner);
        if (outer)
            take[n_take++] = items[k];
        else
            keep[n_keep++] = items[k];
    }
    if (n_keep == 0)
        *slot = filter->children[0];
    else
        filter->u.filter.predicate = and_of(b, keep, n_keep);
    *corr = and_of(b, take, n_take);
    /* Nothing else may read the enclosing query. */
    Bindings read = {.arena = b->arena}, inner_made = {.arena = b->arena};
    collect(project, &read, &inner_made);
    if (read.failed || inner_made.failed) return arena_error(b->arena, err);
    for (int k = 0; k < read.count; k++)
        if (!bindings_has(made, read.items[k]))
            return not_supported(sub->pos, "outside the subquery's WHERE clause", err);
    return BS_OK;
}

/* Joins *root with `right` (type, condition) and makes it the new root. */
static Status join_onto(Binder *b, LogicalOp **root, LogicalJoinType type, LogicalOp *right,
                        Expr *cond, uint32_t mark_index, bool null_aware, Error *err)
{
    LogicalOp *j = arena_alloc_zero(b->arena, sizeof *j);
    LogicalOp **children = arena_alloc(b->arena, sizeof(LogicalOp *) * 2);
    if (!j || !children) return arena_error(b->arena, err);
    children[0] = *root;
    children[1] = right;
    j->kind = LOP_JOIN;
    j->n_children = 2;
    j->children = children;
    j->est_rows = -1;
    j->u.join.type = type;
    j->u.join.condition = cond;
    j->u.join.mark_index = mark_index;
    j->u.join.null_aware = null_aware;
    BS_TRY(logical_resolve(j, b->arena, err));
    *root = j;
    return BS_OK;
}

/*
 * EXISTS / IN as a join of *root: SEMI or ANTI (as_filter), else MARK, whose mark column
 * *out becomes (NOT mark when negated).
 */
static Status plan_exists_in(Binder *b, LogicalOp **root, BoundSubquery *sub, bool as_filter,
                             Expr **out, Error *err)
{
    Bindings read = {.arena = b->arena}, made = {.arena = b->arena};
    collect(sub->plan, &read, &made);
    if (read.failed || made.failed) return arena_error(b->arena, err);
    bool correlated = false;
    for (int k = 0; k < read.count && !correlated; k++)
        correlated = !bindings_has(&made, read.items[k]);
    LogicalOp *right = sub->plan;
    Expr *cond = NULL;
    Expr *value = NULL; /* IN: the subquery's column */
    if (correlated) {
        if (sub->plan->kind != LOP_PROJECT || sub->plan->children[0]->kind == LOP_AGGREGATE)
            return not_supported(sub->pos, "of this form", err);
        BS_TRY(extract_correlation(b, sub, sub->plan, &made, &cond, err));
        /* The projection goes: the condition reads the columns below it. */
        right = sub->plan->children[0];
        if (sub->kind == SUBQ_IN) value = sub->plan->u.project.exprs[0];
    } else if (sub->kind == SUBQ_IN) {
        value = expr_new_column(b->arena, right->bindings[0], right->types[0], sub->pos);
        if (!value) return arena_error(b->arena, err);
    }
    if (sub->kind == SUBQ_IN) {
        Expr *v = value;
        BS_TRY(binder_cast(b, &v, sub->left->type, false, err));
        Expr *args[2] = {sub->left, v};
        Expr *eq;
        BS_TRY(binder_bind_scalar(b, FN_EQ, args, 2, sub->pos, &eq, err));
        cond = cond ? binder_make_and(b, eq, cond) : eq;
        if (!cond) return arena_error(b->arena, err);
    }
    if (as_filter && !(sub->kind == SUBQ_IN && sub->negated)) {
        *out = NULL;
        return join_onto(b, root, sub->negated ? LJ_ANTI : LJ_SEMI, right, cond, 0, false, err);
    }
    bool null_aware = sub->kind == SUBQ_IN;
    if (null_aware && correlated)
        return not_supported(sub->pos, "under NOT IN or inside expressions", err);
    uint32_t mark = b->next_table_index++;
    BS_TRY(join_onto(b, root, LJ_MARK, right, cond, mark, null_aware, err));
    Expr *m = expr_new_column(b->arena, (ColumnBinding){mark, 0}, type_make(TYPE_BOOLEAN), sub->pos);
    if (!m) return arena_error(b->arena, err);
    if (sub->negated) {
        Expr *not = expr_new(b->arena, EXPR_NOT, type_make(TYPE_BOOLEAN), sub->pos);
        if (!not) return arena_error(b->arena, err);
        not->u.unary.arg = m;
        m = not;
    }
    *out = m;
    return BS_OK;
}

/* A scalar subquery as a join of *root; *out is its value column. */
static Status plan_scalar(Binder *b, LogicalOp **root, BoundSubquery *sub, bool null_rejecting,
                          Expr **out, Error *err)
{
    Bindings read = {.arena = b->arena}, made = {.arena = b->arena};
    collect(sub->plan, &read, &made);
    if (read.failed || made.failed) return arena_error(b->arena, err);
    bool correlated = false;
    for (int k = 0; k < read.count && !correlated; k++)
        correlated = !bindings_has(&made, read.items[k]);
    LogicalOp *plan = sub->plan;
    bool one_row = plan->kind == LOP_PROJECT && plan->children[0]->kind == LOP_AGGREGATE &&
                   plan->children[0]->u.aggregate.n_groups == 0;
    if (!one_row)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, sub->pos,
                         "scalar subqueries other than an aggregation without GROUP BY are not "
                         "supported yet");
    if (!correlated) {
        /* Exactly one row: a join with it adds its column to every row. */
        BS_TRY(join_onto(b, root, LJ_INNER, plan, NULL, 0, false, err));
        *out = expr_new_column(b->arena, plan->bindings[0], plan->types[0], sub->pos);
        return *out ? BS_OK : arena_error(b->arena, err);
    }
    LogicalOp *agg = plan->children[0];
    for (int k = 0; k < agg->u.aggregate.n_aggs; k++)
        if (agg->u.aggregate.aggs[k]->func == AGG_COUNT ||
            agg->u.aggregate.aggs[k]->func == AGG_COUNT_STAR)
            return not_supported(sub->pos, "with count()", err);
    Expr *corr;
    BS_TRY(extract_correlation(b, sub, plan, &made, &corr, err));
    /* Every correlated conjunct: inner expression = outer expression. */
    Expr **items;
    int n;
    BS_TRY(split(b, corr, &items, &n, err));
    Expr **inner = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    Expr **outer = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!inner || !outer) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        Expr *c = items[k];
        if (c->kind != EXPR_CALL || c->u.call.func != FN_EQ || c->u.call.n_args != 2)
            return not_supported(sub->pos, "correlated by other than equalities", err);
        bool o0, i0, o1, i1;
        classify(c->u.call.args[0], &made, &o0, &i0);
        classify(c->u.call.args[1], &made, &o1, &i1);
        if (i0 && !o0 && o1 && !i1) {
            inner[k] = c->u.call.args[0];
            outer[k] = c->u.call.args[1];
        } else if (i1 && !o1 && o0 && !i0) {
            inner[k] = c->u.call.args[1];
            outer[k] = c->u.call.args[0];
        } else {
            return not_supported(sub->pos, "correlated by other than equalities", err);
        }
    }
    /* The aggregation grouped by the inner keys; the projection passes the keys on. */
    agg->u.aggregate.group_index = b->next_table_index++;
    agg->u.aggregate.n_groups = n;
    agg->u.aggregate.groups = inner;
    BS_TRY(logical_resolve(agg, b->arena, err));
    int n_exprs = plan->u.project.n_exprs;
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_exprs + n));
    if (!exprs) return arena_error(b->arena, err);
    memcpy(exprs, plan->u.project.exprs, sizeof(Expr *) * (size_t)n_exprs);
    for (int k = 0; k < n; k++) {
        exprs[n_exprs + k] = expr_new_column(b->arena, agg->bindings[k], agg->types[k], sub->pos);
        if (!exprs[n_exprs + k]) return arena_error(b->arena, err);
    }
    plan->u.project.exprs = exprs;
    plan->u.project.n_exprs = n_exprs + n;
    BS_TRY(logical_resolve(plan, b->arena, err));
    Expr *cond = NULL;
    for (int k = 0; k < n; k++) {
        Expr *key = expr_new_column(b->arena, plan->bindings[n_exprs + k], plan->types[n_exprs + k],
                                    sub->pos);
        if (!key) return arena_error(b->arena, err);
        Expr *args[2] = {outer[k], key};
        Expr *eq;
        BS_TRY(binder_bind_scalar(b, FN_EQ, args, 2, sub->pos, &eq, err));
        cond = cond ? binder_make_and(b, cond, eq) : eq;
        if (!cond) return arena_error(b->arena, err);
    }
    /* A row without a group gets NULL (LEFT); in a condition that rejects NULL, INNER. */
    BS_TRY(join_onto(b, root, null_rejecting ? LJ_INNER : LJ_LEFT, plan, cond, 0, false, err));
    *out = expr_new_column(b->arena, plan->bindings[0], plan->types[0], sub->pos);
    return *out ? BS_OK : arena_error(b->arena, err);
}

static bool find_subquery(Expr *e, void *arg)
{
    if (e->kind == EXPR_SUBQUERY) {
        *(bool *)arg = true;
        return false;
    }
    return true;
}

bool expr_has_subquery(Expr *e)
{
    bool found = false;
    expr_visit(e, find_subquery, &found);
    return found;
}

/* Replaces every subquery inside *e (innermost first) by its join's column. */
static Status replace_all(Binder *b, LogicalOp **root, Expr **e, bool null_rejecting, Error *err)
{
    Expr *x = *e;
    switch (x->kind) {
    case EXPR_SUBQUERY: {
        BoundSubquery *sub = x->u.subquery.sub;
        if (sub->left && expr_has_subquery(sub->left))
            BS_TRY(replace_all(b, root, &sub->left, false, err));
        if (sub->kind == SUBQ_SCALAR) return plan_scalar(b, root, sub, null_rejecting, e, err);
        return plan_exists_in(b, root, sub, false, e, err);
    }
    case EXPR_CALL: {
        /* A comparison rejects NULL: its scalar subqueries may join as INNER. */
        bool cmp = x->u.call.func >= FN_EQ && x->u.call.func <= FN_GE && null_rejecting;
        for (int k = 0; k < x->u.call.n_args; k++)
            if (expr_has_subquery(x->u.call.args[k]))
                BS_TRY(replace_all(b, root, &x->u.call.args[k], cmp, err));
        return BS_OK;
    }
    case EXPR_CAST:
        return replace_all(b, root, &x->u.cast.arg, false, err);
    case EXPR_AND:
    case EXPR_OR:
        for (int k = 0; k < x->u.conj.n_args; k++)
            if (expr_has_subquery(x->u.conj.args[k]))
                BS_TRY(replace_all(b, root, &x->u.conj.args[k], false, err));
        return BS_OK;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return replace_all(b, root, &x->u.unary.arg, false, err);
    case EXPR_CASE:
        for (int k = 0; k < x->u.case_.n_whens; k++) {
            if (expr_has_subquery(x->u.case_.whens[k]))
                BS_TRY(replace_all(b, root, &x->u.case_.whens[k], false, err));
            if (expr_has_subquery(x->u.case_.thens[k]))
                BS_TRY(replace_all(b, root, &x->u.case_.thens[k], false, err));
        }
        if (expr_has_subquery(x->u.case_.else_expr))
            BS_TRY(replace_all(b, root, &x->u.case_.else_expr, false, err));
        return BS_OK;
    case EXPR_CONSTANT:
    case EXPR_COLUMN:
    case EXPR_AGGREGATE:
        return BS_OK;
    }
    return BS_OK;
}

Status bind_plan_subqueries(Binder *b, LogicalOp **root, Expr **e, bool filter, Error *err)
{
    if (!filter) return replace_all(b, root, e, false, err);
    Expr **items;
    int n;
    BS_TRY(split(b, *e, &items, &n, err));
    Expr **keep = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!keep) return arena_error(b->arena, err);
    int n_keep = 0;
    for (int k = 0; k < n; k++) {
        Expr *c = items[k];
        if (c->kind == EXPR_SUBQUERY && c->u.subquery.sub->kind != SUBQ_SCALAR) {
            BoundSubquery *sub = c->u.subquery.sub;
            if (sub->left && expr_has_subquery(sub->left))
                BS_TRY(replace_all(b, root, &sub->left, false, err));
            Expr *mark;
            BS_TRY(plan_exists_in(b, root, sub, true, &mark, err));
            if (mark) keep[n_keep++] = mark;
            continue;
        }
        if (expr_has_subquery(c)) BS_TRY(replace_all(b, root, &c, true, err));
        keep[n_keep++] = c;
    }
    *e = and_of(b, keep, n_keep);
    return BS_OK;
}
