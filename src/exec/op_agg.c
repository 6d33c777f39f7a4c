/*
 * op_agg.c — HashAggregate, as a pair of operators around a shared state:
 *
 *   AggSink (one per driver of the input pipeline) aggregates its rows into a table of its
 *   own, without locks. When the merge will be split into radix partitions and its table
 *   grows past AGG_SPLIT_GROUPS groups, it splits it into a table per partition and from
 *   then on routes each row to its partition's table (DuckDB's radix-partitioned
 *   aggregation). When its input ends it hands its table(s) to the shared state, a
 *   table it never split with its groups listed by partition.
 *   AggSource (started once every sink is done) runs as several drivers. How they divide
 *   the work depends on the tables:
 *     merge   the tables may hold the same groups: driver k merges partition k of every
 *             sink — into the largest of the sinks' tables of that partition, or into a
 *             new table when no sink split — and emits it; a partition only one sink
 *             holds groups of is emitted as it is
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
    /* merge: the sinks that split, each with a table per partition: split[j][k] */
    int n_split, cap_split;
    AggTable ***split;
};

/* Groups beyond which a sink splits its table by partition (when the merge is split). */
#define AGG_SPLIT_GROUPS 16384

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

static void destroy_split(AggTable **sub, uint32_t n_parts)
{
    if (!sub) return;
    for (uint32_t k = 0; k < n_parts; k++)
        agg_table_destroy(sub[k]);
    bs_free(sub);
}

void agg_shared_destroy(BreakerState *s)
{
    if (!s) return;
    for (int k = 0; k < s->n_tables; k++)
        agg_table_destroy(s->tables[k]);
    bs_free(s->tables);
    for (int k = 0; k < s->n_split; k++)
        destroy_split(s->split[k], s->n_parts);
    bs_free(s->split);
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

static Status shared_add_split(BreakerState *s, AggTable **sub, Error *err)
{
    pthread_mutex_lock(&s->lock);
    if (s->n_split == s->cap_split) {
        int cap = s->cap_split ? s->cap_split * 2 : 8;
        AggTable ***grown = bs_realloc(s->split, sizeof(AggTable **) * (size_t)cap);
        if (!grown) {
            pthread_mutex_unlock(&s->lock);
            destroy_split(sub, s->n_parts);
            return error_oom(err);
        }
        s->split = grown;
        s->cap_split = cap;
    }
    s->split[s->n_split++] = sub;
    pthread_mutex_unlock(&s->lock);
    return BS_OK;
}

/* ---- sink ---- */

typedef struct AggSinkOp {
    Operator base;
    BreakerState *shared;
    AggTable *table; /* until it is split */
    AggTable **sub;  /* after: a table per partition */
    /* routing rows to partitions */
    uint64_t *hashes, *part_hashes;
    uint32_t *parts;
    sel_t *sel;
    Chunk *view;
    bool finished;
} AggSinkOp;

static bool sink_needs_input(Operator *op)
{
    return !((AggSinkOp *)op)->finished;
}

/* Splits the sink's table into one table per partition. */
static Status split_table(AggSinkOp *s, Error *err)
{
    BreakerState *sh = s->shared;
    const PlanNode *node = s->base.node;
    Arena *a = s->base.arena;
    s->hashes = arena_alloc(a, sizeof(uint64_t) * BASALT_VECTOR_SIZE);
    s->part_hashes = arena_alloc(a, sizeof(uint64_t) * BASALT_VECTOR_SIZE);
    s->parts = arena_alloc(a, sizeof(uint32_t) * BASALT_VECTOR_SIZE);
    s->sel = arena_alloc(a, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    s->view = chunk_view_create(a, node->children[0]->types, node->children[0]->n_cols, err);
    if (!s->hashes || !s->part_hashes || !s->parts || !s->sel || !s->view)
        return arena_error(a, err);
    AggTable **sub = bs_calloc(sh->n_parts, sizeof(AggTable *));
    if (!sub) return error_oom(err);
    Status st = agg_table_partition(s->table, sh->n_parts, err);
    for (uint32_t k = 0; k < sh->n_parts && st == BS_OK; k++) {
        sub[k] = agg_table_create(node, node->children[0]->types, &sh->tracker, err);
        if (!sub[k]) {
            st = BS_ERROR;
            break;
        }
        const uint32_t *groups;
        uint32_t n = agg_table_partition_groups(s->table, k, &groups);
        if (n) st = agg_table_merge_groups(sub[k], s->table, groups, n, s->base.task, err);
    }
    if (st != BS_OK) {
        destroy_split(sub, sh->n_parts);
        return BS_ERROR;
    }
    agg_table_destroy(s->table);
    s->table = NULL;
    s->sub = sub;
    return BS_OK;
}

/* Adds each row of `in` to its partition's table. */
static Status route_rows(AggSinkOp *s, Chunk *in, Error *err)
{
    const PlanNode *node = s->base.node;
    uint32_t n_parts = s->shared->n_parts;
    idx_t n = in->n_rows;
    hash_rows(in, node->u.agg.groups, node->u.agg.n_groups, s->hashes);
    for (idx_t i = 0; i < n; i++)
        s->parts[i] = agg_table_radix_partition(s->hashes[i], n_parts);
    for (uint32_t p = 0; p < n_parts; p++) {
        idx_t m = 0;
        for (idx_t i = 0; i < n; i++) {
            if (s->parts[i] != p) continue;
            s->sel[m] = in->sel ? in->sel[i] : (sel_t)i;
            s->part_hashes[m++] = s->hashes[i];
        }
        if (!m) continue;
        for (int c = 0; c < in->n_cols; c++)
            vector_reference(&s->view->cols[c], &in->cols[c]);
        s->view->sel = s->sel;
        s->view->n_rows = m;
        BS_TRY(agg_table_add_hashed(s->sub[p], s->view, s->part_hashes, err));
    }
    return BS_OK;
}

static Status sink_add_input(Operator *op, Chunk *in, Error *err)
{
    AggSinkOp *s = (AggSinkOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (s->sub) return route_rows(s, in, err);
    BS_TRY(agg_table_add(s->table, in, err));
    if (s->shared->n_parts > 1 && agg_table_groups(s->table) >= AGG_SPLIT_GROUPS)
        return split_table(s, err);
    return BS_OK;
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
    if (s->sub) {
        AggTable **sub = s->sub;
        s->sub = NULL;
        return shared_add_split(s->shared, sub, err);
    }
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
    destroy_split(s->sub, s->shared->n_parts);
    s->sub = NULL;
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
    if (part >= sh->n_parts || (sh->n_tables == 0 && sh->n_split == 0)) return BS_OK;
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
    /* Who holds groups of this partition: split sinks' tables and unsplit sinks' lists. */
    int holders = 0;
    AggTable *biggest = NULL;
    for (int j = 0; j < sh->n_split; j++) {
        AggTable *t = sh->split[j][part];
        if (!agg_table_groups(t)) continue;
        holders++;
        if (!biggest || agg_table_groups(t) > agg_table_groups(biggest)) biggest = t;
    }
    int lone_list = -1;
    for (int k = 0; k < sh->n_tables; k++) {
        const uint32_t *groups;
        if (agg_table_partition_groups(sh->tables[k], part, &groups) > 0) {
            holders++;
            lone_list = k;
        }
    }
    if (holders == 0) return BS_OK;
    if (holders == 1 && biggest) {
        s->table = biggest;
        s->list = NULL;
        s->n_list = agg_table_groups(biggest);
        return BS_OK;
    }
    if (holders == 1) {
        s->table = sh->tables[lone_list];
        s->n_list = agg_table_partition_groups(s->table, part, &s->list);
        return BS_OK;
    }
    /* Merge into the biggest table of this partition (only this driver touches it). */
    AggTable *dst = biggest;
    if (!dst) {
        const PlanNode *node = op->node;
        dst = s->merged = agg_table_create(node, node->children[0]->types, &sh->tracker, err);
        if (!dst) return BS_ERROR;
    }
    for (int j = 0; j < sh->n_split; j++) {
        AggTable *t = sh->split[j][part];
        if (t != dst && agg_table_groups(t)) BS_TRY(agg_table_merge(dst, t, op->task, err));
    }
    for (int k = 0; k < sh->n_tables; k++) {
        const uint32_t *groups;
        uint32_t n = agg_table_partition_groups(sh->tables[k], part, &groups);
        if (n) BS_TRY(agg_table_merge_groups(dst, sh->tables[k], groups, n, op->task, err));
    }
    s->table = dst;
    s->list = NULL;
    s->n_list = agg_table_groups(dst);
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
