/*
 * rule_common_subexpr.c — a subexpression that one operator computes more than once is
 * computed once, by a projection put below the operator, and read from there. Operators:
 * projections (their expressions) and aggregations (group keys and aggregate arguments,
 * which are evaluated for every input row). TPC-H Q1's aggregates
 *
 *     sum(l_extendedprice * (1 - l_discount)), sum(l_extendedprice * (1 - l_discount) * (1 +
 * l_tax))
 *
 * become sum(#e), sum(#e * (1 + l_tax)) over a projection computing e once.
 *
 * Subtrees are equal by structure (expr_equal: kinds, types, functions, bindings,
 * constants). The largest repeated ones are taken (a repeated subtree inside one already
 * taken is computed inside it), and the new projection is rewritten in turn, so repeats
 * among the taken expressions are shared too.
 *
 * Where an expression sits decides whether it may move: the new projection evaluates it
 * for every row, but AND, OR and CASE evaluate their later arguments and branches only on
 * some rows. An expression is moved when one of its occurrences is evaluated for every row
 * anyway (the first argument of AND/OR, the first WHEN, any argument of a call), or when
 * it cannot fail (expr_can_fail): hoisting `a / b` out of `CASE WHEN b <> 0 THEN a / b END`
 * would divide by zero. Columns and constants are never moved.
 */
#include "planner/planner_int.h"

#include <string.h>

/* Structurally equal subexpressions of the operator being rewritten. */
typedef struct Group {
    Expr *repr; /* the first occurrence */
    uint64_t hash;
    int count;
    bool always; /* some occurrence is evaluated for every input row */
    bool hoist;
    int slot; /* output column of the new projection; -1 until used */
} Group;

/* An input column the operator still reads directly, passed through the projection. */
typedef struct Passed {
    ColumnBinding binding;
    int slot;
} Passed;

typedef struct Cse {
    Arena *arena;
    Error *err;
    uint32_t next_table; /* table index for the next new projection */
    Group *groups;
    int n_groups, cap_groups;
    int *index; /* open addressing over groups: group number, -1 empty */
    uint64_t mask;
    Passed *passed;
    int n_passed, cap_passed;
    Expr **outputs; /* the new projection's expressions */
    int n_outputs, cap_outputs;
    uint32_t table; /* the new projection's table index */
} Cse;

static Status oom(Cse *c)
{
    return arena_error(c->arena, c->err);
}

/* Grows *items (count of size bytes each, *cap allocated) to hold one more. */
static Status reserve(Cse *c, void **items, int count, int *cap, size_t size)
{
    if (count < *cap) return BS_OK;
    int grown_cap = *cap ? *cap * 2 : 16;
    void *grown = arena_grow(c->arena, *items, size * (size_t)*cap, size * (size_t)grown_cap);
    if (!grown) return oom(c);
    *items = grown;
    *cap = grown_cap;
    return BS_OK;
}

static Status rebuild_index(Cse *c, uint64_t size)
{
    c->index = arena_alloc(c->arena, sizeof(int) * size);
    if (!c->index) return oom(c);
    memset(c->index, 0xff, sizeof(int) * size);
    c->mask = size - 1;
    for (int g = 0; g < c->n_groups; g++) {
        uint64_t at = c->groups[g].hash & c->mask;
        while (c->index[at] >= 0)
            at = (at + 1) & c->mask;
        c->index[at] = g;
    }
    return BS_OK;
}

/* The group of e, or -1. */
static int find_group(const Cse *c, const Expr *e, uint64_t hash)
{
    for (uint64_t at = hash & c->mask; c->index[at] >= 0; at = (at + 1) & c->mask) {
        const Group *g = &c->groups[c->index[at]];
        if (g->hash == hash && expr_equal(g->repr, e)) return c->index[at];
    }
    return -1;
}

static bool movable(const Expr *e)
{
    return e->kind != EXPR_CONSTANT && e->kind != EXPR_COLUMN && e->kind != EXPR_AGGREGATE;
}

/* Counts e and its subexpressions; `always`: e is evaluated for every input row. */
static Status collect(Cse *c, Expr *e, bool always)
{
    if (movable(e)) {
        uint64_t hash = expr_hash(e);
        int g = find_group(c, e, hash);
        if (g < 0) {
            BS_TRY(reserve(c, (void **)&c->groups, c->n_groups, &c->cap_groups, sizeof(Group)));
            g = c->n_groups++;
            c->groups[g] = (Group){.repr = e, .hash = hash, .slot = -1};
            if ((uint64_t)c->n_groups * 2 > c->mask + 1) {
                BS_TRY(rebuild_index(c, (c->mask + 1) * 2));
            } else {
                uint64_t at = hash & c->mask;
                while (c->index[at] >= 0)
                    at = (at + 1) & c->mask;
                c->index[at] = g;
            }
        }
        c->groups[g].count++;
        c->groups[g].always = c->groups[g].always || always;
    }
    switch (e->kind) {
    case EXPR_CALL:
        for (int k = 0; k < e->u.call.n_args; k++)
            BS_TRY(collect(c, e->u.call.args[k], always));
        return BS_OK;
    case EXPR_CAST:
        return collect(c, e->u.cast.arg, always);
    case EXPR_AND:
    case EXPR_OR:
        /* Later arguments see only the rows the earlier ones left undecided. */
        for (int k = 0; k < e->u.conj.n_args; k++)
            BS_TRY(collect(c, e->u.conj.args[k], always && k == 0));
        return BS_OK;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        return collect(c, e->u.unary.arg, always);
    case EXPR_CASE:
        /* Only the first WHEN sees every row. */
        for (int k = 0; k < e->u.case_.n_whens; k++) {
            BS_TRY(collect(c, e->u.case_.whens[k], always && k == 0));
            BS_TRY(collect(c, e->u.case_.thens[k], false));
        }
        return collect(c, e->u.case_.else_expr, false);
    default:
        return BS_OK;
    }
}

static Status add_output(Cse *c, Expr *e, int *slot)
{
    BS_TRY(reserve(c, (void **)&c->outputs, c->n_outputs, &c->cap_outputs, sizeof(Expr *)));
    *slot = c->n_outputs;
    c->outputs[c->n_outputs++] = e;
    return BS_OK;
}

/* A column of the new projection. */
static Status output_column(Cse *c, int slot, LogicalType type, int pos, Expr **out)
{
    ColumnBinding b = {c->table, (uint32_t)slot};
    *out = expr_new_column(c->arena, b, type, pos);
    return *out ? BS_OK : oom(c);
}

static Status rewrite(Cse *c, Expr *e, Expr **out);

static Status rewrite_list(Cse *c, Expr **args, int n, Expr ***out)
{
    Expr **list = arena_alloc(c->arena, sizeof(Expr *) * (size_t)(n ? n : 1));
    if (!list) return oom(c);
    for (int k = 0; k < n; k++)
        BS_TRY(rewrite(c, args[k], &list[k]));
    *out = list;
    return BS_OK;
}

/*
 * e over the operator's input → e over the new projection: hoisted subexpressions and
 * input columns become columns of the projection.
 */
static Status rewrite(Cse *c, Expr *e, Expr **out)
{
    if (e->kind == EXPR_CONSTANT || e->kind == EXPR_AGGREGATE) {
        *out = e;
        return BS_OK;
    }
    if (e->kind == EXPR_COLUMN) {
        int slot = -1;
        for (int k = 0; k < c->n_passed && slot < 0; k++)
            if (c->passed[k].binding.table == e->u.column.binding.table &&
                c->passed[k].binding.column == e->u.column.binding.column)
                slot = c->passed[k].slot;
        if (slot < 0) {
            BS_TRY(add_output(c, e, &slot));
            BS_TRY(reserve(c, (void **)&c->passed, c->n_passed, &c->cap_passed, sizeof(Passed)));
            c->passed[c->n_passed++] = (Passed){e->u.column.binding, slot};
        }
        return output_column(c, slot, e->type, e->pos, out);
    }
    int g = find_group(c, e, expr_hash(e));
    if (g >= 0 && c->groups[g].hoist) {
        if (c->groups[g].slot < 0) BS_TRY(add_output(c, c->groups[g].repr, &c->groups[g].slot));
        return output_column(c, c->groups[g].slot, e->type, e->pos, out);
    }
    Expr *copy = arena_memdup(c->arena, e, sizeof *e);
    if (!copy) return oom(c);
    switch (e->kind) {
    case EXPR_CALL:
        BS_TRY(rewrite_list(c, e->u.call.args, e->u.call.n_args, &copy->u.call.args));
        break;
    case EXPR_CAST:
        BS_TRY(rewrite(c, e->u.cast.arg, &copy->u.cast.arg));
        break;
    case EXPR_AND:
    case EXPR_OR:
        BS_TRY(rewrite_list(c, e->u.conj.args, e->u.conj.n_args, &copy->u.conj.args));
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        BS_TRY(rewrite(c, e->u.unary.arg, &copy->u.unary.arg));
        break;
    case EXPR_CASE:
        BS_TRY(rewrite_list(c, e->u.case_.whens, e->u.case_.n_whens, &copy->u.case_.whens));
        BS_TRY(rewrite_list(c, e->u.case_.thens, e->u.case_.n_whens, &copy->u.case_.thens));
        BS_TRY(rewrite(c, e->u.case_.else_expr, &copy->u.case_.else_expr));
        break;
    default:
        break;
    }
    *out = copy;
    return BS_OK;
}

/* The expressions op evaluates for every input row: pointers to them, so they can be
   replaced. *n = 0 for operators this rule leaves alone. */
static Status roots_of(Cse *c, LogicalOp *op, Expr ****out, int *n)
{
    *n = 0;
    int count;
    if (op->kind == LOP_PROJECT) {
        count = op->u.project.n_exprs;
    } else if (op->kind == LOP_AGGREGATE) {
        count = op->u.aggregate.n_groups + op->u.aggregate.n_aggs;
        for (int k = 0; k < op->u.aggregate.n_aggs; k++)
            count += op->u.aggregate.aggs[k]->n_order;
    } else {
        return BS_OK;
    }
    Expr ***roots = arena_alloc(c->arena, sizeof(Expr **) * (size_t)(count ? count : 1));
    if (!roots) return oom(c);
    if (op->kind == LOP_PROJECT) {
        for (int k = 0; k < count; k++)
            roots[(*n)++] = &op->u.project.exprs[k];
    } else {
        for (int k = 0; k < op->u.aggregate.n_groups; k++)
            roots[(*n)++] = &op->u.aggregate.groups[k];
        for (int k = 0; k < op->u.aggregate.n_aggs; k++) {
            AggregateCall *call = op->u.aggregate.aggs[k];
            if (!call->arg) continue;
            /* The call may be shared with the binder's structures: rewrite a copy (and of
               its ORDER BY keys, which are evaluated for every row too). */
            AggregateCall *copy = arena_memdup(c->arena, call, sizeof *call);
            if (!copy) return oom(c);
            op->u.aggregate.aggs[k] = copy;
            roots[(*n)++] = &copy->arg;
            if (!call->n_order) continue;
            copy->order =
                arena_memdup(c->arena, call->order, sizeof(AggOrderKey) * (size_t)call->n_order);
            if (!copy->order) return oom(c);
            for (int o = 0; o < call->n_order; o++)
                roots[(*n)++] = &copy->order[o].expr;
        }
    }
    *out = roots;
    return BS_OK;
}

/* Shares the repeated subexpressions of op (a projection or aggregation), if any. */
static Status share(Cse *c, LogicalOp *op)
{
    Expr ***roots = NULL;
    int n_roots;
    BS_TRY(roots_of(c, op, &roots, &n_roots));
    if (n_roots == 0) return BS_OK;
    c->n_groups = 0;
    c->n_passed = 0;
    c->n_outputs = 0;
    c->cap_outputs = 0;
    c->outputs = NULL;
    BS_TRY(rebuild_index(c, 64));
    for (int k = 0; k < n_roots; k++)
        BS_TRY(collect(c, *roots[k], true));
    bool any = false;
    for (int g = 0; g < c->n_groups; g++) {
        Group *grp = &c->groups[g];
        grp->hoist = grp->count >= 2 && (grp->always || !expr_can_fail(grp->repr));
        any = any || grp->hoist;
    }
    if (!any) return BS_OK;
    c->table = c->next_table++;
    for (int k = 0; k < n_roots; k++)
        BS_TRY(rewrite(c, *roots[k], roots[k]));
    LogicalOp *proj = logical_create(c->arena, LOP_PROJECT, op->children[0]);
    if (!proj) return oom(c);
    proj->u.project.table_index = c->table;
    proj->u.project.n_exprs = c->n_outputs;
    proj->u.project.exprs = c->outputs;
    BS_TRY(logical_resolve(proj, c->arena, c->err));
    op->children[0] = proj;
    BS_TRY(logical_resolve(op, c->arena, c->err));
    /* Repeats among what the projection computes (f(g(x)) and g(x)) go one level lower. */
    return share(c, proj);
}

static Status share_tree(Cse *c, LogicalOp *op)
{
    for (int k = 0; k < op->n_children; k++)
        BS_TRY(share_tree(c, op->children[k]));
    return share(c, op);
}

Status rule_common_subexpr(LogicalOp *root, Arena *arena, Error *err)
{
    Cse c = {.arena = arena, .err = err, .next_table = logical_max_table_index(root) + 1};
    return share_tree(&c, root);
}
