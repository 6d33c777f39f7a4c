/*
 * op_exchange.c — the operators at a task's edges: ExchangeSource reads chunks another
 * fragment produced (through an ExchangeSource the host plugs in), ExchangeSink sends
 * this fragment's rows on (through the task's output ExchangeSink). Both block — park
 * their driver on a Future — rather than wait: the source when nothing has arrived yet,
 * the sink when the consumer is behind (back-pressure).
 */
#include "exec/exec_int.h"

typedef struct SourceOp {
    Operator base;
    ExchangeSource *source;
    Future *waiting;
    bool finished;
} SourceOp;

static bool source_needs_input(Operator *op)
{
    return false;
}

static Status source_add_input(Operator *op, Chunk *in, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "ExchangeSource takes no input");
}

static Status source_get_output(Operator *op, Chunk **out, Error *err)
{
    SourceOp *s = (SourceOp *)op;
    *out = NULL;
    if (s->finished || s->waiting) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    Future *blocked = NULL;
    BS_TRY(s->source->next(s->source, out, &blocked, err));
    if (*out) return BS_OK;
    if (blocked)
        s->waiting = blocked;
    else
        s->finished = true;
    return BS_OK;
}

static Future *source_is_blocked(Operator *op)
{
    SourceOp *s = (SourceOp *)op;
    if (!s->waiting) return NULL;
    if (future_is_done(s->waiting)) {
        future_release(s->waiting);
        s->waiting = NULL;
        return NULL;
    }
    future_retain(s->waiting);
    return s->waiting;
}

static Status source_finish(Operator *op, Error *err)
{
    return BS_OK;
}

static bool source_is_finished(Operator *op)
{
    return ((SourceOp *)op)->finished;
}

static void source_close(Operator *op)
{
    SourceOp *s = (SourceOp *)op;
    if (s->waiting) future_release(s->waiting);
    s->waiting = NULL;
    s->source->close(s->source);
}

static const OperatorVtab SOURCE_VTAB = {
    .name = "ExchangeSource",
    .needs_input = source_needs_input,
    .add_input = source_add_input,
    .get_output = source_get_output,
    .finish = source_finish,
    .is_finished = source_is_finished,
    .is_blocked = source_is_blocked,
    .close = source_close,
};

Status op_exchange_source_create(Driver *d, const PlanNode *node, ExchangeSource *source,
                                 Operator **out, Error *err)
{
    SourceOp *s = (SourceOp *)operator_new(d, node, &SOURCE_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    s->source = source;
    *out = &s->base;
    return BS_OK;
}

typedef struct SinkOp {
    Operator base;
    ExchangeSink *sink;
    Partitioning part;
    int producer;     /* this driver's index among the producers */
    uint32_t next_rr; /* ROUND_ROBIN over several partitions: the next one */
    uint64_t *hashes; /* REPARTITION: per row */
    uint32_t *parts;  /* REPARTITION: per row */
    sel_t *sel;       /* REPARTITION: rows of one partition */
    Chunk *slice;     /* REPARTITION: a view of the input restricted to one partition */
    bool finished;
} SinkOp;

/* The partition a whole chunk goes to, or the hint for is_blocked. */
static int chunk_partition(const SinkOp *s)
{
    switch (s->part.kind) {
    case EXCHANGE_ORDERED_GATHER:
        return s->producer;
    case EXCHANGE_GATHER:
        return 0;
    case EXCHANGE_ROUND_ROBIN:
        return s->sink->n_partitions > 1 ? (int)(s->next_rr % (uint32_t)s->sink->n_partitions) : 0;
    case EXCHANGE_REPARTITION:
        return s->sink->n_partitions > 1 ? -1 : 0;
    case EXCHANGE_BROADCAST:
    case EXCHANGE_KIND_COUNT_:
        break;
    }
    return EXCHANGE_ALL_PARTITIONS;
}

static bool sink_needs_input(Operator *op)
{
    SinkOp *s = (SinkOp *)op;
    return !s->finished && !s->sink->is_finished(s->sink);
}

/* Sends each partition's rows of `in` (REPARTITION over several partitions). */
static Status send_partitioned(SinkOp *s, Chunk *in, Error *err)
{
    uint32_t n_parts = (uint32_t)s->sink->n_partitions;
    idx_t n = in->n_rows;
    hash_rows(in, s->part.keys, s->part.n_keys, s->hashes);
    uint32_t counts_small[64] = {0};
    uint32_t *counts = n_parts <= 64 ? counts_small : bs_calloc(n_parts, sizeof(uint32_t));
    if (!counts) return error_oom(err);
    for (idx_t i = 0; i < n; i++) {
        s->parts[i] = hash_partition(s->hashes[i], n_parts);
        counts[s->parts[i]]++;
    }
    Status st = BS_OK;
    for (uint32_t p = 0; p < n_parts && st == BS_OK; p++) {
        if (!counts[p]) continue;
        idx_t m = 0;
        for (idx_t i = 0; i < n; i++)
            if (s->parts[i] == p) s->sel[m++] = in->sel ? in->sel[i] : (sel_t)i;
        for (int c = 0; c < in->n_cols; c++)
            vector_reference(&s->slice->cols[c], &in->cols[c]);
        s->slice->sel = s->sel;
        s->slice->n_rows = m;
        st = s->sink->send(s->sink, (int)p, s->slice, err);
    }
    if (counts != counts_small) bs_free(counts);
    return st;
}

static Status sink_add_input(Operator *op, Chunk *in, Error *err)
{
    SinkOp *s = (SinkOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (s->part.kind == EXCHANGE_REPARTITION && s->sink->n_partitions > 1)
        return send_partitioned(s, in, err);
    int partition = chunk_partition(s);
    s->next_rr++;
    return s->sink->send(s->sink, partition, in, err);
}

static Status sink_get_output(Operator *op, Chunk **out, Error *err)
{
    *out = NULL;
    return BS_OK;
}

static Future *sink_is_blocked(Operator *op)
{
    SinkOp *s = (SinkOp *)op;
    return s->finished ? NULL : s->sink->is_blocked(s->sink, chunk_partition(s));
}

static Status sink_finish(Operator *op, Error *err)
{
    SinkOp *s = (SinkOp *)op;
    if (!s->finished) s->sink->no_more(s->sink, s->producer);
    s->finished = true;
    return BS_OK;
}

static bool sink_is_finished(Operator *op)
{
    SinkOp *s = (SinkOp *)op;
    return s->finished || s->sink->is_finished(s->sink);
}

static void sink_close(Operator *op)
{
    /* A driver that stops early still counts as done for the consumer. */
    SinkOp *s = (SinkOp *)op;
    if (!s->finished) s->sink->no_more(s->sink, s->producer);
    s->finished = true;
}

static const OperatorVtab SINK_VTAB = {
    .name = "ExchangeSink",
    .needs_input = sink_needs_input,
    .add_input = sink_add_input,
    .get_output = sink_get_output,
    .finish = sink_finish,
    .is_finished = sink_is_finished,
    .is_blocked = sink_is_blocked,
    .close = sink_close,
};

Status op_exchange_sink_create(Driver *d, const PlanNode *node, ExchangeSink *sink,
                               const Partitioning *part, int producer, Operator **out, Error *err)
{
    SinkOp *s = (SinkOp *)operator_new(d, node, &SINK_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    if (!sink) return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "task has no output");
    if ((unsigned)part->kind >= EXCHANGE_KIND_COUNT_)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: exchange kind");
    for (int k = 0; k < part->n_keys; k++)
        if (part->keys[k] < 0 || part->keys[k] >= node->n_cols)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: partitioning key");
    if (part->kind == EXCHANGE_REPARTITION && part->n_keys == 0)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "invalid plan: repartition without keys");
    s->sink = sink;
    s->part = *part;
    s->producer = producer;
    if (part->kind == EXCHANGE_REPARTITION) {
        Arena *a = s->base.arena;
        s->hashes = arena_alloc(a, sizeof(uint64_t) * BASALT_VECTOR_SIZE);
        s->parts = arena_alloc(a, sizeof(uint32_t) * BASALT_VECTOR_SIZE);
        s->sel = arena_alloc(a, sizeof(sel_t) * BASALT_VECTOR_SIZE);
        s->slice = chunk_view_create(a, node->types, node->n_cols, err);
        if (!s->hashes || !s->parts || !s->sel || !s->slice) return arena_error(a, err);
    }
    *out = &s->base;
    return BS_OK;
}
