/*
 * bind_dependent_join.c — a plan that reads columns of the rows it is joined with (a
 * correlated subquery, a LATERAL item) becomes ordinary joins: dependent-join flattening
 * (Neumann & Kemper, "Unnesting Arbitrary Queries", BTW 2015), as DuckDB does it.
 *
 *   outer ⋈dep P   =   outer ⋈[cond ∧ outer.c ≡ d] P'
 *
 *   D  the distinct values d of the correlated columns c among outer's rows
 *   P' P evaluated for every d at once: D is pushed down P's operators until what is below
 *      reads no c (there: a cross join with D); on the way every reference to c becomes
 *      one to d, and d is carried up:
 *        Filter, Project, Order           the child's d passes through (a Project adds it)
 *        Aggregate with groups            d is one more group
 *        Expand (GROUPING SETS)           d passes through, in every set
 *        Aggregate without groups         grouped by d, then D ⟕ it, so that a d whose
 *                                         input is empty still gets its one row (count 0,
 *                                         the other aggregates NULL)
 *        Limit [over Order]               row_number() over (partition by d order by …)
 *                                         kept in (offset, offset + limit]
 *        Window                           d is one more partition key
 *        Join                             into the sides that read c (and into the
 *                                         preserved side of an outer join whenever the
 *                                         other side reads c), joined on d ≡ d; a FULL
 *                                         join (under a projection) into both, d the
 *                                         coalesce of both sides' d
 *        Union                            into every child
 *
 * D is the aggregation, grouped by c, of a copy of outer (fresh table indexes) — or of the
 * part of it that makes every correlated column (below filters, on one side of an inner
 * join, on the preserved side of an outer one): a superset of the values, as good, since
 * the join back keeps only matching ones. ≡ is IS NOT DISTINCT FROM: an outer row whose
 * column is NULL gets the plan evaluated for NULL. The physical planner hashes on it.
 */
#include "planner/planner_int.h"

#include <string.h>

typedef struct Flatten {
    Binder *b;
    int n;                   /* correlated columns */
    ColumnBinding *params;   /* what the plan reads */
    Expr **values;           /* their values over d_source's outputs */
    const LogicalOp *d_source;
    int pos;
    const LogicalOp *done;   /* pushed already (a FULL join's projection), d in done_d */
    ColumnBinding *done_d;
} Flatten;

static bool is_param(const Flatten *f, ColumnBinding c, int *at)
{
    for (int k = 0; k < f->n; k++)
        if (f->params[k].table == c.table && f->params[k].column == c.column) {
            if (at) *at = k;
            return true;
        }
    return false;
}

typedef struct CorrCheck {
    const Flatten *f;
    bool found;
} CorrCheck;

static bool note_param(Expr *e, void *arg)
{
    CorrCheck *c = arg;
    if (e->kind == EXPR_COLUMN && is_param(c->f, e->u.column.binding, NULL)) {
        c->found = true;
        return false;
    }
    return true;
}

/* Whether op's tree reads a correlated column. */
static bool plan_correlated(const Flatten *f, const LogicalOp *op)
{
    CorrCheck c = {f, false};
    binder_visit_plan_exprs(op, note_param, &c);
    return c.found;
}

typedef struct Rewrite {
    const Flatten *f;
    const ColumnBinding *dcols;
} Rewrite;

static bool rewrite_param(Expr *e, void *arg)
{
    Rewrite *r = arg;
    int at;
    if (e->kind == EXPR_COLUMN && is_param(r->f, e->u.column.binding, &at))
        e->u.column.binding = r->dcols[at];
    return true;
}

/* Replaces (in place) every correlated column e reads by the d column carrying it. */
static void rewrite(const Flatten *f, Expr *e, const ColumnBinding *dcols)
{
    Rewrite r = {f, dcols};
    if (e) expr_visit(e, rewrite_param, &r);
}

static Status unsupported(const Flatten *f, const char *what, Error *err)
{
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, f->pos,
                     "correlated subqueries with %s are not supported yet", what);
}

static Expr *dcol(const Flatten *f, const ColumnBinding *dcols, int k)
{
    return expr_new_column(f->b->arena, dcols[k], f->values[k]->type, f->pos);
}

/* AND of a ≡ b over every correlated column (*cond extended). */
static Status add_not_distinct(const Flatten *f, Expr **cond, Expr *const *left,
                               const ColumnBinding *right, Error *err)
{
    Binder *b = f->b;
    for (int k = 0; k < f->n; k++) {
        Expr *args[2] = {left[k], dcol(f, right, k)};
        if (!args[0] || !args[1]) return arena_error(b->arena, err);
        Expr *eq;
        BS_TRY(binder_bind_scalar(b, FN_IS_NOT_DISTINCT, args, 2, f->pos, &eq, err));
        *cond = *cond ? binder_make_and(b, *cond, eq) : eq;
        if (!*cond) return arena_error(b->arena, err);
    }
    return BS_OK;
}

static Status dcol_exprs(const Flatten *f, const ColumnBinding *dcols, Expr ***out, Error *err)
{
    *out = arena_alloc(f->b->arena, sizeof(Expr *) * (size_t)f->n);
    if (!*out) return arena_error(f->b->arena, err);
    for (int k = 0; k < f->n; k++)
        if (!((*out)[k] = dcol(f, dcols, k))) return arena_error(f->b->arena, err);
    return BS_OK;
}

/* A fresh D: the distinct correlated values of a copy of d_source; dcols its columns. */
static Status make_d(const Flatten *f, LogicalOp **out, ColumnBinding *dcols, Error *err)
{
    Binder *b = f->b;
    IndexMap map = {0};
    LogicalOp *copy;
    BS_TRY(binder_copy_plan(b, f->d_source, &map, &copy, err));
    LogicalOp *agg = logical_create(b->arena, LOP_AGGREGATE, copy);
    Expr **groups = arena_alloc(b->arena, sizeof(Expr *) * (size_t)f->n);
    AggregateCall **aggs = arena_alloc(b->arena, sizeof(AggregateCall *));
    if (!agg || !groups || !aggs) return arena_error(b->arena, err);
    for (int k = 0; k < f->n; k++)
        BS_TRY(binder_copy_expr(b, f->values[k], &map, &groups[k], err));
    agg->u.aggregate.group_index = b->next_table_index++;
    agg->u.aggregate.agg_index = b->next_table_index++;
    agg->u.aggregate.n_groups = f->n;
    agg->u.aggregate.groups = groups;
    agg->u.aggregate.aggs = aggs;
    BS_TRY(logical_resolve(agg, b->arena, err));
    for (int k = 0; k < f->n; k++)
        dcols[k] = agg->bindings[k];
    *out = agg;
    return BS_OK;
}

static Status make_join(Binder *b, LogicalJoinType type, LogicalOp *l, LogicalOp *r, Expr *cond,
                        LogicalOp **out, Error *err)
{
    *out = logical_join(b->arena, type, l, r, cond);
    return *out ? BS_OK : arena_error(b->arena, err);
}

static Status push(const Flatten *f, LogicalOp *op, LogicalOp **out, ColumnBinding *dcols,
                   Error *err);

static Status push_child(const Flatten *f, LogicalOp *op, int k, ColumnBinding *dcols, Error *err)
{
    return push(f, op->children[k], &op->children[k], dcols, err);
}

/* An aggregation without groups: one row for every d, even one whose input is empty. */
static Status push_scalar_aggregate(const Flatten *f, LogicalOp *op, LogicalOp **out,
                                    ColumnBinding *dcols, Error *err)
{
    Binder *b = f->b;
    ColumnBinding *cd = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    if (!cd) return arena_error(b->arena, err);
    BS_TRY(push_child(f, op, 0, cd, err));
    int n_aggs = op->u.aggregate.n_aggs;
    for (int k = 0; k < n_aggs; k++) {
        AggregateCall *c = op->u.aggregate.aggs[k];
        rewrite(f, c->arg, cd);
        for (int o = 0; o < c->n_order; o++)
            rewrite(f, c->order[o].expr, cd);
    }
    uint32_t old_aggs = op->u.aggregate.agg_index;
    op->u.aggregate.agg_index = b->next_table_index++;
    op->u.aggregate.group_index = b->next_table_index++;
    op->u.aggregate.n_groups = f->n;
    BS_TRY(dcol_exprs(f, cd, &op->u.aggregate.groups, err));
    BS_TRY(logical_resolve(op, b->arena, err));
    LogicalOp *d;
    ColumnBinding *dd = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    if (!dd) return arena_error(b->arena, err);
    BS_TRY(make_d(f, &d, dd, err));
    Expr **dl;
    BS_TRY(dcol_exprs(f, dd, &dl, err));
    Expr *cond = NULL;
    ColumnBinding *groups = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    if (!groups) return arena_error(b->arena, err);
    for (int k = 0; k < f->n; k++)
        groups[k] = op->bindings[k];
    BS_TRY(add_not_distinct(f, &cond, dl, groups, err));
    LogicalOp *join;
    BS_TRY(make_join(b, LJ_LEFT, d, op, cond, &join, err));
    /* The aggregates under their old bindings (count of no rows: 0), then d. */
    LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, join);
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_aggs + f->n));
    if (!proj || !exprs) return arena_error(b->arena, err);
    for (int k = 0; k < n_aggs; k++) {
        const AggregateCall *c = op->u.aggregate.aggs[k];
        Expr *v = expr_new_column(b->arena, op->bindings[f->n + k], c->type, f->pos);
        if (!v) return arena_error(b->arena, err);
        if (c->func == AGG_COUNT || c->func == AGG_COUNT_STAR || c->func == AGG_APPROX_DISTINCT) {
            Value zero = {.type = c->type, .is_null = false};
            zero.u.i64 = 0;
            Expr *args[2] = {v, expr_new_constant(b->arena, &zero, f->pos)};
            if (!args[1]) return arena_error(b->arena, err);
            v = expr_new_call(b->arena, FN_COALESCE, c->type, args, 2, f->pos);
            if (!v) return arena_error(b->arena, err);
        }
        exprs[k] = v;
    }
    for (int k = 0; k < f->n; k++)
        exprs[n_aggs + k] = dl[k];
    proj->u.project.table_index = old_aggs;
    proj->u.project.n_exprs = n_aggs + f->n;
    proj->u.project.exprs = exprs;
    BS_TRY(logical_resolve(proj, b->arena, err));
    for (int k = 0; k < f->n; k++)
        dcols[k] = proj->bindings[n_aggs + k];
    *out = proj;
    return BS_OK;
}

/* LIMIT [OFFSET] over [ORDER BY]: the first rows of every d, by a row_number() window. */
static Status push_limit(const Flatten *f, LogicalOp *op, LogicalOp **out, ColumnBinding *dcols,
                         Error *err)
{
    Binder *b = f->b;
    if (op->u.limit.single_row) return unsupported(f, "a single-row guard", err);
    LogicalOp *base = op->children[0];
    LogicalSortKey *keys = NULL;
    int n_keys = 0;
    if (base->kind == LOP_ORDER) {
        n_keys = base->u.order.n_keys;
        keys = arena_memdup(b->arena, base->u.order.keys,
                            sizeof(LogicalSortKey) * (size_t)(n_keys ? n_keys : 1));
        if (!keys) return arena_error(b->arena, err);
        base = base->children[0];
    }
    LogicalOp *pushed;
    BS_TRY(push(f, base, &pushed, dcols, err));
    for (int k = 0; k < n_keys; k++)
        rewrite(f, keys[k].expr, dcols);
    Expr **parts;
    BS_TRY(dcol_exprs(f, dcols, &parts, err));
    BS_TRY(binder_row_number(b, &pushed, parts, f->n, keys, n_keys, err));
    ColumnBinding rn_at = pushed->bindings[pushed->n_out - 1];
    int64_t lo = op->u.limit.offset, lim = op->u.limit.limit;
    Expr *pred = NULL;
    for (int side = 0; side < 2; side++) {
        if (side == 0 && lo <= 0) continue;
        if (side == 1 && lim < 0) continue;
        Value bound = value_bigint(side == 0 ? lo : lo + lim);
        Expr *args[2] = {expr_new_column(b->arena, rn_at, type_make(TYPE_BIGINT), f->pos),
                         expr_new_constant(b->arena, &bound, f->pos)};
        if (!args[0] || !args[1]) return arena_error(b->arena, err);
        Expr *cmp;
        BS_TRY(binder_bind_scalar(b, side == 0 ? FN_GT : FN_LE, args, 2, f->pos, &cmp, err));
        pred = pred ? binder_make_and(b, pred, cmp) : cmp;
        if (!pred) return arena_error(b->arena, err);
    }
    if (!pred) {
        *out = pushed;
        return BS_OK;
    }
    LogicalOp *filter = logical_create(b->arena, LOP_FILTER, pushed);
    if (!filter) return arena_error(b->arena, err);
    filter->u.filter.predicate = pred;
    BS_TRY(logical_resolve(filter, b->arena, err));
    *out = filter;
    return BS_OK;
}

static Status push_join(const Flatten *f, LogicalOp *op, ColumnBinding *dcols, Error *err)
{
    Binder *b = f->b;
    LogicalJoinType t = op->u.join.type;
    bool lc = plan_correlated(f, op->children[0]), rc = plan_correlated(f, op->children[1]);
    bool pl, pr;
    switch (t) {
    case LJ_INNER:
        pr = rc;
        pl = lc || !rc;
        break;
    case LJ_LEFT:
    case LJ_SEMI:
    case LJ_ANTI:
    case LJ_MARK:
        pl = true;
        pr = rc;
        break;
    case LJ_RIGHT:
        pl = lc;
        pr = true;
        break;
    default: {
        /* An empty grouping set's row over no input is a FULL join on the set number. */
        const LogicalOp *l = op->children[0];
        bool empty_set = l->kind == LOP_AGGREGATE && l->children[0]->kind == LOP_EXPAND;
        return unsupported(f, empty_set ? "ROLLUP, CUBE or an empty grouping set" : "a FULL join",
                           err);
    }
    }
    if (pr && t == LJ_MARK && op->u.join.null_aware)
        return unsupported(f, "NOT IN over a correlated subquery inside", err);
    ColumnBinding *dl = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    ColumnBinding *dr = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    if (!dl || !dr) return arena_error(b->arena, err);
    if (pl) BS_TRY(push_child(f, op, 0, dl, err));
    if (pr) BS_TRY(push_child(f, op, 1, dr, err));
    rewrite(f, op->u.join.condition, pl ? dl : dr);
    if (pl && pr) {
        Expr **left;
        BS_TRY(dcol_exprs(f, dl, &left, err));
        BS_TRY(add_not_distinct(f, &op->u.join.condition, left, dr, err));
    }
    BS_TRY(logical_resolve(op, b->arena, err));
    memcpy(dcols, t == LJ_RIGHT || !pl ? dr : dl, sizeof(ColumnBinding) * (size_t)f->n);
    return BS_OK;
}

typedef struct Remap {
    const LogicalOp *from, *to; /* from's outputs are to's first ones */
} Remap;

static bool remap_column(Expr *e, void *arg)
{
    const Remap *r = arg;
    if (e->kind != EXPR_COLUMN) return true;
    for (int k = 0; k < r->from->n_out; k++)
        if (r->from->bindings[k].table == e->u.column.binding.table &&
            r->from->bindings[k].column == e->u.column.binding.column) {
            e->u.column.binding = r->to->bindings[k];
            break;
        }
    return true;
}

/*
 * A FULL join under a projection (through filters): D into both sides, joined on d ≡ d
 * too, and a projection over it of its columns and coalesce(d left, d right) — a row of
 * one side alone has the other's d NULL, and where its own is NULL both are. The
 * projection, filters and join between *slot's owner and the join read the join's
 * columns: they are remapped to the new projection's. f->done marks it pushed.
 */
static Status push_full_join(Flatten *f, LogicalOp *top, LogicalOp **slot, Error *err)
{
    Binder *b = f->b;
    LogicalOp *join = *slot;
    ColumnBinding *dl = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    ColumnBinding *dr = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    f->done_d = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    if (!dl || !dr || !f->done_d) return arena_error(b->arena, err);
    BS_TRY(push_child(f, join, 0, dl, err));
    BS_TRY(push_child(f, join, 1, dr, err));
    rewrite(f, join->u.join.condition, dl);
    Expr **left;
    BS_TRY(dcol_exprs(f, dl, &left, err));
    BS_TRY(add_not_distinct(f, &join->u.join.condition, left, dr, err));
    BS_TRY(logical_resolve(join, b->arena, err));
    int n = join->n_out;
    LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, join);
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + f->n));
    if (!proj || !exprs) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++)
        if (!(exprs[k] = expr_new_column(b->arena, join->bindings[k], join->types[k], f->pos)))
            return arena_error(b->arena, err);
    for (int k = 0; k < f->n; k++) {
        Expr *pair[2] = {dcol(f, dl, k), dcol(f, dr, k)};
        if (!pair[0] || !pair[1]) return arena_error(b->arena, err);
        BS_TRY(binder_bind_scalar(b, FN_COALESCE, pair, 2, f->pos, &exprs[n + k], err));
    }
    proj->u.project.table_index = b->next_table_index++;
    proj->u.project.n_exprs = n + f->n;
    proj->u.project.exprs = exprs;
    BS_TRY(logical_resolve(proj, b->arena, err));
    for (int k = 0; k < f->n; k++)
        f->done_d[k] = proj->bindings[n + k];
    Remap r = {join, proj};
    for (LogicalOp *op = top; op != join; op = op->children[0]) {
        if (op->kind == LOP_PROJECT) {
            for (int k = 0; k < op->u.project.n_exprs; k++)
                expr_visit(op->u.project.exprs[k], remap_column, &r);
        } else if (op->kind == LOP_AGGREGATE) {
            for (int k = 0; k < op->u.aggregate.n_groups; k++)
                expr_visit(op->u.aggregate.groups[k], remap_column, &r);
            for (int k = 0; k < op->u.aggregate.n_aggs; k++) {
                AggregateCall *c = op->u.aggregate.aggs[k];
                if (c->arg) expr_visit(c->arg, remap_column, &r);
                for (int o = 0; o < c->n_order; o++)
                    expr_visit(c->order[o].expr, remap_column, &r);
            }
        } else {
            expr_visit(op->u.filter.predicate, remap_column, &r);
        }
    }
    *slot = proj;
    f->done = proj;
    return BS_OK;
}

/* A correlated FULL join under op (a projection or aggregation, through filters): pushed. */
static Status prepare_full_join(const Flatten *f, LogicalOp *op, Error *err)
{
    LogicalOp **slot = &op->children[0];
    while ((*slot)->kind == LOP_FILTER)
        slot = &(*slot)->children[0];
    if ((*slot)->kind != LOP_JOIN || (*slot)->u.join.type != LJ_FULL || !plan_correlated(f, *slot))
        return BS_OK;
    return push_full_join((Flatten *)f, op, slot, err);
}

static Status push_union(const Flatten *f, LogicalOp *op, ColumnBinding *dcols, Error *err)
{
    Binder *b = f->b;
    int n_cols = op->n_out;
    ColumnBinding *cd = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)f->n);
    if (!cd) return arena_error(b->arena, err);
    for (int c = 0; c < op->n_children; c++) {
        LogicalOp *child = op->children[c];
        /* The child's own columns, in order, then d. */
        Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_cols + f->n));
        if (!exprs) return arena_error(b->arena, err);
        for (int k = 0; k < n_cols; k++)
            if (!(exprs[k] = expr_new_column(b->arena, child->bindings[k], child->types[k], f->pos)))
                return arena_error(b->arena, err);
        LogicalOp *pushed;
        BS_TRY(push(f, child, &pushed, cd, err));
        for (int k = 0; k < f->n; k++)
            if (!(exprs[n_cols + k] = dcol(f, cd, k))) return arena_error(b->arena, err);
        LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, pushed);
        if (!proj) return arena_error(b->arena, err);
        proj->u.project.table_index = b->next_table_index++;
        proj->u.project.n_exprs = n_cols + f->n;
        proj->u.project.exprs = exprs;
        BS_TRY(logical_resolve(proj, b->arena, err));
        op->children[c] = proj;
    }
    BS_TRY(logical_resolve(op, b->arena, err));
    for (int k = 0; k < f->n; k++)
        dcols[k] = op->bindings[n_cols + k];
    return BS_OK;
}

static bool holds(const LogicalOp *op, const LogicalOp *node)
{
    if (!node) return false;
    if (op == node) return true;
    for (int k = 0; k < op->n_children; k++)
        if (holds(op->children[k], node)) return true;
    return false;
}

/*
 * P' of op: *out computes op for every d (op's bindings keep their meaning), dcols[k]
 * the binding of its column carrying correlated column k.
 */
static Status push(const Flatten *f, LogicalOp *op, LogicalOp **out, ColumnBinding *dcols,
                   Error *err)
{
    Binder *b = f->b;
    if (++b->depth > BINDER_MAX_DEPTH)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, f->pos, "query is too deeply nested");
    Status st = BS_OK;
    *out = op;
    if (op == f->done) {
        memcpy(dcols, f->done_d, sizeof(ColumnBinding) * (size_t)f->n);
        b->depth--;
        return BS_OK;
    }
    if (!plan_correlated(f, op) && !holds(op, f->done)) {
        /* Nothing below reads c: every d with every row. */
        LogicalOp *d;
        st = make_d(f, &d, dcols, err);
        if (st == BS_OK) st = make_join(b, LJ_INNER, d, op, NULL, out, err);
        b->depth--;
        return st;
    }
    switch (op->kind) {
    case LOP_FILTER:
        st = push_child(f, op, 0, dcols, err);
        if (st == BS_OK) rewrite(f, op->u.filter.predicate, dcols);
        break;
    case LOP_ORDER:
        st = push_child(f, op, 0, dcols, err);
        for (int k = 0; st == BS_OK && k < op->u.order.n_keys; k++)
            rewrite(f, op->u.order.keys[k].expr, dcols);
        break;
    case LOP_PROJECT: {
        st = prepare_full_join(f, op, err);
        if (st == BS_OK) st = push_child(f, op, 0, dcols, err);
        if (st != BS_OK) break;
        int n = op->u.project.n_exprs;
        Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + f->n));
        if (!exprs) {
            st = arena_error(b->arena, err);
            break;
        }
        for (int k = 0; k < n; k++) {
            exprs[k] = op->u.project.exprs[k];
            rewrite(f, exprs[k], dcols);
        }
        for (int k = 0; k < f->n && st == BS_OK; k++)
            if (!(exprs[n + k] = dcol(f, dcols, k))) st = arena_error(b->arena, err);
        op->u.project.exprs = exprs;
        op->u.project.n_exprs = n + f->n;
        if (st == BS_OK) st = logical_resolve(op, b->arena, err);
        for (int k = 0; k < f->n; k++)
            dcols[k] = (ColumnBinding){op->u.project.table_index, (uint32_t)(n + k)};
        break;
    }
    case LOP_EXPAND:
        /* d passes through (the child's columns), in every set. */
        st = push_child(f, op, 0, dcols, err);
        for (int k = 0; st == BS_OK && k < op->u.expand.n_groups; k++)
            rewrite(f, op->u.expand.groups[k], dcols);
        if (st == BS_OK) st = logical_resolve(op, b->arena, err);
        break;
    case LOP_AGGREGATE: {
        st = prepare_full_join(f, op, err);
        if (st != BS_OK) break;
        int n = op->u.aggregate.n_groups;
        if (n == 0) {
            st = push_scalar_aggregate(f, op, out, dcols, err);
            break;
        }
        st = push_child(f, op, 0, dcols, err);
        if (st != BS_OK) break;
        Expr **groups = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + f->n));
        if (!groups) {
            st = arena_error(b->arena, err);
            break;
        }
        for (int k = 0; k < n; k++) {
            groups[k] = op->u.aggregate.groups[k];
            rewrite(f, groups[k], dcols);
        }
        for (int k = 0; k < f->n && st == BS_OK; k++)
            if (!(groups[n + k] = dcol(f, dcols, k))) st = arena_error(b->arena, err);
        for (int k = 0; k < op->u.aggregate.n_aggs; k++) {
            AggregateCall *c = op->u.aggregate.aggs[k];
            rewrite(f, c->arg, dcols);
            for (int o = 0; o < c->n_order; o++)
                rewrite(f, c->order[o].expr, dcols);
        }
        op->u.aggregate.groups = groups;
        op->u.aggregate.n_groups = n + f->n;
        if (st == BS_OK) st = logical_resolve(op, b->arena, err);
        for (int k = 0; k < f->n; k++)
            dcols[k] = (ColumnBinding){op->u.aggregate.group_index, (uint32_t)(n + k)};
        break;
    }
    case LOP_LIMIT:
        st = push_limit(f, op, out, dcols, err);
        break;
    case LOP_UNNEST: /* the child's columns pass through: d with them */
        st = push_child(f, op, 0, dcols, err);
        for (int k = 0; st == BS_OK && k < op->u.unnest.n_arrays; k++)
            rewrite(f, op->u.unnest.arrays[k], dcols);
        if (st == BS_OK) st = logical_resolve(op, b->arena, err);
        break;
    case LOP_WINDOW: {
        st = push_child(f, op, 0, dcols, err);
        if (st != BS_OK) break;
        for (int w = 0; w < op->u.window.n_funcs && st == BS_OK; w++) {
            WindowCall *call = op->u.window.funcs[w];
            for (int k = 0; k < call->n_args; k++)
                rewrite(f, call->args[k], dcols);
            for (int k = 0; k < call->n_order; k++)
                rewrite(f, call->order[k].expr, dcols);
            int np = call->n_partitions;
            Expr **parts = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(np + f->n));
            if (!parts) {
                st = arena_error(b->arena, err);
                break;
            }
            for (int k = 0; k < np; k++) {
                parts[k] = call->partitions[k];
                rewrite(f, parts[k], dcols);
            }
            for (int k = 0; k < f->n && st == BS_OK; k++)
                if (!(parts[np + k] = dcol(f, dcols, k))) st = arena_error(b->arena, err);
            call->partitions = parts;
            call->n_partitions = np + f->n;
        }
        if (st == BS_OK) st = logical_resolve(op, b->arena, err);
        break;
    }
    case LOP_JOIN:
        st = push_join(f, op, dcols, err);
        break;
    case LOP_UNION:
        st = push_union(f, op, dcols, err);
        break;
    case LOP_VALUES:
        st = unsupported(f, "VALUES that read the outer query", err);
        break;
    case LOP_RANGE:
        st = unsupported(f, "a table function whose arguments read the outer query", err);
        break;
    case LOP_RECURSIVE_CTE:
    case LOP_CTE_SCAN:
        st = unsupported(f, "WITH RECURSIVE", err);
        break;
    default:
        st = unsupported(f, "this operator", err);
        break;
    }
    if (st == BS_OK && (op->kind == LOP_FILTER || op->kind == LOP_ORDER))
        st = logical_resolve(op, b->arena, err);
    b->depth--;
    return st;
}

typedef struct ParamScan {
    Arena *arena;
    const LogicalOp *root;
    ColumnBinding *items;
    LogicalType *types;
    int count, capacity;
    bool failed;
} ParamScan;

static bool note_outer(Expr *e, void *arg)
{
    ParamScan *s = arg;
    if (e->kind != EXPR_COLUMN) return true;
    ColumnBinding c = e->u.column.binding;
    bool made = false;
    for (int k = 0; k < s->root->n_out && !made; k++)
        made = s->root->bindings[k].table == c.table && s->root->bindings[k].column == c.column;
    if (!made) return true;
    for (int k = 0; k < s->count; k++)
        if (s->items[k].table == c.table && s->items[k].column == c.column) return true;
    if (s->count == s->capacity) {
        int cap = s->capacity ? s->capacity * 2 : 8;
        ColumnBinding *items = arena_grow(s->arena, s->items, sizeof(ColumnBinding) * (size_t)s->capacity,
                                          sizeof(ColumnBinding) * (size_t)cap);
        LogicalType *types = arena_grow(s->arena, s->types, sizeof(LogicalType) * (size_t)s->capacity,
                                        sizeof(LogicalType) * (size_t)cap);
        if (!items || !types) {
            s->failed = true;
            return false;
        }
        s->items = items;
        s->types = types;
        s->capacity = cap;
    }
    s->items[s->count] = c;
    s->types[s->count++] = e->type;
    return true;
}

typedef struct Within {
    const LogicalOp *side;
    bool ok;
} Within;

static bool check_within(Expr *e, void *arg)
{
    Within *w = arg;
    if (e->kind != EXPR_COLUMN) return true;
    bool found = false;
    for (int k = 0; k < w->side->n_out && !found; k++)
        found = w->side->bindings[k].table == e->u.column.binding.table &&
                w->side->bindings[k].column == e->u.column.binding.column;
    if (!found) w->ok = false;
    return w->ok;
}

static bool values_within(const Flatten *f, const LogicalOp *side)
{
    Within w = {side, true};
    for (int k = 0; k < f->n && w.ok; k++)
        expr_visit(f->values[k], check_within, &w);
    return w.ok;
}

/* The smallest part of root whose rows hold every value of the correlated columns. */
static const LogicalOp *value_source(const Flatten *f, const LogicalOp *root)
{
    for (;;) {
        if (root->kind == LOP_FILTER && values_within(f, root->children[0])) {
            root = root->children[0];
            continue;
        }
        if (root->kind != LOP_JOIN) return root;
        LogicalJoinType t = root->u.join.type;
        bool left_ok = t != LJ_RIGHT && t != LJ_FULL, right_ok = t == LJ_INNER || t == LJ_RIGHT;
        if (left_ok && values_within(f, root->children[0]))
            root = root->children[0];
        else if (right_ok && values_within(f, root->children[1]))
            root = root->children[1];
        else
            return root;
    }
}

Status binder_dependent_join(Binder *b, LogicalOp **root, LogicalOp *plan, const DependentJoin *dj,
                             Error *err)
{
    ParamScan scan = {.arena = b->arena, .root = *root};
    binder_visit_plan_exprs(plan, note_outer, &scan);
    if (scan.failed) return arena_error(b->arena, err);
    int n = scan.count + dj->n_params;
    Flatten f = {b, n, NULL, NULL, NULL, dj->pos, NULL, NULL};
    f.params = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)(n ? n : 1));
    f.values = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    if (!f.params || !f.values) return arena_error(b->arena, err);
    for (int k = 0; k < scan.count; k++) {
        f.params[k] = scan.items[k];
        f.values[k] = expr_new_column(b->arena, scan.items[k], scan.types[k], dj->pos);
        if (!f.values[k]) return arena_error(b->arena, err);
    }
    for (int k = 0; k < dj->n_params; k++) {
        f.params[scan.count + k] = dj->params[k];
        f.values[scan.count + k] = dj->values[k];
    }
    Expr *cond = dj->cond;
    LogicalOp *right = plan;
    if (n > 0) {
        f.d_source = value_source(&f, *root);
        ColumnBinding *dcols = arena_alloc(b->arena, sizeof(ColumnBinding) * (size_t)n);
        if (!dcols) return arena_error(b->arena, err);
        BS_TRY(push(&f, plan, &right, dcols, err));
        BS_TRY(add_not_distinct(&f, &cond, f.values, dcols, err));
    }
    LogicalOp *j = arena_alloc_zero(b->arena, sizeof *j);
    LogicalOp **children = arena_alloc(b->arena, sizeof(LogicalOp *) * 2);
    if (!j || !children) return arena_error(b->arena, err);
    children[0] = *root;
    children[1] = right;
    j->kind = LOP_JOIN;
    j->n_children = 2;
    j->children = children;
    j->est_rows = -1;
    j->u.join.type = dj->type;
    j->u.join.condition = cond;
    j->u.join.mark_index = dj->mark_index;
    j->u.join.single_match = dj->single_match;
    BS_TRY(logical_resolve(j, b->arena, err));
    *root = j;
    return BS_OK;
}

Status binder_outer_join_subqueries(Binder *b, LogicalJoinType type, LogicalOp **left,
                                    LogicalOp **right, Expr **condition, int pos,
                                    LogicalOp **join, Error *err)
{
    *join = NULL;
    if (type == LJ_FULL)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, pos,
                         "subqueries in the ON condition of a FULL join are not supported yet");
    bool right_kept = type == LJ_RIGHT;
    LogicalOp **kept = right_kept ? right : left, **padded = right_kept ? left : right;
    bool ok;
    BS_TRY(binder_subqueries_within(b, *condition, *padded, &ok, err));
    if (ok) return bind_plan_subqueries(b, padded, condition, false, err);
    BS_TRY(binder_subqueries_within(b, *condition, *kept, &ok, err));
    if (ok) return bind_plan_subqueries(b, kept, condition, false, err);
    /* kept ⟕ padded on c1 ∧ c2(subqueries) = kept ⟕dep σ[c2](padded) on c1: for every kept
       row, the padded rows the subqueries' conjuncts accept (D is distinct, so a kept row
       meets each once). */
    Expr *cond = *condition, *on = NULL, *filter = NULL;
    int n = cond->kind == EXPR_AND ? cond->u.conj.n_args : 1;
    for (int k = 0; k < n; k++) {
        Expr *c = cond->kind == EXPR_AND ? cond->u.conj.args[k] : cond;
        Expr **to = expr_has_subquery(c) ? &filter : &on;
        *to = *to ? binder_make_and(b, *to, c) : c;
        if (!*to) return arena_error(b->arena, err);
    }
    BS_TRY(bind_plan_subqueries(b, padded, &filter, true, err));
    LogicalOp *side = *padded;
    if (filter) {
        side = logical_create(b->arena, LOP_FILTER, *padded);
        if (!side) return arena_error(b->arena, err);
        side->u.filter.predicate = filter;
        BS_TRY(logical_resolve(side, b->arena, err));
    }
    LogicalOp *root = *kept;
    DependentJoin dj = {LJ_LEFT, on, 0, false, 0, NULL, NULL, pos};
    BS_TRY(binder_dependent_join(b, &root, side, &dj, err));
    *condition = NULL;
    *join = root;
    return BS_OK;
}
