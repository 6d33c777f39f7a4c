/*
 * op_agg.c — HashAggregate, as a pair of operators around a shared state:
 *
 *   AggSink (one per driver of the input pipeline) aggregates its rows into a table of its
 *   own, without locks; when its input ends it hands the table to the shared state.
 *   AggSource (one driver, started once every sink is done) merges the tables into the
 *   first and emits the groups, BASALT_VECTOR_SIZE at a time.
 */
#include "exec/agg_table.h"

#include <pthread.h>

struct BreakerState {
    const PlanNode *node;
    pthread_mutex_t lock;
    int n_tables, cap_tables;
    AggTable **tables;
    MemTracker tracker; /* the tables outlive their sink operators */
};

BreakerState *agg_shared_create(Task *task, const PlanNode *node, Error *err)
{
    BreakerState *s = bs_calloc(1, sizeof *s);
    if (!s) {
        error_oom(err);
        return NULL;
    }
    s->node = node;
    pthread_mutex_init(&s->lock, NULL);
    memtracker_init(&s->tracker, task_tracker(task), "HashAggregate", 0);
    return s;
}

void agg_shared_destroy(BreakerState *s)
{
    if (!s) return;
    for (int k = 0; k < s->n_tables; k++)
        agg_table_destroy(s->tables[k]);
    bs_free(s->tables);
    pthread_mutex_destroy(&s->lock);
    bs_free(s);
}

static Status shared_add_table(BreakerState *s, AggTable *t, Error *err)
{
    pthread_mutex_lock(&s->lock);
    if (s->n_tables == s->cap_tables) {
        int cap = s->cap_tables ? s->cap_tables * 2 : 8;
        AggTable **grown = bs_realloc(s->tables, sizeof(AggTable *) * (size_t)cap);
        if (!grown) {
            pthread_mutex_unlock(&s->lock);
            agg_table_destroy(t);
            return error_oom(err);
        }
        s->tables = grown;
        s->cap_tables = cap;
    }
    s->tables[s->n_tables++] = t;
    pthread_mutex_unlock(&s->lock);
    return BS_OK;
}

/* ---- sink ---- */

typedef struct AggSinkOp {
    Operator base;
    BreakerState *shared;
    AggTable *table;
    bool finished;
} AggSinkOp;

static bool sink_needs_input(Operator *op)
{
    return !((AggSinkOp *)op)->finished;
}

static Status sink_add_input(Operator *op, Chunk *in, Error *err)
{
    AggSinkOp *s = (AggSinkOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    return agg_table_add(s->table, in, err);
}

static Status sink_get_output(Operator *op, Chunk **out, Error *err)
{
    *out = NULL;
    return BS_OK;
}

static Status sink_finish(Operator *op, Error *err)
{
    AggSinkOp *s = (AggSinkOp *)op;
    if (s->finished) return BS_OK;
    s->finished = true;
    AggTable *t = s->table;
    s->table = NULL;
    return shared_add_table(s->shared, t, err);
}

static bool sink_is_finished(Operator *op)
{
    return ((AggSinkOp *)op)->finished;
}

static void sink_close(Operator *op)
{
    AggSinkOp *s = (AggSinkOp *)op;
    agg_table_destroy(s->table);
    s->table = NULL;
}

static const OperatorVtab AGG_SINK_VTAB = {
    .name = "HashAggregateSink",
    .needs_input = sink_needs_input,
    .add_input = sink_add_input,
    .get_output = sink_get_output,
    .finish = sink_finish,
    .is_finished = sink_is_finished,
    .close = sink_close,
};

/* Checks the aggregation's columns against its input (a plan from the wire is not trusted). */
static Status check_node(const PlanNode *node, Error *err)
{
    const PlanNode *child = node->children[0];
    for (int k = 0; k < node->u.agg.n_groups; k++) {
        int c = node->u.agg.groups[k];
        if (c < 0 || c >= child->n_cols || !type_equals(child->types[c], node->types[k]))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                             "invalid plan: aggregation group column");
    }
    for (int a = 0; a < node->u.agg.n_aggs; a++) {
        const PlanAggregate *agg = &node->u.agg.aggs[a];
        int width = node->u.agg.mode == AGG_FINAL ? plan_agg_state_width(agg) : 1;
        if (agg->func == AGG_COUNT_STAR && node->u.agg.mode != AGG_FINAL) continue;
        if (agg->arg < 0 || agg->arg + width > child->n_cols)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: aggregate argument");
        for (int k = 0; k < width; k++) {
            LogicalType want =
                node->u.agg.mode == AGG_FINAL ? plan_agg_state_type(agg, k) : agg->arg_type;
            if (!type_equals(child->types[agg->arg + k], want))
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                                 "invalid plan: aggregate argument type");
        }
    }
    return BS_OK;
}

Status op_agg_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                          Error *err)
{
    BS_TRY(check_node(node, err));
    const PlanNode *child = node->children[0];
    AggSinkOp *s = (AggSinkOp *)operator_new(d, node, &AGG_SINK_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    s->shared = shared;
    s->table = agg_table_create(node, child->types, &shared->tracker, err);
    if (!s->table) return BS_ERROR;
    *out = &s->base;
    return BS_OK;
}

/* ---- source ---- */

typedef struct AggSourceOp {
    Operator base;
    BreakerState *shared;
    AggTable *result;
    uint32_t next_group;
    bool merged, finished;
    Chunk *out;
} AggSourceOp;

static bool source_needs_input(Operator *op)
{
    return false;
}

static Status source_add_input(Operator *op, Chunk *in, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "HashAggregateSource takes no input");
}

static Status source_get_output(Operator *op, Chunk **out, Error *err)
{
    AggSourceOp *s = (AggSourceOp *)op;
    BreakerState *sh = s->shared;
    *out = NULL;
    if (s->finished) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (!s->merged) {
        s->merged = true;
        if (sh->n_tables == 0) {
            s->finished = true;
            return BS_OK;
        }
        for (int k = 1; k < sh->n_tables; k++) {
            BS_TRY(agg_table_merge(sh->tables[0], sh->tables[k], op->task, err));
            agg_table_destroy(sh->tables[k]);
            sh->tables[k] = NULL;
        }
        sh->n_tables = 1;
        s->result = sh->tables[0];
    }
    uint32_t total = agg_table_groups(s->result);
    if (s->next_group >= total) {
        s->finished = true;
        return BS_OK;
    }
    uint32_t count = total - s->next_group;
    if (count > BASALT_VECTOR_SIZE) count = BASALT_VECTOR_SIZE;
    chunk_reset(s->out);
    BS_TRY(agg_table_emit(s->result, s->next_group, count, s->out, err));
    s->next_group += count;
    if (s->next_group >= total) s->finished = true;
    *out = s->out;
    return BS_OK;
}

static Status source_finish(Operator *op, Error *err)
{
    return BS_OK;
}

static bool source_is_finished(Operator *op)
{
    return ((AggSourceOp *)op)->finished;
}

static const OperatorVtab AGG_SOURCE_VTAB = {
    .name = "HashAggregateSource",
    .needs_input = source_needs_input,
    .add_input = source_add_input,
    .get_output = source_get_output,
    .finish = source_finish,
    .is_finished = source_is_finished,
};

Status op_agg_source_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                            Error *err)
{
    AggSourceOp *s = (AggSourceOp *)operator_new(d, node, &AGG_SOURCE_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    s->shared = shared;
    s->out = chunk_create(s->base.arena, node->types, node->n_cols, err);
    if (!s->out) return BS_ERROR;
    *out = &s->base;
    return BS_OK;
}
