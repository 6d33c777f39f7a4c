/*
 * bind_subquery.c — subqueries in expressions become joins, never re-execution per row.
 *
 *   EXISTS / NOT EXISTS, a top-level conjunct of WHERE or HAVING   SEMI / ANTI join
 *   x IN (…), a top-level conjunct                                  SEMI join on x = column
 *   x NOT IN (…), or IN / EXISTS elsewhere in an expression         MARK join (null-aware for
 *                                                                   IN); the mark replaces it
 *   (SELECT agg(…) …) uncorrelated                                  join with its one row
 *   (SELECT x …) uncorrelated, any other query                      join with its one row,
 *                                                                   which EnforceSingleRow
 *                                                                   checks (21000 for two)
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

void binder_visit_plan_exprs(const LogicalOp *op, ExprVisitor fn, void *arg)
{
    switch (op->kind) {
    case LOP_FILTER:
        expr_visit(op->u.filter.predicate, fn, arg);
        break;
    case LOP_PROJECT:
        for (int k = 0; k < op->u.project.n_exprs; k++)
            expr_visit(op->u.project.exprs[k], fn, arg);
        break;
    case LOP_AGGREGATE:
        for (int k = 0; k < op->u.aggregate.n_groups; k++)
            expr_visit(op->u.aggregate.groups[k], fn, arg);
        for (int k = 0; k < op->u.aggregate.n_aggs; k++) {
            expr_visit(op->u.aggregate.aggs[k]->arg, fn, arg);
            for (int o = 0; o < op->u.aggregate.aggs[k]->n_order; o++)
                expr_visit(op->u.aggregate.aggs[k]->order[o].expr, fn, arg);
        }
        break;
    case LOP_ORDER:
        for (int k = 0; k < op->u.order.n_keys; k++)
            expr_visit(op->u.order.keys[k].expr, fn, arg);
        break;
    case LOP_WINDOW:
        logical_window_visit((LogicalOp *)op, fn, arg);
        break;
    case LOP_EXPAND:
        for (int k = 0; k < op->u.expand.n_groups; k++)
            expr_visit(op->u.expand.groups[k], fn, arg);
        break;
    case LOP_UNNEST:
        for (int k = 0; k < op->u.unnest.n_arrays; k++)
            expr_visit(op->u.unnest.arrays[k], fn, arg);
        break;
    case LOP_JOIN:
        expr_visit(op->u.join.condition, fn, arg);
        break;
    case LOP_VALUES:
        for (int r = 0; r < op->u.values.n_rows; r++)
            for (int c = 0; c < op->u.values.n_cols; c++)
                expr_visit(op->u.values.rows[r][c], fn, arg);
        break;
    case LOP_RANGE:
        expr_visit(op->u.range.start, fn, arg);
        expr_visit(op->u.range.stop, fn, arg);
        if (op->u.range.step) expr_visit(op->u.range.step, fn, arg);
        break;
    default:
        break;
    }
    for (int k = 0; k < op->n_children; k++)
        binder_visit_plan_exprs(op->children[k], fn, arg);
}

static void note_made(const LogicalOp *op, Bindings *made)
{
    for (int k = 0; k < op->n_out; k++)
        bindings_add(made, op->bindings[k]);
    for (int k = 0; k < op->n_children; k++)
        note_made(op->children[k], made);
}

/* Every binding the expressions of op's tree read, and every one its operators produce. */
static void collect(const LogicalOp *op, Bindings *read, Bindings *made)
{
    note_made(op, made);
    binder_visit_plan_exprs(op, note_ref, read);
}

typedef struct GroupedRefs {
    const Bindings *made;
    const Scope *scope;     /* the grouped query's FROM scope */
    const LogicalOp *agg;
    const char *ungrouped;  /* a local column that is no group key, for the error */
    int ungrouped_pos;
} GroupedRefs;

static bool rebind_grouped(Expr *e, void *arg)
{
    GroupedRefs *g = arg;
    if (e->kind != EXPR_COLUMN || bindings_has(g->made, e->u.column.binding)) return true;
    ColumnBinding c = e->u.column.binding;
    for (int k = 0; k < g->agg->u.aggregate.n_groups; k++) {
        const Expr *key = g->agg->u.aggregate.groups[k];
        if (key->kind == EXPR_COLUMN && key->u.column.binding.table == c.table &&
            key->u.column.binding.column == c.column) {
            e->u.column.binding = (ColumnBinding){g->agg->u.aggregate.group_index, (uint32_t)k};
            return true;
        }
    }
    for (int k = 0; k < g->scope->n_cols && !g->ungrouped; k++)
        if (g->scope->cols[k].binding.table == c.table &&
            g->scope->cols[k].binding.column == c.column) {
            g->ungrouped = g->scope->cols[k].name;
            g->ungrouped_pos = e->pos;
        }
    return true;
}

Status binder_rebind_grouped_subquery(Binder *b, BoundSubquery *sub, const LogicalOp *agg,
                                      const Scope *scope, Error *err)
{
    Bindings made = {.arena = b->arena};
    note_made(sub->plan, &made);
    if (made.failed) return arena_error(b->arena, err);
    GroupedRefs g = {&made, scope, agg, NULL, -1};
    binder_visit_plan_exprs(sub->plan, rebind_grouped, &g);
    if (g.ungrouped)
        return error_set(err, SQLSTATE_GROUPING_ERROR, g.ungrouped_pos >= 0 ? g.ungrouped_pos : sub->pos,
                         "subquery uses ungrouped column \"%s\" from outer query", g.ungrouped);
    return BS_OK;
}

typedef struct SideCheck {
    Arena *arena;
    const LogicalOp *side;
    bool ok, failed;
} SideCheck;

static bool in_side(const LogicalOp *side, ColumnBinding c)
{
    for (int k = 0; k < side->n_out; k++)
        if (side->bindings[k].table == c.table && side->bindings[k].column == c.column) return true;
    return false;
}

static bool check_left_ref(Expr *e, void *arg)
{
    SideCheck *s = arg;
    if (e->kind == EXPR_COLUMN && !in_side(s->side, e->u.column.binding)) s->ok = false;
    return true;
}

static bool check_side_refs(Expr *e, void *arg)
{
    SideCheck *s = arg;
    if (e->kind != EXPR_SUBQUERY) return true;
    BoundSubquery *sub = e->u.subquery.sub;
    Bindings read = {.arena = s->arena}, made = {.arena = s->arena};
    collect(sub->plan, &read, &made);
    s->failed |= read.failed || made.failed;
    for (int k = 0; k < read.count; k++)
        if (!bindings_has(&made, read.items[k]) && !in_side(s->side, read.items[k])) s->ok = false;
    if (sub->left) expr_visit(sub->left, check_left_ref, s);
    return true;
}

Status binder_subqueries_within(Binder *b, Expr *e, const LogicalOp *side, bool *ok, Error *err)
{
    SideCheck s = {b->arena, side, true, false};
    expr_visit(e, check_side_refs, &s);
    if (s.failed) return arena_error(b->arena, err);
    *ok = s.ok;
    return BS_OK;
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

/* Whether c is inner expression = outer expression (either way round). */
static bool is_inner_outer_eq(Expr *c, const Bindings *made)
{
    if (c->kind != EXPR_CALL || c->u.call.func != FN_EQ || c->u.call.n_args != 2) return false;
    bool o0, i0, o1, i1;
    classify(c->u.call.args[0], made, &o0, &i0);
    classify(c->u.call.args[1], made, &o1, &i1);
    return (i0 && !o0 && o1 && !i1) || (i1 && !o1 && o0 && !i0);
}

/*
 * Takes the correlated conjuncts out of the WHERE filter of a subquery plan
 * (Project → [Aggregate →] Filter → …): *corr gets them, the filter keeps the rest (or
 * goes). When correlation is anywhere else — or, with `equalities`, a correlated conjunct
 * is not inner = outer — the plan stays as it was and *ok is false: the caller takes the
 * general way (binder_dependent_join).
 */
static Status extract_correlation(Binder *b, LogicalOp *project, const Bindings *made,
                                  bool equalities, Expr **corr, bool *ok, Error *err)
{
    *corr = NULL;
    *ok = false;
    if (project->kind != LOP_PROJECT) return BS_OK;
    LogicalOp **slot = &project->children[0];
    if ((*slot)->kind == LOP_AGGREGATE) {
        if ((*slot)->u.aggregate.n_groups > 0) return BS_OK;
        slot = &(*slot)->children[0];
    }
    if ((*slot)->kind != LOP_FILTER) return BS_OK;
    LogicalOp *filter = *slot;
    Expr *original = filter->u.filter.predicate;
    Expr **items;
    int n;
    BS_TRY(split(b, original, &items, &n, err));
    Expr **keep = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    Expr **take = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!keep || !take) return arena_error(b->arena, err);
    int n_keep = 0, n_take = 0;
    for (int k = 0; k < n; k++) {
        bool outer, inner;
        classify(items[k], made, &outer, &inner);
        if (outer) {
            if (equalities && !is_inner_outer_eq(items[k], made)) return BS_OK;
            take[n_take++] = items[k];
        } else {
            keep[n_keep++] = items[k];
        }
    }
    if (n_keep == 0)
        *slot = filter->children[0];
    else
        filter->u.filter.predicate = and_of(b, keep, n_keep);
    /* Nothing else may read the enclosing query. */
    Bindings read = {.arena = b->arena}, inner_made = {.arena = b->arena};
    collect(project, &read, &inner_made);
    if (read.failed || inner_made.failed) return arena_error(b->arena, err);
    for (int k = 0; k < read.count; k++)
        if (!bindings_has(made, read.items[k])) {
            *slot = filter;
            filter->u.filter.predicate = original;
            return BS_OK;
        }
    *corr = and_of(b, take, n_take);
    *ok = true;
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

static Expr *new_bool(Binder *b, int v, int pos)
{
    Value val = v < 0 ? value_null(type_make(TYPE_BOOLEAN)) : value_boolean(v != 0);
    return expr_new_constant(b->arena, &val, pos);
}

/* CASE WHEN whens[0] THEN thens[0] … ELSE else_expr END (BOOLEAN). */
static Status make_case(Binder *b, Expr **whens, Expr **thens, int n, Expr *else_expr, int pos,
                        Expr **out, Error *err)
{
    Expr *c = expr_new(b->arena, EXPR_CASE, type_make(TYPE_BOOLEAN), pos);
    Expr **w = arena_memdup(b->arena, whens, sizeof(Expr *) * (size_t)n);
    Expr **t = arena_memdup(b->arena, thens, sizeof(Expr *) * (size_t)n);
    if (!c || !w || !t || !else_expr) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++)
        if (!w[k] || !t[k]) return arena_error(b->arena, err);
    c->u.case_.n_whens = n;
    c->u.case_.whens = w;
    c->u.case_.thens = t;
    c->u.case_.else_expr = else_expr;
    *out = c;
    return BS_OK;
}

static Status compare(Binder *b, ScalarFuncId f, Expr *l, Expr *r, int pos, Expr **out, Error *err)
{
    Expr *args[2] = {l, r};
    return binder_bind_scalar(b, f, args, 2, pos, out, err);
}

/* An aggregation without groups over `plan` computing calls[0..n). */
static Status aggregate_over(Binder *b, LogicalOp *plan, AggregateCall **calls, int n,
                             LogicalOp **out, Error *err)
{
    LogicalOp *agg = logical_create(b->arena, LOP_AGGREGATE, plan);
    AggregateCall **aggs = arena_memdup(b->arena, calls, sizeof(AggregateCall *) * (size_t)n);
    Expr **groups = arena_alloc(b->arena, sizeof(Expr *));
    if (!agg || !aggs || !groups) return arena_error(b->arena, err);
    agg->u.aggregate.group_index = b->next_table_index++;
    agg->u.aggregate.agg_index = b->next_table_index++;
    agg->u.aggregate.groups = groups;
    agg->u.aggregate.n_aggs = n;
    agg->u.aggregate.aggs = aggs;
    BS_TRY(logical_resolve(agg, b->arena, err));
    *out = agg;
    return BS_OK;
}

static Expr *agg_column(Binder *b, const LogicalOp *agg, int k, int pos)
{
    return expr_new_column(b->arena, (ColumnBinding){agg->u.aggregate.agg_index, (uint32_t)k},
                           agg->u.aggregate.aggs[k]->type, pos);
}

/*
 * x op ANY|ALL (correlated subquery) by counting, per outer row, the comparisons that are
 * true and those that are false: x is one more correlated value (a placeholder the
 * subquery reads), so the counts come from one aggregation decorrelated with the rest.
 *   ANY: CASE WHEN n_true > 0 THEN TRUE WHEN n_true + n_false < n THEN NULL ELSE FALSE END
 *   ALL: CASE WHEN n_false > 0 THEN FALSE WHEN n_true + n_false < n THEN NULL ELSE TRUE END
 * Correlated x [NOT] IN (…) outside a WHERE conjunct is [NOT] (x = ANY (…)).
 */
static Status plan_quantified_counts(Binder *b, LogicalOp **root, BoundSubquery *sub,
                                     ScalarFuncId cmp, bool all, Expr **out, Error *err)
{
    int pos = sub->pos;
    ColumnBinding ph = {b->next_table_index++, 0};
    Expr *x = expr_new_column(b->arena, ph, sub->left->type, pos);
    Expr *v = expr_new_column(b->arena, sub->plan->bindings[0], sub->plan->types[0], pos);
    if (!x || !v) return arena_error(b->arena, err);
    BS_TRY(binder_cast(b, &v, sub->left->type, false, err));
    Expr *c;
    BS_TRY(compare(b, cmp, x, v, pos, &c, err));
    Expr *nc = expr_new(b->arena, EXPR_NOT, type_make(TYPE_BOOLEAN), pos);
    if (!nc) return arena_error(b->arena, err);
    nc->u.unary.arg = c;
    AggregateCall *calls[3];
    BS_TRY(binder_bind_aggregate(b, AGG_COUNT_STAR, NULL, false, pos, &calls[0], err));
    for (int k = 0; k < 2; k++) {
        Expr *w[1] = {k == 0 ? c : nc}, *t[1] = {new_bool(b, 1, pos)};
        Expr *arg;
        BS_TRY(make_case(b, w, t, 1, new_bool(b, -1, pos), pos, &arg, err));
        BS_TRY(binder_bind_aggregate(b, AGG_COUNT, arg, false, pos, &calls[1 + k], err));
    }
    LogicalOp *agg;
    BS_TRY(aggregate_over(b, sub->plan, calls, 3, &agg, err));
    /* Decorrelation renumbers the aggregation; its old bindings name the values. */
    LogicalOp before = *agg;
    DependentJoin dj = {LJ_LEFT, NULL, 0, false, 1, &ph, &sub->left, pos};
    BS_TRY(binder_dependent_join(b, root, agg, &dj, err));
    agg = &before;
    Expr *n = agg_column(b, agg, 0, pos), *nt = agg_column(b, agg, 1, pos);
    Expr *nf = agg_column(b, agg, 2, pos), *nt2 = agg_column(b, agg, 1, pos);
    Value zero_v = value_bigint(0);
    Expr *zero = expr_new_constant(b->arena, &zero_v, pos);
    if (!n || !nt || !nf || !nt2 || !zero) return arena_error(b->arena, err);
    Expr *decided, *sum, *some_null;
    BS_TRY(compare(b, FN_GT, all ? nf : nt, zero, pos, &decided, err));
    Expr *add[2] = {nt2, agg_column(b, agg, 2, pos)};
    if (!add[1]) return arena_error(b->arena, err);
    BS_TRY(binder_bind_scalar(b, FN_ADD, add, 2, pos, &sum, err));
    BS_TRY(compare(b, FN_LT, sum, n, pos, &some_null, err));
    Expr *whens[2] = {decided, some_null};
    Expr *thens[2] = {new_bool(b, !all, pos), new_bool(b, -1, pos)};
    return make_case(b, whens, thens, 2, new_bool(b, all, pos), pos, out, err);
}

/* The comparison that is true where `f` is false (neither side NULL). */
static ScalarFuncId negated_cmp(ScalarFuncId f)
{
    switch (f) {
    case FN_LT:
        return FN_GE;
    case FN_LE:
        return FN_GT;
    case FN_GT:
        return FN_LE;
    case FN_GE:
        return FN_LT;
    case FN_EQ:
        return FN_NE;
    default:
        return FN_EQ;
    }
}

/*
 * x op ANY|ALL (subquery) for op other than = ANY and <> ALL (which are IN and NOT IN):
 * the subquery's min, max, count(*) and count(v) — one row, joined with every row (for a
 * correlated subquery: per outer row, decorrelated) — and
 *   CASE WHEN n = 0 THEN <ALL> WHEN x IS NULL THEN NULL WHEN <decided> THEN <ANY>
 *        WHEN n > n_values THEN NULL ELSE <ALL> END
 * where <decided> is one non-NULL value making the comparison true (ANY) or false (ALL):
 * x < ANY: x < max; x > ANY: x > min; x <> ANY, x = ALL: x <> min OR x <> max;
 * x < ALL is false when x >= min; x > ALL when x <= max.
 */
static Status plan_quantified(Binder *b, LogicalOp **root, BoundSubquery *sub, Expr **out,
                              Error *err)
{
    int pos = sub->pos;
    Bindings read = {.arena = b->arena}, made = {.arena = b->arena};
    collect(sub->plan, &read, &made);
    if (read.failed || made.failed) return arena_error(b->arena, err);
    bool correlated = false;
    for (int k = 0; k < read.count && !correlated; k++)
        correlated = !bindings_has(&made, read.items[k]);
    Expr *v = expr_new_column(b->arena, sub->plan->bindings[0], sub->plan->types[0], pos);
    if (!v) return arena_error(b->arena, err);
    AggregateCall *calls[4];
    BS_TRY(binder_bind_aggregate(b, AGG_MIN, v, false, pos, &calls[0], err));
    BS_TRY(binder_bind_aggregate(b, AGG_MAX, v, false, pos, &calls[1], err));
    BS_TRY(binder_bind_aggregate(b, AGG_COUNT_STAR, NULL, false, pos, &calls[2], err));
    BS_TRY(binder_bind_aggregate(b, AGG_COUNT, v, false, pos, &calls[3], err));
    LogicalOp *agg;
    BS_TRY(aggregate_over(b, sub->plan, calls, 4, &agg, err));
    LogicalOp before = *agg;
    if (correlated) {
        /* Decorrelation renumbers the aggregation; its old bindings name the values. */
        DependentJoin dj = {LJ_LEFT, NULL, 0, false, 0, NULL, NULL, pos};
        BS_TRY(binder_dependent_join(b, root, agg, &dj, err));
        agg = &before;
    } else {
        BS_TRY(join_onto(b, root, LJ_INNER, agg, NULL, 0, false, err));
    }
    Expr *x = sub->left;
    Expr *mn = agg_column(b, agg, 0, pos), *mx = agg_column(b, agg, 1, pos);
    if (!mn || !mx) return arena_error(b->arena, err);
    BS_TRY(binder_cast(b, &mn, x->type, false, err));
    BS_TRY(binder_cast(b, &mx, x->type, false, err));
    ScalarFuncId op = sub->cmp;
    bool all = sub->all;
    Expr *decided;
    if ((op == FN_NE && !all) || (op == FN_EQ && all)) {
        Expr *a, *c;
        BS_TRY(compare(b, FN_NE, x, mn, pos, &a, err));
        BS_TRY(compare(b, FN_NE, x, mx, pos, &c, err));
        decided = expr_new(b->arena, EXPR_OR, type_make(TYPE_BOOLEAN), pos);
        Expr **args = arena_alloc(b->arena, sizeof(Expr *) * 2);
        if (!decided || !args) return arena_error(b->arena, err);
        args[0] = a;
        args[1] = c;
        decided->u.conj.n_args = 2;
        decided->u.conj.args = args;
    } else {
        bool below = op == FN_LT || op == FN_LE;
        /* ANY: against the extreme that is easiest to beat; ALL: the hardest. */
        Expr *bound = below != all ? mx : mn;
        BS_TRY(compare(b, all ? negated_cmp(op) : op, x, bound, pos, &decided, err));
    }
    Value zero_v = value_bigint(0);
    Expr *zero = expr_new_constant(b->arena, &zero_v, pos);
    Expr *n = agg_column(b, agg, 2, pos), *n2 = agg_column(b, agg, 2, pos);
    Expr *nv = agg_column(b, agg, 3, pos);
    Expr *x_null = expr_new(b->arena, EXPR_IS_NULL, type_make(TYPE_BOOLEAN), pos);
    if (!zero || !n || !n2 || !nv || !x_null) return arena_error(b->arena, err);
    x_null->u.unary.arg = x;
    Expr *empty, *some_null;
    BS_TRY(compare(b, FN_EQ, n, zero, pos, &empty, err));
    BS_TRY(compare(b, FN_GT, n2, nv, pos, &some_null, err));
    Expr *whens[4] = {empty, x_null, decided, some_null};
    Expr *thens[4] = {new_bool(b, all, pos), new_bool(b, -1, pos), new_bool(b, !all, pos),
                      new_bool(b, -1, pos)};
    return make_case(b, whens, thens, 4, new_bool(b, all, pos), pos, out, err);
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
    bool semi = as_filter && !(sub->kind == SUBQ_IN && sub->negated);
    bool null_aware = sub->kind == SUBQ_IN && !semi;
    LogicalOp *right = sub->plan;
    Expr *cond = NULL;
    Expr *value = NULL; /* IN: the subquery's column */
    bool general = false;
    if (correlated) {
        bool ok = false;
        if (!null_aware && sub->plan->kind == LOP_PROJECT &&
            sub->plan->children[0]->kind != LOP_AGGREGATE)
            BS_TRY(extract_correlation(b, sub->plan, &made, false, &cond, &ok, err));
        if (!ok && null_aware) {
            /* Three-valued IN per outer row: counted (plan_quantified_counts). */
            BS_TRY(plan_quantified_counts(b, root, sub, FN_EQ, false, out, err));
            if (!sub->negated) return BS_OK;
            Expr *not = expr_new(b->arena, EXPR_NOT, type_make(TYPE_BOOLEAN), sub->pos);
            if (!not) return arena_error(b->arena, err);
            not->u.unary.arg = *out;
            *out = not;
            return BS_OK;
        }
        general = !ok;
        if (ok) {
            /* The projection goes: the condition reads the columns below it. */
            right = sub->plan->children[0];
            if (sub->kind == SUBQ_IN) value = sub->plan->u.project.exprs[0];
        }
    }
    if (sub->kind == SUBQ_IN && !value) {
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
    uint32_t mark = 0;
    if (general) {
        LogicalJoinType type = semi ? (sub->negated ? LJ_ANTI : LJ_SEMI) : LJ_MARK;
        if (!semi) mark = b->next_table_index++;
        DependentJoin dj = {type, cond, mark, false, 0, NULL, NULL, sub->pos};
        BS_TRY(binder_dependent_join(b, root, sub->plan, &dj, err));
        if (semi) {
            *out = NULL;
            return BS_OK;
        }
    } else {
        if (semi) {
            *out = NULL;
            return join_onto(b, root, sub->negated ? LJ_ANTI : LJ_SEMI, right, cond, 0, false, err);
        }
        mark = b->next_table_index++;
        BS_TRY(join_onto(b, root, LJ_MARK, right, cond, mark, null_aware, err));
    }
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

typedef struct Rebind {
    const Bindings *from;
    uint32_t table; /* from->items[k] becomes (table, first + k) */
    int first;
} Rebind;

static bool rebind_column(Expr *e, void *arg)
{
    const Rebind *r = arg;
    if (e->kind != EXPR_COLUMN) return true;
    for (int k = 0; k < r->from->count; k++)
        if (r->from->items[k].table == e->u.column.binding.table &&
            r->from->items[k].column == e->u.column.binding.column) {
            e->u.column.binding = (ColumnBinding){r->table, (uint32_t)(r->first + k)};
            break;
        }
    return true;
}

typedef struct InnerRefs {
    const Bindings *made;
    Bindings *used;
} InnerRefs;

static bool note_inner(Expr *e, void *arg)
{
    InnerRefs *r = arg;
    if (e->kind == EXPR_COLUMN && bindings_has(r->made, e->u.column.binding))
        bindings_add(r->used, e->u.column.binding);
    return true;
}

/*
 * A correlated scalar subquery that is not one aggregate row (SELECT x FROM … WHERE
 * inner = outer …): a LEFT join on its correlated conjuncts that lets a row match one
 * row at most (21000 for a second). Its projection stays on the right side, so that a
 * row without a match gets NULL rather than the projection of NULLs; the inner columns
 * the condition reads pass through it.
 */
static Status plan_scalar_single(Binder *b, LogicalOp **root, BoundSubquery *sub,
                                 const Bindings *made, Expr **out, Error *err)
{
    LogicalOp *plan = sub->plan;
    Expr *cond = NULL;
    bool ok = false;
    if (plan->kind == LOP_PROJECT && plan->children[0]->kind != LOP_AGGREGATE)
        BS_TRY(extract_correlation(b, plan, made, false, &cond, &ok, err));
    if (!ok) {
        /* Correlated elsewhere: decorrelated in general, one match per row at most. */
        DependentJoin dj = {LJ_LEFT, NULL, 0, true, 0, NULL, NULL, sub->pos};
        BS_TRY(binder_dependent_join(b, root, plan, &dj, err));
        *out = expr_new_column(b->arena, plan->bindings[0], plan->types[0], sub->pos);
        return *out ? BS_OK : arena_error(b->arena, err);
    }
    Bindings used = {.arena = b->arena};
    InnerRefs refs = {made, &used};
    expr_visit(cond, note_inner, &refs);
    if (used.failed) return arena_error(b->arena, err);
    int n_exprs = plan->u.project.n_exprs;
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_exprs + used.count));
    if (!exprs) return arena_error(b->arena, err);
    memcpy(exprs, plan->u.project.exprs, sizeof(Expr *) * (size_t)n_exprs);
    /* The inner columns, typed as the operator below the projection makes them. */
    const LogicalOp *below = plan->children[0];
    for (int k = 0; k < used.count; k++) {
        int at = -1;
        for (int c = 0; c < below->n_out && at < 0; c++)
            if (below->bindings[c].table == used.items[k].table &&
                below->bindings[c].column == used.items[k].column)
                at = c;
        if (at < 0)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, sub->pos,
                             "planner: a correlated condition reads a column its subquery lacks");
        exprs[n_exprs + k] = expr_new_column(b->arena, used.items[k], below->types[at], sub->pos);
        if (!exprs[n_exprs + k]) return arena_error(b->arena, err);
    }
    plan->u.project.exprs = exprs;
    plan->u.project.n_exprs = n_exprs + used.count;
    BS_TRY(logical_resolve(plan, b->arena, err));
    Rebind rebind = {&used, plan->u.project.table_index, n_exprs};
    expr_visit(cond, rebind_column, &rebind);
    BS_TRY(join_onto(b, root, LJ_LEFT, plan, cond, 0, false, err));
    (*root)->u.join.single_match = true;
    *out = expr_new_column(b->arena, plan->bindings[0], plan->types[0], sub->pos);
    return *out ? BS_OK : arena_error(b->arena, err);
}

/*
 * A copy of projection expression e over aggregation agg with every aggregate column
 * replaced by that aggregate's value over no rows (count: 0, the others NULL).
 */
static Status copy_over_empty(Binder *b, const Expr *e, const LogicalOp *agg, Expr **out,
                              Error *err)
{
    Expr *c = arena_memdup(b->arena, e, sizeof *e);
    if (!c) return arena_error(b->arena, err);
    *out = c;
    switch (e->kind) {
    case EXPR_CONSTANT:
        return BS_OK;
    case EXPR_COLUMN: {
        ColumnBinding at = e->u.column.binding;
        if (at.table != agg->u.aggregate.agg_index || at.column >= (uint32_t)agg->u.aggregate.n_aggs)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, e->pos,
                             "planner: a scalar subquery's value reads a non-aggregate column");
        AggFuncId f = agg->u.aggregate.aggs[at.column]->func;
        Value v = {.type = e->type, .is_null = true};
        if (f == AGG_COUNT || f == AGG_COUNT_STAR || f == AGG_APPROX_DISTINCT) {
            v.is_null = false;
            v.u.i64 = 0;
        }
        Expr *k = expr_new_constant(b->arena, &v, e->pos);
        if (!k) return arena_error(b->arena, err);
        *out = k;
        return BS_OK;
    }
    case EXPR_CALL:
    case EXPR_AND:
    case EXPR_OR: {
        bool call = e->kind == EXPR_CALL;
        int n = call ? e->u.call.n_args : e->u.conj.n_args;
        Expr *const *src = call ? e->u.call.args : e->u.conj.args;
        Expr **args = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
        if (!args) return arena_error(b->arena, err);
        for (int k = 0; k < n; k++)
            BS_TRY(copy_over_empty(b, src[k], agg, &args[k], err));
        if (call)
            c->u.call.args = args;
        else
            c->u.conj.args = args;
        return BS_OK;
    }
    case EXPR_CAST:
        return copy_over_empty(b, e->u.cast.arg, agg, &c->u.cast.arg, err);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return copy_over_empty(b, e->u.unary.arg, agg, &c->u.unary.arg, err);
    case EXPR_CASE: {
        int n = e->u.case_.n_whens;
        c->u.case_.whens = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        c->u.case_.thens = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        if (!c->u.case_.whens || !c->u.case_.thens) return arena_error(b->arena, err);
        for (int k = 0; k < n; k++) {
            BS_TRY(copy_over_empty(b, e->u.case_.whens[k], agg, &c->u.case_.whens[k], err));
            BS_TRY(copy_over_empty(b, e->u.case_.thens[k], agg, &c->u.case_.thens[k], err));
        }
        return copy_over_empty(b, e->u.case_.else_expr, agg, &c->u.case_.else_expr, err);
    }
    default:
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, e->pos,
                         "this expression over a correlated aggregate subquery is not "
                         "supported yet");
    }
}

/* True when e is NULL whenever the columns it reads are (arithmetic, casts, columns). */
static bool null_strict(const Expr *e)
{
    switch (e->kind) {
    case EXPR_COLUMN:
        return true;
    case EXPR_CAST:
        return null_strict(e->u.cast.arg);
    case EXPR_CALL: {
        ScalarFuncId f = e->u.call.func;
        bool strict_fn = f == FN_ADD || f == FN_SUBTRACT || f == FN_MULTIPLY || f == FN_DIVIDE ||
                         f == FN_MODULO || f == FN_NEGATE || f == FN_ROUND || f == FN_ABS;
        if (!strict_fn) return false;
        for (int k = 0; k < e->u.call.n_args; k++)
            if (e->u.call.args[k]->kind != EXPR_CONSTANT && null_strict(e->u.call.args[k]))
                return true;
        return false;
    }
    default:
        return false;
    }
}

static bool reads_count(Expr *e, void *arg)
{
    const LogicalOp *agg = arg;
    if (e->kind == EXPR_COLUMN && e->u.column.binding.table == agg->u.aggregate.agg_index &&
        e->u.column.binding.column < (uint32_t)agg->u.aggregate.n_aggs) {
        AggFuncId f = agg->u.aggregate.aggs[e->u.column.binding.column]->func;
        if (f == AGG_COUNT || f == AGG_COUNT_STAR || f == AGG_APPROX_DISTINCT) return false;
    }
    return true;
}

/*
 * The value of a correlated aggregate subquery for an outer row with no inner rows:
 * *out = NULL when it is NULL anyway (no count() in it, so every aggregate is NULL and
 * the expression of them is taken to be NULL too), else the expression over the empty
 * aggregates, which the optimizer folds.
 */
static Status empty_value(Binder *b, Expr *value, const LogicalOp *agg, Expr **out, Error *err)
{
    *out = NULL;
    /* Without count(), every aggregate is NULL; so is the value when NULL goes through it. */
    if (expr_visit(value, reads_count, (void *)agg) && null_strict(value)) return BS_OK;
    return copy_over_empty(b, value, agg, out, err);
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
    if (!one_row && correlated) return plan_scalar_single(b, root, sub, &made, out, err);
    if (!one_row) {
        /* At most one row, checked as it runs (21000 for a second); NULL for none. */
        LogicalOp *guard = logical_create(b->arena, LOP_LIMIT, plan);
        if (!guard) return arena_error(b->arena, err);
        guard->u.limit.limit = 1;
        guard->u.limit.offset = 0;
        guard->u.limit.single_row = true;
        BS_TRY(logical_resolve(guard, b->arena, err));
        plan = guard;
    }
    if (!correlated) {
        /* Exactly one row: a join with it adds its column to every row. */
        BS_TRY(join_onto(b, root, LJ_INNER, plan, NULL, 0, false, err));
        *out = expr_new_column(b->arena, plan->bindings[0], plan->types[0], sub->pos);
        return *out ? BS_OK : arena_error(b->arena, err);
    }
    LogicalOp *agg = plan->children[0];
    Expr *corr = NULL;
    bool ok = true;
    /* What the subquery yields for a row with no group: its projection over the
       aggregates of no rows (count 0, the others NULL). NULL when it is NULL. */
    Expr *empty = NULL;
    if (empty_value(b, plan->u.project.exprs[0], agg, &empty, err) != BS_OK) {
        if (strcmp(err->sqlstate, SQLSTATE_FEATURE_NOT_SUPPORTED) != 0) return BS_ERROR;
        error_clear(err);
        ok = false;
    }
    if (ok) BS_TRY(extract_correlation(b, plan, &made, true, &corr, &ok, err));
    if (!ok) {
        /* Correlated elsewhere, or not by equalities: decorrelated in general, where
           the aggregation gives every outer row its one row. */
        DependentJoin dj = {LJ_LEFT, NULL, 0, false, 0, NULL, NULL, sub->pos};
        BS_TRY(binder_dependent_join(b, root, plan, &dj, err));
        *out = expr_new_column(b->arena, plan->bindings[0], plan->types[0], sub->pos);
        return *out ? BS_OK : arena_error(b->arena, err);
    }
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
    /* A row without a group gets NULL (LEFT); in a condition that rejects NULL, INNER —
       unless the subquery yields a value for no rows (count). */
    bool as_inner = null_rejecting && !empty;
    BS_TRY(join_onto(b, root, as_inner ? LJ_INNER : LJ_LEFT, plan, cond, 0, false, err));
    *out = expr_new_column(b->arena, plan->bindings[0], plan->types[0], sub->pos);
    if (!*out) return arena_error(b->arena, err);
    if (!empty) return BS_OK;
    /* CASE WHEN <a group key> IS NULL THEN <empty> ELSE value END: a key of the group
       joined on is NULL only for a row that found none (equality rejects NULL keys). */
    Expr *key = expr_new_column(b->arena, plan->bindings[n_exprs], plan->types[n_exprs], sub->pos);
    Expr *is_null = expr_new(b->arena, EXPR_IS_NULL, type_make(TYPE_BOOLEAN), sub->pos);
    Expr *c = expr_new(b->arena, EXPR_CASE, plan->types[0], sub->pos);
    Expr **whens = arena_alloc(b->arena, sizeof(Expr *));
    Expr **thens = arena_alloc(b->arena, sizeof(Expr *));
    if (!key || !is_null || !c || !whens || !thens) return arena_error(b->arena, err);
    is_null->u.unary.arg = key;
    whens[0] = is_null;
    thens[0] = empty;
    c->u.case_.n_whens = 1;
    c->u.case_.whens = whens;
    c->u.case_.thens = thens;
    c->u.case_.else_expr = *out;
    *out = c;
    return BS_OK;
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
        if (sub->kind == SUBQ_QUANTIFIED) return plan_quantified(b, root, sub, e, err);
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
    case EXPR_WINDOW: {
        /* Arguments and keys are computed below the window, over *root. */
        WindowCall *w = x->u.window.call;
        for (int k = 0; k < w->n_args; k++)
            if (expr_has_subquery(w->args[k]))
                BS_TRY(replace_all(b, root, &w->args[k], false, err));
        for (int k = 0; k < w->n_partitions; k++)
            if (expr_has_subquery(w->partitions[k]))
                BS_TRY(replace_all(b, root, &w->partitions[k], false, err));
        for (int k = 0; k < w->n_order; k++)
            if (expr_has_subquery(w->order[k].expr))
                BS_TRY(replace_all(b, root, &w->order[k].expr, false, err));
        return BS_OK;
    }
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
        if (c->kind == EXPR_SUBQUERY && (c->u.subquery.sub->kind == SUBQ_EXISTS ||
                                         c->u.subquery.sub->kind == SUBQ_IN)) {
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
