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
    bool finished;
} SinkOp;

static bool sink_needs_input(Operator *op)
{
    return !((SinkOp *)op)->finished;
}

static Status sink_add_input(Operator *op, Chunk *in, Error *err)
{
    SinkOp *s = (SinkOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    return s->sink->send(s->sink, in, err);
}

static Status sink_get_output(Operator *op, Chunk **out, Error *err)
{
    *out = NULL;
    return BS_OK;
}

static Future *sink_is_blocked(Operator *op)
{
    SinkOp *s = (SinkOp *)op;
    return s->finished ? NULL : s->sink->is_blocked(s->sink);
}

static Status sink_finish(Operator *op, Error *err)
{
    SinkOp *s = (SinkOp *)op;
    if (!s->finished) s->sink->no_more(s->sink);
    s->finished = true;
    return BS_OK;
}

static bool sink_is_finished(Operator *op)
{
    return ((SinkOp *)op)->finished;
}

static void sink_close(Operator *op)
{
    /* A driver that stops early still counts as done for the consumer. */
    SinkOp *s = (SinkOp *)op;
    if (!s->finished) s->sink->no_more(s->sink);
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

Status op_exchange_sink_create(Driver *d, const PlanNode *node, ExchangeSink *sink, Operator **out,
                               Error *err)
{
    SinkOp *s = (SinkOp *)operator_new(d, node, &SINK_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    if (!sink) return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "task has no output");
    s->sink = sink;
    *out = &s->base;
    return BS_OK;
}
