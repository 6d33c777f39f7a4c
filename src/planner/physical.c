/*
 * physical.c — logical plan → physical plan, in two steps:
 *
 *   1. here: each logical operator becomes its physical operators, as if everything ran
 *      in one stream — an aggregation becomes a projection of its groups and arguments
 *      plus a HashAggregate[SINGLE], ORDER BY … LIMIT a TopN, INSERT a TableWrite plus the
 *      sum of the writers' counts;
 *   2. rule_exchanges.c: the exchange-placement pass gives every node its partitioning
 *      and adds exchanges (between fragments and between pipelines of a task) only where
 *      a child's partitioning does not satisfy what its parent needs, splitting
 *      aggregations, limits and TopN into partial and final steps around them;
 *
 * then fragmenter.c cuts the plan at the remote exchanges. Expressions are copied with
 * their column bindings turned into input positions.
 */
#include "planner/planner_int.h"

#include <string.h>

typedef struct Phys {
    Arena *arena;
    int next_id;
    int64_t max_recursion;
} Phys;

static PlanNode *node_new(Phys *p, PlanKind kind, PlanNode *child, int n_cols, Error *err)
{
    PlanNode *n = arena_alloc_zero(p->arena, sizeof *n);
    if (!n) {
        arena_error(p->arena, err);
        return NULL;
    }
    n->kind = kind;
    n->id = p->next_id++;
    n->est_rows = child ? child->est_rows : -1;
    n->n_cols = n_cols;
    n->types = arena_alloc(p->arena, sizeof(LogicalType) * (size_t)(n_cols ? n_cols : 1));
    if (!n->types) {
        arena_error(p->arena, err);
        return NULL;
    }
    if (child) {
        n->children = arena_alloc(p->arena, sizeof(PlanNode *));
        if (!n->children) {
            arena_error(p->arena, err);
            return NULL;
        }
        n->children[0] = child;
        n->n_children = 1;
    }
    return n;
}

/* Position of binding among the outputs of op; -1 if absent. */
static int binding_position(const LogicalOp *op, ColumnBinding binding)
{
    for (int k = 0; k < op->n_out; k++)
        if (op->bindings[k].table == binding.table && op->bindings[k].column == binding.column)
            return k;
    return -1;
}

/* Deep copy of e with columns resolved against the outputs of `input` (NULL: none allowed). */
static Status resolve(Phys *p, const Expr *e, const LogicalOp *input, Expr **out, Error *err)
{
    Expr *c = arena_memdup(p->arena, e, sizeof *e);
    if (!c) return arena_error(p->arena, err);
    c->flags = 0;
    switch (e->kind) {
    case EXPR_CONSTANT:
        BS_TRY(value_copy(p->arena, &e->u.constant, &c->u.constant, err));
        break;
    case EXPR_COLUMN:
        c->u.column.index = input ? binding_position(input, e->u.column.binding) : -1;
        if (c->u.column.index < 0)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, e->pos,
                             "planner: column binding (%u,%u) not found in input",
                             e->u.column.binding.table, e->u.column.binding.column);
        break;
    case EXPR_CALL:
        c->u.call.args = arena_alloc(
            p->arena, sizeof(Expr *) * (size_t)(e->u.call.n_args ? e->u.call.n_args : 1));
        if (!c->u.call.args) return arena_error(p->arena, err);
        for (int k = 0; k < e->u.call.n_args; k++)
            BS_TRY(resolve(p, e->u.call.args[k], input, &c->u.call.args[k], err));
        break;
    case EXPR_CAST:
        BS_TRY(resolve(p, e->u.cast.arg, input, &c->u.cast.arg, err));
        break;
    case EXPR_AND:
    case EXPR_OR:
        c->u.conj.args = arena_alloc(p->arena, sizeof(Expr *) * (size_t)e->u.conj.n_args);
        if (!c->u.conj.args) return arena_error(p->arena, err);
        for (int k = 0; k < e->u.conj.n_args; k++)
            BS_TRY(resolve(p, e->u.conj.args[k], input, &c->u.conj.args[k], err));
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        BS_TRY(resolve(p, e->u.unary.arg, input, &c->u.unary.arg, err));
        break;
    case EXPR_CASE: {
        int n = e->u.case_.n_whens;
        c->u.case_.whens = arena_alloc(p->arena, sizeof(Expr *) * (size_t)n);
        c->u.case_.thens = arena_alloc(p->arena, sizeof(Expr *) * (size_t)n);
        if (!c->u.case_.whens || !c->u.case_.thens) return arena_error(p->arena, err);
        for (int k = 0; k < n; k++) {
            BS_TRY(resolve(p, e->u.case_.whens[k], input, &c->u.case_.whens[k], err));
            BS_TRY(resolve(p, e->u.case_.thens[k], input, &c->u.case_.thens[k], err));
        }
        BS_TRY(resolve(p, e->u.case_.else_expr, input, &c->u.case_.else_expr, err));
        break;
    }
    case EXPR_AGGREGATE:
    case EXPR_SUBQUERY:
    case EXPR_WINDOW:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, e->pos,
                         "planner: aggregate, window or subquery left in an expression");
    }
    *out = c;
    return BS_OK;
}

static Status plan_op(Phys *p, const LogicalOp *op, PlanNode **out, Error *err);

static Status plan_scan(Phys *p, const LogicalOp *op, PlanNode **out, Error *err)
{
    PlanNode *n = node_new(p, PLAN_TABLE_SCAN, NULL, op->n_out, err);
    if (!n) return BS_ERROR;
    memcpy(n->types, op->types, sizeof(LogicalType) * (size_t)op->n_out);
    const CatalogTable *t = op->u.get.table;
    n->u.scan.table = t->name;
    n->u.scan.table_id = t->id;
    n->u.scan.snapshot = t->snapshot;
    n->u.scan.n_columns = op->u.get.n_columns;
    n->u.scan.columns = op->u.get.columns;
    n->u.scan.column_names = arena_alloc(
        p->arena, sizeof(char *) * (size_t)(op->u.get.n_columns ? op->u.get.n_columns : 1));
    if (!n->u.scan.column_names) return arena_error(p->arena, err);
    for (int k = 0; k < op->u.get.n_columns; k++)
        n->u.scan.column_names[k] = t->col_names[op->u.get.columns[k]];
    n->u.scan.n_zone = op->u.get.n_zone;
    n->u.scan.zone = op->u.get.zone;
    n->est_rows = t->n_rows;
    *out = n;
    return BS_OK;
}

/*
 * Plans an aggregation: a projection computes its groups (first) and arguments, and a
 * HashAggregate[SINGLE] over it; the exchange pass splits it where the rows are spread.
 */
static Status plan_aggregate(Phys *p, const LogicalOp *op, PlanNode **out, Error *err)
{
    const LogicalOp *child = op->children[0];
    PlanNode *input;
    BS_TRY(plan_op(p, child, &input, err));
    int n_groups = op->u.aggregate.n_groups, n_aggs = op->u.aggregate.n_aggs;
    /* The projection: group expressions, then aggregate arguments. */
    int n_proj = n_groups;
    for (int k = 0; k < n_aggs; k++) {
        const AggregateCall *call = op->u.aggregate.aggs[k];
        n_proj += call->arg != NULL;
        if (call->func == AGG_STRING_AGG || call->func == AGG_ARRAY_AGG) n_proj += call->n_order;
    }
    PlanNode *proj = node_new(p, PLAN_PROJECT, input, n_proj, err);
    if (!proj) return BS_ERROR;
    proj->u.project.exprs = arena_alloc(p->arena, sizeof(Expr *) * (size_t)(n_proj ? n_proj : 1));
    if (!proj->u.project.exprs) return arena_error(p->arena, err);
    for (int k = 0; k < n_groups; k++) {
        BS_TRY(resolve(p, op->u.aggregate.groups[k], child, &proj->u.project.exprs[k], err));
        proj->types[k] = proj->u.project.exprs[k]->type;
    }
    PlanAggregate *aggs =
        arena_alloc_zero(p->arena, sizeof(PlanAggregate) * (size_t)(n_aggs ? n_aggs : 1));
    if (!aggs) return arena_error(p->arena, err);
    int col = n_groups;
    for (int k = 0; k < n_aggs; k++) {
        const AggregateCall *call = op->u.aggregate.aggs[k];
        aggs[k].func = call->func;
        aggs[k].distinct = call->distinct;
        aggs[k].arg_type = call->arg_type;
        aggs[k].type = call->type;
        aggs[k].arg = -1;
        if (call->arg) {
            BS_TRY(resolve(p, call->arg, child, &proj->u.project.exprs[col], err));
            proj->types[col] = proj->u.project.exprs[col]->type;
            aggs[k].arg = col++;
        }
        BS_TRY(value_copy(p->arena, &call->param, &aggs[k].param, err));
        aggs[k].n_order = call->n_order;
        aggs[k].order = arena_alloc_zero(p->arena, sizeof(SortKey) * (size_t)(call->n_order + 1));
        if (!aggs[k].order) return arena_error(p->arena, err);
        for (int o = 0; o < call->n_order; o++) {
            aggs[k].order[o].descending = call->order[o].descending;
            aggs[k].order[o].nulls_first = call->order[o].nulls_first;
            if (call->func != AGG_STRING_AGG && call->func != AGG_ARRAY_AGG) {
                /* a percentile's key is its argument */
                aggs[k].order[o].column = aggs[k].arg;
                continue;
            }
            BS_TRY(resolve(p, call->order[o].expr, child, &proj->u.project.exprs[col], err));
            proj->types[col] = proj->u.project.exprs[col]->type;
            aggs[k].order[o].column = col++;
        }
    }
    bool trivial = n_proj == input->n_cols; /* every expression is a column read in order */
    for (int k = 0; k < n_proj && trivial; k++)
        trivial = proj->u.project.exprs[k]->kind == EXPR_COLUMN &&
                  proj->u.project.exprs[k]->u.column.index == k;
    PlanNode *below = trivial ? input : proj;
    int *groups = arena_alloc(p->arena, sizeof(int) * (size_t)(n_groups ? n_groups : 1));
    if (!groups) return arena_error(p->arena, err);
    for (int k = 0; k < n_groups; k++)
        groups[k] = k;
    PlanNode *agg = node_new(p, PLAN_HASH_AGGREGATE, below, n_groups + n_aggs, err);
    if (!agg) return BS_ERROR;
    agg->u.agg.mode = AGG_SINGLE;
    agg->u.agg.n_groups = n_groups;
    agg->u.agg.groups = groups;
    agg->u.agg.n_aggs = n_aggs;
    agg->u.agg.aggs = aggs;
    memcpy(agg->types, op->types, sizeof(LogicalType) * (size_t)op->n_out);
    agg->est_rows = n_groups == 0 ? 1 : op->est_rows;
    *out = agg;
    return BS_OK;
}

/* ---- joins ---- */

/* One side of a join being planned: its logical op, its plan, and key columns it adds. */
typedef struct JoinSide {
    const LogicalOp *op;
    PlanNode *plan;
    int n_extra;
    Expr **extra; /* key expressions computed by a projection over the side's plan */
    int *keys;    /* per key: its column in the side's (extended) output */
} JoinSide;

/* The column of the side's extended output that holds key expression e. */
static Status side_key(Phys *p, JoinSide *side, const Expr *e, int capacity, int *out, Error *err)
{
    if (e->kind == EXPR_COLUMN) {
        *out = binding_position(side->op, e->u.column.binding);
        if (*out >= 0) return BS_OK;
    }
    for (int k = 0; k < side->n_extra; k++)
        if (expr_equal(side->extra[k], e)) {
            *out = side->op->n_out + k;
            return BS_OK;
        }
    if (!side->extra) {
        side->extra = arena_alloc(p->arena, sizeof(Expr *) * (size_t)capacity);
        if (!side->extra) return arena_error(p->arena, err);
    }
    side->extra[side->n_extra] = (Expr *)e;
    *out = side->op->n_out + side->n_extra++;
    return BS_OK;
}

/* Adds the projection that computes a side's extra key columns after its own. */
static Status extend_side(Phys *p, JoinSide *side, Error *err)
{
    if (side->n_extra == 0) return BS_OK;
    PlanNode *child = side->plan;
    int n = child->n_cols + side->n_extra;
    PlanNode *proj = node_new(p, PLAN_PROJECT, child, n, err);
    if (!proj) return BS_ERROR;
    proj->u.project.exprs = arena_alloc(p->arena, sizeof(Expr *) * (size_t)n);
    if (!proj->u.project.exprs) return arena_error(p->arena, err);
    for (int k = 0; k < child->n_cols; k++) {
        Expr *col = expr_new(p->arena, EXPR_COLUMN, child->types[k], -1);
        if (!col) return arena_error(p->arena, err);
        col->u.column.index = k;
        proj->u.project.exprs[k] = col;
        proj->types[k] = child->types[k];
    }
    for (int k = 0; k < side->n_extra; k++) {
        BS_TRY(resolve(p, side->extra[k], side->op, &proj->u.project.exprs[child->n_cols + k], err));
        proj->types[child->n_cols + k] = side->extra[k]->type;
    }
    side->plan = proj;
    return BS_OK;
}

/* A stand-in operator whose outputs are a's columns then b's (extras as unused bindings). */
static Status concat_outputs(Phys *p, const JoinSide *a, const JoinSide *b, LogicalOp *out,
                             Error *err)
{
    int na = a->plan->n_cols, nb = b ? b->plan->n_cols : 0;
    memset(out, 0, sizeof *out);
    out->n_out = na + nb;
    out->bindings = arena_alloc(p->arena, sizeof(ColumnBinding) * (size_t)(na + nb + 1));
    if (!out->bindings) return arena_error(p->arena, err);
    for (int k = 0; k < na; k++)
        out->bindings[k] = k < a->op->n_out ? a->op->bindings[k]
                                            : (ColumnBinding){UINT32_MAX, (uint32_t)k};
    for (int k = 0; k < nb; k++)
        out->bindings[na + k] = k < b->op->n_out ? b->op->bindings[k]
                                                 : (ColumnBinding){UINT32_MAX - 1, (uint32_t)k};
    return BS_OK;
}

static void add_conjuncts(Expr *e, Expr **list, int *n)
{
    if (!e) return;
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->u.conj.n_args; k++)
            add_conjuncts(e->u.conj.args[k], list, n);
        return;
    }
    list[(*n)++] = e;
}

static int count_conjuncts(const Expr *e)
{
    if (!e) return 0;
    if (e->kind != EXPR_AND) return 1;
    int n = 0;
    for (int k = 0; k < e->u.conj.n_args; k++)
        n += count_conjuncts(e->u.conj.args[k]);
    return n;
}

/*
 * Plans a join: the side whose rows are kept (LEFT, SEMI, ANTI, MARK: the left; RIGHT: the
 * right, as a LEFT join) or the larger one (INNER) probes, the other is built. Equalities
 * between an expression of each side become hash keys (computed by a projection when they
 * are not columns); the rest of the condition is the residual. A projection on top restores
 * the logical output order.
 */
static Status plan_join(Phys *p, const LogicalOp *op, PlanNode **out, Error *err)
{
    const LogicalOp *l = op->children[0], *r = op->children[1];
    JoinSide ls = {.op = l}, rs = {.op = r};
    BS_TRY(plan_op(p, l, &ls.plan, err));
    BS_TRY(plan_op(p, r, &rs.plan, err));
    LogicalJoinType lt = op->u.join.type;
    PlanJoinType type;
    bool swap = false;
    switch (lt) {
    case LJ_INNER:
        type = PJ_INNER;
        /* The smaller side is built. */
        swap = l->est_rows >= 0 && r->est_rows >= 0 && l->est_rows < r->est_rows;
        break;
    case LJ_LEFT:
        type = PJ_LEFT;
        break;
    case LJ_RIGHT:
        type = PJ_LEFT;
        swap = true;
        break;
    case LJ_FULL:
        type = PJ_FULL;
        break;
    case LJ_SEMI:
        type = PJ_SEMI;
        break;
    case LJ_ANTI:
        type = PJ_ANTI;
        break;
    case LJ_MARK:
        type = PJ_MARK;
        break;
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "planner: join type %d", lt);
    }
    JoinSide *probe = swap ? &rs : &ls, *build = swap ? &ls : &rs;
    /* Keys and residual. */
    int n_conj = count_conjuncts(op->u.join.condition);
    Expr **conj = arena_alloc(p->arena, sizeof(Expr *) * (size_t)(n_conj ? n_conj : 1));
    Expr **residual = arena_alloc(p->arena, sizeof(Expr *) * (size_t)(n_conj ? n_conj : 1));
    probe->keys = arena_alloc(p->arena, sizeof(int) * (size_t)(n_conj ? n_conj : 1));
    build->keys = arena_alloc(p->arena, sizeof(int) * (size_t)(n_conj ? n_conj : 1));
    if (!conj || !residual || !probe->keys || !build->keys) return arena_error(p->arena, err);
    bool *key_null_equal = arena_alloc(p->arena, sizeof(bool) * (size_t)(n_conj ? n_conj : 1));
    if (!key_null_equal) return arena_error(p->arena, err);
    int n = 0, n_keys = 0, n_residual = 0;
    bool any_null_equal = false;
    add_conjuncts(op->u.join.condition, conj, &n);
    for (int k = 0; k < n; k++) {
        Expr *c = conj[k];
        /* a = b, and a IS NOT DISTINCT FROM b (a key on which NULL matches NULL). */
        bool not_distinct = c->kind == EXPR_CALL && c->u.call.func == FN_IS_NOT_DISTINCT;
        if (c->kind == EXPR_CALL && (c->u.call.func == FN_EQ || not_distinct) &&
            c->u.call.n_args == 2 &&
            type_equals(c->u.call.args[0]->type, c->u.call.args[1]->type) &&
            type_physical(c->u.call.args[0]->type) != PHYS_INVALID) {
            const Expr *a = c->u.call.args[0], *b = c->u.call.args[1];
            /* a reads only the probe side, b only the build side (or the other way). */
            bool ap, ab, ao, bp, bb, bo;
            expr_column_sources(a, probe->op, build->op, &ap, &ab, &ao);
            expr_column_sources(b, probe->op, build->op, &bp, &bb, &bo);
            /* (a side that reads no column at all, a constant, is the probe side's: a
               null-aware MARK join keeps `1 = v` as its key) */
            bool straight = !ab && bb && !bp, crossed = ab && !ap && !bb;
            bool key = !ao && !bo && (straight || crossed);
            if (crossed) {
                const Expr *t = a;
                a = b;
                b = t;
            }
            if (key) {
                BS_TRY(side_key(p, probe, a, n, &probe->keys[n_keys], err));
                BS_TRY(side_key(p, build, b, n, &build->keys[n_keys], err));
                key_null_equal[n_keys] = not_distinct || op->u.join.null_equal;
                any_null_equal |= key_null_equal[n_keys];
                n_keys++;
                continue;
            }
        }
        residual[n_residual++] = c;
    }
    BS_TRY(extend_side(p, probe, err));
    BS_TRY(extend_side(p, build, err));
    int np = probe->plan->n_cols, nb = build->plan->n_cols;
    int n_cols = type == PJ_SEMI || type == PJ_ANTI ? np : type == PJ_MARK ? np + 1 : np + nb;
    PlanNode *j = node_new(p, PLAN_JOIN, NULL, n_cols, err);
    PlanNode **children = arena_alloc(p->arena, sizeof(PlanNode *) * 2);
    if (!j || !children) return arena_error(p->arena, err);
    children[0] = probe->plan;
    children[1] = build->plan;
    j->children = children;
    j->n_children = 2;
    memcpy(j->types, probe->plan->types, sizeof(LogicalType) * (size_t)np);
    if (type == PJ_MARK)
        j->types[np] = type_make(TYPE_BOOLEAN);
    else if (n_cols > np)
        memcpy(j->types + np, build->plan->types, sizeof(LogicalType) * (size_t)nb);
    j->u.join.type = type;
    j->u.join.n_keys = n_keys;
    j->u.join.probe_keys = probe->keys;
    j->u.join.build_keys = build->keys;
    j->u.join.null_equal = NULL;
    if (op->u.join.null_equal && (n_residual > 0 || n_keys == 0))
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "planner: a NULL-matching join needs equality keys only");
    if (any_null_equal) j->u.join.null_equal = key_null_equal;
    j->u.join.null_aware = op->u.join.null_aware;
    j->u.join.single_match = op->u.join.single_match && type == PJ_LEFT && !swap;
    if (n_residual > 0) {
        Expr *pred = residual[0];
        if (n_residual > 1) {
            pred = expr_new(p->arena, EXPR_AND, type_make(TYPE_BOOLEAN), -1);
            if (!pred) return arena_error(p->arena, err);
            pred->u.conj.n_args = n_residual;
            pred->u.conj.args = residual;
        }
        LogicalOp both;
        BS_TRY(concat_outputs(p, probe, build, &both, err));
        BS_TRY(resolve(p, pred, &both, &j->u.join.residual, err));
    }
    double pe = probe->op->est_rows, be = build->op->est_rows;
    j->est_rows = op->est_rows >= 0 ? op->est_rows
                  : pe < 0 || be < 0 ? -1
                  : type == PJ_SEMI || type == PJ_ANTI || type == PJ_MARK ? pe
                  : n_keys > 0 ? (pe > be ? pe : be)
                               : pe * be;
    /* The logical order of the outputs. */
    LogicalOp joined;
    BS_TRY(concat_outputs(p, probe, type == PJ_SEMI || type == PJ_ANTI || type == PJ_MARK ? NULL
                                                                                         : build,
                          &joined, err));
    if (type == PJ_MARK) joined.bindings[np] = (ColumnBinding){op->u.join.mark_index, 0};
    if (type == PJ_MARK) joined.n_out = np + 1;
    bool identity = op->n_out == j->n_cols;
    int *pos = arena_alloc(p->arena, sizeof(int) * (size_t)(op->n_out ? op->n_out : 1));
    if (!pos) return arena_error(p->arena, err);
    for (int k = 0; k < op->n_out; k++) {
        pos[k] = binding_position(&joined, op->bindings[k]);
        if (pos[k] < 0)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "planner: join output not found");
        identity = identity && pos[k] == k;
    }
    if (identity) {
        *out = j;
        return BS_OK;
    }
    PlanNode *proj = node_new(p, PLAN_PROJECT, j, op->n_out, err);
    if (!proj) return BS_ERROR;
    proj->u.project.exprs = arena_alloc(p->arena, sizeof(Expr *) * (size_t)(op->n_out ? op->n_out : 1));
    if (!proj->u.project.exprs) return arena_error(p->arena, err);
    for (int k = 0; k < op->n_out; k++) {
        Expr *col = expr_new(p->arena, EXPR_COLUMN, j->types[pos[k]], -1);
        if (!col) return arena_error(p->arena, err);
        col->u.column.index = pos[k];
        proj->u.project.exprs[k] = col;
        proj->types[k] = j->types[pos[k]];
    }
    *out = proj;
    return BS_OK;
}

static Status limit_node(Phys *p, PlanNode *child, int64_t limit, int64_t offset, PlanNode **out,
                         Error *err)
{
    PlanNode *n = node_new(p, PLAN_LIMIT, child, child->n_cols, err);
    if (!n) return BS_ERROR;
    memcpy(n->types, child->types, sizeof(LogicalType) * (size_t)child->n_cols);
    n->u.limit.limit = limit;
    n->u.limit.offset = offset;
    n->u.limit.single_row = false;
    *out = n;
    return BS_OK;
}

/* ORDER BY … LIMIT n uses TopN up to this many rows (beyond, a full sort is cheaper). */
#define TOPN_MAX_ROWS 100000

/* A Sort (topn < 0) or TopN node over input for the keys of the LOP_ORDER `order`. */
static Status plan_sort(Phys *p, const LogicalOp *order, PlanNode *input, int64_t topn,
                        PlanNode **out, Error *err)
{
    PlanNode *n = node_new(p, topn < 0 ? PLAN_SORT : PLAN_TOPN, input, input->n_cols, err);
    if (!n) return BS_ERROR;
    memcpy(n->types, input->types, sizeof(LogicalType) * (size_t)input->n_cols);
    n->u.sort.limit = topn;
    n->u.sort.n_keys = order->u.order.n_keys;
    n->u.sort.keys = arena_alloc(p->arena, sizeof(SortKey) * (size_t)order->u.order.n_keys);
    if (!n->u.sort.keys) return arena_error(p->arena, err);
    for (int k = 0; k < order->u.order.n_keys; k++) {
        const LogicalSortKey *key = &order->u.order.keys[k];
        if (key->expr->kind != EXPR_COLUMN)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "planner: sort key is not a column");
        n->u.sort.keys[k].column =
            binding_position(order->children[0], key->expr->u.column.binding);
        n->u.sort.keys[k].descending = key->descending;
        n->u.sort.keys[k].nulls_first = key->nulls_first;
        if (n->u.sort.keys[k].column < 0)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "planner: sort key not found");
    }
    if (topn >= 0 && (input->est_rows < 0 || input->est_rows > (double)topn))
        n->est_rows = (double)topn;
    *out = n;
    return BS_OK;
}

/* The input column a window's key or argument reads (the binder made each a column). */
static Status window_column(const LogicalOp *window, const Expr *e, int *out, Error *err)
{
    *out = e->kind == EXPR_COLUMN ? binding_position(window->children[0], e->u.column.binding) : -1;
    if (*out < 0)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "planner: window input not a column");
    return BS_OK;
}

static Status plan_window(Phys *p, const LogicalOp *op, PlanNode *child, PlanNode **out,
                          Error *err)
{
    int n_funcs = op->u.window.n_funcs;
    const WindowCall *spec = op->u.window.funcs[0];
    PlanNode *n = node_new(p, PLAN_WINDOW, child, child->n_cols + n_funcs, err);
    if (!n) return BS_ERROR;
    memcpy(n->types, child->types, sizeof(LogicalType) * (size_t)child->n_cols);
    n->u.window.n_partitions = spec->n_partitions;
    n->u.window.partitions =
        arena_alloc(p->arena, sizeof(int) * (size_t)(spec->n_partitions ? spec->n_partitions : 1));
    n->u.window.n_order = spec->n_order;
    n->u.window.order =
        arena_alloc(p->arena, sizeof(SortKey) * (size_t)(spec->n_order ? spec->n_order : 1));
    n->u.window.n_funcs = n_funcs;
    n->u.window.funcs = arena_alloc_zero(p->arena, sizeof(PlanWindowFunc) * (size_t)n_funcs);
    if (!n->u.window.partitions || !n->u.window.order || !n->u.window.funcs)
        return arena_error(p->arena, err);
    for (int k = 0; k < spec->n_partitions; k++)
        BS_TRY(window_column(op, spec->partitions[k], &n->u.window.partitions[k], err));
    for (int k = 0; k < spec->n_order; k++) {
        BS_TRY(window_column(op, spec->order[k].expr, &n->u.window.order[k].column, err));
        n->u.window.order[k].descending = spec->order[k].descending;
        n->u.window.order[k].nulls_first = spec->order[k].nulls_first;
    }
    for (int k = 0; k < n_funcs; k++) {
        const WindowCall *w = op->u.window.funcs[k];
        PlanWindowFunc *f = &n->u.window.funcs[k];
        f->func = w->func;
        f->agg = w->agg;
        f->n_args = w->n_args;
        for (int a = 0; a < w->n_args; a++)
            BS_TRY(window_column(op, w->args[a], &f->args[a], err));
        f->arg_type = w->n_args ? w->args[0]->type : type_make(TYPE_BIGINT);
        f->type = w->type;
        f->frame = w->frame;
        f->distinct = w->distinct;
        f->ignore_nulls = w->ignore_nulls;
        f->param = w->param;
        f->n_agg_order = w->n_agg_order;
        for (int o = 0; o < w->n_agg_order; o++) {
            f->agg_order_desc[o] = w->agg_order_desc[o];
            f->agg_order_nulls_first[o] = w->agg_order_nulls_first[o];
        }
        n->types[child->n_cols + k] = w->type;
    }
    *out = n;
    return BS_OK;
}

/* A projection over child (planned from logical c): its columns unchanged, then exprs[]
   (over c). Expand and Unnest read what it appends. */
static Status project_appending(Phys *p, PlanNode *child, const LogicalOp *c, Expr **exprs, int n,
                                PlanNode **out, Error *err)
{
    int nc = c->n_out;
    PlanNode *proj = node_new(p, PLAN_PROJECT, child, nc + n, err);
    if (!proj) return BS_ERROR;
    proj->u.project.exprs = arena_alloc(p->arena, sizeof(Expr *) * (size_t)(nc + n + 1));
    if (!proj->u.project.exprs) return arena_error(p->arena, err);
    for (int k = 0; k < nc; k++) {
        Expr *col = expr_new(p->arena, EXPR_COLUMN, child->types[k], -1);
        if (!col) return arena_error(p->arena, err);
        col->u.column.index = k;
        proj->u.project.exprs[k] = col;
        proj->types[k] = child->types[k];
    }
    for (int k = 0; k < n; k++) {
        BS_TRY(resolve(p, exprs[k], c, &proj->u.project.exprs[nc + k], err));
        proj->types[nc + k] = exprs[k]->type;
    }
    *out = proj;
    return BS_OK;
}

static Status plan_op(Phys *p, const LogicalOp *op, PlanNode **out, Error *err)
{
    PlanNode *child = NULL, *n;
    switch (op->kind) {
    case LOP_GET:
        return plan_scan(p, op, out, err);
    case LOP_VALUES: {
        n = node_new(p, PLAN_VALUES, NULL, op->n_out, err);
        if (!n) return BS_ERROR;
        memcpy(n->types, op->types, sizeof(LogicalType) * (size_t)op->n_out);
        int rows = op->u.values.n_rows;
        n->u.values.n_rows = rows;
        n->u.values.rows = arena_alloc(p->arena, sizeof(Expr **) * (size_t)(rows ? rows : 1));
        if (!n->u.values.rows) return arena_error(p->arena, err);
        for (int r = 0; r < rows; r++) {
            n->u.values.rows[r] =
                arena_alloc(p->arena, sizeof(Expr *) * (size_t)(op->n_out ? op->n_out : 1));
            if (!n->u.values.rows[r]) return arena_error(p->arena, err);
            for (int c = 0; c < op->n_out; c++)
                BS_TRY(resolve(p, op->u.values.rows[r][c], NULL, &n->u.values.rows[r][c], err));
        }
        n->est_rows = rows;
        *out = n;
        return BS_OK;
    }
    case LOP_CSV_READ:
        n = node_new(p, PLAN_CSV_SCAN, NULL, op->n_out, err);
        if (!n) return BS_ERROR;
        memcpy(n->types, op->types, sizeof(LogicalType) * (size_t)op->n_out);
        n->u.csv.path = op->u.csv.path;
        n->u.csv.delimiter = op->u.csv.delimiter;
        n->u.csv.quote = op->u.csv.quote;
        n->u.csv.escape = op->u.csv.escape;
        n->u.csv.header = op->u.csv.header;
        n->u.csv.null_string = op->u.csv.null_string;
        *out = n;
        return BS_OK;
    case LOP_FILTER:
        BS_TRY(plan_op(p, op->children[0], &child, err));
        n = node_new(p, PLAN_FILTER, child, child->n_cols, err);
        if (!n) return BS_ERROR;
        memcpy(n->types, child->types, sizeof(LogicalType) * (size_t)child->n_cols);
        n->est_rows = op->est_rows; /* rule_joins's: its input's times the selectivity */
        BS_TRY(resolve(p, op->u.filter.predicate, op->children[0], &n->u.filter.predicate, err));
        *out = n;
        return BS_OK;
    case LOP_PROJECT:
        BS_TRY(plan_op(p, op->children[0], &child, err));
        n = node_new(p, PLAN_PROJECT, child, op->n_out, err);
        if (!n) return BS_ERROR;
        n->u.project.exprs =
            arena_alloc(p->arena, sizeof(Expr *) * (size_t)(op->n_out ? op->n_out : 1));
        if (!n->u.project.exprs) return arena_error(p->arena, err);
        bool identity = op->n_out == child->n_cols;
        for (int k = 0; k < op->n_out; k++) {
            BS_TRY(
                resolve(p, op->u.project.exprs[k], op->children[0], &n->u.project.exprs[k], err));
            n->types[k] = op->types[k];
            const Expr *e = n->u.project.exprs[k];
            identity = identity && e->kind == EXPR_COLUMN && e->u.column.index == k;
        }
        /* A projection that passes its input through unchanged is dropped. */
        *out = identity ? child : n;
        return BS_OK;
    case LOP_AGGREGATE:
        return plan_aggregate(p, op, out, err);
    case LOP_EXPAND: {
        /* A projection appends the grouping expressions to the child's columns (which
           pass through unchanged, for the aggregates' arguments); Expand nulls them. */
        BS_TRY(plan_op(p, op->children[0], &child, err));
        int nc = op->children[0]->n_out, ng = op->u.expand.n_groups;
        PlanNode *proj;
        BS_TRY(project_appending(p, child, op->children[0], op->u.expand.groups, ng, &proj, err));
        n = node_new(p, PLAN_EXPAND, proj, nc + ng + 1, err);
        if (!n) return BS_ERROR;
        memcpy(n->types, proj->types, sizeof(LogicalType) * (size_t)(nc + ng));
        n->types[nc + ng] = type_make(TYPE_BIGINT);
        n->u.expand.n_keys = ng;
        n->u.expand.keys = arena_alloc(p->arena, sizeof(int) * (size_t)(ng ? ng : 1));
        n->u.expand.n_sets = op->u.expand.n_sets;
        n->u.expand.sets = op->u.expand.sets;
        if (!n->u.expand.keys) return arena_error(p->arena, err);
        for (int k = 0; k < ng; k++)
            n->u.expand.keys[k] = nc + k;
        n->est_rows = child->est_rows < 0 ? -1 : child->est_rows * op->u.expand.n_sets;
        *out = n;
        return BS_OK;
    }
    case LOP_UNNEST: {
        /* A projection appends the arrays to the child's columns; Unnest expands them. */
        BS_TRY(plan_op(p, op->children[0], &child, err));
        int na = op->u.unnest.n_arrays;
        PlanNode *proj;
        BS_TRY(project_appending(p, child, op->children[0], op->u.unnest.arrays, na, &proj, err));
        n = node_new(p, PLAN_UNNEST, proj, op->n_out, err);
        if (!n) return BS_ERROR;
        memcpy(n->types, op->types, sizeof(LogicalType) * (size_t)op->n_out);
        n->u.unnest.n_arrays = na;
        n->u.unnest.ordinality = op->u.unnest.ordinality;
        n->u.unnest.mode = op->u.unnest.mode;
        n->u.unnest.outer = op->u.unnest.outer;
        n->est_rows = op->est_rows;
        *out = n;
        return BS_OK;
    }
    case LOP_JOIN:
        return plan_join(p, op, out, err);
    case LOP_RANGE:
        n = node_new(p, PLAN_RANGE, NULL, 1, err);
        if (!n) return BS_ERROR;
        n->types[0] = op->types[0];
        BS_TRY(resolve(p, op->u.range.start, NULL, &n->u.range.start, err));
        BS_TRY(resolve(p, op->u.range.stop, NULL, &n->u.range.stop, err));
        BS_TRY(resolve(p, op->u.range.step, NULL, &n->u.range.step, err));
        n->u.range.inclusive = op->u.range.inclusive;
        n->est_rows = op->est_rows;
        *out = n;
        return BS_OK;
    case LOP_UNION: {
        n = node_new(p, PLAN_UNION, NULL, op->n_out, err);
        PlanNode **children = arena_alloc(p->arena, sizeof(PlanNode *) * (size_t)op->n_children);
        if (!n || !children) return arena_error(p->arena, err);
        memcpy(n->types, op->types, sizeof(LogicalType) * (size_t)op->n_out);
        n->children = children;
        n->n_children = op->n_children;
        n->est_rows = 0;
        for (int k = 0; k < op->n_children; k++) {
            BS_TRY(plan_op(p, op->children[k], &children[k], err));
            n->est_rows = children[k]->est_rows < 0 || n->est_rows < 0
                              ? -1
                              : n->est_rows + children[k]->est_rows;
        }
        *out = n;
        return BS_OK;
    }
    case LOP_RECURSIVE_CTE: {
        n = node_new(p, PLAN_RECURSIVE_CTE, NULL, op->n_out, err);
        PlanNode **children = arena_alloc(p->arena, sizeof(PlanNode *) * 2);
        if (!n || !children) return arena_error(p->arena, err);
        memcpy(n->types, op->types, sizeof(LogicalType) * (size_t)op->n_out);
        n->children = children;
        n->n_children = 2;
        BS_TRY(plan_op(p, op->children[0], &children[0], err));
        BS_TRY(plan_op(p, op->children[1], &children[1], err));
        n->u.recursive.id = (int)op->u.recursive.id;
        n->u.recursive.union_all = op->u.recursive.union_all;
        n->u.recursive.max_iterations = p->max_recursion;
        n->u.recursive.name = (char *)op->u.recursive.name;
        n->est_rows = op->est_rows;
        *out = n;
        return BS_OK;
    }
    case LOP_CTE_SCAN:
        n = node_new(p, PLAN_CTE_SCAN, NULL, op->n_out, err);
        if (!n) return BS_ERROR;
        memcpy(n->types, op->types, sizeof(LogicalType) * (size_t)op->n_out);
        n->u.cte_scan.id = (int)op->u.cte_scan.id;
        n->u.cte_scan.name = (char *)op->u.cte_scan.name;
        n->est_rows = op->est_rows;
        *out = n;
        return BS_OK;
    case LOP_ORDER:
        BS_TRY(plan_op(p, op->children[0], &child, err));
        return plan_sort(p, op, child, -1, out, err);
    case LOP_WINDOW:
        BS_TRY(plan_op(p, op->children[0], &child, err));
        return plan_window(p, op, child, out, err);
    case LOP_LIMIT: {
        int64_t limit = op->u.limit.limit, offset = op->u.limit.offset;
        const LogicalOp *below = op->children[0];
        if (op->u.limit.single_row) {
            BS_TRY(plan_op(p, below, &child, err));
            BS_TRY(limit_node(p, child, 1, 0, out, err));
            (*out)->u.limit.single_row = true;
            (*out)->est_rows = 1;
            return BS_OK;
        }
        if (below->kind == LOP_ORDER && limit >= 0 && limit <= TOPN_MAX_ROWS - offset) {
            /* ORDER BY … LIMIT: the first limit + offset rows, then the limit. */
            BS_TRY(plan_op(p, below->children[0], &child, err));
            BS_TRY(plan_sort(p, below, child, limit + offset, &child, err));
            return limit_node(p, child, limit, offset, out, err);
        }
        BS_TRY(plan_op(p, below, &child, err));
        return limit_node(p, child, limit, offset, out, err);
    }
    case LOP_INSERT: {
        BS_TRY(plan_op(p, op->children[0], &child, err));
        PlanNode *writer = node_new(p, PLAN_TABLE_WRITE, child, 1, err);
        if (!writer) return BS_ERROR;
        writer->types[0] = type_make(TYPE_BIGINT);
        writer->u.write.table = op->u.insert.table;
        writer->u.write.table_id = op->u.insert.table_id;
        writer->u.write.n_columns = op->u.insert.n_columns;
        writer->u.write.columns = op->u.insert.columns;
        /* One row per writer with its count; the statement's count is their sum. */
        PlanAggregate *sum = arena_alloc_zero(p->arena, sizeof *sum);
        if (!sum) return arena_error(p->arena, err);
        sum->func = AGG_SUM;
        sum->arg = 0;
        sum->arg_type = type_make(TYPE_BIGINT);
        sum->type = type_make(TYPE_BIGINT);
        n = node_new(p, PLAN_HASH_AGGREGATE, writer, 1, err);
        if (!n) return BS_ERROR;
        n->est_rows = 1;
        n->types[0] = type_make(TYPE_BIGINT);
        n->u.agg.mode = AGG_SINGLE;
        n->u.agg.n_aggs = 1;
        n->u.agg.aggs = sum;
        n->u.agg.groups = arena_alloc(p->arena, sizeof(int));
        if (!n->u.agg.groups) return arena_error(p->arena, err);
        *out = n;
        return BS_OK;
    }
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "planner: unknown logical operator");
}

Status planner_physical(const BoundStatement *stmt, const PlanOptions *options, Arena *arena,
                        QueryPlan **out, Error *err)
{
    PlanOptions defaults = {.workers = 1};
    if (!options || options->workers < 1) options = &defaults;
    Phys p = {.arena = arena,
              .next_id = 0,
              .max_recursion = options->max_recursion > 0 ? options->max_recursion
                                                          : PLAN_DEFAULT_MAX_RECURSION};
    PlanNode *root;
    BS_TRY(plan_op(&p, stmt->plan, &root, err));
    BS_TRY(planner_place_exchanges(&root, options, arena, &p.next_id, err));
    QueryPlan *plan = arena_alloc_zero(arena, sizeof *plan);
    if (!plan) return arena_error(arena, err);
    BS_TRY(planner_fragment(root, options, arena, &plan->fragments, &plan->n_fragments, err));
    plan->n_out = stmt->n_out;
    plan->out_names = stmt->out_names;
    plan->out_types = stmt->out_types ? stmt->out_types : root->types;
    *out = plan;
    return BS_OK;
}
