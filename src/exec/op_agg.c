/*
 * op_agg.c — HashAggregate, as a pair of operators around a shared state:
 *
 *   AggSink (one per driver of the input pipeline) aggregates its rows into a table of its
 *   own, without locks; when its input ends it hands the table to the shared state.
 *   AggSource (started once every sink is done) emits the tables:
 *     whole   the tables are disjoint (the input was partitioned on the group keys, which
 *             the planner arranges for every grouped aggregation) or need no merging
 *             (PARTIAL: the FINAL step combines): it runs as several drivers, each taking
 *             whole tables, one after the other
 *     merge   otherwise (no groups: one row; or a plan whose input is not partitioned):
 *             one driver folds every table into the first and emits it
 * A streaming PARTIAL aggregation (flush_groups > 0) is a single operator instead, at the
 * end of this file.
 */
#include "exec/agg_table.h"

#include <pthread.h>

struct BreakerState {
    const PlanNode *node;
    pthread_mutex_t lock;
    int n_tables, cap_tables;
    AggTable **tables;
    MemTracker tracker; /* the tables outlive their sink operators */
    bool whole;         /* sources take whole tables; otherwise one driver merges them */
    atomic_int next_table;
};

/* Whether the sinks' tables are emitted whole, without merging. */
static bool tables_whole(const PlanNode *node)
{
    return node->u.agg.n_groups > 0 &&
           (node->u.agg.mode == AGG_PARTIAL || node->u.agg.input_partitioned);
}

/* How many drivers the source of aggregation `node` runs (task.c builds them). */
int agg_source_drivers(const PlanNode *node, int max_drivers)
{
    if (!tables_whole(node)) return 1;
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
    s->whole = tables_whole(node);
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
    AggTable *table; /* being emitted */
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

/* Merge mode (one driver): folds every table into the first (DISTINCT sets too). */
static Status merge_tables(AggSourceOp *s, Error *err)
{
    BreakerState *sh = s->shared;
    if (sh->n_tables == 0) return BS_OK;
    for (int k = 1; k < sh->n_tables; k++) {
        BS_TRY(agg_table_merge(sh->tables[0], sh->tables[k], s->base.task, err));
        agg_table_destroy(sh->tables[k]);
        sh->tables[k] = NULL;
    }
    sh->n_tables = 1;
    s->table = sh->tables[0];
    return BS_OK;
}

/* Whole mode: the next table nobody has taken yet; false when none is left. */
static bool take_table(AggSourceOp *s)
{
    BreakerState *sh = s->shared;
    int k = atomic_fetch_add(&sh->next_table, 1);
    if (k >= sh->n_tables) return false;
    s->table = sh->tables[k];
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
        if (sh->whole)
            take_table(s);
        else
            BS_TRY(merge_tables(s, err));
    }
    while (s->table && s->next_group >= agg_table_groups(s->table))
        if (!sh->whole || !take_table(s)) s->table = NULL;
    if (!s->table) {
        s->finished = true;
        return BS_OK;
    }
    uint32_t count = agg_table_groups(s->table) - s->next_group;
    if (count > BASALT_VECTOR_SIZE) count = BASALT_VECTOR_SIZE;
    chunk_reset(s->out);
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

/* ---- streaming partial aggregation ---- */

/*
 * HashAggregate[PARTIAL, streaming]: not a breaker but an operator inside its pipeline. It
 * aggregates its input into a small table and, whenever the table holds flush_groups
 * groups, emits their states and starts again empty, so the table stays in cache; at the
 * end of its input it emits what it holds. Rows of a group that arrive near each other
 * (as in data clustered by the key) are combined here; the FINAL step after the exchange
 * combines the rest. Emitted chunks carry copies of their strings, so the table can be
 * emptied while a downstream operator still reads the last chunk.
 */
typedef struct AggStreamOp {
    Operator base;
    AggTable *table;
    uint32_t flush_groups;
    uint32_t next_group; /* emitting: the next group to emit */
    bool emitting;
    bool input_done, finished;
    Chunk *out;
} AggStreamOp;

static bool stream_needs_input(Operator *op)
{
    AggStreamOp *s = (AggStreamOp *)op;
    return !s->emitting && !s->input_done;
}

static Status stream_add_input(Operator *op, Chunk *in, Error *err)
{
    AggStreamOp *s = (AggStreamOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    BS_TRY(agg_table_add(s->table, in, err));
    if (agg_table_groups(s->table) >= s->flush_groups) {
        s->emitting = true;
        s->next_group = 0;
    }
    return BS_OK;
}

/* Copies the long strings of out's string columns into its own memory. */
static Status own_strings(Chunk *out, Error *err)
{
    for (int c = 0; c < out->n_cols; c++) {
        Vector *v = &out->cols[c];
        if (type_physical(v->type) != PHYS_STRING) continue;
        StringView *sv = v->data;
        for (idx_t r = 0; r < out->n_rows; r++)
            if (validity_get(v->validity, r) && !sv_is_inline(&sv[r]))
                BS_TRY(vector_add_string(v, sv[r].u.ptr, sv[r].len, &sv[r], err));
    }
    return BS_OK;
}

static Status stream_get_output(Operator *op, Chunk **out, Error *err)
{
    AggStreamOp *s = (AggStreamOp *)op;
    *out = NULL;
    if (!s->emitting || s->finished) return BS_OK;
    uint32_t total = agg_table_groups(s->table);
    uint32_t count = total - s->next_group;
    if (count > BASALT_VECTOR_SIZE) count = BASALT_VECTOR_SIZE;
    if (count) {
        chunk_reset(s->out);
        BS_TRY(agg_table_emit(s->table, s->next_group, count, s->out, err));
        BS_TRY(own_strings(s->out, err));
        s->next_group += count;
        *out = s->out;
    }
    if (s->next_group >= total) {
        /* Everything emitted: empty the table for the next rows, or end. */
        agg_table_clear(s->table);
        s->emitting = false;
        if (s->input_done) s->finished = true;
    }
    return BS_OK;
}

static Status stream_finish(Operator *op, Error *err)
{
    AggStreamOp *s = (AggStreamOp *)op;
    s->input_done = true;
    if (agg_table_groups(s->table) > 0) {
        s->emitting = true;
        s->next_group = 0;
    } else if (!s->emitting) {
        s->finished = true;
    }
    return BS_OK;
}

static bool stream_is_finished(Operator *op)
{
    return ((AggStreamOp *)op)->finished;
}

static void stream_close(Operator *op)
{
    AggStreamOp *s = (AggStreamOp *)op;
    agg_table_destroy(s->table);
    s->table = NULL;
}

static const OperatorVtab AGG_STREAM_VTAB = {
    .name = "HashAggregatePartial",
    .needs_input = stream_needs_input,
    .add_input = stream_add_input,
    .get_output = stream_get_output,
    .finish = stream_finish,
    .is_finished = stream_is_finished,
    .close = stream_close,
};

Status op_agg_stream_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    BS_TRY(check_node(node, err));
    if (node->u.agg.mode != AGG_PARTIAL || node->u.agg.n_groups == 0 ||
        node->u.agg.flush_groups <= 0)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "invalid plan: only a grouped partial aggregation streams");
    for (int k = 0; k < node->u.agg.n_aggs; k++)
        if (node->u.agg.aggs[k].distinct)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                             "invalid plan: a streaming aggregation has no DISTINCT");
    AggStreamOp *s = (AggStreamOp *)operator_new(d, node, &AGG_STREAM_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    s->flush_groups = (uint32_t)node->u.agg.flush_groups;
    s->table = agg_table_create(node, node->children[0]->types, &s->base.tracker, err);
    if (!s->table) return BS_ERROR;
    s->out = chunk_create(s->base.arena, node->types, node->n_cols, err);
    if (!s->out) return BS_ERROR;
    *out = &s->base;
    return BS_OK;
}
