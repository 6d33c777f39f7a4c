/*
 * task.c — a task: one fragment instance cut into pipelines, each run by drivers on the
 * thread pool.
 *
 * Pipelines. The operator tree is walked from the root. A pipeline breaker (hash
 * aggregation, sort, TopN) splits it: the part below feeds the breaker's sink, the part
 * above starts with the breaker's source, and the source's pipeline depends on the sink's
 * (it starts when that one has finished). A join keeps its probe side in the pipeline it
 * is in — the probe operator between the probe child's operators and those above — and
 * makes its build side a pipeline ending in the build sink, which the probe's waits for. A local exchange splits it too, but both sides
 * run at once, the lower one's drivers sending chunks to the upper one's:
 *
 *   Output ← Limit ← LocalSource  |  LocalSink ← Limit ← SortSource  |  SortSink ← Scan
 *     pipeline 0 (1 driver)          pipeline 1 (N drivers)              pipeline 2 (N)
 *
 * A pipeline's driver count comes from its source: a table scan, an aggregation whose
 * drivers' tables hold disjoint groups (each source driver emits whole tables), a sort (each driver
 * merges one key range), a remote source read in parallel, and a local exchange that repartitions,
 * deals round-robin or broadcasts run `max_drivers` drivers; VALUES, a CSV scan, a gather and an
 * aggregation without groups run one. A pipeline may depend on any number of others (a
 * join's probe on its build), and a task may have any number of pipelines.
 *
 * Driver states:
 *   queued   → running        (a pool thread picks its PoolTask)
 *   running  → queued         (its time slice ended: it resubmits itself)
 *   running  → parked         (an operator is blocked: it waits on that Future, whose
 *                              completion resubmits it)
 *   running  → done           (its last operator finished, or the task is stopping, or
 *                              nobody needs the task's output any more)
 * When a pipeline's last driver is done, the pipelines that depend on it start; when the
 * last pipeline is done, the task's `done` future completes.
 */
#include "exec/exec_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/*
 * How long a driver runs before it lets others have the thread. Short enough that a
 * consumer waiting for its first chunk is not held up behind busy producers (with 50 ms,
 * the first row of `select * from lineitem` came 30 ms later at 2 threads), long
 * enough that requeueing costs nothing measurable.
 */
#define DRIVER_QUANTUM_NS (10 * 1000 * 1000)

typedef enum OpKind {
    OPK_PLAN, /* an operator made from its plan node */
    OPK_AGG_SINK,
    OPK_AGG_SOURCE,
    OPK_SORT_SINK,
    OPK_SORT_SOURCE,
    OPK_TOPN_SINK,
    OPK_JOIN_BUILD,    /* appends the build side's rows to a join's table */
    OPK_JOIN_PROBE,    /* probes a join's table */
    OPK_REMOTE_SOURCE, /* reads another fragment's output */
    OPK_CTE_SOURCE,    /* reads a recursive CTE's working table (config.working_tables) */
    OPK_LOCAL_SOURCE,  /* reads a local exchange of this task */
    OPK_LOCAL_SINK,    /* writes to a local exchange of this task */
    OPK_UNION_SINK,    /* writes one input of a Union (node: that input) to its exchange */
    OPK_OUTPUT,        /* writes to the task's output sink */
} OpKind;

typedef struct OpSpec {
    OpKind kind;
    const PlanNode *node;
    BreakerState *shared;
    LocalExchange *exchange; /* OPK_LOCAL_SOURCE, OPK_LOCAL_SINK */
} OpSpec;

typedef struct Pipeline {
    int id;
    int n_ops, cap_ops;
    OpSpec *ops; /* source first */
    int n_drivers;
    Driver **drivers;
    atomic_int drivers_left;
    atomic_int deps_pending;
    int n_dependents;
    struct Pipeline **dependents;
} Pipeline;

struct Driver {
    PoolTask pool_task; /* first: the pool hands it back to us */
    FutureWaiter waiter;
    Task *task;
    Pipeline *pipeline;
    int index; /* among its pipeline's drivers */
    Arena *arena;
    int n_ops;
    Operator **ops;
    bool *finish_sent;
    Future *parked_on;
};

typedef struct Breaker {
    BreakerState *state;
    void (*destroy)(BreakerState *);
} Breaker;

struct Task {
    const PlanFragment *fragment;
    TaskConfig config;
    Arena *arena;
    MemTracker tracker;
    int n_pipelines, cap_pipelines;
    Pipeline **pipelines;
    Pipeline **ready; /* task_start's list of pipelines to start */
    int n_breakers, cap_breakers;
    Breaker *breakers;
    int n_exchanges, cap_exchanges;
    LocalExchange **exchanges;
    pthread_mutex_t lock;
    Error error;
    atomic_bool failed;
    atomic_int pipelines_left;
    Future *done;
};

const TaskConfig *task_config(const Task *task)
{
    return &task->config;
}

MemTracker *task_tracker(Task *task)
{
    return &task->tracker;
}

bool task_should_stop(const Task *task)
{
    return atomic_load_explicit(&((Task *)task)->failed, memory_order_relaxed) ||
           (task->config.cancel && atomic_load_explicit(task->config.cancel, memory_order_relaxed));
}

void task_hold(Task *task)
{
    atomic_fetch_add(&task->pipelines_left, 1);
}

void task_release(Task *task)
{
    if (atomic_fetch_sub(&task->pipelines_left, 1) == 1) future_complete(task->done);
}

Status task_cancelled_error(Error *err)
{
    return error_set(err, SQLSTATE_QUERY_CANCELED, -1, "canceling statement due to user request");
}

bool task_output_finished(const Task *task)
{
    ExchangeSink *out = task->config.output;
    return out && out->is_finished(out);
}

/* Records the first failure and makes everyone stop. */
static void task_fail(Task *task, Error *err)
{
    pthread_mutex_lock(&task->lock);
    bool first = !error_is_set(&task->error);
    if (first) error_move(&task->error, err);
    pthread_mutex_unlock(&task->lock);
    error_clear(err);
    if (!atomic_exchange(&task->failed, true)) {
        /* Wake this task's own drivers parked on its local exchanges. */
        for (int k = 0; k < task->n_exchanges; k++)
            local_exchange_abort(task->exchanges[k]);
        if (task->config.on_fail) task->config.on_fail(task->config.on_fail_ctx);
    }
}

Operator *operator_new(Driver *d, const PlanNode *node, const OperatorVtab *vt, size_t size,
                       Error *err)
{
    Operator *op = arena_alloc_zero(d->arena, size);
    if (!op) {
        arena_error(d->arena, err);
        return NULL;
    }
    op->vt = vt;
    op->node = node;
    op->driver = d;
    op->driver_index = d->index;
    op->task = d->task;
    memtracker_init(&op->tracker, &d->task->tracker, vt->name, 0);
    op->arena = arena_create(d->arena, &op->tracker, 0);
    if (!op->arena) {
        error_oom(err);
        return NULL;
    }
    return op;
}

/* ---- building pipelines ---- */

static Pipeline *pipeline_new(Task *task, Error *err)
{
    if (task->n_pipelines == task->cap_pipelines) {
        int cap = task->cap_pipelines ? task->cap_pipelines * 2 : 4;
        Pipeline **grown = arena_grow(task->arena, task->pipelines,
                                      sizeof(Pipeline *) * (size_t)task->cap_pipelines,
                                      sizeof(Pipeline *) * (size_t)cap);
        if (!grown) {
            arena_error(task->arena, err);
            return NULL;
        }
        task->pipelines = grown;
        task->cap_pipelines = cap;
    }
    Pipeline *p = arena_alloc_zero(task->arena, sizeof *p);
    if (!p) {
        arena_error(task->arena, err);
        return NULL;
    }
    p->id = task->n_pipelines;
    task->pipelines[task->n_pipelines++] = p;
    return p;
}

/* Adds an operator at the front (operators are added from the sink towards the source). */
static Status pipeline_prepend(Task *task, Pipeline *p, OpSpec spec, Error *err)
{
    if (p->n_ops == p->cap_ops) {
        int cap = p->cap_ops ? p->cap_ops * 2 : 8;
        OpSpec *grown = arena_grow(task->arena, p->ops, sizeof(OpSpec) * (size_t)p->cap_ops,
                                   sizeof(OpSpec) * (size_t)cap);
        if (!grown) return arena_error(task->arena, err);
        p->ops = grown;
        p->cap_ops = cap;
    }
    memmove(p->ops + 1, p->ops, sizeof(OpSpec) * (size_t)p->n_ops);
    p->ops[0] = spec;
    p->n_ops++;
    return BS_OK;
}

static Status add_breaker(Task *task, BreakerState *state, void (*destroy)(BreakerState *),
                          Error *err)
{
    if (task->n_breakers == task->cap_breakers) {
        int cap = task->cap_breakers ? task->cap_breakers * 2 : 4;
        Breaker *grown =
            arena_grow(task->arena, task->breakers, sizeof(Breaker) * (size_t)task->cap_breakers,
                       sizeof(Breaker) * (size_t)cap);
        if (!grown) {
            destroy(state);
            return arena_error(task->arena, err);
        }
        task->breakers = grown;
        task->cap_breakers = cap;
    }
    task->breakers[task->n_breakers++] = (Breaker){state, destroy};
    return BS_OK;
}

static Status add_dependency(Task *task, Pipeline *before, Pipeline *after, Error *err)
{
    Pipeline **grown = arena_grow(task->arena, before->dependents,
                                  sizeof(Pipeline *) * (size_t)before->n_dependents,
                                  sizeof(Pipeline *) * (size_t)(before->n_dependents + 1));
    if (!grown) return arena_error(task->arena, err);
    before->dependents = grown;
    before->dependents[before->n_dependents++] = after;
    atomic_fetch_add(&after->deps_pending, 1);
    return BS_OK;
}

static Status add_exchange(Task *task, LocalExchange *x, Error *err)
{
    if (task->n_exchanges == task->cap_exchanges) {
        int cap = task->cap_exchanges ? task->cap_exchanges * 2 : 4;
        LocalExchange **grown = arena_grow(task->arena, task->exchanges,
                                           sizeof(LocalExchange *) * (size_t)task->cap_exchanges,
                                           sizeof(LocalExchange *) * (size_t)cap);
        if (!grown) {
            local_exchange_destroy(x);
            return arena_error(task->arena, err);
        }
        task->exchanges = grown;
        task->cap_exchanges = cap;
    }
    task->exchanges[task->n_exchanges++] = x;
    return BS_OK;
}

/* Bytes a local exchange buffers before its producers wait, unless the host says. */
#define LOCAL_EXCHANGE_BYTES (8 << 20)

static int parallel_drivers(const Task *task)
{
    return task->config.max_drivers > 0 ? task->config.max_drivers : 1;
}

/* A local exchange: `p` (above) starts reading it, a new pipeline (below) writes to it. */
static Status build_local_exchange(Task *task, const PlanNode *node, Pipeline *p, int depth,
                                   Error *err);

static Status build(Task *task, const PlanNode *node, Pipeline *p, int depth, Error *err);

static Status build_breaker(Task *task, const PlanNode *node, Pipeline *p, int depth, Error *err)
{
    OpSpec spec = {OPK_PLAN, node, NULL, NULL};
    bool agg = node->kind == PLAN_HASH_AGGREGATE;
    BreakerState *shared =
        agg ? agg_shared_create(task, node, err) : sort_shared_create(task, node, err);
    if (!shared) return BS_ERROR;
    BS_TRY(add_breaker(task, shared, agg ? agg_shared_destroy : sort_shared_destroy, err));
    spec.shared = shared;
    spec.kind = agg ? OPK_AGG_SOURCE : OPK_SORT_SOURCE;
    /* Aggregations emit disjoint tables in parallel, sorts merge key ranges in parallel;
       TopN keeps few rows and merges them in one driver. */
    p->n_drivers = agg                       ? agg_source_drivers(node, parallel_drivers(task))
                   : node->kind == PLAN_SORT ? parallel_drivers(task)
                                             : 1;
    BS_TRY(pipeline_prepend(task, p, spec, err));
    Pipeline *below = pipeline_new(task, err);
    if (!below) return BS_ERROR;
    spec.kind = agg ? OPK_AGG_SINK : node->kind == PLAN_TOPN ? OPK_TOPN_SINK : OPK_SORT_SINK;
    BS_TRY(pipeline_prepend(task, below, spec, err));
    BS_TRY(add_dependency(task, below, p, err));
    const PlanNode *input = node->children[0];
    if (agg && agg_replaces_exchange(node)) input = input->children[0];
    return build(task, input, below, depth + 1, err);
}

/*
 * A join: its probe operator goes into p, after the probe child's operators (which p
 * continues into); the build child becomes a pipeline of its own ending in the join's
 * build sink, which p waits for — the sinks of all its drivers, and the index built over
 * their rows.
 */
static Status build_join(Task *task, const PlanNode *node, Pipeline *p, int depth, Error *err)
{
    if (node->n_children != 2)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: arity");
    BreakerState *shared = join_shared_create(task, node, err);
    if (!shared) return BS_ERROR;
    BS_TRY(add_breaker(task, shared, join_shared_destroy, err));
    OpSpec probe = {OPK_JOIN_PROBE, node, shared, NULL};
    BS_TRY(pipeline_prepend(task, p, probe, err));
    BS_TRY(build(task, node->children[0], p, depth + 1, err));
    Pipeline *below = pipeline_new(task, err);
    if (!below) return BS_ERROR;
    OpSpec sink = {OPK_JOIN_BUILD, node, shared, NULL};
    BS_TRY(pipeline_prepend(task, below, sink, err));
    BS_TRY(build(task, node->children[1], below, depth + 1, err));
    BS_TRY(add_dependency(task, below, p, err));
    join_shared_set_drivers(shared, below->n_drivers, p->n_drivers);
    return BS_OK;
}

static Status build_local_exchange(Task *task, const PlanNode *node, Pipeline *p, int depth,
                                   Error *err)
{
    const Partitioning *part = &node->u.exchange.part;
    const PlanNode *child = node->children[0];
    bool to_one = part->kind == EXCHANGE_GATHER || part->kind == EXCHANGE_ORDERED_GATHER;
    p->n_drivers = to_one ? 1 : parallel_drivers(task);
    OpSpec source = {OPK_LOCAL_SOURCE, node, NULL, NULL};
    BS_TRY(pipeline_prepend(task, p, source, err));
    Pipeline *below = pipeline_new(task, err);
    if (!below) return BS_ERROR;
    OpSpec sink = {OPK_LOCAL_SINK, node, NULL, NULL};
    BS_TRY(pipeline_prepend(task, below, sink, err));
    BS_TRY(build(task, child, below, depth + 1, err));
    /* Now both sides' driver counts are known. */
    int n_queues = part->kind == EXCHANGE_REPARTITION || part->kind == EXCHANGE_BROADCAST
                       ? p->n_drivers
                   : part->kind == EXCHANGE_ORDERED_GATHER ? below->n_drivers
                                                           : 1;
    LocalExchange *x = local_exchange_create(
        child->types, child->n_cols, n_queues, part->kind == EXCHANGE_ORDERED_GATHER,
        task->config.exchange_bytes > 0 ? task->config.exchange_bytes : LOCAL_EXCHANGE_BYTES,
        &task->tracker, err);
    if (!x) return BS_ERROR;
    BS_TRY(add_exchange(task, x, err));
    local_exchange_add_producers(x, below->n_drivers);
    p->ops[0].exchange = x;
    below->ops[below->n_ops - 1].exchange = x;
    return BS_OK;
}

/*
 * A Union: `p` starts reading a local exchange that a pipeline per input writes to, every
 * driver of p taking the next chunk of any input.
 */
static Status build_union(Task *task, const PlanNode *node, Pipeline *p, int depth, Error *err)
{
    if (node->n_children < 1)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: union without inputs");
    for (int k = 0; k < node->n_children; k++) {
        const PlanNode *c = node->children[k];
        if (c->n_cols != node->n_cols)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: union columns");
        for (int col = 0; col < c->n_cols; col++)
            if (!type_equals(c->types[col], node->types[col]))
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: union types");
    }
    p->n_drivers = parallel_drivers(task);
    OpSpec source = {OPK_LOCAL_SOURCE, node, NULL, NULL};
    BS_TRY(pipeline_prepend(task, p, source, err));
    LocalExchange *x = local_exchange_create(
        node->types, node->n_cols, 1, false,
        task->config.exchange_bytes > 0 ? task->config.exchange_bytes : LOCAL_EXCHANGE_BYTES,
        &task->tracker, err);
    if (!x) return BS_ERROR;
    BS_TRY(add_exchange(task, x, err));
    p->ops[0].exchange = x;
    int producers = 0;
    for (int k = 0; k < node->n_children; k++) {
        Pipeline *below = pipeline_new(task, err);
        if (!below) return BS_ERROR;
        OpSpec sink = {OPK_UNION_SINK, node->children[k], NULL, x};
        BS_TRY(pipeline_prepend(task, below, sink, err));
        BS_TRY(build(task, node->children[k], below, depth + 1, err));
        producers += below->n_drivers;
    }
    local_exchange_add_producers(x, producers);
    return BS_OK;
}

/* Adds node's operators to pipeline p (in front), and the pipelines below it. */
static Status build(Task *task, const PlanNode *node, Pipeline *p, int depth, Error *err)
{
    if (depth > 4000)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "plan is nested too deeply");
    OpSpec spec = {OPK_PLAN, node, NULL, NULL};
    switch (node->kind) {
    case PLAN_TABLE_SCAN:
        p->n_drivers = parallel_drivers(task);
        return pipeline_prepend(task, p, spec, err);
    case PLAN_VALUES:
    case PLAN_CSV_SCAN:
    case PLAN_RANGE:
        p->n_drivers = 1;
        return pipeline_prepend(task, p, spec, err);
    case PLAN_RECURSIVE_CTE:
        /* Its children run as nested tasks of its own, not in this task's pipelines. */
        p->n_drivers = 1;
        return pipeline_prepend(task, p, spec, err);
    case PLAN_CTE_SCAN:
        if (!task->config.working_tables)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                             "invalid plan: a working table scan outside a recursive CTE");
        p->n_drivers = parallel_drivers(task);
        spec.kind = OPK_CTE_SOURCE;
        return pipeline_prepend(task, p, spec, err);
    case PLAN_REMOTE_SOURCE:
        if (!task->config.inputs)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "no input for fragment %d",
                             node->u.remote.fragment);
        p->n_drivers = node->u.remote.single ? 1 : parallel_drivers(task);
        spec.kind = OPK_REMOTE_SOURCE;
        return pipeline_prepend(task, p, spec, err);
    case PLAN_FILTER:
    case PLAN_PROJECT:
    case PLAN_LIMIT:
    case PLAN_TABLE_WRITE:
    case PLAN_WINDOW: /* each driver's input holds whole partitions: it stays in its pipeline */
    case PLAN_EXPAND:
    case PLAN_UNNEST:
        if (node->n_children != 1)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: arity");
        BS_TRY(pipeline_prepend(task, p, spec, err));
        return build(task, node->children[0], p, depth + 1, err);
    case PLAN_HASH_AGGREGATE:
    case PLAN_SORT:
    case PLAN_TOPN:
        if (node->n_children != 1)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: arity");
        if (node->kind == PLAN_HASH_AGGREGATE && node->u.agg.flush_groups > 0) {
            /* A streaming partial aggregation stays in its pipeline. */
            BS_TRY(pipeline_prepend(task, p, spec, err));
            return build(task, node->children[0], p, depth + 1, err);
        }
        return build_breaker(task, node, p, depth, err);
    case PLAN_EXCHANGE:
        if (node->n_children != 1 || !node->u.exchange.local)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                             "invalid plan: a remote exchange inside a fragment");
        if ((unsigned)node->u.exchange.part.kind >= EXCHANGE_KIND_COUNT_)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: exchange kind");
        return build_local_exchange(task, node, p, depth, err);
    case PLAN_JOIN:
        return build_join(task, node, p, depth, err);
    case PLAN_UNION:
        return build_union(task, node, p, depth, err);
    case PLAN_KIND_COUNT_:
        break;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: node kind %d in a fragment",
                     node->kind);
}

static Status create_operator(Driver *d, const OpSpec *spec, Operator **out, Error *err)
{
    const PlanNode *n = spec->node;
    switch (spec->kind) {
    case OPK_AGG_SINK:
        return op_agg_sink_create(d, n, spec->shared, out, err);
    case OPK_AGG_SOURCE:
        return op_agg_source_create(d, n, spec->shared, out, err);
    case OPK_SORT_SINK:
        return op_sort_sink_create(d, n, spec->shared, out, err);
    case OPK_SORT_SOURCE:
        return op_sort_source_create(d, n, spec->shared, d->pipeline->n_drivers, out, err);
    case OPK_TOPN_SINK:
        return op_topn_sink_create(d, n, spec->shared, out, err);
    case OPK_JOIN_BUILD:
        return op_join_build_create(d, n, spec->shared, out, err);
    case OPK_JOIN_PROBE:
        return op_join_probe_create(d, n, spec->shared, out, err);
    case OPK_REMOTE_SOURCE: {
        TaskInputs *inputs = d->task->config.inputs;
        ExchangeSource *h = inputs->open(inputs, n->u.remote.fragment, err);
        if (!h) return BS_ERROR;
        return op_exchange_source_create(d, n, h, out, err);
    }
    case OPK_CTE_SOURCE: {
        TaskInputs *tables = d->task->config.working_tables;
        ExchangeSource *h = tables->open(tables, n->u.cte_scan.id, err);
        if (!h) return BS_ERROR;
        return op_exchange_source_create(d, n, h, out, err);
    }
    case OPK_LOCAL_SOURCE: {
        const Partitioning *part = &n->u.exchange.part;
        bool own_queue = n->kind == PLAN_EXCHANGE && (part->kind == EXCHANGE_REPARTITION ||
                                                      part->kind == EXCHANGE_BROADCAST);
        ExchangeSource *h = local_exchange_source(spec->exchange, own_queue ? d->index : 0, err);
        if (!h) return BS_ERROR;
        return op_exchange_source_create(d, n, h, out, err);
    }
    case OPK_LOCAL_SINK:
        return op_exchange_sink_create(d, n->children[0], local_exchange_sink(spec->exchange),
                                       &n->u.exchange.part, d->index, out, err);
    case OPK_UNION_SINK: {
        static const Partitioning gather = {EXCHANGE_GATHER, 0, NULL, 0};
        return op_exchange_sink_create(d, n, local_exchange_sink(spec->exchange), &gather,
                                       d->index, out, err);
    }
    case OPK_OUTPUT:
        return op_exchange_sink_create(d, n, d->task->config.output, &d->task->fragment->output,
                                       d->index, out, err);
    case OPK_PLAN:
        break;
    }
    switch (n->kind) {
    case PLAN_TABLE_SCAN:
        return op_table_scan_create(d, n, out, err);
    case PLAN_VALUES:
        return op_values_create(d, n, out, err);
    case PLAN_RANGE:
        return op_range_create(d, n, out, err);
    case PLAN_CSV_SCAN:
        return op_csv_scan_create(d, n, out, err);
    case PLAN_FILTER:
        return op_filter_create(d, n, out, err);
    case PLAN_PROJECT:
        return op_project_create(d, n, out, err);
    case PLAN_LIMIT:
        return op_limit_create(d, n, out, err);
    case PLAN_TABLE_WRITE:
        return op_table_write_create(d, n, out, err);
    case PLAN_HASH_AGGREGATE:
        return op_agg_stream_create(d, n, out, err);
    case PLAN_WINDOW:
        return op_window_create(d, n, out, err);
    case PLAN_EXPAND:
        return op_expand_create(d, n, out, err);
    case PLAN_UNNEST:
        return op_unnest_create(d, n, out, err);
    case PLAN_RECURSIVE_CTE:
        return op_recursive_cte_create(d, n, out, err);
    default:
        break;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: no operator for node %d",
                     n->kind);
}

static void driver_run(PoolTask *pool_task);
static void driver_wake(FutureWaiter *waiter);

static Status create_drivers(Task *task, Pipeline *p, Error *err)
{
    p->drivers = arena_alloc_zero(task->arena, sizeof(Driver *) * (size_t)p->n_drivers);
    if (!p->drivers) return arena_error(task->arena, err);
    atomic_store(&p->drivers_left, p->n_drivers);
    for (int k = 0; k < p->n_drivers; k++) {
        Driver *d = arena_alloc_zero(task->arena, sizeof *d);
        if (!d) return arena_error(task->arena, err);
        d->pool_task.run = driver_run;
        d->waiter.callback = driver_wake;
        d->task = task;
        d->pipeline = p;
        d->index = k;
        d->arena = arena_create(task->arena, NULL, 0);
        d->ops = arena_alloc_zero(task->arena, sizeof(Operator *) * (size_t)p->n_ops);
        d->finish_sent = arena_alloc_zero(task->arena, sizeof(bool) * (size_t)p->n_ops);
        if (!d->arena || !d->ops || !d->finish_sent) return arena_error(task->arena, err);
        p->drivers[k] = d;
        for (int o = 0; o < p->n_ops; o++) {
            BS_TRY(create_operator(d, &p->ops[o], &d->ops[o], err));
            d->n_ops = o + 1;
        }
    }
    return BS_OK;
}

Task *task_create(const PlanFragment *fragment, const TaskConfig *config, Error *err)
{
    Arena *arena = arena_create(NULL, config->tracker, 0);
    if (!arena) {
        error_oom(err);
        return NULL;
    }
    Task *task = arena_alloc_zero(arena, sizeof *task);
    Future *done = future_create();
    if (!task || !done) {
        future_release(done);
        arena_destroy(arena);
        error_oom(err);
        return NULL;
    }
    task->arena = arena;
    task->fragment = fragment;
    task->config = *config;
    task->done = done;
    pthread_mutex_init(&task->lock, NULL);
    error_init(&task->error);
    char name[40];
    snprintf(name, sizeof name, "task %d", fragment->id);
    memtracker_init(&task->tracker, config->tracker, name, 0);
    Pipeline *root = pipeline_new(task, err);
    if (!root) goto fail;
    OpSpec output = {OPK_OUTPUT, fragment->root, NULL, NULL};
    if (pipeline_prepend(task, root, output, err) != BS_OK) goto fail;
    if (build(task, fragment->root, root, 0, err) != BS_OK) goto fail;
    for (int k = 0; k < task->n_pipelines; k++)
        if (create_drivers(task, task->pipelines[k], err) != BS_OK) goto fail;
    task->ready = arena_alloc(task->arena, sizeof(Pipeline *) * (size_t)task->n_pipelines);
    if (!task->ready) {
        arena_error(task->arena, err);
        goto fail;
    }
    atomic_store(&task->pipelines_left, task->n_pipelines);
    return task;
fail:
    task_destroy(task);
    return NULL;
}

int task_output_producers(const Task *task)
{
    return task->pipelines[0]->n_drivers;
}

static void pipeline_start(Task *task, Pipeline *p)
{
    for (int k = 0; k < p->n_drivers; k++)
        threadpool_submit(task->config.pool, &p->drivers[k]->pool_task);
}

void task_start(Task *task)
{
    /* Collect first: a fast pipeline may finish and start others while we iterate. The
       array was made with the task, so starting cannot fail. */
    int n_ready = 0;
    for (int k = 0; k < task->n_pipelines; k++)
        if (atomic_load(&task->pipelines[k]->deps_pending) == 0)
            task->ready[n_ready++] = task->pipelines[k];
    for (int k = 0; k < n_ready; k++)
        pipeline_start(task, task->ready[k]);
}

Future *task_done(Task *task)
{
    return task->done;
}

Status task_result(Task *task, Error *err)
{
    pthread_mutex_lock(&task->lock);
    Status st = BS_OK;
    if (error_is_set(&task->error)) {
        error_copy(err, &task->error);
        st = BS_ERROR;
    } else if (task->config.cancel && atomic_load(task->config.cancel)) {
        task_cancelled_error(err);
        st = BS_ERROR;
    }
    pthread_mutex_unlock(&task->lock);
    return st;
}

void task_stats(const Task *task, Buffer *out)
{
    for (int p = 0; p < task->n_pipelines; p++) {
        Pipeline *pl = task->pipelines[p];
        for (int o = 0; o < pl->n_ops; o++) {
            uint64_t rows_out = 0, counters[OPERATOR_COUNTERS] = {0};
            int64_t ns = 0;
            for (int d = 0; d < pl->n_drivers; d++) {
                Operator *op = pl->drivers[d]->ops[o];
                if (!op) continue;
                rows_out += op->rows_out;
                ns += op->busy_ns;
                for (int c = 0; c < OPERATOR_COUNTERS; c++)
                    counters[c] += op->counters[c];
            }
            Operator *first = pl->drivers[0]->ops[o];
            buffer_printf(
                out, "fragment %d, pipeline %d, %s (node %d): %llu rows out, %.3f ms, %d drivers",
                task->fragment->id, p, first ? first->vt->name : "?", pl->ops[o].node->id,
                (unsigned long long)rows_out, (double)ns / 1e6, pl->n_drivers);
            for (int c = 0; first && c < OPERATOR_COUNTERS; c++)
                if (first->counter_names[c])
                    buffer_printf(out, ", %s %llu", first->counter_names[c],
                                  (unsigned long long)counters[c]);
            buffer_printf(out, "\n");
        }
    }
}

void task_destroy(Task *task)
{
    if (!task) return;
    for (int p = 0; p < task->n_pipelines; p++) {
        Pipeline *pl = task->pipelines[p];
        for (int d = 0; pl->drivers && d < pl->n_drivers; d++) {
            Driver *drv = pl->drivers[d];
            if (!drv) continue;
            for (int o = 0; o < drv->n_ops; o++) {
                Operator *op = drv->ops[o];
                if (op && !op->closed) {
                    if (op->vt->close) op->vt->close(op);
                    op->closed = true;
                }
            }
            if (drv->parked_on) future_release(drv->parked_on);
        }
    }
    for (int k = 0; k < task->n_breakers; k++)
        task->breakers[k].destroy(task->breakers[k].state);
    for (int k = 0; k < task->n_exchanges; k++)
        local_exchange_destroy(task->exchanges[k]);
    error_clear(&task->error);
    pthread_mutex_destroy(&task->lock);
    future_release(task->done);
    arena_destroy(task->arena);
}

/* ---- drivers ---- */

/* Closes the driver's operators; ends its pipeline (and the task) when it is the last. */
static void driver_finish(Driver *d)
{
    for (int o = 0; o < d->n_ops; o++) {
        Operator *op = d->ops[o];
        if (op && !op->closed) {
            if (op->vt->close) op->vt->close(op);
            op->closed = true;
        }
    }
    Task *task = d->task;
    Pipeline *p = d->pipeline;
    if (atomic_fetch_sub(&p->drivers_left, 1) != 1) return;
    /* Start what waited for this pipeline (they stop at once if the task is failing). */
    for (int k = 0; k < p->n_dependents; k++)
        if (atomic_fetch_sub(&p->dependents[k]->deps_pending, 1) == 1)
            pipeline_start(task, p->dependents[k]);
    if (atomic_fetch_sub(&task->pipelines_left, 1) == 1) future_complete(task->done);
}

typedef enum StepResult { STEP_PROGRESS, STEP_BLOCKED, STEP_DONE, STEP_IDLE } StepResult;

/*
 * Whether no operator from `from` on holds a chunk: each needs input (or is finished).
 * Operators pass their input on by reference (a filter that keeps every row returns it,
 * a projection refers to its columns), so a chunk a downstream operator still holds may
 * be the very chunk of an operator further up; that one must not make its next chunk
 * (and overwrite its buffers) until the chunk has gone through.
 */
static bool downstream_empty(Driver *d, int from)
{
    for (int k = from; k < d->n_ops; k++) {
        Operator *op = d->ops[k];
        if (!op->vt->needs_input(op) && !op->vt->is_finished(op)) return false;
    }
    return true;
}

/* One pass down the operator chain (Presto's Driver.processInternal). */
static Status driver_step(Driver *d, StepResult *result, Error *err)
{
    bool moved = false;
    for (int i = 0; i + 1 < d->n_ops; i++) {
        Operator *cur = d->ops[i], *next = d->ops[i + 1];
        if (cur->vt->is_blocked) {
            Future *f = cur->vt->is_blocked(cur);
            if (f) {
                d->parked_on = f;
                *result = STEP_BLOCKED;
                return BS_OK;
            }
        }
        if (next->vt->is_blocked) {
            Future *f = next->vt->is_blocked(next);
            if (f) {
                d->parked_on = f;
                *result = STEP_BLOCKED;
                return BS_OK;
            }
        }
        if (!cur->vt->is_finished(cur) && next->vt->needs_input(next) &&
            downstream_empty(d, i + 2)) {
            Chunk *out = NULL;
            int64_t t0 = clock_now_ns();
            BS_TRY(cur->vt->get_output(cur, &out, err));
            int64_t t1 = clock_now_ns();
            cur->busy_ns += t1 - t0;
            if (out && out->n_rows > 0) {
                cur->rows_out += out->n_rows;
                next->rows_in += out->n_rows;
                BS_TRY(next->vt->add_input(next, out, err));
                next->busy_ns += clock_now_ns() - t1;
                moved = true;
            }
        }
        if (cur->vt->is_finished(cur) && !d->finish_sent[i + 1]) {
            d->finish_sent[i + 1] = true;
            int64_t t0 = clock_now_ns();
            BS_TRY(next->vt->finish(next, err));
            next->busy_ns += clock_now_ns() - t0;
            moved = true;
        }
    }
    Operator *last = d->ops[d->n_ops - 1];
    if (last->vt->is_finished(last)) {
        *result = STEP_DONE;
        return BS_OK;
    }
    if (last->vt->is_blocked) {
        Future *f = last->vt->is_blocked(last);
        if (f) {
            d->parked_on = f;
            *result = STEP_BLOCKED;
            return BS_OK;
        }
    }
    *result = moved ? STEP_PROGRESS : STEP_IDLE;
    return BS_OK;
}

static void driver_wake(FutureWaiter *waiter)
{
    Driver *d = (Driver *)((char *)waiter - offsetof(Driver, waiter));
    threadpool_submit(d->task->config.pool, &d->pool_task);
}

static void driver_run(PoolTask *pool_task)
{
    Driver *d = (Driver *)pool_task;
    Task *task = d->task;
    if (d->parked_on) {
        future_release(d->parked_on);
        d->parked_on = NULL;
    }
    int64_t start = clock_now_ns();
    int idle_passes = 0;
    for (;;) {
        /* Failed, cancelled, or nobody needs the rows any more: stop. */
        if (task_should_stop(task) || task_output_finished(task)) {
            driver_finish(d);
            return;
        }
        Error err = ERROR_INIT;
        StepResult result;
        if (driver_step(d, &result, &err) != BS_OK) {
            task_fail(task, &err);
            driver_finish(d);
            return;
        }
        switch (result) {
        case STEP_DONE:
            driver_finish(d);
            return;
        case STEP_BLOCKED:
            if (future_add_waiter(d->parked_on, &d->waiter)) return; /* parked; woken later */
            future_release(d->parked_on); /* completed meanwhile: go on */
            d->parked_on = NULL;
            break;
        case STEP_IDLE:
            /* Nothing moved and nothing blocks: an operator breaks the protocol. */
            if (++idle_passes > 1000) {
                error_set(&err, SQLSTATE_INTERNAL_ERROR, -1,
                          "driver made no progress (pipeline %d)", d->pipeline->id);
                task_fail(task, &err);
                driver_finish(d);
                return;
            }
            break;
        case STEP_PROGRESS:
            idle_passes = 0;
            break;
        }
        if (clock_now_ns() - start > DRIVER_QUANTUM_NS) {
            threadpool_submit(task->config.pool, &d->pool_task);
            return;
        }
    }
}
