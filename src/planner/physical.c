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
        return error_set(err, SQLSTATE_INTERNAL_ERROR, e->pos,
                         "planner: aggregate left in an expression");
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
    for (int k = 0; k < n_aggs; k++)
        n_proj += op->u.aggregate.aggs[k]->arg != NULL;
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
    agg->est_rows = n_groups == 0 ? 1 : -1;
    *out = agg;
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
    case LOP_ORDER:
        BS_TRY(plan_op(p, op->children[0], &child, err));
        return plan_sort(p, op, child, -1, out, err);
    case LOP_LIMIT: {
        int64_t limit = op->u.limit.limit, offset = op->u.limit.offset;
        const LogicalOp *below = op->children[0];
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
    Phys p = {.arena = arena, .next_id = 0};
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
