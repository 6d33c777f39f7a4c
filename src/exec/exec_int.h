/*
 * exec_int.h — what exec/'s files share: the operator interface, the per-driver context,
 * compiled expressions and function kernels.
 *
 * Operator protocol (as in Presto and Velox). A driver moves chunks down its chain:
 *
 *   while upstream is not finished, downstream needs_input(), and no operator further
 *   down still holds a chunk:
 *       get_output(upstream) → add_input(downstream)
 *   when upstream is_finished(): finish(downstream) (once)
 *
 * A chunk returned by get_output stays valid until that operator's next get_output or
 * close; add_input may keep referring to its input until the operator next returns
 * needs_input() == true. An operator may pass its input on as its output (a filter that
 * keeps every row) or refer to it from its output (a projection's columns): that is why
 * the driver makes no new chunk upstream while one is still on its way down. is_blocked() returns a
 * retained Future when the operator cannot make progress until something outside the driver
 * happens, NULL otherwise.
 */
#ifndef BASALT_EXEC_EXEC_INT_H
#define BASALT_EXEC_EXEC_INT_H

#include "common/alloc.h"
#include "common/datetime.h"
#include "common/hash.h"
#include "exec/exec.h"

#include <math.h>
#include <string.h>

typedef struct Operator Operator;
typedef struct Task Task;

/* Operator-specific statistics an operator may keep (Operator.counters). */
#define OPERATOR_COUNTERS 4
typedef struct Driver Driver;

typedef struct OperatorVtab {
    const char *name;
    bool (*needs_input)(Operator *op);
    Status (*add_input)(Operator *op, Chunk *in, Error *err);
    /* *out = NULL when there is nothing now. */
    Status (*get_output)(Operator *op, Chunk **out, Error *err);
    /* No more input will come. */
    Status (*finish)(Operator *op, Error *err);
    bool (*is_finished)(Operator *op);
    Future *(*is_blocked)(Operator *op); /* NULL: may be omitted (never blocks) */
    void (*close)(Operator *op);         /* NULL: nothing beyond the arena to free */
} OperatorVtab;

struct Operator {
    const OperatorVtab *vt;
    const PlanNode *node;
    Driver *driver;
    int driver_index; /* among the drivers of its pipeline */
    Task *task;
    Arena *arena;       /* the operator's memory, accounted to `tracker` */
    MemTracker tracker; /* child of the task's tracker */
    bool closed;
    /* statistics */
    uint64_t rows_in, rows_out;
    int64_t busy_ns;
    /* operator-specific counts for EXPLAIN ANALYZE, summed over drivers: a name per
       count in use (NULL for the rest) */
    const char *counter_names[OPERATOR_COUNTERS];
    uint64_t counters[OPERATOR_COUNTERS];
};

/*
 * A chunk whose vectors have no buffers of their own: operators that pass their input on
 * (filter, limit, project) fill it with references. Allocated in arena.
 */
Chunk *chunk_view_create(Arena *arena, const LogicalType *types, int n_cols, Error *err);

/* Shared state of a breaker between its sink pipeline and its source pipeline. */
typedef struct BreakerState BreakerState;

/* Allocates an operator of `size` bytes with its arena and tracker. */
Operator *operator_new(Driver *d, const PlanNode *node, const OperatorVtab *vt, size_t size,
                       Error *err);

/* ---- the operators (one file each) ---- */
Status op_table_scan_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_values_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_range_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_csv_scan_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_filter_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_project_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_limit_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_table_write_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_exchange_source_create(Driver *d, const PlanNode *node, ExchangeSource *source,
                                 Operator **out, Error *err);
/*
 * Sends its input to `sink`, split as `part` says (node: the node whose rows it sends);
 * `producer` is the driver's index among the sink's producers.
 */
Status op_exchange_sink_create(Driver *d, const PlanNode *node, ExchangeSink *sink,
                               const Partitioning *part, int producer, Operator **out, Error *err);
/*
 * Window (op_window.c): one operator per driver, inside its pipeline; the driver's input
 * holds whole partitions (a local repartition on the partition keys, or one driver). It
 * keeps every row, sorts, evaluates the functions per partition and emits the rows.
 */
Status op_window_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_expand_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
/* Unnest (op_unnest.c): each input row once per element of its arrays, or per value of
   its range (start, stop, step). */
/*
 * The series of range() and generate_series() (op_range.c): series_start checks the
 * bounds (a NULL gives an empty series, a zero step 22023); series_fill writes up to max
 * values and sets finished after the last.
 */
typedef struct Series {
    bool timestamps; /* TIMESTAMP bounds, an INTERVAL step; else BIGINT */
    bool inclusive;  /* generate_series: stop included */
    bool finished;
    int64_t next, last, by;
    Interval by_iv;
    int sign; /* of by_iv's span */
} Series;
Status series_start(Series *s, bool timestamps, bool inclusive, const Value *a, const Value *z,
                    const Value *step, Error *err);
idx_t series_fill(Series *s, int64_t *out, idx_t max);
Status op_unnest_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
/*
 * WITH RECURSIVE (op_recursive_cte.c): a source with one driver that runs its children as
 * nested tasks, one per evaluation (task.c builds no pipeline for them).
 */
Status op_recursive_cte_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
/* Hash aggregation: a sink per driver of the input pipeline, one source after it. */
BreakerState *agg_shared_create(Task *task, const PlanNode *node, Error *err);
Status op_agg_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                          Error *err);
Status op_agg_source_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                            Error *err);
void agg_shared_destroy(BreakerState *shared);
/* A streaming partial aggregation (flush_groups > 0): an operator inside its pipeline. */
Status op_agg_stream_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
/* Drivers of an aggregation's source pipeline: one per radix partition, or one. */
int agg_source_drivers(const PlanNode *node, int max_drivers);
/* Whether aggregation `node` splits its input by group itself, so that its sinks run in
   place of the local REPARTITION exchange that is its child (op_agg.c, radix mode). */
bool agg_replaces_exchange(const PlanNode *node);
/* Sort: a sink per driver (sorted runs), one merging source after it. */
BreakerState *sort_shared_create(Task *task, const PlanNode *node, Error *err);
Status op_sort_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                           Error *err);
/* The merging source; its pipeline's `n_drivers` drivers merge one key range each. */
Status op_sort_source_create(Driver *d, const PlanNode *node, BreakerState *shared, int n_drivers,
                             Operator **out, Error *err);
void sort_shared_destroy(BreakerState *shared);
/* TopN: a sink per driver keeping its best rows; the Sort source merges them. */
Status op_topn_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                           Error *err);

/*
 * Join (join_table.c, op_hash_join.c): a JoinBuild sink per driver of the build pipeline
 * (children[1]) and a JoinProbe operator per driver of the probe pipeline (children[0]),
 * which starts once the build side is complete and indexed. join_shared_create checks the
 * node; task.c then tells it how many drivers each side runs.
 */
BreakerState *join_shared_create(Task *task, const PlanNode *node, Error *err);
void join_shared_set_drivers(BreakerState *shared, int n_build, int n_probe);
Status op_join_build_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                            Error *err);
Status op_join_probe_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                            Error *err);
void join_shared_destroy(BreakerState *shared);

/* ---- task services for operators (task.c) ---- */
const TaskConfig *task_config(const Task *task);
MemTracker *task_tracker(Task *task);
/* True when the query is being cancelled or has failed: operators stop at the next chunk. */
bool task_should_stop(const Task *task);
Status task_cancelled_error(Error *err);
/*
 * Work a task runs outside its drivers (a join's index workers on the pool) holds the task
 * open: task_done does not complete before every hold is released, even when all drivers
 * have ended (the task stopping early). Release is the last thing the holder does with the
 * task or anything it owns.
 */
void task_hold(Task *task);
void task_release(Task *task);

/* ---- compiled expressions (expr.c) ---- */

typedef struct ExprState ExprState;

/*
 * Compiles a physical expression over inputs of `types` into a tree of vectorized
 * kernels, checking every column index and type (a plan from the wire is not trusted),
 * folding constant subtrees. The state lives in arena.
 */
Status expr_compile(const Expr *expr, int n_cols, const LogicalType *types, Arena *arena,
                    ExprState **out, Error *err);
/*
 * Evaluates for every row of chunk; *result has chunk->n_rows rows (row i ↔ logical row i
 * of the chunk) and stays valid until the next evaluation of this state.
 */
Status expr_eval(ExprState *state, Chunk *chunk, Vector **result, Error *err);
/*
 * Selects the rows of chunk (logical indexes) for which a boolean expression is true;
 * NULL counts as false. Writes them to out_sel and their count to *n_out.
 */
Status expr_select(ExprState *state, Chunk *chunk, sel_t *out_sel, idx_t *n_out, Error *err);
/* True when the expression folded to a constant; its value in *out. */
bool expr_constant_value(const ExprState *state, Value *out);

/* ---- function kernels (functions.c, kernels_*.c) ---- */

/*
 * A kernel computes result[sel[i]] from args at rows sel[i] (i < count). Strict kernels
 * see rows with a NULL argument already excluded by the caller (their result is NULL).
 */
typedef Status (*KernelFn)(Vector **args, int n_args, const sel_t *sel, idx_t count, Vector *result,
                           const void *data, Error *err);

typedef struct KernelInfo {
    KernelFn fn;
    bool strict;      /* NULL in any argument → NULL result (the caller handles it) */
    const void *data; /* per-call constant data (scales, limits) owned by the arena */
} KernelInfo;

/* Picks the kernel for a call of func on args of these types returning ret. */
Status kernel_lookup(ScalarFuncId func, const LogicalType *arg_types, int n_args, LogicalType ret,
                     Arena *arena, KernelInfo *out, Error *err);
/*
 * date_part, date_trunc and date_diff: the unit (a constant, args[0] of the call) picks
 * the kernel, which then takes the other arguments only (arg_types[0..n_args)).
 */
bool kernel_takes_unit(ScalarFuncId func);
Status unit_kernel_lookup(ScalarFuncId func, const char *unit, size_t unit_len,
                          const LogicalType *arg_types, int n_args, LogicalType ret,
                          KernelInfo *out, Error *err);
/* Picks the cast kernel from → to. */
Status cast_kernel_lookup(LogicalType from, LogicalType to, Arena *arena, KernelInfo *out,
                          Error *err);

/* Read access helpers over any vector kind at a logical row. */
static inline void unify(const Vector *v, UnifiedVector *uv)
{
    /* Expressions evaluate over logical rows; vectors here carry no chunk selection. */
    vector_unify(v, NULL, BASALT_VECTOR_SIZE, uv, NULL);
}

/* ---- hashing (hash tables and hash partitioning) ---- */

#define NULL_HASH UINT64_C(0x5bd1e9955bd1e995)

static inline uint64_t hash_double(double d)
{
    if (d == 0) d = 0; /* -0.0 and 0.0 are one group */
    if (isnan(d)) return UINT64_C(0x7ff8000000000000);
    uint64_t bits;
    memcpy(&bits, &d, 8);
    return hash_u64(bits);
}

/* Intervals hash by their span, so equal intervals ('1 mon' and '30 days') hash alike. */
/* Hash of a 128-bit integer: HUGEINT and wide DECIMAL keys. */
static inline uint64_t hash_int128(int128_t v)
{
    return hash_combine(hash_u64((uint64_t)v), hash_u64((uint64_t)((uint128_t)v >> 64)));
}

static inline uint64_t hash_interval(const Interval *iv)
{
    unsigned __int128 span = (unsigned __int128)interval_span(iv);
    return hash_combine(hash_u64((uint64_t)(span >> 64)), hash_u64((uint64_t)span));
}

/*
 * Hash of the value at position `at` of a unified vector of physical type p: what hash
 * tables and hash partitioning use, so equal values (-0.0 and 0.0, every NaN, intervals
 * of one span) hash alike.
 */
static inline uint64_t hash_value_at(PhysicalType p, const UnifiedVector *uv, sel_t at)
{
    if (!validity_get(uv->validity, at)) return NULL_HASH;
    switch (p) {
    case PHYS_BOOL:
        return hash_u64(((const uint8_t *)uv->data)[at]);
    case PHYS_INT32:
        return hash_u64((uint64_t)(int64_t)((const int32_t *)uv->data)[at]);
    case PHYS_INT64:
        return hash_u64((uint64_t)((const int64_t *)uv->data)[at]);
    case PHYS_DOUBLE:
        return hash_double(((const double *)uv->data)[at]);
    case PHYS_STRING: {
        const StringView *s = &((const StringView *)uv->data)[at];
        return hash_bytes(sv_data(s), s->len);
    }
    case PHYS_INTERVAL:
        return hash_interval(&((const Interval *)uv->data)[at]);
    case PHYS_INT128:
        return hash_int128(((const int128_t *)uv->data)[at]);
    case PHYS_INT8:
        return hash_u64((uint64_t)(int64_t)((const int8_t *)uv->data)[at]);
    case PHYS_INT16:
        return hash_u64((uint64_t)(int64_t)((const int16_t *)uv->data)[at]);
    case PHYS_FLOAT:
        return hash_double(((const float *)uv->data)[at]);
    case PHYS_INVALID:
        break;
    }
    return 0;
}

/*
 * Hashes the rows of chunk (logical rows, through its selection) on the columns cols[0..n):
 * out[i] for row i. The same values give the same hash in every task and process.
 */
void hash_rows(const Chunk *chunk, const int *cols, int n_cols, uint64_t *out);
/* out[i] = hash_value_at(p, uv, uv->sel[i]) for i < n, or combined into out[i] when
   `combine`: a loop per type. */
void hash_column(PhysicalType p, const UnifiedVector *uv, idx_t n, bool combine, uint64_t *out);

/* The partition [0, n) of a row hash: the hash's high bits, so hash tables, which index by
   the low bits, stay balanced inside each partition. */
static inline uint32_t hash_partition(uint64_t hash, uint32_t n)
{
    return (uint32_t)(((hash >> 32) * (uint64_t)n) >> 32);
}

/* ---- sorting helpers shared by sort and aggregation ---- */
/* Compares row ra of a with row rb of b (same types) for one key; NULLs per nulls_first. */
int compare_values_at(LogicalType type, const UnifiedVector *a, sel_t ra, const UnifiedVector *b,
                      sel_t rb, bool nulls_first);

#endif
