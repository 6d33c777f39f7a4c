/*
 * op_recursive_cte.c — WITH RECURSIVE: evaluates the anchor once, then the recursive term
 * again and again over the rows the previous evaluation produced (the working table),
 * until an evaluation produces none. Never per row: each evaluation is one nested Task
 * over the child plan, run by drivers of its own on the same pool.
 *
 * The operator is a source with one driver. Its children are not part of the task's
 * pipelines (task.c builds none for them): each evaluation wraps one child in a
 * PlanFragment and runs it as a nested task whose
 *   output  is a Collector (an ExchangeSink that copies the rows into the next working
 *           table, under this operator's memory tracker),
 *   working_tables opens handles on the current working table for its PLAN_CTE_SCAN
 *           leaves (its drivers share a cursor over the table's chunks),
 *   splits  is a fork of the host's split source, so its table scans read every split
 *           again in each evaluation.
 * While a nested task runs, is_blocked returns its done future and the driver parks: no
 * thread waits. UNION (not ALL) passes each evaluation's rows through a hash table of all
 * rows so far (agg_table.c with every column a key and no aggregates, NULLs equal): the
 * groups it gains are the new rows, in order of first appearance.
 *
 * States:
 *   START    → RUNNING   get_output starts the anchor's task
 *   RUNNING  → EMITTING  its task is done: the rows it produced (new ones for UNION) are
 *                        the working table, emitted chunk by chunk
 *   RUNNING  → DONE      … and there are none
 *   EMITTING → RUNNING   every chunk emitted: the term's task starts over them (57014
 *                        when the query is cancelled)
 * The term may produce rows max_iterations times; once more is 54001.
 */
#include "exec/agg_table.h"

#include <pthread.h>

typedef enum RecState { REC_START, REC_RUNNING, REC_EMITTING, REC_DONE } RecState;

/* Chunks of rows; they live in `arena`. */
typedef struct RowTable {
    Arena *arena;
    Chunk **chunks;
    int n_chunks, cap_chunks;
    uint64_t n_rows;
} RowTable;

typedef struct RecursiveOp RecursiveOp;

typedef struct Collector {
    ExchangeSink base;
    RecursiveOp *op;
    pthread_mutex_t lock;
} Collector;

typedef struct WorkingInputs {
    TaskInputs base;
    RecursiveOp *op;
} WorkingInputs;

typedef struct WorkingSource {
    ExchangeSource base;
    RecursiveOp *op;
} WorkingSource;

struct RecursiveOp {
    Operator base;
    RecState state;
    int64_t iterations; /* evaluations of the term started */
    RowTable work;      /* the working table: emitted, then read by the next evaluation */
    RowTable next;      /* what the running evaluation produces */
    atomic_int read_next; /* the next chunk of `work` a PLAN_CTE_SCAN driver reads */
    int emit_next;
    /* the running evaluation */
    Arena *iter_arena; /* its fragment, split source and handles */
    PlanFragment fragment;
    Task *nested;
    Collector collector;
    WorkingInputs inputs;
    /* UNION: every row produced so far */
    PlanNode dedup_node;
    AggTable *seen;
    /* Closed while an evaluation runs (the query failing): the task is held open until
       the evaluation ends, and then this frees what it uses. */
    FutureWaiter reap_waiter;
    PoolTask reaper;
};

/* ---- row tables ---- */

static Status table_init(RecursiveOp *r, RowTable *t, Error *err)
{
    memset(t, 0, sizeof *t);
    t->arena = arena_create(r->base.arena, NULL, 0);
    return t->arena ? BS_OK : error_oom(err);
}

static void table_free(RowTable *t)
{
    if (t->arena) arena_destroy(t->arena);
    memset(t, 0, sizeof *t);
}

/* A new empty chunk at the end of t. */
static Chunk *table_add_chunk(RecursiveOp *r, RowTable *t, Error *err)
{
    if (t->n_chunks == t->cap_chunks) {
        int cap = t->cap_chunks ? t->cap_chunks * 2 : 16;
        Chunk **grown = arena_grow(t->arena, t->chunks, sizeof(Chunk *) * (size_t)t->cap_chunks,
                                   sizeof(Chunk *) * (size_t)cap);
        if (!grown) {
            arena_error(t->arena, err);
            return NULL;
        }
        t->chunks = grown;
        t->cap_chunks = cap;
    }
    const PlanNode *n = r->base.node;
    Chunk *c = chunk_create(t->arena, n->types, n->n_cols, err);
    if (c) t->chunks[t->n_chunks++] = c;
    return c;
}

/* Copies in's rows to the end of t (filling its last chunk first). */
static Status table_append(RecursiveOp *r, RowTable *t, const Chunk *in, Error *err)
{
    idx_t done = 0;
    while (done < in->n_rows) {
        Chunk *last = t->n_chunks ? t->chunks[t->n_chunks - 1] : NULL;
        if (!last || last->n_rows == BASALT_VECTOR_SIZE) {
            last = table_add_chunk(r, t, err);
            if (!last) return BS_ERROR;
        }
        idx_t room = BASALT_VECTOR_SIZE - last->n_rows;
        idx_t count = in->n_rows - done < room ? in->n_rows - done : room;
        BS_TRY(chunk_append(last, in, done, count, err));
        done += count;
    }
    t->n_rows += in->n_rows;
    return BS_OK;
}

/* ---- the nested task's edges ---- */

static Future *collector_is_blocked(ExchangeSink *sink, int partition)
{
    return NULL; /* everything is kept (and accounted): no back-pressure */
}

static Status collector_send(ExchangeSink *sink, int partition, const Chunk *chunk, Error *err)
{
    Collector *c = (Collector *)sink;
    pthread_mutex_lock(&c->lock);
    Status st = table_append(c->op, &c->op->next, chunk, err);
    pthread_mutex_unlock(&c->lock);
    return st;
}

static void collector_no_more(ExchangeSink *sink, int producer)
{
}

static bool collector_is_finished(ExchangeSink *sink)
{
    return false;
}

static Status working_next(ExchangeSource *source, Chunk **out, Future **blocked, Error *err)
{
    RecursiveOp *r = ((WorkingSource *)source)->op;
    *blocked = NULL;
    int k = atomic_fetch_add(&r->read_next, 1);
    *out = k < r->work.n_chunks ? r->work.chunks[k] : NULL;
    return BS_OK;
}

static void working_close(ExchangeSource *source)
{
}

/* Called while the nested task is built (in this operator's driver). */
static ExchangeSource *working_open(TaskInputs *inputs, int id, Error *err)
{
    RecursiveOp *r = ((WorkingInputs *)inputs)->op;
    if (id != r->base.node->u.recursive.id) {
        error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: working table %d", id);
        return NULL;
    }
    WorkingSource *s = arena_alloc_zero(r->iter_arena, sizeof *s);
    if (!s) {
        arena_error(r->iter_arena, err);
        return NULL;
    }
    s->base.next = working_next;
    s->base.close = working_close;
    s->op = r;
    return &s->base;
}

/* ---- evaluations ---- */

static void end_evaluation(RecursiveOp *r)
{
    if (r->nested) task_destroy(r->nested);
    r->nested = NULL;
    if (r->iter_arena) arena_destroy(r->iter_arena);
    r->iter_arena = NULL;
}

/* Starts the nested task of child `k` (0: the anchor, 1: the term) over `work`. */
static Status start_evaluation(RecursiveOp *r, int k, Error *err)
{
    const PlanNode *n = r->base.node;
    if (task_should_stop(r->base.task)) return task_cancelled_error(err);
    if (k == 1) r->base.counters[0] = (uint64_t)++r->iterations;
    BS_TRY(table_init(r, &r->next, err));
    r->iter_arena = arena_create(r->base.arena, NULL, 0);
    if (!r->iter_arena) return error_oom(err);
    const TaskConfig *parent = task_config(r->base.task);
    TaskConfig cfg = {
        .pool = parent->pool,
        .max_drivers = parent->max_drivers,
        .tracker = &r->base.tracker,
        .cancel = parent->cancel,
        .exchange_bytes = parent->exchange_bytes,
        .output = &r->collector.base,
        .working_tables = &r->inputs.base,
    };
    if (parent->splits) {
        if (!parent->splits->fork)
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1,
                             "WITH RECURSIVE over tables is not supported by this host");
        cfg.splits = parent->splits->fork(parent->splits, r->iter_arena, err);
        if (!cfg.splits) return BS_ERROR;
    }
    r->fragment = (PlanFragment){
        .id = 0,
        .root = n->children[k],
        .distribution = DIST_SINGLE,
        .n_tasks = 1,
        .output = {EXCHANGE_GATHER, 0, NULL, 1},
        .consumer = -1,
    };
    atomic_store(&r->read_next, 0);
    r->nested = task_create(&r->fragment, &cfg, err);
    if (!r->nested) return BS_ERROR;
    task_start(r->nested);
    r->state = REC_RUNNING;
    return BS_OK;
}

/* UNION: the rows of `next` that no earlier evaluation produced, each once. */
static Status keep_new_rows(RecursiveOp *r, Error *err)
{
    RowTable fresh;
    BS_TRY(table_init(r, &fresh, err));
    Status st = BS_OK;
    for (int c = 0; c < r->next.n_chunks && st == BS_OK; c++) {
        uint32_t before = agg_table_groups(r->seen);
        st = agg_table_add(r->seen, r->next.chunks[c], err);
        uint32_t after = agg_table_groups(r->seen);
        for (uint32_t first = before; st == BS_OK && first < after; first += BASALT_VECTOR_SIZE) {
            uint32_t count = after - first < BASALT_VECTOR_SIZE ? after - first : BASALT_VECTOR_SIZE;
            Chunk *out = table_add_chunk(r, &fresh, err);
            if (!out) {
                st = BS_ERROR;
                break;
            }
            st = agg_table_emit(r->seen, first, count, out, err);
            fresh.n_rows += count;
        }
    }
    table_free(&r->next);
    r->next = fresh;
    return st;
}

/* The running evaluation is done: its rows become the working table. */
static Status finish_evaluation(RecursiveOp *r, Error *err)
{
    Status st = task_result(r->nested, err);
    end_evaluation(r);
    BS_TRY(st);
    if (r->seen) BS_TRY(keep_new_rows(r, err));
    table_free(&r->work);
    r->work = r->next;
    memset(&r->next, 0, sizeof r->next);
    r->emit_next = 0;
    r->state = r->work.n_rows ? REC_EMITTING : REC_DONE;
    const PlanNode *n = r->base.node;
    if (r->state == REC_EMITTING && r->iterations > n->u.recursive.max_iterations) {
        /* The limit counts evaluations of the term that produced rows. */
        error_set(err, "54001", -1, "recursive query \"%s\" did not finish within %lld iterations",
                  n->u.recursive.name ? n->u.recursive.name : "?",
                  (long long)n->u.recursive.max_iterations);
        error_set_hint(err, "Raise the limit with the max_recursion setting (basalt "
                            "--max-recursion N), or make the recursive term stop producing "
                            "rows.");
        return BS_ERROR;
    }
    return BS_OK;
}

/* ---- the operator ---- */

static bool rec_needs_input(Operator *op)
{
    return false;
}

static Status rec_add_input(Operator *op, Chunk *in, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "RecursiveCTE takes no input");
}

static Status rec_get_output(Operator *op, Chunk **out, Error *err)
{
    RecursiveOp *r = (RecursiveOp *)op;
    *out = NULL;
    switch (r->state) {
    case REC_START:
        return start_evaluation(r, 0, err);
    case REC_RUNNING:
        if (!future_is_done(task_done(r->nested))) return BS_OK;
        return finish_evaluation(r, err);
    case REC_EMITTING:
        while (r->emit_next < r->work.n_chunks) {
            Chunk *c = r->work.chunks[r->emit_next++];
            if (c->n_rows == 0) continue;
            *out = c;
            return BS_OK;
        }
        return start_evaluation(r, 1, err);
    case REC_DONE:
        break;
    }
    return BS_OK;
}

static Status rec_finish(Operator *op, Error *err)
{
    return BS_OK;
}

static bool rec_is_finished(Operator *op)
{
    return ((RecursiveOp *)op)->state == REC_DONE;
}

static Future *rec_is_blocked(Operator *op)
{
    RecursiveOp *r = (RecursiveOp *)op;
    if (r->state != REC_RUNNING) return NULL;
    Future *f = task_done(r->nested);
    if (future_is_done(f)) return NULL;
    future_retain(f);
    return f;
}

/* Frees what an evaluation may use (its task must be done or never started). */
static void release_all(RecursiveOp *r)
{
    end_evaluation(r);
    table_free(&r->work);
    table_free(&r->next);
    pthread_mutex_destroy(&r->collector.lock);
}

static void reaper_run(PoolTask *pool_task)
{
    RecursiveOp *r = (RecursiveOp *)((char *)pool_task - offsetof(RecursiveOp, reaper));
    Task *parent = r->base.task;
    release_all(r);
    task_release(parent);
}

static void reaper_wake(FutureWaiter *waiter)
{
    RecursiveOp *r = (RecursiveOp *)((char *)waiter - offsetof(RecursiveOp, reap_waiter));
    threadpool_submit(task_config(r->base.task)->pool, &r->reaper);
}

static void rec_close(Operator *op)
{
    RecursiveOp *r = (RecursiveOp *)op;
    if (r->seen) agg_table_destroy(r->seen);
    r->seen = NULL;
    if (r->nested && !future_is_done(task_done(r->nested))) {
        /* The driver stopped (the query is failing) while an evaluation runs: it shares
           the cancel flag, or ends on its own; its memory goes once it has. */
        task_hold(r->base.task);
        r->reaper.run = reaper_run;
        r->reap_waiter.callback = reaper_wake;
        if (future_add_waiter(task_done(r->nested), &r->reap_waiter)) return;
        task_release(r->base.task);
    }
    release_all(r);
}

static const OperatorVtab REC_VT = {
    .name = "RecursiveCTE",
    .needs_input = rec_needs_input,
    .add_input = rec_add_input,
    .get_output = rec_get_output,
    .finish = rec_finish,
    .is_finished = rec_is_finished,
    .is_blocked = rec_is_blocked,
    .close = rec_close,
};

Status op_recursive_cte_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    if (node->n_children != 2 || node->n_cols < 1 || node->u.recursive.max_iterations < 1)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: recursive CTE");
    for (int k = 0; k < 2; k++) {
        const PlanNode *c = node->children[k];
        if (c->n_cols != node->n_cols)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: recursive CTE columns");
        for (int col = 0; col < c->n_cols; col++)
            if (!type_equals(c->types[col], node->types[col]))
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                                 "invalid plan: recursive CTE types");
    }
    RecursiveOp *r = (RecursiveOp *)operator_new(d, node, &REC_VT, sizeof *r, err);
    if (!r) return BS_ERROR;
    pthread_mutex_init(&r->collector.lock, NULL);
    r->collector.base = (ExchangeSink){1, collector_is_blocked, collector_send, collector_no_more,
                                       collector_is_finished};
    r->collector.op = r;
    r->inputs.base.open = working_open;
    r->inputs.op = r;
    atomic_init(&r->read_next, 0);
    r->base.counter_names[0] = "iterations";
    if (!node->u.recursive.union_all) {
        int n = node->n_cols;
        int *groups = arena_alloc(r->base.arena, sizeof(int) * (size_t)n);
        if (!groups) return arena_error(r->base.arena, err);
        for (int k = 0; k < n; k++)
            groups[k] = k;
        r->dedup_node = (PlanNode){.kind = PLAN_HASH_AGGREGATE, .id = node->id, .n_cols = n,
                                   .types = node->types};
        r->dedup_node.u.agg.mode = AGG_SINGLE;
        r->dedup_node.u.agg.n_groups = n;
        r->dedup_node.u.agg.groups = groups;
        r->seen = agg_table_create(&r->dedup_node, node->types, &r->base.tracker, err);
        if (!r->seen) return BS_ERROR;
    }
    *out = &r->base;
    return BS_OK;
}
