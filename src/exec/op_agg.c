/*
 * op_agg.c — HashAggregate, as a pair of operators around a shared state:
 *
 *   AggSink (one per driver of the input pipeline) aggregates its rows into a table of its
 *   own, without locks; when its input ends it splits the table's groups into radix
 *   partitions by hash and hands the table to the shared state.
 *   AggSource (started once every sink is done) runs as several drivers. How they divide
 *   the work depends on the tables:
 *     merge   the tables may hold the same groups: driver k merges partition k of every
 *             table into a table of its own and emits it — a parallel merge (DuckDB's
 *             radix-partitioned aggregation); a partition only one table holds groups in
 *             is emitted from that table without merging
 *     whole   the tables are disjoint (the input was partitioned on the group keys) or
 *             need no merging (PARTIAL: the FINAL step merges): each driver takes whole
 *             tables, one after the other, and emits them
 *   A DISTINCT aggregation over unpartitioned input is merged by one driver (its distinct
 *   values are merged whole), and so is an aggregation without groups (one row).
 */
#include "exec/agg_table.h"

#include <pthread.h>

struct BreakerState {
    const PlanNode *node;
    pthread_mutex_t lock;
    int n_tables, cap_tables;
    AggTable **tables;
    MemTracker tracker; /* the tables outlive their sink operators */
    bool whole;         /* sources take whole tables; otherwise they merge partitions */
    uint32_t n_parts;   /* merge: the radix partitions, one per source driver */
    atomic_int next_table;
};

/* How many drivers the source of aggregation `node` runs (task.c builds them). */
int agg_source_drivers(const PlanNode *node, int max_drivers)
{
    bool distinct = false;
    for (int k = 0; k < node->u.agg.n_aggs; k++)
        distinct |= node->u.agg.aggs[k].distinct;
    bool whole = node->u.agg.mode == AGG_PARTIAL || node->u.agg.input_partitioned;
    if (node->u.agg.n_groups == 0 || (distinct && !whole)) return 1;
    return max_drivers > 0 ? max_drivers : 1;
}

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
    int drivers = agg_source_drivers(node, task_config(task)->max_drivers);
    s->whole = node->u.agg.n_groups > 0 &&
               (node->u.agg.mode == AGG_PARTIAL || node->u.agg.input_partitioned);
    s->n_parts = s->whole ? 1 : (uint32_t)drivers;
    atomic_init(&s->next_table, 0);
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
    /* Partitioning here spreads the work over the sinks' drivers. */
    if (s->shared->n_parts > 1 && agg_table_partition(t, s->shared->n_parts, err) != BS_OK) {
        agg_table_destroy(t);
        return BS_ERROR;
    }
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
    AggTable *table;      /* being emitted */
    AggTable *merged;     /* merge: this driver's own table */
    const uint32_t *list; /* emitting these groups of `table` (NULL: all of them) */
    uint32_t n_list;
    uint32_t next_group;
    bool started, finished;
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

/* Merge mode: builds (or picks) the table of partition `part` for this driver to emit. */
static Status merge_partition(AggSourceOp *s, uint32_t part, Error *err)
{
    BreakerState *sh = s->shared;
    Operator *op = &s->base;
    if (part >= sh->n_parts || sh->n_tables == 0) return BS_OK;
    if (sh->n_parts == 1) {
        /* One partition: fold every table into the first (DISTINCT sets too). */
        for (int k = 1; k < sh->n_tables; k++) {
            BS_TRY(agg_table_merge(sh->tables[0], sh->tables[k], op->task, err));
            agg_table_destroy(sh->tables[k]);
            sh->tables[k] = NULL;
        }
        sh->n_tables = 1;
        s->table = sh->tables[0];
        s->list = NULL;
        s->n_list = agg_table_groups(s->table);
        return BS_OK;
    }
    int holders = 0, last = -1;
    for (int k = 0; k < sh->n_tables; k++) {
        const uint32_t *groups;
        if (agg_table_partition_groups(sh->tables[k], part, &groups) > 0) {
            holders++;
            last = k;
        }
    }
    if (holders == 0) return BS_OK;
    if (holders == 1) {
        s->table = sh->tables[last];
        s->n_list = agg_table_partition_groups(s->table, part, &s->list);
        return BS_OK;
    }
    const PlanNode *node = op->node;
    s->merged = agg_table_create(node, node->children[0]->types, &sh->tracker, err);
    if (!s->merged) return BS_ERROR;
    for (int k = 0; k < sh->n_tables; k++) {
        const uint32_t *groups;
        uint32_t n = agg_table_partition_groups(sh->tables[k], part, &groups);
        if (n) BS_TRY(agg_table_merge_groups(s->merged, sh->tables[k], groups, n, op->task, err));
    }
    s->table = s->merged;
    s->list = NULL;
    s->n_list = agg_table_groups(s->merged);
    return BS_OK;
}

/* Whole mode: the next table nobody has taken yet; false when none is left. */
static bool take_table(AggSourceOp *s)
{
    BreakerState *sh = s->shared;
    int k = atomic_fetch_add(&sh->next_table, 1);
    if (k >= sh->n_tables) return false;
    s->table = sh->tables[k];
    s->list = NULL;
    s->n_list = agg_table_groups(s->table);
    s->next_group = 0;
    return true;
}

static Status source_get_output(Operator *op, Chunk **out, Error *err)
{
    AggSourceOp *s = (AggSourceOp *)op;
    BreakerState *sh = s->shared;
    *out = NULL;
    if (s->finished) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (!s->started) {
        s->started = true;
        if (sh->whole) {
            if (!take_table(s)) {
                s->finished = true;
                return BS_OK;
            }
        } else {
            BS_TRY(merge_partition(s, (uint32_t)op->driver_index, err));
            if (!s->table) {
                s->finished = true;
                return BS_OK;
            }
        }
    }
    while (s->next_group >= s->n_list) {
        if (!sh->whole || !take_table(s)) {
            s->finished = true;
            return BS_OK;
        }
    }
    uint32_t count = s->n_list - s->next_group;
    if (count > BASALT_VECTOR_SIZE) count = BASALT_VECTOR_SIZE;
    chunk_reset(s->out);
    if (s->list)
        BS_TRY(agg_table_emit_list(s->table, s->list + s->next_group, count, s->out, err));
    else
        BS_TRY(agg_table_emit(s->table, s->next_group, count, s->out, err));
    s->next_group += count;
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

static void source_close(Operator *op)
{
    AggSourceOp *s = (AggSourceOp *)op;
    agg_table_destroy(s->merged);
    s->merged = NULL;
}

static const OperatorVtab AGG_SOURCE_VTAB = {
    .name = "HashAggregateSource",
    .needs_input = source_needs_input,
    .add_input = source_add_input,
    .get_output = source_get_output,
    .finish = source_finish,
    .is_finished = source_is_finished,
    .close = source_close,
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
