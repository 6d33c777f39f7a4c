/*
 * op_range.c — Range: the BIGINT series of range() (stop excluded) and generate_series()
 * (stop included), from start by step, emitted a vector at a time. The bounds are
 * constant expressions evaluated once; a NULL bound gives no rows, a zero step 22023, and
 * the series stops before it would overflow. The series itself (series_start/series_fill)
 * serves Unnest's per-row ranges too.
 *
 * A TIMESTAMP series steps by an INTERVAL: each value is the one before plus the step,
 * as PostgreSQL adds it (a month from January 31 is February 28, and the next March 28).
 * The step's sign is its span's (a month counts 30 days); it stops at the first value
 * past stop, or when the sum leaves the timestamp range.
 */
#include "exec/exec_int.h"

#include "common/datetime.h"

/* ---- the series (shared with Unnest's per-row ranges) ---- */

Status series_start(Series *s, bool timestamps, bool inclusive, const Value *a, const Value *z,
                    const Value *step, Error *err)
{
    memset(s, 0, sizeof *s);
    s->timestamps = timestamps;
    s->inclusive = inclusive;
    s->finished = true;
    if (a->is_null || z->is_null || step->is_null) return BS_OK;
    if (timestamps) {
        Interval zero = interval_make(0, 0, 0);
        s->sign = interval_compare(&step->u.iv, &zero);
        if (s->sign == 0) return error_set(err, "22023", -1, "step size cannot equal zero");
        s->by_iv = step->u.iv;
        s->next = a->u.i64;
        s->last = z->u.i64;
        s->finished = s->sign > 0 ? (inclusive ? a->u.i64 > z->u.i64 : a->u.i64 >= z->u.i64)
                                  : (inclusive ? a->u.i64 < z->u.i64 : a->u.i64 <= z->u.i64);
        return BS_OK;
    }
    if (step->u.i64 == 0) return error_set(err, "22023", -1, "step size cannot equal zero");
    int64_t first = a->u.i64, stop = z->u.i64, by = step->u.i64;
    /* The last value: stop itself (inclusive) or the one before it, on the step's grid. */
    __int128 span = (__int128)stop - first;
    if (!inclusive) span += by > 0 ? -1 : 1;
    if ((by > 0 && span < 0) || (by < 0 && span > 0)) return BS_OK;
    __int128 steps = span / by;
    s->next = first;
    s->last = (int64_t)(first + steps * by);
    s->by = by;
    s->finished = false;
    return BS_OK;
}

idx_t series_fill(Series *s, int64_t *out, idx_t max)
{
    idx_t n = 0;
    if (s->timestamps) {
        while (n < max && !s->finished) {
            out[n++] = s->next;
            int64_t after;
            if (!timestamp_add_interval(s->next, &s->by_iv, &after) ||
                (s->sign > 0 ? after <= s->next : after >= s->next)) {
                s->finished = true; /* out of range, or a step that no longer moves */
                break;
            }
            s->next = after;
            s->finished = s->sign > 0 ? (s->inclusive ? after > s->last : after >= s->last)
                                      : (s->inclusive ? after < s->last : after <= s->last);
        }
        return n;
    }
    /* Values up to last; next stays on the grid and never passes last (no overflow). */
    while (n < max && !s->finished) {
        out[n++] = s->next;
        if (s->next == s->last)
            s->finished = true;
        else
            s->next += s->by;
    }
    return n;
}

/* ---- Range ---- */

typedef struct RangeOp {
    Operator base;
    ExprState *start, *stop, *step;
    bool inclusive;
    bool timestamps;
    bool started;
    Series series;
    Chunk *out;
    Chunk *dummy;
} RangeOp;

static bool range_needs_input(Operator *op)
{
    return false;
}

static Status range_add_input(Operator *op, Chunk *in, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "Range takes no input");
}

static Status eval_bound(RangeOp *r, ExprState *e, Value *out, Error *err)
{
    Vector *v;
    BS_TRY(expr_eval(e, r->dummy, &v, err));
    vector_get_value(v, 0, out);
    return BS_OK;
}

/* Evaluates the bounds once. */
static Status start(RangeOp *r, Error *err)
{
    Value a, z, s;
    BS_TRY(eval_bound(r, r->start, &a, err));
    BS_TRY(eval_bound(r, r->stop, &z, err));
    BS_TRY(eval_bound(r, r->step, &s, err));
    r->started = true;
    return series_start(&r->series, r->timestamps, r->inclusive, &a, &z, &s, err);
}

static Status range_get_output(Operator *op, Chunk **out, Error *err)
{
    RangeOp *r = (RangeOp *)op;
    *out = NULL;
    if (!r->started) BS_TRY(start(r, err));
    if (r->series.finished) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    chunk_reset(r->out);
    r->out->n_rows = series_fill(&r->series, r->out->cols[0].data, BASALT_VECTOR_SIZE);
    *out = r->out;
    return BS_OK;
}

static Status range_finish(Operator *op, Error *err)
{
    return BS_OK;
}

static bool range_is_finished(Operator *op)
{
    RangeOp *r = (RangeOp *)op;
    return r->started && r->series.finished;
}

static const OperatorVtab RANGE_VTAB = {
    .name = "Range",
    .needs_input = range_needs_input,
    .add_input = range_add_input,
    .get_output = range_get_output,
    .finish = range_finish,
    .is_finished = range_is_finished,
};

Status op_range_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    /* a series of timestamps; of timestamptz ones only in a zone without offset (the
       binder's rule), where their arithmetic is the same */
    TypeId tt = node->n_cols == 1 ? (TypeId)node->types[0].id : TYPE_INVALID;
    bool times = tt == TYPE_TIMESTAMP || tt == TYPE_TIMESTAMPTZ;
    if (node->n_cols != 1 || (node->types[0].id != TYPE_BIGINT && !times))
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: range columns");
    const Expr *bounds[3] = {node->u.range.start, node->u.range.stop, node->u.range.step};
    for (int k = 0; k < 3; k++) {
        TypeId want = !times ? TYPE_BIGINT : k < 2 ? tt : TYPE_INTERVAL;
        if (!bounds[k] || bounds[k]->type.id != want)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: range bound");
    }
    RangeOp *r = (RangeOp *)operator_new(d, node, &RANGE_VTAB, sizeof *r, err);
    if (!r) return BS_ERROR;
    Arena *arena = r->base.arena;
    r->inclusive = node->u.range.inclusive;
    r->timestamps = times;
    BS_TRY(expr_compile(bounds[0], 0, NULL, arena, &r->start, err));
    BS_TRY(expr_compile(bounds[1], 0, NULL, arena, &r->stop, err));
    BS_TRY(expr_compile(bounds[2], 0, NULL, arena, &r->step, err));
    r->out = chunk_create(arena, node->types, 1, err);
    r->dummy = chunk_view_create(arena, NULL, 0, err);
    if (!r->out || !r->dummy) return BS_ERROR;
    r->dummy->n_rows = 1;
    *out = &r->base;
    return BS_OK;
}
