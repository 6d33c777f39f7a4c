/*
 * bind_grouping.c — GROUP BY ROLLUP / CUBE / GROUPING SETS: the grouping sets the items
 * stand for (crossed, nested), merged over the distinct bound expressions; the Expand
 * under the aggregation that deals each row out once per set; the row empty sets yield
 * over no input; and grouping() over the set number.
 */
#include "planner/planner_int.h"

#include <string.h>

/* PostgreSQL's limit on the sets one GROUP BY may make. */
#define MAX_GROUPING_SETS 4096

typedef struct SetList {
    uint64_t *items;
    int count;
} SetList;

static Status gs_occurrence(Binder *b, GroupingSets *gs, AstExpr *e, int pos, uint64_t *bit,
                            Error *err)
{
    if (gs->asts.count >= 64)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, pos,
                         "GROUP BY may name at most 64 expressions in ROLLUP, CUBE and GROUPING "
                         "SETS");
    if (!ast_list_append(b->arena, &gs->asts, e)) return arena_error(b->arena, err);
    *bit = UINT64_C(1) << (gs->asts.count - 1);
    return BS_OK;
}

static Status sets_new(Binder *b, int n, int pos, SetList *out, Error *err)
{
    if (n > MAX_GROUPING_SETS)
        return error_set(err, "54001", pos, "too many grouping sets present (maximum %d)",
                         MAX_GROUPING_SETS);
    out->items = arena_alloc(b->arena, sizeof(uint64_t) * (size_t)(n ? n : 1));
    out->count = 0;
    return out->items ? BS_OK : arena_error(b->arena, err);
}

/* The one set of an expression or a parenthesized list of them. */
static Status gs_element(Binder *b, GroupingSets *gs, const AstGroupItem *g, uint64_t *mask,
                         Error *err)
{
    *mask = 0;
    if (g->kind == GROUP_EXPR) return gs_occurrence(b, gs, g->expr, g->pos, mask, err);
    for (int k = 0; k < g->items.count; k++) {
        uint64_t bit = 0;
        BS_TRY(gs_occurrence(b, gs, g->items.items[k], g->pos, &bit, err));
        *mask |= bit;
    }
    return BS_OK;
}

/* The grouping sets one GROUP BY item stands for. */
static Status gs_expand_item(Binder *b, GroupingSets *gs, const AstGroupItem *g, SetList *out,
                             Error *err)
{
    switch (g->kind) {
    case GROUP_EXPR:
    case GROUP_LIST:
    case GROUP_EMPTY: {
        BS_TRY(sets_new(b, 1, g->pos, out, err));
        if (g->kind != GROUP_EMPTY)
            BS_TRY(gs_element(b, gs, g, &out->items[0], err));
        else
            out->items[0] = 0;
        out->count = 1;
        return BS_OK;
    }
    case GROUP_ROLLUP:
    case GROUP_CUBE: {
        int n = g->items.count;
        uint64_t masks[64];
        if (n > 64 || (g->kind == GROUP_CUBE && n > 12))
            return error_set(err, "54001", g->pos, "too many grouping sets present (maximum %d)",
                             MAX_GROUPING_SETS);
        for (int k = 0; k < n; k++)
            BS_TRY(gs_element(b, gs, g->items.items[k], &masks[k], err));
        if (g->kind == GROUP_ROLLUP) {
            /* (e1, …, en), (e1, …, en-1), …, () */
            BS_TRY(sets_new(b, n + 1, g->pos, out, err));
            for (int len = n; len >= 0; len--) {
                uint64_t m = 0;
                for (int k = 0; k < len; k++)
                    m |= masks[k];
                out->items[out->count++] = m;
            }
            return BS_OK;
        }
        /* every subset, the whole first and () last */
        BS_TRY(sets_new(b, 1 << n, g->pos, out, err));
        for (int pick = (1 << n) - 1; pick >= 0; pick--) {
            uint64_t m = 0;
            for (int k = 0; k < n; k++)
                if (pick >> (n - 1 - k) & 1) m |= masks[k];
            out->items[out->count++] = m;
        }
        return BS_OK;
    }
    case GROUP_SETS: {
        SetList *parts = arena_alloc(b->arena, sizeof(SetList) * (size_t)g->items.count);
        if (!parts) return arena_error(b->arena, err);
        int total = 0;
        for (int k = 0; k < g->items.count; k++) {
            BS_TRY(gs_expand_item(b, gs, g->items.items[k], &parts[k], err));
            total += parts[k].count;
            if (total > MAX_GROUPING_SETS) return sets_new(b, total, g->pos, out, err);
        }
        BS_TRY(sets_new(b, total, g->pos, out, err));
        for (int k = 0; k < g->items.count; k++)
            for (int s = 0; s < parts[k].count; s++)
                out->items[out->count++] = parts[k].items[s];
        return BS_OK;
    }
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, g->pos, "unknown GROUP BY item");
}

/* GROUP BY items → the sets they make: the cross product of each item's sets. */
Status binder_expand_grouping_sets(Binder *b, const AstList *items, GroupingSets *gs, Error *err)
{
    SetList acc;
    BS_TRY(sets_new(b, 1, -1, &acc, err));
    acc.items[acc.count++] = 0;
    for (int k = 0; k < items->count; k++) {
        const AstGroupItem *g = items->items[k];
        SetList part, next;
        BS_TRY(gs_expand_item(b, gs, g, &part, err));
        BS_TRY(sets_new(b, acc.count * part.count, g->pos, &next, err));
        for (int a = 0; a < acc.count; a++)
            for (int p = 0; p < part.count; p++)
                next.items[next.count++] = acc.items[a] | part.items[p];
        acc = next;
    }
    gs->n_sets = acc.count;
    gs->sets = acc.items;
    return BS_OK;
}

/*
 * After the grouping expressions are bound: equal ones become one group, and the sets are
 * restated over the distinct groups. One set of every group is a plain GROUP BY.
 */
Status binder_merge_grouping_sets(Binder *b, GroupingSets *gs, Expr **groups, int *n_groups,
                                  Error *err)
{
    int n = *n_groups, distinct = 0;
    int canon[64];
    for (int k = 0; k < n; k++) {
        canon[k] = -1;
        for (int j = 0; j < distinct && canon[k] < 0; j++)
            if (expr_equal(groups[j], groups[k])) canon[k] = j;
        if (canon[k] < 0) {
            groups[distinct] = groups[k];
            canon[k] = distinct++;
        }
    }
    for (int s = 0; s < gs->n_sets; s++) {
        uint64_t m = 0;
        for (int k = 0; k < n; k++)
            if (gs->sets[s] >> k & 1) m |= UINT64_C(1) << canon[k];
        gs->sets[s] = m;
    }
    *n_groups = distinct;
    uint64_t all = distinct == 64 ? UINT64_MAX : (UINT64_C(1) << distinct) - 1;
    gs->active = !(gs->n_sets == 1 && gs->sets[0] == all);
    (void)err;
    (void)b;
    return BS_OK;
}

/*
 * Puts the Expand of the grouping sets under aggregation agg (whose groups are the
 * distinct grouping expressions) and groups it by their Expand columns and the set id.
 */
Status binder_add_expand(Binder *b, LogicalOp *agg, const GroupingSets *gs, Error *err)
{
    int n = agg->u.aggregate.n_groups;
    LogicalOp *x = logical_create(b->arena, LOP_EXPAND, agg->children[0]);
    Expr **groups = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (!x || !groups) return arena_error(b->arena, err);
    x->u.expand.table_index = b->next_table_index++;
    x->u.expand.n_groups = n;
    x->u.expand.groups = agg->u.aggregate.groups;
    x->u.expand.n_sets = gs->n_sets;
    x->u.expand.sets = gs->sets;
    BS_TRY(logical_resolve(x, b->arena, err));
    int base = x->n_out - n - 1;
    for (int k = 0; k <= n; k++) {
        groups[k] = expr_new_column(b->arena, x->bindings[base + k], x->types[base + k], -1);
        if (!groups[k]) return arena_error(b->arena, err);
    }
    agg->children[0] = x;
    agg->u.aggregate.groups = groups;
    agg->u.aggregate.n_groups = n + 1;
    return BS_OK;
}

typedef struct AggRebind {
    uint32_t group_index, agg_index, to;
    int n_groups; /* the aggregation's, set id included */
} AggRebind;

static bool rebind_agg_column(Expr *e, void *arg)
{
    const AggRebind *r = arg;
    if (e->kind != EXPR_COLUMN) return true;
    ColumnBinding *c = &e->u.column.binding;
    if (c->table == r->group_index)
        *c = (ColumnBinding){r->to, c->column};
    else if (c->table == r->agg_index)
        *c = (ColumnBinding){r->to, (uint32_t)r->n_groups + c->column};
    return true;
}

/*
 * An empty grouping set (ROLLUP's and CUBE's last, or ()) yields its row even when there
 * are no input rows, as an aggregation without GROUP BY does; the Expand of no rows makes
 * no groups. So the aggregation is FULL joined on the set id with one row per empty set
 * holding the aggregates' values over no rows (count 0, the others NULL): with input
 * rows each such row meets the set's own group; without, it stands alone. A projection
 * coalesces the two sides, and the expressions above the aggregation (`exprs`) are
 * rebound to it. *root becomes the projection.
 */
Status binder_add_empty_sets(Binder *b, LogicalOp **root, const GroupingSets *gs, Expr ***exprs,
                             int n_exprs, Error *err)
{
    LogicalOp *agg = *root;
    int n_empty = 0;
    for (int s = 0; s < gs->n_sets; s++)
        n_empty += gs->sets[s] == 0;
    if (n_empty == 0) return BS_OK;
    int ng = agg->u.aggregate.n_groups, na = agg->u.aggregate.n_aggs; /* ng: set id included */
    LogicalOp *values = logical_create(b->arena, LOP_VALUES, NULL);
    Expr ***rows = arena_alloc(b->arena, sizeof(Expr **) * (size_t)n_empty);
    if (!values || !rows) return arena_error(b->arena, err);
    int r = 0;
    for (int s = 0; s < gs->n_sets; s++) {
        if (gs->sets[s] != 0) continue;
        rows[r] = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(1 + na));
        if (!rows[r]) return arena_error(b->arena, err);
        Value id = value_bigint(s);
        rows[r][0] = expr_new_constant(b->arena, &id, -1);
        for (int k = 0; k < na; k++) {
            const AggregateCall *call = agg->u.aggregate.aggs[k];
            Value v = {.type = call->type, .is_null = true};
            if (call->func == AGG_COUNT || call->func == AGG_COUNT_STAR ||
                call->func == AGG_APPROX_DISTINCT)
                v = value_bigint(0);
            rows[r][1 + k] = expr_new_constant(b->arena, &v, -1);
            if (!rows[r][1 + k]) return arena_error(b->arena, err);
        }
        if (!rows[r][0]) return arena_error(b->arena, err);
        r++;
    }
    values->u.values.table_index = b->next_table_index++;
    values->u.values.n_cols = 1 + na;
    values->u.values.n_rows = n_empty;
    values->u.values.rows = rows;
    BS_TRY(logical_resolve(values, b->arena, err));
    Expr *args[2] = {expr_new_column(b->arena, agg->bindings[ng - 1], agg->types[ng - 1], -1),
                     expr_new_column(b->arena, values->bindings[0], values->types[0], -1)};
    if (!args[0] || !args[1]) return arena_error(b->arena, err);
    Expr *eq = expr_new_call(b->arena, FN_EQ, type_make(TYPE_BOOLEAN), args, 2, -1);
    LogicalOp *join = eq ? logical_join(b->arena, LJ_FULL, agg, values, eq) : NULL;
    LogicalOp *proj = join ? logical_create(b->arena, LOP_PROJECT, join) : NULL;
    Expr **out = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(ng + na));
    if (!proj || !out) return arena_error(b->arena, err);
    for (int k = 0; k < ng + na; k++) {
        Expr *mine = expr_new_column(b->arena, agg->bindings[k], agg->types[k], -1);
        if (!mine) return arena_error(b->arena, err);
        out[k] = mine;
        if (k < ng - 1) continue; /* a key: NULL in an empty set's row either way */
        int v = k == ng - 1 ? 0 : 1 + (k - ng);
        Expr *theirs = expr_new_column(b->arena, values->bindings[v], values->types[v], -1);
        if (!theirs) return arena_error(b->arena, err);
        Expr *pair[2] = {mine, theirs};
        BS_TRY(binder_bind_scalar(b, FN_COALESCE, pair, 2, -1, &out[k], err));
    }
    proj->u.project.table_index = b->next_table_index++;
    proj->u.project.n_exprs = ng + na;
    proj->u.project.exprs = out;
    BS_TRY(logical_resolve(proj, b->arena, err));
    AggRebind rebind = {agg->u.aggregate.group_index, agg->u.aggregate.agg_index,
                        proj->u.project.table_index, ng};
    for (int k = 0; k < n_exprs; k++)
        if (*exprs[k]) expr_visit(*exprs[k], rebind_agg_column, &rebind);
    *root = proj;
    return BS_OK;
}

/*
 * grouping(e1, …, en) over the aggregation: a bit per argument, e1 the highest, set when
 * the row's grouping set leaves that expression out. 0 for a plain GROUP BY.
 */
Status binder_rewrite_grouping(Binder *b, const GroupingSets *gs, const LogicalOp *agg, Expr **e,
                               Error *err)
{
    Expr *x = *e;
    int n = x->u.call.n_args;
    int index[64];
    for (int k = 0; k < n; k++) {
        index[k] = -1;
        for (int g = 0; g < agg->u.aggregate.n_groups && index[k] < 0; g++)
            if (expr_equal(x->u.call.args[k], agg->u.aggregate.groups[g])) index[k] = g;
        if (index[k] < 0)
            return error_set(err, SQLSTATE_GROUPING_ERROR, x->u.call.args[k]->pos,
                             "arguments to GROUPING must be grouping expressions of the "
                             "associated query level");
    }
    if (!gs || !gs->active) {
        Value zero = value_integer(0);
        *e = expr_new_constant(b->arena, &zero, x->pos);
        return *e ? BS_OK : arena_error(b->arena, err);
    }
    /* CASE set WHEN 0 THEN v0 … END over the set-id group (the last one, added below). */
    ColumnBinding id = {agg->u.aggregate.group_index, (uint32_t)agg->u.aggregate.n_groups};
    Expr *c = expr_new(b->arena, EXPR_CASE, type_make(TYPE_INTEGER), x->pos);
    Expr **whens = arena_alloc(b->arena, sizeof(Expr *) * (size_t)gs->n_sets);
    Expr **thens = arena_alloc(b->arena, sizeof(Expr *) * (size_t)gs->n_sets);
    Value null = {.type = type_make(TYPE_INTEGER), .is_null = true};
    if (!c || !whens || !thens) return arena_error(b->arena, err);
    for (int s = 0; s < gs->n_sets; s++) {
        int32_t v = 0;
        for (int k = 0; k < n; k++)
            v = v << 1 | (int32_t) !(gs->sets[s] >> index[k] & 1);
        Value sv = value_bigint(s), vv = value_integer(v);
        Expr *args[2] = {expr_new_column(b->arena, id, type_make(TYPE_BIGINT), x->pos),
                         expr_new_constant(b->arena, &sv, x->pos)};
        if (!args[0] || !args[1]) return arena_error(b->arena, err);
        whens[s] = expr_new_call(b->arena, FN_EQ, type_make(TYPE_BOOLEAN), args, 2, x->pos);
        thens[s] = expr_new_constant(b->arena, &vv, x->pos);
        if (!whens[s] || !thens[s]) return arena_error(b->arena, err);
    }
    c->u.case_.n_whens = gs->n_sets;
    c->u.case_.whens = whens;
    c->u.case_.thens = thens;
    c->u.case_.else_expr = expr_new_constant(b->arena, &null, x->pos);
    if (!c->u.case_.else_expr) return arena_error(b->arena, err);
    *e = c;
    return BS_OK;
}
