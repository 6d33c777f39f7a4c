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
 *     radix   a FINAL (or single-step) aggregation over input partitioned on its groups,
 *             without DISTINCT: the sinks build no table. Each appends its rows to one of
 *             RADIX_PARTITIONS lists by bits of the group hash (a sequential write), and
 *             the source drivers take one partition at a time — its lists from every
 *             sink — aggregate it into a table small enough for the cache, emit it and
 *             empty the table for the next. A table of all a driver's groups would be
 *             probed at random over tens of MB: on the 2-core machine that scales
 *             1.3-1.6× from one thread to two where a cache-sized table scales 1.9×
 *             (bench_common_cpu). Because the partitions split the groups by themselves,
 *             task.c runs the sinks in the pipeline below a local REPARTITION exchange on
 *             the groups, in place of the exchange (agg_replaces_exchange).
 * A streaming PARTIAL aggregation (flush_groups > 0) is a single operator instead, at the
 * end of this file.
 */
#include "exec/agg_table.h"

#include <pthread.h>

/*
 * Rows buffered by a radix sink for one partition: blocks of up to BASALT_VECTOR_SIZE rows,
 * each one allocation laid out by the shared state's offsets (a flag per column telling
 * whether it holds a NULL, a validity bitmap per column, then each column's values).
 * Long strings point into the sink's arena. Blocks are never grown or copied.
 */
typedef struct RowBlock {
    uint32_t n;
    char *mem;
} RowBlock;

typedef struct RowList {
    RowBlock *blocks;
    int n, cap;
} RowList;

#define RADIX_BITS       6
#define RADIX_PARTITIONS (1 << RADIX_BITS)

struct BreakerState {
    const PlanNode *node;
    pthread_mutex_t lock;
    int n_tables, cap_tables;
    AggTable **tables;
    MemTracker tracker; /* the tables outlive their sink operators */
    bool whole;         /* sources take whole tables; otherwise one driver merges them */
    atomic_int next_table;
    /* radix mode */
    bool radix;
    const LogicalType *in_types;
    int n_in_cols;
    Arena *arena; /* the buffered strings (in a child arena per sink) */
    size_t block_bytes; /* a RowBlock's allocation */
    size_t *col_offset; /* where column c's values start in it */
    size_t validity_offset, nulls_offset;
    int n_lists, cap_lists;
    RowList *lists[RADIX_PARTITIONS]; /* per partition, the sinks' lists of it */
    atomic_int next_partition;
};

/* Whether the sinks' tables are emitted whole, without merging. */
static bool tables_whole(const PlanNode *node)
{
    return node->u.agg.n_groups > 0 &&
           (node->u.agg.mode == AGG_PARTIAL || node->u.agg.input_partitioned);
}

/* Whether the sinks buffer rows in radix partitions for the source to aggregate. */
static bool tables_radix(const PlanNode *node)
{
    if (node->u.agg.n_groups == 0 || !node->u.agg.input_partitioned ||
        node->u.agg.mode == AGG_PARTIAL)
        return false;
    for (int a = 0; a < node->u.agg.n_aggs; a++)
        if (node->u.agg.aggs[a].distinct || plan_agg_is_holistic(node->u.agg.aggs[a].func))
            return false;
    return true;
}

bool agg_replaces_exchange(const PlanNode *node)
{
    const PlanNode *child = node->n_children == 1 ? node->children[0] : NULL;
    return tables_radix(node) && child && child->kind == PLAN_EXCHANGE && child->u.exchange.local &&
           child->u.exchange.part.kind == EXCHANGE_REPARTITION && child->n_children == 1;
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
    s->radix = tables_radix(node);
    s->in_types = node->children[0]->types;
    s->n_in_cols = node->children[0]->n_cols;
    atomic_init(&s->next_table, 0);
    atomic_init(&s->next_partition, 0);
    if (s->radix) {
        s->arena = arena_create(NULL, &s->tracker, 0);
        s->col_offset = bs_calloc((size_t)(s->n_in_cols ? s->n_in_cols : 1), sizeof(size_t));
        if (!s->arena || !s->col_offset) {
            agg_shared_destroy(s);
            error_oom(err);
            return NULL;
        }
        size_t at = ((size_t)s->n_in_cols + 63) / 64 * 64;
        s->nulls_offset = 0;
        s->validity_offset = at;
        at += sizeof(uint64_t) * VALIDITY_WORDS * (size_t)s->n_in_cols;
        for (int c = 0; c < s->n_in_cols; c++) {
            s->col_offset[c] = at;
            at += (type_size(s->in_types[c]) * BASALT_VECTOR_SIZE + 63) / 64 * 64;
        }
        s->block_bytes = at;
    }
    return s;
}

static void rowlist_free(BreakerState *sh, RowList *l)
{
    for (int k = 0; k < l->n; k++)
        bs_free(l->blocks[k].mem);
    if (l->n) memtracker_release(&sh->tracker, (int64_t)(sh->block_bytes * (size_t)l->n));
    bs_free(l->blocks);
    *l = (RowList){0};
}

/* A new empty block at the end of l. */
static Status rowlist_add_block(BreakerState *sh, RowList *l, Error *err)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        RowBlock *grown = bs_realloc(l->blocks, sizeof(RowBlock) * (size_t)cap);
        if (!grown) return error_oom(err);
        l->blocks = grown;
        l->cap = cap;
    }
    MemTracker *failed = memtracker_reserve(&sh->tracker, (int64_t)sh->block_bytes);
    if (failed) return memtracker_error(failed, (int64_t)sh->block_bytes, err);
    char *mem = bs_malloc(sh->block_bytes);
    if (!mem) {
        memtracker_release(&sh->tracker, (int64_t)sh->block_bytes);
        return error_oom(err);
    }
    memset(mem + sh->nulls_offset, 0, (size_t)sh->n_in_cols);
    l->blocks[l->n++] = (RowBlock){0, mem};
    return BS_OK;
}

/* Block b's column c: values, validity, and whether it has a NULL. */
#define BLOCK_VALUES(sh, b, c) ((b)->mem + (sh)->col_offset[c])
#define BLOCK_VALIDITY(sh, b, c)                                                              \
    ((uint64_t *)((b)->mem + (sh)->validity_offset) + (size_t)(c)*VALIDITY_WORDS)
#define BLOCK_HAS_NULL(sh, b, c) ((b)->mem[(sh)->nulls_offset + (size_t)(c)])

void agg_shared_destroy(BreakerState *s)
{
    if (!s) return;
    for (int k = 0; k < s->n_tables; k++)
        agg_table_destroy(s->tables[k]);
    bs_free(s->tables);
    for (int p = 0; p < RADIX_PARTITIONS; p++) {
        for (int k = 0; s->lists[p] && k < s->n_lists; k++)
            rowlist_free(s, &s->lists[p][k]);
        bs_free(s->lists[p]);
    }
    if (s->arena) arena_destroy(s->arena);
    bs_free(s->col_offset);
    pthread_mutex_destroy(&s->lock);
    bs_free(s);
}

/* Hands a sink's lists, one per partition, to the shared state (which then owns them). */
static Status shared_add_lists(BreakerState *s, RowList *lists, Error *err)
{
    pthread_mutex_lock(&s->lock);
    if (s->n_lists == s->cap_lists) {
        int cap = s->cap_lists ? s->cap_lists * 2 : 4;
        for (int p = 0; p < RADIX_PARTITIONS; p++) {
            RowList *grown = bs_realloc(s->lists[p], sizeof(RowList) * (size_t)cap);
            if (!grown) {
                pthread_mutex_unlock(&s->lock);
                return error_oom(err);
            }
            s->lists[p] = grown;
        }
        s->cap_lists = cap;
    }
    for (int p = 0; p < RADIX_PARTITIONS; p++) {
        s->lists[p][s->n_lists] = lists[p];
        lists[p] = (RowList){0};
    }
    s->n_lists++;
    pthread_mutex_unlock(&s->lock);
    return BS_OK;
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
    AggTable *table; /* not in radix mode */
    bool finished;
    /* radix mode: a list per partition */
    RowList lists[RADIX_PARTITIONS];
    Arena *strings;    /* the long strings of the lists */
    uint64_t *hashes;  /* per input row */
    sel_t *order;      /* input rows grouped by partition */
    UnifiedVector *uv; /* per input column */
    sel_t *uv_scratch; /* BASALT_VECTOR_SIZE per input column */
    size_t *widths;
    bool *is_string;
} AggSinkOp;

/* The radix partition of a row of hash h: bits below the ones exchanges partition by
   (the high half) and above the ones a table of fewer than 2^26 slots indexes by. */
static inline uint32_t radix_of(uint64_t h)
{
    return (uint32_t)h >> (32 - RADIX_BITS);
}

/* dst[k] = src[sel[order[k]]] for k < m, for values of type T. */
#define GATHER(T, dst, src, sel, order, m)                                                    \
    do {                                                                                      \
        T *d_ = (T *)(dst);                                                                   \
        const T *s_ = (const T *)(src);                                                       \
        for (uint32_t k_ = 0; k_ < (m); k_++)                                                 \
            d_[k_] = s_[(sel)[(order)[k_]]];                                                  \
    } while (0)

/* Appends each row of `in` to its partition's list. */
static Status radix_scatter(AggSinkOp *s, const Chunk *in, Error *err)
{
    BreakerState *sh = s->shared;
    idx_t n = in->n_rows;
    const PlanNode *node = s->base.node;
    hash_rows(in, node->u.agg.groups, node->u.agg.n_groups, s->hashes);
    uint32_t start[RADIX_PARTITIONS + 1] = {0};
    for (idx_t i = 0; i < n; i++)
        start[radix_of(s->hashes[i]) + 1]++;
    for (int p = 0; p < RADIX_PARTITIONS; p++)
        start[p + 1] += start[p];
    uint32_t fill[RADIX_PARTITIONS];
    memcpy(fill, start, sizeof fill);
    for (idx_t i = 0; i < n; i++)
        s->order[fill[radix_of(s->hashes[i])]++] = (sel_t)i;
    for (int c = 0; c < in->n_cols; c++)
        chunk_unify(in, c, &s->uv[c],
                    in->sel ? s->uv_scratch + (size_t)c * BASALT_VECTOR_SIZE : NULL);
    for (int p = 0; p < RADIX_PARTITIONS; p++) {
        RowList *l = &s->lists[p];
        uint32_t at = start[p];
        while (at < start[p + 1]) {
            if (!l->n || l->blocks[l->n - 1].n == BASALT_VECTOR_SIZE)
                BS_TRY(rowlist_add_block(sh, l, err));
            RowBlock *b = &l->blocks[l->n - 1];
            uint32_t m = start[p + 1] - at;
            if (m > BASALT_VECTOR_SIZE - b->n) m = BASALT_VECTOR_SIZE - b->n;
            const sel_t *order = s->order + at;
            for (int c = 0; c < in->n_cols; c++) {
                const UnifiedVector *uv = &s->uv[c];
                char *dst = BLOCK_VALUES(sh, b, c) + s->widths[c] * b->n;
                switch (s->widths[c]) {
                case 1:
                    GATHER(uint8_t, dst, uv->data, uv->sel, order, m);
                    break;
                case 2:
                    GATHER(int16_t, dst, uv->data, uv->sel, order, m);
                    break;
                case 4:
                    GATHER(int32_t, dst, uv->data, uv->sel, order, m);
                    break;
                case 8:
                    GATHER(int64_t, dst, uv->data, uv->sel, order, m);
                    break;
                default:
                    if (s->is_string[c])
                        GATHER(StringView, dst, uv->data, uv->sel, order, m);
                    else
                        GATHER(Interval, dst, uv->data, uv->sel, order, m);
                    break;
                }
                uint64_t *bits = BLOCK_VALIDITY(sh, b, c);
                if (uv->validity) {
                    for (uint32_t k = 0; k < m; k++) {
                        uint32_t r = b->n + k;
                        if (validity_get(uv->validity, uv->sel[order[k]])) {
                            if (BLOCK_HAS_NULL(sh, b, c)) validity_set_valid(bits, r);
                            continue;
                        }
                        if (!BLOCK_HAS_NULL(sh, b, c)) {
                            memset(bits, 0xff, sizeof(uint64_t) * VALIDITY_WORDS);
                            BLOCK_HAS_NULL(sh, b, c) = 1;
                        }
                        validity_set_invalid(bits, r);
                    }
                } else if (BLOCK_HAS_NULL(sh, b, c)) {
                    for (uint32_t k = 0; k < m; k++)
                        validity_set_valid(bits, b->n + k);
                }
                if (s->is_string[c]) {
                    StringView *sv = (StringView *)dst;
                    bool nulls = BLOCK_HAS_NULL(sh, b, c);
                    for (uint32_t k = 0; k < m; k++) {
                        if (sv_is_inline(&sv[k]) || (nulls && !validity_get(bits, b->n + k)))
                            continue;
                        char *copy = arena_alloc(s->strings, sv[k].len);
                        if (!copy) return arena_error(s->strings, err);
                        memcpy(copy, sv[k].u.ptr, sv[k].len);
                        sv[k] = sv_make(copy, sv[k].len);
                    }
                }
            }
            b->n += m;
            at += m;
        }
    }
    return BS_OK;
}

static bool sink_needs_input(Operator *op)
{
    return !((AggSinkOp *)op)->finished;
}

static Status sink_add_input(Operator *op, Chunk *in, Error *err)
{
    AggSinkOp *s = (AggSinkOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (s->shared->radix) return radix_scatter(s, in, err);
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
    if (s->shared->radix) return shared_add_lists(s->shared, s->lists, err);
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
    for (int k = 0; k < RADIX_PARTITIONS; k++)
        rowlist_free(s->shared, &s->lists[k]);
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
        bool holistic = plan_agg_is_holistic(agg->func);
        if (holistic && node->u.agg.mode != AGG_SINGLE)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                             "invalid plan: a holistic aggregate is not split");
        for (int o = 0; o < agg->n_order; o++)
            if (!holistic || agg->order[o].column < 0 || agg->order[o].column >= child->n_cols)
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                                 "invalid plan: aggregate order key");
        if ((agg->func == AGG_STRING_AGG && agg->param.type.id != TYPE_VARCHAR) ||
            ((agg->func == AGG_QUANTILE_CONT || agg->func == AGG_QUANTILE_DISC) &&
             (agg->param.type.id != TYPE_DOUBLE ||
              (!agg->param.is_null && !(agg->param.u.f64 >= 0 && agg->param.u.f64 <= 1)))))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: aggregate parameter");
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
    if (shared->radix) {
        size_t nc = (size_t)(child->n_cols ? child->n_cols : 1);
        s->hashes = arena_alloc(s->base.arena, sizeof(uint64_t) * BASALT_VECTOR_SIZE);
        s->order = arena_alloc(s->base.arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
        s->uv = arena_alloc(s->base.arena, sizeof(UnifiedVector) * nc);
        s->uv_scratch = arena_alloc(s->base.arena, sizeof(sel_t) * BASALT_VECTOR_SIZE * nc);
        s->widths = arena_alloc(s->base.arena, sizeof(size_t) * nc);
        s->is_string = arena_alloc(s->base.arena, sizeof(bool) * nc);
        if (!s->hashes || !s->order || !s->uv || !s->uv_scratch || !s->widths || !s->is_string)
            return arena_error(s->base.arena, err);
        for (int c = 0; c < child->n_cols; c++) {
            s->widths[c] = type_size(child->types[c]);
            s->is_string[c] = type_physical(child->types[c]) == PHYS_STRING;
        }
        /* The strings outlive the sink: the source reads them. */
        s->strings = arena_create(shared->arena, NULL, 0);
        if (!s->strings) return error_oom(err);
    } else {
        s->table = agg_table_create(node, child->types, &shared->tracker, err);
        if (!s->table) return BS_ERROR;
    }
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
    AggTable *own; /* radix mode: this driver's table, emptied for each partition */
    Chunk *view;   /* radix mode: a slice of a list */
} AggSourceOp;

/* Points s->view at the rows of block b. */
static void view_block(AggSourceOp *s, RowBlock *b)
{
    BreakerState *sh = s->shared;
    Chunk *v = s->view;
    for (int c = 0; c < v->n_cols; c++) {
        Vector *col = &v->cols[c];
        col->kind = VEC_FLAT;
        col->data = BLOCK_VALUES(sh, b, c);
        col->validity = BLOCK_HAS_NULL(sh, b, c) ? BLOCK_VALIDITY(sh, b, c) : NULL;
    }
    v->sel = NULL;
    v->n_rows = b->n;
}

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

/*
 * Radix mode: aggregates the next partition nobody has taken yet — its lists from every
 * sink — into this driver's table (emptied first: the chunks emitted from it before have
 * been consumed by now); *taken false when none is left.
 */
static Status take_unit(AggSourceOp *s, bool *taken, Error *err)
{
    BreakerState *sh = s->shared;
    *taken = false;
    int p = atomic_fetch_add(&sh->next_partition, 1);
    if (p >= RADIX_PARTITIONS) return BS_OK;
    if (!s->own) {
        s->own = agg_table_create(sh->node, sh->node->children[0]->types, &sh->tracker, err);
        if (!s->own) return BS_ERROR;
    } else {
        agg_table_clear(s->own);
    }
    if (!s->view) {
        s->view = chunk_create(s->base.arena, sh->in_types, sh->n_in_cols, err);
        if (!s->view) return BS_ERROR;
    }
    for (int k = 0; k < sh->n_lists; k++) {
        RowList *l = &sh->lists[p][k];
        for (int k2 = 0; k2 < l->n; k2++) {
            if (task_should_stop(s->base.task)) return task_cancelled_error(err);
            view_block(s, &l->blocks[k2]);
            BS_TRY(agg_table_add(s->own, s->view, err));
        }
        rowlist_free(sh, l); /* the table copied what it keeps */
    }
    s->table = s->own;
    s->next_group = 0;
    *taken = true;
    return BS_OK;
}

static Status radix_get_output(AggSourceOp *s, Chunk **out, Error *err)
{
    for (;;) {
        if (s->table && s->next_group < agg_table_groups(s->table)) break;
        bool taken;
        BS_TRY(take_unit(s, &taken, err));
        if (!taken) {
            s->table = NULL;
            s->finished = true;
            return BS_OK;
        }
    }
    uint32_t count = agg_table_groups(s->table) - s->next_group;
    if (count > BASALT_VECTOR_SIZE) count = BASALT_VECTOR_SIZE;
    chunk_reset(s->out);
    BS_TRY(agg_table_emit(s->table, s->next_group, count, s->out, err));
    s->next_group += count;
    *out = s->out;
    return BS_OK;
}

static Status source_get_output(Operator *op, Chunk **out, Error *err)
{
    AggSourceOp *s = (AggSourceOp *)op;
    BreakerState *sh = s->shared;
    *out = NULL;
    if (s->finished) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (sh->radix) return radix_get_output(s, out, err);
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

static void source_close(Operator *op)
{
    AggSourceOp *s = (AggSourceOp *)op;
    agg_table_destroy(s->own);
    s->own = NULL;
    s->table = NULL;
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
