/*
 * exec_int.h — what exec/'s files share: the operator interface, the per-driver context,
 * compiled expressions and function kernels.
 *
 * Operator protocol (as in Presto and Velox). A driver moves chunks down its chain:
 *
 *   while upstream is not finished and downstream needs_input():
 *       get_output(upstream) → add_input(downstream)
 *   when upstream is_finished(): finish(downstream) (once)
 *
 * A chunk returned by get_output stays valid until that operator's next get_output or
 * close; add_input may keep referring to its input until the operator next returns
 * needs_input() == true. is_blocked() returns a retained Future when the operator cannot
 * make progress until something outside the driver happens, NULL otherwise.
 */
#ifndef BASALT_EXEC_EXEC_INT_H
#define BASALT_EXEC_EXEC_INT_H

#include "common/alloc.h"
#include "exec/exec.h"

typedef struct Operator Operator;
typedef struct Task Task;
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
    Task *task;
    Arena *arena;       /* the operator's memory, accounted to `tracker` */
    MemTracker tracker; /* child of the task's tracker */
    bool closed;
    /* statistics */
    uint64_t rows_in, rows_out;
    int64_t busy_ns;
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
Status op_csv_scan_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_filter_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_project_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_limit_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_table_write_create(Driver *d, const PlanNode *node, Operator **out, Error *err);
Status op_exchange_source_create(Driver *d, const PlanNode *node, ExchangeSource *source,
                                 Operator **out, Error *err);
Status op_exchange_sink_create(Driver *d, const PlanNode *node, ExchangeSink *sink, Operator **out,
                               Error *err);
/* Hash aggregation: a sink per driver of the input pipeline, one source after it. */
BreakerState *agg_shared_create(Task *task, const PlanNode *node, Error *err);
Status op_agg_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                          Error *err);
Status op_agg_source_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                            Error *err);
void agg_shared_destroy(BreakerState *shared);
/* Sort: a sink per driver (sorted runs), one merging source after it. */
BreakerState *sort_shared_create(Task *task, const PlanNode *node, Error *err);
Status op_sort_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                           Error *err);
Status op_sort_source_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                             Error *err);
void sort_shared_destroy(BreakerState *shared);
/* TopN: a sink per driver keeping its best rows; the Sort source merges them. */
Status op_topn_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                           Error *err);

/* ---- task services for operators (task.c) ---- */
const TaskConfig *task_config(const Task *task);
MemTracker *task_tracker(Task *task);
/* True when the query is being cancelled or has failed: operators stop at the next chunk. */
bool task_should_stop(const Task *task);
Status task_cancelled_error(Error *err);

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
/* Picks the cast kernel from → to. */
Status cast_kernel_lookup(LogicalType from, LogicalType to, Arena *arena, KernelInfo *out,
                          Error *err);

/* Read access helpers over any vector kind at a logical row. */
static inline void unify(const Vector *v, UnifiedVector *uv)
{
    /* Expressions evaluate over logical rows; vectors here carry no chunk selection. */
    vector_unify(v, NULL, BASALT_VECTOR_SIZE, uv, NULL);
}

/* ---- sorting helpers shared by sort and aggregation ---- */
/* Compares row ra of a with row rb of b (same types) for one key; NULLs per nulls_first. */
int compare_values_at(LogicalType type, const UnifiedVector *a, sel_t ra, const UnifiedVector *b,
                      sel_t rb, bool nulls_first);

#endif
